#pragma once

#include <QByteArray>

#include <cstdint>

namespace kpw {

// murmur2 exactly as the Java client's Utils.murmur2 (seed 0x9747b28c).
std::int32_t murmur2(const QByteArray &data);
// The Java default partitioner's choice for a keyed record.
std::int32_t murmur2Partition(const QByteArray &key, std::int32_t numPartitions);

} // namespace kpw
