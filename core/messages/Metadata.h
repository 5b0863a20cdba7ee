#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

struct MetadataRequest
{
    // nullopt: every topic; an empty list: no topic (brokers only).
    std::optional<QList<QString>> topics;
    bool allowAutoTopicCreation = false;

    QByteArray encode(std::int16_t version) const;
};

struct BrokerInfo
{
    std::int32_t nodeId = -1;
    QString host;
    std::int32_t port = 0;
    std::optional<QString> rack;

    QString address() const { return QStringLiteral("%1:%2").arg(host).arg(port); }
    bool operator==(const BrokerInfo &) const = default;
};

struct PartitionInfo
{
    std::int16_t errorCode = 0;
    std::int32_t partition = 0;
    std::int32_t leader = -1;
    std::int32_t leaderEpoch = -1;
    QList<std::int32_t> replicas;
    QList<std::int32_t> isr;
    QList<std::int32_t> offlineReplicas;

    bool operator==(const PartitionInfo &) const = default;
};

struct TopicInfo
{
    std::int16_t errorCode = 0;
    QString name;
    QByteArray topicId; // 16 bytes from v10, else empty
    bool isInternal = false;
    QList<PartitionInfo> partitions; // sorted by partition index

    bool operator==(const TopicInfo &) const = default;
};

struct MetadataResponse
{
    std::int32_t throttleTimeMs = 0;
    QList<BrokerInfo> brokers;
    std::optional<QString> clusterId;
    std::int32_t controllerId = -1;
    QList<TopicInfo> topics;

    static Result<MetadataResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::MetadataResponse)
