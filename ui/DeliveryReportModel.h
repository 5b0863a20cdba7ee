#pragma once

#include "producer/DeliveryReport.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QStringList>

#include <cstdint>

namespace kpw {

// The live table of delivery reports. Reports arrive in batches (one
// recordsDelivered per produce response) and each batch is one row insertion.
// Rows are kept as small structs; strings are only built in data(), for the
// rows a view actually paints. The oldest rows are dropped past maxRows().
class DeliveryReportModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        TopicColumn,
        PartitionColumn,
        OffsetColumn,
        KeyColumn,
        SizeColumn,
        LatencyColumn,
        ProducerColumn, // idempotent producer: "pid / epoch / seq"
        StatusColumn,
        ColumnCount
    };

    enum Role {
        // The raw value behind a cell (qint64, double, QString, QByteArray) for
        // sorting, copying and tests.
        RawValueRole = Qt::UserRole + 1,
        ReportIdRole,
        ErrorCodeRole,
    };

    static constexpr int kDefaultMaxRows = 100'000;

    explicit DeliveryReportModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    void setMaxRows(int maxRows);

    // Totals since the last clear(), including rows dropped by the cap.
    quint64 deliveredCount() const { return m_delivered; }
    quint64 failedCount() const { return m_failed; }

public Q_SLOTS:
    void appendReports(const QList<kpw::DeliveryReport> &reports);
    void clear();

Q_SIGNALS:
    void countsChanged(quint64 delivered, quint64 failed);

private:
    struct Row
    {
        std::int64_t timestampMs = -1;
        std::int64_t offset = -1;
        std::int64_t producerId = -1; // -1: not idempotent
        quint64 id = 0;
        QByteArray keyPreview;
        QString errorMessage;        // empty for delivered rows
        std::int32_t keySize = -1;   // -1: null key
        std::int32_t valueSize = -1; // -1: tombstone
        float latencyMs = 0;
        std::int32_t partition = -1;
        std::int32_t topicIndex = 0; // into m_topics
        std::int32_t sequence = -1;
        std::int16_t producerEpoch = -1;
        std::int16_t errorCode = 0;
        std::int16_t attempts = 1;
    };

    Row toRow(const DeliveryReport &report, std::int64_t nowMs);
    void dropOldest(int count);
    QVariant displayData(const Row &row, int column) const;
    QVariant rawData(const Row &row, int column) const;
    QString toolTip(const Row &row, int column) const;

    QList<Row> m_rows;
    // Topic names are interned: a row stores an index, not a string.
    QStringList m_topics;
    QHash<QString, std::int32_t> m_topicIndex;
    int m_maxRows = kDefaultMaxRows;
    quint64 m_delivered = 0;
    quint64 m_failed = 0;
};

} // namespace kpw
