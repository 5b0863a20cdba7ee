#include "ByteReader.h"

#include <QtEndian>

namespace kpw {

ByteReader::ByteReader(const char *data, qsizetype size) : m_data(data), m_size(size) {}

void ByteReader::fail(const QString &why)
{
    if (!m_failed) {
        m_failed = true;
        m_error = QStringLiteral("%1 at byte %2").arg(why).arg(m_pos);
    }
}

bool ByteReader::need(qsizetype n, const char *what)
{
    if (m_failed)
        return false;
    if (n < 0 || n > m_size - m_pos) {
        fail(QStringLiteral("truncated %1: need %2 bytes, %3 remain")
                 .arg(QLatin1StringView(what))
                 .arg(n)
                 .arg(m_size - m_pos));
        return false;
    }
    return true;
}

std::int8_t ByteReader::int8()
{
    if (!need(1, "int8"))
        return 0;
    return static_cast<std::int8_t>(m_data[m_pos++]);
}

std::int16_t ByteReader::int16()
{
    if (!need(2, "int16"))
        return 0;
    const auto v = qFromBigEndian<std::int16_t>(m_data + m_pos);
    m_pos += 2;
    return v;
}

std::int32_t ByteReader::int32()
{
    if (!need(4, "int32"))
        return 0;
    const auto v = qFromBigEndian<std::int32_t>(m_data + m_pos);
    m_pos += 4;
    return v;
}

std::uint32_t ByteReader::uint32()
{
    if (!need(4, "uint32"))
        return 0;
    const auto v = qFromBigEndian<std::uint32_t>(m_data + m_pos);
    m_pos += 4;
    return v;
}

std::int64_t ByteReader::int64()
{
    if (!need(8, "int64"))
        return 0;
    const auto v = qFromBigEndian<std::int64_t>(m_data + m_pos);
    m_pos += 8;
    return v;
}

QByteArray ByteReader::uuid()
{
    return rawBytes(16);
}

std::uint32_t ByteReader::unsignedVarint()
{
    std::uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (!need(1, "varint"))
            return 0;
        const auto b = static_cast<std::uint8_t>(m_data[m_pos++]);
        if (shift == 28 && (b & 0xf0) != 0) {
            fail(QStringLiteral("varint overflows 32 bits"));
            return 0;
        }
        v |= static_cast<std::uint32_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0)
            return v;
    }
    fail(QStringLiteral("varint longer than 5 bytes"));
    return 0;
}

std::int32_t ByteReader::varint()
{
    const std::uint32_t z = unsignedVarint();
    return static_cast<std::int32_t>((z >> 1) ^ (~(z & 1) + 1));
}

std::int64_t ByteReader::varlong()
{
    std::uint64_t z = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (!need(1, "varlong"))
            return 0;
        const auto b = static_cast<std::uint8_t>(m_data[m_pos++]);
        if (shift == 63 && (b & 0xfe) != 0) {
            fail(QStringLiteral("varlong overflows 64 bits"));
            return 0;
        }
        z |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0)
            return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }
    fail(QStringLiteral("varlong longer than 10 bytes"));
    return 0;
}

QByteArray ByteReader::rawBytes(qsizetype n)
{
    if (!need(n, "bytes"))
        return {};
    QByteArray out(m_data + m_pos, n);
    m_pos += n;
    return out;
}

void ByteReader::skip(qsizetype n)
{
    if (need(n, "field"))
        m_pos += n;
}

std::optional<QString> ByteReader::nullableString(bool compact)
{
    qsizetype len;
    if (compact) {
        const std::uint32_t n = unsignedVarint();
        if (n == 0)
            return std::nullopt;
        len = static_cast<qsizetype>(n) - 1;
    } else {
        len = int16();
        if (len == -1)
            return std::nullopt;
        if (len < 0) {
            fail(QStringLiteral("negative string length %1").arg(len));
            return QString();
        }
    }
    if (!need(len, "string"))
        return QString();
    QString s = QString::fromUtf8(m_data + m_pos, len);
    m_pos += len;
    return s;
}

QString ByteReader::string(bool compact)
{
    auto s = nullableString(compact);
    if (!s) {
        fail(QStringLiteral("null where a string is required"));
        return {};
    }
    return *s;
}

std::optional<QByteArray> ByteReader::nullableBytes(bool compact)
{
    qsizetype len;
    if (compact) {
        const std::uint32_t n = unsignedVarint();
        if (n == 0)
            return std::nullopt;
        len = static_cast<qsizetype>(n) - 1;
    } else {
        len = int32();
        if (len == -1)
            return std::nullopt;
        if (len < 0) {
            fail(QStringLiteral("negative bytes length %1").arg(len));
            return QByteArray();
        }
    }
    if (m_failed)
        return QByteArray();
    return rawBytes(len);
}

QByteArray ByteReader::bytes(bool compact)
{
    auto b = nullableBytes(compact);
    if (!b) {
        fail(QStringLiteral("null where bytes are required"));
        return {};
    }
    return *b;
}

qsizetype ByteReader::arrayLength(bool compact, qsizetype minElementSize)
{
    qsizetype n;
    if (compact) {
        const std::uint32_t raw = unsignedVarint();
        if (m_failed)
            return 0;
        if (raw == 0)
            return -1;
        n = static_cast<qsizetype>(raw) - 1;
    } else {
        n = int32();
        if (m_failed)
            return 0;
        if (n == -1)
            return -1;
        if (n < 0) {
            fail(QStringLiteral("negative array length %1").arg(n));
            return 0;
        }
    }
    if (minElementSize > 0 && n > (m_size - m_pos) / minElementSize) {
        fail(QStringLiteral("array of %1 entries cannot fit in %2 remaining bytes").arg(n).arg(m_size - m_pos));
        return 0;
    }
    return n;
}

void ByteReader::taggedFields(const std::function<void(std::uint32_t, ByteReader &)> &handler)
{
    const std::uint32_t count = unsignedVarint();
    if (m_failed)
        return;
    if (count > static_cast<std::uint32_t>(m_size - m_pos) / 2) {
        fail(QStringLiteral("%1 tagged fields cannot fit in %2 remaining bytes").arg(count).arg(m_size - m_pos));
        return;
    }
    for (std::uint32_t i = 0; i < count && !m_failed; ++i) {
        const std::uint32_t tag = unsignedVarint();
        const std::uint32_t size = unsignedVarint();
        if (!need(static_cast<qsizetype>(size), "tagged field"))
            return;
        if (handler) {
            ByteReader field(m_data + m_pos, static_cast<qsizetype>(size));
            handler(tag, field);
            if (!field.ok()) {
                fail(QStringLiteral("tagged field %1: %2").arg(tag).arg(field.error()));
                return;
            }
        }
        m_pos += static_cast<qsizetype>(size);
    }
}

} // namespace kpw
