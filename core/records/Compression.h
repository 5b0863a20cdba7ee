#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace kpw {

// compression.type; the values are the codec bits of a batch's attributes.
enum class Compression : int { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 };

namespace Codec {
QString name(Compression c);
std::optional<Compression> fromName(const QString &name); // "none", "gzip", ...
// Compresses with the framing Kafka's Java client writes. level: codec
// default when nullopt.
Result<QByteArray> compress(Compression c, const QByteArray &raw, std::optional<int> level = std::nullopt);
// Decompresses; maxOutput bounds the result so a hostile "zip bomb" fails
// cleanly instead of exhausting memory.
Result<QByteArray> decompress(Compression c, const QByteArray &data, qsizetype maxOutput);
} // namespace Codec

} // namespace kpw
