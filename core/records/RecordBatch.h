#pragma once

#include "records/Compression.h"
#include "records/ProducerRecord.h"
#include "wire/ByteWriter.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <optional>

namespace kpw {

namespace BatchAttr {
constexpr std::int16_t CodecMask = 0x07;
constexpr std::int16_t LogAppendTime = 0x08;
constexpr std::int16_t Transactional = 0x10;
constexpr std::int16_t Control = 0x20;
constexpr std::int16_t DeleteHorizon = 0x40;
} // namespace BatchAttr

// Fixed part of a magic-2 batch, up to and including recordsCount.
constexpr int kBatchHeaderSize = 61;

struct BatchParams
{
    Compression codec = Compression::None;
    std::optional<int> compressionLevel;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    std::int32_t baseSequence = -1;
    bool transactional = false;
    // Bytes to reserve for the batch up front (the producer passes
    // batch.size): growing a large batch by doubling copied it again and again.
    qsizetype initialCapacity = 1024;
};

// Builds one record batch v2 (magic 2) incrementally: records are encoded as
// they are appended, behind room left for the batch header, so
// sizeInBytes() is exact before compression and an uncompressed batch is
// finished in place, without copying its records.
class RecordBatchBuilder final
{
public:
    explicit RecordBatchBuilder(BatchParams params = {});

    void append(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                const QList<RecordHeader> &headers, std::int64_t timestampMs);
    int count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    // Uncompressed size of the batch built so far.
    qsizetype sizeInBytes() const { return m_records.size(); }
    // Finishes the batch (header, compression, CRC) and hands its bytes over;
    // the builder is empty afterwards, ready for a new batch. Fails only when
    // compression fails.
    Result<QByteArray> build();

    const BatchParams &params() const { return m_params; }
    void setSequence(std::int64_t producerId, std::int16_t epoch, std::int32_t baseSequence);

    // An upper bound of recordSize() for any deltas, cheap to compute: what
    // the hot path uses to decide whether a record fits.
    static qsizetype recordSizeBound(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                                     const QList<RecordHeader> &headers);
    // Encoded size of one record with the given offset/timestamp deltas.
    static qsizetype recordSize(const std::optional<QByteArray> &key, const std::optional<QByteArray> &value,
                                const QList<RecordHeader> &headers, std::int64_t timestampDelta, int offsetDelta);

private:
    void reset(qsizetype capacity);

    BatchParams m_params;
    ByteWriter m_records;
    int m_count = 0;
    std::int64_t m_baseTimestamp = 0;
    std::int64_t m_maxTimestamp = 0;
};

// Rewrites the producer id, epoch and base sequence of a finished batch and
// its CRC, in place (after an epoch bump the idempotent producer resends a
// rejected batch under new sequence numbers). False if `batch` is too short.
bool restampProducerState(QByteArray &batch, std::int64_t producerId, std::int16_t epoch, std::int32_t baseSequence);

// The sequence after `sequence` + `increment`: sequences wrap from INT32_MAX to 0.
constexpr std::int32_t incrementSequence(std::int32_t sequence, std::int32_t increment)
{
    return static_cast<std::int32_t>((static_cast<std::int64_t>(sequence) + increment) % 2147483648LL);
}

struct DecodedRecord
{
    std::int64_t offset = 0;
    std::int64_t timestampMs = 0;
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
};

struct DecodedBatch
{
    std::int64_t baseOffset = 0;
    std::int32_t batchLength = 0;
    std::int32_t partitionLeaderEpoch = -1;
    std::int8_t magic = 2;
    std::uint32_t crc = 0;
    std::int16_t attributes = 0;
    std::int32_t lastOffsetDelta = 0;
    std::int64_t baseTimestamp = 0;
    std::int64_t maxTimestamp = 0;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    std::int32_t baseSequence = -1;
    QList<DecodedRecord> records;

    Compression codec() const { return static_cast<Compression>(attributes & BatchAttr::CodecMask); }
    bool isTransactional() const { return attributes & BatchAttr::Transactional; }
    bool isControl() const { return attributes & BatchAttr::Control; }
    std::int64_t lastOffset() const { return baseOffset + lastOffsetDelta; }
};

struct DecodeLimits
{
    qsizetype maxDecompressedBatch = 64 * 1024 * 1024;
};

// Decodes the consecutive batches of a Records field. A partial batch at the
// end (a fetch cut at its byte limit) ends the list without an error; a CRC
// mismatch, a bad magic, a record that overruns its batch or a failed
// decompression is an error naming the batch's base offset.
Result<QList<DecodedBatch>> decodeRecordBatches(const QByteArray &data, const DecodeLimits &limits = {});

} // namespace kpw
