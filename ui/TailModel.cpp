#include "TailModel.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

#include <algorithm>

namespace kpw {

namespace {

QString shown(const std::optional<QByteArray> &b)
{
    if (!b)
        return QStringLiteral("(null)");
    QString s = QString::fromUtf8(b->left(512));
    s.replace(QLatin1Char('\n'), QStringLiteral("\u21b5"));
    return s;
}

} // namespace

TailModel::TailModel(QObject *parent) : QAbstractTableModel(parent) {}

int TailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TailModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PartitionColumn: return tr("Partition");
    case OffsetColumn: return tr("Offset");
    case KeyColumn: return tr("Key");
    case ValueColumn: return tr("Value");
    case HeadersColumn: return tr("Headers");
    case ProducerIdColumn: return tr("Producer id");
    case TransactionalColumn: return tr("Transaction");
    default: return {};
    }
}

QVariant TailModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows[index.row()];
    const bool marker = r.kind == Kind::Marker;
    switch (role) {
    case KindRole:
        if (marker)
            return r.marker == ControlMarker::Type::Abort ? QStringLiteral("abort-marker")
                                                          : QStringLiteral("commit-marker");
        return r.txn == TxnState::Aborted ? QStringLiteral("aborted") : QStringLiteral("record");
    case GapRole: return QVariant::fromValue<qint64>(r.gapBefore);
    case Qt::BackgroundRole:
        if (index.column() == OffsetColumn && r.gapBefore > 0)
            return QBrush(QColor(0xff, 0xee, 0xb0));
        if (marker)
            return QBrush(QColor(0xe4, 0xe4, 0xe4));
        if (r.txn == TxnState::Aborted)
            return QBrush(QColor(0xf8, 0xd0, 0xd0));
        return {};
    case Qt::ForegroundRole:
        if (marker)
            return QBrush(QColor(0x55, 0x55, 0x55));
        return {};
    case Qt::ToolTipRole:
        if (marker)
            return tr("A transaction marker: it takes offset %1 but is never delivered to a consumer.").arg(r.offset);
        if (r.txn == TxnState::Aborted)
            return tr("Aborted: producer %1's transaction ended with an ABORT marker; read_committed never "
                      "shows this record.")
                .arg(r.producerId);
        if (r.gapBefore > 0)
            return tr("%n offset(s) before this one are not shown here: aborted records or markers.", "",
                      static_cast<int>(r.gapBefore));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PartitionColumn || index.column() == OffsetColumn || index.column() == ProducerIdColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (index.column()) {
    case PartitionColumn: return r.partition;
    case OffsetColumn:
        if (r.gapBefore > 0)
            return QStringLiteral("+%2 gap  %1").arg(r.offset).arg(r.gapBefore);
        return QString::number(r.offset);
    case KeyColumn: return marker ? QString() : shown(r.key);
    case ValueColumn:
        if (marker)
            return r.marker == ControlMarker::Type::Abort ? tr("\u25c6 ABORT marker") : tr("\u25c6 COMMIT marker");
        return shown(r.value);
    case HeadersColumn: {
        QStringList hs;
        for (const auto &h : r.headers)
            hs.append(h.value ? QStringLiteral("%1=%2").arg(h.key, shown(h.value)) : h.key);
        return hs.join(QStringLiteral(", "));
    }
    case ProducerIdColumn: return r.producerId >= 0 ? QString::number(r.producerId) : QString();
    case TransactionalColumn:
        switch (r.txn) {
        case TxnState::None: return marker ? QString() : tr("no");
        case TxnState::Open: return tr("open");
        case TxnState::Committed: return tr("committed");
        case TxnState::Aborted: return tr("ABORTED");
        }
        return {};
    default: return {};
    }
}

void TailModel::append(const TailBatch &batch)
{
    // Records and markers merged per partition in offset order.
    QList<Row> rows;
    rows.reserve(batch.records.size() + batch.markers.size());
    for (const auto &r : batch.records) {
        Row row;
        row.partition = r.partition;
        row.offset = r.offset;
        row.producerId = r.producerId;
        row.key = r.key;
        row.value = r.value;
        row.headers = r.headers;
        row.txn = r.isTransactional ? TxnState::Open : TxnState::None;
        rows.append(std::move(row));
    }
    for (const auto &m : batch.markers) {
        Row row;
        row.kind = Kind::Marker;
        row.partition = m.partition;
        row.offset = m.offset;
        row.producerId = m.producerId;
        row.marker = m.type;
        rows.append(std::move(row));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
    });
    if (rows.isEmpty())
        return;
    if (m_rows.size() + rows.size() > kMaxRows) {
        // Past the cap new rows are dropped, not old ones: row numbers that
        // m_open holds stay valid.
        m_truncated = true;
        rows.resize(std::max<qsizetype>(0, kMaxRows - m_rows.size()));
        if (rows.isEmpty())
            return;
    }

    const int first = static_cast<int>(m_rows.size());
    int changedFrom = first;
    beginInsertRows({}, first, first + static_cast<int>(rows.size()) - 1);
    for (auto &row : rows) {
        const auto last = m_lastOffset.find(row.partition);
        if (last != m_lastOffset.end() && row.offset > *last + 1)
            row.gapBefore = row.offset - *last - 1;
        m_lastOffset[row.partition] = row.offset;
        const int at = static_cast<int>(m_rows.size());
        const auto txnKey = qMakePair(row.partition, row.producerId);
        if (row.kind == Kind::Marker) {
            ++m_markers;
            // The marker ends the transaction of its producer in its partition.
            const QList<int> open = m_open.take(txnKey);
            const bool aborted = row.marker == ControlMarker::Type::Abort;
            for (int i : open) {
                m_rows[i].txn = aborted ? TxnState::Aborted : TxnState::Committed;
                if (aborted)
                    ++m_aborted;
                changedFrom = std::min(changedFrom, i);
            }
        } else {
            ++m_records;
            if (row.txn == TxnState::Open)
                m_open[txnKey].append(at);
        }
        m_rows.append(std::move(row));
    }
    endInsertRows();
    if (changedFrom < first)
        Q_EMIT dataChanged(index(changedFrom, 0), index(first - 1, ColumnCount - 1));
}

void TailModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_lastOffset.clear();
    m_open.clear();
    m_records = m_markers = m_aborted = 0;
    m_truncated = false;
    endResetModel();
}

} // namespace kpw
