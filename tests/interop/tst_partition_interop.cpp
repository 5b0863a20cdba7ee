// Keyed records land where the Java client would put them: 500 distinct keys
// (ASCII, UTF-8, binary, the empty key) produced by kpw's default partitioner
// to a 7-partition topic must sit in the same partitions as the same keys
// produced by librdkafka with partitioner=murmur2_random (the Java-compatible
// one) to another 7-partition topic, and as the Java client's own
// BuiltInPartitioner.partitionForKey / Utils.murmur2 compute (run from the
// same jars as the broker). Both topics are read back with librdkafka, so
// the placement is what the broker stored, not what a producer reported.
//
// apache/kafka's UtilsTest murmur2 vectors are checked in tests/unit/tst_partitioner.

#include "JavaOracle.h"
#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"
#include "records/Partitioner.h"

#include <QHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <librdkafka/rdkafka.h>

using namespace kpw;
using namespace kpw::test;
using namespace kpw::test::interop;

namespace {

constexpr int kKeys = 500;
constexpr int kPartitions = 7;

// 500 distinct keys, the same on every run: the empty key, ASCII, UTF-8 in
// several scripts, and binary keys of 1..64 bytes (NULs and bytes >= 0x80,
// which Java hashes as negative bytes).
QList<QByteArray> makeKeys()
{
    QList<QByteArray> keys;
    QSet<QByteArray> seen;
    const auto add = [&](const QByteArray &k) {
        if (!seen.contains(k) && keys.size() < kKeys) {
            seen.insert(k);
            keys.append(k);
        }
    };
    add(QByteArray(""));
    for (const char *k : {"21", "foobar", "a-little-bit-long-string", "abc", "a", "0"})
        add(QByteArray(k));
    for (int i = 0; i < 150; ++i)
        add(QByteArray("user-") + QByteArray::number(i * 7919));
    const QStringList utf8Prefixes = {QStringLiteral("ключ-"), QStringLiteral("键-"), QStringLiteral("🔑-"),
                                      QStringLiteral("clé-"), QStringLiteral("مفتاح-")};
    for (int i = 0; i < 150; ++i)
        add((utf8Prefixes[i % utf8Prefixes.size()] + QString::number(i)).toUtf8());
    QRandomGenerator rng(794);
    while (keys.size() < kKeys) {
        QByteArray k(rng.bounded(1, 65), Qt::Uninitialized);
        for (auto &c : k)
            c = static_cast<char>(rng.bounded(256));
        if (keys.size() % 10 == 0)
            k[0] = '\0';
        add(k);
    }
    return keys;
}

QString hex(const QByteArray &key)
{
    return key.isEmpty() ? QStringLiteral("(empty)") : QString::fromLatin1(key.toHex());
}

// Key -> partition, from records read back by librdkafka; the value of each
// record is the key's index. Fails the test (returns false) on anything odd.
bool placementFromTopic(const QString &boot, const QString &topic, const QList<QByteArray> &keys, QList<int> *placement,
                        QString *error)
{
    const QList<ConsumedRecord> consumed =
        consumeAll(boot, topic, keys.size(), 60000, QStringLiteral("read_uncommitted"), error);
    if (!error->isEmpty())
        return false;
    placement->fill(-1, keys.size());
    for (const ConsumedRecord &c : consumed) {
        bool ok = false;
        const int i = c.value ? c.value->toInt(&ok) : -1;
        if (!ok || i < 0 || i >= keys.size() || !c.key || *c.key != keys[i] || (*placement)[i] != -1) {
            *error = QStringLiteral("%1: unexpected record %2").arg(topic, describe(c));
            return false;
        }
        (*placement)[i] = c.partition;
    }
    if (consumed.size() != keys.size()) {
        *error = QStringLiteral("%1: read %2 of %3 records").arg(topic).arg(consumed.size()).arg(keys.size());
        return false;
    }
    return true;
}

// Produces every key (value: its index) with librdkafka's Java-compatible
// partitioner.
bool produceWithLibrdkafka(const QString &boot, const QString &topic, const QList<QByteArray> &keys, QString *error)
{
    struct Outcome
    {
        int delivered = 0;
        int failed = 0;
        QString firstError;
    } outcome;
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const QByteArray bootUtf8 = boot.toUtf8();
    for (const auto &[name, value] :
         {std::pair{"bootstrap.servers", bootUtf8.constData()}, std::pair{"partitioner", "murmur2_random"},
          std::pair{"acks", "all"}, std::pair{"linger.ms", "5"}, std::pair{"log_level", "3"}}) {
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            *error = QStringLiteral("librdkafka config %1: %2").arg(QLatin1StringView(name), QString::fromUtf8(errstr));
            rd_kafka_conf_destroy(conf);
            return false;
        }
    }
    rd_kafka_conf_set_opaque(conf, &outcome);
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t *, const rd_kafka_message_t *m, void *opaque) {
        auto *o = static_cast<Outcome *>(opaque);
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++o->delivered;
        } else {
            ++o->failed;
            if (o->firstError.isEmpty())
                o->firstError = QString::fromUtf8(rd_kafka_err2str(m->err));
        }
    });
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        *error = QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr));
        return false;
    }
    const QByteArray topicUtf8 = topic.toUtf8();
    for (int i = 0; i < keys.size(); ++i) {
        const QByteArray value = QByteArray::number(i);
        rd_kafka_resp_err_t err;
        do {
            // constData() of an empty QByteArray is "" (not null): an empty key, not a null one.
            err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topicUtf8.constData()),
                RD_KAFKA_V_KEY(const_cast<char *>(keys[i].constData()), static_cast<size_t>(keys[i].size())),
                RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), static_cast<size_t>(value.size())),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 100);
        } while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            *error = QStringLiteral("rd_kafka_producev: %1").arg(QString::fromUtf8(rd_kafka_err2str(err)));
            rd_kafka_destroy(rk);
            return false;
        }
    }
    const rd_kafka_resp_err_t flushErr = rd_kafka_flush(rk, 60000);
    rd_kafka_destroy(rk);
    if (flushErr != RD_KAFKA_RESP_ERR_NO_ERROR || outcome.delivered != keys.size()) {
        *error = QStringLiteral("librdkafka delivered %1 of %2 records (%3 failed: %4; flush: %5)")
                     .arg(outcome.delivered)
                     .arg(keys.size())
                     .arg(outcome.failed)
                     .arg(outcome.firstError, QString::fromUtf8(rd_kafka_err2str(flushErr)));
        return false;
    }
    return true;
}

} // namespace

class TstPartitionInterop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void javaPartitionerMatchesKpw();
    void placementAgreesAcrossClients();

private:
    // The Java client's partition for every key (run once, cached); empty
    // after a recorded failure.
    const QList<int> &javaPlacement();

    QString m_boot;
    QList<QByteArray> m_keys;
    QList<int> m_javaPartition;
    QList<std::int32_t> m_javaHash;
    std::optional<JavaRun> m_javaRun;
};

void TstPartitionInterop::initTestCase()
{
    qRegisterMetaType<QList<kpw::DeliveryReport>>();
    qRegisterMetaType<kpw::MetadataResponse>();
    m_keys = makeKeys();
    QCOMPARE(m_keys.size(), kKeys);
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstPartitionInterop::init()
{
    kpw::test::failOnCrossThreadTimers();
}

const QList<int> &TstPartitionInterop::javaPlacement()
{
    if (!m_javaRun) {
        QByteArray input;
        for (const QByteArray &k : std::as_const(m_keys))
            input += k.toBase64() + '\n';
        m_javaRun = runJavaReadBack({QStringLiteral("--partition"), QString::number(kPartitions)}, input);
        QList<int> partitions;
        QList<std::int32_t> hashes;
        for (const QByteArray &line : std::as_const(m_javaRun->out)) {
            if (!line.startsWith("P "))
                continue;
            const QList<QByteArray> f = line.split(' ');
            bool a = false, b = false;
            const int hash = f.value(1).toInt(&a);
            const int partition = f.value(2).toInt(&b);
            if (f.size() != 3 || !a || !b) {
                m_javaRun->problem = QStringLiteral("malformed line %1").arg(QString::fromUtf8(line));
                break;
            }
            hashes.append(hash);
            partitions.append(partition);
        }
        if (m_javaRun->ok() && m_javaRun->problem.isEmpty() && partitions.size() == m_keys.size()) {
            m_javaHash = hashes;
            m_javaPartition = partitions;
        } else if (m_javaRun->problem.isEmpty() && m_javaRun->ok()) {
            m_javaRun->problem = QStringLiteral("%1 answers for %2 keys").arg(partitions.size()).arg(m_keys.size());
        }
    }
    if (m_javaPartition.isEmpty())
        QTest::qFail(qPrintable(QStringLiteral("Java partitioner: ") + m_javaRun->summary()), __FILE__, __LINE__);
    return m_javaPartition;
}

void TstPartitionInterop::javaPartitionerMatchesKpw()
{
    // Pure computation on both sides: Java's Utils.murmur2 and
    // BuiltInPartitioner.partitionForKey against kpw::murmur2 and
    // kpw::murmur2Partition.
    const QList<int> &java = javaPlacement();
    if (java.isEmpty())
        return;
    QStringList diffs;
    for (int i = 0; i < m_keys.size(); ++i) {
        const std::int32_t hash = murmur2(m_keys[i]);
        const std::int32_t partition = murmur2Partition(m_keys[i], kPartitions);
        if (hash != m_javaHash[i] || partition != java[i])
            diffs.append(QStringLiteral("key %1: Java murmur2 %2 -> partition %3, kpw %4 -> %5")
                             .arg(hex(m_keys[i]))
                             .arg(m_javaHash[i])
                             .arg(java[i])
                             .arg(hash)
                             .arg(partition));
    }
    QVERIFY2(diffs.isEmpty(), qPrintable(QStringLiteral("%1 of %2 keys differ:\n").arg(diffs.size()).arg(kKeys) +
                                         diffs.mid(0, 10).join(QLatin1Char('\n'))));
}

void TstPartitionInterop::placementAgreesAcrossClients()
{
    QVERIFY2(!m_boot.isEmpty(), "no broker (see initTestCase)");
    const QString kpwTopic = uniqueTopic(QStringLiteral("kpw-interop-part-kpw"));
    const QString rdkTopic = uniqueTopic(QStringLiteral("kpw-interop-part-rdk"));
    KPW_CREATE_TOPIC(m_boot, kpwTopic, kPartitions);
    KPW_CREATE_TOPIC(m_boot, rdkTopic, kPartitions);

    // kpw, default partitioner.
    {
        ProducerConfig config;
        const auto set = config.set(QStringLiteral("bootstrap.servers"), m_boot);
        QVERIFY2(set.ok(), qPrintable(errorText(set)));
        QList<DeliveryReport> reports; // outlives the client that fills it
        ProducerClient client;
        connect(&client, &ProducerClient::recordsDelivered, this,
                [&reports](const QList<DeliveryReport> &batch) { reports.append(batch); });
        QSignalSpy connected(&client, &ProducerClient::connected);
        QSignalSpy failed(&client, &ProducerClient::connectionFailed);
        QSignalSpy flushed(&client, &ProducerClient::flushed);
        client.start(config);
        QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
        QList<ProducerRecord> records;
        for (int i = 0; i < m_keys.size(); ++i) {
            ProducerRecord r;
            r.topic = kpwTopic;
            r.key = m_keys[i];
            r.value = QByteArray::number(i);
            records.append(r);
        }
        client.send(records);
        client.flush();
        QTRY_VERIFY_WITH_TIMEOUT(reports.size() >= kKeys && !flushed.isEmpty(), 60000);
        QCOMPARE(reports.size(), kKeys);
        for (const DeliveryReport &r : std::as_const(reports))
            QVERIFY2(r.ok(), qPrintable(QStringLiteral("kpw: %1 %2").arg(r.errorName(), r.errorMessage)));
    }

    // librdkafka, murmur2_random.
    QString error;
    QVERIFY2(produceWithLibrdkafka(m_boot, rdkTopic, m_keys, &error), qPrintable(error));

    QList<int> kpwPlacement, rdkPlacement;
    QVERIFY2(placementFromTopic(m_boot, kpwTopic, m_keys, &kpwPlacement, &error), qPrintable(error));
    QVERIFY2(placementFromTopic(m_boot, rdkTopic, m_keys, &rdkPlacement, &error), qPrintable(error));
    const QList<int> &java = javaPlacement();
    if (java.isEmpty())
        return;

    QStringList diffs;
    QSet<int> used;
    for (int i = 0; i < m_keys.size(); ++i) {
        used.insert(kpwPlacement[i]);
        if (kpwPlacement[i] != rdkPlacement[i] || kpwPlacement[i] != java[i])
            diffs.append(QStringLiteral("key %1: kpw put it in partition %2, librdkafka (murmur2_random) in %3, "
                                        "the Java partitioner says %4")
                             .arg(hex(m_keys[i]))
                             .arg(kpwPlacement[i])
                             .arg(rdkPlacement[i])
                             .arg(java[i]));
    }
    QVERIFY2(diffs.isEmpty(),
             qPrintable(QStringLiteral("%1 of %2 keys placed differently:\n").arg(diffs.size()).arg(kKeys) +
                        diffs.mid(0, 10).join(QLatin1Char('\n'))));
    QCOMPARE(used.size(), kPartitions); // not vacuous: the keys spread over every partition
}

QTEST_GUILESS_MAIN(TstPartitionInterop)
#include "tst_partition_interop.moc"
