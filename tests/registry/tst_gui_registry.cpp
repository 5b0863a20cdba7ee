// The Formats tab with the Schema Registry as the value's schema source, in
// the real window against the "registry" fixture (Apicurio) and the Kafka
// broker: a schema registered with RegistryClient is picked by subject and
// version and by id, sent, and read back with librdkafka as magic byte 0 +
// the id + the Avro payload; an unknown subject (404), a registry on a closed
// port and an incompatible registration (409) are shown in the picker, and
// Send sends nothing while no registry schema is resolved. Saves
// screenshots/formats-registry.png.
#include "GuiTest.h"
#include "RdkConsumer.h"
#include "TestBroker.h"
#include "TestRegistry.h"

#include "serde/RegistryClient.h"
#include "serde/Serializer.h"
#include "ui/DeliveryReportModel.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/SerdePanel.h"
#include "ui/SerdePicker.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using kpw::MainWindow;
using kpw::RegistryClient;
using kpw::RegistryConfig;
using kpw::SerdePicker;
using kpw::serde::Format;

namespace {

constexpr int kTimeoutMs = 15000;

const QString kOrderV1 = QStringLiteral(
    R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"n","type":"long"},{"name":"item","type":"string"}]})");
// A new field without a default: BACKWARD-incompatible with v1.
const QString kOrderBreaking = QStringLiteral(
    R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"n","type":"long"},{"name":"item","type":"string"},{"name":"qty","type":"int"}]})");

const QString kKeyProto = QStringLiteral(R"(syntax = "proto3";
package shop;
message Order {
  int64 n = 1;
  message Line { string item = 1; }
  Line line = 2;
}
message Refund { int64 n = 1; }
)");

using kpw::test::child;
using kpw::test::connectWindow;

QByteArray idBytes(int id)
{
    QByteArray out;
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((quint32(id) >> shift) & 0xff));
    return out;
}

// What serde's Avro serializer makes of JSON under SCHEMA (the payload the
// frame must carry).
QByteArray avroBytes(const QString &schema, const QString &json)
{
    kpw::serde::SerializerSpec spec;
    spec.format = Format::Avro;
    spec.schemaText = schema.toUtf8();
    auto serializer = kpw::serde::makeSerializer(spec);
    if (!serializer.ok())
        return {};
    auto bytes = serializer.value()->serialize(json);
    return bytes.ok() && bytes.value() ? *bytes.value() : QByteArray();
}

// Avro's zigzag varint, written out here so the test does not lean only on
// the encoder.
QByteArray zigzag(qint64 n)
{
    quint64 v = (quint64(n) << 1) ^ quint64(n >> 63);
    QByteArray out;
    while (v >= 0x80) {
        out.append(char((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
    return out;
}

} // namespace

class TestGuiRegistry final : public QObject
{
    Q_OBJECT

    QString m_url;

    RegistryClient client()
    {
        RegistryConfig c;
        if (!c.set(QStringLiteral("schema.registry.url"), m_url))
            qFatal("bad registry URL %s", qPrintable(m_url));
        return RegistryClient(c);
    }

    // BACKWARD for SUBJECT, so a breaking schema is refused with 409
    // (Apicurio's default is no rule).
    bool setCompatibility(const QString &subject, const QString &level)
    {
        QNetworkAccessManager nam;
        QNetworkRequest req(QUrl(m_url + QStringLiteral("/config/") + subject));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/vnd.schemaregistry.v1+json"));
        auto *reply = nam.put(req, QJsonDocument(QJsonObject{{QStringLiteral("compatibility"), level}}).toJson());
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
    }

    static void send(MainWindow &window)
    {
        window.formatsPanel()->valuePicker()->validateNow();
        QTest::mouseClick(child<QPushButton>(window, "sendButton"), Qt::LeftButton);
    }

private Q_SLOTS:
    void initTestCase();
    void fetchSendAndErrors();
    void references();
    void unauthorized();
};

void TestGuiRegistry::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear(); // a URL saved by an earlier run must not be there
    m_url = kpw::test::schemaRegistryUrl();
    QVERIFY(!m_url.isEmpty());
}

void TestGuiRegistry::fetchSendAndErrors()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-registry"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    const QString subject = topic + QStringLiteral("-value");

    RegistryClient registry = client();
    auto registered = registry.registerSchemaSync(subject, kOrderV1, QStringLiteral("AVRO"));
    QVERIFY2(registered.ok(), qPrintable(registered.ok() ? QString() : registered.error().message));
    const int id = *registered;
    QVERIFY(setCompatibility(subject, QStringLiteral("BACKWARD")));

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(connectWindow(window, boot), qPrintable(child<QLabel>(window, "connectionStatus")->text()));

    kpw::SerdePanel *formats = window.formatsPanel();
    QVERIFY(formats);
    SerdePicker *value = formats->valuePicker();
    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    auto *message = child<QLabel>(window, "statusMessage");
    QVERIFY(editor && message);
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("k"));
    const QString json = QStringLiteral(R"({"n": 42, "item": "tea"})");
    editor->setValue(json);

    // Registry source with no URL: Send refuses and says why.
    value->setRegistrySource(true);
    QCOMPARE(value->subject(), subject); // TopicNameStrategy from the composer's topic
    value->fetchSchema();
    QVERIFY2(value->registryStatus().contains(QStringLiteral("no Schema Registry URL")),
             qPrintable(value->registryStatus()));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")), qPrintable(message->text()));

    // By subject and version.
    formats->setRegistryUrl(m_url);
    value->setSchemaVersion(QStringLiteral("1"));
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    QCOMPARE(value->registrySchemaId(), id);
    QCOMPARE(value->format(), Format::Avro);
    QVERIFY2(value->schemaText().contains(QStringLiteral("\"Order\"")), qPrintable(value->schemaText()));
    const QString use = QStringLiteral("registry: %1 v1 id %2").arg(subject).arg(id);
    QVERIFY2(value->summary().contains(use), qPrintable(value->summary()));
    QVERIFY2(value->registryStatus().contains(use), qPrintable(value->registryStatus()));
    auto *badge = child<QLabel>(window, "formatsBadge");
    QVERIFY2(badge && badge->text().contains(QStringLiteral("value avro, id %1").arg(id)), qPrintable(badge->text()));
    QVERIFY2(badge->toolTip().contains(use), qPrintable(badge->toolTip()));

    const QByteArray payload = avroBytes(kOrderV1, json);
    QCOMPARE(payload, zigzag(42) + zigzag(3) + QByteArrayLiteral("tea"));
    const QByteArray expected = QByteArray(1, '\0') + idBytes(id) + payload;
    value->validateNow();
    QCOMPARE(value->previewBytes(), expected);
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent")), qPrintable(message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 1, kTimeoutMs);

    // By id.
    value->setSchemaId(id);
    QVERIFY(!value->isRegistryResolved()); // changed: must be fetched again
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    QCOMPARE(value->registrySchemaId(), id);
    QVERIFY2(value->summary().contains(QStringLiteral("registry: id %1").arg(id)), qPrintable(value->summary()));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent")), qPrintable(message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 2, kTimeoutMs);

    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 2, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 2, qPrintable(error));
    for (const kpw::test::ConsumedRecord &record : consumed) {
        const QByteArray bytes = record.value.value_or(QByteArray());
        QVERIFY(bytes.size() > 5);
        QCOMPARE(bytes.at(0), '\0');
        QCOMPARE(bytes.mid(1, 4), idBytes(id));
        QCOMPARE(bytes.mid(5), payload);
    }

    // An unknown subject: 404, named, and nothing sent.
    const QString unknown = topic + QStringLiteral("-nosuch");
    value->setSchemaId(-1);
    value->setSubject(unknown);
    value->setSchemaVersion(QStringLiteral("latest"));
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY(!value->isRegistryResolved());
    QVERIFY2(value->registryStatus().contains(unknown) && value->registryStatus().contains(QStringLiteral("404")) &&
                 value->registryStatus().contains(m_url),
             qPrintable(value->registryStatus()));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")) && message->text().contains(unknown),
             qPrintable(message->text()));
    QTest::qWait(300);
    QCOMPARE(window.reportModel()->rowCount(), 2);

    // Registering an incompatible schema: 409 with the registry's reason.
    value->setSubject(subject);
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    child<QPushButton>(window, "editSchemaButton")->click();
    QVERIFY(!value->isRegistryResolved());
    value->setSchemaText(kOrderBreaking);
    value->registerSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY(!value->isRegistryResolved());
    QVERIFY2(value->registryStatus().contains(QStringLiteral("409")) &&
                 value->registryStatus().contains(QStringLiteral("incompatible")) &&
                 value->registryStatus().contains(subject),
             qPrintable(value->registryStatus()));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")), qPrintable(message->text()));

    // A compatible one registers: the new id is used.
    const QString v2 = QStringLiteral(
        R"({"type":"record","name":"Order","namespace":"shop","fields":[{"name":"n","type":"long"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]})");
    value->setSchemaText(v2);
    value->registerSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    const int newId = value->registrySchemaId();
    QVERIFY(newId != id);
    QVERIFY2(value->registryStatus().contains(QStringLiteral("Registered: id %1").arg(newId)),
             qPrintable(value->registryStatus()));
    QVERIFY2(value->summary().contains(QStringLiteral("registry: %1 v2 id %2").arg(subject).arg(newId)),
             qPrintable(value->summary()));

    // A registry on a closed port: a clear connection error, nothing sent.
    auto *tabs = child<QTabWidget>(window, "composerTabs");
    tabs->setCurrentWidget(formats);
    const QString goodSummary = value->summary();
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort());
    probe.close();
    formats->setRegistryUrl(closed);
    QVERIFY(!value->isRegistryResolved()); // the registry changed under it
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY(!value->isRegistryResolved());
    QVERIFY2(value->registryStatus().contains(closed) &&
                 value->registryStatus().contains(QStringLiteral("connection refused")),
             qPrintable(value->registryStatus()));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")) &&
                 message->text().contains(QStringLiteral("connection refused")),
             qPrintable(message->text()));
    QTest::qWait(300);
    QCOMPARE(window.reportModel()->rowCount(), 2);

    // Back to the real registry for the screenshot: fetched, in use.
    formats->setRegistryUrl(m_url);
    formats->setRegistryUserInfo(QStringLiteral("demo:secret"));
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    QCOMPARE(value->summary(), goodSummary);
    editor->setValue(QStringLiteral(R"({"n": 42, "item": "tea", "qty": 2})"));
    value->validateNow();
    QVERIFY2(value->inputError().isEmpty(), qPrintable(value->inputError()));

    // The key from the registry too, as Protobuf: the user picks the message
    // type among those the schema defines, and the frame carries its index
    // path after the id (a zigzag-varint count, then each index).
    const QString keySubject = topic + QStringLiteral("-key");
    auto keyId = registry.registerSchemaSync(keySubject, kKeyProto, QStringLiteral("PROTOBUF"));
    QVERIFY2(keyId.ok(), qPrintable(keyId.ok() ? QString() : keyId.error().message));
    SerdePicker *key = formats->keyPicker();
    editor->setKey(QStringLiteral(R"({"n": 5})"));
    key->setRegistrySource(true);
    QCOMPARE(key->subject(), keySubject);
    key->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!key->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(key->isRegistryResolved(), qPrintable(key->registryStatus()));
    QCOMPARE(key->format(), Format::Protobuf);
    QCOMPARE(key->messageTypes(), (QStringList{QStringLiteral("shop.Order"), QStringLiteral("shop.Order.Line"),
                                               QStringLiteral("shop.Refund")}));
    key->setMessageType(QStringLiteral("shop.Order.Line"));
    key->setInput(QStringLiteral(R"({"item": "a"})"));
    key->validateNow();
    QCOMPARE(key->previewBytes(),
             QByteArray(1, '\0') + idBytes(*keyId) + QByteArray::fromHex("040000") + QByteArray::fromHex("0a0161"));
    key->setMessageType(QStringLiteral("shop.Refund"));
    key->setInput(QStringLiteral(R"({"n": 5})"));
    key->validateNow();
    QCOMPARE(key->previewBytes(),
             QByteArray(1, '\0') + idBytes(*keyId) + QByteArray::fromHex("0202") + QByteArray::fromHex("0805"));

    send(window); // and the registry is in use again
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent")), qPrintable(message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 3, kTimeoutMs);
    const QList<kpw::test::ConsumedRecord> all =
        kpw::test::consumeAll(boot, topic, 3, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(all.size() == 3, qPrintable(error));
    QCOMPARE(all.last().key.value_or(QByteArray()), key->previewBytes());
    QCOMPARE(all.last().value.value_or(QByteArray()).mid(1, 4), idBytes(newId));
    QTest::qWait(100);
    const QString out = QStringLiteral(KPW_SCREENSHOT_DIR);
    QDir().mkpath(out);
    QVERIFY(window.grab().save(out + QStringLiteral("/formats-registry.png")));
    QCOMPARE(window.width(), 1280); // the registry controls fit beside each other
    tabs->setCurrentIndex(0);
    QTest::qWait(50);
    QVERIFY(window.grab().save(out + QStringLiteral("/formats-registry-composer.png")));

    // The record strategies name the subject from the schema in the editor.
    value->setSubjectStrategy(1); // RecordName
    QCOMPARE(value->subject(), QStringLiteral("shop.Order"));
    value->setSubjectStrategy(2); // TopicRecordName
    QCOMPARE(value->subject(), topic + QStringLiteral("-shop.Order"));
    QVERIFY(!value->isRegistryResolved()); // another subject: Fetch again
    value->setSubjectStrategy(0);
    QCOMPARE(value->subject(), subject);

    // Closing saves the registry's URL, never the basic-auth user info.
    QVERIFY(window.close());
    QSettings settings;
    QCOMPARE(settings.value(QStringLiteral("schemaRegistry/url")).toString(), m_url);
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
    QVERIFY(!file.readAll().contains("secret"));
    MainWindow again;
    QCOMPARE(again.formatsPanel()->registryUrl(), m_url);
}

// Registry schemas with references, fetched in the window: the value's Avro
// schema uses a record from another subject (itself using an enum from a
// third), the key's Protobuf imports another subject's .proto. The picker
// says it resolves them, keeps showing the main schema, and what is sent
// (read back with librdkafka) is checked against bytes written out here. A
// reference to a subject that is gone is named with the registry's reason,
// and Send sends nothing.
void TestGuiRegistry::references()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-registry-refs"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    RegistryClient registry = client();
    auto check = [](const kpw::Result<int> &r) { return r.ok() ? QString() : r.error().message; };

    const QString countrySubject = topic + QStringLiteral("-country");
    auto countryId = registry.registerSchemaSync(
        countrySubject,
        QStringLiteral(R"({"type":"enum","name":"Country","namespace":"com.geo","symbols":["FR","DE"]})"),
        QStringLiteral("AVRO"));
    QVERIFY2(countryId.ok(), qPrintable(check(countryId)));
    const QString addrSubject = topic + QStringLiteral("-address");
    auto addrId = registry.registerSchemaSync(
        addrSubject,
        QStringLiteral(
            R"({"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"},{"name":"country","type":"com.geo.Country"}]})"),
        QStringLiteral("AVRO"), {{QStringLiteral("com.geo.Country"), countrySubject, 1}});
    QVERIFY2(addrId.ok(), qPrintable(check(addrId)));
    const QString person = QStringLiteral(
        R"({"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"home","type":"Address"},{"name":"work","type":"com.acme.Address"}]})");
    auto valueId = registry.registerSchemaSync(topic + QStringLiteral("-value"), person, QStringLiteral("AVRO"),
                                               {{QStringLiteral("com.acme.Address"), addrSubject, 1}});
    QVERIFY2(valueId.ok(), qPrintable(check(valueId)));

    const QString moneySubject = topic + QStringLiteral("-money");
    QVERIFY(registry
                .registerSchemaSync(moneySubject,
                                    QStringLiteral("syntax = \"proto3\";\npackage acme;\nmessage Money {\n  int64 "
                                                   "cents = 1;\n}\n"),
                                    QStringLiteral("PROTOBUF"))
                .ok());
    const QString invoice = QStringLiteral("syntax = \"proto3\";\npackage acme;\nimport \"acme/money.proto\";\n"
                                           "message Invoice {\n  acme.Money total = 1;\n}\n");
    auto keyId = registry.registerSchemaSync(topic + QStringLiteral("-key"), invoice, QStringLiteral("PROTOBUF"),
                                             {{QStringLiteral("acme/money.proto"), moneySubject, 1}});
    QVERIFY2(keyId.ok(), qPrintable(check(keyId)));

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(connectWindow(window, boot), qPrintable(child<QLabel>(window, "connectionStatus")->text()));
    kpw::SerdePanel *formats = window.formatsPanel();
    formats->setRegistryUrl(m_url);
    SerdePicker *value = formats->valuePicker();
    SerdePicker *key = formats->keyPicker();
    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    auto *message = child<QLabel>(window, "statusMessage");
    QVERIFY(editor && message);
    editor->setTopic(topic);
    editor->setKey(QStringLiteral(R"({"total": {"cents": 1250}})"));
    editor->setValue(QStringLiteral(
        R"({"name": "Ada", "home": {"city": "Oslo", "country": "DE"}, "work": {"city": "Bergen", "country": "FR"}})"));

    // Avro: Address (and, through it, Country) from their subjects.
    QSignalSpy valueStatus(value, &SerdePicker::registryStatusChanged);
    value->setRegistrySource(true);
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(value->isRegistryResolved(), qPrintable(value->registryStatus()));
    bool sawResolving = false;
    for (const QList<QVariant> &args : valueStatus)
        sawResolving = sawResolving || args.at(0).toString().contains(QStringLiteral("resolving 1 reference\u2026"));
    QVERIFY2(sawResolving, "the picker said it was resolving the reference");
    QCOMPARE(value->registrySchemaId(), *valueId);
    QCOMPARE(value->registryReferenceCount(), 2);
    QVERIFY2(value->registryStatus().contains(QStringLiteral("2 referenced schemas resolved")),
             qPrintable(value->registryStatus()));
    QCOMPARE(value->schemaText(), person); // the main schema is shown, as the registry has it
    const QByteArray valuePayload =
        zigzag(3) + "Ada" + zigzag(4) + "Oslo" + zigzag(1) + zigzag(6) + "Bergen" + zigzag(0);
    value->validateNow();
    QVERIFY2(value->inputError().isEmpty(), qPrintable(value->inputError()));
    QCOMPARE(value->previewBytes(), QByteArray(1, '\0') + idBytes(*valueId) + valuePayload);

    // Protobuf: the import written under its name.
    key->setRegistrySource(true);
    key->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!key->isRegistryBusy(), kTimeoutMs);
    QVERIFY2(key->isRegistryResolved(), qPrintable(key->registryStatus()));
    QCOMPARE(key->format(), Format::Protobuf);
    QCOMPARE(key->registryReferenceCount(), 1);
    QCOMPARE(key->schemaText(), invoice);
    QVERIFY2(key->messageTypes().contains(QStringLiteral("acme.Invoice")), qPrintable(key->messageTypes().join(u',')));
    key->setMessageType(QStringLiteral("acme.Invoice"));
    key->validateNow();
    QVERIFY2(key->inputError().isEmpty(), qPrintable(key->inputError()));
    // Invoice is message [0] (one 0 byte); total = field 1, Money.cents = 1250.
    const QByteArray keyBytes =
        QByteArray(1, '\0') + idBytes(*keyId) + QByteArray(1, '\0') + QByteArray::fromHex("0a0308e209");
    QCOMPARE(key->previewBytes(), keyBytes);

    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent")), qPrintable(message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 1, kTimeoutMs);
    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 1, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 1, qPrintable(error));
    QCOMPARE(consumed[0].key.value_or(QByteArray()), keyBytes);
    QCOMPARE(consumed[0].value.value_or(QByteArray()), QByteArray(1, '\0') + idBytes(*valueId) + valuePayload);

    // A reference to a subject deleted for good: named, with the registry's
    // reason; nothing is in use and nothing is sent.
    const QString gone = topic + QStringLiteral("-gone");
    QVERIFY(
        registry
            .registerSchemaSync(
                gone,
                QStringLiteral(
                    R"({"type":"record","name":"Gone","namespace":"com.acme","fields":[{"name":"c","type":"string"}]})"),
                QStringLiteral("AVRO"))
            .ok());
    const QString orphan = topic + QStringLiteral("-orphan");
    QVERIFY(
        registry
            .registerSchemaSync(
                orphan,
                QStringLiteral(
                    R"({"type":"record","name":"P","namespace":"com.acme","fields":[{"name":"g","type":"com.acme.Gone"}]})"),
                QStringLiteral("AVRO"), {{QStringLiteral("com.acme.Gone"), gone, 1}})
            .ok());
    for (const QString &query : {QString(), QStringLiteral("?permanent=true")}) {
        QNetworkAccessManager nam;
        auto *reply = nam.deleteResource(QNetworkRequest(QUrl(m_url + QStringLiteral("/subjects/") + gone + query)));
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }
    value->setSubject(orphan);
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY(!value->isRegistryResolved());
    const QString status = value->registryStatus();
    QVERIFY2(status.contains(QStringLiteral("reference 'com.acme.Gone' (subject '%1' version 1)").arg(gone)) &&
                 status.contains(QStringLiteral("404")) && status.contains(QStringLiteral("40402")),
             qPrintable(status));
    send(window);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")) &&
                 message->text().contains(QStringLiteral("com.acme.Gone")),
             qPrintable(message->text()));
    QTest::qWait(300);
    QCOMPARE(window.reportModel()->rowCount(), 1);
}

// Apicurio 2.x has no HTTP basic auth: a registry that answers 401 to
// everything stands in, and shows the picker sent the typed credentials.
void TestGuiRegistry::unauthorized()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QByteArray request;
    connect(&server, &QTcpServer::newConnection, &server, [&server, &request] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket, &request] {
            request += socket->readAll();
            if (!request.contains("\r\n\r\n"))
                return;
            const QByteArray body = R"({"error_code":40101,"message":"Unauthorized"})";
            socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: " +
                          QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    });
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort());

    kpw::SerdePanel panel;
    panel.setRegistryUrl(url);
    panel.setRegistryUserInfo(QStringLiteral("alice:wrong"));
    SerdePicker *value = panel.valuePicker();
    value->setRegistrySource(true);
    value->setSubject(QStringLiteral("orders-value"));
    value->fetchSchema();
    QTRY_VERIFY_WITH_TIMEOUT(!value->isRegistryBusy(), kTimeoutMs);
    QVERIFY(!value->isRegistryResolved());
    const QString status = value->registryStatus();
    QVERIFY2(status.contains(QStringLiteral("401")) && status.contains(QStringLiteral("authentication failed")) &&
                 status.contains(url) && status.contains(QStringLiteral("orders-value")),
             qPrintable(status));
    QVERIFY2(request.contains("Authorization: Basic " + QByteArrayLiteral("alice:wrong").toBase64()),
             request.constData());
    auto sent = value->serialize(QStringLiteral("{}"));
    QVERIFY(!sent.ok());
    QVERIFY2(sent.error().toString().contains(QStringLiteral("401")), qPrintable(sent.error().toString()));
}

QTEST_MAIN(TestGuiRegistry)
#include "tst_gui_registry.moc"
