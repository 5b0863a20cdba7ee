// The composer's Formats tab in the real window against the broker: an Avro
// value and an int64 key are sent as the bytes their serializers make
// (templates expanded per copy first); a value that does not fit its schema
// is marked in the editor and nothing is sent.
#include "GuiTest.h"
#include "RdkConsumer.h"
#include "TestBroker.h"

#include "ui/DeliveryReportModel.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/SerdePanel.h"
#include "ui/SerdePicker.h"

#include "ui/QsciIncludes.h"

#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using kpw::DeliveryReportModel;
using kpw::MainWindow;
using kpw::serde::Format;

namespace {

constexpr int kTimeoutMs = 15000;

using kpw::test::child;
using kpw::test::connectWindow;

// Avro's zigzag varint, written out here so the test does not lean on the
// encoder it checks.
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

class TestFormatsSend final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void avroValueInt64Key();
};

void TestFormatsSend::avroValueInt64Key()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-formats"));
    KPW_CREATE_TOPIC(boot, topic, 1);

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(connectWindow(window, boot), qPrintable(child<QLabel>(window, "connectionStatus")->text()));

    kpw::SerdePanel *formats = window.formatsPanel();
    QVERIFY(formats);
    formats->keyPicker()->setFormat(Format::Int64);
    formats->valuePicker()->setFormat(Format::Avro);
    formats->valuePicker()->setSchemaText(QStringLiteral(
        R"({"type": "record", "name": "Order", "fields": [{"name": "n", "type": "long"}, {"name": "item", "type": "string"}]})"));
    QVERIFY2(formats->valuePicker()->schemaError().isEmpty(), qPrintable(formats->valuePicker()->schemaError()));

    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    auto *sendButton = child<QPushButton>(window, "sendButton");
    auto *message = child<QLabel>(window, "statusMessage");
    auto *valueEdit = child<QsciScintilla>(window, "valueEditor");
    QVERIFY(editor && sendButton && message && valueEdit);
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("{{seq}}"));

    // Not valid for the schema: the send is refused, the editor marks it.
    editor->setValue(QStringLiteral("{\"n\": 1,\n \"item\": 7}"));
    formats->valuePicker()->validateNow();
    QVERIFY(!formats->valuePicker()->inputError().isEmpty());
    auto *badge = child<QLabel>(window, "formatsBadge");
    QVERIFY(badge);
    QVERIFY2(badge->text().contains(QStringLiteral("value avro")), qPrintable(badge->text()));
    QTest::mouseClick(sendButton, Qt::LeftButton);
    QVERIFY2(message->text().startsWith(QStringLiteral("Nothing sent")), qPrintable(message->text()));
    QVERIFY2(message->text().contains(QStringLiteral("item")), qPrintable(message->text()));
    QTest::qWait(300);
    QCOMPARE(window.reportModel()->rowCount(), 0);

    // Broken JSON: the error is annotated under its line.
    editor->setValue(QStringLiteral("{\"n\": 1,\n \"item\": }"));
    formats->valuePicker()->validateNow();
    QVERIFY2(valueEdit->annotation(1).contains(QStringLiteral("line 2")), qPrintable(valueEdit->annotation(1)));

    // Valid: three copies, each serialized after its template is expanded.
    editor->setValue(QStringLiteral("{\"n\": {{seq}}, \"item\": \"tea\"}"));
    formats->valuePicker()->validateNow();
    QCOMPARE(valueEdit->annotation(1), QString());
    editor->setCopies(3);
    QTest::mouseClick(sendButton, Qt::LeftButton);
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent 3 records")), qPrintable(message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 3, kTimeoutMs);

    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 3, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 3, qPrintable(error));
    QSet<qint64> seen;
    for (const kpw::test::ConsumedRecord &record : consumed) {
        QVERIFY(record.key && record.key->size() == 8);
        qint64 n = 0;
        for (char c : *record.key)
            n = (n << 8) | quint8(c);
        seen.insert(n);
        QCOMPARE(record.value.value_or(QByteArray()), zigzag(n) + zigzag(3) + QByteArrayLiteral("tea"));
    }
    QCOMPARE(seen, (QSet<qint64>{1, 2, 3}));

    auto *tabs = child<QTabWidget>(window, "composerTabs");
    tabs->setCurrentWidget(formats);
    QTest::qWait(50);
    const QString out = QStringLiteral(KPW_SCREENSHOT_DIR);
    QDir().mkpath(out);
    QVERIFY(window.grab().save(out + QStringLiteral("/formats-tab.png")));
}

QTEST_MAIN(TestFormatsSend)
#include "tst_formats_send.moc"
