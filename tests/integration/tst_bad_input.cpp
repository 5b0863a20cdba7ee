// Failure paths end in a signal or a report, promptly: nothing hangs, nothing
// is silently dropped. Only loopback addresses are used.

#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace kpw;
using namespace kpw::test;

namespace {

ProducerConfig configFor(const QString &bootstrap, const QMap<QString, QString> &settings)
{
    ProducerConfig c;
    const auto ok = c.set(QStringLiteral("bootstrap.servers"), bootstrap);
    Q_ASSERT(ok.ok());
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const auto s = c.set(it.key(), it.value());
        if (!s.ok())
            qWarning("%s", qPrintable(test::errorText(s)));
    }
    return c;
}

// A local port that is certainly closed: bind, note the port, close.
quint16 closedLoopbackPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

} // namespace

class TstBadInput final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void sendBeforeStart();
    void unreachableBootstrap_data();
    void unreachableBootstrap();
    void silentBroker();
    void brokerClosesAtOnce();
    void brokerSendsGarbage_data();
    void brokerSendsGarbage();
    void missingTopic();
    void partitionOutOfRange();
    void recordTooLarge();
    void missingTopicDoesNotHoldUpOthers();
    void stopFailsPendingRecords();

private:
    // Starts `client` and waits for connectionFailed; fails the test if it
    // connects, or if nothing happens within `limitMs`.
    void expectConnectionFailure(const ProducerConfig &config, int limitMs, const QString &mustMention = {});
    std::unique_ptr<ProducerClient> connectedClient(const QMap<QString, QString> &settings,
                                                    QList<DeliveryReport> *reports);

    QString m_boot;
};

void TstBadInput::initTestCase()
{
    qRegisterMetaType<QList<kpw::DeliveryReport>>();
}

void TstBadInput::init()
{
    // Thread-affinity mistakes (a QTimer member left on the caller's thread
    // after moveToThread, ...) only print a warning and then silently never
    // fire: make them failures.
    kpw::test::failOnCrossThreadTimers();
}

void TstBadInput::sendBeforeStart()
{
    ProducerClient client;
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &batch) { reports.append(batch); });
    ProducerRecord r;
    r.topic = QStringLiteral("t");
    r.value = QByteArray("v");
    const quint64 id = client.send(r);
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, 5000);
    QCOMPARE(reports.first().id, id);
    QVERIFY(!reports.first().ok());
    QVERIFY(!reports.first().errorMessage.isEmpty());
}

void TstBadInput::expectConnectionFailure(const ProducerConfig &config, int limitMs, const QString &mustMention)
{
    ProducerClient client;
    QSignalSpy connected(&client, &ProducerClient::connected);
    QSignalSpy failed(&client, &ProducerClient::connectionFailed);
    QElapsedTimer timer;
    timer.start();
    client.start(config);
    // Wait a little past the limit so "late" and "never" are told apart.
    (void)QTest::qWaitFor([&] { return !failed.isEmpty() || !connected.isEmpty(); }, limitMs + 20000);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(connected.isEmpty(), "connected() to something that is not a broker");
    QVERIFY2(!failed.isEmpty(), qPrintable(QStringLiteral("no connectionFailed() within %1 ms").arg(limitMs + 20000)));
    QVERIFY2(elapsed <= limitMs,
             qPrintable(QStringLiteral("connectionFailed() after %1 ms, limit %2 ms").arg(elapsed).arg(limitMs)));
    const QString message = failed.first().first().toString();
    QVERIFY2(!message.isEmpty(), "connectionFailed() with an empty message");
    if (!mustMention.isEmpty())
        QVERIFY2(message.contains(mustMention),
                 qPrintable(QStringLiteral("message does not name %1: %2").arg(mustMention, message)));
    qInfo("connectionFailed after %lld ms: %s", elapsed, qPrintable(message));
    // The client stops cleanly after a failure.
    client.stop();
}

void TstBadInput::unreachableBootstrap_data()
{
    QTest::addColumn<QString>("bootstrap");
    QTest::newRow("127.0.0.1:1") << QStringLiteral("127.0.0.1:1");
    QTest::newRow("closed port") << QStringLiteral("127.0.0.1:%1").arg(closedLoopbackPort());
    QTest::newRow("two closed") << QStringLiteral("127.0.0.1:1,127.0.0.1:%1").arg(closedLoopbackPort());
}

void TstBadInput::unreachableBootstrap()
{
    QFETCH(QString, bootstrap);
    const auto config =
        configFor(bootstrap, {{QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("3000")}});
    expectConnectionFailure(config, 10000, QStringLiteral("127.0.0.1"));
}

void TstBadInput::silentBroker()
{
    // Accepts the TCP connection, never answers ApiVersions.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QPointer<QTcpSocket>> held;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (auto *s = server.nextPendingConnection())
            held.append(s);
    });
    const auto config = configFor(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()),
                                  {{QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("3000")},
                                   {QStringLiteral("request.timeout.ms"), QStringLiteral("3000")}});
    expectConnectionFailure(config, 15000);
    QVERIFY2(!held.isEmpty(), "the client never connected to the silent server");
}

void TstBadInput::brokerClosesAtOnce()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    int accepted = 0;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (auto *s = server.nextPendingConnection()) {
            ++accepted;
            s->close();
            s->deleteLater();
        }
    });
    const auto config = configFor(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()),
                                  {{QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("3000")},
                                   {QStringLiteral("request.timeout.ms"), QStringLiteral("3000")}});
    expectConnectionFailure(config, 15000);
    QVERIFY(accepted > 0);
}

void TstBadInput::brokerSendsGarbage_data()
{
    QTest::addColumn<QByteArray>("reply");
    // A 2 GiB frame must not be allocated; a negative size is nonsense; a
    // short frame with the wrong correlation id; random bytes.
    QTest::newRow("2 GiB frame") << QByteArray::fromHex("7fffffff00000000");
    QTest::newRow("negative size") << QByteArray::fromHex("ffffff00");
    QTest::newRow("wrong correlation id") << QByteArray::fromHex("00000006"
                                                                 "7fffffff"
                                                                 "0000");
    QTest::newRow("truncated ApiVersions") << QByteArray::fromHex("00000008"
                                                                  "00000000"
                                                                  "0000"
                                                                  "0003");
    QTest::newRow("HTTP") << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n");
}

void TstBadInput::brokerSendsGarbage()
{
    QFETCH(QByteArray, reply);
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QPointer<QTcpSocket>> held;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (auto *s = server.nextPendingConnection()) {
            held.append(s);
            // Answer once the request is in, keeping the socket open.
            connect(s, &QTcpSocket::readyRead, s, [s, reply] {
                s->readAll();
                s->write(reply);
            });
        }
    });
    const auto config = configFor(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()),
                                  {{QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("3000")},
                                   {QStringLiteral("request.timeout.ms"), QStringLiteral("3000")}});
    expectConnectionFailure(config, 15000);
}

std::unique_ptr<ProducerClient> TstBadInput::connectedClient(const QMap<QString, QString> &settings,
                                                             QList<DeliveryReport> *reports)
{
    auto client = std::make_unique<ProducerClient>();
    connect(client.get(), &ProducerClient::recordsDelivered, this,
            [reports](const QList<DeliveryReport> &batch) { reports->append(batch); });
    QSignalSpy connected(client.get(), &ProducerClient::connected);
    QSignalSpy failed(client.get(), &ProducerClient::connectionFailed);
    client->start(configFor(m_boot, settings));
    (void)QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, 30000);
    if (connected.isEmpty()) {
        QTest::qFail(qPrintable(QStringLiteral("cannot connect to %1: %2")
                                    .arg(m_boot, failed.isEmpty() ? QStringLiteral("timeout")
                                                                  : failed.first().first().toString())),
                     __FILE__, __LINE__);
        return {};
    }
    return client;
}

void TstBadInput::missingTopic()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    QList<DeliveryReport> reports;
    auto client = connectedClient({{QStringLiteral("allow.auto.create.topics"), QStringLiteral("false")},
                                   {QStringLiteral("max.block.ms"), QStringLiteral("5000")},
                                   {QStringLiteral("delivery.timeout.ms"), QStringLiteral("10000")}},
                                  &reports);
    QVERIFY(client);

    const QString topic = uniqueTopic(QStringLiteral("kpw-missing"));
    ProducerRecord r;
    r.topic = topic;
    r.value = QByteArray("nobody reads this");
    const quint64 id = client->send(r);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, 30000);
    const DeliveryReport &rep = reports.first();
    QCOMPARE(rep.id, id);
    QVERIFY(!rep.ok());
    QCOMPARE(rep.errorName(), QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
    QVERIFY2(rep.errorMessage.contains(topic), qPrintable(rep.errorMessage));
    QCOMPARE(rep.offset, std::int64_t(-1));
    QCOMPARE(rep.topic, topic);

    // The fixture's broker has auto.create.topics.enable=true: the producer
    // must not have asked for the topic to be created.
    QCOMPARE(topicExists(m_boot, topic), std::optional<bool>(false));
}

void TstBadInput::partitionOutOfRange()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    const QString topic = uniqueTopic(QStringLiteral("kpw-onepart"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = connectedClient({{QStringLiteral("max.block.ms"), QStringLiteral("5000")},
                                   {QStringLiteral("delivery.timeout.ms"), QStringLiteral("10000")}},
                                  &reports);
    QVERIFY(client);
    ProducerRecord r;
    r.topic = topic;
    r.partition = 5;
    r.value = QByteArray("x");
    client->send(r);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, 30000);
    QVERIFY(!reports.first().ok());
    QVERIFY(!reports.first().errorMessage.isEmpty());
    qInfo("partition 5 of 1: %s %s", qPrintable(reports.first().errorName()), qPrintable(reports.first().errorMessage));
}

void TstBadInput::recordTooLarge()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    const QString topic = uniqueTopic(QStringLiteral("kpw-large"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = connectedClient({{QStringLiteral("max.request.size"), QStringLiteral("1024")}}, &reports);
    QVERIFY(client);
    ProducerRecord big;
    big.topic = topic;
    big.value = QByteArray(4096, 'x');
    ProducerRecord small;
    small.topic = topic;
    small.value = QByteArray("fits");
    client->send(big);
    client->send(small);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, 30000);
    std::sort(reports.begin(), reports.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    QCOMPARE(reports[0].errorName(), QStringLiteral("RECORD_TOO_LARGE"));
    QVERIFY2(reports[1].ok(), qPrintable(reports[1].errorName() + QStringLiteral(" ") + reports[1].errorMessage));
}

void TstBadInput::missingTopicDoesNotHoldUpOthers()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    const QString good = uniqueTopic(QStringLiteral("kpw-good"));
    KPW_CREATE_TOPIC(m_boot, good, 1);
    const QString missing = uniqueTopic(QStringLiteral("kpw-missing"));
    QList<DeliveryReport> reports;
    auto client = connectedClient({{QStringLiteral("max.block.ms"), QStringLiteral("5000")}}, &reports);
    QVERIFY(client);
    QList<ProducerRecord> records;
    for (int i = 0; i < 20; ++i) {
        ProducerRecord r;
        r.topic = i % 2 ? missing : good;
        r.value = QByteArray::number(i);
        records.append(r);
    }
    const quint64 first = client->send(records);
    client->flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 20, 30000);
    for (const auto &rep : std::as_const(reports)) {
        const bool shouldFail = (rep.id - first) % 2 == 1;
        QCOMPARE(rep.topic, shouldFail ? missing : good);
        if (shouldFail)
            QCOMPARE(rep.errorName(), QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
        else
            QVERIFY2(rep.ok(), qPrintable(rep.errorName() + QStringLiteral(" ") + rep.errorMessage));
    }
}

void TstBadInput::stopFailsPendingRecords()
{
    // Records still lingering when the producer stops are reported as
    // failed, not dropped.
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
    const QString topic = uniqueTopic(QStringLiteral("kpw-stop"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QList<DeliveryReport> reports;
    auto client = connectedClient({{QStringLiteral("linger.ms"), QStringLiteral("60000")},
                                   {QStringLiteral("batch.size"), QStringLiteral("1000000")}},
                                  &reports);
    QVERIFY(client);
    QList<ProducerRecord> records;
    for (int i = 0; i < 100; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.value = QByteArray::number(i);
        records.append(r);
    }
    client->send(records);
    QTest::qWait(300); // queued on the engine, lingering
    QVERIFY(reports.isEmpty());
    client->stop();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 100, 5000);
    QSet<quint64> ids;
    for (const auto &rep : std::as_const(reports)) {
        QVERIFY2(!rep.ok(), "a lingering record was reported delivered after stop()");
        QVERIFY(!rep.errorMessage.isEmpty());
        ids.insert(rep.id);
    }
    QCOMPARE(ids.size(), 100);
}

QTEST_GUILESS_MAIN(TstBadInput)
#include "tst_bad_input.moc"
