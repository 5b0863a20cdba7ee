// core/serde: every format's bytes, and the schema-backed ones decoded by
// independent tools (fastavro, protoc --decode, Python's jsonschema).

#include "serde/JsonSchema.h"
#include "serde/Serializer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace kpw::serde;

namespace {

const QString kData = QStringLiteral(KPW_SERDE_DATA);

std::shared_ptr<const Serializer> make(SerializerSpec spec)
{
    auto s = makeSerializer(spec);
    if (!s)
        qFatal("makeSerializer: %s", qPrintable(s.error().toString()));
    return s.value();
}

std::shared_ptr<const Serializer> make(Format f)
{
    return make(SerializerSpec{f, {}, {}, {}, {}, false});
}

QByteArray bytesOf(const Serializer &s, const QByteArray &text)
{
    auto r = s.serialize(QByteArrayView(text));
    if (!r)
        qFatal("serialize(%s): %s", text.constData(), qPrintable(r.error().toString()));
    if (!r.value())
        qFatal("serialize(%s): null", text.constData());
    return *r.value();
}

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &args, const QByteArray &input)
{
    QProcess p;
    p.start(program, args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = "cannot start " + program.toUtf8();
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// fastavro's reading of one payload, as a JSON object.
QJsonObject fastavroDecode(const QString &schema, const QByteArray &payload)
{
    const Run r =
        run(QStringLiteral(KPW_PYTHON), {kData + QStringLiteral("/avro_decode.py"), schema}, payload.toHex() + '\n');
    if (r.code != 0)
        qFatal("avro_decode.py (python %s; run scripts/install-deps for fastavro): %s", KPW_PYTHON, r.err.constData());
    return QJsonDocument::fromJson(r.out).object();
}

const QByteArray kOrderAvro = R"({
  "id": 9007199254740993, "quantity": 3, "customer": "Ada", "note": {"string": "ring twice"},
  "status": "PAID",
  "lines": [{"sku": "ABC-1", "price": "19.99"}, {"sku": "XYZ-22", "price": -0.5}],
  "attributes": {"gift": "yes"},
  "total": "-12345.67",
  "day": "2026-11-23",
  "at_ms": "2026-11-23T19:20:00.123Z",
  "at_us": 1700000000123456,
  "time_ms": "01:02:03.004",
  "time_us": 3723000005,
  "ref": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
  "rating": {"double": 4.5},
  "previous": {"sku": "OLD-1", "price": "1.00"}
})";

} // namespace

class TstSerde : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsAreNamed()
    {
        QCOMPARE(formats().size(), 11);
        QCOMPARE(formatFromName(QStringLiteral("json-schema")), std::optional(Format::JsonSchema));
        QCOMPARE(formatFromName(QStringLiteral("nope")), std::nullopt);
        QVERIFY(formatInfo(Format::Protobuf).needsType);
        QVERIFY(formatInfo(Format::Avro).needsSchema);
        QVERIFY(!formatInfo(Format::Json).needsSchema);
        QVERIFY(!make(Format::Json)->exampleFromSchema());
    }

    void plainFormats()
    {
        QCOMPARE(bytesOf(*make(Format::String), "h\xc3\xa9llo"), QByteArray("h\xc3\xa9llo"));
        QCOMPARE(bytesOf(*make(Format::Hex), "de:AD be ef"), QByteArray::fromHex("deadbeef"));
        QCOMPARE(bytesOf(*make(Format::Hex), "0x00ff"), QByteArray::fromHex("00ff"));
        QCOMPARE(bytesOf(*make(Format::Base64), "AAEC/w=="), QByteArray::fromHex("000102ff"));
        // Kafka's IntegerSerializer / LongSerializer: big-endian two's complement.
        QCOMPARE(bytesOf(*make(Format::Int32), "-2"), QByteArray::fromHex("fffffffe"));
        QCOMPARE(bytesOf(*make(Format::Int32), "2147483647"), QByteArray::fromHex("7fffffff"));
        QCOMPARE(bytesOf(*make(Format::Int64), "1"), QByteArray::fromHex("0000000000000001"));
        QCOMPARE(bytesOf(*make(Format::Int64), "-9223372036854775808"), QByteArray::fromHex("8000000000000000"));
        // Kafka's UUIDSerializer: UUID.toString() in UTF-8, lower case.
        QCOMPARE(bytesOf(*make(Format::Uuid), "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"),
                 QByteArray("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
        auto null = make(Format::Null)->serialize(QStringLiteral("ignored"));
        QVERIFY(null.ok() && !null.value().has_value());
        auto empty = make(Format::String)->serialize(QString());
        QVERIFY(empty.ok() && empty.value().has_value() && empty.value()->isEmpty()); // empty, not null
    }

    void plainFormatErrors()
    {
        auto e = make(Format::Int32)->serialize(QStringLiteral("2147483648"));
        QVERIFY(!e);
        QVERIFY2(e.error().reason.contains(QLatin1StringView("int32 range")), qPrintable(e.error().reason));
        QVERIFY(!make(Format::Int64)->serialize(QStringLiteral("12a")));
        QVERIFY(!make(Format::Int32)->serialize(QStringLiteral("+-5"))); // one sign only
        auto h = make(Format::Hex)->serialize(QStringLiteral("00 0g"));
        QVERIFY(!h);
        QCOMPARE(h.error().column, 5);
        QVERIFY(!make(Format::Hex)->serialize(QStringLiteral("abc")));
        QVERIFY(!make(Format::Base64)->serialize(QStringLiteral("AAE")));
        QVERIFY(!make(Format::Base64)->serialize(QStringLiteral("AA*=")));
        QVERIFY(!make(Format::Uuid)->serialize(QStringLiteral("1b4e28ba2fa111d2883f0016d3cca427")));
    }

    void jsonAsTypedOrCompacted()
    {
        const QByteArray text = "{ \"a\" : [1, 2.5, \"x\"],\n  \"b\": null }";
        QCOMPARE(bytesOf(*make(Format::Json), text), text);
        SerializerSpec compact{Format::Json, {}, {}, {}, {}, true};
        QCOMPARE(bytesOf(*make(compact), text), QByteArray(R"({"a":[1,2.5,"x"],"b":null})"));
        // Big integers survive compaction exactly.
        QCOMPARE(bytesOf(*make(compact), "[ 9007199254740993 ]"), QByteArray("[9007199254740993]"));
    }

    void malformedJsonNamesLineAndColumn()
    {
        auto r = make(Format::Json)->serialize(QByteArrayView("{\n  \"a\": 1,\n  \"b\": tru\n}"));
        QVERIFY(!r);
        QCOMPARE(r.error().line, 3);
        QVERIFY2(r.error().column >= 8 && r.error().column <= 11, qPrintable(r.error().toString()));
        QVERIFY2(r.error().toString().startsWith(QLatin1StringView("line 3, column ")),
                 qPrintable(r.error().toString()));
        auto u = make(Format::Json)->serialize(QByteArrayView("[\"\xc3\xa9\xc3\xa9\", }"));
        QVERIFY(!u);
        QCOMPARE(u.error().line, 1);
        QCOMPARE(u.error().column, 8); // characters, not bytes: '}' is the 8th
    }

    void avroRoundTripThroughFastavro()
    {
        const QString schema = kData + QStringLiteral("/order.avsc");
        auto s = make(SerializerSpec{Format::Avro, schema, {}, {}, {}, false});
        const QByteArray bytes = bytesOf(*s, kOrderAvro);
        const QJsonObject o = fastavroDecode(schema, bytes);
        QCOMPARE(o.value(QLatin1StringView("id")).toVariant().toLongLong(), 9007199254740993LL);
        QCOMPARE(o.value(QLatin1StringView("quantity")).toInt(), 3);
        QCOMPARE(o.value(QLatin1StringView("customer")).toString(), QStringLiteral("Ada"));
        QCOMPARE(o.value(QLatin1StringView("note")).toString(), QStringLiteral("ring twice"));
        QCOMPARE(o.value(QLatin1StringView("status")).toString(), QStringLiteral("PAID"));
        const auto lines = o.value(QLatin1StringView("lines")).toArray();
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].toObject().value(QLatin1StringView("price")).toString(), QStringLiteral("19.99"));
        QCOMPARE(lines[1].toObject().value(QLatin1StringView("price")).toString(), QStringLiteral("-0.50"));
        QCOMPARE(o.value(QLatin1StringView("attributes")).toObject().value(QLatin1StringView("gift")).toString(),
                 QStringLiteral("yes"));
        QCOMPARE(o.value(QLatin1StringView("total")).toString(), QStringLiteral("-12345.67"));
        QCOMPARE(o.value(QLatin1StringView("day")).toString(), QStringLiteral("2026-11-23"));
        QCOMPARE(o.value(QLatin1StringView("at_ms")).toString(), QStringLiteral("2026-11-23 19:20:00.123000+00:00"));
        QCOMPARE(o.value(QLatin1StringView("at_us")).toString(), QStringLiteral("2023-11-14 22:13:20.123456+00:00"));
        QCOMPARE(o.value(QLatin1StringView("time_ms")).toString(), QStringLiteral("01:02:03.004000"));
        QCOMPARE(o.value(QLatin1StringView("time_us")).toString(), QStringLiteral("01:02:03.000005"));
        QCOMPARE(o.value(QLatin1StringView("ref")).toString(), QStringLiteral("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
        QCOMPARE(o.value(QLatin1StringView("rating")).toDouble(), 4.5);
        QCOMPARE(o.value(QLatin1StringView("previous")).toObject().value(QLatin1StringView("sku")).toString(),
                 QStringLiteral("OLD-1"));
    }

    void avroPlainJsonAndDefaults()
    {
        const QString schema = kData + QStringLiteral("/order.avsc");
        auto s = make(SerializerSpec{Format::Avro, schema, {}, {}, {}, false});
        // Plain JSON for an unambiguous union ("note": a string), defaults for absent fields.
        const QByteArray text = R"({"id": 1, "quantity": 1, "customer": "B", "note": "plain", "status": "NEW",
            "lines": [], "total": 0, "day": 0, "at_ms": 0, "at_us": 0, "time_ms": 0, "time_us": 0,
            "ref": "00000000-0000-0000-0000-000000000000"})";
        const QJsonObject o = fastavroDecode(schema, bytesOf(*s, text));
        QCOMPARE(o.value(QLatin1StringView("note")).toString(), QStringLiteral("plain"));
        QVERIFY(o.value(QLatin1StringView("rating")).isNull());
        QVERIFY(o.value(QLatin1StringView("attributes")).toObject().isEmpty());
        QCOMPARE(o.value(QLatin1StringView("day")).toString(), QStringLiteral("1970-01-01"));
        QCOMPARE(o.value(QLatin1StringView("total")).toString(), QStringLiteral("0.00"));
    }

    void avroMismatchNamesTheField()
    {
        auto s = make(SerializerSpec{Format::Avro, kData + QStringLiteral("/order.avsc"), {}, {}, {}, false});
        auto check = [&](const char *patch, const QString &path, const char *reasonPart) {
            QJsonObject base = QJsonDocument::fromJson(kOrderAvro).object();
            const QJsonObject p = QJsonDocument::fromJson(patch).object();
            for (auto it = p.begin(); it != p.end(); ++it)
                base.insert(it.key(), it.value());
            auto r = s->serialize(QByteArrayView(QJsonDocument(base).toJson()));
            QVERIFY2(!r, patch);
            QCOMPARE(r.error().path, path);
            QVERIFY2(r.error().reason.contains(QLatin1StringView(reasonPart)), qPrintable(r.error().toString()));
        };
        check(R"({"quantity": "three"})", QStringLiteral("$.quantity"), "expected int, got string");
        check(R"({"quantity": 3000000000})", QStringLiteral("$.quantity"), "out of the int range");
        check(R"({"status": "LOST"})", QStringLiteral("$.status"), "NEW, PAID, SHIPPED");
        check(R"({"lines": [{"sku": "A", "price": "1.234"}]})", QStringLiteral("$.lines[0].price"), "scale");
        check(R"({"lines": [{"sku": 5, "price": "1"}]})", QStringLiteral("$.lines[0].sku"), "expected string");
        check(R"({"rating": 5})", QStringLiteral("$.rating"), "ambiguous");
        check(R"({"day": "23/11/2026"})", QStringLiteral("$.day"), "date");
        check(R"({"ref": "nope"})", QStringLiteral("$.ref"), "not a UUID");
        check(R"({"extra": 1})", QStringLiteral("$.extra"), "no field 'extra'");
        check(R"({"total": "99999999999999"})", QStringLiteral("$.total"), "precision");
        QJsonObject missing = QJsonDocument::fromJson(kOrderAvro).object();
        missing.remove(QStringLiteral("customer"));
        auto r = s->serialize(QByteArrayView(QJsonDocument(missing).toJson()));
        QVERIFY(!r);
        QCOMPARE(r.error().path, QStringLiteral("$.customer"));
        // Malformed JSON: line and column, as for every JSON-typed format.
        auto syntax = s->serialize(QByteArrayView("{\"id\": 1,,}"));
        QVERIFY(!syntax);
        QCOMPARE(syntax.error().line, 1);
        QCOMPARE(syntax.error().column, 10);
    }

    // Numbers no type holds (found by tests/fuzz/fuzz_avro_json and friends,
    // whose crash inputs are in tests/fuzz/regressions/): JSON's grammar
    // allows 1e999, which nlohmann reports as out_of_range (not parse_error)
    // and used to escape as an exception; huge numbers into int, long, float
    // and decimal fields are refused with the field's path.
    void numbersOutOfRange()
    {
        for (const Format f : {Format::Json, Format::JsonSchema}) {
            SerializerSpec spec{f, {}, f == Format::JsonSchema ? QByteArray("{}") : QByteArray(), {}, {}, false};
            auto r = make(spec)->serialize(QByteArrayView("{\"a\": [1,\n -1e999]}"));
            QVERIFY(!r);
            QCOMPARE(r.error().line, 2);
            QCOMPARE(r.error().column, 2);
            QVERIFY2(r.error().reason.contains(QLatin1StringView("number -1e999 is out of range")),
                     qPrintable(r.error().toString()));
        }
        auto i32 = make(Format::Int32)->serialize(QStringLiteral("1e999"));
        QVERIFY(!i32);
        QCOMPARE(i32.error().reason, QStringLiteral("'1e999' is not a decimal integer"));
        auto i64 = make(Format::Int64)->serialize(QStringLiteral("-9223372036854775809"));
        QVERIFY(!i64);
        QVERIFY2(i64.error().reason.contains(QLatin1StringView("outside the int64 range")),
                 qPrintable(i64.error().reason));

        auto avro = make(SerializerSpec{Format::Avro, kData + QStringLiteral("/order.avsc"), {}, {}, {}, false});
        auto check = [&](const char *patch, const QString &path, const char *reason) {
            QJsonObject base = QJsonDocument::fromJson(kOrderAvro).object();
            const QByteArray key(patch);
            base.remove(QString::fromUtf8(key.mid(1, key.indexOf('"', 1) - 1)));
            QByteArray text = QJsonDocument(base).toJson(QJsonDocument::Compact);
            text.insert(1, key + ','); // QJsonDocument cannot hold these numbers
            auto r = avro->serialize(QByteArrayView(text));
            QVERIFY2(!r, patch);
            QCOMPARE(r.error().path, path);
            QVERIFY2(r.error().reason.contains(QLatin1StringView(reason)), qPrintable(r.error().toString()));
        };
        check(R"("quantity": 1e19)", QStringLiteral("$.quantity"), "1e+19 is out of the int range");
        check(R"("id": 1e19)", QStringLiteral("$.id"), "1e+19 is out of the long range");
        check(R"("day": -1e300)", QStringLiteral("$.day"), "-1e+300 is out of the int range");
        check(R"("at_ms": 9.3e18)", QStringLiteral("$.at_ms"), "9.3e+18 is out of the long range");
        check(R"("lines": [{"sku": "A", "price": 1e300}])", QStringLiteral("$.lines[0].price"), "precision");
        auto syntax = avro->serialize(QByteArrayView("{\"quantity\": 1e999}"));
        QVERIFY(!syntax);
        QCOMPARE(syntax.error().column, 14);
        QVERIFY2(syntax.error().reason.contains(QLatin1StringView("1e999 is out of range")),
                 qPrintable(syntax.error().toString()));
        // A whole number written as a float fits (as in Avro's own JSON decoder).
        auto whole = make(SerializerSpec{Format::Avro, {}, R"({"type": "long"})", {}, {}, false});
        QCOMPARE(bytesOf(*whole, "1e3"), QByteArray::fromHex("d00f"));
        auto fraction = whole->serialize(QByteArrayView("1.5"));
        QVERIFY(!fraction);
        QVERIFY2(fraction.error().reason.contains(QLatin1StringView("expected long, got number")),
                 qPrintable(fraction.error().reason));

        auto f = make(SerializerSpec{Format::Avro, {}, R"({"type": "float"})", {}, {}, false});
        auto big = f->serialize(QByteArrayView("1e300"));
        QVERIFY(!big);
        QCOMPARE(big.error().reason, QStringLiteral("1e+300 is out of the float range (at most 3.4028235e38)"));
        QCOMPARE(bytesOf(*f, "-3.4028235e38"), QByteArray::fromHex("ffff7fff")); // Java's -Float.MAX_VALUE
    }

    // Schema attributes Avro C does not check (found by fuzz_avro_json's
    // schema mode): they threw nlohmann type errors or asked for gigabytes.
    void avroSchemaSizesAreChecked()
    {
        auto refused = [](const char *schema, const char *reason) {
            auto s = makeSerializer(SerializerSpec{Format::Avro, {}, schema, {}, {}, false});
            QVERIFY2(!s, schema);
            QVERIFY2(s.error().reason.contains(QLatin1StringView(reason)), qPrintable(s.error().reason));
        };
        refused(R"({"type": "bytes", "logicalType": "decimal", "precision": "9"})",
                "a bytes schema: a decimal's \"precision\" must be a whole number from 1 to 4096, not \"9\"");
        refused(R"({"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2147483647})",
                "\"scale\" must be a whole number from 0 to its precision (9), not 2147483647");
        refused(R"({"type": "bytes", "logicalType": "decimal", "precision": 1e300})", "not 1e+300");
        refused(R"({"type": "fixed", "name": "F", "size": 1099511627776})",
                "fixed F: \"size\" 1099511627776 is not a byte count from 0 to 1048576");
        refused(R"({"type": "fixed", "name": "F", "size": -1})", "fixed F: \"size\" -1 is not a byte count");
        // Avro C builds every field at once: a record in every value of itself overflowed its stack.
        refused(R"({"type": "record", "name": "A", "namespace": "n", "fields": [{"name": "a", "type": "A"}]})",
                "record n.A contains itself in every value");
        refused(R"({"type": "record", "name": "A", "fields": [{"name": "b", "type": {"type": "record", "name": "B",
                  "fields": [{"name": "a", "type": ["A"]}]}}]})",
                "contains itself in every value");
        // A way out (null, an array, a map) makes it a tree.
        QVERIFY(makeSerializer(SerializerSpec{
            Format::Avro,
            {},
            R"({"type": "record", "name": "A", "fields": [{"name": "a", "type": ["A", "null"]}, {"name": "m", "type": {"type": "map", "values": "A"}}]})",
            {},
            {},
            false}));
    }

    // valijson checks an integer multipleOf in int64 arithmetic: 1e300 was
    // cast to int64 (undefined), 0 divided by zero (SIGFPE).
    void jsonSchemaDivisors()
    {
        auto zero = JsonSchemaValidator::create(R"({"properties": {"n": {"multipleOf": 0}}})");
        QVERIFY(!zero);
        QCOMPARE(zero.error().reason,
                 QStringLiteral("not a usable JSON Schema: \"multipleOf\" at /properties/n must be a number above 0, "
                                "not 0"));
        QVERIFY(!JsonSchemaValidator::create(R"({"multipleOf": "3"})"));
        auto v = JsonSchemaValidator::create(R"({"type": "number", "multipleOf": 3})");
        QVERIFY(v);
        QVERIFY(v.value()->validate(QByteArrayView("9")).isEmpty());
        (void)v.value()->validate(QByteArrayView("1e300"));             // was cast to int64
        QVERIFY(!v.value()->validate(QByteArrayView("3.5")).isEmpty()); // the int64 check read it as 3
        QVERIFY(!v.value()->validate(QByteArrayView("-9223372036854775808")).isEmpty());
        // In instance data the key is just a key.
        QVERIFY(JsonSchemaValidator::create(R"({"const": {"multipleOf": 0}})"));
    }

    void avroExampleFromSchemaIsValid()
    {
        const QString schema = kData + QStringLiteral("/order.avsc");
        auto s = make(SerializerSpec{Format::Avro, schema, {}, {}, {}, false});
        auto example = s->exampleFromSchema();
        QVERIFY(example.ok());
        const QJsonObject o = fastavroDecode(schema, bytesOf(*s, example.value().toUtf8()));
        QCOMPARE(o.value(QLatin1StringView("status")).toString(), QStringLiteral("NEW"));
        // A bad schema: a clear error, not a crash.
        auto bad = makeSerializer(
            SerializerSpec{Format::Avro,
                           {},
                           R"({"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]})",
                           {},
                           {},
                           false});
        QVERIFY(!bad);
        // A decimal with no digits before the point (found by fuzz_avro_json's
        // check that each fixed schema's example serializes): was "1.555".
        auto fraction =
            make(SerializerSpec{Format::Avro,
                                {},
                                R"({"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 5})",
                                {},
                                {},
                                false});
        auto fractionExample = fraction->exampleFromSchema();
        QVERIFY(fractionExample.ok());
        QCOMPARE(fractionExample.value(), QStringLiteral("\"0.555\""));
        QVERIFY(fraction->serialize(fractionExample.value()).ok());
        auto syntax = makeSerializer(SerializerSpec{Format::Avro, {}, "{\"type\":\n \"record\",, }", {}, {}, false});
        QVERIFY(!syntax);
        QCOMPARE(syntax.error().line, 2);
    }

    void protobufTypeMustBeChosen()
    {
        const QString proto = kData + QStringLiteral("/order.proto");
        auto none = makeSerializer(SerializerSpec{Format::Protobuf, proto, {}, {}, {}, false});
        QVERIFY(!none);
        QVERIFY2(none.error().reason.contains(QLatin1StringView("shop.v1.Order, shop.v1.Order.Line, shop.v1.Ping")),
                 qPrintable(none.error().reason));
        auto unknown =
            makeSerializer(SerializerSpec{Format::Protobuf, proto, {}, QStringLiteral("shop.v1.Nope"), {}, false});
        QVERIFY(!unknown);
        QVERIFY(unknown.error().reason.contains(QLatin1StringView("unknown message type 'shop.v1.Nope'")));
        QVERIFY(unknown.error().reason.contains(QLatin1StringView("shop.v1.Ping")));
        auto ok =
            makeSerializer(SerializerSpec{Format::Protobuf, proto, {}, QStringLiteral("shop.v1.Ping"), {}, false});
        QVERIFY(ok);
        QCOMPARE(ok.value()->messageTypes(),
                 QStringList({QStringLiteral("shop.v1.Order"), QStringLiteral("shop.v1.Order.Line"),
                              QStringLiteral("shop.v1.Ping"), QStringLiteral("shop.common.Money")}));
        // A syntax error in the .proto names its line.
        auto bad = makeSerializer(SerializerSpec{Format::Protobuf,
                                                 {},
                                                 "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n",
                                                 QStringLiteral("A"),
                                                 {},
                                                 false});
        QVERIFY(!bad);
        QCOMPARE(bad.error().line, 3);
    }

    void protobufRoundTripThroughProtoc()
    {
        const QString proto = kData + QStringLiteral("/order.proto");
        auto s = make(SerializerSpec{Format::Protobuf, proto, {}, QStringLiteral("shop.v1.Order"), {}, false});
        const QByteArray bytes = bytesOf(*s, R"({"id": "42", "customer": "Ada", "status": "PAID",
            "lines": [{"sku": "ABC-1", "quantity": 2}], "total": {"currency": "EUR", "units": 12, "nanos": 500000000},
            "created": "2026-11-23T19:20:00Z", "attributes": {"gift": "yes"}})");
        const Run r = run(QStringLiteral("protoc"),
                          {QStringLiteral("--decode=shop.v1.Order"), QStringLiteral("-I") + kData,
                           QStringLiteral("-I/usr/include"), QStringLiteral("order.proto")},
                          bytes);
        QVERIFY2(r.code == 0, r.err.constData());
        const QString text = QString::fromUtf8(r.out);
        for (const char *expected :
             {"id: 42", "customer: \"Ada\"", "status: PAID", "sku: \"ABC-1\"", "quantity: 2", "currency: \"EUR\"",
              "units: 12", "nanos: 500000000", "seconds: 1795461600", "key: \"gift\"", "value: \"yes\""})
            QVERIFY2(text.contains(QLatin1StringView(expected)),
                     qPrintable(QString::fromUtf8(expected) + QStringLiteral(" in:\n") + text));
        // The example is valid and protoc reads it too.
        auto example = s->exampleFromSchema();
        QVERIFY(example.ok());
        const Run e = run(QStringLiteral("protoc"),
                          {QStringLiteral("--decode=shop.v1.Order"), QStringLiteral("-I") + kData,
                           QStringLiteral("-I/usr/include"), QStringLiteral("order.proto")},
                          bytesOf(*s, example.value().toUtf8()));
        QVERIFY2(e.code == 0 && e.out.contains("customer: \"customer\""), e.out + e.err);
    }

    void protobufMismatchNamesTheField()
    {
        auto s = make(SerializerSpec{
            Format::Protobuf, kData + QStringLiteral("/order.proto"), {}, QStringLiteral("shop.v1.Order"), {}, false});
        auto wrongType = s->serialize(QByteArrayView(R"({"customer": 5})"));
        QVERIFY(!wrongType);
        QVERIFY2(wrongType.error().reason.contains(QLatin1StringView("customer")),
                 qPrintable(wrongType.error().toString()));
        auto unknownField = s->serialize(QByteArrayView(R"({"custmer": "x"})"));
        QVERIFY(!unknownField);
        QVERIFY2(unknownField.error().reason.contains(QLatin1StringView("custmer")),
                 qPrintable(unknownField.error().toString()));
        auto syntax = s->serialize(QByteArrayView("{\n\"id\": }"));
        QVERIFY(!syntax);
        QCOMPARE(syntax.error().line, 2);
    }

    void jsonSchemaValidates()
    {
        const QString schema = kData + QStringLiteral("/order.schema.json");
        auto s = make(SerializerSpec{Format::JsonSchema, schema, {}, {}, {}, true});
        QCOMPARE(bytesOf(*s, R"({"id": 1, "customer": "A", "lines": [{"sku": "ABC-1", "quantity": 2}]})"),
                 QByteArray(R"({"customer":"A","id":1,"lines":[{"quantity":2,"sku":"ABC-1"}]})"));
        auto bad =
            s->serialize(QByteArrayView(R"({"id": 1, "customer": "A", "lines": [{"sku": "abc", "quantity": 2}]})"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().path, QStringLiteral("$.lines[0].sku"));
        QVERIFY2(bad.error().reason.contains(QLatin1StringView("pattern")) ||
                     bad.error().reason.contains(QLatin1StringView("regular expression")),
                 qPrintable(bad.error().toString()));
        auto missing = s->serialize(QByteArrayView(R"({"id": 1, "lines": [{"sku": "ABC-1", "quantity": 2}]})"));
        QVERIFY(!missing);
        QVERIFY2(missing.error().reason.contains(QLatin1StringView("customer")),
                 qPrintable(missing.error().toString()));
        auto example = s->exampleFromSchema();
        QVERIFY(example.ok());
        QVERIFY2(s->serialize(example.value()).ok(), qPrintable(example.value()));
    }

    // Our verdicts against Python's jsonschema (a different implementation)
    // on the same documents.
    void jsonSchemaAgreesWithPythonJsonschema()
    {
        const QString schema = kData + QStringLiteral("/order.schema.json");
        auto validator = JsonSchemaValidator::create([&] {
            QFile f(schema);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }());
        QVERIFY(validator.ok());
        const QList<QByteArray> docs = {
            R"({"id": 1, "customer": "A", "lines": [{"sku": "ABC-1", "quantity": 2}]})",
            R"({"id": 0, "customer": "A", "lines": [{"sku": "ABC-1", "quantity": 2}]})",
            R"({"id": 1, "customer": "", "lines": [{"sku": "ABC-1", "quantity": 2}]})",
            R"({"id": 1, "customer": "A", "lines": []})",
            R"({"id": 1, "customer": "A", "lines": [{"sku": "ABC-1"}]})",
            R"({"id": 1.5, "customer": "A", "lines": [{"sku": "ABC-1", "quantity": 1}]})",
            R"({"id": 1, "customer": "A", "lines": [{"sku": "ABC-1", "quantity": 1}], "x": 1})",
            R"({"id": 1, "customer": "A", "lines": [{"sku": "ABC-12345", "quantity": 99}], "email": "a@b.c"})",
            R"([1, 2])",
        };
        QByteArray input;
        for (const auto &d : docs)
            input += d + '\n';
        const QString script = QStringLiteral(
            "import json,sys,jsonschema\n"
            "s=json.load(open(sys.argv[1]))\n"
            "for line in sys.stdin:\n"
            "    print('valid' if jsonschema.Draft7Validator(s).is_valid(json.loads(line)) else 'invalid')\n");
        const Run r = run(QStringLiteral(KPW_PYTHON), {QStringLiteral("-c"), script, schema}, input);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto verdicts = r.out.trimmed().split('\n');
        QCOMPARE(verdicts.size(), docs.size());
        int valid = 0;
        for (qsizetype i = 0; i < docs.size(); ++i) {
            const bool ours = validator.value()->validate(QByteArrayView(docs[i])).isEmpty();
            valid += ours ? 1 : 0;
            QVERIFY2(ours == (verdicts[i] == "valid"), docs[i].constData());
        }
        QCOMPARE(valid, 2);
    }
};

QTEST_GUILESS_MAIN(TstSerde)
#include "tst_serde.moc"
