#pragma once

#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace kpw::test {

// The three-broker KRaft cluster of the "kafka_cluster" CTest fixture
// (tests/kafka/kafka-fixture start --brokers 3). Tests find it through
// $KPW_TEST_CLUSTER_DIR (the fixture's directory) and $KPW_KAFKA_FIXTURE (the
// script, for stop-node / start-node). Node ids are the broker ids, 1..3.
class TestCluster
{
public:
    // The fixture's cluster. Missing environment or a stopped cluster is a
    // failure, never a skip: inside a test function this records a Qt Test
    // failure and returns nullopt; outside one it aborts with qFatal.
    static std::optional<TestCluster> fromEnvironment();

    QString dir() const { return m_dir; }
    QString bootstrap() const { return m_bootstrap; } // every broker, comma-separated
    QList<int> nodeIds() const { return m_nodes; }

    // Stops node `node` (SIGTERM: controlled shutdown; kill: SIGKILL) or
    // restarts it and waits until it is an unfenced broker again. Both run
    // the fixture script and spin a local event loop meanwhile, so a producer
    // driven by timers on this thread goes on producing.
    bool stopNode(int node, bool kill = false, QString *error = nullptr) const;
    bool startNode(int node, QString *error = nullptr) const;
    // Starts every stopped node (after a test that failed half-way).
    bool startAllNodes(QString *error = nullptr) const;
    bool isNodeRunning(int node) const;

    struct PartitionState
    {
        int leader = -1; // broker (node) id, -1: none
        QList<int> replicas;
        QList<int> isr;
    };
    // Partition states of `topic` from librdkafka metadata; nullopt (and
    // *error) when metadata cannot be had.
    std::optional<QMap<int, PartitionState>> partitions(const QString &topic, QString *error = nullptr) const;
    // The node leading `topic`/`partition`; -1 if none or unknown.
    int leaderOf(const QString &topic, int partition, QString *error = nullptr) const;
    // Waits until every partition of `topic` has `isrSize` in-sync replicas.
    bool waitForIsr(const QString &topic, int isrSize, int timeoutMs, QString *error = nullptr) const;
    // The high watermark of each partition (what a read_uncommitted consumer
    // can read), from librdkafka's watermark query.
    std::optional<QMap<int, qint64>> highWatermarks(const QString &topic, int partitions,
                                                    QString *error = nullptr) const;

private:
    bool runFixture(const QStringList &args, int timeoutMs, QString *error) const;

    QString m_dir;
    QString m_script;
    QString m_bootstrap;
    QList<int> m_nodes;
};

} // namespace kpw::test

// Declares `var` as the fixture's cluster, or fails the current test function.
#define KPW_REQUIRE_CLUSTER(var)                                                                                       \
    const std::optional<::kpw::test::TestCluster> var##Opt_ = ::kpw::test::TestCluster::fromEnvironment();             \
    if (!var##Opt_)                                                                                                    \
        return;                                                                                                        \
    const ::kpw::test::TestCluster &var = *var##Opt_
