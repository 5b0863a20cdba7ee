#pragma once

#include "producer/DeliveryReport.h"

#include <QWidget>

class QLabel;

namespace kpw {

// The producer's numbers from ProducerClient::statsUpdated (about once a
// second): throughput, then the counters of the running producer. The
// counters start at zero on every Connect.
class MetricsBar final : public QWidget
{
    Q_OBJECT

public:
    explicit MetricsBar(QWidget *parent = nullptr);

    const ProducerStats &stats() const;

public Q_SLOTS:
    void setStats(const kpw::ProducerStats &stats);
    void clear();

private:
    QLabel *addMetric(const char *objectName, const QString &widest, const QString &description);

    ProducerStats m_stats;
    QLabel *m_recordsPerSec = nullptr;
    QLabel *m_megabytesPerSec = nullptr;
    QLabel *m_delivered = nullptr;
    QLabel *m_failed = nullptr;
    QLabel *m_queued = nullptr;
    QLabel *m_inFlight = nullptr;
};

} // namespace kpw
