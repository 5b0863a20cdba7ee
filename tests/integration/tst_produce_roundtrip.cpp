// Records produced through ProducerClient to a real broker, read back by an
// independent consumer (librdkafka): bytes, headers, partitions and offsets
// must all agree with what was sent and with the delivery reports.

#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"
#include "records/Compression.h"

#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QtEndian>

#include <memory>

using namespace kpw;
using namespace kpw::test;

namespace {

// Utils.murmur2 from apache/kafka, for checking where keyed records land.
std::int32_t javaMurmur2(const QByteArray &data)
{
    const std::uint32_t m = 0x5bd1e995;
    const int r = 24;
    const auto length = static_cast<std::uint32_t>(data.size());
    std::uint32_t h = 0x9747b28c ^ length;
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    const std::uint32_t length4 = length / 4;
    for (std::uint32_t i = 0; i < length4; ++i) {
        const std::uint32_t i4 = i * 4;
        std::uint32_t k = p[i4] | (p[i4 + 1] << 8) | (p[i4 + 2] << 16) | (std::uint32_t(p[i4 + 3]) << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const std::uint32_t tail = length & ~3u;
    switch (length % 4) {
    case 3: h ^= std::uint32_t(p[tail + 2]) << 16; [[fallthrough]];
    case 2: h ^= std::uint32_t(p[tail + 1]) << 8; [[fallthrough]];
    case 1: h ^= p[tail]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<std::int32_t>(h);
}

int javaPartition(const QByteArray &key, int partitions)
{
    return (javaMurmur2(key) & 0x7fffffff) % partitions;
}

constexpr int kRecords = 1000;
constexpr int kPartitions = 3;
const std::int64_t kFixedTs = 1600000000000LL;

ProducerRecord makeRecord(const QString &topic, int i)
{
    ProducerRecord r;
    r.topic = topic;
    switch (i % 4) {
    case 0: // null key: explicit partition, or (every other one) the partitioner's choice
        r.partition = (i % 8 == 0) ? i % kPartitions : -1;
        break;
    case 1: r.key = QByteArray("key-") + QByteArray::number(i % 17); break;
    case 2: // empty key, explicit partition
        r.key = QByteArray("");
        r.partition = (i / 4) % kPartitions;
        break;
    case 3: { // binary key
        QByteArray k("\x00\xff", 2);
        k += static_cast<char>(i % 256);
        k += "k";
        r.key = k;
        break;
    }
    }
    if (i % 50 == 7) {
        r.value = std::nullopt; // tombstone
    } else if (i % 50 == 13) {
        r.value = QByteArray("");
    } else {
        QByteArray v = "value-" + QByteArray::number(i) + '-';
        for (int k = 0; k < i % 40; ++k)
            v += static_cast<char>((i * 31 + k * 7) & 0xff); // not UTF-8 on purpose
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
                     {QString::fromUtf8("utf-\xc3\xbc"), QByteArray("\x00\xff", 2)}};
        break;
    case 4:
        r.headers = {{QStringLiteral("dup"), QByteArray("1")},
                     {QStringLiteral("z"), std::nullopt},
                     {QStringLiteral("dup"), QByteArray("3")}};
        break;
    }
    r.headers.append({QStringLiteral("seq"), QByteArray::number(i)}); // how consumed records are matched
    if (i % 3 == 0)
        r.timestampMs = kFixedTs + i;
    return r;
}

int seqOf(const ConsumedRecord &r)
{
    if (r.headers.isEmpty() || r.headers.last().key != QStringLiteral("seq") || !r.headers.last().value)
        return -1;
    bool ok = false;
    const int i = r.headers.last().value->toInt(&ok);
    return ok ? i : -1;
}

} // namespace

class TstProduceRoundtrip final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void murmur2Vectors();
    void lingerDeliversWithoutFlush();
    void flushWithNothingQueued();
    void thousandRecordsRoundTrip();
    void acks_data();
    void acks();
    void largeRecord();
    void manySmallRecords();
    void orderKeptWithOneInFlight();
    void everyCodecReadsBack_data();
    void everyCodecReadsBack();

private:
    // Starts a client and waits for connected(); collects its reports.
    std::unique_ptr<ProducerClient> startClient(const QMap<QString, QString> &settings, QList<DeliveryReport> *reports);

    QString m_boot;
};

void TstProduceRoundtrip::initTestCase()
{
    qRegisterMetaType<QList<kpw::DeliveryReport>>();
    qRegisterMetaType<kpw::MetadataResponse>();
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstProduceRoundtrip::init()
{
    // A QTimer left behind on the caller's thread after moveToThread only
    // warns, then never fires (linger, timeouts): make that a failure.
    kpw::test::failOnCrossThreadTimers();
}

std::unique_ptr<ProducerClient> TstProduceRoundtrip::startClient(const QMap<QString, QString> &settings,
                                                                 QList<DeliveryReport> *reports)
{
    ProducerConfig config;
    auto set = config.set(QStringLiteral("bootstrap.servers"), m_boot);
    if (!set.ok()) {
        QTest::qFail(qPrintable(test::errorText(set)), __FILE__, __LINE__);
        return {};
    }
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        auto s = config.set(it.key(), it.value());
        if (!s.ok()) {
            QTest::qFail(qPrintable(test::errorText(s)), __FILE__, __LINE__);
            return {};
        }
    }
    auto client = std::make_unique<ProducerClient>();
    connect(client.get(), &ProducerClient::recordsDelivered, this,
            [reports](const QList<DeliveryReport> &batch) { reports->append(batch); });
    // The engine's log goes to the test output: it explains retries.
    connect(client.get(), &ProducerClient::logMessage, this,
            [](const QString &line) { qInfo("kpw: %s", qPrintable(line)); });
    QSignalSpy connected(client.get(), &ProducerClient::connected);
    QSignalSpy failed(client.get(), &ProducerClient::connectionFailed);
    client->start(config);
    (void)QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, 30000);
    if (connected.isEmpty()) {
        const QString why = failed.isEmpty() ? QStringLiteral("neither connected() nor connectionFailed() in 30 s")
                                             : failed.first().first().toString();
        QTest::qFail(qPrintable(QStringLiteral("connecting to %1: %2").arg(m_boot, why)), __FILE__, __LINE__);
        return {};
    }
    return client;
}

void TstProduceRoundtrip::murmur2Vectors()
{
    // apache/kafka UtilsTest, so the placement check below is itself right.
    QCOMPARE(javaMurmur2("21"), -973932308);
    QCOMPARE(javaMurmur2("foobar"), -790332482);
    QCOMPARE(javaMurmur2("a-little-bit-long-string"), -985981536);
    QCOMPARE(javaMurmur2("a-little-bit-longer-string"), -1486304829);
    QCOMPARE(javaMurmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
    QCOMPARE(javaMurmur2("abc"), 479470107);
    QCOMPARE(javaMurmur2(QByteArray("")), 275646681); // the empty key is used below
}

void TstProduceRoundtrip::thousandRecordsRoundTrip()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-roundtrip"));
    KPW_CREATE_TOPIC(m_boot, topic, kPartitions);

    QList<DeliveryReport> reports;
    auto client = startClient({}, &reports);
    QVERIFY(client);

    QList<ProducerRecord> sent;
    QHash<quint64, int> idToIndex;
    const std::int64_t before = QDateTime::currentMSecsSinceEpoch();
    quint64 previousId = 0;
    for (int i = 0; i < kRecords; ++i) {
        sent.append(makeRecord(topic, i));
        const quint64 id = client->send(sent.last());
        if (i > 0)
            QCOMPARE(id, previousId + 1); // ids increase by one per record
        previousId = id;
        idToIndex.insert(id, i);
    }
    QSignalSpy flushed(client.get(), &ProducerClient::flushed);
    client->flush();

    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), kRecords, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!flushed.isEmpty(), 10000);
    const std::int64_t after = QDateTime::currentMSecsSinceEpoch();

    QHash<int, DeliveryReport> reportByIndex;
    for (const DeliveryReport &r : std::as_const(reports)) {
        QVERIFY2(idToIndex.contains(r.id), qPrintable(QStringLiteral("report for unknown id %1").arg(r.id)));
        const int i = idToIndex.value(r.id);
        QVERIFY2(!reportByIndex.contains(i), qPrintable(QStringLiteral("two reports for record %1").arg(i)));
        reportByIndex.insert(i, r);
        QVERIFY2(r.ok(), qPrintable(QStringLiteral("record %1: %2 %3").arg(i).arg(r.errorName(), r.errorMessage)));
        QCOMPARE(r.topic, topic);
        QVERIFY(r.partition >= 0 && r.partition < kPartitions);
        QVERIFY(r.offset >= 0);
        const ProducerRecord &s = sent[i];
        QCOMPARE(r.keySize, s.key ? s.key->size() : qsizetype(-1));
        QCOMPARE(r.valueSize, s.value ? s.value->size() : qsizetype(-1));
        QVERIFY2(r.key == s.key, qPrintable(QStringLiteral("record %1: key preview").arg(i)));
        if (s.timestampMs)
            QCOMPARE(r.timestampMs, *s.timestampMs);
        else
            QVERIFY2(r.timestampMs >= before - 1 && r.timestampMs <= after + 1,
                     qPrintable(QStringLiteral("record %1: timestamp %2 outside [%3, %4]")
                                    .arg(i)
                                    .arg(r.timestampMs)
                                    .arg(before)
                                    .arg(after)));
    }
    QCOMPARE(reportByIndex.size(), kRecords);

    QString error;
    const QList<ConsumedRecord> consumed =
        consumeAll(m_boot, topic, kRecords, 60000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(consumed.size(), kRecords);

    QSet<int> seen;
    QMap<int, QList<std::int64_t>> offsetsByPartition;
    for (const ConsumedRecord &c : consumed) {
        const int i = seqOf(c);
        QVERIFY2(i >= 0 && i < kRecords, qPrintable(describe(c)));
        QVERIFY2(!seen.contains(i), qPrintable(QStringLiteral("record %1 read twice: %2").arg(i).arg(describe(c))));
        seen.insert(i);
        const ProducerRecord &s = sent[i];
        const DeliveryReport &rep = reportByIndex[i];
        const QByteArray where = QStringLiteral("record %1: %2").arg(i).arg(describe(c)).toUtf8();

        QCOMPARE(c.topic, topic);
        QVERIFY2(c.key == s.key, where.constData());
        QVERIFY2(c.value == s.value, where.constData());
        QVERIFY2(c.headers == s.headers, where.constData());
        for (int h = 0; h < s.headers.size(); ++h)
            QVERIFY2(c.headers[h].value.has_value() == s.headers[h].value.has_value(), where.constData());
        // where the report says it went
        QVERIFY2(c.partition == rep.partition, where.constData());
        QVERIFY2(c.offset == rep.offset, where.constData());
        QVERIFY2(c.timestampMs == rep.timestampMs, where.constData());
        QVERIFY(!c.logAppendTime);
        // partitioning
        if (s.partition >= 0)
            QVERIFY2(c.partition == s.partition, where.constData());
        else if (s.key)
            QVERIFY2(
                c.partition == javaPartition(*s.key, kPartitions),
                (where + " expected partition " + QByteArray::number(javaPartition(*s.key, kPartitions))).constData());
        offsetsByPartition[c.partition].append(c.offset);
    }
    // (Order within a partition is checked with one request in flight, in
    // orderKeptWithOneInFlight: with several in flight and no idempotence a
    // retried batch may land after later ones, as in the Java client.)
    // A fresh topic: every partition's offsets are 0..n-1 with no gaps.
    for (auto it = offsetsByPartition.begin(); it != offsetsByPartition.end(); ++it) {
        auto offsets = it.value();
        std::sort(offsets.begin(), offsets.end());
        for (int k = 0; k < offsets.size(); ++k)
            QCOMPARE(offsets[k], std::int64_t(k));
    }
}

void TstProduceRoundtrip::lingerDeliversWithoutFlush()
{
    // No flush(): the linger timer alone must send the batch.
    const QString topic = uniqueTopic(QStringLiteral("kpw-linger"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = startClient({{QStringLiteral("linger.ms"), QStringLiteral("100")}}, &reports);
    QVERIFY(client);
    ProducerRecord r;
    r.topic = topic;
    r.value = QByteArray("lingering");
    client->send(r);
    client->send(r);
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, 10000);
    QVERIFY(reports[0].ok() && reports[1].ok());
}

void TstProduceRoundtrip::flushWithNothingQueued()
{
    QList<DeliveryReport> reports;
    auto client = startClient({}, &reports);
    QVERIFY(client);
    QSignalSpy flushed(client.get(), &ProducerClient::flushed);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(flushed.size(), 1, 5000);
    QVERIFY(reports.isEmpty());
}

void TstProduceRoundtrip::acks_data()
{
    QTest::addColumn<QString>("acks");
    QTest::newRow("0") << QStringLiteral("0");
    QTest::newRow("1") << QStringLiteral("1");
    QTest::newRow("all") << QStringLiteral("all");
}

void TstProduceRoundtrip::acks()
{
    QFETCH(QString, acks);
    const QString topic = uniqueTopic(QStringLiteral("kpw-acks"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = startClient({{QStringLiteral("acks"), acks}}, &reports);
    QVERIFY(client);
    constexpr int n = 100;
    QList<ProducerRecord> records;
    for (int i = 0; i < n; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.value = QByteArray::number(i);
        records.append(r);
    }
    client->send(records);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), n, 30000);
    for (const auto &r : std::as_const(reports)) {
        QVERIFY2(r.ok(), qPrintable(r.errorName() + QStringLiteral(" ") + r.errorMessage));
        if (acks == QStringLiteral("0"))
            QCOMPARE(r.offset, std::int64_t(-1)); // nobody told us
        else
            QVERIFY(r.offset >= 0);
    }
    const auto consumed = consumeAll(m_boot, topic, n, 30000);
    QCOMPARE(consumed.size(), n);
    for (int i = 0; i < n; ++i)
        QCOMPARE(consumed[i].value, std::optional<QByteArray>(QByteArray::number(i)));
}

void TstProduceRoundtrip::largeRecord()
{
    // Close to the 1 MiB defaults on both sides (max.request.size here,
    // message.max.bytes on the broker).
    const QString topic = uniqueTopic(QStringLiteral("kpw-large"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = startClient({}, &reports);
    QVERIFY(client);
    QByteArray big(900 * 1024, Qt::Uninitialized);
    QRandomGenerator rng(5);
    for (auto &c : big)
        c = static_cast<char>(rng.bounded(256));
    ProducerRecord r;
    r.topic = topic;
    r.key = QByteArray("big");
    r.value = big;
    ProducerRecord small = r;
    small.value = QByteArray("small");
    client->send(r);
    client->send(small);
    client->send(r);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 3, 30000);
    for (const auto &rep : std::as_const(reports))
        QVERIFY2(rep.ok(), qPrintable(rep.errorName() + QStringLiteral(" ") + rep.errorMessage));
    const auto consumed = consumeAll(m_boot, topic, 3, 30000);
    QCOMPARE(consumed.size(), 3);
    QVERIFY(consumed[0].value == std::optional<QByteArray>(big));
    QVERIFY(consumed[1].value == std::optional<QByteArray>(QByteArray("small")));
    QVERIFY(consumed[2].value == std::optional<QByteArray>(big));
}

void TstProduceRoundtrip::manySmallRecords()
{
    // Enough records for many batches per partition and several requests in
    // flight at once.
    const QString topic = uniqueTopic(QStringLiteral("kpw-many"));
    KPW_CREATE_TOPIC(m_boot, topic, kPartitions);
    QList<DeliveryReport> reports;
    auto client = startClient(
        {{QStringLiteral("linger.ms"), QStringLiteral("5")}, {QStringLiteral("batch.size"), QStringLiteral("4096")}},
        &reports);
    QVERIFY(client);
    constexpr int n = 30000;
    QList<ProducerRecord> records;
    records.reserve(n);
    for (int i = 0; i < n; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.partition = i % kPartitions;
        r.value = QByteArray::number(i).rightJustified(100, '.');
        records.append(r);
    }
    for (int at = 0; at < n; at += 1000)
        client->send(records.mid(at, 1000));
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), n, 60000);
    int failed = 0;
    for (const auto &r : std::as_const(reports))
        failed += r.ok() ? 0 : 1;
    QCOMPARE(failed, 0);

    const auto consumed = consumeAll(m_boot, topic, n, 60000);
    QCOMPARE(consumed.size(), n);
    QSet<int> seen;
    for (const auto &c : consumed) {
        const int i = c.value->trimmed().replace('.', "").toInt();
        QCOMPARE(c.partition, i % kPartitions);
        seen.insert(i);
    }
    QCOMPARE(seen.size(), n);
}

void TstProduceRoundtrip::orderKeptWithOneInFlight()
{
    // max.in.flight.requests.per.connection=1: even when a batch is retried
    // (a fresh topic often answers NOT_LEADER_OR_FOLLOWER at first), records
    // of one partition are written in send order.
    for (int round = 0; round < 3; ++round) {
        const QString topic = uniqueTopic(QStringLiteral("kpw-order"));
        KPW_CREATE_TOPIC(m_boot, topic, kPartitions);
        QList<DeliveryReport> reports;
        auto client = startClient({{QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")},
                                   {QStringLiteral("batch.size"), QStringLiteral("2048")}},
                                  &reports);
        QVERIFY(client);
        constexpr int n = 3000;
        QList<ProducerRecord> records;
        for (int i = 0; i < n; ++i) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = i % kPartitions;
            r.value = QByteArray::number(i);
            records.append(r);
        }
        for (int at = 0; at < n; at += 100)
            client->send(records.mid(at, 100));
        client->flush();
        QTRY_COMPARE_WITH_TIMEOUT(reports.size(), n, 60000);
        int retried = 0;
        for (const auto &r : std::as_const(reports)) {
            QVERIFY2(r.ok(), qPrintable(r.errorName() + QStringLiteral(" ") + r.errorMessage));
            retried += r.attempts > 1 ? 1 : 0;
        }
        const auto consumed = consumeAll(m_boot, topic, n, 60000);
        QCOMPARE(consumed.size(), n);
        QHash<int, int> last;
        for (const auto &c : consumed) {
            const int i = c.value->toInt();
            QVERIFY2(i > last.value(c.partition, -1), qPrintable(QStringLiteral("partition %1: record %2 after %3 "
                                                                                "(%4 records were retried)")
                                                                     .arg(c.partition)
                                                                     .arg(i)
                                                                     .arg(last.value(c.partition))
                                                                     .arg(retried)));
            last[c.partition] = i;
        }
        qInfo("round %d: %d of %d records needed a retry", round, retried, n);
    }
}

void TstProduceRoundtrip::everyCodecReadsBack_data()
{
    QTest::addColumn<QString>("codec");
    for (const char *c : {"none", "gzip", "snappy", "lz4", "zstd"})
        QTest::newRow(c) << QString::fromLatin1(c);
}

void TstProduceRoundtrip::everyCodecReadsBack()
{
    // The broker validates (and for lz4/snappy/zstd re-reads) every batch;
    // librdkafka then decompresses what the broker stored.
    QFETCH(QString, codec);
    const QString topic = uniqueTopic(QStringLiteral("kpw-codec-") + codec);
    KPW_CREATE_TOPIC(m_boot, topic, 1);

    QList<DeliveryReport> reports;
    // One request in flight: this test checks send order, which without
    // idempotence only survives a retry (a fresh topic's first Produce may
    // meet NOT_LEADER_OR_FOLLOWER) with one request out at a time.
    auto client = startClient({{QStringLiteral("compression.type"), codec},
                               {QStringLiteral("linger.ms"), QStringLiteral("50")},
                               {QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")}},
                              &reports);
    QVERIFY(client);
    constexpr int n = 300;
    QList<ProducerRecord> sent;
    for (int i = 0; i < n; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.key = QByteArray("k") + QByteArray::number(i);
        r.value = QByteArray("compressible payload ").repeated(1 + i % 20) + QByteArray::number(i);
        r.headers = {{QStringLiteral("i"), QByteArray::number(i)}};
        sent.append(r);
    }
    client->send(sent);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), n, 30000);
    for (const auto &r : std::as_const(reports))
        QVERIFY2(r.ok(), qPrintable(QStringLiteral("%1: %2 %3").arg(codec, r.errorName(), r.errorMessage)));

    QString error;
    const auto consumed = consumeAll(m_boot, topic, n, 30000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(consumed.size(), n);
    for (int i = 0; i < n; ++i) {
        // one partition: consumed in the order sent
        QCOMPARE(consumed[i].offset, std::int64_t(i));
        QVERIFY2(consumed[i].key == sent[i].key, qPrintable(describe(consumed[i])));
        QVERIFY2(consumed[i].value == sent[i].value, qPrintable(describe(consumed[i])));
        QVERIFY2(consumed[i].headers == sent[i].headers, qPrintable(describe(consumed[i])));
    }
}

QTEST_GUILESS_MAIN(TstProduceRoundtrip)
#include "tst_produce_roundtrip.moc"
