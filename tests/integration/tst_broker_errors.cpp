// Broker errors a real broker will not produce on demand, injected by a fake
// cluster: franz-go's kfake, started per test by kpw-kfake (tests/kfake),
// which answers the first N requests of one API with a chosen error through
// kfake's control API and handles everything else as a broker. Records are
// read back by librdkafka (an independent consumer), never by kpw_core.
//
// Covers the producer's handling of OUT_OF_ORDER_SEQUENCE_NUMBER,
// UNKNOWN_PRODUCER_ID, DUPLICATE_SEQUENCE_NUMBER, NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, CONCURRENT_TRANSACTIONS and PRODUCER_FENCED
// (issue 4, README "Idempotence and transactions").

#include "RdkConsumer.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace kpw;
using namespace kpw::test;

namespace {

// One kpw-kfake process: a fake cluster with the given topics and injection
// rules. Stopped (stdin closed, then killed if need be) when destroyed.
class FakeCluster
{
public:
    FakeCluster(const QStringList &topics, const QStringList &fails, int brokers = 1)
    {
        QStringList args{QStringLiteral("--brokers"), QString::number(brokers)};
        for (const auto &t : topics)
            args << QStringLiteral("--topic") << t;
        for (const auto &f : fails)
            args << QStringLiteral("--fail") << f;
        m_proc.setProgram(QStringLiteral(KPW_KFAKE_PATH));
        m_proc.setArguments(args);
        m_proc.start();
        if (!m_proc.waitForStarted(10000)) {
            m_error = QStringLiteral("kpw-kfake did not start: %1").arg(m_proc.errorString());
            return;
        }
        QDeadlineTimer deadline(20000);
        while (!m_proc.canReadLine() && !deadline.hasExpired() && m_proc.state() == QProcess::Running)
            m_proc.waitForReadyRead(100);
        if (!m_proc.canReadLine()) {
            m_error = QStringLiteral("kpw-kfake printed no address: %1")
                          .arg(QString::fromUtf8(m_proc.readAllStandardError()));
            return;
        }
        m_bootstrap = QString::fromUtf8(m_proc.readLine()).trimmed();
    }
    ~FakeCluster()
    {
        if (QTest::currentTestFailed())
            qWarning("kpw-kfake log:\n%s", qPrintable(log()));
        if (m_proc.state() == QProcess::NotRunning)
            return;
        m_proc.closeWriteChannel(); // kpw-kfake stops when its stdin closes
        if (!m_proc.waitForFinished(5000)) {
            m_proc.kill();
            m_proc.waitForFinished(5000);
        }
    }
    FakeCluster(const FakeCluster &) = delete;
    FakeCluster &operator=(const FakeCluster &) = delete;

    QString bootstrap() const { return m_bootstrap; }
    QString error() const { return m_error; }
    // kpw-kfake's log: one "injected ..." line per injected error.
    QString log()
    {
        m_log += QString::fromUtf8(m_proc.readAllStandardError());
        return m_log;
    }
    int injected() { return static_cast<int>(log().count(QLatin1StringView("kpw-kfake: injected "))); }

private:
    QProcess m_proc;
    QString m_bootstrap;
    QString m_error;
    QString m_log;
};

#define KPW_FAKE_CLUSTER(var, topics, fails)                                                                           \
    FakeCluster var(topics, fails);                                                                                    \
    QVERIFY2(var.error().isEmpty(), qPrintable(var.error()))

// A ProducerClient with its call results, reports, timeline and state.
struct Client
{
    std::unique_ptr<ProducerClient> client = std::make_unique<ProducerClient>();
    QHash<quint64, Error> done;
    QList<DeliveryReport> reports;
    QList<ProtocolEvent> events;
    TxnStatus status;

    Client()
    {
        QObject::connect(client.get(), &ProducerClient::transactionCallDone, client.get(),
                         [this](quint64 id, const QString &, const kpw::Error &e) { done.insert(id, e); });
        QObject::connect(client.get(), &ProducerClient::recordsDelivered, client.get(),
                         [this](const QList<kpw::DeliveryReport> &r) { reports.append(r); });
        QObject::connect(client.get(), &ProducerClient::txnStatusChanged, client.get(),
                         [this](const kpw::TxnStatus &s) { status = s; });
        QObject::connect(client.get(), &ProducerClient::protocolEvent, client.get(),
                         [this](const kpw::ProtocolEvent &e) { events.append(e); });
        client->setProtocolTrace(true);
    }
    ~Client()
    {
        // The timeline explains most failures; KPW_SHOW_TIMELINE=1 shows it always.
        if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("KPW_SHOW_TIMELINE"))
            qWarning("timeline:\n%s", qPrintable(timeline().join(QLatin1Char('\n'))));
    }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    Error wait(quint64 id, int timeoutMs = 30000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!done.contains(id) && !deadline.hasExpired())
            QTest::qWait(10);
        return done.value(id, Error{KafkaError::ClientTimeout, QStringLiteral("no answer from the engine")});
    }
    bool waitReports(qsizetype n, int timeoutMs = 30000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (reports.size() < n && !deadline.hasExpired())
            QTest::qWait(10);
        return reports.size() >= n;
    }
    bool waitState(TxnState state, int timeoutMs = 10000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (status.state != state && !deadline.hasExpired())
            QTest::qWait(10);
        return status.state == state;
    }
    void send(const QString &topic, const QStringList &values)
    {
        QList<ProducerRecord> records;
        for (const auto &v : values) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = 0;
            r.value = v.toUtf8();
            records.append(r);
        }
        client->send(records);
    }
    // The timeline, one "api result" per event, for messages and counting.
    QStringList timeline() const
    {
        QStringList out;
        for (const auto &e : events)
            out.append(QStringLiteral("%1 %2 [pid %3 epoch %4] %5 %6")
                           .arg(e.api, e.result)
                           .arg(e.producerId)
                           .arg(e.producerEpoch)
                           .arg(e.sequences, e.detail));
        return out;
    }
    int count(const QString &apiPrefix, const QString &result) const
    {
        int n = 0;
        for (const auto &e : events)
            if (e.api.startsWith(apiPrefix) && e.result == result)
                ++n;
        return n;
    }
    QString reportErrors() const
    {
        QStringList out;
        for (const auto &r : reports)
            if (!r.ok())
                out.append(QStringLiteral("%1: %2").arg(r.errorName(), r.errorMessage));
        return out.join(QLatin1Char('\n'));
    }
};

QString text(const Error &e)
{
    return QStringLiteral("%1: %2").arg(KafkaError::name(e.code), e.message);
}

#define KPW_OK(call)                                                                                                   \
    do {                                                                                                               \
        const Error kpwErr_ = (call);                                                                                  \
        QVERIFY2(kpwErr_.code == KafkaError::None, qPrintable(text(kpwErr_)));                                         \
    } while (false)

QStringList numbered(const QString &prefix, int n)
{
    QStringList out;
    for (int i = 0; i < n; ++i)
        out.append(QStringLiteral("%1-%2").arg(prefix).arg(i));
    return out;
}

// Everything in the topic's partition 0, read by librdkafka for a few seconds
// (long enough for a duplicate to show up after the expected records).
QStringList readBack(const QString &boot, const QString &topic, const QString &isolation, QString *error)
{
    const auto records = consumeAll(boot, topic, 100000, 3000, isolation, error);
    QStringList out;
    for (const auto &r : records)
        out.append(QString::fromUtf8(r.value.value_or(QByteArray("<null>"))));
    return out;
}

ProducerConfig config(const QString &boot, const QMap<QString, QString> &settings = {})
{
    ProducerConfig c;
    (void)c.set(QStringLiteral("bootstrap.servers"), boot);
    (void)c.set(QStringLiteral("linger.ms"), QStringLiteral("1"));
    (void)c.set(QStringLiteral("retry.backoff.ms"), QStringLiteral("20"));
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const auto r = c.set(it.key(), it.value());
        if (!r)
            qFatal("config %s: %s", qPrintable(it.key()), qPrintable(r.error().message));
    }
    return c;
}

ProducerConfig txnConfig(const QString &boot, const QString &protocol = QStringLiteral("auto"))
{
    return config(boot, {{QStringLiteral("transactional.id"), QStringLiteral("kfake-tid")},
                         {QStringLiteral("kpw.transaction.protocol"), protocol}});
}

const QString kTopic = QStringLiteral("events");

} // namespace

class TstBrokerErrors final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void plainClusterServesKpw();
    void idempotentSequenceErrorBumpsEpoch_data();
    void idempotentSequenceErrorBumpsEpoch();
    void outOfOrderBehindAFailedBatchRetriesWithoutBump();
    void duplicateSequenceIsSuccess();
    void notCoordinatorOnEndTxnRetried_data();
    void notCoordinatorOnEndTxnRetried();
    void concurrentTransactionsOnInitProducerIdRetried();
    void concurrentTransactionsOnAddPartitionsRetried();
    void coordinatorNotAvailableOnFindCoordinatorRetried();
    void sendOffsetsRetried_data();
    void sendOffsetsRetried();
    void outOfOrderInTransactionIsAbortable_data();
    void outOfOrderInTransactionIsAbortable();
    void fencedIsFatal_data();
    void fencedIsFatal();
};

void TstBrokerErrors::init()
{
    kpw::test::failOnCrossThreadTimers();
}

// Before any injection: kpw negotiates, produces idempotently to three
// brokers and librdkafka reads the records back in order.
void TstBrokerErrors::plainClusterServesKpw()
{
    FakeCluster kfake({kTopic + QStringLiteral(":3")}, {}, 3);
    QVERIFY2(kfake.error().isEmpty(), qPrintable(kfake.error()));
    QCOMPARE(kfake.bootstrap().count(QLatin1Char(',')), 2);
    Client c;
    c.client->start(config(kfake.bootstrap()));
    const QStringList values = numbered(QStringLiteral("plain"), 20);
    c.send(kTopic, values);
    QVERIFY(c.waitReports(values.size()));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    for (const auto &r : c.reports) {
        QVERIFY(r.producerId >= 0);
        QVERIFY(r.sequence >= 0);
        QVERIFY(r.offset >= 0);
    }
    QString error;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_uncommitted"), &error), values);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(kfake.injected(), 0);
}

void TstBrokerErrors::idempotentSequenceErrorBumpsEpoch_data()
{
    QTest::addColumn<QString>("error");
    QTest::newRow("OUT_OF_ORDER_SEQUENCE_NUMBER") << QStringLiteral("OUT_OF_ORDER_SEQUENCE_NUMBER");
    QTest::newRow("UNKNOWN_PRODUCER_ID") << QStringLiteral("UNKNOWN_PRODUCER_ID");
}

// The first Produce, nothing earlier outstanding, is refused with a
// sequence error: a real gap (or lost producer state), so the producer gets
// a new epoch (KIP-360) and sends the batch again from sequence 0. Every
// record is delivered, once, in order.
void TstBrokerErrors::idempotentSequenceErrorBumpsEpoch()
{
    QFETCH(QString, error);
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("Produce:%1:1").arg(error)});
    Client c;
    c.client->start(config(kfake.bootstrap()));
    const QStringList values = numbered(QStringLiteral("idem"), 10);
    c.send(kTopic, values);
    QVERIFY(c.waitReports(values.size()));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    QCOMPARE(kfake.injected(), 1);

    // Timeline: the first producer id, the refused Produce, the bump.
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QCOMPARE(c.count(QStringLiteral("InitProducerId(bump)"), QStringLiteral("OK")), 1);
    for (const auto &e : c.events)
        if (e.api.startsWith(QLatin1StringView("InitProducerId(bump)")))
            QVERIFY2(e.detail.contains(error), qPrintable(timeline)); // the bump names its reason
    std::int64_t firstPid = -1;
    std::int16_t firstEpoch = -1;
    for (const auto &e : c.events)
        if (e.api.startsWith(QLatin1StringView("InitProducerId v")) && e.result == QLatin1StringView("OK")) {
            firstPid = e.producerId;
            firstEpoch = e.producerEpoch;
            break;
        }
    QVERIFY2(firstPid >= 0, qPrintable(timeline));

    // Delivered under the new identity: the same producer id with a higher
    // epoch, or (a broker's answer to an idempotent producer's bump, as
    // Kafka and kfake give) a new producer id; sequences from 0 again.
    for (const auto &r : c.reports) {
        QVERIFY2((r.producerId == firstPid && r.producerEpoch > firstEpoch) || r.producerId != firstPid,
                 qPrintable(QStringLiteral("pid %1 epoch %2, first pid %3 epoch %4\n%5")
                                .arg(r.producerId)
                                .arg(r.producerEpoch)
                                .arg(firstPid)
                                .arg(firstEpoch)
                                .arg(timeline)));
        QVERIFY(r.attempts >= 2);
    }
    QCOMPARE(c.reports.front().sequence, 0);

    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_uncommitted"), &readError), values);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
}

// Two requests in flight to one partition; the first is held 500 ms and
// then refused (NOT_LEADER_OR_FOLLOWER: not written), so kfake itself
// refuses the second (sequence 5 where it expects 0) with
// OUT_OF_ORDER_SEQUENCE_NUMBER. That one is behind a failed batch: retried
// with the same sequence numbers after it, no epoch bump, and every record
// written once, in order.
void TstBrokerErrors::outOfOrderBehindAFailedBatchRetriesWithoutBump()
{
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("Produce:NOT_LEADER_OR_FOLLOWER:1:500")});
    Client c;
    c.client->start(config(kfake.bootstrap()));
    const QStringList first = numbered(QStringLiteral("first"), 5);
    const QStringList second = numbered(QStringLiteral("second"), 5);
    c.send(kTopic, first);
    QTest::qWait(200); // the first request is out and held by kfake
    c.send(kTopic, second);
    QVERIFY(c.waitReports(10));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    QCOMPARE(kfake.injected(), 1);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.count(QStringLiteral("InitProducerId(bump)"), QStringLiteral("OK")) == 0, qPrintable(timeline));
    const std::int64_t pid = c.reports.front().producerId;
    for (const auto &r : c.reports) {
        QCOMPARE(r.producerId, pid);
        QVERIFY2(r.attempts >= 2, qPrintable(timeline)); // both refused once
    }
    QList<std::int32_t> sequences;
    for (const auto &r : c.reports)
        sequences.append(r.sequence);
    std::sort(sequences.begin(), sequences.end());
    QCOMPARE(sequences, (QList<std::int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_uncommitted"), &readError), first + second);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
}

// DUPLICATE_SEQUENCE_NUMBER: the broker already has the batch, so it is a
// success (no error report, no bump). kfake answered without writing, so the
// log stays empty: what matters is that nothing is reported failed or sent
// a second time under a new sequence.
void TstBrokerErrors::duplicateSequenceIsSuccess()
{
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("Produce:DUPLICATE_SEQUENCE_NUMBER:1")});
    Client c;
    c.client->start(config(kfake.bootstrap()));
    c.send(kTopic, numbered(QStringLiteral("dup"), 3));
    QVERIFY(c.waitReports(3));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    for (const auto &r : c.reports)
        QCOMPARE(r.attempts, 1);
    QCOMPARE(kfake.injected(), 1);
    QCOMPARE(c.count(QStringLiteral("InitProducerId(bump)"), QStringLiteral("OK")), 0);
    // Later records are delivered too. (kfake answered the duplicate without
    // writing it, so it expects sequence 0 where kpw goes on at 3: its
    // OUT_OF_ORDER_SEQUENCE_NUMBER makes kpw bump, as a real gap would.)
    c.send(kTopic, numbered(QStringLiteral("after"), 2));
    QVERIFY(c.waitReports(5));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_uncommitted"), &readError),
             numbered(QStringLiteral("after"), 2));
}

void TstBrokerErrors::notCoordinatorOnEndTxnRetried_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::newRow("auto") << QStringLiteral("auto");
    QTest::newRow("v1") << QStringLiteral("1");
}

// NOT_COORDINATOR twice on EndTxn(commit): the producer looks the
// coordinator up again each time and commits.
void TstBrokerErrors::notCoordinatorOnEndTxnRetried()
{
    QFETCH(QString, protocol);
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("EndTxn:NOT_COORDINATOR:2")});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap(), protocol));
    KPW_OK(c.wait(c.client->initTransactions()));
    QCOMPARE(c.status.protocolVersion, protocol == QLatin1StringView("1") ? 1 : 2);
    KPW_OK(c.wait(c.client->beginTransaction()));
    const QStringList values = numbered(QStringLiteral("txn"), 3);
    c.send(kTopic, values);
    KPW_OK(c.wait(c.client->commitTransaction()));
    QCOMPARE(c.status.state, TxnState::Ready);
    QCOMPARE(kfake.injected(), 2);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.count(QStringLiteral("EndTxn(commit)"), QStringLiteral("NOT_COORDINATOR")) == 2, qPrintable(timeline));
    QVERIFY2(c.count(QStringLiteral("EndTxn(commit)"), QStringLiteral("OK")) == 1, qPrintable(timeline));
    // One lookup for initTransactions, one after each NOT_COORDINATOR.
    QVERIFY2(c.count(QStringLiteral("FindCoordinator"), QStringLiteral("OK")) >= 3, qPrintable(timeline));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError), values);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
}

void TstBrokerErrors::concurrentTransactionsOnInitProducerIdRetried()
{
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("InitProducerId:CONCURRENT_TRANSACTIONS:3")});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap()));
    KPW_OK(c.wait(c.client->initTransactions()));
    QCOMPARE(c.status.state, TxnState::Ready);
    QVERIFY(c.status.producerId >= 0);
    QCOMPARE(kfake.injected(), 3);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.count(QStringLiteral("InitProducerId"), QStringLiteral("CONCURRENT_TRANSACTIONS")) == 3,
             qPrintable(timeline));
    QVERIFY2(c.count(QStringLiteral("InitProducerId"), QStringLiteral("OK")) == 1, qPrintable(timeline));
    KPW_OK(c.wait(c.client->beginTransaction()));
    c.send(kTopic, {QStringLiteral("after-init")});
    KPW_OK(c.wait(c.client->commitTransaction()));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError),
             QStringList{QStringLiteral("after-init")});
}

// Transaction protocol v1 only: v2 (KIP-890) adds partitions implicitly.
void TstBrokerErrors::concurrentTransactionsOnAddPartitionsRetried()
{
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("AddPartitionsToTxn:CONCURRENT_TRANSACTIONS:1")});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap(), QStringLiteral("1")));
    KPW_OK(c.wait(c.client->initTransactions()));
    KPW_OK(c.wait(c.client->beginTransaction()));
    const QStringList values = numbered(QStringLiteral("added"), 4);
    c.send(kTopic, values);
    QVERIFY(c.waitReports(values.size()));
    QVERIFY2(c.reportErrors().isEmpty(), qPrintable(c.reportErrors()));
    KPW_OK(c.wait(c.client->commitTransaction()));
    QCOMPARE(kfake.injected(), 1);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.count(QStringLiteral("AddPartitionsToTxn"), QStringLiteral("CONCURRENT_TRANSACTIONS")) == 1,
             qPrintable(timeline));
    QVERIFY2(c.count(QStringLiteral("AddPartitionsToTxn"), QStringLiteral("OK")) == 1, qPrintable(timeline));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError), values);
}

void TstBrokerErrors::coordinatorNotAvailableOnFindCoordinatorRetried()
{
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("FindCoordinator:COORDINATOR_NOT_AVAILABLE:1")});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap()));
    KPW_OK(c.wait(c.client->initTransactions()));
    QCOMPARE(c.status.state, TxnState::Ready);
    QCOMPARE(kfake.injected(), 1);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.count(QStringLiteral("FindCoordinator"), QStringLiteral("COORDINATOR_NOT_AVAILABLE")) == 1,
             qPrintable(timeline));
    QVERIFY2(c.count(QStringLiteral("FindCoordinator"), QStringLiteral("OK")) >= 1, qPrintable(timeline));
    KPW_OK(c.wait(c.client->beginTransaction()));
    c.send(kTopic, {QStringLiteral("found")});
    KPW_OK(c.wait(c.client->commitTransaction()));
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError),
             QStringList{QStringLiteral("found")});
}

void TstBrokerErrors::sendOffsetsRetried_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("api");
    QTest::addColumn<QString>("error");
    // AddOffsetsToTxn exists in protocol v1 only: under v2 TxnOffsetCommit v5
    // adds the group itself (KIP-890, as the Java client).
    QTest::newRow("v1 AddOffsetsToTxn CONCURRENT_TRANSACTIONS")
        << QStringLiteral("1") << QStringLiteral("AddOffsetsToTxn:CONCURRENT_TRANSACTIONS:2")
        << QStringLiteral("AddOffsetsToTxn") << QStringLiteral("CONCURRENT_TRANSACTIONS");
    QTest::newRow("v1 TxnOffsetCommit NOT_COORDINATOR")
        << QStringLiteral("1") << QStringLiteral("TxnOffsetCommit:NOT_COORDINATOR:1")
        << QStringLiteral("TxnOffsetCommit") << QStringLiteral("NOT_COORDINATOR");
    QTest::newRow("v2 TxnOffsetCommit NOT_COORDINATOR")
        << QStringLiteral("auto") << QStringLiteral("TxnOffsetCommit:NOT_COORDINATOR:1")
        << QStringLiteral("TxnOffsetCommit") << QStringLiteral("NOT_COORDINATOR");
}

// sendOffsetsToTransaction through a busy transaction coordinator or a moved
// group coordinator: retried, and the commit makes the offset visible to
// librdkafka's OffsetFetch.
void TstBrokerErrors::sendOffsetsRetried()
{
    QFETCH(QString, protocol);
    QFETCH(QString, rule);
    QFETCH(QString, api);
    QFETCH(QString, error);
    const QString input = QStringLiteral("input");
    const QString group = QStringLiteral("kfake-group");
    KPW_FAKE_CLUSTER(kfake, (QStringList{kTopic, input}), {rule});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap(), protocol));
    KPW_OK(c.wait(c.client->initTransactions()));
    KPW_OK(c.wait(c.client->beginTransaction()));
    c.send(kTopic, {QStringLiteral("processed")});
    ConsumerGroupMetadata g;
    g.groupId = group;
    KPW_OK(c.wait(c.client->sendOffsetsToTransaction({ConsumedOffset{input, 0, 42, {}}}, g)));
    KPW_OK(c.wait(c.client->commitTransaction()));
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    const int injected = kfake.injected();
    QVERIFY2(injected >= 1, qPrintable(kfake.log()));
    QVERIFY2(c.count(api, error) == injected, qPrintable(timeline));
    QVERIFY2(c.count(api, QStringLiteral("OK")) == 1, qPrintable(timeline));
    if (error == QLatin1StringView("NOT_COORDINATOR")) { // the group coordinator was looked up again
        int lookups = 0;
        for (const auto &e : c.events)
            lookups += e.api.startsWith(QLatin1StringView("FindCoordinator")) && e.result == QLatin1StringView("OK") &&
                       e.partitions == QStringLiteral("group %1").arg(group);
        QVERIFY2(lookups == 2, qPrintable(timeline));
    }
    QString readError;
    const auto committed = committedOffset(kfake.bootstrap(), group, input, 0, &readError);
    QVERIFY2(committed.has_value(), qPrintable(readError));
    QCOMPARE(*committed, std::int64_t(42));
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError),
             QStringList{QStringLiteral("processed")});
}

void TstBrokerErrors::outOfOrderInTransactionIsAbortable_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::newRow("auto") << QStringLiteral("auto");
    QTest::newRow("v1") << QStringLiteral("1");
}

// OUT_OF_ORDER_SEQUENCE_NUMBER inside a transaction: ABORTABLE_ERROR, commit
// refused naming the state, abort works with a new epoch (InitProducerId
// bump under protocol v1, the EndTxn bump under v2), and the next
// transaction commits. Nothing of the aborted one is visible to
// read_committed (librdkafka #3575: a bump must not let a commit succeed
// over lost records).
void TstBrokerErrors::outOfOrderInTransactionIsAbortable()
{
    QFETCH(QString, protocol);
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {QStringLiteral("Produce:OUT_OF_ORDER_SEQUENCE_NUMBER:1")});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap(), protocol));
    KPW_OK(c.wait(c.client->initTransactions()));
    const std::int64_t pid = c.status.producerId;
    const std::int16_t epoch = c.status.producerEpoch;
    const int version = c.status.protocolVersion;
    // kfake finalizes transaction.version 2, as Kafka 4.x: auto means v2.
    QCOMPARE(version, protocol == QLatin1StringView("1") ? 1 : 2);
    KPW_OK(c.wait(c.client->beginTransaction()));
    c.send(kTopic, numbered(QStringLiteral("lost"), 3));
    QVERIFY(c.waitReports(3));
    for (const auto &r : c.reports)
        QCOMPARE(r.errorCode, KafkaError::OutOfOrderSequenceNumber);
    QVERIFY(c.waitState(TxnState::AbortableError));
    QCOMPARE(kfake.injected(), 1);

    const Error refused = c.wait(c.client->commitTransaction());
    QCOMPARE(refused.code, KafkaError::InvalidTxnState);
    QVERIFY2(refused.message.contains(QLatin1StringView("ABORTABLE_ERROR")), qPrintable(text(refused)));
    QCOMPARE(c.status.state, TxnState::AbortableError);

    KPW_OK(c.wait(c.client->abortTransaction()));
    QCOMPARE(c.status.state, TxnState::Ready);
    const QString timeline = c.timeline().join(QLatin1Char('\n'));
    QVERIFY2(c.status.producerId == pid && c.status.producerEpoch > epoch,
             qPrintable(QStringLiteral("pid %1 epoch %2 -> pid %3 epoch %4\n%5")
                            .arg(pid)
                            .arg(epoch)
                            .arg(c.status.producerId)
                            .arg(c.status.producerEpoch)
                            .arg(timeline)));
    if (version == 1)
        QVERIFY2(c.count(QStringLiteral("InitProducerId(bump)"), QStringLiteral("OK")) == 1, qPrintable(timeline));
    else
        QVERIFY2(c.count(QStringLiteral("EndTxn(abort) v5"), QStringLiteral("OK")) == 1, qPrintable(timeline));

    KPW_OK(c.wait(c.client->beginTransaction()));
    const QStringList values = numbered(QStringLiteral("kept"), 3);
    c.send(kTopic, values);
    KPW_OK(c.wait(c.client->commitTransaction()));
    QVERIFY(c.waitReports(6));
    for (qsizetype i = 3; i < 6; ++i) {
        QVERIFY2(c.reports.at(i).ok(), qPrintable(c.reports.at(i).errorMessage));
        QCOMPARE(c.reports.at(i).sequence, static_cast<std::int32_t>(i - 3));
    }
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError), values);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
}

void TstBrokerErrors::fencedIsFatal_data()
{
    QTest::addColumn<QString>("rule");
    QTest::newRow("Produce") << QStringLiteral("Produce:PRODUCER_FENCED:1");
    QTest::newRow("EndTxn") << QStringLiteral("EndTxn:PRODUCER_FENCED:1");
}

// PRODUCER_FENCED on Produce or on EndTxn: FATAL_ERROR, "fenced" in the
// reason, and every later call refused naming FATAL_ERROR.
void TstBrokerErrors::fencedIsFatal()
{
    QFETCH(QString, rule);
    KPW_FAKE_CLUSTER(kfake, {kTopic}, {rule});
    Client c;
    c.client->start(txnConfig(kfake.bootstrap()));
    KPW_OK(c.wait(c.client->initTransactions()));
    KPW_OK(c.wait(c.client->beginTransaction()));
    c.send(kTopic, numbered(QStringLiteral("zombie"), 2));
    const Error commit = c.wait(c.client->commitTransaction());
    QVERIFY2(commit.code != KafkaError::None, "the commit of a fenced producer succeeded");
    QVERIFY(c.waitState(TxnState::FatalError));
    QVERIFY2(c.status.lastError.contains(QLatin1StringView("fenced")), qPrintable(c.status.lastError));
    QCOMPARE(kfake.injected(), 1);

    for (const auto &call :
         {&ProducerClient::beginTransaction, &ProducerClient::abortTransaction, &ProducerClient::commitTransaction}) {
        const Error e = c.wait((c.client.get()->*call)());
        QCOMPARE(e.code, KafkaError::InvalidTxnState);
        QVERIFY2(e.message.contains(QLatin1StringView("FATAL_ERROR")), qPrintable(text(e)));
    }
    QString readError;
    QCOMPARE(readBack(kfake.bootstrap(), kTopic, QStringLiteral("read_committed"), &readError), QStringList{});
}

QTEST_GUILESS_MAIN(TstBrokerErrors)
#include "tst_broker_errors.moc"
