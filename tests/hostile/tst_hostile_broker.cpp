// kpw against a hostile peer: a fake broker on loopback (hostile-broker.py)
// that negotiates, serves metadata naming itself the leader of t-0, and then
// misbehaves: garbage, truncated/huge frames, wrong correlation ids,
// unsolicited frames, silence, trickling, an abrupt RST, a TLS listener,
// undecodable metadata...
//
// For every mode the client must, with short timeouts:
//   - give every record exactly one DeliveryReport, within the time the
//     settings promise (delivery.timeout.ms, or max.block.ms while metadata
//     never arrives), plus a margin;
//   - report none as delivered unless the peer really acked it;
//   - say where (127.0.0.1:port) and what went wrong;
//   - keep its memory bounded (a 2 GiB size prefix is not an allocation);
//   - not flood the peer (Produce attempts <= retries + 1, Metadata requests
//     paced by retry.backoff.ms);
//   - emit flushed(), stop promptly, and not crash.
// The same for kpw-cli: a non-zero exit in time, the broker named on stderr.
//
// The peer's log (every connection and request) is printed with a failure;
// one QINFO line per mode summarises what the client did.

#include "producer/DeliveryReport.h"
#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"
#include "records/ProducerRecord.h"

#include "HostilePeer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace kpw;
using kpw::test::kPeerScript;
using kpw::test::kPython;
using kpw::test::Peer;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);

// Short client timeouts so that every mode ends in seconds.
constexpr int kRequestTimeoutMs = 2000;
constexpr int kDeliveryTimeoutMs = 5000;
constexpr int kConnectTimeoutMs = 2000;
constexpr int kMaxBlockMs = 3000;
constexpr int kRetries = 2;
// Scheduling slack on top of a promised bound: the engine's 100 ms ticks,
// linger.ms, a loaded 2-core CI box, a sanitizer build.
constexpr int kMarginMs = 1000;
constexpr int kRecords = 3;

// Memory bounds: the client holds a few KB here; a hostile size prefix must
// not turn into a buffer. (Resident growth: per mode, see maxRssMiB.)
constexpr qint64 kMaxVmGrowthKb = 1024 * 1024; // not checked under ASan (shadow memory)

constexpr bool underAsan()
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

struct ProcStatus
{
    qint64 rssKb = 0;
    qint64 hwmKb = 0; // peak RSS since the last resetPeakRss()
    qint64 vmSizeKb = 0;
};

// Linux 4.0+: "5" to clear_refs resets VmHWM to the current RSS.
void resetPeakRss()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

ProcStatus readProcStatus()
{
    ProcStatus s;
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return s;
    const QByteArray all = f.readAll();
    for (const QByteArray &line : all.split('\n')) {
        auto value = [&line](qsizetype prefix) { return line.mid(prefix).trimmed().split(' ').value(0).toLongLong(); };
        if (line.startsWith("VmRSS:"))
            s.rssKb = value(6);
        else if (line.startsWith("VmHWM:"))
            s.hwmKb = value(6);
        else if (line.startsWith("VmSize:"))
            s.vmSizeKb = value(7);
    }
    return s;
}

// Samples this process's memory while alive: the peak growth over the
// baseline taken at construction.
class MemoryWatch final
{
public:
    MemoryWatch() : m_base((resetPeakRss(), readProcStatus())), m_peak(m_base)
    {
        m_timer.setInterval(20);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { sample(); });
        m_timer.start();
    }
    void sample()
    {
        const ProcStatus s = readProcStatus();
        m_peak.rssKb = std::max({m_peak.rssKb, s.rssKb, s.hwmKb});
        m_peak.vmSizeKb = std::max(m_peak.vmSizeKb, s.vmSizeKb);
    }
    qint64 rssGrowthKb() const { return m_peak.rssKb - m_base.rssKb; }
    qint64 vmGrowthKb() const { return m_peak.vmSizeKb - m_base.vmSizeKb; }

private:
    ProcStatus m_base;
    ProcStatus m_peak;
    QTimer m_timer;
};

ProducerConfig hostileConfig(const QString &address)
{
    ProducerConfig c;
    const QList<std::pair<QString, QString>> settings{
        {QStringLiteral("bootstrap.servers"), address},
        {QStringLiteral("request.timeout.ms"), QString::number(kRequestTimeoutMs)},
        {QStringLiteral("delivery.timeout.ms"), QString::number(kDeliveryTimeoutMs)},
        {QStringLiteral("socket.connection.setup.timeout.ms"), QString::number(kConnectTimeoutMs)},
        {QStringLiteral("max.block.ms"), QString::number(kMaxBlockMs)},
        {QStringLiteral("retries"), QString::number(kRetries)},
    };
    for (const auto &[name, value] : settings) {
        const auto r = c.set(name, value);
        if (!r)
            qFatal("config %s=%s: %s", qPrintable(name), qPrintable(value), qPrintable(r.error().message));
    }
    return c;
}

bool containsAny(const QString &text, const QStringList &words)
{
    if (words.isEmpty())
        return true;
    return std::any_of(words.cbegin(), words.cend(),
                       [&text](const QString &w) { return text.contains(w, Qt::CaseInsensitive); });
}

// Where a mode strikes: on Produce (metadata arrives, records are batched and
// sent), before metadata (records wait for their topic: max.block.ms), in
// the metadata's content (the topic is known, its partition has no usable
// leader: batches wait for one until delivery.timeout.ms), or in the topic's
// entry (metadata arrives, the topic never becomes usable: max.block.ms, and
// no connectionFailed since the cluster answered).
enum class Stage { Produce, Connect, Metadata, Topic };

// Metadata requests a client may send in one run: retry.backoff.ms=100 over
// ~6 s is ~60; a refresh loop without backoff sends thousands.
constexpr int kMaxMetadataRequests = 100;
// Connections in one run: reconnects are paced by the metadata backoff; a
// peer that closes every connection at once must not meet a connect storm.
constexpr int kMaxConnections = 50;

// Some address on loopback: the peer's, or (dead-leader) the one it advertised.
const QRegularExpression kSomeBroker(QStringLiteral("127\\.0\\.0\\.1:\\d+"));

} // namespace

Q_DECLARE_METATYPE(Stage)

class TstHostileBroker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void producerAgainstHostilePeer_data();
    void producerAgainstHostilePeer();
    void stopWhileStuck_data();
    void stopWhileStuck();
    void cliAgainstHostilePeer_data();
    void cliAgainstHostilePeer();
};

void TstHostileBroker::initTestCase()
{
    QVERIFY2(QFileInfo::exists(kPeerScript), qPrintable(kPeerScript));
    QVERIFY2(QFileInfo::exists(kCli), qPrintable(kCli));
    QProcess py;
    py.start(kPython, {QStringLiteral("--version")});
    QVERIFY2(py.waitForFinished(10000) && py.exitCode() == 0,
             qPrintable(QStringLiteral("python3 (%1) does not run: %2").arg(kPython, py.errorString())));
}

void TstHostileBroker::producerAgainstHostilePeer_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("peerArgs");
    QTest::addColumn<Stage>("stage");
    QTest::addColumn<bool>("expectDelivered");
    // A failed record's message must contain one of these (and, at the
    // Produce stage, the broker's address).
    QTest::addColumn<QStringList>("recordWords");
    // Connect stage: connectionFailed must come, name the broker and contain one of these.
    QTest::addColumn<QStringList>("failureWords");
    // Peak resident memory growth allowed while the mode runs.
    QTest::addColumn<int>("maxRssMiB");

    auto row = [](const char *tag, const char *mode, QStringList peerArgs, Stage stage, bool delivered,
                  QStringList recordWords, QStringList failureWords = {}, int maxRssMiB = 64) {
        QTest::newRow(tag) << QString::fromLatin1(mode) << peerArgs << stage << delivered << recordWords << failureWords
                           << maxRssMiB;
    };
    auto words = [](std::initializer_list<const char *> list) {
        QStringList out;
        for (const char *w : list)
            out << QString::fromLatin1(w);
        return out;
    };
    const auto produce = Stage::Produce;
    const auto connect = Stage::Connect;
    const auto metadata = Stage::Metadata;
    const QStringList maxBlock = words({"max.block.ms"});
    const QStringList garbled = words({"frame", "correlation", "request.timeout.ms", "response"});
    auto args = [](const char *name, const char *value) {
        return QStringList{QString::fromLatin1(name), QString::fromLatin1(value)};
    };

    // The peer acks: every record delivered.
    row("ok (control)", "ok", {}, produce, true, {});
    row("unsolicited-extra (acked)", "unsolicited-extra", {}, produce, true, {});
    // Produce stage.
    row("garbage", "garbage", {}, produce, false, garbled);
    row("garbage seed 7", "garbage", args("--seed", "7"), produce, false, garbled);
    row("garbage-framed", "garbage-framed", {}, produce, false, words({"undecodable"}));
    row("truncated", "truncated", {}, produce, false, words({"connection lost", "closed"}));
    row("huge-frame", "huge-frame", {}, produce, false, words({"frame of 2147483647 bytes"}));
    // 96 MiB, just under the client's 100 MiB limit: one receive buffer and
    // one copy while decoding are fair, more is amplification.
    row("big-frame 96 MiB", "big-frame", {}, produce, false, words({"no entry", "undecodable"}), {}, 2 * 96 + 32);
    row("wrong-correlation", "wrong-correlation", {}, produce, false, words({"correlation"}));
    row("unsolicited", "unsolicited", {}, produce, false, words({"correlation", "no outstanding request"}));
    row("trickle", "trickle", {}, produce, false, words({"request.timeout.ms"}));
    row("silent", "silent", {}, produce, false, words({"request.timeout.ms"}));
    row("close-mid-response", "close-mid-response", {}, produce, false, words({"connection lost"}));
    row("not-leader", "not-leader", {}, produce, false, words({"NOT_LEADER_OR_FOLLOWER"}));
    // Metadata content: no usable leader for t-0.
    row("no-leader", "no-leader", {}, metadata, false, words({"leader"}));
    row("unknown-leader", "unknown-leader", {}, metadata, false, words({"leader"}));
    row("dead-leader", "dead-leader", {}, metadata, false, words({"cannot connect", "refused"}));
    // Before metadata: negotiation or the Metadata answer itself fails.
    row("tls-port", "tls-port", {}, connect, false, maxBlock, words({"TLS"}));
    row("never-accept-apiversions", "never-accept-apiversions", {}, connect, false, maxBlock,
        words({"ApiVersions within socket.connection.setup.timeout.ms"}));
    row("negative-array topics", "negative-array", {}, connect, false, maxBlock, words({"negative array length -5"}));
    row("negative-array brokers", "negative-array", args("--where", "brokers"), connect, false, maxBlock,
        words({"negative array length -5"}));
    row("negative-array replicas", "negative-array", args("--where", "replicas"), connect, false, maxBlock,
        words({"negative array length -5"}));
    row("huge-array topics", "huge-array", {}, connect, false, maxBlock, words({"cannot fit"}));
    row("huge-array partitions", "huge-array", args("--where", "partitions"), connect, false, maxBlock,
        words({"cannot fit"}));

    // Well-formed Produce answers that do not answer our batch, or answer it
    // twice: what the broker wrote is unknown, never "delivered".
    const QStringList noEntry = words({"the Produce response has no entry for t-0"});
    row("produce-missing-partition topic", "produce-missing-partition", {}, produce, false, noEntry);
    row("produce-missing-partition partition", "produce-missing-partition", args("--variant", "partition"), produce,
        false, noEntry);
    row("produce-other-partition", "produce-other-partition", {}, produce, false, noEntry);
    row("produce-duplicate-partition error-then-ok", "produce-duplicate-partition", {}, produce, false,
        words({"2 entries for t-0, one expected"}));
    row("produce-duplicate-partition two-offsets", "produce-duplicate-partition", args("--variant", "two-offsets"),
        produce, false, words({"2 entries for t-0, one expected"}));
    row("produce-negative-offset", "produce-negative-offset", {}, produce, false,
        words({"acknowledges t-0 without an offset (base_offset -1)"}));
    // Error codes Kafka does not define: failed at once, under their own
    // number; a negative one must not pass for a client-side condition
    // (-1003 is this client's CONNECTION_FAILED, which is retried).
    row("produce-unknown-error 32000", "produce-unknown-error", {}, produce, false,
        words({"UNKNOWN_ERROR_CODE_32000"}));
    row("produce-unknown-error -32000", "produce-unknown-error", args("--code", "-32000"), produce, false,
        words({"error code -32000, which Kafka does not define"}));
    row("produce-unknown-error -1003", "produce-unknown-error", args("--code", "-1003"), produce, false,
        words({"error code -1003, which Kafka does not define"}));
    // Size prefixes no response can have.
    row("zero-frame", "zero-frame", {}, produce, false, words({"response frame of 0 bytes"}));
    row("negative-frame", "negative-frame", {}, produce, false, words({"response frame of -1 bytes"}));
    row("short-frame", "short-frame", {}, produce, false, words({"response frame of 2 bytes"}));
    // Negotiated without Produce: the request never leaves the client.
    row("apiversions-no-produce", "apiversions-no-produce", {}, produce, false,
        words({"no common version of Produce: the broker does not support it at all"}));
    row("apiversions-no-produce range", "apiversions-no-produce", args("--variant", "range"), produce, false,
        words({"no common version of Produce: the broker supports v0-v2"}));
    // InitProducerId "succeeds" with producer id -1: the idempotent producer
    // must give up at once, not wait for an id until delivery.timeout.ms.
    row("initpid-negative", "initpid-negative", {}, produce, false, words({"producer id -1"}));
    // The peer acks: a 24-day throttle_time_ms must not hold anything up.
    row("huge-throttle (acked)", "huge-throttle", {}, produce, true, {});
    // A broker before Kafka 2.4: refuses ApiVersions v1+ with an empty list,
    // speaks v0.
    row("apiversions-error old-broker (acked)", "apiversions-error", args("--variant", "old-broker"), produce, true,
        {});
    // Metadata content: no usable leader.
    row("metadata-no-brokers empty", "metadata-no-brokers", {}, metadata, false,
        words({"the leader of t-0, broker 1, is not in the broker list"}));
    row("metadata-no-brokers negative-leader", "metadata-no-brokers", args("--variant", "negative-leader"), metadata,
        false, words({"names -7 as the leader of t-0, which is no broker id"}));
    // A port beyond 65535 must not wrap to another (here: the peer's own) port.
    row("metadata-bad-port wrap", "metadata-bad-port", {}, metadata, false,
        words({"the leader of t-0, broker 1, is at '127.0.0.1:"}));
    row("metadata-bad-port zero", "metadata-bad-port", args("--variant", "zero"), metadata, false,
        words({"the leader of t-0, broker 1, is at '127.0.0.1:0', which is no address"}));
    // The topic's entry: no partitions, or no entry at all.
    row("metadata-no-partitions empty", "metadata-no-partitions", {}, Stage::Topic, false,
        words({"topic 't': no partitions"}));
    row("metadata-no-partitions absent", "metadata-no-partitions", args("--variant", "absent"), Stage::Topic, false,
        words({"the metadata does not list topic 't'"}));
    // Before metadata.
    row("apiversions-error", "apiversions-error", {}, connect, false, maxBlock,
        words({"ApiVersions v0 failed: UNSUPPORTED_VERSION"}));
    row("accept-close", "accept-close", {}, connect, false, maxBlock,
        words({"connection lost during API version negotiation"}));
    row("rst-on-connect", "rst-on-connect", {}, connect, false, maxBlock,
        words({"connection lost during API version negotiation", "cannot connect"}));
}

void TstHostileBroker::producerAgainstHostilePeer()
{
    QFETCH(QString, mode);
    QFETCH(QStringList, peerArgs);
    QFETCH(Stage, stage);
    QFETCH(bool, expectDelivered);
    QFETCH(QStringList, recordWords);
    QFETCH(QStringList, failureWords);
    QFETCH(int, maxRssMiB);

    Peer peer;
    QString why;
    QVERIFY2(peer.start(mode, peerArgs, &why), qPrintable(why));

    // What the promises allow, from the first send().
    const qint64 boundMs =
        (stage == Stage::Connect || stage == Stage::Topic ? kMaxBlockMs : kDeliveryTimeoutMs) + kMarginMs;

    MemoryWatch memory;
    QHash<quint64, QList<DeliveryReport>> reports;
    QStringList connectionFailures;
    int flushedCount = 0;
    QElapsedTimer clock;
    qint64 lastReportMs = -1;
    ProducerClient client; // after what its slots touch: destroyed first
    QObject::connect(&client, &ProducerClient::recordsDelivered, this, [&](const QList<DeliveryReport> &list) {
        for (const auto &r : list)
            reports[r.id].append(r);
        lastReportMs = clock.elapsed();
    });
    QObject::connect(&client, &ProducerClient::connectionFailed, this,
                     [&](const QString &e) { connectionFailures.append(e); });
    QObject::connect(&client, &ProducerClient::flushed, this, [&] { ++flushedCount; });

    clock.start();
    client.start(hostileConfig(peer.address()));
    QList<quint64> ids;
    for (int i = 0; i < kRecords; ++i) {
        ProducerRecord r;
        r.topic = QStringLiteral("t");
        r.key = QByteArray("k") + QByteArray::number(i);
        r.value = QByteArray("hostile value ") + QByteArray::number(i);
        ids.append(client.send(r));
    }
    client.flush();

    auto allReported = [&] {
        return std::all_of(ids.cbegin(), ids.cend(), [&](quint64 id) { return reports.contains(id); });
    };
    // Wait well past the bound: a late report is measured, not mistaken for a lost one.
    while (!allReported() && clock.elapsed() < boundMs + 10000)
        QTest::qWait(10);
    QTest::qWait(300); // duplicates, flushed()
    memory.sample();

    QElapsedTimer stopClock;
    stopClock.start();
    client.stop();
    const qint64 stopMs = stopClock.elapsed();
    QTest::qWait(50);
    const qint64 runMs = clock.elapsed();

    QStringList problems;
    const QString addr = peer.address();
    for (quint64 id : ids) {
        const auto list = reports.value(id);
        if (list.isEmpty())
            problems << QStringLiteral("record %1: no delivery report (lost)").arg(id);
        else if (list.size() > 1)
            problems << QStringLiteral("record %1: %2 delivery reports instead of one").arg(id).arg(list.size());
    }
    for (auto it = reports.cbegin(); it != reports.cend(); ++it)
        if (!ids.contains(it.key()))
            problems << QStringLiteral("a report for id %1, which was never sent").arg(it.key());
    if (allReported() && lastReportMs > boundMs)
        problems << QStringLiteral("the last report came after %1 ms; the settings promise %2 ms (+%3 ms margin)")
                        .arg(lastReportMs)
                        .arg(boundMs - kMarginMs)
                        .arg(kMarginMs);

    QString firstError;
    for (quint64 id : ids) {
        for (const auto &r : reports.value(id)) {
            if (expectDelivered) {
                if (!r.ok())
                    problems << QStringLiteral("record %1: expected delivered, got %2: %3")
                                    .arg(id)
                                    .arg(r.errorName(), r.errorMessage);
                continue;
            }
            if (r.ok()) {
                problems << QStringLiteral("record %1 reported delivered (offset %2) though the peer never acked it")
                                .arg(id)
                                .arg(r.offset);
                continue;
            }
            if (firstError.isEmpty())
                firstError = r.errorName() + QStringLiteral(": ") + r.errorMessage;
            if ((stage == Stage::Produce || stage == Stage::Topic) && !r.errorMessage.contains(addr))
                problems << QStringLiteral("record %1: the error does not name the broker %2: %3")
                                .arg(id)
                                .arg(addr, r.errorMessage);
            if (stage == Stage::Metadata && !r.errorMessage.contains(kSomeBroker))
                problems << QStringLiteral("record %1: the error names no broker: %2").arg(id).arg(r.errorMessage);
            if (!containsAny(r.errorMessage, recordWords))
                problems << QStringLiteral("record %1: the error says none of [%2]: %3")
                                .arg(id)
                                .arg(recordWords.join(QStringLiteral(", ")), r.errorMessage);
        }
    }
    if (stage == Stage::Connect) {
        if (connectionFailures.isEmpty()) {
            problems << QStringLiteral("no connectionFailed signal");
        } else {
            const QString &f = connectionFailures.first();
            if (!f.contains(addr))
                problems << QStringLiteral("connectionFailed does not name the broker %1: %2").arg(addr, f);
            if (!containsAny(f, failureWords))
                problems << QStringLiteral("connectionFailed says none of [%1]: %2")
                                .arg(failureWords.join(QStringLiteral(", ")), f);
        }
    } else if (!connectionFailures.isEmpty()) {
        problems << QStringLiteral("unexpected connectionFailed: %1").arg(connectionFailures.first());
    }
    if (allReported() && flushedCount == 0)
        problems << QStringLiteral("flush() never emitted flushed() though every record has its report");
    if (stopMs > 2000)
        problems << QStringLiteral("stop() took %1 ms").arg(stopMs);
    // ASan's quarantine keeps freed blocks resident: the bound holds for plain builds only
    // when the mode moves large buffers.
    if (memory.rssGrowthKb() > qint64(maxRssMiB) * 1024 && (!underAsan() || maxRssMiB <= 64))
        problems << QStringLiteral("resident memory grew by %1 MiB (bound %2 MiB)")
                        .arg(memory.rssGrowthKb() / 1024)
                        .arg(maxRssMiB);
    if (!underAsan() && memory.vmGrowthKb() > kMaxVmGrowthKb)
        problems << QStringLiteral("address space grew by %1 MiB").arg(memory.vmGrowthKb() / 1024);

    const int produces = peer.count(QStringLiteral("PRODUCE"));
    const int metadataRequests = peer.count(QStringLiteral("METADATA"));
    const int connections = peer.count(QStringLiteral("CONNECT"));
    const int negotiations = peer.count(QStringLiteral("APIVERSIONS"));
    if (connections > kMaxConnections)
        problems << QStringLiteral("the client opened %1 connections in %2 ms: a reconnect loop without backoff")
                        .arg(connections)
                        .arg(runMs);
    // At most two ApiVersions per connection: the newest version, then the one
    // the broker names (or v0).
    if (negotiations > 2 * connections)
        problems << QStringLiteral("the client sent %1 ApiVersions requests over %2 connections: a negotiation loop")
                        .arg(negotiations)
                        .arg(connections);
    if (metadataRequests > kMaxMetadataRequests)
        problems << QStringLiteral("the client sent %1 Metadata requests in %2 ms (retry.backoff.ms=100): a refresh "
                                   "loop without backoff")
                        .arg(metadataRequests)
                        .arg(runMs);
    if (stage == Stage::Produce && produces > kRetries + 1)
        problems << QStringLiteral("the peer saw %1 Produce requests for one batch with retries=%2")
                        .arg(produces)
                        .arg(kRetries);
    // (unsolicited strikes the leader's connection before it could send
    // Produce; apiversions-no-produce leaves no version to send it in;
    // initpid-negative gives no producer id to send it with.)
    const QStringList noProduce{QStringLiteral("unsolicited"), QStringLiteral("apiversions-no-produce"),
                                QStringLiteral("initpid-negative")};
    if (stage == Stage::Produce && produces == 0 && !noProduce.contains(mode))
        problems << QStringLiteral("the peer never saw a Produce request: the fault was not reached");
    if (!peer.running())
        problems << QStringLiteral("the peer died: the test itself is broken");
    if (peer.log().contains(QStringLiteral("peer error")))
        problems << QStringLiteral("the peer hit an internal error: the test itself is broken");

    qInfo().noquote() << QStringLiteral("[%1] %2/%3 reports, last at %4 ms, %5 produce req, %6 connections, rss "
                                        "+%7 MiB, stop %8 ms, %11 metadata req | record: %9 | connectionFailed: %10")
                             .arg(QString::fromLatin1(QTest::currentDataTag()))
                             .arg(std::count_if(ids.cbegin(), ids.cend(),
                                                [&](quint64 id) { return reports.contains(id); }))
                             .arg(ids.size())
                             .arg(lastReportMs)
                             .arg(produces)
                             .arg(connections)
                             .arg(memory.rssGrowthKb() / 1024)
                             .arg(stopMs)
                             .arg(firstError.isEmpty() ? QStringLiteral("-") : firstError,
                                  connectionFailures.isEmpty() ? QStringLiteral("-") : connectionFailures.first())
                             .arg(metadataRequests);

    peer.stop();
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("mode %1 against %2:\n  %3\n--- peer log ---\n%4")
                            .arg(mode, addr, problems.join(QStringLiteral("\n  ")), peer.log().right(3000))));
}

// stop() while the engine is stuck on a peer (request in flight, or
// negotiation hanging) must return at once and still end every record with
// exactly one report.
void TstHostileBroker::stopWhileStuck_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("silent") << "silent";
    QTest::newRow("trickle") << "trickle";
    QTest::newRow("never-accept-apiversions") << "never-accept-apiversions";
}

void TstHostileBroker::stopWhileStuck()
{
    QFETCH(QString, mode);
    Peer peer;
    QString why;
    QVERIFY2(peer.start(mode, {}, &why), qPrintable(why));

    QHash<quint64, int> reports;
    QHash<quint64, DeliveryReport> last;
    {
        ProducerClient client;
        QObject::connect(&client, &ProducerClient::recordsDelivered, this, [&](const QList<DeliveryReport> &list) {
            for (const auto &r : list) {
                ++reports[r.id];
                last[r.id] = r;
            }
        });
        client.start(hostileConfig(peer.address()));
        QList<quint64> ids;
        for (int i = 0; i < kRecords; ++i) {
            ProducerRecord r;
            r.topic = QStringLiteral("t");
            r.value = QByteArray("stuck ") + QByteArray::number(i);
            ids.append(client.send(r));
        }
        // Let the engine get stuck: Produce in flight, or ApiVersions unanswered.
        QElapsedTimer t;
        t.start();
        if (mode == QLatin1StringView("never-accept-apiversions"))
            QTest::qWait(500);
        else
            while (peer.count(QStringLiteral("PRODUCE")) == 0 && t.elapsed() < 5000)
                QTest::qWait(10);
        QVERIFY2(reports.isEmpty(), "reports came before the engine was stuck: the peer did not hold it");

        QElapsedTimer stopClock;
        stopClock.start();
        client.stop();
        QVERIFY2(stopClock.elapsed() < 1000, qPrintable(QStringLiteral("stop() took %1 ms").arg(stopClock.elapsed())));
        QTest::qWait(200);
        for (quint64 id : ids) {
            QVERIFY2(reports.value(id) == 1,
                     qPrintable(QStringLiteral("record %1: %2 report(s) after stop()").arg(id).arg(reports.value(id))));
            QVERIFY2(!last[id].ok(), "a record reported delivered though the peer never acked it");
        }
    }
    QVERIFY(peer.running());
}

void TstHostileBroker::cliAgainstHostilePeer_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("peerArgs");
    QTest::addColumn<int>("boundMs"); // what the settings promise, before the margin
    QTest::addColumn<bool>("expectSuccess");
    // On failure, stderr must contain one of these (the fault in words); empty: any.
    QTest::addColumn<QStringList>("words");

    auto row = [](const char *tag, const char *mode, QStringList peerArgs, int boundMs, bool success,
                  QStringList words = {}) {
        QTest::newRow(tag) << QString::fromLatin1(mode) << peerArgs << boundMs << success << words;
    };
    auto args = [](const char *name, const char *value) {
        return QStringList{QString::fromLatin1(name), QString::fromLatin1(value)};
    };
    auto words = [](const char *w) { return QStringList{QString::fromLatin1(w)}; };
    const int delivery = kDeliveryTimeoutMs;
    const int maxBlock = kMaxBlockMs;

    row("ok (control)", "ok", {}, delivery, true);
    row("garbage", "garbage", {}, delivery, false);
    row("huge-frame", "huge-frame", {}, delivery, false, words("frame of 2147483647 bytes"));
    row("silent", "silent", {}, delivery, false, words("request.timeout.ms"));
    row("close-mid-response", "close-mid-response", {}, delivery, false, words("connection lost"));
    row("tls-port", "tls-port", {}, maxBlock, false, words("TLS"));
    row("never-accept-apiversions", "never-accept-apiversions", {}, maxBlock, false);
    row("negative-array", "negative-array", {}, maxBlock, false, words("negative array length -5"));
    row("produce-missing-partition", "produce-missing-partition", {}, delivery, false,
        words("the Produce response has no entry for t-0"));
    row("produce-other-partition", "produce-other-partition", {}, delivery, false,
        words("the Produce response has no entry for t-0"));
    row("produce-duplicate-partition", "produce-duplicate-partition", {}, delivery, false,
        words("2 entries for t-0, one expected"));
    row("produce-unknown-error 32000", "produce-unknown-error", {}, delivery, false, words("UNKNOWN_ERROR_CODE_32000"));
    row("produce-unknown-error -1003", "produce-unknown-error", args("--code", "-1003"), delivery, false,
        words("error code -1003, which Kafka does not define"));
    row("produce-negative-offset", "produce-negative-offset", {}, delivery, false,
        words("without an offset (base_offset -1)"));
    row("huge-throttle (acked)", "huge-throttle", {}, delivery, true);
    row("apiversions-error", "apiversions-error", {}, maxBlock, false, words("UNSUPPORTED_VERSION"));
    row("apiversions-error old-broker (acked)", "apiversions-error", args("--variant", "old-broker"), delivery, true);
    row("apiversions-no-produce", "apiversions-no-produce", {}, delivery, false, words("no common version of Produce"));
    row("metadata-no-brokers", "metadata-no-brokers", {}, delivery, false, words("is not in the broker list"));
    row("metadata-bad-port", "metadata-bad-port", {}, delivery, false, words("which is no address"));
    row("initpid-negative", "initpid-negative", {}, delivery, false, words("producer id -1"));
    row("metadata-no-partitions", "metadata-no-partitions", {}, maxBlock, false, words("topic 't': no partitions"));
    row("zero-frame", "zero-frame", {}, delivery, false, words("response frame of 0 bytes"));
    row("negative-frame", "negative-frame", {}, delivery, false, words("response frame of -1 bytes"));
    row("short-frame", "short-frame", {}, delivery, false, words("response frame of 2 bytes"));
    row("accept-close", "accept-close", {}, maxBlock, false, words("connection lost"));
    row("rst-on-connect", "rst-on-connect", {}, maxBlock, false, words("connection lost"));
}

void TstHostileBroker::cliAgainstHostilePeer()
{
    QFETCH(QString, mode);
    QFETCH(QStringList, peerArgs);
    QFETCH(int, boundMs);
    QFETCH(bool, expectSuccess);
    QFETCH(QStringList, words);

    Peer peer;
    QString why;
    QVERIFY2(peer.start(mode, peerArgs, &why), qPrintable(why));

    const QStringList args{QStringLiteral("produce"),
                           QStringLiteral("-b"),
                           peer.address(),
                           QStringLiteral("-t"),
                           QStringLiteral("t"),
                           QStringLiteral("-X"),
                           QStringLiteral("request.timeout.ms=%1").arg(kRequestTimeoutMs),
                           QStringLiteral("-X"),
                           QStringLiteral("delivery.timeout.ms=%1").arg(kDeliveryTimeoutMs),
                           QStringLiteral("-X"),
                           QStringLiteral("socket.connection.setup.timeout.ms=%1").arg(kConnectTimeoutMs),
                           QStringLiteral("-X"),
                           QStringLiteral("max.block.ms=%1").arg(kMaxBlockMs),
                           QStringLiteral("-X"),
                           QStringLiteral("retries=%1").arg(kRetries)};
    QProcess cli;
    QElapsedTimer clock;
    clock.start();
    cli.start(kCli, args);
    QVERIFY2(cli.waitForStarted(10000), qPrintable(cli.errorString()));
    cli.write("one\ntwo\nthree\n");
    cli.closeWriteChannel();
    // A hang check: process start-up (and a sanitizer's) comes on top of the
    // margin, so this bound is looser than producerAgainstHostilePeer's,
    // which is the one that holds the client to delivery.timeout.ms.
    const int allowedMs = boundMs + kMarginMs + 2000;
    const bool finished = cli.waitForFinished(allowedMs + 15000);
    const qint64 tookMs = clock.elapsed();
    if (!finished) {
        cli.kill();
        cli.waitForFinished(5000);
    }
    const QString out = QString::fromUtf8(cli.readAllStandardOutput());
    const QString err = QString::fromUtf8(cli.readAllStandardError());
    qInfo().noquote() << QStringLiteral("[cli %1] exit %2 after %3 ms; stderr: %4")
                             .arg(QString::fromLatin1(QTest::currentDataTag()))
                             .arg(cli.exitCode())
                             .arg(tookMs)
                             .arg(err.trimmed().split(QLatin1Char('\n')).value(0));

    const QString explain =
        QStringLiteral("mode %1, exit %2 (%3) after %4 ms\n--- stdout ---\n%5\n--- stderr ---\n%6"
                       "\n--- peer log ---\n%7")
            .arg(mode)
            .arg(cli.exitCode())
            .arg(cli.exitStatus() == QProcess::NormalExit ? QStringLiteral("normal") : QStringLiteral("crash"))
            .arg(tookMs)
            .arg(out.left(3000), err.left(3000), peer.log().right(2000));
    QVERIFY2(finished, qPrintable(QStringLiteral("kpw-cli hung\n") + explain));
    QVERIFY2(cli.exitStatus() == QProcess::NormalExit, qPrintable(QStringLiteral("kpw-cli crashed\n") + explain));
    if (expectSuccess) {
        QVERIFY2(cli.exitCode() == 0, qPrintable(explain));
        QCOMPARE(out.count(QStringLiteral(" @ ")), 3);
        QVERIFY2(err.contains(QStringLiteral("% 3 delivered, 0 failed")), qPrintable(explain));
        return;
    }
    QVERIFY2(cli.exitCode() != 0, qPrintable(QStringLiteral("kpw-cli exited 0\n") + explain));
    QVERIFY2(!out.contains(QStringLiteral(" @ ")),
             qPrintable(QStringLiteral("a record reported delivered\n") + explain));
    QVERIFY2(err.contains(QStringLiteral("% 0 delivered, 3 failed")),
             qPrintable(QStringLiteral("the summary is not \"0 delivered, 3 failed\"\n") + explain));
    QVERIFY2(containsAny(err, words),
             qPrintable(QStringLiteral("stderr says none of [%1]\n").arg(words.join(QStringLiteral(", "))) + explain));
    QVERIFY2(tookMs <= allowedMs,
             qPrintable(QStringLiteral("kpw-cli took %1 ms, more than %2 ms\n").arg(tookMs).arg(allowedMs) + explain));
    QVERIFY2(err.contains(peer.address()),
             qPrintable(QStringLiteral("stderr does not name the broker %1\n").arg(peer.address()) + explain));
}

QTEST_GUILESS_MAIN(TstHostileBroker)
#include "tst_hostile_broker.moc"
