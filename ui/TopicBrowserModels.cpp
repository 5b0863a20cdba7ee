#include "TopicBrowserModels.h"

#include "wire/KafkaError.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>

namespace kpw {

namespace {

QString idList(const QList<std::int32_t> &ids)
{
    QStringList out;
    for (auto id : ids)
        out.append(QString::number(id));
    return out.join(QStringLiteral(", "));
}

// Records between the earliest and the latest offset (what a consumer from
// the start would read, compaction and transaction markers aside).
qint64 recordSpan(const PartitionDescription &p)
{
    return p.earliestOffset >= 0 && p.latestOffset >= p.earliestOffset ? p.latestOffset - p.earliestOffset : -1;
}

qint64 topicRecords(const TopicDescription &t)
{
    qint64 sum = 0;
    for (const auto &p : t.partitions) {
        const qint64 n = recordSpan(p);
        if (n < 0)
            return -1;
        sum += n;
    }
    return sum;
}

const QColor kUnderReplicated(255, 214, 214);
const QColor kUnderReplicatedText(140, 0, 0);

} // namespace

// --- TopicTableModel ---------------------------------------------------------

TopicTableModel::TopicTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int TopicTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_topics.size());
}

int TopicTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TopicTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TopicDescription &t = m_topics[index.row()];
    switch (role) {
    case NameRole: return t.name;
    case InternalRole: return t.internal;
    case PartitionCountRole: return static_cast<int>(t.partitions.size());
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return t.name;
        case PartitionsColumn: return static_cast<int>(t.partitions.size());
        case ReplicationColumn: return t.replicationFactor();
        case UnderReplicatedColumn: return t.underReplicatedCount();
        case RecordsColumn: {
            const qint64 n = topicRecords(t);
            return n < 0 ? QStringLiteral("?") : QLocale().toString(n);
        }
        }
        break;
    case SortRole:
        switch (index.column()) {
        case NameColumn: return t.name;
        case PartitionsColumn: return static_cast<int>(t.partitions.size());
        case ReplicationColumn: return t.replicationFactor();
        case UnderReplicatedColumn: return t.underReplicatedCount();
        case RecordsColumn: return topicRecords(t);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != NameColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (t.errorCode != KafkaError::None || t.underReplicatedCount() > 0)
            return QBrush(kUnderReplicatedText);
        if (t.internal)
            return QBrush(QColor(110, 110, 110));
        break;
    case Qt::BackgroundRole:
        if (t.underReplicatedCount() > 0)
            return QBrush(kUnderReplicated);
        break;
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("%1: %2 partition(s), replication factor %3")
                          .arg(t.name)
                          .arg(t.partitions.size())
                          .arg(t.replicationFactor());
        if (t.internal)
            tip += QStringLiteral("\ninternal topic");
        if (const int u = t.underReplicatedCount())
            tip += QStringLiteral("\n%1 under-replicated partition(s)").arg(u);
        if (t.errorCode != KafkaError::None)
            tip += QStringLiteral("\n") + KafkaError::describe(t.errorCode);
        return tip;
    }
    default: break;
    }
    return {};
}

QVariant TopicTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Topic");
    case PartitionsColumn: return tr("Partitions");
    case ReplicationColumn: return tr("RF");
    case UnderReplicatedColumn: return tr("Under-repl.");
    case RecordsColumn: return tr("Records");
    }
    return {};
}

void TopicTableModel::setTopics(const QList<TopicDescription> &topics)
{
    QList<TopicDescription> sorted = topics;
    std::sort(sorted.begin(), sorted.end(),
              [](const TopicDescription &a, const TopicDescription &b) { return a.name < b.name; });
    if (sorted.size() == m_topics.size() &&
        std::equal(sorted.cbegin(), sorted.cend(), m_topics.cbegin(),
                   [](const TopicDescription &a, const TopicDescription &b) { return a.name == b.name; })) {
        // Same topics: update in place, so selection and scrolling stay.
        m_topics = sorted;
        if (!m_topics.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_topics = sorted;
    endResetModel();
}

void TopicTableModel::clear()
{
    if (m_topics.isEmpty())
        return;
    beginResetModel();
    m_topics.clear();
    endResetModel();
}

const TopicDescription *TopicTableModel::topic(const QString &name) const
{
    const int row = rowOf(name);
    return row < 0 ? nullptr : &m_topics[row];
}

int TopicTableModel::rowOf(const QString &name) const
{
    auto it = std::lower_bound(m_topics.cbegin(), m_topics.cend(), name,
                               [](const TopicDescription &t, const QString &n) { return t.name < n; });
    return it != m_topics.cend() && it->name == name ? static_cast<int>(it - m_topics.cbegin()) : -1;
}

// --- TopicFilterProxy --------------------------------------------------------

TopicFilterProxy::TopicFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(TopicTableModel::SortRole);
}

void TopicFilterProxy::setShowInternal(bool show)
{
    if (show == m_showInternal)
        return;
    m_showInternal = show;
    invalidateFilter();
}

void TopicFilterProxy::setNameFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_filter)
        return;
    m_filter = trimmed;
    invalidateFilter();
}

bool TopicFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_showInternal && idx.data(TopicTableModel::InternalRole).toBool())
        return false;
    return m_filter.isEmpty() || idx.data(TopicTableModel::NameRole).toString().contains(m_filter, Qt::CaseInsensitive);
}

// --- PartitionTableModel -----------------------------------------------------

PartitionTableModel::PartitionTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int PartitionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_partitions.size());
}

int PartitionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PartitionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PartitionDescription &p = m_partitions[index.row()];
    const auto offset = [&p](std::int64_t o) -> QVariant {
        if (o >= 0)
            return QVariant::fromValue<qlonglong>(o);
        return p.offsetsError != KafkaError::None ? KafkaError::name(p.offsetsError) : QStringLiteral("?");
    };
    switch (role) {
    case UnderReplicatedRole: return p.underReplicated();
    case Qt::DisplayRole:
        switch (index.column()) {
        case PartitionColumn: return p.partition;
        case LeaderColumn: return p.leader >= 0 ? QVariant(p.leader) : QVariant(tr("none"));
        case ReplicasColumn: return idList(p.replicas);
        case IsrColumn: return idList(p.isr);
        case EarliestColumn: return offset(p.earliestOffset);
        case LatestColumn: return offset(p.latestOffset);
        case RecordsColumn: {
            const qint64 n = recordSpan(p);
            return n < 0 ? QVariant(QStringLiteral("?")) : QVariant::fromValue<qlonglong>(n);
        }
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != ReplicasColumn && index.column() != IsrColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::BackgroundRole:
        if (p.underReplicated())
            return QBrush(kUnderReplicated);
        break;
    case Qt::ForegroundRole:
        if (p.underReplicated() || p.leader < 0)
            return QBrush(kUnderReplicatedText);
        break;
    case Qt::ToolTipRole: {
        QStringList lines;
        if (p.underReplicated())
            lines.append(tr("Under-replicated: %1 of %2 replicas in sync").arg(p.isr.size()).arg(p.replicas.size()));
        if (!p.offlineReplicas.isEmpty())
            lines.append(tr("Offline replicas: %1").arg(idList(p.offlineReplicas)));
        if (p.errorCode != KafkaError::None)
            lines.append(KafkaError::describe(p.errorCode));
        if (p.offsetsError != KafkaError::None)
            lines.append(tr("Offsets: %1").arg(KafkaError::describe(p.offsetsError)));
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
    }
    default: break;
    }
    return {};
}

QVariant PartitionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PartitionColumn: return tr("Partition");
    case LeaderColumn: return tr("Leader");
    case ReplicasColumn: return tr("Replicas");
    case IsrColumn: return tr("In sync");
    case EarliestColumn: return tr("Earliest");
    case LatestColumn: return tr("Latest");
    case RecordsColumn: return tr("Records");
    }
    return {};
}

void PartitionTableModel::setPartitions(const QList<PartitionDescription> &partitions)
{
    if (partitions.size() == m_partitions.size()) {
        m_partitions = partitions;
        if (!m_partitions.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_partitions = partitions;
    endResetModel();
}

// --- ConfigTableModel --------------------------------------------------------

ConfigTableModel::ConfigTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int ConfigTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_configs.size());
}

int ConfigTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfigTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConfigEntry &c = m_configs[index.row()];
    switch (role) {
    case IsDefaultRole: return c.isDefault();
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return c.name;
        case ValueColumn:
            if (c.sensitive)
                return tr("(sensitive)");
            return c.value ? *c.value : tr("(null)");
        case SourceColumn: return configSourceName(c.source);
        }
        break;
    case Qt::FontRole:
        if (!c.isDefault()) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        break;
    case Qt::ToolTipRole: {
        QString tip = c.isDefault() ? tr("%1: the default").arg(c.name)
                                    : tr("%1: not the default (%2)").arg(c.name, configSourceName(c.source));
        if (c.readOnly)
            tip += tr("\nread-only");
        if (c.documentation && !c.documentation->isEmpty())
            tip += QStringLiteral("\n") + *c.documentation;
        return tip;
    }
    default: break;
    }
    return {};
}

QVariant ConfigTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Config");
    case ValueColumn: return tr("Value");
    case SourceColumn: return tr("Source");
    }
    return {};
}

void ConfigTableModel::setConfigs(const QList<ConfigEntry> &configs)
{
    beginResetModel();
    // What someone changed comes first (then by name): that is what people look for.
    m_configs = configs;
    std::stable_sort(m_configs.begin(), m_configs.end(), [](const ConfigEntry &a, const ConfigEntry &b) {
        return a.isDefault() != b.isDefault() ? !a.isDefault() : a.name < b.name;
    });
    endResetModel();
}

int ConfigTableModel::nonDefaultCount() const
{
    return static_cast<int>(
        std::count_if(m_configs.cbegin(), m_configs.cend(), [](const ConfigEntry &c) { return !c.isDefault(); }));
}

} // namespace kpw
