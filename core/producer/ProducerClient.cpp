#include "ProducerClient.h"

#include "producer/BufferGate.h"
#include "producer/Producer.h"
#include "records/RecordBatch.h"

#include <QThread>

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

ProducerClient::ProducerClient(QObject *parent) : QObject(parent)
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
    // one starts: each forwarder drops what is not from the current engine.
    const quint64 gen = ++m_generation;
    auto current = [this, gen] { return gen == m_generation; };
    connect(m_producer, &Producer::connected, this, [this, current](const QString &s) {
        if (current())
            Q_EMIT connected(s);
    });
    connect(m_producer, &Producer::connectionFailed, this, [this, current](const QString &e) {
        if (current())
            Q_EMIT connectionFailed(e);
    });
    connect(m_producer, &Producer::metadataUpdated, this, [this, current](const kpw::MetadataResponse &md) {
        if (current())
            Q_EMIT metadataUpdated(md);
    });
    // Reports of a stopped engine still describe records this client sent.
    connect(m_producer, &Producer::recordsDelivered, this, &ProducerClient::recordsDelivered);
    connect(m_producer, &Producer::flushed, this, [this, current] {
        if (current())
            Q_EMIT flushed();
    });
    connect(m_producer, &Producer::statsUpdated, this, [this, current](const kpw::ProducerStats &st) {
        if (current())
            Q_EMIT statsUpdated(st);
    });
    connect(m_producer, &Producer::logMessage, this, &ProducerClient::logMessage);
    connect(m_producer, &Producer::transactionCallDone, this, &ProducerClient::transactionCallDone);
    connect(m_producer, &Producer::txnStatusChanged, this, [this, current](const kpw::TxnStatus &st) {
        if (current())
            Q_EMIT txnStatusChanged(st);
    });
    connect(m_producer, &Producer::protocolEvent, this, [this, current](const kpw::ProtocolEvent &e) {
        if (current())
            Q_EMIT protocolEvent(e);
    });
    m_producer->setProtocolTrace(m_trace);
    m_thread->start();
    QMetaObject::invokeMethod(m_producer, &Producer::start, Qt::QueuedConnection);
}

void ProducerClient::stop()
{
    if (!m_producer)
        return;
    // Fail what is still pending (those reports still reach this object),
    // then end the thread; the engine is deleted there.
    QMetaObject::invokeMethod(m_producer, &Producer::shutdown, Qt::BlockingQueuedConnection);
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
        QMetaObject::invokeMethod(
            this, [this, reports] { Q_EMIT recordsDelivered(reports); }, Qt::QueuedConnection);
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
            QMetaObject::invokeMethod(
                p, [p, records, first] { p->send(records, first); }, Qt::QueuedConnection);
            return first;
        }
    }
    // Reserve buffer.memory record by record; runs of accepted records go to
    // the engine as one queued call each, refused ones are reported here.
    QList<ProducerRecord> run;
    quint64 runFirst = first;
    QList<DeliveryReport> refused;
    const auto flushRun = [&] {
        if (!run.isEmpty())
            QMetaObject::invokeMethod(
                p, [p, run, runFirst] { p->send(run, runFirst); }, Qt::QueuedConnection);
        run.clear();
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
        QMetaObject::invokeMethod(
            this, [this, refused] { Q_EMIT recordsDelivered(refused); }, Qt::QueuedConnection);
    return first;
}

template <typename Call> quint64 ProducerClient::txnCall(const QString &op, Call call)
{
    const quint64 id = m_nextCallId++;
    if (!m_producer) {
        QMetaObject::invokeMethod(
            this,
            [this, id, op] {
                Q_EMIT transactionCallDone(
                    id, op,
                    Error{KafkaError::ClientShutdown, QStringLiteral("not connected: start the producer first")});
            },
            Qt::QueuedConnection);
        return id;
    }
    Producer *p = m_producer;
    QMetaObject::invokeMethod(
        p, [p, id, call] { call(p, id); }, Qt::QueuedConnection);
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
        QMetaObject::invokeMethod(
            p, [p, fault] { p->injectFault(fault); }, Qt::QueuedConnection);
    }
}

void ProducerClient::setProtocolTrace(bool on)
{
    m_trace = on;
    if (m_producer) {
        Producer *p = m_producer;
        QMetaObject::invokeMethod(
            p, [p, on] { p->setProtocolTrace(on); }, Qt::QueuedConnection);
    }
}

void ProducerClient::refreshMetadata()
{
    if (m_producer)
        QMetaObject::invokeMethod(m_producer, &Producer::refreshMetadata, Qt::QueuedConnection);
}

void ProducerClient::flush()
{
    if (m_producer)
        QMetaObject::invokeMethod(m_producer, &Producer::flush, Qt::QueuedConnection);
    else
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT flushed(); }, Qt::QueuedConnection);
}

} // namespace kpw
