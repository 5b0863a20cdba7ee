#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// The topic administration APIs the topic browser and `kpw-cli topics` use:
// DescribeConfigs (key 32, v1-v4, flexible from v4), CreateTopics (key 19,
// v2-v7, flexible from v5) and DeleteTopics (key 20, v1-v6, flexible from
// v4). Lowest versions are the lowest a Kafka 4.x broker accepts.

// A config's origin, as DescribeConfigs v1+ reports it (ConfigSource).
enum class ConfigSource : std::int8_t {
    Unknown = 0,
    DynamicTopic = 1,
    DynamicBroker = 2,
    DynamicDefaultBroker = 3,
    StaticBroker = 4,
    Default = 5,
    DynamicBrokerLogger = 6,
    ClientMetrics = 7,
    Group = 8,
};
// "DYNAMIC_TOPIC_CONFIG", "DEFAULT_CONFIG", ... as the Java admin client names them.
QString configSourceName(std::int8_t source);

struct DescribeConfigsRequest
{
    static constexpr std::int8_t TopicResource = 2;
    static constexpr std::int8_t BrokerResource = 4;

    struct Resource
    {
        std::int8_t type = TopicResource;
        QString name;
        std::optional<QList<QString>> keys; // nullopt: every config
    };
    QList<Resource> resources;
    bool includeSynonyms = false;      // v1+
    bool includeDocumentation = false; // v3+

    QByteArray encode(std::int16_t version) const;
};

struct ConfigEntry
{
    QString name;
    std::optional<QString> value; // null for sensitive values
    bool readOnly = false;
    std::int8_t source = -1;
    bool sensitive = false;
    std::int8_t type = 0;                 // v3+
    std::optional<QString> documentation; // v3+

    // Set for this topic (DYNAMIC_TOPIC_CONFIG) or inherited from a broker's
    // non-default setting: anything but the built-in default.
    bool isDefault() const { return source == static_cast<std::int8_t>(ConfigSource::Default); }
    bool operator==(const ConfigEntry &) const = default;
};

struct DescribeConfigsResponse
{
    struct Result
    {
        std::int16_t errorCode = 0;
        std::optional<QString> errorMessage;
        std::int8_t resourceType = 0;
        QString resourceName;
        QList<ConfigEntry> configs;
    };
    std::int32_t throttleTimeMs = 0;
    QList<Result> results;

    static kpw::Result<DescribeConfigsResponse> decode(const QByteArray &body, std::int16_t version);
};

struct CreateTopicsRequest
{
    struct Config
    {
        QString name;
        std::optional<QString> value;
    };
    struct Topic
    {
        QString name;
        std::int32_t numPartitions = -1;     // -1: the broker's num.partitions
        std::int16_t replicationFactor = -1; // -1: default.replication.factor
        QList<Config> configs;
    };
    QList<Topic> topics;
    std::int32_t timeoutMs = 30000;
    bool validateOnly = false;

    QByteArray encode(std::int16_t version) const;
};

struct CreateTopicsResponse
{
    struct Topic
    {
        QString name;
        QByteArray topicId; // v7+, 16 bytes
        std::int16_t errorCode = 0;
        std::optional<QString> errorMessage;
        std::int16_t topicConfigErrorCode = 0;     // v5+ tagged field 0
        std::int32_t numPartitions = -1;           // v5+
        std::int16_t replicationFactor = -1;       // v5+
        std::optional<QList<ConfigEntry>> configs; // v5+
    };
    std::int32_t throttleTimeMs = 0;
    QList<Topic> topics;

    static Result<CreateTopicsResponse> decode(const QByteArray &body, std::int16_t version);
};

struct DeleteTopicsRequest
{
    QList<QString> names; // v6 sends them as {name, zero topic id}
    std::int32_t timeoutMs = 30000;

    QByteArray encode(std::int16_t version) const;
};

struct DeleteTopicsResponse
{
    struct Topic
    {
        std::optional<QString> name; // nullable from v6
        QByteArray topicId;          // v6+
        std::int16_t errorCode = 0;
        std::optional<QString> errorMessage; // v5+
    };
    std::int32_t throttleTimeMs = 0;
    QList<Topic> topics;

    static Result<DeleteTopicsResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
