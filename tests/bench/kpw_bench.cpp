// Producer benchmark: kpw's core and librdkafka side by side, same broker,
// same settings. Prints one line per run:
//   impl size codec records records/s MB/s cpu_s_per_1M p50_ms p99_ms
// Throughput mode sends as fast as the producer takes records; --rate mode
// paces sends (records/s) to measure acknowledgement latency at a fixed load.
// --encode needs no broker: batch building (record encoding, compression,
// CRC-32C) on the same records, beside each part alone on the same bytes and
// the codec library called directly (the limit). One line per run:
//   encode size codec records records/batch build_records/s build_MB/s
//          cpu_s_per_1M ratio codec_MB/s raw_codec_MB/s crc32c_MB/s
// Rates are per CPU second of the measuring thread (not wall time), so other
// load on the machine does not distort them; every MB/s counts the
// uncompressed encoded records (the bytes the
// codec takes in), so the columns compare directly; codec_MB/s is our
// Codec::compress with Kafka's framing ("-" for none: nothing is copied),
// raw_codec_MB/s the library alone (memcpy for none).
#include "producer/ProducerClient.h"
#include "records/Crc32c.h"
#include "records/RecordBatch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <librdkafka/rdkafka.h>
#include <lz4.h>
#include <snappy.h>
#include <sys/resource.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstring>
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
    int rate = 0;            // records/s, 0 = as fast as possible
    bool idempotence = true; // both producers alike (kpw's default; librdkafka's is off)
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
    cfg.set(QStringLiteral("enable.idempotence"), r.idempotence ? QStringLiteral("true") : QStringLiteral("false"));
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
    set("enable.idempotence", r.idempotence ? QStringLiteral("true") : QStringLiteral("false"));
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

// ---------------------------------------------------------------- encode only

struct EncodeOutcome
{
    qint64 records = 0, batches = 0;
    double seconds = 0, cpu = 0;
    qint64 rawBytes = 0, builtBytes = 0; // records sections before, whole batches after
    double codecMBs = 0, rawCodecMBs = 0, crcMBs = 0;
};

// CPU time of the calling thread: encode-only rates are per CPU second, so
// whatever else runs on the machine does not count.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs fn repeatedly over about `bytes` of input, in chunks of `chunk`
// bytes; returns MB of input per CPU second.
template <typename Fn> double throughput(qint64 bytes, qsizetype chunk, Fn fn)
{
    const qint64 rounds = std::max<qint64>(3, bytes / std::max<qsizetype>(1, chunk));
    const double t0 = threadCpuSeconds();
    for (qint64 i = 0; i < rounds; ++i)
        fn();
    return static_cast<double>(rounds) * static_cast<double>(chunk) / 1e6 / std::max(1e-9, threadCpuSeconds() - t0);
}

volatile std::size_t g_sink = 0; // keeps the measured work from being optimised away

// The codec library itself on `raw`, at the level Kafka's clients use by
// default, without Kafka's framing (xerial, lz4 frame) and with reused
// state: what no producer can beat.
bool rawCompress(kpw::Compression c, const QByteArray &raw, QByteArray &out, ZSTD_CCtx *zctx)
{
    const auto n = static_cast<size_t>(raw.size());
    switch (c) {
    case kpw::Compression::None:
        out.resize(raw.size());
        std::memcpy(out.data(), raw.constData(), n);
        return true;
    case kpw::Compression::Gzip: {
        uLongf len = compressBound(static_cast<uLong>(n));
        out.resize(static_cast<qsizetype>(len));
        const bool ok =
            compress2(reinterpret_cast<Bytef *>(out.data()), &len, reinterpret_cast<const Bytef *>(raw.constData()),
                      static_cast<uLong>(n), Z_DEFAULT_COMPRESSION) == Z_OK;
        g_sink = g_sink + len;
        return ok;
    }
    case kpw::Compression::Snappy: {
        out.resize(static_cast<qsizetype>(snappy::MaxCompressedLength(n)));
        size_t len = 0;
        snappy::RawCompress(raw.constData(), n, out.data(), &len);
        g_sink = g_sink + len;
        return true;
    }
    case kpw::Compression::Lz4: {
        out.resize(LZ4_compressBound(static_cast<int>(n)));
        const int len =
            LZ4_compress_default(raw.constData(), out.data(), static_cast<int>(n), static_cast<int>(out.size()));
        g_sink = g_sink + static_cast<std::size_t>(len);
        return len > 0;
    }
    case kpw::Compression::Zstd: {
        out.resize(static_cast<qsizetype>(ZSTD_compressBound(n)));
        const size_t len = ZSTD_compressCCtx(zctx, out.data(), static_cast<size_t>(out.size()), raw.constData(), n,
                                             ZSTD_CLEVEL_DEFAULT);
        g_sink = g_sink + len;
        return !ZSTD_isError(len);
    }
    }
    return false;
}

EncodeOutcome runEncode(const Run &r, qsizetype batchBytes)
{
    EncodeOutcome o;
    const std::optional<kpw::Compression> codec = kpw::Codec::fromName(r.codec);
    if (!codec) {
        QTextStream(stderr) << "unknown codec " << r.codec << Qt::endl;
        return o;
    }
    const std::optional<QByteArray> value = QByteArray(r.size, 'x'); // the records of the producer runs
    const std::optional<QByteArray> noKey;
    const QList<kpw::RecordHeader> noHeaders;
    const qsizetype bound = kpw::RecordBatchBuilder::recordSizeBound(noKey, value, noHeaders);
    kpw::BatchParams params;
    params.codec = *codec;

    // 1. The producer's path: append records until batch.size is reached,
    // then build (header, compression, CRC), as the accumulator does.
    kpw::RecordBatchBuilder builder(params);
    QByteArray sampleBatch; // one full uncompressed batch, for the parts below
    const std::int64_t ts = 1700000000000;
    const double cpu0 = cpuSeconds();
    const double thread0 = threadCpuSeconds();
    for (qint64 i = 0; i < r.count; ++i) {
        if (!builder.isEmpty() && builder.sizeInBytes() + bound > batchBytes) {
            o.rawBytes += builder.sizeInBytes();
            auto built = builder.build();
            if (!built.ok())
                return o;
            o.builtBytes += built.value().size();
            ++o.batches;
        }
        builder.append(noKey, value, noHeaders, ts + i / 1000);
    }
    o.rawBytes += builder.sizeInBytes();
    if (auto built = builder.build(); built.ok()) {
        o.builtBytes += built.value().size();
        ++o.batches;
    }
    o.seconds = threadCpuSeconds() - thread0;
    o.cpu = cpuSeconds() - cpu0;
    o.records = r.count;

    // 2. The same bytes through each part alone: one full batch's records.
    kpw::RecordBatchBuilder plain;
    for (qint64 i = 0; i < r.count && (plain.isEmpty() || plain.sizeInBytes() + bound <= batchBytes); ++i)
        plain.append(noKey, value, noHeaders, ts + i / 1000);
    if (auto built = plain.build(); built.ok())
        sampleBatch = built.value();
    const QByteArray records = sampleBatch.mid(kpw::kBatchHeaderSize);
    const qint64 volume = std::max<qint64>(o.rawBytes, 64 * 1024 * 1024);
    o.codecMBs = throughput(volume, records.size(), [&] {
        auto c = kpw::Codec::compress(*codec, records);
        g_sink = g_sink + (c.ok() ? static_cast<std::size_t>(c.value().size()) : 0);
    });
    ZSTD_CCtx *zctx = ZSTD_createCCtx();
    QByteArray out;
    o.rawCodecMBs = throughput(volume, records.size(), [&] { rawCompress(*codec, records, out, zctx); });
    ZSTD_freeCCtx(zctx);
    o.crcMBs = throughput(volume, records.size(), [&] {
        g_sink = g_sink + kpw::crc32c(records.constData(), static_cast<size_t>(records.size()));
    });
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
    p.addOption(
        {QStringLiteral("encode"), QStringLiteral("encode only, no broker: batch building, codec and CRC-32C")});
    p.addOption({QStringLiteral("batch-bytes"), QStringLiteral("batch.size for --encode"), QStringLiteral("n"),
                 QStringLiteral("1048576")});
    p.addOption({QStringLiteral("no-idempotence"), QStringLiteral("enable.idempotence=false for both producers")});
    p.process(app);
    Run r;
    r.idempotence = !p.isSet(QStringLiteral("no-idempotence"));
    r.bootstrap = p.value(QStringLiteral("b"));
    r.topic = p.value(QStringLiteral("t"));
    r.size = p.value(QStringLiteral("size")).toInt();
    r.count = p.value(QStringLiteral("count")).toLongLong();
    r.codec = p.value(QStringLiteral("codec"));
    r.rate = p.value(QStringLiteral("rate")).toInt();
    if (p.isSet(QStringLiteral("encode"))) {
        const EncodeOutcome e = runEncode(r, p.value(QStringLiteral("batch-bytes")).toLongLong());
        const double mb = static_cast<double>(e.rawBytes) / 1e6;
        QTextStream(stdout) << "encode " << r.size << ' ' << r.codec << ' ' << e.records << ' '
                            << QString::number(static_cast<double>(e.records) / std::max<double>(1, e.batches), 'f', 0)
                            << ' ' << QString::number(e.records / std::max(e.seconds, 1e-9), 'f', 0) << ' '
                            << QString::number(mb / std::max(e.seconds, 1e-9), 'f', 1) << ' '
                            << QString::number(e.cpu * 1e6 / std::max<double>(1, e.records), 'f', 3) << ' '
                            << QString::number(static_cast<double>(e.builtBytes) / std::max<double>(1, e.rawBytes), 'f',
                                               3)
                            << ' '
                            // none: the built batch is the buffer the records were written to, no copy
                            << (r.codec == QLatin1StringView("none") ? QStringLiteral("-")
                                                                     : QString::number(e.codecMBs, 'f', 1))
                            << ' ' << QString::number(e.rawCodecMBs, 'f', 1) << ' ' << QString::number(e.crcMBs, 'f', 1)
                            << Qt::endl;
        return e.records == r.count && e.batches > 0 ? 0 : 1;
    }
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
