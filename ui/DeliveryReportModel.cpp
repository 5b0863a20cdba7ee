#include "ui/DeliveryReportModel.h"

#include "wire/KafkaError.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cstring>
#include <limits>

namespace kpw {
namespace {

// A failed row must stand out in light and dark palettes alike.
const QColor kFailedForeground(0xb0, 0x12, 0x1f);
const QColor kFailedBackground(0xfd, 0xe4, 0xe4);
const QColor kOkForeground(0x1b, 0x7f, 0x3b);
const QColor kMutedForeground(0x80, 0x80, 0x80);
// Error messages are interned; past this many distinct ones, new ones are
// not kept (the error name still is).
constexpr qsizetype kMaxMessages = 100'000;

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
QString keyText(const QByteArray &kept, std::int32_t keySize)
{
    QString text = QString::fromUtf8(kept);
    const bool truncated = keySize > kept.size();
    // A multi-byte character cut at the end of the kept bytes is not "binary".
    if (truncated && text.endsWith(QChar::ReplacementCharacter))
        text.chop(1);
    const bool readable = std::none_of(text.cbegin(), text.cend(), [](QChar c) {
        return c == QChar::ReplacementCharacter || (c.category() == QChar::Other_Control);
    });
    QString shown = readable ? text : QStringLiteral("0x") + QString::fromLatin1(kept.toHex());
    if (truncated)
        shown += QChar(0x2026); // ellipsis
    return shown;
}

QString attemptsText(int attempts)
{
    return attempts == 1 ? DeliveryReportModel::tr("1 attempt") : DeliveryReportModel::tr("%1 attempts").arg(attempts);
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString tsvField(QString text)
{
    return text.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

template <typename F> qsizetype forRows(qsizetype total, const QList<int> *rows, F &&f)
{
    if (!rows) {
        for (qsizetype row = 0; row < total; ++row)
            f(static_cast<int>(row));
        return total;
    }
    for (int row : *rows)
        f(row);
    return rows->size();
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
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
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
        case HeadersColumn:
        case LatencyColumn:
        case RetriesColumn:
        case ProducerColumn: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (failed)
            return QBrush(kFailedForeground);
        if (column == StatusColumn)
            return QBrush(kOkForeground);
        if ((column == KeyColumn && row.keySize < 0) || (column == SizeColumn && row.valueSize < 0))
            return QBrush(kMutedForeground);
        return {};
    case Qt::BackgroundRole: return failed ? QVariant(QBrush(kFailedBackground)) : QVariant();
    case Qt::FontRole:
        if ((column == KeyColumn && row.keySize < 0) || (column == SizeColumn && row.valueSize < 0)) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    default: return {};
    }
}

QByteArray DeliveryReportModel::keyBytes(const Row &row) const
{
    return QByteArray(row.key, row.keyLength);
}

QString DeliveryReportModel::message(const Row &row) const
{
    return row.messageIndex >= 0 ? m_messages.at(row.messageIndex) : QString();
}

QVariant DeliveryReportModel::displayData(const Row &row, int column) const
{
    switch (column) {
    case TimeColumn: return QDateTime::fromMSecsSinceEpoch(row.timestampMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case TopicColumn: return m_topics.at(row.topicIndex);
    case PartitionColumn: return row.partition >= 0 ? QString::number(row.partition) : QStringLiteral("-");
    case OffsetColumn: return row.offset >= 0 ? QString::number(row.offset) : QStringLiteral("-");
    case KeyColumn: return row.keySize < 0 ? QStringLiteral("null") : keyText(keyBytes(row), row.keySize);
    case SizeColumn: return row.valueSize < 0 ? QStringLiteral("null") : formatSize(row.valueSize);
    case HeadersColumn: return QString::number(row.headerCount);
    case LatencyColumn: return QString::number(row.latencyMs, 'f', 1);
    case RetriesColumn: return QString::number(std::max(0, int(row.attempts) - 1));
    case ProducerColumn:
        if (row.producerId < 0)
            return QString();
        return QStringLiteral("%1 / %2 / %3").arg(row.producerId).arg(row.producerEpoch).arg(row.sequence);
    case StatusColumn: {
        if (row.errorCode == 0)
            return QStringLiteral("OK");
        const QString text = message(row);
        if (text.isEmpty())
            return KafkaError::name(row.errorCode);
        return KafkaError::name(row.errorCode) + QStringLiteral(": ") + text;
    }
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
    case KeyColumn: return row.keySize < 0 ? QVariant() : QVariant(keyBytes(row));
    case SizeColumn: return QVariant::fromValue(qint64(row.valueSize));
    case HeadersColumn: return int(row.headerCount);
    case LatencyColumn: return double(row.latencyMs);
    case RetriesColumn: return std::max(0, int(row.attempts) - 1);
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
        return tr("Value: %1\nKey: %2").arg(value, key);
    }
    case LatencyColumn: return tr("From send() to the broker's acknowledgement");
    case RetriesColumn: return tr("%1 (a retry sends the batch again)").arg(attemptsText(row.attempts));
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
        const QString hint = message(row);
        if (!hint.isEmpty())
            text += QStringLiteral("\n") + hint;
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
                             section == HeadersColumn || section == LatencyColumn || section == RetriesColumn ||
                             section == ProducerColumn;
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
    case SizeColumn: return tr("Value size");
    case HeadersColumn: return tr("Headers");
    case LatencyColumn: return tr("Latency (ms)");
    case RetriesColumn: return tr("Retries");
    case ProducerColumn: return tr("PID / epoch / seq");
    case StatusColumn: return tr("Status");
    default: return {};
    }
}

void DeliveryReportModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    if (qsizetype(m_rows.size()) > m_maxRows)
        dropOldest(static_cast<int>(m_rows.size() - m_maxRows));
}

DeliveryReportModel::RowInfo DeliveryReportModel::rowInfo(int row) const
{
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    return RowInfo{r.timestampMs, r.offset,    r.id,        r.partition, r.topicIndex,
                   r.errorCode,   r.latencyMs, r.valueSize, r.keySize};
}

quint64 DeliveryReportModel::reportId(int row) const
{
    return m_rows[static_cast<std::size_t>(row)].id;
}

std::optional<QByteArray> DeliveryReportModel::keyPrefix(int row) const
{
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    if (r.keySize < 0)
        return std::nullopt;
    return keyBytes(r);
}

QString DeliveryReportModel::displayText(int row, int column) const
{
    return displayData(m_rows[static_cast<std::size_t>(row)], column).toString();
}

bool DeliveryReportModel::rowContains(int row, const QString &text) const
{
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    const auto has = [&text](const QString &s) { return s.contains(text, Qt::CaseInsensitive); };
    if (has(m_topics.at(r.topicIndex)))
        return true;
    if (r.keySize >= 0 && has(QString::fromUtf8(keyBytes(r))))
        return true;
    if (r.offset >= 0 && has(QString::number(r.offset)))
        return true;
    if (r.errorCode != 0 && (has(KafkaError::name(r.errorCode)) || has(message(r))))
        return true;
    return r.errorCode == 0 && has(QStringLiteral("OK"));
}

QString DeliveryReportModel::toTsv(const QList<int> &rows) const
{
    QString out;
    QStringList cells;
    for (int column = 0; column < ColumnCount; ++column)
        cells.append(headerData(column, Qt::Horizontal).toString());
    out += cells.join(QLatin1Char('\t')) + QLatin1Char('\n');
    for (int row : rows) {
        cells.clear();
        for (int column = 0; column < ColumnCount; ++column)
            cells.append(tsvField(displayText(row, column)));
        out += cells.join(QLatin1Char('\t')) + QLatin1Char('\n');
    }
    return out;
}

qsizetype DeliveryReportModel::writeCsv(QIODevice &out, const QList<int> *rows) const
{
    out.write("id,time,topic,partition,offset,key,key_size,value_size,headers,latency_ms,retries,producer_id,"
              "producer_epoch,sequence,status,error\n");
    QString line;
    return forRows(qsizetype(m_rows.size()), rows, [&](int index) {
        const Row &r = m_rows[static_cast<std::size_t>(index)];
        line.clear();
        line += QString::number(r.id) + QLatin1Char(',');
        line += QDateTime::fromMSecsSinceEpoch(r.timestampMs, Qt::UTC).toString(Qt::ISODateWithMs) + QLatin1Char(',');
        line += csvField(m_topics.at(r.topicIndex)) + QLatin1Char(',');
        line += QString::number(r.partition) + QLatin1Char(',');
        line += QString::number(r.offset) + QLatin1Char(',');
        line += (r.keySize < 0 ? QString() : csvField(QString::fromUtf8(keyBytes(r)))) + QLatin1Char(',');
        line += QString::number(r.keySize) + QLatin1Char(',');
        line += QString::number(r.valueSize) + QLatin1Char(',');
        line += QString::number(r.headerCount) + QLatin1Char(',');
        line += QString::number(r.latencyMs, 'f', 3) + QLatin1Char(',');
        line += QString::number(std::max(0, int(r.attempts) - 1)) + QLatin1Char(',');
        line += QString::number(r.producerId) + QLatin1Char(',');
        line += QString::number(r.producerEpoch) + QLatin1Char(',');
        line += QString::number(r.sequence) + QLatin1Char(',');
        line += (r.errorCode == 0 ? QStringLiteral("OK") : KafkaError::name(r.errorCode)) + QLatin1Char(',');
        line += csvField(message(r)) + QLatin1Char('\n');
        out.write(line.toUtf8());
    });
}

qsizetype DeliveryReportModel::writeJsonl(QIODevice &out, const QList<int> *rows) const
{
    return forRows(qsizetype(m_rows.size()), rows, [&](int index) {
        const Row &r = m_rows[static_cast<std::size_t>(index)];
        QJsonObject o;
        o.insert(QStringLiteral("id"), qint64(r.id));
        o.insert(QStringLiteral("timestamp"), qint64(r.timestampMs));
        o.insert(QStringLiteral("topic"), m_topics.at(r.topicIndex));
        o.insert(QStringLiteral("partition"), r.partition);
        o.insert(QStringLiteral("offset"), qint64(r.offset));
        // The kept key prefix; key_size says whether it is all of it.
        o.insert(QStringLiteral("key"), r.keySize < 0 ? QJsonValue() : QJsonValue(QString::fromUtf8(keyBytes(r))));
        o.insert(QStringLiteral("key_size"), r.keySize);
        o.insert(QStringLiteral("value_size"), r.valueSize);
        o.insert(QStringLiteral("headers"), int(r.headerCount));
        o.insert(QStringLiteral("latency_ms"), double(r.latencyMs));
        o.insert(QStringLiteral("retries"), std::max(0, int(r.attempts) - 1));
        if (r.producerId >= 0) {
            o.insert(QStringLiteral("producer_id"), qint64(r.producerId));
            o.insert(QStringLiteral("producer_epoch"), r.producerEpoch);
            o.insert(QStringLiteral("sequence"), r.sequence);
        }
        o.insert(QStringLiteral("status"), r.errorCode == 0 ? QStringLiteral("OK") : KafkaError::name(r.errorCode));
        if (r.errorCode != 0)
            o.insert(QStringLiteral("error"), message(r));
        out.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
        out.write("\n");
    });
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
    const qsizetype overflow = qsizetype(m_rows.size()) + incoming - m_maxRows;
    if (overflow > 0)
        dropOldest(static_cast<int>(overflow));

    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    const int first = static_cast<int>(m_rows.size());
    const qsizetype topicsBefore = m_topics.size();
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(incoming) - 1);
    for (qsizetype i = skip; i < reports.size(); ++i)
        m_rows.push_back(toRow(reports.at(i), nowMs));
    endInsertRows();

    if (m_topics.size() != topicsBefore)
        Q_EMIT topicsChanged();
    Q_EMIT countsChanged(m_delivered, m_failed);
}

void DeliveryReportModel::clear()
{
    beginResetModel();
    std::deque<Row>().swap(m_rows);
    m_topics.clear();
    m_topicIndex.clear();
    m_messages.clear();
    m_messageIndex.clear();
    endResetModel();
    m_delivered = 0;
    m_failed = 0;
    Q_EMIT topicsChanged();
    Q_EMIT countsChanged(m_delivered, m_failed);
}

std::int32_t DeliveryReportModel::intern(QStringList &list, QHash<QString, std::int32_t> &index, const QString &text)
{
    auto it = index.constFind(text);
    if (it != index.cend())
        return it.value();
    if (&list == &m_messages && list.size() >= kMaxMessages)
        return -1;
    it = index.insert(text, static_cast<std::int32_t>(list.size()));
    list.append(text);
    return it.value();
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
    if (report.key) {
        row.keyLength = static_cast<std::uint8_t>(std::min<qsizetype>(report.key->size(), kKeyBytes));
        std::memcpy(row.key, report.key->constData(), row.keyLength);
    }
    row.valueSize = clampSize(report.valueSize);
    row.latencyMs = static_cast<float>(report.latencyMs);
    row.partition = report.partition;
    row.producerId = report.producerId;
    row.producerEpoch = report.producerEpoch;
    row.sequence = report.sequence;
    row.errorCode = report.errorCode;
    row.attempts = static_cast<std::uint16_t>(std::clamp(report.attempts, 0, 65535));
    row.headerCount = static_cast<std::uint16_t>(std::clamp(report.headerCount, 0, 65535));
    if (!report.ok() && !report.errorMessage.isEmpty())
        row.messageIndex = intern(m_messages, m_messageIndex, report.errorMessage);
    row.topicIndex = intern(m_topics, m_topicIndex, report.topic);
    return row;
}

void DeliveryReportModel::dropOldest(int count)
{
    count = std::min(count, static_cast<int>(m_rows.size()));
    if (count <= 0)
        return;
    beginRemoveRows(QModelIndex(), 0, count - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + count);
    endRemoveRows();
}

} // namespace kpw
