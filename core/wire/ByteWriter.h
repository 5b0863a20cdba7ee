#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// Appends Kafka wire primitives (big-endian integers, zig-zag varints, the
// classic and the compact "flexible" strings, bytes and arrays) to a buffer.
class ByteWriter final
{
public:
    ByteWriter() = default;
    explicit ByteWriter(qsizetype reserve);

    void int8(std::int8_t v);
    void int16(std::int16_t v);
    void int32(std::int32_t v);
    void int64(std::int64_t v);
    void uint32(std::uint32_t v);
    void boolean(bool v) { int8(v ? 1 : 0); }

    void varint(std::int32_t v);  // zig-zag
    void varlong(std::int64_t v); // zig-zag
    void unsignedVarint(std::uint32_t v);

    // Classic (INT16 length) or compact (UNSIGNED_VARINT length + 1) strings.
    void string(const QString &s, bool compact);
    void nullableString(const std::optional<QString> &s, bool compact);
    void bytes(const QByteArray &b, bool compact);
    void nullableBytes(const std::optional<QByteArray> &b, bool compact);
    void arrayLength(qsizetype n, bool compact);
    void nullArray(bool compact);
    void emptyTaggedFields() { unsignedVarint(0); }
    void raw(const char *data, qsizetype n);
    void raw(const QByteArray &b) { raw(b.constData(), b.size()); }

    // Reserves 4 bytes for a length or CRC that is written once known.
    qsizetype placeholder32();
    void patchInt32(qsizetype at, std::int32_t v);
    void patchUInt32(qsizetype at, std::uint32_t v);

    qsizetype size() const { return m_len; }
    const char *data() const { return m_buf.constData(); }
    // The bytes written so far (no copy; later writes may reallocate).
    const QByteArray &buffer();
    QByteArray take();

    static int varintSize(std::int32_t v);
    static int varlongSize(std::int64_t v);

private:
    // Makes room for n more bytes and returns where they go. The buffer grows
    // geometrically and m_len tracks what is used: appending through
    // QByteArray for every small field was the producer's hottest path.
    char *grow(qsizetype n);

    QByteArray m_buf; // capacity; bytes past m_len are scratch
    qsizetype m_len = 0;
};

} // namespace kpw
