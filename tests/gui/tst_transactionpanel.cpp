// The transaction panel in the real window, against the broker of the
// "kafka" fixture: Init, Begin, Send, Commit and Abort by button, the
// buttons' states, the timeline, "Fence me", and the fault lab's lost ack
// with and without idempotence, counted by librdkafka. Saves screenshots.

#include "GuiTest.h"
#include "RdkConsumer.h"
#include "TestBroker.h"

#include "producer/Transaction.h"
#include "ui/DeliveryReportModel.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/ProducerSettingsWidget.h"
#include "ui/ProtocolTimelineModel.h"
#include "ui/TransactionPanel.h"
#include "ui/TxnStateDiagram.h"

#include <QAbstractItemModelTester>
#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

using kpw::DeliveryReportModel;
using kpw::MainWindow;
using kpw::ProtocolTimelineModel;
using kpw::TransactionPanel;
using kpw::TxnState;

namespace {

constexpr int kTimeoutMs = 30000;

using kpw::test::child;

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

// Every Call column of the timeline, "|"-joined.
QString calls(const ProtocolTimelineModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row)
        out.append(model->index(row, ProtocolTimelineModel::CallColumn).data().toString() + QLatin1Char('=') +
                   model->index(row, ProtocolTimelineModel::ResultColumn).data().toString());
    return out.join(QLatin1Char('|'));
}

int rowsOfKind(const ProtocolTimelineModel *model, const QString &kind)
{
    int n = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        n += model->index(row, 0).data(ProtocolTimelineModel::KindRole).toString() == kind ? 1 : 0;
    return n;
}

// The window with the panel's tab showing, its bootstrap set and the
// composer holding a message for `topic`.
struct Fixture
{
    MainWindow window;
    TransactionPanel *panel = nullptr;
    kpw::TxnStateDiagram *diagram = nullptr;
    QPushButton *start = nullptr, *init = nullptr, *begin = nullptr, *send = nullptr, *commit = nullptr,
                *abort = nullptr, *fence = nullptr, *sendOffsets = nullptr;
    QSpinBox *count = nullptr;
    QLineEdit *tid = nullptr;
    QLabel *banner = nullptr;
    std::unique_ptr<QAbstractItemModelTester> tester;

    bool setUp(const QString &boot, const QString &topic, const QString &value)
    {
        window.resize(1500, 1000);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return false;
        // The window's own producer connects too, as a user's would: the
        // panel must not disturb it.
        child<QLineEdit>(window, "bootstrapEdit")->setText(boot);
        QTest::mouseClick(child<QPushButton>(window, "connectButton"), Qt::LeftButton);
        auto *status = child<QLabel>(window, "connectionStatus");
        if (!QTest::qWaitFor([status] { return status->property("connected").toBool(); }, kTimeoutMs))
            return false;
        auto *editor = child<kpw::MessageEditor>(window, "messageEditor");
        editor->setTopic(topic);
        editor->setPartitionCount(1);
        editor->setValue(value);
        panel = child<TransactionPanel>(window, "transactionPanel");
        auto *tabs = child<QTabWidget>(window, "composerTabs");
        if (!panel || !tabs)
            return false;
        tabs->setCurrentWidget(panel);
        // More room for the panel than for the delivery table, as a presenter would drag it.
        if (auto *vertical = qobject_cast<QSplitter *>(tabs->parentWidget()->parentWidget()))
            vertical->setSizes({740, 180});
        diagram = child<kpw::TxnStateDiagram>(window, "txnStateDiagram");
        start = child<QPushButton>(window, "startProducerButton");
        init = child<QPushButton>(window, "initButton");
        begin = child<QPushButton>(window, "beginButton");
        send = child<QPushButton>(window, "txnSendButton");
        commit = child<QPushButton>(window, "commitButton");
        abort = child<QPushButton>(window, "abortButton");
        fence = child<QPushButton>(window, "fenceMeButton");
        sendOffsets = child<QPushButton>(window, "sendOffsetsButton");
        count = child<QSpinBox>(window, "txnSendCount");
        tid = child<QLineEdit>(window, "transactionalIdEdit");
        banner = child<QLabel>(window, "txnBanner");
        tester = std::make_unique<QAbstractItemModelTester>(panel->timeline(),
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        return diagram && start && init && begin && send && commit && abort && fence && sendOffsets && count && tid &&
               banner;
    }
    // Clicks `button` and waits until the call it started has finished.
    bool click(QPushButton *button)
    {
        if (!button->isEnabled()) {
            qWarning("%s is disabled", qPrintable(button->objectName()));
            return false;
        }
        QTest::mouseClick(button, Qt::LeftButton);
        return QTest::qWaitFor([this] { return !panel->callRunning(); }, kTimeoutMs);
    }
    QString message() { return child<QLabel>(window, "txnMessage")->text(); }
    void screenshot(const QString &name)
    {
        QTest::qWait(250); // the timeline's 100 ms auto-scroll, and a repaint
        const QString dir = screenshotDir();
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + QLatin1Char('/') + name;
        QVERIFY2(window.grab().save(path), qPrintable(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

} // namespace

class TestTransactionPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void timelineModelCapsAndColours();
    void commitThenAbort();
    void fenceMe();
    void sendOffsetsThenCommit();
    void mnemonicsAreUnique();
    void refusedSettingsSaySo();
    void nothingSqueezedAtDefaultSize();
    void faultLab_data();
    void faultLab();
};

void TestTransactionPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestTransactionPanel::init()
{
    QSettings().clear();
}

void TestTransactionPanel::timelineModelCapsAndColours()
{
    ProtocolTimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(3);
    for (int i = 0; i < 5; ++i) {
        kpw::ProtocolEvent e;
        e.api = QStringLiteral("Produce v11");
        e.result = QStringLiteral("OK");
        e.sequences = QStringLiteral("t-0 seq %1").arg(i);
        e.errorCode = i == 3 ? 6 : 0;
        e.fault = i == 4;
        model.append(e);
    }
    QCOMPARE(model.rowCount(), 0); // queued until the event loop turns
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, ProtocolTimelineModel::SequencesColumn).data().toString(), QStringLiteral("t-0 seq 2"));
    QCOMPARE(model.index(0, 0).data(ProtocolTimelineModel::KindRole).toString(), QStringLiteral("ok"));
    QCOMPARE(model.index(1, 0).data(ProtocolTimelineModel::KindRole).toString(), QStringLiteral("error"));
    QCOMPARE(model.index(2, 0).data(ProtocolTimelineModel::KindRole).toString(), QStringLiteral("fault"));
    QVERIFY(model.index(1, 0).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(2, 0).data(Qt::BackgroundRole) != model.index(1, 0).data(Qt::BackgroundRole));
    QVERIFY(!model.index(0, 0).data(Qt::BackgroundRole).isValid());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestTransactionPanel::commitThenAbort()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-txn"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    Fixture f;
    QVERIFY(f.setUp(boot, topic, QStringLiteral("committed-{{seq}}")));
    f.tid->setText(kpw::test::uniqueTopic(QStringLiteral("gui-tid")));

    // Before anything runs only Init (and Start) make sense.
    QVERIFY(f.init->isEnabled());
    QVERIFY(!f.begin->isEnabled());
    QVERIFY(!f.send->isEnabled());
    QVERIFY(!f.commit->isEnabled());
    QVERIFY(!f.abort->isEnabled());
    QVERIFY(!f.fence->isEnabled());

    QVERIFY2(f.click(f.init), qPrintable(f.message()));
    QTRY_COMPARE_WITH_TIMEOUT(f.panel->status().state, TxnState::Ready, kTimeoutMs);
    QCOMPARE(f.diagram->stateName(), QStringLiteral("READY"));
    QVERIFY(f.panel->status().producerId >= 0);
    QCOMPARE(child<QLabel>(f.window, "producerIdLabel")->text(), QString::number(f.panel->status().producerId));
    QVERIFY(child<QLabel>(f.window, "protocolLabel")->text().startsWith(QLatin1Char('v')));
    QVERIFY(!child<QLabel>(f.window, "coordinatorLabel")->text().isEmpty());
    // READY: Begin, not Commit, Abort, Send or Send offsets.
    QVERIFY(f.begin->isEnabled());
    QVERIFY(!f.commit->isEnabled());
    QVERIFY(!f.abort->isEnabled());
    QVERIFY(!f.send->isEnabled());
    QVERIFY(!f.sendOffsets->isEnabled());
    QVERIFY(!f.init->isEnabled());

    QVERIFY2(f.click(f.begin), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::InTransaction);
    QCOMPARE(f.diagram->stateName(), QStringLiteral("IN_TRANSACTION"));
    QVERIFY(!f.begin->isEnabled());
    QVERIFY(f.commit->isEnabled());
    QVERIFY(f.abort->isEnabled());
    QVERIFY(f.send->isEnabled());
    QVERIFY(f.sendOffsets->isEnabled());

    // The fault lab works inside a transaction too: the first Produce
    // request's answer is lost, the retry is recognised as a duplicate.
    child<QSpinBox>(f.window, "lostAckSpin")->setValue(1);
    QTest::mouseClick(child<QPushButton>(f.window, "lostAckButton"), Qt::LeftButton);
    f.count->setValue(3);
    QTest::mouseClick(f.send, Qt::LeftButton);
    DeliveryReportModel *reports = f.window.reportModel();
    QTRY_COMPARE_WITH_TIMEOUT(reports->deliveredCount(), quint64(3), kTimeoutMs); // in the window's table too
    // With the producer id, epoch and sequence the broker deduplicates by.
    QCOMPARE(reports->index(2, DeliveryReportModel::ProducerColumn).data().toString(),
             QStringLiteral("%1 / %2 / 2").arg(f.panel->status().producerId).arg(f.panel->status().producerEpoch));

    // While Commit runs, every button waits.
    QTest::mouseClick(f.commit, Qt::LeftButton);
    QVERIFY(f.panel->callRunning());
    QVERIFY(!f.commit->isEnabled() && !f.abort->isEnabled() && !f.begin->isEnabled() && !f.send->isEnabled());
    QVERIFY(QTest::qWaitFor([&f] { return !f.panel->callRunning(); }, kTimeoutMs));
    QVERIFY2(!child<QLabel>(f.window, "txnMessage")->property("error").toBool(), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::Ready);
    QCOMPARE(f.diagram->stateName(), QStringLiteral("READY"));
    QTRY_VERIFY2_WITH_TIMEOUT(calls(f.panel->timeline()).contains(QLatin1StringView("EndTxn(commit)")),
                              qPrintable(calls(f.panel->timeline())), kTimeoutMs);
    QVERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("InitProducerId")),
             qPrintable(calls(f.panel->timeline())));
    QVERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("Produce")), qPrintable(calls(f.panel->timeline())));
    QVERIFY(!f.banner->isVisible());
    QVERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("FAULT=injected")),
             qPrintable(calls(f.panel->timeline())));
    QVERIFY2(f.panel->faultExplanation().startsWith(QLatin1StringView("Idempotence on")),
             qPrintable(f.panel->faultExplanation()));
    f.screenshot(QStringLiteral("transactions-commit.png"));

    // A second transaction, aborted after its record was written.
    auto *editor = child<kpw::MessageEditor>(f.window, "messageEditor");
    editor->setValue(QStringLiteral("aborted"));
    f.count->setValue(1);
    QVERIFY2(f.click(f.begin), qPrintable(f.message()));
    QTest::mouseClick(f.send, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(reports->deliveredCount(), quint64(4), kTimeoutMs);
    QVERIFY2(f.click(f.abort), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::Ready);
    QTRY_VERIFY2_WITH_TIMEOUT(calls(f.panel->timeline()).contains(QLatin1StringView("EndTxn(abort)")),
                              qPrintable(calls(f.panel->timeline())), kTimeoutMs);
    f.screenshot(QStringLiteral("transactions-abort.png"));

    // What a consumer sees: the committed three; read_uncommitted also the aborted one.
    QString error;
    auto committed = kpw::test::consumeAll(boot, topic, 100, 4000, QStringLiteral("read_committed"), &error);
    QStringList values;
    for (const auto &r : committed)
        values.append(QString::fromUtf8(r.value.value_or(QByteArray())));
    QCOMPARE(values, (QStringList{QStringLiteral("committed-1"), QStringLiteral("committed-2"),
                                  QStringLiteral("committed-3")}));
    auto all = kpw::test::consumeAll(boot, topic, 4, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QCOMPARE(all.size(), 4);
    QCOMPARE(all.last().value.value_or(QByteArray()), QByteArrayLiteral("aborted"));
}

void TestTransactionPanel::fenceMe()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-fence"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    Fixture f;
    QVERIFY(f.setUp(boot, topic, QStringLiteral("zombie")));
    f.tid->setText(kpw::test::uniqueTopic(QStringLiteral("gui-tid-fence")));

    QVERIFY2(f.click(f.init), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::Ready);
    const auto epoch = f.panel->status().producerEpoch;
    QVERIFY2(f.click(f.begin), qPrintable(f.message()));
    QTest::mouseClick(f.send, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(f.window.reportModel()->deliveredCount(), quint64(1), kTimeoutMs);

    QVERIFY(f.fence->isEnabled());
    QTest::mouseClick(f.fence, Qt::LeftButton);
    // The second producer's calls show in the timeline; then the notice.
    QTRY_VERIFY2_WITH_TIMEOUT(f.banner->isVisible(), qPrintable(f.message()), kTimeoutMs);
    QVERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("2nd: InitProducerId")),
             qPrintable(calls(f.panel->timeline())));
    QTRY_VERIFY_WITH_TIMEOUT(f.commit->isEnabled(), kTimeoutMs);

    // The zombie's next call fails: FATAL_ERROR, fenced, on the diagram and the banner.
    QVERIFY(f.click(f.commit));
    QTRY_COMPARE_WITH_TIMEOUT(f.panel->status().state, TxnState::FatalError, kTimeoutMs);
    QVERIFY2(child<QLabel>(f.window, "txnMessage")->property("error").toBool(), qPrintable(f.message()));
    QCOMPARE(f.diagram->stateName(), QStringLiteral("FATAL_ERROR"));
    QVERIFY(f.banner->isVisible());
    QVERIFY2(f.banner->text().contains(QLatin1StringView("FATAL_ERROR")) &&
                 f.banner->text().contains(QLatin1StringView("fenced")),
             qPrintable(f.banner->text()));
    QCOMPARE(child<QLabel>(f.window, "txnStateLabel")->text(), QStringLiteral("FATAL_ERROR"));
    QVERIFY(!f.begin->isEnabled() && !f.commit->isEnabled() && !f.abort->isEnabled() && !f.send->isEnabled());
    QVERIFY(f.init->isEnabled());
    QVERIFY(f.start->isEnabled());
    f.screenshot(QStringLiteral("transactions-fenced.png"));

    // Restart: a fresh producer, which Init gives a newer epoch.
    QTest::mouseClick(f.start, Qt::LeftButton);
    QCOMPARE(f.panel->status().state, TxnState::Uninitialized);
    QVERIFY(!f.banner->isVisible());
    QVERIFY2(f.click(f.init), qPrintable(f.message()));
    QTRY_COMPARE_WITH_TIMEOUT(f.panel->status().state, TxnState::Ready, kTimeoutMs);
    QVERIFY(f.panel->status().producerEpoch > epoch);

    // The zombie's record never became visible to read_committed.
    QString error;
    auto seen = kpw::test::consumeAll(boot, topic, 100, 3000, QStringLiteral("read_committed"), &error);
    QCOMPARE(seen.size(), 0);
}

void TestTransactionPanel::sendOffsetsThenCommit()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-offsets"));
    const QString input = kpw::test::uniqueTopic(QStringLiteral("gui-input"));
    const QString group = kpw::test::uniqueTopic(QStringLiteral("gui-group"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    KPW_CREATE_TOPIC(boot, input, 2);
    Fixture f;
    QVERIFY(f.setUp(boot, topic, QStringLiteral("processed")));
    f.tid->setText(kpw::test::uniqueTopic(QStringLiteral("gui-tid-offsets")));
    QVERIFY2(f.click(f.init), qPrintable(f.message()));
    QVERIFY2(f.click(f.begin), qPrintable(f.message()));
    QTest::mouseClick(f.send, Qt::LeftButton);

    // Without a group id the panel says so and sends nothing.
    QTest::mouseClick(f.sendOffsets, Qt::LeftButton);
    QVERIFY(!f.panel->callRunning());
    QVERIFY2(f.message().contains(QLatin1StringView("group id")), qPrintable(f.message()));

    child<QLineEdit>(f.window, "offsetsGroupEdit")->setText(group);
    auto *table = child<QTableWidget>(f.window, "offsetsTable");
    table->item(0, 0)->setText(input);
    table->item(0, 1)->setText(QStringLiteral("1"));
    table->item(0, 2)->setText(QStringLiteral("42"));
    QVERIFY2(f.click(f.sendOffsets), qPrintable(f.message()));
    QVERIFY2(!child<QLabel>(f.window, "txnMessage")->property("error").toBool(), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::InTransaction);
    QTRY_VERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("TxnOffsetCommit")),
                 qPrintable(calls(f.panel->timeline())));
    QVERIFY2(f.click(f.commit), qPrintable(f.message()));
    QCOMPARE(f.panel->status().state, TxnState::Ready);

    QString error;
    const auto committed = kpw::test::committedOffset(boot, group, input, 1, &error);
    QVERIFY2(committed.has_value(), qPrintable(error));
    QCOMPARE(*committed, std::int64_t(42));
}

// Without a broker address, or with window settings a transactional
// producer cannot have, Init says why and starts nothing.
void TestTransactionPanel::refusedSettingsSaySo()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = child<TransactionPanel>(window, "transactionPanel");
    child<QTabWidget>(window, "composerTabs")->setCurrentWidget(panel);
    auto *init = child<QPushButton>(window, "initButton");
    auto *message = child<QLabel>(window, "txnMessage");
    QVERIFY(init && message);

    QTest::mouseClick(init, Qt::LeftButton);
    QVERIFY(!panel->isStarted());
    QVERIFY(!panel->callRunning());
    QVERIFY(message->property("error").toBool());
    QVERIFY2(message->text().contains(QLatin1StringView("bootstrap servers")), qPrintable(message->text()));

    child<QLineEdit>(window, "bootstrapEdit")->setText(QStringLiteral("127.0.0.1:1"));
    kpw::ProducerConfig acks1;
    QVERIFY(acks1.set(QStringLiteral("acks"), QStringLiteral("1")).ok());
    window.producerSettings()->setConfig(acks1);
    QTest::mouseClick(init, Qt::LeftButton);
    QVERIFY(!panel->isStarted());
    QVERIFY(message->property("error").toBool());
    QVERIFY2(message->text().contains(QLatin1StringView("transactional.id")) &&
                 message->text().contains(QLatin1StringView("acks")),
             qPrintable(message->text()));
}

// Alt+letter reaches every button of the panel, and no two visible
// controls (nor the menu bar) share a letter, which would make Qt cycle
// focus instead of pressing.
void TestTransactionPanel::mnemonicsAreUnique()
{
    MainWindow window;
    window.resize(1500, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = child<TransactionPanel>(window, "transactionPanel");
    child<QTabWidget>(window, "composerTabs")->setCurrentWidget(panel);
    QHash<QString, QString> seen;
    const auto add = [&seen](const QString &text, const QString &owner) {
        const QKeySequence key = QKeySequence::mnemonic(text);
        if (key.isEmpty())
            return;
        const QString k = key.toString();
        QVERIFY2(!seen.contains(k), qPrintable(QStringLiteral("%1: %2 and %3").arg(k, seen.value(k), owner)));
        seen.insert(k, owner);
    };
    for (QAction *action : window.menuBar()->actions())
        add(action->text(), action->text());
    for (QAbstractButton *b : window.findChildren<QAbstractButton *>())
        if (b->isVisible())
            add(b->text(), b->objectName() + QLatin1Char(' ') + b->text());
    for (QLabel *l : window.findChildren<QLabel *>())
        if (l->isVisible() && l->buddy())
            add(l->text(), l->text());
    for (const char *name : {"initButton", "beginButton", "txnSendButton", "commitButton", "abortButton",
                             "sendOffsetsButton", "fenceMeButton", "startProducerButton", "lostAckButton"}) {
        auto *b = child<QPushButton>(window, name);
        QVERIFY(b);
        QVERIFY2(!QKeySequence::mnemonic(b->text()).isEmpty(), name);
        QVERIFY2(b->toolTip().contains(QLatin1Char('(')) || b->toolTip().size() > 40, name); // names its calls
    }
}

// At the window's default size on a 1280x800 screen, 1280x760 (the offscreen
// platform's screen is 800x600, so the size is set here), and with a fatal
// banner showing, no widget of the panel is smaller than its minimum size
// hint: nothing clipped or overlapping. The controls scroll instead.
void TestTransactionPanel::nothingSqueezedAtDefaultSize()
{
    MainWindow window;
    window.resize(1280, 760);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = child<TransactionPanel>(window, "transactionPanel");
    child<QTabWidget>(window, "composerTabs")->setCurrentWidget(panel);
    auto *banner = child<QLabel>(window, "txnBanner");
    banner->setText(
        QStringLiteral("FATAL_ERROR (fenced): fenced: coordinator broker 1 (127.0.0.1:9092): "
                       "PRODUCER_FENCED: A newer producer with the same transactional.id fenced this one."));
    banner->show();
    QTest::qWait(50);
    QStringList squeezed;
    for (QWidget *w : panel->findChildren<QWidget *>()) {
        if (!w->isVisible() || w->objectName().startsWith(QLatin1StringView("qt_")))
            continue;
        // The widgets a user reads or operates (not headers, scroll bars, icon buttons).
        const bool checked = w->inherits("QLabel") || w->inherits("QPushButton") || w->inherits("QCheckBox") ||
                             w->inherits("QAbstractSpinBox") || w->inherits("QComboBox") || w->inherits("QLineEdit") ||
                             w->inherits("QAbstractItemView") || w->inherits("kpw::TxnStateDiagram");
        if (!checked || w->inherits("QHeaderView"))
            continue;
        const QSize min = w->minimumSizeHint();
        if (!min.isValid() || w->sizePolicy().horizontalPolicy() == QSizePolicy::Ignored)
            continue;
        if (w->width() < min.width() || w->height() < min.height())
            squeezed.append(QStringLiteral("%1 %2: %3x%4 < %5x%6")
                                .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName())
                                .arg(w->width())
                                .arg(w->height())
                                .arg(min.width())
                                .arg(min.height()));
    }
    const QString dir = screenshotDir();
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(window.grab().save(dir + QStringLiteral("/transactions-default-size.png")));
    QVERIFY2(squeezed.isEmpty(), qPrintable(squeezed.join(QLatin1Char('\n'))));
}

void TestTransactionPanel::faultLab_data()
{
    QTest::addColumn<QByteArray>("button"); // the fault lab's button to press
    QTest::addColumn<bool>("idempotence");
    QTest::addColumn<int>("copies");          // how often each record lands
    QTest::addColumn<QString>("explanation"); // how the line under the fault lab starts
    const QString on = QStringLiteral("Idempotence on");
    const QString off = QStringLiteral("Idempotence off");
    QTest::newRow("lost ack, idempotence on: written once") << QByteArray("lostAckButton") << true << 1 << on;
    QTest::newRow("lost ack, idempotence off: written twice") << QByteArray("lostAckButton") << false << 2 << off;
    QTest::newRow("NOT_LEADER_OR_FOLLOWER, idempotence on") << QByteArray("injectErrorButton") << true << 1 << on;
    QTest::newRow("NOT_LEADER_OR_FOLLOWER, idempotence off") << QByteArray("injectErrorButton") << false << 2 << off;
    QTest::newRow("disconnect after send, idempotence on") << QByteArray("disconnectButton") << true << 1 << on;
    QTest::newRow("delayed responses: no retry")
        << QByteArray("delayButton") << true << 1 << QStringLiteral("Responses delayed by 400 ms");
}

void TestTransactionPanel::faultLab()
{
    QFETCH(QByteArray, button);
    QFETCH(bool, idempotence);
    QFETCH(int, copies);
    QFETCH(QString, explanation);
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("gui-fault"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    Fixture f;
    QVERIFY(f.setUp(boot, topic, QStringLiteral("rec-{{seq}}")));
    f.tid->clear();
    auto *check = child<QCheckBox>(f.window, "idempotenceCheck");
    QVERIFY(check && check->isEnabled());
    check->setChecked(idempotence);
    QVERIFY(!f.init->isEnabled()); // no transactional.id, no initTransactions
    QTest::mouseClick(f.start, Qt::LeftButton);
    QVERIFY(f.panel->isStarted());
    if (idempotence)
        QTRY_VERIFY_WITH_TIMEOUT(f.panel->status().producerId >= 0, kTimeoutMs);
    else
        QTest::qWait(500);

    child<QSpinBox>(f.window, "lostAckSpin")->setValue(1);
    child<QSpinBox>(f.window, "disconnectSpin")->setValue(1);
    child<QSpinBox>(f.window, "delaySpin")->setValue(400);
    auto *fault = child<QPushButton>(f.window, button.constData());
    QVERIFY(fault && fault->isEnabled());
    QTest::mouseClick(fault, Qt::LeftButton);
    f.count->setValue(3);
    QVERIFY(f.send->isEnabled());
    QTest::mouseClick(f.send, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(f.window.reportModel()->deliveredCount(), quint64(3), kTimeoutMs);
    QCOMPARE(f.window.reportModel()->failedCount(), quint64(0));
    // Idempotent records carry their producer id in the window's table; plain ones none.
    QCOMPARE(f.window.reportModel()->index(0, DeliveryReportModel::ProducerColumn).data().toString().isEmpty(),
             !idempotence);
    // Every fault shows in the timeline: armed, and (a delay aside) fired.
    QTRY_VERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("FAULT=armed")),
                 qPrintable(calls(f.panel->timeline())));
    if (button != "delayButton")
        QVERIFY2(calls(f.panel->timeline()).contains(QLatin1StringView("FAULT=injected")),
                 qPrintable(calls(f.panel->timeline())));
    QVERIFY(rowsOfKind(f.panel->timeline(), QStringLiteral("fault")) >= 1);
    QVERIFY2(f.panel->faultExplanation().startsWith(explanation), qPrintable(f.panel->faultExplanation()));

    QString error;
    auto got = kpw::test::consumeAll(boot, topic, 3 * copies, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    auto settle = kpw::test::consumeAll(boot, topic, 100, 2000, QStringLiteral("read_uncommitted"), &error);
    QStringList values;
    for (const auto &r : settle)
        values.append(QString::fromUtf8(r.value.value_or(QByteArray())));
    const QStringList once{QStringLiteral("rec-1"), QStringLiteral("rec-2"), QStringLiteral("rec-3")};
    QCOMPARE(values, copies == 1 ? once : once + once);
    if (button == "lostAckButton" && idempotence)
        f.screenshot(QStringLiteral("transactions-faultlab.png"));
}

QTEST_MAIN(TestTransactionPanel)
#include "tst_transactionpanel.moc"
