// Issue 3: a three-broker KRaft cluster, a replication-factor-3 topic with
// min.insync.replicas=2, acks=all. The leader of a partition is stopped
// mid-stream (controlled shutdown, and SIGKILL), the stream goes on, the node
// comes back. Every record must get exactly one delivery report, OK or a named
// error, and every record reported OK must be in the log (read back by
// librdkafka) at the reported partition and offset with the same value:
// nothing acknowledged that cannot be read back. The producer must also follow
// the new leader: records sent while the old one is down are delivered.

#include "RdkConsumer.h"
#include "TestBroker.h"
#include "TestCluster.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QHash>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace kpw;
using namespace kpw::test;

namespace {

constexpr int kPartitions = 3;
constexpr int kPerTick = 10; // records per 5 ms tick: about 2,000 records/s

struct Sent
{
    int partition = -1;
    QByteArray value;
};

// What was sent, what was reported and what the log holds, checked against
// each other. Returns one line per violation; empty when all is well.
QStringList verify(const QHash<quint64, Sent> &sent, const QList<DeliveryReport> &reports,
                   const QList<ConsumedRecord> &log)
{
    QStringList problems;
    QMap<QPair<int, qint64>, QByteArray> logAt; // (partition, offset) -> value
    for (const ConsumedRecord &r : log)
        logAt.insert({r.partition, r.offset}, r.value.value_or(QByteArray("<null>")));

    QHash<quint64, int> reportsPerId;
    QHash<QPair<int, qint64>, quint64> ackedAt;
    for (const DeliveryReport &d : reports) {
        if (++reportsPerId[d.id] > 1) {
            problems << QStringLiteral("record %1 reported %2 times").arg(d.id).arg(reportsPerId[d.id]);
            continue;
        }
        if (!sent.contains(d.id)) {
            problems << QStringLiteral("report for record %1, never sent").arg(d.id);
            continue;
        }
        const Sent &s = sent[d.id];
        if (!d.ok()) {
            if (d.errorName().isEmpty() || d.errorMessage.isEmpty())
                problems
                    << QStringLiteral("record %1 failed without a named error (code %2)").arg(d.id).arg(d.errorCode);
            continue;
        }
        if (d.partition != s.partition || d.offset < 0) {
            problems << QStringLiteral("record %1 acknowledged at [%2] @ %3, sent to [%4]")
                            .arg(d.id)
                            .arg(d.partition)
                            .arg(d.offset)
                            .arg(s.partition);
            continue;
        }
        const QPair<int, qint64> at{d.partition, d.offset};
        if (ackedAt.contains(at))
            problems << QStringLiteral("records %1 and %2 both acknowledged at [%3] @ %4")
                            .arg(ackedAt[at])
                            .arg(d.id)
                            .arg(d.partition)
                            .arg(d.offset);
        ackedAt.insert(at, d.id);
        const auto it = logAt.constFind(at);
        if (it == logAt.constEnd())
            problems << QStringLiteral("record %1 acknowledged at [%2] @ %3 is not in the log")
                            .arg(d.id)
                            .arg(d.partition)
                            .arg(d.offset);
        else if (*it != s.value)
            problems << QStringLiteral("record %1 acknowledged at [%2] @ %3, the log holds '%4' there, not '%5'")
                            .arg(d.id)
                            .arg(d.partition)
                            .arg(d.offset)
                            .arg(QString::fromUtf8(it->left(40)), QString::fromUtf8(s.value.left(40)));
    }
    for (auto it = sent.begin(); it != sent.end(); ++it) {
        if (!reportsPerId.contains(it.key()))
            problems << QStringLiteral("record %1 has no report").arg(it.key());
    }
    return problems;
}

QString firstProblems(const QStringList &problems)
{
    return QStringLiteral("%1 problem(s):\n  %2")
        .arg(problems.size())
        .arg(problems.mid(0, 20).join(QStringLiteral("\n  ")));
}

QString errorSummary(const QList<DeliveryReport> &reports)
{
    QMap<QString, int> byName;
    for (const DeliveryReport &d : reports) {
        if (!d.ok())
            ++byName[d.errorName()];
    }
    QStringList parts;
    for (auto it = byName.begin(); it != byName.end(); ++it)
        parts << QStringLiteral("%1 x%2").arg(it.key()).arg(it.value());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

// Reads the whole topic (up to the high watermarks) back with librdkafka.
QList<ConsumedRecord> readBack(const TestCluster &cluster, const QString &topic, QString *error)
{
    const auto hw = cluster.highWatermarks(topic, kPartitions, error);
    if (!hw)
        return {};
    qint64 total = 0;
    for (const qint64 h : *hw)
        total += h;
    QList<ConsumedRecord> log = consumeAll(cluster.bootstrap(), topic, static_cast<int>(total), 90000,
                                           QStringLiteral("read_uncommitted"), error);
    if (log.size() != total && error && error->isEmpty())
        *error = QStringLiteral("read %1 of the %2 records below the high watermarks").arg(log.size()).arg(total);
    return log;
}

} // namespace

class TestLeaderStop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { failOnCrossThreadTimers(); }
    void verifierCatchesLoss();
    void leaderStopped_data();
    void leaderStopped();
    void cliLeaderStopped();
};

// The checker itself: one lost, one altered, one unreported and one doubly
// reported record must each be caught, or the real test could pass vacuously.
void TestLeaderStop::verifierCatchesLoss()
{
    QHash<quint64, Sent> sent;
    QList<DeliveryReport> reports;
    QList<ConsumedRecord> log;
    for (quint64 id = 1; id <= 4; ++id) {
        sent.insert(id, {0, "v" + QByteArray::number(id)});
        DeliveryReport d;
        d.id = id;
        d.topic = QStringLiteral("t");
        d.partition = 0;
        d.offset = static_cast<qint64>(id) - 1;
        reports << d;
        ConsumedRecord c;
        c.topic = d.topic;
        c.partition = 0;
        c.offset = d.offset;
        c.value = sent[id].value;
        log << c;
    }
    QVERIFY2(verify(sent, reports, log).isEmpty(), qPrintable(firstProblems(verify(sent, reports, log))));

    QList<ConsumedRecord> lost = log;
    lost.removeAt(2);
    QCOMPARE(verify(sent, reports, lost).size(), 1);

    QList<ConsumedRecord> altered = log;
    altered[1].value = QByteArray("other");
    QCOMPARE(verify(sent, reports, altered).size(), 1);

    QList<DeliveryReport> unreported = reports;
    unreported.removeLast();
    QCOMPARE(verify(sent, unreported, log).size(), 1);

    QList<DeliveryReport> twice = reports;
    twice << reports.first();
    QCOMPARE(verify(sent, twice, log).size(), 1);

    QList<DeliveryReport> unnamed = reports;
    unnamed[0].errorCode = 7; // REQUEST_TIMED_OUT, but without the words
    QCOMPARE(verify(sent, unnamed, log).size(), 1);
}

void TestLeaderStop::leaderStopped_data()
{
    QTest::addColumn<bool>("kill");
    QTest::newRow("SIGTERM (controlled shutdown)") << false;
    QTest::newRow("SIGKILL") << true;
}

void TestLeaderStop::leaderStopped()
{
    QFETCH(bool, kill);
    KPW_REQUIRE_CLUSTER(cluster);
    QString err;
    QVERIFY2(cluster.startAllNodes(&err), qPrintable(err));
    const QString topic = uniqueTopic(QStringLiteral("leader-stop"));
    QVERIFY2(createTopic(cluster.bootstrap(), topic, kPartitions, 3,
                         {{QStringLiteral("min.insync.replicas"), QStringLiteral("2")}}, &err, 60000),
             qPrintable(err));
    QVERIFY2(cluster.waitForIsr(topic, 3, 60000, &err), qPrintable(err));
    const int victim = cluster.leaderOf(topic, 0, &err);
    QVERIFY2(victim > 0, qPrintable(err));

    ProducerConfig cfg;
    const QList<QPair<QString, QString>> settings{
        {QStringLiteral("bootstrap.servers"), cluster.bootstrap()},
        {QStringLiteral("acks"), QStringLiteral("all")},
        {QStringLiteral("linger.ms"), QStringLiteral("5")},
        {QStringLiteral("request.timeout.ms"), QStringLiteral("10000")},
        {QStringLiteral("delivery.timeout.ms"), QStringLiteral("90000")},
        {QStringLiteral("retry.backoff.max.ms"), QStringLiteral("500")},
    };
    for (const auto &[name, value] : settings)
        QVERIFY2(cfg.set(name, value).ok(), qPrintable(name));

    QHash<quint64, Sent> sent;
    QList<DeliveryReport> reports;
    ProducerClient client;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &batch) { reports += batch; });
    QSignalSpy connected(&client, &ProducerClient::connected);
    QSignalSpy failed(&client, &ProducerClient::connectionFailed);
    client.start(cfg);
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !failed.isEmpty(), 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));

    // A steady stream from a timer on this thread; stopNode/startNode spin
    // an event loop, so it goes on while a node stops and starts.
    quint64 lastId = 0;
    qint64 seq = 0;
    QTimer pump;
    pump.setInterval(5);
    connect(&pump, &QTimer::timeout, this, [&] {
        QList<ProducerRecord> batch;
        QList<Sent> meta;
        for (int k = 0; k < kPerTick; ++k, ++seq) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = static_cast<int>(seq % kPartitions);
            r.value = QByteArray("leader-stop-") + QByteArray::number(seq) + QByteArray(40, 'x');
            meta.append({r.partition, *r.value});
            batch.append(std::move(r));
        }
        const quint64 first = client.send(batch);
        for (int k = 0; k < meta.size(); ++k)
            sent.insert(first + static_cast<quint64>(k), meta[k]);
        lastId = first + static_cast<quint64>(meta.size()) - 1;
    });
    pump.start();
    QTest::qWait(2000);

    const quint64 idBeforeStop = lastId;
    QVERIFY2(cluster.stopNode(victim, kill, &err), qPrintable(err));
    const quint64 idStopped = lastId;
    // A killed node keeps its partitions until the controller fences it
    // (broker.session.timeout.ms, 3 s; longer when it was the active
    // controller too, as a new one is elected first).
    int interimLeader = -1;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (interimLeader = cluster.leaderOf(topic, 0)) > 0 && interimLeader != victim,
        qPrintable(QStringLiteral("partition 0 still led by %1 after its node stopped").arg(interimLeader)), 30000);
    QTest::qWait(3000); // the stream goes on to the new leader
    const quint64 idBeforeRestart = lastId;
    QVERIFY2(cluster.startNode(victim, &err), qPrintable(err));
    QTest::qWait(2000);
    pump.stop();
    client.flush();
    QTRY_VERIFY_WITH_TIMEOUT(static_cast<qsizetype>(reports.size()) >= sent.size(), 150000);
    QTest::qWait(500); // a second report for a record would show up here

    QList<ConsumedRecord> log = readBack(cluster, topic, &err);
    QVERIFY2(err.isEmpty(), qPrintable(err));

    int ok = 0, downOk = 0, downSent = 0;
    for (const DeliveryReport &d : reports) {
        ok += d.ok() ? 1 : 0;
        if (d.id > idStopped && d.id <= idBeforeRestart && sent.value(d.id).partition == 0) {
            ++downSent;
            downOk += d.ok() ? 1 : 0;
        }
    }
    qInfo("leader %d of %s [0] %s at record %llu (stop took until record %llu); leader meanwhile: %d; "
          "%lld records sent, %d delivered, failed: %s; %lld records in the log; while the leader was down, "
          "%d of %d records to partition 0 delivered",
          victim, qPrintable(topic), kill ? "killed" : "stopped", idBeforeStop, idStopped, interimLeader,
          static_cast<long long>(sent.size()), ok, qPrintable(errorSummary(reports)),
          static_cast<long long>(log.size()), downOk, downSent);

    const QStringList problems = verify(sent, reports, log);
    QVERIFY2(problems.isEmpty(), qPrintable(firstProblems(problems)));
    // The producer followed the new leader: what was sent while the old one
    // was down got through (two replicas left, min.insync.replicas=2).
    QVERIFY(downSent > 0);
    QVERIFY2(downOk == downSent, qPrintable(QStringLiteral("%1 of %2 records to partition 0 sent while its leader was "
                                                           "down were delivered")
                                                .arg(downOk)
                                                .arg(downSent)));
    QVERIFY2(cluster.waitForIsr(topic, 3, 60000, &err), qPrintable(err)); // and the node came back
}

// The same through kpw-cli: lines written to its stdin over ~9 s, the leader
// of the one partition stopped half-way. Every line is either printed as
// delivered ("topic [0] @ offset", whose log value must be that line) or named
// on stderr as failed; the summary line accounts for all of them.
void TestLeaderStop::cliLeaderStopped()
{
    KPW_REQUIRE_CLUSTER(cluster);
    QString err;
    QVERIFY2(cluster.startAllNodes(&err), qPrintable(err));
    const QString topic = uniqueTopic(QStringLiteral("leader-stop-cli"));
    QVERIFY2(createTopic(cluster.bootstrap(), topic, kPartitions, 3,
                         {{QStringLiteral("min.insync.replicas"), QStringLiteral("2")}}, &err, 60000),
             qPrintable(err));
    QVERIFY2(cluster.waitForIsr(topic, 3, 60000, &err), qPrintable(err));
    const int victim = cluster.leaderOf(topic, 0, &err);
    QVERIFY2(victim > 0, qPrintable(err));

    QProcess cli;
    cli.start(QStringLiteral(KPW_CLI_PATH),
              {QStringLiteral("produce"), QStringLiteral("-b"), cluster.bootstrap(), QStringLiteral("-t"), topic,
               QStringLiteral("-p"), QStringLiteral("0"), QStringLiteral("-X"), QStringLiteral("acks=all"),
               QStringLiteral("-X"), QStringLiteral("linger.ms=5"), QStringLiteral("-X"),
               QStringLiteral("delivery.timeout.ms=90000"), QStringLiteral("-X"),
               QStringLiteral("request.timeout.ms=10000")});
    QVERIFY2(cli.waitForStarted(10000), qPrintable(cli.errorString()));

    QList<QByteArray> lines;
    QTimer pump;
    pump.setInterval(10);
    connect(&pump, &QTimer::timeout, this, [&] {
        QByteArray chunk;
        for (int k = 0; k < 10; ++k) {
            const QByteArray line = "cli-line-" + QByteArray::number(lines.size() + 1);
            lines << line;
            chunk += line + '\n';
        }
        cli.write(chunk);
    });
    pump.start();
    QTest::qWait(2000);
    QVERIFY2(cluster.stopNode(victim, false, &err), qPrintable(err));
    QTest::qWait(4000);
    QVERIFY2(cluster.startNode(victim, &err), qPrintable(err));
    QTest::qWait(1000);
    pump.stop();
    cli.closeWriteChannel();
    QVERIFY2(cli.waitForFinished(150000), "kpw-cli did not finish");
    const QByteArray out = cli.readAllStandardOutput();
    const QByteArray errText = cli.readAllStandardError();

    QList<ConsumedRecord> log = readBack(cluster, topic, &err);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    QHash<qint64, QByteArray> logAt;
    for (const ConsumedRecord &r : log) {
        if (r.partition == 0)
            logAt.insert(r.offset, r.value.value_or(QByteArray()));
    }

    QSet<QByteArray> delivered, failedLines;
    QStringList problems;
    const QByteArray prefix = topic.toUtf8() + " [0] @ ";
    for (const QByteArray &l : out.split('\n')) {
        if (l.isEmpty())
            continue;
        bool okNum = false;
        const qint64 offset = l.startsWith(prefix) ? l.mid(prefix.size()).toLongLong(&okNum) : -1;
        if (!okNum) {
            problems << QStringLiteral("unexpected output line '%1'").arg(QString::fromUtf8(l));
            continue;
        }
        if (!logAt.contains(offset)) {
            problems << QStringLiteral("offset %1 reported delivered is not in the log").arg(offset);
            continue;
        }
        if (delivered.contains(logAt[offset]))
            problems << QStringLiteral("'%1' reported delivered twice").arg(QString::fromUtf8(logAt[offset]));
        delivered.insert(logAt[offset]);
    }
    for (const QByteArray &l : errText.split('\n')) {
        // kpw-cli: line N: TOPIC [0]: ERROR_NAME: words
        if (!l.startsWith("kpw-cli: line "))
            continue;
        const qsizetype colon = l.indexOf(':', 14);
        const int lineNo = l.mid(14, colon - 14).toInt();
        if (lineNo < 1 || lineNo > lines.size() || l.count(':') < 4)
            problems << QStringLiteral("unreadable failure '%1'").arg(QString::fromUtf8(l));
        else
            failedLines.insert(lines[lineNo - 1]);
    }
    for (const QByteArray &line : std::as_const(lines)) {
        const bool d = delivered.contains(line), f = failedLines.contains(line);
        if (d == f)
            problems << QStringLiteral("'%1' is %2")
                            .arg(QString::fromUtf8(line), d ? QStringLiteral("both delivered and failed")
                                                            : QStringLiteral("neither delivered nor failed"));
    }
    const QByteArray summary = "% " + QByteArray::number(delivered.size()) + " delivered, " +
                               QByteArray::number(failedLines.size()) + " failed";
    if (!errText.contains(summary))
        problems << QStringLiteral("no summary '%1' in: %2")
                        .arg(QString::fromUtf8(summary), QString::fromUtf8(errText.right(300)));
    qInfo("kpw-cli: %lld lines, %lld delivered, %lld failed, exit %d", static_cast<long long>(lines.size()),
          static_cast<long long>(delivered.size()), static_cast<long long>(failedLines.size()), cli.exitCode());
    QVERIFY2(problems.isEmpty(), qPrintable(firstProblems(problems)));
    QCOMPARE(cli.exitCode(), failedLines.isEmpty() ? 0 : 1);
}

QTEST_GUILESS_MAIN(TestLeaderStop)
#include "tst_leader_stop.moc"
