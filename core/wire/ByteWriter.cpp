#include "ByteWriter.h"

#include <QtEndian>

#include <algorithm>
#include <cstring>

namespace kpw {

ByteWriter::ByteWriter(qsizetype reserve) : m_buf(reserve, Qt::Uninitialized) {}

char *ByteWriter::growSlow(qsizetype n)
{
    if (m_len + n > m_buf.size())
        m_buf.resize(std::max<qsizetype>({m_len + n, m_buf.size() * 2, 256}));
    m_data = m_buf.data(); // detaches a buffer that buffer() handed out
    m_cap = m_buf.size();
    char *at = m_data + m_len;
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
    // The caller may share these bytes: the next write goes through
    // growSlow(), which detaches before writing.
    m_cap = m_len;
    return m_buf;
}

QByteArray ByteWriter::take()
{
    m_buf.truncate(m_len);
    m_len = 0;
    m_cap = 0;
    m_data = nullptr;
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
    m_data = m_buf.data(); // detaches if shared
    qToBigEndian(v, m_data + at);
}

void ByteWriter::patchUInt32(qsizetype at, std::uint32_t v)
{
    m_data = m_buf.data();
    qToBigEndian(v, m_data + at);
}

} // namespace kpw
