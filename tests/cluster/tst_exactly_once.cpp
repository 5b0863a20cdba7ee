// Issue 4 on the three-broker cluster: with idempotence and acks=all, a
// partition leader stopped mid-stream leaves every acknowledged record in the
// log exactly once and in order per partition; with transactions, the
// transaction coordinator stopped mid-stream leaves every transaction either
// whole (committed) or absent (aborted) for a read_committed consumer.

#include "RdkConsumer.h"
#include "TestBroker.h"
#include "TestCluster.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace kpw;
using namespace kpw::test;

namespace {

constexpr int kPartitions = 3;

ProducerConfig clusterConfig(const TestCluster &cluster, const QList<QPair<QString, QString>> &extra = {})
{
    ProducerConfig cfg;
    const QList<QPair<QString, QString>> settings{
        {QStringLiteral("bootstrap.servers"), cluster.bootstrap()},
        {QStringLiteral("linger.ms"), QStringLiteral("5")},
        {QStringLiteral("request.timeout.ms"), QStringLiteral("10000")},
        {QStringLiteral("delivery.timeout.ms"), QStringLiteral("90000")},
        {QStringLiteral("retry.backoff.max.ms"), QStringLiteral("500")},
        {QStringLiteral("max.block.ms"), QStringLiteral("60000")},
    };
    for (const auto &[name, value] : settings + extra)
        if (!cfg.set(name, value).ok())
            qFatal("setting %s", qPrintable(name));
    return cfg;
}

// "rec-<seq>-..." -> seq
qint64 seqOf(const QByteArray &value)
{
    const QList<QByteArray> parts = value.split('-');
    return parts.size() >= 2 ? parts[1].toLongLong() : -1;
}

} // namespace

class TestExactlyOnce : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { failOnCrossThreadTimers(); }
    void idempotentLeaderKilled();
    void transactionsSurviveCoordinatorKilled();
};

void TestExactlyOnce::idempotentLeaderKilled()
{
    KPW_REQUIRE_CLUSTER(cluster);
    QString err;
    QVERIFY2(cluster.startAllNodes(&err), qPrintable(err));
    const QString topic = uniqueTopic(QStringLiteral("exactly-once"));
    QVERIFY2(createTopic(cluster.bootstrap(), topic, kPartitions, 3,
                         {{QStringLiteral("min.insync.replicas"), QStringLiteral("2")}}, &err, 60000),
             qPrintable(err));
    QVERIFY2(cluster.waitForIsr(topic, 3, 60000, &err), qPrintable(err));
    const int victim = cluster.leaderOf(topic, 0, &err);
    QVERIFY2(victim > 0, qPrintable(err));

    const ProducerConfig cfg = clusterConfig(cluster);
    QVERIFY(cfg.idempotent()); // the default
    QHash<quint64, QByteArray> sent;
    QList<DeliveryReport> reports;
    ProducerClient client;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &batch) { reports += batch; });
    QSignalSpy connected(&client, &ProducerClient::connected);
    client.start(cfg);
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty(), 30000);

    qint64 seq = 0;
    QTimer pump;
    pump.setInterval(5);
    connect(&pump, &QTimer::timeout, this, [&] {
        QList<ProducerRecord> batch;
        for (int k = 0; k < 10; ++k, ++seq) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = static_cast<int>(seq % kPartitions);
            r.value = QByteArray("rec-") + QByteArray::number(seq) + "-" + QByteArray(40, 'x');
            batch.append(std::move(r));
        }
        const quint64 first = client.send(batch);
        for (int k = 0; k < batch.size(); ++k)
            sent.insert(first + static_cast<quint64>(k), *batch[k].value);
    });
    pump.start();
    QTest::qWait(2000);
    QVERIFY2(cluster.stopNode(victim, true, &err), qPrintable(err)); // SIGKILL: acks in flight are lost
    QTRY_VERIFY_WITH_TIMEOUT(cluster.leaderOf(topic, 0) > 0 && cluster.leaderOf(topic, 0) != victim, 30000);
    QTest::qWait(3000);
    QVERIFY2(cluster.startNode(victim, &err), qPrintable(err));
    QTest::qWait(2000);
    pump.stop();
    client.flush();
    QTRY_VERIFY_WITH_TIMEOUT(reports.size() >= sent.size(), 150000);

    // Every record has one report; all were delivered (delivery.timeout.ms
    // is far longer than the outage).
    QSet<quint64> reported;
    for (const auto &r : reports) {
        QVERIFY2(!reported.contains(r.id), qPrintable(QStringLiteral("record %1 reported twice").arg(r.id)));
        reported.insert(r.id);
        QVERIFY2(r.ok(), qPrintable(QStringLiteral("record %1: %2 %3").arg(r.id).arg(r.errorName(), r.errorMessage)));
        QVERIFY(r.producerId >= 0);
    }
    QCOMPARE(reported.size(), sent.size());

    const auto hw = cluster.highWatermarks(topic, kPartitions, &err);
    QVERIFY2(hw, qPrintable(err));
    qint64 total = 0;
    for (const qint64 h : *hw)
        total += h;
    const QList<ConsumedRecord> log = consumeAll(cluster.bootstrap(), topic, static_cast<int>(total), 90000,
                                                 QStringLiteral("read_uncommitted"), &err);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    // Exactly once: as many records in the log as were sent, no value twice;
    // in order: each partition's values in increasing send order.
    QSet<QByteArray> values;
    QMap<int, qint64> lastSeq;
    for (const auto &r : log) {
        const QByteArray v = r.value.value_or(QByteArray());
        QVERIFY2(!values.contains(v), qPrintable(QStringLiteral("duplicate in the log: %1 at [%2] @ %3")
                                                     .arg(QString::fromUtf8(v.left(20)))
                                                     .arg(r.partition)
                                                     .arg(r.offset)));
        values.insert(v);
        const qint64 s = seqOf(v);
        QVERIFY2(s > lastSeq.value(r.partition, -1), qPrintable(QStringLiteral("out of order in [%1]: %2 after %3")
                                                                    .arg(r.partition)
                                                                    .arg(s)
                                                                    .arg(lastSeq.value(r.partition, -1))));
        lastSeq[r.partition] = s;
    }
    QCOMPARE(log.size(), sent.size());
    qInfo("%lld records, exactly once and in order, across a SIGKILL of the leader of partition 0 (broker %d)",
          static_cast<long long>(log.size()), victim);
}

void TestExactlyOnce::transactionsSurviveCoordinatorKilled()
{
    KPW_REQUIRE_CLUSTER(cluster);
    QString err;
    QVERIFY2(cluster.startAllNodes(&err), qPrintable(err));
    const QString topic = uniqueTopic(QStringLiteral("txn-coord-stop"));
    QVERIFY2(createTopic(cluster.bootstrap(), topic, kPartitions, 3,
                         {{QStringLiteral("min.insync.replicas"), QStringLiteral("2")}}, &err, 60000),
             qPrintable(err));
    QVERIFY2(cluster.waitForIsr(topic, 3, 60000, &err), qPrintable(err));

    ProducerClient client;
    QHash<quint64, Error> done;
    TxnStatus status;
    connect(&client, &ProducerClient::transactionCallDone, this,
            [&](quint64 id, const QString &, const kpw::Error &e) { done.insert(id, e); });
    connect(&client, &ProducerClient::txnStatusChanged, this, [&](const kpw::TxnStatus &s) { status = s; });
    client.start(clusterConfig(cluster, {{QStringLiteral("transactional.id"), uniqueTopic(QStringLiteral("tid"))},
                                         {QStringLiteral("transaction.timeout.ms"), QStringLiteral("30000")}}));
    const auto wait = [&](quint64 id) {
        QDeadlineTimer deadline(120000);
        while (!done.contains(id) && !deadline.hasExpired())
            QTest::qWait(10);
        return done.value(id, Error{KafkaError::ClientTimeout, QStringLiteral("no answer")});
    };
    Error e = wait(client.initTransactions());
    QVERIFY2(e.code == 0, qPrintable(e.message));
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("broker (\\d+)")).match(status.coordinator);
    QVERIFY2(m.hasMatch(), qPrintable(status.coordinator));
    const int coordinator = m.captured(1).toInt();

    constexpr int kTransactions = 8;
    constexpr int kPerTxn = 30;
    QSet<int> committed;
    QSet<int> aborted;
    for (int t = 1; t <= kTransactions; ++t) {
        if (t == 4) // mid-stream: the transaction coordinator dies
            QVERIFY2(cluster.stopNode(coordinator, true, &err), qPrintable(err));
        e = wait(client.beginTransaction());
        QVERIFY2(e.code == 0, qPrintable(QStringLiteral("begin %1: %2").arg(t).arg(e.message)));
        QList<ProducerRecord> records;
        for (int i = 0; i < kPerTxn; ++i) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = i % kPartitions;
            r.value = QStringLiteral("txn%1-%2").arg(t).arg(i).toUtf8();
            records.append(r);
        }
        client.send(records);
        e = wait(client.commitTransaction());
        if (e.code == 0) {
            committed.insert(t);
            continue;
        }
        qInfo("transaction %d: commit failed (%s), aborting", t, qPrintable(e.message));
        e = wait(client.abortTransaction());
        QVERIFY2(e.code == 0, qPrintable(QStringLiteral("abort %1: %2").arg(t).arg(e.message)));
        aborted.insert(t);
    }
    QVERIFY2(cluster.startNode(coordinator, &err), qPrintable(err));
    QVERIFY2(
        committed.size() >= kTransactions - 2,
        qPrintable(QStringLiteral("only %1 of %2 transactions committed").arg(committed.size()).arg(kTransactions)));

    // read_committed: each committed transaction whole and once, nothing of an aborted one.
    const QList<ConsumedRecord> log = consumeAll(cluster.bootstrap(), topic, committed.size() * kPerTxn, 90000,
                                                 QStringLiteral("read_committed"), &err);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    const QList<ConsumedRecord> settled = consumeAll(cluster.bootstrap(), topic, committed.size() * kPerTxn + 1000,
                                                     3000, QStringLiteral("read_committed"), &err);
    QMap<int, QSet<int>> byTxn;
    QSet<QByteArray> seen;
    for (const auto &r : settled) {
        const QByteArray v = r.value.value_or(QByteArray());
        QVERIFY2(!seen.contains(v), qPrintable(QStringLiteral("duplicate: %1").arg(QString::fromUtf8(v))));
        seen.insert(v);
        const auto parts = v.mid(3).split('-');
        byTxn[parts[0].toInt()].insert(parts[1].toInt());
    }
    for (int t = 1; t <= kTransactions; ++t) {
        if (committed.contains(t))
            QVERIFY2(byTxn.value(t).size() == kPerTxn,
                     qPrintable(QStringLiteral("committed transaction %1: %2 of %3 records visible")
                                    .arg(t)
                                    .arg(byTxn.value(t).size())
                                    .arg(kPerTxn)));
        else
            QVERIFY2(!byTxn.contains(t), qPrintable(QStringLiteral("aborted transaction %1 is visible").arg(t)));
    }
    qInfo("%d committed, %d aborted across a SIGKILL of the coordinator (broker %d)",
          static_cast<int>(committed.size()), static_cast<int>(aborted.size()), coordinator);
}

QTEST_GUILESS_MAIN(TestExactlyOnce)
#include "tst_exactly_once.moc"
