#include "replay/RecordSource.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

namespace kpw {

namespace {

constexpr qsizetype kSniffBytes = 4096;

bool isBlank(QByteArrayView line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

// A JSON value as record bytes: strings as their UTF-8, null as null, any
// other JSON (object, array, number, boolean) as its compact text.
std::optional<QByteArray> jsonBytes(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return std::nullopt;
    if (v.isString())
        return v.toString().toUtf8();
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    if (v.isBool())
        return v.toBool() ? QByteArray("true") : QByteArray("false");
    // Integers print without ".0"; other doubles in their shortest form.
    const double d = v.toDouble();
    if (d == static_cast<double>(static_cast<qint64>(d)) && std::abs(d) < 9.007199254740992e15)
        return QByteArray::number(static_cast<qint64>(d));
    return QByteArray::number(d, 'g', 17);
}

bool base64Field(const QJsonValue &v, const char *name, std::optional<QByteArray> *out, QString *error)
{
    if (v.isNull()) {
        *out = std::nullopt;
        return true;
    }
    if (!v.isString()) {
        *error = QStringLiteral("\"%1\" must be a base64 string or null").arg(QLatin1StringView(name));
        return false;
    }
    auto decoded = QByteArray::fromBase64Encoding(v.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        *error = QStringLiteral("\"%1\" is not valid base64").arg(QLatin1StringView(name));
        return false;
    }
    *out = std::move(decoded.decoded);
    return true;
}

std::optional<QByteArray> headerValue(const QJsonValue &v)
{
    return jsonBytes(v);
}

bool parseHeaders(const QJsonValue &v, QList<RecordHeader> *headers, QString *error)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            headers->append({it.key(), headerValue(it.value())});
        return true;
    }
    if (!v.isArray()) {
        *error = QStringLiteral("\"headers\" must be an array or an object");
        return false;
    }
    const QJsonArray a = v.toArray();
    if (a.isEmpty())
        return true;
    if (a.first().isString()) {
        // kcat -J: a flat array, name, value, name, value, ...
        if (a.size() % 2 != 0) {
            *error =
                QStringLiteral("\"headers\": a flat array needs name/value pairs (it has %1 elements)").arg(a.size());
            return false;
        }
        for (qsizetype i = 0; i < a.size(); i += 2) {
            if (!a[i].isString()) {
                *error = QStringLiteral("\"headers\"[%1]: a header name must be a string").arg(i);
                return false;
            }
            headers->append({a[i].toString(), headerValue(a[i + 1])});
        }
        return true;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QJsonValue h = a[i];
        if (h.isObject()) {
            const QJsonObject o = h.toObject();
            const QJsonValue name = o.contains(QLatin1StringView("key")) ? o.value(QLatin1StringView("key"))
                                                                         : o.value(QLatin1StringView("name"));
            if (!name.isString()) {
                *error = QStringLiteral("\"headers\"[%1]: needs a \"key\" (or \"name\") string").arg(i);
                return false;
            }
            std::optional<QByteArray> value = headerValue(o.value(QLatin1StringView("value")));
            if (o.contains(QLatin1StringView("value_b64")) &&
                !base64Field(o.value(QLatin1StringView("value_b64")), "value_b64", &value, error))
                return false;
            headers->append({name.toString(), value});
        } else if (h.isArray() && h.toArray().size() == 2 && h.toArray().first().isString()) {
            headers->append({h.toArray().first().toString(), headerValue(h.toArray().last())});
        } else {
            *error = QStringLiteral("\"headers\"[%1]: expected {\"key\": ..., \"value\": ...} or [name, value]").arg(i);
            return false;
        }
    }
    return true;
}

} // namespace

QString formatName(ReplayFormat format)
{
    switch (format) {
    case ReplayFormat::Auto: return QStringLiteral("auto");
    case ReplayFormat::Lines: return QStringLiteral("lines");
    case ReplayFormat::Jsonl: return QStringLiteral("jsonl");
    case ReplayFormat::Csv: return QStringLiteral("csv");
    case ReplayFormat::Dir: return QStringLiteral("dir");
    case ReplayFormat::Binary: return QStringLiteral("binary");
    }
    return {};
}

std::optional<ReplayFormat> formatFromName(const QString &name)
{
    for (ReplayFormat f : {ReplayFormat::Auto, ReplayFormat::Lines, ReplayFormat::Jsonl, ReplayFormat::Csv,
                           ReplayFormat::Dir, ReplayFormat::Binary})
        if (formatName(f) == name.toLower())
            return f;
    if (name.toLower() == QLatin1StringView("json") || name.toLower() == QLatin1StringView("ndjson"))
        return ReplayFormat::Jsonl;
    return std::nullopt;
}

ReplayFormat RecordSource::detect(const QString &path, const QByteArray &head)
{
    if (path != QLatin1StringView("-") && QFileInfo(path).isDir())
        return ReplayFormat::Dir;
    QString name = QFileInfo(path).fileName().toLower();
    for (const char *ext : {".gz", ".gzip", ".zst", ".zstd"})
        if (name.endsWith(QLatin1StringView(ext)))
            name.chop(static_cast<qsizetype>(strlen(ext)));
    if (name.endsWith(QLatin1StringView(".jsonl")) || name.endsWith(QLatin1StringView(".ndjson")) ||
        name.endsWith(QLatin1StringView(".json")))
        return ReplayFormat::Jsonl;
    if (name.endsWith(QLatin1StringView(".csv")))
        return ReplayFormat::Csv;
    // By content: a NUL or bytes that are not UTF-8 make it binary; a first
    // non-blank '{' makes it JSONL; the rest is lines.
    if (head.contains('\0'))
        return ReplayFormat::Binary;
    QByteArray text = head;
    if (head.size() >= kSniffBytes) {
        // Do not count a character cut at the end of the sample as invalid.
        qsizetype cut = text.size();
        while (cut > 0 && cut > text.size() - 4 && (static_cast<unsigned char>(text[cut - 1]) & 0xC0) == 0x80)
            --cut;
        if (cut > 0 && (static_cast<unsigned char>(text[cut - 1]) & 0x80))
            --cut;
        text.truncate(cut);
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = utf8.decode(text);
    if (utf8.hasError())
        return ReplayFormat::Binary;
    const QByteArray trimmed = head.trimmed();
    if (trimmed.startsWith('{'))
        return ReplayFormat::Jsonl;
    return ReplayFormat::Lines;
}

bool RecordSource::parseJsonLine(const QByteArray &line, bool usePartitions, ProducerRecord *r, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at column %2").arg(pe.errorString()).arg(pe.offset + 1);
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("expected a JSON object per line");
        return false;
    }
    const QJsonObject o = doc.object();
    // kcat -J writes key_error / payload_error when it could not decode the
    // bytes (-s avro ...): replaying would send something else.
    for (const char *bad : {"key_error", "payload_error", "value_error"}) {
        if (o.contains(QLatin1StringView(bad))) {
            *error =
                QStringLiteral("\"%1\": %2").arg(QLatin1StringView(bad), o.value(QLatin1StringView(bad)).toString());
            return false;
        }
    }
    ProducerRecord out;
    out.key = jsonBytes(o.value(QLatin1StringView("key")));
    if (o.contains(QLatin1StringView("key_b64")) &&
        !base64Field(o.value(QLatin1StringView("key_b64")), "key_b64", &out.key, error))
        return false;
    const QLatin1StringView valueName(o.contains(QLatin1StringView("value")) ? "value" : "payload");
    out.value = jsonBytes(o.value(valueName));
    if (o.contains(QLatin1StringView("value_b64")) &&
        !base64Field(o.value(QLatin1StringView("value_b64")), "value_b64", &out.value, error))
        return false;
    if (!parseHeaders(o.value(QLatin1StringView("headers")), &out.headers, error))
        return false;
    const QJsonValue partition = o.value(QLatin1StringView("partition"));
    if (!partition.isUndefined() && !partition.isNull()) {
        const double p = partition.toDouble(-2);
        if (!partition.isDouble() || p != static_cast<double>(static_cast<int>(p)) || p < -1 || p > 1e9) {
            *error = QStringLiteral("\"partition\" must be an integer >= -1");
            return false;
        }
        if (usePartitions)
            out.partition = static_cast<std::int32_t>(p);
    }
    QJsonValue ts = o.value(QLatin1StringView("timestamp"));
    if (ts.isUndefined()) {
        ts = o.value(QLatin1StringView("ts"));
        if (o.value(QLatin1StringView("tstype")).toString() == QLatin1StringView("none"))
            ts = QJsonValue();
    }
    if (ts.isDouble()) {
        const double t = ts.toDouble();
        if (t != static_cast<double>(static_cast<qint64>(t)) || t < -1 || t > 1e15) {
            *error = QStringLiteral("\"timestamp\" must be milliseconds since the epoch");
            return false;
        }
        if (t >= 0)
            out.timestampMs = static_cast<qint64>(t);
    } else if (ts.isString()) {
        const QDateTime dt = QDateTime::fromString(ts.toString(), Qt::ISODateWithMs);
        if (!dt.isValid()) {
            *error = QStringLiteral("\"timestamp\" '%1' is not ISO 8601").arg(ts.toString());
            return false;
        }
        out.timestampMs = dt.toMSecsSinceEpoch();
    } else if (!ts.isUndefined() && !ts.isNull()) {
        *error = QStringLiteral("\"timestamp\" must be a number or an ISO 8601 string");
        return false;
    }
    *r = std::move(out);
    return true;
}

qsizetype splitCsvRecord(QByteArrayView data, bool atEnd, QList<QByteArray> *fields, int *newlines, QString *error)
{
    fields->clear();
    *newlines = 0;
    QByteArray field;
    qsizetype i = 0;
    const qsizetype n = data.size();
    bool quoted = false;
    bool wasQuoted = false;
    while (i < n) {
        const char c = data[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 >= n && !atEnd)
                    return 0; // "" or " then delimiter: need the next byte
                if (i + 1 < n && data[i + 1] == '"') {
                    field += '"';
                    i += 2;
                    continue;
                }
                quoted = false;
                ++i;
                continue;
            }
            if (c == '\n')
                ++*newlines;
            field += c;
            ++i;
            continue;
        }
        if (c == '"') {
            if (!field.isEmpty() || wasQuoted) {
                *error = QStringLiteral("a quote inside an unquoted field");
                return -1;
            }
            quoted = wasQuoted = true;
            ++i;
            continue;
        }
        if (c == ',') {
            fields->append(std::exchange(field, QByteArray()));
            wasQuoted = false;
            ++i;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (c == '\r') {
                if (i + 1 >= n && !atEnd)
                    return 0;
                if (i + 1 < n && data[i + 1] == '\n')
                    ++i;
            }
            ++*newlines;
            fields->append(field);
            return i + 1;
        }
        if (wasQuoted) {
            *error = QStringLiteral("text after a closing quote");
            return -1;
        }
        field += c;
        ++i;
    }
    if (!atEnd)
        return 0;
    if (quoted) {
        *error = QStringLiteral("a quoted field is not closed before the end of the file");
        return -1;
    }
    if (n == 0)
        return 0;
    fields->append(field);
    return n;
}

RecordSource::RecordSource(QStringList inputs, ReplaySourceOptions options)
    : m_inputs(std::move(inputs)), m_options(std::move(options))
{
    if (m_inputs.isEmpty())
        m_inputs.append(QStringLiteral("-"));
    for (const QString &in : std::as_const(m_inputs)) {
        const QFileInfo fi(in);
        if (in != QLatin1StringView("-") && fi.isFile())
            m_totalRaw += fi.size();
        else if (fi.isDir())
            for (const QFileInfo &f : QDir(in).entryInfoList(QDir::Files | QDir::NoDotAndDotDot))
                m_totalRaw += f.size();
    }
}

RecordSource::~RecordSource() = default;

std::int64_t RecordSource::rawBytesDone() const
{
    if (!m_stream || m_nextDirFile >= 0)
        return m_doneRaw;
    std::int64_t pos = m_stream->rawPosition();
    // Uncompressed, what is read but not parsed yet is not done (a small
    // file is read in one chunk); compressed, the raw position is all we know.
    if (m_stream->codec() == InputStream::Codec::None) {
        pos -= m_stream->pending();
        pos -= m_lines ? m_lines->buffered() : m_csvBuf.size() - m_csvPos;
    }
    return m_doneRaw + std::max<std::int64_t>(0, pos);
}

bool RecordSource::openNext(SourceError *error)
{
    if (m_stream && m_stream->rawSize() > 0)
        m_doneRaw += m_stream->rawSize();
    m_stream.reset();
    m_lines.reset();
    m_dirFiles.clear();
    m_nextDirFile = -1;
    m_binaryDone = false;
    m_csvColumns.clear();
    m_csvBuf.clear();
    m_csvPos = 0;
    m_csvEof = false;
    m_csvLine = 1;
    if (m_nextInput >= m_inputs.size())
        return false;
    m_currentPath = m_inputs[m_nextInput++];
    const bool isDir = m_currentPath != QLatin1StringView("-") && QFileInfo(m_currentPath).isDir();
    m_format = m_options.format;
    if (isDir) {
        if (m_format != ReplayFormat::Auto && m_format != ReplayFormat::Dir) {
            *error = {{m_currentPath, 0},
                      QStringLiteral("is a directory: only --format dir (or auto) reads directories"),
                      true};
            return true;
        }
        m_format = ReplayFormat::Dir;
        const QDir dir(m_currentPath);
        for (const QString &f : dir.entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name))
            m_dirFiles.append(dir.filePath(f));
        m_nextDirFile = 0;
        return true;
    }
    if (m_format == ReplayFormat::Dir) {
        *error = {{m_currentPath, 0}, QStringLiteral("is not a directory (--format dir)"), true};
        return true;
    }
    m_stream = std::make_unique<InputStream>();
    auto opened = m_stream->open(m_currentPath, m_options.decompress);
    if (!opened) {
        *error = {{m_currentPath, 0}, opened.error().message, true};
        m_stream.reset();
        return true;
    }
    if (m_format == ReplayFormat::Auto)
        m_format = detect(m_currentPath, m_stream->peek(kSniffBytes));
    if (m_format == ReplayFormat::Lines)
        m_lines = std::make_unique<DelimitedReader>(*m_stream, m_options.delimiter, m_options.maxRecordBytes);
    else if (m_format == ReplayFormat::Jsonl)
        m_lines = std::make_unique<DelimitedReader>(*m_stream, QByteArray("\n"), m_options.maxRecordBytes);
    return true;
}

RecordSource::Status RecordSource::next(SourceRecord *record, SourceError *error)
{
    for (;;) {
        if (!m_stream && m_nextDirFile < 0) {
            SourceError openError;
            if (!openNext(&openError))
                return Status::End;
            if (openError.fatal) {
                *error = openError;
                return Status::Error;
            }
        }
        Status s = Status::End;
        if (m_nextDirFile >= 0) {
            if (m_nextDirFile < m_dirFiles.size())
                s = nextWholeFile(m_dirFiles[m_nextDirFile++], record, error);
        } else if (m_format == ReplayFormat::Binary) {
            if (!m_binaryDone) {
                m_binaryDone = true;
                s = nextWholeFile(m_currentPath, record, error, m_stream.get());
            }
        } else if (m_format == ReplayFormat::Csv) {
            s = nextCsv(record, error);
        } else if (m_format == ReplayFormat::Jsonl) {
            s = nextJsonl(record, error);
        } else {
            s = nextLines(record, error);
        }
        if (s != Status::End) {
            record->format = m_format;
            return s;
        }
        // This input is done: on to the next.
        if (m_stream && m_stream->rawSize() > 0)
            m_doneRaw += m_stream->rawSize();
        m_stream.reset();
        m_lines.reset();
        m_nextDirFile = -1;
        m_dirFiles.clear();
    }
}

RecordSource::Status RecordSource::nextLines(SourceRecord *record, SourceError *error)
{
    QByteArray bytes;
    std::uint64_t line = 0;
    switch (m_lines->next(&bytes, &line)) {
    case DelimitedReader::Status::End: return Status::End;
    case DelimitedReader::Status::Error:
        *error = {{m_currentPath, line}, m_stream->error(), true};
        m_stream.reset();
        m_lines.reset();
        return Status::Error;
    case DelimitedReader::Status::TooLong:
        *error = {{m_currentPath, line},
                  QStringLiteral("the record is longer than %1 bytes (skipped)").arg(m_options.maxRecordBytes),
                  false};
        return Status::Error;
    case DelimitedReader::Status::Record: break;
    }
    *record = SourceRecord{};
    record->origin = {m_currentPath, line};
    const QByteArray &sep = m_options.keySeparator;
    const qsizetype at = sep.isEmpty() ? -1 : bytes.indexOf(sep);
    if (at >= 0) {
        record->record.key = bytes.left(at);
        record->record.value = bytes.mid(at + sep.size());
    } else {
        record->record.value = std::move(bytes);
    }
    return Status::Record;
}

RecordSource::Status RecordSource::nextJsonl(SourceRecord *record, SourceError *error)
{
    for (;;) {
        QByteArray bytes;
        std::uint64_t line = 0;
        switch (m_lines->next(&bytes, &line)) {
        case DelimitedReader::Status::End: return Status::End;
        case DelimitedReader::Status::Error:
            *error = {{m_currentPath, line}, m_stream->error(), true};
            m_stream.reset();
            m_lines.reset();
            return Status::Error;
        case DelimitedReader::Status::TooLong:
            *error = {{m_currentPath, line},
                      QStringLiteral("the line is longer than %1 bytes (skipped)").arg(m_options.maxRecordBytes),
                      false};
            return Status::Error;
        case DelimitedReader::Status::Record: break;
        }
        if (isBlank(bytes))
            continue;
        *record = SourceRecord{};
        record->origin = {m_currentPath, line};
        QString message;
        if (!parseJsonLine(bytes, m_options.usePartitions, &record->record, &message)) {
            *error = {{m_currentPath, line}, message, false};
            return Status::Error;
        }
        return Status::Record;
    }
}

RecordSource::Status RecordSource::nextCsv(SourceRecord *record, SourceError *error)
{
    for (;;) {
        QList<QByteArray> fields;
        int newlines = 0;
        QString message;
        const qsizetype used =
            splitCsvRecord(QByteArrayView(m_csvBuf).sliced(m_csvPos), m_csvEof, &fields, &newlines, &message);
        if (used < 0) {
            *error = {{m_currentPath, m_csvLine}, QStringLiteral("CSV: %1").arg(message), true};
            m_stream.reset();
            return Status::Error;
        }
        if (used == 0) {
            if (m_csvEof) {
                if (!m_stream->error().isEmpty()) {
                    *error = {{m_currentPath, m_csvLine}, m_stream->error(), true};
                    m_stream.reset();
                    return Status::Error;
                }
                return Status::End;
            }
            if (m_csvBuf.size() - m_csvPos > m_options.maxRecordBytes) {
                // A CSV record cannot be skipped without parsing its quotes.
                *error = {{m_currentPath, m_csvLine},
                          QStringLiteral("CSV: the record is longer than %1 bytes").arg(m_options.maxRecordBytes),
                          true};
                m_stream.reset();
                return Status::Error;
            }
            m_csvBuf.remove(0, m_csvPos);
            m_csvPos = 0;
            const QByteArray chunk = m_stream->readChunk();
            if (chunk.isEmpty())
                m_csvEof = true;
            m_csvBuf += chunk;
            continue;
        }
        m_csvPos += used;
        const std::uint64_t line = m_csvLine;
        m_csvLine += static_cast<std::uint64_t>(newlines);
        if (fields.size() == 1 && fields[0].isEmpty())
            continue; // blank line
        if (m_csvColumns.isEmpty()) {
            for (const QByteArray &f : std::as_const(fields))
                m_csvColumns.append(QString::fromUtf8(f).trimmed());
            if (!m_csvColumns.contains(QLatin1StringView("value"), Qt::CaseInsensitive)) {
                *error = {{m_currentPath, line},
                          QStringLiteral("CSV: the header row needs a \"value\" column (has: %1)")
                              .arg(m_csvColumns.join(QLatin1Char(','))),
                          true};
                m_stream.reset();
                return Status::Error;
            }
            continue;
        }
        if (fields.size() != m_csvColumns.size()) {
            *error = {{m_currentPath, line},
                      QStringLiteral("CSV: %1 fields where the header row has %2")
                          .arg(fields.size())
                          .arg(m_csvColumns.size()),
                      false};
            return Status::Error;
        }
        *record = SourceRecord{};
        record->origin = {m_currentPath, line};
        ProducerRecord &r = record->record;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QString column = m_csvColumns[i].toLower();
            if (column == QLatin1StringView("key")) {
                if (!fields[i].isEmpty())
                    r.key = fields[i];
            } else if (column == QLatin1StringView("value")) {
                r.value = fields[i];
            } else if (column == QLatin1StringView("partition")) {
                if (fields[i].isEmpty())
                    continue;
                bool ok = false;
                const int p = fields[i].trimmed().toInt(&ok);
                if (!ok || p < -1) {
                    *error = {{m_currentPath, line},
                              QStringLiteral("CSV: partition '%1' is not a partition number")
                                  .arg(QString::fromUtf8(fields[i])),
                              false};
                    return Status::Error;
                }
                if (m_options.usePartitions)
                    r.partition = p;
            } else if (column == QLatin1StringView("timestamp")) {
                if (fields[i].isEmpty())
                    continue;
                bool ok = false;
                const qint64 t = fields[i].trimmed().toLongLong(&ok);
                if (!ok || t < 0) {
                    *error = {{m_currentPath, line},
                              QStringLiteral("CSV: timestamp '%1' is not milliseconds since the epoch")
                                  .arg(QString::fromUtf8(fields[i])),
                              false};
                    return Status::Error;
                }
                r.timestampMs = t;
            } else {
                // Every other column is a header of that name.
                r.headers.append({m_csvColumns[i], fields[i]});
            }
        }
        return Status::Record;
    }
}

RecordSource::Status RecordSource::nextWholeFile(const QString &path, SourceRecord *record, SourceError *error,
                                                 InputStream *open)
{
    InputStream own;
    if (!open) {
        auto opened = own.open(path, m_options.decompress);
        if (!opened) {
            *error = {{path, 1}, opened.error().message, false};
            return Status::Error;
        }
    }
    InputStream &in = open ? *open : own;
    QByteArray bytes;
    for (QByteArray chunk = in.readChunk(); !chunk.isEmpty(); chunk = in.readChunk()) {
        if (bytes.size() + chunk.size() > m_options.maxRecordBytes) {
            *error = {{path, 1},
                      QStringLiteral("the file is longer than %1 bytes (skipped)").arg(m_options.maxRecordBytes),
                      false};
            return Status::Error;
        }
        bytes += chunk;
    }
    if (!in.error().isEmpty()) {
        *error = {{path, 1}, in.error(), false};
        return Status::Error;
    }
    if (!open && in.rawSize() > 0)
        m_doneRaw += in.rawSize();
    *record = SourceRecord{};
    record->origin = {path, 1};
    record->record.value = std::move(bytes);
    return Status::Record;
}

} // namespace kpw
