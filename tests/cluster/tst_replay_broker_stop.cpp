// Issue 7: "a broker that stops mid-replay: the summary's numbers match what
// the consumer finds". A three-broker cluster, a topic of three partitions
// with replication factor 1 (so the partitions led by a stopped broker have
// no leader at all), a file of keyed JSONL lines with unique values and a few
// bad lines, replayed at a moderate rate with on-failure=continue and a short
// delivery.timeout.ms. Mid-replay the broker leading partition 0 is killed
// (SIGKILL); the replay runs to its end; the node is restarted so its log can
// be read; librdkafka reads everything back. Then, from the summary (its JSON
// export, also what kpw-cli writes with --summary-json):
//  - every record counted as acknowledged is in the log, exactly once, and the
//    per-partition counts and first/last offsets match the log;
//  - every failure is named (error, message, file:line), and a failed record
//    found in the log is one whose failure says it may have been written;
//  - no value is in the log twice, and nothing is there that was not sent;
//  - acked + failed + never sent + bad lines == lines in the file;
//  - failures are on the stopped broker's partitions only, and there are some.
// In process, the delivery reports are also checked record by record: each
// acknowledged (partition, offset) holds that record's value in the log.

#include "RdkConsumer.h"
#include "TestBroker.h"
#include "TestCluster.h"

#include "producer/ProducerClient.h"
#include "replay/ReplayJob.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

constexpr int kPartitions = 3;
constexpr int kLines = 30000;
constexpr double kRate = 3500; // records/s: about 8.6 s in all
const QList<int> kBadLines{5000, 15001, 25002};

// The payload: line N holds key "k<N>" and value "v-<N>", except the bad
// lines, which are not JSON.
QByteArray payload()
{
    QByteArray data;
    data.reserve(kLines * 40);
    for (int i = 1; i <= kLines; ++i) {
        if (kBadLines.contains(i))
            data += "{\"key\":\"k" + QByteArray::number(i) + "\", this line is not JSON\n";
        else
            data += "{\"key\":\"k" + QByteArray::number(i) + "\",\"value\":\"v-" + QByteArray::number(i) + "\"}\n";
    }
    return data;
}

// The line a logged value came from; 0 if it is none of ours.
int lineOf(const std::optional<QByteArray> &value)
{
    if (!value || !value->startsWith("v-"))
        return 0;
    bool ok = false;
    const int line = value->mid(2).toInt(&ok);
    return ok && line >= 1 && line <= kLines && !kBadLines.contains(line) ? line : 0;
}

bool mayHaveBeenWritten(const QJsonObject &failure)
{
    return failure.value(QStringLiteral("message"))
               .toString()
               .contains(QLatin1StringView("may or may not"), Qt::CaseInsensitive) ||
           failure.value(QStringLiteral("error")).toString() == QLatin1StringView("NETWORK_EXCEPTION");
}

struct Counts
{
    int failedInLog = 0; // failed, said it may have been written, and was
    int failedNotInLog = 0;
    QMap<QString, int> failuresByError;
};

// The summary (as JSON) against the log. Returns one line per violation.
QStringList verify(const QJsonObject &s, const QString &file, const QList<ConsumedRecord> &log,
                   const QSet<int> &victimPartitions, Counts *counts)
{
    QStringList problems;
    const auto num = [&s](const char *name) { return s.value(QLatin1StringView(name)).toInteger(-1); };
    const qint64 good = kLines - kBadLines.size();

    // The log: values of ours, each once.
    QHash<int, const ConsumedRecord *> logByLine;
    for (const ConsumedRecord &r : log) {
        const int line = lineOf(r.value);
        if (line == 0) {
            problems << QStringLiteral("the log holds a record that is none of the file's: %1").arg(describe(r));
            continue;
        }
        if (logByLine.contains(line)) {
            problems << QStringLiteral("line %1 is in the log twice: %2 and %3")
                            .arg(line)
                            .arg(describe(*logByLine[line]), describe(r));
            continue;
        }
        if (!r.key || *r.key != "k" + QByteArray::number(line))
            problems << QStringLiteral("line %1 in the log with the wrong key: %2").arg(line).arg(describe(r));
        logByLine.insert(line, &r);
    }

    // The failures: named, with file:line; the bad lines exactly.
    QHash<int, QJsonObject> failedLines;
    QSet<int> parseFailed;
    for (const QJsonValue &v : s.value(QStringLiteral("failures")).toArray()) {
        const QJsonObject f = v.toObject();
        const int line = static_cast<int>(f.value(QStringLiteral("line")).toInteger());
        const QString where = QStringLiteral("%1:%2").arg(f.value(QStringLiteral("file")).toString()).arg(line);
        if (f.value(QStringLiteral("file")).toString() != file || line < 1 || line > kLines)
            problems << QStringLiteral("failure at %1: not a line of %2").arg(where, file);
        if (f.value(QStringLiteral("error")).toString().isEmpty() ||
            f.value(QStringLiteral("message")).toString().isEmpty())
            problems << QStringLiteral("failure at %1 without a named error").arg(where);
        if (f.value(QStringLiteral("kind")).toString() == QLatin1StringView("parse")) {
            parseFailed.insert(line);
            continue;
        }
        if (failedLines.contains(line) || kBadLines.contains(line)) {
            problems << QStringLiteral("line %1 failed twice, or a bad line failed delivery").arg(line);
            continue;
        }
        failedLines.insert(line, f);
        ++counts->failuresByError[f.value(QStringLiteral("error")).toString()];
        const int partition = f.value(QStringLiteral("partition")).toInt(-1);
        if (!victimPartitions.contains(partition))
            problems << QStringLiteral("line %1 failed on partition %2, not one of the stopped broker's: %3 %4")
                            .arg(line)
                            .arg(partition)
                            .arg(f.value(QStringLiteral("error")).toString(),
                                 f.value(QStringLiteral("message")).toString());
        if (const auto *r = logByLine.value(line)) {
            if (r->partition != partition)
                problems << QStringLiteral("line %1 failed on partition %2 but is in the log on %3")
                                .arg(line)
                                .arg(partition)
                                .arg(r->partition);
            if (mayHaveBeenWritten(f))
                ++counts->failedInLog;
            else
                problems << QStringLiteral("line %1 reported failed (%2: %3) is in the log at [%4] @ %5")
                                .arg(line)
                                .arg(f.value(QStringLiteral("error")).toString(),
                                     f.value(QStringLiteral("message")).toString())
                                .arg(r->partition)
                                .arg(r->offset);
        } else {
            ++counts->failedNotInLog;
        }
    }
    if (parseFailed != QSet<int>(kBadLines.begin(), kBadLines.end()))
        problems << QStringLiteral("parse failures at %1 lines, expected the %2 bad lines")
                        .arg(parseFailed.size())
                        .arg(kBadLines.size());
    if (s.value(QStringLiteral("failures_truncated")).toBool())
        problems << QStringLiteral("the failure list is truncated");

    // The numbers: every line accounted for once.
    if (s.value(QStringLiteral("outcome")).toString() != QLatin1StringView("completed"))
        problems << QStringLiteral("outcome %1 (%2), expected completed with on-failure=continue")
                        .arg(s.value(QStringLiteral("outcome")).toString(),
                             s.value(QStringLiteral("reason")).toString());
    if (num("read") != good || num("parse_errors") != kBadLines.size())
        problems << QStringLiteral("read %1, parse errors %2; the file has %3 good and %4 bad lines")
                        .arg(num("read"))
                        .arg(num("parse_errors"))
                        .arg(good)
                        .arg(kBadLines.size());
    if (num("acked") + num("failed") + num("read_not_sent") + num("parse_errors") != kLines)
        problems << QStringLiteral("acked %1 + failed %2 + never sent %3 + bad lines %4 != %5 lines")
                        .arg(num("acked"))
                        .arg(num("failed"))
                        .arg(num("read_not_sent"))
                        .arg(num("parse_errors"))
                        .arg(kLines);
    if (num("sent") != num("acked") + num("failed") || num("read_not_sent") != 0 ||
        !s.value(QStringLiteral("first_not_sent")).isNull())
        problems << QStringLiteral("sent %1, acked %2, failed %3, never sent %4: with on-failure=continue every "
                                   "record is sent and reported")
                        .arg(num("sent"))
                        .arg(num("acked"))
                        .arg(num("failed"))
                        .arg(num("read_not_sent"));
    if (num("failed") != failedLines.size())
        problems
            << QStringLiteral("failed %1, but %2 delivery failures listed").arg(num("failed")).arg(failedLines.size());
    if (s.value(QStringLiteral("everything_acknowledged")).toBool())
        problems << QStringLiteral("everything_acknowledged is true");

    // Acknowledged: every good line that did not fail (all were sent).
    struct Seen
    {
        std::int64_t first = -1, last = -1, count = 0;
    };
    QMap<int, Seen> ackedPerPartition;
    int ackedMissing = 0;
    for (int line = 1; line <= kLines; ++line) {
        if (kBadLines.contains(line) || failedLines.contains(line))
            continue;
        const ConsumedRecord *r = logByLine.value(line);
        if (!r) {
            if (++ackedMissing <= 20)
                problems << QStringLiteral("line %1 counted as acknowledged is not in the log").arg(line);
            continue;
        }
        Seen &p = ackedPerPartition[r->partition];
        p.first = p.first < 0 ? r->offset : std::min(p.first, r->offset);
        p.last = std::max(p.last, r->offset);
        ++p.count;
    }
    if (ackedMissing > 20)
        problems << QStringLiteral("... %1 acknowledged lines missing from the log in all").arg(ackedMissing);
    QMap<int, Seen> summaryPartitions;
    qint64 perPartitionTotal = 0;
    for (const QJsonValue &v : s.value(QStringLiteral("partitions")).toArray()) {
        const QJsonObject p = v.toObject();
        summaryPartitions.insert(p.value(QStringLiteral("partition")).toInt(),
                                 {p.value(QStringLiteral("first_offset")).toInteger(),
                                  p.value(QStringLiteral("last_offset")).toInteger(),
                                  p.value(QStringLiteral("count")).toInteger()});
        perPartitionTotal += p.value(QStringLiteral("count")).toInteger();
    }
    if (perPartitionTotal != num("acked"))
        problems << QStringLiteral("the partitions' counts add up to %1, acked is %2")
                        .arg(perPartitionTotal)
                        .arg(num("acked"));
    for (int p = 0; p < kPartitions; ++p) {
        const Seen a = ackedPerPartition.value(p), b = summaryPartitions.value(p);
        if (a.first != b.first || a.last != b.last || a.count != b.count)
            problems << QStringLiteral("partition %1: the summary says offsets %2..%3 (%4 records), the log holds the "
                                       "acknowledged lines at %5..%6 (%7)")
                            .arg(p)
                            .arg(b.first)
                            .arg(b.last)
                            .arg(b.count)
                            .arg(a.first)
                            .arg(a.last)
                            .arg(a.count);
    }
    // Exercised: the stop cost something, and only the stopped broker's
    // partitions; the others went on.
    if (failedLines.isEmpty())
        problems << QStringLiteral("no record failed: the broker stop did not hit the replay");
    for (int p = 0; p < kPartitions; ++p) {
        if (!victimPartitions.contains(p) && ackedPerPartition.value(p).count == 0)
            problems << QStringLiteral("nothing acknowledged on partition %1").arg(p);
    }
    return problems;
}

QString firstProblems(const QStringList &problems)
{
    return QStringLiteral("%1 problem(s):\n  %2")
        .arg(problems.size())
        .arg(problems.mid(0, 30).join(QStringLiteral("\n  ")));
}

QString errorText(const QMap<QString, int> &byError)
{
    QStringList parts;
    for (auto it = byError.begin(); it != byError.end(); ++it)
        parts << QStringLiteral("%1 x%2").arg(it.key()).arg(it.value());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

QString partitionList(const QSet<int> &partitions)
{
    QList<int> sorted(partitions.begin(), partitions.end());
    std::sort(sorted.begin(), sorted.end());
    QStringList parts;
    for (const int p : sorted)
        parts << QString::number(p);
    return QStringLiteral("partition(s) %1").arg(parts.join(QLatin1Char(',')));
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

class TestReplayBrokerStop : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_file;

    // A fresh topic; the broker leading its partition 0 (to be killed) and
    // the partitions that broker leads.
    bool prepare(const TestCluster &cluster, const QString &prefix, QString *topic, int *victim,
                 QSet<int> *victimPartitions)
    {
        QString err;
        if (!cluster.startAllNodes(&err)) {
            qWarning("%s", qPrintable(err));
            return false;
        }
        *topic = uniqueTopic(prefix);
        if (!createTopic(cluster.bootstrap(), *topic, kPartitions, 1, {}, &err, 60000)) {
            qWarning("%s", qPrintable(err));
            return false;
        }
        // Every broker's metadata may not know the new topic yet: ask again.
        std::optional<QMap<int, TestCluster::PartitionState>> parts;
        const auto complete = [&parts] {
            if (!parts || parts->size() != kPartitions)
                return false;
            for (const auto &p : *parts) {
                if (p.leader <= 0)
                    return false;
            }
            return true;
        };
        for (QDeadlineTimer deadline(30000); !deadline.hasExpired(); QTest::qWait(250)) {
            parts = cluster.partitions(*topic, &err);
            if (complete())
                break;
        }
        if (!complete()) {
            qWarning("no metadata for %s: %s", qPrintable(*topic), qPrintable(err));
            return false;
        }
        *victim = parts->value(0).leader;
        for (auto it = parts->cbegin(); it != parts->cend(); ++it) {
            if (it->leader == *victim)
                victimPartitions->insert(it.key());
        }
        return *victim > 0 && victimPartitions->size() < kPartitions;
    }

    // Restarts the killed node and waits until its partitions have it as
    // leader again, so that their logs can be read.
    void restart(const TestCluster &cluster, const QString &topic, int victim, const QSet<int> &victimPartitions)
    {
        QString err;
        QVERIFY2(cluster.startNode(victim, &err), qPrintable(err));
        for (const int p : victimPartitions)
            QTRY_COMPARE_WITH_TIMEOUT(cluster.leaderOf(topic, p), victim, 60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath(QStringLiteral("replay.jsonl"));
        QFile f(m_file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray data = payload();
        QCOMPARE(f.write(data), data.size());
    }
    void init() { failOnCrossThreadTimers(); }
    void cleanup()
    {
        // A test that failed half-way must not leave a node down for the next.
        if (const auto c = TestCluster::fromEnvironment())
            c->startAllNodes();
    }

    void replayJobBrokerKilled()
    {
        KPW_REQUIRE_CLUSTER(cluster);
        QString topic;
        int victim = -1;
        QSet<int> victimPartitions;
        QVERIFY(prepare(cluster, QStringLiteral("replay-stop"), &topic, &victim, &victimPartitions));

        ReplayOptions o;
        o.inputs = {m_file};
        o.topic = topic;
        o.recordsPerSec = kRate;
        o.onDeliveryError = ReplayOptions::OnDeliveryError::Continue;
        const QList<QPair<QString, QString>> settings{
            {QStringLiteral("bootstrap.servers"), cluster.bootstrap()},
            {QStringLiteral("linger.ms"), QStringLiteral("5")},
            {QStringLiteral("delivery.timeout.ms"), QStringLiteral("8000")},
            {QStringLiteral("request.timeout.ms"), QStringLiteral("3000")},
            {QStringLiteral("retry.backoff.max.ms"), QStringLiteral("500")},
        };
        for (const auto &[name, value] : settings)
            QVERIFY2(o.config.set(name, value).ok(), qPrintable(name));

        ReplayJob job(o);
        QSignalSpy done(&job, &ReplayJob::finished);
        job.start();
        // The job's own client: its reports, id k for the k-th record sent.
        auto *client = job.findChild<ProducerClient *>();
        QVERIFY(client);
        QList<DeliveryReport> reports;
        connect(client, &ProducerClient::recordsDelivered, this,
                [&reports](const QList<DeliveryReport> &batch) { reports += batch; });

        QTRY_VERIFY_WITH_TIMEOUT(job.progress().acked >= 8000, 30000);
        const ReplayProgress before = job.progress();
        QString err;
        QVERIFY2(cluster.stopNode(victim, true, &err), qPrintable(err));
        QVERIFY2(done.wait(120000) || !done.isEmpty(), "the replay did not finish");
        const ReplaySummary summary = job.summary();
        restart(cluster, topic, victim, victimPartitions);
        if (QTest::currentTestFailed())
            return;

        const QList<ConsumedRecord> log = readBack(cluster, topic, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        Counts counts;
        QStringList problems = verify(summary.toJson(), m_file, log, victimPartitions, &counts);

        // Record by record: the k-th good line is record id k.
        QList<int> lineOfId{0};
        for (int line = 1; line <= kLines; ++line) {
            if (!kBadLines.contains(line))
                lineOfId << line;
        }
        QMap<QPair<int, qint64>, const ConsumedRecord *> logAt;
        for (const ConsumedRecord &r : log)
            logAt.insert({r.partition, r.offset}, &r);
        QSet<quint64> reported;
        int ok = 0;
        for (const DeliveryReport &d : std::as_const(reports)) {
            if (d.id < 1 || d.id >= static_cast<quint64>(lineOfId.size()) || reported.contains(d.id)) {
                problems << QStringLiteral("report for record id %1: unknown or twice").arg(d.id);
                continue;
            }
            reported.insert(d.id);
            if (!d.ok())
                continue;
            ++ok;
            const QByteArray value = "v-" + QByteArray::number(lineOfId[static_cast<int>(d.id)]);
            const ConsumedRecord *r = logAt.value({d.partition, d.offset});
            if (!r || r->value != value)
                problems << QStringLiteral("'%1' acknowledged at [%2] @ %3, the log holds %4 there")
                                .arg(QString::fromUtf8(value))
                                .arg(d.partition)
                                .arg(d.offset)
                                .arg(r ? describe(*r) : QStringLiteral("nothing"));
        }
        if (static_cast<quint64>(reported.size()) != summary.sent || static_cast<quint64>(ok) != summary.acked)
            problems << QStringLiteral("%1 reports (%2 OK) for %3 records sent (%4 acked)")
                            .arg(reported.size())
                            .arg(ok)
                            .arg(summary.sent)
                            .arg(summary.acked);

        qInfo("broker %d (leading %s of %s) killed at %llu sent / %llu acked; summary: %llu sent, %llu acked, "
              "%llu failed (%s), %llu bad lines, %lld ms; the log holds %lld records; failed and in the log "
              "(may have been written): %d, failed and not in the log: %d",
              victim, qPrintable(partitionList(victimPartitions)), qPrintable(topic), before.sent, before.acked,
              summary.sent, summary.acked, summary.failed, qPrintable(errorText(counts.failuresByError)),
              summary.parseErrors, summary.durationMs, static_cast<long long>(log.size()), counts.failedInLog,
              counts.failedNotInLog);
        int shown = 0;
        for (const ReplayFailure &f : summary.failures) {
            if (f.kind != ReplayFailure::Kind::Delivery || ++shown > 3)
                continue;
            qInfo("  e.g. %s:%llu [%d] %s: %s", qPrintable(f.origin.file),
                  static_cast<unsigned long long>(f.origin.line), f.partition, qPrintable(f.errorName),
                  qPrintable(f.message));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(firstProblems(problems)));
    }

    // The same through kpw-cli: its --summary-json against the log, and exit
    // code 1 (records failed).
    void cliBrokerKilled()
    {
        KPW_REQUIRE_CLUSTER(cluster);
        QString topic;
        int victim = -1;
        QSet<int> victimPartitions;
        QVERIFY(prepare(cluster, QStringLiteral("replay-stop-cli"), &topic, &victim, &victimPartitions));
        const QString json = m_dir.filePath(QStringLiteral("summary-%1.json").arg(topic));

        QProcess cli;
        cli.start(QStringLiteral(KPW_CLI_PATH), {QStringLiteral("replay"),
                                                 QStringLiteral("-b"),
                                                 cluster.bootstrap(),
                                                 QStringLiteral("-t"),
                                                 topic,
                                                 QStringLiteral("--rate"),
                                                 QString::number(kRate),
                                                 QStringLiteral("--on-failure"),
                                                 QStringLiteral("continue"),
                                                 QStringLiteral("-X"),
                                                 QStringLiteral("linger.ms=5"),
                                                 QStringLiteral("-X"),
                                                 QStringLiteral("delivery.timeout.ms=8000"),
                                                 QStringLiteral("-X"),
                                                 QStringLiteral("request.timeout.ms=3000"),
                                                 QStringLiteral("-X"),
                                                 QStringLiteral("retry.backoff.max.ms=500"),
                                                 QStringLiteral("-q"),
                                                 QStringLiteral("--summary-json"),
                                                 json,
                                                 m_file});
        QVERIFY2(cli.waitForStarted(10000), qPrintable(cli.errorString()));
        QTest::qWait(2500); // about 8,000 records in
        QVERIFY2(cli.state() == QProcess::Running, cli.readAllStandardError().constData());
        QString err;
        QVERIFY2(cluster.stopNode(victim, true, &err), qPrintable(err));
        QVERIFY2(cli.waitForFinished(120000), "kpw-cli did not finish");
        const QByteArray errText = cli.readAllStandardError();
        restart(cluster, topic, victim, victimPartitions);
        if (QTest::currentTestFailed())
            return;

        QFile f(json);
        QVERIFY2(f.open(QIODevice::ReadOnly), errText.right(2000).constData());
        QJsonParseError parseError;
        const QJsonObject s = QJsonDocument::fromJson(f.readAll(), &parseError).object();
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));

        const QList<ConsumedRecord> log = readBack(cluster, topic, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        Counts counts;
        const QStringList problems = verify(s, m_file, log, victimPartitions, &counts);
        qInfo("kpw-cli, broker %d (leading %s) killed: exit %d; summary: %lld sent, %lld acked, %lld failed (%s), "
              "%lld bad lines; the log holds %lld records; failed and in the log: %d, failed and not: %d",
              victim, qPrintable(partitionList(victimPartitions)), cli.exitCode(),
              s.value(QStringLiteral("sent")).toInteger(), s.value(QStringLiteral("acked")).toInteger(),
              s.value(QStringLiteral("failed")).toInteger(), qPrintable(errorText(counts.failuresByError)),
              s.value(QStringLiteral("parse_errors")).toInteger(), static_cast<long long>(log.size()),
              counts.failedInLog, counts.failedNotInLog);
        QVERIFY2(problems.isEmpty(), qPrintable(firstProblems(problems)));
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 1);
        // Failures name FILE:LINE on stderr too.
        const QJsonObject firstFailure = s.value(QStringLiteral("failures")).toArray().first().toObject();
        QVERIFY2(errText.contains(QStringLiteral("%1:%2")
                                      .arg(m_file)
                                      .arg(firstFailure.value(QStringLiteral("line")).toInteger())
                                      .toUtf8()),
                 errText.left(2000).constData());
    }
};

QTEST_GUILESS_MAIN(TestReplayBrokerStop)
#include "tst_replay_broker_stop.moc"
