// kpw-cli produce --schema-registry end to end: the schema comes from the
// real registry fixture (Apicurio), records go to the real broker, librdkafka
// reads them back, and Confluent's own Python deserializers (confluent-kafka)
// decode the framed values through the registry; Protobuf payloads are
// decoded by protoc. Registry errors stop produce before anything is sent.
#include "RdkConsumer.h"
#include "TestBroker.h"
#include "TestRegistry.h"

#include "serde/RegistryClient.h"
#include "serde/WireFormat.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace Qt::StringLiterals;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);
const QString kPython = QStringLiteral(KPW_PYTHON);
const QString kDecoder = QStringLiteral(KPW_REGISTRY_TESTS_DIR "/confluent_decode.py");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &args, const QByteArray &input, int timeoutMs = 90000)
{
    QProcess p;
    p.start(program, args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = "timed out: " + p.readAllStandardError();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString explain(const Run &r)
{
    return u"exit %1\n--- stdout ---\n%2\n--- stderr ---\n%3"_s.arg(r.exitCode)
        .arg(QString::fromUtf8(r.out.left(3000)), QString::fromUtf8(r.err.left(3000)));
}

} // namespace

class TestRegistryProduce : public QObject
{
    Q_OBJECT
    QString m_boot;
    QString m_url;

    RegistryClient client()
    {
        RegistryConfig c;
        if (!c.set(u"schema.registry.url"_s, m_url))
            qFatal("bad registry URL");
        return RegistryClient(c);
    }

    QList<QByteArray> consumeValues(const QString &topic, int n)
    {
        QString error;
        const auto records = test::consumeAll(m_boot, topic, n, 30000, u"read_uncommitted"_s, &error);
        QList<QByteArray> out;
        for (const auto &r : records)
            out.append(r.value.value_or(QByteArray()));
        if (!error.isEmpty())
            qWarning("librdkafka: %s", qPrintable(error));
        return out;
    }

    // confluent_decode.py's output lines for the framed VALUES.
    QList<QByteArray> confluentDecode(const QString &kind, const QList<QByteArray> &values)
    {
        QByteArray input;
        for (const auto &v : values)
            input += v.toHex() + '\n';
        const Run r = run(kPython, {kDecoder, m_url, kind}, input);
        if (r.exitCode != 0)
            qWarning("confluent_decode.py (run scripts/install-deps for confluent-kafka): %s", qPrintable(explain(r)));
        QList<QByteArray> lines = r.out.trimmed().split('\n');
        lines.removeAll(QByteArray());
        return lines;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_boot = test::bootstrap();
        QVERIFY(!m_boot.isEmpty());
        m_url = test::schemaRegistryUrl();
        QVERIFY(!m_url.isEmpty());
    }

    // The latest version of TOPIC-value, picked by the TopicNameStrategy.
    void avroFromTheRegistry()
    {
        const QString topic = test::uniqueTopic(u"reg-avro"_s);
        QVERIFY(test::createTopic(m_boot, topic, 1));
        auto c = client();
        const QString schema =
            uR"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},{"name":"email","type":["null","string"],"default":null}]})"_s;
        auto id = c.registerSchemaSync(topic + u"-value"_s, schema, u"avro"_s);
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));

        const Run r = run(kCli,
                          {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                           u"--value-format"_s, u"avro"_s},
                          "{\"name\":\"Ada\",\"age\":36,\"email\":{\"string\":\"ada@example.org\"}}\n"
                          "{\"name\":\"Linus\",\"age\":54,\"email\":null}\n");
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("registry schema id " + QByteArray::number(*id)), qPrintable(explain(r)));

        const auto values = consumeValues(topic, 2);
        QCOMPARE(values.size(), 2);
        for (const auto &v : values) {
            auto f = wireformat::parse(v, false);
            QVERIFY2(f.ok(), qPrintable(f.ok() ? QString() : f.error().message));
            QCOMPARE(f->schemaId, *id);
        }
        const auto decoded = confluentDecode(u"avro"_s, values);
        QCOMPARE(decoded.size(), 2);
        QCOMPARE(decoded[0], QByteArray(R"({"age":36,"email":"ada@example.org","name":"Ada"})"));
        QCOMPARE(decoded[1], QByteArray(R"({"age":54,"email":null,"name":"Linus"})"));
    }

    // A schema file registered on the fly under TopicRecordNameStrategy's
    // subject (topic-<title>), then JSON Schema values decoded by Confluent.
    void jsonSchemaAutoRegisterTopicRecord()
    {
        const QString topic = test::uniqueTopic(u"reg-json"_s);
        QVERIFY(test::createTopic(m_boot, topic, 1));
        QTemporaryDir dir;
        const QString file = dir.filePath(u"reading.json"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"title\":\"acme.Reading\","
                "\"type\":\"object\",\"properties\":{\"sensor\":{\"type\":\"string\"},"
                "\"celsius\":{\"type\":\"number\"}},\"required\":[\"sensor\",\"celsius\"]}");
        f.close();
        const Run r = run(kCli,
                          {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                           u"--value-format"_s, u"json-schema"_s, u"--value-schema"_s, file, u"--subject-strategy"_s,
                           u"topic-record"_s, u"--auto-register"_s},
                          "{\"sensor\":\"s1\",\"celsius\":21.5}\n");
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        auto c = client();
        const QString subject = topic + u"-acme.Reading"_s;
        auto latest = c.getSchemaSync(subject, u"latest"_s);
        QVERIFY2(latest.ok(), qPrintable(latest.ok() ? QString() : latest.error().message));
        QCOMPARE(latest->schemaType, u"JSON"_s);

        const auto values = consumeValues(topic, 1);
        QCOMPARE(values.size(), 1);
        auto frame = wireformat::parse(values[0], false);
        QVERIFY(frame.ok());
        QCOMPARE(frame->schemaId, latest->id);
        const auto decoded = confluentDecode(u"json"_s, values);
        QCOMPARE(decoded.size(), 1);
        QCOMPARE(decoded[0], QByteArray(R"({"celsius":21.5,"sensor":"s1"})"));
    }

    // A nested Protobuf type picked by id: message indexes [1, 0], read by
    // Confluent's own header reader; the payload decoded by protoc.
    void protobufNestedTypeById()
    {
        const QString topic = test::uniqueTopic(u"reg-pb"_s);
        QVERIFY(test::createTopic(m_boot, topic, 1));
        const QString proto = u"syntax = \"proto3\";\npackage acme;\n\nmessage Header {\n  string id = 1;\n}\n\n"
                              u"message Order {\n  message Line {\n    string sku = 1;\n    int32 qty = 2;\n  }\n"
                              u"  repeated Line lines = 1;\n}\n"_s;
        auto c = client();
        auto id = c.registerSchemaSync(topic + u"-value"_s, proto, u"protobuf"_s);
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));
        const Run r = run(kCli,
                          {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                           u"--value-schema-id"_s, QString::number(*id), u"--value-type"_s, u"acme.Order.Line"_s},
                          "{\"sku\":\"A-1\",\"qty\":3}\n");
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        const auto values = consumeValues(topic, 1);
        QCOMPARE(values.size(), 1);
        const auto decoded = confluentDecode(u"protobuf-frame"_s, values);
        QCOMPARE(decoded.size(), 1);
        const auto o = QJsonDocument::fromJson(decoded[0]).object();
        QCOMPARE(o.value(u"id"_s).toInt(), *id);
        QCOMPARE(o.value(u"schemaType"_s).toString(), u"PROTOBUF"_s);
        QCOMPARE(QJsonDocument(o.value(u"indexes"_s).toArray()).toJson(QJsonDocument::Compact), QByteArray("[1,0]"));

        QTemporaryDir dir;
        QFile pf(dir.filePath(u"order.proto"_s));
        QVERIFY(pf.open(QIODevice::WriteOnly));
        pf.write(proto.toUtf8());
        pf.close();
        const Run d = run(u"protoc"_s, {u"--proto_path"_s, dir.path(), u"--decode=acme.Order.Line"_s, u"order.proto"_s},
                          QByteArray::fromHex(o.value(u"payload"_s).toString().toLatin1()));
        QVERIFY2(d.exitCode == 0, qPrintable(explain(d)));
        QVERIFY2(d.out.contains("sku: \"A-1\"") && d.out.contains("qty: 3"), d.out.constData());
    }

    // An Avro value schema whose named types live in other subjects (Address,
    // itself referencing the enum Country; Address used twice): kpw-cli
    // inlines them into one schema; the bytes are checked by hand and
    // Confluent's AvroDeserializer, which resolves the references itself,
    // decodes them.
    void avroReferences()
    {
        const QString topic = test::uniqueTopic(u"reg-avro-ref"_s);
        QVERIFY(test::createTopic(m_boot, topic, 1));
        auto c = client();
        const QString countrySubject = topic + u"-country"_s;
        auto countryId = c.registerSchemaSync(
            countrySubject, uR"({"type":"enum","name":"Country","namespace":"com.geo","symbols":["FR","DE"]})"_s,
            u"avro"_s);
        QVERIFY2(countryId.ok(), qPrintable(countryId.ok() ? QString() : countryId.error().message));
        const QString addrSubject = topic + u"-address"_s;
        auto addrId = c.registerSchemaSync(
            addrSubject,
            uR"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"},{"name":"country","type":"com.geo.Country"}]})"_s,
            u"avro"_s, {{u"com.geo.Country"_s, countrySubject, 1}});
        QVERIFY2(addrId.ok(), qPrintable(addrId.ok() ? QString() : addrId.error().message));
        auto id = c.registerSchemaSync(
            topic + u"-value"_s,
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"home","type":"Address"},{"name":"work","type":"com.acme.Address"}]})"_s,
            u"avro"_s, {{u"com.acme.Address"_s, addrSubject, 1}});
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));

        const Run r =
            run(kCli,
                {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url, u"--value-format"_s,
                 u"avro"_s},
                R"({"name":"Ada","home":{"city":"Oslo","country":"DE"},"work":{"city":"Bergen","country":"FR"}})"
                "\n");
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("registry schema id " + QByteArray::number(*id)) &&
                     r.err.contains("resolved 2 schema reference(s)"),
                 qPrintable(explain(r)));

        const auto values = consumeValues(topic, 1);
        QCOMPARE(values.size(), 1);
        auto frame = wireformat::parse(values[0], false);
        QVERIFY2(frame.ok(), qPrintable(frame.ok() ? QString() : frame.error().message));
        QCOMPARE(frame->schemaId, *id);
        // "Ada", {"Oslo", DE = symbol 1}, {"Bergen", FR = symbol 0}: string
        // lengths and enum indexes as zigzag varints.
        QCOMPARE(values[0].mid(5), QByteArray("\x06"
                                              "Ada\x08"
                                              "Oslo\x02\x0c"
                                              "Bergen\x00",
                                              18));
        const auto decoded = confluentDecode(u"avro"_s, values);
        QCOMPARE(decoded.size(), 1);
        QCOMPARE(decoded[0], QByteArray(R"({"home":{"city":"Oslo","country":"DE"},"name":"Ada",)"
                                        R"("work":{"city":"Bergen","country":"FR"}})"));
    }

    // A Protobuf value schema importing another subject's .proto: the import
    // is written under its name; protoc decodes the payload with both files.
    void protobufImportReference()
    {
        const QString topic = test::uniqueTopic(u"reg-pb-ref"_s);
        QVERIFY(test::createTopic(m_boot, topic, 1));
        auto c = client();
        const QString money = u"syntax = \"proto3\";\npackage acme;\nmessage Money {\n  int64 cents = 1;\n}\n"_s;
        const QString invoice = u"syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\n"
                                u"message Invoice {\n  acme.Money total = 1;\n}\n"_s;
        const QString moneySubject = topic + u"-money"_s;
        QVERIFY(c.registerSchemaSync(moneySubject, money, u"protobuf"_s).ok());
        auto id = c.registerSchemaSync(topic + u"-value"_s, invoice, u"protobuf"_s,
                                       {{u"acme/money.proto"_s, moneySubject, 1}});
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));
        const Run r = run(kCli,
                          {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                           u"--value-format"_s, u"protobuf"_s, u"--value-type"_s, u"acme.Invoice"_s},
                          "{\"total\":{\"cents\":1250}}\n");
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        const auto values = consumeValues(topic, 1);
        QCOMPARE(values.size(), 1);
        const auto decoded = confluentDecode(u"protobuf-frame"_s, values);
        QCOMPARE(decoded.size(), 1);
        const auto o = QJsonDocument::fromJson(decoded[0]).object();
        QCOMPARE(o.value(u"id"_s).toInt(), *id);
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath(u"acme"_s));
        for (const auto &[name, text] :
             {std::pair{u"acme/money.proto"_s, money}, std::pair{u"invoice.proto"_s, invoice}}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.toUtf8());
        }
        const Run d = run(u"protoc"_s, {u"--proto_path"_s, dir.path(), u"--decode=acme.Invoice"_s, u"invoice.proto"_s},
                          QByteArray::fromHex(o.value(u"payload"_s).toString().toLatin1()));
        QVERIFY2(d.exitCode == 0, qPrintable(explain(d)));
        QVERIFY2(d.out.contains("cents: 1250"), d.out.constData());
    }

    // A reference to a subject that is gone (registered, referenced, then
    // deleted for good): produce names the reference and the registry's
    // reason, and sends nothing.
    void missingReferenceSendsNothing()
    {
        const QString topic = test::uniqueTopic(u"reg-ref-gone"_s);
        auto c = client();
        const QString gone = topic + u"-gone"_s;
        QVERIFY(
            c.registerSchemaSync(
                 gone,
                 uR"({"type":"record","name":"Gone","namespace":"com.acme","fields":[{"name":"c","type":"string"}]})"_s,
                 u"avro"_s)
                .ok());
        auto id = c.registerSchemaSync(
            topic + u"-value"_s,
            uR"({"type":"record","name":"P","namespace":"com.acme","fields":[{"name":"g","type":"com.acme.Gone"}]})"_s,
            u"avro"_s, {{u"com.acme.Gone"_s, gone, 1}});
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));
        for (const QString &query : {QString(), u"?permanent=true"_s}) {
            QNetworkAccessManager nam;
            auto *reply = nam.deleteResource(QNetworkRequest(QUrl(m_url + u"/subjects/"_s + gone + query)));
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
        QVERIFY(!c.getSchemaSync(gone, u"1"_s).ok());

        const Run r = run(kCli,
                          {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                           u"--value-format"_s, u"avro"_s},
                          "{\"g\":{\"c\":\"x\"}}\n");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("reference 'com.acme.Gone' (subject '" + gone.toUtf8() + "' version 1)") &&
                     r.err.contains("40402"),
                 qPrintable(explain(r)));
        QCOMPARE(test::topicExists(m_boot, topic), std::optional<bool>(false));
    }

    // kpw-cli registry: register (with a reference), versions, get, get-id,
    // check; exit codes 0/1/2 and the registry's reasons.
    void registryCommand()
    {
        QTemporaryDir dir;
        auto write = [&](const QString &name, const QByteArray &text) {
            QFile f(dir.filePath(name));
            if (!f.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(f.fileName()));
            f.write(text);
            return f.fileName();
        };
        const QString addr = write(u"address.avsc"_s, R"({"type":"record","name":"Address","namespace":"com.acme",)"
                                                      R"("fields":[{"name":"city","type":"string"}]})");
        const QString person = write(u"person.avsc"_s, R"({"type":"record","name":"Person","namespace":"com.acme",)"
                                                       R"("fields":[{"name":"home","type":"com.acme.Address"}]})");
        const QString breaking =
            write(u"breaking.avsc"_s, R"({"type":"record","name":"Address","namespace":"com.acme",)"
                                      R"("fields":[{"name":"zip","type":"int"}]})");
        const QString tag = test::uniqueTopic(u"cli"_s);
        const QStringList reg{u"registry"_s, u"--schema-registry"_s, m_url};
        const QString addrSubject = tag + u"-address"_s;

        Run r = run(kCli, reg + QStringList{u"register"_s, addrSubject, addr}, {});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        bool ok = false;
        const int addrId = r.out.trimmed().toInt(&ok);
        QVERIFY2(ok && addrId > 0, qPrintable(explain(r)));

        r = run(kCli,
                reg + QStringList{u"register"_s, tag + u"-person"_s, person, u"--reference"_s,
                                  u"com.acme.Address="_s + addrSubject + u":1"_s},
                {});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        const int personId = r.out.trimmed().toInt();

        r = run(kCli, reg + QStringList{u"get-id"_s, QString::number(personId)}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("com.acme.Address") &&
                     r.err.contains("reference com.acme.Address=" + addrSubject.toUtf8() + ":1"),
                 qPrintable(explain(r)));

        r = run(kCli, reg + QStringList{u"versions"_s, addrSubject}, {});
        QVERIFY2(r.exitCode == 0 && r.out == "1\n", qPrintable(explain(r)));
        r = run(kCli, reg + QStringList{u"subjects"_s}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains(addrSubject.toUtf8() + '\n'), qPrintable(explain(r)));
        r = run(kCli, reg + QStringList{u"get"_s, addrSubject, u"1"_s}, {});
        QVERIFY2(r.exitCode == 0 && r.out.contains("\"city\"") && r.err.contains("id " + QByteArray::number(addrId)),
                 qPrintable(explain(r)));

        // Incompatible under BACKWARD (Apicurio's ccompat default is NONE).
        r = run(kCli, reg + QStringList{u"check"_s, addrSubject, addr}, {});
        QVERIFY2(r.exitCode == 0 && r.out.startsWith("compatible"), qPrintable(explain(r)));
        {
            QNetworkAccessManager nam;
            QNetworkRequest req(QUrl(m_url + u"/config/"_s + addrSubject));
            req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            auto *reply = nam.put(req, QByteArrayLiteral(R"({"compatibility":"BACKWARD"})"));
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
        r = run(kCli, reg + QStringList{u"check"_s, addrSubject, breaking}, {});
        QVERIFY2(r.exitCode == 1 && r.out.startsWith("incompatible") && r.out.contains("zip"), qPrintable(explain(r)));
        r = run(kCli, reg + QStringList{u"register"_s, addrSubject, breaking}, {});
        QVERIFY2(r.exitCode == 1 && r.err.contains("incompatible schema"), qPrintable(explain(r)));

        // 404 and 422 as messages; usage errors exit 2.
        r = run(kCli, reg + QStringList{u"get"_s, addrSubject, u"9"_s}, {});
        QVERIFY2(r.exitCode == 1 && r.err.contains("version not found") && r.err.contains("40402"),
                 qPrintable(explain(r)));
        const QString junk = write(u"junk.avsc"_s, "{\"type\": \"record\", \"name\":");
        r = run(kCli, reg + QStringList{u"register"_s, tag + u"-junk"_s, junk}, {});
        QVERIFY2(r.exitCode == 1 && r.err.contains("invalid schema") && r.err.contains("42201"),
                 qPrintable(explain(r)));
        r = run(kCli, reg + QStringList{u"register"_s, addrSubject, dir.filePath(u"x.txt"_s)}, {});
        QVERIFY2(r.exitCode == 2 && r.err.contains("--type"), qPrintable(explain(r)));
        r = run(kCli, {u"registry"_s, u"subjects"_s}, {});
        QVERIFY2(r.exitCode == 2 && r.err.contains("--schema-registry"), qPrintable(explain(r)));
    }

    // A registry that is down, a subject that does not exist, an id that
    // does not exist: a clear message, exit 2, and the topic never sees a record.
    void registryErrorsSendNothing()
    {
        const QString topic = test::uniqueTopic(u"reg-err"_s);
        const Run down = run(kCli,
                             {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s,
                              u"http://127.0.0.1:1"_s, u"--value-format"_s, u"avro"_s},
                             "{}\n");
        QCOMPARE(down.exitCode, 2);
        QVERIFY2(down.err.contains("http://127.0.0.1:1 is down: connection refused"), qPrintable(explain(down)));

        const Run missing = run(kCli,
                                {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                                 u"--value-subject"_s, u"no-such-subject-"_s + topic},
                                "{}\n");
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("not found") && missing.err.contains("no-such-subject-"),
                 qPrintable(explain(missing)));

        const Run badId = run(kCli,
                              {u"produce"_s, u"-b"_s, m_boot, u"-t"_s, topic, u"--schema-registry"_s, m_url,
                               u"--value-schema-id"_s, u"987654"_s},
                              "{}\n");
        QCOMPARE(badId.exitCode, 2);
        QVERIFY2(badId.err.contains("schema not found") && badId.err.contains("40403"), qPrintable(explain(badId)));

        // Nothing was produced: the topic was never even created.
        QCOMPARE(test::topicExists(m_boot, topic), std::optional<bool>(false));
    }
};

QTEST_GUILESS_MAIN(TestRegistryProduce)
#include "tst_registry_produce.moc"
