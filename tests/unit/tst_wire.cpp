// ByteWriter/ByteReader against bytes derived by hand from the Kafka protocol
// guide (zig-zag varints as in protobuf, compact = length + 1), and the
// reader's behaviour on hostile input.

#include "MemoryCap.h"
#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"

#include <QTest>

#include <cstdint>
#include <deque>
#include <limits>
#include <new>
#include <vector>

using namespace kpw;

namespace {

// ByteReader does not own its bytes: keep every test buffer alive for the
// whole run, so `ByteReader r(hex("..."))` reads live memory.
const QByteArray &hex(const char *h)
{
    static std::deque<QByteArray> keep;
    keep.push_back(QByteArray::fromHex(h));
    return keep.back();
}

template <typename F> QByteArray written(F &&f)
{
    ByteWriter w;
    f(w);
    return w.take();
}

} // namespace

class TstWire final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bigEndianIntegers();
    void varint_data();
    void varint();
    void varlong_data();
    void varlong();
    void unsignedVarint_data();
    void unsignedVarint();
    void strings();
    void bytesAndArrays();
    void placeholders();
    void roundTrip();
    void truncatedInts();
    void negativeLengths();
    void lengthsBeyondBuffer();
    void hugeArrayCountFailsWithoutAllocating();
    void overlongVarints();
    void taggedFields();
    void taggedFieldsOverrun();
    void stickyFailure();
    void addressSpaceCapWorks();
};

void TstWire::bigEndianIntegers()
{
    QCOMPARE(written([](ByteWriter &w) { w.int8(-2); }), hex("fe"));
    QCOMPARE(written([](ByteWriter &w) { w.int16(0x0102); }), hex("0102"));
    QCOMPARE(written([](ByteWriter &w) { w.int16(-1); }), hex("ffff"));
    QCOMPARE(written([](ByteWriter &w) { w.int32(-2); }), hex("fffffffe"));
    QCOMPARE(written([](ByteWriter &w) { w.int32(0x01020304); }), hex("01020304"));
    QCOMPARE(written([](ByteWriter &w) { w.uint32(0xE3069283u); }), hex("e3069283"));
    QCOMPARE(written([](ByteWriter &w) { w.int64(0x0102030405060708LL); }), hex("0102030405060708"));
    QCOMPARE(written([](ByteWriter &w) { w.int64(std::numeric_limits<std::int64_t>::min()); }),
             hex("8000000000000000"));
    QCOMPARE(written([](ByteWriter &w) { w.boolean(true); }), hex("01"));
    QCOMPARE(written([](ByteWriter &w) { w.boolean(false); }), hex("00"));

    const QByteArray in = hex("fe"
                              "0102"
                              "fffffffe"
                              "e3069283"
                              "8000000000000000"
                              "01");
    ByteReader r(in);
    QCOMPARE(r.int8(), std::int8_t(-2));
    QCOMPARE(r.int16(), std::int16_t(0x0102));
    QCOMPARE(r.int32(), std::int32_t(-2));
    QCOMPARE(r.uint32(), 0xE3069283u);
    QCOMPARE(r.int64(), std::numeric_limits<std::int64_t>::min());
    QCOMPARE(r.boolean(), true);
    QVERIFY(r.ok());
    QVERIFY(r.atEnd());
    QCOMPARE(r.remaining(), 0);
}

void TstWire::varint_data()
{
    QTest::addColumn<qint32>("value");
    QTest::addColumn<QByteArray>("bytes");
    // zig-zag: 0->0, -1->1, 1->2, -2->3, ...; then 7 bits per byte, low first.
    QTest::newRow("0") << 0 << hex("00");
    QTest::newRow("-1") << -1 << hex("01");
    QTest::newRow("1") << 1 << hex("02");
    QTest::newRow("-2") << -2 << hex("03");
    QTest::newRow("63") << 63 << hex("7e");
    QTest::newRow("-64") << -64 << hex("7f");
    QTest::newRow("64") << 64 << hex("8001");
    QTest::newRow("-65") << -65 << hex("8101");
    QTest::newRow("150") << 150 << hex("ac02");
    QTest::newRow("8191") << 8191 << hex("fe7f");
    QTest::newRow("8192") << 8192 << hex("808001");
    QTest::newRow("INT32_MAX") << std::numeric_limits<qint32>::max() << hex("feffffff0f");
    QTest::newRow("INT32_MIN") << std::numeric_limits<qint32>::min() << hex("ffffffff0f");
}

void TstWire::varint()
{
    QFETCH(qint32, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(written([&](ByteWriter &w) { w.varint(value); }), bytes);
    QCOMPARE(ByteWriter::varintSize(value), bytes.size());
    ByteReader r(bytes);
    QCOMPARE(r.varint(), value);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.atEnd());
}

void TstWire::varlong_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("0") << qint64(0) << hex("00");
    QTest::newRow("-1") << qint64(-1) << hex("01");
    QTest::newRow("1") << qint64(1) << hex("02");
    QTest::newRow("-64") << qint64(-64) << hex("7f");
    QTest::newRow("64") << qint64(64) << hex("8001");
    QTest::newRow("INT32_MAX") << qint64(std::numeric_limits<qint32>::max()) << hex("feffffff0f");
    QTest::newRow("2^32") << (qint64(1) << 32) << hex("8080808020");
    QTest::newRow("INT64_MAX") << std::numeric_limits<qint64>::max() << hex("feffffffffffffffff01");
    QTest::newRow("INT64_MIN") << std::numeric_limits<qint64>::min() << hex("ffffffffffffffffff01");
}

void TstWire::varlong()
{
    QFETCH(qint64, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(written([&](ByteWriter &w) { w.varlong(value); }), bytes);
    QCOMPARE(ByteWriter::varlongSize(value), bytes.size());
    ByteReader r(bytes);
    QCOMPARE(r.varlong(), value);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.atEnd());
}

void TstWire::unsignedVarint_data()
{
    QTest::addColumn<quint32>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("0") << 0u << hex("00");
    QTest::newRow("1") << 1u << hex("01");
    QTest::newRow("127") << 127u << hex("7f");
    QTest::newRow("128") << 128u << hex("8001");
    QTest::newRow("300") << 300u << hex("ac02");
    QTest::newRow("16383") << 16383u << hex("ff7f");
    QTest::newRow("16384") << 16384u << hex("808001");
    QTest::newRow("2^28") << (1u << 28) << hex("8080808001");
    QTest::newRow("UINT32_MAX") << std::numeric_limits<quint32>::max() << hex("ffffffff0f");
}

void TstWire::unsignedVarint()
{
    QFETCH(quint32, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(written([&](ByteWriter &w) { w.unsignedVarint(value); }), bytes);
    ByteReader r(bytes);
    QCOMPARE(r.unsignedVarint(), value);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.atEnd());
}

void TstWire::strings()
{
    // Classic STRING: INT16 length; NULLABLE_STRING null = -1.
    QCOMPARE(written([](ByteWriter &w) { w.string(QStringLiteral("abc"), false); }), hex("0003616263"));
    QCOMPARE(written([](ByteWriter &w) { w.string(QString(), false); }), hex("0000"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableString(std::nullopt, false); }), hex("ffff"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableString(QStringLiteral("abc"), false); }), hex("0003616263"));
    // COMPACT_STRING: UNSIGNED_VARINT length + 1; null = 0.
    QCOMPARE(written([](ByteWriter &w) { w.string(QStringLiteral("abc"), true); }), hex("04616263"));
    QCOMPARE(written([](ByteWriter &w) { w.string(QString(), true); }), hex("01"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableString(std::nullopt, true); }), hex("00"));
    // Lengths count UTF-8 bytes, not characters.
    QCOMPARE(written([](ByteWriter &w) { w.string(QString::fromUtf8("\xc3\xa9"), true); }), hex("03c3a9"));
    QCOMPARE(written([](ByteWriter &w) { w.string(QString::fromUtf8("\xc3\xa9"), false); }), hex("0002c3a9"));
    // A 127-byte compact string needs a two-byte length (128).
    const QString s127(127, QLatin1Char('x'));
    const QByteArray c127 = written([&](ByteWriter &w) { w.string(s127, true); });
    QCOMPARE(c127.left(2), hex("8001"));
    QCOMPARE(c127.size(), 129);

    ByteReader r(hex("0003616263"
                     "ffff"
                     "0000"
                     "04616263"
                     "00"
                     "01"
                     "03c3a9"));
    QCOMPARE(r.string(false), QStringLiteral("abc"));
    QVERIFY(!r.nullableString(false).has_value());
    const auto empty = r.nullableString(false);
    QVERIFY(empty.has_value());
    QVERIFY(empty->isEmpty());
    QCOMPARE(r.string(true), QStringLiteral("abc"));
    QVERIFY(!r.nullableString(true).has_value());
    const auto emptyCompact = r.nullableString(true);
    QVERIFY(emptyCompact.has_value());
    QVERIFY(emptyCompact->isEmpty());
    QCOMPARE(r.string(true), QString::fromUtf8("\xc3\xa9"));
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.atEnd());

    // string() where the wire says null is an error, not an empty string.
    ByteReader nullClassic(hex("ffff"));
    nullClassic.string(false);
    QVERIFY(!nullClassic.ok());
    ByteReader nullCompact(hex("00"));
    nullCompact.string(true);
    QVERIFY(!nullCompact.ok());
}

void TstWire::bytesAndArrays()
{
    // BYTES: INT32 length; COMPACT_BYTES: UNSIGNED_VARINT length + 1.
    QCOMPARE(written([](ByteWriter &w) { w.bytes(QByteArray("ab"), false); }), hex("000000026162"));
    QCOMPARE(written([](ByteWriter &w) { w.bytes(QByteArray("ab"), true); }), hex("036162"));
    QCOMPARE(written([](ByteWriter &w) { w.bytes(QByteArray(), false); }), hex("00000000"));
    QCOMPARE(written([](ByteWriter &w) { w.bytes(QByteArray(), true); }), hex("01"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableBytes(std::nullopt, false); }), hex("ffffffff"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableBytes(std::nullopt, true); }), hex("00"));
    QCOMPARE(written([](ByteWriter &w) { w.nullableBytes(QByteArray("\0", 1), true); }), hex("0200"));
    // ARRAY: INT32 count, null = -1; COMPACT_ARRAY: count + 1, null = 0.
    QCOMPARE(written([](ByteWriter &w) { w.arrayLength(3, false); }), hex("00000003"));
    QCOMPARE(written([](ByteWriter &w) { w.arrayLength(3, true); }), hex("04"));
    QCOMPARE(written([](ByteWriter &w) { w.arrayLength(0, true); }), hex("01"));
    QCOMPARE(written([](ByteWriter &w) { w.nullArray(false); }), hex("ffffffff"));
    QCOMPARE(written([](ByteWriter &w) { w.nullArray(true); }), hex("00"));
    QCOMPARE(written([](ByteWriter &w) { w.emptyTaggedFields(); }), hex("00"));
}

void TstWire::placeholders()
{
    ByteWriter w;
    const qsizetype at = w.placeholder32();
    w.int16(7);
    const qsizetype crcAt = w.placeholder32();
    w.patchInt32(at, static_cast<std::int32_t>(w.size() - 4));
    w.patchUInt32(crcAt, 0xE3069283u);
    QCOMPARE(w.buffer(), hex("00000006"
                             "0007"
                             "e3069283"));
}

void TstWire::roundTrip()
{
    ByteWriter w;
    w.int8(-128);
    w.int16(std::numeric_limits<std::int16_t>::min());
    w.int32(std::numeric_limits<std::int32_t>::max());
    w.int64(-1);
    w.varint(-300);
    w.varlong(1234567890123LL);
    w.unsignedVarint(0x0fffffff);
    w.string(QStringLiteral("classic"), false);
    w.string(QStringLiteral("compact"), true);
    w.nullableString(std::nullopt, true);
    w.bytes(QByteArray("\x00\x01\xff", 3), false);
    w.nullableBytes(std::nullopt, false);
    w.bytes(QByteArray(300, 'z'), true);
    w.arrayLength(2, true);
    w.int32(10);
    w.int32(20);
    w.nullArray(true);
    w.arrayLength(0, false);
    w.emptyTaggedFields();

    ByteReader r(w.buffer());
    QCOMPARE(r.int8(), std::int8_t(-128));
    QCOMPARE(r.int16(), std::numeric_limits<std::int16_t>::min());
    QCOMPARE(r.int32(), std::numeric_limits<std::int32_t>::max());
    QCOMPARE(r.int64(), std::int64_t(-1));
    QCOMPARE(r.varint(), -300);
    QCOMPARE(r.varlong(), 1234567890123LL);
    QCOMPARE(r.unsignedVarint(), 0x0fffffffu);
    QCOMPARE(r.string(false), QStringLiteral("classic"));
    QCOMPARE(r.string(true), QStringLiteral("compact"));
    QVERIFY(!r.nullableString(true).has_value());
    QCOMPARE(r.bytes(false), QByteArray("\x00\x01\xff", 3));
    QVERIFY(!r.nullableBytes(false).has_value());
    QCOMPARE(r.bytes(true), QByteArray(300, 'z'));
    QCOMPARE(r.arrayLength(true, 4), 2);
    QCOMPARE(r.int32(), 10);
    QCOMPARE(r.int32(), 20);
    QCOMPARE(r.arrayLength(true, 4), -1);
    QCOMPARE(r.arrayLength(false, 4), 0);
    r.taggedFields();
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QVERIFY(r.atEnd());
}

void TstWire::truncatedInts()
{
    {
        ByteReader r(hex("000001")); // 3 bytes of an int32
        QCOMPARE(r.int32(), 0);
        QVERIFY(!r.ok());
        QVERIFY(!r.error().isEmpty());
    }
    {
        ByteReader r(hex("01020304050607"));
        QCOMPARE(r.int64(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("01"));
        QCOMPARE(r.int16(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex(""));
        QCOMPARE(r.int8(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("0102"));
        QCOMPARE(r.uint32(), 0u);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("0102"));
        QVERIFY(r.uuid().isEmpty());
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("80")); // continuation bit, then nothing
        QCOMPARE(r.varint(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffff"));
        QCOMPARE(r.varlong(), 0);
        QVERIFY(!r.ok());
    }
}

void TstWire::negativeLengths()
{
    {
        ByteReader r(hex("fffe"
                         "616263")); // classic string, length -2
        r.nullableString(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("8000"
                         "616263")); // classic string, length -32768
        r.string(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("fffffffe"
                         "616263")); // bytes, length -2
        r.nullableBytes(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("80000000"
                         "616263")); // bytes, INT32_MIN
        r.bytes(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("fffffffe"
                         "00000000")); // array, count -2
        r.arrayLength(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("80000000")); // array, INT32_MIN
        r.arrayLength(false);
        QVERIFY(!r.ok());
    }
}

void TstWire::lengthsBeyondBuffer()
{
    {
        ByteReader r(hex("0010"
                         "616263")); // 16-byte string, 3 present
        r.string(false);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("11"
                         "616263")); // compact: 16 bytes claimed
        r.string(true);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffffffff0f"
                         "6162")); // compact string, 4 GiB - 2 claimed
        r.string(true);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("7fffffff"
                         "6162")); // bytes, INT32_MAX claimed
        QVERIFY(r.bytes(false).isEmpty());
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffffffff0f"
                         "6162")); // compact bytes, 4 GiB - 2 claimed
        QVERIFY(r.bytes(true).isEmpty());
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("0102"));
        QVERIFY(r.rawBytes(3).isEmpty());
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("0102"));
        QVERIFY(r.rawBytes(-1).isEmpty());
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("0102"));
        r.skip(3);
        QVERIFY(!r.ok());
    }
}

void TstWire::hugeArrayCountFailsWithoutAllocating()
{
    // A 40-byte buffer claiming 1e9 entries. arrayLength itself must refuse
    // the count (callers reserve() what it returns); the address-space cap
    // turns any multi-gigabyte allocation on the way into a test failure.
    test::AddressSpaceCap cap;
    {
        QByteArray buf = hex("3b9aca00"); // 1,000,000,000
        buf.append(36, '\x01');
        QCOMPARE(buf.size(), 40);
        ByteReader r(buf);
        QCOMPARE(r.arrayLength(false, 4), 0);
        QVERIFY(!r.ok());
        QVERIFY(!r.error().isEmpty());
    }
    {
        ByteWriter w;
        w.unsignedVarint(1000000000u + 1); // compact: count + 1
        QByteArray buf = w.take();
        buf.append(40 - buf.size(), '\x01');
        ByteReader r(buf);
        QCOMPARE(r.arrayLength(true, 1), 0);
        QVERIFY(!r.ok());
    }
    {
        // Even with the smallest possible element size (1 byte), 37 entries
        // cannot fit in 36 bytes; 36 can.
        QByteArray buf = hex("00000025");
        buf.append(36, '\x01');
        ByteReader r(buf);
        r.arrayLength(false, 1);
        QVERIFY(!r.ok());
        QByteArray fits = hex("00000024");
        fits.append(36, '\x01');
        ByteReader r2(fits);
        QCOMPARE(r2.arrayLength(false, 1), 36);
        QVERIFY(r2.ok());
    }
    {
        // The element size scales the check: 10 int32s need 40 bytes.
        QByteArray buf = hex("0000000a");
        buf.append(36, '\x01');
        ByteReader r(buf);
        r.arrayLength(false, 4);
        QVERIFY(!r.ok());
    }
}

void TstWire::overlongVarints()
{
    {
        ByteReader r(hex("808080808000")); // six bytes for an int32 varint
        QCOMPARE(r.unsignedVarint(), 0u);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffffffff1f")); // 5th byte sets bit 32
        QCOMPARE(r.unsignedVarint(), 0u);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffffffff7f"));
        QCOMPARE(r.varint(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("8080808080808080808000")); // eleven bytes for a varlong
        QCOMPARE(r.varlong(), 0);
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("ffffffffffffffffff03")); // 10th byte sets bit 64
        QCOMPARE(r.varlong(), 0);
        QVERIFY(!r.ok());
    }
}

void TstWire::taggedFields()
{
    // Two tagged fields: tag 0 (2 bytes) and tag 2 (3 bytes), then an int8.
    const QByteArray buf = hex("02"
                               "00"
                               "02"
                               "abcd"
                               "02"
                               "03"
                               "000102"
                               "7f");
    {
        ByteReader r(buf);
        r.taggedFields(); // skipped without a handler
        QVERIFY2(r.ok(), qPrintable(r.error()));
        QCOMPARE(r.int8(), std::int8_t(0x7f));
        QVERIFY(r.atEnd());
    }
    {
        ByteReader r(buf);
        QList<std::uint32_t> tags;
        std::int16_t tag2 = 0;
        r.taggedFields([&](std::uint32_t tag, ByteReader &f) {
            tags.append(tag);
            if (tag == 2) {
                f.int8();
                tag2 = f.int16(); // reads all 3 bytes
            }
            // tag 0: handler reads nothing; the outer reader still skips it.
        });
        QVERIFY2(r.ok(), qPrintable(r.error()));
        QCOMPARE(tags, (QList<std::uint32_t>{0, 2}));
        QCOMPARE(tag2, std::int16_t(0x0102));
        QCOMPARE(r.int8(), std::int8_t(0x7f));
    }
    {
        // A handler that reads past its field fails the outer reader.
        ByteReader r(buf);
        r.taggedFields([](std::uint32_t tag, ByteReader &f) {
            if (tag == 0)
                f.int32(); // the field has 2 bytes
        });
        QVERIFY(!r.ok());
    }
}

void TstWire::taggedFieldsOverrun()
{
    {
        ByteReader r(hex("01"
                         "00"
                         "0a"
                         "abcd")); // tag 0 claims 10 bytes, 2 remain
        r.taggedFields();
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("01"
                         "00"
                         "0a"
                         "abcd"));
        bool called = false;
        r.taggedFields([&](std::uint32_t, ByteReader &) { called = true; });
        QVERIFY(!r.ok());
        QVERIFY(!called);
    }
    {
        ByteReader r(hex("ffffffff0f"
                         "0000")); // 4 billion tagged fields
        r.taggedFields();
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("03"
                         "0000"
                         "0100")); // 3 fields announced, 2 present
        r.taggedFields();
        QVERIFY(!r.ok());
    }
    {
        ByteReader r(hex("01"
                         "00"
                         "ffffffff0f")); // size 4 GiB - 1
        r.taggedFields();
        QVERIFY(!r.ok());
    }
}

void TstWire::stickyFailure()
{
    // A classic string of length -2, followed by bytes that *would* parse.
    const QByteArray buf = hex("fffe"
                               "00000007"
                               "0003616263"
                               "02"
                               "00000001"
                               "ffffffff");
    ByteReader r(buf);
    r.nullableString(false);
    QVERIFY(!r.ok());
    const QString firstError = r.error();
    QVERIFY(!firstError.isEmpty());

    QCOMPARE(r.int32(), 0);
    QCOMPARE(r.string(false), QString());
    QCOMPARE(r.varint(), 0);
    QCOMPARE(r.int8(), std::int8_t(0));
    QCOMPARE(r.int16(), std::int16_t(0));
    QCOMPARE(r.int64(), std::int64_t(0));
    QCOMPARE(r.uint32(), 0u);
    QCOMPARE(r.varlong(), std::int64_t(0));
    QCOMPARE(r.unsignedVarint(), 0u);
    QVERIFY(r.bytes(false).isEmpty());
    QVERIFY(r.rawBytes(1).isEmpty());
    QCOMPARE(r.arrayLength(false), 0);
    r.taggedFields();
    QVERIFY(!r.ok());
    QCOMPARE(r.remaining(), 0);
    // The first error is the one reported.
    QCOMPARE(r.error(), firstError);

    // fail() after a failure keeps the first message too.
    r.fail(QStringLiteral("second"));
    QCOMPARE(r.error(), firstError);

    // A failure from an explicit fail() is sticky as well.
    ByteReader r2(hex("0001"));
    r2.fail(QStringLiteral("decoder says no"));
    QCOMPARE(r2.int16(), std::int16_t(0));
    QVERIFY(!r2.ok());
    QVERIFY(r2.error().contains(QStringLiteral("decoder says no")));
}

void TstWire::addressSpaceCapWorks()
{
    // The guard the "without allocating" checks rely on really refuses a
    // multi-gigabyte allocation (and lets go of the limit afterwards).
    {
        test::AddressSpaceCap cap;
        if (!cap.active())
            QSKIP("no address-space cap in this build (AddressSanitizer?)");
        bool refused = false;
        try {
            std::vector<char> v;
            v.reserve(std::size_t(4) << 30);
        } catch (const std::bad_alloc &) {
            refused = true;
        }
        QVERIFY(refused);
    }
    std::vector<char> after;
    after.reserve(std::size_t(512) << 20); // address space only; never touched
    QVERIFY(after.capacity() >= std::size_t(512) << 20);
}

QTEST_GUILESS_MAIN(TstWire)
#include "tst_wire.moc"
