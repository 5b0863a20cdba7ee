// The key/value serializer pickers: format choice, schema parsing, the
// verdict on the typed input (line and column, JSON path), "Example from
// schema", the wire preview's bytes and the framing hook.
#include "ui/SerdePanel.h"
#include "ui/SerdePicker.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using kpw::SerdePanel;
using kpw::SerdePicker;
using kpw::serde::Format;

namespace {

const char *kAvroSchema = R"({"type": "record", "name": "Order", "namespace": "shop",
 "fields": [{"name": "id", "type": "int"}, {"name": "name", "type": "string"}]})";

const char *kProto = R"(syntax = "proto3";
package shop.v1;
message Customer { string name = 1; }
message Order { int32 id = 1; string name = 2; }
)";

QString lastVerdict(SerdePicker &picker)
{
    return picker.findChild<QLabel *>(QStringLiteral("verdict"))->text();
}

} // namespace

class TestSerdePicker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stringByDefaultShowsBytes();
    void intFormatsAreBigEndian();
    void avroBytesAndErrors();
    void protobufTypeIsChosenNotGuessed();
    void jsonSchemaNamesThePath();
    void exampleFromSchemaIsValid();
    void framerWrapsPreviewAndSend();
    void nullSendsNoBytes();
    void screenshot();
};

void TestSerdePicker::stringByDefaultShowsBytes()
{
    SerdePicker picker(QStringLiteral("Value"));
    QCOMPARE(picker.format(), Format::String);
    picker.setInput(QStringLiteral("héllo"));
    picker.validateNow();
    QCOMPARE(picker.previewBytes(), QByteArrayLiteral("h\xc3\xa9llo"));
    const QString dump = picker.findChild<QPlainTextEdit *>(QStringLiteral("wirePreview"))->toPlainText();
    QVERIFY2(dump.startsWith(QStringLiteral("000000  68 c3 a9 6c 6c 6f")), qPrintable(dump));
}

void TestSerdePicker::intFormatsAreBigEndian()
{
    SerdePicker picker(QStringLiteral("Key"));
    picker.setFormat(Format::Int32);
    picker.setInput(QStringLiteral("258"));
    picker.validateNow();
    QCOMPARE(picker.previewBytes(), QByteArray::fromHex("00000102"));
    picker.setFormat(Format::Int64);
    picker.setInput(QStringLiteral("-2"));
    picker.validateNow();
    QCOMPARE(picker.previewBytes(), QByteArray::fromHex("fffffffffffffffe"));
    picker.setInput(QStringLiteral("twelve"));
    picker.validateNow();
    QVERIFY(picker.previewBytes().isEmpty());
    QVERIFY2(!picker.inputError().isEmpty(), "a word is not an int64");
}

void TestSerdePicker::avroBytesAndErrors()
{
    SerdePicker picker(QStringLiteral("Value"));
    picker.setFormat(Format::Avro);
    QVERIFY2(!picker.schemaError().isEmpty(), "Avro without a schema must say it needs one");
    picker.setSchemaText(QString::fromUtf8(kAvroSchema));
    QVERIFY2(picker.schemaError().isEmpty(), qPrintable(picker.schemaError()));

    QSignalSpy validated(&picker, &SerdePicker::inputValidated);
    // Avro binary by hand: zigzag(1) = 02, string length zigzag(2) = 04, "ab".
    picker.setInput(QStringLiteral("{\"id\": 1, \"name\": \"ab\"}"));
    picker.validateNow();
    QCOMPARE(picker.previewBytes(), QByteArray::fromHex("02046162"));
    QVERIFY(validated.last().at(0).toBool());

    // Broken JSON: the verdict carries line and column.
    picker.setInput(QStringLiteral("{\n  \"id\": 1,\n  \"name\": }"));
    picker.validateNow();
    QVERIFY(!validated.last().at(0).toBool());
    QCOMPARE(validated.last().at(1).toInt(), 3);
    QVERIFY(validated.last().at(2).toInt() > 0);
    QVERIFY2(lastVerdict(picker).contains(QStringLiteral("line 3")), qPrintable(lastVerdict(picker)));

    // A wrong type names the field.
    picker.setInput(QStringLiteral("{\"id\": \"one\", \"name\": \"ab\"}"));
    picker.validateNow();
    QVERIFY(picker.previewBytes().isEmpty());
    QVERIFY2(picker.inputError().contains(QStringLiteral("id")), qPrintable(picker.inputError()));
    auto sent = picker.serialize(QStringLiteral("{\"id\": \"one\", \"name\": \"ab\"}"));
    QVERIFY(!sent.ok());

    // A broken schema is reported, and nothing serializes.
    picker.setSchemaText(QStringLiteral("{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"x\"}]}"));
    QVERIFY(!picker.schemaError().isEmpty());
    QVERIFY(!picker.serializer());
    QVERIFY(!picker.serialize(QStringLiteral("{}")).ok());
}

void TestSerdePicker::protobufTypeIsChosenNotGuessed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        QFile f(dir.filePath(QStringLiteral("order.proto")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kProto);
    }
    SerdePicker picker(QStringLiteral("Value"));
    QString error;
    picker.loadSchemaFile(dir.filePath(QStringLiteral("order.proto")), &error);
    QCOMPARE(picker.format(), Format::Protobuf);
    QCOMPARE(picker.messageTypes(), (QStringList{QStringLiteral("shop.v1.Customer"), QStringLiteral("shop.v1.Order")}));
    // Two messages and none chosen: no serializer, and the reason lists them.
    QVERIFY(!picker.serializer());
    QVERIFY2(picker.schemaError().contains(QStringLiteral("shop.v1.Order")), qPrintable(picker.schemaError()));

    picker.setMessageType(QStringLiteral("shop.v1.Order"));
    QVERIFY2(picker.serializer(), qPrintable(picker.schemaError()));
    picker.setInput(QStringLiteral("{\"id\": 150, \"name\": \"x\"}"));
    picker.validateNow();
    // Field 1 varint 150 = 08 96 01; field 2 length 1 "x" = 12 01 78.
    QCOMPARE(picker.previewBytes(), QByteArray::fromHex("089601120178"));

    picker.setInput(QStringLiteral("{\"id\": 1, \"colour\": \"red\"}"));
    picker.validateNow();
    QVERIFY2(picker.inputError().contains(QStringLiteral("colour")), qPrintable(picker.inputError()));
}

void TestSerdePicker::jsonSchemaNamesThePath()
{
    SerdePicker picker(QStringLiteral("Value"));
    picker.setFormat(Format::JsonSchema);
    picker.setSchemaText(QStringLiteral(R"({"$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object", "required": ["qty"],
      "properties": {"qty": {"type": "integer", "minimum": 1}}})"));
    QVERIFY2(picker.schemaError().isEmpty(), qPrintable(picker.schemaError()));
    picker.setInput(QStringLiteral("{\"qty\": 0}"));
    picker.validateNow();
    QVERIFY2(picker.inputError().contains(QStringLiteral("qty")), qPrintable(picker.inputError()));
    picker.setInput(QStringLiteral("{\"qty\": 3}"));
    picker.validateNow();
    QVERIFY2(picker.inputError().isEmpty(), qPrintable(picker.inputError()));
    QCOMPARE(picker.previewBytes(), QByteArrayLiteral("{\"qty\": 3}"));
}

void TestSerdePicker::exampleFromSchemaIsValid()
{
    SerdePicker picker(QStringLiteral("Value"));
    picker.setFormat(Format::Avro);
    picker.setSchemaText(QString::fromUtf8(kAvroSchema));
    QSignalSpy example(&picker, &SerdePicker::exampleReady);
    auto *button = picker.findChild<QPushButton *>(QStringLiteral("exampleButton"));
    QVERIFY(button && button->isEnabled());
    button->click();
    QCOMPARE(example.count(), 1);
    const QString sample = example.first().first().toString();
    picker.setInput(sample);
    picker.validateNow();
    QVERIFY2(picker.inputError().isEmpty(), qPrintable(sample + QStringLiteral(": ") + picker.inputError()));
    QVERIFY(!picker.previewBytes().isEmpty());
}

void TestSerdePicker::framerWrapsPreviewAndSend()
{
    SerdePicker picker(QStringLiteral("Value"));
    picker.setFormat(Format::Int32);
    picker.setFramer(
        [](const QByteArray &payload) -> kpw::serde::SerdeResult<QByteArray> {
            return QByteArray::fromHex("0000000007") + payload;
        },
        QStringLiteral("schema id 7"));
    picker.setInput(QStringLiteral("1"));
    picker.validateNow();
    QCOMPARE(picker.previewBytes(), QByteArray::fromHex("000000000700000001"));
    auto sent = picker.serialize(QStringLiteral("1"));
    QVERIFY(sent.ok() && sent.value());
    QCOMPARE(*sent.value(), QByteArray::fromHex("000000000700000001"));
}

void TestSerdePicker::nullSendsNoBytes()
{
    SerdePicker picker(QStringLiteral("Value"));
    picker.setFormat(Format::Null);
    auto sent = picker.serialize(QStringLiteral("ignored"));
    QVERIFY(sent.ok());
    QVERIFY(!sent.value().has_value());
    picker.setFormat(Format::Json);
    picker.setInput(QString(), true);
    picker.validateNow();
    QVERIFY(picker.inputError().isEmpty());
    QVERIFY(lastVerdict(picker).contains(QStringLiteral("null")));
}

void TestSerdePicker::screenshot()
{
    QTemporaryDir dir;
    {
        QFile f(dir.filePath(QStringLiteral("order.proto")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kProto);
    }
    SerdePanel panel;
    panel.resize(1240, 620);
    panel.keyPicker()->setFormat(Format::Int64);
    panel.keyPicker()->setInput(QStringLiteral("42"));
    panel.keyPicker()->validateNow();
    panel.valuePicker()->loadSchemaFile(dir.filePath(QStringLiteral("order.proto")));
    panel.valuePicker()->setMessageType(QStringLiteral("shop.v1.Order"));
    panel.valuePicker()->setInput(QStringLiteral("{\"id\": 150, \"name\": \"espresso beans, 1 kg\"}"));
    panel.valuePicker()->validateNow();
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(50);
    const QString out = QStringLiteral(KPW_SCREENSHOT_DIR);
    QDir().mkpath(out);
    QVERIFY(panel.grab().save(out + QStringLiteral("/serde-picker.png")));
}

QTEST_MAIN(TestSerdePicker)
#include "tst_serdepicker.moc"
