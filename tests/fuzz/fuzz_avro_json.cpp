// fuzz_avro_json: what a person types into the composer (or a replay file
// holds) for the Avro format, and the Avro schema itself (a .avsc file or a
// Schema Registry answer), through makeSerializer / Serializer::serialize.
// Mode 7 runs the plain text-to-bytes formats (json, hex, base64, int32,
// int64, uuid), which read the same kind of typed text.
//
// Input format: byte 0 (mod 8) picks the mode:
//   0-5  a fixed schema (kSchemas); the rest is the JSON text
//   6    the schema from the input: schema text, NUL, JSON text
//   7    a plain format: byte 1 (mod 8) picks it (kPlain); the rest is the text
// Seeds start with a digit ('0' is 0x30, 0 mod 8), so they stay readable.
//
// Properties: no crash, leak or UB (numbers like 1e999 or 1e300 into int,
// long, float, date, timestamp and decimal fields included); an error always
// has a reason; serializing the same text twice gives the same bytes; every
// fixed schema's exampleFromSchema() serializes; int32/int64 payloads are 4/8
// bytes holding the number typed; compacted JSON is valid JSON; uuid payloads
// are 36 lower-case characters.

#include "FuzzCheck.h"

#include "serde/Serializer.h"

#include <QtEndian>

#include <charconv>
#include <memory>
#include <vector>

using namespace kpw::serde;

namespace {

// Every Avro type and logical type the serializer knows, in the shapes
// schemas take in practice: named types used again by reference, nested and
// recursive records, unions of records, enums, fixed, arrays, maps.
const char *const kSchemas[] = {
    // 0: an order (tests/data/serde/order.avsc), every logical type
    R"({"type": "record", "name": "Order", "namespace": "shop.v1", "fields": [
  {"name": "id", "type": "long"},
  {"name": "quantity", "type": "int"},
  {"name": "customer", "type": "string"},
  {"name": "note", "type": ["null", "string"], "default": null},
  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
  {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
    {"name": "sku", "type": "string"},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}]}}},
  {"name": "attributes", "type": {"type": "map", "values": "string"}, "default": {}},
  {"name": "total", "type": {"type": "fixed", "name": "Money", "size": 8, "logicalType": "decimal",
                              "precision": 12, "scale": 2}},
  {"name": "day", "type": {"type": "int", "logicalType": "date"}},
  {"name": "at_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "time_ms", "type": {"type": "int", "logicalType": "time-millis"}},
  {"name": "time_us", "type": {"type": "long", "logicalType": "time-micros"}},
  {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "rating", "type": ["null", "int", "double"], "default": null},
  {"name": "previous", "type": ["null", "Line"], "default": null}]})",
    // 1: every primitive, with defaults
    R"({"type": "record", "name": "Scalars", "namespace": "kpw.fuzz", "fields": [
  {"name": "b", "type": "boolean", "default": false},
  {"name": "i", "type": "int", "default": 0},
  {"name": "l", "type": "long", "default": 0},
  {"name": "f", "type": "float", "default": 0.5},
  {"name": "d", "type": "double", "default": 0.25},
  {"name": "bytes", "type": "bytes", "default": "\u00ff"},
  {"name": "s", "type": "string", "default": ""},
  {"name": "n", "type": "null", "default": null},
  {"name": "hash", "type": {"type": "fixed", "name": "MD5", "size": 16}},
  {"name": "ints", "type": {"type": "array", "items": "int"}, "default": []},
  {"name": "longs", "type": {"type": "map", "values": "long"}, "default": {}},
  {"name": "floats", "type": {"type": "array", "items": ["null", "float"]}, "default": []}]})",
    // 2: a union at the top: Avro's {"branch": value} encoding and plain JSON
    R"(["null", "string", "long",
  {"type": "record", "name": "Click", "namespace": "web", "fields": [
    {"name": "url", "type": "string"}, {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]},
  {"type": "record", "name": "View", "namespace": "web", "fields": [
    {"name": "url", "type": "string"}, {"name": "ms", "type": ["int", "null"]}]},
  {"type": "enum", "name": "Signal", "namespace": "web", "symbols": ["PING", "PONG"], "default": "PING"},
  {"type": "array", "items": "double"},
  {"type": "map", "values": ["null", "web.Click"]}])",
    // 3: logical types in every position: wide decimals, local timestamps,
    // logical types inside unions, arrays and maps
    R"({"type": "record", "name": "Ledger", "namespace": "bank", "fields": [
  {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 10}},
  {"name": "whole", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20}},
  {"name": "wide", "type": {"type": "fixed", "name": "Dec16", "size": 16, "logicalType": "decimal",
                             "precision": 38, "scale": 4}},
  {"name": "maybe", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 5}],
   "default": null},
  {"name": "born", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
  {"name": "local_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}, "default": 0},
  {"name": "local_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}, "default": 0},
  {"name": "days", "type": {"type": "array", "items": {"type": "int", "logicalType": "date"}}, "default": []},
  {"name": "stamps", "type": {"type": "map", "values": {"type": "long", "logicalType": "timestamp-micros"}},
   "default": {}},
  {"name": "ids", "type": {"type": "array", "items": {"type": "string", "logicalType": "uuid"}}, "default": []},
  {"name": "rate", "type": "float", "default": 1.0}]})",
    // 4: a recursive tree (named type referenced inside itself)
    R"({"type": "record", "name": "Node", "namespace": "tree", "fields": [
  {"name": "value", "type": "int"},
  {"name": "label", "type": ["null", "string"], "default": null},
  {"name": "children", "type": {"type": "array", "items": "Node"}, "default": []},
  {"name": "next", "type": ["null", "tree.Node"], "default": null},
  {"name": "index", "type": {"type": "map", "values": "Node"}, "default": {}}]})",
    // 5: a bare logical type at the top (a Kafka key schema)
    R"({"type": "long", "logicalType": "timestamp-millis"})",
};
constexpr std::size_t kSchemaCount = sizeof(kSchemas) / sizeof(kSchemas[0]);
static_assert(kSchemaCount == 6, "modes 0-5 are the fixed schemas");

struct PlainFormat
{
    Format format;
    bool compact;
};
const PlainFormat kPlain[] = {
    {Format::Json, false},  {Format::Json, true},   {Format::Hex, false},  {Format::Base64, false},
    {Format::Int32, false}, {Format::Int64, false}, {Format::Uuid, false}, {Format::String, false},
};

std::shared_ptr<const Serializer> fixedSerializer(std::size_t i)
{
    static const std::vector<std::shared_ptr<const Serializer>> all = [] {
        std::vector<std::shared_ptr<const Serializer>> out;
        for (std::size_t k = 0; k < kSchemaCount; ++k) {
            auto s = makeSerializer(SerializerSpec{Format::Avro, {}, QByteArray(kSchemas[k]), {}, {}, false});
            FUZZ_CHECK(s.ok(), "fixed schema %zu: %s", k, kpwfuzz::c(s.error().toString()));
            auto example = s.value()->exampleFromSchema();
            FUZZ_CHECK(example.ok(), "fixed schema %zu has no example", k);
            auto bytes = s.value()->serialize(example.value());
            FUZZ_CHECK(bytes.ok(), "fixed schema %zu: its example does not serialize: %s", k,
                       kpwfuzz::c(bytes.error().toString()));
            out.push_back(s.value());
        }
        return out;
    }();
    return all[i];
}

std::shared_ptr<const Serializer> plainSerializer(std::size_t i)
{
    static const std::vector<std::shared_ptr<const Serializer>> all = [] {
        std::vector<std::shared_ptr<const Serializer>> out;
        for (const auto &p : kPlain) {
            auto s = makeSerializer(SerializerSpec{p.format, {}, {}, {}, {}, p.compact});
            FUZZ_CHECK(s.ok(), "plain format: %s", kpwfuzz::c(s.error().toString()));
            out.push_back(s.value());
        }
        return out;
    }();
    return all[i];
}

// Serializes twice: same verdict, same bytes, and an error has a reason.
SerdeResult<Payload> serializeChecked(const Serializer &s, QByteArrayView text)
{
    auto r = s.serialize(text);
    auto again = s.serialize(text);
    FUZZ_CHECK(r.ok() == again.ok(), "two verdicts for one text");
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().reason.isEmpty(), "an error without a reason");
        FUZZ_CHECK(r.error().reason == again.error().reason, "two reasons for one text");
        return r;
    }
    FUZZ_CHECK(r.value() == again.value(), "two payloads for one text");
    return r;
}

template <typename Int> void checkInt(QByteArrayView text, const Payload &p)
{
    FUZZ_CHECK(p && p->size() == qsizetype(sizeof(Int)), "an int payload of the wrong size");
    const QByteArray t = text.toByteArray().trimmed();
    const char *b = t.constData();
    if (*b == '+')
        ++b;
    Int typed = 0;
    const auto res = std::from_chars(b, t.constData() + t.size(), typed);
    FUZZ_CHECK(res.ec == std::errc(), "accepted '%s'", t.constData());
    FUZZ_CHECK(qFromBigEndian<Int>(p->constData()) == typed, "payload is not the number typed");
}

void plain(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return;
    const std::size_t which = data[0] % (sizeof(kPlain) / sizeof(kPlain[0]));
    const QByteArray text = kpwfuzz::bytes(data + 1, size - 1);
    auto r = serializeChecked(*plainSerializer(which), QByteArrayView(text));
    if (!r.ok())
        return;
    const Payload &p = r.value();
    FUZZ_CHECK(p.has_value(), "a null payload from a non-null format");
    switch (kPlain[which].format) {
    case Format::Int32: checkInt<qint32>(text, p); break;
    case Format::Int64: checkInt<qint64>(text, p); break;
    case Format::Uuid: FUZZ_CHECK(p->size() == 36 && *p == p->toLower(), "uuid payload '%s'", p->constData()); break;
    case Format::Hex: FUZZ_CHECK(p->size() <= text.size() / 2, "hex made more bytes than digits"); break;
    case Format::Json:
        if (kPlain[which].compact) {
            auto back = makeSerializer(SerializerSpec{Format::Json, {}, {}, {}, {}, true});
            auto again = back.value()->serialize(QByteArrayView(*p));
            FUZZ_CHECK(again.ok(), "compacted JSON does not parse: %s", kpwfuzz::c(again.error().toString()));
            FUZZ_CHECK(*again.value() == *p, "compacting is not idempotent");
        } else {
            FUZZ_CHECK(*p == text, "json changed the text typed");
        }
        break;
    default: break;
    }
}

void schemaFromBytes(const QByteArray &in)
{
    const auto nul = in.indexOf('\0');
    const QByteArray schema = nul < 0 ? in : in.left(nul);
    const QByteArray text = nul < 0 ? QByteArray() : in.mid(nul + 1);
    auto s = makeSerializer(SerializerSpec{Format::Avro, {}, schema, {}, {}, false});
    if (!s.ok()) {
        FUZZ_CHECK(!s.error().reason.isEmpty(), "a refused schema without a reason");
        return;
    }
    if (nul >= 0)
        (void)serializeChecked(*s.value(), QByteArrayView(text));
    // The composer offers the example for any schema it accepts.
    auto example = s.value()->exampleFromSchema();
    if (example.ok())
        (void)serializeChecked(*s.value(), QByteArrayView(example.value().toUtf8()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::size_t mode = data[0] % 8;
    if (mode < kSchemaCount) {
        const QByteArray text = kpwfuzz::bytes(data + 1, size - 1);
        (void)serializeChecked(*fixedSerializer(mode), QByteArrayView(text));
    } else if (mode == 6) {
        schemaFromBytes(kpwfuzz::bytes(data + 1, size - 1));
    } else {
        plain(data + 1, size - 1);
    }
    return 0;
}
