// The tail reader against the real broker, with librdkafka as the independent
// writer (transactional producers, committed and aborted transactions
// interleaved in the same partitions) and as the independent reader
// (isolation.level=read_committed): our read_committed tail must return
// exactly what librdkafka's does, our read_uncommitted tail everything plus
// one marker per transaction and partition, with no offset unexplained.

#include "RdkConsumer.h"
#include "RdkTxnProducer.h"
#include "TestBroker.h"
#include "tail/OffsetLookup.h"
#include "tail/TailReader.h"
#include "wire/KafkaError.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QSet>
#include <QTest>

#include <algorithm>

using namespace kpw;
using namespace kpw::test;

namespace {

struct TailRun
{
    QList<TailRecord> records;
    QList<ControlMarker> markers;
    QMap<std::int32_t, TailPosition> positions; // the last per partition
    qsizetype abortedSkipped = 0;
    QString error;
    bool ended = false;
};

// Reads until every partition is at its end (or the timeout).
TailRun tailToEnd(const QString &boot, const QString &topic, IsolationLevel isolation, int timeoutMs = 30000,
                  TailOptions::From from = TailOptions::From::Earliest)
{
    TailOptions o;
    o.bootstrap = boot;
    o.topic = topic;
    o.isolation = isolation;
    o.from = from;
    o.maxWaitMs = 200;
    TailRun run;
    TailReader reader(o);
    QObject::connect(&reader, &TailReader::fetched, &reader, [&](const kpw::TailBatch &b) {
        run.records += b.records;
        run.markers += b.markers;
        run.abortedSkipped += b.abortedSkipped;
        for (const auto &p : b.positions)
            run.positions.insert(p.partition, p);
    });
    QObject::connect(&reader, &TailReader::reachedEnd, &reader, [&] { run.ended = true; });
    QObject::connect(&reader, &TailReader::failed, &reader, [&](const kpw::Error &e) {
        run.error = QStringLiteral("%1: %2").arg(KafkaError::name(e.code), e.message);
    });
    reader.start();
    const QDeadlineTimer deadline(timeoutMs);
    while (!run.ended && run.error.isEmpty() && !deadline.hasExpired())
        QTest::qWait(20);
    if (!run.ended && run.error.isEmpty())
        run.error = QStringLiteral("did not reach the end within %1 ms").arg(timeoutMs);
    return run;
}

QStringList values(const QList<TailRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out.append(QString::fromUtf8(r.value.value_or("<null>")));
    return out;
}

// "p:offset:value" per record, sorted by partition then offset.
QStringList ordered(QList<std::tuple<int, qint64, QString>> rows)
{
    std::sort(rows.begin(), rows.end());
    QStringList out;
    for (const auto &[p, o, v] : rows)
        out.append(QStringLiteral("%1:%2:%3").arg(p).arg(o).arg(v));
    return out;
}

QStringList ordered(const QList<TailRecord> &records)
{
    QList<std::tuple<int, qint64, QString>> rows;
    for (const auto &r : records)
        rows.append({r.partition, r.offset, QString::fromUtf8(r.value.value_or("<null>"))});
    return ordered(rows);
}

QStringList ordered(const QList<ConsumedRecord> &records)
{
    QList<std::tuple<int, qint64, QString>> rows;
    for (const auto &r : records)
        rows.append({r.partition, r.offset, QString::fromUtf8(r.value.value_or("<null>"))});
    return ordered(rows);
}

#define RDK_OK(call, producer) QVERIFY2((call), qPrintable((producer).error()))

} // namespace

class TstTail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { failOnCrossThreadTimers(); }
    void readCommittedMatchesLibrdkafka();
    void readUncommittedShowsEverythingAndTheMarkers();
    void everyCodecThroughFetch();
    void lastStableOffsetStopsAtAnOpenTransaction();
    void committedOffsetsAfterAGroupCommits();
    void startPositions();
    void cliTailAndOffsets();
    void unknownTopicFailsWithItsName();

private:
    QString m_boot;
    QString m_topic; // transactions interleaved, written in initTestCase
    QStringList m_committed;
    QStringList m_aborted;
};

void TstTail::initTestCase()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    m_topic = uniqueTopic(QStringLiteral("kpw-tail"));
    KPW_CREATE_TOPIC(m_boot, m_topic, 2);

    RdkTxnProducer plain(m_boot, QString());
    RdkTxnProducer a(m_boot, QStringLiteral("%1-a").arg(m_topic));
    RdkTxnProducer b(m_boot, QStringLiteral("%1-b").arg(m_topic));
    QVERIFY2(plain.ok(), qPrintable(plain.error()));
    QVERIFY2(a.ok(), qPrintable(a.error()));
    QVERIFY2(b.ok(), qPrintable(b.error()));
    const auto put = [&](RdkTxnProducer &p, int partition, const char *value, bool committed) {
        const bool ok = p.send(m_topic, partition, QByteArray("k"), QByteArray(value)) && p.flush();
        (committed ? m_committed : m_aborted).append(QString::fromLatin1(value));
        return ok;
    };
    // Two transactional producers whose transactions overlap in both
    // partitions, with plain records in between: the aborted list and the
    // markers must be applied per producer, not per offset range.
    RDK_OK(put(plain, 0, "plain-0-p0", true), plain);
    RDK_OK(put(plain, 1, "plain-0-p1", true), plain);
    RDK_OK(a.begin(), a);
    RDK_OK(put(a, 0, "a1-0", false), a);
    RDK_OK(put(a, 1, "a1-1", false), a);
    RDK_OK(b.begin(), b);
    RDK_OK(put(b, 0, "b1-0", true), b);
    RDK_OK(put(b, 0, "b1-1", true), b);
    RDK_OK(put(b, 1, "b1-2", true), b);
    RDK_OK(put(a, 0, "a1-2", false), a);
    RDK_OK(put(plain, 0, "plain-1", true), plain);
    RDK_OK(a.abort(), a);
    RDK_OK(put(b, 1, "b1-3", true), b);
    RDK_OK(b.commit(), b);
    RDK_OK(a.begin(), a);
    RDK_OK(put(a, 0, "a2-0", true), a);
    RDK_OK(put(a, 1, "a2-1", true), a);
    RDK_OK(a.commit(), a);
    RDK_OK(b.begin(), b);
    RDK_OK(put(b, 0, "b2-0", false), b);
    RDK_OK(b.abort(), b);
    RDK_OK(put(plain, 1, "plain-2", true), plain);
}

void TstTail::readCommittedMatchesLibrdkafka()
{
    const TailRun run = tailToEnd(m_boot, m_topic, IsolationLevel::ReadCommitted);
    QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
    QStringList got = values(run.records);
    got.sort();
    QStringList want = m_committed;
    want.sort();
    QCOMPARE(got, want);
    QCOMPARE(run.abortedSkipped, m_aborted.size());

    // librdkafka with isolation.level=read_committed, given time to show
    // anything more than the committed records (it must not).
    QString error;
    const auto rdk = consumeAll(m_boot, m_topic, static_cast<int>(m_committed.size() + m_aborted.size()), 6000,
                                QStringLiteral("read_committed"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(ordered(run.records), ordered(rdk));

    // Markers are reported in read_committed too: the offsets they take are
    // the gaps a read_committed consumer sees.
    QCOMPARE(run.markers.size(), 7);
    for (const auto &r : run.records) {
        const bool transactional = !r.value->startsWith("plain");
        QCOMPARE(r.isTransactional, transactional);
        QVERIFY(!transactional || r.producerId >= 0);
        QCOMPARE(r.topic, m_topic);
        QCOMPARE(r.key, std::optional<QByteArray>("k"));
    }
}

void TstTail::readUncommittedShowsEverythingAndTheMarkers()
{
    const TailRun run = tailToEnd(m_boot, m_topic, IsolationLevel::ReadUncommitted);
    QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
    QStringList got = values(run.records);
    got.sort();
    QStringList want = m_committed + m_aborted;
    want.sort();
    QCOMPARE(got, want);
    QCOMPARE(run.abortedSkipped, 0);

    // A's first transaction (both partitions) and B's second (partition 0)
    // were aborted; B's first and A's second (both partitions) committed.
    int aborts = 0;
    int commits = 0;
    for (const auto &m : run.markers) {
        QVERIFY(m.producerId >= 0);
        if (m.type == ControlMarker::Type::Abort)
            ++aborts;
        else if (m.type == ControlMarker::Type::Commit)
            ++commits;
    }
    QCOMPARE(aborts, 3);
    QCOMPARE(commits, 4);

    // Every offset below the high watermark is a record or a marker, once.
    for (int p = 0; p < 2; ++p) {
        QList<std::int64_t> offsets;
        for (const auto &r : run.records)
            if (r.partition == p)
                offsets.append(r.offset);
        for (const auto &m : run.markers)
            if (m.partition == p)
                offsets.append(m.offset);
        std::sort(offsets.begin(), offsets.end());
        QList<std::int64_t> all;
        for (std::int64_t o = 0; o < run.positions.value(p).highWatermark; ++o)
            all.append(o);
        QCOMPARE(offsets, all);
    }

    // The aborted records of a producer lie before its ABORT marker.
    for (const auto &r : run.records) {
        if (!m_aborted.contains(QString::fromUtf8(*r.value)))
            continue;
        const bool closedByAbort = std::any_of(run.markers.cbegin(), run.markers.cend(), [&](const ControlMarker &m) {
            return m.partition == r.partition && m.producerId == r.producerId && m.offset > r.offset &&
                   m.type == ControlMarker::Type::Abort;
        });
        QVERIFY2(closedByAbort, qPrintable(QString::fromUtf8(*r.value)));
    }
}

void TstTail::everyCodecThroughFetch()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-tail-codecs"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QStringList committed;
    int aborted = 0;
    for (const char *codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
        RdkTxnProducer p(m_boot, QStringLiteral("%1-%2").arg(topic, QLatin1StringView(codec)),
                         {{QStringLiteral("compression.codec"), QLatin1StringView(codec)},
                          {QStringLiteral("linger.ms"), QStringLiteral("50")}});
        QVERIFY2(p.ok(), qPrintable(p.error()));
        for (bool commit : {true, false}) {
            RDK_OK(p.begin(), p);
            for (int i = 0; i < 20; ++i) {
                const QByteArray v =
                    QStringLiteral("%1-%2-%3 %4")
                        .arg(QLatin1StringView(codec), commit ? QStringLiteral("c") : QStringLiteral("a"))
                        .arg(i)
                        .arg(QStringLiteral("compressible ").repeated(8))
                        .toUtf8();
                RDK_OK(p.send(topic, 0, std::nullopt, v), p);
                if (commit)
                    committed.append(QString::fromUtf8(v));
                else
                    ++aborted;
            }
            // librdkafka drops what it has not sent yet when it aborts: flush
            // first so the aborted records are in the log.
            RDK_OK(p.flush(), p);
            RDK_OK(commit ? p.commit() : p.abort(), p);
        }
    }
    const TailRun rc = tailToEnd(m_boot, topic, IsolationLevel::ReadCommitted);
    QVERIFY2(rc.error.isEmpty(), qPrintable(rc.error));
    QCOMPARE(values(rc.records), committed); // one partition: in write order
    QCOMPARE(rc.abortedSkipped, aborted);
    for (const auto &r : rc.records)
        QVERIFY(!r.key.has_value());

    const TailRun ru = tailToEnd(m_boot, topic, IsolationLevel::ReadUncommitted);
    QVERIFY2(ru.error.isEmpty(), qPrintable(ru.error));
    QCOMPARE(ru.records.size(), committed.size() + aborted);
    QCOMPARE(ru.markers.size(), 10);
}

void TstTail::lastStableOffsetStopsAtAnOpenTransaction()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-tail-lso"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    RdkTxnProducer plain(m_boot, QString());
    RDK_OK(plain.send(topic, 0, std::nullopt, QByteArray("before-0")) &&
               plain.send(topic, 0, std::nullopt, "before-1") && plain.flush(),
           plain);
    RdkTxnProducer txn(m_boot, QStringLiteral("%1-open").arg(topic));
    RDK_OK(txn.ok(), txn);
    RDK_OK(txn.begin(), txn);
    RDK_OK(txn.send(topic, 0, std::nullopt, QByteArray("open-0")) && txn.send(topic, 0, std::nullopt, "open-1") &&
               txn.flush(),
           txn);
    RDK_OK(plain.send(topic, 0, std::nullopt, QByteArray("after")) && plain.flush(), plain);

    OffsetLookup lookup(m_boot);
    const auto list = [&](std::int64_t ts, IsolationLevel iso) -> std::int64_t {
        std::optional<Result<QList<OffsetLookup::PartitionOffset>>> got;
        lookup.listOffsets(topic, ts, iso, [&](Result<QList<OffsetLookup::PartitionOffset>> r) { got = r; });
        const QDeadlineTimer deadline(15000);
        while (!got && !deadline.hasExpired())
            QTest::qWait(10);
        if (!got || !got->ok() || got->value().size() != 1 || got->value()[0].errorCode != 0)
            return -100;
        return got->value()[0].offset;
    };
    QCOMPARE(list(ListOffsetsRequest::Earliest, IsolationLevel::ReadUncommitted), std::int64_t(0));
    QCOMPARE(list(ListOffsetsRequest::Latest, IsolationLevel::ReadUncommitted), std::int64_t(5));
    // The last stable offset is the open transaction's first offset.
    QCOMPARE(list(ListOffsetsRequest::Latest, IsolationLevel::ReadCommitted), std::int64_t(2));

    TailRun rc = tailToEnd(m_boot, topic, IsolationLevel::ReadCommitted);
    QVERIFY2(rc.error.isEmpty(), qPrintable(rc.error));
    QCOMPARE(values(rc.records), (QStringList{QStringLiteral("before-0"), QStringLiteral("before-1")}));
    QCOMPARE(rc.positions.value(0).lastStableOffset, std::int64_t(2));
    QCOMPARE(rc.positions.value(0).highWatermark, std::int64_t(5));
    // read_uncommitted "latest" starts past the open transaction.
    TailRun ru = tailToEnd(m_boot, topic, IsolationLevel::ReadUncommitted, 30000, TailOptions::From::Latest);
    QVERIFY2(ru.error.isEmpty(), qPrintable(ru.error));
    QVERIFY(ru.records.isEmpty());
    QCOMPARE(ru.positions.value(0).nextOffset, std::int64_t(5));

    RDK_OK(txn.commit(), txn);
    QCOMPARE(list(ListOffsetsRequest::Latest, IsolationLevel::ReadCommitted), std::int64_t(6)); // + the marker
    rc = tailToEnd(m_boot, topic, IsolationLevel::ReadCommitted);
    QVERIFY2(rc.error.isEmpty(), qPrintable(rc.error));
    QCOMPARE(values(rc.records),
             (QStringList{QStringLiteral("before-0"), QStringLiteral("before-1"), QStringLiteral("open-0"),
                          QStringLiteral("open-1"), QStringLiteral("after")}));
    QCOMPARE(rc.markers.size(), 1);
    QCOMPARE(rc.markers[0].offset, std::int64_t(5));
    QCOMPARE(rc.markers[0].type, ControlMarker::Type::Commit);
}

void TstTail::committedOffsetsAfterAGroupCommits()
{
    const QString group = uniqueTopic(QStringLiteral("kpw-tail-group"));
    QString error;
    QVERIFY2(rdkCommitOffsets(m_boot, group, m_topic, {{0, 3}, {1, 7}}, &error), qPrintable(error));

    OffsetLookup lookup(m_boot);
    const auto committed = [&](const QString &g, const std::optional<QString> &topic) {
        std::optional<Result<QList<OffsetLookup::Committed>>> got;
        lookup.committedOffsets(g, topic, [&](Result<QList<OffsetLookup::Committed>> r) { got = r; });
        const QDeadlineTimer deadline(20000);
        while (!got && !deadline.hasExpired())
            QTest::qWait(10);
        return got;
    };
    for (const std::optional<QString> &topic : {std::optional<QString>(m_topic), std::optional<QString>()}) {
        const auto got = committed(group, topic);
        QVERIFY(got.has_value());
        QVERIFY2(got->ok(), qPrintable(got->ok() ? QString() : got->error().message));
        QCOMPARE(got->value().size(), 2);
        QCOMPARE(got->value()[0].topic, m_topic);
        QCOMPARE(got->value()[0].partition, 0);
        QCOMPARE(got->value()[0].offset, std::int64_t(3));
        QCOMPARE(got->value()[1].partition, 1);
        QCOMPARE(got->value()[1].offset, std::int64_t(7));
    }
    // Another topic's filter, and a group that never committed: nothing.
    auto none = committed(group, QStringLiteral("no-such-topic"));
    QVERIFY(none && none->ok());
    QVERIFY(none->value().isEmpty());
    none = committed(uniqueTopic(QStringLiteral("kpw-tail-nogroup")), std::nullopt);
    QVERIFY(none && none->ok());
    QVERIFY(none->value().isEmpty());
}

void TstTail::startPositions()
{
    // From an offset: partition 0 from offset 3 holds everything from there.
    const TailRun all = tailToEnd(m_boot, m_topic, IsolationLevel::ReadUncommitted);
    QVERIFY2(all.error.isEmpty(), qPrintable(all.error));
    TailOptions o;
    o.bootstrap = m_boot;
    o.topic = m_topic;
    o.from = TailOptions::From::Offset;
    o.offset = 3;
    o.partitions = {0};
    o.maxWaitMs = 200;
    TailReader reader(o);
    QList<TailRecord> got;
    QList<ControlMarker> markers;
    bool ended = false;
    connect(&reader, &TailReader::fetched, this, [&](const kpw::TailBatch &b) {
        got += b.records;
        markers += b.markers;
    });
    connect(&reader, &TailReader::reachedEnd, this, [&] { ended = true; });
    reader.start();
    QTRY_VERIFY_WITH_TIMEOUT(ended, 20000);
    QList<std::int64_t> want;
    for (const auto &r : all.records)
        if (r.partition == 0 && r.offset >= 3)
            want.append(r.offset);
    for (const auto &m : all.markers)
        if (m.partition == 0 && m.offset >= 3)
            want.append(m.offset);
    std::sort(want.begin(), want.end());
    QList<std::int64_t> have;
    for (const auto &r : got) {
        QCOMPARE(r.partition, 0);
        have.append(r.offset);
    }
    for (const auto &m : markers)
        have.append(m.offset);
    std::sort(have.begin(), have.end());
    QVERIFY(!want.isEmpty());
    QCOMPARE(have, want);
}

void TstTail::cliTailAndOffsets()
{
    const auto run = [](const QStringList &args, QString *err) {
        QProcess p;
        p.start(QStringLiteral(KPW_CLI_PATH), args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
        }
        *err = QString::fromUtf8(p.readAllStandardError());
        return std::pair{p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
    };
    QString err;
    auto [code, out] = run({QStringLiteral("tail"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), m_topic,
                            QStringLiteral("--isolation"), QStringLiteral("read_committed"), QStringLiteral("-e")},
                           &err);
    QVERIFY2(code == 0, qPrintable(err));
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QStringList recordLines;
    QStringList markerLines;
    for (const auto &l : lines) {
        if (l.startsWith(m_topic + QStringLiteral(" [")))
            recordLines.append(l);
        else if (l.startsWith(QLatin1Char('[')))
            markerLines.append(l);
        else
            QFAIL(qPrintable(QStringLiteral("unexpected line: %1").arg(l)));
    }
    QCOMPARE(recordLines.size(), m_committed.size());
    QCOMPARE(markerLines.size(), 7);
    QVERIFY2(recordLines.contains(QStringLiteral("%1 [1] @ 0 key=k value=plain-0-p1").arg(m_topic)), qPrintable(out));
    QVERIFY2(std::any_of(markerLines.cbegin(), markerLines.cend(),
                         [](const QString &l) { return l.endsWith(QStringLiteral("<ABORT marker>")); }),
             qPrintable(out));
    for (const auto &v : m_aborted)
        QVERIFY2(!out.contains(QStringLiteral("value=%1\n").arg(v)), qPrintable(v));
    QVERIFY2(err.contains(QStringLiteral("%1 records of aborted transactions skipped").arg(m_aborted.size())),
             qPrintable(err));

    // --count stops early; a timeout before the count is exit code 3.
    std::tie(code, out) = run({QStringLiteral("tail"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), m_topic,
                               QStringLiteral("-c"), QStringLiteral("2")},
                              &err);
    QCOMPARE(code, 0);
    QCOMPARE(out.count(QStringLiteral("key=k")), 2);
    std::tie(code, out) =
        run({QStringLiteral("tail"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), m_topic, QStringLiteral("-c"),
             QStringLiteral("1000"), QStringLiteral("--timeout-ms"), QStringLiteral("1500")},
            &err);
    QCOMPARE(code, 3);

    const QString group = uniqueTopic(QStringLiteral("kpw-tail-cli-group"));
    QVERIFY2(rdkCommitOffsets(m_boot, group, m_topic, {{1, 4}}, &err), qPrintable(err));
    std::tie(code, out) =
        run({QStringLiteral("offsets"), QStringLiteral("-b"), m_boot, QStringLiteral("--group"), group}, &err);
    QVERIFY2(code == 0, qPrintable(err));
    QCOMPARE(out, QStringLiteral("%1 [1] committed=4\n").arg(m_topic));
    std::tie(code, out) =
        run({QStringLiteral("offsets"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), m_topic}, &err);
    QVERIFY2(code == 0, qPrintable(err));
    QVERIFY2(out.startsWith(QStringLiteral("%1 [0] earliest=0 latest=").arg(m_topic)), qPrintable(out));
}

void TstTail::unknownTopicFailsWithItsName()
{
    const TailRun run = tailToEnd(m_boot, QStringLiteral("kpw-tail-no-such-topic"), IsolationLevel::ReadCommitted);
    QVERIFY(run.error.startsWith(QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION")));
    QVERIFY2(run.error.contains(QStringLiteral("kpw-tail-no-such-topic")), qPrintable(run.error));
}

QTEST_GUILESS_MAIN(TstTail)
#include "tst_tail.moc"
