// buffer.memory and max.block.ms, a batch the broker refuses as too large,
// and the statistics the producer publishes; against the real broker.
#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"
#include "producer/ProducerClient.h"

#include <QSignalSpy>
#include <QTest>

using namespace kpw;

class TstProducerLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bufferFullFailsAtOnceWithoutBlocking();
    void bufferFullWaitsWhenBlocking();
    void tooLargeBatchIsSplit();
    void statsArePublished();

private:
    static ProducerConfig config(const QString &boot, const QMap<QString, QString> &extra = {});
    static bool waitConnected(ProducerClient &client);
};

ProducerConfig TstProducerLimits::config(const QString &boot, const QMap<QString, QString> &extra)
{
    ProducerConfig c;
    c.set(QStringLiteral("bootstrap.servers"), boot);
    for (auto it = extra.cbegin(); it != extra.cend(); ++it) {
        auto r = c.set(it.key(), it.value());
        if (!r)
            qFatal("bad test setting %s", qPrintable(it.key()));
    }
    return c;
}

bool TstProducerLimits::waitConnected(ProducerClient &client)
{
    QSignalSpy connected(&client, &ProducerClient::connected);
    return connected.wait(30000);
}

void TstProducerLimits::bufferFullFailsAtOnceWithoutBlocking()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = test::uniqueTopic(QStringLiteral("limits-buffer"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    // A long linger keeps everything buffered while the records are sent.
    ProducerClient client;
    client.setBlockingSends(false);
    client.start(config(boot, {{QStringLiteral("buffer.memory"), QStringLiteral("4096")},
                               {QStringLiteral("linger.ms"), QStringLiteral("2000")}}));
    QVERIFY(waitConnected(client));
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&](const QList<DeliveryReport> &r) { reports.append(r); });
    QList<ProducerRecord> records;
    for (int i = 0; i < 100; ++i)
        records.append({topic, 0, std::nullopt, QByteArray(200, char('a' + i % 26)), {}, std::nullopt});
    client.send(records);
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 100, 30000);
    int ok = 0;
    int full = 0;
    for (const auto &r : reports) {
        if (r.ok())
            ++ok;
        else if (r.errorName() == QLatin1StringView("BUFFER_FULL"))
            ++full;
        else
            QFAIL(qPrintable(QStringLiteral("unexpected error %1: %2").arg(r.errorName(), r.errorMessage)));
    }
    // 4096 bytes hold a dozen or so 200-byte records; the rest are refused
    // at once, named, and none is lost.
    QVERIFY2(ok > 5 && ok < 30, qPrintable(QString::number(ok)));
    QCOMPARE(ok + full, 100);
    const auto refused =
        std::find_if(reports.cbegin(), reports.cend(), [](const DeliveryReport &r) { return !r.ok(); });
    QVERIFY2(refused->errorMessage.contains(QStringLiteral("buffer.memory=4096")), qPrintable(refused->errorMessage));
    // The accepted ones are really in the log.
    const auto read = test::consumeAll(boot, topic, ok, 30000);
    QCOMPARE(read.size(), ok);
}

void TstProducerLimits::bufferFullWaitsWhenBlocking()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = test::uniqueTopic(QStringLiteral("limits-block"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    // With room for a few records and max.block.ms of 30 s, send() waits for
    // acknowledgements to free the buffer: every record gets through.
    ProducerClient client;
    client.start(config(boot, {{QStringLiteral("buffer.memory"), QStringLiteral("2048")},
                               {QStringLiteral("max.block.ms"), QStringLiteral("30000")},
                               {QStringLiteral("linger.ms"), QStringLiteral("0")}}));
    QVERIFY(waitConnected(client));
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&](const QList<DeliveryReport> &r) { reports.append(r); });
    // send() blocks this thread, so it runs on another one while this
    // thread's event loop takes the reports.
    std::thread sender([&] {
        for (int i = 0; i < 60; ++i)
            client.send(ProducerRecord{topic, 0, std::nullopt, QByteArray(300, 'x'), {}, std::nullopt});
    });
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 60, 60000);
    sender.join();
    for (const auto &r : reports)
        QVERIFY2(r.ok(), qPrintable(r.errorName() + QStringLiteral(": ") + r.errorMessage));
}

void TstProducerLimits::tooLargeBatchIsSplit()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = test::uniqueTopic(QStringLiteral("limits-split"));
    QString error;
    QVERIFY2(test::createTopic(boot, topic, 1, {{QStringLiteral("max.message.bytes"), QStringLiteral("3000")}}, &error),
             qPrintable(error));
    // 40 records of 200 B in one batch (long linger, big batch.size) make a
    // batch of about 9 KB, which the topic refuses; the producer splits it
    // until the pieces fit, and order is kept.
    ProducerClient client;
    client.start(config(boot, {{QStringLiteral("linger.ms"), QStringLiteral("500")},
                               {QStringLiteral("batch.size"), QStringLiteral("1048576")},
                               {QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("1")}}));
    QVERIFY(waitConnected(client));
    QList<DeliveryReport> reports;
    QStringList log;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&](const QList<DeliveryReport> &r) { reports.append(r); });
    connect(&client, &ProducerClient::logMessage, this, [&](const QString &l) { log.append(l); });
    QList<ProducerRecord> records;
    for (int i = 0; i < 40; ++i)
        records.append({topic, 0, QByteArray::number(i), QByteArray(200, 'v'), {}, std::nullopt});
    client.send(records);
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 40, 30000);
    for (const auto &r : reports)
        QVERIFY2(r.ok(), qPrintable(r.errorName() + QStringLiteral(": ") + r.errorMessage));
    QVERIFY2(log.join(QLatin1Char('\n')).contains(QStringLiteral("split")), qPrintable(log.join(QLatin1Char('\n'))));
    const auto read = test::consumeAll(boot, topic, 40, 30000);
    QCOMPARE(read.size(), 40);
    for (int i = 0; i < 40; ++i)
        QCOMPARE(read[i].key.value_or(QByteArray()), QByteArray::number(i));
}

void TstProducerLimits::statsArePublished()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = test::uniqueTopic(QStringLiteral("limits-stats"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    ProducerClient client;
    client.start(config(boot, {{QStringLiteral("compression.type"), QStringLiteral("gzip")}}));
    QVERIFY(waitConnected(client));
    QList<ProducerStats> stats;
    int delivered = 0;
    connect(&client, &ProducerClient::statsUpdated, this, [&](const ProducerStats &s) { stats.append(s); });
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&](const QList<DeliveryReport> &r) { delivered += static_cast<int>(r.size()); });
    QList<ProducerRecord> records;
    for (int i = 0; i < 2000; ++i)
        records.append({topic, 0, std::nullopt, QByteArray(100, 'z'), {}, std::nullopt});
    client.send(records);
    QTRY_COMPARE_WITH_TIMEOUT(delivered, 2000, 30000);
    // The interval in which the records were acknowledged has rates and
    // latencies; totals count every record; gzip shrank the repetitive values.
    QTRY_VERIFY_WITH_TIMEOUT(!stats.isEmpty() && stats.last().recordsDelivered == 2000, 5000);
    const auto busy =
        std::find_if(stats.cbegin(), stats.cend(), [](const ProducerStats &s) { return s.recordsPerSec > 0; });
    QVERIFY(busy != stats.cend());
    QVERIFY(busy->latencyP50Ms > 0);
    QVERIFY(busy->latencyP99Ms >= busy->latencyP50Ms);
    QVERIFY(busy->requestLatencyP50Ms > 0);
    QCOMPARE(stats.last().recordsSent, 2000ULL);
    QCOMPARE(stats.last().recordsFailed, 0ULL);
    QVERIFY(stats.last().avgRecordsPerBatch >= 1);
    QVERIFY2(stats.last().compressionRatio < 0.2, qPrintable(QString::number(stats.last().compressionRatio)));
}

QTEST_GUILESS_MAIN(TstProducerLimits)
#include "tst_producer_limits.moc"
