// Records produced by kpw with every codec (none, gzip, snappy, lz4, zstd)
// are read back by two independent consumers, librdkafka and the Java client
// from the same jars as the broker, and must come back byte for byte: keys
// and values (null, empty, binary, a 200 KB compressible one, an incompressible
// one), headers (repeated names, null values, UTF-8 names), timestamps,
// partitions, offsets and per-partition order. With the fixture broker the
// stored log segments also show that the batches really carry the codec.
//
// Test functions run in order and share state: produce() makes one topic per
// codec; the readers compare against what produce() recorded.

#include "JavaOracle.h"
#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QtEndian>

#include <memory>

using namespace kpw;
using namespace kpw::test;
using namespace kpw::test::interop;

namespace {

constexpr int kRecords = 300;
constexpr int kPartitions = 3;
constexpr std::int64_t kFixedTs = 1600000000000LL;
constexpr qsizetype kLargeValue = 200 * 1024;
const QStringList kCodecs = {QStringLiteral("none"), QStringLiteral("gzip"), QStringLiteral("snappy"),
                             QStringLiteral("lz4"), QStringLiteral("zstd")};

int codecId(const QString &codec)
{
    return static_cast<int>(kCodecs.indexOf(codec)); // none 0, gzip 1, snappy 2, lz4 3, zstd 4
}

// About 200 KB of text that every codec shrinks a lot, different per seed.
QByteArray compressibleValue(int seed)
{
    QByteArray v;
    v.reserve(kLargeValue + 64);
    for (int line = 0; v.size() < kLargeValue; ++line)
        v += "line " + QByteArray::number(line).rightJustified(6, '0') + " of a compressible value, seed " +
             QByteArray::number(seed) + "\n";
    v.truncate(kLargeValue);
    return v;
}

QByteArray randomBytes(int size, quint32 seed)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    for (auto &c : b)
        c = static_cast<char>(rng.bounded(256));
    return b;
}

ProducerRecord makeRecord(const QString &topic, int i)
{
    ProducerRecord r;
    r.topic = topic;
    switch (i % 6) {
    case 0: break; // null key: the sticky partitioner decides
    case 1: r.key = QByteArray("key-") + QByteArray::number(i); break;
    case 2: r.key = QByteArray(""); break; // empty, not null
    case 3: r.key = QByteArray("\x00\xff", 2) + static_cast<char>(i & 0xff) + QByteArray("\x00", 1); break;
    case 4: r.key = QStringLiteral("ключ-%1-✓").arg(i).toUtf8(); break;
    case 5: r.key = QByteArray(40, static_cast<char>('a' + i % 26)) + QByteArray::number(i); break;
    }
    if (i == 5 || i == 222) {
        r.value = compressibleValue(i);
    } else if (i == 77) {
        r.value = randomBytes(8 * 1024, 77); // incompressible: stored blocks in lz4/snappy/zstd
    } else if (i % 50 == 7) {
        r.value = std::nullopt; // tombstone
    } else if (i % 50 == 13) {
        r.value = QByteArray(""); // empty, not null
    } else if (i % 50 == 21) {
        r.value = QByteArray(100, '\0'); // only zero bytes
    } else {
        QByteArray v = "value-" + QByteArray::number(i) + '\0';
        for (int k = 0; k < i % 60; ++k)
            v += static_cast<char>((i * 31 + k * 7) & 0xff); // not UTF-8 on purpose, NULs included
        r.value = v;
    }
    switch (i % 5) {
    case 0: break;
    case 1: r.headers = {{QStringLiteral("a"), QByteArray("1")}}; break;
    case 2:
        r.headers = {{QStringLiteral("dup"), QByteArray("x")},
                     {QStringLiteral("dup"), QByteArray("y")},
                     {QStringLiteral("n"), std::nullopt}};
        break;
    case 3:
        r.headers = {{QStringLiteral("e"), QByteArray("")},
                     {QStringLiteral("utf-ü €"), QByteArray("\x00\xff\x80", 3)},
                     {QString(), QByteArray("empty name")}};
        break;
    case 4:
        r.headers = {{QStringLiteral("dup"), QByteArray("1")},
                     {QStringLiteral("z"), std::nullopt},
                     {QStringLiteral("dup"), QByteArray("3")},
                     {QStringLiteral("dup"), std::nullopt}};
        break;
    }
    r.headers.append({QStringLiteral("idx"), QByteArray::number(i)}); // for failure messages only
    if (i % 3 == 0)
        r.timestampMs = kFixedTs + i;
    return r;
}

// A record as any of the readers returned it.
struct ReadRecord
{
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestampMs = -1;
    bool logAppendTime = false;
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
};

QString show(const std::optional<QByteArray> &b)
{
    if (!b)
        return QStringLiteral("null");
    if (b->size() > 48)
        return QStringLiteral("%1 bytes \"%2...\"").arg(b->size()).arg(QString::fromLatin1(b->left(32).toHex()));
    return QStringLiteral("\"%1\"").arg(QString::fromLatin1(b->toHex()));
}

// " (first difference at byte N)" for two non-null values of which one is
// longer or differs somewhere; "" otherwise.
QString firstDifference(const std::optional<QByteArray> &a, const std::optional<QByteArray> &b)
{
    if (!a || !b || *a == *b)
        return {};
    qsizetype i = 0;
    while (i < a->size() && i < b->size() && a->at(i) == b->at(i))
        ++i;
    return QStringLiteral(" (first difference at byte %1 of %2 read, %3 sent)").arg(i).arg(a->size()).arg(b->size());
}

QString describe(const ReadRecord &r)
{
    QStringList headers;
    for (const auto &h : r.headers)
        headers.append(QStringLiteral("%1=%2").arg(h.key, show(h.value)));
    return QStringLiteral("[%1]@%2 ts=%3%4 key=%5 value=%6 headers=[%7]")
        .arg(r.partition)
        .arg(r.offset)
        .arg(r.timestampMs)
        .arg(r.logAppendTime ? QStringLiteral(" (LogAppendTime)") : QString())
        .arg(show(r.key), show(r.value), headers.join(QStringLiteral(", ")));
}

QString describe(const ProducerRecord &r)
{
    ReadRecord x;
    x.key = r.key;
    x.value = r.value;
    x.headers = r.headers;
    x.timestampMs = r.timestampMs.value_or(-1);
    return describe(x);
}

// One codec's topic and what kpw sent to it.
struct CodecRun
{
    QString topic;
    QList<ProducerRecord> sent;
    QList<DeliveryReport> reports;          // by send index
    QHash<QPair<int, qint64>, int> indexAt; // (partition, offset) -> send index
    QMap<int, int> recordsPerPartition;     // partition -> records acknowledged there
    qint64 rawBytes = 0;                    // sum of key and value sizes
    bool produced = false;
};

// Walks the record batches of a partition's log segments on disk (the same
// v2 batch layout as on the wire) and collects their codecs.
struct StoredBatches
{
    int batches = 0;
    qint64 records = 0;
    qint64 bytes = 0;
    QSet<int> codecs;
    QString error;
};

StoredBatches readSegments(const QString &partitionDir)
{
    StoredBatches s;
    const QDir dir(partitionDir);
    const QStringList logs = dir.entryList({QStringLiteral("*.log")}, QDir::Files, QDir::Name);
    if (logs.isEmpty())
        s.error = QStringLiteral("no *.log segment in %1").arg(partitionDir);
    for (const QString &name : logs) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            s.error = QStringLiteral("%1: %2").arg(f.fileName(), f.errorString());
            return s;
        }
        const QByteArray data = f.readAll();
        s.bytes += data.size();
        const auto *p = reinterpret_cast<const uchar *>(data.constData());
        qsizetype at = 0;
        while (at < data.size()) {
            if (data.size() - at < 61) {
                s.error = QStringLiteral("%1: truncated batch header at %2").arg(f.fileName()).arg(at);
                return s;
            }
            const qint32 batchLength = qFromBigEndian<qint32>(p + at + 8);
            const qint8 magic = static_cast<qint8>(p[at + 16]);
            const qint16 attributes = qFromBigEndian<qint16>(p + at + 21);
            const qint32 count = qFromBigEndian<qint32>(p + at + 57);
            if (magic != 2 || batchLength < 49 || data.size() - at - 12 < batchLength) {
                s.error = QStringLiteral("%1: bad batch at %2 (magic %3, length %4)")
                              .arg(f.fileName())
                              .arg(at)
                              .arg(magic)
                              .arg(batchLength);
                return s;
            }
            s.batches += 1;
            s.records += count;
            s.codecs.insert(attributes & 0x7);
            at += 12 + batchLength;
        }
    }
    return s;
}

} // namespace

class TstCodecInterop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void produce_data();
    void produce();
    void librdkafkaReadsBack_data();
    void librdkafkaReadsBack();
    void javaReadsBack_data();
    void javaReadsBack();
    void storedBatchesUseTheCodec_data();
    void storedBatchesUseTheCodec();

private:
    void codecRows();
    // The run for `codec`, or a failure when produce() did not complete it.
    const CodecRun *producedRun(const QString &codec);
    // Compares what a reader returned with what was sent and acknowledged.
    void verifyReadBack(const CodecRun &run, const QList<ReadRecord> &read, const QString &reader);

    QString m_boot;
    QMap<QString, CodecRun> m_runs;
    std::optional<JavaRun> m_java; // one JVM run reads every codec's topic
};

void TstCodecInterop::initTestCase()
{
    qRegisterMetaType<QList<kpw::DeliveryReport>>();
    qRegisterMetaType<kpw::MetadataResponse>();
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstCodecInterop::init()
{
    // A QTimer created on the wrong thread only warns, then never fires.
    kpw::test::failOnCrossThreadTimers();
}

void TstCodecInterop::codecRows()
{
    QTest::addColumn<QString>("codec");
    for (const QString &c : kCodecs)
        QTest::newRow(qPrintable(c)) << c;
}

void TstCodecInterop::produce_data()
{
    codecRows();
}

void TstCodecInterop::produce()
{
    QFETCH(QString, codec);
    QVERIFY2(!m_boot.isEmpty(), "no broker (see initTestCase)");
    CodecRun run;
    run.topic = uniqueTopic(QStringLiteral("kpw-interop-codec-") + codec);
    KPW_CREATE_TOPIC(m_boot, run.topic, kPartitions);

    ProducerConfig config;
    for (const auto &[name, value] :
         {std::pair{QStringLiteral("bootstrap.servers"), m_boot}, std::pair{QStringLiteral("compression.type"), codec},
          std::pair{QStringLiteral("linger.ms"), QStringLiteral("20")},
          // A fresh topic's first Produce may get NOT_LEADER_OR_FOLLOWER: without
          // idempotence only one request in flight keeps the order across retries.
          std::pair{QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")}}) {
        const auto set = config.set(name, value);
        QVERIFY2(set.ok(), qPrintable(errorText(set)));
    }
    QList<DeliveryReport> reports; // outlives the client that fills it
    ProducerClient client;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &batch) { reports.append(batch); });
    QStringList log; // the producer's own words: retries and why
    connect(&client, &ProducerClient::logMessage, this, [&log](const QString &line) { log.append(line); });
    QSignalSpy connected(&client, &ProducerClient::connected);
    QSignalSpy failed(&client, &ProducerClient::connectionFailed);
    QSignalSpy flushed(&client, &ProducerClient::flushed);
    client.start(config);
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !failed.isEmpty(), 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));

    for (int i = 0; i < kRecords; ++i) {
        run.sent.append(makeRecord(run.topic, i));
        run.rawBytes += run.sent.last().key.value_or(QByteArray()).size();
        run.rawBytes += run.sent.last().value.value_or(QByteArray()).size();
    }
    const quint64 firstId = client.send(run.sent);
    client.flush();
    QTRY_VERIFY_WITH_TIMEOUT(reports.size() >= kRecords && !flushed.isEmpty(), 60000);
    QCOMPARE(reports.size(), kRecords);

    run.reports.resize(kRecords);
    QSet<int> reported;
    for (const DeliveryReport &r : std::as_const(reports)) {
        const qint64 i = static_cast<qint64>(r.id) - static_cast<qint64>(firstId);
        QVERIFY2(i >= 0 && i < kRecords, qPrintable(QStringLiteral("report for unknown id %1").arg(r.id)));
        QVERIFY2(!reported.contains(int(i)), qPrintable(QStringLiteral("two reports for record %1").arg(i)));
        reported.insert(int(i));
        QVERIFY2(r.ok(), qPrintable(QStringLiteral("%1 record %2 (%3): %4 %5")
                                        .arg(codec)
                                        .arg(i)
                                        .arg(describe(run.sent[i]), r.errorName(), r.errorMessage)));
        QCOMPARE(r.topic, run.topic);
        QVERIFY2(r.partition >= 0 && r.partition < kPartitions && r.offset >= 0,
                 qPrintable(QStringLiteral("record %1 acknowledged at [%2]@%3").arg(i).arg(r.partition).arg(r.offset)));
        QVERIFY2(!run.indexAt.contains({r.partition, r.offset}),
                 qPrintable(QStringLiteral("records %1 and %2 both acknowledged at [%3]@%4")
                                .arg(run.indexAt.value({r.partition, r.offset}))
                                .arg(i)
                                .arg(r.partition)
                                .arg(r.offset)));
        if (run.sent[i].timestampMs)
            QCOMPARE(r.timestampMs, *run.sent[i].timestampMs);
        run.reports[i] = r;
        run.indexAt.insert({r.partition, r.offset}, int(i));
        run.recordsPerPartition[r.partition] += 1;
    }
    // Within a partition, offsets follow the send order.
    QHash<int, int> lastIndex; // partition -> send index of the last record seen there
    for (int i = 0; i < kRecords; ++i) {
        const DeliveryReport &r = run.reports[i];
        const int before = lastIndex.value(r.partition, -1);
        if (before >= 0 && r.offset < run.reports[before].offset) {
            // The partition's records in send order: "index@offset(attempts)".
            QStringList sequence;
            for (int k = 0; k < kRecords; ++k)
                if (run.reports[k].partition == r.partition)
                    sequence
                        << QStringLiteral("%1@%2(%3)").arg(k).arg(run.reports[k].offset).arg(run.reports[k].attempts);
            QFAIL(qPrintable(QStringLiteral("%1: record %2 (%3 bytes, attempts %4) was written at [%5]@%6, before "
                                            "record %7 sent earlier (%8 bytes, attempts %9) at offset %10.\n"
                                            "   partition %5 in send order, index@offset(attempts): %11\n"
                                            "   producer log: %12")
                                 .arg(codec)
                                 .arg(i)
                                 .arg(run.sent[i].value.value_or(QByteArray()).size())
                                 .arg(r.attempts)
                                 .arg(r.partition)
                                 .arg(r.offset)
                                 .arg(before)
                                 .arg(run.sent[before].value.value_or(QByteArray()).size())
                                 .arg(run.reports[before].attempts)
                                 .arg(run.reports[before].offset)
                                 .arg(sequence.join(QLatin1Char(' ')), log.mid(0, 10).join(QStringLiteral("\n   ")))));
        }
        lastIndex[r.partition] = i;
    }
    for (const QString &line : std::as_const(log).mid(0, 10))
        qInfo("%s producer: %s", qPrintable(codec), qPrintable(line));
    run.produced = true;
    m_runs.insert(codec, run);
}

const CodecRun *TstCodecInterop::producedRun(const QString &codec)
{
    const auto it = m_runs.constFind(codec);
    if (it == m_runs.constEnd() || !it->produced) {
        QTest::qFail(qPrintable(QStringLiteral("nothing to read: produce(%1) failed").arg(codec)), __FILE__, __LINE__);
        return nullptr;
    }
    return &*it;
}

void TstCodecInterop::verifyReadBack(const CodecRun &run, const QList<ReadRecord> &read, const QString &reader)
{
    QSet<int> seen;
    QHash<int, QPair<qint64, int>> lastInPartition; // partition -> (offset, send index) read last
    for (const ReadRecord &c : read) {
        const QString where = QStringLiteral("%1 read %2").arg(reader, describe(c));
        const int i = run.indexAt.value({c.partition, c.offset}, -1);
        QVERIFY2(i >= 0, qPrintable(where + QStringLiteral(": no record was acknowledged there")));
        QVERIFY2(!seen.contains(i), qPrintable(where + QStringLiteral(": read twice")));
        seen.insert(i);
        const ProducerRecord &s = run.sent[i];
        const QString expected = QStringLiteral("%1\n   sent record %2: %3").arg(where).arg(i).arg(describe(s));
        QVERIFY2(c.key == s.key, qPrintable(QStringLiteral("key differs: ") + expected));
        QVERIFY2(c.value == s.value,
                 qPrintable(QStringLiteral("value differs%1: ").arg(firstDifference(c.value, s.value)) + expected));
        QVERIFY2(c.headers == s.headers, qPrintable(QStringLiteral("headers differ: ") + expected));
        QVERIFY2(!c.logAppendTime, qPrintable(expected));
        QVERIFY2(c.timestampMs == run.reports[i].timestampMs,
                 qPrintable(QStringLiteral("timestamp differs from the report's %1: ").arg(run.reports[i].timestampMs) +
                            expected));
        // Per partition: offsets and send order both increase.
        const auto last = lastInPartition.value(c.partition, {-1, -1});
        QVERIFY2(c.offset > last.first && i > last.second,
                 qPrintable(QStringLiteral("order in partition %1: record %2 at offset %3 after record %4 at offset %5")
                                .arg(c.partition)
                                .arg(i)
                                .arg(c.offset)
                                .arg(last.second)
                                .arg(last.first)));
        lastInPartition[c.partition] = {c.offset, i};
    }
    if (seen.size() != kRecords) {
        QStringList missing;
        for (int i = 0; i < kRecords && missing.size() < 10; ++i)
            if (!seen.contains(i))
                missing.append(
                    QStringLiteral("%1 at [%2]@%3").arg(i).arg(run.reports[i].partition).arg(run.reports[i].offset));
        QFAIL(qPrintable(QStringLiteral("%1 read %2 of %3 records; missing e.g. %4")
                             .arg(reader)
                             .arg(seen.size())
                             .arg(kRecords)
                             .arg(missing.join(QStringLiteral(", ")))));
    }
}

void TstCodecInterop::librdkafkaReadsBack_data()
{
    codecRows();
}

void TstCodecInterop::librdkafkaReadsBack()
{
    QFETCH(QString, codec);
    const CodecRun *run = producedRun(codec);
    if (!run)
        return;
    QString error;
    const QList<ConsumedRecord> consumed =
        consumeAll(m_boot, run->topic, kRecords, 60000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("librdkafka: ") + error));
    QList<ReadRecord> read;
    for (const ConsumedRecord &c : consumed) {
        QCOMPARE(c.topic, run->topic);
        read.append({c.partition, c.offset, c.timestampMs, c.logAppendTime, c.key, c.value, c.headers});
    }
    verifyReadBack(*run, read, QStringLiteral("librdkafka"));
}

void TstCodecInterop::javaReadsBack_data()
{
    codecRows();
}

void TstCodecInterop::javaReadsBack()
{
    QFETCH(QString, codec);
    const CodecRun *run = producedRun(codec);
    if (!run)
        return;
    if (!m_java) {
        // One JVM for every topic produce() made: the JVM start (with the
        // source compilation) is the slow part.
        QStringList args = {QStringLiteral("--timeout-ms=90000"), m_boot};
        for (const CodecRun &r : std::as_const(m_runs))
            if (r.produced)
                args << r.topic << QString::number(kRecords);
        m_java = runJavaReadBack(args, {}, 240000);
    }
    QString parseError;
    QList<ReadRecord> read;
    for (const JavaRecord &j : parseRecords(m_java->out, &parseError))
        if (j.topic == run->topic)
            read.append({j.partition, j.offset, j.timestampMs, j.logAppendTime, j.key, j.value, j.headers});
    QVERIFY2(parseError.isEmpty(), qPrintable(parseError));
    // The records first: a difference in them says more than the exit code.
    verifyReadBack(*run, read, QStringLiteral("Java consumer"));
    QVERIFY2(m_java->ok(), qPrintable(m_java->summary()));
}

void TstCodecInterop::storedBatchesUseTheCodec_data()
{
    codecRows();
}

void TstCodecInterop::storedBatchesUseTheCodec()
{
    // The broker keeps a producer's batches as they came (topic
    // compression.type=producer, v2 batches): its log segments show the
    // codec kpw wrote, and compressed segments are much smaller.
    QFETCH(QString, codec);
    const CodecRun *run = producedRun(codec);
    if (!run)
        return;
    if (!qEnvironmentVariableIsEmpty("KPW_TEST_BOOTSTRAP"))
        QSKIP("the broker is external (KPW_TEST_BOOTSTRAP): its log segments are not on this disk");
    const QString bootstrapFile = qEnvironmentVariable("KPW_TEST_BOOTSTRAP_FILE");
    QVERIFY2(!bootstrapFile.isEmpty(), "KPW_TEST_BOOTSTRAP_FILE is not set");
    const QDir dataDir(QFileInfo(bootstrapFile).absoluteDir().filePath(QStringLiteral("data")));
    QVERIFY2(dataDir.exists(), qPrintable(QStringLiteral("no broker data directory %1").arg(dataDir.path())));

    qint64 storedBytes = 0;
    for (int p = 0; p < kPartitions; ++p) {
        const StoredBatches s = readSegments(dataDir.filePath(QStringLiteral("%1-%2").arg(run->topic).arg(p)));
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.records, qint64(run->recordsPerPartition.value(p)));
        if (s.records > 0) {
            QVERIFY2(s.codecs == QSet<int>{codecId(codec)},
                     qPrintable(QStringLiteral("partition %1: %2 batches with codec ids {%3}, expected only %4 (%5)")
                                    .arg(p)
                                    .arg(s.batches)
                                    .arg([&] {
                                        QStringList ids;
                                        for (int c : s.codecs)
                                            ids << QString::number(c);
                                        return ids.join(QLatin1Char(','));
                                    }())
                                    .arg(codecId(codec))
                                    .arg(codec)));
        }
        storedBytes += s.bytes;
    }
    if (codec == QStringLiteral("none")) {
        QVERIFY2(storedBytes >= run->rawBytes,
                 qPrintable(QStringLiteral("%1 bytes stored for %2 raw bytes").arg(storedBytes).arg(run->rawBytes)));
    } else {
        // Two 200 KB text values dominate; 8 KB of random bytes do not shrink.
        QVERIFY2(storedBytes * 3 < run->rawBytes,
                 qPrintable(QStringLiteral("%1: %2 bytes stored for %3 raw bytes: not compressed?")
                                .arg(codec)
                                .arg(storedBytes)
                                .arg(run->rawBytes)));
    }
    qInfo("%s: %lld raw bytes of keys and values, %lld bytes in the log segments", qPrintable(codec),
          static_cast<long long>(run->rawBytes), static_cast<long long>(storedBytes));
}

QTEST_GUILESS_MAIN(TstCodecInterop)
#include "tst_codec_interop.moc"
