#include "serde/Serializer.h"

#include "serde/JsonText.h"
#include "serde/SchemaSerializers.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QUuid>
#include <QtEndian>

#include <charconv>
#include <limits>

namespace kpw::serde {

const QList<FormatInfo> &formats()
{
    static const QList<FormatInfo> all = {
        {Format::String,
         QStringLiteral("string"),
         QStringLiteral("String (UTF-8)"),
         false,
         false,
         {},
         QStringLiteral("Any text, sent as UTF-8.")},
        {Format::Json,
         QStringLiteral("json"),
         QStringLiteral("JSON"),
         false,
         false,
         {},
         QStringLiteral("A JSON document; rejected unless it parses.")},
        {Format::Hex,
         QStringLiteral("hex"),
         QStringLiteral("Bytes (hex)"),
         false,
         false,
         {},
         QStringLiteral("Hex digits, two per byte; spaces and colons are ignored.")},
        {Format::Base64,
         QStringLiteral("base64"),
         QStringLiteral("Bytes (base64)"),
         false,
         false,
         {},
         QStringLiteral("Standard base64 (RFC 4648).")},
        {Format::Int32,
         QStringLiteral("int32"),
         QStringLiteral("Integer (int32)"),
         false,
         false,
         {},
         QStringLiteral("A decimal integer, sent as 4 big-endian bytes (Kafka's IntegerSerializer).")},
        {Format::Int64,
         QStringLiteral("int64"),
         QStringLiteral("Long (int64)"),
         false,
         false,
         {},
         QStringLiteral("A decimal integer, sent as 8 big-endian bytes (Kafka's LongSerializer).")},
        {Format::Uuid,
         QStringLiteral("uuid"),
         QStringLiteral("UUID"),
         false,
         false,
         {},
         QStringLiteral("A UUID, sent as its canonical lower-case text (Kafka's UUIDSerializer).")},
        {Format::Null,
         QStringLiteral("null"),
         QStringLiteral("Null"),
         false,
         false,
         {},
         QStringLiteral("No bytes at all: a null key, or a tombstone value.")},
        {Format::Avro, QStringLiteral("avro"), QStringLiteral("Avro"), true, false,
         QStringLiteral("Avro schema (*.avsc *.json)"),
         QStringLiteral("JSON in Avro's JSON encoding; plain JSON where the schema makes it unambiguous.")},
        {Format::Protobuf, QStringLiteral("protobuf"), QStringLiteral("Protobuf"), true, true,
         QStringLiteral("Protobuf schema (*.proto)"), QStringLiteral("The message in Protobuf's JSON mapping.")},
        {Format::JsonSchema, QStringLiteral("json-schema"), QStringLiteral("JSON Schema"), true, false,
         QStringLiteral("JSON Schema (*.json)"), QStringLiteral("A JSON document the schema accepts.")},
    };
    return all;
}

const FormatInfo &formatInfo(Format format)
{
    for (const auto &f : formats())
        if (f.format == format)
            return f;
    return formats().front();
}

std::optional<Format> formatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    for (const auto &f : formats())
        if (f.name == n)
            return f.format;
    if (n == QLatin1StringView("jsonschema"))
        return Format::JsonSchema;
    if (n == QLatin1StringView("proto"))
        return Format::Protobuf;
    return std::nullopt;
}

QString formatNames()
{
    QStringList names;
    for (const auto &f : formats())
        names << f.name;
    return names.join(QStringLiteral(", "));
}

QString SerdeError::toString() const
{
    QString where;
    if (line > 0)
        where = QStringLiteral("line %1, column %2").arg(line).arg(column);
    if (!path.isEmpty())
        where = where.isEmpty() ? path : where + QStringLiteral(" (") + path + QLatin1Char(')');
    return where.isEmpty() ? reason : where + QStringLiteral(": ") + reason;
}

SerdeResult<QString> Serializer::exampleFromSchema() const
{
    return SerdeError{
        QStringLiteral("the %1 format has no schema to make an example from").arg(formatInfo(m_format).name)};
}

std::pair<int, int> lineColumnAt(QByteArrayView text, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) { // count characters, not UTF-8 continuation bytes
            ++column;
        }
    }
    return {line, column};
}

// ---------------------------------------------------------------- JSON text

namespace {

// nlohmann's DOM builder, keeping the first error instead of throwing it.
// json::parse throws two kinds: parse_error (syntax) and out_of_range (406:
// a number no double holds, like 1e999, which JSON's grammar allows); only
// here is the offending token's position known for both.
class DomParser final : public nlohmann::detail::json_sax_dom_parser<nlohmann::json>
{
public:
    explicit DomParser(nlohmann::json &root) : json_sax_dom_parser(root, false) {}

    // Hides the base's (sax_parse calls it on this type, not virtually).
    template <class Exception> bool parse_error(std::size_t position, const std::string &token, const Exception &ex)
    {
        if (!failed) {
            failed = true;
            errorPosition = position;
            errorToken = token;
            errorId = ex.id;
            errorText = ex.what();
        }
        return false;
    }

    bool failed = false;
    std::size_t errorPosition = 0; // bytes read when the parser gave up: just past the token
    std::string errorToken;
    int errorId = 0;
    std::string errorText;
};

} // namespace

SerdeResult<nlohmann::json> parseJsonText(QByteArrayView text)
{
    nlohmann::json doc;
    DomParser sax(doc);
    if (nlohmann::json::sax_parse(text.begin(), text.end(), &sax) && !sax.failed)
        return doc;
    if (sax.errorId == 406) {
        // A number beyond a double's range: point at its first character.
        const auto at = static_cast<qsizetype>(sax.errorPosition) - static_cast<qsizetype>(sax.errorToken.size());
        auto [line, column] = lineColumnAt(text, at);
        return SerdeError{QStringLiteral("number %1 is out of range: beyond the largest a double holds (1.8e308)")
                              .arg(QString::fromStdString(sax.errorToken)),
                          line,
                          column,
                          {}};
    }
    // errorPosition is 1-based: the byte at which the parser gave up.
    const auto at = sax.errorPosition > 0 ? static_cast<qsizetype>(sax.errorPosition) - 1 : 0;
    auto [line, column] = lineColumnAt(text, at);
    // nlohmann's text reads "[json.exception.parse_error.101] parse error at line
    // 1, column 5: syntax error while parsing value - ..."; keep what follows the
    // position.
    std::string what = sax.errorText;
    if (const auto colon = what.find(": "); colon != std::string::npos)
        what = what.substr(colon + 2);
    if (what.rfind("syntax error while parsing ", 0) == 0)
        what = what.substr(std::string("syntax error while ").size());
    return SerdeError{QStringLiteral("invalid JSON: ") + QString::fromStdString(what), line, column, {}};
}

QString childPath(const QString &parent, const std::string &member)
{
    const QString m = QString::fromStdString(member);
    bool plain = !m.isEmpty() && !m.front().isDigit();
    for (const QChar c : m)
        plain = plain && (c.isLetterOrNumber() || c == QLatin1Char('_'));
    if (plain)
        return parent + QLatin1Char('.') + m;
    QString quoted = m;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return parent + QStringLiteral("['") + quoted + QStringLiteral("']");
}

bool isCanonicalUuid(QByteArrayView t)
{
    if (t.size() != 36)
        return false;
    for (qsizetype i = 0; i < t.size(); ++i) {
        const char c = t[i];
        const bool ok =
            (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : std::isxdigit(static_cast<unsigned char>(c)) != 0;
        if (!ok)
            return false;
    }
    return true;
}

QString childPath(const QString &parent, std::size_t index)
{
    return parent + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

QString jsonKindName(const nlohmann::json &value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::null: return QStringLiteral("null");
    case nlohmann::json::value_t::boolean: return QStringLiteral("boolean");
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return QStringLiteral("integer");
    case nlohmann::json::value_t::number_float: return QStringLiteral("number");
    case nlohmann::json::value_t::string: return QStringLiteral("string");
    case nlohmann::json::value_t::array: return QStringLiteral("array");
    case nlohmann::json::value_t::object: return QStringLiteral("object");
    default: return QStringLiteral("value");
    }
}

// ---------------------------------------------------------------- plain formats

namespace {

class StringSerializer final : public Serializer
{
public:
    StringSerializer() : Serializer(Format::String) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override { return Payload(text.toByteArray()); }
};

class NullSerializer final : public Serializer
{
public:
    NullSerializer() : Serializer(Format::Null) {}
    SerdeResult<Payload> serialize(QByteArrayView) const override { return Payload(std::nullopt); }
};

class JsonSerializer final : public Serializer
{
public:
    explicit JsonSerializer(bool compact) : Serializer(Format::Json), m_compact(compact) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        auto doc = parseJsonText(text);
        if (!doc)
            return doc.error();
        if (!m_compact)
            return Payload(text.toByteArray());
        return Payload(QByteArray::fromStdString(doc->dump()));
    }

private:
    bool m_compact;
};

class HexSerializer final : public Serializer
{
public:
    HexSerializer() : Serializer(Format::Hex) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        QByteArray out;
        int high = -1;
        qsizetype highAt = 0;
        qsizetype i = 0;
        if (text.startsWith("0x") || text.startsWith("0X"))
            i = 2;
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (c == ' ' || c == '\t' || c == ':' || c == '\n' || c == '\r')
                continue;
            int v = -1;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
            if (v < 0) {
                auto [line, column] = lineColumnAt(text, i);
                return SerdeError{
                    QStringLiteral("'%1' is not a hex digit").arg(QChar::fromLatin1(c)), line, column, {}};
            }
            if (high < 0) {
                high = v;
                highAt = i;
            } else {
                out.append(static_cast<char>((high << 4) | v));
                high = -1;
            }
        }
        if (high >= 0) {
            auto [line, column] = lineColumnAt(text, highAt);
            return SerdeError{
                QStringLiteral("odd number of hex digits: the last byte has one digit"), line, column, {}};
        }
        return Payload(out);
    }
};

class Base64Serializer final : public Serializer
{
public:
    Base64Serializer() : Serializer(Format::Base64) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        const QByteArray trimmed = text.toByteArray().trimmed();
        for (qsizetype i = 0; i < trimmed.size(); ++i) {
            const char c = trimmed[i];
            const bool okChar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '+' || c == '/' || c == '=';
            if (!okChar) {
                auto [line, column] = lineColumnAt(text, text.toByteArray().indexOf(trimmed) + i);
                return SerdeError{
                    QStringLiteral("'%1' is not a base64 character").arg(QChar::fromLatin1(c)), line, column, {}};
            }
        }
        if (trimmed.size() % 4 != 0)
            return SerdeError{
                QStringLiteral("base64 length %1 is not a multiple of 4 (missing '=' padding?)").arg(trimmed.size())};
        auto decoded = QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return SerdeError{QStringLiteral("not valid base64 (check the length and the '=' padding)")};
        return Payload(*decoded);
    }
};

template <typename Int> class IntSerializer final : public Serializer
{
public:
    IntSerializer() : Serializer(sizeof(Int) == 4 ? Format::Int32 : Format::Int64) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        const QByteArray t = text.toByteArray().trimmed();
        Int v = 0;
        const char *begin = t.constData();
        const char *end = begin + t.size();
        if (begin != end && *begin == '+' && (begin + 1 == end || begin[1] != '-')) // "+-5" is not a number
            ++begin;
        const auto [ptr, ec] = std::from_chars(begin, end, v);
        if (t.isEmpty() || ec == std::errc::invalid_argument || ptr != end) {
            return SerdeError{QStringLiteral("'%1' is not a decimal integer").arg(QString::fromUtf8(t))};
        }
        if (ec == std::errc::result_out_of_range) {
            return SerdeError{QStringLiteral("%1 is outside the %2 range [%3, %4]")
                                  .arg(QString::fromUtf8(t), formatInfo(format()).name)
                                  .arg(std::numeric_limits<Int>::min())
                                  .arg(std::numeric_limits<Int>::max())};
        }
        QByteArray out(sizeof(Int), Qt::Uninitialized);
        qToBigEndian(v, out.data());
        return Payload(out);
    }
};

class UuidSerializer final : public Serializer
{
public:
    UuidSerializer() : Serializer(Format::Uuid) {}
    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        const QByteArray t = text.toByteArray().trimmed();
        // Only the canonical form: what Java's UUIDDeserializer reads back.
        if (!isCanonicalUuid(t))
            return SerdeError{QStringLiteral("'%1' is not a UUID (8-4-4-4-12 hex digits)").arg(QString::fromUtf8(t))};
        return Payload(t.toLower());
    }
};

QByteArray readSchema(const SerializerSpec &spec, QString *error)
{
    if (spec.schemaFile.isEmpty())
        return spec.schemaText;
    QFile f(spec.schemaFile);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read schema %1: %2").arg(spec.schemaFile, f.errorString());
        return {};
    }
    return f.readAll();
}

} // namespace

SerdeResult<std::shared_ptr<const Serializer>> makeSerializer(const SerializerSpec &spec)
{
    using Ptr = std::shared_ptr<const Serializer>;
    switch (spec.format) {
    case Format::String: return Ptr(std::make_shared<StringSerializer>());
    case Format::Json: return Ptr(std::make_shared<JsonSerializer>(spec.compactJson));
    case Format::Hex: return Ptr(std::make_shared<HexSerializer>());
    case Format::Base64: return Ptr(std::make_shared<Base64Serializer>());
    case Format::Int32: return Ptr(std::make_shared<IntSerializer<qint32>>());
    case Format::Int64: return Ptr(std::make_shared<IntSerializer<qint64>>());
    case Format::Uuid: return Ptr(std::make_shared<UuidSerializer>());
    case Format::Null: return Ptr(std::make_shared<NullSerializer>());
    case Format::Avro:
    case Format::Protobuf:
    case Format::JsonSchema: break;
    }
    const QString name = formatInfo(spec.format).name;
    if (spec.schemaFile.isEmpty() && spec.schemaText.isEmpty())
        return SerdeError{QStringLiteral("the %1 format needs a schema").arg(name)};
    QString readError;
    const QByteArray schema = readSchema(spec, &readError);
    if (!readError.isEmpty())
        return SerdeError{readError};
    if (spec.format == Format::Avro)
        return makeAvroSerializer(schema);
    if (spec.format == Format::JsonSchema) {
        const QString baseDir = spec.schemaFile.isEmpty() ? QString() : QFileInfo(spec.schemaFile).absolutePath();
        return makeJsonSchemaSerializer(schema, spec.compactJson, baseDir);
    }
    // Protobuf's importer reads from disk: schema text goes to a temporary
    // file that lives as long as the parsing does (the descriptors are copied).
    if (!spec.schemaFile.isEmpty())
        return makeProtobufSerializer(spec.schemaFile, spec.messageType, spec.includePaths);
    QTemporaryDir dir;
    if (!dir.isValid())
        return SerdeError{QStringLiteral("cannot make a temporary folder for the .proto text")};
    const QString path = dir.filePath(QStringLiteral("schema.proto"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(schema) != schema.size())
        return SerdeError{QStringLiteral("cannot write %1").arg(path)};
    f.close();
    return makeProtobufSerializer(path, spec.messageType, spec.includePaths);
}

SerdeResult<QStringList> listMessageTypes(const SerializerSpec &spec)
{
    if (!spec.schemaFile.isEmpty())
        return protobufMessageTypes(spec.schemaFile, spec.includePaths);
    QTemporaryDir dir;
    if (!dir.isValid())
        return SerdeError{QStringLiteral("cannot make a temporary folder for the .proto text")};
    const QString path = dir.filePath(QStringLiteral("schema.proto"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(spec.schemaText) != spec.schemaText.size())
        return SerdeError{QStringLiteral("cannot write %1").arg(path)};
    f.close();
    return protobufMessageTypes(path, spec.includePaths);
}

} // namespace kpw::serde
