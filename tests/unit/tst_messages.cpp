// Request encoding and response decoding for Framing, ApiVersions, Metadata
// and Produce, against bytes written by hand from the JSON message specs
// (clients/src/main/resources/common/message/*.json), plus truncated and
// hostile responses.

#include "MemoryCap.h"
#include "ResultText.h"
#include "messages/ApiVersions.h"
#include "messages/Framing.h"
#include "messages/Metadata.h"
#include "messages/Produce.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

#include <QTest>
#include <QtEndian>

#include <functional>

using namespace kpw;

namespace {

QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}

// Every proper prefix of a valid body must fail to decode (and not crash).
template <typename Decode> void expectAllPrefixesFail(const QByteArray &body, Decode decode, const char *what)
{
    for (qsizetype n = 0; n < body.size(); ++n) {
        const QByteArray prefix = body.left(n); // a copy: no reads past its end go unnoticed by ASan
        const bool ok = decode(prefix);
        if (ok)
            QFAIL(qPrintable(QStringLiteral("%1: a %2-byte prefix of %3 bytes decoded")
                                 .arg(QLatin1StringView(what))
                                 .arg(n)
                                 .arg(body.size())));
    }
}

// ---- hand-built response bodies ---------------------------------------------

// ApiVersions v3: 3 keys, throttle, and the tagged fields SupportedFeatures
// (0), FinalizedFeaturesEpoch (1), FinalizedFeatures (2).
QByteArray apiVersionsV3Body()
{
    ByteWriter w;
    w.int16(0);              // ErrorCode
    w.unsignedVarint(3 + 1); // ApiKeys (compact)
    for (auto [key, lo, hi] : {std::tuple{0, 3, 11}, std::tuple{3, 4, 12}, std::tuple{18, 0, 4}}) {
        w.int16(static_cast<std::int16_t>(key));
        w.int16(static_cast<std::int16_t>(lo));
        w.int16(static_cast<std::int16_t>(hi));
        w.emptyTaggedFields();
    }
    w.int32(0); // ThrottleTimeMs

    ByteWriter supported; // [Name, MinVersion, MaxVersion, tags]
    supported.unsignedVarint(2 + 1);
    supported.string(QStringLiteral("metadata.version"), true);
    supported.int16(1);
    supported.int16(25);
    supported.emptyTaggedFields();
    supported.string(QStringLiteral("transaction.version"), true);
    supported.int16(0);
    supported.int16(2);
    supported.emptyTaggedFields();

    ByteWriter epoch;
    epoch.int64(42);

    ByteWriter finalized; // [Name, MaxVersionLevel, MinVersionLevel, tags]
    finalized.unsignedVarint(2 + 1);
    finalized.string(QStringLiteral("metadata.version"), true);
    finalized.int16(25);
    finalized.int16(25);
    finalized.emptyTaggedFields();
    finalized.string(QStringLiteral("transaction.version"), true);
    finalized.int16(2); // max level: the one that counts
    finalized.int16(0);
    finalized.emptyTaggedFields();

    w.unsignedVarint(3); // three tagged fields, ascending tags
    w.unsignedVarint(0);
    w.unsignedVarint(static_cast<std::uint32_t>(supported.size()));
    w.raw(supported.buffer());
    w.unsignedVarint(1);
    w.unsignedVarint(static_cast<std::uint32_t>(epoch.size()));
    w.raw(epoch.buffer());
    w.unsignedVarint(2);
    w.unsignedVarint(static_cast<std::uint32_t>(finalized.size()));
    w.raw(finalized.buffer());
    return w.take();
}

// What a broker sends for an ApiVersions version it does not support: the v0
// layout, UNSUPPORTED_VERSION, and its ApiVersions range.
QByteArray apiVersionsUnsupportedBody()
{
    return hex("0023"     // ErrorCode 35
               "00000001" // ApiKeys: INT32 count
               "0012"
               "0000"
               "0003"); // ApiVersions 0-3
}

QByteArray metadataV12Body()
{
    ByteWriter w;
    w.int32(7);              // ThrottleTimeMs
    w.unsignedVarint(2 + 1); // Brokers
    w.int32(1);
    w.string(QStringLiteral("localhost"), true);
    w.int32(9092);
    w.nullableString(std::nullopt, true); // Rack
    w.emptyTaggedFields();
    w.int32(2);
    w.string(QStringLiteral("kafka-2.example"), true);
    w.int32(19092);
    w.nullableString(QStringLiteral("rack-b"), true);
    w.emptyTaggedFields();
    w.nullableString(QStringLiteral("cluster-xyz"), true); // ClusterId
    w.int32(1);                                            // ControllerId
    w.unsignedVarint(2 + 1);                               // Topics
    // topic "orders": partitions listed out of order (1, 0)
    w.int16(0);
    w.nullableString(QStringLiteral("orders"), true);
    w.raw(hex("00112233445566778899aabbccddeeff")); // TopicId
    w.boolean(false);                               // IsInternal
    w.unsignedVarint(2 + 1);                        // Partitions
    w.int16(0);
    w.int32(1); // index
    w.int32(2); // leader
    w.int32(5); // leader epoch
    w.unsignedVarint(2 + 1);
    w.int32(2);
    w.int32(1); // replicas
    w.unsignedVarint(1 + 1);
    w.int32(2); // isr
    w.unsignedVarint(1 + 1);
    w.int32(1); // offline
    w.emptyTaggedFields();
    w.int16(6); // NOT_LEADER_OR_FOLLOWER on partition 0
    w.int32(0);
    w.int32(-1);
    w.int32(-1);
    w.unsignedVarint(0 + 1);
    w.unsignedVarint(0 + 1);
    w.unsignedVarint(0 + 1);
    w.emptyTaggedFields();
    w.int32(std::numeric_limits<std::int32_t>::min()); // TopicAuthorizedOperations
    w.emptyTaggedFields();
    // topic "missing": UNKNOWN_TOPIC_OR_PARTITION, no partitions
    w.int16(3);
    w.nullableString(QStringLiteral("missing"), true);
    w.raw(QByteArray(16, '\0'));
    w.boolean(false);
    w.unsignedVarint(0 + 1);
    w.int32(0);
    // a tagged field the decoder does not know must be skipped
    w.unsignedVarint(1);
    w.unsignedVarint(9);
    w.unsignedVarint(2);
    w.int16(0x7777);
    // no ClusterAuthorizedOperations in v11+
    w.emptyTaggedFields();
    return w.take();
}

QByteArray metadataV4Body()
{
    ByteWriter w;
    w.int32(0);
    w.int32(1); // brokers
    w.int32(1);
    w.string(QStringLiteral("localhost"), false);
    w.int32(9092);
    w.nullableString(std::nullopt, false);
    w.nullableString(QStringLiteral("cid"), false);
    w.int32(1);
    w.int32(1); // topics
    w.int16(0);
    w.string(QStringLiteral("t"), false);
    w.boolean(false);
    w.int32(1); // partitions
    w.int16(0);
    w.int32(0);
    w.int32(1);
    w.int32(1);
    w.int32(1); // replicas [1]
    w.int32(1);
    w.int32(1); // isr [1]
    return w.take();
}

// Produce v11: one topic, one partition rejected with record errors.
QByteArray produceV11Body()
{
    ByteWriter w;
    w.unsignedVarint(1 + 1); // Responses
    w.string(QStringLiteral("orders"), true);
    w.unsignedVarint(2 + 1); // PartitionResponses
    // partition 0: INVALID_RECORD (87) with two record errors
    w.int32(0);
    w.int16(87);
    w.int64(-1);
    w.int64(-1);
    w.int64(0);
    w.unsignedVarint(2 + 1); // RecordErrors
    w.int32(3);
    w.nullableString(QStringLiteral("bad key"), true);
    w.emptyTaggedFields();
    w.int32(5);
    w.nullableString(std::nullopt, true);
    w.emptyTaggedFields();
    w.nullableString(QStringLiteral("One or more records have been rejected"), true);
    // v10+: CurrentLeader as tag 0 (LeaderId, LeaderEpoch, tags)
    w.unsignedVarint(1);
    w.unsignedVarint(0);
    w.unsignedVarint(9);
    w.int32(2);
    w.int32(7);
    w.emptyTaggedFields();
    // partition 2: success at offset 1000
    w.int32(2);
    w.int16(0);
    w.int64(1000);
    w.int64(1700000000000LL);
    w.int64(10);
    w.unsignedVarint(0 + 1);
    w.nullableString(std::nullopt, true);
    w.emptyTaggedFields();
    w.emptyTaggedFields(); // topic tags
    w.int32(25);           // ThrottleTimeMs
    // v10+: NodeEndpoints as tag 0: [NodeId, Host, Port, Rack, tags]
    ByteWriter nodes;
    nodes.unsignedVarint(1 + 1);
    nodes.int32(2);
    nodes.string(QStringLiteral("b2"), true);
    nodes.int32(9092);
    nodes.nullableString(std::nullopt, true);
    nodes.emptyTaggedFields();
    w.unsignedVarint(1);
    w.unsignedVarint(0);
    w.unsignedVarint(static_cast<std::uint32_t>(nodes.size()));
    w.raw(nodes.buffer());
    return w.take();
}

QByteArray produceV3Body()
{
    ByteWriter w;
    w.int32(1);
    w.string(QStringLiteral("t"), false);
    w.int32(1);
    w.int32(0);
    w.int16(0);
    w.int64(42);
    w.int64(-1);
    w.int32(0); // throttle
    return w.take();
}

} // namespace

class TstMessages final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void framingClassicHeader();
    void framingFlexibleHeader();
    void framingNullClientId();
    void headerVersions();
    void responseHeader();
    void apiVersionsRequest();
    void metadataRequest();
    void produceRequest();
    void apiVersionsV3Response();
    void apiVersionsUnsupportedVersion();
    void apiVersionsV0Response();
    void metadataV12Response();
    void metadataV4Response();
    void produceV11Response();
    void produceV3Response();
    void truncatedResponsesFail();
    void hostileCountsFailWithoutAllocating();
};

void TstMessages::framingClassicHeader()
{
    // Metadata v4 is not flexible: request header v1.
    const QByteArray body = hex("ffffffff00");
    const QByteArray f = frameRequest(ApiKey::Metadata, 4, 0x01020304, QStringLiteral("kpw"), body);
    const QByteArray expected = hex("00000012" // size: everything after these 4 bytes (18)
                                    "0003"     // api key 3
                                    "0004"     // api version 4
                                    "01020304" // correlation id
                                    "0003"
                                    "6b7077" // client id "kpw" (INT16 string)
                                    "ffffffff00");
    QCOMPARE(f.toHex(), expected.toHex());
    QCOMPARE(qFromBigEndian<std::int32_t>(f.constData()), std::int32_t(f.size() - 4));
}

void TstMessages::framingFlexibleHeader()
{
    // Metadata v12 and ApiVersions v3 are flexible: header v2 = v1 + tags.
    const QByteArray body = hex("0100000000");
    const QByteArray f = frameRequest(ApiKey::Metadata, 12, 7, QStringLiteral("kpw"), body);
    QCOMPARE(f.toHex(), hex("00000013"
                            "0003"
                            "000c"
                            "00000007"
                            "0003"
                            "6b7077"
                            "00"
                            "0100000000")
                            .toHex());

    const QByteArray av = frameRequest(ApiKey::ApiVersions, 3, 1, QStringLiteral("c"), QByteArray());
    QCOMPARE(av.toHex(), hex("0000000c"
                             "0012"
                             "0003"
                             "00000001"
                             "0001"
                             "63"
                             "00")
                             .toHex());
    const QByteArray av0 = frameRequest(ApiKey::ApiVersions, 0, 1, QStringLiteral("c"), QByteArray());
    QCOMPARE(av0.toHex(), hex("0000000b"
                              "0012"
                              "0000"
                              "00000001"
                              "0001"
                              "63")
                              .toHex());

    // Produce v9 is the first flexible Produce.
    const QByteArray p8 = frameRequest(ApiKey::Produce, 8, 1, QString(), QByteArray());
    const QByteArray p9 = frameRequest(ApiKey::Produce, 9, 1, QString(), QByteArray());
    QCOMPARE(p9.size(), p8.size() + 1);
    QCOMPARE(p9.right(1), hex("00"));
}

void TstMessages::framingNullClientId()
{
    // An empty client id is an empty string (00 00); never a malformed length.
    const QByteArray f = frameRequest(ApiKey::ApiVersions, 0, 9, QString(), QByteArray());
    QCOMPARE(f.mid(12).toHex(), QByteArray("0000"));
}

void TstMessages::headerVersions()
{
    QCOMPARE(Api::requestHeaderVersion(ApiKey::Produce, 8), 1);
    QCOMPARE(Api::requestHeaderVersion(ApiKey::Produce, 9), 2);
    QCOMPARE(Api::requestHeaderVersion(ApiKey::Metadata, 8), 1);
    QCOMPARE(Api::requestHeaderVersion(ApiKey::Metadata, 9), 2);
    QCOMPARE(Api::requestHeaderVersion(ApiKey::ApiVersions, 2), 1);
    QCOMPARE(Api::requestHeaderVersion(ApiKey::ApiVersions, 3), 2);
    QCOMPARE(Api::responseHeaderVersion(ApiKey::Produce, 9), 1);
    QCOMPARE(Api::responseHeaderVersion(ApiKey::Metadata, 8), 0);
    QCOMPARE(Api::responseHeaderVersion(ApiKey::ApiVersions, 3), 0); // KIP-511
    QCOMPARE(Api::responseHeaderVersion(ApiKey::ApiVersions, 4), 0);
    QCOMPARE(Api::clientRange(ApiKey::Produce).min, std::int16_t(3)); // KAFKA-18659
}

void TstMessages::responseHeader()
{
    const QByteArray frame = hex("0000002a"
                                 "00"
                                 "abcd");
    auto flexible = readResponseHeader(frame, ApiKey::Metadata, 12);
    QVERIFY(flexible.ok());
    QCOMPARE(flexible->correlationId, 42);
    QCOMPARE(flexible->bodyOffset, 5);
    auto classic = readResponseHeader(frame, ApiKey::Metadata, 4);
    QVERIFY(classic.ok());
    QCOMPARE(classic->bodyOffset, 4);
    auto av = readResponseHeader(frame, ApiKey::ApiVersions, 3);
    QVERIFY(av.ok());
    QCOMPARE(av->bodyOffset, 4);
    // A header with a tagged field is skipped correctly.
    auto tagged = readResponseHeader(hex("00000001"
                                         "01"
                                         "05"
                                         "02"
                                         "ffff"
                                         "99"),
                                     ApiKey::Produce, 9);
    QVERIFY(tagged.ok());
    QCOMPARE(tagged->bodyOffset, 9);
    QVERIFY(!readResponseHeader(hex("000000"), ApiKey::Metadata, 4).ok());
    QVERIFY(!readResponseHeader(hex("00000001"), ApiKey::Metadata, 12).ok());
    QVERIFY(!readResponseHeader(hex("00000001"
                                    "01"
                                    "05"
                                    "09"
                                    "ff"),
                                ApiKey::Metadata, 12)
                 .ok());
}

void TstMessages::apiVersionsRequest()
{
    ApiVersionsRequest req;
    req.clientSoftwareName = QStringLiteral("kpw");
    req.clientSoftwareVersion = QStringLiteral("1.2.3");
    QCOMPARE(req.encode(3).toHex(), hex("04"
                                        "6b7077"
                                        "06"
                                        "312e322e33"
                                        "00")
                                        .toHex());
    QCOMPARE(req.encode(4), req.encode(3));
    QVERIFY(req.encode(0).isEmpty());
    QVERIFY(req.encode(2).isEmpty());
}

void TstMessages::metadataRequest()
{
    MetadataRequest req;
    req.topics = QList<QString>{QStringLiteral("t1")};
    // v4: [Topics: Name], AllowAutoTopicCreation
    QCOMPARE(req.encode(4).toHex(), hex("00000001"
                                        "00027431"
                                        "00")
                                        .toHex());
    // v8: + IncludeClusterAuthorizedOperations, IncludeTopicAuthorizedOperations
    QCOMPARE(req.encode(8).toHex(), hex("00000001"
                                        "00027431"
                                        "00"
                                        "00"
                                        "00")
                                        .toHex());
    // v9: compact, tagged fields
    QCOMPARE(req.encode(9).toHex(), hex("02"
                                        "037431"
                                        "00"
                                        "00"
                                        "00"
                                        "00"
                                        "00")
                                        .toHex());
    // v10: + TopicId before the name
    QCOMPARE(req.encode(10).toHex(), hex("02"
                                         "00000000000000000000000000000000"
                                         "037431"
                                         "00"
                                         "00"
                                         "00"
                                         "00"
                                         "00")
                                         .toHex());
    // v11, v12: IncludeClusterAuthorizedOperations removed
    QCOMPARE(req.encode(12).toHex(), hex("02"
                                         "00000000000000000000000000000000"
                                         "037431"
                                         "00"
                                         "00"
                                         "00"
                                         "00")
                                         .toHex());

    req.allowAutoTopicCreation = true;
    QCOMPARE(req.encode(4).right(1), hex("01"));

    MetadataRequest all; // null topics: every topic
    QCOMPARE(all.encode(4).toHex(), hex("ffffffff"
                                        "00")
                                        .toHex());
    QCOMPARE(all.encode(12).toHex(), hex("00"
                                         "00"
                                         "00"
                                         "00")
                                         .toHex());
    MetadataRequest none;
    none.topics = QList<QString>{};
    QCOMPARE(none.encode(4).toHex(), hex("00000000"
                                         "00")
                                         .toHex());
    QCOMPARE(none.encode(12).toHex(), hex("01"
                                          "00"
                                          "00"
                                          "00")
                                          .toHex());
}

void TstMessages::produceRequest()
{
    ProduceRequest req;
    req.acks = -1;
    req.timeoutMs = 30000;
    req.topics = {{QStringLiteral("t"), {{2, QByteArray("BATCH")}}}};
    // v3: TransactionalId (null), Acks, TimeoutMs, [Name, [Index, Records]]
    QCOMPARE(req.encode(3).toHex(), hex("ffff"
                                        "ffff"
                                        "00007530"
                                        "00000001"
                                        "000174"
                                        "00000001"
                                        "00000002"
                                        "00000005"
                                        "4241544348")
                                        .toHex());
    // v9: compact everything, tags after each partition, topic and the body.
    QCOMPARE(req.encode(9).toHex(), hex("00"
                                        "ffff"
                                        "00007530"
                                        "02"
                                        "0274"
                                        "02"
                                        "00000002"
                                        "06"
                                        "4241544348"
                                        "00"
                                        "00"
                                        "00")
                                        .toHex());
    QCOMPARE(req.encode(11), req.encode(9));

    ProduceRequest tx = req;
    tx.transactionalId = QStringLiteral("tx");
    tx.acks = 1;
    QCOMPARE(tx.encode(3).left(6).toHex(), hex("00027478"
                                               "0001")
                                               .toHex());
    QCOMPARE(tx.encode(9).left(5).toHex(), hex("037478"
                                               "0001")
                                               .toHex());

    // Several topics and partitions keep their order.
    ProduceRequest many;
    many.topics = {{QStringLiteral("a"), {{0, QByteArray("x")}, {1, QByteArray("y")}}},
                   {QStringLiteral("b"), {{5, QByteArray("z")}}}};
    QCOMPARE(many.encode(9).toHex(), hex("00"
                                         "ffff"
                                         "00007530"
                                         "03"
                                         "0261"
                                         "03"
                                         "00000000"
                                         "0278"
                                         "00"
                                         "00000001"
                                         "0279"
                                         "00"
                                         "00"
                                         "0262"
                                         "02"
                                         "00000005"
                                         "027a"
                                         "00"
                                         "00"
                                         "00")
                                         .toHex());
}

void TstMessages::apiVersionsV3Response()
{
    auto r = ApiVersionsResponse::decode(apiVersionsV3Body(), 3);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->errorCode, std::int16_t(0));
    QCOMPARE(r->apis.size(), 3);
    QCOMPARE(r->apis.value(0).min, std::int16_t(3));
    QCOMPARE(r->apis.value(0).max, std::int16_t(11));
    QCOMPARE(r->apis.value(3).max, std::int16_t(12));
    QCOMPARE(r->apis.value(18).max, std::int16_t(4));
    QCOMPARE(r->finalizedFeatures.value(QStringLiteral("transaction.version"), -1), std::int16_t(2));
    QCOMPARE(r->finalizedFeatures.value(QStringLiteral("metadata.version"), -1), std::int16_t(25));
    QCOMPARE(r->supportedFeatures.value(QStringLiteral("transaction.version")).min, std::int16_t(0));
    QCOMPARE(r->supportedFeatures.value(QStringLiteral("transaction.version")).max, std::int16_t(2));

    // v4 has the same layout.
    auto r4 = ApiVersionsResponse::decode(apiVersionsV3Body(), 4);
    QVERIFY(r4.ok());
    QCOMPARE(r4->finalizedFeatures.value(QStringLiteral("transaction.version"), -1), std::int16_t(2));
}

void TstMessages::apiVersionsUnsupportedVersion()
{
    for (std::int16_t asked : {std::int16_t(3), std::int16_t(4), std::int16_t(1)}) {
        auto r = ApiVersionsResponse::decode(apiVersionsUnsupportedBody(), asked);
        QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
        QCOMPARE(r->errorCode, KafkaError::UnsupportedVersion);
        QCOMPARE(r->apis.size(), 1);
        QCOMPARE(r->apis.value(18).min, std::int16_t(0));
        QCOMPARE(r->apis.value(18).max, std::int16_t(3));
    }
}

void TstMessages::apiVersionsV0Response()
{
    const QByteArray body = hex("0000"
                                "00000002"
                                "0000"
                                "0003"
                                "000b"
                                "0003"
                                "0004"
                                "000c");
    auto r = ApiVersionsResponse::decode(body, 0);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->apis.size(), 2);
    QCOMPARE(r->apis.value(3).min, std::int16_t(4));
    // v1/v2 add ThrottleTimeMs.
    auto r1 = ApiVersionsResponse::decode(body + hex("00000064"), 2);
    QVERIFY2(r1.ok(), qPrintable(test::errorText(r1)));
    QCOMPARE(r1->throttleTimeMs, 100);
}

void TstMessages::metadataV12Response()
{
    auto r = MetadataResponse::decode(metadataV12Body(), 12);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    const MetadataResponse &m = *r;
    QCOMPARE(m.throttleTimeMs, 7);
    QCOMPARE(m.brokers.size(), 2);
    QCOMPARE(m.brokers[0].nodeId, 1);
    QCOMPARE(m.brokers[0].host, QStringLiteral("localhost"));
    QCOMPARE(m.brokers[0].port, 9092);
    QVERIFY(!m.brokers[0].rack.has_value());
    QCOMPARE(m.brokers[1].address(), QStringLiteral("kafka-2.example:19092"));
    QCOMPARE(m.brokers[1].rack.value_or(QString()), QStringLiteral("rack-b"));
    QCOMPARE(m.clusterId.value_or(QString()), QStringLiteral("cluster-xyz"));
    QCOMPARE(m.controllerId, 1);
    QCOMPARE(m.topics.size(), 2);

    const TopicInfo &t = m.topics[0];
    QCOMPARE(t.errorCode, std::int16_t(0));
    QCOMPARE(t.name, QStringLiteral("orders"));
    QCOMPARE(t.topicId.toHex(), QByteArray("00112233445566778899aabbccddeeff"));
    QVERIFY(!t.isInternal);
    QCOMPARE(t.partitions.size(), 2);
    QCOMPARE(t.partitions[0].partition, 0); // sorted by index
    QCOMPARE(t.partitions[0].errorCode, KafkaError::NotLeaderOrFollower);
    QCOMPARE(t.partitions[0].leader, -1);
    QCOMPARE(t.partitions[1].partition, 1);
    QCOMPARE(t.partitions[1].leader, 2);
    QCOMPARE(t.partitions[1].leaderEpoch, 5);
    QCOMPARE(t.partitions[1].replicas, (QList<std::int32_t>{2, 1}));
    QCOMPARE(t.partitions[1].isr, (QList<std::int32_t>{2}));
    QCOMPARE(t.partitions[1].offlineReplicas, (QList<std::int32_t>{1}));

    QCOMPARE(m.topics[1].name, QStringLiteral("missing"));
    QCOMPARE(m.topics[1].errorCode, KafkaError::UnknownTopicOrPartition);
    QVERIFY(m.topics[1].partitions.isEmpty());
}

void TstMessages::metadataV4Response()
{
    auto r = MetadataResponse::decode(metadataV4Body(), 4);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->brokers.size(), 1);
    QCOMPARE(r->clusterId.value_or(QString()), QStringLiteral("cid"));
    QCOMPARE(r->topics.size(), 1);
    QCOMPARE(r->topics[0].name, QStringLiteral("t"));
    QVERIFY(r->topics[0].topicId.isEmpty());
    QCOMPARE(r->topics[0].partitions.size(), 1);
    QCOMPARE(r->topics[0].partitions[0].leader, 1);
    QCOMPARE(r->topics[0].partitions[0].leaderEpoch, -1); // v7+
}

void TstMessages::produceV11Response()
{
    auto r = ProduceResponse::decode(produceV11Body(), 11);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->throttleTimeMs, 25);
    QCOMPARE(r->topics.size(), 1);
    const auto &t = r->topics[0];
    QCOMPARE(t.name, QStringLiteral("orders"));
    QCOMPARE(t.partitions.size(), 2);
    const auto &p0 = t.partitions[0];
    QCOMPARE(p0.partition, 0);
    QCOMPARE(p0.errorCode, std::int16_t(87));
    QCOMPARE(p0.baseOffset, std::int64_t(-1));
    QCOMPARE(p0.logStartOffset, std::int64_t(0));
    QCOMPARE(p0.recordErrors.size(), 2);
    QCOMPARE(p0.recordErrors[0].batchIndex, 3);
    QCOMPARE(p0.recordErrors[0].message.value_or(QString()), QStringLiteral("bad key"));
    QCOMPARE(p0.recordErrors[1].batchIndex, 5);
    QVERIFY(!p0.recordErrors[1].message.has_value());
    QCOMPARE(p0.errorMessage.value_or(QString()), QStringLiteral("One or more records have been rejected"));
    const auto &p2 = t.partitions[1];
    QCOMPARE(p2.partition, 2);
    QCOMPARE(p2.errorCode, std::int16_t(0));
    QCOMPARE(p2.baseOffset, std::int64_t(1000));
    QCOMPARE(p2.logAppendTimeMs, std::int64_t(1700000000000LL));
    QCOMPARE(p2.logStartOffset, std::int64_t(10));
    QVERIFY(p2.recordErrors.isEmpty());
    QVERIFY(!p2.errorMessage.has_value());
}

void TstMessages::produceV3Response()
{
    auto r = ProduceResponse::decode(produceV3Body(), 3);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->topics.size(), 1);
    QCOMPARE(r->topics[0].partitions[0].baseOffset, std::int64_t(42));
    QCOMPARE(r->topics[0].partitions[0].logStartOffset, std::int64_t(-1)); // v5+
}

void TstMessages::truncatedResponsesFail()
{
    expectAllPrefixesFail(
        apiVersionsV3Body(), [](const QByteArray &b) { return ApiVersionsResponse::decode(b, 3).ok(); },
        "ApiVersions v3");
    expectAllPrefixesFail(
        apiVersionsUnsupportedBody(), [](const QByteArray &b) { return ApiVersionsResponse::decode(b, 3).ok(); },
        "ApiVersions UNSUPPORTED_VERSION");
    expectAllPrefixesFail(
        metadataV12Body(), [](const QByteArray &b) { return MetadataResponse::decode(b, 12).ok(); }, "Metadata v12");
    expectAllPrefixesFail(
        metadataV4Body(), [](const QByteArray &b) { return MetadataResponse::decode(b, 4).ok(); }, "Metadata v4");
    expectAllPrefixesFail(
        produceV11Body(), [](const QByteArray &b) { return ProduceResponse::decode(b, 11).ok(); }, "Produce v11");
    expectAllPrefixesFail(
        produceV3Body(), [](const QByteArray &b) { return ProduceResponse::decode(b, 3).ok(); }, "Produce v3");

    // And a failed decode says what it was decoding.
    auto r = MetadataResponse::decode(metadataV12Body().left(20), 12);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, KafkaError::ClientProtocolError);
    QVERIFY2(r.error().message.contains(QStringLiteral("Metadata")), qPrintable(test::errorText(r)));
}

void TstMessages::hostileCountsFailWithoutAllocating()
{
    test::AddressSpaceCap cap;
    const auto pad = [](QByteArray b) {
        b.append(40 - b.size(), '\x01');
        return b;
    };
    // 1e9 brokers / topics / partitions / api keys in 40-byte frames.
    QVERIFY(!MetadataResponse::decode(pad(hex("00000000"
                                              "3b9aca00")),
                                      4)
                 .ok());
    QVERIFY(!MetadataResponse::decode(pad(hex("00000000"
                                              "00000000"
                                              "ffff"
                                              "00000001"
                                              "3b9aca00")),
                                      4)
                 .ok());
    QVERIFY(!MetadataResponse::decode(pad(hex("00000000"
                                              "80a8d6b907")),
                                      12)
                 .ok()); // compact 1e9
    {
        // one topic whose partition array claims 1e9 entries
        ByteWriter w;
        w.int32(0);
        w.unsignedVarint(1); // no brokers
        w.unsignedVarint(0); // null cluster id
        w.int32(1);
        w.unsignedVarint(2); // one topic
        w.int16(0);
        w.string(QStringLiteral("t"), true);
        w.raw(QByteArray(16, '\0'));
        w.boolean(false);
        w.unsignedVarint(1000000001u);
        QVERIFY(!MetadataResponse::decode(pad(w.take()), 12).ok());
    }
    {
        // replicas: 1e9 int32s
        ByteWriter w;
        w.int32(0);
        w.int32(0);
        w.nullableString(std::nullopt, false);
        w.int32(1);
        w.int32(1);
        w.int16(0);
        w.string(QStringLiteral("t"), false);
        w.boolean(false);
        w.int32(1);
        w.int16(0);
        w.int32(0);
        w.int32(1);
        w.int32(1000000000);
        QVERIFY(!MetadataResponse::decode(w.take() + QByteArray(8, '\0'), 4).ok());
    }
    QVERIFY(!ApiVersionsResponse::decode(pad(hex("0000"
                                                 "3b9aca00")),
                                         0)
                 .ok());
    QVERIFY(!ApiVersionsResponse::decode(pad(hex("0000"
                                                 "80a8d6b907")),
                                         3)
                 .ok());
    QVERIFY(!ApiVersionsResponse::decode(pad(hex("0023"
                                                 "3b9aca00")),
                                         3)
                 .ok()); // via the v0 fallback
    QVERIFY(!ProduceResponse::decode(pad(hex("3b9aca00")), 3).ok());
    QVERIFY(!ProduceResponse::decode(pad(hex("80a8d6b907")), 11).ok());
    QVERIFY(!ProduceResponse::decode(pad(hex("02"
                                             "0274"
                                             "80a8d6b907")),
                                     11)
                 .ok());
    {
        // record errors: 1e9 entries
        ByteWriter w;
        w.unsignedVarint(2);
        w.string(QStringLiteral("t"), true);
        w.unsignedVarint(2);
        w.int32(0);
        w.int16(0);
        w.int64(0);
        w.int64(0);
        w.int64(0);
        w.unsignedVarint(1000000001u);
        QVERIFY(!ProduceResponse::decode(pad(w.take()), 11).ok());
    }
    // Tagged fields claiming more than is there, inside ApiVersions features.
    {
        QByteArray b = hex("0000"
                           "01"
                           "00000000"
                           "01"
                           "02"
                           "10"
                           "02"
                           "05"
                           "6162636465");
        QVERIFY(!ApiVersionsResponse::decode(b, 3).ok());
    }
}

QTEST_GUILESS_MAIN(TstMessages)
#include "tst_messages.moc"
