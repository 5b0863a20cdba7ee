#pragma once

#include "producer/DeliveryReport.h"

#include <QWidget>

class QLabel;

namespace kpw {

class Sparkline;

// The producer's numbers from ProducerClient::statsUpdated (about once a
// second): throughput, then the counters of the running producer. The
// counters start at zero on every Connect. Sent, acknowledged, failed and in
// flight; records/s and p50/p99 latency plotted over the last kHistorySeconds
// samples (one per statsUpdated, about a second apart).
class MetricsBar final : public QWidget
{
    Q_OBJECT

public:
    explicit MetricsBar(QWidget *parent = nullptr);

    static constexpr int kHistorySeconds = 300;

    const ProducerStats &stats() const;
    Sparkline *throughputChart() const { return m_throughput; }
    Sparkline *latencyChart() const { return m_latency; }

public Q_SLOTS:
    // Shows the numbers and adds them to the charts.
    void addStats(const kpw::ProducerStats &stats);
    // Shows the numbers only.
    void setStats(const kpw::ProducerStats &stats);
    void clear();

private:
    void recordSample(const ProducerStats &stats);
    QLabel *addMetric(const char *objectName, const QString &widest, const QString &description);

    ProducerStats m_stats;
    QLabel *m_recordsPerSec = nullptr;
    QLabel *m_latencyLabel = nullptr;
    QLabel *m_sent = nullptr;
    Sparkline *m_throughput = nullptr;
    Sparkline *m_latency = nullptr;
    QLabel *m_megabytesPerSec = nullptr;
    QLabel *m_delivered = nullptr;
    QLabel *m_failed = nullptr;
    QLabel *m_queued = nullptr;
    QLabel *m_inFlight = nullptr;
};

} // namespace kpw
