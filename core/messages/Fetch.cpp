#include "Fetch.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray FetchRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 12;
    ByteWriter w;
    w.int32(-1); // ReplicaId: a consumer
    w.int32(maxWaitMs);
    w.int32(minBytes);
    w.int32(maxBytes); // v3+
    w.int8(static_cast<std::int8_t>(isolation));
    if (version >= 7) {
        w.int32(0);  // SessionId: none
        w.int32(-1); // SessionEpoch: FINAL_EPOCH, a full fetch that opens no session
    }
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.name, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (const auto &p : t.partitions) {
            w.int32(p.partition);
            if (version >= 9)
                w.int32(p.currentLeaderEpoch);
            w.int64(p.fetchOffset);
            if (version >= 12)
                w.int32(p.lastFetchedEpoch);
            if (version >= 5)
                w.int64(-1); // LogStartOffset: only followers send it
            w.int32(p.maxBytes);
            if (flexible)
                w.emptyTaggedFields();
        }
        if (flexible)
            w.emptyTaggedFields();
    }
    if (version >= 7)
        w.arrayLength(0, flexible); // ForgottenTopicsData
    if (version >= 11)
        w.string(rackId, flexible);
    if (flexible)
        w.emptyTaggedFields(); // ClusterId (tag 0) left out
    return w.take();
}

Result<FetchResponse> FetchResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 12;
    ByteReader r(body);
    FetchResponse resp;
    resp.throttleTimeMs = r.int32(); // v1+
    if (version >= 7) {
        resp.errorCode = r.int16();
        resp.sessionId = r.int32();
    }
    const qsizetype nt = r.arrayLength(flexible, 6);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        Topic t;
        t.name = r.string(flexible);
        // partition, error, high watermark, LSO, aborted (null), records (null)
        const qsizetype np = r.arrayLength(flexible, 24);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            Partition p;
            p.partition = r.int32();
            p.errorCode = r.int16();
            p.highWatermark = r.int64();
            p.lastStableOffset = r.int64(); // v4+
            if (version >= 5)
                p.logStartOffset = r.int64();
            const qsizetype na = r.arrayLength(flexible, flexible ? 17 : 16);
            if (na >= 0) {
                QList<AbortedTransaction> aborted;
                aborted.reserve(na);
                for (qsizetype k = 0; k < na && r.ok(); ++k) {
                    AbortedTransaction a;
                    a.producerId = r.int64();
                    a.firstOffset = r.int64();
                    if (flexible)
                        r.taggedFields();
                    aborted.append(a);
                }
                p.abortedTransactions = std::move(aborted);
            }
            if (version >= 11)
                p.preferredReadReplica = r.int32();
            p.records = r.nullableBytes(flexible).value_or(QByteArray());
            if (flexible) {
                r.taggedFields([&p](std::uint32_t tag, ByteReader &f) {
                    if (tag == 1) { // CurrentLeader: LeaderId, LeaderEpoch, tags
                        p.currentLeaderId = f.int32();
                        p.currentLeaderEpoch = f.int32();
                        f.taggedFields();
                    } else {
                        f.skip(f.remaining());
                    }
                });
            }
            t.partitions.append(std::move(p));
        }
        if (flexible)
            r.taggedFields();
        resp.topics.append(std::move(t));
    }
    if (flexible)
        r.taggedFields(); // NodeEndpoints (tag 0, v16+) never reaches us
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("Fetch v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
