#include "TestCluster.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <librdkafka/rdkafka.h>

#include <memory>

namespace kpw::test {
namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

void failOrFatal(const QString &problem)
{
    if (QTest::currentTestFunction()) {
        QTest::qFail(qPrintable(problem), __FILE__, __LINE__);
        return;
    }
    qFatal("%s", qPrintable(problem));
}

struct RdKafkaDeleter
{
    void operator()(rd_kafka_t *rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

RdKafkaPtr newClient(const QString &bootstrap, QString *error)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        setError(error, QStringLiteral("librdkafka config: %1").arg(QString::fromUtf8(errstr)));
        return {};
    }
    // A stopped node refuses connections: that is expected here, not news.
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        setError(error, QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr)));
        return {};
    }
    return RdKafkaPtr(rk);
}

} // namespace

std::optional<TestCluster> TestCluster::fromEnvironment()
{
    TestCluster c;
    c.m_dir = qEnvironmentVariable("KPW_TEST_CLUSTER_DIR");
    c.m_script = qEnvironmentVariable("KPW_KAFKA_FIXTURE");
    if (c.m_dir.isEmpty() || c.m_script.isEmpty()) {
        failOrFatal(QStringLiteral("no Kafka cluster: KPW_TEST_CLUSTER_DIR and KPW_KAFKA_FIXTURE must be set. Run "
                                   "this test through ctest (the 'kafka_cluster' fixture starts three brokers)."));
        return std::nullopt;
    }
    QFile boot(QDir(c.m_dir).filePath(QStringLiteral("bootstrap")));
    QFile nodes(QDir(c.m_dir).filePath(QStringLiteral("cluster.nodes")));
    if (!boot.open(QIODevice::ReadOnly) || !nodes.open(QIODevice::ReadOnly)) {
        failOrFatal(QStringLiteral("no Kafka cluster in %1 (%2); did cluster_start run and succeed?")
                        .arg(c.m_dir, boot.isOpen() ? nodes.errorString() : boot.errorString()));
        return std::nullopt;
    }
    c.m_bootstrap = QString::fromUtf8(boot.readAll()).trimmed();
    for (const QByteArray &line : nodes.readAll().split('\n')) {
        bool ok = false;
        const int id = line.trimmed().split(' ').value(0).toInt(&ok);
        if (ok)
            c.m_nodes.append(id);
    }
    if (c.m_bootstrap.isEmpty() || c.m_nodes.isEmpty()) {
        failOrFatal(QStringLiteral("the cluster in %1 has no bootstrap or nodes").arg(c.m_dir));
        return std::nullopt;
    }
    return c;
}

bool TestCluster::runFixture(const QStringList &args, int timeoutMs, QString *error) const
{
    QProcess proc;
    proc.setProcessChannelMode(QProcess::MergedChannels);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&proc, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&proc, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    proc.start(m_script, QStringList(args) << QStringLiteral("--dir") << m_dir);
    timer.start(timeoutMs);
    if (proc.state() != QProcess::NotRunning) // else it failed to start, synchronously
        loop.exec();
    const QString what = QStringLiteral("kafka-fixture %1").arg(args.join(QLatin1Char(' ')));
    if (proc.state() != QProcess::NotRunning) {
        proc.kill();
        proc.waitForFinished(5000);
        setError(error, QStringLiteral("%1: no result within %2 ms").arg(what).arg(timeoutMs));
        return false;
    }
    if (proc.error() == QProcess::FailedToStart) {
        setError(error, QStringLiteral("%1: %2").arg(what, proc.errorString()));
        return false;
    }
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0) {
        setError(error, QStringLiteral("%1 failed (%2): %3")
                            .arg(what)
                            .arg(proc.exitCode())
                            .arg(QString::fromUtf8(proc.readAll()).trimmed()));
        return false;
    }
    return true;
}

bool TestCluster::stopNode(int node, bool kill, QString *error) const
{
    QStringList args{QStringLiteral("stop-node"), QStringLiteral("--node"), QString::number(node)};
    if (kill)
        args << QStringLiteral("--kill");
    return runFixture(args, 60000, error);
}

bool TestCluster::startNode(int node, QString *error) const
{
    return runFixture({QStringLiteral("start-node"), QStringLiteral("--node"), QString::number(node)}, 120000, error);
}

bool TestCluster::startAllNodes(QString *error) const
{
    for (const int id : m_nodes) {
        if (!isNodeRunning(id) && !startNode(id, error))
            return false;
    }
    return true;
}

bool TestCluster::isNodeRunning(int node) const
{
    QProcess proc;
    proc.start(m_script, {QStringLiteral("status"), QStringLiteral("--dir"), m_dir});
    if (!proc.waitForFinished(30000))
        return false;
    const QByteArray want = "node " + QByteArray::number(node) + " running";
    for (const QByteArray &line : proc.readAllStandardOutput().split('\n')) {
        if (line.startsWith(want))
            return true;
    }
    return false;
}

std::optional<QMap<int, TestCluster::PartitionState>> TestCluster::partitions(const QString &topic,
                                                                              QString *error) const
{
    RdKafkaPtr rk = newClient(m_bootstrap, error);
    if (!rk)
        return std::nullopt;
    const QByteArray name = topic.toUtf8();
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk.get(), name.constData(), nullptr);
    const rd_kafka_metadata_t *md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        setError(error, QStringLiteral("metadata of %1: %2").arg(topic, QString::fromUtf8(rd_kafka_err2str(err))));
        return std::nullopt;
    }
    std::optional<QMap<int, PartitionState>> out;
    for (int i = 0; i < md->topic_cnt; ++i) {
        const rd_kafka_metadata_topic &t = md->topics[i];
        if (name != t.topic)
            continue;
        if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            setError(error,
                     QStringLiteral("metadata of %1: %2").arg(topic, QString::fromUtf8(rd_kafka_err2name(t.err))));
            break;
        }
        out.emplace();
        for (int p = 0; p < t.partition_cnt; ++p) {
            const rd_kafka_metadata_partition &mp = t.partitions[p];
            PartitionState s;
            s.leader = mp.err == RD_KAFKA_RESP_ERR_NO_ERROR ? mp.leader : -1;
            for (int r = 0; r < mp.replica_cnt; ++r)
                s.replicas.append(mp.replicas[r]);
            for (int r = 0; r < mp.isr_cnt; ++r)
                s.isr.append(mp.isrs[r]);
            out->insert(mp.id, s);
        }
    }
    if (!out && error && error->isEmpty())
        *error = QStringLiteral("metadata has no topic %1").arg(topic);
    rd_kafka_metadata_destroy(md);
    return out;
}

int TestCluster::leaderOf(const QString &topic, int partition, QString *error) const
{
    const auto parts = partitions(topic, error);
    if (!parts)
        return -1;
    if (!parts->contains(partition)) {
        setError(error, QStringLiteral("%1 has no partition %2").arg(topic).arg(partition));
        return -1;
    }
    return parts->value(partition).leader;
}

bool TestCluster::waitForIsr(const QString &topic, int isrSize, int timeoutMs, QString *error) const
{
    const QDeadlineTimer deadline(timeoutMs);
    QString why;
    for (;;) {
        why.clear();
        if (const auto parts = partitions(topic, &why)) {
            for (auto it = parts->begin(); it != parts->end(); ++it) {
                if (it->leader < 0 || it->isr.size() < isrSize)
                    why = QStringLiteral("partition %1: leader %2, %3 in sync")
                              .arg(it.key())
                              .arg(it->leader)
                              .arg(it->isr.size());
            }
            if (why.isEmpty() && !parts->isEmpty())
                return true;
        }
        if (deadline.hasExpired()) {
            setError(error, QStringLiteral("%1: not %2 replicas in sync after %3 ms: %4")
                                .arg(topic)
                                .arg(isrSize)
                                .arg(timeoutMs)
                                .arg(why));
            return false;
        }
        QThread::msleep(200);
    }
}

std::optional<QMap<int, qint64>> TestCluster::highWatermarks(const QString &topic, int partitions, QString *error) const
{
    RdKafkaPtr rk = newClient(m_bootstrap, error);
    if (!rk)
        return std::nullopt;
    QMap<int, qint64> out;
    const QByteArray name = topic.toUtf8();
    for (int p = 0; p < partitions; ++p) {
        int64_t low = -1, high = -1;
        const rd_kafka_resp_err_t err =
            rd_kafka_query_watermark_offsets(rk.get(), name.constData(), p, &low, &high, 10000);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            setError(error, QStringLiteral("watermarks of %1 [%2]: %3")
                                .arg(topic)
                                .arg(p)
                                .arg(QString::fromUtf8(rd_kafka_err2name(err))));
            return std::nullopt;
        }
        out.insert(p, high);
    }
    return out;
}

} // namespace kpw::test
