#pragma once

#include "tail/TailRecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPair>

#include <cstdint>

namespace kpw {

// One side of the two tails: the records and transaction markers a reader
// returned, in arrival order (offset order per partition). Each fetch is one
// row insertion. What each row is:
//   - a record; on the read_uncommitted side, a transactional record whose
//     producer's ABORT marker follows is marked aborted when that marker
//     arrives (a read_committed reader never shows it);
//   - a marker: it takes an offset but is never delivered to a consumer;
//   - gapBefore: offsets of this partition skipped just before this row
//     (aborted records on the read_committed side).
class TailModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        PartitionColumn,
        OffsetColumn,
        KeyColumn,
        ValueColumn,
        HeadersColumn,
        ProducerIdColumn,
        TransactionalColumn,
        ColumnCount
    };
    enum class Kind { Record, Marker };
    enum class TxnState { None, Open, Committed, Aborted };
    enum Role {
        KindRole = Qt::UserRole + 1, // "record", "aborted", "commit-marker", "abort-marker"
        GapRole,                     // offsets skipped before this row (qint64)
    };

    static constexpr int kMaxRows = 200'000;

    explicit TailModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    qsizetype recordCount() const { return m_records; }
    qsizetype markerCount() const { return m_markers; }
    qsizetype abortedCount() const { return m_aborted; }
    // Whether rows were dropped because the table reached kMaxRows.
    bool truncated() const { return m_truncated; }

public Q_SLOTS:
    void append(const kpw::TailBatch &batch);
    void clear();

private:
    struct Row
    {
        Kind kind = Kind::Record;
        TxnState txn = TxnState::None;
        std::int32_t partition = 0;
        std::int64_t offset = 0;
        std::int64_t gapBefore = 0;
        std::int64_t producerId = -1;
        std::optional<QByteArray> key;
        std::optional<QByteArray> value;
        QList<RecordHeader> headers;
        ControlMarker::Type marker = ControlMarker::Type::Unknown;
    };

    QList<Row> m_rows;
    QHash<std::int32_t, std::int64_t> m_lastOffset; // per partition
    // Rows of transactions still open, per (partition, producer id).
    QHash<QPair<std::int32_t, std::int64_t>, QList<int>> m_open;
    qsizetype m_records = 0;
    qsizetype m_markers = 0;
    qsizetype m_aborted = 0;
    bool m_truncated = false;
};

} // namespace kpw
