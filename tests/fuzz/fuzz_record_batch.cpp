// fuzz_record_batch: decodeRecordBatches, the reader of a Records field
// (consecutive magic-2 batches, any codec), with a 4 MiB decompression limit.
//
// Input format: the raw Records bytes (tests/fuzz/capture-seeds takes them
// from real Produce requests and Fetch responses).
//
// A CRC-32C guards each batch, so a mutated input almost always stops at the
// CRC check. CRCs protect against corruption, not against a hostile peer, who
// computes them: so each input is decoded twice, once as it is and once with
// the CRC of every complete batch recomputed, which lets the fuzzer reach the
// record and codec code behind the check.
//
// Properties: no crash, leak, UB or allocation beyond the limits; and a
// decoded batch re-encoded with RecordBatchBuilder (same codec) decodes to
// the same keys, values, headers and timestamps.

#include "FuzzCheck.h"

#include "records/Crc32c.h"
#include "records/RecordBatch.h"

#include <QtEndian>

using namespace kpw;

namespace {

constexpr qsizetype kLimit = 4 * 1024 * 1024;
// Re-compressing megabytes with gzip on every input would slow the fuzzer
// down for little gain: larger batches are rebuilt uncompressed.
constexpr qsizetype kRecompressLimit = 256 * 1024;

// Recomputes the CRC of every complete batch, walking them as the decoder does.
QByteArray withValidCrcs(QByteArray data)
{
    qsizetype pos = 0;
    while (data.size() - pos >= kBatchHeaderSize) {
        const auto batchLength = qFromBigEndian<std::int32_t>(data.constData() + pos + 8);
        if (batchLength < kBatchHeaderSize - 12 || batchLength > data.size() - pos - 12)
            break;
        const qsizetype total = 12 + static_cast<qsizetype>(batchLength);
        const std::uint32_t crc = crc32c(data.constData() + pos + 21, static_cast<std::size_t>(total - 21));
        qToBigEndian<std::uint32_t>(crc, data.data() + pos + 17);
        pos += total;
    }
    return data;
}

bool differenceFits(std::int64_t a, std::int64_t b)
{
    std::int64_t d;
    return !__builtin_sub_overflow(a, b, &d);
}

void roundTrip(const DecodedBatch &batch)
{
    qsizetype payload = 0;
    for (const auto &rec : batch.records)
        payload += rec.key.value_or(QByteArray()).size() + rec.value.value_or(QByteArray()).size();

    BatchParams params;
    params.codec = payload <= kRecompressLimit ? batch.codec() : Compression::None;
    params.producerId = batch.producerId;
    params.producerEpoch = batch.producerEpoch;
    params.baseSequence = batch.baseSequence;
    params.transactional = batch.isTransactional();

    // The builder stores timestamps as deltas from the first record's; keep
    // them only when every delta fits in an int64 (a producer's do).
    bool keepTimestamps = true;
    for (const auto &rec : batch.records)
        keepTimestamps = keepTimestamps && differenceFits(rec.timestampMs, batch.records.front().timestampMs);

    RecordBatchBuilder builder(params);
    for (const auto &rec : batch.records)
        builder.append(rec.key, rec.value, rec.headers, keepTimestamps ? rec.timestampMs : 0);
    const qsizetype expectedSize = builder.sizeInBytes();
    auto built = builder.build();
    FUZZ_CHECK(built.ok(), "build failed: %s", kpwfuzz::c(built.error().message));
    if (params.codec == Compression::None)
        FUZZ_CHECK(built->size() == expectedSize, "built %lld bytes, sizeInBytes() said %lld",
                   static_cast<long long>(built->size()), static_cast<long long>(expectedSize));

    auto again = decodeRecordBatches(*built);
    FUZZ_CHECK(again.ok(), "re-encoded batch does not decode: %s", kpwfuzz::c(again.error().message));
    FUZZ_CHECK(again->size() == 1, "%lld batches", static_cast<long long>(again->size()));
    const DecodedBatch &b = again->front();
    FUZZ_CHECK(b.records.size() == batch.records.size(), "%lld records, expected %lld",
               static_cast<long long>(b.records.size()), static_cast<long long>(batch.records.size()));
    FUZZ_CHECK(b.codec() == params.codec, "codec %d", static_cast<int>(b.codec()));
    FUZZ_CHECK(b.producerId == batch.producerId && b.producerEpoch == batch.producerEpoch &&
                   b.baseSequence == batch.baseSequence,
               "producer id/epoch/sequence changed");
    for (qsizetype i = 0; i < b.records.size(); ++i) {
        const DecodedRecord &x = batch.records[i];
        const DecodedRecord &y = b.records[i];
        FUZZ_CHECK(x.key == y.key, "record %lld: key differs", static_cast<long long>(i));
        FUZZ_CHECK(x.value == y.value, "record %lld: value differs", static_cast<long long>(i));
        FUZZ_CHECK(x.headers == y.headers, "record %lld: headers differ", static_cast<long long>(i));
        FUZZ_CHECK(y.offset == i, "record %lld: offset %lld", static_cast<long long>(i), static_cast<long long>(y.offset));
        if (keepTimestamps)
            FUZZ_CHECK(x.timestampMs == y.timestampMs, "record %lld: timestamp %lld, expected %lld",
                       static_cast<long long>(i), static_cast<long long>(y.timestampMs),
                       static_cast<long long>(x.timestampMs));
    }
}

void decodeAndCheck(const QByteArray &data)
{
    DecodeLimits limits;
    limits.maxDecompressedBatch = kLimit;
    auto r = decodeRecordBatches(data, limits);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype consumed = 0;
    for (const auto &batch : *r) {
        FUZZ_CHECK(batch.magic == 2, "magic %d", batch.magic);
        FUZZ_CHECK(batch.batchLength >= kBatchHeaderSize - 12, "batch length %d", batch.batchLength);
        consumed += 12 + static_cast<qsizetype>(batch.batchLength);
        (void)batch.lastOffset(); // what a consumer of DecodedBatch computes
        roundTrip(batch);
    }
    FUZZ_CHECK(consumed <= data.size(), "batches span %lld of %lld bytes", static_cast<long long>(consumed),
               static_cast<long long>(data.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = kpwfuzz::bytes(data, size);
    decodeAndCheck(input);
    const QByteArray fixed = withValidCrcs(input);
    if (fixed != input)
        decodeAndCheck(fixed);
    return 0;
}
