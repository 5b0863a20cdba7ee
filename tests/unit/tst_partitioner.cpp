// murmur2 and the keyed partition choice against apache/kafka's UtilsTest
// vectors and, for many random keys, against librdkafka's murmur2
// partitioner (documented as Java compatible).

#include "records/Partitioner.h"

#include <QRandomGenerator>
#include <QTest>

#include <librdkafka/rdkafka.h>

using namespace kpw;

class TstPartitioner final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void javaVectors_data();
    void javaVectors();
    void partitionIsNonNegativeModulo();
    void matchesLibrdkafka();
};

void TstPartitioner::javaVectors_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("hash");
    QTest::newRow("21") << QByteArray("21") << -973932308;
    QTest::newRow("foobar") << QByteArray("foobar") << -790332482;
    QTest::newRow("a-little-bit-long-string") << QByteArray("a-little-bit-long-string") << -985981536;
    QTest::newRow("a-little-bit-longer-string") << QByteArray("a-little-bit-longer-string") << -1486304829;
    QTest::newRow("lkjh...") << QByteArray("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") << -58897971;
    QTest::newRow("abc") << QByteArray("abc") << 479470107;
    QTest::newRow("empty") << QByteArray("") << 275646681;
}

void TstPartitioner::javaVectors()
{
    QFETCH(QByteArray, key);
    QFETCH(int, hash);
    QCOMPARE(murmur2(key), hash);
}

void TstPartitioner::partitionIsNonNegativeModulo()
{
    // Utils.toPositive(h) % n, i.e. (h & 0x7fffffff) % n; not abs(h) % n.
    const std::int32_t h = murmur2(QByteArray("foobar")); // negative
    QVERIFY(h < 0);
    for (int n : {1, 2, 3, 7, 10, 12, 50, 1000})
        QCOMPARE(murmur2Partition(QByteArray("foobar"), n), (h & 0x7fffffff) % n);
    QCOMPARE(murmur2Partition(QByteArray("foobar"), 1), 0);
}

void TstPartitioner::matchesLibrdkafka()
{
    QRandomGenerator rng(2024);
    for (int i = 0; i < 5000; ++i) {
        QByteArray key(rng.bounded(0, 70), Qt::Uninitialized);
        for (auto &c : key)
            c = static_cast<char>(rng.bounded(256)); // bytes >= 0x80 included: Java's bytes are signed
        for (int n : {1, 3, 7, 12, 100, 2999}) {
            const std::int32_t expected = rd_kafka_msg_partitioner_murmur2(
                nullptr, key.constData(), static_cast<size_t>(key.size()), n, nullptr, nullptr);
            const std::int32_t got = murmur2Partition(key, n);
            if (got != expected)
                QFAIL(qPrintable(QStringLiteral("key %1, %2 partitions: kpw %3, librdkafka %4")
                                     .arg(QString::fromLatin1(key.toHex()))
                                     .arg(n)
                                     .arg(got)
                                     .arg(expected)));
        }
    }
}

QTEST_GUILESS_MAIN(TstPartitioner)
#include "tst_partitioner.moc"
