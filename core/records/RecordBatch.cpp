#include "RecordBatch.h"

#include "records/Crc32c.h"
#include "wire/ByteReader.h"
#include "wire/KafkaError.h"

#include <QtEndian>

#include <algorithm>

namespace kpw {
namespace {

qsizetype bytesFieldSize(const std::optional<QByteArray> &b)
{
    if (!b)
        return ByteWriter::varintSize(-1);
    return ByteWriter::varintSize(static_cast<std::int32_t>(b->size())) + b->size();
}

qsizetype recordBodySize(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                         const QList<RecordHeader> &headers, std::int64_t timestampDelta, int offsetDelta)
{
    qsizetype n = 1; // attributes
    n += ByteWriter::varlongSize(timestampDelta);
    n += ByteWriter::varintSize(offsetDelta);
    n += bytesFieldSize(key);
    n += bytesFieldSize(value);
    n += ByteWriter::varintSize(static_cast<std::int32_t>(headers.size()));
    for (const auto &h : headers) {
        const auto k = h.key.toUtf8();
        n += ByteWriter::varintSize(static_cast<std::int32_t>(k.size())) + k.size();
        n += bytesFieldSize(h.value);
    }
    return n;
}

void writeVarBytes(ByteWriter &w, const std::optional<QByteArray> &b)
{
    if (!b) {
        w.varint(-1);
        return;
    }
    w.varint(static_cast<std::int32_t>(b->size()));
    w.raw(*b);
}

std::optional<QByteArray> readVarBytes(ByteReader &r)
{
    const std::int32_t len = r.varint();
    if (len == -1)
        return std::nullopt;
    if (len < 0) {
        r.fail(QStringLiteral("negative length %1 in record").arg(len));
        return QByteArray();
    }
    return r.rawBytes(len);
}

Error decodeError(std::int64_t baseOffset, const QString &what)
{
    return {KafkaError::CorruptMessage, QStringLiteral("record batch at offset %1: %2").arg(baseOffset).arg(what)};
}

} // namespace

RecordBatchBuilder::RecordBatchBuilder(BatchParams params) : m_params(params)
{
    reset(std::max<qsizetype>(m_params.initialCapacity, kBatchHeaderSize));
}

void RecordBatchBuilder::reset(qsizetype capacity)
{
    m_records = ByteWriter(capacity);
    m_records.raw(QByteArray(kBatchHeaderSize, '\0')); // room for the header
    m_count = 0;
    m_baseTimestamp = 0;
    m_maxTimestamp = 0;
}

void RecordBatchBuilder::setSequence(std::int64_t producerId, std::int16_t epoch, std::int32_t baseSequence)
{
    m_params.producerId = producerId;
    m_params.producerEpoch = epoch;
    m_params.baseSequence = baseSequence;
}

qsizetype RecordBatchBuilder::recordSizeBound(const std::optional<QByteArray> &key,
                                              const std::optional<QByteArray> &value,
                                              const QList<RecordHeader> &headers)
{
    // length (5) + attributes (1) + timestamp delta (10) + offset delta (5)
    // + key and value lengths (5 each) + header count (5)
    qsizetype n = 36 + (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto &h : headers)
        n += 10 + h.key.size() * 3 + (h.value ? h.value->size() : 0); // UTF-8 takes at most 3 bytes per UTF-16 unit
    return n;
}

qsizetype RecordBatchBuilder::recordSize(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                                         const QList<RecordHeader> &headers, std::int64_t timestampDelta,
                                         int offsetDelta)
{
    const qsizetype body = recordBodySize(key, value, headers, timestampDelta, offsetDelta);
    return ByteWriter::varintSize(static_cast<std::int32_t>(body)) + body;
}

void RecordBatchBuilder::append(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                                const QList<RecordHeader> &headers, std::int64_t timestampMs)
{
    if (m_count == 0) {
        m_baseTimestamp = timestampMs;
        m_maxTimestamp = timestampMs;
    }
    m_maxTimestamp = std::max(m_maxTimestamp, timestampMs);
    const std::int64_t tsDelta = timestampMs - m_baseTimestamp;
    const int offsetDelta = m_count;

    m_records.varint(static_cast<std::int32_t>(recordBodySize(key, value, headers, tsDelta, offsetDelta)));
    m_records.int8(0); // record attributes: unused
    m_records.varlong(tsDelta);
    m_records.varint(offsetDelta);
    writeVarBytes(m_records, key);
    writeVarBytes(m_records, value);
    m_records.varint(static_cast<std::int32_t>(headers.size()));
    for (const auto &h : headers) {
        const auto k = h.key.toUtf8();
        m_records.varint(static_cast<std::int32_t>(k.size()));
        m_records.raw(k);
        writeVarBytes(m_records, h.value);
    }
    ++m_count;
}

Result<QByteArray> RecordBatchBuilder::build()
{
    QByteArray out;
    if (m_params.codec == Compression::None) {
        out = m_records.take();
    } else {
        const QByteArray &all = m_records.buffer();
        auto compressed = Codec::compress(
            m_params.codec, QByteArray::fromRawData(all.constData() + kBatchHeaderSize, all.size() - kBatchHeaderSize),
            m_params.compressionLevel);
        if (!compressed)
            return compressed.error();
        out.reserve(kBatchHeaderSize + compressed->size());
        out.append(kBatchHeaderSize, '\0');
        out.append(*compressed);
    }

    std::int16_t attributes = static_cast<std::int16_t>(m_params.codec);
    if (m_params.transactional)
        attributes |= BatchAttr::Transactional;

    // The header, written over the room left at the front.
    char *h = out.data();
    auto put16 = [](char *at, std::int16_t v) { qToBigEndian(v, at); };
    auto put32 = [](char *at, std::int32_t v) { qToBigEndian(v, at); };
    auto put64 = [](char *at, std::int64_t v) { qToBigEndian(v, at); };
    put64(h + 0, 0);                                          // baseOffset
    put32(h + 8, static_cast<std::int32_t>(out.size() - 12)); // batchLength
    put32(h + 12, -1);                                        // partitionLeaderEpoch
    h[16] = 2;                                                // magic
    put16(h + 21, attributes);                                // attributes
    put32(h + 23, m_count - 1);                               // lastOffsetDelta
    put64(h + 27, m_baseTimestamp);                           // baseTimestamp
    put64(h + 35, m_maxTimestamp);                            // maxTimestamp
    put64(h + 43, m_params.producerId);                       // producerId
    put16(h + 51, m_params.producerEpoch);                    // producerEpoch
    put32(h + 53, m_params.baseSequence);                     // baseSequence
    put32(h + 57, m_count);                                   // recordsCount
    const std::uint32_t crc = crc32c(h + 21, static_cast<std::size_t>(out.size() - 21));
    qToBigEndian(crc, h + 17);
    reset(kBatchHeaderSize); // usually never used again: keep it small
    return out;
}

bool restampProducerState(QByteArray &batch, std::int64_t producerId, std::int16_t epoch, std::int32_t baseSequence)
{
    if (batch.size() < kBatchHeaderSize)
        return false;
    auto *h = reinterpret_cast<uchar *>(batch.data());
    qToBigEndian(producerId, h + 43);
    qToBigEndian(epoch, h + 51);
    qToBigEndian(baseSequence, h + 53);
    qToBigEndian(crc32c(h + 21, static_cast<std::size_t>(batch.size() - 21)), h + 17);
    return true;
}

Result<QList<DecodedBatch>> decodeRecordBatches(const QByteArray &data, const DecodeLimits &limits)
{
    QList<DecodedBatch> out;
    qsizetype pos = 0;
    while (data.size() - pos >= 12) {
        ByteReader head(data.constData() + pos, data.size() - pos);
        DecodedBatch b;
        b.baseOffset = head.int64();
        b.batchLength = head.int32();
        if (b.batchLength < kBatchHeaderSize - 12)
            return decodeError(b.baseOffset,
                               QStringLiteral("batch length %1 is smaller than a header").arg(b.batchLength));
        if (b.batchLength > data.size() - pos - 12)
            break; // partial trailing batch
        const qsizetype total = 12 + static_cast<qsizetype>(b.batchLength);
        ByteReader r(data.constData() + pos + 12, b.batchLength);
        b.partitionLeaderEpoch = r.int32();
        b.magic = r.int8();
        if (b.magic != 2)
            return decodeError(b.baseOffset, QStringLiteral("magic %1 is not supported (only 2)").arg(b.magic));
        b.crc = r.uint32();
        const std::uint32_t actual = crc32c(data.constData() + pos + 21, static_cast<std::size_t>(total - 21));
        if (actual != b.crc)
            return decodeError(b.baseOffset, QStringLiteral("CRC mismatch (stored %1, computed %2)")
                                                 .arg(b.crc, 8, 16, QLatin1Char('0'))
                                                 .arg(actual, 8, 16, QLatin1Char('0')));
        b.attributes = r.int16();
        b.lastOffsetDelta = r.int32();
        b.baseTimestamp = r.int64();
        b.maxTimestamp = r.int64();
        b.producerId = r.int64();
        b.producerEpoch = r.int16();
        b.baseSequence = r.int32();
        const std::int32_t count = r.int32();
        if (!r.ok())
            return decodeError(b.baseOffset, r.error());
        std::int64_t lastOffset = 0;
        if (__builtin_add_overflow(b.baseOffset, static_cast<std::int64_t>(b.lastOffsetDelta), &lastOffset))
            return decodeError(b.baseOffset, QStringLiteral("last offset delta %1 overflows").arg(b.lastOffsetDelta));
        if (count < 0)
            return decodeError(b.baseOffset, QStringLiteral("negative record count %1").arg(count));

        QByteArray recordsBytes = r.rawBytes(r.remaining());
        const auto codec = b.codec();
        if (static_cast<int>(codec) > 4)
            return decodeError(b.baseOffset,
                               QStringLiteral("unknown compression codec %1").arg(static_cast<int>(codec)));
        if (codec != Compression::None) {
            auto raw = Codec::decompress(codec, recordsBytes, limits.maxDecompressedBatch);
            if (!raw)
                return decodeError(b.baseOffset, raw.error().message);
            recordsBytes = std::move(*raw);
        }
        // Every record takes at least 7 bytes: refuse impossible counts
        // before reserving room for them.
        if (count > recordsBytes.size() / 7 + 1)
            return decodeError(b.baseOffset,
                               QStringLiteral("%1 records cannot fit in %2 bytes").arg(count).arg(recordsBytes.size()));
        ByteReader rr(recordsBytes);
        b.records.reserve(std::min<qsizetype>(count, 1024)); // a count is a claim, not a promise
        for (std::int32_t i = 0; i < count; ++i) {
            const std::int32_t len = rr.varint();
            if (!rr.ok() || len < 0 || len > rr.remaining())
                return decodeError(b.baseOffset, QStringLiteral("record %1 overruns its batch").arg(i));
            ByteReader rec(recordsBytes.constData() + rr.position(), len);
            rr.skip(len);
            DecodedRecord d;
            rec.int8(); // attributes
            const std::int64_t tsDelta = rec.varlong();
            const std::int64_t offsetDelta = rec.varint();
            if (__builtin_add_overflow(b.baseTimestamp, tsDelta, &d.timestampMs) ||
                __builtin_add_overflow(b.baseOffset, offsetDelta, &d.offset))
                return decodeError(b.baseOffset, QStringLiteral("record %1: offset or timestamp overflows").arg(i));
            d.key = readVarBytes(rec);
            d.value = readVarBytes(rec);
            const std::int32_t headerCount = rec.varint();
            if (headerCount < 0 || headerCount > rec.remaining() / 2)
                return decodeError(
                    b.baseOffset,
                    QStringLiteral("record %1 has an impossible header count %2").arg(i).arg(headerCount));
            for (std::int32_t h = 0; h < headerCount && rec.ok(); ++h) {
                RecordHeader hdr;
                const std::int32_t klen = rec.varint();
                if (klen < 0) {
                    rec.fail(QStringLiteral("negative header key length"));
                    break;
                }
                hdr.key = QString::fromUtf8(rec.rawBytes(klen));
                hdr.value = readVarBytes(rec);
                d.headers.append(std::move(hdr));
            }
            if (!rec.ok())
                return decodeError(b.baseOffset, QStringLiteral("record %1: %2").arg(i).arg(rec.error()));
            b.records.append(std::move(d));
        }
        if (!rr.atEnd())
            return decodeError(b.baseOffset, QStringLiteral("%1 bytes remain after the %2 records the batch declares")
                                                 .arg(recordsBytes.size() - rr.position())
                                                 .arg(count));
        out.append(std::move(b));
        pos += total;
    }
    return out;
}

} // namespace kpw
