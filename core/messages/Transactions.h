#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

// The requests of the idempotent and transactional producer (KIP-98, KIP-360,
// KIP-890), each with the versions this client speaks:
//   InitProducerId v0-5 (flexible from 2; ProducerId/ProducerEpoch from 3)
//   AddPartitionsToTxn v0-3 (flexible from 3; v4+ is broker to broker)
//   AddOffsetsToTxn v0-4 (flexible from 3)
//   TxnOffsetCommit v0-5 (flexible from 3; generation/member from 3)
//   EndTxn v0-5 (flexible from 3; v5 answers the next ProducerId/Epoch)
// Versions 4 and 5 add error codes, and v5 of EndTxn and TxnOffsetCommit
// switch the broker to transaction protocol v2; their frames are unchanged
// except for EndTxn v5's response.
namespace kpw {

struct InitProducerIdRequest
{
    std::optional<QString> transactionalId; // null: idempotent producer
    std::int32_t transactionTimeoutMs = 60000;
    std::int64_t producerId = -1;    // v3+: the current id, to bump its epoch (KIP-360)
    std::int16_t producerEpoch = -1; // v3+

    QByteArray encode(std::int16_t version) const;
};

struct InitProducerIdResponse
{
    std::int32_t throttleTimeMs = 0;
    std::int16_t errorCode = 0;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;

    static Result<InitProducerIdResponse> decode(const QByteArray &body, std::int16_t version);
};

struct TopicPartitions
{
    QString topic;
    QList<std::int32_t> partitions;
};

struct AddPartitionsToTxnRequest
{
    QString transactionalId;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    QList<TopicPartitions> topics;

    QByteArray encode(std::int16_t version) const;
};

struct PartitionError
{
    std::int32_t partition = 0;
    std::int16_t errorCode = 0;
};

struct TopicPartitionErrors
{
    QString topic;
    QList<PartitionError> partitions;
};

struct AddPartitionsToTxnResponse
{
    std::int32_t throttleTimeMs = 0;
    QList<TopicPartitionErrors> topics;

    static Result<AddPartitionsToTxnResponse> decode(const QByteArray &body, std::int16_t version);
};

struct AddOffsetsToTxnRequest
{
    QString transactionalId;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    QString groupId;

    QByteArray encode(std::int16_t version) const;
};

struct AddOffsetsToTxnResponse
{
    std::int32_t throttleTimeMs = 0;
    std::int16_t errorCode = 0;

    static Result<AddOffsetsToTxnResponse> decode(const QByteArray &body, std::int16_t version);
};

struct TxnOffsetCommitRequest
{
    struct Partition
    {
        std::int32_t partition = 0;
        std::int64_t offset = 0;
        std::int32_t leaderEpoch = -1; // v2+
        std::optional<QString> metadata;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };

    QString transactionalId;
    QString groupId;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    std::int32_t generationId = -1;         // v3+
    QString memberId;                       // v3+
    std::optional<QString> groupInstanceId; // v3+
    QList<Topic> topics;

    QByteArray encode(std::int16_t version) const;
};

struct TxnOffsetCommitResponse
{
    std::int32_t throttleTimeMs = 0;
    QList<TopicPartitionErrors> topics;

    static Result<TxnOffsetCommitResponse> decode(const QByteArray &body, std::int16_t version);
};

struct EndTxnRequest
{
    QString transactionalId;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    bool committed = true;

    QByteArray encode(std::int16_t version) const;
};

struct EndTxnResponse
{
    std::int32_t throttleTimeMs = 0;
    std::int16_t errorCode = 0;
    // v5+: the id and epoch the producer's next transaction runs under (the
    // coordinator bumps the epoch at every end under transaction protocol v2).
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;

    static Result<EndTxnResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
