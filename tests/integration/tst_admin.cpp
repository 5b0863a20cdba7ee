// The AdminClient against the real broker: create with configs (then
// DescribeConfigs shows them as not the default, librdkafka sees the
// topic), the broker's refusals by name (TOPIC_ALREADY_EXISTS,
// INVALID_REPLICATION_FACTOR, INVALID_PARTITIONS, INVALID_CONFIG,
// UNKNOWN_TOPIC_OR_PARTITION), validate_only creating nothing, delete then
// describe, and the offsets after librdkafka wrote a known number of
// records to each partition.

#include "RdkTxnProducer.h"
#include "TestBroker.h"
#include "admin/AdminClient.h"
#include "wire/KafkaError.h"

#include <QSignalSpy>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

constexpr int kTimeoutMs = 30000;

// One call's answer: the value or the error, whichever signal came for its id.
struct Answer
{
    bool ok = false;
    Error error;
    QList<TopicDescription> topics;
    QList<ConfigEntry> configs;
    CreatedTopic created;
};

Answer await(AdminClient &admin, quint64 id)
{
    Answer a;
    bool done = false;
    QObject ctx;
    QObject::connect(&admin, &AdminClient::failed, &ctx, [&](quint64 i, const QString &, const Error &e) {
        if (i == id) {
            a.error = e;
            done = true;
        }
    });
    QObject::connect(&admin, &AdminClient::topicsDescribed, &ctx, [&](quint64 i, const QList<TopicDescription> &t) {
        if (i == id) {
            a.ok = true;
            a.topics = t;
            done = true;
        }
    });
    QObject::connect(&admin, &AdminClient::configsDescribed, &ctx,
                     [&](quint64 i, const QString &, const QList<ConfigEntry> &c) {
                         if (i == id) {
                             a.ok = true;
                             a.configs = c;
                             done = true;
                         }
                     });
    QObject::connect(&admin, &AdminClient::topicCreated, &ctx, [&](quint64 i, const CreatedTopic &t, bool) {
        if (i == id) {
            a.ok = true;
            a.created = t;
            done = true;
        }
    });
    QObject::connect(&admin, &AdminClient::topicDeleted, &ctx, [&](quint64 i, const QString &) {
        if (i == id) {
            a.ok = true;
            done = true;
        }
    });
    if (!QTest::qWaitFor([&] { return done; }, kTimeoutMs))
        a.error = Error{KafkaError::ClientTimeout, QStringLiteral("no answer in %1 ms").arg(kTimeoutMs)};
    return a;
}

QString text(const Answer &a)
{
    return a.ok ? QStringLiteral("ok") : QStringLiteral("%1: %2").arg(KafkaError::name(a.error.code), a.error.message);
}

NewTopic newTopic(const QString &name, int partitions, int rf, QList<QPair<QString, QString>> configs = {})
{
    NewTopic t;
    t.name = name;
    t.partitions = partitions;
    t.replicationFactor = static_cast<std::int16_t>(rf);
    t.configs = std::move(configs);
    return t;
}

const ConfigEntry *findConfig(const QList<ConfigEntry> &configs, const QString &name)
{
    for (const auto &c : configs)
        if (c.name == name)
            return &c;
    return nullptr;
}

} // namespace

class TstAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { failOnCrossThreadTimers(); }
    void createDescribeDelete();
    void brokerRefusalsByName();
    void validateOnlyCreatesNothing();
    void offsetsAfterProducing();
    void unreachableBrokerFails();
    void cancelDropsTheAnswer();
};

void TstAdmin::createDescribeDelete()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    AdminClient admin;
    admin.configure(boot, ConnectionOptions{});
    const QString topic = uniqueTopic(QStringLiteral("kpw-admin"));

    Answer created =
        await(admin, admin.createTopic(newTopic(topic, 4, 1,
                                                {{QStringLiteral("retention.ms"), QStringLiteral("7200000")},
                                                 {QStringLiteral("cleanup.policy"), QStringLiteral("compact")}}),
                                       false));
    QVERIFY2(created.ok, qPrintable(text(created)));
    QCOMPARE(created.created.name, topic);
    QCOMPARE(created.created.partitions, 4);
    QCOMPARE(created.created.replicationFactor, 1);
    // librdkafka, an independent client, sees it.
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(true), kTimeoutMs);

    Answer configs = await(admin, admin.describeConfigs(topic));
    QVERIFY2(configs.ok, qPrintable(text(configs)));
    QVERIFY(configs.configs.size() > 10);
    const ConfigEntry *retention = findConfig(configs.configs, QStringLiteral("retention.ms"));
    QVERIFY(retention);
    QCOMPARE(retention->value, std::optional<QString>(QStringLiteral("7200000")));
    QCOMPARE(retention->source, static_cast<std::int8_t>(ConfigSource::DynamicTopic));
    QVERIFY(!retention->isDefault());
    const ConfigEntry *cleanup = findConfig(configs.configs, QStringLiteral("cleanup.policy"));
    QVERIFY(cleanup && !cleanup->isDefault());
    QCOMPARE(cleanup->value, std::optional<QString>(QStringLiteral("compact")));
    // One the test did not set is the default.
    const ConfigEntry *segment = findConfig(configs.configs, QStringLiteral("segment.bytes"));
    QVERIFY(segment);
    QVERIFY(segment->isDefault());
    QCOMPARE(configSourceName(segment->source), QStringLiteral("DEFAULT_CONFIG"));

    // Describe: 4 partitions on broker 1, replication 1, offsets 0..0.
    Answer described;
    QVERIFY(QTest::qWaitFor(
        [&] {
            described = await(admin, admin.describeTopics(QStringList{topic}));
            // Right after creation a partition's leader may not serve
            // ListOffsets yet (its offsets then carry the error): ask again.
            return described.ok && described.topics.size() == 1 && described.topics[0].errorCode == 0 &&
                   described.topics[0].partitions.size() == 4 &&
                   std::all_of(described.topics[0].partitions.cbegin(), described.topics[0].partitions.cend(),
                               [](const PartitionDescription &p) { return p.offsetsError == KafkaError::None; });
        },
        kTimeoutMs));
    const TopicDescription &t = described.topics[0];
    QCOMPARE(t.name, topic);
    QVERIFY(!t.internal);
    QCOMPARE(t.replicationFactor(), 1);
    for (int p = 0; p < 4; ++p) {
        QCOMPARE(t.partitions[p].partition, p);
        QVERIFY(t.partitions[p].leader >= 0);
        QCOMPARE(t.partitions[p].replicas, QList<std::int32_t>{t.partitions[p].leader});
        QCOMPARE(t.partitions[p].isr, t.partitions[p].replicas);
        QVERIFY(!t.partitions[p].underReplicated());
        QCOMPARE(t.partitions[p].earliestOffset, 0);
        QCOMPARE(t.partitions[p].latestOffset, 0);
    }
    // Listed among all topics too.
    Answer all = await(admin, admin.describeTopics());
    QVERIFY2(all.ok, qPrintable(text(all)));
    QVERIFY(std::any_of(all.topics.cbegin(), all.topics.cend(), [&](const auto &d) { return d.name == topic; }));
    QVERIFY(std::is_sorted(all.topics.cbegin(), all.topics.cend(),
                           [](const auto &a, const auto &b) { return a.name < b.name; }));

    // Delete, then it is gone: for us, for librdkafka, and a second delete is refused.
    Answer deleted = await(admin, admin.deleteTopic(topic));
    QVERIFY2(deleted.ok, qPrintable(text(deleted)));
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(false), kTimeoutMs);
    QVERIFY(QTest::qWaitFor(
        [&] {
            described = await(admin, admin.describeTopics(QStringList{topic}));
            return described.ok && described.topics.size() == 1 &&
                   described.topics[0].errorCode == KafkaError::UnknownTopicOrPartition;
        },
        kTimeoutMs));
    Answer again = await(admin, admin.deleteTopic(topic));
    QVERIFY(!again.ok);
    QCOMPARE(KafkaError::name(again.error.code), QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
    Answer goneConfigs = await(admin, admin.describeConfigs(topic));
    QVERIFY(!goneConfigs.ok);
    QCOMPARE(KafkaError::name(goneConfigs.error.code), QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
}

void TstAdmin::brokerRefusalsByName()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    AdminClient admin;
    admin.configure(boot, ConnectionOptions{});
    const QString topic = uniqueTopic(QStringLiteral("kpw-admin-refused"));
    Answer first = await(admin, admin.createTopic(newTopic(topic, 1, 1), false));
    QVERIFY2(first.ok, qPrintable(text(first)));

    struct Case
    {
        NewTopic request;
        const char *error;
    };
    const QString fresh = uniqueTopic(QStringLiteral("kpw-admin-never"));
    const Case cases[] = {
        {newTopic(topic, 1, 1), "TOPIC_ALREADY_EXISTS"},
        {newTopic(fresh, 1, 3), "INVALID_REPLICATION_FACTOR"}, // one broker in the fixture
        {newTopic(fresh, 0, 1), "INVALID_PARTITIONS"},
        {newTopic(fresh, -2, 1), "INVALID_PARTITIONS"},
        {newTopic(fresh, 1, 1, {{QStringLiteral("retention.ms"), QStringLiteral("soon")}}), "INVALID_CONFIG"},
        {newTopic(fresh, 1, 1, {{QStringLiteral("no.such.config"), QStringLiteral("1")}}), "INVALID_CONFIG"},
        {newTopic(QStringLiteral("bad/name"), 1, 1), "INVALID_TOPIC_EXCEPTION"},
    };
    for (const Case &c : cases) {
        for (bool validateOnly : {true, false}) {
            Answer a = await(admin, admin.createTopic(c.request, validateOnly));
            QVERIFY2(!a.ok, qPrintable(c.request.name));
            QVERIFY2(KafkaError::name(a.error.code) == QLatin1String(c.error),
                     qPrintable(QStringLiteral("expected %1, got %2").arg(QLatin1String(c.error), text(a))));
            // The broker's own words come through.
            QVERIFY(!a.error.message.isEmpty());
        }
    }
    QCOMPARE(topicExists(boot, fresh), std::optional<bool>(false));
    QVERIFY(await(admin, admin.deleteTopic(topic)).ok);
}

void TstAdmin::validateOnlyCreatesNothing()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    AdminClient admin;
    admin.configure(boot, ConnectionOptions{});
    const QString topic = uniqueTopic(QStringLiteral("kpw-admin-validate"));
    Answer v = await(admin, admin.createTopic(newTopic(topic, 5, 1), true));
    QVERIFY2(v.ok, qPrintable(text(v)));
    QCOMPARE(v.created.partitions, 5);
    QTest::qWait(500);
    QCOMPARE(topicExists(boot, topic), std::optional<bool>(false));
    Answer d = await(admin, admin.describeTopics(QStringList{topic}));
    QVERIFY(d.ok);
    QCOMPARE(d.topics.size(), 1);
    QCOMPARE(d.topics[0].errorCode, KafkaError::UnknownTopicOrPartition);
}

void TstAdmin::offsetsAfterProducing()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = uniqueTopic(QStringLiteral("kpw-admin-offsets"));
    KPW_CREATE_TOPIC(boot, topic, 3);
    const int perPartition[] = {5, 0, 12};
    {
        RdkTxnProducer producer(boot, QString());
        QVERIFY2(producer.ok(), qPrintable(producer.error()));
        for (int p = 0; p < 3; ++p)
            for (int i = 0; i < perPartition[p]; ++i)
                QVERIFY(producer.send(topic, p, QByteArray("k"), QByteArray::number(i)));
        QVERIFY2(producer.flush(), qPrintable(producer.error()));
    }
    AdminClient admin;
    admin.configure(boot, ConnectionOptions{});
    Answer d = await(admin, admin.describeTopics(QStringList{topic}));
    QVERIFY2(d.ok, qPrintable(text(d)));
    QCOMPARE(d.topics.size(), 1);
    QCOMPARE(d.topics[0].partitions.size(), 3);
    for (int p = 0; p < 3; ++p) {
        const auto &pd = d.topics[0].partitions[p];
        QCOMPARE(pd.offsetsError, KafkaError::None);
        QCOMPARE(pd.earliestOffset, 0);
        QCOMPARE(pd.latestOffset, perPartition[p]);
    }
}

void TstAdmin::unreachableBrokerFails()
{
    AdminClient admin;
    ConnectionOptions options;
    options.connectTimeoutMs = 2000;
    admin.configure(QStringLiteral("127.0.0.1:1"), options);
    Answer a = await(admin, admin.describeTopics());
    QVERIFY(!a.ok);
    QCOMPARE(a.error.code, KafkaError::ClientConnectionFailed);
    QVERIFY2(a.error.message.contains(QStringLiteral("127.0.0.1:1")), qPrintable(a.error.message));
    Answer c = await(admin, admin.createTopic(newTopic(QStringLiteral("x"), 1, 1), false));
    QVERIFY(!c.ok);
    QVERIFY(c.error.code != KafkaError::ClientTimeout); // an answer, not our wait running out

    AdminClient unconfigured;
    Answer u = await(unconfigured, unconfigured.describeTopics());
    QVERIFY(!u.ok);
    QCOMPARE(u.error.code, KafkaError::ClientInvalidConfig);
}

void TstAdmin::cancelDropsTheAnswer()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    AdminClient admin;
    admin.configure(boot, ConnectionOptions{});
    QSignalSpy described(&admin, &AdminClient::topicsDescribed);
    QSignalSpy failed(&admin, &AdminClient::failed);
    const quint64 dropped = admin.describeTopics();
    QCOMPARE(admin.pending(), 1);
    admin.cancel(dropped);
    QCOMPARE(admin.pending(), 0);
    const quint64 kept = admin.describeTopics();
    QTRY_COMPARE_WITH_TIMEOUT(described.count(), 1, kTimeoutMs);
    QCOMPARE(described.at(0).at(0).toULongLong(), kept);
    QTest::qWait(300);
    QCOMPARE(described.count(), 1);
    QCOMPARE(failed.count(), 0);
}

QTEST_GUILESS_MAIN(TstAdmin)
#include "tst_admin.moc"
