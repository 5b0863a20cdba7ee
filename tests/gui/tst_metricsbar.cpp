// The summary strip: counters and the records/s and latency sparklines.
#include "ui/MetricsBar.h"
#include "ui/Sparkline.h"

#include <QImage>
#include <QLabel>
#include <QTest>

using kpw::MetricsBar;
using kpw::ProducerStats;

class TestMetricsBar final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countersAndCharts();
    void chartsKeepTheLastMinutes();
};

void TestMetricsBar::countersAndCharts()
{
    MetricsBar bar;
    ProducerStats stats;
    stats.recordsSent = 1200;
    stats.recordsDelivered = 1100;
    stats.recordsFailed = 3;
    stats.queuedRecords = 97;
    stats.inFlightRequests = 2;
    stats.recordsPerSec = 5000;
    stats.latencyP50Ms = 4.25;
    stats.latencyP99Ms = 31.5;
    bar.addStats(stats);
    const auto text = [&bar](const char *name) { return bar.findChild<QLabel *>(QString::fromLatin1(name))->text(); };
    QCOMPARE(text("metricSent"), QStringLiteral("sent 1,200"));
    QCOMPARE(text("metricDelivered"), QStringLiteral("acked 1,100"));
    QCOMPARE(text("metricFailed"), QStringLiteral("failed 3"));
    QCOMPARE(text("metricQueued"), QStringLiteral("in flight 97"));
    QCOMPARE(text("metricLatency"), QStringLiteral("p50 4.3 / p99 31.5 ms"));
    QCOMPARE(bar.throughputChart()->samples(0), QList<double>{5000});
    QCOMPARE(bar.latencyChart()->samples(1), QList<double>{31.5});

    // The chart draws: some pixels of the p99 colour after two samples.
    stats.latencyP99Ms = 10;
    bar.addStats(stats);
    kpw::Sparkline *chart = bar.latencyChart();
    chart->resize(chart->sizeHint());
    const QImage image = chart->grab().toImage();
    int coloured = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            coloured += c.red() > 150 && c.green() > 60 && c.green() < 140 && c.blue() < 60;
        }
    QVERIFY2(coloured > 5, qPrintable(QString::number(coloured)));

    bar.clear();
    QVERIFY(bar.throughputChart()->samples(0).isEmpty());
    QCOMPARE(text("metricSent"), QStringLiteral("sent 0"));
}

void TestMetricsBar::chartsKeepTheLastMinutes()
{
    MetricsBar bar;
    for (int i = 0; i < MetricsBar::kHistorySeconds + 50; ++i) {
        ProducerStats stats;
        stats.recordsPerSec = i;
        bar.addStats(stats);
    }
    const QList<double> &samples = bar.throughputChart()->samples(0);
    QCOMPARE(samples.size(), MetricsBar::kHistorySeconds);
    QCOMPARE(samples.first(), 50.0);
    QCOMPARE(samples.last(), double(MetricsBar::kHistorySeconds + 49));
    QCOMPARE(bar.throughputChart()->maximum(), double(MetricsBar::kHistorySeconds + 49));
}

QTEST_MAIN(TestMetricsBar)
#include "tst_metricsbar.moc"
