#include "GuiTest.h"
#include "RdkConsumer.h"
#include "TestBroker.h"

#include "ui/DeliveryReportModel.h"
#include "ui/DeliveryReportView.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/ProducerSettingsWidget.h"

#include "ui/QsciIncludes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSet>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <algorithm>

using kpw::DeliveryReportModel;
using kpw::MainWindow;

namespace {

constexpr int kTimeoutMs = 15000;

using kpw::test::child;
using kpw::test::connectWindow;

QModelIndex findTopic(const QAbstractItemModel *model, const QString &topic)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(Qt::UserRole + 1).toString() == topic) // TopicListModel::NameRole
            return index;
    }
    return {};
}

QString cell(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

void selectCombo(QComboBox *combo, const QString &text)
{
    QVERIFY2(combo->findText(text) >= 0, qPrintable(text));
    combo->setCurrentIndex(combo->findText(text));
}

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

} // namespace

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void connectSelectAndSend();
    void sendCopiesWithSeq();
    void producerSettingsApplyOnConnect();
    void sendWithoutTopicSaysSo();
    void sendWhileDisconnectedSaysSo();
    void emptyBootstrapSaysSo();
    void unreachableBootstrapShowsError();
    void secretsNotSavedInPlainText();
    void testConnectionReports();
};

void TestMainWindow::initTestCase()
{
    // Settings (last bootstrap, geometry) go to a throw-away test location.
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::connectSelectAndSend()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-smoke"));
    KPW_CREATE_TOPIC(boot, topic, 3);

    MainWindow window;
    QCOMPARE(window.windowTitle(), QStringLiteral("Kafka Producer Workbench"));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *bootstrapEdit = child<QLineEdit>(window, "bootstrapEdit");
    auto *connectButton = child<QPushButton>(window, "connectButton");
    auto *status = child<QLabel>(window, "connectionStatus");
    auto *topicList = child<QListView>(window, "topicList");
    auto *topicFilter = child<QLineEdit>(window, "topicFilter");
    auto *topicEdit = child<QLineEdit>(window, "topicEdit");
    auto *partitionSpin = child<QSpinBox>(window, "partitionSpin");
    auto *keyEdit = child<QLineEdit>(window, "keyEdit");
    auto *nullKey = child<QCheckBox>(window, "nullKeyCheck");
    auto *valueEditor = child<QsciScintilla>(window, "valueEditor");
    auto *sendButton = child<QPushButton>(window, "sendButton");
    auto *reportView = child<QTableView>(window, "reportView");
    auto *counts = child<QLabel>(window, "countsLabel");
    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    QVERIFY(bootstrapEdit && connectButton && status && topicList && topicFilter && topicEdit && partitionSpin &&
            keyEdit && nullKey && valueEditor && sendButton && reportView && counts && editor);

    bootstrapEdit->clear();
    QTest::keyClicks(bootstrapEdit, boot);
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(status->property("connected").toBool(), qPrintable(status->text()), kTimeoutMs);

    // The topic shows with its partition count; internal topics do not show.
    QAbstractItemModel *topics = topicList->model();
    QTRY_VERIFY_WITH_TIMEOUT(findTopic(topics, topic).isValid(), kTimeoutMs);
    QCOMPARE(findTopic(topics, topic).data().toString(), topic + QStringLiteral("  (3)"));
    for (int row = 0; row < topics->rowCount(); ++row)
        QVERIFY2(!cell(topics, row, 0).startsWith(QStringLiteral("__")), qPrintable(cell(topics, row, 0)));

    // The filter narrows the list to the matching topic.
    QTest::keyClicks(topicFilter, topic.right(10).toUpper());
    QCOMPARE(topics->rowCount(), 1);
    topicFilter->clear();

    const QModelIndex index = findTopic(topics, topic);
    topicList->scrollTo(index);
    QTest::mouseClick(topicList->viewport(), Qt::LeftButton, Qt::NoModifier, topicList->visualRect(index).center());
    QCOMPARE(topicEdit->text(), topic);
    QCOMPARE(partitionSpin->minimum(), -1);
    QCOMPARE(partitionSpin->maximum(), 2);
    QCOMPARE(partitionSpin->value(), -1);
    QCOMPARE(partitionSpin->text(), QStringLiteral("auto"));

    // Record 1: typed key and value, one header, partition chosen by the partitioner.
    QVERIFY(nullKey->isChecked());
    QTest::keyClicks(keyEdit, QStringLiteral("customer-42"));
    QVERIFY(!nullKey->isChecked());
    const QString value = QStringLiteral("{\"order\": 42, \"items\": [\"book\", \"pen\"]}");
    valueEditor->setFocus();
    QTest::keyClicks(valueEditor, value);
    QCOMPARE(valueEditor->text(), value);
    editor->addHeader(QStringLiteral("trace-id"), QStringLiteral("abc-123"));
    QTest::mouseClick(sendButton, Qt::LeftButton);

    // The view shows the model through its filter proxy.
    auto *filter = qobject_cast<kpw::DeliveryReportFilter *>(reportView->model());
    QVERIFY(filter);
    auto *reports = filter->reportModel();
    QVERIFY(reports);
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 1, kTimeoutMs);
    QCOMPARE(cell(reports, 0, DeliveryReportModel::StatusColumn), QStringLiteral("OK"));
    QCOMPARE(cell(reports, 0, DeliveryReportModel::TopicColumn), topic);
    QCOMPARE(cell(reports, 0, DeliveryReportModel::KeyColumn), QStringLiteral("customer-42"));
    QVERIFY(reports->index(0, DeliveryReportModel::OffsetColumn).data(DeliveryReportModel::RawValueRole).toLongLong() >=
            0);
    const int firstPartition = cell(reports, 0, DeliveryReportModel::PartitionColumn).toInt();
    QVERIFY(firstPartition >= 0 && firstPartition <= 2);

    // Record 2: null key, explicit partition 2, a header still being typed
    // into its cell, sent with Ctrl+Return.
    auto *headersTable = child<QTableWidget>(window, "headersTable");
    QVERIFY(headersTable);
    QTest::mouseClick(child<QToolButton>(window, "addHeaderButton"), Qt::LeftButton);
    QCOMPARE(headersTable->rowCount(), 2);
    auto *cellEditor = headersTable->viewport()->findChild<QLineEdit *>();
    QVERIFY2(cellEditor && cellEditor->isVisible(), "the new header's name cell is not open for editing");
    QTest::keyClicks(cellEditor, QStringLiteral("tenant"));
    nullKey->setChecked(true);
    QCOMPARE(keyEdit->text(), QString());
    partitionSpin->setValue(2);
    QTest::keyClick(valueEditor, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 2, kTimeoutMs);
    QCOMPARE(cell(reports, 1, DeliveryReportModel::StatusColumn), QStringLiteral("OK"));
    QCOMPARE(cell(reports, 1, DeliveryReportModel::PartitionColumn), QStringLiteral("2"));
    QCOMPARE(cell(reports, 1, DeliveryReportModel::KeyColumn), QStringLiteral("null"));
    QVERIFY(reports->index(1, DeliveryReportModel::OffsetColumn).data(DeliveryReportModel::RawValueRole).toLongLong() >=
            0);
    QVERIFY2(counts->text().startsWith(QStringLiteral("Delivered 2, failed 0")), qPrintable(counts->text()));
    QVERIFY(valueEditor->text() == value); // Ctrl+Return sent, it did not type a newline

    // What landed, read back by librdkafka.
    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 2, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 2, qPrintable(error));
    const auto keyed =
        std::find_if(consumed.cbegin(), consumed.cend(), [](const auto &r) { return r.key.has_value(); });
    QVERIFY(keyed != consumed.cend());
    QCOMPARE(*keyed->key, QByteArrayLiteral("customer-42"));
    QCOMPARE(keyed->value.value_or(QByteArray()), value.toUtf8());
    QCOMPARE(keyed->partition, firstPartition);
    QCOMPARE(keyed->headers.size(), 1);
    QCOMPARE(keyed->headers.first().key, QStringLiteral("trace-id"));
    QCOMPARE(keyed->headers.first().value.value_or(QByteArray()), QByteArrayLiteral("abc-123"));
    const auto unkeyed = std::find_if(consumed.cbegin(), consumed.cend(), [](const auto &r) { return !r.key; });
    QVERIFY(unkeyed != consumed.cend());
    QCOMPARE(unkeyed->partition, 2);
    QCOMPARE(unkeyed->headers.size(), 2);
    QCOMPARE(unkeyed->headers.at(1).key, QStringLiteral("tenant"));
    QCOMPARE(unkeyed->headers.at(1).value.value_or(QByteArrayLiteral("null")), QByteArray());

    QTest::qWait(250); // let the 100 ms auto-scroll tick and repaint
    const QString dir = screenshotDir();
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + QStringLiteral("/mainwindow.png");
    QVERIFY2(window.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

void TestMainWindow::sendCopiesWithSeq()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-copies"));
    KPW_CREATE_TOPIC(boot, topic, 3);

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(connectWindow(window, boot), qPrintable(child<QLabel>(window, "connectionStatus")->text()));

    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    auto *copies = child<QSpinBox>(window, "copiesSpin");
    auto *sendButton = child<QPushButton>(window, "sendButton");
    QVERIFY(editor && copies && sendButton);
    QCOMPARE(copies->value(), 1);
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("order-{{seq}}"));
    editor->setValue(QStringLiteral("{\"seq\": {{seq}}, \"note\": \"copy {{seq}} of 5\"}"));
    editor->addHeader(QStringLiteral("copy"), QStringLiteral("{{seq}}"));
    copies->setFocus();
    copies->selectAll();
    QTest::keyClicks(copies, QStringLiteral("5"));
    QCOMPARE(copies->value(), 5);
    QTest::mouseClick(sendButton, Qt::LeftButton);

    auto *message = child<QLabel>(window, "statusMessage");
    QVERIFY2(message->text().startsWith(QStringLiteral("Sent 5 records")), qPrintable(message->text()));
    DeliveryReportModel *reports = window.reportModel();
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 5, kTimeoutMs);
    QSet<QString> keys;
    for (int row = 0; row < 5; ++row) {
        QCOMPARE(cell(reports, row, DeliveryReportModel::StatusColumn), QStringLiteral("OK"));
        QCOMPARE(cell(reports, row, DeliveryReportModel::TopicColumn), topic);
        keys.insert(cell(reports, row, DeliveryReportModel::KeyColumn));
    }
    const QSet<QString> expectedKeys{QStringLiteral("order-1"), QStringLiteral("order-2"), QStringLiteral("order-3"),
                                     QStringLiteral("order-4"), QStringLiteral("order-5")};
    QCOMPARE(keys, expectedKeys);

    // What arrived: each copy with its own number in key, value and header.
    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 5, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 5, qPrintable(error));
    QSet<QByteArray> values;
    for (const kpw::test::ConsumedRecord &record : consumed) {
        QVERIFY2(record.key.has_value(), qPrintable(kpw::test::describe(record)));
        const QByteArray n = record.key->mid(int(qstrlen("order-")));
        QCOMPARE(record.value.value_or(QByteArray()), QByteArrayLiteral("{\"seq\": ") + n +
                                                          QByteArrayLiteral(", \"note\": \"copy ") + n +
                                                          QByteArrayLiteral(" of 5\"}"));
        QCOMPARE(record.headers.size(), 1);
        QCOMPARE(record.headers.first().value.value_or(QByteArray()), n);
        values.insert(record.value.value_or(QByteArray()));
    }
    QCOMPARE(values.size(), 5);

    // The metrics bar hears about them with the next statistics tick.
    auto *delivered = child<QLabel>(window, "metricDelivered");
    QVERIFY(delivered);
    QTRY_COMPARE_WITH_TIMEOUT(delivered->text(), QStringLiteral("acked 5"), kTimeoutMs);
    QCOMPARE(child<QLabel>(window, "metricFailed")->text(), QStringLiteral("failed 0"));
    QVERIFY(child<QLabel>(window, "metricRecordsPerSec")->text().endsWith(QStringLiteral("rec/s")));
}

void TestMainWindow::producerSettingsApplyOnConnect()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-settings"));
    KPW_CREATE_TOPIC(boot, topic, 3);

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(connectWindow(window, boot), qPrintable(child<QLabel>(window, "connectionStatus")->text()));
    kpw::ProducerSettingsWidget *settings = window.producerSettings();
    auto *tabs = child<QTabWidget>(window, "composerTabs");
    auto *status = child<QLabel>(window, "connectionStatus");
    QVERIFY(settings && tabs && status);
    QVERIFY(!settings->hasUnappliedChanges());

    // zstd from the composer's codec combo, round_robin in the settings tab.
    selectCombo(child<QComboBox>(window, "composerCodecCombo"), QStringLiteral("zstd"));
    window.showProducerSettings();
    QCOMPARE(tabs->currentWidget(), settings);
    QCOMPARE(child<QComboBox>(window, "compressionPicker")->currentText(), QStringLiteral("zstd"));
    selectCombo(child<QComboBox>(window, "partitionerPicker"), QStringLiteral("round_robin"));
    QVERIFY(settings->hasUnappliedChanges());
    QVERIFY(tabs->tabText(tabs->indexOf(settings)).endsWith(QChar(0x2022)));
    QVERIFY2(child<QLabel>(window, "statusMessage")->text().contains(QStringLiteral("next Connect")),
             qPrintable(child<QLabel>(window, "statusMessage")->text()));

    // Apply restarts the producer with them.
    QTest::mouseClick(child<QPushButton>(window, "applySettingsButton"), Qt::LeftButton);
    QVERIFY(!status->property("connected").toBool());
    QTRY_VERIFY2_WITH_TIMEOUT(status->property("connected").toBool(), qPrintable(status->text()), kTimeoutMs);
    QVERIFY(!settings->hasUnappliedChanges());
    QCOMPARE(tabs->tabText(tabs->indexOf(settings)), QStringLiteral("Producer settings"));
    const QString log = child<QPlainTextEdit>(window, "logView")->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("compression.type=zstd, partitioner=round_robin")), qPrintable(log));

    // One fixed key, six copies: a key-hash partitioner would put them all on
    // one partition, round_robin spreads them over all three.
    tabs->setCurrentIndex(0);
    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("same-key"));
    editor->setValue(QStringLiteral("{\"n\": {{seq}}}"));
    editor->setCopies(6);
    QTest::mouseClick(child<QPushButton>(window, "sendButton"), Qt::LeftButton);
    DeliveryReportModel *reports = window.reportModel();
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 6, kTimeoutMs);
    QSet<int> partitions;
    for (int row = 0; row < 6; ++row) {
        QCOMPARE(cell(reports, row, DeliveryReportModel::StatusColumn), QStringLiteral("OK"));
        partitions.insert(cell(reports, row, DeliveryReportModel::PartitionColumn).toInt());
    }
    QCOMPARE(partitions.size(), 3);

    // zstd batches read back fine.
    QString error;
    const QList<kpw::test::ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 6, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 6, qPrintable(error));
    QSet<QByteArray> values;
    for (const kpw::test::ConsumedRecord &record : consumed)
        values.insert(record.value.value_or(QByteArray()));
    QCOMPARE(values.size(), 6);
    QVERIFY(values.contains(QByteArrayLiteral("{\"n\": 6}")));
}

void TestMainWindow::sendWithoutTopicSaysSo()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *message = child<QLabel>(window, "statusMessage");
    auto *topicEdit = child<QLineEdit>(window, "topicEdit");
    QVERIFY(message && topicEdit);
    QCOMPARE(topicEdit->text(), QString());
    QTest::mouseClick(child<QPushButton>(window, "sendButton"), Qt::LeftButton);
    QVERIFY(message->property("error").toBool());
    QVERIFY2(message->text().contains(QStringLiteral("topic"), Qt::CaseInsensitive), qPrintable(message->text()));
    QCOMPARE(window.reportModel()->rowCount(), 0);
}

void TestMainWindow::sendWhileDisconnectedSaysSo()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::keyClicks(child<QLineEdit>(window, "topicEdit"), QStringLiteral("orders"));
    QTest::mouseClick(child<QPushButton>(window, "sendButton"), Qt::LeftButton);
    auto *message = child<QLabel>(window, "statusMessage");
    QVERIFY(message->property("error").toBool());
    QVERIFY2(message->text().contains(QStringLiteral("Not connected")), qPrintable(message->text()));
}

void TestMainWindow::emptyBootstrapSaysSo()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    child<QLineEdit>(window, "bootstrapEdit")->clear();
    QTest::mouseClick(child<QPushButton>(window, "connectButton"), Qt::LeftButton);
    auto *status = child<QLabel>(window, "connectionStatus");
    QVERIFY(status->property("error").toBool());
    QVERIFY2(status->text().contains(QStringLiteral("bootstrap"), Qt::CaseInsensitive), qPrintable(status->text()));
}

void TestMainWindow::unreachableBootstrapShowsError()
{
    MainWindow window(QStringLiteral("127.0.0.1:1"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *status = child<QLabel>(window, "connectionStatus");
    auto *message = child<QLabel>(window, "statusMessage");
    auto *connectButton = child<QPushButton>(window, "connectButton");
    QCOMPARE(child<QLineEdit>(window, "bootstrapEdit")->text(), QStringLiteral("127.0.0.1:1"));

    // A ticking timer proves the event loop keeps running while the connect fails.
    QElapsedTimer sinceTick;
    qint64 longestGapMs = 0;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(20);
    connect(&ticker, &QTimer::timeout, this, [&] {
        if (ticks++ > 0)
            longestGapMs = std::max(longestGapMs, sinceTick.elapsed());
        sinceTick.restart();
    });
    ticker.start();
    sinceTick.start();

    for (int attempt = 0; attempt < 2; ++attempt) { // a retry fails the same way
        QTest::mouseClick(connectButton, Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(status->property("error").toBool(), qPrintable(status->text()), kTimeoutMs);
        QVERIFY(!status->property("connected").toBool());
        QVERIFY2(status->text().contains(QStringLiteral("fail"), Qt::CaseInsensitive), qPrintable(status->text()));
        QVERIFY(message->property("error").toBool());
        QVERIFY2(message->text().contains(QStringLiteral("127.0.0.1:1")), qPrintable(message->text()));
        QVERIFY(connectButton->isEnabled());
    }
    QTest::qWait(100);
    QVERIFY(ticks > 2);
    QVERIFY2(longestGapMs < 1000, qPrintable(QString::number(longestGapMs)));
    QVERIFY(window.isVisible());
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::secretsNotSavedInPlainText()
{
    // The settings file may be read by anyone with the account: passwords,
    // keys and tokens must not land there (the independent check).
    const QString password = QStringLiteral("pw-XYZZY-4711");
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *settings = window.findChild<kpw::ProducerSettingsWidget *>();
        QVERIFY(settings);
        kpw::ProducerConfig c;
        QVERIFY(c.set(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL")).ok());
        QVERIFY(c.set(QStringLiteral("sasl.username"), QStringLiteral("alice")).ok());
        QVERIFY(c.set(QStringLiteral("sasl.password"), password).ok());
        QVERIFY(c.set(QStringLiteral("sasl.jaas.config"),
                      QStringLiteral("org.apache.kafka.common.security.plain.PlainLoginModule required "
                                     "username=\"alice\" password=\"%1\";")
                          .arg(password))
                    .ok());
        settings->setConfig(c);
        QVERIFY(window.close()); // saves the settings
    }
    QSettings s;
    s.sync();
    QFile f(s.fileName());
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(s.fileName()));
    const QByteArray text = f.readAll();
    QVERIFY2(text.contains("alice"), text.constData()); // the file was written
    QVERIFY2(!text.contains(password.toUtf8()), text.constData());
}

void TestMainWindow::testConnectionReports()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    child<QLineEdit>(window, "bootstrapEdit")->setText(boot);
    auto *button = child<QPushButton>(window, "testConnectionButton");
    auto *log = child<QPlainTextEdit>(window, "logView");
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QStringLiteral("broker(s)")), 15000);
    QVERIFY2(log->toPlainText().contains(QStringLiteral(": connected (")), qPrintable(log->toPlainText()));
    QTRY_VERIFY(button->isEnabled());

    // A port nothing listens on: the failure is reported, not swallowed.
    child<QLineEdit>(window, "bootstrapEdit")->setText(QStringLiteral("127.0.0.1:1"));
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QStringLiteral("FAILED: CONNECTION_FAILED")), 15000);
}

#include "tst_mainwindow.moc"
