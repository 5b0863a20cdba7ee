// RegistryClient against a real Schema Registry (the "registry" fixture:
// Apicurio Registry's Confluent-compatible API): register, get by version and
// by id, versions, subjects, compatibility, references, and the errors a
// person meets (404, 409, 422, a registry that is down or never answers).
#include "TestRegistry.h"

#include "serde/RegistryClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QTest>

using namespace kpw;
using namespace Qt::StringLiterals;

namespace {

QString unique(const QString &prefix)
{
    return prefix + u"-"_s + QString::number(QRandomGenerator::global()->generate64(), 16);
}

const QString kAvroV1 =
    uR"({"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"}]})"_s;
// Adds a field with a default: backward compatible with v1.
const QString kAvroV2 =
    uR"({"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]})"_s;
// Adds a field without a default: a reader of this cannot read v1 data.
const QString kAvroBreaking =
    uR"({"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"qty","type":"int"}]})"_s;

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT
    QString m_url;

    RegistryClient client(int timeoutMs = 15000)
    {
        RegistryConfig c;
        const auto r = c.set(u"schema.registry.url"_s, m_url);
        if (!r)
            qFatal("bad registry URL %s", qPrintable(m_url));
        c.timeoutMs = timeoutMs;
        return RegistryClient(c);
    }

    // Sets a subject's compatibility level through the Confluent API (the
    // client has no call for it; tests need BACKWARD to provoke a 409).
    void setCompatibility(const QString &subject, const QString &level)
    {
        QNetworkAccessManager nam;
        QNetworkRequest req(QUrl(m_url + u"/config/"_s + subject));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/vnd.schemaregistry.v1+json"));
        auto *reply = nam.put(req, QJsonDocument(QJsonObject{{u"compatibility"_s, level}}).toJson());
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_url = test::schemaRegistryUrl();
        QVERIFY(!m_url.isEmpty());
    }

    void registerGetVersionsById()
    {
        RegistryConfig cfg;
        QVERIFY(cfg.set(u"schema.registry.url"_s, m_url).ok());
        RegistryClient c(cfg);
        const QString subject = unique(u"orders"_s) + u"-value"_s;
        auto id = c.registerSchemaSync(subject, kAvroV1, u"avro"_s);
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));
        QVERIFY(*id > 0);
        // Registering the same schema again answers the same id.
        auto again = c.registerSchemaSync(subject, kAvroV1, u"AVRO"_s);
        QVERIFY(again.ok());
        QCOMPARE(*again, *id);

        auto latest = c.getSchemaSync(subject, u"latest"_s);
        QVERIFY2(latest.ok(), qPrintable(latest.ok() ? QString() : latest.error().message));
        QCOMPARE(latest->id, *id);
        QCOMPARE(latest->version, 1);
        QCOMPARE(latest->subject, subject);
        QCOMPARE(latest->schemaType, u"AVRO"_s);
        QCOMPARE(QJsonDocument::fromJson(latest->schema.toUtf8()), QJsonDocument::fromJson(kAvroV1.toUtf8()));

        auto id2 = c.registerSchemaSync(subject, kAvroV2, u"avro"_s);
        QVERIFY(id2.ok());
        QVERIFY(*id2 != *id);
        auto versions = c.listVersionsSync(subject);
        QVERIFY(versions.ok());
        QCOMPARE(*versions, (QList<int>{1, 2}));
        auto v1 = c.getSchemaSync(subject, u"1"_s);
        QVERIFY(v1.ok());
        QCOMPARE(v1->id, *id);
        auto v2 = c.getSchemaSync(subject, u"latest"_s);
        QVERIFY(v2.ok());
        QCOMPARE(v2->version, 2);
        QCOMPARE(v2->id, *id2);

        auto byId = c.getSchemaByIdSync(*id2);
        QVERIFY2(byId.ok(), qPrintable(byId.ok() ? QString() : byId.error().message));
        QCOMPARE(byId->id, *id2);
        QCOMPARE(QJsonDocument::fromJson(byId->schema.toUtf8()), QJsonDocument::fromJson(kAvroV2.toUtf8()));

        auto subjects = c.listSubjectsSync();
        QVERIFY(subjects.ok());
        QVERIFY2(subjects->contains(subject), qPrintable(subjects->join(u", "_s)));
    }

    void asyncApi()
    {
        auto c = client();
        const QString subject = unique(u"async"_s);
        QEventLoop loop;
        std::optional<Result<int>> got;
        c.registerSchema(subject, u"\"string\""_s, u"avro"_s, {}, [&](Result<int> r) {
            got.emplace(std::move(r));
            loop.quit();
        });
        QVERIFY(!got); // the answer comes later, on this thread's event loop
        QTimer::singleShot(15000, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY(got && got->ok());
    }

    void protobufAndJsonTypes()
    {
        auto c = client();
        const QString pb = unique(u"pb"_s);
        const QString proto = u"syntax = \"proto3\";\npackage acme;\n\nmessage Ping {\n  string id = 1;\n}\n"_s;
        auto id = c.registerSchemaSync(pb, proto, u"protobuf"_s);
        QVERIFY2(id.ok(), qPrintable(id.ok() ? QString() : id.error().message));
        auto got = c.getSchemaSync(pb, u"latest"_s);
        QVERIFY(got.ok());
        QCOMPARE(got->schemaType, u"PROTOBUF"_s);
        QVERIFY2(got->schema.contains(u"message Ping"_s), qPrintable(got->schema));

        const QString js = unique(u"js"_s);
        const QString jsonSchema = uR"({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]})"_s;
        auto jid = c.registerSchemaSync(js, jsonSchema, u"json"_s);
        QVERIFY2(jid.ok(), qPrintable(jid.ok() ? QString() : jid.error().message));
        auto jgot = c.getSchemaByIdSync(*jid);
        QVERIFY(jgot.ok());
        QCOMPARE(jgot->schemaType, u"JSON"_s);
    }

    void references()
    {
        auto c = client();
        // Avro: a named type from another subject.
        const QString addrSubject = unique(u"addr"_s);
        const QString address =
            uR"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]})"_s;
        auto addrId = c.registerSchemaSync(addrSubject, address, u"avro"_s);
        QVERIFY2(addrId.ok(), qPrintable(addrId.ok() ? QString() : addrId.error().message));
        const QString person =
            uR"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]})"_s;
        const QList<SchemaReference> refs{{u"com.acme.Address"_s, addrSubject, 1}};
        const QString personSubject = unique(u"person"_s);
        auto personId = c.registerSchemaSync(personSubject, person, u"avro"_s, refs);
        QVERIFY2(personId.ok(), qPrintable(personId.ok() ? QString() : personId.error().message));
        auto got = c.getSchemaSync(personSubject, u"latest"_s);
        QVERIFY(got.ok());
        QCOMPARE(got->references, refs);

        // Protobuf: an import resolved through a reference.
        const QString depSubject = unique(u"dep"_s);
        auto depId = c.registerSchemaSync(
            depSubject, u"syntax = \"proto3\";\npackage acme;\nmessage Money {\n  int64 cents = 1;\n}\n"_s,
            u"protobuf"_s);
        QVERIFY2(depId.ok(), qPrintable(depId.ok() ? QString() : depId.error().message));
        const QList<SchemaReference> pbRefs{{u"acme/money.proto"_s, depSubject, 1}};
        const QString mainSubject = unique(u"invoice"_s);
        auto mainId = c.registerSchemaSync(
            mainSubject,
            u"syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\nmessage Invoice {\n  acme.Money total = 1;\n}\n"_s,
            u"protobuf"_s, pbRefs);
        QVERIFY2(mainId.ok(), qPrintable(mainId.ok() ? QString() : mainId.error().message));
        auto pbGot = c.getSchemaByIdSync(*mainId);
        QVERIFY(pbGot.ok());
        QCOMPARE(pbGot->references, pbRefs);
    }

    void compatibility()
    {
        auto c = client();
        const QString subject = unique(u"compat"_s);
        // No version yet: nothing to break.
        auto empty = c.checkCompatibilitySync(subject, kAvroV1, u"avro"_s);
        QVERIFY2(empty.ok(), qPrintable(empty.ok() ? QString() : empty.error().message));
        QVERIFY(empty->compatible);

        QVERIFY(c.registerSchemaSync(subject, kAvroV1, u"avro"_s).ok());
        setCompatibility(subject, u"BACKWARD"_s);
        auto good = c.checkCompatibilitySync(subject, kAvroV2, u"avro"_s);
        QVERIFY2(good.ok(), qPrintable(good.ok() ? QString() : good.error().message));
        QVERIFY(good->compatible);
        auto bad = c.checkCompatibilitySync(subject, kAvroBreaking, u"avro"_s);
        QVERIFY(bad.ok());
        QVERIFY(!bad->compatible);
        QVERIFY2(!bad->messages.isEmpty(), "the registry's reason is passed on");

        // Registering it is refused with 409 and the registry's reason.
        auto refused = c.registerSchemaSync(subject, kAvroBreaking, u"avro"_s);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, std::int16_t(409));
        QVERIFY2(refused.error().message.startsWith(u"incompatible schema"_s) &&
                     refused.error().message.contains(subject) && refused.error().message.contains(u"qty"_s),
                 qPrintable(refused.error().message));
        // ... and the subject still has one version.
        QCOMPARE(*c.listVersionsSync(subject), QList<int>{1});
    }

    void notFound()
    {
        auto c = client();
        const QString missing = unique(u"missing"_s);
        auto s = c.getSchemaSync(missing, u"latest"_s);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, std::int16_t(404));
        // Confluent's registry answers 40401 (subject not found) here,
        // Apicurio 40402 (no version 'latest'): either names the subject.
        QVERIFY2((s.error().message.startsWith(u"subject not found"_s) && s.error().message.contains(u"40401"_s)) ||
                     (s.error().message.startsWith(u"version not found"_s) && s.error().message.contains(u"40402"_s)),
                 qPrintable(s.error().message));
        QVERIFY2(s.error().message.contains(missing), qPrintable(s.error().message));

        const QString subject = unique(u"nf"_s);
        QVERIFY(c.registerSchemaSync(subject, kAvroV1, u"avro"_s).ok());
        auto v = c.getSchemaSync(subject, u"7"_s);
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, std::int16_t(404));
        QVERIFY2(v.error().message.startsWith(u"version not found"_s) && v.error().message.contains(u"40402"_s),
                 qPrintable(v.error().message));

        auto id = c.getSchemaByIdSync(987654321);
        QVERIFY(!id.ok());
        QCOMPARE(id.error().code, std::int16_t(404));
        QVERIFY2(id.error().message.startsWith(u"schema not found"_s) && id.error().message.contains(u"40403"_s),
                 qPrintable(id.error().message));

        auto versions = c.listVersionsSync(missing);
        QVERIFY(!versions.ok());
        QCOMPARE(versions.error().code, std::int16_t(404));
    }

    void invalidSchema()
    {
        auto c = client();
        auto r = c.registerSchemaSync(unique(u"bad"_s), u"{\"type\": \"record\", \"name\": "_s, u"avro"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::int16_t(422));
        QVERIFY2(r.error().message.startsWith(u"invalid schema"_s) && r.error().message.contains(u"42201"_s),
                 qPrintable(r.error().message));
        auto t = c.registerSchemaSync(unique(u"bad"_s), kAvroV1, u"xml"_s);
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message.contains(u"unknown schema type"_s), qPrintable(t.error().message));
    }

    void registryDown()
    {
        // A port that was just free: nothing listens there.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        RegistryConfig cfg;
        QVERIFY(cfg.set(u"schema.registry.url"_s, u"http://127.0.0.1:%1"_s.arg(port)).ok());
        RegistryClient c(cfg);
        auto r = c.listSubjectsSync();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, std::int16_t(-1));
        QVERIFY2(r.error().message.contains(u"http://127.0.0.1:%1"_s.arg(port)) &&
                     r.error().message.contains(u"connection refused"_s),
                 qPrintable(r.error().message));
    }

    void registryNeverAnswers()
    {
        // Accepts the connection, reads the request, never answers. It also
        // shows the request carried basic auth.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QByteArray request;
        QList<QTcpSocket *> held;
        connect(&silent, &QTcpServer::newConnection, &silent, [&] {
            while (auto *s = silent.nextPendingConnection()) {
                held.append(s);
                connect(s, &QTcpSocket::readyRead, s, [s, &request] { request += s->readAll(); });
            }
        });
        RegistryConfig cfg;
        QVERIFY(
            cfg.set(u"schema.registry.url"_s, u"http://127.0.0.1:%1/apis/ccompat/v7"_s.arg(silent.serverPort())).ok());
        QVERIFY(cfg.set(u"basic.auth.user.info"_s, u"alice:s3cret"_s).ok());
        cfg.timeoutMs = 1500;
        RegistryClient c(cfg);
        QElapsedTimer t;
        t.start();
        auto r = c.getSchemaSync(u"x"_s, u"latest"_s);
        const auto elapsed = t.elapsed();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(u"did not answer within 1500 ms"_s) &&
                     r.error().message.contains(u"127.0.0.1"_s),
                 qPrintable(r.error().message));
        QVERIFY2(elapsed >= 1400 && elapsed < 6000, qPrintable(QString::number(elapsed)));
        QVERIFY2(request.startsWith("GET /apis/ccompat/v7/subjects/x/versions/latest "), request.constData());
        QVERIFY2(request.contains("Authorization: Basic " + QByteArray("alice:s3cret").toBase64()),
                 request.constData());
        qDeleteAll(held);
    }

    void tlsSettingsRefusedClearly()
    {
        RegistryConfig cfg;
        QVERIFY(cfg.set(u"schema.registry.url"_s, u"https://127.0.0.1:1"_s).ok());
        QVERIFY(cfg.set(u"schema.registry.ssl.ca.location"_s, u"/nonexistent/ca.pem"_s).ok());
        RegistryClient c(cfg);
        auto r = c.listSubjectsSync();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(u"schema.registry.ssl.ca.location"_s), qPrintable(r.error().message));
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
