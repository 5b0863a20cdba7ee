#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// Values a template is expanded with. seq counts records from 1 (the copy's
// number in the composer, the record's number in a replay); line is the input
// line the record came from (0 in the composer).
struct TemplateContext
{
    std::uint64_t seq = 1;
    std::uint64_t line = 0;
    std::int64_t nowMs = -1; // -1: the clock at expansion time
};

// A message template: bytes with {{variable}} placeholders, parsed once and
// expanded per record.
//   {{uuid}}               a random UUID, e.g. 1b4e28ba-2fa1-11d2-883f-0016d3cca427
//   {{seq}}                TemplateContext::seq
//   {{line}}               TemplateContext::line
//   {{now}}                UTC time, ISO 8601 with milliseconds
//   {{now:ms}} {{now:s}}   Unix time in milliseconds / seconds
//   {{now:FORMAT}}         UTC time in a QDateTime format, e.g. {{now:yyyy-MM-dd}}
//   {{random.int(a,b)}}    a uniformly random integer in [a, b]
// Anything else between braces is left as it is, so payloads that happen to
// contain "{{" survive; a known variable with bad arguments is an error.
class Template final
{
public:
    static Result<Template> parse(const QByteArray &text);

    bool hasVariables() const { return m_hasVariables; }
    QByteArray expand(const TemplateContext &context) const;

    // Expands every template in a record's key, value and header values;
    // returns the first parse error.
    static Result<bool> expandInPlace(std::optional<QByteArray> &bytes, const TemplateContext &context);

private:
    enum class Kind { Literal, Uuid, Seq, Line, NowIso, NowMs, NowS, NowFormat, RandomInt };
    struct Part
    {
        Kind kind = Kind::Literal;
        QByteArray text; // Literal: the bytes; NowFormat: the format
        qint64 low = 0;
        qint64 high = 0;
    };

    QList<Part> m_parts;
    bool m_hasVariables = false;
};

} // namespace kpw
