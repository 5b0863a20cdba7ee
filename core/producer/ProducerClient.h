#pragma once

#include "messages/Metadata.h"
#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"
#include "records/ProducerRecord.h"
#include "threads/CrossThread.h"

#include <QList>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace kpw {

class BufferGate;
class Producer;

// The thread-safe face of the producer. The engine (Producer) and its sockets
// live on a worker thread with its own event loop; this object lives on the
// caller's thread (GUI or CLI), forwards calls as queued invocations and
// re-emits the engine's signals (queued, so slots run on the caller's thread).
// Reports arrive in batches: one recordsDelivered per produce response.
// Every crossing goes through postCall (threads/CrossThread.h), both ways.
class ProducerClient final : public CallReceiver
{
    Q_OBJECT

public:
    explicit ProducerClient(QObject *parent = nullptr);
    ~ProducerClient() override; // stops the engine, quits and joins the thread

    // Starts a new engine with this configuration (stopping a previous one):
    // connects to bootstrap.servers, negotiates API versions, fetches the
    // metadata of every topic; emits connected() or connectionFailed().
    void start(const ProducerConfig &config);
    void stop();
    bool isStarted() const { return m_producer != nullptr; }

    // Queues records; returns the id of the (first) record. Ids start at 1
    // for each client, increase by one per record and come back in
    // DeliveryReport::id.
    quint64 send(const ProducerRecord &record);
    quint64 send(const QList<ProducerRecord> &records);
    quint64 send(QList<ProducerRecord> &&records); // hands the list over without a copy

    // With blocking sends (the default, as the Java client), send() waits up
    // to max.block.ms for room in buffer.memory and then fails the record
    // with BUFFER_FULL. Without, it fails at once: for a GUI thread, which
    // must never wait.
    void setBlockingSends(bool blocking) { m_blocking = blocking; }

    // The transactional producer (transactional.id set). Each call returns
    // an id that comes back in transactionCallDone() with success (code 0)
    // or the error; the engine refuses a call in the wrong state with
    // INVALID_TXN_STATE naming the state.
    quint64 initTransactions();
    quint64 beginTransaction();
    quint64 sendOffsetsToTransaction(const QList<kpw::ConsumedOffset> &offsets,
                                     const kpw::ConsumerGroupMetadata &group);
    quint64 commitTransaction();
    quint64 abortTransaction();
    // The fault lab (see FaultSpec); and protocolEvent() for every Produce too.
    void injectFault(const kpw::FaultSpec &fault);
    void setProtocolTrace(bool on);

    void refreshMetadata();
    // Sends what lingers now; emits flushed() once nothing is queued or in flight.
    void flush();

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
    template <typename Call> quint64 txnCall(const QString &op, Call call);
    // Re-emits the engine's signal `from` as this object's `to`, on this
    // object's thread; with onlyCurrent, not once a newer engine started.
    template <typename... From, typename... To>
    void relay(void (Producer::*from)(From...), void (ProducerClient::*to)(To...), bool onlyCurrent);

    QThread *m_thread = nullptr;
    quint64 m_nextCallId = 1;
    bool m_trace = false;
    Producer *m_producer = nullptr; // lives on m_thread; deleted there
    std::atomic<quint64> m_nextId{1};
    std::shared_ptr<BufferGate> m_gate;
    int m_maxBlockMs = 60000;
    bool m_blocking = true;
    quint64 m_generation = 0; // which engine's signals are current (caller's thread only)
};

} // namespace kpw
