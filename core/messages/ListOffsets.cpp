#include "ListOffsets.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray ListOffsetsRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 6;
    ByteWriter w;
    w.int32(-1); // ReplicaId: a consumer
    if (version >= 2)
        w.int8(static_cast<std::int8_t>(isolation));
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.name, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (const auto &p : t.partitions) {
            w.int32(p.partition);
            if (version >= 4)
                w.int32(p.currentLeaderEpoch);
            w.int64(p.timestamp);
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

Result<ListOffsetsResponse> ListOffsetsResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 6;
    ByteReader r(body);
    ListOffsetsResponse resp;
    if (version >= 2)
        resp.throttleTimeMs = r.int32();
    const qsizetype nt = r.arrayLength(flexible, 6);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        Topic t;
        t.name = r.string(flexible);
        // partition, error, timestamp, offset: 22 bytes at least
        const qsizetype np = r.arrayLength(flexible, 22);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            Partition p;
            p.partition = r.int32();
            p.errorCode = r.int16();
            p.timestamp = r.int64();
            p.offset = r.int64();
            if (version >= 4)
                p.leaderEpoch = r.int32();
            if (flexible)
                r.taggedFields();
            t.partitions.append(p);
        }
        if (flexible)
            r.taggedFields();
        resp.topics.append(std::move(t));
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("ListOffsets v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
