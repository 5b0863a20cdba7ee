#include "Produce.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray ProduceRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 9;
    qsizetype estimate = 64;
    for (const auto &t : topics)
        for (const auto &p : t.partitions)
            estimate += p.records.size() + 16;
    ByteWriter w(estimate);
    w.nullableString(transactionalId, flexible);
    w.int16(acks);
    w.int32(timeoutMs);
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.name, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (const auto &p : t.partitions) {
            w.int32(p.partition);
            w.bytes(p.records, flexible);
            if (flexible)
                w.emptyTaggedFields();
        }
        if (flexible)
            w.emptyTaggedFields();
    }
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<ProduceResponse> ProduceResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 9;
    ByteReader r(body);
    ProduceResponse resp;
    const qsizetype nt = r.arrayLength(flexible, 6);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        TopicResponse t;
        t.name = r.string(flexible);
        const qsizetype np = r.arrayLength(flexible, 14);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            PartitionResponse p;
            p.partition = r.int32();
            p.errorCode = r.int16();
            p.baseOffset = r.int64();
            p.logAppendTimeMs = r.int64(); // v2+
            if (version >= 5)
                p.logStartOffset = r.int64();
            if (version >= 8) {
                const qsizetype ne = r.arrayLength(flexible, 5);
                for (qsizetype k = 0; k < ne && r.ok(); ++k) {
                    RecordError e;
                    e.batchIndex = r.int32();
                    e.message = r.nullableString(flexible);
                    if (flexible)
                        r.taggedFields();
                    p.recordErrors.append(e);
                }
                p.errorMessage = r.nullableString(flexible);
            }
            if (flexible)
                r.taggedFields(); // v10+: CurrentLeader (tag 0)
            t.partitions.append(std::move(p));
        }
        if (flexible)
            r.taggedFields();
        resp.topics.append(std::move(t));
    }
    resp.throttleTimeMs = r.int32();
    if (flexible)
        r.taggedFields(); // v10+: NodeEndpoints (tag 0)
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("Produce v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
