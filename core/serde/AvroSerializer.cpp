// Avro: the schema is parsed twice, by Avro C (which owns the binary
// encoding through its avro_value API) and as JSON here (to walk the input
// along the schema, resolve named types, and read the logical types Avro C
// 1.11 does not model).

#include "serde/JsonText.h"
#include "serde/SchemaSerializers.h"

#include <avro.h>

#include <QDate>
#include <QRegularExpression>
#include <QUuid>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <vector>

namespace kpw::serde {

namespace {

using json = nlohmann::json;

const std::set<std::string> &primitiveNames()
{
    static const std::set<std::string> names = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    return names;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

// Named types (record, enum, fixed) by full name, so references resolve.
class NamedTypes
{
public:
    SerdeResult<bool> collect(const json &schema, const std::string &ns, int depth = 0)
    {
        if (depth > 200)
            return SerdeError{QStringLiteral("schema nested too deeply")};
        if (schema.is_array()) {
            for (const auto &branch : schema)
                if (auto r = collect(branch, ns, depth + 1); !r)
                    return r;
            return true;
        }
        if (!schema.is_object())
            return true;
        const auto typeIt = schema.find("type");
        if (typeIt == schema.end())
            return SerdeError{QStringLiteral("a schema object without \"type\"")};
        if (!typeIt->is_string())
            return collect(*typeIt, ns, depth + 1);
        const std::string type = typeIt->get<std::string>();
        if (auto r = checkSizes(schema, type, ns); !r)
            return r;
        std::string childNs = ns;
        if (type == "record" || type == "error" || type == "enum" || type == "fixed") {
            const std::string full = fullName(schema, ns);
            m_types[full] = &schema;
            if (const auto dot = full.rfind('.'); dot != std::string::npos)
                childNs = full.substr(0, dot);
            else
                childNs.clear();
        }
        if ((type == "record" || type == "error") && schema.contains("fields") && schema["fields"].is_array()) {
            for (const auto &field : schema["fields"])
                if (field.is_object() && field.contains("type"))
                    if (auto r = collect(field["type"], childNs, depth + 1); !r)
                        return r;
        } else if (type == "array" && schema.contains("items")) {
            return collect(schema["items"], childNs, depth + 1);
        } else if (type == "map" && schema.contains("values")) {
            return collect(schema["values"], childNs, depth + 1);
        }
        return true;
    }

    // What Avro C 1.11 does not check because it does not model logical
    // types: a decimal's precision and scale (Avro's rules: integers,
    // precision >= 1, 0 <= scale <= precision), and what kpw needs bounded
    // to encode and to make an example: a fixed's size (a record over 1 MiB
    // does not reach a broker with default settings anyway) and a decimal's
    // precision. Without this a precision of "9" threw, and a scale of 2^31
    // or a size of 2^40 asked for gigabytes.
    static SerdeResult<bool> checkSizes(const json &schema, const std::string &type, const std::string &ns)
    {
        constexpr qint64 kMaxFixedSize = 1 << 20;
        constexpr qint64 kMaxPrecision = 4096;
        auto where = [&] {
            if (type == "fixed" || type == "enum" || type == "record" || type == "error")
                return QStringLiteral("%1 %2").arg(q(type), q(fullName(schema, ns)));
            return QStringLiteral("a %1 schema").arg(q(type));
        };
        auto integer = [&](const char *key, qint64 fallback) -> std::optional<qint64> {
            const auto it = schema.find(key);
            if (it == schema.end())
                return fallback;
            if (it->is_number_integer() &&
                !(it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(INT64_MAX)))
                return it->get<qint64>();
            return std::nullopt;
        };
        if (type == "fixed") {
            const auto s = integer("size", -1);
            if (!s || *s < 0 || *s > kMaxFixedSize)
                return SerdeError{QStringLiteral("%1: \"size\" %2 is not a byte count from 0 to %3")
                                      .arg(where(), q(schema.value("size", json()).dump()))
                                      .arg(kMaxFixedSize)};
        }
        const auto logical = schema.find("logicalType");
        if (logical == schema.end() || *logical != "decimal" || (type != "bytes" && type != "fixed"))
            return true;
        const auto precision = integer("precision", 0);
        if (!precision || *precision < 1 || *precision > kMaxPrecision)
            return SerdeError{
                QStringLiteral("%1: a decimal's \"precision\" must be a whole number from 1 to %2, not %3")
                    .arg(where())
                    .arg(kMaxPrecision)
                    .arg(q(schema.value("precision", json()).dump()))};
        const auto scale = integer("scale", 0);
        if (!scale || *scale < 0 || *scale > *precision)
            return SerdeError{
                QStringLiteral("%1: a decimal's \"scale\" must be a whole number from 0 to its precision (%2), not %3")
                    .arg(where())
                    .arg(*precision)
                    .arg(q(schema.value("scale", json()).dump()))};
        return true;
    }

    static std::string fullName(const json &named, const std::string &ns)
    {
        std::string name = named.value("name", std::string()); // not const: returned by move
        if (name.find('.') != std::string::npos)
            return name;
        std::string space = ns;
        if (const auto it = named.find("namespace"); it != named.end() && it->is_string())
            space = it->get<std::string>();
        return space.empty() ? name : space + "." + name;
    }

    // The definition a type name refers to, looked up in the enclosing namespace first.
    const json *resolve(const std::string &name, const std::string &ns) const
    {
        if (name.find('.') == std::string::npos && !ns.empty())
            if (const auto it = m_types.find(ns + "." + name); it != m_types.end())
                return it->second;
        if (const auto it = m_types.find(name); it != m_types.end())
            return it->second;
        return nullptr;
    }

    // Every record (and error) definition, with its full name.
    std::vector<std::pair<std::string, const json *>> records() const
    {
        std::vector<std::pair<std::string, const json *>> out;
        for (const auto &[name, def] : m_types) {
            const auto t = def->find("type");
            if (t != def->end() && (*t == "record" || *t == "error"))
                out.emplace_back(name, def);
        }
        return out;
    }

private:
    std::map<std::string, const json *> m_types;
};

// Decimal text ("-12.340", "1e3") to the unscaled value's minimal
// big-endian two's complement bytes at the given scale.
SerdeResult<QByteArray> decimalBytes(const std::string &text, int precision, int scale)
{
    static const QRegularExpression re(QStringLiteral("^([+-]?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d{1,4}))?$"));
    const auto m = re.match(q(text));
    if (!m.hasMatch() || (m.captured(2).isEmpty() && m.captured(3).isEmpty()))
        return SerdeError{QStringLiteral("'%1' is not a decimal number").arg(q(text))};
    const bool negative = m.captured(1) == QLatin1StringView("-");
    QString digits = m.captured(2) + m.captured(3);
    int exponent = m.captured(4).isEmpty() ? 0 : m.captured(4).toInt();
    int fraction = static_cast<int>(m.captured(3).size()) - exponent; // digits after the point
    if (fraction < 0) {
        digits += QString(-fraction, QLatin1Char('0'));
        fraction = 0;
    }
    while (fraction > scale && digits.endsWith(QLatin1Char('0'))) { // trailing zeros lose nothing
        digits.chop(1);
        --fraction;
    }
    if (fraction > scale)
        return SerdeError{
            QStringLiteral("%1 has more than %2 digits after the point (the decimal's scale)").arg(q(text)).arg(scale)};
    digits += QString(scale - fraction, QLatin1Char('0'));
    while (digits.size() > 1 && digits.front() == QLatin1Char('0'))
        digits.remove(0, 1);
    if (digits.isEmpty())
        digits = QStringLiteral("0");
    if (precision > 0 && digits != QLatin1StringView("0") && digits.size() > precision)
        return SerdeError{QStringLiteral("%1 needs %2 digits; the decimal's precision is %3")
                              .arg(q(text))
                              .arg(digits.size())
                              .arg(precision)};
    // Magnitude in base 256 by repeated division of the decimal digit string.
    std::vector<int> dec;
    for (const QChar c : digits)
        dec.push_back(c.digitValue());
    QByteArray mag;
    while (!(dec.size() == 1 && dec[0] == 0)) {
        std::vector<int> quotient;
        int rem = 0;
        for (const int d : dec) {
            const int cur = rem * 10 + d;
            const int qd = cur / 256;
            rem = cur % 256;
            if (!quotient.empty() || qd != 0)
                quotient.push_back(qd);
        }
        mag.prepend(static_cast<char>(rem));
        dec = quotient.empty() ? std::vector<int>{0} : quotient;
    }
    mag.prepend('\0'); // room for the sign bit
    if (negative) {
        int carry = 1;
        for (qsizetype i = mag.size() - 1; i >= 0; --i) {
            const int v = (~static_cast<unsigned char>(mag[i]) & 0xFF) + carry;
            mag[i] = static_cast<char>(v & 0xFF);
            carry = v >> 8;
        }
        while (mag.size() > 1 && static_cast<unsigned char>(mag[0]) == 0xFF && (mag[1] & 0x80))
            mag.remove(0, 1);
    } else {
        while (mag.size() > 1 && mag[0] == '\0' && !(mag[1] & 0x80))
            mag.remove(0, 1);
    }
    return mag;
}

// "2026-11-23T19:20:00.123456Z" (offset or none: UTC) to microseconds since the epoch.
std::optional<qint64> isoToMicros(const QString &s)
{
    static const QRegularExpression re(QStringLiteral(
        "^(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(Z|[+-]\\d{2}:?\\d{2})?$"));
    const auto m = re.match(s);
    if (!m.hasMatch())
        return std::nullopt;
    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    const int h = m.captured(4).toInt(), mi = m.captured(5).toInt(), se = m.captured(6).toInt();
    if (!date.isValid() || h > 23 || mi > 59 || se > 60)
        return std::nullopt;
    const qint64 days = date.toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    qint64 micros = ((days * 24 + h) * 60 + mi) * 60 + se;
    micros *= 1000000;
    const QString frac = (m.captured(7) + QStringLiteral("000000")).left(6);
    micros += frac.toLongLong();
    const QString tz = m.captured(8);
    if (!tz.isEmpty() && tz != QLatin1StringView("Z")) {
        const QString hhmm = QString(tz).remove(QLatin1Char(':'));
        const int sign = hhmm.front() == QLatin1Char('-') ? -1 : 1;
        const qint64 offsetMin = hhmm.mid(1, 2).toInt() * 60 + hhmm.mid(3, 2).toInt();
        micros -= sign * offsetMin * 60 * 1000000;
    }
    return micros;
}

// "12:34:56.789" to microseconds since midnight.
std::optional<qint64> timeToMicros(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?$"));
    const auto m = re.match(s);
    if (!m.hasMatch() || m.captured(1).toInt() > 23 || m.captured(2).toInt() > 59 || m.captured(3).toInt() > 59)
        return std::nullopt;
    const qint64 secs =
        (m.captured(1).toLongLong() * 60 + m.captured(2).toLongLong()) * 60 + m.captured(3).toLongLong();
    return secs * 1000000 + (m.captured(4) + QStringLiteral("000000")).left(6).toLongLong();
}

// Avro's JSON encoding of bytes and fixed: one character per byte, U+0000..U+00FF.
std::optional<QByteArray> latin1Bytes(const std::string &utf8)
{
    const QString s = q(utf8);
    QByteArray out;
    out.reserve(s.size());
    for (const QChar c : s) {
        if (c.unicode() > 0xFF)
            return std::nullopt;
        out.append(static_cast<char>(c.unicode()));
    }
    return out;
}

class AvroSerializer final : public Serializer
{
public:
    AvroSerializer() : Serializer(Format::Avro) {}
    ~AvroSerializer() override
    {
        if (m_iface)
            avro_value_iface_decref(m_iface);
        if (m_schema)
            avro_schema_decref(m_schema);
    }

    SerdeResult<bool> init(const QByteArray &schemaText)
    {
        auto parsed = parseJsonText(schemaText);
        if (!parsed)
            return parsed.error();
        m_json = std::move(parsed.value());
        // Avro C first: the walk below reads names, fields and sizes as the
        // types Avro C has checked them to be.
        if (avro_schema_from_json_length(schemaText.constData(), static_cast<size_t>(schemaText.size()), &m_schema) !=
            0)
            return SerdeError{QStringLiteral("not a valid Avro schema: ") +
                              QString::fromUtf8(avro_strerror()).trimmed()};
        if (auto r = m_named.collect(m_json, {}); !r)
            return r;
        if (auto r = checkRecordsEnd(); !r)
            return r;
        m_iface = avro_generic_class_from_schema(m_schema);
        if (!m_iface)
            return SerdeError{QStringLiteral("Avro C cannot use this schema: ") + QString::fromUtf8(avro_strerror())};
        return true;
    }

    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        auto doc = parseJsonText(text);
        if (!doc)
            return doc.error();
        avro_value_t value;
        if (avro_generic_value_new(m_iface, &value) != 0)
            return SerdeError{QStringLiteral("Avro C: ") + QString::fromUtf8(avro_strerror())};
        struct Guard
        {
            avro_value_t *v;
            ~Guard() { avro_value_decref(v); }
        } guard{&value};
        if (auto r = fill(&value, m_json, {}, doc.value(), QStringLiteral("$"), 0); !r)
            return r.error();
        size_t size = 0;
        if (avro_value_sizeof(&value, &size) != 0)
            return SerdeError{QStringLiteral("Avro C: ") + QString::fromUtf8(avro_strerror())};
        QByteArray out(static_cast<qsizetype>(size), Qt::Uninitialized);
        avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(size));
        const int rc = avro_value_write(writer, &value);
        avro_writer_free(writer);
        if (rc != 0)
            return SerdeError{QStringLiteral("Avro C: ") + QString::fromUtf8(avro_strerror())};
        return Payload(out);
    }

    SerdeResult<QString> exampleFromSchema() const override
    {
        const json sample = example(m_json, {}, 0);
        return QString::fromStdString(sample.dump(2));
    }

private:
    struct Resolved
    {
        const json *node = nullptr; // the object or string that says the type
        std::string type;           // primitive name, record, enum, fixed, array, map, union
        std::string ns;             // namespace for names inside it
    };

    Resolved resolve(const json &schema, const std::string &ns) const
    {
        if (schema.is_array())
            return {&schema, "union", ns};
        if (schema.is_string()) {
            const std::string name = schema.get<std::string>();
            if (primitiveNames().count(name))
                return {&schema, name, ns};
            if (const json *def = m_named.resolve(name, ns))
                return resolve(*def, ns);
            return {&schema, "?" + name, ns};
        }
        if (schema.is_object() && schema.contains("type")) {
            const json &t = schema["type"];
            if (!t.is_string())
                return resolve(t, ns);
            std::string type = t.get<std::string>();
            if (type == "error")
                type = "record";
            std::string childNs = ns;
            if (type == "record" || type == "enum" || type == "fixed") {
                const std::string full = NamedTypes::fullName(schema, ns);
                const auto dot = full.rfind('.');
                childNs = dot == std::string::npos ? std::string() : full.substr(0, dot);
            } else if (!primitiveNames().count(type) && type != "array" && type != "map") {
                if (const json *def = m_named.resolve(type, ns))
                    return resolve(*def, ns);
            }
            return {&schema, type, childNs};
        }
        return {&schema, "?", ns};
    }

    // Whether a value of this type can be finite, given the records known
    // to be (ends).
    bool canEnd(const json &schema, const std::string &ns, const std::set<const json *> &ends, int depth) const
    {
        const Resolved r = resolve(schema, ns);
        if (r.type == "record")
            return ends.count(r.node) > 0;
        if (r.type != "union")
            return true; // arrays and maps can be empty
        for (const auto &branch : *r.node)
            if (depth < 8 && canEnd(branch, r.ns, ends, depth + 1))
                return true;
        return false;
    }

    // Avro C builds every field of a record value at once, so a record that
    // contains itself in every value (no union branch, array or map on the
    // way ends the chain: {"name": "A", "fields": [{"name": "a", "type": "A"}]})
    // overflowed its stack, and exampleFromSchema's too. The records whose
    // values can end are found as a fixed point; any other is refused.
    SerdeResult<bool> checkRecordsEnd() const
    {
        const auto records = m_named.records();
        std::set<const json *> ends;
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto &[name, def] : records) {
                if (ends.count(def))
                    continue;
                const auto dot = name.rfind('.');
                const std::string ns = dot == std::string::npos ? std::string() : name.substr(0, dot);
                bool all = true;
                for (const auto &field : (*def)["fields"])
                    all = all && canEnd(field["type"], ns, ends, 0);
                if (all) {
                    ends.insert(def);
                    grew = true;
                }
            }
        }
        for (const auto &[name, def] : records)
            if (!ends.count(def))
                return SerdeError{QStringLiteral("record %1 contains itself in every value: make the field that refers "
                                                 "back a union with null, an array or a map")
                                      .arg(q(name))};
        return true;
    }

    static std::string logicalType(const Resolved &r)
    {
        if (r.node->is_object())
            if (const auto it = r.node->find("logicalType"); it != r.node->end() && it->is_string())
                return it->get<std::string>();
        return {};
    }

    // The name a union branch is known by in Avro's JSON encoding.
    std::string branchName(const json &branch, const std::string &ns) const
    {
        const Resolved r = resolve(branch, ns);
        if (r.type == "record" || r.type == "enum" || r.type == "fixed")
            return NamedTypes::fullName(*r.node, ns);
        return r.type;
    }

    static bool kindFits(const std::string &type, const json &data)
    {
        if (type == "null")
            return data.is_null();
        if (type == "boolean")
            return data.is_boolean();
        if (type == "int" || type == "long")
            return data.is_number_integer() || data.is_string(); // strings: logical dates and times
        if (type == "float" || type == "double")
            return data.is_number();
        if (type == "bytes" || type == "string" || type == "enum" || type == "fixed")
            return data.is_string();
        if (type == "array")
            return data.is_array();
        if (type == "map" || type == "record")
            return data.is_object();
        return false;
    }

    static SerdeError mismatch(const QString &path, const QString &expected, const json &data)
    {
        return SerdeError{QStringLiteral("expected %1, got %2").arg(expected, jsonKindName(data)), 0, 0, path};
    }

    static SerdeResult<bool> avroCheck(int rc, const QString &path)
    {
        if (rc == 0)
            return true;
        return SerdeError{QStringLiteral("Avro C: ") + QString::fromUtf8(avro_strerror()), 0, 0, path};
    }

    SerdeResult<bool> fill(avro_value_t *v, const json &schema, const std::string &ns, const json &data,
                           const QString &path, int depth) const
    {
        if (depth > 256)
            return SerdeError{QStringLiteral("nested too deeply"), 0, 0, path};
        const Resolved r = resolve(schema, ns);
        const std::string &type = r.type;
        const std::string logical = logicalType(r);

        if (type == "union")
            return fillUnion(v, *r.node, r.ns, data, path, depth);
        if (type == "null") {
            if (!data.is_null())
                return mismatch(path, QStringLiteral("null"), data);
            return avroCheck(avro_value_set_null(v), path);
        }
        if (type == "boolean") {
            if (!data.is_boolean())
                return mismatch(path, QStringLiteral("boolean"), data);
            return avroCheck(avro_value_set_boolean(v, data.get<bool>() ? 1 : 0), path);
        }
        if (type == "int" || type == "long") {
            qint64 n = 0;
            if (data.is_string() && !logical.empty()) {
                const QString s = q(data.get<std::string>());
                std::optional<qint64> parsed;
                if (logical == "date") {
                    const QDate d = QDate::fromString(s, Qt::ISODate);
                    if (d.isValid())
                        parsed = d.toJulianDay() - QDate(1970, 1, 1).toJulianDay();
                } else if (logical == "time-millis" || logical == "time-micros") {
                    if (auto us = timeToMicros(s))
                        parsed = logical == "time-millis" ? *us / 1000 : *us;
                } else if (logical == "timestamp-millis" || logical == "local-timestamp-millis" ||
                           logical == "timestamp-micros" || logical == "local-timestamp-micros") {
                    if (auto us = isoToMicros(s))
                        parsed = logical.find("millis") != std::string::npos ? *us / 1000 : *us;
                }
                if (!parsed)
                    return SerdeError{
                        QStringLiteral("'%1' is not a valid %2 (give a number or ISO 8601 text)").arg(s, q(logical)), 0,
                        0, path};
                n = *parsed;
            } else if (data.is_number_integer()) {
                if (data.is_number_unsigned() && data.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
                    return SerdeError{QStringLiteral("%1 is out of the long range").arg(q(data.dump())), 0, 0, path};
                n = data.get<qint64>();
            } else if (data.is_number_float() && std::trunc(data.get<double>()) == data.get<double>()) {
                // 1e3 or 5.0: a whole number written as a float, as Avro's own
                // JSON decoder takes it; beyond the long range (1e19, 1e300) it
                // cannot be cast, it is refused.
                const double d = data.get<double>();
                if (!(d >= -0x1p63 && d < 0x1p63))
                    return SerdeError{QStringLiteral("%1 is out of the %2 range").arg(q(data.dump()), q(type)), 0, 0,
                                      path};
                n = static_cast<qint64>(d);
            } else {
                return mismatch(path, q(logical.empty() ? type : type + " (" + logical + ")"), data);
            }
            if (type == "int") {
                if (n < INT32_MIN || n > INT32_MAX)
                    return SerdeError{QStringLiteral("%1 is out of the int range").arg(n), 0, 0, path};
                return avroCheck(avro_value_set_int(v, static_cast<int32_t>(n)), path);
            }
            return avroCheck(avro_value_set_long(v, n), path);
        }
        if (type == "float" || type == "double") {
            if (!data.is_number())
                return mismatch(path, q(type), data);
            const double d = data.get<double>();
            // Beyond float's range the cast is undefined; what rounds to the
            // largest float (Java's Float.MAX_VALUE, 3.4028235e38) is kept.
            if (type == "float" && std::fabs(d) >= 0x1.ffffffp127)
                return SerdeError{
                    QStringLiteral("%1 is out of the float range (at most 3.4028235e38)").arg(q(data.dump())), 0, 0,
                    path};
            return avroCheck(
                type == "float" ? avro_value_set_float(v, static_cast<float>(d)) : avro_value_set_double(v, d), path);
        }
        if (type == "string") {
            if (!data.is_string())
                return mismatch(path, QStringLiteral("string"), data);
            const std::string s = data.get<std::string>();
            if (logical == "uuid" && !isCanonicalUuid(QByteArrayView(s.data(), static_cast<qsizetype>(s.size()))))
                return SerdeError{QStringLiteral("'%1' is not a UUID").arg(q(s)), 0, 0, path};
            return avroCheck(avro_value_set_string_len(v, s.c_str(), s.size() + 1), path);
        }
        if (type == "bytes" || type == "fixed") {
            QByteArray bytes;
            if (logical == "decimal") {
                if (!data.is_string() && !data.is_number())
                    return mismatch(path, QStringLiteral("a decimal (number or text)"), data);
                const std::string text = data.is_string() ? data.get<std::string>() : data.dump();
                auto d = decimalBytes(text, r.node->value("precision", 0), r.node->value("scale", 0));
                if (!d) {
                    SerdeError e = d.error();
                    e.path = path;
                    return e;
                }
                bytes = d.value();
                if (type == "fixed") {
                    const int size = r.node->value("size", 0);
                    if (bytes.size() > size)
                        return SerdeError{QStringLiteral("%1 does not fit in fixed(%2)").arg(q(text)).arg(size), 0, 0,
                                          path};
                    const char pad = (bytes[0] & 0x80) ? '\xFF' : '\0';
                    bytes.prepend(QByteArray(size - bytes.size(), pad));
                }
            } else {
                if (!data.is_string())
                    return mismatch(path, q(type) + QStringLiteral(" (a string of \\u0000-\\u00ff characters)"), data);
                auto b = latin1Bytes(data.get<std::string>());
                if (!b)
                    return SerdeError{
                        QStringLiteral("%1 in Avro's JSON encoding takes characters \\u0000-\\u00ff only").arg(q(type)),
                        0, 0, path};
                bytes = *b;
            }
            if (type == "fixed") {
                const int size = r.node->value("size", 0);
                if (bytes.size() != size)
                    return SerdeError{QStringLiteral("fixed %1 takes %2 bytes, got %3")
                                          .arg(q(NamedTypes::fullName(*r.node, ns)))
                                          .arg(size)
                                          .arg(bytes.size()),
                                      0, 0, path};
                return avroCheck(avro_value_set_fixed(v, bytes.data(), static_cast<size_t>(bytes.size())), path);
            }
            return avroCheck(avro_value_set_bytes(v, bytes.data(), static_cast<size_t>(bytes.size())), path);
        }
        if (type == "enum") {
            if (!data.is_string())
                return mismatch(path, QStringLiteral("an enum symbol"), data);
            const auto &symbols = (*r.node)["symbols"];
            QStringList known;
            for (std::size_t i = 0; i < symbols.size(); ++i) {
                if (symbols[i] == data)
                    return avroCheck(avro_value_set_enum(v, static_cast<int>(i)), path);
                known << q(symbols[i].get<std::string>());
            }
            return SerdeError{QStringLiteral("'%1' is not a symbol of enum %2 (%3)")
                                  .arg(q(data.get<std::string>()), q(NamedTypes::fullName(*r.node, ns)),
                                       known.join(QStringLiteral(", "))),
                              0, 0, path};
        }
        if (type == "array") {
            if (!data.is_array())
                return mismatch(path, QStringLiteral("array"), data);
            for (std::size_t i = 0; i < data.size(); ++i) {
                avro_value_t element;
                if (auto c = avroCheck(avro_value_append(v, &element, nullptr), path); !c)
                    return c;
                if (auto c = fill(&element, (*r.node)["items"], r.ns, data[i], childPath(path, i), depth + 1); !c)
                    return c;
            }
            return true;
        }
        if (type == "map") {
            if (!data.is_object())
                return mismatch(path, QStringLiteral("map (a JSON object)"), data);
            for (const auto &[key, item] : data.items()) {
                avro_value_t element;
                if (auto c = avroCheck(avro_value_add(v, key.c_str(), &element, nullptr, nullptr), path); !c)
                    return c;
                if (auto c = fill(&element, (*r.node)["values"], r.ns, item, childPath(path, key), depth + 1); !c)
                    return c;
            }
            return true;
        }
        if (type == "record") {
            if (!data.is_object())
                return mismatch(
                    path, QStringLiteral("record %1 (a JSON object)").arg(q(NamedTypes::fullName(*r.node, ns))), data);
            std::set<std::string> known;
            for (const auto &field : (*r.node)["fields"]) {
                const std::string name = field.value("name", std::string());
                known.insert(name);
                const QString fieldPath = childPath(path, name);
                avro_value_t child;
                if (auto c = avroCheck(avro_value_get_by_name(v, name.c_str(), &child, nullptr), fieldPath); !c)
                    return c;
                const auto it = data.find(name);
                if (it != data.end()) {
                    if (auto c = fill(&child, field["type"], r.ns, *it, fieldPath, depth + 1); !c)
                        return c;
                } else if (field.contains("default")) {
                    if (auto c = fillDefault(&child, field["type"], r.ns, field["default"], fieldPath, depth + 1); !c)
                        return c;
                } else {
                    return SerdeError{QStringLiteral("missing field '%1' (it has no default)").arg(q(name)), 0, 0,
                                      fieldPath};
                }
            }
            for (const auto &[key, item] : data.items()) {
                Q_UNUSED(item);
                if (!known.count(key))
                    return SerdeError{
                        QStringLiteral("record %1 has no field '%2'").arg(q(NamedTypes::fullName(*r.node, ns)), q(key)),
                        0, 0, childPath(path, key)};
            }
            return true;
        }
        return SerdeError{QStringLiteral("unknown Avro type '%1'").arg(q(type.substr(type.front() == '?' ? 1 : 0))), 0,
                          0, path};
    }

    // A field default is written for the union's first branch (Avro's rule).
    SerdeResult<bool> fillDefault(avro_value_t *v, const json &schema, const std::string &ns, const json &value,
                                  const QString &path, int depth) const
    {
        const Resolved r = resolve(schema, ns);
        if (r.type == "union" && !r.node->empty()) {
            avro_value_t branch;
            if (auto c = avroCheck(avro_value_set_branch(v, 0, &branch), path); !c)
                return c;
            return fill(&branch, (*r.node)[0], r.ns, value, path, depth + 1);
        }
        return fill(v, schema, ns, value, path, depth);
    }

    SerdeResult<bool> fillUnion(avro_value_t *v, const json &branches, const std::string &ns, const json &data,
                                const QString &path, int depth) const
    {
        QStringList names;
        std::vector<std::string> branchNames;
        for (const auto &b : branches) {
            branchNames.push_back(branchName(b, ns));
            names << q(branchNames.back());
        }
        auto setBranch = [&](std::size_t i, const json &value) -> SerdeResult<bool> {
            avro_value_t branch;
            if (auto c = avroCheck(avro_value_set_branch(v, static_cast<int>(i), &branch), path); !c)
                return c;
            return fill(&branch, branches[i], ns, value, path, depth + 1);
        };
        // Avro's JSON encoding: {"branch name": value} (short names accepted too).
        if (data.is_object() && data.size() == 1) {
            const std::string key = data.begin().key();
            for (std::size_t i = 0; i < branchNames.size(); ++i) {
                const std::string &full = branchNames[i];
                const auto dot = full.rfind('.');
                if (key == full || (dot != std::string::npos && key == full.substr(dot + 1)))
                    return setBranch(i, data.begin().value());
            }
        }
        // Plain JSON: the one branch whose kind fits.
        std::vector<std::size_t> fits;
        for (std::size_t i = 0; i < branches.size(); ++i)
            if (kindFits(resolve(branches[i], ns).type, data))
                fits.push_back(i);
        if (fits.size() == 1)
            return setBranch(fits.front(), data);
        const QString list = names.join(QStringLiteral(", "));
        if (fits.empty())
            return SerdeError{QStringLiteral("%1 matches no branch of the union [%2]").arg(jsonKindName(data), list), 0,
                              0, path};
        return SerdeError{QStringLiteral("%1 is ambiguous for the union [%2]: write it as {\"%3\": ...}")
                              .arg(jsonKindName(data), list, q(branchNames[fits.front()])),
                          0, 0, path};
    }

    json example(const json &schema, const std::string &ns, int depth) const
    {
        const Resolved r = resolve(schema, ns);
        const std::string &type = r.type;
        const std::string logical = logicalType(r);
        if (type == "union") {
            // Prefer a non-null branch unless nested deep (recursive types).
            std::size_t pick = 0;
            for (std::size_t i = 0; i < r.node->size(); ++i) {
                const bool isNull = resolve((*r.node)[i], ns).type == "null";
                if (depth > 4 ? isNull : !isNull) {
                    pick = i;
                    break;
                }
            }
            if (r.node->empty())
                return nullptr;
            const json &b = (*r.node)[pick];
            if (resolve(b, ns).type == "null")
                return nullptr;
            return json{{branchName(b, ns), example(b, ns, depth + 1)}};
        }
        if (type == "null")
            return nullptr;
        if (type == "boolean")
            return true;
        if (type == "int" || type == "long") {
            if (logical == "date")
                return "2026-01-31";
            if (logical == "time-millis")
                return "12:34:56.789";
            if (logical == "time-micros")
                return "12:34:56.789012";
            if (logical.rfind("timestamp-", 0) == 0 || logical.rfind("local-timestamp-", 0) == 0)
                return logical.find("micros") != std::string::npos ? "2026-01-31T12:34:56.789012Z"
                                                                   : "2026-01-31T12:34:56.789Z";
            return 42;
        }
        if (type == "float" || type == "double")
            return 1.5;
        if (type == "string")
            return logical == "uuid" ? "1b4e28ba-2fa1-11d2-883f-0016d3cca427" : "text";
        if ((type == "bytes" || type == "fixed") && logical == "decimal") {
            // checkSizes() made these whole numbers, 0 <= scale <= precision <= 4096.
            const int scale = r.node->value("scale", 0);
            const int precision = r.node->value("precision", 1);
            // precision - scale digits before the point: none when they are
            // equal ("0.555", not "1.555", which needs one digit too many).
            std::string s = precision == scale ? "0" : "1";
            if (precision > scale + 1)
                s = "12";
            if (scale > 0)
                s += "." + std::string(static_cast<std::size_t>(std::min(scale, std::max(precision - 2, 1))), '5');
            return s;
        }
        if (type == "bytes")
            return "\u0001\u0002";
        if (type == "fixed")
            return std::string(static_cast<std::size_t>(r.node->value("size", 0)), 'a');
        if (type == "enum") {
            const auto &symbols = (*r.node)["symbols"];
            return symbols.empty() ? json("") : symbols[0];
        }
        if (type == "array")
            return depth > 6 ? json::array() : json::array({example((*r.node)["items"], r.ns, depth + 1)});
        if (type == "map")
            return depth > 6 ? json::object() : json{{"key", example((*r.node)["values"], r.ns, depth + 1)}};
        if (type == "record") {
            json out = json::object();
            for (const auto &field : (*r.node)["fields"])
                out[field.value("name", std::string())] = example(field["type"], r.ns, depth + 1);
            return out;
        }
        return nullptr;
    }

    json m_json;
    NamedTypes m_named;
    avro_schema_t m_schema = nullptr;
    avro_value_iface_t *m_iface = nullptr;
};

} // namespace

SerdeResult<SerializerPtr> makeAvroSerializer(const QByteArray &schemaJson)
{
    auto s = std::make_shared<AvroSerializer>();
    if (auto r = s->init(schemaJson); !r)
        return r.error();
    return SerializerPtr(std::move(s));
}

} // namespace kpw::serde
