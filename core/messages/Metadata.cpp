#include "Metadata.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

#include <algorithm>

namespace kpw {

QByteArray MetadataRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 9;
    ByteWriter w;
    if (!topics) {
        w.nullArray(flexible);
    } else {
        w.arrayLength(topics->size(), flexible);
        for (const auto &t : *topics) {
            if (version >= 10)
                w.raw(QByteArray(16, '\0')); // TopicId: zero uuid, look up by name
            w.string(t, flexible);
            if (flexible)
                w.emptyTaggedFields();
        }
    }
    w.boolean(allowAutoTopicCreation);
    if (version >= 8) {
        if (version <= 10)
            w.boolean(false); // IncludeClusterAuthorizedOperations
        w.boolean(false);     // IncludeTopicAuthorizedOperations
    }
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

namespace {

QList<std::int32_t> readInt32Array(ByteReader &r, bool flexible)
{
    QList<std::int32_t> out;
    const qsizetype n = r.arrayLength(flexible, 4);
    if (n > 0)
        out.reserve(n);
    for (qsizetype i = 0; i < n && r.ok(); ++i)
        out.append(r.int32());
    return out;
}

} // namespace

Result<MetadataResponse> MetadataResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 9;
    ByteReader r(body);
    MetadataResponse m;
    m.throttleTimeMs = r.int32(); // v3+; we speak v4+
    const qsizetype nb = r.arrayLength(flexible, 10);
    for (qsizetype i = 0; i < nb && r.ok(); ++i) {
        BrokerInfo b;
        b.nodeId = r.int32();
        b.host = r.string(flexible);
        b.port = r.int32();
        b.rack = r.nullableString(flexible);
        if (flexible)
            r.taggedFields();
        m.brokers.append(b);
    }
    m.clusterId = r.nullableString(flexible);
    m.controllerId = r.int32();
    const qsizetype nt = r.arrayLength(flexible, 8);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        TopicInfo t;
        t.errorCode = r.int16();
        t.name = r.nullableString(flexible).value_or(QString());
        if (version >= 10)
            t.topicId = r.uuid();
        t.isInternal = r.boolean();
        const qsizetype np = r.arrayLength(flexible, 14);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            PartitionInfo p;
            p.errorCode = r.int16();
            p.partition = r.int32();
            p.leader = r.int32();
            if (version >= 7)
                p.leaderEpoch = r.int32();
            p.replicas = readInt32Array(r, flexible);
            p.isr = readInt32Array(r, flexible);
            if (version >= 5)
                p.offlineReplicas = readInt32Array(r, flexible);
            if (flexible)
                r.taggedFields();
            t.partitions.append(p);
        }
        if (version >= 8)
            r.int32(); // TopicAuthorizedOperations
        if (flexible)
            r.taggedFields();
        std::sort(t.partitions.begin(), t.partitions.end(),
                  [](const PartitionInfo &a, const PartitionInfo &b) { return a.partition < b.partition; });
        m.topics.append(std::move(t));
    }
    if (version >= 8 && version <= 10)
        r.int32(); // ClusterAuthorizedOperations
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("Metadata v%1 response: %2").arg(version).arg(r.error())};
    return m;
}

} // namespace kpw
