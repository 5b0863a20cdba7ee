#pragma once

#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "replay/Pacer.h"
#include "replay/RecordSource.h"
#include "replay/ReplaySummary.h"
#include "threads/CrossThread.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSemaphore>
#include <QTimer>

#include <atomic>
#include <mutex>
#include <thread>

namespace kpw {

class ProducerClient;

struct ReplayOptions
{
    QStringList inputs; // files, directories, "-" for standard input
    ReplaySourceOptions source;
    QString topic;
    ProducerConfig config;
    double recordsPerSec = 0; // 0: unlimited
    double bytesPerSec = 0;
    bool originalTiming = false; // pace by the records' timestamps
    double speed = 1.0;          // original timing: 2 = twice as fast
    int loops = 1;
    bool templates = false; // expand {{...}} in keys, values and header values
    enum class OnParseError { Skip, Stop } onParseError = OnParseError::Skip;
    enum class OnDeliveryError { Continue, Stop } onDeliveryError = OnDeliveryError::Continue;
    bool dryRun = false;
    int maxOutstanding = 100000; // records sent and not yet reported (buffer.memory bounds the bytes)
    int maxFailuresListed = 100000;
};

// The first `count` records of a replay's inputs as they would be sent
// (templates not expanded), with the parse errors met on the way.
struct ReplayPreview
{
    QList<SourceRecord> records;
    QList<SourceError> errors;
    QList<bool> order;                        // in input order: true for the next error, false for the next record
    ReplayFormat format = ReplayFormat::Auto; // of the first input
};
ReplayPreview previewReplay(const QStringList &inputs, const ReplaySourceOptions &options, int count = 20);

// Replays files into a topic. Lives on the caller's thread (GUI or CLI); a
// reader thread parses, paces and sends through its own ProducerClient (with
// blocking sends: the reader may wait, the caller never does); delivery
// reports come back on the caller's thread. At most maxOutstanding records
// are between send() and their report, so memory stays bounded whatever the
// size of the input.
class ReplayJob final : public CallReceiver
{
    Q_OBJECT

public:
    explicit ReplayJob(ReplayOptions options, QObject *parent = nullptr);
    ~ReplayJob() override;

    void start();
    void pause();
    void resume();
    bool isPaused() const { return m_paused.load(); }
    // Stops reading and sending; records already sent get their reports,
    // then finished() says which were acknowledged, failed and never sent.
    void cancel();
    bool isRunning() const { return m_running; }

    ReplayProgress progress() const;
    const ReplaySummary &summary() const { return m_summary; }

Q_SIGNALS:
    void progressed(const kpw::ReplayProgress &progress);
    void finished(const kpw::ReplaySummary &summary);
    void logMessage(const QString &line);

private:
    struct Origin
    {
        RecordOrigin origin;
        int loop = 1;
        qint64 bytes = 0;
    };
    enum class Stop { None, Cancel, ParseError, DeliveryError, ConnectionFailed, InputError };

    void readerLoop();
    bool waitWhilePausedOrStop(); // false: stop requested
    void requestStop(Stop why, const QString &reason);
    void onReports(const QList<kpw::DeliveryReport> &reports);
    void onReaderDone();
    void maybeFinish();
    void tick();

    ReplayOptions m_options;
    ProducerClient *m_client = nullptr;
    std::thread m_reader;
    QSemaphore m_window;
    QTimer m_tick;
    QElapsedTimer m_clock;
    Pacer m_pacer; // reader thread only

    std::atomic<bool> m_paused{false};
    std::atomic<int> m_stop{0}; // Stop
    bool m_running = false;
    bool m_readerDone = false;
    bool m_finished = false;
    bool m_flushRequested = false;

    // Reader-thread counters, read by the caller's thread.
    std::atomic<quint64> m_read{0};
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_parseErrors{0};
    std::atomic<quint64> m_validated{0};
    std::atomic<qint64> m_bytesSent{0};
    std::atomic<int> m_loop{1};
    std::atomic<qint64> m_rawDone{0};
    std::atomic<qint64> m_rawTotal{0};

    // Guards m_origins, m_summary's failures / stop reason / first-not-sent
    // fields and m_currentInput: written by the reader, read by the caller.
    mutable std::mutex m_mutex;
    QHash<quint64, Origin> m_origins; // sent, not yet reported, by record id
    QString m_currentInput;
    ReplayFormat m_currentFormat = ReplayFormat::Auto;
    ReplaySummary m_summary;

    // Caller's thread only.
    quint64 m_acked = 0;
    quint64 m_failed = 0;
    qint64 m_bytesAcked = 0;
    quint64 m_lastTickAcked = 0;
    qint64 m_lastTickBytes = 0;
    qint64 m_lastTickMs = 0;
    double m_rate = 0;
    double m_byteRate = 0;
};

} // namespace kpw
