#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

struct ProduceRequest
{
    struct PartitionData
    {
        std::int32_t partition = 0;
        QByteArray records; // one record batch v2
    };
    struct TopicData
    {
        QString name;
        QList<PartitionData> partitions;
    };

    std::optional<QString> transactionalId;
    std::int16_t acks = -1;
    std::int32_t timeoutMs = 30000;
    QList<TopicData> topics;

    QByteArray encode(std::int16_t version) const;
};

struct ProduceResponse
{
    struct RecordError
    {
        std::int32_t batchIndex = 0;
        std::optional<QString> message;
    };
    struct PartitionResponse
    {
        std::int32_t partition = 0;
        std::int16_t errorCode = 0;
        std::int64_t baseOffset = -1;
        std::int64_t logAppendTimeMs = -1;
        std::int64_t logStartOffset = -1;
        QList<RecordError> recordErrors;
        std::optional<QString> errorMessage;
    };
    struct TopicResponse
    {
        QString name;
        QList<PartitionResponse> partitions;
    };

    QList<TopicResponse> topics;
    std::int32_t throttleTimeMs = 0;

    static Result<ProduceResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
