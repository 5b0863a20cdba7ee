// Request encoding and response decoding for the consumer-side APIs the tail
// reader uses (FindCoordinator, ListOffsets, Fetch, OffsetFetch), against
// bytes written by hand from the JSON message specs
// (clients/src/main/resources/common/message/*.json), plus truncated and
// hostile responses.

#include "MemoryCap.h"
#include "ResultText.h"
#include "messages/Fetch.h"
#include "messages/FindCoordinator.h"
#include "messages/ListOffsets.h"
#include "messages/OffsetFetch.h"
#include "records/RecordBatch.h"
#include "tail/TailReader.h"
#include "wire/ApiKeys.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

#include <QTest>

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
        const QByteArray prefix = body.left(n);
        if (decode(prefix))
            QFAIL(qPrintable(QStringLiteral("%1: a %2-byte prefix of %3 bytes decoded")
                                 .arg(QLatin1StringView(what))
                                 .arg(n)
                                 .arg(body.size())));
    }
}

QByteArray pad40(QByteArray b)
{
    b.append(40 - b.size(), '\x01');
    return b;
}

} // namespace

class TstMessagesFetch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findCoordinatorRequest();
    void findCoordinatorV0Response();
    void findCoordinatorV3Response();
    void findCoordinatorV4Response();
    void findCoordinatorHostile();
    void listOffsetsRequest();
    void listOffsetsResponses();
    void fetchRequest();
    void fetchV4Response();
    void fetchV12Response();
    void offsetFetchRequest();
    void offsetFetchResponses();
    void consumerResponsesHostile();
    void abortedTransactionFilter();
    void fetchWithAPartialLastBatch();
};

void TstMessagesFetch::findCoordinatorRequest()
{
    QCOMPARE(Api::clientRange(ApiKey::FindCoordinator).min, std::int16_t(0));
    QCOMPARE(Api::clientRange(ApiKey::FindCoordinator).max, std::int16_t(6));
    QVERIFY(!Api::isFlexible(ApiKey::FindCoordinator, 2));
    QVERIFY(Api::isFlexible(ApiKey::FindCoordinator, 3));

    FindCoordinatorRequest req;
    req.keys = {QStringLiteral("g")};
    // v0: Key (string) only.
    QCOMPARE(req.encode(0).toHex(), QByteArray("000167"));
    req.keyType = CoordinatorType::Transaction;
    // v1/v2: Key, KeyType (int8).
    QCOMPARE(req.encode(1).toHex(), QByteArray("00016701"));
    QCOMPARE(req.encode(2).toHex(), QByteArray("00016701"));
    // v3: compact Key, KeyType, tags.
    QCOMPARE(req.encode(3).toHex(), QByteArray("02670100"));
    // v4-v6: KeyType, compact array of compact strings, tags.
    req.keys = {QStringLiteral("a"), QStringLiteral("bc")};
    QCOMPARE(req.encode(4).toHex(), QByteArray("0103026103626300"));
    QCOMPARE(req.encode(6).toHex(), QByteArray("0103026103626300"));
}

void TstMessagesFetch::findCoordinatorV0Response()
{
    // ErrorCode, NodeId, Host, Port.
    const QByteArray body = hex("0000"
                                "00000001"
                                "000168"
                                "00002384");
    auto r = FindCoordinatorResponse::decode(body, 0);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->coordinators.size(), 1);
    QCOMPARE(r->coordinators[0].nodeId, 1);
    QCOMPARE(r->coordinators[0].host, QStringLiteral("h"));
    QCOMPARE(r->coordinators[0].port, 9092);
    QCOMPARE(r->coordinators[0].errorCode, std::int16_t(0));
    expectAllPrefixesFail(
        body, [](const QByteArray &b) { return FindCoordinatorResponse::decode(b, 0).ok(); }, "FindCoordinator v0");

    // v2: ThrottleTimeMs, ErrorCode, ErrorMessage (nullable), NodeId, Host, Port.
    const QByteArray v2 = hex("00000007"
                              "000f"
                              "0003"
                              "6e6f70"
                              "ffffffff"
                              "0000"
                              "ffffffff");
    auto e = FindCoordinatorResponse::decode(v2, 2);
    QVERIFY2(e.ok(), qPrintable(test::errorText(e)));
    QCOMPARE(e->throttleTimeMs, 7);
    QCOMPARE(e->coordinators[0].errorCode, KafkaError::CoordinatorNotAvailable);
    QCOMPARE(e->coordinators[0].errorMessage, std::optional<QString>(QStringLiteral("nop")));
    QCOMPARE(e->coordinators[0].nodeId, -1);
    expectAllPrefixesFail(
        v2, [](const QByteArray &b) { return FindCoordinatorResponse::decode(b, 2).ok(); }, "FindCoordinator v2");
}

void TstMessagesFetch::findCoordinatorV3Response()
{
    const QByteArray body = hex("0000000a" // throttle
                                "0000"     // error
                                "00"       // null message (compact)
                                "00000003" // node
                                "036c68"   // "lh"
                                "00002385" // port 9093
                                "00");     // tags
    auto r = FindCoordinatorResponse::decode(body, 3);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->throttleTimeMs, 10);
    QCOMPARE(r->coordinators.size(), 1);
    QCOMPARE(r->coordinators[0].nodeId, 3);
    QCOMPARE(r->coordinators[0].host, QStringLiteral("lh"));
    QCOMPARE(r->coordinators[0].port, 9093);
    QCOMPARE(r->coordinators[0].errorMessage, std::nullopt);
    expectAllPrefixesFail(
        body, [](const QByteArray &b) { return FindCoordinatorResponse::decode(b, 3).ok(); }, "FindCoordinator v3");
}

void TstMessagesFetch::findCoordinatorV4Response()
{
    const QByteArray body = hex("00000000" // throttle
                                "03"       // two coordinators
                                "0274"     // key "t"
                                "00000002" // node
                                "0268"     // host "h"
                                "00002384" // port
                                "0000"     // error
                                "00"       // null message
                                "00"       // tags
                                "0275"     // key "u"
                                "ffffffff"
                                "01" // host ""
                                "ffffffff"
                                "000f"     // COORDINATOR_NOT_AVAILABLE
                                "04786978" // "xix"
                                "00"
                                "00"); // top-level tags
    for (std::int16_t v : {4, 5, 6}) {
        auto r = FindCoordinatorResponse::decode(body, v);
        QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
        QCOMPARE(r->coordinators.size(), 2);
        QCOMPARE(r->coordinators[0].key, QStringLiteral("t"));
        QCOMPARE(r->coordinators[0].nodeId, 2);
        QCOMPARE(r->coordinators[0].host, QStringLiteral("h"));
        QCOMPARE(r->coordinators[0].port, 9092);
        QCOMPARE(r->coordinators[1].key, QStringLiteral("u"));
        QCOMPARE(r->coordinators[1].errorCode, KafkaError::CoordinatorNotAvailable);
        QCOMPARE(r->coordinators[1].errorMessage, std::optional<QString>(QStringLiteral("xix")));
    }
    expectAllPrefixesFail(
        body, [](const QByteArray &b) { return FindCoordinatorResponse::decode(b, 4).ok(); }, "FindCoordinator v4");
    auto bad = FindCoordinatorResponse::decode(body.left(9), 4);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, KafkaError::ClientProtocolError);
    QVERIFY2(bad.error().message.contains(QStringLiteral("FindCoordinator v4")), qPrintable(test::errorText(bad)));
}

void TstMessagesFetch::findCoordinatorHostile()
{
    test::AddressSpaceCap cap;
    // 1e9 coordinators (compact) in a 40-byte body.
    QVERIFY(!FindCoordinatorResponse::decode(pad40(hex("00000000"
                                                       "80a8d6b907")),
                                             4)
                 .ok());
    // A host string claiming 32767 bytes.
    QVERIFY(!FindCoordinatorResponse::decode(pad40(hex("0000"
                                                       "00000001"
                                                       "7fff")),
                                             0)
                 .ok());
}

void TstMessagesFetch::listOffsetsRequest()
{
    QCOMPARE(Api::clientRange(ApiKey::ListOffsets).min, std::int16_t(1));
    ListOffsetsRequest req;
    req.isolation = IsolationLevel::ReadCommitted;
    req.topics = {{QStringLiteral("t"), {{0, 7, ListOffsetsRequest::Earliest}}}};
    // v1: ReplicaId, [Name, [PartitionIndex, Timestamp]].
    QCOMPARE(req.encode(1).toHex(), QByteArray("ffffffff"
                                               "00000001"
                                               "000174"
                                               "00000001"
                                               "00000000"
                                               "fffffffffffffffe"));
    // v2: + IsolationLevel.
    QCOMPARE(req.encode(2).toHex(), QByteArray("ffffffff"
                                               "01"
                                               "00000001"
                                               "000174"
                                               "00000001"
                                               "00000000"
                                               "fffffffffffffffe"));
    // v4: + CurrentLeaderEpoch before Timestamp.
    QCOMPARE(req.encode(4).toHex(), QByteArray("ffffffff"
                                               "01"
                                               "00000001"
                                               "000174"
                                               "00000001"
                                               "00000000"
                                               "00000007"
                                               "fffffffffffffffe"));
    // v6+: compact and tagged.
    const QByteArray flexible("ffffffff"
                              "01"
                              "02"
                              "0274"
                              "02"
                              "00000000"
                              "00000007"
                              "fffffffffffffffe"
                              "00"
                              "00"
                              "00");
    QCOMPARE(req.encode(6).toHex(), flexible);
    QCOMPARE(req.encode(9).toHex(), flexible);
}

void TstMessagesFetch::listOffsetsResponses()
{
    const QByteArray v1 = hex("00000001"
                              "000174"
                              "00000001"
                              "00000002"         // partition
                              "0000"             // error
                              "ffffffffffffffff" // timestamp
                              "000000000000002a");
    auto r1 = ListOffsetsResponse::decode(v1, 1);
    QVERIFY2(r1.ok(), qPrintable(test::errorText(r1)));
    QCOMPARE(r1->topics.size(), 1);
    QCOMPARE(r1->topics[0].name, QStringLiteral("t"));
    QCOMPARE(r1->topics[0].partitions[0].partition, 2);
    QCOMPARE(r1->topics[0].partitions[0].offset, std::int64_t(42));
    QCOMPARE(r1->topics[0].partitions[0].timestamp, std::int64_t(-1));
    expectAllPrefixesFail(
        v1, [](const QByteArray &b) { return ListOffsetsResponse::decode(b, 1).ok(); }, "ListOffsets v1");

    const QByteArray v6 = hex("00000009" // throttle
                              "02"
                              "0274"
                              "02"
                              "00000000"
                              "0006" // NOT_LEADER_OR_FOLLOWER
                              "0000000000000064"
                              "0000000000000007"
                              "00000005" // leader epoch
                              "00"
                              "00"
                              "00");
    for (std::int16_t v : {6, 9}) {
        auto r = ListOffsetsResponse::decode(v6, v);
        QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
        QCOMPARE(r->throttleTimeMs, 9);
        const ListOffsetsResponse::Partition want{0, KafkaError::NotLeaderOrFollower, 100, 7, 5};
        QCOMPARE(r->topics[0].partitions[0], want);
    }
    expectAllPrefixesFail(
        v6, [](const QByteArray &b) { return ListOffsetsResponse::decode(b, 6).ok(); }, "ListOffsets v6");
}

void TstMessagesFetch::fetchRequest()
{
    QCOMPARE(Api::clientRange(ApiKey::Fetch).min, std::int16_t(4));
    QCOMPARE(Api::clientRange(ApiKey::Fetch).max, std::int16_t(12));
    FetchRequest req;
    req.isolation = IsolationLevel::ReadCommitted;
    FetchRequest::Partition p;
    p.partition = 0;
    p.fetchOffset = 5;
    p.currentLeaderEpoch = 3;
    req.topics = {{QStringLiteral("t"), {p}}};
    // v4: ReplicaId, MaxWaitMs, MinBytes, MaxBytes, IsolationLevel,
    // [Topic, [Partition, FetchOffset, PartitionMaxBytes]].
    QCOMPARE(req.encode(4).toHex(), QByteArray("ffffffff"
                                               "000001f4"
                                               "00000001"
                                               "03200000"
                                               "01"
                                               "00000001"
                                               "000174"
                                               "00000001"
                                               "00000000"
                                               "0000000000000005"
                                               "00100000"));
    // v7: + SessionId, SessionEpoch; LogStartOffset (v5) per partition;
    // ForgottenTopicsData.
    QCOMPARE(req.encode(7).toHex(), QByteArray("ffffffff"
                                               "000001f4"
                                               "00000001"
                                               "03200000"
                                               "01"
                                               "00000000"
                                               "ffffffff"
                                               "00000001"
                                               "000174"
                                               "00000001"
                                               "00000000"
                                               "0000000000000005"
                                               "ffffffffffffffff"
                                               "00100000"
                                               "00000000"));
    // v12: flexible; CurrentLeaderEpoch (v9), LastFetchedEpoch (v12), RackId (v11).
    QCOMPARE(req.encode(12).toHex(), QByteArray("ffffffff"
                                                "000001f4"
                                                "00000001"
                                                "03200000"
                                                "01"
                                                "00000000"
                                                "ffffffff"
                                                "02"
                                                "0274"
                                                "02"
                                                "00000000"
                                                "00000003"
                                                "0000000000000005"
                                                "ffffffff"
                                                "ffffffffffffffff"
                                                "00100000"
                                                "00"
                                                "00"
                                                "01"
                                                "01"
                                                "00"));
}

namespace {

QByteArray fetchV4Body()
{
    return hex("00000000" // throttle
               "00000001"
               "000174"
               "00000001"
               "00000001"         // partition
               "0000"             // error
               "000000000000000a" // high watermark
               "0000000000000008" // last stable offset
               "00000001"         // one aborted transaction
               "00000000000003e8" // producer id 1000
               "0000000000000002" // first offset
               "00000003"
               "616263"); // records (not a batch: the decoder does not look)
}

QByteArray fetchV12Body()
{
    return hex("00000005" // throttle
               "0000"     // error
               "00000000" // session
               "02"
               "0274"
               "03"
               "00000000"         // partition 0
               "0000"             // error
               "000000000000000a" // hw
               "0000000000000009" // lso
               "0000000000000001" // log start
               "00"               // null aborted transactions
               "ffffffff"         // preferred read replica
               "04"
               "616263" // records
               "01"     // one tagged field
               "01"     // CurrentLeader
               "09"
               "00000002"
               "00000007"
               "00"
               "00000001"         // partition 1
               "0001"             // OFFSET_OUT_OF_RANGE
               "ffffffffffffffff" // hw
               "ffffffffffffffff" // lso
               "ffffffffffffffff" // log start
               "02"               // one aborted transaction
               "0000000000000007"
               "0000000000000003"
               "00"
               "00000001" // preferred read replica
               "00"       // null records
               "00"
               "00"   // topic tags
               "00"); // top-level tags
}

} // namespace

void TstMessagesFetch::fetchV4Response()
{
    auto r = FetchResponse::decode(fetchV4Body(), 4);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->topics.size(), 1);
    const auto &p = r->topics[0].partitions[0];
    QCOMPARE(p.partition, 1);
    QCOMPARE(p.highWatermark, std::int64_t(10));
    QCOMPARE(p.lastStableOffset, std::int64_t(8));
    QCOMPARE(p.logStartOffset, std::int64_t(-1)); // v5+
    QVERIFY(p.abortedTransactions.has_value());
    QCOMPARE(p.abortedTransactions->size(), 1);
    QCOMPARE(p.abortedTransactions->at(0), (FetchResponse::AbortedTransaction{1000, 2}));
    QCOMPARE(p.records, QByteArray("abc"));
    expectAllPrefixesFail(
        fetchV4Body(), [](const QByteArray &b) { return FetchResponse::decode(b, 4).ok(); }, "Fetch v4");
}

void TstMessagesFetch::fetchV12Response()
{
    auto r = FetchResponse::decode(fetchV12Body(), 12);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->throttleTimeMs, 5);
    QCOMPARE(r->topics.size(), 1);
    QCOMPARE(r->topics[0].partitions.size(), 2);
    const auto &p0 = r->topics[0].partitions[0];
    QCOMPARE(p0.lastStableOffset, std::int64_t(9));
    QCOMPARE(p0.logStartOffset, std::int64_t(1));
    QVERIFY(!p0.abortedTransactions.has_value());
    QCOMPARE(p0.records, QByteArray("abc"));
    QCOMPARE(p0.currentLeaderId, 2);
    QCOMPARE(p0.currentLeaderEpoch, 7);
    const auto &p1 = r->topics[0].partitions[1];
    QCOMPARE(p1.errorCode, KafkaError::OffsetOutOfRange);
    QCOMPARE(p1.abortedTransactions->at(0), (FetchResponse::AbortedTransaction{7, 3}));
    QCOMPARE(p1.preferredReadReplica, 1);
    QVERIFY(p1.records.isEmpty());
    QCOMPARE(p1.currentLeaderId, -1);
    expectAllPrefixesFail(
        fetchV12Body(), [](const QByteArray &b) { return FetchResponse::decode(b, 12).ok(); }, "Fetch v12");
}

void TstMessagesFetch::offsetFetchRequest()
{
    OffsetFetchRequest req;
    req.groups = {{QStringLiteral("g"), QList<OffsetFetchRequest::Topic>{{QStringLiteral("t"), {0, 1}}}}};
    // v1: GroupId, [Name, [PartitionIndexes]].
    QCOMPARE(req.encode(1).toHex(), QByteArray("000167"
                                               "00000001"
                                               "000174"
                                               "00000002"
                                               "00000000"
                                               "00000001"));
    // v8: [GroupId, [Name, [PartitionIndexes]]], RequireStable.
    req.requireStable = true;
    QCOMPARE(req.encode(8).toHex(), QByteArray("02"
                                               "0267"
                                               "02"
                                               "0274"
                                               "03"
                                               "00000000"
                                               "00000001"
                                               "00"
                                               "00"
                                               "01"
                                               "00"));
    // Every topic: null array from v2; v7 flexible with RequireStable.
    req.groups[0].topics = std::nullopt;
    QCOMPARE(req.encode(2).toHex(), QByteArray("000167"
                                               "ffffffff"));
    QCOMPARE(req.encode(7).toHex(), QByteArray("0267"
                                               "00"
                                               "01"
                                               "00"));
}

void TstMessagesFetch::offsetFetchResponses()
{
    const QByteArray v1 = hex("00000001"
                              "000174"
                              "00000001"
                              "00000000"
                              "000000000000000a"
                              "ffff" // null metadata
                              "0000");
    auto r1 = OffsetFetchResponse::decode(v1, 1);
    QVERIFY2(r1.ok(), qPrintable(test::errorText(r1)));
    QCOMPARE(r1->groups.size(), 1);
    QCOMPARE(r1->groups[0].topics[0].partitions[0], (OffsetFetchResponse::Partition{0, 10, -1, std::nullopt, 0}));
    expectAllPrefixesFail(
        v1, [](const QByteArray &b) { return OffsetFetchResponse::decode(b, 1).ok(); }, "OffsetFetch v1");

    const QByteArray v5 = hex("00000000" // throttle
                              "00000001"
                              "000174"
                              "00000001"
                              "00000002"
                              "000000000000000b"
                              "00000003" // leader epoch
                              "00016d"   // metadata "m"
                              "0000"
                              "000e"); // COORDINATOR_LOAD_IN_PROGRESS at the top
    auto r5 = OffsetFetchResponse::decode(v5, 5);
    QVERIFY2(r5.ok(), qPrintable(test::errorText(r5)));
    QCOMPARE(r5->groups[0].errorCode, KafkaError::CoordinatorLoadInProgress);
    QCOMPARE(r5->groups[0].topics[0].partitions[0], (OffsetFetchResponse::Partition{2, 11, 3, QStringLiteral("m"), 0}));
    expectAllPrefixesFail(
        v5, [](const QByteArray &b) { return OffsetFetchResponse::decode(b, 5).ok(); }, "OffsetFetch v5");

    const QByteArray v8 = hex("00000000"
                              "02"
                              "0267" // group "g"
                              "02"
                              "0274"
                              "02"
                              "00000000"
                              "ffffffffffffffff" // nothing committed
                              "ffffffff"
                              "00" // null metadata
                              "0000"
                              "00"
                              "00"
                              "0000" // group error
                              "00"
                              "00");
    auto r8 = OffsetFetchResponse::decode(v8, 8);
    QVERIFY2(r8.ok(), qPrintable(test::errorText(r8)));
    QCOMPARE(r8->groups.size(), 1);
    QCOMPARE(r8->groups[0].groupId, QStringLiteral("g"));
    QCOMPARE(r8->groups[0].topics[0].partitions[0].committedOffset, std::int64_t(-1));
    expectAllPrefixesFail(
        v8, [](const QByteArray &b) { return OffsetFetchResponse::decode(b, 8).ok(); }, "OffsetFetch v8");
}

void TstMessagesFetch::consumerResponsesHostile()
{
    test::AddressSpaceCap cap;
    // 1e9 topics / partitions / aborted transactions / groups in 40-byte bodies.
    QVERIFY(!ListOffsetsResponse::decode(pad40(hex("3b9aca00")), 1).ok());
    QVERIFY(!ListOffsetsResponse::decode(pad40(hex("00000000"
                                                   "80a8d6b907")),
                                         6)
                 .ok());
    QVERIFY(!FetchResponse::decode(pad40(hex("00000000"
                                             "3b9aca00")),
                                   4)
                 .ok());
    QVERIFY(!FetchResponse::decode(pad40(hex("00000000"
                                             "0000"
                                             "00000000"
                                             "02"
                                             "0274"
                                             "80a8d6b907")),
                                   12)
                 .ok());
    QVERIFY(!FetchResponse::decode(hex("00000000"
                                       "00000001"
                                       "000174"
                                       "00000001"
                                       "00000000"
                                       "0000"
                                       "0000000000000000"
                                       "0000000000000000"
                                       "3b9aca00") // aborted transactions
                                       + QByteArray(20, '\0'),
                                   4)
                 .ok());
    // Records claiming 2 GiB - 1.
    QVERIFY(!FetchResponse::decode(hex("00000000"
                                       "00000001"
                                       "000174"
                                       "00000001"
                                       "00000000"
                                       "0000"
                                       "0000000000000000"
                                       "0000000000000000"
                                       "ffffffff"
                                       "7fffffff") +
                                       QByteArray(20, '\0'),
                                   4)
                 .ok());
    QVERIFY(!OffsetFetchResponse::decode(pad40(hex("3b9aca00")), 1).ok());
    QVERIFY(!OffsetFetchResponse::decode(pad40(hex("00000000"
                                                   "80a8d6b907")),
                                         8)
                 .ok());
}

namespace {

DecodedBatch batch(std::int64_t base, int count, std::int64_t pid, bool transactional, bool control = false,
                   std::int16_t controlType = 0)
{
    DecodedBatch b;
    b.baseOffset = base;
    b.lastOffsetDelta = count - 1;
    b.producerId = pid;
    b.attributes =
        static_cast<std::int16_t>((transactional ? BatchAttr::Transactional : 0) | (control ? BatchAttr::Control : 0));
    for (int i = 0; i < count; ++i) {
        DecodedRecord r;
        r.offset = base + i;
        if (control) {
            ByteWriter k;
            k.int16(0);
            k.int16(controlType);
            r.key = k.take();
            ByteWriter v;
            v.int16(0);
            v.int32(5);
            r.value = v.take();
        }
        b.records.append(r);
    }
    return b;
}

} // namespace

void TstMessagesFetch::abortedTransactionFilter()
{
    // Producer 7 aborts [0, 2) and commits [5, 6); producer 9's transaction
    // [2, 4) commits in between; producer 7 aborts again from offset 8. The
    // broker lists the aborted ones out of order.
    AbortedTransactionFilter f({{7, 8}, {7, 0}});
    QVERIFY(f.skip(batch(0, 2, 7, true)));
    QVERIFY(!f.skip(batch(2, 2, 9, true)));
    QVERIFY(!f.skip(batch(4, 1, 7, true, true, 0))); // ABORT marker of 7
    QVERIFY(!f.skip(batch(5, 1, 7, true)));          // after its abort: visible
    QVERIFY(!f.skip(batch(6, 1, 7, true, true, 1))); // COMMIT marker
    QVERIFY(!f.skip(batch(7, 1, -1, false)));        // plain record
    QVERIFY(f.skip(batch(8, 3, 7, true)));
    QVERIFY(!f.skip(batch(11, 1, 9, true))); // another producer
    QVERIFY(f.skip(batch(12, 1, 7, true)));  // still inside 7's second aborted transaction

    std::int32_t epoch = -1;
    QCOMPARE(controlType(batch(0, 1, 1, true, true, 1).records[0], &epoch), ControlMarker::Type::Commit);
    QCOMPARE(epoch, 5);
    QCOMPARE(controlType(batch(0, 1, 1, true, true, 0).records[0]), ControlMarker::Type::Abort);
    QCOMPARE(controlType(DecodedRecord{}), ControlMarker::Type::Unknown);
}

void TstMessagesFetch::fetchWithAPartialLastBatch()
{
    // A Fetch v12 response whose records end in the middle of a second batch,
    // as a broker cuts them at the partition's byte limit: the response
    // decodes, and the batch decoder returns the first batch alone.
    BatchParams lz4;
    lz4.codec = Compression::Lz4;
    RecordBatchBuilder first(lz4);
    first.append(QByteArray("k"), QByteArray("v1"), {}, 1000);
    first.append(std::nullopt, QByteArray("v2"), {{QStringLiteral("h"), QByteArray("x")}}, 1001);
    auto one = first.build();
    QVERIFY(one.ok());
    RecordBatchBuilder second;
    second.append(std::nullopt, QByteArray(200, 'z'), {}, 1002);
    auto two = second.build();
    QVERIFY(two.ok());
    QByteArray records = *one;
    ByteWriter offsetTwo;
    offsetTwo.int64(2);
    records += offsetTwo.take() + two->mid(8, two->size() / 2); // base offset 2, cut short

    ByteWriter w;
    w.int32(0);
    w.int16(0);
    w.int32(0);
    w.unsignedVarint(2);
    w.string(QStringLiteral("t"), true);
    w.unsignedVarint(2);
    w.int32(0);
    w.int16(0);
    w.int64(3);
    w.int64(3);
    w.int64(0);
    w.unsignedVarint(0); // null aborted list
    w.int32(-1);
    w.bytes(records, true);
    w.emptyTaggedFields();
    w.emptyTaggedFields();
    w.emptyTaggedFields();
    auto r = FetchResponse::decode(w.take(), 12);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->topics[0].partitions[0].records, records);
    auto batches = decodeRecordBatches(r->topics[0].partitions[0].records);
    QVERIFY2(batches.ok(), qPrintable(test::errorText(batches)));
    QCOMPARE(batches->size(), 1);
    QCOMPARE(batches->at(0).records.size(), 2);
    QCOMPARE(batches->at(0).records[1].value, std::optional<QByteArray>("v2"));
    QCOMPARE(batches->at(0).codec(), Compression::Lz4);
}

QTEST_GUILESS_MAIN(TstMessagesFetch)
#include "tst_messages_fetch.moc"
