// The Confluent wire format, the subject strategies and the registry answer
// parsers, without a registry. Expected bytes are written out by hand from
// Confluent's description of the format (magic 0, big-endian id, zigzag
// varint index list with [0] as a single 0 byte).
#include "serde/RegistryClient.h"
#include "serde/WireFormat.h"

#include <QTest>

using namespace Qt::StringLiterals;

using namespace kpw;

class TestWireFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void frameAvro()
    {
        const auto f = wireformat::frame(0x01020304, {}, QByteArrayLiteral("\x02\x41"));
        QCOMPARE(f, QByteArray::fromHex("000102030402 41"));
    }
    void frameNegativeAndLargeIds()
    {
        QCOMPARE(wireformat::frame(-1, {}, {}), QByteArray::fromHex("00ffffffff"));
        QCOMPARE(wireformat::frame(100000, {}, "x"), QByteArray::fromHex("00000186a0") + "x");
    }
    void frameProtobufFirstMessage()
    {
        // [0]: one 0 byte, not count 1 + index 0.
        QCOMPARE(wireformat::frame(7, {0}, "P"), QByteArray::fromHex("000000000700") + "P");
    }
    void frameProtobufNested()
    {
        // [1, 0]: count 2 -> 4, 1 -> 2, 0 -> 0 (zigzag).
        QCOMPARE(wireformat::encodeMessageIndexes({1, 0}), QByteArray::fromHex("040200"));
        // [0, 2]: a nested message inside the first one.
        QCOMPARE(wireformat::encodeMessageIndexes({0, 2}), QByteArray::fromHex("040004"));
        // 64 zigzags to 128: a two-byte varint.
        QCOMPARE(wireformat::encodeMessageIndexes({64}), QByteArray::fromHex("028001"));
    }
    void roundTrip_data()
    {
        QTest::addColumn<int>("id");
        QTest::addColumn<QList<int>>("indexes");
        QTest::addColumn<bool>("protobuf");
        QTest::newRow("avro") << 42 << QList<int>{} << false;
        QTest::newRow("pb-0") << 1 << QList<int>{0} << true;
        QTest::newRow("pb-3") << 9 << QList<int>{3} << true;
        QTest::newRow("pb-nested") << 123456 << QList<int>{2, 5, 1000000} << true;
    }
    void roundTrip()
    {
        QFETCH(int, id);
        QFETCH(QList<int>, indexes);
        QFETCH(bool, protobuf);
        const QByteArray payload("\x00\x01payload", 9);
        auto parsed = wireformat::parse(wireformat::frame(id, indexes, payload), protobuf);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed->schemaId, id);
        QCOMPARE(parsed->messageIndexes, protobuf ? indexes : QList<int>{});
        QCOMPARE(parsed->payload, payload);
    }
    void parseRefusesHostileInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("protobuf");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty") << QByteArray() << false << u"empty"_s;
        QTest::newRow("magic") << QByteArray::fromHex("0100000001") << false << u"magic byte is 0x01"_s;
        QTest::newRow("short") << QByteArray::fromHex("00000001") << false << u"header alone"_s;
        QTest::newRow("no-index") << QByteArray::fromHex("0000000001") << true << u"truncated"_s;
        QTest::newRow("huge-count") << QByteArray::fromHex("0000000001feffffff0f") << true << u"out of range"_s;
        QTest::newRow("negative-count") << QByteArray::fromHex("000000000101") << true << u"out of range"_s;
        QTest::newRow("truncated-index") << QByteArray::fromHex("00000000010680") << true << u"truncated"_s;
        QTest::newRow("overlong-varint") << QByteArray::fromHex("0000000001ffffffffff01") << true << u"overlong"_s;
        QTest::newRow("negative-index") << QByteArray::fromHex("00000000010201") << true << u"negative"_s;
    }
    void parseRefusesHostileInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, protobuf);
        QFETCH(QString, reason);
        auto r = wireformat::parse(bytes, protobuf);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(reason), qPrintable(r.error().message));
    }
    void varintLimits()
    {
        for (std::int32_t v : {0, 1, -1, 63, -64, 64, 2147483647, -2147483647 - 1}) {
            QByteArray b;
            wireformat::writeZigzagVarint(b, v);
            QVERIFY(b.size() <= 5);
            qsizetype pos = 0;
            std::int32_t back = 12345;
            QVERIFY(wireformat::readZigzagVarint(b, pos, back));
            QCOMPARE(back, v);
            QCOMPARE(pos, b.size());
        }
    }
    void subjectStrategies()
    {
        QCOMPARE(*subjectName(SubjectStrategy::TopicName, u"orders"_s, false, {}), u"orders-value"_s);
        QCOMPARE(*subjectName(SubjectStrategy::TopicName, u"orders"_s, true, u"x.Y"_s), u"orders-key"_s);
        QCOMPARE(*subjectName(SubjectStrategy::RecordName, u"orders"_s, false, u"com.acme.Order"_s),
                 u"com.acme.Order"_s);
        QCOMPARE(*subjectName(SubjectStrategy::TopicRecordName, u"orders"_s, true, u"com.acme.Order"_s),
                 u"orders-com.acme.Order"_s);
        QVERIFY(!subjectName(SubjectStrategy::RecordName, u"orders"_s, false, {}).ok());
        QCOMPARE(*parseSubjectStrategy(u"topic-record"_s), SubjectStrategy::TopicRecordName);
        QCOMPARE(*parseSubjectStrategy(u"io.confluent.kafka.serializers.subject.RecordNameStrategy"_s),
                 SubjectStrategy::RecordName);
        QCOMPARE(*parseSubjectStrategy(u"TopicNameStrategy"_s), SubjectStrategy::TopicName);
        QVERIFY(!parseSubjectStrategy(u"bogus"_s).ok());
    }
    void parseSchemaAnswers()
    {
        auto s = RegistryClient::parseSchema(
            R"({"subject":"a-value","version":3,"id":17,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\";",
                "references":[{"name":"dep.proto","subject":"dep","version":1}]})");
        QVERIFY(s.ok());
        QCOMPARE(s->id, 17);
        QCOMPARE(s->version, 3);
        QCOMPARE(s->schemaType, u"PROTOBUF"_s);
        QCOMPARE(s->references.size(), 1);
        QCOMPARE(s->references[0], (SchemaReference{u"dep.proto"_s, u"dep"_s, 1}));
        // schemaType left out: AVRO.
        auto avro = RegistryClient::parseSchema(R"({"schema":"\"string\""})");
        QVERIFY(avro.ok());
        QCOMPARE(avro->schemaType, u"AVRO"_s);
        QVERIFY(!RegistryClient::parseSchema("[]").ok());
        QVERIFY(!RegistryClient::parseSchema(R"({"schema":1})").ok());
        QVERIFY(!RegistryClient::parseSchema(R"({"schema":"x","id":1.5})").ok());
        QVERIFY(!RegistryClient::parseSchema(R"({"schema":"x","id":1e20})").ok());
        QVERIFY(!RegistryClient::parseSchema(R"({"schema":"x","references":[{"name":"a"}]})").ok());
        QVERIFY(!RegistryClient::parseSchema("{").ok());
    }
    void parseOtherAnswers()
    {
        QCOMPARE(*RegistryClient::parseSubjects(R"(["a","b"])"), (QStringList{u"a"_s, u"b"_s}));
        QVERIFY(!RegistryClient::parseSubjects(R"(["a",1])").ok());
        QCOMPARE(*RegistryClient::parseVersions("[1,2,5]"), (QList<int>{1, 2, 5}));
        QVERIFY(!RegistryClient::parseVersions(R"(["1"])").ok());
        QCOMPARE(*RegistryClient::parseRegistered(R"({"id":42})"), 42);
        QVERIFY(!RegistryClient::parseRegistered(R"({"id":"42"})").ok());
        auto c = RegistryClient::parseCompatibility(R"({"is_compatible":false,"messages":["field x removed"]})");
        QVERIFY(c.ok());
        QVERIFY(!c->compatible);
        QCOMPARE(c->messages, QStringList{u"field x removed"_s});
        QVERIFY(!RegistryClient::parseCompatibility(R"({"is_compatible":"yes"})").ok());
    }
    void httpErrors()
    {
        const QString url = u"http://127.0.0.1:8081"_s;
        auto e = RegistryClient::httpError(404, R"({"error_code":40401,"message":"Subject 'x' not found."})",
                                           u"subject 'x' version latest"_s, url);
        QCOMPARE(e.code, std::int16_t(404));
        QVERIFY2(e.message.startsWith(u"subject not found"_s) && e.message.contains(u"40401"_s) &&
                     e.message.contains(u"Subject 'x' not found."_s),
                 qPrintable(e.message));
        e = RegistryClient::httpError(409, R"({"error_code":409,"message":"incompatible: reader field"})", u"reg"_s,
                                      url);
        QVERIFY2(e.message.startsWith(u"incompatible schema"_s) && e.message.contains(u"reader field"_s),
                 qPrintable(e.message));
        e = RegistryClient::httpError(422, R"({"error_code":42201,"message":"Invalid schema"})", u"reg"_s, url);
        QVERIFY(e.message.startsWith(u"invalid schema"_s));
        e = RegistryClient::httpError(401, "Unauthorized", u"the subject list"_s, url);
        QVERIFY2(e.message.contains(u"authentication failed"_s) && e.message.contains(url), qPrintable(e.message));
        e = RegistryClient::httpError(500, "<html>boom</html>", u"the subject list"_s, url);
        QVERIFY2(e.message.contains(u"HTTP 500"_s) && e.message.contains(u"boom"_s), qPrintable(e.message));
    }
    void config()
    {
        RegistryConfig c;
        QVERIFY(c.set(u"schema.registry.url"_s, u"https://bob:pw@reg.example:8081/api,https://other"_s).ok());
        QCOMPARE(c.url.host(), u"reg.example"_s);
        QCOMPARE(c.userInfo, u"bob:pw"_s);
        QCOMPARE(c.displayUrl(), u"https://reg.example:8081/api"_s);
        QVERIFY(c.set(u"basic.auth.user.info"_s, u"alice:secret"_s).ok());
        QCOMPARE(c.userInfo, u"alice:secret"_s);
        QVERIFY(!c.set(u"basic.auth.user.info"_s, u"nocolon"_s).ok());
        QVERIFY(!c.set(u"schema.registry.url"_s, u"ftp://x"_s).ok());
        QVERIFY(c.set(u"schema.registry.ssl.endpoint.identification.algorithm"_s, u"none"_s).ok());
        QVERIFY(!c.sslVerifyHostname);
        QVERIFY(!c.set(u"schema.registry.bogus"_s, u"1"_s).ok());
        QCOMPARE(RegistryClient::normaliseSchemaType(u"json-schema"_s), u"JSON"_s);
        QCOMPARE(RegistryClient::normaliseSchemaType(u"protobuf"_s), u"PROTOBUF"_s);
        QVERIFY(RegistryClient::normaliseSchemaType(u"xml"_s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWireFormat)
#include "tst_wireformat.moc"
