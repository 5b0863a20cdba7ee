#pragma once

#include <cstddef>
#include <cstdint>

namespace kpw {

// CRC-32C (Castagnoli), as record batch v2 uses. Debian ships no C/C++
// CRC-32C library, so this is ours: the SSE4.2 instruction where the CPU has
// it, slicing-by-8 tables otherwise.
std::uint32_t crc32c(const void *data, std::size_t size, std::uint32_t crc = 0);
// The table-driven path alone (tests compare both paths).
std::uint32_t crc32cPortable(const void *data, std::size_t size, std::uint32_t crc = 0);

} // namespace kpw
