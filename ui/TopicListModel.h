#pragma once

#include "messages/Metadata.h"

#include <QAbstractListModel>
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <cstdint>

namespace kpw {

// The cluster's topics from the latest metadata, internal ones left out.
// Shown as "orders  (3)"; NameRole gives the bare topic name.
class TopicListModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        PartitionCountRole,
        ErrorCodeRole,
    };

    explicit TopicListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMetadata(const MetadataResponse &metadata);
    void clear();

    // -1 when the topic is not known.
    int partitionCount(const QString &topic) const;
    int rowOf(const QString &topic) const;

private:
    struct Topic
    {
        QString name;
        int partitions = 0;
        int replicationFactor = 0;
        std::int16_t errorCode = 0;
    };

    QList<Topic> m_topics; // sorted by name
};

} // namespace kpw
