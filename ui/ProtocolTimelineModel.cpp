#include "ui/ProtocolTimelineModel.h"

#include "wire/KafkaError.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QTimer>

namespace kpw {
namespace {

const QColor kErrorForeground(0xb0, 0x12, 0x1f);
const QColor kErrorBackground(0xfd, 0xe4, 0xe4);
const QColor kFaultForeground(0x5b, 0x1f, 0x9e);
const QColor kFaultBackground(0xee, 0xe4, 0xfb);
const QColor kStateForeground(0x60, 0x60, 0x60);

bool isError(const ProtocolEvent &e)
{
    return !e.fault && e.errorCode != 0;
}

bool isState(const ProtocolEvent &e)
{
    return e.api == QLatin1StringView("STATE");
}

} // namespace

ProtocolTimelineModel::ProtocolTimelineModel(QObject *parent) : QAbstractTableModel(parent) {}

int ProtocolTimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ProtocolTimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProtocolTimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const ProtocolEvent &e = row.event;
    switch (role) {
    case Qt::DisplayRole: return displayData(row, index.column());
    case Qt::ToolTipRole: {
        QString tip = displayData(row, CallColumn).toString() + QStringLiteral(": ") + e.result;
        if (e.errorCode != 0)
            tip += QStringLiteral(" (error %1 %2)").arg(e.errorCode).arg(KafkaError::name(e.errorCode));
        if (!e.detail.isEmpty())
            tip += QLatin1Char('\n') + e.detail;
        return tip;
    }
    case Qt::ForegroundRole:
        if (e.fault)
            return QBrush(kFaultForeground);
        if (isError(e))
            return QBrush(kErrorForeground);
        if (isState(e))
            return QBrush(kStateForeground);
        return {};
    case Qt::BackgroundRole:
        if (e.fault)
            return QBrush(kFaultBackground);
        if (isError(e))
            return QBrush(kErrorBackground);
        return {};
    case Qt::FontRole:
        if (e.fault || (isState(e) && index.column() == ResultColumn)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case KindRole:
        return e.fault      ? QStringLiteral("fault")
               : isError(e) ? QStringLiteral("error")
               : isState(e) ? QStringLiteral("state")
                            : QStringLiteral("ok");
    default: return {};
    }
}

QVariant ProtocolTimelineModel::displayData(const Row &row, int column) const
{
    const ProtocolEvent &e = row.event;
    switch (column) {
    case TimeColumn: return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case CallColumn: return row.source.isEmpty() ? e.api : row.source + QStringLiteral(": ") + e.api;
    case PeerColumn: return e.peer;
    case ProducerColumn:
        if (e.producerId < 0)
            return QString();
        return QStringLiteral("%1 / %2").arg(e.producerId).arg(e.producerEpoch);
    case PartitionsColumn: return e.partitions;
    case SequencesColumn: return e.sequences;
    case ResultColumn:
        // What a fault is matters more than that it fired: it goes with the result.
        if (e.fault && !e.detail.isEmpty())
            return e.result + QStringLiteral(": ") + e.detail;
        return e.result;
    case DetailColumn: return e.detail;
    default: return {};
    }
}

QVariant ProtocolTimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case CallColumn: return tr("Call");
    case PeerColumn: return tr("Peer");
    case ProducerColumn: return tr("PID / epoch");
    case PartitionsColumn: return tr("Partitions");
    case SequencesColumn: return tr("Sequences");
    case ResultColumn: return tr("Result");
    case DetailColumn: return tr("Detail");
    default: return {};
    }
}

void ProtocolTimelineModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    flush();
    if (m_rows.size() > m_maxRows) {
        const int drop = static_cast<int>(m_rows.size()) - m_maxRows;
        beginRemoveRows({}, 0, drop - 1);
        m_rows.remove(0, drop);
        endRemoveRows();
    }
}

void ProtocolTimelineModel::append(const kpw::ProtocolEvent &event, const QString &source)
{
    if (m_pending.isEmpty())
        QTimer::singleShot(0, this, &ProtocolTimelineModel::flush);
    m_pending.append(Row{event, source});
}

void ProtocolTimelineModel::flush()
{
    if (m_pending.isEmpty())
        return;
    QList<Row> incoming = std::exchange(m_pending, {});
    if (incoming.size() > m_maxRows)
        incoming.remove(0, incoming.size() - m_maxRows);
    const qsizetype overflow = m_rows.size() + incoming.size() - m_maxRows;
    if (overflow > 0) {
        const int drop = static_cast<int>(std::min(overflow, m_rows.size()));
        beginRemoveRows({}, 0, drop - 1);
        m_rows.remove(0, drop);
        endRemoveRows();
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(incoming.size()) - 1);
    m_rows.append(std::move(incoming));
    endInsertRows();
}

void ProtocolTimelineModel::clear()
{
    m_pending.clear();
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

} // namespace kpw
