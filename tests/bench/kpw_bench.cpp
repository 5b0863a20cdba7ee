// Producer benchmark: kpw's core and librdkafka side by side, same broker,
// same settings. Prints one line per run:
//   impl size codec records records/s MB/s cpu_s_per_1M p50_ms p99_ms
// Throughput mode sends as fast as the producer takes records; --rate mode
// paces sends (records/s) to measure acknowledgement latency at a fixed load.
#include "producer/ProducerClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <librdkafka/rdkafka.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

double cpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Run
{
    QString bootstrap, topic, codec;
    int size = 100;
    qint64 count = 1000000;
    int rate = 0; // records/s, 0 = as fast as possible
};

struct Outcome
{
    double seconds = 0, cpu = 0, p50 = 0, p99 = 0;
    qint64 delivered = 0, failed = 0;
};

double percentile(std::vector<double> &v, double p)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

Outcome runKpw(const Run &r)
{
    kpw::ProducerConfig cfg;
    cfg.set(QStringLiteral("bootstrap.servers"), r.bootstrap);
    cfg.set(QStringLiteral("acks"), QStringLiteral("all"));
    cfg.set(QStringLiteral("linger.ms"), QStringLiteral("5"));
    cfg.set(QStringLiteral("batch.size"), QStringLiteral("1048576"));
    cfg.set(QStringLiteral("compression.type"), r.codec);
    kpw::ProducerClient client;
    Outcome o;
    std::vector<double> lat;
    lat.reserve(static_cast<std::size_t>(r.count));
    QEventLoop loop;
    QObject::connect(&client, &kpw::ProducerClient::recordsDelivered, &loop,
                     [&](const QList<kpw::DeliveryReport> &reports) {
                         for (const auto &d : reports) {
                             if (d.ok())
                                 ++o.delivered;
                             else
                                 ++o.failed;
                             lat.push_back(d.latencyMs);
                         }
                         if (o.delivered + o.failed >= r.count)
                             loop.quit();
                     });
    bool connected = false;
    QObject::connect(&client, &kpw::ProducerClient::connected, &loop, [&] {
        connected = true;
        loop.quit();
    });
    QObject::connect(&client, &kpw::ProducerClient::connectionFailed, &loop, [&](const QString &e) {
        QTextStream(stderr) << "kpw: " << e << Qt::endl;
        loop.quit();
    });
    client.start(cfg);
    loop.exec();
    if (!connected)
        return o;

    const QByteArray value(r.size, 'x');
    const double cpu0 = cpuSeconds();
    QElapsedTimer t;
    t.start();
    // Sends go out in chunks from a timer so reports are handled meanwhile.
    qint64 sent = 0;
    const int chunk = r.rate > 0 ? std::max(1, r.rate / 1000) : 10000;
    QTimer pump;
    pump.setInterval(r.rate > 0 ? 1 : 0);
    QObject::connect(&pump, &QTimer::timeout, &loop, [&] {
        if (r.rate > 0 && sent >= static_cast<qint64>(t.nsecsElapsed() / 1e9 * r.rate))
            return;
        // Bound what is queued (as buffer.memory would): at most 200k outstanding.
        if (r.rate == 0 && sent - (o.delivered + o.failed) > 200000)
            return;
        QList<kpw::ProducerRecord> batch;
        const qint64 n = std::min<qint64>(chunk, r.count - sent);
        batch.reserve(n);
        for (qint64 i = 0; i < n; ++i) {
            kpw::ProducerRecord rec;
            rec.topic = r.topic;
            rec.partition = 0;
            rec.value = value;
            batch.append(std::move(rec));
        }
        client.send(batch);
        sent += n;
        if (sent >= r.count) {
            pump.stop();
            client.flush();
        }
    });
    pump.start();
    loop.exec();
    o.seconds = static_cast<double>(t.nsecsElapsed()) / 1e9;
    o.cpu = cpuSeconds() - cpu0;
    o.p50 = percentile(lat, 0.50);
    o.p99 = percentile(lat, 0.99);
    return o;
}

struct RdkState
{
    std::atomic<qint64> delivered{0}, failed{0};
    std::vector<double> lat;
};

void rdkDr(rd_kafka_t *, const rd_kafka_message_t *m, void *opaque)
{
    auto *st = static_cast<RdkState *>(opaque);
    if (m->err)
        ++st->failed;
    else
        ++st->delivered;
    const auto sentNs = reinterpret_cast<std::intptr_t>(m->_private);
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    st->lat.push_back(static_cast<double>(now - sentNs) / 1e6);
}

Outcome runRdk(const Run &r)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    auto set = [&](const char *k, const QString &v) {
        if (rd_kafka_conf_set(conf, k, v.toUtf8().constData(), err, sizeof err) != RD_KAFKA_CONF_OK)
            QTextStream(stderr) << "rdkafka: " << err << Qt::endl;
    };
    set("bootstrap.servers", r.bootstrap);
    set("acks", QStringLiteral("all"));
    set("linger.ms", QStringLiteral("5"));
    set("batch.size", QStringLiteral("1048576"));
    set("compression.codec", r.codec);
    set("queue.buffering.max.messages", QStringLiteral("1000000"));
    RdkState st;
    st.lat.reserve(static_cast<std::size_t>(r.count));
    rd_kafka_conf_set_opaque(conf, &st);
    rd_kafka_conf_set_dr_msg_cb(conf, rdkDr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    Outcome o;
    if (!rk) {
        QTextStream(stderr) << "rdkafka: " << err << Qt::endl;
        return o;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, r.topic.toUtf8().constData(), nullptr);
    const QByteArray value(r.size, 'x');
    // warm up the connection and metadata, as kpw's run does before timing
    rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, const_cast<char *>(value.constData()), value.size(), nullptr, 0,
                     reinterpret_cast<void *>(std::chrono::steady_clock::now().time_since_epoch().count()));
    rd_kafka_flush(rk, 10000);
    st.delivered = 0;
    st.failed = 0;
    st.lat.clear();
    const double cpu0 = cpuSeconds();
    QElapsedTimer t;
    t.start();
    for (qint64 i = 0; i < r.count; ++i) {
        if (r.rate > 0)
            while (i >= static_cast<qint64>(t.nsecsElapsed() / 1e9 * r.rate))
                rd_kafka_poll(rk, 1);
        const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
        while (rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, const_cast<char *>(value.constData()), value.size(),
                                nullptr, 0, reinterpret_cast<void *>(now)) == -1)
            rd_kafka_poll(rk, 1);
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    o.seconds = static_cast<double>(t.nsecsElapsed()) / 1e9;
    o.cpu = cpuSeconds() - cpu0;
    o.delivered = st.delivered;
    o.failed = st.failed;
    o.p50 = percentile(st.lat, 0.50);
    o.p99 = percentile(st.lat, 0.99);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("kpw producer benchmark (see tests/bench/run-bench)"));
    p.addHelpOption();
    p.addOption(
        {QStringLiteral("impl"), QStringLiteral("kpw or rdkafka"), QStringLiteral("impl"), QStringLiteral("kpw")});
    p.addOption({QStringLiteral("b"), QStringLiteral("bootstrap"), QStringLiteral("hosts")});
    p.addOption({QStringLiteral("t"), QStringLiteral("topic (partition 0 is used)"), QStringLiteral("topic")});
    p.addOption({QStringLiteral("size"), QStringLiteral("value bytes"), QStringLiteral("n"), QStringLiteral("100")});
    p.addOption({QStringLiteral("count"), QStringLiteral("records"), QStringLiteral("n"), QStringLiteral("1000000")});
    p.addOption({QStringLiteral("codec"), QStringLiteral("none|gzip|snappy|lz4|zstd"), QStringLiteral("c"),
                 QStringLiteral("none")});
    p.addOption(
        {QStringLiteral("rate"), QStringLiteral("records/s (0: unlimited)"), QStringLiteral("n"), QStringLiteral("0")});
    p.process(app);
    Run r;
    r.bootstrap = p.value(QStringLiteral("b"));
    r.topic = p.value(QStringLiteral("t"));
    r.size = p.value(QStringLiteral("size")).toInt();
    r.count = p.value(QStringLiteral("count")).toLongLong();
    r.codec = p.value(QStringLiteral("codec"));
    r.rate = p.value(QStringLiteral("rate")).toInt();
    const QString impl = p.value(QStringLiteral("impl"));
    const Outcome o = impl == QLatin1StringView("rdkafka") ? runRdk(r) : runKpw(r);
    const double mb = static_cast<double>(o.delivered) * r.size / 1e6;
    QTextStream(stdout) << impl << ' ' << r.size << ' ' << r.codec << ' ' << o.delivered << ' '
                        << QString::number(o.delivered / std::max(o.seconds, 1e-9), 'f', 0) << ' '
                        << QString::number(mb / std::max(o.seconds, 1e-9), 'f', 1) << ' '
                        << QString::number(o.cpu * 1e6 / std::max<double>(1, o.delivered), 'f', 2) << ' '
                        << QString::number(o.p50, 'f', 2) << ' ' << QString::number(o.p99, 'f', 2) << Qt::endl;
    return o.failed == 0 && o.delivered == r.count ? 0 : 1;
}
