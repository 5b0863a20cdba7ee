// CRC-32C (Castagnoli): the check value from the CRC catalogue, the iSCSI
// vectors of RFC 3720 B.4, and the hardware path against the portable one.

#include "records/Crc32c.h"

#include <QByteArray>
#include <QRandomGenerator>
#include <QTest>

#include <cstdint>

using namespace kpw;

class TstCrc32c final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownVectors_data();
    void knownVectors();
    void emptyInput();
    void pathsAgreeOnRandomBuffers();
    void incremental();
};

void TstCrc32c::knownVectors_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<quint32>("crc");
    QTest::newRow("123456789") << QByteArray("123456789") << 0xE3069283u;
    // RFC 3720 B.4
    QTest::newRow("32 zeros") << QByteArray(32, '\0') << 0x8A9136AAu;
    QTest::newRow("32 0xff") << QByteArray(32, '\xff') << 0x62A8AB43u;
    QByteArray ascending(32, '\0');
    QByteArray descending(32, '\0');
    for (int i = 0; i < 32; ++i) {
        ascending[i] = static_cast<char>(i);
        descending[i] = static_cast<char>(31 - i);
    }
    QTest::newRow("0..31") << ascending << 0x46DD794Eu;
    QTest::newRow("31..0") << descending << 0x113FDB5Cu;
    QTest::newRow("a") << QByteArray("a") << 0xC1D04330u;
}

void TstCrc32c::knownVectors()
{
    QFETCH(QByteArray, data);
    QFETCH(quint32, crc);
    QCOMPARE(crc32c(data.constData(), static_cast<std::size_t>(data.size())), crc);
    QCOMPARE(crc32cPortable(data.constData(), static_cast<std::size_t>(data.size())), crc);
}

void TstCrc32c::emptyInput()
{
    QCOMPARE(crc32c(nullptr, 0), 0u);
    QCOMPARE(crc32cPortable(nullptr, 0), 0u);
    // An empty continuation leaves the running value alone.
    QCOMPARE(crc32c("", 0, 0xE3069283u), 0xE3069283u);
    QCOMPARE(crc32cPortable("", 0, 0xE3069283u), 0xE3069283u);
}

void TstCrc32c::pathsAgreeOnRandomBuffers()
{
    QRandomGenerator rng(20240611);
    QByteArray pool(70000, Qt::Uninitialized);
    for (auto &c : pool)
        c = static_cast<char>(rng.bounded(256));

    QList<int> lengths;
    for (int n = 0; n <= 300; ++n)
        lengths.append(n);
    lengths << 511 << 512 << 513 << 1023 << 4096 << 4099 << 65535 << 65536 << 65537;
    for (int n : lengths) {
        for (int align = 0; align < 16; ++align) {
            const char *p = pool.constData() + align;
            const auto size = static_cast<std::size_t>(n);
            const std::uint32_t fast = crc32c(p, size);
            const std::uint32_t portable = crc32cPortable(p, size);
            if (fast != portable)
                QFAIL(qPrintable(QStringLiteral("length %1, alignment %2: crc32c %3 != portable %4")
                                     .arg(n)
                                     .arg(align)
                                     .arg(fast, 8, 16, QLatin1Char('0'))
                                     .arg(portable, 8, 16, QLatin1Char('0'))));
        }
    }
    // Also with a non-zero starting value.
    for (int n : {1, 7, 8, 9, 63, 64, 65, 1000}) {
        const quint32 seed = rng.generate();
        QCOMPARE(crc32c(pool.constData() + 3, static_cast<std::size_t>(n), seed),
                 crc32cPortable(pool.constData() + 3, static_cast<std::size_t>(n), seed));
    }
}

void TstCrc32c::incremental()
{
    QRandomGenerator rng(7);
    QByteArray data(5000, Qt::Uninitialized);
    for (auto &c : data)
        c = static_cast<char>(rng.bounded(256));
    const auto whole = crc32c(data.constData(), static_cast<std::size_t>(data.size()));
    QCOMPARE(crc32cPortable(data.constData(), static_cast<std::size_t>(data.size())), whole);

    for (int split : {0, 1, 3, 7, 8, 9, 15, 16, 17, 100, 2048, 4999, 5000}) {
        const auto a = static_cast<std::size_t>(split);
        const auto b = static_cast<std::size_t>(data.size() - split);
        const char *p = data.constData();
        QCOMPARE(crc32c(p + a, b, crc32c(p, a)), whole);
        QCOMPARE(crc32cPortable(p + a, b, crc32cPortable(p, a)), whole);
        // The paths can hand over to each other mid-stream.
        QCOMPARE(crc32cPortable(p + a, b, crc32c(p, a)), whole);
        QCOMPARE(crc32c(p + a, b, crc32cPortable(p, a)), whole);
    }

    // "1234" then "56789" equals "123456789".
    QCOMPARE(crc32c("56789", 5, crc32c("1234", 4)), 0xE3069283u);
    QCOMPARE(crc32cPortable("56789", 5, crc32cPortable("1234", 4)), 0xE3069283u);

    // Byte by byte.
    std::uint32_t running = 0;
    for (char c : QByteArray("123456789"))
        running = crc32c(&c, 1, running);
    QCOMPARE(running, 0xE3069283u);
}

QTEST_GUILESS_MAIN(TstCrc32c)
#include "tst_crc32c.moc"
