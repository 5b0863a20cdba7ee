#include "Transactions.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {
namespace {

constexpr std::int16_t kFlexibleFrom = 3; // all but InitProducerId

template <typename T> Result<T> finish(ByteReader &r, bool flexible, T value, const char *api, std::int16_t version)
{
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("%1 v%2 response: %3").arg(QLatin1StringView(api)).arg(version).arg(r.error())};
    return value;
}

// [topic [partition error]] as AddPartitionsToTxn and TxnOffsetCommit answer.
QList<TopicPartitionErrors> readTopicErrors(ByteReader &r, bool flexible)
{
    QList<TopicPartitionErrors> topics;
    const qsizetype nt = r.arrayLength(flexible, 3);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        TopicPartitionErrors t;
        t.topic = r.string(flexible);
        const qsizetype np = r.arrayLength(flexible, 6);
        for (qsizetype j = 0; j < np && r.ok(); ++j) {
            PartitionError p;
            p.partition = r.int32();
            p.errorCode = r.int16();
            if (flexible)
                r.taggedFields();
            t.partitions.append(p);
        }
        if (flexible)
            r.taggedFields();
        topics.append(std::move(t));
    }
    return topics;
}

} // namespace

QByteArray InitProducerIdRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 2;
    ByteWriter w(64);
    w.nullableString(transactionalId, flexible);
    w.int32(transactionTimeoutMs);
    if (version >= 3) {
        w.int64(producerId);
        w.int16(producerEpoch);
    }
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<InitProducerIdResponse> InitProducerIdResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 2;
    ByteReader r(body);
    InitProducerIdResponse resp;
    resp.throttleTimeMs = r.int32();
    resp.errorCode = r.int16();
    resp.producerId = r.int64();
    resp.producerEpoch = r.int16();
    // Success with no usable id would leave an idempotent producer waiting
    // for one that never comes.
    if (r.ok() && resp.errorCode == KafkaError::None && (resp.producerId < 0 || resp.producerEpoch < 0))
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("InitProducerId v%1 response: no error, yet producer id %2 and epoch %3")
                         .arg(version)
                         .arg(resp.producerId)
                         .arg(resp.producerEpoch)};
    return finish(r, flexible, resp, "InitProducerId", version);
}

QByteArray AddPartitionsToTxnRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= kFlexibleFrom;
    ByteWriter w(64);
    w.string(transactionalId, flexible);
    w.int64(producerId);
    w.int16(producerEpoch);
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.topic, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (const auto p : t.partitions)
            w.int32(p);
        if (flexible)
            w.emptyTaggedFields();
    }
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<AddPartitionsToTxnResponse> AddPartitionsToTxnResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= kFlexibleFrom;
    ByteReader r(body);
    AddPartitionsToTxnResponse resp;
    resp.throttleTimeMs = r.int32();
    resp.topics = readTopicErrors(r, flexible);
    return finish(r, flexible, resp, "AddPartitionsToTxn", version);
}

QByteArray AddOffsetsToTxnRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= kFlexibleFrom;
    ByteWriter w(64);
    w.string(transactionalId, flexible);
    w.int64(producerId);
    w.int16(producerEpoch);
    w.string(groupId, flexible);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<AddOffsetsToTxnResponse> AddOffsetsToTxnResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= kFlexibleFrom;
    ByteReader r(body);
    AddOffsetsToTxnResponse resp;
    resp.throttleTimeMs = r.int32();
    resp.errorCode = r.int16();
    return finish(r, flexible, resp, "AddOffsetsToTxn", version);
}

QByteArray TxnOffsetCommitRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= kFlexibleFrom;
    ByteWriter w(128);
    w.string(transactionalId, flexible);
    w.string(groupId, flexible);
    w.int64(producerId);
    w.int16(producerEpoch);
    if (version >= 3) {
        w.int32(generationId);
        w.string(memberId, flexible);
        w.nullableString(groupInstanceId, flexible);
    }
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.name, flexible);
        w.arrayLength(t.partitions.size(), flexible);
        for (const auto &p : t.partitions) {
            w.int32(p.partition);
            w.int64(p.offset);
            if (version >= 2)
                w.int32(p.leaderEpoch);
            w.nullableString(p.metadata, flexible);
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

Result<TxnOffsetCommitResponse> TxnOffsetCommitResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= kFlexibleFrom;
    ByteReader r(body);
    TxnOffsetCommitResponse resp;
    resp.throttleTimeMs = r.int32();
    resp.topics = readTopicErrors(r, flexible);
    return finish(r, flexible, resp, "TxnOffsetCommit", version);
}

QByteArray EndTxnRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= kFlexibleFrom;
    ByteWriter w(64);
    w.string(transactionalId, flexible);
    w.int64(producerId);
    w.int16(producerEpoch);
    w.boolean(committed);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<EndTxnResponse> EndTxnResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= kFlexibleFrom;
    ByteReader r(body);
    EndTxnResponse resp;
    resp.throttleTimeMs = r.int32();
    resp.errorCode = r.int16();
    if (version >= 5) {
        resp.producerId = r.int64();
        resp.producerEpoch = r.int16();
    }
    return finish(r, flexible, resp, "EndTxn", version);
}

} // namespace kpw
