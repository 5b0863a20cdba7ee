#pragma once

#include "producer/DeliveryReport.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QStringList>

#include <cstdint>
#include <deque>

class QIODevice;

namespace kpw {

// The live table of delivery reports. Reports arrive in batches (one
// recordsDelivered per produce response) and each batch is one row insertion.
//
// The row store is compact so that a million rows stay around 100 MB: a row
// is a fixed-size struct (no heap allocation of its own) in a std::deque
// (chunked: appending never moves the rows already stored, dropping the
// oldest frees whole chunks); topic names and error messages are interned
// (a row holds an index); keys keep their first kKeyBytes bytes only. Strings
// are built in data(), for the rows a view actually paints. The oldest rows
// are dropped past maxRows().
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
        SizeColumn, // the value's size ("null" for a tombstone)
        HeadersColumn,
        LatencyColumn,
        RetriesColumn,
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

    // Bytes of a key kept in the table (the rest is counted, not kept).
    static constexpr int kKeyBytes = 22;
    static constexpr int kDefaultMaxRows = 1'000'000;

    // What the filter of a view needs to know about a row, without strings.
    struct RowInfo
    {
        std::int64_t timestampMs;
        std::int64_t offset;
        quint64 id;
        std::int32_t partition;
        std::int32_t topicIndex;
        std::int16_t errorCode;
        float latencyMs;
        std::int32_t valueSize;
        std::int32_t keySize;
    };

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

    // Fast accessors for filters, sorting and exports (row in this model).
    RowInfo rowInfo(int row) const;
    const QStringList &topics() const { return m_topics; }
    int topicIndex(const QString &topic) const { return m_topicIndex.value(topic, -1); }
    quint64 reportId(int row) const;
    // Whether a cell's display text contains `text` (case-insensitive):
    // topic, key, offset, status and error message.
    bool rowContains(int row, const QString &text) const;
    // The key as kept: at most kKeyBytes bytes; nullopt for a null key.
    std::optional<QByteArray> keyPrefix(int row) const;
    QString displayText(int row, int column) const;

    // One line per row, tab-separated display texts (with a header line).
    QString toTsv(const QList<int> &rows) const;
    // Exports rows (all of them when `rows` is null): CSV with a header line
    // (RFC 4180 quoting), or one JSON object per line. Returns rows written.
    qsizetype writeCsv(QIODevice &out, const QList<int> *rows = nullptr) const;
    qsizetype writeJsonl(QIODevice &out, const QList<int> *rows = nullptr) const;

public Q_SLOTS:
    void appendReports(const QList<kpw::DeliveryReport> &reports);
    void clear();

Q_SIGNALS:
    void countsChanged(quint64 delivered, quint64 failed);
    // A new topic name was interned (for filter pickers).
    void topicsChanged();

private:
    struct Row
    {
        std::int64_t timestampMs = -1;
        std::int64_t offset = -1;
        std::int64_t producerId = -1; // -1: not idempotent
        quint64 id = 0;
        float latencyMs = 0;
        std::int32_t partition = -1;
        std::int32_t keySize = -1;   // -1: null key
        std::int32_t valueSize = -1; // -1: tombstone
        std::int32_t sequence = -1;
        std::int32_t topicIndex = 0;    // into m_topics
        std::int32_t messageIndex = -1; // into m_messages; -1: none
        std::int16_t producerEpoch = -1;
        std::int16_t errorCode = 0;
        std::uint16_t attempts = 1;
        std::uint16_t headerCount = 0;
        std::uint8_t keyLength = 0; // bytes of key kept
        char key[kKeyBytes] = {};
    };

    Row toRow(const DeliveryReport &report, std::int64_t nowMs);
    std::int32_t intern(QStringList &list, QHash<QString, std::int32_t> &index, const QString &text);
    void dropOldest(int count);
    QVariant displayData(const Row &row, int column) const;
    QVariant rawData(const Row &row, int column) const;
    QString toolTip(const Row &row, int column) const;
    QString message(const Row &row) const;
    QByteArray keyBytes(const Row &row) const;

    std::deque<Row> m_rows;
    // Topic names and error messages are interned: a row stores an index.
    QStringList m_topics;
    QHash<QString, std::int32_t> m_topicIndex;
    QStringList m_messages;
    QHash<QString, std::int32_t> m_messageIndex;
    int m_maxRows = kDefaultMaxRows;
    quint64 m_delivered = 0;
    quint64 m_failed = 0;
};

} // namespace kpw
