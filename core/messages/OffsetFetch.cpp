#include "OffsetFetch.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

namespace {

void writeTopics(ByteWriter &w, const std::optional<QList<OffsetFetchRequest::Topic>> &topics, std::int16_t version,
                 bool flexible)
{
    if (!topics) {
        if (version >= 2) {
            w.nullArray(flexible);
            return;
        }
        w.arrayLength(0, flexible); // v1 cannot ask for every topic
        return;
    }
    w.arrayLength(topics->size(), flexible);
    for (const auto &t : *topics) {
        w.string(t.name, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (auto p : t.partitions)
            w.int32(p);
        if (flexible)
            w.emptyTaggedFields();
    }
}

QList<OffsetFetchResponse::Topic> readTopics(ByteReader &r, std::int16_t version, bool flexible)
{
    QList<OffsetFetchResponse::Topic> out;
    const qsizetype nt = r.arrayLength(flexible, 6);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        OffsetFetchResponse::Topic t;
        t.name = r.string(flexible);
        // partition, offset, metadata (null), error: 16 bytes at least
        const qsizetype np = r.arrayLength(flexible, 16);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            OffsetFetchResponse::Partition p;
            p.partition = r.int32();
            p.committedOffset = r.int64();
            if (version >= 5)
                p.committedLeaderEpoch = r.int32();
            p.metadata = r.nullableString(flexible);
            p.errorCode = r.int16();
            if (flexible)
                r.taggedFields();
            t.partitions.append(std::move(p));
        }
        if (flexible)
            r.taggedFields();
        out.append(std::move(t));
    }
    return out;
}

} // namespace

QByteArray OffsetFetchRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 6;
    ByteWriter w;
    if (version <= 7) {
        if (groups.isEmpty()) {
            w.string(QString(), flexible);
            writeTopics(w, QList<Topic>{}, version, flexible);
        } else {
            w.string(groups.front().groupId, flexible);
            writeTopics(w, groups.front().topics, version, flexible);
        }
    } else {
        w.arrayLength(groups.size(), flexible);
        for (const auto &g : groups) {
            w.string(g.groupId, flexible);
            writeTopics(w, g.topics, version, flexible);
            w.emptyTaggedFields();
        }
    }
    if (version >= 7)
        w.boolean(requireStable);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<OffsetFetchResponse> OffsetFetchResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 6;
    ByteReader r(body);
    OffsetFetchResponse resp;
    if (version >= 3)
        resp.throttleTimeMs = r.int32();
    if (version <= 7) {
        Group g;
        g.topics = readTopics(r, version, flexible);
        if (version >= 2)
            g.errorCode = r.int16();
        resp.groups.append(std::move(g));
    } else {
        // group id, topics, error, tags: 5 bytes at least
        const qsizetype ng = r.arrayLength(flexible, 5);
        for (qsizetype i = 0; i < ng && r.ok(); ++i) {
            Group g;
            g.groupId = r.string(flexible);
            g.topics = readTopics(r, version, flexible);
            g.errorCode = r.int16();
            r.taggedFields();
            resp.groups.append(std::move(g));
        }
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("OffsetFetch v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
