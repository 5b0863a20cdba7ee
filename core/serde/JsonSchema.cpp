#include "serde/JsonSchema.h"

#include "serde/JsonText.h"
#include "serde/SchemaSerializers.h"

// valijson reports a bad schema by throwing only when this is set (else abort()).
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <QDir>
#include <QFile>
#include <QUrl>

namespace kpw::serde {

using json = nlohmann::json;

struct JsonSchemaValidator::Impl
{
    valijson::Schema schema;
    Draft draft = Draft::Draft7;

    QList<SerdeError> validateParsed(const json &doc) const
    {
        valijson::Validator validator;
        valijson::ValidationResults results;
        valijson::adapters::NlohmannJsonAdapter adapter(doc);
        QList<SerdeError> errors;
        if (validator.validate(schema, adapter, &results))
            return errors;
        valijson::ValidationResults::Error e;
        while (results.popError(e)) {
            QString path = QStringLiteral("$");
            for (const auto &part : e.context) {
                if (part == "<root>")
                    continue;
                if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
                    const std::string inner = part.substr(1, part.size() - 2);
                    const bool index = !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
                    path = index ? path + QString::fromStdString(part) : childPath(path, inner);
                } else {
                    path = childPath(path, part);
                }
            }
            errors.append(SerdeError{QString::fromStdString(e.description), 0, 0, path});
        }
        // valijson reports the enclosing "failed to validate against ..."
        // lines too; the deepest paths come first for a person.
        std::stable_sort(errors.begin(), errors.end(),
                         [](const SerdeError &a, const SerdeError &b) { return a.path.size() > b.path.size(); });
        return errors;
    }
};

JsonSchemaValidator::JsonSchemaValidator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
JsonSchemaValidator::~JsonSchemaValidator() = default;

JsonSchemaValidator::Draft JsonSchemaValidator::draft() const
{
    return m_impl->draft;
}

QString JsonSchemaValidator::draftName() const
{
    switch (m_impl->draft) {
    case Draft::Draft3: return QStringLiteral("draft-03");
    case Draft::Draft4: return QStringLiteral("draft-04");
    case Draft::Draft6: return QStringLiteral("draft-06");
    case Draft::Draft2019_09: return QStringLiteral("2019-09");
    case Draft::Draft2020_12: return QStringLiteral("2020-12");
    default: return QStringLiteral("draft-07");
    }
}

namespace {

JsonSchemaValidator::Draft draftOf(const json &schema)
{
    using D = JsonSchemaValidator::Draft;
    if (!schema.is_object())
        return D::Draft7;
    const auto it = schema.find("$schema");
    if (it == schema.end() || !it->is_string())
        return D::Draft7;
    const std::string s = it->get<std::string>();
    if (s.find("draft-03") != std::string::npos)
        return D::Draft3;
    if (s.find("draft-04") != std::string::npos)
        return D::Draft4;
    if (s.find("draft-06") != std::string::npos)
        return D::Draft6;
    if (s.find("2019-09") != std::string::npos)
        return D::Draft2019_09;
    if (s.find("2020-12") != std::string::npos)
        return D::Draft2020_12;
    return D::Draft7;
}

// valijson 1.0 checks an integer "multipleOf" (or draft 3's "divisibleBy")
// in int64 arithmetic: a document number beyond the int64 range (1e300) is
// cast to int64 (undefined behaviour), a divisor of 0 divides by zero and
// -1 overflows on INT64_MIN, which kills the process; it also reads 3.5 as 3.
// Its floating-point check has none of these problems, so every divisor
// becomes a double here, and one that is not a number above 0 is refused
// (the drafts allow nothing else; valijson also reads "0" as a number).
// Instance data ("const", "enum", "default", "examples") is left alone.
SerdeResult<bool> normalizeDivisors(json &node, const std::string &pointer, int depth)
{
    if (depth > 512)
        return SerdeError{QStringLiteral("the schema is nested more than 512 levels deep")};
    if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            if (auto r = normalizeDivisors(node[i], pointer + "/" + std::to_string(i), depth + 1); !r)
                return r;
        return true;
    }
    if (!node.is_object())
        return true;
    for (auto &[key, value] : node.items()) {
        if (key == "const" || key == "enum" || key == "default" || key == "examples")
            continue;
        if ((key == "multipleOf" || key == "divisibleBy") && (value.is_number() || value.is_string())) {
            const double divisor = value.is_number() ? value.get<double>() : 0.0;
            if (!(divisor > 0))
                return SerdeError{
                    QStringLiteral("\"%1\"%2 must be a number above 0, not %3")
                        .arg(QString::fromStdString(key),
                             pointer.empty() ? QString() : QStringLiteral(" at ") + QString::fromStdString(pointer),
                             QString::fromStdString(value.dump()))};
            value = divisor;
            continue;
        }
        std::string child = pointer;
        child += '/';
        child += key;
        if (auto r = normalizeDivisors(value, child, depth + 1); !r)
            return r;
    }
    return true;
}

} // namespace

SerdeResult<std::shared_ptr<const JsonSchemaValidator>> JsonSchemaValidator::create(const QByteArray &schemaJson,
                                                                                    Draft draft, Fetch fetch)
{
    auto parsed = parseJsonText(schemaJson);
    if (!parsed)
        return parsed.error();
    auto impl = std::make_unique<Impl>();
    impl->draft = draft == Draft::Auto ? draftOf(parsed.value()) : draft;
    const auto version = impl->draft == Draft::Draft3   ? valijson::SchemaParser::kDraft3
                         : impl->draft == Draft::Draft4 ? valijson::SchemaParser::kDraft4
                                                        : valijson::SchemaParser::kDraft7;
    // Draft 6 on: a whole schema may be true (anything) or false (nothing);
    // valijson 1.0 takes boolean subschemas but not a boolean root.
    if (parsed.value().is_boolean() && version == valijson::SchemaParser::kDraft7)
        parsed.value() = parsed.value().get<bool>() ? json::object() : json{{"not", json::object()}};
    if (auto r = normalizeDivisors(parsed.value(), {}, 0); !r) {
        SerdeError e = r.error();
        e.reason = QStringLiteral("not a usable JSON Schema: ") + e.reason;
        return e;
    }
    valijson::SchemaParser parser(version);
    valijson::adapters::NlohmannJsonAdapter adapter(parsed.value());
    try {
        if (fetch) {
            auto fetchDoc = [&fetch](const std::string &uri) -> const json * {
                auto bytes = fetch(QString::fromStdString(uri));
                if (!bytes)
                    return nullptr;
                auto doc = parseJsonText(*bytes);
                if (!doc || !normalizeDivisors(doc.value(), {}, 0))
                    return nullptr;
                return new json(std::move(doc.value()));
            };
            auto freeDoc = [](const json *doc) { delete doc; };
            parser.populateSchema(adapter, impl->schema, fetchDoc, freeDoc);
        } else {
            parser.populateSchema(adapter, impl->schema);
        }
    } catch (const std::exception &e) {
        return SerdeError{QStringLiteral("not a usable JSON Schema: ") + QString::fromUtf8(e.what())};
    }
    return std::shared_ptr<const JsonSchemaValidator>(new JsonSchemaValidator(std::move(impl)));
}

QList<SerdeError> JsonSchemaValidator::validate(QByteArrayView text) const
{
    auto doc = parseJsonText(text);
    if (!doc)
        return {doc.error()};
    try {
        return m_impl->validateParsed(doc.value());
    } catch (const std::exception &e) {
        return {SerdeError{QStringLiteral("validation failed: ") + QString::fromUtf8(e.what())}};
    }
}

// ---------------------------------------------------------------- serializer

namespace {

json exampleFor(const json &schema, const json &root, int depth);

// A count keyword (minItems, minLength) for the example: valijson also takes
// "2" (a string) and any int64, so json::value<int> threw or narrowed; what
// is not a whole number gives the fallback, and it is capped (the example
// need not satisfy the schema, only be usable).
qint64 countFor(const json &schema, const char *key, qint64 fallback, qint64 cap)
{
    const auto it = schema.find(key);
    if (it == schema.end())
        return fallback;
    qint64 n = fallback;
    if (it->is_number_unsigned())
        n = it->get<std::uint64_t>() > std::uint64_t(cap) ? cap : static_cast<qint64>(it->get<std::uint64_t>());
    else if (it->is_number_integer())
        n = it->get<qint64>();
    else if (it->is_string())
        n = QString::fromStdString(it->get<std::string>()).trimmed().toLongLong();
    return std::clamp<qint64>(n, 0, cap);
}

json resolveRef(const json &schema, const json &root)
{
    const auto ref = schema.find("$ref");
    if (ref == schema.end() || !ref->is_string())
        return schema;
    const std::string r = ref->get<std::string>();
    if (!r.starts_with('#'))
        return json::object();
    try {
        const std::string pointer = r.substr(1);
        return pointer.empty() ? root : root.at(json::json_pointer(pointer));
    } catch (const std::exception &) {
        return json::object();
    }
}

json exampleFor(const json &schemaIn, const json &root, int depth)
{
    if (!schemaIn.is_object() || depth > 8)
        return nullptr;
    const json schema = resolveRef(schemaIn, root);
    if (!schema.is_object())
        return nullptr;
    for (const char *key : {"const", "default"})
        if (schema.contains(key))
            return schema[key];
    if (schema.contains("examples") && schema["examples"].is_array() && !schema["examples"].empty())
        return schema["examples"][0];
    if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty())
        return schema["enum"][0];
    for (const char *key : {"allOf", "anyOf", "oneOf"}) {
        if (schema.contains(key) && schema[key].is_array() && !schema[key].empty()) {
            if (std::string(key) == "allOf") {
                json merged = json::object();
                for (const auto &part : schema[key]) {
                    const json p = resolveRef(part, root);
                    if (p.is_object())
                        merged.merge_patch(p);
                }
                return exampleFor(merged, root, depth + 1);
            }
            return exampleFor(schema[key][0], root, depth + 1);
        }
    }
    std::string type;
    if (schema.contains("type")) {
        const json &t = schema["type"];
        if (t.is_string())
            type = t.get<std::string>();
        else if (t.is_array() && !t.empty() && t[0].is_string())
            type = t[0].get<std::string>();
    } else if (schema.contains("properties")) {
        type = "object";
    } else if (schema.contains("items")) {
        type = "array";
    }
    if (type == "object") {
        json out = json::object();
        if (schema.contains("properties") && schema["properties"].is_object())
            for (const auto &item : schema["properties"].items())
                out[item.key()] = exampleFor(item.value(), root, depth + 1);
        return out;
    }
    if (type == "array") {
        json out = json::array();
        const qint64 n = std::max<qint64>(1, countFor(schema, "minItems", 1, 8));
        if (schema.contains("items") && schema["items"].is_object())
            for (int i = 0; i < n && i < 8; ++i)
                out.push_back(exampleFor(schema["items"], root, depth + 1));
        return out;
    }
    if (type == "integer" || type == "number") {
        double v = 1;
        if (schema.contains("minimum") && schema["minimum"].is_number())
            v = schema["minimum"].get<double>();
        else if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number())
            v = schema["exclusiveMinimum"].get<double>() + 1;
        else if (schema.contains("maximum") && schema["maximum"].is_number())
            v = std::min(1.0, schema["maximum"].get<double>());
        if (type != "integer")
            return v;
        // A bound like 1e300: no int64 holds it (the cast was undefined).
        const double whole = std::ceil(v);
        if (whole >= -0x1p63 && whole < 0x1p63)
            return static_cast<qint64>(whole);
        return whole;
    }
    if (type == "boolean")
        return true;
    if (type == "null")
        return nullptr;
    if (type == "string") {
        const auto formatIt = schema.find("format");
        const std::string format =
            formatIt != schema.end() && formatIt->is_string() ? formatIt->get<std::string>() : std::string();
        if (format == "date-time")
            return "2026-01-31T12:34:56Z";
        if (format == "date")
            return "2026-01-31";
        if (format == "email")
            return "someone@example.com";
        if (format == "uuid")
            return "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
        if (format == "uri")
            return "https://example.com/";
        std::string s = "text";
        const auto minLen = static_cast<std::size_t>(countFor(schema, "minLength", 0, 4096));
        while (s.size() < minLen)
            s += "x";
        return s;
    }
    return nullptr;
}

class JsonSchemaSerializer final : public Serializer
{
public:
    JsonSchemaSerializer(std::shared_ptr<const JsonSchemaValidator> validator, json schema, bool compact)
        : Serializer(Format::JsonSchema), m_validator(std::move(validator)), m_schema(std::move(schema)),
          m_compact(compact)
    {
    }

    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        auto doc = parseJsonText(text);
        if (!doc)
            return doc.error();
        const auto errors = m_validator->validate(text);
        if (!errors.isEmpty()) {
            SerdeError first = errors.front();
            if (errors.size() > 1)
                first.reason += QStringLiteral(" (and %1 more)").arg(errors.size() - 1);
            return first;
        }
        if (!m_compact)
            return Payload(text.toByteArray());
        return Payload(QByteArray::fromStdString(doc->dump()));
    }

    SerdeResult<QString> exampleFromSchema() const override
    {
        return QString::fromStdString(exampleFor(m_schema, m_schema, 0).dump(2));
    }

private:
    std::shared_ptr<const JsonSchemaValidator> m_validator;
    json m_schema;
    bool m_compact;
};

} // namespace

SerdeResult<SerializerPtr> makeJsonSchemaSerializer(const QByteArray &schemaJson, bool compact, const QString &baseDir)
{
    JsonSchemaValidator::Fetch fetch;
    if (!baseDir.isEmpty()) {
        // Relative "$ref": "other.json" files next to the schema.
        fetch = [baseDir](const QString &uri) -> std::optional<QByteArray> {
            const QUrl url(uri);
            if (!url.scheme().isEmpty() && url.scheme() != QLatin1StringView("file"))
                return std::nullopt;
            QFile f(QDir(baseDir).filePath(url.isLocalFile() ? url.toLocalFile() : url.path()));
            if (!f.open(QIODevice::ReadOnly))
                return std::nullopt;
            return f.readAll();
        };
    }
    auto validator = JsonSchemaValidator::create(schemaJson, JsonSchemaValidator::Draft::Auto, fetch);
    if (!validator)
        return validator.error();
    auto schema = parseJsonText(schemaJson);
    return SerializerPtr(std::make_shared<JsonSchemaSerializer>(validator.value(), schema.value(), compact));
}

} // namespace kpw::serde
