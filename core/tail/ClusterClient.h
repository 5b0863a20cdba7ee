#pragma once

#include "messages/Metadata.h"
#include "net/BrokerConnection.h"
#include "wire/Result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace kpw {

// The connections a reader needs: the bootstrap list, then one connection
// per broker that Metadata named (or a coordinator answered with). Lives on
// the thread whose event loop runs it; callbacks run there too.
//
// A callback may run while the ClusterClient is being destroyed (every
// outstanding request then ends with CLIENT_SHUTDOWN): owners set their own
// "stopping" flag before deleting it.
class ClusterClient final : public QObject
{
    Q_OBJECT

public:
    using MetadataCallback = std::function<void(Result<MetadataResponse>)>;

    // bootstrap: "host:port[,host:port...]".
    ClusterClient(const QString &bootstrap, ConnectionOptions options, QObject *parent = nullptr);
    ~ClusterClient() override;

    bool hasBootstrap() const { return !m_bootstrap.isEmpty(); }
    // Metadata for these topics (nullopt: every topic), from the known
    // brokers first, then each bootstrap server in turn until one answers;
    // the error names every server that failed.
    void fetchMetadata(const std::optional<QList<QString>> &topics, MetadataCallback done);
    // The connection to a broker Metadata named; nullptr when unknown.
    BrokerConnection *connectionFor(std::int32_t nodeId);
    // The connection to a node at a given address (a coordinator).
    BrokerConnection *connectionTo(std::int32_t nodeId, const QString &host, std::int32_t port);
    // A connection to send a cluster-wide request on (ready ones first).
    BrokerConnection *anyConnection();

Q_SIGNALS:
    void connectionFailed(const kpw::Error &error); // any connection; for logs

private:
    void tryMetadata(const std::optional<QList<QString>> &topics, MetadataCallback done, int attempt,
                     QList<Error> errors);
    QList<BrokerConnection *> candidates();
    BrokerConnection *track(BrokerConnection *c);

    ConnectionOptions m_options;
    QList<BrokerConnection *> m_bootstrap;
    QHash<std::int32_t, BrokerConnection *> m_brokers;
    QHash<std::int32_t, BrokerInfo> m_brokerInfo;
};

} // namespace kpw
