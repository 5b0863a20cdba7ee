#pragma once

#include "admin/TopicAdmin.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSortFilterProxyModel>
#include <QString>

namespace kpw {

// The topic browser's list: one row per topic (internal ones included; the
// proxy hides them) with its partition count, replication factor and the
// number of under-replicated partitions.
class TopicTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, PartitionsColumn, ReplicationColumn, UnderReplicatedColumn, RecordsColumn, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1,
        InternalRole,
        PartitionCountRole,
        SortRole,
    };

    explicit TopicTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the list; rows that stay keep their place where possible
    // (one reset: the list is small and arrives whole).
    void setTopics(const QList<TopicDescription> &topics);
    void clear();
    const TopicDescription *topic(const QString &name) const;
    int rowOf(const QString &name) const;
    const QList<TopicDescription> &topics() const { return m_topics; }

private:
    QList<TopicDescription> m_topics; // sorted by name
};

// Hides internal topics unless asked to show them, and filters by a
// case-insensitive substring of the name.
class TopicFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TopicFilterProxy(QObject *parent = nullptr);
    void setShowInternal(bool show);
    bool showInternal() const { return m_showInternal; }
    void setNameFilter(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_showInternal = false;
    QString m_filter;
};

// One topic's partitions: leader, replicas, in-sync replicas, earliest and
// latest offsets; an under-replicated partition is highlighted.
class PartitionTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        PartitionColumn,
        LeaderColumn,
        ReplicasColumn,
        IsrColumn,
        EarliestColumn,
        LatestColumn,
        RecordsColumn,
        ColumnCount
    };
    enum Role { UnderReplicatedRole = Qt::UserRole + 1 };

    explicit PartitionTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setPartitions(const QList<PartitionDescription> &partitions);

private:
    QList<PartitionDescription> m_partitions;
};

// A topic's configs: name, value, source; values that are not the built-in
// default are bold and listed first.
class ConfigTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ValueColumn, SourceColumn, ColumnCount };
    enum Role { IsDefaultRole = Qt::UserRole + 1 };

    explicit ConfigTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setConfigs(const QList<ConfigEntry> &configs);
    int nonDefaultCount() const;

private:
    QList<ConfigEntry> m_configs;
};

} // namespace kpw
