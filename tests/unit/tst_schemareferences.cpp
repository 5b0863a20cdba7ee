// Schema references resolved without a registry (a map stands in for it):
// Avro named types inlined into one self-contained schema (namespaces,
// nesting, a name used twice, a reference that does not define its name, a
// cycle, the depth limit) and Protobuf import names checked and written.
#include "serde/SchemaReferences.h"
#include "serde/Serializer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace kpw;
using namespace Qt::StringLiterals;

namespace {

// subject -> schema (version 1), as a registry would answer.
struct FakeRegistry
{
    QMap<QString, RegistrySchema> subjects;
    QStringList asked;

    void add(const QString &subject, const QString &schema, const QList<SchemaReference> &refs = {},
             const QString &type = u"AVRO"_s)
    {
        RegistrySchema s;
        s.id = int(subjects.size()) + 1;
        s.subject = subject;
        s.version = 1;
        s.schemaType = type;
        s.schema = schema;
        s.references = refs;
        subjects.insert(subject, s);
    }

    ReferenceFetcher fetcher()
    {
        return [this](const SchemaReference &ref) -> Result<RegistrySchema> {
            asked << ref.subject;
            if (!subjects.contains(ref.subject))
                return Error{404, u"Subject '%1' not found. (error 40401)"_s.arg(ref.subject)};
            return subjects.value(ref.subject);
        };
    }
};

RegistrySchema mainSchema(const QString &schema, const QList<SchemaReference> &refs, const QString &type = u"AVRO"_s)
{
    RegistrySchema s;
    s.id = 100;
    s.schemaType = type;
    s.schema = schema;
    s.references = refs;
    return s;
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QByteArray serialize(const QByteArray &schema, const QString &json)
{
    serde::SerializerSpec spec;
    spec.format = serde::Format::Avro;
    spec.schemaText = schema;
    auto made = serde::makeSerializer(spec);
    if (!made.ok()) {
        qWarning("schema refused: %s\n%s", qPrintable(made.error().toString()), schema.constData());
        return {};
    }
    auto bytes = made.value()->serialize(json);
    if (!bytes.ok() || !bytes.value()) {
        qWarning("value refused: %s", bytes.ok() ? "null" : qPrintable(bytes.error().toString()));
        return {};
    }
    return *bytes.value();
}

const QString kAddress =
    uR"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]})"_s;

} // namespace

class TestSchemaReferences : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // "Address" inside namespace com.acme is com.acme.Address: inlined there.
    void namespaceResolution()
    {
        FakeRegistry reg;
        reg.add(u"addr"_s, kAddress);
        const auto root = mainSchema(
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"home","type":"Address"}]})"_s,
            {{u"com.acme.Address"_s, u"addr"_s, 1}});
        auto r = resolveReferences(root, reg.fetcher());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->count, 1);
        const QJsonObject combined = object(r->avroSchema);
        const QJsonObject home = combined[u"fields"_s].toArray()[1].toObject()[u"type"_s].toObject();
        QCOMPARE(home[u"name"_s].toString(), u"Address"_s);
        QCOMPARE(home[u"namespace"_s].toString(), u"com.acme"_s);
        // name "Ada" (len 3), city "Paris" (len 5): zigzag lengths 6 and 10.
        QCOMPARE(serialize(r->avroSchema, uR"({"name":"Ada","home":{"city":"Paris"}})"_s), QByteArray("\x06"
                                                                                                      "Ada\x0a"
                                                                                                      "Paris"));

        // The same short name in another namespace is not the reference.
        const auto other = mainSchema(
            uR"({"type":"record","name":"Person","namespace":"org.other","fields":[{"name":"home","type":"Address"}]})"_s,
            {{u"com.acme.Address"_s, u"addr"_s, 1}});
        auto o = resolveReferences(other, reg.fetcher());
        QVERIFY(o.ok());
        QCOMPARE(object(o->avroSchema)[u"fields"_s].toArray()[0].toObject()[u"type"_s].toString(), u"Address"_s);
    }

    // A reference's own references are inlined inside it, in an array and a
    // union too.
    void nestedReferences()
    {
        FakeRegistry reg;
        reg.add(u"country"_s, uR"({"type":"enum","name":"Country","namespace":"com.geo","symbols":["FR","DE"]})"_s);
        reg.add(
            u"addr"_s,
            uR"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"},{"name":"country","type":"com.geo.Country"}]})"_s,
            {{u"com.geo.Country"_s, u"country"_s, 1}});
        const auto root = mainSchema(
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"homes","type":{"type":"array","items":"com.acme.Address"}},{"name":"born","type":["null","com.geo.Country"]}]})"_s,
            {{u"com.acme.Address"_s, u"addr"_s, 1}, {u"com.geo.Country"_s, u"country"_s, 1}});
        auto r = resolveReferences(root, reg.fetcher());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->count, 2);
        QCOMPARE(reg.asked.count(u"country"_s), 1); // a diamond is fetched once
        const QJsonArray fields = object(r->avroSchema)[u"fields"_s].toArray();
        const QJsonObject address = fields[0].toObject()[u"type"_s].toObject()[u"items"_s].toObject();
        QCOMPARE(address[u"name"_s].toString(), u"Address"_s);
        const QJsonObject country = address[u"fields"_s].toArray()[1].toObject()[u"type"_s].toObject();
        QCOMPARE(country[u"type"_s].toString(), u"enum"_s);
        // Defined inside Address already: the union names it.
        QCOMPARE(fields[1].toObject()[u"type"_s].toArray()[1].toString(), u"com.geo.Country"_s);
        QCOMPARE(serialize(r->avroSchema,
                           uR"({"homes":[{"city":"Oslo","country":"DE"}],"born":{"com.geo.Country":"FR"}})"_s),
                 QByteArray::fromHex("02") + "\x08Oslo" + QByteArray::fromHex("02") + QByteArray::fromHex("00") +
                     QByteArray::fromHex("02") + QByteArray::fromHex("00"));
    }

    // A type of the null namespace inlined into a namespaced record keeps
    // its namespace ("" says so).
    void nullNamespace()
    {
        FakeRegistry reg;
        reg.add(u"flag"_s, uR"({"type":"enum","name":"Flag","symbols":["OFF","ON"]})"_s);
        auto r = resolveReferences(
            mainSchema(
                uR"({"type":"record","name":"Wrap","namespace":"com.acme","fields":[{"name":"f","type":"Flag"}]})"_s,
                {{u"Flag"_s, u"flag"_s, 1}}),
            reg.fetcher());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const QJsonObject flag = object(r->avroSchema)[u"fields"_s].toArray()[0].toObject()[u"type"_s].toObject();
        QVERIFY(flag.contains(u"namespace"_s));
        QCOMPARE(flag[u"namespace"_s].toString(), QString());
        QCOMPARE(serialize(r->avroSchema, uR"({"f":"ON"})"_s), QByteArray("\x02"));
    }

    // The first use becomes the definition, the second stays a name.
    void nameUsedTwice()
    {
        FakeRegistry reg;
        reg.add(u"addr"_s, kAddress);
        const auto root = mainSchema(
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"},{"name":"work","type":"Address"}]})"_s,
            {{u"com.acme.Address"_s, u"addr"_s, 1}});
        auto r = resolveReferences(root, reg.fetcher());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        const QJsonArray fields = object(r->avroSchema)[u"fields"_s].toArray();
        QVERIFY(fields[0].toObject()[u"type"_s].isObject());
        QCOMPARE(fields[1].toObject()[u"type"_s].toString(), u"Address"_s);
        QCOMPARE(serialize(r->avroSchema, uR"({"home":{"city":"A"},"work":{"city":"B"}})"_s), QByteArray("\x02"
                                                                                                         "A\x02"
                                                                                                         "B"));
    }

    void missingDefinition()
    {
        FakeRegistry reg;
        reg.add(
            u"addr"_s,
            uR"({"type":"record","name":"Addr","namespace":"com.acme","fields":[{"name":"city","type":"string"}]})"_s);
        const auto root = mainSchema(
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]})"_s,
            {{u"com.acme.Address"_s, u"addr"_s, 1}});
        auto r = resolveReferences(root, reg.fetcher());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(u"com.acme.Address"_s) && r.error().message.contains(u"'addr'"_s) &&
                     r.error().message.contains(u"com.acme.Addr,"_s),
                 qPrintable(r.error().message));

        // Not even a named type.
        reg.add(u"str"_s, uR"("string")"_s);
        auto s = resolveReferences(mainSchema(uR"("com.acme.Address")"_s, {{u"com.acme.Address"_s, u"str"_s, 1}}),
                                   reg.fetcher());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(u"does not define"_s), qPrintable(s.error().message));

        // A subject the registry does not have: the reference and its reason.
        auto m = resolveReferences(mainSchema(kAddress, {{u"com.acme.Zip"_s, u"nosuch"_s, 3}}), reg.fetcher());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, 404);
        QVERIFY2(m.error().message.contains(u"reference 'com.acme.Zip' (subject 'nosuch' version 3)"_s) &&
                     m.error().message.contains(u"40401"_s),
                 qPrintable(m.error().message));
    }

    void cycle()
    {
        FakeRegistry reg;
        reg.add(u"a"_s, uR"({"type":"record","name":"A","fields":[{"name":"b","type":["null","B"]}]})"_s,
                {{u"B"_s, u"b"_s, 1}});
        reg.add(u"b"_s, uR"({"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]}]})"_s,
                {{u"A"_s, u"a"_s, 1}});
        auto r = resolveReferences(mainSchema(uR"("A")"_s, {{u"A"_s, u"a"_s, 1}}), reg.fetcher());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(u"cycle"_s) && r.error().message.contains(u"a:1"_s),
                 qPrintable(r.error().message));
        QCOMPARE(reg.asked, (QStringList{u"a"_s, u"b"_s})); // and it stopped there
    }

    void depthLimit()
    {
        FakeRegistry reg;
        for (int i = 0; i < 20; ++i) {
            QList<SchemaReference> refs;
            if (i < 19)
                refs.append({u"T%1"_s.arg(i + 1), u"s%1"_s.arg(i + 1), 1});
            reg.add(u"s%1"_s.arg(i),
                    uR"({"type":"record","name":"T%1","fields":[{"name":"x","type":%2}]})"_s.arg(i).arg(
                        i < 19 ? u"\"T%1\""_s.arg(i + 1) : u"\"int\""_s),
                    refs);
        }
        auto r = resolveReferences(mainSchema(uR"("T0")"_s, {{u"T0"_s, u"s0"_s, 1}}), reg.fetcher());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(u"deeper than 16"_s), qPrintable(r.error().message));

        // 16 levels are fine: T4 .. T19.
        auto ok = resolveReferences(mainSchema(uR"("T4")"_s, {{u"T4"_s, u"s4"_s, 1}}), reg.fetcher());
        QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().message));
        QCOMPARE(ok->count, 16);
        QCOMPARE(
            serialize(
                ok->avroSchema,
                uR"({"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":{"x":7}}}}}}}}}}}}}}}})"_s),
            QByteArray("\x0e"));
    }

    void protobufImports()
    {
        FakeRegistry reg;
        const QString money = u"syntax = \"proto3\";\npackage acme;\nmessage Money { int64 cents = 1; }\n"_s;
        reg.add(u"money"_s, money, {}, u"PROTOBUF"_s);
        const QString invoice =
            u"syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Invoice { acme.Money total = 1; }\n"_s;
        auto r = resolveReferences(mainSchema(invoice, {{u"acme/money.proto"_s, u"money"_s, 1}}, u"PROTOBUF"_s),
                                   reg.fetcher());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QFile written(r->protoIncludePath() + u"/acme/money.proto"_s);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(written.readAll()), money);

        serde::SerializerSpec spec;
        spec.format = serde::Format::Protobuf;
        spec.schemaText = invoice.toUtf8();
        spec.includePaths << r->protoIncludePath();
        spec.messageType = u"acme.Invoice"_s;
        auto made = serde::makeSerializer(spec);
        QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().toString()));
        auto bytes = made.value()->serialize(uR"({"total":{"cents":5}})"_s);
        QVERIFY(bytes.ok() && bytes.value());
        QCOMPARE(*bytes.value(), QByteArray::fromHex("0a020805"));

        for (const QString &bad : {u"../money.proto"_s, u"/etc/money.proto"_s, u"a/../../b.proto"_s}) {
            auto refused = resolveReferences(mainSchema(invoice, {{bad, u"money"_s, 1}}, u"PROTOBUF"_s), reg.fetcher());
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().message.contains(u"not a relative import path"_s) &&
                         refused.error().message.contains(bad),
                     qPrintable(refused.error().message));
        }
        // An Avro schema behind a Protobuf import.
        reg.add(u"addr"_s, kAddress);
        auto mixed = resolveReferences(mainSchema(invoice, {{u"acme/money.proto"_s, u"addr"_s, 1}}, u"PROTOBUF"_s),
                                       reg.fetcher());
        QVERIFY(!mixed.ok());
        QVERIFY2(mixed.error().message.contains(u"AVRO"_s), qPrintable(mixed.error().message));
    }
};

QTEST_GUILESS_MAIN(TestSchemaReferences)
#include "tst_schemareferences.moc"
