#include "ui/MetricsBar.h"

#include "ui/Sparkline.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>

namespace kpw {
namespace {

const auto kErrorStyle = QStringLiteral("color: #b0121f;");

QFrame *separator(QWidget *parent)
{
    auto *line = new QFrame(parent);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);
    return line;
}

QString rate(double perSecond)
{
    // One decimal while small, so a trickle of 0.4 rec/s does not read as 0.
    return QLocale().toString(perSecond, 'f', perSecond < 10 ? 1 : 0);
}

} // namespace

MetricsBar::MetricsBar(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("metricsBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);

    // The rates change every second: room for typical numbers up front keeps
    // the bar from jittering. The counters only grow, and seldom in width.
    m_throughput = new Sparkline(kHistorySeconds, this);
    m_throughput->setObjectName(QStringLiteral("throughputChart"));
    m_throughput->addSeries(tr("records/s"), QColor(0x2f, 0x6f, 0xb3));
    m_throughput->setToolTip(tr("Records acknowledged per second, the last %1 minutes").arg(kHistorySeconds / 60));
    layout->addWidget(m_throughput);
    m_recordsPerSec = addMetric("metricRecordsPerSec", tr("%1 rec/s").arg(QStringLiteral("000,000")),
                                tr("Records acknowledged per second"));
    m_megabytesPerSec = addMetric("metricMegabytesPerSec", tr("%1 MB/s").arg(QStringLiteral("000.00")),
                                  tr("Megabytes (10^6 bytes) of keys and values acknowledged per second"));
    for (QLabel *rate : {m_recordsPerSec, m_megabytesPerSec})
        rate->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    layout->addWidget(separator(this));
    m_latency = new Sparkline(kHistorySeconds, this);
    m_latency->setObjectName(QStringLiteral("latencyChart"));
    m_latency->addSeries(tr("p50"), QColor(0x1b, 0x7f, 0x3b));
    m_latency->addSeries(tr("p99"), QColor(0xc2, 0x6a, 0x00));
    m_latency->setToolTip(tr("Latency from send() to acknowledgement, the last %1 minutes: p50 (green) and p99 "
                             "(orange)")
                              .arg(kHistorySeconds / 60));
    layout->addWidget(m_latency);
    m_latencyLabel = addMetric("metricLatency", tr("p50 %1 / p99 %1 ms").arg(QStringLiteral("000.0")),
                               tr("Latency from send() to acknowledgement, last second"));
    layout->addWidget(separator(this));
    m_sent = addMetric("metricSent", QString(), tr("Records handed to the producer since Connect"));
    m_delivered = addMetric("metricDelivered", QString(), tr("Records acknowledged by the broker since Connect"));
    m_failed = addMetric("metricFailed", QString(), tr("Records that failed since Connect"));
    m_queued = addMetric("metricQueued", QString(),
                         tr("Records in flight: accepted by the producer and not yet acknowledged or failed"));
    m_inFlight = addMetric("metricInFlight", QString(), tr("Produce requests sent and not yet answered"));
    clear();
}

QLabel *MetricsBar::addMetric(const char *objectName, const QString &widest, const QString &description)
{
    auto *label = new QLabel(this);
    label->setObjectName(QString::fromLatin1(objectName));
    label->setProperty("description", description);
    if (!widest.isEmpty())
        label->setMinimumWidth(label->fontMetrics().horizontalAdvance(widest));
    layout()->addWidget(label);
    return label;
}

const ProducerStats &MetricsBar::stats() const
{
    return m_stats;
}

void MetricsBar::addStats(const ProducerStats &stats)
{
    setStats(stats);
    recordSample(stats);
}

void MetricsBar::setStats(const ProducerStats &stats)
{
    m_stats = stats;
    const QLocale locale;
    m_recordsPerSec->setText(tr("%1 rec/s").arg(rate(stats.recordsPerSec)));
    const double megabytes = stats.bytesPerSec / 1e6;
    // A trickle of small records is a few kB/s: keep it from reading as 0.00.
    m_megabytesPerSec->setText(
        tr("%1 MB/s").arg(locale.toString(megabytes, 'f', megabytes > 0 && megabytes < 0.01 ? 3 : 2)));
    m_latencyLabel->setText(
        tr("p50 %1 / p99 %2 ms")
            .arg(locale.toString(stats.latencyP50Ms, 'f', 1), locale.toString(stats.latencyP99Ms, 'f', 1)));
    m_sent->setText(tr("sent %1").arg(locale.toString(stats.recordsSent)));
    m_delivered->setText(tr("acked %1").arg(locale.toString(stats.recordsDelivered)));
    m_failed->setText(tr("failed %1").arg(locale.toString(stats.recordsFailed)));
    m_failed->setStyleSheet(stats.recordsFailed > 0 ? kErrorStyle : QString());
    m_queued->setText(tr("in flight %1").arg(locale.toString(stats.queuedRecords)));
    m_inFlight->setText(tr("requests %1").arg(locale.toString(stats.inFlightRequests)));

    // The finer numbers, for whoever hovers over any of the figures.
    const QString details =
        tr("Last second: latency p50 %1 ms, p99 %2 ms; request p50 %3 ms, p99 %4 ms\n"
           "Batches: %5 records, %6 on average; compressed to %7% of the record bytes\n"
           "Since Connect: %8 records sent, %9 batches retried")
            .arg(locale.toString(stats.latencyP50Ms, 'f', 1), locale.toString(stats.latencyP99Ms, 'f', 1),
                 locale.toString(stats.requestLatencyP50Ms, 'f', 1), locale.toString(stats.requestLatencyP99Ms, 'f', 1),
                 locale.toString(stats.avgRecordsPerBatch, 'f', 1),
                 locale.formattedDataSize(qint64(stats.avgBatchBytes), 1, QLocale::DataSizeIecFormat),
                 locale.toString(stats.compressionRatio * 100, 'f', 0), locale.toString(stats.recordsSent),
                 locale.toString(stats.retries));
    for (QLabel *label :
         {m_recordsPerSec, m_megabytesPerSec, m_latencyLabel, m_sent, m_delivered, m_failed, m_queued, m_inFlight})
        label->setToolTip(label->property("description").toString() + QStringLiteral("\n\n") + details);
}

void MetricsBar::recordSample(const ProducerStats &stats)
{
    m_throughput->append(0, stats.recordsPerSec);
    m_latency->append(0, stats.latencyP50Ms);
    m_latency->append(1, stats.latencyP99Ms);
}

void MetricsBar::clear()
{
    setStats(ProducerStats());
    m_throughput->clear();
    m_latency->clear();
}

} // namespace kpw
