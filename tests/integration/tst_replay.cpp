// Replays against the real broker, read back by librdkafka: every record,
// its order, key, value, headers and partition; cancel and failures whose
// summaries must match what the log holds exactly.

#include "RdkConsumer.h"
#include "TestBroker.h"
#include "replay/ReplayJob.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

ReplayOptions optionsFor(const QString &boot, const QString &topic, const QStringList &inputs)
{
    ReplayOptions o;
    o.inputs = inputs;
    o.topic = topic;
    o.config.set(QStringLiteral("bootstrap.servers"), boot);
    o.config.set(QStringLiteral("linger.ms"), QStringLiteral("5"));
    return o;
}

// Runs a job to its end (cancelAfterAcked > 0: cancels once that many
// records are acknowledged) and returns its summary.
ReplaySummary run(ReplayOptions o, quint64 cancelAfterAcked = 0, int timeoutMs = 240000)
{
    ReplayJob job(std::move(o));
    QSignalSpy done(&job, &ReplayJob::finished);
    bool cancelled = false;
    QObject::connect(&job, &ReplayJob::progressed, &job, [&](const ReplayProgress &p) {
        if (cancelAfterAcked && !cancelled && p.acked >= cancelAfterAcked) {
            cancelled = true;
            job.cancel();
        }
    });
    job.start();
    if (!done.wait(timeoutMs))
        qWarning("the replay did not finish in %d ms", timeoutMs);
    return job.summary();
}

QString summaryText(const ReplaySummary &s)
{
    QString t = s.toText();
    for (const auto &f : s.failures.mid(0, 5))
        t += QStringLiteral("  %1:%2 %3 %4\n").arg(f.origin.file).arg(f.origin.line).arg(f.errorName, f.message);
    return t;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile f(dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(f.fileName()));
    return f.fileName();
}

} // namespace

class TstReplay final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void init() { failOnCrossThreadTimers(); }

    void millionLinesEveryRecordInOrder()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-lines"));
        KPW_CREATE_TOPIC(boot, topic, 4);
        const int n = qEnvironmentVariableIntValue("KPW_REPLAY_LINES") > 0
                          ? qEnvironmentVariableIntValue("KPW_REPLAY_LINES")
                          : 1000000;
        const int keys = 97;
        QByteArray data;
        data.reserve(n * 24);
        for (int i = 1; i <= n; ++i)
            data += "k" + QByteArray::number(i % keys) + "\t" + "v" + QByteArray::number(i) + (i % 3 ? "\n" : "\r\n");
        const QString path = writeFile(m_dir, QStringLiteral("million.txt"), data);
        data.clear();
        ReplayOptions o = optionsFor(boot, topic, {path});
        o.source.keySeparator = "\t";
        QElapsedTimer t;
        t.start();
        const ReplaySummary s = run(o);
        qInfo("replayed %d lines in %lld ms (%.0f records/s)", n, t.elapsed(), s.recordsPerSec());
        QVERIFY2(s.everythingAcknowledged(), qPrintable(summaryText(s)));
        QCOMPARE(s.acked, quint64(n));
        quint64 perPartition = 0;
        for (const auto &p : s.partitions)
            perPartition += p.count;
        QCOMPARE(perPartition, quint64(n));

        QString error;
        const auto got = consumeAll(boot, topic, n, 180000, QStringLiteral("read_uncommitted"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(got.size(), n);
        // Per key, values come back in input order; every line exactly once.
        QHash<QByteArray, int> lastPerKey;
        QBitArray seen(n + 1);
        QHash<int, std::pair<std::int64_t, std::int64_t>> offsets;
        for (const auto &r : got) {
            QVERIFY(r.key && r.value && r.value->startsWith('v'));
            const int i = r.value->mid(1).toInt();
            QVERIFY(i >= 1 && i <= n && !seen.testBit(i));
            seen.setBit(i);
            QCOMPARE(*r.key, "k" + QByteArray::number(i % keys));
            QVERIFY2(lastPerKey.value(*r.key, 0) < i, qPrintable(describe(r)));
            lastPerKey[*r.key] = i;
            auto &[lo, hi] = offsets[r.partition];
            lo = offsets[r.partition].first == 0 && hi == 0 ? r.offset : std::min(lo, r.offset);
            hi = std::max(hi, r.offset);
        }
        for (auto it = s.partitions.cbegin(); it != s.partitions.cend(); ++it)
            QCOMPARE(it->last, offsets.value(it.key()).second);
    }

    void jsonlWithHeadersPartitionsTimestamps()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-jsonl"));
        KPW_CREATE_TOPIC(boot, topic, 3);
        QByteArray data;
        const int n = 300;
        for (int i = 0; i < n; ++i) {
            data += QByteArray("{\"key\":\"k") + QByteArray::number(i) +
                    "\",\"value\":{\"i\":" + QByteArray::number(i) + "},\"partition\":" + QByteArray::number(i % 3) +
                    ",\"timestamp\":" + QByteArray::number(1700000000000LL + i) +
                    ",\"headers\":[{\"key\":\"h\",\"value\":\"a\"},{\"key\":\"h\",\"value\":\"b" +
                    QByteArray::number(i) + "\"},{\"key\":\"nul\",\"value\":null}]}" + "\n";
            if (i == 100)
                data += "this line is not JSON\n";
        }
        const QString path = writeFile(m_dir, QStringLiteral("r.jsonl"), data);
        const ReplaySummary s = run(optionsFor(boot, topic, {path}));
        QCOMPARE(s.acked, quint64(n));
        QCOMPARE(s.parseErrors, quint64(1));
        QCOMPARE(s.failures.size(), 1);
        QCOMPARE(s.failures[0].origin.line, std::uint64_t(102));
        QCOMPARE(s.failures[0].kind, ReplayFailure::Kind::Parse);
        QVERIFY(!s.everythingAcknowledged());
        QCOMPARE(s.partitions.size(), 3);
        QString error;
        const auto got = consumeAll(boot, topic, n, 60000, QStringLiteral("read_uncommitted"), &error);
        QCOMPARE(got.size(), n);
        for (const auto &r : got) {
            const int i = r.key->mid(1).toInt();
            QCOMPARE(*r.value, "{\"i\":" + QByteArray::number(i) + "}");
            QCOMPARE(r.partition, i % 3);
            QCOMPARE(r.timestampMs, 1700000000000LL + i);
            QCOMPARE(r.headers, (QList<RecordHeader>{{QStringLiteral("h"), "a"},
                                                     {QStringLiteral("h"), "b" + QByteArray::number(i)},
                                                     {QStringLiteral("nul"), std::nullopt}}));
        }
    }

    void kcatJsonOutputReplaysToTheSameRecords()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString kcat = QStandardPaths::findExecutable(QStringLiteral("kcat")).isEmpty()
                                 ? QStandardPaths::findExecutable(QStringLiteral("kafkacat"))
                                 : QStandardPaths::findExecutable(QStringLiteral("kcat"));
        QVERIFY2(!kcat.isEmpty(), "kcat (Debian: kafkacat) is not installed: scripts/install-deps installs it");
        const QString source = uniqueTopic(QStringLiteral("replay-kcat-src"));
        const QString target = uniqueTopic(QStringLiteral("replay-kcat-dst"));
        KPW_CREATE_TOPIC(boot, source, 3);
        KPW_CREATE_TOPIC(boot, target, 3);
        // kcat writes the originals (keys, headers with a repeated name,
        // explicit partitions), then reads them back as JSON.
        const int n = 60;
        for (int part = 0; part < 3; ++part) {
            QByteArray lines;
            for (int i = part; i < n; i += 3)
                lines += "key" + QByteArray::number(i) + ":value \"" + QByteArray::number(i) + "\" ünï\n";
            QProcess p;
            p.start(kcat, {QStringLiteral("-b"), boot, QStringLiteral("-P"), QStringLiteral("-t"), source,
                           QStringLiteral("-p"), QString::number(part), QStringLiteral("-K:"), QStringLiteral("-H"),
                           QStringLiteral("h=1"), QStringLiteral("-H"), QStringLiteral("h=2"), QStringLiteral("-H"),
                           QStringLiteral("p=%1").arg(part)});
            QVERIFY(p.waitForStarted());
            p.write(lines);
            p.closeWriteChannel();
            QVERIFY(p.waitForFinished(60000));
            QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        }
        QProcess c;
        c.start(kcat, {QStringLiteral("-b"), boot, QStringLiteral("-C"), QStringLiteral("-t"), source,
                       QStringLiteral("-J"), QStringLiteral("-e"), QStringLiteral("-q")});
        QVERIFY(c.waitForFinished(60000));
        const QByteArray json = c.readAllStandardOutput();
        QCOMPARE(json.count('\n'), n);
        const QString path = writeFile(m_dir, QStringLiteral("kcat-dump.json"), json);
        const ReplaySummary s = run(optionsFor(boot, target, {path}));
        QVERIFY2(s.everythingAcknowledged(), qPrintable(summaryText(s)));
        QCOMPARE(s.acked, quint64(n));

        auto original = consumeAll(boot, source, n, 60000);
        auto replayed = consumeAll(boot, target, n, 60000);
        // consumeAll keeps order within a partition only: compare by position.
        const auto byPosition = [](const ConsumedRecord &a, const ConsumedRecord &b) {
            return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
        };
        std::sort(original.begin(), original.end(), byPosition);
        std::sort(replayed.begin(), replayed.end(), byPosition);
        QCOMPARE(replayed.size(), n);
        QCOMPARE(original.size(), n);
        // The same records on the same partitions in the same order.
        for (int i = 0; i < n; ++i) {
            QCOMPARE(replayed[i].partition, original[i].partition);
            QCOMPARE(replayed[i].offset, original[i].offset);
            QCOMPARE(replayed[i].key, original[i].key);
            QCOMPARE(replayed[i].value, original[i].value);
            QCOMPARE(replayed[i].headers, original[i].headers);
            QCOMPARE(replayed[i].timestampMs, original[i].timestampMs);
        }
    }

    void cancelMidwayCountsAreExact()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-cancel"));
        KPW_CREATE_TOPIC(boot, topic, 1);
        const int n = 20000;
        QByteArray data;
        for (int i = 1; i <= n; ++i)
            data += QByteArray::number(i) + "\n";
        const QString path = writeFile(m_dir, QStringLiteral("cancel.txt"), data);
        ReplayOptions o = optionsFor(boot, topic, {path});
        o.recordsPerSec = 2000; // about 10 s in all: the cancel lands in the middle
        const ReplaySummary s = run(o, 1000);
        QCOMPARE(s.outcome, ReplaySummary::Outcome::Cancelled);
        QVERIFY2(s.acked >= 1000 && s.acked < quint64(n), qPrintable(summaryText(s)));
        QCOMPARE(s.failed, quint64(0));
        QCOMPARE(s.sent, s.acked);
        QVERIFY(s.firstNotSent.has_value());
        // Sent in input order: lines 1..acked landed, the first never sent is acked+1.
        QCOMPARE(s.firstNotSent->line, s.acked + 1);
        QCOMPARE(s.lastSent->line, s.acked);
        QCOMPARE(s.read, s.sent + s.readNotSent);
        QVERIFY(!s.everythingAcknowledged());
        // The log holds exactly what the summary says: nothing more arrives.
        const auto got = consumeAll(boot, topic, int(s.acked) + 1, 8000);
        QCOMPARE(quint64(got.size()), s.acked);
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(*got[i].value, QByteArray::number(i + 1));
        QCOMPARE(s.partitions.value(0).first, 0);
        QCOMPARE(s.partitions.value(0).last, std::int64_t(s.acked) - 1);
    }

    void deliveryFailuresNameFileAndLine()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-fail"));
        KPW_CREATE_TOPIC(boot, topic, 2);
        // Every 50th record asks for partition 7 of a 2-partition topic.
        QByteArray data;
        const int n = 1000;
        for (int i = 1; i <= n; ++i)
            data += "{\"value\":\"" + QByteArray::number(i) + "\",\"partition\":" + (i % 50 == 0 ? "7" : "0") + "}\n";
        const QString path = writeFile(m_dir, QStringLiteral("fail.jsonl"), data);
        ReplayOptions o = optionsFor(boot, topic, {path});
        o.config.set(QStringLiteral("delivery.timeout.ms"), QStringLiteral("5000"));
        o.config.set(QStringLiteral("request.timeout.ms"), QStringLiteral("3000"));
        const ReplaySummary s = run(o);
        QCOMPARE(s.failed, quint64(n / 50));
        QCOMPARE(s.acked, quint64(n - n / 50));
        QCOMPARE(s.failures.size(), n / 50);
        for (int k = 0; k < s.failures.size(); ++k) {
            QCOMPARE(s.failures[k].kind, ReplayFailure::Kind::Delivery);
            QVERIFY2(!s.failures[k].errorName.isEmpty(), qPrintable(s.failures[k].message));
        }
        QSet<std::uint64_t> failedLines;
        for (const auto &f : s.failures)
            failedLines.insert(f.origin.line);
        for (int i = 50; i <= n; i += 50)
            QVERIFY2(failedLines.contains(std::uint64_t(i)), qPrintable(QString::number(i)));
        const auto got = consumeAll(boot, topic, int(s.acked) + 1, 8000);
        QCOMPARE(quint64(got.size()), s.acked);

        // Stop at the first failure: nothing after the stop is sent, and the
        // summary says where sending ended.
        const QString topic2 = uniqueTopic(QStringLiteral("replay-failstop"));
        KPW_CREATE_TOPIC(boot, topic2, 1);
        ReplayOptions stop = optionsFor(boot, topic2, {path});
        stop.onDeliveryError = ReplayOptions::OnDeliveryError::Stop;
        stop.recordsPerSec = 500;
        const ReplaySummary t = run(stop);
        QCOMPARE(t.outcome, ReplaySummary::Outcome::StoppedOnDeliveryError);
        QVERIFY(t.failed >= 1);
        QVERIFY(t.firstNotSent.has_value());
        QVERIFY2(t.sent < quint64(n), qPrintable(summaryText(t)));
        QCOMPARE(t.sent, t.acked + t.failed);
        const auto got2 = consumeAll(boot, topic2, int(t.acked) + 1, 8000);
        QCOMPARE(quint64(got2.size()), t.acked);
    }

    void unknownTopicFailsEveryRecord()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString path = writeFile(m_dir, QStringLiteral("few.txt"), "a\nb\nc\n");
        const ReplaySummary s = run(optionsFor(boot, uniqueTopic(QStringLiteral("replay-nosuch")), {path}));
        QCOMPARE(s.failed, quint64(3));
        QCOMPARE(s.acked, quint64(0));
        QCOMPARE(s.failures.value(2).origin.line, std::uint64_t(3));
        QCOMPARE(s.failures.value(0).errorName, QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
    }

    void pacingHoldsRateAndOriginalTiming()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-pace"));
        KPW_CREATE_TOPIC(boot, topic, 1);
        QByteArray lines;
        for (int i = 1; i <= 600; ++i)
            lines += QByteArray::number(i) + "\n";
        ReplayOptions rate = optionsFor(boot, topic, {writeFile(m_dir, QStringLiteral("pace.txt"), lines)});
        rate.recordsPerSec = 1000;
        const ReplaySummary r = run(rate);
        QVERIFY2(r.everythingAcknowledged(), qPrintable(summaryText(r)));
        // 600 records at 1000/s: the last is due at 0.599 s.
        QVERIFY2(r.durationMs >= 590 && r.durationMs < 10000, qPrintable(QString::number(r.durationMs)));

        // Timestamps 0.5 s apart over 2 s, replayed twice as fast: 1 s, and
        // the records keep their timestamps.
        QByteArray json;
        for (int i = 0; i < 5; ++i)
            json += "{\"value\":\"" + QByteArray::number(i) +
                    "\",\"timestamp\":" + QByteArray::number(1700000000000LL + i * 500) + "}\n";
        ReplayOptions timing = optionsFor(boot, topic, {writeFile(m_dir, QStringLiteral("timing.jsonl"), json)});
        timing.originalTiming = true;
        timing.speed = 2;
        const ReplaySummary o = run(timing);
        QVERIFY2(o.everythingAcknowledged(), qPrintable(summaryText(o)));
        QVERIFY2(o.durationMs >= 990 && o.durationMs < 10000, qPrintable(QString::number(o.durationMs)));
        const auto got = consumeAll(boot, topic, 605, 30000);
        QCOMPARE(got.size(), 605);
        QCOMPARE(got.last().timestampMs, 1700000000000LL + 2000);
    }

    void templatesAndLoops()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-tpl"));
        KPW_CREATE_TOPIC(boot, topic, 1);
        const QString path =
            writeFile(m_dir, QStringLiteral("tpl.txt"), "k{{seq}}|line {{line}} {{uuid}}\nraw {{x}}\n");
        ReplayOptions o = optionsFor(boot, topic, {path});
        o.source.keySeparator = "|";
        o.templates = true;
        o.loops = 3;
        const ReplaySummary s = run(o);
        QVERIFY2(s.everythingAcknowledged(), qPrintable(summaryText(s)));
        QCOMPARE(s.acked, quint64(6));
        const auto got = consumeAll(boot, topic, 6, 30000);
        QCOMPARE(got.size(), 6);
        for (int loop = 0; loop < 3; ++loop) {
            QCOMPARE(*got[loop * 2].key, "k" + QByteArray::number(loop * 2 + 1));
            QVERIFY(got[loop * 2].value->startsWith("line 1 "));
            QCOMPARE(got[loop * 2].value->size(), 7 + 36);
            QCOMPARE(*got[loop * 2 + 1].value, QByteArray("raw {{x}}"));
        }
    }
};

QTEST_GUILESS_MAIN(TstReplay)
#include "tst_replay.moc"
