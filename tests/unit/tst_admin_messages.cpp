// DescribeConfigs, CreateTopics and DeleteTopics: requests against bytes
// written out by hand from the message specs (apache/kafka
// clients/src/main/resources/common/message/*.json), responses decoded from
// such bytes, and hostile bodies (every truncation, impossible counts)
// refused before anything is allocated for them.

#include "messages/Admin.h"
#include "wire/ApiKeys.h"
#include "wire/KafkaError.h"

#include <QTest>

using namespace kpw;

// Qt 6.4's QVERIFY2 evaluates its message even when the check passes.
#define REQUIRE_OK(r) QVERIFY2((r).ok(), (r).ok() ? "" : qPrintable((r).error().message))

namespace {

QByteArray hex(const char *h)
{
    return QByteArray::fromHex(QByteArray(h).replace(' ', ""));
}

template <typename Response> void requireEveryTruncationFails(const QByteArray &body, std::int16_t version)
{
    QVERIFY2(Response::decode(body, version).ok(), "the whole body must decode");
    for (qsizetype n = 0; n < body.size(); ++n) {
        auto r = Response::decode(body.left(n), version);
        QVERIFY2(!r.ok(),
                 qPrintable(QStringLiteral("v%1: %2 of %3 bytes decoded").arg(version).arg(n).arg(body.size())));
        QCOMPARE(r.error().code, KafkaError::ClientProtocolError);
        QVERIFY(!r.error().message.isEmpty());
    }
}

} // namespace

class TstAdminMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clientRanges();
    void describeConfigsRequest();
    void describeConfigsResponse();
    void createTopicsRequest();
    void createTopicsResponse();
    void deleteTopicsRequest();
    void deleteTopicsResponse();
    void hostileCounts();
    void configSourceNames();
};

void TstAdminMessages::clientRanges()
{
    // The lowest versions a Kafka 4.x broker accepts, up to what is implemented here.
    QCOMPARE(Api::clientRange(ApiKey::DescribeConfigs).min, 1);
    QCOMPARE(Api::clientRange(ApiKey::DescribeConfigs).max, 4);
    QCOMPARE(Api::clientRange(ApiKey::CreateTopics).min, 2);
    QCOMPARE(Api::clientRange(ApiKey::CreateTopics).max, 7);
    QCOMPARE(Api::clientRange(ApiKey::DeleteTopics).min, 1);
    QCOMPARE(Api::clientRange(ApiKey::DeleteTopics).max, 6);
    QVERIFY(Api::isFlexible(ApiKey::DescribeConfigs, 4) && !Api::isFlexible(ApiKey::DescribeConfigs, 3));
    QVERIFY(Api::isFlexible(ApiKey::CreateTopics, 5) && !Api::isFlexible(ApiKey::CreateTopics, 4));
    QVERIFY(Api::isFlexible(ApiKey::DeleteTopics, 4) && !Api::isFlexible(ApiKey::DeleteTopics, 3));
}

void TstAdminMessages::describeConfigsRequest()
{
    DescribeConfigsRequest req;
    req.resources.append({DescribeConfigsRequest::TopicResource, QStringLiteral("t"), std::nullopt});
    // resources[1]: type 2, name "t", keys null; include_synonyms false
    QCOMPARE(req.encode(1), hex("00000001 02 0001 74 ffffffff 00"));
    // v3 adds include_documentation
    QCOMPARE(req.encode(3), hex("00000001 02 0001 74 ffffffff 00 00"));
    // v4: compact array (n+1), compact string, compact null array (0), tags
    QCOMPARE(req.encode(4), hex("02 02 02 74 00 00 00 00 00"));
    req.resources[0].keys = QList<QString>{QStringLiteral("ab")};
    req.includeSynonyms = true;
    QCOMPARE(req.encode(4), hex("02 02 02 74 02 03 6162 00 01 00 00"));
}

void TstAdminMessages::describeConfigsResponse()
{
    // v1: throttle 0, one result (no error, null message, topic "t") with one
    // config a=1, read-only false, source 5 (default), not sensitive, one
    // synonym b=null from source 4.
    const QByteArray v1 = hex("00000000 00000001 0000 ffff 02 0001 74 00000001"
                              " 0001 61 0001 31 00 05 00 00000001 0001 62 ffff 04");
    auto r1 = DescribeConfigsResponse::decode(v1, 1);
    REQUIRE_OK(r1);
    QCOMPARE(r1->results.size(), 1);
    QCOMPARE(r1->results[0].resourceName, QStringLiteral("t"));
    QCOMPARE(r1->results[0].resourceType, 2);
    QVERIFY(!r1->results[0].errorMessage);
    QCOMPARE(r1->results[0].configs.size(), 1);
    const ConfigEntry &c = r1->results[0].configs[0];
    QCOMPARE(c.name, QStringLiteral("a"));
    QCOMPARE(c.value, std::optional<QString>(QStringLiteral("1")));
    QCOMPARE(c.source, 5);
    QVERIFY(c.isDefault());
    requireEveryTruncationFails<DescribeConfigsResponse>(v1, 1);

    // v4 (flexible): an error result for one topic and a config of a
    // second, set on the topic (source 1), type 3 (INT), no documentation.
    const QByteArray v4 = hex("0000000a 03"
                              " 0003 02 78 02 02 75 01 00" // t "u": error 3, message "x", no configs
                              " 0000 00 02 02 74 02 02 61 02 31 00 01 00 01 03 00 00 00" // "t": a=1
                              " 00");
    auto r4 = DescribeConfigsResponse::decode(v4, 4);
    REQUIRE_OK(r4);
    QCOMPARE(r4->throttleTimeMs, 10);
    QCOMPARE(r4->results.size(), 2);
    QCOMPARE(r4->results[0].errorCode, KafkaError::UnknownTopicOrPartition);
    QCOMPARE(r4->results[0].errorMessage, std::optional<QString>(QStringLiteral("x")));
    QCOMPARE(r4->results[0].resourceName, QStringLiteral("u"));
    QCOMPARE(r4->results[1].configs.size(), 1);
    QCOMPARE(r4->results[1].configs[0].source, static_cast<std::int8_t>(ConfigSource::DynamicTopic));
    QCOMPARE(r4->results[1].configs[0].type, 3);
    QVERIFY(!r4->results[1].configs[0].isDefault());
    requireEveryTruncationFails<DescribeConfigsResponse>(v4, 4);
}

void TstAdminMessages::createTopicsRequest()
{
    CreateTopicsRequest req;
    CreateTopicsRequest::Topic t;
    t.name = QStringLiteral("t");
    t.numPartitions = 3;
    t.replicationFactor = 1;
    t.configs.append({QStringLiteral("a"), QStringLiteral("1")});
    req.topics.append(t);
    req.timeoutMs = 30000;
    req.validateOnly = true;
    // topics[1]: name, partitions 3, replication 1, no assignments, configs[1] a=1; timeout 30000; validate_only
    QCOMPARE(req.encode(2), hex("00000001 0001 74 00000003 0001 00000000 00000001 0001 61 0001 31 00007530 01"));
    QCOMPARE(req.encode(4), req.encode(2));
    QCOMPARE(req.encode(5), hex("02 02 74 00000003 0001 01 02 02 61 02 31 00 00 00007530 01 00"));
    QCOMPARE(req.encode(7), req.encode(5));
    req.topics[0].configs[0].value = std::nullopt; // a null value: the broker's default
    QCOMPARE(req.encode(5), hex("02 02 74 00000003 0001 01 02 02 61 00 00 00 00007530 01 00"));
}

void TstAdminMessages::createTopicsResponse()
{
    // v2: throttle 0; "t": INVALID_REPLICATION_FACTOR (38), null message.
    const QByteArray v2 = hex("00000000 00000001 0001 74 0026 ffff");
    auto r2 = CreateTopicsResponse::decode(v2, 2);
    REQUIRE_OK(r2);
    QCOMPARE(r2->topics.size(), 1);
    QCOMPARE(r2->topics[0].errorCode, 38);
    QVERIFY(!r2->topics[0].errorMessage);
    requireEveryTruncationFails<CreateTopicsResponse>(v2, 2);

    // v7: "t", topic id 11..11, TOPIC_ALREADY_EXISTS (36) "x", partitions
    // and replication -1, null configs, tagged TopicConfigErrorCode (tag 0)
    // = INVALID_CONFIG (40).
    const QByteArray v7 = hex("00000000 02 02 74 11111111111111111111111111111111 0024 02 78"
                              " ffffffff ffff 00 01 00 02 0028 00");
    auto r7 = CreateTopicsResponse::decode(v7, 7);
    REQUIRE_OK(r7);
    QCOMPARE(r7->topics[0].topicId, QByteArray(16, '\x11'));
    QCOMPARE(r7->topics[0].errorCode, 36);
    QCOMPARE(r7->topics[0].errorMessage, std::optional<QString>(QStringLiteral("x")));
    QCOMPARE(r7->topics[0].numPartitions, -1);
    QVERIFY(!r7->topics[0].configs);
    QCOMPARE(r7->topics[0].topicConfigErrorCode, 40);
    requireEveryTruncationFails<CreateTopicsResponse>(v7, 7);

    // v5: created with 2 partitions, replication 1, one config as created.
    const QByteArray v5 = hex("00000000 02 02 74 0000 00 00000002 0001 02 02 61 02 31 00 01 00 00 00 00");
    auto r5 = CreateTopicsResponse::decode(v5, 5);
    REQUIRE_OK(r5);
    QCOMPARE(r5->topics[0].numPartitions, 2);
    QCOMPARE(r5->topics[0].replicationFactor, 1);
    QVERIFY(r5->topics[0].configs);
    QCOMPARE(r5->topics[0].configs->size(), 1);
    QCOMPARE(r5->topics[0].configs->at(0).source, 1);
    requireEveryTruncationFails<CreateTopicsResponse>(v5, 5);
}

void TstAdminMessages::deleteTopicsRequest()
{
    DeleteTopicsRequest req;
    req.names = {QStringLiteral("t")};
    req.timeoutMs = 30000;
    QCOMPARE(req.encode(1), hex("00000001 0001 74 00007530"));
    QCOMPARE(req.encode(4), hex("02 02 74 00007530 00"));
    // v6: topics as {name, zero topic id, tags}
    QCOMPARE(req.encode(6), hex("02 02 74 00000000000000000000000000000000 00 00007530 00"));
}

void TstAdminMessages::deleteTopicsResponse()
{
    const QByteArray v1 = hex("00000000 00000001 0001 74 0000");
    auto r1 = DeleteTopicsResponse::decode(v1, 1);
    REQUIRE_OK(r1);
    QCOMPARE(r1->topics[0].name, std::optional<QString>(QStringLiteral("t")));
    requireEveryTruncationFails<DeleteTopicsResponse>(v1, 1);

    // v5: TOPIC_DELETION_DISABLED (73) with message "x"
    const QByteArray v5 = hex("00000000 02 02 74 0049 02 78 00 00");
    auto r5 = DeleteTopicsResponse::decode(v5, 5);
    REQUIRE_OK(r5);
    QCOMPARE(r5->topics[0].errorCode, 73);
    QCOMPARE(r5->topics[0].errorMessage, std::optional<QString>(QStringLiteral("x")));
    requireEveryTruncationFails<DeleteTopicsResponse>(v5, 5);

    // v6: a null name with a topic id, UNKNOWN_TOPIC_OR_PARTITION
    const QByteArray v6 = hex("00000000 02 00 22222222222222222222222222222222 0003 00 00 00");
    auto r6 = DeleteTopicsResponse::decode(v6, 6);
    REQUIRE_OK(r6);
    QVERIFY(!r6->topics[0].name);
    QCOMPARE(r6->topics[0].topicId, QByteArray(16, '\x22'));
    QCOMPARE(r6->topics[0].errorCode, KafkaError::UnknownTopicOrPartition);
    requireEveryTruncationFails<DeleteTopicsResponse>(v6, 6);
}

void TstAdminMessages::hostileCounts()
{
    // Counts no body of this size could hold: refused without allocating.
    QVERIFY(!DescribeConfigsResponse::decode(hex("00000000 7fffffff 0000"), 1).ok());
    QVERIFY(!DescribeConfigsResponse::decode(hex("00000000 ffffffff0f 00"), 4).ok());
    QVERIFY(!DescribeConfigsResponse::decode(hex("00000000 00000001 0000 ffff 02 0001 74 7fffffff"), 1).ok());
    QVERIFY(!DescribeConfigsResponse::decode(
                 hex("00000000 00000001 0000 ffff 02 0001 74 00000001 0001 61 0001 31 00 05 00 7fffffff"), 1)
                 .ok());
    QVERIFY(!CreateTopicsResponse::decode(hex("00000000 7fffffff"), 2).ok());
    QVERIFY(!CreateTopicsResponse::decode(hex("00000000 02 02 74 0000 00 00000002 0001 ffffffff0f 00"), 5).ok());
    QVERIFY(!CreateTopicsResponse::decode(hex("00000000 02 02 74 0000 00 00000002 0001 00 ffffff0f 00"), 5).ok());
    QVERIFY(!DeleteTopicsResponse::decode(hex("00000000 7ffffff0 0001 74 0000"), 1).ok());
    QVERIFY(!DeleteTopicsResponse::decode(hex("00000000 ffffffff0f"), 6).ok());
    // A string longer than the body.
    QVERIFY(!DeleteTopicsResponse::decode(hex("00000000 00000001 7fff 74 0000"), 1).ok());
    // Negative classic array length.
    auto neg = CreateTopicsResponse::decode(hex("00000000 fffffff0"), 2);
    QVERIFY(!neg.ok());
    QVERIFY(neg.error().message.contains(QStringLiteral("CreateTopics v2")));
}

void TstAdminMessages::configSourceNames()
{
    QCOMPARE(configSourceName(1), QStringLiteral("DYNAMIC_TOPIC_CONFIG"));
    QCOMPARE(configSourceName(5), QStringLiteral("DEFAULT_CONFIG"));
    QCOMPARE(configSourceName(4), QStringLiteral("STATIC_BROKER_CONFIG"));
    QCOMPARE(configSourceName(42), QStringLiteral("SOURCE_42"));
}

QTEST_GUILESS_MAIN(TstAdminMessages)
#include "tst_admin_messages.moc"
