// fuzz_codec: Codec::decompress / Codec::compress for every codec.
//
// Input format:
//   byte 0   bits 0-2: codec, taken modulo 5 (0 none, 1 gzip, 2 snappy,
//            3 lz4, 4 zstd); bits 3-4: compression level for the round
//            trip (default, 1, 5, -1)
//   rest     the data: decompressed as a hostile payload, and compressed
//            then decompressed as a round trip
//
// Properties:
//   - decompress(c, data, 1 MiB) never returns more than 1 MiB (zip bombs
//     fail cleanly), and the bound is exact: with maxOutput = the size it
//     produced it succeeds with the same bytes, with one byte less it fails;
//   - decompress(c, compress(c, data)) == data, with maxOutput = data.size();
//   - decompress(c, data, 1 MiB) makes no single allocation above 16 MiB
//     (a few header bytes must not buy hundreds of megabytes);
//   - no crash, leak, UB, and no allocation beyond the libFuzzer limits.
//
// Compression::None is the identity and does not apply maxOutput (a Records
// field without a codec is never "decompressed"): its bound is not checked.

#include "FuzzCheck.h"

#include "records/Compression.h"

using namespace kpw;

namespace {

constexpr qsizetype kMaxOutput = 1024 * 1024;
// A decoder's own buffers may exceed its output bound (lz4 frames with 4 MiB
// blocks need two 4 MiB buffers), but not by orders of magnitude: no single
// allocation above 16 x maxOutput while decompressing.
constexpr std::size_t kMaxAllocation = 16 * kMaxOutput;

std::optional<int> levelFor(std::uint8_t selector)
{
    switch ((selector >> 3) & 3) {
    case 1: return 1;
    case 2: return 5;
    case 3: return -1;
    default: return std::nullopt;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const auto codec = static_cast<Compression>(data[0] % 5);
    const QByteArray input = kpwfuzz::bytes(data + 1, size - 1);
    const char *name = kpwfuzz::c(Codec::name(codec));

    // 1. The input as a compressed payload.
    std::size_t largestAllocation = 0;
    Result<QByteArray> out = QByteArray();
    {
        kpwfuzz::AllocationWatch watch;
        out = Codec::decompress(codec, input, kMaxOutput);
        largestAllocation = watch.largest();
    }
    FUZZ_CHECK(largestAllocation <= kMaxAllocation, "%s: one allocation of %zu bytes for maxOutput %lld", name,
               largestAllocation, static_cast<long long>(kMaxOutput));
    if (out.ok() && codec != Compression::None) {
        const qsizetype n = out->size();
        FUZZ_CHECK(n <= kMaxOutput, "%s: %lld bytes out with maxOutput %lld", name, static_cast<long long>(n),
                   static_cast<long long>(kMaxOutput));
        auto exact = Codec::decompress(codec, input, n);
        FUZZ_CHECK(exact.ok(), "%s: fails with maxOutput = its own output size %lld: %s", name,
                   static_cast<long long>(n), kpwfuzz::c(exact.error().message));
        FUZZ_CHECK(*exact == *out, "%s: output differs between runs", name);
        if (n > 0) {
            auto tight = Codec::decompress(codec, input, n - 1);
            FUZZ_CHECK(!tight.ok(), "%s: %lld bytes out with maxOutput %lld", name,
                       static_cast<long long>(tight->size()), static_cast<long long>(n - 1));
        }
    } else if (!out.ok()) {
        FUZZ_CHECK(!out.error().message.isEmpty(), "%s: error without a message", name);
    }

    // 2. Round trip.
    auto packed = Codec::compress(codec, input, levelFor(data[0]));
    FUZZ_CHECK(packed.ok(), "%s: compress failed: %s", name, kpwfuzz::c(packed.error().message));
    auto unpacked = Codec::decompress(codec, *packed, input.size());
    FUZZ_CHECK(unpacked.ok(), "%s: round trip of %lld bytes fails: %s", name, static_cast<long long>(input.size()),
               kpwfuzz::c(unpacked.error().message));
    FUZZ_CHECK(*unpacked == input, "%s: round trip of %lld bytes gives %lld different bytes", name,
               static_cast<long long>(input.size()), static_cast<long long>(unpacked->size()));
    return 0;
}
