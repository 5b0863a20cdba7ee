#include "ProducerClient.h"

#include "producer/Producer.h"

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
    m_producer = new Producer(config);
    m_producer->moveToThread(m_thread);
    // The engine is deleted on its own thread when the thread's loop ends.
    connect(m_thread, &QThread::finished, m_producer, &QObject::deleteLater);
    connect(m_producer, &Producer::connected, this, &ProducerClient::connected);
    connect(m_producer, &Producer::connectionFailed, this, &ProducerClient::connectionFailed);
    connect(m_producer, &Producer::metadataUpdated, this, &ProducerClient::metadataUpdated);
    connect(m_producer, &Producer::recordsDelivered, this, &ProducerClient::recordsDelivered);
    connect(m_producer, &Producer::flushed, this, &ProducerClient::flushed);
    connect(m_producer, &Producer::statsUpdated, this, &ProducerClient::statsUpdated);
    connect(m_producer, &Producer::logMessage, this, &ProducerClient::logMessage);
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
    QMetaObject::invokeMethod(
        p, [p, records, first] { p->send(records, first); }, Qt::QueuedConnection);
    return first;
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
