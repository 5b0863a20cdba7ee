// kpw-table-bench: feeds delivery reports into the delivery-report table (the
// model, its filter proxy and a shown QTableView, offscreen by default) in
// batches, as the producer's recordsDelivered signal would, at a set rate,
// and prints the time per batch, the event loop's worst stall and the memory
// per row. A benchmark, not a test: it asserts nothing.
//
//   kpw-table-bench [--rows N] [--batch N] [--rate N] [--max-rows N] [--filter]
#include "ui/DeliveryReportModel.h"
#include "ui/DeliveryReportView.h"

#include "wire/KafkaError.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QTableView>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <vector>

using kpw::DeliveryReport;

namespace {

qint64 rssBytes()
{
    QFile file(QStringLiteral("/proc/self/statm"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = file.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

QByteArray loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().split(' ').value(0) : QByteArray("?");
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::min(values.size() - 1, static_cast<std::size_t>(p * double(values.size() - 1) + 0.5));
    return values[index];
}

// A batch as a produce response would bring it: one topic, a few
// partitions, increasing offsets, keys of ~12 bytes, one failure in 1000.
QList<DeliveryReport> makeBatch(quint64 firstId, int count, const QString &topic)
{
    QList<DeliveryReport> batch;
    batch.reserve(count);
    for (int i = 0; i < count; ++i) {
        const quint64 id = firstId + quint64(i);
        DeliveryReport r;
        r.id = id;
        r.topic = topic;
        r.partition = int(id % 6);
        r.offset = std::int64_t(id / 6);
        r.timestampMs = 1'700'000'000'000 + std::int64_t(id / 100);
        r.latencyMs = 2.0 + double(id % 50) / 10.0;
        r.key = QByteArrayLiteral("customer-") + QByteArray::number(id % 100'000);
        r.keySize = r.key->size();
        r.valueSize = 200;
        r.headerCount = 2;
        r.producerId = 4242;
        r.producerEpoch = 0;
        r.sequence = int(id / 6);
        if (id % 1000 == 999) {
            r.errorCode = kpw::KafkaError::RequestTimedOut;
            r.errorMessage = QStringLiteral("the broker did not answer within request.timeout.ms");
            r.offset = -1;
        }
        batch.append(std::move(r));
    }
    return batch;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Feeds delivery reports into the table and times it"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("rows"), QStringLiteral("reports in all (1000000)"), QStringLiteral("N"),
                      QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("reports per batch (1000)"), QStringLiteral("N"),
                      QStringLiteral("1000")});
    parser.addOption({QStringLiteral("rate"), QStringLiteral("reports per second (100000)"), QStringLiteral("N"),
                      QStringLiteral("100000")});
    parser.addOption({QStringLiteral("max-rows"), QStringLiteral("the table's row cap (1000000)"), QStringLiteral("N"),
                      QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("filter"), QStringLiteral("filter the view to failed rows while feeding")});
    parser.process(app);
    const qint64 total = parser.value(QStringLiteral("rows")).toLongLong();
    const int batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());
    const double rate = std::max(1.0, parser.value(QStringLiteral("rate")).toDouble());

    kpw::DeliveryReportModel model;
    model.setMaxRows(parser.value(QStringLiteral("max-rows")).toInt());
    kpw::DeliveryReportView view(&model);
    if (parser.isSet(QStringLiteral("filter")))
        view.filter()->setStatus(kpw::DeliveryReportFilter::Status::Failed);
    view.resize(1280, 500);
    view.show();
    QCoreApplication::processEvents();

    // The batches are built before the clock starts: the producer thread
    // builds them in the application, not the GUI thread.
    const QString topic = QStringLiteral("bench-topic");
    std::vector<QList<DeliveryReport>> batches;
    for (qint64 sent = 0; sent < total; sent += batchSize)
        batches.push_back(makeBatch(quint64(sent) + 1, int(std::min<qint64>(batchSize, total - sent)), topic));
    const qint64 rssBefore = rssBytes();

    std::vector<double> batchMs;
    batchMs.reserve(batches.size());
    std::size_t next = 0;
    QElapsedTimer clock;
    QElapsedTimer heartbeat;
    qint64 worstGapNs = 0;
    qint64 lastBeatNs = 0;
    int worstAtRows = 0;
    int gapsOver20ms = 0;

    // The heartbeat: a 1 ms timer; the longest gap between two beats is the
    // longest time the event loop could not run (input, paint) at all.
    QTimer beat;
    beat.setTimerType(Qt::PreciseTimer);
    beat.setInterval(1);
    QObject::connect(&beat, &QTimer::timeout, [&] {
        const qint64 now = heartbeat.nsecsElapsed();
        if (now - lastBeatNs > worstGapNs) {
            worstGapNs = now - lastBeatNs;
            worstAtRows = model.rowCount();
        }
        if (now - lastBeatNs > 20'000'000)
            ++gapsOver20ms;
        lastBeatNs = now;
    });

    // The feeder: every 5 ms, the batches due by now at the chosen rate.
    QTimer feed;
    feed.setTimerType(Qt::PreciseTimer);
    feed.setInterval(5);
    QObject::connect(&feed, &QTimer::timeout, [&] {
        const double due = double(clock.nsecsElapsed()) / 1e9 * rate / batchSize;
        while (next < batches.size() && double(next) < due) {
            QElapsedTimer t;
            t.start();
            model.appendReports(batches[next++]);
            batchMs.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        if (next == batches.size()) {
            feed.stop();
            // Let the view catch up (auto-scroll, paint) before stopping.
            QTimer::singleShot(300, &app, &QCoreApplication::quit);
        }
    });

    const double cpuBefore = threadCpuSeconds();
    const QByteArray loadBefore = loadAverage();
    clock.start();
    heartbeat.start();
    beat.start();
    feed.start();
    app.exec();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const qint64 rssAfter = rssBytes();
    const double cpu = threadCpuSeconds() - cpuBefore;

    const double perRow = model.rowCount() > 0 ? double(rssAfter - rssBefore) / model.rowCount() : 0;
    std::printf("kpw-table-bench: %lld reports in batches of %d at %.0f/s (target), view %s\n",
                static_cast<long long>(total), batchSize, rate,
                parser.isSet(QStringLiteral("filter")) ? "filtered to failed rows" : "unfiltered");
    std::printf("  took %.2f s: %.0f reports/s; table rows %d (cap %d), view rows %d\n", seconds,
                double(total) / seconds, model.rowCount(), model.maxRows(), view.table()->model()->rowCount());
    std::printf("  time per batch (append + proxy + view bookkeeping): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                percentile(batchMs, 0.5), percentile(batchMs, 0.99), percentile(batchMs, 1.0));
    std::printf("  event loop worst stall (1 ms heartbeat gap): %.1f ms (at %d rows); gaps over 20 ms: %d\n",
                double(worstGapNs) / 1e6, worstAtRows, gapsOver20ms);
    std::printf("  GUI thread busy %.2f s of %.2f s (%.0f%%); load average %s at the start (%d CPUs)\n", cpu, seconds,
                100.0 * cpu / seconds, loadBefore.constData(), QThread::idealThreadCount());
    std::printf("  memory: RSS %.1f MB -> %.1f MB, %.1f bytes per row\n", double(rssBefore) / 1e6,
                double(rssAfter) / 1e6, perRow);
    return 0;
}
