#pragma once

#include "messages/Fetch.h"
#include "messages/ListOffsets.h"
#include "net/BrokerConnection.h"
#include "records/RecordBatch.h"
#include "tail/TailRecord.h"
#include "wire/Result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

class ClusterClient;

struct TailOptions
{
    enum class From { Earliest, Latest, Offset };

    QString bootstrap; // host:port[,host:port...]
    QString topic;
    IsolationLevel isolation = IsolationLevel::ReadUncommitted;
    From from = From::Earliest;
    std::int64_t offset = 0;        // with From::Offset, for every partition
    QList<std::int32_t> partitions; // empty: every partition of the topic
    std::int32_t maxWaitMs = 500;   // how long the broker holds an empty fetch
    std::int32_t partitionMaxBytes = 1024 * 1024;
    ConnectionOptions connection;
};

// The read_committed filter of one partition's fetch, as Kafka's consumer
// applies it: the aborted transactions the broker lists (producer id, first
// offset) are taken in first-offset order as batches reach them; a
// transactional batch of a producer with an aborted transaction open is
// dropped, and that producer's ABORT marker closes it. Pure: unit-testable.
class AbortedTransactionFilter final
{
public:
    explicit AbortedTransactionFilter(QList<FetchResponse::AbortedTransaction> aborted);
    // True when the batch's records must not be shown (read_committed).
    // Call for every batch in offset order, control batches included.
    bool skip(const DecodedBatch &batch);

private:
    QList<FetchResponse::AbortedTransaction> m_pending; // sorted by first offset
    qsizetype m_next = 0;
    QSet<std::int64_t> m_abortedProducers;
};

// The type of a control batch's record (key: version int16, type int16;
// value: version int16, coordinator epoch int32), or Unknown.
ControlMarker::Type controlType(const DecodedRecord &record, std::int32_t *coordinatorEpoch = nullptr);

// Reads one topic as a consumer does, without a group: Metadata for the
// leaders, ListOffsets for the start (earliest, latest, or the last stable
// offset with read_committed), then Fetch per leader in a loop, every codec
// decoded. Control batches are not returned as records but reported as
// markers; with read_committed, records of aborted transactions are dropped.
//
// A plain QObject: it runs on the thread it lives on (move it to a QThread, or
// use the caller's event loop); signals carry value types only.
class TailReader final : public QObject
{
    Q_OBJECT

public:
    explicit TailReader(TailOptions options, QObject *parent = nullptr);
    ~TailReader() override;

    const TailOptions &options() const { return m_options; }

public Q_SLOTS:
    void start();
    void stop();

Q_SIGNALS:
    // One per Fetch response that moved a position.
    void fetched(const kpw::TailBatch &batch);
    // Every partition has reached its end (the high watermark, or the last
    // stable offset with read_committed); again after new data is read up.
    void reachedEnd();
    // Something went wrong but the reader goes on (a leader moved, a
    // connection dropped, an offset out of range was reset).
    void warning(const kpw::Error &error);
    // The reader stopped: the topic does not exist, no broker answered, ...
    void failed(const kpw::Error &error);

private:
    struct PartitionState
    {
        std::int32_t partition = 0;
        std::int32_t leader = -1;
        std::int32_t leaderEpoch = -1;
        std::int64_t nextOffset = -1; // -1: to be looked up
        std::optional<std::int64_t> resetTo;
        bool listing = false;
        std::int32_t maxBytes = 0; // grows when one batch does not fit
        TailPosition position;
        bool atEnd = false;
    };

    void pump();
    void pumpSoon(int delayMs);
    void refreshMetadata();
    void listOffsets(std::int32_t leader, const QList<std::int32_t> &partitions);
    void fetchFrom(std::int32_t leader);
    // Returns false when a partition failed and the next fetch should wait.
    bool onFetch(std::int32_t leader, const FetchResponse &resp);
    void partitionError(PartitionState &p, std::int16_t code, const QString &where);
    void fail(const Error &error);

    TailOptions m_options;
    QPointer<ClusterClient> m_cluster;
    QList<PartitionState> m_partitions;
    QSet<std::int32_t> m_fetching; // leaders with a Fetch out
    bool m_metadataInFlight = false;
    bool m_needMetadata = true;
    bool m_haveMetadata = false;
    bool m_stopped = false;
    bool m_pumpScheduled = false;
    bool m_endReported = false;
};

} // namespace kpw
