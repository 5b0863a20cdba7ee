// ProducerClient as a thread-safe facade: restart, destruction while busy,
// send() from several threads, and broker-assigned timestamps.

#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"

#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QElapsedTimer>
#include <QThread>

#include <memory>

using namespace kpw;
using namespace kpw::test;

class TstProducerLifecycle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void restartKeepsIdsIncreasing();
    void destroyWhileBusy();
    void sendFromManyThreads();
    void logAppendTimeIsReported();

private:
    ProducerConfig config(const QMap<QString, QString> &settings = {}) const;
    // Starts `client` and waits for connected().
    bool startAndWait(ProducerClient &client, const ProducerConfig &config);

    QString m_boot;
};

void TstProducerLifecycle::initTestCase()
{
    qRegisterMetaType<QList<kpw::DeliveryReport>>();
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstProducerLifecycle::init()
{
    kpw::test::failOnCrossThreadTimers();
}

ProducerConfig TstProducerLifecycle::config(const QMap<QString, QString> &settings) const
{
    ProducerConfig c;
    (void)c.set(QStringLiteral("bootstrap.servers"), m_boot);
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const auto r = c.set(it.key(), it.value());
        if (!r.ok())
            qWarning("%s", qPrintable(errorText(r)));
    }
    return c;
}

bool TstProducerLifecycle::startAndWait(ProducerClient &client, const ProducerConfig &config)
{
    QSignalSpy connected(&client, &ProducerClient::connected);
    QSignalSpy failed(&client, &ProducerClient::connectionFailed);
    client.start(config);
    (void)QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, 30000);
    if (!failed.isEmpty())
        qWarning("connectionFailed: %s", qPrintable(failed.first().first().toString()));
    return !connected.isEmpty();
}

void TstProducerLifecycle::restartKeepsIdsIncreasing()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-restart"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    ProducerClient client;
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &b) { reports.append(b); });
    ProducerRecord r;
    r.topic = topic;
    r.value = QByteArray("v");

    QVERIFY(startAndWait(client, config()));
    const quint64 a = client.send(QList<ProducerRecord>(10, r));
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 10, 30000);

    QVERIFY(startAndWait(client, config({{QStringLiteral("linger.ms"), QStringLiteral("0")}}))); // restart
    const quint64 b = client.send(QList<ProducerRecord>(10, r));
    QVERIFY2(b >= a + 10, "ids restarted after start()");
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 20, 30000);
    QSet<quint64> ids;
    for (const auto &rep : std::as_const(reports)) {
        QVERIFY2(rep.ok(), qPrintable(rep.errorName() + QStringLiteral(" ") + rep.errorMessage));
        ids.insert(rep.id);
    }
    QCOMPARE(ids.size(), 20);
    QCOMPARE(consumeAll(m_boot, topic, 20, 30000).size(), 20);
}

void TstProducerLifecycle::destroyWhileBusy()
{
    // Records queued and in flight when the client goes away: no crash, no
    // hang, no warning.
    const QString topic = uniqueTopic(QStringLiteral("kpw-destroy"));
    KPW_CREATE_TOPIC(m_boot, topic, 3);
    for (int round = 0; round < 5; ++round) {
        auto client = std::make_unique<ProducerClient>();
        QVERIFY(startAndWait(*client, config()));
        ProducerRecord r;
        r.topic = topic;
        r.value = QByteArray(200, 'x');
        client->send(QList<ProducerRecord>(5000, r));
        QTest::qWait(round * 20);
        QElapsedTimer t;
        t.start();
        client.reset();
        QVERIFY2(t.elapsed() < 10000, qPrintable(QStringLiteral("destruction took %1 ms").arg(t.elapsed())));
    }
    // A client destroyed before it ever connected.
    {
        ProducerClient c;
        c.start(config());
    }
}

void TstProducerLifecycle::sendFromManyThreads()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-threads"));
    KPW_CREATE_TOPIC(m_boot, topic, 3);
    ProducerClient client;
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &b) { reports.append(b); });
    // One request in flight: each thread's order is checked below, and a
    // retried batch must not be overtaken.
    QVERIFY(
        startAndWait(client, config({{QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")}})));

    constexpr int threads = 4;
    constexpr int perThread = 500;
    QList<QThread *> workers;
    QList<QList<quint64>> idsPerThread(threads);
    for (int t = 0; t < threads; ++t) {
        workers.append(QThread::create([&client, &idsPerThread, t, topic] {
            for (int i = 0; i < perThread; ++i) {
                ProducerRecord r;
                r.topic = topic;
                r.key = QByteArray("t") + QByteArray::number(t);
                r.value = QByteArray::number(t * perThread + i);
                idsPerThread[t].append(client.send(r));
            }
        }));
    }
    for (auto *w : workers)
        w->start();
    for (auto *w : workers) {
        QVERIFY(w->wait(30000));
        delete w;
    }
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), threads * perThread, 30000);

    QSet<quint64> sentIds;
    for (const auto &ids : idsPerThread)
        for (quint64 id : ids)
            sentIds.insert(id);
    QCOMPARE(sentIds.size(), threads * perThread); // no id handed out twice
    QSet<quint64> reportedIds;
    for (const auto &rep : std::as_const(reports)) {
        QVERIFY2(rep.ok(), qPrintable(rep.errorName() + QStringLiteral(" ") + rep.errorMessage));
        reportedIds.insert(rep.id);
    }
    QCOMPARE(reportedIds, sentIds);

    // Each thread's records (one key each) keep that thread's order.
    const auto consumed = consumeAll(m_boot, topic, threads * perThread, 30000);
    QCOMPARE(consumed.size(), threads * perThread);
    QHash<QByteArray, int> last;
    for (const auto &c : consumed) {
        const int v = c.value->toInt();
        QVERIFY2(v > last.value(*c.key, -1), qPrintable(describe(c)));
        last[*c.key] = v;
    }
}

void TstProducerLifecycle::logAppendTimeIsReported()
{
    // With message.timestamp.type=LogAppendTime the broker overwrites the
    // timestamps; the report carries the broker's time, as a consumer sees it.
    const QString topic = uniqueTopic(QStringLiteral("kpw-logappend"));
    QString error;
    QVERIFY2(createTopic(m_boot, topic, 1,
                         {{QStringLiteral("message.timestamp.type"), QStringLiteral("LogAppendTime")}}, &error),
             qPrintable(error));
    ProducerClient client;
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &b) { reports.append(b); });
    QVERIFY(startAndWait(client, config()));
    ProducerRecord r;
    r.topic = topic;
    r.value = QByteArray("v");
    r.timestampMs = 1000; // 1970: certainly not the append time
    client.send(r);
    client.send(r);
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, 30000);
    const auto consumed = consumeAll(m_boot, topic, 2, 30000);
    QCOMPARE(consumed.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QVERIFY(reports[i].ok());
        QVERIFY(consumed[i].logAppendTime);
        QVERIFY(consumed[i].timestampMs > 1000);
        QCOMPARE(reports[i].timestampMs, consumed[i].timestampMs);
    }
}

QTEST_GUILESS_MAIN(TstProducerLifecycle)
#include "tst_producer_lifecycle.moc"
