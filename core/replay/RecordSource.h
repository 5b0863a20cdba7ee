#pragma once

#include "records/ProducerRecord.h"
#include "replay/InputStream.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace kpw {

enum class ReplayFormat { Auto, Lines, Jsonl, Csv, Dir, Binary };

QString formatName(ReplayFormat format);
// "auto", "lines", "jsonl", "csv", "dir", "binary"; nullopt for anything else.
std::optional<ReplayFormat> formatFromName(const QString &name);

struct ReplaySourceOptions
{
    ReplayFormat format = ReplayFormat::Auto;
    QByteArray delimiter = "\n";         // lines: the record delimiter (kcat -D)
    QByteArray keySeparator;             // lines: KEY<sep>VALUE (kcat -K); empty: no key
    qsizetype maxRecordBytes = 16 << 20; // a longer line is a parse error, never buffered whole
    bool decompress = true;              // gzip / zstd by their magic bytes
    bool usePartitions = true;           // honour a JSONL/CSV partition field
};

// Where a record came from: file and 1-based line (for one record per file,
// line 1). Also what the error reports and the summary carry.
struct RecordOrigin
{
    QString file;
    std::uint64_t line = 0;
};

struct SourceRecord
{
    ProducerRecord record; // topic empty: the replay sets it
    RecordOrigin origin;
    ReplayFormat format = ReplayFormat::Lines;
};

struct SourceError
{
    RecordOrigin origin;
    QString message;
    bool fatal = false; // the input cannot be read on (missing file, corrupt gzip)
};

// Reads the records of a list of inputs (files, directories, "-" for
// standard input) one at a time, in order, in bounded memory: at most one
// record and a read buffer are held. Parse errors come back as values with
// the file and line; reading goes on after a non-fatal one.
class RecordSource final
{
public:
    RecordSource(QStringList inputs, ReplaySourceOptions options);
    ~RecordSource();

    enum class Status { Record, Error, End };
    Status next(SourceRecord *record, SourceError *error);

    // The format the current (or last) input was read as.
    ReplayFormat currentFormat() const { return m_format; }
    QString currentInput() const { return m_currentPath; }
    // Progress through the raw input bytes of regular files (for an ETA).
    std::int64_t rawBytesDone() const;
    std::int64_t rawBytesTotal() const { return m_totalRaw; }

    // The format `path` would be read as under ReplayFormat::Auto (by its
    // name, then its first bytes); the detected format for "-" needs the
    // stream, so it is decided when reading starts.
    static ReplayFormat detect(const QString &path, const QByteArray &head);

    // Parses one JSON line (exposed for tests and the fuzzer).
    static bool parseJsonLine(const QByteArray &line, bool usePartitions, ProducerRecord *record, QString *error);

private:
    struct Input;
    bool openNext(SourceError *error);
    Status nextLines(SourceRecord *record, SourceError *error);
    Status nextJsonl(SourceRecord *record, SourceError *error);
    Status nextCsv(SourceRecord *record, SourceError *error);
    Status nextWholeFile(const QString &path, SourceRecord *record, SourceError *error, InputStream *open = nullptr);

    QStringList m_inputs;
    ReplaySourceOptions m_options;
    qsizetype m_nextInput = 0;
    ReplayFormat m_format = ReplayFormat::Auto;
    QString m_currentPath;
    std::unique_ptr<InputStream> m_stream;
    std::unique_ptr<DelimitedReader> m_lines;
    // A directory being read: its files, the next one.
    QStringList m_dirFiles;
    qsizetype m_nextDirFile = -1;
    bool m_binaryDone = false;
    // CSV
    QStringList m_csvColumns;
    std::uint64_t m_csvLine = 1;
    QByteArray m_csvBuf;
    qsizetype m_csvPos = 0;
    bool m_csvEof = false;
    std::int64_t m_totalRaw = 0;
    std::int64_t m_doneRaw = 0; // of inputs finished
};

// Splits one CSV record (RFC 4180: quotes, doubled quotes, CRLF or LF) off
// the front of `data`. Returns the number of bytes consumed, 0 when `data`
// holds no complete record yet (atEnd: the remaining bytes are the last
// record), -1 on a malformed quote (*error set). *newlines counts the line
// breaks consumed.
qsizetype splitCsvRecord(QByteArrayView data, bool atEnd, QList<QByteArray> *fields, int *newlines, QString *error);

} // namespace kpw
