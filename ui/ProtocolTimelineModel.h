#pragma once

#include "producer/Transaction.h"

#include <QAbstractTableModel>
#include <QList>

namespace kpw {

// Every protocol call of the transaction panel's producers, one row each:
// time, call, result, producer id/epoch, sequences, partitions, detail, peer.
// Errors are red, injected faults purple, state changes grey. Events are
// queued and inserted once per event-loop pass (one beginInsertRows per
// burst); the oldest rows are dropped past maxRows().
class ProtocolTimelineModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        CallColumn,
        ResultColumn,
        ProducerColumn,
        SequencesColumn,
        PartitionsColumn,
        DetailColumn,
        PeerColumn,
        ColumnCount
    };
    enum Role {
        KindRole = Qt::UserRole + 1, // "error", "fault", "state" or "ok"
    };

    static constexpr int kDefaultMaxRows = 5000;

    explicit ProtocolTimelineModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    int maxRows() const { return m_maxRows; }
    void setMaxRows(int maxRows);
    const ProtocolEvent &event(int row) const { return m_rows.at(row).event; }
    // Inserts what is queued now instead of on the next event-loop pass.
    void flush();

public Q_SLOTS:
    // `source` names the producer for the Call column when it is not the
    // panel's own ("2nd producer").
    void append(const kpw::ProtocolEvent &event, const QString &source = QString());
    void clear();

private:
    struct Row
    {
        ProtocolEvent event;
        QString source;
    };
    QVariant displayData(const Row &row, int column) const;

    QList<Row> m_rows;
    QList<Row> m_pending;
    int m_maxRows = kDefaultMaxRows;
};

} // namespace kpw
