// Request encoding and response decoding for the consumer-side APIs the tail
// reader uses (FindCoordinator, ListOffsets, Fetch, OffsetFetch), against
// bytes written by hand from the JSON message specs
// (clients/src/main/resources/common/message/*.json), plus truncated and
// hostile responses.

#include "MemoryCap.h"
#include "ResultText.h"
#include "messages/FindCoordinator.h"
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

QTEST_GUILESS_MAIN(TstMessagesFetch)
#include "tst_messages_fetch.moc"
