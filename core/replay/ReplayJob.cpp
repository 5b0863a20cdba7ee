#include "replay/ReplayJob.h"

#include "producer/ProducerClient.h"
#include "records/RecordBatch.h"
#include "serde/Template.h"
#include "wire/KafkaError.h"

#include <QThread>

#include <chrono>

namespace kpw {

namespace {

constexpr int kBatchRecords = 500;
constexpr qint64 kBatchBytes = 1 << 20;

qint64 payloadBytes(const ProducerRecord &r)
{
    return (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
}

void registerReplayTypes()
{
    static const bool once = [] {
        qRegisterMetaType<kpw::ReplayProgress>();
        qRegisterMetaType<kpw::ReplaySummary>();
        return true;
    }();
    Q_UNUSED(once);
}

} // namespace

ReplayPreview previewReplay(const QStringList &inputs, const ReplaySourceOptions &options, int count)
{
    ReplayPreview p;
    RecordSource source(inputs, options);
    // Errors count towards the limit too, so a file of garbage ends the preview.
    for (int seen = 0; seen < count; ++seen) {
        SourceRecord r;
        SourceError e;
        const auto s = source.next(&r, &e);
        if (p.format == ReplayFormat::Auto && source.currentFormat() != ReplayFormat::Auto)
            p.format = source.currentFormat();
        if (s == RecordSource::Status::End)
            break;
        if (s == RecordSource::Status::Error)
            p.errors.append(e);
        else
            p.records.append(r);
        p.order.append(s == RecordSource::Status::Error);
    }
    return p;
}

ReplayJob::ReplayJob(ReplayOptions options, QObject *parent)
    : CallReceiver(parent), m_options(std::move(options)), m_window(std::max(1, m_options.maxOutstanding))
{
    registerReplayTypes();
    m_options.loops = std::max(1, m_options.loops);
    m_pacer.setRecordsPerSec(m_options.recordsPerSec);
    m_pacer.setBytesPerSec(m_options.bytesPerSec);
    m_pacer.setOriginalTiming(m_options.originalTiming, m_options.speed);
    m_tick.setInterval(250);
    connect(&m_tick, &QTimer::timeout, this, &ReplayJob::tick);
}

ReplayJob::~ReplayJob()
{
    if (m_reader.joinable()) {
        m_stop = static_cast<int>(Stop::Cancel);
        m_paused = false;
        m_window.release(m_options.maxOutstanding + 1);
        m_reader.join();
    }
}

void ReplayJob::start()
{
    if (m_running || m_finished)
        return;
    m_running = true;
    m_clock.start();
    m_summary.started = QDateTime::currentDateTimeUtc();
    m_summary.dryRun = m_options.dryRun;
    m_summary.topic = m_options.topic;
    m_summary.inputs = m_options.inputs;
    m_summary.loops = m_options.loops;
    if (!m_options.dryRun) {
        m_client = new ProducerClient(this);
        connect(m_client, &ProducerClient::recordsDelivered, this, &ReplayJob::onReports);
        connect(m_client, &ProducerClient::connectionFailed, this, [this](const QString &error) {
            Q_EMIT logMessage(error);
            requestStop(Stop::ConnectionFailed, error);
        });
        connect(m_client, &ProducerClient::logMessage, this, &ReplayJob::logMessage);
        connect(m_client, &ProducerClient::flushed, this, &ReplayJob::maybeFinish);
        m_client->start(m_options.config);
    }
    m_tick.start();
    m_reader = std::thread([this] { readerLoop(); });
}

void ReplayJob::pause()
{
    m_paused = true;
    Q_EMIT progressed(progress());
}

void ReplayJob::resume()
{
    m_paused = false;
    Q_EMIT progressed(progress());
}

void ReplayJob::cancel()
{
    requestStop(Stop::Cancel, QStringLiteral("cancelled by the user"));
}

void ReplayJob::requestStop(Stop why, const QString &reason)
{
    int none = static_cast<int>(Stop::None);
    if (m_stop.compare_exchange_strong(none, static_cast<int>(why))) {
        std::lock_guard lock(m_mutex);
        m_summary.reason = reason;
    }
}

bool ReplayJob::waitWhilePausedOrStop()
{
    if (m_paused && m_stop == static_cast<int>(Stop::None)) {
        const auto pausedAt = std::chrono::steady_clock::now();
        while (m_paused && m_stop == static_cast<int>(Stop::None))
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        m_pacer.shift(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - pausedAt).count());
    }
    return m_stop == static_cast<int>(Stop::None);
}

void ReplayJob::readerLoop()
{
    QList<ProducerRecord> batch;
    QList<Origin> batchOrigins;
    qint64 batchBytes = 0;
    quint64 nextId = 1; // this job's client sends nothing else: ids are 1, 2, ...
    quint64 seq = 0;
    const qsizetype maxRequest = m_options.config.maxRequestSize();
    const auto stopped = [this] { return m_stop != static_cast<int>(Stop::None); };
    const auto nowNs = [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    const auto sendBatch = [&] {
        if (batch.isEmpty())
            return;
        {
            std::lock_guard lock(m_mutex);
            for (const Origin &o : std::as_const(batchOrigins))
                m_origins.insert(nextId++, o);
            m_summary.lastSent = batchOrigins.last().origin;
            m_summary.lastSentLoop = batchOrigins.last().loop;
        }
        m_sent += static_cast<quint64>(batch.size());
        m_bytesSent += batchBytes;
        m_client->send(std::move(batch));
        batch = {}; // a moved-from list: start the next batch from a fresh one
        batchOrigins.clear();
        batchBytes = 0;
    };
    const auto failParse = [&](const SourceError &e, int loop, const QString &name) {
        ++m_parseErrors;
        std::lock_guard lock(m_mutex);
        if (m_summary.failures.size() < m_options.maxFailuresListed)
            m_summary.failures.append({ReplayFailure::Kind::Parse, e.origin, loop, name, e.message, -1});
        else
            m_summary.failuresTruncated = true;
    };
    // Where "never sent" starts once a stop is requested: the first record
    // read but not sent, else the next one in the input.
    std::optional<Origin> pending;
    RecordSource *currentSource = nullptr;
    const auto noteNotSent = [&] {
        std::lock_guard lock(m_mutex);
        quint64 notSent = static_cast<quint64>(batch.size()) + (pending ? 1 : 0);
        m_summary.readNotSent = notSent;
        if (!batchOrigins.isEmpty()) {
            m_summary.firstNotSent = batchOrigins.first().origin;
            m_summary.firstNotSentLoop = batchOrigins.first().loop;
        } else if (pending) {
            m_summary.firstNotSent = pending->origin;
            m_summary.firstNotSentLoop = pending->loop;
        }
    };

    qint64 rawTotal = 0;
    for (int loop = 1; loop <= m_options.loops && !stopped(); ++loop) {
        m_loop = loop;
        RecordSource source(m_options.inputs, m_options.source);
        currentSource = &source;
        rawTotal = source.rawBytesTotal();
        m_rawTotal = rawTotal;
        m_pacer.restartTiming();
        QString lastInput;
        for (;;) {
            if (!waitWhilePausedOrStop())
                break;
            SourceRecord rec;
            SourceError err;
            const auto status = source.next(&rec, &err);
            m_rawDone = source.rawBytesDone();
            if (source.currentInput() != lastInput) {
                lastInput = source.currentInput();
                std::lock_guard lock(m_mutex);
                m_currentInput = lastInput;
                m_currentFormat = source.currentFormat();
            }
            if (status == RecordSource::Status::End)
                break;
            if (status == RecordSource::Status::Error) {
                failParse(err, loop, err.fatal ? QStringLiteral("INPUT_ERROR") : QStringLiteral("PARSE_ERROR"));
                if (m_options.onParseError == ReplayOptions::OnParseError::Stop)
                    requestStop(err.fatal ? Stop::InputError : Stop::ParseError,
                                QStringLiteral("%1:%2: %3").arg(err.origin.file).arg(err.origin.line).arg(err.message));
                continue;
            }
            ++m_read;
            ++seq;
            ProducerRecord &r = rec.record;
            r.topic = m_options.topic;
            if (m_options.templates) {
                const TemplateContext ctx{seq, rec.origin.line, -1};
                QString templateError;
                for (std::optional<QByteArray> *bytes : {&r.key, &r.value}) {
                    auto x = Template::expandInPlace(*bytes, ctx);
                    if (!x)
                        templateError = x.error().message;
                }
                for (RecordHeader &h : r.headers) {
                    auto x = Template::expandInPlace(h.value, ctx);
                    if (!x)
                        templateError = x.error().message;
                }
                if (!templateError.isEmpty()) {
                    failParse({rec.origin, templateError, false}, loop, QStringLiteral("TEMPLATE_ERROR"));
                    if (m_options.onParseError == ReplayOptions::OnParseError::Stop)
                        requestStop(
                            Stop::ParseError,
                            QStringLiteral("%1:%2: %3").arg(rec.origin.file).arg(rec.origin.line).arg(templateError));
                    continue;
                }
            }
            const qint64 bytes = payloadBytes(r);
            if (m_options.dryRun) {
                // What the producer would refuse before sending.
                if (RecordBatchBuilder::recordSizeBound(r.key, r.value, r.headers) > maxRequest) {
                    failParse({rec.origin,
                               QStringLiteral("the record is larger than max.request.size=%1").arg(maxRequest), false},
                              loop, KafkaError::name(KafkaError::ClientRecordTooLarge));
                    if (m_options.onParseError == ReplayOptions::OnParseError::Stop)
                        requestStop(
                            Stop::ParseError,
                            QStringLiteral("%1:%2: record too large").arg(rec.origin.file).arg(rec.origin.line));
                } else {
                    ++m_validated;
                }
                continue;
            }
            pending = Origin{rec.origin, loop, bytes};
            if (m_pacer.limited()) {
                const qint64 due = m_pacer.due(nowNs(), bytes, r.timestampMs);
                if (due > nowNs())
                    sendBatch();
                while (!stopped() && nowNs() < due) {
                    if (m_paused) {
                        if (!waitWhilePausedOrStop())
                            break;
                        continue;
                    }
                    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<qint64>(due - nowNs(), 20'000'000)));
                }
                if (stopped())
                    break;
            }
            if (!m_window.tryAcquire(1)) {
                sendBatch(); // its permits are taken: it must go before we wait
                while (!stopped() && !m_window.tryAcquire(1, 50)) {
                }
                if (stopped())
                    break;
            }
            batch.append(std::move(r));
            batchOrigins.append(*pending);
            batchBytes += bytes;
            pending.reset();
            if (batch.size() >= kBatchRecords || batchBytes >= kBatchBytes || m_pacer.limited())
                sendBatch();
        }
        if (stopped()) {
            // Name the first record never sent: what we hold, else the next
            // record of the input (parse errors on the way are not records).
            if (batch.isEmpty() && !pending) {
                for (;;) {
                    SourceRecord rec;
                    SourceError err;
                    const auto status = currentSource->next(&rec, &err);
                    if (status == RecordSource::Status::End) {
                        if (loop < m_options.loops) {
                            // The next loop's first record.
                            RecordSource again(m_options.inputs, m_options.source);
                            SourceRecord first;
                            RecordSource::Status st;
                            while ((st = again.next(&first, &err)) == RecordSource::Status::Error) {
                            }
                            if (st == RecordSource::Status::Record) {
                                std::lock_guard lock(m_mutex);
                                m_summary.firstNotSent = first.origin;
                                m_summary.firstNotSentLoop = loop + 1;
                            }
                        }
                        break;
                    }
                    if (status == RecordSource::Status::Record) {
                        std::lock_guard lock(m_mutex);
                        m_summary.firstNotSent = rec.origin;
                        m_summary.firstNotSentLoop = loop;
                        break;
                    }
                }
            }
            noteNotSent();
            break;
        }
    }
    if (!stopped())
        sendBatch();
    currentSource = nullptr;
    postCall(this, [this] { onReaderDone(); });
}

void ReplayJob::onReports(const QList<DeliveryReport> &reports)
{
    int released = 0;
    for (const DeliveryReport &d : reports) {
        Origin o;
        {
            std::lock_guard lock(m_mutex);
            auto it = m_origins.find(d.id);
            if (it == m_origins.end())
                continue;
            o = it.value();
            m_origins.erase(it);
        }
        ++released;
        if (d.ok()) {
            ++m_acked;
            m_bytesAcked += o.bytes;
            PartitionOffsets &p = m_summary.partitions[d.partition];
            if (d.offset >= 0) {
                p.first = p.first < 0 ? d.offset : std::min(p.first, d.offset);
                p.last = std::max(p.last, d.offset);
            }
            ++p.count;
        } else {
            ++m_failed;
            {
                std::lock_guard lock(m_mutex);
                if (m_summary.failures.size() < m_options.maxFailuresListed)
                    m_summary.failures.append(
                        {ReplayFailure::Kind::Delivery, o.origin, o.loop, d.errorName(), d.errorMessage, d.partition});
                else
                    m_summary.failuresTruncated = true;
            }
            if (m_options.onDeliveryError == ReplayOptions::OnDeliveryError::Stop)
                requestStop(Stop::DeliveryError, QStringLiteral("%1:%2: %3: %4")
                                                     .arg(o.origin.file)
                                                     .arg(o.origin.line)
                                                     .arg(d.errorName(), d.errorMessage));
        }
    }
    m_window.release(released);
    maybeFinish();
}

void ReplayJob::onReaderDone()
{
    if (m_reader.joinable())
        m_reader.join();
    m_readerDone = true;
    if (m_client) {
        if (m_stop == static_cast<int>(Stop::ConnectionFailed)) {
            // Fails what is still queued; those reports arrive before this
            // queued call, which then counts anything left as failed.
            m_client->stop();
            postCall(this, [this] {
                QList<DeliveryReport> leftovers;
                {
                    std::lock_guard lock(m_mutex);
                    for (auto it = m_origins.cbegin(); it != m_origins.cend(); ++it) {
                        DeliveryReport d;
                        d.id = it.key();
                        d.errorCode = KafkaError::ClientConnectionFailed;
                        d.errorMessage = m_summary.reason;
                        leftovers.append(d);
                    }
                }
                std::sort(leftovers.begin(), leftovers.end(),
                          [](const DeliveryReport &a, const DeliveryReport &b) { return a.id < b.id; });
                onReports(leftovers);
            });
        } else {
            m_client->flush();
        }
    }
    maybeFinish();
}

void ReplayJob::maybeFinish()
{
    if (m_finished || !m_readerDone)
        return;
    if (!m_options.dryRun && m_acked + m_failed < m_sent.load())
        return;
    m_finished = true;
    m_running = false;
    m_tick.stop();
    {
        std::lock_guard lock(m_mutex);
        switch (static_cast<Stop>(m_stop.load())) {
        case Stop::None: m_summary.outcome = ReplaySummary::Outcome::Completed; break;
        case Stop::Cancel: m_summary.outcome = ReplaySummary::Outcome::Cancelled; break;
        case Stop::ParseError: m_summary.outcome = ReplaySummary::Outcome::StoppedOnParseError; break;
        case Stop::DeliveryError: m_summary.outcome = ReplaySummary::Outcome::StoppedOnDeliveryError; break;
        case Stop::ConnectionFailed: m_summary.outcome = ReplaySummary::Outcome::ConnectionFailed; break;
        case Stop::InputError: m_summary.outcome = ReplaySummary::Outcome::InputError; break;
        }
        m_summary.read = m_read;
        m_summary.sent = m_sent;
        m_summary.acked = m_acked;
        m_summary.failed = m_failed;
        m_summary.parseErrors = m_parseErrors;
        m_summary.validated = m_validated;
        m_summary.bytesSent = m_bytesSent;
        m_summary.bytesAcked = m_bytesAcked;
        m_summary.finished = QDateTime::currentDateTimeUtc();
        m_summary.durationMs = m_clock.elapsed();
    }
    if (m_client)
        m_client->stop();
    Q_EMIT progressed(progress());
    Q_EMIT finished(m_summary);
}

void ReplayJob::tick()
{
    const qint64 now = m_clock.elapsed();
    const quint64 done = m_options.dryRun ? m_validated.load() : m_acked;
    const qint64 bytes = m_options.dryRun ? m_bytesSent.load() : m_bytesAcked;
    if (now > m_lastTickMs) {
        const double secs = static_cast<double>(now - m_lastTickMs) / 1000.0;
        m_rate = static_cast<double>(done - m_lastTickAcked) / secs;
        m_byteRate = static_cast<double>(bytes - m_lastTickBytes) / secs;
    }
    m_lastTickMs = now;
    m_lastTickAcked = done;
    m_lastTickBytes = bytes;
    Q_EMIT progressed(progress());
}

ReplayProgress ReplayJob::progress() const
{
    ReplayProgress p;
    p.read = m_read;
    p.sent = m_sent;
    p.acked = m_acked;
    p.failed = m_failed;
    p.parseErrors = m_parseErrors;
    p.bytesSent = m_bytesSent;
    p.bytesAcked = m_bytesAcked;
    p.recordsPerSec = m_rate;
    p.bytesPerSec = m_byteRate;
    p.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    p.loop = m_loop;
    p.paused = m_paused;
    {
        std::lock_guard lock(m_mutex);
        p.currentInput = m_currentInput;
        p.currentFormat = m_currentFormat;
    }
    const qint64 total = m_rawTotal;
    if (m_finished && m_stop == static_cast<int>(Stop::None)) {
        p.fraction = 1;
        p.etaSec = 0;
    } else if (total > 0) {
        const double inLoop = std::min(1.0, static_cast<double>(m_rawDone.load()) / static_cast<double>(total));
        p.fraction = (static_cast<double>(p.loop - 1) + inLoop) / m_options.loops;
        if (!m_finished && p.fraction > 0.001 && p.elapsedMs > 500)
            p.etaSec = static_cast<double>(p.elapsedMs) / 1000.0 * (1 - p.fraction) / p.fraction;
    }
    return p;
}

} // namespace kpw
