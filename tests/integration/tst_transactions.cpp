// The idempotent and transactional producer against the real broker, with
// librdkafka as the independent reader: read_committed sees exactly the
// committed records; fencing; offsets sent in a transaction; a lost ack
// with and without idempotence; calls in the wrong state.

#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QHash>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace kpw;
using namespace kpw::test;

namespace {

// A ProducerClient with its call results and reports collected.
struct Client
{
    std::unique_ptr<ProducerClient> client = std::make_unique<ProducerClient>();
    QHash<quint64, Error> done;
    QList<DeliveryReport> reports;
    QList<ProtocolEvent> events;
    TxnStatus status;
    bool connected = false;

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
        QObject::connect(client.get(), &ProducerClient::connected, client.get(), [this] { connected = true; });
        client->setProtocolTrace(true);
    }
    // Waits for the call's result.
    Error wait(quint64 id, int timeoutMs = 60000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!done.contains(id) && !deadline.hasExpired())
            QTest::qWait(10);
        return done.value(id, Error{KafkaError::ClientTimeout, QStringLiteral("no answer from the engine")});
    }
    bool waitReports(qsizetype n, int timeoutMs = 60000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (reports.size() < n && !deadline.hasExpired())
            QTest::qWait(10);
        return reports.size() >= n;
    }
    void send(const QString &topic, const QStringList &values, std::int32_t partition = 0)
    {
        QList<ProducerRecord> records;
        for (const auto &v : values) {
            ProducerRecord r;
            r.topic = topic;
            r.partition = partition;
            r.value = v.toUtf8();
            records.append(r);
        }
        client->send(records);
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

QStringList values(const QList<ConsumedRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out.append(QString::fromUtf8(r.value.value_or(QByteArray("<null>"))));
    return out;
}

} // namespace

class TstTransactions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void refusedInTheWrongState();
    void conflictingSettingsNameBothKeys();
    void committedVisibleAbortedNot_data();
    void committedVisibleAbortedNot();
    void fencedByASecondProducer();
    void sendOffsetsCommitAndAbort();
    void lostAckIdempotentWritesOnce();
    void lostAckWithoutIdempotenceDuplicates();
    void injectedRetriableErrorIsDeduplicated();

private:
    ProducerConfig config(const QMap<QString, QString> &settings = {}) const;

    QString m_boot;
};

void TstTransactions::initTestCase()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstTransactions::init()
{
    kpw::test::failOnCrossThreadTimers();
}

ProducerConfig TstTransactions::config(const QMap<QString, QString> &settings) const
{
    ProducerConfig c;
    (void)c.set(QStringLiteral("bootstrap.servers"), m_boot);
    (void)c.set(QStringLiteral("linger.ms"), QStringLiteral("1"));
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const auto r = c.set(it.key(), it.value());
        if (!r)
            qFatal("config %s: %s", qPrintable(it.key()), qPrintable(r.error().message));
    }
    return c;
}

void TstTransactions::refusedInTheWrongState()
{
    const QString topic = uniqueTopic(QStringLiteral("txn-state"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    Client c;
    c.client->start(config({{QStringLiteral("transactional.id"), uniqueTopic(QStringLiteral("tid"))}}));

    // Before initTransactions: every call names UNINITIALIZED.
    Error e = c.wait(c.client->beginTransaction());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    QVERIFY2(e.message.contains(QLatin1StringView("UNINITIALIZED")), qPrintable(e.message));
    e = c.wait(c.client->commitTransaction());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    QVERIFY2(e.message.contains(QLatin1StringView("UNINITIALIZED")), qPrintable(e.message));

    KPW_OK(c.wait(c.client->initTransactions()));
    QCOMPARE(c.status.state, TxnState::Ready);
    QVERIFY(c.status.producerId >= 0);
    QVERIFY(c.status.producerEpoch >= 0);

    // READY: no commit, no abort, no send.
    e = c.wait(c.client->commitTransaction());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    QVERIFY2(e.message.contains(QLatin1StringView("READY")), qPrintable(e.message));
    c.send(topic, {QStringLiteral("outside")});
    QVERIFY(c.waitReports(1));
    QCOMPARE(c.reports.front().errorCode, KafkaError::InvalidTxnState);
    QVERIFY2(c.reports.front().errorMessage.contains(QLatin1StringView("beginTransaction")),
             qPrintable(c.reports.front().errorMessage));

    // IN_TRANSACTION: no second begin, no second init.
    KPW_OK(c.wait(c.client->beginTransaction()));
    e = c.wait(c.client->beginTransaction());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    QVERIFY2(e.message.contains(QLatin1StringView("IN_TRANSACTION")), qPrintable(e.message));
    e = c.wait(c.client->initTransactions());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    KPW_OK(c.wait(c.client->abortTransaction()));
    QCOMPARE(c.status.state, TxnState::Ready);

    // Not transactional at all: the call says what is missing.
    Client plain;
    plain.client->start(config());
    e = plain.wait(plain.client->initTransactions());
    QCOMPARE(e.code, KafkaError::InvalidTxnState);
    QVERIFY2(e.message.contains(QLatin1StringView("transactional.id")), qPrintable(e.message));
}

void TstTransactions::conflictingSettingsNameBothKeys()
{
    ProducerConfig c = config({{QStringLiteral("enable.idempotence"), QStringLiteral("true")},
                               {QStringLiteral("acks"), QStringLiteral("1")}});
    auto v = c.validate();
    QVERIFY(!v);
    QVERIFY2(v.error().message.contains(QLatin1StringView("enable.idempotence")) &&
                 v.error().message.contains(QLatin1StringView("acks")),
             qPrintable(v.error().message));
    // Unset, idempotence steps aside for acks=1, as in the Java client.
    ProducerConfig d = config({{QStringLiteral("acks"), QStringLiteral("1")}});
    QVERIFY(d.validate().ok());
    QVERIFY(!d.idempotent());
    QVERIFY(config().idempotent());
    ProducerConfig t = config({{QStringLiteral("transactional.id"), QStringLiteral("x")},
                               {QStringLiteral("enable.idempotence"), QStringLiteral("false")}});
    auto tv = t.validate();
    QVERIFY(!tv);
    QVERIFY2(tv.error().message.contains(QLatin1StringView("transactional.id")), qPrintable(tv.error().message));
}

void TstTransactions::committedVisibleAbortedNot_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::newRow("auto (v2 on Kafka 4.x)") << QStringLiteral("auto");
    QTest::newRow("v1 (AddPartitionsToTxn)") << QStringLiteral("1");
}

void TstTransactions::committedVisibleAbortedNot()
{
    QFETCH(QString, protocol);
    const QString topic = uniqueTopic(QStringLiteral("txn-commit"));
    KPW_CREATE_TOPIC(m_boot, topic, 2);
    Client c;
    c.client->start(config({{QStringLiteral("transactional.id"), uniqueTopic(QStringLiteral("tid"))},
                            {QStringLiteral("kpw.transaction.protocol"), protocol}}));
    KPW_OK(c.wait(c.client->initTransactions()));
    const int expectedProtocol = protocol == QLatin1StringView("1") ? 1 : 2; // Kafka 4.3 finalizes v2
    QCOMPARE(c.status.protocolVersion, expectedProtocol);

    QStringList committed;
    for (int t = 1; t <= 4; ++t) {
        const bool commit = t != 2 && t != 4;
        KPW_OK(c.wait(c.client->beginTransaction()));
        QStringList vals;
        for (int i = 0; i < 5; ++i)
            vals.append(QStringLiteral("t%1-r%2").arg(t).arg(i));
        c.send(topic, vals, t % 2);
        // Transaction 2 is aborted once its records are in the log (where
        // read_uncommitted sees them); 4 at once, while they still linger.
        if (t != 4) {
            QVERIFY(c.waitReports(5 * t));
        }
        if (commit) {
            KPW_OK(c.wait(c.client->commitTransaction()));
            committed += vals;
        } else {
            KPW_OK(c.wait(c.client->abortTransaction()));
        }
        QCOMPARE(c.status.state, TxnState::Ready);
    }
    QVERIFY(c.waitReports(20));
    // Every record of a committed transaction was acknowledged, with its
    // sequence number; records of aborted ones are acknowledged or aborted.
    int acknowledged = 0;
    for (const auto &r : c.reports) {
        if (!r.ok())
            continue;
        ++acknowledged;
        QCOMPARE(r.producerId, c.status.producerId);
        QVERIFY(r.producerEpoch >= 0);
        QVERIFY(r.sequence >= 0);
    }
    QVERIFY(acknowledged >= committed.size());
    // Records still queued when transaction 4 was aborted are reported as
    // TRANSACTION_ABORTED, never silently dropped.
    for (const auto &r : c.reports)
        if (!r.ok())
            QVERIFY2(r.errorCode == KafkaError::ClientTransactionAborted &&
                         r.errorMessage.contains(QLatin1StringView("aborted")),
                     qPrintable(r.errorMessage));

    QString error;
    auto readCommitted =
        consumeAll(m_boot, topic, static_cast<int>(committed.size()), 20000, QStringLiteral("read_committed"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList got = values(readCommitted);
    got.sort();
    QStringList want = committed;
    want.sort();
    QCOMPARE(got, want);
    // read_uncommitted also sees every acknowledged record of the aborted ones.
    auto all = consumeAll(m_boot, topic, acknowledged, 20000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(all.size(), acknowledged);
    QVERIFY(acknowledged >= 15);
    // A few quiet seconds more: nothing else shows up for read_committed.
    auto again = consumeAll(m_boot, topic, 1000, 2000, QStringLiteral("read_committed"), &error);
    QCOMPARE(again.size(), committed.size());

    // The timeline shows the coordinator calls of the protocol in use.
    QStringList apis;
    for (const auto &e : c.events)
        apis.append(e.api);
    const QString joined = apis.join(QLatin1Char('|'));
    QVERIFY2(joined.contains(QLatin1StringView("InitProducerId")), qPrintable(joined));
    QVERIFY2(joined.contains(QStringLiteral("EndTxn(commit) v%1").arg(expectedProtocol == 2 ? 5 : 4)),
             qPrintable(joined));
    QVERIFY2(joined.contains(QLatin1StringView("EndTxn(abort)")), qPrintable(joined));
    QCOMPARE(joined.contains(QLatin1StringView("AddPartitionsToTxn")), expectedProtocol == 1);
}

void TstTransactions::fencedByASecondProducer()
{
    const QString topic = uniqueTopic(QStringLiteral("txn-fence"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    const QString tid = uniqueTopic(QStringLiteral("tid-fence"));
    Client first;
    first.client->start(config({{QStringLiteral("transactional.id"), tid}}));
    KPW_OK(first.wait(first.client->initTransactions()));
    KPW_OK(first.wait(first.client->beginTransaction()));
    first.send(topic, {QStringLiteral("zombie-1"), QStringLiteral("zombie-2")});
    QVERIFY(first.waitReports(2));
    for (const auto &r : first.reports)
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
    const std::int16_t firstEpoch = first.status.producerEpoch;

    // Same transactional.id: the coordinator bumps the epoch and aborts the
    // first producer's open transaction.
    Client second;
    second.client->start(config({{QStringLiteral("transactional.id"), tid}}));
    KPW_OK(second.wait(second.client->initTransactions()));
    QVERIFY(second.status.producerEpoch > firstEpoch);
    KPW_OK(second.wait(second.client->beginTransaction()));
    second.send(topic, {QStringLiteral("survivor")});
    KPW_OK(second.wait(second.client->commitTransaction()));

    // The zombie's next call fails as fenced, and it stays fatal.
    first.send(topic, {QStringLiteral("zombie-3")});
    const Error e = first.wait(first.client->commitTransaction());
    QVERIFY2(e.code == KafkaError::ProducerFenced || e.code == KafkaError::InvalidProducerEpoch ||
                 e.code == KafkaError::InvalidTxnState,
             qPrintable(text(e)));
    QTRY_COMPARE_WITH_TIMEOUT(first.status.state, TxnState::FatalError, 30000);
    QVERIFY2(first.status.lastError.contains(QLatin1StringView("fenced")), qPrintable(first.status.lastError));
    const Error after = first.wait(first.client->beginTransaction());
    QCOMPARE(after.code, KafkaError::InvalidTxnState);
    QVERIFY2(after.message.contains(QLatin1StringView("FATAL_ERROR")), qPrintable(after.message));

    QString error;
    auto seen = consumeAll(m_boot, topic, 1, 20000, QStringLiteral("read_committed"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto settle = consumeAll(m_boot, topic, 100, 2000, QStringLiteral("read_committed"), &error);
    QCOMPARE(values(settle), QStringList{QStringLiteral("survivor")});
}

void TstTransactions::sendOffsetsCommitAndAbort()
{
    const QString topic = uniqueTopic(QStringLiteral("txn-offsets"));
    const QString input = uniqueTopic(QStringLiteral("txn-input"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    KPW_CREATE_TOPIC(m_boot, input, 1);
    const QString committedGroup = uniqueTopic(QStringLiteral("group-commit"));
    const QString abortedGroup = uniqueTopic(QStringLiteral("group-abort"));
    Client c;
    c.client->start(config({{QStringLiteral("transactional.id"), uniqueTopic(QStringLiteral("tid"))}}));
    KPW_OK(c.wait(c.client->initTransactions()));

    const auto run = [&](const QString &group, std::int64_t offset, bool commit) -> Error {
        if (Error e = c.wait(c.client->beginTransaction()); e.code)
            return e;
        c.send(topic, {QStringLiteral("processed-%1").arg(offset)});
        ConsumerGroupMetadata g;
        g.groupId = group;
        if (Error e = c.wait(c.client->sendOffsetsToTransaction({ConsumedOffset{input, 0, offset, {}}}, g)); e.code)
            return e;
        return c.wait(commit ? c.client->commitTransaction() : c.client->abortTransaction());
    };
    KPW_OK(run(committedGroup, 42, true));
    KPW_OK(run(abortedGroup, 7, false));

    QString error;
    const auto committed = committedOffset(m_boot, committedGroup, input, 0, &error);
    QVERIFY2(committed.has_value(), qPrintable(error));
    QCOMPARE(*committed, std::int64_t(42));
    const auto aborted = committedOffset(m_boot, abortedGroup, input, 0, &error);
    QVERIFY2(aborted.has_value(), qPrintable(error));
    QCOMPARE(*aborted, std::int64_t(-1001)); // nothing committed for the aborted group
}

void TstTransactions::lostAckIdempotentWritesOnce()
{
    const QString topic = uniqueTopic(QStringLiteral("lost-ack-idem"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    Client c;
    c.client->start(config());
    QTRY_VERIFY_WITH_TIMEOUT(c.connected, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(c.status.producerId >= 0, 30000);
    c.client->injectFault({FaultSpec::Kind::LostAck, 2, 0, 0});
    QStringList sent;
    for (int i = 0; i < 30; ++i) {
        sent.append(QStringLiteral("rec-%1").arg(i));
        c.send(topic, {sent.back()});
        QTest::qWait(5); // several requests, so the second one is the lost one
    }
    QVERIFY(c.waitReports(30));
    QSet<std::int64_t> offsets;
    for (const auto &r : c.reports) {
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
        offsets.insert(r.offset);
    }
    QCOMPARE(offsets.size(), 30); // no two records reported at one offset
    bool faultSeen = false;
    for (const auto &e : c.events)
        faultSeen = faultSeen || (e.fault && e.detail.contains(QLatin1StringView("lost ack")));
    QVERIFY2(faultSeen, "the lost ack never fired: the test proves nothing");

    QString error;
    auto got = consumeAll(m_boot, topic, 30, 20000, QStringLiteral("read_uncommitted"), &error);
    auto settle = consumeAll(m_boot, topic, 1000, 2000, QStringLiteral("read_uncommitted"), &error);
    QCOMPARE(values(settle), sent); // exactly once, in order
}

void TstTransactions::lostAckWithoutIdempotenceDuplicates()
{
    const QString topic = uniqueTopic(QStringLiteral("lost-ack-plain"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    Client c;
    c.client->start(config({{QStringLiteral("enable.idempotence"), QStringLiteral("false")},
                            {QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")}}));
    QTRY_VERIFY_WITH_TIMEOUT(c.connected, 30000);
    c.client->injectFault({FaultSpec::Kind::LostAck, 1, 0, 0});
    c.send(topic, {QStringLiteral("once"), QStringLiteral("twice?")});
    QVERIFY(c.waitReports(2));
    for (const auto &r : c.reports)
        QVERIFY2(r.ok(), qPrintable(r.errorMessage));
    QCOMPARE(c.reports.front().producerId, std::int64_t(-1));
    QString error;
    auto settle = consumeAll(m_boot, topic, 4, 20000, QStringLiteral("read_uncommitted"), &error);
    // The retry wrote the batch again: the consumer sees it twice.
    QCOMPARE(values(settle), (QStringList{QStringLiteral("once"), QStringLiteral("twice?"), QStringLiteral("once"),
                                          QStringLiteral("twice?")}));
}

void TstTransactions::injectedRetriableErrorIsDeduplicated()
{
    const QString topic = uniqueTopic(QStringLiteral("inject-error"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    Client c;
    c.client->start(config());
    QTRY_VERIFY_WITH_TIMEOUT(c.status.producerId >= 0, 30000);
    c.client->injectFault({FaultSpec::Kind::InjectError, 1, 0, KafkaError::NotLeaderOrFollower});
    c.send(topic, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    QVERIFY(c.waitReports(3));
    QCOMPARE(c.reports.front().attempts, 2);             // retried once
    QCOMPARE(c.reports.front().offset, std::int64_t(0)); // and reported at the original offset
    QString error;
    auto settle = consumeAll(m_boot, topic, 100, 5000, QStringLiteral("read_uncommitted"), &error);
    QCOMPARE(values(settle), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
}

QTEST_GUILESS_MAIN(TstTransactions)
#include "tst_transactions.moc"
