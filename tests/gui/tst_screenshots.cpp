// The README's screenshots, made from the real window against the fixture's
// broker at 1280x800 (scripts/screenshots copies them into docs/):
//   composer.png        the composer with a JSON value, a key and headers
//   delivery-table.png  the delivery table after 10,000 sends (Send with
//                       10,000 copies), every one acknowledged
//   topic-browser.png   the topic browser on the topic just written to
//   mainwindow.png      the window as a new user sees it after those sends
// Each scene is checked before it is saved (the 10,000 reports are all OK,
// the composer holds what was typed, the browser shows the topic's offsets),
// so a screenshot cannot quietly show a broken state.
#include "GuiTest.h"
#include "TestBroker.h"

#include "ui/DeliveryReportModel.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/TopicBrowser.h"
#include "ui/TopicBrowserModels.h"

#include "ui/QsciIncludes.h"

#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using kpw::DeliveryReportModel;
using kpw::MainWindow;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kSends = 10000;

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

using kpw::test::child;

bool save(QWidget &widget, const QString &name)
{
    QApplication::processEvents();
    QTest::qWait(300); // the table's auto-scroll tick and a repaint
    const QString dir = screenshotDir();
    if (!QDir().mkpath(dir))
        return false;
    const QString path = dir + QLatin1Char('/') + name;
    const bool ok = widget.grab().save(path);
    qInfo("screenshot: %s", qPrintable(path));
    return ok;
}

} // namespace

class TestScreenshots final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readmeScreenshots();
};

void TestScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

void TestScreenshots::readmeScreenshots()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("orders"));
    KPW_CREATE_TOPIC(boot, topic, 6);

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *bootstrapEdit = child<QLineEdit>(window, "bootstrapEdit");
    auto *status = child<QLabel>(window, "connectionStatus");
    auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
    auto *tabs = child<QTabWidget>(window, "composerTabs");
    auto *copies = child<QSpinBox>(window, "copiesSpin");
    auto *sendButton = child<QPushButton>(window, "sendButton");
    QVERIFY(bootstrapEdit && status && editor && tabs && copies && sendButton);
    bootstrapEdit->setText(boot);
    QTest::mouseClick(child<QPushButton>(window, "connectButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(status->property("connected").toBool(), kTimeoutMs);

    // The composer: a key, a JSON value with a template, two headers.
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("customer-{{random.int(1,40)}}"));
    const QString value = QStringLiteral("{\n"
                                         "  \"order_id\": \"{{uuid}}\",\n"
                                         "  \"seq\": {{seq}},\n"
                                         "  \"placed_at\": \"{{now}}\",\n"
                                         "  \"lines\": [\n"
                                         "    {\"sku\": \"KAF-101\", \"qty\": 2, \"price\": 19.90},\n"
                                         "    {\"sku\": \"KAF-205\", \"qty\": 1, \"price\": 4.50}\n"
                                         "  ],\n"
                                         "  \"currency\": \"EUR\"\n"
                                         "}");
    editor->setValue(value);
    editor->clearHeaders();
    editor->addHeader(QStringLiteral("trace-id"), QStringLiteral("{{uuid}}"));
    editor->addHeader(QStringLiteral("source"), QStringLiteral("kpw-demo"));
    tabs->setCurrentIndex(0);
    auto *valueEditor = window.findChild<QsciScintilla *>(QStringLiteral("valueEditor"));
    QVERIFY(valueEditor);
    QCOMPARE(valueEditor->text(), value);
    QVERIFY(save(window, QStringLiteral("composer.png")));

    // 10,000 sends: one Send with 10,000 copies, all acknowledged.
    copies->setValue(kSends);
    QTest::mouseClick(sendButton, Qt::LeftButton);
    DeliveryReportModel *reports = window.reportModel();
    QTRY_VERIFY_WITH_TIMEOUT(reports->deliveredCount() + reports->failedCount() >= quint64(kSends), kTimeoutMs);
    QCOMPARE(reports->deliveredCount(), quint64(kSends));
    QCOMPARE(reports->failedCount(), quint64(0));
    QCOMPARE(reports->rowCount(), kSends);
    QCOMPARE(reports->index(kSends - 1, DeliveryReportModel::StatusColumn).data().toString(), QStringLiteral("OK"));
    QCOMPARE(reports->index(kSends - 1, DeliveryReportModel::TopicColumn).data().toString(), topic);
    QVERIFY(save(window, QStringLiteral("delivery-table.png")));
    QVERIFY(save(window, QStringLiteral("mainwindow.png")));

    // The topic browser on that topic: its 6 partitions hold the 10,000.
    kpw::TopicBrowser *browser = window.topicBrowser();
    QVERIFY(browser);
    tabs->setCurrentWidget(browser);
    browser->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isBusy(), kTimeoutMs);
    browser->selectTopic(topic);
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isBusy(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(browser->configModel()->rowCount() > 10, kTimeoutMs);
    QVERIFY(save(window, QStringLiteral("topic-browser.png")));
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
