// Record batch v2 (magic 2): header fields and record bytes against the
// layout in PROTOCOL-NOTES.md / DefaultRecordBatch.java, decoding, the four
// codecs cross-checked against their reference libraries, and hostile input.

#include "MemoryCap.h"
#include "ResultText.h"
#include "records/Compression.h"
#include "records/Crc32c.h"
#include "records/RecordBatch.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

using namespace kpw;

Q_DECLARE_METATYPE(kpw::Compression)

namespace {

QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}

struct Rec
{
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
    std::int64_t ts = 0;
};

// The three records of the hand-checked batch.
QList<Rec> smallRecords()
{
    return {
        {QByteArray("k"), QByteArray("v"), {}, 1000},
        {std::nullopt,
         QByteArray("hello"),
         {{QStringLiteral("h1"), QByteArray("x")},
          {QStringLiteral("h2"), std::nullopt},
          {QStringLiteral("h1"), QByteArray("")}},
         1005},
        {QByteArray("key3"), std::nullopt, {}, 999}, // tombstone, earlier timestamp
    };
}

// Many records, some large: > 32 KiB so snappy needs several xerial chunks
// and lz4 several 64 KiB blocks.
QList<Rec> manyRecords()
{
    QList<Rec> out;
    QRandomGenerator rng(42);
    for (int i = 0; i < 400; ++i) {
        Rec r;
        if (i % 7 != 3)
            r.key = QByteArray("key-") + QByteArray::number(i);
        if (i % 11 != 5) {
            QByteArray v = QByteArray("value-") + QByteArray::number(i) + '-';
            v += QByteArray(i % 50 * 10, static_cast<char>('a' + i % 26));
            for (int k = 0; k < 20; ++k)
                v += static_cast<char>(rng.bounded(256)); // some entropy
            r.value = v;
        }
        if (i % 3 == 0)
            r.headers = {{QStringLiteral("trace"), QByteArray::number(i)},
                         {QStringLiteral("n"), std::nullopt},
                         {QStringLiteral("trace"), QByteArray()}};
        r.ts = 1700000000000LL + i * 3 - (i % 5);
        out.append(r);
    }
    return out;
}

RecordBatchBuilder builderWith(const QList<Rec> &records, BatchParams params = {})
{
    RecordBatchBuilder b(params);
    for (const auto &r : records)
        b.append(r.key, r.value, r.headers, r.ts);
    return b;
}

std::int16_t be16(const QByteArray &b, int at)
{
    return qFromBigEndian<std::int16_t>(b.constData() + at);
}
std::int32_t be32(const QByteArray &b, int at)
{
    return qFromBigEndian<std::int32_t>(b.constData() + at);
}
std::uint32_t beU32(const QByteArray &b, int at)
{
    return qFromBigEndian<std::uint32_t>(b.constData() + at);
}
std::int64_t be64(const QByteArray &b, int at)
{
    return qFromBigEndian<std::int64_t>(b.constData() + at);
}

std::uint32_t crcOf(const QByteArray &batch)
{
    return crc32cPortable(batch.constData() + 21, static_cast<std::size_t>(batch.size() - 21));
}

// Rewrites the CRC (and batchLength) after a test edits a batch on purpose.
void fixUp(QByteArray &batch)
{
    qToBigEndian<std::int32_t>(static_cast<std::int32_t>(batch.size() - 12), batch.data() + 8);
    qToBigEndian<std::uint32_t>(crcOf(batch), batch.data() + 17);
}

// A batch with the header of `like` but another payload and codec.
QByteArray withPayload(const QByteArray &like, Compression codec, const QByteArray &payload)
{
    QByteArray b = like.left(kBatchHeaderSize) + payload;
    std::int16_t attrs = be16(b, 21);
    attrs = static_cast<std::int16_t>((attrs & ~BatchAttr::CodecMask) | static_cast<int>(codec));
    qToBigEndian<std::int16_t>(attrs, b.data() + 21);
    fixUp(b);
    return b;
}

void compareRecords(const QList<DecodedRecord> &got, const QList<Rec> &want, std::int64_t baseOffset = 0)
{
    QCOMPARE(got.size(), want.size());
    for (int i = 0; i < want.size(); ++i) {
        const QByteArray where = "record " + QByteArray::number(i);
        QVERIFY2(got[i].offset == baseOffset + i, where.constData());
        QVERIFY2(got[i].timestampMs == want[i].ts, where.constData());
        QVERIFY2(got[i].key == want[i].key, where.constData());
        QVERIFY2(got[i].value == want[i].value, where.constData());
        QVERIFY2(got[i].headers == want[i].headers, where.constData());
        // null vs empty survives the round trip, header by header
        for (int h = 0; h < want[i].headers.size(); ++h)
            QVERIFY2(got[i].headers[h].value.has_value() == want[i].headers[h].value.has_value(), where.constData());
    }
}

// --- reference codecs, straight from the libraries -------------------------

QByteArray zlibInflateGzip(const QByteArray &in, qsizetype expected)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) // gzip only: rejects zlib/raw
        return {};
    QByteArray out(expected + 1, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    const auto n = static_cast<qsizetype>(zs.total_out);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return {};
    out.truncate(n);
    return out;
}

QByteArray zlibDeflateGzip(const QByteArray &in)
{
    z_stream zs{};
    deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(static_cast<qsizetype>(deflateBound(&zs, static_cast<uLong>(in.size()))) + 64, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.truncate(static_cast<qsizetype>(zs.total_out));
    deflateEnd(&zs);
    return out;
}

// xerial framing parsed by hand; empty on any framing error.
QByteArray xerialDecode(const QByteArray &in, bool *framingOk)
{
    *framingOk = false;
    static const QByteArray magic = hex("82534e41505059"
                                        "00");
    if (in.size() < 16 || in.left(8) != magic || be32(in, 8) != 1 || be32(in, 12) != 1)
        return {};
    QByteArray out;
    int pos = 16;
    while (pos < in.size()) {
        if (in.size() - pos < 4)
            return {};
        const std::int32_t len = be32(in, pos);
        pos += 4;
        if (len < 0 || len > in.size() - pos)
            return {};
        std::string block;
        if (!snappy::Uncompress(in.constData() + pos, static_cast<size_t>(len), &block))
            return {};
        out.append(block.data(), static_cast<qsizetype>(block.size()));
        pos += len;
    }
    *framingOk = true;
    return out;
}

QByteArray lz4FrameDecode(const QByteArray &in)
{
    LZ4F_dctx *ctx = nullptr;
    LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION);
    QByteArray out;
    char buf[65536];
    const char *src = in.constData();
    size_t left = static_cast<size_t>(in.size());
    size_t hint = 1;
    while (left > 0 && hint != 0) {
        size_t dst = sizeof buf;
        size_t srcSize = left;
        hint = LZ4F_decompress(ctx, buf, &dst, src, &srcSize, nullptr);
        if (LZ4F_isError(hint)) {
            out.clear();
            break;
        }
        out.append(buf, static_cast<qsizetype>(dst));
        src += srcSize;
        left -= srcSize;
    }
    LZ4F_freeDecompressionContext(ctx);
    return out;
}

QByteArray lz4FrameEncodeLinkedWithChecksum(const QByteArray &in)
{
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockMode = LZ4F_blockLinked;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.contentSize = static_cast<unsigned long long>(in.size());
    QByteArray out(static_cast<qsizetype>(LZ4F_compressFrameBound(static_cast<size_t>(in.size()), &prefs)),
                   Qt::Uninitialized);
    const size_t n = LZ4F_compressFrame(out.data(), static_cast<size_t>(out.size()), in.constData(),
                                        static_cast<size_t>(in.size()), &prefs);
    out.truncate(LZ4F_isError(n) ? 0 : static_cast<qsizetype>(n));
    return out;
}

QByteArray zstdDecode(const QByteArray &in, qsizetype expected)
{
    QByteArray out(expected + 1, Qt::Uninitialized);
    const size_t n =
        ZSTD_decompress(out.data(), static_cast<size_t>(out.size()), in.constData(), static_cast<size_t>(in.size()));
    if (ZSTD_isError(n))
        return {};
    out.truncate(static_cast<qsizetype>(n));
    return out;
}

// A zstd frame without a content size (as a streaming compressor writes it).
QByteArray zstdStreamEncode(const QByteArray &in)
{
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx *)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 0);
    QByteArray out(static_cast<qsizetype>(ZSTD_compressBound(static_cast<size_t>(in.size()))), Qt::Uninitialized);
    ZSTD_outBuffer o{out.data(), static_cast<size_t>(out.size()), 0};
    ZSTD_inBuffer i{in.constData(), static_cast<size_t>(in.size()), 0};
    while (ZSTD_compressStream2(cctx.get(), &o, &i, ZSTD_e_end) != 0) {
    }
    out.truncate(static_cast<qsizetype>(o.pos));
    return out;
}

} // namespace

class TstRecordBatch final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerFieldsByteByByte();
    void recordBytesByHand();
    void decodeEverything();
    void idempotentAndTransactionalFields();
    void emptyBuilder();
    void codecRoundTrip_data();
    void codecRoundTrip();
    void readsForeignCompressedBatches();
    void codecRoundTripSmallAndEmpty();
    void crcMismatchIsNamed();
    void badMagicAndLength();
    void unknownCodecBits();
    void truncatedTrailingBatch();
    void hostileRecordCounts();
    void hostileRecordFields();
    void randomMutationsNeverCrash();
    void decompressRespectsMaxOutput_data();
    void decompressRespectsMaxOutput();
    void decodeLimitsBoundDecompression();
    void corruptCompressedData_data();
    void corruptCompressedData();
    void codecNames();
    // Last: a crash here (an early core crashed on reuse) would hide the rest.
    void builderReusableAfterBuild();
};

void TstRecordBatch::headerFieldsByteByByte()
{
    const auto records = smallRecords();
    RecordBatchBuilder b = builderWith(records);
    QCOMPARE(b.count(), 3);
    const qsizetype sizeBefore = b.sizeInBytes(); // exact before compression
    auto built = b.build();
    QVERIFY2(built.ok(), qPrintable(test::errorText(built)));
    const QByteArray batch = *built;

    QCOMPARE(batch.size(), sizeBefore);
    QVERIFY(batch.size() > kBatchHeaderSize);
    QCOMPARE(be64(batch, 0), std::int64_t(0));                     // baseOffset
    QCOMPARE(be32(batch, 8), std::int32_t(batch.size() - 12));     // batchLength
    QCOMPARE(be32(batch, 12), std::int32_t(-1));                   // partitionLeaderEpoch
    QCOMPARE(static_cast<std::int8_t>(batch[16]), std::int8_t(2)); // magic
    QCOMPARE(beU32(batch, 17), crcOf(batch));                      // crc over [21, end)
    QCOMPARE(be16(batch, 21), std::int16_t(0));                    // attributes
    QCOMPARE(be32(batch, 23), std::int32_t(2));                    // lastOffsetDelta
    QCOMPARE(be64(batch, 27), std::int64_t(1000));                 // baseTimestamp: first record
    QCOMPARE(be64(batch, 35), std::int64_t(1005));                 // maxTimestamp
    QCOMPARE(be64(batch, 43), std::int64_t(-1));                   // producerId
    QCOMPARE(be16(batch, 51), std::int16_t(-1));                   // producerEpoch
    QCOMPARE(be32(batch, 53), std::int32_t(-1));                   // baseSequence
    QCOMPARE(be32(batch, 57), std::int32_t(3));                    // recordsCount

    // The same header written out by hand (CRC patched in from above).
    QByteArray expected = hex("0000000000000000"); // baseOffset
    expected += QByteArray(4, '\0');               // batchLength (checked above)
    expected += hex("ffffffff"
                    "02");
    expected += QByteArray(4, '\0'); // crc
    expected += hex("0000"
                    "00000002"
                    "00000000000003e8"
                    "00000000000003ed"
                    "ffffffffffffffff"
                    "ffff"
                    "ffffffff"
                    "00000003");
    QCOMPARE(expected.size(), kBatchHeaderSize);
    QByteArray header = batch.left(kBatchHeaderSize);
    std::memset(header.data() + 8, 0, 4);
    std::memset(header.data() + 17, 0, 4);
    QCOMPARE(header.toHex(), expected.toHex());
}

void TstRecordBatch::recordBytesByHand()
{
    auto built = builderWith(smallRecords()).build();
    QVERIFY(built.ok());
    const QByteArray records = built->mid(kBatchHeaderSize);

    // length 8 (zig-zag 0x10), attributes 0, timestampDelta 0, offsetDelta 0,
    // key len 1 "k", value len 1 "v", 0 headers.
    const QByteArray r1 = hex("10"
                              "00"
                              "00"
                              "00"
                              "02"
                              "6b"
                              "02"
                              "76"
                              "00");
    // length 24 (0x30), attrs, tsDelta 5 (0x0a), offsetDelta 1 (0x02), null key
    // (-1 -> 0x01), value len 5 "hello", 3 headers: "h1"="x", "h2"=null,
    // "h1"="" (empty, not null).
    const QByteArray r2 = hex("30"
                              "00"
                              "0a"
                              "02"
                              "01"
                              "0a"
                              "68656c6c6f"
                              "06"
                              "04"
                              "6831"
                              "02"
                              "78"
                              "04"
                              "6832"
                              "01"
                              "04"
                              "6831"
                              "00");
    // length 10 (0x14), attrs, tsDelta -1 (0x01), offsetDelta 2 (0x04), key
    // "key3", null value (tombstone), 0 headers.
    const QByteArray r3 = hex("14"
                              "00"
                              "01"
                              "04"
                              "08"
                              "6b657933"
                              "01"
                              "00");

    QCOMPARE(records.left(r1.size()).toHex(), r1.toHex());
    QCOMPARE(records.mid(r1.size(), r2.size()).toHex(), r2.toHex());
    QCOMPARE(records.mid(r1.size() + r2.size()).toHex(), r3.toHex());

    const auto recs = smallRecords();
    QCOMPARE(RecordBatchBuilder::recordSize(recs[0].key, recs[0].value, recs[0].headers, 0, 0), r1.size());
    QCOMPARE(RecordBatchBuilder::recordSize(recs[1].key, recs[1].value, recs[1].headers, 5, 1), r2.size());
    QCOMPARE(RecordBatchBuilder::recordSize(recs[2].key, recs[2].value, recs[2].headers, -1, 2), r3.size());
}

void TstRecordBatch::decodeEverything()
{
    const auto records = smallRecords();
    auto built = builderWith(records).build();
    QVERIFY(built.ok());
    auto decoded = decodeRecordBatches(*built);
    QVERIFY2(decoded.ok(), qPrintable(test::errorText(decoded)));
    QCOMPARE(decoded->size(), 1);
    const DecodedBatch &b = decoded->first();
    QCOMPARE(b.baseOffset, std::int64_t(0));
    QCOMPARE(b.batchLength, std::int32_t(built->size() - 12));
    QCOMPARE(b.partitionLeaderEpoch, std::int32_t(-1));
    QCOMPARE(b.magic, std::int8_t(2));
    QCOMPARE(b.crc, crcOf(*built));
    QCOMPARE(b.attributes, std::int16_t(0));
    QCOMPARE(b.codec(), Compression::None);
    QVERIFY(!b.isTransactional());
    QVERIFY(!b.isControl());
    QCOMPARE(b.lastOffsetDelta, std::int32_t(2));
    QCOMPARE(b.lastOffset(), std::int64_t(2));
    QCOMPARE(b.baseTimestamp, std::int64_t(1000));
    QCOMPARE(b.maxTimestamp, std::int64_t(1005));
    QCOMPARE(b.producerId, std::int64_t(-1));
    QCOMPARE(b.producerEpoch, std::int16_t(-1));
    QCOMPARE(b.baseSequence, std::int32_t(-1));
    compareRecords(b.records, records);

    // A broker-assigned base offset shifts every record's offset.
    QByteArray moved = *built;
    qToBigEndian<std::int64_t>(5000, moved.data()); // not covered by the CRC
    auto decodedMoved = decodeRecordBatches(moved);
    QVERIFY2(decodedMoved.ok(), qPrintable(test::errorText(decodedMoved)));
    compareRecords(decodedMoved->first().records, records, 5000);
    QCOMPARE(decodedMoved->first().lastOffset(), std::int64_t(5002));
}

void TstRecordBatch::idempotentAndTransactionalFields()
{
    BatchParams p;
    p.transactional = true;
    RecordBatchBuilder b = builderWith(smallRecords(), p);
    b.setSequence(1234567890123LL, 7, 2147483600);
    auto built = b.build();
    QVERIFY(built.ok());
    QCOMPARE(be16(*built, 21), BatchAttr::Transactional);
    QCOMPARE(be64(*built, 43), 1234567890123LL);
    QCOMPARE(be16(*built, 51), std::int16_t(7));
    QCOMPARE(be32(*built, 53), std::int32_t(2147483600));
    QCOMPARE(beU32(*built, 17), crcOf(*built));

    auto decoded = decodeRecordBatches(*built);
    QVERIFY2(decoded.ok(), qPrintable(test::errorText(decoded)));
    const DecodedBatch &d = decoded->first();
    QVERIFY(d.isTransactional());
    QCOMPARE(d.producerId, 1234567890123LL);
    QCOMPARE(d.producerEpoch, std::int16_t(7));
    QCOMPARE(d.baseSequence, std::int32_t(2147483600));
}

void TstRecordBatch::emptyBuilder()
{
    RecordBatchBuilder b;
    QVERIFY(b.isEmpty());
    QCOMPARE(b.sizeInBytes(), kBatchHeaderSize);
}

void TstRecordBatch::builderReusableAfterBuild()
{
    // RecordBatch.h: build() "hands its bytes over; the builder is empty
    // afterwards". Empty means as good as new: the next batch from the same
    // builder must be complete and valid.
    for (auto codec : {Compression::None, Compression::Zstd}) {
        BatchParams p;
        p.codec = codec;
        RecordBatchBuilder b(p);
        b.append(QByteArray("first"), QByteArray("batch"), {}, 10);
        auto one = b.build();
        QVERIFY(one.ok());
        QVERIFY(b.isEmpty());
        QCOMPARE(b.count(), 0);
        const qsizetype sizeAfterBuild = b.sizeInBytes();

        const QList<Rec> second = {{QByteArray("k2"), QByteArray("v2"), {}, 20},
                                   {std::nullopt, QByteArray("v3"), {}, 21}};
        for (const auto &r : second)
            b.append(r.key, r.value, r.headers, r.ts);
        auto two = b.build();
        QVERIFY(two.ok());
        auto decoded = decodeRecordBatches(*two);
        QVERIFY2(decoded.ok(), qPrintable(Codec::name(codec) + QStringLiteral(": ") + test::errorText(decoded)));
        QCOMPARE(decoded->size(), 1);
        compareRecords(decoded->first().records, second);
        QCOMPARE(sizeAfterBuild, RecordBatchBuilder(p).sizeInBytes()); // batch.size decisions use it
    }
}

void TstRecordBatch::codecRoundTrip_data()
{
    QTest::addColumn<Compression>("codec");
    QTest::newRow("gzip") << Compression::Gzip;
    QTest::newRow("snappy") << Compression::Snappy;
    QTest::newRow("lz4") << Compression::Lz4;
    QTest::newRow("zstd") << Compression::Zstd;
}

void TstRecordBatch::codecRoundTrip()
{
    QFETCH(Compression, codec);
    const auto records = manyRecords();
    auto plain = builderWith(records).build();
    QVERIFY(plain.ok());
    const QByteArray rawRecords = plain->mid(kBatchHeaderSize);
    QVERIFY(rawRecords.size() > 64 * 1024);

    BatchParams p;
    p.codec = codec;
    auto built = builderWith(records, p).build();
    QVERIFY2(built.ok(), qPrintable(test::errorText(built)));
    const QByteArray &batch = *built;

    QCOMPARE(be16(batch, 21) & BatchAttr::CodecMask, static_cast<int>(codec));
    QCOMPARE(be16(batch, 21) & ~BatchAttr::CodecMask, 0);
    QCOMPARE(be32(batch, 8), std::int32_t(batch.size() - 12));
    QCOMPARE(beU32(batch, 17), crcOf(batch));
    QCOMPARE(be32(batch, 57), std::int32_t(records.size())); // count stays uncompressed
    QCOMPARE(be32(batch, 23), std::int32_t(records.size() - 1));
    QVERIFY2(batch.size() < plain->size(), "the test data compresses");

    // The payload is what the Java client would write, readable by the
    // reference library on its own.
    const QByteArray payload = batch.mid(kBatchHeaderSize);
    switch (codec) {
    case Compression::Gzip:
        QCOMPARE(payload.left(3).toHex(), QByteArray("1f8b08")); // RFC 1952, deflate
        QCOMPARE(zlibInflateGzip(payload, rawRecords.size()), rawRecords);
        break;
    case Compression::Snappy: {
        QCOMPARE(payload.left(16).toHex(), QByteArray("82534e415050590000000001"
                                                      "00000001"));
        bool framingOk = false;
        const QByteArray out = xerialDecode(payload, &framingOk);
        QVERIFY(framingOk);
        QCOMPARE(out, rawRecords);
        break;
    }
    case Compression::Lz4: {
        QCOMPARE(payload.left(4).toHex(), QByteArray("04224d18"));
        const auto flg = static_cast<std::uint8_t>(payload[4]);
        QCOMPARE(flg >> 6, 1); // frame version 01
        QVERIFY(flg & 0x20);   // independent blocks (Java rejects linked ones)
        QCOMPARE(lz4FrameDecode(payload), rawRecords);
        break;
    }
    case Compression::Zstd:
        QCOMPARE(payload.left(4).toHex(), QByteArray("28b52ffd"));
        QCOMPARE(zstdDecode(payload, rawRecords.size()), rawRecords);
        break;
    case Compression::None: break;
    }

    auto decoded = decodeRecordBatches(batch);
    QVERIFY2(decoded.ok(), qPrintable(test::errorText(decoded)));
    QCOMPARE(decoded->size(), 1);
    QCOMPARE(decoded->first().codec(), codec);
    compareRecords(decoded->first().records, records);

    // Two compressed batches back to back.
    auto twice = decodeRecordBatches(batch + batch);
    QVERIFY2(twice.ok(), qPrintable(test::errorText(twice)));
    QCOMPARE(twice->size(), 2);
}

void TstRecordBatch::readsForeignCompressedBatches()
{
    // Batches compressed the way other clients do it must decode too.
    const auto records = manyRecords();
    auto plain = builderWith(records).build();
    QVERIFY(plain.ok());
    const QByteArray raw = plain->mid(kBatchHeaderSize);

    std::string rawSnappy;
    snappy::Compress(raw.constData(), static_cast<size_t>(raw.size()), &rawSnappy);
    // xerial with uneven chunk sizes
    QByteArray xerial = hex("82534e41505059"
                            "00"
                            "00000001"
                            "00000001");
    for (qsizetype at = 0; at < raw.size(); at += 10000) {
        std::string block;
        snappy::Compress(raw.constData() + at, static_cast<size_t>(std::min<qsizetype>(10000, raw.size() - at)),
                         &block);
        char len[4];
        qToBigEndian<std::int32_t>(static_cast<std::int32_t>(block.size()), len);
        xerial.append(len, 4);
        xerial.append(block.data(), static_cast<qsizetype>(block.size()));
    }

    const struct
    {
        const char *what;
        Compression codec;
        QByteArray payload;
    } cases[] = {
        {"gzip (zlib)", Compression::Gzip, zlibDeflateGzip(raw)},
        {"raw snappy (librdkafka)", Compression::Snappy,
         QByteArray(rawSnappy.data(), static_cast<qsizetype>(rawSnappy.size()))},
        {"xerial snappy, 10000-byte chunks", Compression::Snappy, xerial},
        {"lz4 linked blocks + content checksum", Compression::Lz4, lz4FrameEncodeLinkedWithChecksum(raw)},
        {"zstd without content size", Compression::Zstd, zstdStreamEncode(raw)},
    };
    for (const auto &c : cases) {
        QVERIFY2(!c.payload.isEmpty(), c.what);
        auto direct = Codec::decompress(c.codec, c.payload, 64 << 20);
        QVERIFY2(direct.ok(), qPrintable(QLatin1StringView(c.what) + QStringLiteral(": ") + test::errorText(direct)));
        QVERIFY2(*direct == raw, c.what);

        const QByteArray batch = withPayload(*plain, c.codec, c.payload);
        auto decoded = decodeRecordBatches(batch);
        QVERIFY2(decoded.ok(), qPrintable(QLatin1StringView(c.what) + QStringLiteral(": ") + test::errorText(decoded)));
        compareRecords(decoded->first().records, records);
    }
}

void TstRecordBatch::codecRoundTripSmallAndEmpty()
{
    for (auto codec :
         {Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd}) {
        const QString name = Codec::name(codec);
        for (const QByteArray &in : {QByteArray(), QByteArray("x"), QByteArray(100000, '\0')}) {
            auto c = Codec::compress(codec, in);
            QVERIFY2(c.ok(), qPrintable(name));
            auto d = Codec::decompress(codec, *c, 1 << 20);
            QVERIFY2(d.ok(), qPrintable(name + QStringLiteral(": ") + test::errorText(d)));
            QVERIFY2(*d == in, qPrintable(name));
        }
        // One-record batch per codec, with explicit levels where they exist.
        BatchParams p;
        p.codec = codec;
        if (codec == Compression::Gzip)
            p.compressionLevel = 9;
        if (codec == Compression::Zstd)
            p.compressionLevel = 19;
        RecordBatchBuilder b(p);
        b.append(QByteArray("k"), QByteArray("v"), {}, 1);
        auto built = b.build();
        QVERIFY2(built.ok(), qPrintable(name));
        auto decoded = decodeRecordBatches(*built);
        QVERIFY2(decoded.ok(), qPrintable(name + QStringLiteral(": ") + test::errorText(decoded)));
        QCOMPARE(decoded->first().records.size(), 1);
        QCOMPARE(decoded->first().records.first().value, std::optional<QByteArray>(QByteArray("v")));
    }
}

void TstRecordBatch::crcMismatchIsNamed()
{
    for (auto codec : {Compression::None, Compression::Gzip}) {
        BatchParams p;
        p.codec = codec;
        auto built = builderWith(smallRecords(), p).build();
        QVERIFY(built.ok());
        const QList<int> positions = {
            17, 20, 21, 22, 23, 30, 45, 57, 60, 61, int(built->size() / 2 + 30), int(built->size() - 1)};
        for (int pos : positions) {
            if (pos >= built->size())
                continue;
            QByteArray bad = *built;
            bad[pos] = static_cast<char>(bad[pos] ^ 0x40);
            auto decoded = decodeRecordBatches(bad);
            QVERIFY2(!decoded.ok(), qPrintable(QStringLiteral("byte %1 flipped, decoded fine").arg(pos)));
            QVERIFY2(decoded.error().message.contains(QStringLiteral("CRC"), Qt::CaseInsensitive),
                     qPrintable(QStringLiteral("byte %1: %2").arg(pos).arg(test::errorText(decoded))));
            QCOMPARE(decoded.error().code, KafkaError::CorruptMessage);
        }
    }
}

void TstRecordBatch::badMagicAndLength()
{
    auto built = builderWith(smallRecords()).build();
    QVERIFY(built.ok());
    {
        QByteArray bad = *built;
        bad[16] = 1; // magic 1 (not covered by the CRC)
        auto d = decodeRecordBatches(bad);
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(QStringLiteral("magic")), qPrintable(test::errorText(d)));
    }
    for (std::int32_t len : {0, 10, 48, -1, -12, std::numeric_limits<std::int32_t>::min()}) {
        QByteArray bad = *built;
        qToBigEndian<std::int32_t>(len, bad.data() + 8);
        auto d = decodeRecordBatches(bad);
        QVERIFY2(!d.ok(), qPrintable(QStringLiteral("batchLength %1 accepted").arg(len)));
    }
}

void TstRecordBatch::unknownCodecBits()
{
    auto built = builderWith(smallRecords()).build();
    QVERIFY(built.ok());
    for (int bits : {5, 6, 7}) {
        QByteArray bad = *built;
        qToBigEndian<std::int16_t>(static_cast<std::int16_t>(bits), bad.data() + 21);
        fixUp(bad);
        auto d = decodeRecordBatches(bad);
        QVERIFY2(!d.ok(), qPrintable(QStringLiteral("codec bits %1 accepted").arg(bits)));
    }
}

void TstRecordBatch::truncatedTrailingBatch()
{
    auto a = builderWith(smallRecords()).build();
    BatchParams p;
    p.codec = Compression::Lz4;
    auto b = builderWith(manyRecords(), p).build();
    QVERIFY(a.ok() && b.ok());
    const QByteArray both = *a + *b;
    {
        auto d = decodeRecordBatches(both);
        QVERIFY2(d.ok(), qPrintable(test::errorText(d)));
        QCOMPARE(d->size(), 2);
    }
    for (qsizetype cut : {qsizetype(1), qsizetype(5), qsizetype(100), b->size() - 61, b->size() - 13, b->size() - 12,
                          b->size() - 11, b->size() - 1}) {
        const QByteArray chopped = both.left(both.size() - cut);
        auto d = decodeRecordBatches(chopped);
        QVERIFY2(d.ok(), qPrintable(QStringLiteral("cut %1: %2").arg(cut).arg(test::errorText(d))));
        QCOMPARE(d->size(), 1);
        compareRecords(d->first().records, smallRecords());
    }
    // Only part of the first batch: no batches, no error.
    for (qsizetype keep : {qsizetype(0), qsizetype(11), qsizetype(12), qsizetype(61), a->size() - 1}) {
        auto d = decodeRecordBatches(a->left(keep));
        QVERIFY2(d.ok(), qPrintable(QStringLiteral("keep %1: %2").arg(keep).arg(test::errorText(d))));
        QCOMPARE(d->size(), 0);
    }
}

void TstRecordBatch::hostileRecordCounts()
{
    test::AddressSpaceCap cap; // a decoder that reserve()s a hostile count fails here
    for (auto codec : {Compression::None, Compression::Gzip, Compression::Zstd}) {
        BatchParams p;
        p.codec = codec;
        auto built = builderWith(smallRecords(), p).build();
        QVERIFY(built.ok());
        for (std::int32_t count : {4, 1000, 1000000000, std::numeric_limits<std::int32_t>::max(), -1,
                                   std::numeric_limits<std::int32_t>::min()}) {
            QByteArray bad = *built;
            qToBigEndian<std::int32_t>(count, bad.data() + 57);
            fixUp(bad);
            auto d = decodeRecordBatches(bad);
            QVERIFY2(!d.ok(), qPrintable(QStringLiteral("%1: count %2 accepted").arg(Codec::name(codec)).arg(count)));
            QCOMPARE(d.error().code, KafkaError::CorruptMessage);
        }
    }
}

void TstRecordBatch::hostileRecordFields()
{
    test::AddressSpaceCap cap;
    auto built = builderWith(smallRecords()).build();
    QVERIFY(built.ok());
    const int r1 = kBatchHeaderSize; // first record: 10 00 00 00 02 6b 02 76 00

    const struct
    {
        const char *what;
        int offset;
        QByteArray bytes;
    } edits[] = {
        {"record length -1", r1, hex("01")},
        {"record length beyond the batch", r1, hex("fe01")}, // 127
        {"record length 2^31-1", r1, hex("feffffff0f")},
        {"overlong record length varint", r1, hex("ffffffffff")},
        {"key length beyond the record", r1 + 4, hex("7e")}, // 63
        {"key length -2", r1 + 4, hex("03")},
        {"value length beyond the record", r1 + 6, hex("20")}, // 16
        {"header count -5", r1 + 8, hex("09")},
        {"header count 127 in a 1-byte rest", r1 + 8, hex("fe")}, // truncated varint inside the record
    };
    for (const auto &e : edits) {
        QByteArray bad = *built;
        bad.replace(e.offset, e.bytes.size(), e.bytes);
        fixUp(bad);
        auto d = decodeRecordBatches(bad);
        QVERIFY2(!d.ok(), e.what);
    }

    // Whole records written by hand (length prefix kept consistent), so the
    // hostile field is read in full: huge header counts, huge key lengths.
    const auto handRecord = [](const QByteArray &body) {
        ByteWriter w;
        w.varint(static_cast<std::int32_t>(body.size()));
        w.raw(body);
        return w.take();
    };
    const auto varint = [](std::int32_t v) {
        ByteWriter w;
        w.varint(v);
        return w.take();
    };
    const struct
    {
        const char *what;
        QByteArray body;
    } crafted[] = {
        {"header count 1e9", hex("00000001"
                                 "01") +
                                 varint(1000000000) + QByteArray(30, '\x02')},
        {"header count INT32_MAX", hex("00000001"
                                       "01") +
                                       varint(std::numeric_limits<std::int32_t>::max())},
        {"key length 1e9", hex("000000") + varint(1000000000) + QByteArray(30, 'k')},
        {"value length INT32_MAX", hex("00000001") + varint(std::numeric_limits<std::int32_t>::max()) + "vv"},
        {"header value length 1e9", hex("00000001"
                                        "01"
                                        "02"
                                        "02"
                                        "68") +
                                        varint(1000000000) + "xx"},
    };
    for (const auto &c : crafted) {
        QByteArray bad = withPayload(*built, Compression::None, handRecord(c.body));
        qToBigEndian<std::int32_t>(1, bad.data() + 57); // one record
        qToBigEndian<std::int32_t>(0, bad.data() + 23);
        fixUp(bad);
        auto d = decodeRecordBatches(bad);
        QVERIFY2(!d.ok(), c.what);
    }

    // A header whose key length is negative or runs past the record.
    RecordBatchBuilder hb;
    hb.append(QByteArray("k"), QByteArray("v"), {{QStringLiteral("h"), QByteArray("x")}}, 0);
    auto withHeader = hb.build();
    QVERIFY(withHeader.ok());
    // record: len attrs ts off 02 6b 02 76 02(count 1) 02(klen 1) 68 02 78
    const int hk = kBatchHeaderSize + 9;
    QCOMPARE(withHeader->mid(hk - 1, 2).toHex(), QByteArray("0202"));
    for (const QByteArray &klen : {hex("03"), hex("7e")}) {
        QByteArray bad = *withHeader;
        bad.replace(hk, 1, klen);
        fixUp(bad);
        auto d = decodeRecordBatches(bad);
        QVERIFY2(!d.ok(), klen.toHex().constData());
    }
}

void TstRecordBatch::randomMutationsNeverCrash()
{
    // Structure-aware fuzzing in miniature: mutate bytes after the CRC, fix
    // the CRC up, and require a clean result or a clean error.
    test::AddressSpaceCap cap;
    QRandomGenerator rng(1234);
    QList<QByteArray> seeds;
    for (auto codec :
         {Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd}) {
        BatchParams p;
        p.codec = codec;
        auto built = builderWith(smallRecords(), p).build();
        QVERIFY(built.ok());
        seeds.append(*built);
    }
    int errors = 0;
    for (int i = 0; i < 5000; ++i) {
        QByteArray b = seeds[i % seeds.size()];
        const int flips = 1 + rng.bounded(4);
        for (int f = 0; f < flips; ++f) {
            const int pos = 21 + rng.bounded(b.size() - 21);
            b[pos] = static_cast<char>(rng.bounded(256));
        }
        if (rng.bounded(4) == 0)
            b.truncate(kBatchHeaderSize + rng.bounded(b.size() - kBatchHeaderSize));
        fixUp(b);
        auto d = decodeRecordBatches(b);
        if (!d.ok()) {
            ++errors;
            QVERIFY(!d.error().message.isEmpty());
        }
    }
    QVERIFY(errors > 0);
}

void TstRecordBatch::decompressRespectsMaxOutput_data()
{
    codecRoundTrip_data();
}

void TstRecordBatch::decompressRespectsMaxOutput()
{
    QFETCH(Compression, codec);
    const QByteArray big(10 * 1024 * 1024, 'a');
    auto c = Codec::compress(codec, big);
    QVERIFY2(c.ok(), qPrintable(test::errorText(c)));
    QVERIFY(c->size() < big.size() / 10);

    {
        test::AddressSpaceCap cap(rlim_t(128) << 20);
        auto d = Codec::decompress(codec, *c, 1024 * 1024);
        QVERIFY2(!d.ok(), "a 10 MB result passed a 1 MB limit");
        QVERIFY(!d.error().message.isEmpty());
        auto edge = Codec::decompress(codec, *c, big.size() - 1);
        QVERIFY2(!edge.ok(), "one byte over the limit passed");
    }
    auto full = Codec::decompress(codec, *c, big.size());
    QVERIFY2(full.ok(), qPrintable(test::errorText(full)));
    QCOMPARE(full->size(), big.size());
    QVERIFY(*full == big);

    // The same bomb as librdkafka would write it: raw snappy, or zstd without
    // a content size.
    QByteArray foreign;
    if (codec == Compression::Snappy) {
        std::string raw;
        snappy::Compress(big.constData(), static_cast<size_t>(big.size()), &raw);
        foreign = QByteArray(raw.data(), static_cast<qsizetype>(raw.size()));
    } else if (codec == Compression::Zstd) {
        foreign = zstdStreamEncode(big);
    } else if (codec == Compression::Lz4) {
        foreign = lz4FrameEncodeLinkedWithChecksum(big);
    } else {
        foreign = zlibDeflateGzip(big);
    }
    auto d2 = Codec::decompress(codec, foreign, 1024 * 1024);
    QVERIFY2(!d2.ok(), "foreign-framed bomb passed the limit");
}

void TstRecordBatch::decodeLimitsBoundDecompression()
{
    QList<Rec> records;
    for (int i = 0; i < 40; ++i)
        records.append({std::nullopt, QByteArray(64 * 1024, 'z'), {}, i});
    BatchParams p;
    p.codec = Compression::Zstd;
    auto built = builderWith(records, p).build();
    QVERIFY(built.ok());
    QVERIFY(built->size() < 100 * 1024);

    DecodeLimits small;
    small.maxDecompressedBatch = 1024 * 1024;
    auto refused = decodeRecordBatches(*built, small);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, KafkaError::CorruptMessage);

    auto fine = decodeRecordBatches(*built);
    QVERIFY2(fine.ok(), qPrintable(test::errorText(fine)));
    compareRecords(fine->first().records, records);
}

void TstRecordBatch::corruptCompressedData_data()
{
    codecRoundTrip_data();
}

void TstRecordBatch::corruptCompressedData()
{
    QFETCH(Compression, codec);
    test::AddressSpaceCap cap;
    const auto records = manyRecords();
    auto plain = builderWith(records).build();
    QVERIFY(plain.ok());
    const QByteArray raw = plain->mid(kBatchHeaderSize);
    auto c = Codec::compress(codec, raw);
    QVERIFY(c.ok());

    // Truncated streams are errors, not short results.
    // (xerial has no end marker: a cut exactly between chunks is a valid,
    // shorter stream, so snappy cuts stay inside a chunk.)
    QList<qsizetype> chunkEnds;
    if (codec == Compression::Snappy)
        for (qsizetype pos = 16; pos + 4 <= c->size(); pos += 4 + be32(*c, int(pos)))
            chunkEnds.append(pos);
    for (qsizetype keep : {qsizetype(0), qsizetype(3), qsizetype(10), c->size() / 2, c->size() - 1}) {
        if (chunkEnds.contains(keep))
            ++keep;
        auto d = Codec::decompress(codec, c->left(keep), 64 << 20);
        if (d.ok())
            QFAIL(qPrintable(QStringLiteral("%1: a stream truncated to %2 of %3 bytes decoded to %4 bytes")
                                 .arg(Codec::name(codec))
                                 .arg(keep)
                                 .arg(c->size())
                                 .arg(d->size())));
    }
    // Garbage is an error (or, by chance, some output), never a crash.
    QRandomGenerator rng(99);
    for (int i = 0; i < 200; ++i) {
        QByteArray junk(1 + rng.bounded(2000), Qt::Uninitialized);
        for (auto &ch : junk)
            ch = static_cast<char>(rng.bounded(256));
        if (i % 2) // keep the magic so the decoder gets further
            junk.replace(0, std::min<qsizetype>(16, c->size()), c->left(16));
        auto d = Codec::decompress(codec, junk, 1 << 20);
        Q_UNUSED(d);
    }
    // Flipped bytes inside a valid stream.
    for (int i = 0; i < 200; ++i) {
        QByteArray bad = *c;
        const int pos = rng.bounded(bad.size());
        bad[pos] = static_cast<char>(bad[pos] ^ (1 + rng.bounded(255)));
        auto d = Codec::decompress(codec, bad, 64 << 20);
        Q_UNUSED(d);
    }
}

void TstRecordBatch::codecNames()
{
    QCOMPARE(Codec::name(Compression::None), QStringLiteral("none"));
    QCOMPARE(Codec::name(Compression::Gzip), QStringLiteral("gzip"));
    QCOMPARE(Codec::name(Compression::Snappy), QStringLiteral("snappy"));
    QCOMPARE(Codec::name(Compression::Lz4), QStringLiteral("lz4"));
    QCOMPARE(Codec::name(Compression::Zstd), QStringLiteral("zstd"));
    QCOMPARE(Codec::fromName(QStringLiteral("ZSTD")), std::optional<Compression>(Compression::Zstd));
    QCOMPARE(Codec::fromName(QStringLiteral("lz5")), std::optional<Compression>());
    QCOMPARE(static_cast<int>(Compression::Gzip), 1);
    QCOMPARE(static_cast<int>(Compression::Snappy), 2);
    QCOMPARE(static_cast<int>(Compression::Lz4), 3);
    QCOMPARE(static_cast<int>(Compression::Zstd), 4);
}

QTEST_GUILESS_MAIN(TstRecordBatch)
#include "tst_recordbatch.moc"
