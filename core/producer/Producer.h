#pragma once

#include "messages/FindCoordinator.h"
#include "messages/Metadata.h"
#include "messages/Transactions.h"
#include "messages/Produce.h"
#include "net/BrokerConnection.h"
#include "producer/BufferGate.h"
#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"
#include "records/ProducerRecord.h"
#include "records/RecordBatch.h"
#include "threads/CrossThread.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace kpw {

// The producer engine. It lives on one worker thread (see ProducerClient) and
// is only ever called there, so it needs no locks: every member below is
// touched by that thread alone.
//
// The path of a record: send() -> partition chosen from metadata ->
// appended to its partition's open batch -> a batch is ready when full,
// after linger.ms, on flush() or when its retry backoff ends -> drain()
// groups ready batches by leader into one Produce request per broker (one
// batch per partition per request, up to max.in.flight requests per
// connection) -> the response resolves each batch: success, retry, or
// failure -> one recordsDelivered signal per response.
class Producer final : public CallReceiver
{
    Q_OBJECT

public:
    // gate: buffer.memory shared with ProducerClient (may be null: no limit).
    explicit Producer(ProducerConfig config, std::shared_ptr<BufferGate> gate = {}, QObject *parent = nullptr);
    ~Producer() override;

    void start();
    void send(const QList<ProducerRecord> &records, quint64 firstId);
    void refreshMetadata();
    void flush();
    // Fails everything not yet acknowledged with PRODUCER_CLOSED (reported).
    void shutdown();

    // The transactional producer (ProducerTxn.cpp). Each call ends with one
    // transactionCallDone(callId, ...) carrying success (code 0) or the error;
    // a call in a state where it is illegal is refused with INVALID_TXN_STATE
    // naming the state.
    void initTransactions(quint64 callId);
    void beginTransaction(quint64 callId);
    void sendOffsetsToTransaction(quint64 callId, const QList<kpw::ConsumedOffset> &offsets,
                                  const kpw::ConsumerGroupMetadata &group);
    void commitTransaction(quint64 callId);
    void abortTransaction(quint64 callId);
    TxnStatus txnStatus() const { return m_txn; }

    // The fault lab: arms a fault on this producer's connections.
    void injectFault(const kpw::FaultSpec &fault);
    // Emit protocolEvent for every Produce request too (the timeline), not
    // only for the transactional calls.
    void setProtocolTrace(bool on) { m_trace = on; }

Q_SIGNALS:
    void connected(const QString &summary);
    void connectionFailed(const QString &error);
    void metadataUpdated(const kpw::MetadataResponse &metadata);
    void recordsDelivered(const QList<kpw::DeliveryReport> &reports);
    void flushed();
    void statsUpdated(const kpw::ProducerStats &stats);
    void logMessage(const QString &line);
    void transactionCallDone(quint64 callId, const QString &op, const kpw::Error &error);
    void txnStatusChanged(const kpw::TxnStatus &status);
    void protocolEvent(const kpw::ProtocolEvent &event);

private:
    struct RecordMeta
    {
        quint64 id = 0;
        qint64 enqueuedNs = 0;
        std::int64_t timestampMs = 0;
        std::optional<QByteArray> keyPreview;
        qsizetype keySize = -1;
        qsizetype valueSize = -1;
        int headerCount = 0;
        qsizetype bufferBytes = 0; // reserved in the BufferGate, released with the report
    };
    struct Batch
    {
        QString topic;
        std::int32_t partition = 0;
        RecordBatchBuilder builder;
        QByteArray wire; // the finished batch, built at the first send; retries resend these bytes
        QList<RecordMeta> records;
        qint64 createdMs = 0;
        qint64 retryAtMs = 0;
        int attempts = 0;
        quint64 seq = 0; // creation order, to put retried batches back in place
        Error lastError;
        // Reported TIMED_OUT while its request was out (delivery.timeout.ms
        // passed); the late response, whatever it says, is ignored.
        bool expired = false;
        // Idempotence: the producer id, epoch and base sequence stamped in
        // `wire` (-1: not stamped yet). A retry resends the same stamp; after
        // an epoch bump the batch is stamped anew.
        std::int64_t stampPid = -1;
        std::int16_t stampEpoch = -1;
        std::int32_t baseSequence = -1;
        // The last attempt ended without an answer (connection lost, timed
        // out): the broker may have written it. Such a batch is resent under
        // its old stamp before any epoch bump, so it is never written twice.
        bool uncertain = false;
        // Some attempt went out and got no answer (connection lost, request
        // timed out). Unlike `uncertain`, never cleared: if the batch fails in
        // the end, its report must say the records may have been written.
        bool unanswered = false;

        qsizetype sizeInBytes() const { return wire.isEmpty() ? builder.sizeInBytes() : wire.size(); }
    };
    using BatchPtr = std::unique_ptr<Batch>;
    struct PartitionQueue
    {
        std::deque<BatchPtr> batches;
        // Idempotence, per partition under the current producer id and epoch.
        std::int32_t nextSequence = 0;
        std::int32_t lastAckedSequence = -1;
        int inFlight = 0; // batches of this partition in requests not yet answered
        // Transaction protocol v1: added to the current transaction.
        bool inTransaction = false;
        bool adding = false;
    };
    struct Waiting // a record parked until its topic's metadata is known
    {
        ProducerRecord record;
        RecordMeta meta;
    };
    struct TopicWait
    {
        QList<Waiting> records;
        qint64 sinceMs = 0;
        int unknownAnswers = 0;
    };
    struct Sticky
    {
        std::int32_t partition = -1;
        qsizetype bytes = 0;
    };

    // Idempotence and transactions (ProducerTxn.cpp)
    struct CoordinatorCall; // one request to a transaction or group coordinator, retried
    void callCoordinator(const std::shared_ptr<CoordinatorCall> &call);
    void retryCoordinatorCall(const std::shared_ptr<CoordinatorCall> &call, int delayMs);
    std::shared_ptr<CoordinatorCall> initProducerIdCall(bool bump,
                                                        const std::shared_ptr<InitProducerIdResponse> &result);
    void findCoordinator(CoordinatorType type, const QString &key, const std::function<void(const Error &)> &then);
    bool sendsAllowed() const; // producer id known, no epoch bump pending
    void requestProducerId(bool bump);
    void onProducerId(std::int64_t pid, std::int16_t epoch);
    void resetSequences();
    void setTxnState(TxnState state, const QString &why = {});
    void finishCall(const QString &op, const Error &error);
    Error refuseState(const QString &op) const;
    void addPartitionsToTxn();
    void maybeAdvanceTxn();
    void endTransaction(bool commit);
    void txnFailRecords(const QString &why);
    void emitEvent(ProtocolEvent e);
    void onSequencedBatchFailed(const Batch &batch, const Error &error);
    bool handleSequenceError(BatchPtr &batch, const Error &error, std::int16_t code);
    bool transactional() const { return !m_txnId.isEmpty(); }
    std::int16_t produceMaxVersion() const;

    BrokerConnection *connectionFor(std::int32_t nodeId);
    BrokerConnection *bootstrapConnection(int index);
    void fetchMetadata(bool allTopics);
    void requestMetadataSoon(); // within retry.backoff.ms of the last request, never a storm
    void onMetadata(const MetadataResponse &md, bool allTopics);
    void onMetadataFailed(const Error &error);
    void applyMetadata(const MetadataResponse &md, bool allTopics);

    void enqueue(const ProducerRecord &record, const RecordMeta &meta, const TopicInfo &topic);
    std::int32_t choosePartition(const ProducerRecord &record, const TopicInfo &topic, Error *error);
    void scheduleDrain(qint64 delayMs);
    void drain();
    void sendRequest(BrokerConnection *conn, std::vector<BatchPtr> batches);
    void onProduceResponse(std::vector<BatchPtr> batches, const Result<QByteArray> &body, std::int16_t version,
                           const QString &peer);
    void retryOrFail(BatchPtr batch, const Error &error);
    bool splitTooLarge(BatchPtr &batch);
    void requeue(BatchPtr batch);
    void completeBatch(const Batch &batch, std::int64_t baseOffset, std::int64_t logAppendTimeMs, const Error *error);
    void failRecord(const RecordMeta &meta, const QString &topic, std::int32_t partition, const Error &error);
    void flushReports();
    void onTick();
    void checkFlushed();
    qint64 nowMs() const { return m_clock.elapsed(); }

    // Settings read once: ProducerConfig keeps strings, and the hot path asks
    // for several of these per record.
    struct Settings
    {
        std::int16_t acks = -1;
        int lingerMs = 5;
        int batchSize = 16384;
        int maxInFlight = 5;
        int requestTimeoutMs = 30000;
        int deliveryTimeoutMs = 120000;
        int retries = 0;
        int retryBackoffMs = 100;
        int retryBackoffMaxMs = 1000;
        int maxRequestSize = 1048576;
        int maxBlockMs = 60000;
        int metadataMaxAgeMs = 300000;
        bool allowAutoTopicCreation = false;
        Compression compression = Compression::None;
        std::optional<int> compressionLevel;
        enum class Partitioner { Default, Murmur2, RoundRobin } partitioner = Partitioner::Default;
    };

    ProducerConfig m_config;
    Settings m_s;
    ConnectionOptions m_connOptions;
    QElapsedTimer m_clock;
    QRandomGenerator m_random;

    std::map<std::int32_t, BrokerConnection *> m_brokers; // node id -> connection (children)
    QList<BrokerConnection *> m_bootstrap;                // one per bootstrap address
    QMap<std::int32_t, BrokerInfo> m_brokerInfo;
    QHash<QString, TopicInfo> m_topics;
    QHash<QString, TopicWait> m_waiting;
    QHash<QString, Sticky> m_sticky;
    QHash<QString, std::uint32_t> m_roundRobin;
    std::map<std::pair<QString, std::int32_t>, PartitionQueue> m_queues; // nodes are stable
    // The last queue appended to: consecutive records usually share it, and
    // this saves a string-keyed lookup per record.
    std::pair<QString, std::int32_t> m_lastQueueKey{QString(), -1};
    QString m_lastTopicName;                // the topic of the last record sent...
    const TopicInfo *m_lastTopic = nullptr; // ...and its metadata (reset when m_topics changes)
    PartitionQueue *m_lastQueue = nullptr;

    // Batches whose Produce request is out, owned by that request's callback;
    // onTick expires them at delivery.timeout.ms (KIP-91).
    QSet<Batch *> m_inFlightBatches;
    qint64 m_lastMetadataRequestMs = -1000000;
    QString m_lastMetadataError;
    QString m_metadataFrom; // the broker that answered the latest metadata

    bool m_started = false;
    bool m_everConnected = false;
    bool m_metadataInFlight = false;
    bool m_metadataAgain = false;
    bool m_metadataAgainAll = false;
    int m_metadataAttempt = 0;
    qint64 m_metadataRetryAtMs = 0;
    qint64 m_lastMetadataMs = 0;
    QStringList m_metadataErrors;

    bool m_flushing = false;
    bool m_shutdown = false;
    int m_inFlightRequests = 0;
    quint64 m_nextBatchSeq = 0;
    qint64 m_queuedRecords = 0;
    QTimer m_drainTimer{this}; // parented: moveToThread must carry it along
    qint64 m_drainAtMs = -1;
    QTimer m_tick{this};
    QList<DeliveryReport> m_reports;
    bool m_reportFlushScheduled = false;

    // Idempotence and transactions
    bool m_idempotent = false;
    QString m_txnId;
    int m_txnProtocolSetting = 0; // 0 auto, 1, 2
    TxnStatus m_txn;
    bool m_pidInFlight = false;
    bool m_bumpNeeded = false;     // idempotent: bump the epoch once nothing is in flight
    bool m_bumpAfterAbort = false; // transactional: the abort must bump the epoch (KIP-360)
    QString m_bumpReason;
    QString m_pidLastError;                      // why the last InitProducerId failed (for timeouts)
    Error m_pidError{0, {}};                     // InitProducerId refused (idempotent): new records fail with it
    QHash<QString, std::int32_t> m_coordinators; // "t:<id>" / "g:<group>" -> node id
    bool m_trace = false;
    std::shared_ptr<FaultPlan> m_faults;
    // The call in progress (one at a time, as the Java client).
    quint64 m_callId = 0;
    QString m_callOp;
    qint64 m_callDeadlineMs = 0;
    QList<std::pair<quint64, QString>> m_callWaiters; // a repeated commit/abort joins the running one
    bool m_endPending = false;                        // commit/abort waits for the records to settle
    bool m_endCommit = false;
    bool m_endTxnSent = false;
    bool m_addInFlight = false;
    bool m_txnOffsetsAdded = false; // sendOffsets in this transaction (v1: EndTxn is not optional)
    int m_txnRecordsFailed = 0;
    QString m_txnFirstFailure;
    QSet<QString> m_txnPartitions; // "topic-partition" written in this transaction

    std::shared_ptr<BufferGate> m_gate;
    ProducerStats m_stats;
    std::vector<double> m_latencies;        // this interval's record latencies (ms)
    std::vector<double> m_requestLatencies; // this interval's Produce round trips (ms)
    quint64 m_batchesSent = 0;
    quint64 m_batchRecordsSent = 0;
    quint64 m_batchBytesSent = 0;
    quint64 m_uncompressedBytes = 0;
    quint64 m_statsLastDelivered = 0;
    quint64 m_bytesDelivered = 0;
    quint64 m_statsLastBytes = 0;
    qint64 m_statsLastMs = 0;
};

} // namespace kpw
