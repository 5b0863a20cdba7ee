#include "TopicBrowser.h"

#include "admin/AdminClient.h"
#include "ui/TopicBrowserModels.h"
#include "ui/TopicDialogs.h"
#include "wire/KafkaError.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace kpw {

namespace {

const char *const kErrorStyle = "color: #b00020;";

QTableView *makeTable(QWidget *parent, const QString &name)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->setWordWrap(false);
    return view;
}

} // namespace

TopicBrowser::TopicBrowser(QWidget *parent)
    : QWidget(parent), m_admin(new AdminClient(this)), m_topics(new TopicTableModel(this)),
      m_proxy(new TopicFilterProxy(this)), m_partitions(new PartitionTableModel(this)),
      m_configs(new ConfigTableModel(this))
{
    setObjectName(QStringLiteral("topicBrowser"));
    m_proxy->setSourceModel(m_topics);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("topicBrowserFilter"));
    m_filter->setPlaceholderText(tr("Filter topics"));
    m_filter->setClearButtonEnabled(true);
    m_showInternal = new QCheckBox(tr("&Internal topics"), this);
    m_showInternal->setObjectName(QStringLiteral("topicBrowserShowInternal"));
    m_showInternal->setToolTip(tr("Also list the cluster's internal topics (__consumer_offsets, ...)"));
    auto *autoLabel = new QLabel(tr("A&uto refresh:"), this);
    m_autoRefresh = new QComboBox(this);
    m_autoRefresh->setObjectName(QStringLiteral("topicBrowserAutoRefresh"));
    m_autoRefresh->addItem(tr("off"), 0);
    for (int s : {5, 10, 30, 60})
        m_autoRefresh->addItem(tr("%1 s").arg(s), s);
    autoLabel->setBuddy(m_autoRefresh);
    m_refreshButton = new QToolButton(this);
    m_refreshButton->setObjectName(QStringLiteral("topicBrowserRefresh"));
    m_refreshButton->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_refreshButton->setText(tr("Refresh"));
    m_refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_refreshButton->setToolTip(tr("Reload topics, partitions, offsets and configs (F5)"));
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setObjectName(QStringLiteral("topicBrowserCancel"));
    m_cancelButton->setIcon(style()->standardIcon(QStyle::SP_BrowserStop));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_cancelButton->setToolTip(tr("Stop waiting for the refresh (Esc)"));
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("topicBrowserBusy"));
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setFixedWidth(80);
    m_busy->setMaximumHeight(m_filter->sizeHint().height() - 6);
    // Showing and hiding the busy bar and Cancel must not shift the toolbar.
    for (QWidget *w : {static_cast<QWidget *>(m_busy), static_cast<QWidget *>(m_cancelButton)}) {
        QSizePolicy policy = w->sizePolicy();
        policy.setRetainSizeWhenHidden(true);
        w->setSizePolicy(policy);
    }

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(0, 0, 0, 0);
    toolbar->addWidget(m_filter, 1);
    toolbar->addWidget(m_showInternal);
    toolbar->addSpacing(8);
    toolbar->addWidget(autoLabel);
    toolbar->addWidget(m_autoRefresh);
    toolbar->addWidget(m_refreshButton);
    toolbar->addWidget(m_busy);
    toolbar->addWidget(m_cancelButton);

    // Left: the topics, with create and delete under them.
    auto *left = new QWidget(this);
    m_topicView = makeTable(left, QStringLiteral("topicBrowserTopics"));
    m_topicView->setModel(m_proxy);
    m_topicView->setSortingEnabled(true);
    m_topicView->setTextElideMode(Qt::ElideMiddle); // long names differ at their ends
    m_topicView->sortByColumn(TopicTableModel::NameColumn, Qt::AscendingOrder);
    m_topicView->horizontalHeader()->setSectionResizeMode(TopicTableModel::NameColumn, QHeaderView::Stretch);
    for (int c = 1; c < TopicTableModel::ColumnCount; ++c)
        m_topicView->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_createButton = new QPushButton(tr("Create &topic..."), left);
    m_createButton->setObjectName(QStringLiteral("topicBrowserCreate"));
    m_deleteButton = new QPushButton(tr("&Delete topic..."), left);
    m_deleteButton->setObjectName(QStringLiteral("topicBrowserDelete"));
    m_deleteButton->setEnabled(false);
    auto *leftButtons = new QHBoxLayout;
    leftButtons->setContentsMargins(0, 0, 0, 0);
    leftButtons->addWidget(m_createButton);
    leftButtons->addWidget(m_deleteButton);
    leftButtons->addStretch(1);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_topicView, 1);
    leftLayout->addLayout(leftButtons);

    // Right: the selected topic's partitions and configs.
    auto *right = new QWidget(this);
    m_detailTitle = new QLabel(tr("Select a topic"), right);
    m_detailTitle->setObjectName(QStringLiteral("topicBrowserDetailTitle"));
    QFont bold = m_detailTitle->font();
    bold.setBold(true);
    m_detailTitle->setFont(bold);
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_partitionView = makeTable(right, QStringLiteral("topicBrowserPartitions"));
    m_partitionView->setModel(m_partitions);
    m_partitionView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_configTitle = new QLabel(tr("Configs (bold: not the default)"), right);
    m_configView = makeTable(right, QStringLiteral("topicBrowserConfigs"));
    m_configView->setModel(m_configs);
    m_configView->horizontalHeader()->setSectionResizeMode(ConfigTableModel::NameColumn, QHeaderView::ResizeToContents);
    m_configView->horizontalHeader()->setSectionResizeMode(ConfigTableModel::ValueColumn, QHeaderView::Stretch);
    m_configView->horizontalHeader()->setSectionResizeMode(ConfigTableModel::SourceColumn,
                                                           QHeaderView::ResizeToContents);
    auto *detailSplitter = new QSplitter(Qt::Vertical, right);
    detailSplitter->setChildrenCollapsible(false);
    auto *configBox = new QWidget(detailSplitter);
    auto *configLayout = new QVBoxLayout(configBox);
    configLayout->setContentsMargins(0, 4, 0, 0);
    configLayout->setSpacing(2);
    configLayout->addWidget(m_configTitle);
    configLayout->addWidget(m_configView, 1);
    detailSplitter->addWidget(m_partitionView);
    detailSplitter->addWidget(configBox);
    detailSplitter->setStretchFactor(0, 2);
    detailSplitter->setStretchFactor(1, 3);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(2);
    rightLayout->addWidget(m_detailTitle);
    rightLayout->addWidget(detailSplitter, 1);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("topicBrowserSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(left);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({500, 560});

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("topicBrowserStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(toolbar);
    layout->addWidget(m_splitter, 1);
    layout->addWidget(m_status);

    m_autoTimer = new QTimer(this);
    connect(m_autoTimer, &QTimer::timeout, this, [this] {
        // Quietly skipped while there is nothing to connect to.
        if (!isBusy() && m_configProvider && m_configProvider().ok())
            refresh();
    });
    // Right after a topic is created its leader may not answer ListOffsets
    // yet: a refresh with such partitions is repeated a few times.
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    m_retryTimer->setInterval(1000);
    connect(m_retryTimer, &QTimer::timeout, this, [this] {
        if (!isBusy())
            refresh();
    });

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &TopicFilterProxy::setNameFilter);
    connect(m_showInternal, &QCheckBox::toggled, m_proxy, &TopicFilterProxy::setShowInternal);
    connect(m_autoRefresh, &QComboBox::currentIndexChanged, this,
            [this](int i) { setAutoRefreshSeconds(m_autoRefresh->itemData(i).toInt()); });
    connect(m_refreshButton, &QToolButton::clicked, this, &TopicBrowser::refresh);
    connect(m_cancelButton, &QToolButton::clicked, this, &TopicBrowser::cancelRefresh);
    connect(m_createButton, &QPushButton::clicked, this, &TopicBrowser::openCreateDialog);
    connect(m_deleteButton, &QPushButton::clicked, this, &TopicBrowser::openDeleteDialog);
    connect(m_topicView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TopicBrowser::onCurrentChanged);
    auto *f5 = new QShortcut(QKeySequence(Qt::Key_F5), this);
    f5->setContext(Qt::WidgetWithChildrenShortcut);
    f5->setWhatsThis(tr("Topic browser: refresh"));
    connect(f5, &QShortcut::activated, this, &TopicBrowser::refresh);
    auto *esc = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    esc->setContext(Qt::WidgetWithChildrenShortcut);
    esc->setWhatsThis(tr("Topic browser: cancel the refresh"));
    connect(esc, &QShortcut::activated, this, &TopicBrowser::cancelRefresh);

    connect(m_admin, &AdminClient::topicsDescribed, this, &TopicBrowser::onTopicsDescribed);
    connect(m_admin, &AdminClient::configsDescribed, this, &TopicBrowser::onConfigsDescribed);
    connect(m_admin, &AdminClient::failed, this, &TopicBrowser::onFailed);
    connect(m_admin, &AdminClient::pendingChanged, this, &TopicBrowser::updateBusy);

    updateBusy();
    setStatus(tr("Press Refresh (F5) to load the cluster's topics."), false);

    // The view's choices come back on the next start.
    QSettings settings;
    m_showInternal->setChecked(settings.value(QStringLiteral("topicBrowser/showInternal"), false).toBool());
    setAutoRefreshSeconds(settings.value(QStringLiteral("topicBrowser/autoRefreshSeconds"), 0).toInt());
    const QByteArray splitter = settings.value(QStringLiteral("topicBrowser/splitter")).toByteArray();
    if (!splitter.isEmpty())
        m_splitter->restoreState(splitter);
    connect(m_showInternal, &QCheckBox::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("topicBrowser/showInternal"), on); });
}

TopicBrowser::~TopicBrowser()
{
    m_admin->disconnect(this);
    QSettings().setValue(QStringLiteral("topicBrowser/splitter"), m_splitter->saveState());
}

bool TopicBrowser::isBusy() const
{
    return m_listId != 0 || m_configId != 0;
}

QString TopicBrowser::statusText() const
{
    return m_status->text();
}

void TopicBrowser::setAutoRefreshSeconds(int seconds)
{
    const int index = m_autoRefresh->findData(seconds);
    if (index >= 0 && index != m_autoRefresh->currentIndex()) {
        m_autoRefresh->setCurrentIndex(index); // comes back here through the signal
        return;
    }
    QSettings().setValue(QStringLiteral("topicBrowser/autoRefreshSeconds"), std::max(0, seconds));
    if (seconds <= 0) {
        m_autoTimer->stop();
        return;
    }
    m_autoTimer->start(seconds * 1000);
}

bool TopicBrowser::ensureConfigured()
{
    if (!m_configProvider) {
        setStatus(tr("No connection settings."), true);
        return false;
    }
    Result<ProducerConfig> config = m_configProvider();
    if (!config) {
        setStatus(config.error().message, true);
        return false;
    }
    if (m_everConfigured && config->explicitValues() == m_configuredWith)
        return true;
    if (m_listId)
        m_admin->cancel(m_listId);
    if (m_configId)
        m_admin->cancel(m_configId);
    m_listId = m_configId = 0;
    auto r = m_admin->configure(*config);
    if (!r) {
        setStatus(r.error().message, true);
        return false;
    }
    m_configuredWith = config->explicitValues();
    m_everConfigured = true;
    return true;
}

void TopicBrowser::refresh()
{
    if (!ensureConfigured())
        return;
    if (m_listId)
        m_admin->cancel(m_listId);
    m_listId = m_admin->describeTopics();
    if (!m_selected.isEmpty()) {
        if (m_configId)
            m_admin->cancel(m_configId);
        m_configId = m_admin->describeConfigs(m_selected);
    }
    setStatus(tr("Loading topics from %1...").arg(m_admin->bootstrap()), false);
    updateBusy();
}

void TopicBrowser::cancelRefresh()
{
    if (!isBusy())
        return;
    if (m_listId)
        m_admin->cancel(m_listId);
    if (m_configId)
        m_admin->cancel(m_configId);
    m_listId = m_configId = 0;
    m_retryTimer->stop();
    updateBusy();
    setStatus(tr("Refresh cancelled."), false);
}

void TopicBrowser::onTopicsDescribed(quint64 id, const QList<TopicDescription> &topics)
{
    if (id != m_listId)
        return;
    m_listId = 0;
    m_loadedOnce = true;
    m_topics->setTopics(topics);
    const bool offsetsMissing = std::any_of(topics.cbegin(), topics.cend(), [](const TopicDescription &t) {
        return t.errorCode == KafkaError::None &&
               std::any_of(t.partitions.cbegin(), t.partitions.cend(),
                           [](const PartitionDescription &p) { return p.offsetsError != KafkaError::None; });
    });
    if (!offsetsMissing)
        m_offsetRetries = 0;
    else if (m_offsetRetries < 3) {
        ++m_offsetRetries;
        m_retryTimer->start();
    }
    int visible = 0;
    for (const auto &t : topics)
        visible += t.internal ? 0 : 1;
    setStatus(tr("%1 topic(s), %2 internal; loaded at %3")
                  .arg(visible)
                  .arg(topics.size() - visible)
                  .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"))),
              false);
    if (!m_selectAfterRefresh.isEmpty()) {
        const QString wanted = m_selectAfterRefresh;
        m_selectAfterRefresh.clear();
        selectTopic(wanted);
    } else if (!m_selected.isEmpty() && !m_topics->topic(m_selected)) {
        m_selected.clear();
        m_configs->setConfigs({});
    }
    showDetails();
    updateBusy();
}

void TopicBrowser::onConfigsDescribed(quint64 id, const QString &topic, const QList<ConfigEntry> &configs)
{
    if (id != m_configId)
        return;
    m_configId = 0;
    if (topic == m_selected) {
        m_configs->setConfigs(configs);
        m_configTitle->setText(
            tr("Configs of %1: %2 not the default (bold)").arg(topic).arg(m_configs->nonDefaultCount()));
    }
    updateBusy();
}

void TopicBrowser::onFailed(quint64 id, const QString &operation, const Error &error)
{
    if (id != m_listId && id != m_configId)
        return; // the dialogs report their own
    if (id == m_listId)
        m_listId = 0;
    else
        m_configId = 0;
    const QString text = tr("%1 failed: %2: %3").arg(operation, KafkaError::name(error.code), error.message);
    setStatus(text, true);
    Q_EMIT logMessage(tr("topic browser: %1").arg(text));
    updateBusy();
}

void TopicBrowser::selectTopic(const QString &topic)
{
    const int row = m_topics->rowOf(topic);
    if (row < 0) {
        m_selectAfterRefresh = topic;
        return;
    }
    QModelIndex index = m_proxy->mapFromSource(m_topics->index(row, 0));
    if (!index.isValid() && m_topics->topic(topic)->internal) {
        m_showInternal->setChecked(true);
        index = m_proxy->mapFromSource(m_topics->index(row, 0));
    }
    if (!index.isValid()) {
        m_filter->clear();
        index = m_proxy->mapFromSource(m_topics->index(row, 0));
    }
    m_topicView->setCurrentIndex(index);
    m_topicView->scrollTo(index);
}

void TopicBrowser::onCurrentChanged()
{
    const QModelIndex current = m_topicView->currentIndex();
    const QString topic = current.isValid() ? current.data(TopicTableModel::NameRole).toString() : QString();
    m_deleteButton->setEnabled(!topic.isEmpty());
    if (topic == m_selected)
        return;
    m_selected = topic;
    m_configs->setConfigs({});
    m_configTitle->setText(tr("Configs (bold: not the default)"));
    showDetails();
    if (topic.isEmpty())
        return;
    if (m_configId)
        m_admin->cancel(m_configId);
    m_configId = m_admin->describeConfigs(topic);
    updateBusy();
    const TopicDescription *t = m_topics->topic(topic);
    Q_EMIT topicSelected(topic, t ? static_cast<int>(t->partitions.size()) : -1);
}

void TopicBrowser::showDetails()
{
    const TopicDescription *t = m_selected.isEmpty() ? nullptr : m_topics->topic(m_selected);
    if (!t) {
        m_detailTitle->setText(tr("Select a topic"));
        m_partitions->setPartitions({});
        return;
    }
    QString title = tr("%1: %2 partition(s), replication factor %3")
                        .arg(t->name)
                        .arg(t->partitions.size())
                        .arg(t->replicationFactor());
    if (t->internal)
        title += tr(", internal");
    if (const int u = t->underReplicatedCount())
        title += tr(", %1 under-replicated").arg(u);
    if (t->errorCode != KafkaError::None)
        title += QStringLiteral(" (%1)").arg(KafkaError::name(t->errorCode));
    m_detailTitle->setText(title);
    m_partitions->setPartitions(t->partitions);
}

CreateTopicDialog *TopicBrowser::openCreateDialog()
{
    if (!ensureConfigured())
        return nullptr;
    auto *dialog = new CreateTopicDialog(m_admin, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CreateTopicDialog::topicCreated, this, [this](const CreatedTopic &t) {
        Q_EMIT logMessage(tr("created topic %1 (%2 partitions, replication factor %3)")
                              .arg(t.name)
                              .arg(t.partitions)
                              .arg(t.replicationFactor));
        m_filter->clear();
        m_selectAfterRefresh = t.name;
        refresh();
        Q_EMIT topicsChanged();
    });
    dialog->open();
    return dialog;
}

DeleteTopicDialog *TopicBrowser::openDeleteDialog()
{
    if (m_selected.isEmpty() || !ensureConfigured())
        return nullptr;
    auto *dialog = new DeleteTopicDialog(m_admin, m_selected, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DeleteTopicDialog::topicDeleted, this, [this](const QString &t) {
        Q_EMIT logMessage(tr("deleted topic %1").arg(t));
        setStatus(tr("Deleted '%1'.").arg(t), false);
        refresh();
        Q_EMIT topicsChanged();
    });
    dialog->open();
    return dialog;
}

void TopicBrowser::updateBusy()
{
    const bool busy = isBusy();
    m_busy->setVisible(busy);
    m_cancelButton->setVisible(busy);
    m_cancelButton->setEnabled(busy);
}

void TopicBrowser::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text);
    m_status->setStyleSheet(error ? QLatin1String(kErrorStyle) : QString());
    m_status->setProperty("error", error);
}

void TopicBrowser::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // The first time the browser is shown, load what it can (quietly when
    // no bootstrap server is set yet).
    if (!m_loadedOnce && !isBusy() && m_configProvider && m_configProvider().ok())
        QTimer::singleShot(0, this, &TopicBrowser::refresh);
}

} // namespace kpw
