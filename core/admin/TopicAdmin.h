#pragma once

#include "messages/Admin.h"
#include "net/BrokerConnection.h"
#include "threads/CrossThread.h"
#include "wire/Result.h"

#include <QList>
#include <QMetaType>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>

namespace kpw {

class ClusterClient;
class ProducerConfig;

struct PartitionDescription
{
    std::int32_t partition = 0;
    std::int16_t errorCode = 0; // from Metadata (e.g. LEADER_NOT_AVAILABLE)
    std::int32_t leader = -1;
    QList<std::int32_t> replicas;
    QList<std::int32_t> isr;
    QList<std::int32_t> offlineReplicas;
    std::int64_t earliestOffset = -1; // -1: unknown (see offsetsError)
    std::int64_t latestOffset = -1;
    std::int16_t offsetsError = 0; // why the offsets are unknown

    bool underReplicated() const { return isr.size() < replicas.size(); }
    bool operator==(const PartitionDescription &) const = default;
};

struct TopicDescription
{
    QString name;
    std::int16_t errorCode = 0;
    bool internal = false;
    QList<PartitionDescription> partitions; // sorted by partition

    // The replica count of partition 0 (they agree unless reassigned); 0 without partitions.
    int replicationFactor() const { return partitions.isEmpty() ? 0 : static_cast<int>(partitions[0].replicas.size()); }
    int underReplicatedCount() const;
    bool operator==(const TopicDescription &) const = default;
};

// What to create: configs are name/value pairs in the order given.
struct NewTopic
{
    QString name;
    std::int32_t partitions = -1;        // -1: the broker's default
    std::int16_t replicationFactor = -1; // -1: the broker's default
    QList<QPair<QString, QString>> configs;
};

// What CreateTopics answered for a created (or validated) topic.
struct CreatedTopic
{
    QString name;
    std::int32_t partitions = -1;
    std::int16_t replicationFactor = -1;
    QList<ConfigEntry> configs;
};

// Builds the connection options (client id, timeouts, TLS, SASL) and the
// bootstrap list from producer settings, as the producer itself would.
Result<ConnectionOptions> adminConnectionOptions(const ProducerConfig &config);

// The topic administration engine: Metadata + ListOffsets for topics and
// partitions, DescribeConfigs, CreateTopics, DeleteTopics, over a
// ClusterClient of its own. Lives on the thread whose event loop runs it
// (AdminClient puts it on a worker thread); callbacks run there. Broker
// errors come back as Error{code, "the broker's message"} so that the
// caller shows KafkaError::name(code) and the broker's own words.
class TopicAdmin final : public CallReceiver
{
    Q_OBJECT

public:
    using TopicsCallback = std::function<void(Result<QList<TopicDescription>>)>;
    using ConfigsCallback = std::function<void(Result<QList<ConfigEntry>>)>;
    using CreateCallback = std::function<void(Result<CreatedTopic>)>;
    using DeleteCallback = std::function<void(Result<bool>)>;

    TopicAdmin(const QString &bootstrap, ConnectionOptions options, QObject *parent = nullptr);
    ~TopicAdmin() override;

    // Every topic (nullopt) or the ones named, with their partitions and the
    // earliest and latest offsets of each (ListOffsets through each leader).
    // A named topic the cluster does not have comes back with its error code
    // (UNKNOWN_TOPIC_OR_PARTITION). Sorted by name.
    void describeTopics(const std::optional<QStringList> &names, TopicsCallback done);
    // The topic's configs (DescribeConfigs, no synonyms), sorted by name.
    void describeConfigs(const QString &topic, ConfigsCallback done);
    // validateOnly: the broker checks everything and creates nothing.
    void createTopic(const NewTopic &topic, bool validateOnly, CreateCallback done);
    void deleteTopic(const QString &topic, DeleteCallback done);

private:
    void addOffsets(QList<TopicDescription> topics, const TopicsCallback &done);
    // Sends to any broker; retries once on another when the connection fails.
    void sendAnywhere(ApiKey key, BrokerConnection::Encoder encode, BrokerConnection::Callback done);

    QPointer<ClusterClient> m_cluster;
    bool m_stopping = false;
    int m_timeoutMs = 30000;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::TopicDescription)
Q_DECLARE_METATYPE(kpw::ConfigEntry)
Q_DECLARE_METATYPE(kpw::CreatedTopic)
Q_DECLARE_METATYPE(kpw::NewTopic)
