#include "ui/DeliveryReportView.h"

#include "ui/DeliveryReportModel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace kpw {
namespace {

constexpr int kAutoScrollIntervalMs = 100;
constexpr int kTextFilterDelayMs = 250;

} // namespace

DeliveryReportFilter::DeliveryReportFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    // Rows stay in arrival order until the user clicks a column header.
    setDynamicSortFilter(true);
}

void DeliveryReportFilter::setReportModel(DeliveryReportModel *model)
{
    m_model = model;
    setSourceModel(model);
    if (model)
        connect(model, &DeliveryReportModel::topicsChanged, this, [this] {
            const int index = m_topic.isEmpty() ? -1 : m_model->topicIndex(m_topic);
            if (index != m_topicIndex) {
                m_topicIndex = index;
                refilter();
            }
        });
}

void DeliveryReportFilter::setStatus(Status status)
{
    if (status != m_status) {
        m_status = status;
        refilter();
    }
}

void DeliveryReportFilter::setTopic(const QString &topic)
{
    if (topic != m_topic) {
        m_topic = topic;
        m_topicIndex = topic.isEmpty() || !m_model ? -1 : m_model->topicIndex(topic);
        refilter();
    }
}

void DeliveryReportFilter::setPartition(int partition)
{
    if (partition != m_partition) {
        m_partition = partition;
        refilter();
    }
}

void DeliveryReportFilter::setText(const QString &text)
{
    if (text != m_text) {
        m_text = text;
        refilter();
    }
}

bool DeliveryReportFilter::isFiltering() const
{
    return m_status != Status::All || !m_topic.isEmpty() || m_partition >= 0 || !m_text.isEmpty();
}

void DeliveryReportFilter::refilter()
{
    // Qt 6.4 has no beginFilterChange(); invalidateFilter() re-runs
    // filterAcceptsRow for every source row.
    invalidateFilter();
}

QList<int> DeliveryReportFilter::sourceRows() const
{
    QList<int> rows;
    const int count = rowCount();
    rows.reserve(count);
    for (int row = 0; row < count; ++row)
        rows.append(mapToSource(index(row, 0)).row());
    return rows;
}

bool DeliveryReportFilter::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_model)
        return true;
    if (!isFiltering())
        return true;
    const DeliveryReportModel::RowInfo info = m_model->rowInfo(sourceRow);
    if (m_status == Status::Ok && info.errorCode != 0)
        return false;
    if (m_status == Status::Failed && info.errorCode == 0)
        return false;
    if (!m_topic.isEmpty() && info.topicIndex != m_topicIndex)
        return false;
    if (m_partition >= 0 && info.partition != m_partition)
        return false;
    return m_text.isEmpty() || m_model->rowContains(sourceRow, m_text);
}

bool DeliveryReportFilter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (!m_model)
        return QSortFilterProxyModel::lessThan(left, right);
    const DeliveryReportModel::RowInfo a = m_model->rowInfo(left.row());
    const DeliveryReportModel::RowInfo b = m_model->rowInfo(right.row());
    switch (left.column()) {
    case DeliveryReportModel::TimeColumn: return std::tie(a.timestampMs, a.id) < std::tie(b.timestampMs, b.id);
    case DeliveryReportModel::TopicColumn:
        return m_model->topics().at(a.topicIndex) < m_model->topics().at(b.topicIndex);
    case DeliveryReportModel::PartitionColumn: return a.partition < b.partition;
    case DeliveryReportModel::OffsetColumn: return a.offset < b.offset;
    case DeliveryReportModel::SizeColumn: return a.valueSize < b.valueSize;
    case DeliveryReportModel::LatencyColumn: return a.latencyMs < b.latencyMs;
    case DeliveryReportModel::StatusColumn: return a.errorCode < b.errorCode;
    case DeliveryReportModel::KeyColumn: return m_model->keyPrefix(left.row()) < m_model->keyPrefix(right.row());
    default:
        return m_model->data(left, DeliveryReportModel::RawValueRole).toLongLong() <
               m_model->data(right, DeliveryReportModel::RawValueRole).toLongLong();
    }
}

DeliveryReportView::DeliveryReportView(DeliveryReportModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    m_filter = new DeliveryReportFilter(this);
    m_filter->setReportModel(model);

    m_statusCombo = new QComboBox(this);
    m_statusCombo->setObjectName(QStringLiteral("reportStatusFilter"));
    m_statusCombo->addItem(tr("All"), int(DeliveryReportFilter::Status::All));
    m_statusCombo->addItem(tr("OK"), int(DeliveryReportFilter::Status::Ok));
    m_statusCombo->addItem(tr("Failed"), int(DeliveryReportFilter::Status::Failed));
    m_statusCombo->setToolTip(tr("Show all reports, the delivered ones or the failed ones"));

    m_topicCombo = new QComboBox(this);
    m_topicCombo->setObjectName(QStringLiteral("reportTopicFilter"));
    m_topicCombo->addItem(tr("All topics"), QString());
    m_topicCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_topicCombo->setMinimumContentsLength(12);

    m_partitionSpin = new QSpinBox(this);
    m_partitionSpin->setObjectName(QStringLiteral("reportPartitionFilter"));
    m_partitionSpin->setRange(-1, 1'000'000);
    m_partitionSpin->setSpecialValueText(tr("all"));
    m_partitionSpin->setValue(-1);
    m_partitionSpin->setPrefix(tr("partition "));
    m_partitionSpin->setToolTip(tr("Only this partition (\"all\": every partition)"));

    m_textEdit = new QLineEdit(this);
    m_textEdit->setObjectName(QStringLiteral("reportTextFilter"));
    m_textEdit->setPlaceholderText(tr("Filter: key, offset, topic, error (Ctrl+F)"));
    m_textEdit->setClearButtonEnabled(true);

    m_shownLabel = new QLabel(this);
    m_shownLabel->setObjectName(QStringLiteral("reportShownLabel"));

    auto *exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("reportExportButton"));
    exportButton->setText(tr("Export"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setAutoRaise(true);
    auto *exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("All rows (CSV or JSONL)..."), this, [this] { chooseAndExport(false); });
    exportMenu->addAction(tr("Filtered rows (CSV or JSONL)..."), this, [this] { chooseAndExport(true); });
    exportButton->setMenu(exportMenu);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("reportView"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // arrival order until a header is clicked
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    // Fixed row heights keep painting and scrolling cheap with a million rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setVisible(false);
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionsMovable(true);
    columns->setStretchLastSection(true);
    columns->setSortIndicatorShown(true);
    const QFontMetrics fm = m_table->fontMetrics();
    const auto widthOf = [&fm](const QString &sample) { return fm.horizontalAdvance(sample) + 24; };
    columns->resizeSection(DeliveryReportModel::TimeColumn, widthOf(QStringLiteral("00:00:00.000")));
    columns->resizeSection(DeliveryReportModel::TopicColumn, widthOf(QStringLiteral("a-long-topic-name")));
    columns->resizeSection(DeliveryReportModel::PartitionColumn, widthOf(tr("Partition")));
    columns->resizeSection(DeliveryReportModel::OffsetColumn, widthOf(QStringLiteral("00000000")));
    columns->resizeSection(DeliveryReportModel::KeyColumn, widthOf(QStringLiteral("customer-00000000")));
    columns->resizeSection(DeliveryReportModel::SizeColumn, widthOf(tr("Value size")));
    columns->resizeSection(DeliveryReportModel::HeadersColumn, widthOf(tr("Headers")));
    columns->resizeSection(DeliveryReportModel::LatencyColumn, widthOf(tr("Latency (ms)")));
    columns->resizeSection(DeliveryReportModel::RetriesColumn, widthOf(tr("Retries")));
    columns->resizeSection(DeliveryReportModel::ProducerColumn, widthOf(tr("PID / epoch / seq")));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->setSpacing(6);
    bar->addWidget(m_statusCombo);
    bar->addWidget(m_topicCombo);
    bar->addWidget(m_partitionSpin);
    bar->addWidget(m_textEdit, 1);
    bar->addWidget(m_shownLabel);
    bar->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    auto *copy = new QAction(tr("Delivery reports: copy the selected rows"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &DeliveryReportView::copySelection);
    m_table->addAction(copy);
    auto *find = new QAction(tr("Delivery reports: filter by text"), this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] {
        m_textEdit->setFocus();
        m_textEdit->selectAll();
    });
    addAction(find);

    connect(m_statusCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setStatus(DeliveryReportFilter::Status(m_statusCombo->currentData().toInt()));
        updateShownCount();
    });
    connect(m_topicCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setTopic(m_topicCombo->currentData().toString());
        updateShownCount();
    });
    connect(m_partitionSpin, &QSpinBox::valueChanged, this, [this](int partition) {
        m_filter->setPartition(partition);
        updateShownCount();
    });
    // Filtering a million rows takes a moment: wait until the typing pauses.
    m_textTimer = new QTimer(this);
    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(kTextFilterDelayMs);
    connect(m_textEdit, &QLineEdit::textChanged, m_textTimer, qOverload<>(&QTimer::start));
    connect(m_textTimer, &QTimer::timeout, this, [this] {
        m_filter->setText(m_textEdit->text().trimmed());
        updateShownCount();
    });
    connect(m_model, &DeliveryReportModel::topicsChanged, this, &DeliveryReportView::refreshTopics);
    connect(m_table, &QWidget::customContextMenuRequested, this, &DeliveryReportView::showContextMenu);
    connect(m_table, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        Q_EMIT loadRequested(m_filter->data(index, DeliveryReportModel::ReportIdRole).value<quint64>());
    });

    // Follows the newest report at most every 100 ms (not per insert), and
    // only while the user has not scrolled away from the bottom.
    m_scrollTimer = new QTimer(this);
    m_scrollTimer->setSingleShot(true);
    m_scrollTimer->setInterval(kAutoScrollIntervalMs);
    connect(m_scrollTimer, &QTimer::timeout, this, [this] {
        if (m_followTail && m_filter->sortColumn() < 0)
            m_table->scrollToBottom();
        updateShownCount();
    });
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_scrollTimer->isActive())
            m_scrollTimer->start();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &DeliveryReportView::updateShownCount);
    QScrollBar *scrollBar = m_table->verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this,
            [this, scrollBar](int value) { m_followTail = value >= scrollBar->maximum(); });
    updateShownCount();
}

void DeliveryReportView::refreshTopics()
{
    const QString current = m_topicCombo->currentData().toString();
    const QStringList &topics = m_model->topics();
    if (m_topicCombo->count() == topics.size() + 1)
        return;
    QStringList sorted = topics;
    sorted.sort();
    const QSignalBlocker blocker(m_topicCombo);
    m_topicCombo->clear();
    m_topicCombo->addItem(tr("All topics"), QString());
    for (const QString &topic : sorted)
        m_topicCombo->addItem(topic, topic);
    const int index = m_topicCombo->findData(current);
    m_topicCombo->setCurrentIndex(std::max(0, index));
    if (index < 0 && !current.isEmpty())
        m_filter->setTopic(QString());
}

void DeliveryReportView::updateShownCount()
{
    const int total = m_model->rowCount();
    const QLocale locale;
    if (m_filter->isFiltering())
        m_shownLabel->setText(tr("%1 of %2 rows").arg(locale.toString(m_filter->rowCount()), locale.toString(total)));
    else
        m_shownLabel->setText(tr("%1 rows").arg(locale.toString(total)));
}

QList<quint64> DeliveryReportView::selectedIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<quint64> ids;
    for (const QModelIndex &index : rows)
        ids.append(m_filter->data(index, DeliveryReportModel::ReportIdRole).value<quint64>());
    return ids;
}

void DeliveryReportView::copySelection() const
{
    QModelIndexList selected = m_table->selectionModel()->selectedRows();
    std::sort(selected.begin(), selected.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<int> rows;
    for (const QModelIndex &index : selected)
        rows.append(m_filter->mapToSource(index).row());
    if (rows.isEmpty())
        return;
    QApplication::clipboard()->setText(m_model->toTsv(rows));
}

bool DeliveryReportView::exportTo(const QString &fileName, bool onlyFiltered, QString *error) const
{
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const QList<int> rows = onlyFiltered ? m_filter->sourceRows() : QList<int>();
    const QList<int> *which = onlyFiltered ? &rows : nullptr;
    if (fileName.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        m_model->writeCsv(file, which);
    else
        m_model->writeJsonl(file, which);
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void DeliveryReportView::chooseAndExport(bool onlyFiltered)
{
    const QString fileName = QFileDialog::getSaveFileName(
        this, onlyFiltered ? tr("Export the filtered delivery reports") : tr("Export all delivery reports"),
        QStringLiteral("delivery-reports.csv"), tr("CSV (*.csv);;JSON lines (*.jsonl)"));
    if (fileName.isEmpty())
        return;
    QString error;
    if (!exportTo(fileName, onlyFiltered, &error))
        QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(fileName, error));
}

void DeliveryReportView::showContextMenu(const QPoint &pos)
{
    const QList<quint64> ids = selectedIds();
    QMenu menu(this);
    QAction *resend = menu.addAction(ids.size() > 1 ? tr("Re-send %1 records").arg(ids.size()) : tr("&Re-send"));
    resend->setEnabled(!ids.isEmpty());
    connect(resend, &QAction::triggered, this, [this, ids] { Q_EMIT resendRequested(ids); });
    QAction *load = menu.addAction(tr("&Load into composer"));
    load->setEnabled(ids.size() == 1);
    connect(load, &QAction::triggered, this, [this, ids] { Q_EMIT loadRequested(ids.constFirst()); });
    menu.addSeparator();
    QAction *copy = menu.addAction(tr("&Copy (TSV)"), this, &DeliveryReportView::copySelection);
    copy->setEnabled(!ids.isEmpty());
    menu.addAction(tr("Export all rows..."), this, [this] { chooseAndExport(false); });
    menu.addAction(tr("Export filtered rows..."), this, [this] { chooseAndExport(true); });
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

} // namespace kpw
