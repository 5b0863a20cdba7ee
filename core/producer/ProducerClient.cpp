#include "ProducerClient.h"

#include "producer/BufferGate.h"
#include "producer/Producer.h"
#include "records/RecordBatch.h"

#include <QThread>

#include <utility>

namespace kpw {

namespace {
void registerMetaTypes()
{
    static const bool once = [] {
        qRegisterMetaType<kpw::DeliveryReport>();
        qRegisterMetaType<QList<kpw::DeliveryReport>>();
        qRegisterMetaType<kpw::ProducerStats>();
        qRegisterMetaType<kpw::MetadataResponse>();
        qRegisterMetaType<kpw::ProducerRecord>();
        qRegisterMetaType<kpw::Error>();
        qRegisterMetaType<kpw::TxnStatus>();
        qRegisterMetaType<kpw::ProtocolEvent>();
        qRegisterMetaType<kpw::FaultSpec>();
        return true;
    }();
    Q_UNUSED(once);
}
} // namespace

ProducerClient::ProducerClient(QObject *parent) : CallReceiver(parent)
{
    registerMetaTypes();
}

ProducerClient::~ProducerClient()
{
    stop();
}

void ProducerClient::start(const ProducerConfig &config)
{
    stop();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("kpw-producer"));
    m_gate = std::make_shared<BufferGate>(config.bufferMemory());
    m_maxBlockMs = config.maxBlockMs();
    m_producer = new Producer(config, m_gate);
    m_producer->moveToThread(m_thread);
    // The engine is deleted on its own thread when the thread's loop ends.
    connect(m_thread, &QThread::finished, m_producer, &QObject::deleteLater);
    // Signals of an engine that was stopped may still be queued when a new
    // one starts: each relay drops what is not from the current engine...
    ++m_generation;
    relay(&Producer::connected, &ProducerClient::connected, true);
    relay(&Producer::connectionFailed, &ProducerClient::connectionFailed, true);
    relay(&Producer::metadataUpdated, &ProducerClient::metadataUpdated, true);
    // ...but reports of a stopped engine still describe records this client
    // sent, its log lines still happened, and a transactional call's answer
    // is still awaited.
    relay(&Producer::recordsDelivered, &ProducerClient::recordsDelivered, false);
    relay(&Producer::flushed, &ProducerClient::flushed, true);
    relay(&Producer::statsUpdated, &ProducerClient::statsUpdated, true);
    relay(&Producer::logMessage, &ProducerClient::logMessage, false);
    relay(&Producer::transactionCallDone, &ProducerClient::transactionCallDone, false);
    relay(&Producer::txnStatusChanged, &ProducerClient::txnStatusChanged, true);
    relay(&Producer::protocolEvent, &ProducerClient::protocolEvent, true);
    m_producer->setProtocolTrace(m_trace);
    m_thread->start();
    Producer *p = m_producer;
    postCall(p, [p] { p->start(); });
}

template <typename... From, typename... To>
void ProducerClient::relay(void (Producer::*from)(From...), void (ProducerClient::*to)(To...), bool onlyCurrent)
{
    // Runs on the engine's thread as the engine emits (direct connection),
    // copies the arguments and posts the re-emission to this object's thread.
    connect(
        m_producer, from, this,
        [this, to, onlyCurrent, gen = m_generation](From... args) {
            postCall(this, [this, to, onlyCurrent, gen, ... args = std::decay_t<From>(args)] {
                if (!onlyCurrent || gen == m_generation)
                    (this->*to)(args...);
            });
        },
        Qt::DirectConnection);
}

void ProducerClient::stop()
{
    if (!m_producer)
        return;
    // Fail what is still pending (those reports still reach this object),
    // then end the thread; the engine is deleted there.
    Producer *p = m_producer;
    postCallAndWait(p, [p] { p->shutdown(); });
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_producer = nullptr;
}

quint64 ProducerClient::send(const ProducerRecord &record)
{
    return send(QList<ProducerRecord>{record});
}

quint64 ProducerClient::send(const QList<ProducerRecord> &records)
{
    return send(QList<ProducerRecord>(records));
}

quint64 ProducerClient::send(QList<ProducerRecord> &&records)
{
    const quint64 first = m_nextId.fetch_add(static_cast<quint64>(records.size()));
    if (!m_producer) {
        QList<DeliveryReport> reports;
        quint64 id = first;
        for (const auto &r : records) {
            DeliveryReport d;
            d.id = id++;
            d.topic = r.topic;
            d.partition = r.partition;
            d.errorCode = KafkaError::ClientShutdown;
            d.errorMessage = QStringLiteral("not connected: start the producer first");
            reports.append(d);
        }
        postCall(this, [this, reports = std::move(reports)] { Q_EMIT recordsDelivered(reports); });
        return first;
    }
    Producer *p = m_producer;
    // Fast path: room for the whole list at once (one lock), and the list
    // goes to the engine as it is, without copying a record.
    if (records.size() > 1) {
        qint64 total = 0;
        for (const auto &r : records)
            total += RecordBatchBuilder::recordSizeBound(r.key, r.value, r.headers);
        if (total <= m_gate->limit() && m_gate->reserve(total, std::chrono::milliseconds(0))) {
            postCall(p, [p, records = std::move(records), first] { p->send(records, first); });
            return first;
        }
    }
    // Reserve buffer.memory record by record; runs of accepted records go to
    // the engine as one queued call each, refused ones are reported here.
    // A run is moved, never shared: this thread does not touch a list the
    // engine's thread is reading (Qt's copy-on-write check before clear()
    // would not order the two for ThreadSanitizer).
    QList<ProducerRecord> run;
    quint64 runFirst = first;
    QList<DeliveryReport> refused;
    const auto flushRun = [&] {
        if (!run.isEmpty())
            postCall(p, [p, run = std::exchange(run, {}), runFirst] { p->send(run, runFirst); });
    };
    quint64 id = first;
    for (const auto &r : records) {
        const qint64 bytes = RecordBatchBuilder::recordSizeBound(r.key, r.value, r.headers);
        if (m_gate->reserve(bytes, std::chrono::milliseconds(m_blocking ? m_maxBlockMs : 0))) {
            if (run.isEmpty())
                runFirst = id;
            run.append(r);
        } else {
            flushRun();
            DeliveryReport d;
            d.id = id;
            d.topic = r.topic;
            d.partition = r.partition;
            d.keySize = r.key ? r.key->size() : -1;
            d.valueSize = r.value ? r.value->size() : -1;
            d.headerCount = static_cast<int>(r.headers.size());
            d.errorCode = KafkaError::ClientBufferFull;
            d.errorMessage =
                QStringLiteral("buffer.memory=%1 bytes is full of unacknowledged records%2")
                    .arg(m_gate->limit())
                    .arg(m_blocking ? QStringLiteral(" and max.block.ms=%1 passed").arg(m_maxBlockMs) : QString());
            refused.append(d);
        }
        ++id;
    }
    flushRun();
    if (!refused.isEmpty())
        postCall(this, [this, refused = std::move(refused)] { Q_EMIT recordsDelivered(refused); });
    return first;
}

template <typename Call> quint64 ProducerClient::txnCall(const QString &op, Call call)
{
    const quint64 id = m_nextCallId++;
    if (!m_producer) {
        postCall(this, [this, id, op] {
            Q_EMIT transactionCallDone(
                id, op, Error{KafkaError::ClientShutdown, QStringLiteral("not connected: start the producer first")});
        });
        return id;
    }
    Producer *p = m_producer;
    postCall(p, [p, id, call] { call(p, id); });
    return id;
}

quint64 ProducerClient::initTransactions()
{
    return txnCall(QStringLiteral("initTransactions"), [](Producer *p, quint64 id) { p->initTransactions(id); });
}

quint64 ProducerClient::beginTransaction()
{
    return txnCall(QStringLiteral("beginTransaction"), [](Producer *p, quint64 id) { p->beginTransaction(id); });
}

quint64 ProducerClient::sendOffsetsToTransaction(const QList<ConsumedOffset> &offsets,
                                                 const ConsumerGroupMetadata &group)
{
    return txnCall(QStringLiteral("sendOffsetsToTransaction"),
                   [offsets, group](Producer *p, quint64 id) { p->sendOffsetsToTransaction(id, offsets, group); });
}

quint64 ProducerClient::commitTransaction()
{
    return txnCall(QStringLiteral("commitTransaction"), [](Producer *p, quint64 id) { p->commitTransaction(id); });
}

quint64 ProducerClient::abortTransaction()
{
    return txnCall(QStringLiteral("abortTransaction"), [](Producer *p, quint64 id) { p->abortTransaction(id); });
}

void ProducerClient::injectFault(const FaultSpec &fault)
{
    if (m_producer) {
        Producer *p = m_producer;
        postCall(p, [p, fault] { p->injectFault(fault); });
    }
}

void ProducerClient::setProtocolTrace(bool on)
{
    m_trace = on;
    if (m_producer) {
        Producer *p = m_producer;
        postCall(p, [p, on] { p->setProtocolTrace(on); });
    }
}

void ProducerClient::refreshMetadata()
{
    if (Producer *p = m_producer)
        postCall(p, [p] { p->refreshMetadata(); });
}

void ProducerClient::flush()
{
    if (Producer *p = m_producer)
        postCall(p, [p] { p->flush(); });
    else
        postCall(this, [this] { Q_EMIT flushed(); });
}

} // namespace kpw
