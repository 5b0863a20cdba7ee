#include "ui/MainWindow.h"

#include "about/LibraryVersions.h"
#include "admin/TopicAdmin.h"

#include "net/ConnectionCheck.h"
#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"
#include "profiles/KeychainSecretStore.h"
#include "profiles/ProfileStore.h"
#include "ui/ConnectionsDialog.h"
#include "ui/DeliveryReportModel.h"
#include "ui/DeliveryReportView.h"
#include "ui/MessageEditor.h"
#include "ui/MessageLibrary.h"
#include "ui/MetricsBar.h"
#include "ui/ProducerSettingsWidget.h"
#include "ui/ReplayPanel.h"
#include "ui/SerdePanel.h"
#include "ui/TailView.h"
#include "ui/TopicBrowser.h"
#include "ui/TopicListModel.h"
#include "ui/TransactionPanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QScreen>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace kpw {
namespace {

const auto kErrorStyle = QStringLiteral("color: #b0121f;");
const auto kOkStyle = QStringLiteral("color: #1b7f3b;");
const auto kMutedStyle = QStringLiteral("color: palette(mid);");
constexpr int kLogLines = 5000;

QString oneLine(QString text)
{
    return text.replace(QLatin1Char('\n'), QLatin1Char(' ')).simplified();
}

} // namespace

MainWindow::MainWindow(const QString &initialBootstrap, QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Kafka Producer Workbench"));
    setObjectName(QStringLiteral("mainWindow"));

    m_client = new ProducerClient(this);
    // The same file as the window's other settings (the application sets
    // organization and name "kpw", so kpw-cli's ProfileStore::openSettings()
    // finds the same profiles).
    m_profileSettings = std::make_unique<QSettings>();
    m_keychain = std::make_unique<KeychainSecretStore>();
    m_profiles = std::make_unique<ProfileStore>(m_profileSettings.get(), m_keychain.get());
    // The GUI thread never waits for buffer space: a full buffer fails the
    // record at once (BUFFER_FULL), and the table shows it.
    m_client->setBlockingSends(false);
    m_reportModel = new DeliveryReportModel(this);
    m_topicModel = new TopicListModel(this);
    m_topicProxy = new QSortFilterProxyModel(this);
    m_topicProxy->setSourceModel(m_topicModel);
    m_topicProxy->setFilterRole(TopicListModel::NameRole);
    m_topicProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_editor = new MessageEditor(this);
    m_editor->setObjectName(QStringLiteral("messageEditor"));
    m_editor->setTopicCompletionModel(m_topicModel, TopicListModel::NameRole);
    m_settings = new ProducerSettingsWidget(this);

    m_horizontalSplitter = new QSplitter(Qt::Horizontal, this);
    m_horizontalSplitter->addWidget(buildTopicPanel());
    m_horizontalSplitter->addWidget(buildComposerTabs());
    m_horizontalSplitter->setStretchFactor(0, 0);
    m_horizontalSplitter->setStretchFactor(1, 1);
    m_horizontalSplitter->setSizes({240, 900});
    m_horizontalSplitter->setChildrenCollapsible(false);

    m_verticalSplitter = new QSplitter(Qt::Vertical, this);
    m_verticalSplitter->addWidget(m_horizontalSplitter);
    m_verticalSplitter->addWidget(buildReportPanel());
    m_verticalSplitter->setStretchFactor(0, 3);
    m_verticalSplitter->setStretchFactor(1, 2);
    m_verticalSplitter->setSizes({460, 300});
    m_verticalSplitter->setChildrenCollapsible(false);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->setSpacing(6);
    layout->addWidget(buildConnectionBar());
    layout->addWidget(m_verticalSplitter, 1);
    setCentralWidget(central);
    buildMenus();
    buildStatusBar();

    connect(m_editor, &MessageEditor::sendRequested, this, &MainWindow::sendRecord);
    connect(m_editor, &MessageEditor::topicChanged, this, &MainWindow::onComposerTopicChanged);
    connect(m_reportModel, &DeliveryReportModel::countsChanged, this, &MainWindow::updateCounts);
    connect(m_settings, &ProducerSettingsWidget::applyRequested, this, &MainWindow::connectToCluster);
    connect(m_settings, &ProducerSettingsWidget::configChanged, this, &MainWindow::onProducerSettingsChanged);
    connect(m_settings, &ProducerSettingsWidget::bootstrapServersLoaded, this, [this](const QString &servers) {
        m_bootstrapEdit->setText(servers);
        showInfo(tr("bootstrap.servers from the file is now in the connection bar: %1").arg(servers));
    });
    wireClient();

    // 1280x820 where there is room; on a smaller screen (a 1280x800 laptop)
    // the whole window, status bar included, stays on it: room is left for a
    // window manager's title bar.
    QSize size(1280, 820);
    if (const QScreen *where = screen()) {
        const QRect room = where->availableGeometry();
        size = size.boundedTo(QSize(room.width(), room.height() - 40));
    }
    resize(size);
    restoreSettings();
    if (!initialBootstrap.isEmpty())
        m_bootstrapEdit->setText(initialBootstrap);
    setConnectionState(ConnectionState::Disconnected, tr("Not connected"));
    updateCounts();
    showInfo(tr("Enter the bootstrap servers and press Connect."));
}

DeliveryReportModel *MainWindow::reportModel() const
{
    return m_reportModel;
}

ProducerSettingsWidget *MainWindow::producerSettings() const
{
    return m_settings;
}

MainWindow::~MainWindow()
{
    // Stop the engine while the window is still whole, so that nothing it
    // reports on the way out reaches a half-destroyed window.
    m_client->disconnect(this);
    m_client->disconnect(m_reportModel);
    m_client->stop();
}

QWidget *MainWindow::buildConnectionBar()
{
    auto *bar = new QFrame(this);
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->setFrameShape(QFrame::StyledPanel);

    auto *label = new QLabel(tr("&Bootstrap servers:"), bar);
    m_bootstrapEdit = new QLineEdit(bar);
    m_bootstrapEdit->setObjectName(QStringLiteral("bootstrapEdit"));
    m_bootstrapEdit->setPlaceholderText(QStringLiteral("host:port[,host:port...]"));
    m_bootstrapEdit->setClearButtonEnabled(true);
    m_bootstrapEdit->setMinimumWidth(300);
    label->setBuddy(m_bootstrapEdit);

    m_connectButton = new QPushButton(tr("&Connect"), bar);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setToolTip(tr("Connect (or reconnect) to the cluster and load its topics"));

    m_testButton = new QPushButton(tr("Test connection"), bar);
    m_testButton->setObjectName(QStringLiteral("testConnectionButton"));
    m_testButton->setToolTip(tr("Connect to every bootstrap server with the current settings and report the TLS "
                                "protocol, cipher and certificate, the SASL login and the brokers (in the log)"));

    m_connectionStatus = new QLabel(bar);
    m_connectionStatus->setObjectName(QStringLiteral("connectionStatus"));
    m_connectionStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Long broker errors must not widen the window; the tooltip has the full text.
    m_connectionStatus->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(label);
    layout->addWidget(m_bootstrapEdit);
    layout->addWidget(m_connectButton);
    layout->addWidget(m_testButton);
    layout->addSpacing(12);
    layout->addWidget(m_connectionStatus, 1);

    connect(m_connectButton, &QPushButton::clicked, this, &MainWindow::connectToCluster);
    connect(m_bootstrapEdit, &QLineEdit::returnPressed, this, &MainWindow::connectToCluster);
    connect(m_testButton, &QPushButton::clicked, this, &MainWindow::testConnection);
    return bar;
}

QWidget *MainWindow::buildTopicPanel()
{
    auto *panel = new QWidget(this);
    auto *title = new QLabel(tr("Topics"), panel);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);

    auto *refreshButton = new QToolButton(panel);
    refreshButton->setObjectName(QStringLiteral("refreshTopicsButton"));
    refreshButton->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    refreshButton->setToolTip(tr("Reload the topic list from the cluster"));
    refreshButton->setAutoRaise(true);

    m_topicFilter = new QLineEdit(panel);
    m_topicFilter->setObjectName(QStringLiteral("topicFilter"));
    m_topicFilter->setPlaceholderText(tr("Filter topics"));
    m_topicFilter->setClearButtonEnabled(true);

    m_topicList = new QListView(panel);
    m_topicList->setObjectName(QStringLiteral("topicList"));
    m_topicList->setModel(m_topicProxy);
    m_topicList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_topicList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_topicList->setUniformItemSizes(true);
    m_topicList->setAlternatingRowColors(true);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(title);
    header->addStretch(1);
    header->addWidget(refreshButton);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 6, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(header);
    layout->addWidget(m_topicFilter);
    layout->addWidget(m_topicList, 1);

    connect(m_topicFilter, &QLineEdit::textChanged, m_topicProxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_topicList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onTopicActivated(current); });
    connect(m_topicList, &QListView::clicked, this, &MainWindow::onTopicActivated);
    connect(m_topicList, &QListView::doubleClicked, this, [this](const QModelIndex &index) {
        onTopicActivated(index);
        m_editor->focusValue();
    });
    connect(refreshButton, &QToolButton::clicked, this, [this] {
        if (m_state == ConnectionState::Connected)
            m_client->refreshMetadata();
        else
            showError(tr("Not connected: connect to a cluster first."));
    });
    return panel;
}

QWidget *MainWindow::buildComposerTabs()
{
    m_composerTabs = new QTabWidget(this);
    m_composerTabs->setObjectName(QStringLiteral("composerTabs"));
    m_composerTabs->setDocumentMode(true);
    // The composer with its saved messages and sent history beside it.
    m_library = new MessageLibrary(
        m_editor, &m_history, [this] { return m_bootstrapEdit->text().trimmed(); }, this);
    m_library->setObjectName(QStringLiteral("messageLibrary"));
    m_composerSplitter = new QSplitter(Qt::Horizontal, m_composerTabs);
    m_composerSplitter->setObjectName(QStringLiteral("composerSplitter"));
    m_composerSplitter->addWidget(m_editor);
    m_composerSplitter->addWidget(m_library);
    m_composerSplitter->setStretchFactor(0, 1);
    m_composerSplitter->setStretchFactor(1, 0);
    m_composerSplitter->setSizes({720, 280});
    m_composerSplitter->setChildrenCollapsible(true);
    connect(this, &MainWindow::recordsSent, m_library, &MessageLibrary::refreshHistory);
    connect(m_library, &MessageLibrary::message, this,
            [this](const QString &text, bool error) { error ? showError(text) : showInfo(text); });
    m_composerTabs->addTab(m_composerSplitter, tr("Composer"));
    m_composerTabs->addTab(m_settings, tr("Producer settings"));
    m_composerTabs->setTabToolTip(1, tr("Every producer setting; applied on Connect"));
    // Replay runs its own producer (with these settings and the bootstrap
    // field), so a long replay never competes with the composer's client.
    m_replay = new ReplayPanel(this);
    m_replay->setConfigProvider([this]() -> Result<ProducerConfig> {
        const QString bootstrap = m_bootstrapEdit->text().trimmed();
        if (bootstrap.isEmpty())
            return Error{-1, tr("Enter the bootstrap servers first (host:port).")};
        ProducerConfig config = m_settings->config();
        const Result<bool> set = config.set(QStringLiteral("bootstrap.servers"), bootstrap);
        if (!set.ok())
            return set.error();
        return config;
    });
    connect(m_replay, &ReplayPanel::logMessage, this, &MainWindow::appendLog);
    connect(m_replay, &ReplayPanel::replayFinished, this, [this](const ReplaySummary &summary) {
        appendLog(tr("replay: %1").arg(summary.toText().section(QLatin1Char('\n'), 0, 0)));
    });
    m_composerTabs->addTab(m_replay, tr("Replay"));
    m_composerTabs->setTabToolTip(2, tr("Replay payload files (lines, JSONL, CSV, a folder) at a chosen rate"));

    // The transaction panel runs its own producer (the window's settings and
    // bootstrap servers, its own transactional.id); its records join the
    // delivery table. A read_committed/read_uncommitted tail is another tab.
    auto *txnPanel = new TransactionPanel(m_editor, m_composerTabs);
    txnPanel->setConfigSource([this] {
        ProducerConfig config = m_settings->config();
        (void)config.set(QStringLiteral("bootstrap.servers"), m_bootstrapEdit->text().trimmed());
        return config;
    });
    connect(txnPanel, &TransactionPanel::recordsDelivered, m_reportModel, &DeliveryReportModel::appendReports);
    m_composerTabs->setTabToolTip(m_composerTabs->addTab(txnPanel, tr("Transactions")),
                                  tr("Drive a transactional or idempotent producer by hand; fault lab; fence me"));
    m_tailView = new TailView(m_composerTabs);
    const int tailTab = m_composerTabs->addTab(m_tailView, tr("Tails"));
    m_composerTabs->setTabToolTip(tailTab, tr("The chosen topic read_committed and read_uncommitted, side by side"));

    // The topic browser (issue 8): its own admin connection with the same
    // settings; picking a topic there makes it the composer's target.
    m_topicBrowser = new TopicBrowser(m_composerTabs);
    m_topicBrowser->setConfigProvider([this]() -> Result<ProducerConfig> {
        const QString bootstrap = m_bootstrapEdit->text().trimmed();
        if (bootstrap.isEmpty())
            return Error{-1, tr("Enter the bootstrap servers first (host:port).")};
        ProducerConfig config = m_settings->config();
        const Result<bool> set = config.set(QStringLiteral("bootstrap.servers"), bootstrap);
        if (!set.ok())
            return set.error();
        return config;
    });
    connect(m_topicBrowser, &TopicBrowser::topicSelected, this, [this](const QString &topic, int partitions) {
        m_editor->setTopic(topic);
        m_replay->setTopic(topic);
        if (partitions > 0)
            m_editor->setPartitionCount(partitions);
    });
    connect(m_topicBrowser, &TopicBrowser::topicsChanged, this, [this] {
        if (m_state == ConnectionState::Connected)
            m_client->refreshMetadata();
    });
    connect(m_topicBrowser, &TopicBrowser::logMessage, this, &MainWindow::appendLog);
    m_composerTabs->setTabToolTip(
        m_composerTabs->addTab(m_topicBrowser, tr("Topic browser")),
        tr("Topics, partitions, offsets and configs; create and delete topics (F5 refreshes)"));

    // The codec is the setting people flip most while composing: keep it at hand.
    auto *codecBox = new QWidget(m_editor);
    auto *codecLabel = new QLabel(tr("Compression:"), codecBox);
    QComboBox *codec = m_settings->createPicker(QStringLiteral("compression.type"), codecBox);
    codec->setObjectName(QStringLiteral("composerCodecCombo"));
    codec->setToolTip(tr("Compression codec for record batches (compression.type). "
                         "Like every producer setting it applies on the next Connect."));
    codecLabel->setToolTip(codec->toolTip());
    codecLabel->setBuddy(codec);
    auto *codecLayout = new QHBoxLayout(codecBox);
    codecLayout->setContentsMargins(0, 0, 0, 0);
    codecLayout->addWidget(codecLabel);
    codecLayout->addWidget(codec);
    codecLayout->addSpacing(8);
    m_editor->addSendBarWidget(codecBox);
    buildFormatsTab();
    return m_composerTabs;
}

QWidget *MainWindow::buildReportPanel()
{
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("bottomTabs"));
    tabs->setDocumentMode(true);

    m_reportPanel = new DeliveryReportView(m_reportModel, tabs);
    m_reportView = m_reportPanel->table();
    connect(m_reportPanel, &DeliveryReportView::resendRequested, this, &MainWindow::resendReports);
    connect(m_reportPanel, &DeliveryReportView::loadRequested, this, &MainWindow::loadReportIntoComposer);

    m_logView = new QPlainTextEdit(tabs);
    m_logView->setObjectName(QStringLiteral("logView"));
    m_logView->setReadOnly(true);
    m_logView->setMaximumBlockCount(kLogLines);
    m_logView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logView->setLineWrapMode(QPlainTextEdit::NoWrap);

    tabs->addTab(m_reportPanel, tr("Delivery reports"));
    tabs->addTab(m_logView, tr("Log"));

    // The table's own totals sit by the button that resets them.
    auto *corner = new QWidget(tabs);
    m_countsLabel = new QLabel(corner);
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    m_countsLabel->setToolTip(tr("Reports received since the last Clear, including rows beyond the table's cap"));
    auto *clearButton = new QToolButton(corner);
    clearButton->setObjectName(QStringLiteral("clearReportsButton"));
    clearButton->setText(tr("Clear"));
    clearButton->setToolTip(tr("Remove all delivery reports and reset the counters"));
    clearButton->setAutoRaise(true);
    auto *cornerLayout = new QHBoxLayout(corner);
    cornerLayout->setContentsMargins(0, 0, 0, 0);
    cornerLayout->setSpacing(8);
    cornerLayout->addWidget(m_countsLabel);
    cornerLayout->addWidget(clearButton);
    tabs->setCornerWidget(corner, Qt::TopRightCorner);
    connect(clearButton, &QToolButton::clicked, m_reportModel, &DeliveryReportModel::clear);
    return tabs;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *connectAction = file->addAction(tr("&Connect"), this, &MainWindow::connectToCluster);
    connectAction->setObjectName(QStringLiteral("connectAction"));
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    QAction *testAction = file->addAction(tr("&Test Connection"), this, &MainWindow::testConnection);
    testAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J));
    // No shortcut here: Ctrl+Return belongs to the composer, and two owners would cancel out.
    file->addAction(tr("&Send Record"), this, &MainWindow::sendRecord);
    file->addSeparator();
    file->addAction(tr("&Load client.properties..."), this, [this] {
        showProducerSettings();
        m_settings->chooseAndLoadProperties();
    });
    QAction *settings = file->addAction(tr("&Producer Settings"), this, &MainWindow::showProducerSettings);
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    QAction *connections = file->addAction(tr("Co&nnections..."), this, &MainWindow::showConnections);
    connections->setObjectName(QStringLiteral("connectionsAction"));
    connections->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    buildViewMenu();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setObjectName(QStringLiteral("shortcutsAction"));
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    QAction *about = help->addAction(tr("&About Kafka Producer Workbench"), this, [this] {
        QString rows;
        for (const auto &[name, version] : libraryVersions())
            rows += QStringLiteral("<tr><td>%1</td><td>&nbsp;&nbsp;%2</td></tr>")
                        .arg(name.toHtmlEscaped(), version.toHtmlEscaped());
        QMessageBox::about(this, tr("About Kafka Producer Workbench"),
                           tr("<h3>Kafka Producer Workbench %1</h3>"
                              "<p>Compose records, produce them to Apache Kafka and watch every delivery "
                              "report: partition, offset, latency, error.</p>"
                              "<p>The producer speaks the Kafka protocol itself; it runs with:</p>"
                              "<table>%2</table>")
                               .arg(QCoreApplication::applicationVersion(), rows));
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::buildStatusBar()
{
    m_statusMessage = new QLabel(this);
    m_statusMessage->setObjectName(QStringLiteral("statusMessage"));
    m_statusMessage->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_statusMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_metrics = new MetricsBar(this);
    statusBar()->addWidget(m_statusMessage, 1);
    statusBar()->addPermanentWidget(m_metrics);
}

void MainWindow::wireClient()
{
    connect(m_client, &ProducerClient::connected, this, &MainWindow::onConnected);
    connect(m_client, &ProducerClient::connectionFailed, this, &MainWindow::onConnectionFailed);
    connect(m_client, &ProducerClient::metadataUpdated, this, &MainWindow::onMetadataUpdated);
    connect(m_client, &ProducerClient::recordsDelivered, m_reportModel, &DeliveryReportModel::appendReports);
    connect(m_client, &ProducerClient::recordsDelivered, this, &MainWindow::onRecordsDelivered);
    connect(m_client, &ProducerClient::statsUpdated, m_metrics, &MetricsBar::addStats);
    connect(m_client, &ProducerClient::logMessage, this, &MainWindow::appendLog);
}

void MainWindow::testConnection()
{
    const QString bootstrap = m_bootstrapEdit->text().trimmed();
    ProducerConfig config = m_settings->config();
    const Result<bool> set = config.set(QStringLiteral("bootstrap.servers"), bootstrap);
    if (bootstrap.isEmpty() || !set.ok()) {
        showError(bootstrap.isEmpty() ? tr("Enter the bootstrap servers first (host:port).") : set.error().message);
        return;
    }
    delete m_check;
    auto *check = new ConnectionCheck(this);
    m_check = check;
    m_testButton->setEnabled(false);
    appendLog(tr("testing the connection to %1").arg(bootstrap));
    showInfo(tr("Testing the connection to %1...").arg(bootstrap));
    auto lines = std::make_shared<QStringList>();
    connect(check, &ConnectionCheck::line, this, [this, lines](const QString &line) {
        lines->append(line);
        appendLog(line);
    });
    connect(check, &ConnectionCheck::finished, this, [this, check, lines](bool ok) {
        m_testButton->setEnabled(true);
        const QString text = lines->join(QLatin1Char('\n'));
        if (ok)
            showInfo(tr("Connection test passed: %1").arg(text));
        else
            showError(tr("Connection test failed: %1").arg(text));
        if (m_check == check)
            m_check = nullptr;
        check->deleteLater();
    });
    check->run(config);
}

void MainWindow::connectToCluster()
{
    const QString bootstrap = m_bootstrapEdit->text().trimmed();
    if (bootstrap.isEmpty()) {
        const QString message = tr("Enter the bootstrap servers first (host:port).");
        setConnectionState(ConnectionState::Failed, message);
        showError(message);
        m_bootstrapEdit->setFocus();
        return;
    }
    ProducerConfig config = m_settings->config();
    const Result<bool> set = config.set(QStringLiteral("bootstrap.servers"), bootstrap);
    if (!set.ok()) {
        setConnectionState(ConnectionState::Failed, set.error().message);
        showError(set.error().message);
        return;
    }

    m_topicModel->clear();
    onComposerTopicChanged(m_editor->topic());
    m_metrics->clear();
    m_connectedBootstrap = bootstrap;
    // The tails read with the producer's connection settings (TLS, SASL).
    // Settings the producer cannot use fail its start below: no tail then.
    if (auto options = adminConnectionOptions(config))
        m_tailView->setConnection(bootstrap, *options);
    else
        m_tailView->setConnection(QString(), {});
    setConnectionState(ConnectionState::Connecting, tr("Connecting to %1...").arg(bootstrap));
    showInfo(tr("Connecting to %1...").arg(bootstrap));
    QStringList changed;
    const QMap<QString, QString> &values = m_settings->config().explicitValues();
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        changed.append(it.key() + QLatin1Char('=') +
                       (ProducerConfig::isSecret(it.key()) ? QStringLiteral("(hidden)") : it.value()));
    appendLog(changed.isEmpty() ? tr("connecting to %1 (default producer settings)").arg(bootstrap)
                                : tr("connecting to %1 with %2").arg(bootstrap, changed.join(QStringLiteral(", "))));
    m_client->start(config);
    m_settings->setAppliedConfig(config);
    onProducerSettingsChanged();
}

void MainWindow::showProducerSettings()
{
    m_composerTabs->setCurrentWidget(m_settings);
}

void MainWindow::onProducerSettingsChanged()
{
    const bool pending = m_settings->hasUnappliedChanges();
    m_composerTabs->setTabText(m_composerTabs->indexOf(m_settings),
                               pending ? tr("Producer settings \u2022") : tr("Producer settings"));
    if (pending && m_state == ConnectionState::Connected)
        showInfo(tr("Producer settings changed: they apply on the next Connect (or Apply in Producer settings)."));
}

void MainWindow::sendRecord()
{
    m_editor->commitPendingEdits();
    Result<QList<ProducerRecord>> records = m_editor->records();
    if (!records.ok()) {
        m_editor->stopAuto(tr("stopped: %1").arg(records.error().message));
        showError(records.error().message);
        return;
    }
    if (const auto formatError = applyFormats(*records)) {
        m_editor->stopAuto(tr("stopped: %1").arg(*formatError));
        showError(*formatError);
        return;
    }
    if (m_state != ConnectionState::Connected && m_state != ConnectionState::Connecting) {
        m_editor->stopAuto(tr("stopped: not connected"));
        showError(tr("Not connected: connect to a cluster before sending."));
        return;
    }
    const ProducerRecord &first = records->constFirst();
    const QString target =
        first.partition >= 0 ? QStringLiteral("%1-%2").arg(first.topic).arg(first.partition) : first.topic;
    const qsizetype count = records->size();
    const quint64 id = count == 1 ? m_client->send(first) : m_client->send(*records);
    m_history.add(id, *records);
    m_editor->noteSent(count);
    Q_EMIT recordsSent();
    if (count == 1)
        showInfo(tr("Sent record #%1 to %2").arg(id).arg(target));
    else
        showInfo(tr("Sent %1 records (#%2 to #%3) to %4").arg(count).arg(id).arg(id + quint64(count) - 1).arg(target));
}

void MainWindow::resendReports(const QList<quint64> &ids)
{
    if (m_state != ConnectionState::Connected && m_state != ConnectionState::Connecting) {
        showError(tr("Not connected: connect to a cluster before sending."));
        return;
    }
    QList<ProducerRecord> records;
    qsizetype missing = 0;
    for (quint64 id : ids) {
        if (std::optional<ProducerRecord> record = m_history.find(id))
            records.append(std::move(*record));
        else
            ++missing;
    }
    if (records.isEmpty()) {
        showError(
            tr("Cannot re-send: only the last %1 records sent from this window are kept.").arg(m_history.capacity()));
        return;
    }
    const quint64 first = records.size() == 1 ? m_client->send(records.constFirst()) : m_client->send(records);
    m_history.add(first, records);
    Q_EMIT recordsSent();
    QString text = tr("Re-sent %n record(s) as #%1", nullptr, int(records.size())).arg(first);
    if (missing > 0)
        text += tr("; %1 not kept any more (only the last %2 are)").arg(missing).arg(m_history.capacity());
    showInfo(text);
}

void MainWindow::loadReportIntoComposer(quint64 id)
{
    const std::optional<ProducerRecord> record = m_history.find(id);
    if (!record) {
        showError(tr("Record #%1 is not kept any more: only the last %2 sent from this window are.")
                      .arg(id)
                      .arg(m_history.capacity()));
        return;
    }
    m_editor->setRecord(*record);
    m_composerTabs->setCurrentWidget(m_composerSplitter);
    showInfo(tr("Record #%1 is in the composer").arg(id));
}

void MainWindow::setConnectionState(ConnectionState state, const QString &text)
{
    m_state = state;
    QString shown = text;
    QString style = kMutedStyle;
    switch (state) {
    case ConnectionState::Connected:
        shown = QStringLiteral("\u25CF ") + text;
        style = kOkStyle;
        break;
    case ConnectionState::Failed:
        shown = QStringLiteral("\u25CF ") + text;
        style = kErrorStyle;
        break;
    case ConnectionState::Connecting:
    case ConnectionState::Disconnected: break;
    }
    m_connectionStatus->setText(oneLine(shown));
    m_connectionStatus->setToolTip(text);
    m_connectionStatus->setStyleSheet(style);
    // Tests and style sheets can key on these.
    m_connectionStatus->setProperty("error", state == ConnectionState::Failed);
    m_connectionStatus->setProperty("connected", state == ConnectionState::Connected);
}

void MainWindow::onConnected(const QString &summary)
{
    setConnectionState(ConnectionState::Connected, tr("Connected: %1").arg(summary));
    showInfo(tr("Connected to %1").arg(m_connectedBootstrap));
    appendLog(tr("connected: %1").arg(summary));
}

void MainWindow::onConnectionFailed(const QString &error)
{
    setConnectionState(ConnectionState::Failed, tr("Connection failed: %1").arg(error));
    showError(tr("Could not connect to %1: %2").arg(m_connectedBootstrap, error));
    appendLog(tr("connection failed: %1").arg(error));
}

void MainWindow::onMetadataUpdated(const MetadataResponse &metadata)
{
    const QString current = m_editor->topic();
    m_topicModel->setMetadata(metadata);
    if (!current.isEmpty())
        selectTopicInList(current);
    onComposerTopicChanged(current);
}

void MainWindow::onRecordsDelivered(const QList<DeliveryReport> &reports)
{
    // The newest failure of the batch goes to the status bar; the table has them all.
    for (auto it = reports.crbegin(); it != reports.crend(); ++it) {
        if (it->ok())
            continue;
        const QString where =
            it->partition >= 0 ? QStringLiteral("%1-%2").arg(it->topic).arg(it->partition) : it->topic;
        QString message = tr("Record #%1 to %2 failed: %3").arg(it->id).arg(where, it->errorName());
        if (!it->errorMessage.isEmpty())
            message += QStringLiteral(": ") + it->errorMessage;
        showError(message);
        return;
    }
}

void MainWindow::onTopicActivated(const QModelIndex &proxyIndex)
{
    if (!proxyIndex.isValid())
        return;
    m_editor->setTopic(proxyIndex.data(TopicListModel::NameRole).toString());
    m_replay->setTopic(proxyIndex.data(TopicListModel::NameRole).toString());
}

void MainWindow::onComposerTopicChanged(const QString &topic)
{
    m_editor->setPartitionCount(m_topicModel->partitionCount(topic));
    m_tailView->setTopic(topic);
}

void MainWindow::selectTopicInList(const QString &topic)
{
    const int row = m_topicModel->rowOf(topic);
    if (row < 0)
        return;
    const QModelIndex index = m_topicProxy->mapFromSource(m_topicModel->index(row));
    if (index.isValid())
        m_topicList->setCurrentIndex(index);
}

void MainWindow::showError(const QString &message)
{
    m_statusMessage->setText(oneLine(message));
    m_statusMessage->setToolTip(message);
    m_statusMessage->setStyleSheet(kErrorStyle);
    m_statusMessage->setProperty("error", true);
}

void MainWindow::showInfo(const QString &message)
{
    m_statusMessage->setText(oneLine(message));
    m_statusMessage->setToolTip(message);
    m_statusMessage->setStyleSheet(QString());
    m_statusMessage->setProperty("error", false);
}

void MainWindow::updateCounts()
{
    m_countsLabel->setText(tr("Delivered %1, failed %2")
                               .arg(QLocale().toString(m_reportModel->deliveredCount()),
                                    QLocale().toString(m_reportModel->failedCount())));
    m_countsLabel->setStyleSheet(m_reportModel->failedCount() > 0 ? kErrorStyle : QString());
}

void MainWindow::appendLog(const QString &line)
{
    m_logView->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz  ")) + line);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    m_bootstrapEdit->setText(settings.value(QStringLiteral("connection/bootstrap")).toString());
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray vertical = settings.value(QStringLiteral("window/verticalSplitter")).toByteArray();
    if (!vertical.isEmpty())
        m_verticalSplitter->restoreState(vertical);
    const QByteArray horizontal = settings.value(QStringLiteral("window/horizontalSplitter")).toByteArray();
    if (!horizontal.isEmpty())
        m_horizontalSplitter->restoreState(horizontal);

    // A stored value this version no longer accepts is dropped, not fatal.
    ProducerConfig producer;
    settings.beginGroup(QStringLiteral("producer"));
    const QStringList names = settings.childKeys();
    for (const QString &name : names)
        (void)producer.set(name, settings.value(name).toString());
    settings.endGroup();
    m_settings->setConfig(producer);

    // The Formats tab's Schema Registry: the URL only (credentials are
    // typed each session, never written here).
    if (m_formats)
        m_formats->setRegistryUrl(settings.value(QStringLiteral("schemaRegistry/url")).toString());

    // The last connection profile used, secrets from the keychain.
    const QString last = m_profiles->lastUsed();
    if (!last.isEmpty() && m_profiles->contains(last)) {
        auto profile = m_profiles->load(last, true);
        if (!profile.ok() && profile.error().code == SecretStore::Unavailable) {
            appendLog(tr("connection profile '%1': %2; enter its secrets in Connections (File > Connections)")
                          .arg(last, profile.error().message));
            profile = m_profiles->load(last, false);
        }
        if (profile.ok())
            applyProfile(*profile);
    }
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("connection/bootstrap"), m_bootstrapEdit->text().trimmed());
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/verticalSplitter"), m_verticalSplitter->saveState());
    settings.setValue(QStringLiteral("window/horizontalSplitter"), m_horizontalSplitter->saveState());
    if (m_formats)
        settings.setValue(QStringLiteral("schemaRegistry/url"), m_formats->registryUrlForSettings());
    settings.remove(QStringLiteral("producer"));
    settings.beginGroup(QStringLiteral("producer"));
    const QMap<QString, QString> &values = m_settings->config().explicitValues();
    // Passwords, keys and tokens never go to the settings file in plain text
    // (until they can go to the system keychain, they are asked for again).
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        if (!ProducerConfig::isSecret(it.key()))
            settings.setValue(it.key(), it.value());
    settings.endGroup();
}

ConnectionsDialog *MainWindow::connectionsDialog() const
{
    return m_connections.data();
}

void MainWindow::showConnections()
{
    if (!m_connections) {
        m_connections = new ConnectionsDialog(m_profiles.get(), this);
        connect(m_connections, &ConnectionsDialog::profileApplied, this, &MainWindow::applyProfile);
    }
    m_connections->show();
    m_connections->raise();
    m_connections->activateWindow();
}

void MainWindow::applyProfile(const ConnectionProfile &profile)
{
    // The profile replaces every security setting; the rest stays.
    ProducerConfig config = m_settings->config();
    for (const ConfigKey &k : ProducerConfig::keys())
        if (k.group == QLatin1StringView("Security"))
            config.unset(k.name);
    QStringList warnings;
    const Result<bool> applied = profile.applyTo(config, &warnings);
    if (!applied.ok()) {
        showError(applied.error().message);
        return;
    }
    config.unset(QStringLiteral("bootstrap.servers")); // the connection bar holds it
    m_settings->setConfig(config);
    m_bootstrapEdit->setText(profile.bootstrap());
    // The profile's Schema Registry, when it names one, for the Formats tab.
    if (m_formats && !profile.schemaRegistryUrl().isEmpty())
        m_formats->setRegistryUrl(profile.schemaRegistryUrl());
    m_activeProfile = profile.name;
    for (const QString &w : std::as_const(warnings))
        appendLog(w);
    appendLog(tr("using connection profile '%1' (%2, %3)")
                  .arg(profile.name, profile.bootstrap(), profile.securityProtocol()));
    showInfo(tr("Connection profile '%1': Connect to use it.").arg(profile.name));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace kpw
