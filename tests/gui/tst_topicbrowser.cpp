// The topic browser: its models under QAbstractItemModelTester with made-up
// topics (filter, internal topics, under-replicated and non-default
// marking), then in the real window against the fixture's broker: browse a
// topic librdkafka wrote records to (offsets), filter, select (the composer
// takes the topic), create through the dialog (a refused replication factor
// first, with the broker's error name), delete through the dialog (typing
// the name), cancel a refresh. Saves screenshots/topic-browser.png.

#include "RdkTxnProducer.h"
#include "TestBroker.h"
#include "admin/AdminClient.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/TopicBrowser.h"
#include "ui/TopicBrowserModels.h"
#include "ui/TopicDialogs.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace kpw;
using namespace kpw::test;

namespace {

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

TopicDescription fakeTopic(const QString &name, int partitions, bool internal = false, int inSync = 2)
{
    TopicDescription t;
    t.name = name;
    t.internal = internal;
    for (int p = 0; p < partitions; ++p) {
        PartitionDescription d;
        d.partition = p;
        d.leader = 1;
        d.replicas = {1, 2};
        d.isr = inSync == 2 ? QList<std::int32_t>{1, 2} : QList<std::int32_t>{1};
        d.earliestOffset = 10;
        d.latestOffset = 10 + p;
        t.partitions.append(d);
    }
    return t;
}

QStringList visibleNames(const QAbstractItemModel *m)
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out.append(m->index(r, 0).data(TopicTableModel::NameRole).toString());
    return out;
}

} // namespace

class TstTopicBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void modelsFilterAndMark();
    void browseCreateDeleteInWindow();
    void mnemonicsAreUnique();
    void remembersViewChoices();

private:
    std::unique_ptr<QTemporaryDir> m_settingsDir;
};

void TstTopicBrowser::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
}

void TstTopicBrowser::init()
{
    failOnCrossThreadTimers();
    // Each test function gets its own, empty settings file.
    m_settingsDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_settingsDir->isValid());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir->path());
    QSettings().clear();
}

void TstTopicBrowser::cleanup()
{
    m_settingsDir.reset();
}

void TstTopicBrowser::modelsFilterAndMark()
{
    TopicTableModel topics;
    TopicFilterProxy proxy;
    proxy.setSourceModel(&topics);
    QAbstractItemModelTester t1(&topics, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    topics.setTopics({fakeTopic(QStringLiteral("payments"), 6),
                      fakeTopic(QStringLiteral("__consumer_offsets"), 50, true),
                      fakeTopic(QStringLiteral("orders"), 3, false, 1), fakeTopic(QStringLiteral("audit"), 1)});
    QCOMPARE(topics.rowCount(), 4);
    QCOMPARE(visibleNames(&proxy),
             (QStringList{QStringLiteral("audit"), QStringLiteral("orders"), QStringLiteral("payments")}));
    proxy.setShowInternal(true);
    QCOMPARE(proxy.rowCount(), 4);
    proxy.setNameFilter(QStringLiteral("ORD"));
    QCOMPARE(visibleNames(&proxy), QStringList{QStringLiteral("orders")});
    proxy.setNameFilter(QString());
    proxy.setShowInternal(false);
    QCOMPARE(proxy.rowCount(), 3);

    const int orders = topics.rowOf(QStringLiteral("orders"));
    QCOMPARE(topics.index(orders, TopicTableModel::PartitionsColumn).data().toInt(), 3);
    QCOMPARE(topics.index(orders, TopicTableModel::ReplicationColumn).data().toInt(), 2);
    QCOMPARE(topics.index(orders, TopicTableModel::UnderReplicatedColumn).data().toInt(), 3);
    QVERIFY(topics.index(orders, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!topics.index(topics.rowOf(QStringLiteral("audit")), 0).data(Qt::BackgroundRole).isValid());
    // Records: latest - earliest summed: 0 + 1 + 2.
    QCOMPARE(topics.index(orders, TopicTableModel::RecordsColumn).data(TopicTableModel::SortRole).toLongLong(), 3);
    // The same names again: updated in place, no reset.
    QSignalSpy resets(&topics, &QAbstractItemModel::modelReset);
    topics.setTopics(topics.topics());
    QCOMPARE(resets.count(), 0);
    topics.setTopics({fakeTopic(QStringLiteral("orders"), 3)});
    QCOMPARE(resets.count(), 1);
    QCOMPARE(proxy.rowCount(), 1);

    PartitionTableModel partitions;
    QAbstractItemModelTester t3(&partitions, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto under = fakeTopic(QStringLiteral("x"), 2, false, 1).partitions;
    under[1].isr = {1, 2};
    under[1].latestOffset = -1;
    under[1].offsetsError = 6; // NOT_LEADER_OR_FOLLOWER
    partitions.setPartitions(under);
    QCOMPARE(partitions.rowCount(), 2);
    QVERIFY(partitions.index(0, 0).data(PartitionTableModel::UnderReplicatedRole).toBool());
    QVERIFY(partitions.index(0, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!partitions.index(1, 0).data(PartitionTableModel::UnderReplicatedRole).toBool());
    QCOMPARE(partitions.index(0, PartitionTableModel::ReplicasColumn).data().toString(), QStringLiteral("1, 2"));
    QCOMPARE(partitions.index(0, PartitionTableModel::IsrColumn).data().toString(), QStringLiteral("1"));
    QCOMPARE(partitions.index(1, PartitionTableModel::LatestColumn).data().toString(),
             QStringLiteral("NOT_LEADER_OR_FOLLOWER"));
    partitions.setPartitions({});
    QCOMPARE(partitions.rowCount(), 0);

    ConfigTableModel configs;
    QAbstractItemModelTester t4(&configs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ConfigEntry set{QStringLiteral("retention.ms"), QStringLiteral("1000"), false, 1, false, 0, std::nullopt};
    ConfigEntry def{QStringLiteral("cleanup.policy"), QStringLiteral("delete"), false, 5, false, 0, std::nullopt};
    ConfigEntry secret{QStringLiteral("x.password"), std::nullopt, false, 4, true, 0, std::nullopt};
    configs.setConfigs({def, set, secret});
    QCOMPARE(configs.nonDefaultCount(), 2);
    // Non-defaults first, by name; then the defaults.
    QCOMPARE(configs.index(0, 0).data().toString(), QStringLiteral("retention.ms"));
    QCOMPARE(configs.index(1, 0).data().toString(), QStringLiteral("x.password"));
    QCOMPARE(configs.index(2, 0).data().toString(), QStringLiteral("cleanup.policy"));
    QVERIFY(configs.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!configs.index(2, 0).data(Qt::FontRole).isValid());
    QCOMPARE(configs.index(0, ConfigTableModel::SourceColumn).data().toString(),
             QStringLiteral("DYNAMIC_TOPIC_CONFIG"));
    QCOMPARE(configs.index(2, ConfigTableModel::SourceColumn).data().toString(), QStringLiteral("DEFAULT_CONFIG"));
    QCOMPARE(configs.index(1, ConfigTableModel::ValueColumn).data().toString(), QStringLiteral("(sensitive)"));
}

void TstTopicBrowser::browseCreateDeleteInWindow()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString existing = uniqueTopic(QStringLiteral("kpw-browse"));
    QString createError;
    QVERIFY2(createTopic(boot, existing, 3,
                         {{QStringLiteral("retention.ms"), QStringLiteral("86400000")},
                          {QStringLiteral("max.message.bytes"), QStringLiteral("2097152")}},
                         &createError),
             qPrintable(createError));
    {
        RdkTxnProducer producer(boot, QString());
        QVERIFY2(producer.ok(), qPrintable(producer.error()));
        for (int i = 0; i < 7; ++i)
            QVERIFY(producer.send(existing, i % 3, QByteArray("k"), QByteArray::number(i)));
        QVERIFY2(producer.flush(), qPrintable(producer.error()));
    }

    MainWindow window(boot);
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.connectToCluster(); // the producer too: the screenshot shows a connected window
    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("composerTabs"));
    auto *browser = window.topicBrowser();
    QVERIFY(tabs && browser);
    tabs->setCurrentWidget(browser);
    auto *topicView = browser->findChild<QTableView *>(QStringLiteral("topicBrowserTopics"));
    QVERIFY(topicView);
    QAbstractItemModelTester tt(browser->topicModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tp(browser->topicProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tpart(browser->partitionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tc(browser->configModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    // F5 loads the topics (showing the tab may already have started it).
    topicView->setFocus();
    QTest::keyClick(topicView, Qt::Key_F5);
    QTRY_VERIFY_WITH_TIMEOUT(browser->topicModel()->rowOf(existing) >= 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isBusy(), 20000);
    QVERIFY2(!browser->statusText().contains(QStringLiteral("failed")), qPrintable(browser->statusText()));

    // Filter down to it and select it: the composer takes it as its target.
    auto *filter = browser->findChild<QLineEdit *>(QStringLiteral("topicBrowserFilter"));
    QTest::keyClicks(filter, existing);
    QCOMPARE(browser->topicProxy()->rowCount(), 1);
    QTest::mouseClick(topicView->viewport(), Qt::LeftButton, {},
                      topicView->visualRect(browser->topicProxy()->index(0, 0)).center());
    QCOMPARE(browser->selectedTopic(), existing);
    auto *editor = window.findChild<MessageEditor *>(QStringLiteral("messageEditor"));
    QVERIFY(editor);
    QCOMPARE(editor->topic(), existing);
    QCOMPARE(browser->partitionModel()->rowCount(), 3);
    qlonglong records = 0;
    for (int p = 0; p < 3; ++p) {
        const auto row = [&](int c) { return browser->partitionModel()->index(p, c).data(); };
        QCOMPARE(row(PartitionTableModel::PartitionColumn).toInt(), p);
        QCOMPARE(row(PartitionTableModel::EarliestColumn).toLongLong(), 0);
        QCOMPARE(row(PartitionTableModel::LeaderColumn).toInt(), 1);
        QCOMPARE(row(PartitionTableModel::IsrColumn).toString(), QStringLiteral("1"));
        records += row(PartitionTableModel::LatestColumn).toLongLong();
    }
    QCOMPARE(records, 7); // 3 + 2 + 2, what librdkafka wrote
    QTRY_VERIFY_WITH_TIMEOUT(browser->configModel()->rowCount() > 10, 20000);
    filter->clear();

    // Create: replication factor 3 on one broker is refused with its name;
    // then 1 goes through, with a config that shows as not the default.
    const QString created = uniqueTopic(QStringLiteral("kpw-created"));
    CreateTopicDialog *dialog = browser->openCreateDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    dialog->findChild<QLineEdit *>(QStringLiteral("createTopicName"))->setText(created);
    dialog->findChild<QSpinBox *>(QStringLiteral("createTopicPartitions"))->setValue(2);
    dialog->findChild<QSpinBox *>(QStringLiteral("createTopicReplication"))->setValue(3);
    dialog->addConfigRow(QStringLiteral("retention.ms"), QStringLiteral("3600000"));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("createTopicCreate")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().contains(QStringLiteral("INVALID_REPLICATION_FACTOR")), 20000);
    QVERIFY(dialog->isVisible());
    QDir().mkpath(screenshotDir());
    QVERIFY(dialog->grab().save(screenshotDir() + QStringLiteral("/create-topic-refused.png")));
    dialog->findChild<QSpinBox *>(QStringLiteral("createTopicReplication"))->setValue(1);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("createTopicValidate")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().startsWith(QStringLiteral("Valid")), 20000);
    QVERIFY2(dialog->statusText().contains(QStringLiteral("2 partition(s)")), qPrintable(dialog->statusText()));
    QPointer<CreateTopicDialog> guard(dialog);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("createTopicCreate")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), 20000);
    QCOMPARE(topicExists(boot, created), std::optional<bool>(true));
    // The browser selects the new topic once it shows up.
    QTRY_COMPARE_WITH_TIMEOUT(browser->selectedTopic(), created, 20000);
    QCOMPARE(editor->topic(), created);
    QTRY_VERIFY_WITH_TIMEOUT(browser->configModel()->rowCount() > 10, 20000);
    bool sawRetention = false;
    for (int r = 0; r < browser->configModel()->rowCount(); ++r) {
        const auto cell = [&](int c, int role = Qt::DisplayRole) {
            return browser->configModel()->index(r, c).data(role);
        };
        if (cell(ConfigTableModel::NameColumn).toString() != QStringLiteral("retention.ms"))
            continue;
        sawRetention = true;
        QCOMPARE(cell(ConfigTableModel::ValueColumn).toString(), QStringLiteral("3600000"));
        QCOMPARE(cell(ConfigTableModel::SourceColumn).toString(), QStringLiteral("DYNAMIC_TOPIC_CONFIG"));
        QVERIFY(cell(ConfigTableModel::NameColumn, Qt::FontRole).value<QFont>().bold());
    }
    QVERIFY(sawRetention);
    QCOMPARE(browser->partitionModel()->rowCount(), 2);

    // The same name again: TOPIC_ALREADY_EXISTS, as the broker says it.
    dialog = browser->openCreateDialog();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("createTopicName"))->setText(created);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("createTopicCreate")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->statusText().contains(QStringLiteral("TOPIC_ALREADY_EXISTS")), 20000);
    QVERIFY2(dialog->statusText().contains(created), qPrintable(dialog->statusText()));
    dialog->reject();

    // The screenshot for the README: the existing topic with its records.
    browser->selectTopic(existing);
    QTRY_VERIFY_WITH_TIMEOUT(!browser->isBusy(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(browser->configModel()->rowCount() > 10, 20000);
    QApplication::processEvents();
    const QString shot = screenshotDir() + QStringLiteral("/topic-browser.png");
    QVERIFY2(window.grab().save(shot), qPrintable(shot));

    // Delete: the button only works once the name is typed.
    browser->selectTopic(created);
    QCOMPARE(browser->selectedTopic(), created);
    DeleteTopicDialog *del = browser->openDeleteDialog();
    QVERIFY(del);
    QCOMPARE(del->topicName(), created);
    QVERIFY(!del->deleteButton()->isEnabled());
    QTest::keyClicks(del->confirmationEdit(), created.left(created.size() - 1));
    QVERIFY(!del->deleteButton()->isEnabled());
    QTest::keyClicks(del->confirmationEdit(), created.right(1));
    QVERIFY(del->deleteButton()->isEnabled());
    QPointer<DeleteTopicDialog> delGuard(del);
    QTest::mouseClick(del->deleteButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(delGuard.isNull() || !delGuard->isVisible(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, created), std::optional<bool>(false), 20000);
    // Refresh until the browser no longer lists it (deletion is asynchronous in KRaft).
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            if (!browser->isBusy())
                browser->refresh();
            return browser->topicModel()->rowOf(created) < 0;
        }(),
        20000);

    // Cancel: the busy bar goes and the answer is dropped.
    browser->refresh();
    QVERIFY(browser->isBusy());
    auto *cancel = browser->findChild<QToolButton *>(QStringLiteral("topicBrowserCancel"));
    QVERIFY(cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(!browser->isBusy());
    QVERIFY(!cancel->isVisible());
    QCOMPARE(browser->statusText(), QStringLiteral("Refresh cancelled."));
    QTest::qWait(500);
    QCOMPARE(browser->statusText(), QStringLiteral("Refresh cancelled."));

    // Automatic refresh: every 5 s when chosen; nothing while it is off.
    QSignalSpy answers(browser->adminClient(), &AdminClient::topicsDescribed);
    QTest::qWait(1500);
    QCOMPARE(answers.count(), 0);
    auto *autoRefresh = browser->findChild<QComboBox *>(QStringLiteral("topicBrowserAutoRefresh"));
    autoRefresh->setCurrentIndex(autoRefresh->findData(5));
    QTRY_VERIFY_WITH_TIMEOUT(answers.count() >= 2, 14000);
    QVERIFY(browser->statusText().contains(QStringLiteral("loaded at")));
    browser->setAutoRefreshSeconds(0);
}

// With the browser's tab showing, no two visible controls (nor the menu
// bar) share an Alt+letter, which would make Qt cycle focus instead of acting.
void TstTopicBrowser::mnemonicsAreUnique()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QTabWidget *>(QStringLiteral("composerTabs"))->setCurrentWidget(window.topicBrowser());
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
    for (const char *name : {"topicBrowserCreate", "topicBrowserDelete", "topicBrowserShowInternal"})
        QVERIFY2(!QKeySequence::mnemonic(window.findChild<QAbstractButton *>(QLatin1String(name))->text()).isEmpty(),
                 name);
}

// Internal topics shown and the auto-refresh interval come back on the next
// start (from this test's own settings file); no connection is attempted
// while no bootstrap server is set.
void TstTopicBrowser::remembersViewChoices()
{
    {
        TopicBrowser browser;
        browser.setConfigProvider([]() -> Result<ProducerConfig> { return Error{-1, QStringLiteral("no servers")}; });
        auto *internal = browser.findChild<QCheckBox *>(QStringLiteral("topicBrowserShowInternal"));
        QVERIFY(!internal->isChecked());
        QVERIFY(!browser.topicProxy()->showInternal());
        internal->setChecked(true);
        browser.setAutoRefreshSeconds(5);
        QCOMPARE(browser.findChild<QComboBox *>(QStringLiteral("topicBrowserAutoRefresh"))->currentData().toInt(), 5);
        QSignalSpy pending(browser.adminClient(), &AdminClient::pendingChanged);
        QTest::qWait(5600); // one auto-refresh tick: skipped, nothing to connect to
        QCOMPARE(pending.count(), 0);
        QVERIFY(!browser.isBusy());
    }
    TopicBrowser again;
    QVERIFY(again.findChild<QCheckBox *>(QStringLiteral("topicBrowserShowInternal"))->isChecked());
    QVERIFY(again.topicProxy()->showInternal());
    QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("topicBrowserAutoRefresh"))->currentData().toInt(), 5);
    again.setAutoRefreshSeconds(0);
}

QTEST_MAIN(TstTopicBrowser)
#include "tst_topicbrowser.moc"
