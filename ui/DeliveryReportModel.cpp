#include "ui/DeliveryReportModel.h"

#include "wire/KafkaError.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QLocale>

#include <algorithm>
#include <limits>

namespace kpw {
namespace {

// A failed row must stand out in light and dark palettes alike.
const QColor kFailedForeground(0xb0, 0x12, 0x1f);
const QColor kFailedBackground(0xfd, 0xe4, 0xe4);
const QColor kOkForeground(0x1b, 0x7f, 0x3b);
const QColor kMutedForeground(0x80, 0x80, 0x80);
constexpr qsizetype kKeyDisplayChars = 64;

std::int32_t clampSize(qsizetype size)
{
    return static_cast<std::int32_t>(std::clamp<qsizetype>(size, -1, std::numeric_limits<std::int32_t>::max()));
}

QString formatSize(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

// Keys are bytes: show text when they are readable UTF-8, hex otherwise.
QString keyText(const QByteArray &preview, std::int32_t keySize)
{
    const QString text = QString::fromUtf8(preview);
    const bool readable = std::none_of(text.cbegin(), text.cend(), [](QChar c) {
        return c == QChar::ReplacementCharacter || (c.category() == QChar::Other_Control);
    });
    QString shown = readable ? text : QStringLiteral("0x") + QString::fromLatin1(preview.toHex());
    const bool truncated = keySize > preview.size() || shown.size() > kKeyDisplayChars;
    if (shown.size() > kKeyDisplayChars)
        shown.truncate(kKeyDisplayChars);
    if (truncated)
        shown += QChar(0x2026); // ellipsis
    return shown;
}

QString attemptsText(int attempts)
{
    return attempts == 1 ? DeliveryReportModel::tr("1 attempt") : DeliveryReportModel::tr("%1 attempts").arg(attempts);
}

} // namespace

DeliveryReportModel::DeliveryReportModel(QObject *parent) : QAbstractTableModel(parent) {}

int DeliveryReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int DeliveryReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeliveryReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    const bool failed = row.errorCode != 0;

    switch (role) {
    case Qt::DisplayRole: return displayData(row, column);
    case Qt::ToolTipRole: return toolTip(row, column);
    case RawValueRole: return rawData(row, column);
    case ReportIdRole: return QVariant::fromValue(row.id);
    case ErrorCodeRole: return static_cast<int>(row.errorCode);
    case Qt::TextAlignmentRole:
        switch (column) {
        case PartitionColumn:
        case OffsetColumn:
        case SizeColumn:
        case LatencyColumn:
        case ProducerColumn: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (failed)
            return QBrush(kFailedForeground);
        if (column == StatusColumn)
            return QBrush(kOkForeground);
        if (column == KeyColumn && row.keySize < 0)
            return QBrush(kMutedForeground);
        return {};
    case Qt::BackgroundRole: return failed ? QVariant(QBrush(kFailedBackground)) : QVariant();
    case Qt::FontRole:
        if (column == KeyColumn && row.keySize < 0) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    default: return {};
    }
}

QVariant DeliveryReportModel::displayData(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn: return QDateTime::fromMSecsSinceEpoch(row.timestampMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case TopicColumn: return m_topics.at(row.topicIndex);
    case PartitionColumn: return row.partition >= 0 ? QString::number(row.partition) : QStringLiteral("-");
    case OffsetColumn: return row.offset >= 0 ? QString::number(row.offset) : QStringLiteral("-");
    case KeyColumn: return row.keySize < 0 ? QStringLiteral("null") : keyText(row.keyPreview, row.keySize);
    case SizeColumn: return formatSize(qint64(std::max(row.keySize, 0)) + std::max(row.valueSize, 0));
    case LatencyColumn: return QString::number(row.latencyMs, 'f', 1);
    case ProducerColumn:
        if (row.producerId < 0)
            return QString();
        return QStringLiteral("%1 / %2 / %3").arg(row.producerId).arg(row.producerEpoch).arg(row.sequence);
    case StatusColumn:
        if (row.errorCode == 0)
            return QStringLiteral("OK");
        if (row.errorMessage.isEmpty())
            return KafkaError::name(row.errorCode);
        return KafkaError::name(row.errorCode) + QStringLiteral(": ") + row.errorMessage;
    default: return {};
    }
}

QVariant DeliveryReportModel::rawData(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn: return QVariant::fromValue(qint64(row.timestampMs));
    case TopicColumn: return m_topics.at(row.topicIndex);
    case PartitionColumn: return row.partition;
    case OffsetColumn: return QVariant::fromValue(qint64(row.offset));
    case KeyColumn: return row.keySize < 0 ? QVariant() : QVariant(row.keyPreview);
    case SizeColumn: return QVariant::fromValue(qint64(std::max(row.keySize, 0)) + std::max(row.valueSize, 0));
    case LatencyColumn: return double(row.latencyMs);
    case ProducerColumn: return row.producerId < 0 ? QVariant() : QVariant(row.sequence);
    case StatusColumn: return row.errorCode == 0 ? QStringLiteral("OK") : KafkaError::name(row.errorCode);
    default: return {};
    }
}

QString DeliveryReportModel::toolTip(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn: return QDateTime::fromMSecsSinceEpoch(row.timestampMs).toString(Qt::ISODateWithMs);
    case KeyColumn:
        if (row.keySize < 0)
            return tr("Null key");
        return tr("Key, %1 bytes").arg(row.keySize);
    case SizeColumn: {
        const QString value = row.valueSize < 0 ? tr("null (tombstone)") : tr("%1 bytes").arg(row.valueSize);
        const QString key = row.keySize < 0 ? tr("null") : tr("%1 bytes").arg(row.keySize);
        return tr("Key: %1\nValue: %2").arg(key, value);
    }
    case ProducerColumn:
        if (row.producerId < 0)
            return tr("Not idempotent: no producer id or sequence number");
        return tr("Producer id %1, epoch %2, sequence %3: a retried batch with these is recognised by the broker "
                  "and not written twice")
            .arg(row.producerId)
            .arg(row.producerEpoch)
            .arg(row.sequence);
    case StatusColumn: {
        if (row.errorCode == 0)
            return tr("Delivered (record #%1, %2)").arg(row.id).arg(attemptsText(row.attempts));
        QString text = QStringLiteral("%1 (%2)").arg(KafkaError::name(row.errorCode)).arg(row.errorCode);
        if (!row.errorMessage.isEmpty())
            text += QStringLiteral("\n") + row.errorMessage;
        text += QStringLiteral("\n") + tr("Record #%1, %2").arg(row.id).arg(attemptsText(row.attempts));
        return text;
    }
    default: return {};
    }
}

QVariant DeliveryReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = section == PartitionColumn || section == OffsetColumn || section == SizeColumn ||
                             section == LatencyColumn || section == ProducerColumn;
        return QVariant::fromValue((numeric ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case TopicColumn: return tr("Topic");
    case PartitionColumn: return tr("Partition");
    case OffsetColumn: return tr("Offset");
    case KeyColumn: return tr("Key");
    case SizeColumn: return tr("Size");
    case LatencyColumn: return tr("Latency (ms)");
    case ProducerColumn: return tr("PID / epoch / seq");
    case StatusColumn: return tr("Status");
    default: return {};
    }
}

void DeliveryReportModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    if (m_rows.size() > m_maxRows)
        dropOldest(static_cast<int>(m_rows.size() - m_maxRows));
}

void DeliveryReportModel::appendReports(const QList<DeliveryReport> &reports)
{
    if (reports.isEmpty())
        return;
    for (const DeliveryReport &report : reports) {
        if (report.ok())
            ++m_delivered;
        else
            ++m_failed;
    }

    // A batch larger than the cap only keeps its newest reports.
    const qsizetype skip = std::max<qsizetype>(0, reports.size() - m_maxRows);
    const qsizetype incoming = reports.size() - skip;
    const qsizetype overflow = m_rows.size() + incoming - m_maxRows;
    if (overflow > 0)
        dropOldest(static_cast<int>(overflow));

    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(incoming) - 1);
    for (qsizetype i = skip; i < reports.size(); ++i)
        m_rows.append(toRow(reports.at(i), nowMs));
    endInsertRows();

    Q_EMIT countsChanged(m_delivered, m_failed);
}

void DeliveryReportModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_topics.clear();
    m_topicIndex.clear();
    endResetModel();
    m_delivered = 0;
    m_failed = 0;
    Q_EMIT countsChanged(m_delivered, m_failed);
}

DeliveryReportModel::Row DeliveryReportModel::toRow(const DeliveryReport &report, std::int64_t nowMs)
{
    Row row;
    row.timestampMs = report.timestampMs >= 0 ? report.timestampMs : nowMs;
    row.offset = report.offset;
    row.id = report.id;
    if (report.keySize >= 0)
        row.keySize = clampSize(report.keySize);
    else if (report.key)
        row.keySize = clampSize(report.key->size());
    if (report.key)
        row.keyPreview = report.key->left(kKeyDisplayChars * 4);
    row.valueSize = clampSize(report.valueSize);
    row.latencyMs = static_cast<float>(report.latencyMs);
    row.partition = report.partition;
    row.producerId = report.producerId;
    row.producerEpoch = report.producerEpoch;
    row.sequence = report.sequence;
    row.errorCode = report.errorCode;
    row.attempts = static_cast<std::int16_t>(std::clamp(report.attempts, 0, 32767));
    if (!report.ok())
        row.errorMessage = report.errorMessage;

    auto it = m_topicIndex.constFind(report.topic);
    if (it == m_topicIndex.cend()) {
        it = m_topicIndex.insert(report.topic, static_cast<std::int32_t>(m_topics.size()));
        m_topics.append(report.topic);
    }
    row.topicIndex = it.value();
    return row;
}

void DeliveryReportModel::dropOldest(int count)
{
    count = std::min(count, static_cast<int>(m_rows.size()));
    if (count <= 0)
        return;
    beginRemoveRows(QModelIndex(), 0, count - 1);
    // Qt 6's QList erases at the front by moving its begin pointer: no shifting.
    m_rows.remove(0, count);
    endRemoveRows();
}

} // namespace kpw
