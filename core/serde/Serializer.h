#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

namespace kpw::serde {

// The formats a key or a value can be typed in. Names are the command-line
// spellings (--key-format/--value-format) and what a picker shows.
enum class Format { String, Json, Hex, Base64, Int32, Int64, Uuid, Null, Avro, Protobuf, JsonSchema };

struct FormatInfo
{
    Format format;
    QString name;             // "json-schema": command-line spelling
    QString label;            // "JSON Schema": for a picker
    bool needsSchema = false; // avro, protobuf, json-schema
    bool needsType = false;   // protobuf: the message type's full name
    QString schemaFilter;     // file dialog filter, e.g. "Avro schema (*.avsc)"
    QString hint;             // one line on what the input looks like
};

// Every format in picker order.
const QList<FormatInfo> &formats();
const FormatInfo &formatInfo(Format format);
std::optional<Format> formatFromName(const QString &name);
// "string, json, hex, ..." for usage and error messages.
QString formatNames();

// Why a text could not be serialized. line/column (1-based, 0 when unknown)
// point into the input for JSON syntax errors; path names the offending place
// in the document ("$.address.zip", "$.items[2]") for schema violations and
// Avro/Protobuf mismatches.
struct SerdeError
{
    SerdeError() = default;
    SerdeError(QString why, int atLine = 0, int atColumn = 0, QString atPath = {})
        : reason(std::move(why)), line(atLine), column(atColumn), path(std::move(atPath))
    {
    }

    QString reason;
    int line = 0;
    int column = 0;
    QString path;

    // One line for a person: "line 3, column 7: ..." or "$.a.b: ...".
    QString toString() const;
};

template <typename T> class SerdeResult final
{
public:
    SerdeResult(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    SerdeResult(SerdeError error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() { return std::get<0>(m_v); }
    const T &value() const { return std::get<0>(m_v); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    const SerdeError &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, SerdeError> m_v;
};

// The bytes of a key or value; nullopt is a null (a tombstone value, or a
// null key, which is distinct from an empty one).
using Payload = std::optional<QByteArray>;

// Turns what a person typed into the bytes a consumer expects. Built once per
// schema (parsing the schema is the expensive part) and then used for every
// record. Not safe to call from two threads at once; make one per thread.
class Serializer
{
public:
    virtual ~Serializer() = default;

    Format format() const { return m_format; }

    // text is UTF-8. Formats other than null never return a null payload.
    virtual SerdeResult<Payload> serialize(QByteArrayView text) const = 0;
    SerdeResult<Payload> serialize(const QString &text) const { return serialize(QByteArrayView(text.toUtf8())); }

    // A valid sample input for the schema-backed formats (Avro, Protobuf:
    // JSON; JSON Schema: JSON that validates); an error for the others.
    virtual SerdeResult<QString> exampleFromSchema() const;

    // Protobuf: every message type the schema file and its imports define,
    // by full name. Empty for the other formats.
    virtual QStringList messageTypes() const { return {}; }

protected:
    explicit Serializer(Format format) : m_format(format) {}

private:
    Format m_format;
};

// What to build a serializer from.
struct SerializerSpec
{
    Format format = Format::String;
    // Schema-backed formats: a file (.avsc, .proto, .json) or the schema
    // text itself; the file wins when both are set. A .proto given as text is
    // written to a temporary folder, so its imports resolve from includePaths.
    QString schemaFile;
    QByteArray schemaText;
    QString messageType;      // protobuf: full name, e.g. "shop.v1.Order"
    QStringList includePaths; // protobuf: extra folders for imports
    bool compactJson = false; // json, json-schema: send compacted instead of as typed
};

// Parses the schema (if any) and returns a ready serializer, or an error that
// names the schema's line and column (syntax) or what is wrong with it.
SerdeResult<std::shared_ptr<const Serializer>> makeSerializer(const SerializerSpec &spec);

// Hook for the Schema Registry wire format: takes a serialized payload and
// returns the bytes to send (e.g. magic byte, schema id, message indexes,
// payload). Not called for null payloads.
using PayloadFramer = std::function<SerdeResult<QByteArray>(const QByteArray &payload)>;

// Line and column (1-based) of a byte offset in a UTF-8 text; columns count
// characters, not bytes.
std::pair<int, int> lineColumnAt(QByteArrayView text, qsizetype offset);

// Protobuf: the message types a .proto (file or text, with its imports)
// defines, by full name, without choosing one; for a picker.
SerdeResult<QStringList> listMessageTypes(const SerializerSpec &spec);

} // namespace kpw::serde
