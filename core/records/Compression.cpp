#include "Compression.h"

#include "wire/KafkaError.h"

#include <QtEndian>

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

namespace kpw {
namespace {

// xerial snappy-java framing, as the Java client writes it.
constexpr unsigned char kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr qsizetype kXerialHeader = 16;
constexpr qsizetype kXerialBlock = qsizetype{32} * 1024;

Error codecError(Compression c, const QString &what)
{
    return {KafkaError::CorruptMessage, QStringLiteral("%1: %2").arg(Codec::name(c), what)};
}

Result<QByteArray> gzipCompress(const QByteArray &raw, std::optional<int> level)
{
    z_stream zs{};
    if (deflateInit2(&zs, level.value_or(Z_DEFAULT_COMPRESSION), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return codecError(Compression::Gzip, QStringLiteral("deflateInit2 failed"));
    QByteArray out(static_cast<qsizetype>(deflateBound(&zs, static_cast<uLong>(raw.size()))) + 32, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.constData()));
    zs.avail_in = static_cast<uInt>(raw.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const auto produced = static_cast<qsizetype>(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return codecError(Compression::Gzip, QStringLiteral("deflate failed (%1)").arg(rc));
    out.truncate(produced);
    return out;
}

Result<QByteArray> gzipDecompress(const QByteArray &data, qsizetype maxOutput)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return codecError(Compression::Gzip, QStringLiteral("inflateInit2 failed"));
    std::unique_ptr<z_stream, int (*)(z_stream *)> guard(&zs, inflateEnd);
    QByteArray out;
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = static_cast<uInt>(data.size());
    char chunk[64 * 1024];
    for (;;) {
        zs.next_out = reinterpret_cast<Bytef *>(chunk);
        zs.avail_out = sizeof chunk;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            return codecError(
                Compression::Gzip,
                QStringLiteral("corrupt stream (%1)").arg(QString::fromLatin1(zs.msg ? zs.msg : "inflate error")));
        const qsizetype got = static_cast<qsizetype>(sizeof chunk - zs.avail_out);
        if (out.size() + got > maxOutput)
            return codecError(Compression::Gzip, QStringLiteral("decompresses to more than %1 bytes").arg(maxOutput));
        out.append(chunk, got);
        if (rc == Z_STREAM_END)
            return out;
        if (zs.avail_in == 0 && got == 0)
            return codecError(Compression::Gzip, QStringLiteral("truncated stream"));
    }
}

Result<QByteArray> snappyCompress(const QByteArray &raw)
{
    QByteArray out;
    out.reserve(kXerialHeader + static_cast<qsizetype>(snappy::MaxCompressedLength(static_cast<size_t>(raw.size()))) +
                (raw.size() / kXerialBlock + 1) * 4);
    out.append(reinterpret_cast<const char *>(kXerialMagic), 8);
    char word[4];
    qToBigEndian<std::int32_t>(1, word);
    out.append(word, 4); // version
    out.append(word, 4); // compatible version
    std::string block;
    for (qsizetype at = 0; at < raw.size(); at += kXerialBlock) {
        const qsizetype n = std::min(kXerialBlock, raw.size() - at);
        block.clear();
        snappy::Compress(raw.constData() + at, static_cast<size_t>(n), &block);
        qToBigEndian<std::int32_t>(static_cast<std::int32_t>(block.size()), word);
        out.append(word, 4);
        out.append(block.data(), static_cast<qsizetype>(block.size()));
    }
    return out;
}

Result<QByteArray> snappyRawDecompress(const char *p, qsizetype n, qsizetype budget)
{
    size_t len = 0;
    if (!snappy::GetUncompressedLength(p, static_cast<size_t>(n), &len))
        return codecError(Compression::Snappy, QStringLiteral("corrupt block header"));
    if (static_cast<qsizetype>(len) > budget)
        return codecError(Compression::Snappy, QStringLiteral("block decompresses to more than %1 bytes").arg(budget));
    QByteArray out(static_cast<qsizetype>(len), Qt::Uninitialized);
    if (!snappy::RawUncompress(p, static_cast<size_t>(n), out.data()))
        return codecError(Compression::Snappy, QStringLiteral("corrupt block"));
    return out;
}

Result<QByteArray> snappyDecompress(const QByteArray &data, qsizetype maxOutput)
{
    if (data.size() < kXerialHeader || std::memcmp(data.constData(), kXerialMagic, 8) != 0)
        return snappyRawDecompress(data.constData(), data.size(), maxOutput); // librdkafka writes raw
    QByteArray out;
    qsizetype pos = kXerialHeader;
    while (pos < data.size()) {
        if (data.size() - pos < 4)
            return codecError(Compression::Snappy, QStringLiteral("truncated xerial chunk length"));
        const auto len = qFromBigEndian<std::int32_t>(data.constData() + pos);
        pos += 4;
        if (len < 0 || len > data.size() - pos)
            return codecError(Compression::Snappy,
                              QStringLiteral("xerial chunk of %1 bytes overruns the data").arg(len));
        auto block = snappyRawDecompress(data.constData() + pos, len, maxOutput - out.size());
        if (!block)
            return block.error();
        out.append(*block);
        pos += len;
    }
    return out;
}

Result<QByteArray> lz4Compress(const QByteArray &raw, std::optional<int> level)
{
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent; // Java's reader rejects dependent blocks
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    // Kafka's default lz4 level, 9, means the fast compressor (the Java
    // client keeps lz4's fast path for it, KIP-390); other levels select
    // LZ4-HC, which is several times slower.
    prefs.compressionLevel = (!level || *level == 9) ? 0 : *level;
    QByteArray out(static_cast<qsizetype>(LZ4F_compressFrameBound(static_cast<size_t>(raw.size()), &prefs)),
                   Qt::Uninitialized);
    const size_t n = LZ4F_compressFrame(out.data(), static_cast<size_t>(out.size()), raw.constData(),
                                        static_cast<size_t>(raw.size()), &prefs);
    if (LZ4F_isError(n))
        return codecError(Compression::Lz4, QString::fromLatin1(LZ4F_getErrorName(n)));
    out.truncate(static_cast<qsizetype>(n));
    return out;
}

Result<QByteArray> lz4Decompress(const QByteArray &data, qsizetype maxOutput)
{
    LZ4F_dctx *ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION)))
        return codecError(Compression::Lz4, QStringLiteral("cannot create a context"));
    std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx *)> guard(ctx, LZ4F_freeDecompressionContext);
    QByteArray out;
    char chunk[64 * 1024];
    const char *src = data.constData();
    size_t left = static_cast<size_t>(data.size());
    for (;;) {
        size_t dstSize = sizeof chunk;
        size_t srcSize = left;
        const size_t hint = LZ4F_decompress(ctx, chunk, &dstSize, src, &srcSize, nullptr);
        if (LZ4F_isError(hint))
            return codecError(Compression::Lz4, QString::fromLatin1(LZ4F_getErrorName(hint)));
        if (out.size() + static_cast<qsizetype>(dstSize) > maxOutput)
            return codecError(Compression::Lz4, QStringLiteral("decompresses to more than %1 bytes").arg(maxOutput));
        out.append(chunk, static_cast<qsizetype>(dstSize));
        src += srcSize;
        left -= srcSize;
        if (hint == 0)
            return out; // frame complete
        if (left == 0 && dstSize == 0)
            return codecError(Compression::Lz4, QStringLiteral("truncated frame"));
    }
}

Result<QByteArray> zstdCompress(const QByteArray &raw, std::optional<int> level)
{
    QByteArray out(static_cast<qsizetype>(ZSTD_compressBound(static_cast<size_t>(raw.size()))), Qt::Uninitialized);
    const size_t n = ZSTD_compress(out.data(), static_cast<size_t>(out.size()), raw.constData(),
                                   static_cast<size_t>(raw.size()), level.value_or(3));
    if (ZSTD_isError(n))
        return codecError(Compression::Zstd, QString::fromLatin1(ZSTD_getErrorName(n)));
    out.truncate(static_cast<qsizetype>(n));
    return out;
}

Result<QByteArray> zstdDecompress(const QByteArray &data, qsizetype maxOutput)
{
    std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream *)> ds(ZSTD_createDStream(), ZSTD_freeDStream);
    if (!ds)
        return codecError(Compression::Zstd, QStringLiteral("cannot create a context"));
    // The window a frame may ask for is allocated up front: bound it by the
    // output limit (from 8 MiB, what zstd levels up to 19 write, to 128 MiB).
    int windowLog = 23;
    while (windowLog < 27 && (qsizetype(1) << windowLog) < maxOutput)
        ++windowLog;
    ZSTD_DCtx_setParameter(ds.get(), ZSTD_d_windowLogMax, windowLog);
    QByteArray out;
    char chunk[64 * 1024];
    ZSTD_inBuffer in{data.constData(), static_cast<size_t>(data.size()), 0};
    // Only standard (and skippable) frames: the legacy formats libzstd still
    // decodes ignore windowLogMax, so a 9-byte legacy header could claim a
    // 32 MiB window (found by fuzz_codec). Kafka writes standard frames.
    const auto frameStartOk = [&] {
        if (in.size - in.pos < 4)
            return false;
        const auto magic = qFromLittleEndian<quint32>(static_cast<const char *>(in.src) + in.pos);
        return magic == ZSTD_MAGICNUMBER || (magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START;
    };
    if (!frameStartOk())
        return codecError(Compression::Zstd, QStringLiteral("not a zstd frame (legacy zstd formats are refused)"));
    size_t rc = 1;
    while (in.pos < in.size || rc != 0) {
        if (rc == 0 && !frameStartOk()) // a frame ended: the next must be a frame too
            return codecError(Compression::Zstd, QStringLiteral("data after a zstd frame is not a zstd frame"));
        ZSTD_outBuffer o{chunk, sizeof chunk, 0};
        rc = ZSTD_decompressStream(ds.get(), &o, &in);
        if (ZSTD_isError(rc))
            return codecError(Compression::Zstd, QString::fromLatin1(ZSTD_getErrorName(rc)));
        if (out.size() + static_cast<qsizetype>(o.pos) > maxOutput)
            return codecError(Compression::Zstd, QStringLiteral("decompresses to more than %1 bytes").arg(maxOutput));
        out.append(chunk, static_cast<qsizetype>(o.pos));
        if (in.pos == in.size && o.pos == 0 && rc != 0)
            return codecError(Compression::Zstd, QStringLiteral("truncated frame"));
    }
    return out;
}

} // namespace

QString Codec::name(Compression c)
{
    switch (c) {
    case Compression::None: return QStringLiteral("none");
    case Compression::Gzip: return QStringLiteral("gzip");
    case Compression::Snappy: return QStringLiteral("snappy");
    case Compression::Lz4: return QStringLiteral("lz4");
    case Compression::Zstd: return QStringLiteral("zstd");
    }
    return QStringLiteral("codec%1").arg(static_cast<int>(c));
}

std::optional<Compression> Codec::fromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (auto c : {Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd})
        if (n == Codec::name(c))
            return c;
    return std::nullopt;
}

Result<QByteArray> Codec::compress(Compression c, const QByteArray &raw, std::optional<int> level)
{
    switch (c) {
    case Compression::None: return raw;
    case Compression::Gzip: return gzipCompress(raw, level);
    case Compression::Snappy: return snappyCompress(raw);
    case Compression::Lz4: return lz4Compress(raw, level);
    case Compression::Zstd: return zstdCompress(raw, level);
    }
    return codecError(c, QStringLiteral("unknown codec"));
}

Result<QByteArray> Codec::decompress(Compression c, const QByteArray &data, qsizetype maxOutput)
{
    switch (c) {
    case Compression::None:
        if (data.size() > maxOutput)
            return codecError(c, QStringLiteral("%1 bytes is more than %2").arg(data.size()).arg(maxOutput));
        return data;
    case Compression::Gzip: return gzipDecompress(data, maxOutput);
    case Compression::Snappy: return snappyDecompress(data, maxOutput);
    case Compression::Lz4: return lz4Decompress(data, maxOutput);
    case Compression::Zstd: return zstdDecompress(data, maxOutput);
    }
    return codecError(c, QStringLiteral("unknown codec"));
}

} // namespace kpw
