#include "ByteWriter.h"

#include <QtEndian>

#include <algorithm>
#include <cstring>

namespace kpw {

ByteWriter::ByteWriter(qsizetype reserve) : m_buf(reserve, Qt::Uninitialized) {}

char *ByteWriter::grow(qsizetype n)
{
    if (m_len + n > m_buf.size())
        m_buf.resize(std::max<qsizetype>({m_len + n, m_buf.size() * 2, 256}));
    char *at = m_buf.data() + m_len;
    m_len += n;
    return at;
}

void ByteWriter::raw(const char *data, qsizetype n)
{
    if (n > 0)
        std::memcpy(grow(n), data, static_cast<size_t>(n));
}

const QByteArray &ByteWriter::buffer()
{
    m_buf.truncate(m_len);
    return m_buf;
}

QByteArray ByteWriter::take()
{
    m_buf.truncate(m_len);
    m_len = 0;
    return std::move(m_buf);
}

void ByteWriter::int8(std::int8_t v)
{
    *grow(1) = static_cast<char>(v);
}

void ByteWriter::int16(std::int16_t v)
{
    qToBigEndian(v, grow(2));
}

void ByteWriter::int32(std::int32_t v)
{
    qToBigEndian(v, grow(4));
}

void ByteWriter::uint32(std::uint32_t v)
{
    qToBigEndian(v, grow(4));
}

void ByteWriter::int64(std::int64_t v)
{
    qToBigEndian(v, grow(8));
}

void ByteWriter::unsignedVarint(std::uint32_t v)
{
    char b[5];
    int n = 0;
    while (v >= 0x80) {
        b[n++] = static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    b[n++] = static_cast<char>(v);
    std::memcpy(grow(n), b, static_cast<size_t>(n));
}

void ByteWriter::varint(std::int32_t v)
{
    const auto z = (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
    unsignedVarint(z);
}

void ByteWriter::varlong(std::int64_t v)
{
    auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    char b[10];
    int n = 0;
    while (z >= 0x80) {
        b[n++] = static_cast<char>((z & 0x7f) | 0x80);
        z >>= 7;
    }
    b[n++] = static_cast<char>(z);
    std::memcpy(grow(n), b, static_cast<size_t>(n));
}

int ByteWriter::varintSize(std::int32_t v)
{
    const auto z = (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
    // bits needed, 7 per byte: (31 - clz(z|1)) / 7 + 1
    return (31 - __builtin_clz(z | 1)) / 7 + 1;
}

int ByteWriter::varlongSize(std::int64_t v)
{
    const auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    return (63 - __builtin_clzll(z | 1)) / 7 + 1;
}

void ByteWriter::string(const QString &s, bool compact)
{
    const QByteArray u = s.toUtf8();
    if (compact)
        unsignedVarint(static_cast<std::uint32_t>(u.size()) + 1);
    else
        int16(static_cast<std::int16_t>(u.size()));
    raw(u);
}

void ByteWriter::nullableString(const std::optional<QString> &s, bool compact)
{
    if (s) {
        string(*s, compact);
    } else if (compact) {
        unsignedVarint(0);
    } else {
        int16(-1);
    }
}

void ByteWriter::bytes(const QByteArray &b, bool compact)
{
    if (compact)
        unsignedVarint(static_cast<std::uint32_t>(b.size()) + 1);
    else
        int32(static_cast<std::int32_t>(b.size()));
    raw(b);
}

void ByteWriter::nullableBytes(const std::optional<QByteArray> &b, bool compact)
{
    if (b) {
        bytes(*b, compact);
    } else if (compact) {
        unsignedVarint(0);
    } else {
        int32(-1);
    }
}

void ByteWriter::arrayLength(qsizetype n, bool compact)
{
    if (compact)
        unsignedVarint(static_cast<std::uint32_t>(n) + 1);
    else
        int32(static_cast<std::int32_t>(n));
}

void ByteWriter::nullArray(bool compact)
{
    if (compact)
        unsignedVarint(0);
    else
        int32(-1);
}

qsizetype ByteWriter::placeholder32()
{
    const qsizetype at = m_len;
    std::memset(grow(4), 0, 4);
    return at;
}

void ByteWriter::patchInt32(qsizetype at, std::int32_t v)
{
    qToBigEndian(v, m_buf.data() + at);
}

void ByteWriter::patchUInt32(qsizetype at, std::uint32_t v)
{
    qToBigEndian(v, m_buf.data() + at);
}

} // namespace kpw
