#include "Partitioner.h"

namespace kpw {

std::int32_t murmur2(const QByteArray &data)
{
    const auto length = static_cast<std::uint32_t>(data.size());
    const std::uint32_t seed = 0x9747b28cu;
    const std::uint32_t m = 0x5bd1e995u;
    const int r = 24;
    std::uint32_t h = seed ^ length;
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    const std::uint32_t blocks = length / 4;
    for (std::uint32_t i = 0; i < blocks; ++i) {
        const std::uint32_t i4 = i * 4;
        // little-endian assembly of each 4-byte block, as Java does by hand
        std::uint32_t k = static_cast<std::uint32_t>(p[i4]) | (static_cast<std::uint32_t>(p[i4 + 1]) << 8) |
                          (static_cast<std::uint32_t>(p[i4 + 2]) << 16) | (static_cast<std::uint32_t>(p[i4 + 3]) << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const std::uint32_t tail = blocks * 4;
    switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(p[tail + 2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(p[tail + 1]) << 8; [[fallthrough]];
    case 1: h ^= static_cast<std::uint32_t>(p[tail]); h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<std::int32_t>(h);
}

std::int32_t murmur2Partition(const QByteArray &key, std::int32_t numPartitions)
{
    if (numPartitions <= 0)
        return -1;
    return static_cast<std::int32_t>((static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffu) %
                                     static_cast<std::uint32_t>(numPartitions));
}

} // namespace kpw
