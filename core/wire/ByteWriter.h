#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <utility>

namespace kpw {

// Appends Kafka wire primitives (big-endian integers, zig-zag varints, the
// classic and the compact "flexible" strings, bytes and arrays) to a buffer.
class ByteWriter final
{
public:
    ByteWriter() = default;
    explicit ByteWriter(qsizetype reserve);
    // m_data points into m_buf: a copy gets its own bytes (a shared buffer
    // written through a raw pointer would change both), a move leaves the
    // source empty.
    ByteWriter(const ByteWriter &o) : m_buf(o.m_buf.constData(), o.m_buf.size()), m_len(o.m_len) {}
    ByteWriter(ByteWriter &&o) noexcept
        : m_buf(std::move(o.m_buf)), m_data(std::exchange(o.m_data, nullptr)), m_cap(std::exchange(o.m_cap, 0)),
          m_len(std::exchange(o.m_len, 0))
    {
    }
    ByteWriter &operator=(ByteWriter o) noexcept
    {
        std::swap(m_buf, o.m_buf);
        std::swap(m_data, o.m_data);
        std::swap(m_cap, o.m_cap);
        std::swap(m_len, o.m_len);
        return *this;
    }
    ~ByteWriter() = default;

    void int8(std::int8_t v);
    void int16(std::int16_t v);
    void int32(std::int32_t v);
    void int64(std::int64_t v);
    void uint32(std::uint32_t v);
    void boolean(bool v) { int8(v ? 1 : 0); }

    // Inline: the record encoder calls these several times per record.
    void varint(std::int32_t v) // zig-zag
    {
        unsignedVarint((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
    }
    void varlong(std::int64_t v) // zig-zag
    {
        std::uint64_t z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
        char *at = grow(varlongSize(v));
        while (z >= 0x80) {
            *at++ = static_cast<char>((z & 0x7f) | 0x80);
            z >>= 7;
        }
        *at = static_cast<char>(z);
    }
    void unsignedVarint(std::uint32_t v)
    {
        if (v < 0x80) {
            *grow(1) = static_cast<char>(v);
            return;
        }
        char *at = grow((31 - __builtin_clz(v)) / 7 + 1);
        while (v >= 0x80) {
            *at++ = static_cast<char>((v & 0x7f) | 0x80);
            v >>= 7;
        }
        *at = static_cast<char>(v);
    }

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

    static int varintSize(std::int32_t v)
    {
        const auto z = (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
        return (31 - __builtin_clz(z | 1)) / 7 + 1; // 7 bits per byte
    }
    static int varlongSize(std::int64_t v)
    {
        const auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
        return (63 - __builtin_clzll(z | 1)) / 7 + 1;
    }

private:
    // Makes room for n more bytes and returns where they go. The buffer grows
    // geometrically and m_len tracks what is used: appending through
    // QByteArray for every small field was the producer's hottest path. The
    // fast path is inline and touches only m_data/m_cap; growSlow() resizes
    // (and detaches a buffer shared through buffer()) and refreshes them.
    char *grow(qsizetype n)
    {
        if (m_len + n > m_cap) [[unlikely]]
            return growSlow(n);
        char *at = m_data + m_len;
        m_len += n;
        return at;
    }
    char *growSlow(qsizetype n);

    QByteArray m_buf;       // capacity; bytes past m_len are scratch
    char *m_data = nullptr; // m_buf's bytes while m_buf is not shared
    qsizetype m_cap = 0;    // bytes writable at m_data
    qsizetype m_len = 0;
};

} // namespace kpw
