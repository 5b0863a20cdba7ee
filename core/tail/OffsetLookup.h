#pragma once

#include "messages/ListOffsets.h"
#include "net/BrokerConnection.h"
#include "wire/Result.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>

namespace kpw {

class ClusterClient;

// One-shot offset questions a person asks of a cluster: where a topic's
// partitions start and end (ListOffsets through each leader) and what a
// consumer group has committed (FindCoordinator, then OffsetFetch on the
// group's coordinator). Callbacks run on this object's thread.
class OffsetLookup final : public QObject
{
    Q_OBJECT

public:
    struct PartitionOffset
    {
        std::int32_t partition = 0;
        std::int64_t offset = -1;
        std::int64_t timestampMs = -1;
        std::int16_t errorCode = 0;
    };
    struct Committed
    {
        QString topic;
        std::int32_t partition = 0;
        std::int64_t offset = -1; // -1: nothing committed
        std::int32_t leaderEpoch = -1;
        std::optional<QString> metadata;
        std::int16_t errorCode = 0;
    };
    using OffsetsCallback = std::function<void(Result<QList<PartitionOffset>>)>;
    using CommittedCallback = std::function<void(Result<QList<Committed>>)>;

    OffsetLookup(const QString &bootstrap, ConnectionOptions options = {}, QObject *parent = nullptr);
    ~OffsetLookup() override;

    // timestamp: ListOffsetsRequest::Earliest, ::Latest (the last stable
    // offset with ReadCommitted), or a time in ms. Sorted by partition.
    void listOffsets(const QString &topic, std::int64_t timestamp, IsolationLevel isolation,
                     const OffsetsCallback &done);
    // The group's committed offsets, of every topic or of one; sorted by
    // topic and partition. Coordinator moves and loads are retried.
    void committedOffsets(const QString &group, const std::optional<QString> &topic, const CommittedCallback &done);

private:
    void findCoordinator(const QString &group, const std::optional<QString> &topic, const CommittedCallback &done,
                         int attempt);
    void offsetFetch(BrokerConnection *coordinator, const QString &group, const std::optional<QString> &topic,
                     const CommittedCallback &done, int attempt);
    void retryCoordinator(const QString &group, const std::optional<QString> &topic, const CommittedCallback &done,
                          int attempt, const Error &why);

    QPointer<ClusterClient> m_cluster;
    bool m_stopping = false;
};

} // namespace kpw
