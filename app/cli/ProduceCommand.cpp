#include "ProduceCommand.h"

#include "producer/ProducerClient.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <atomic>

namespace kpw {

ProduceCommand::ProduceCommand(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_client = new ProducerClient(this);
    connect(m_client, &ProducerClient::recordsDelivered, this, &ProduceCommand::onReports);
    connect(m_client, &ProducerClient::connectionFailed, this, [this](const QString &error) {
        m_err << "kpw-cli: " << error << Qt::endl;
        m_connectionFailed = true;
        // Unreachable cluster: do not wait max.block.ms for every record.
        m_client->stop();
        maybeFinish();
    });
    connect(m_client, &ProducerClient::logMessage, this, [this](const QString &line) {
        if (!m_options.quiet)
            m_err << "% " << line << Qt::endl;
    });
    connect(m_client, &ProducerClient::flushed, this, &ProduceCommand::maybeFinish);
}

ProduceCommand::~ProduceCommand()
{
    if (m_reader.joinable()) {
        m_window.release(1000000); // unblock a reader waiting for a permit
        m_reader.detach();         // it may be blocked reading stdin
    }
}

void ProduceCommand::run()
{
    m_client->start(m_options.config);
    if (m_options.fault)
        m_client->injectFault(*m_options.fault);
    m_reader = std::thread([this] { readerLoop(); });
}

void ProduceCommand::readerLoop()
{
    QList<ProducerRecord> batch;
    quint64 lines = 0;
    const QByteArray sep = m_options.keySeparator.toUtf8();
    auto sendBatch = [&] {
        if (batch.isEmpty())
            return;
        // Count before sending: a report may come back before this thread's
        // next queued call would be seen.
        QMetaObject::invokeMethod(
            this, [this, n = batch.size()] { m_sent += static_cast<quint64>(n); }, Qt::BlockingQueuedConnection);
        m_client->send(batch);
        batch.clear();
    };
    char *line = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((m_options.maxRecords < 0 || static_cast<qint64>(lines) < m_options.maxRecords) &&
           (n = getline(&line, &cap, m_options.input)) >= 0) {
        QByteArray value(line, n);
        if (value.endsWith('\n'))
            value.chop(1);
        if (value.endsWith('\r'))
            value.chop(1);
        ++lines;
        ProducerRecord r;
        r.topic = m_options.topic;
        r.partition = m_options.partition;
        r.key = m_options.key;
        r.headers = m_options.headers;
        if (!sep.isEmpty()) {
            const auto at = value.indexOf(sep);
            if (at >= 0) {
                r.key = value.left(at);
                value = value.mid(at + sep.size());
            }
        }
        r.value = value;
        m_window.acquire();
        batch.append(std::move(r));
        if (batch.size() >= 500)
            sendBatch();
        else if (m_window.available() == 0)
            sendBatch();
    }
    free(line);
    sendBatch();
    QMetaObject::invokeMethod(
        this, [this, lines] { onInputDone(lines); }, Qt::QueuedConnection);
}

void ProduceCommand::onReports(const QList<DeliveryReport> &reports)
{
    for (const auto &r : reports) {
        const quint64 lineNo = r.id; // ids start at 1 per client: one id per input line
        if (r.ok()) {
            if (!m_options.quiet)
                m_out << r.topic << " [" << r.partition << "] @ " << r.offset << '\n';
        } else {
            ++m_failed;
            m_err << "kpw-cli: line " << lineNo << ": " << r.topic;
            if (r.partition >= 0)
                m_err << " [" << r.partition << "]";
            m_err << ": " << r.errorName() << ": " << r.errorMessage << '\n';
        }
    }
    m_reported += static_cast<quint64>(reports.size());
    m_window.release(static_cast<int>(reports.size()));
    m_out.flush();
    m_err.flush();
    maybeFinish();
}

void ProduceCommand::onInputDone(quint64 lines)
{
    Q_UNUSED(lines);
    m_inputDone = true;
    if (m_reader.joinable())
        m_reader.join();
    m_client->flush();
    maybeFinish();
}

void ProduceCommand::maybeFinish()
{
    if (m_finished)
        return;
    const bool allReported = m_inputDone && m_reported >= m_sent;
    if (!allReported && !(m_connectionFailed && m_inputDone))
        return;
    m_finished = true;
    const quint64 unreported = m_sent - std::min(m_sent, m_reported);
    m_err << "% " << (m_reported - m_failed) << " delivered, " << (m_failed + unreported) << " failed" << Qt::endl;
    Q_EMIT finished((m_failed + unreported) == 0 && !m_connectionFailed ? 0 : 1);
}

} // namespace kpw
