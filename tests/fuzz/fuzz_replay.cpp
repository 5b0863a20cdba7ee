// fuzz_replay: the replay parsers (core/replay) on hostile files: the
// delimited-record reader (lines, custom delimiters, the line-length bound),
// gzip/zstd detection and streaming decompression, JSONL records (kcat -J
// and kpw's own fields) and CSV records.
//
// Input format: byte 0 picks the mode (0: lines, 1: JSONL, 2: CSV) and, with
// byte 1, the delimiter and the record bound (1..64 bytes, small so the
// too-long path is hit); the rest is the file.
//
// Properties: no crash, leak or UB; records never exceed the bound; line
// numbers never go backwards and never pass the file's line count; for plain
// LF lines the records and skipped lines account for every line of the
// input; a CSV split always makes progress within the data; a JSON record
// that parses has a valid partition (>= -1) and its headers have names.

#include "FuzzCheck.h"

#include "replay/InputStream.h"
#include "replay/RecordSource.h"

#include <QList>

using namespace kpw;

namespace {

void fuzzLines(const QByteArray &file, const QByteArray &delimiter, qsizetype maxBytes, bool json)
{
    InputStream in;
    if (!in.openData(file, QStringLiteral("fuzz"), true))
        return;
    DelimitedReader reader(in, delimiter, maxBytes);
    const bool plain = in.codec() == InputStream::Codec::None;
    const std::uint64_t totalLines = static_cast<std::uint64_t>(file.count('\n')) + 1;
    std::uint64_t lastLine = 0;
    qsizetype records = 0;
    qsizetype tooLong = 0;
    for (int guard = 0; guard < 1'000'000; ++guard) {
        QByteArray record;
        std::uint64_t line = 0;
        const auto s = reader.next(&record, &line);
        if (s == DelimitedReader::Status::End || s == DelimitedReader::Status::Error)
            break;
        FUZZ_CHECK(line >= lastLine && line >= 1, "line %llu after %llu", static_cast<unsigned long long>(line),
                   static_cast<unsigned long long>(lastLine));
        if (plain)
            FUZZ_CHECK(line <= totalLines, "line %llu past the end (%llu lines)", static_cast<unsigned long long>(line),
                       static_cast<unsigned long long>(totalLines));
        lastLine = line;
        if (s == DelimitedReader::Status::TooLong) {
            ++tooLong;
            continue;
        }
        ++records;
        FUZZ_CHECK(record.size() <= maxBytes, "record of %lld bytes over the bound %lld",
                   static_cast<long long>(record.size()), static_cast<long long>(maxBytes));
        if (delimiter == "\n")
            FUZZ_CHECK(!record.contains('\n'), "an LF record holds an LF");
        if (json) {
            ProducerRecord r;
            QString error;
            if (RecordSource::parseJsonLine(record, true, &r, &error)) {
                FUZZ_CHECK(r.partition >= -1, "partition %d", r.partition);
                for (const RecordHeader &h : r.headers)
                    Q_UNUSED(h.key.size());
            } else {
                FUZZ_CHECK(!error.isEmpty(), "a refused JSON line without a message");
            }
        }
    }
    // Every LF-separated line of a plain file is either a record or skipped.
    if (plain && delimiter == "\n" && !file.isEmpty()) {
        const qsizetype expected = file.count('\n') + (file.endsWith('\n') ? 0 : 1);
        FUZZ_CHECK(records + tooLong == expected, "%lld records + %lld skipped for %lld lines",
                   static_cast<long long>(records), static_cast<long long>(tooLong), static_cast<long long>(expected));
    }
}

void fuzzCsv(const QByteArray &file)
{
    QByteArrayView rest(file);
    for (int guard = 0; guard < 1'000'000 && !rest.isEmpty(); ++guard) {
        QList<QByteArray> fields;
        int newlines = 0;
        QString error;
        // First as if more data might follow (0 is allowed), then at the end.
        const qsizetype partial = splitCsvRecord(rest, false, &fields, &newlines, &error);
        FUZZ_CHECK(partial >= -1 && partial <= rest.size(), "partial split %lld of %lld",
                   static_cast<long long>(partial), static_cast<long long>(rest.size()));
        const qsizetype used = splitCsvRecord(rest, true, &fields, &newlines, &error);
        if (used < 0) {
            FUZZ_CHECK(!error.isEmpty(), "a malformed CSV record without a message");
            return;
        }
        FUZZ_CHECK(used > 0 && used <= rest.size(), "no progress: %lld of %lld", static_cast<long long>(used),
                   static_cast<long long>(rest.size()));
        if (partial > 0)
            FUZZ_CHECK(partial == used, "a complete record splits differently at the end: %lld vs %lld",
                       static_cast<long long>(partial), static_cast<long long>(used));
        FUZZ_CHECK(!fields.isEmpty(), "a record without fields");
        qsizetype bytes = 0;
        for (const QByteArray &f : fields)
            bytes += f.size();
        FUZZ_CHECK(bytes <= used, "fields hold more bytes than were consumed");
        rest = rest.sliced(used);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 1 << 20)
        return 0;
    const int mode = data[0] % 3;
    static const QByteArray delimiters[] = {"\n", "\r\n", "||", "\0", ";"};
    const QByteArray delimiter = mode == 0 ? delimiters[(data[0] / 3) % 5] : QByteArray("\n");
    const qsizetype maxBytes = 1 + data[1] % 64;
    const QByteArray file(reinterpret_cast<const char *>(data + 2), static_cast<qsizetype>(size - 2));
    if (mode == 2)
        fuzzCsv(file);
    else
        fuzzLines(file, delimiter, maxBytes, mode == 1);
    return 0;
}
