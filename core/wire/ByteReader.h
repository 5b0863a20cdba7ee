#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>

namespace kpw {

// Reads Kafka wire primitives from a byte span it does not own.
//
// Failure is sticky: the first short read, bad length or impossible count
// records an error, and every later read returns a zero value. A decoder is a
// straight line of reads followed by one ok()/error() check. Lengths and
// counts are checked against the bytes that remain *before* anything is
// allocated, so a hostile "array of a billion entries" in a 40-byte frame
// fails at once instead of reserving memory.
class ByteReader final
{
public:
    ByteReader(const char *data, qsizetype size);
    explicit ByteReader(const QByteArray &data) : ByteReader(data.constData(), data.size()) {}
    // The reader keeps a pointer: a temporary would be gone before the reads.
    explicit ByteReader(QByteArray &&) = delete;

    std::int8_t int8();
    std::int16_t int16();
    std::int32_t int32();
    std::int64_t int64();
    std::uint32_t uint32();
    bool boolean() { return int8() != 0; }
    QByteArray uuid(); // 16 raw bytes

    std::int32_t varint();
    std::int64_t varlong();
    std::uint32_t unsignedVarint();

    QString string(bool compact);
    std::optional<QString> nullableString(bool compact);
    QByteArray bytes(bool compact);
    std::optional<QByteArray> nullableBytes(bool compact);
    // Returns the element count, or -1 for a null array. minElementSize is the
    // smallest encoding one element can have; a count that cannot fit in the
    // remaining bytes fails the reader.
    qsizetype arrayLength(bool compact, qsizetype minElementSize = 1);
    // Skips a tagged-field section; a handler may consume known tags (it must
    // read exactly `size` bytes from the reader it is given).
    void taggedFields(const std::function<void(std::uint32_t tag, ByteReader &field)> &handler = {});

    // A copy of the next n bytes.
    QByteArray rawBytes(qsizetype n);
    void skip(qsizetype n);

    qsizetype remaining() const { return m_failed ? 0 : m_size - m_pos; }
    qsizetype position() const { return m_pos; }
    bool atEnd() const { return m_pos >= m_size; }
    bool ok() const { return !m_failed; }
    const QString &error() const { return m_error; }
    void fail(const QString &why);

private:
    bool need(qsizetype n, const char *what);

    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    bool m_failed = false;
    QString m_error;
};

} // namespace kpw
