#include "replay/InputStream.h"

#include "wire/KafkaError.h"

#include <QBuffer>
#include <QFile>

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>

namespace kpw {

// One of zlib's or zstd's streaming decoders; input that one call does not
// consume stays in InputStream::m_rawCarry, so output comes in bounded chunks
// even from a stream that expands a thousandfold.
struct InputStream::Decoder
{
    Codec codec = Codec::None;
    z_stream zs{};
    bool zInit = false;
    bool zEnded = true; // at a member boundary: the input may end here
    ZSTD_DCtx *zstd = nullptr;
    size_t zstdHint = 0; // ZSTD_decompressStream's return: 0 at a frame boundary

    ~Decoder()
    {
        if (zInit)
            inflateEnd(&zs);
        if (zstd)
            ZSTD_freeDCtx(zstd);
    }
};

InputStream::InputStream() = default;
InputStream::~InputStream() = default;

void InputStream::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
    m_atEnd = true;
    m_pending.clear();
}

Result<bool> InputStream::open(const QString &path, bool decompress)
{
    auto file = std::make_unique<QFile>();
    bool ok;
    if (path == QLatin1StringView("-")) {
        ok = file->open(stdin, QIODevice::ReadOnly);
    } else {
        file->setFileName(path);
        ok = file->open(QIODevice::ReadOnly);
    }
    if (!ok)
        return Error{KafkaError::ClientInvalidRecord, QStringLiteral("%1: %2").arg(path, file->errorString())};
    return openDevice(std::move(file), path, decompress);
}

Result<bool> InputStream::openData(const QByteArray &data, const QString &name, bool decompress)
{
    auto buffer = std::make_unique<QBuffer>();
    buffer->setData(data);
    buffer->open(QIODevice::ReadOnly);
    return openDevice(std::move(buffer), name, decompress);
}

Result<bool> InputStream::openDevice(std::unique_ptr<QIODevice> device, const QString &name, bool decompress)
{
    m_path = name;
    m_file = std::move(device);
    if (!m_file->isSequential())
        m_rawSize = m_file->size();
    if (!decompress)
        return true;
    // The magic decides, not the name: "data.log" may well be gzip.
    QByteArray head;
    while (head.size() < 4 && !m_rawEof)
        head += readRaw();
    m_rawCarry = head;
    if (head.startsWith("\x1f\x8b")) {
        m_codec = Codec::Gzip;
        m_decoder = std::make_unique<Decoder>();
        m_decoder->codec = m_codec;
        if (inflateInit2(&m_decoder->zs, 15 + 16) != Z_OK)
            return Error{KafkaError::ClientInvalidRecord, QStringLiteral("%1: inflateInit2 failed").arg(name)};
        m_decoder->zInit = true;
        m_decoder->zEnded = false;
    } else if (head.startsWith("\x28\xb5\x2f\xfd")) {
        m_codec = Codec::Zstd;
        m_decoder = std::make_unique<Decoder>();
        m_decoder->codec = m_codec;
        m_decoder->zstd = ZSTD_createDCtx();
        // 128 MiB windows at most: a hostile frame header cannot make us
        // allocate gigabytes.
        ZSTD_DCtx_setParameter(m_decoder->zstd, ZSTD_d_windowLogMax, 27);
    }
    return true;
}

QByteArray InputStream::readRaw()
{
    if (m_rawEof || !m_file)
        return {};
    QByteArray chunk(kChunk, Qt::Uninitialized);
    const qint64 n = m_file->read(chunk.data(), chunk.size());
    if (n < 0) {
        fail(QStringLiteral("%1: %2").arg(m_path, m_file->errorString()));
        m_rawEof = true;
        return {};
    }
    if (n == 0) {
        m_rawEof = true;
        return {};
    }
    chunk.truncate(n);
    m_rawPos += n;
    return chunk;
}

QByteArray InputStream::decode()
{
    Decoder &d = *m_decoder;
    QByteArray out(kChunk, Qt::Uninitialized);
    qsizetype produced = 0;
    while (produced == 0) {
        if (m_rawCarry.isEmpty()) {
            m_rawCarry = readRaw();
            if (m_rawCarry.isEmpty()) {
                const bool clean = d.codec == Codec::Gzip ? d.zEnded : d.zstdHint == 0;
                if (!clean)
                    fail(QStringLiteral("%1: the %2 stream is truncated")
                             .arg(m_path, d.codec == Codec::Gzip ? QStringLiteral("gzip") : QStringLiteral("zstd")));
                m_atEnd = true;
                return {};
            }
        }
        qsizetype consumed = 0;
        if (d.codec == Codec::Gzip) {
            if (d.zEnded) {
                // Concatenated gzip members (as `cat a.gz b.gz`) are one stream.
                inflateReset(&d.zs);
                d.zEnded = false;
            }
            d.zs.next_in = reinterpret_cast<Bytef *>(m_rawCarry.data());
            d.zs.avail_in = static_cast<uInt>(m_rawCarry.size());
            d.zs.next_out = reinterpret_cast<Bytef *>(out.data());
            d.zs.avail_out = static_cast<uInt>(out.size());
            const int rc = inflate(&d.zs, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                fail(QStringLiteral("%1: corrupt gzip data (%2)")
                         .arg(m_path, QString::fromLatin1(d.zs.msg ? d.zs.msg : "inflate error")));
                return {};
            }
            consumed = m_rawCarry.size() - d.zs.avail_in;
            produced = out.size() - d.zs.avail_out;
            if (rc == Z_STREAM_END)
                d.zEnded = true;
        } else {
            ZSTD_inBuffer in{m_rawCarry.constData(), static_cast<size_t>(m_rawCarry.size()), 0};
            ZSTD_outBuffer o{out.data(), static_cast<size_t>(out.size()), 0};
            const size_t rc = ZSTD_decompressStream(d.zstd, &o, &in);
            if (ZSTD_isError(rc)) {
                fail(QStringLiteral("%1: corrupt zstd data (%2)")
                         .arg(m_path, QString::fromLatin1(ZSTD_getErrorName(rc))));
                return {};
            }
            d.zstdHint = rc;
            consumed = static_cast<qsizetype>(in.pos);
            produced = static_cast<qsizetype>(o.pos);
        }
        m_rawCarry.remove(0, consumed);
        if (consumed == 0 && produced == 0 && !m_rawCarry.isEmpty()) {
            fail(QStringLiteral("%1: the decoder made no progress").arg(m_path));
            return {};
        }
    }
    out.truncate(produced);
    return out;
}

QByteArray InputStream::readChunk()
{
    if (!m_pending.isEmpty())
        return std::exchange(m_pending, QByteArray());
    if (m_atEnd)
        return {};
    QByteArray chunk;
    if (m_decoder) {
        chunk = decode();
    } else {
        chunk = m_rawCarry.isEmpty() ? readRaw() : std::exchange(m_rawCarry, QByteArray());
        if (chunk.isEmpty())
            m_atEnd = true;
    }
    return chunk;
}

QByteArray InputStream::peek(qsizetype n)
{
    while (m_pending.size() < n && !m_atEnd) {
        QByteArray more;
        if (m_decoder) {
            more = decode();
        } else {
            more = m_rawCarry.isEmpty() ? readRaw() : std::exchange(m_rawCarry, QByteArray());
            if (more.isEmpty())
                m_atEnd = true;
        }
        m_pending += more;
    }
    return m_pending.left(n);
}

DelimitedReader::DelimitedReader(InputStream &in, QByteArray delimiter, qsizetype maxRecordBytes)
    : m_in(in), m_delim(delimiter.isEmpty() ? QByteArray("\n") : std::move(delimiter)), m_max(maxRecordBytes)
{
}

bool DelimitedReader::fill()
{
    if (m_eof)
        return false;
    const QByteArray chunk = m_in.readChunk();
    if (chunk.isEmpty()) {
        m_eof = true;
        return false;
    }
    if (m_pos > 0) {
        m_buf.remove(0, m_pos);
        m_pos = 0;
    }
    m_buf += chunk;
    return true;
}

DelimitedReader::Status DelimitedReader::next(QByteArray *record, std::uint64_t *line)
{
    const bool lf = m_delim == "\n";
    qsizetype scanFrom = m_pos;
    bool skipping = false; // over a record longer than m_max
    const std::uint64_t startLine = m_line;
    for (;;) {
        const qsizetype at = m_buf.indexOf(m_delim, scanFrom);
        if (at >= 0) {
            const QByteArrayView body(m_buf.constData() + m_pos, at - m_pos);
            m_line += static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n')) +
                      static_cast<std::uint64_t>(std::count(m_delim.begin(), m_delim.end(), '\n'));
            *line = startLine;
            m_pos = at + m_delim.size();
            if (skipping || body.size() > m_max)
                return Status::TooLong;
            *record = body.toByteArray();
            if (lf && record->endsWith('\r'))
                record->chop(1);
            return Status::Record;
        }
        if (m_buf.size() - m_pos > m_max + m_delim.size()) {
            // Drop what is buffered (keeping a possible partial delimiter) and
            // go on looking for the end of this record.
            const qsizetype keep = m_delim.size() - 1;
            const QByteArrayView dropped(m_buf.constData() + m_pos, m_buf.size() - m_pos - keep);
            m_line += static_cast<std::uint64_t>(std::count(dropped.begin(), dropped.end(), '\n'));
            m_buf = m_buf.right(keep);
            m_pos = 0;
            skipping = true;
        }
        // Bytes already scanned need no second look (fill() moves m_pos to 0).
        const qsizetype scanned = std::max<qsizetype>(0, m_buf.size() - m_pos - m_delim.size() + 1);
        if (!fill()) {
            if (!m_in.error().isEmpty())
                return Status::Error;
            *line = startLine;
            if (m_pos >= m_buf.size() && !skipping)
                return Status::End;
            const QByteArrayView body(m_buf.constData() + m_pos, m_buf.size() - m_pos);
            m_line += static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n'));
            m_pos = m_buf.size();
            if (skipping || body.size() > m_max)
                return Status::TooLong;
            *record = body.toByteArray();
            if (lf && record->endsWith('\r'))
                record->chop(1);
            return Status::Record;
        }
        scanFrom = m_pos + scanned;
    }
}

} // namespace kpw
