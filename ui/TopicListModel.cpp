#include "ui/TopicListModel.h"

#include "wire/KafkaError.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace kpw {

TopicListModel::TopicListModel(QObject *parent) : QAbstractListModel(parent) {}

int TopicListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_topics.size());
}

QVariant TopicListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Topic &topic = m_topics.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return QStringLiteral("%1  (%2)").arg(topic.name).arg(topic.partitions);
    case Qt::ToolTipRole: {
        QString tip = topic.name + QStringLiteral("\n") +
                      (topic.partitions == 1 ? tr("1 partition") : tr("%1 partitions").arg(topic.partitions));
        if (topic.replicationFactor > 0)
            tip += QStringLiteral(", ") + tr("replication factor %1").arg(topic.replicationFactor);
        if (topic.errorCode != 0)
            tip += QStringLiteral("\n") + KafkaError::describe(topic.errorCode);
        return tip;
    }
    case Qt::ForegroundRole: return topic.errorCode != 0 ? QVariant(QBrush(QColor(0xb0, 0x12, 0x1f))) : QVariant();
    case NameRole: return topic.name;
    case PartitionCountRole: return topic.partitions;
    case ErrorCodeRole: return static_cast<int>(topic.errorCode);
    default: return {};
    }
}

QHash<int, QByteArray> TopicListModel::roleNames() const
{
    QHash<int, QByteArray> roles = QAbstractListModel::roleNames();
    roles.insert(NameRole, QByteArrayLiteral("name"));
    roles.insert(PartitionCountRole, QByteArrayLiteral("partitionCount"));
    roles.insert(ErrorCodeRole, QByteArrayLiteral("errorCode"));
    return roles;
}

void TopicListModel::setMetadata(const MetadataResponse &metadata)
{
    QList<Topic> topics;
    topics.reserve(metadata.topics.size());
    for (const TopicInfo &info : metadata.topics) {
        // __consumer_offsets, __transaction_state, ...: nothing to produce to.
        if (info.isInternal || info.name.startsWith(QStringLiteral("__")))
            continue;
        // A topic the producer asked about that does not exist is no topic to list.
        if (info.errorCode == KafkaError::UnknownTopicOrPartition ||
            info.errorCode == KafkaError::InvalidTopicException)
            continue;
        Topic topic;
        topic.name = info.name;
        topic.partitions = static_cast<int>(info.partitions.size());
        topic.replicationFactor =
            info.partitions.isEmpty() ? 0 : static_cast<int>(info.partitions.first().replicas.size());
        topic.errorCode = info.errorCode;
        topics.append(topic);
    }
    std::sort(topics.begin(), topics.end(), [](const Topic &a, const Topic &b) { return a.name < b.name; });

    beginResetModel();
    m_topics = std::move(topics);
    endResetModel();
}

void TopicListModel::clear()
{
    beginResetModel();
    m_topics.clear();
    endResetModel();
}

int TopicListModel::partitionCount(const QString &topic) const
{
    const int row = rowOf(topic);
    return row < 0 ? -1 : m_topics.at(row).partitions;
}

int TopicListModel::rowOf(const QString &topic) const
{
    const auto it = std::lower_bound(m_topics.cbegin(), m_topics.cend(), topic,
                                     [](const Topic &t, const QString &name) { return t.name < name; });
    if (it == m_topics.cend() || it->name != topic)
        return -1;
    return static_cast<int>(it - m_topics.cbegin());
}

} // namespace kpw
