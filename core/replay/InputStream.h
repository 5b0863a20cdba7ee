#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <memory>

class QIODevice;

namespace kpw {

// A file (or standard input, path "-") read in chunks, gzip or zstd
// decompressed on the fly when its first bytes say so. Memory stays at a few
// buffers whatever the size of the file.
class InputStream final
{
public:
    enum class Codec { None, Gzip, Zstd };

    InputStream();
    ~InputStream();
    InputStream(const InputStream &) = delete;
    InputStream &operator=(const InputStream &) = delete;

    // decompress=false reads compressed files as they are.
    Result<bool> open(const QString &path, bool decompress = true);
    // The same over bytes in memory (tests, the fuzzer); `name` is the path
    // errors mention.
    Result<bool> openData(const QByteArray &data, const QString &name, bool decompress = true);
    QString path() const { return m_path; }
    Codec codec() const { return m_codec; }

    // The next decompressed bytes (empty at the end); error() says whether
    // the end was a failure.
    QByteArray readChunk();
    bool atEnd() const { return m_atEnd && m_pending.isEmpty(); }
    const QString &error() const { return m_error; }
    // Raw (compressed) bytes consumed so far and the file's size (-1 for a pipe).
    std::int64_t rawPosition() const { return m_rawPos; }
    std::int64_t rawSize() const { return m_rawSize; }

    // Up to n decompressed bytes from the start, without consuming them.
    QByteArray peek(qsizetype n);
    qsizetype pending() const { return m_pending.size() + (m_decoder ? 0 : m_rawCarry.size()); }

    static constexpr qsizetype kChunk = 256 * 1024;

private:
    Result<bool> openDevice(std::unique_ptr<QIODevice> device, const QString &name, bool decompress);
    QByteArray readRaw();
    QByteArray decode();
    void fail(const QString &message);

    QString m_path;
    std::unique_ptr<QIODevice> m_file;
    Codec m_codec = Codec::None;
    struct Decoder;
    std::unique_ptr<Decoder> m_decoder;
    QByteArray m_pending; // peeked, not yet returned
    QByteArray m_rawCarry;
    bool m_rawEof = false;
    bool m_atEnd = false;
    std::int64_t m_rawPos = 0;
    std::int64_t m_rawSize = -1;
    QString m_error;
};

// Splits an InputStream into records at a delimiter, without holding more
// than one record (bounded by maxRecordBytes) and a chunk in memory.
class DelimitedReader final
{
public:
    DelimitedReader(InputStream &in, QByteArray delimiter, qsizetype maxRecordBytes);

    enum class Status { Record, TooLong, End, Error };
    // Status::Record: *record holds the bytes without the delimiter (and
    // without a CR before an LF delimiter). TooLong: the record was skipped up
    // to its delimiter. *line is the 1-based line the record starts on.
    Status next(QByteArray *record, std::uint64_t *line);
    // Bytes read from the stream and not yet returned as records.
    qsizetype buffered() const { return m_buf.size() - m_pos; }

private:
    bool fill();

    InputStream &m_in;
    QByteArray m_delim;
    qsizetype m_max;
    QByteArray m_buf;
    qsizetype m_pos = 0;
    std::uint64_t m_line = 1;
    bool m_eof = false;
};

} // namespace kpw
