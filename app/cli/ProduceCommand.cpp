#include "ProduceCommand.h"

#include "producer/ProducerClient.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <atomic>

namespace kpw {

ProduceCommand::ProduceCommand(Options options, QObject *parent) : CallReceiver(parent), m_options(std::move(options))
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
        postCallAndWait(this, [this, n = batch.size()] { m_sent += static_cast<quint64>(n); });
        m_client->send(std::move(batch)); // leaves it empty
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
        if (m_options.nullKey)
            r.key.reset();
        if (!encode("key", lines, r.key, m_options.keySerializer, m_options.keyFramer) ||
            !encode("value", lines, r.value, m_options.valueSerializer, m_options.valueFramer)) {
            const std::lock_guard lock(m_rejectedMutex);
            m_rejectedLines.push_back(lines);
            continue;
        }
        m_window.acquire();
        batch.append(std::move(r));
        if (batch.size() >= 500)
            sendBatch();
        else if (m_window.available() == 0)
            sendBatch();
    }
    free(line);
    sendBatch();
    postCall(this, [this, lines] { onInputDone(lines); });
}

bool ProduceCommand::encode(const char *side, quint64 line, std::optional<QByteArray> &bytes,
                            const std::shared_ptr<const serde::Serializer> &serializer,
                            const serde::PayloadFramer &framer)
{
    // A record without a key keeps its null key whatever the key format.
    if (serializer && (bytes || serializer->format() == serde::Format::Null)) {
        auto result = serializer->serialize(QByteArrayView(bytes ? *bytes : QByteArray()));
        if (!result) {
            fprintf(stderr, "kpw-cli: line %llu: %s: %s (not sent)\n", static_cast<unsigned long long>(line), side,
                    qPrintable(result.error().toString()));
            return false;
        }
        bytes = std::move(result.value());
    }
    if (framer && bytes) {
        auto framed = framer(*bytes);
        if (!framed) {
            fprintf(stderr, "kpw-cli: line %llu: %s: %s (not sent)\n", static_cast<unsigned long long>(line), side,
                    qPrintable(framed.error().toString()));
            return false;
        }
        bytes = std::move(framed.value());
    }
    return true;
}

quint64 ProduceCommand::lineOfReport(quint64 id) const
{
    const std::lock_guard lock(m_rejectedMutex);
    quint64 line = id;
    for (const quint64 rejected : m_rejectedLines) {
        if (rejected > line)
            break;
        ++line;
    }
    return line;
}

void ProduceCommand::onReports(const QList<DeliveryReport> &reports)
{
    for (const auto &r : reports) {
        const quint64 lineNo = lineOfReport(r.id); // ids start at 1 per client, one per sent record
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
    {
        const std::lock_guard lock(m_rejectedMutex);
        m_rejected = m_rejectedLines.size();
    }
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
    m_err << "% " << (m_reported - m_failed) << " delivered, " << (m_failed + unreported) << " failed";
    if (m_rejected > 0)
        m_err << ", " << m_rejected << " rejected (not serializable, not sent)";
    m_err << Qt::endl;
    Q_EMIT finished((m_failed + unreported + m_rejected) == 0 && !m_connectionFailed ? 0 : 1);
}

} // namespace kpw
