// The transactional requests and responses against bytes worked out by hand
// from apache/kafka's message specs (InitProducerId, AddPartitionsToTxn,
// AddOffsetsToTxn, TxnOffsetCommit, EndTxn), in their classic and flexible
// versions; every proper prefix of a response must be refused.

#include "messages/Transactions.h"
#include "records/RecordBatch.h"
#include "wire/ApiKeys.h"
#include "wire/KafkaError.h"

#include <QTest>

using namespace kpw;

namespace {

QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}

template <typename Decode> void expectAllPrefixesFail(const QByteArray &body, Decode decode)
{
    for (qsizetype n = 0; n < body.size(); ++n)
        QVERIFY2(!decode(body.left(n)), qPrintable(QStringLiteral("a %1-byte prefix decoded").arg(n)));
}

} // namespace

class TstTxnMessages final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clientRanges();
    void initProducerIdRequest();
    void initProducerIdResponse();
    void addPartitionsToTxn();
    void addOffsetsToTxn();
    void txnOffsetCommit();
    void endTxn();
    void restampRewritesStateAndCrc();
    void sequencesWrap();
};

void TstTxnMessages::clientRanges()
{
    QCOMPARE(Api::clientRange(ApiKey::InitProducerId).max, std::int16_t(5));
    QCOMPARE(Api::clientRange(ApiKey::AddPartitionsToTxn).max, std::int16_t(3)); // v4+ is broker to broker
    QCOMPARE(Api::clientRange(ApiKey::EndTxn).max, std::int16_t(5));
    QCOMPARE(Api::clientRange(ApiKey::TxnOffsetCommit).max, std::int16_t(5));
    QCOMPARE(Api::clientRange(ApiKey::Produce).max, std::int16_t(12));
}

void TstTxnMessages::initProducerIdRequest()
{
    InitProducerIdRequest r;
    r.transactionalId = QStringLiteral("t");
    r.transactionTimeoutMs = 60000;
    r.producerId = 5;
    r.producerEpoch = 1;
    QCOMPARE(r.encode(0).toHex(), hex("000174"
                                      "0000ea60")
                                      .toHex());
    QCOMPARE(r.encode(3).toHex(), hex("0274"
                                      "0000ea60"
                                      "0000000000000005"
                                      "0001"
                                      "00")
                                      .toHex());
    InitProducerIdRequest idem; // idempotent only: a null transactional id
    QCOMPARE(idem.encode(1).toHex(), hex("ffff"
                                         "0000ea60")
                                         .toHex());
    QCOMPARE(idem.encode(4).toHex(), hex("00"
                                         "0000ea60"
                                         "ffffffffffffffff"
                                         "ffff"
                                         "00")
                                         .toHex());
}

void TstTxnMessages::initProducerIdResponse()
{
    const QByteArray v4 = hex("00000000"
                              "0000"
                              "0000000000000007"
                              "0002"
                              "00");
    auto r = InitProducerIdResponse::decode(v4, 4);
    QVERIFY(r.ok());
    QCOMPARE(r->producerId, std::int64_t(7));
    QCOMPARE(r->producerEpoch, std::int16_t(2));
    expectAllPrefixesFail(v4, [](const QByteArray &b) { return InitProducerIdResponse::decode(b, 4).ok(); });
    auto fenced = InitProducerIdResponse::decode(hex("00000000"
                                                     "005a"
                                                     "ffffffffffffffff"
                                                     "ffff"),
                                                 1);
    QVERIFY(fenced.ok());
    QCOMPARE(fenced->errorCode, KafkaError::ProducerFenced);
    // No error, yet no producer id: not a usable answer.
    auto noId = InitProducerIdResponse::decode(hex("00000000"
                                                   "0000"
                                                   "ffffffffffffffff"
                                                   "0000"),
                                               1);
    QVERIFY(!noId.ok());
    QVERIFY2(noId.error().message.contains(QStringLiteral("producer id -1")), qPrintable(noId.error().message));
}

void TstTxnMessages::addPartitionsToTxn()
{
    AddPartitionsToTxnRequest r;
    r.transactionalId = QStringLiteral("t");
    r.producerId = 1;
    r.producerEpoch = 0;
    r.topics = {{QStringLiteral("a"), {0, 1}}};
    QCOMPARE(r.encode(3).toHex(), hex("0274"
                                      "0000000000000001"
                                      "0000"
                                      "02"
                                      "0261"
                                      "03"
                                      "00000000"
                                      "00000001"
                                      "00"
                                      "00")
                                      .toHex());
    QCOMPARE(r.encode(0).toHex(), hex("000174"
                                      "0000000000000001"
                                      "0000"
                                      "00000001"
                                      "000161"
                                      "00000002"
                                      "00000000"
                                      "00000001")
                                      .toHex());
    const QByteArray v3 = hex("00000000"
                              "02"
                              "0261"
                              "02"
                              "00000000"
                              "0033"
                              "00"
                              "00"
                              "00");
    auto resp = AddPartitionsToTxnResponse::decode(v3, 3);
    QVERIFY(resp.ok());
    QCOMPARE(resp->topics.size(), 1);
    QCOMPARE(resp->topics[0].partitions[0].errorCode, KafkaError::ConcurrentTransactions);
    expectAllPrefixesFail(v3, [](const QByteArray &b) { return AddPartitionsToTxnResponse::decode(b, 3).ok(); });
    // A billion partitions in a few bytes is refused before allocating.
    QVERIFY(!AddPartitionsToTxnResponse::decode(hex("00000000"
                                                    "00000001"
                                                    "000161"
                                                    "3b9aca00"),
                                                0)
                 .ok());
}

void TstTxnMessages::addOffsetsToTxn()
{
    AddOffsetsToTxnRequest r{QStringLiteral("t"), 2, 3, QStringLiteral("g")};
    QCOMPARE(r.encode(3).toHex(), hex("0274"
                                      "0000000000000002"
                                      "0003"
                                      "0267"
                                      "00")
                                      .toHex());
    QCOMPARE(r.encode(0).toHex(), hex("000174"
                                      "0000000000000002"
                                      "0003"
                                      "000167")
                                      .toHex());
    auto resp = AddOffsetsToTxnResponse::decode(hex("00000000"
                                                    "0000"
                                                    "00"),
                                                3);
    QVERIFY(resp.ok());
    QCOMPARE(resp->errorCode, std::int16_t(0));
    expectAllPrefixesFail(hex("00000000"
                              "0000"
                              "00"),
                          [](const QByteArray &b) { return AddOffsetsToTxnResponse::decode(b, 3).ok(); });
}

void TstTxnMessages::txnOffsetCommit()
{
    TxnOffsetCommitRequest r;
    r.transactionalId = QStringLiteral("t");
    r.groupId = QStringLiteral("g");
    r.producerId = 1;
    r.producerEpoch = 0;
    r.generationId = 4;
    r.memberId = QStringLiteral("m");
    r.topics = {{QStringLiteral("a"), {{2, 42, -1, std::nullopt}}}};
    QCOMPARE(r.encode(3).toHex(), hex("0274"
                                      "0267"
                                      "0000000000000001"
                                      "0000"
                                      "00000004"
                                      "026d"
                                      "00"
                                      "02"
                                      "0261"
                                      "02"
                                      "00000002"
                                      "000000000000002a"
                                      "ffffffff"
                                      "00"
                                      "00"
                                      "00"
                                      "00")
                                      .toHex());
    // v0: no generation/member, no leader epoch, classic strings.
    QCOMPARE(r.encode(0).toHex(), hex("000174"
                                      "000167"
                                      "0000000000000001"
                                      "0000"
                                      "00000001"
                                      "000161"
                                      "00000001"
                                      "00000002"
                                      "000000000000002a"
                                      "ffff")
                                      .toHex());
    // v5 is v4's frame (the version alone says "transaction protocol 2").
    QCOMPARE(r.encode(5), r.encode(4));
    const QByteArray resp = hex("00000000"
                                "02"
                                "0261"
                                "02"
                                "00000002"
                                "0000"
                                "00"
                                "00"
                                "00");
    auto d = TxnOffsetCommitResponse::decode(resp, 5);
    QVERIFY(d.ok());
    QCOMPARE(d->topics[0].partitions[0].partition, 2);
    expectAllPrefixesFail(resp, [](const QByteArray &b) { return TxnOffsetCommitResponse::decode(b, 5).ok(); });
}

void TstTxnMessages::endTxn()
{
    EndTxnRequest r{QStringLiteral("t"), 9, 1, true};
    QCOMPARE(r.encode(5).toHex(), hex("0274"
                                      "0000000000000009"
                                      "0001"
                                      "01"
                                      "00")
                                      .toHex());
    QCOMPARE(r.encode(2).toHex(), hex("000174"
                                      "0000000000000009"
                                      "0001"
                                      "01")
                                      .toHex());
    // v5 answers the producer id and epoch of the next transaction (KIP-890).
    const QByteArray v5 = hex("00000000"
                              "0000"
                              "0000000000000009"
                              "0002"
                              "00");
    auto d = EndTxnResponse::decode(v5, 5);
    QVERIFY(d.ok());
    QCOMPARE(d->producerId, std::int64_t(9));
    QCOMPARE(d->producerEpoch, std::int16_t(2));
    expectAllPrefixesFail(v5, [](const QByteArray &b) { return EndTxnResponse::decode(b, 5).ok(); });
    auto v4 = EndTxnResponse::decode(hex("00000000"
                                         "0030"
                                         "00"),
                                     4);
    QVERIFY(v4.ok());
    QCOMPARE(v4->errorCode, KafkaError::InvalidTxnState);
    QCOMPARE(v4->producerId, std::int64_t(-1));
}

void TstTxnMessages::restampRewritesStateAndCrc()
{
    BatchParams p;
    p.producerId = 1;
    p.producerEpoch = 0;
    p.baseSequence = 0;
    RecordBatchBuilder b(p);
    b.append(QByteArray("k"), QByteArray("v"), {}, 1000);
    b.append(std::nullopt, QByteArray("w"), {}, 1001);
    auto wire = b.build();
    QVERIFY(wire.ok());
    QByteArray bytes = *wire;
    QVERIFY(restampProducerState(bytes, 77, 3, 2147483646));
    auto decoded = decodeRecordBatches(bytes); // checks the CRC
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : qPrintable(decoded.error().message));
    QCOMPARE(decoded->front().producerId, std::int64_t(77));
    QCOMPARE(decoded->front().producerEpoch, std::int16_t(3));
    QCOMPARE(decoded->front().baseSequence, 2147483646);
    QCOMPARE(decoded->front().records.size(), 2);
    QByteArray tooShort(20, '\0');
    QVERIFY(!restampProducerState(tooShort, 1, 1, 1));
}

void TstTxnMessages::sequencesWrap()
{
    QCOMPARE(incrementSequence(0, 5), 5);
    QCOMPARE(incrementSequence(2147483646, 1), 2147483647);
    QCOMPARE(incrementSequence(2147483647, 1), 0); // INT32_MAX wraps to 0 (franz-go #227)
    QCOMPARE(incrementSequence(2147483640, 10), 2);
}

QTEST_GUILESS_MAIN(TstTxnMessages)
#include "tst_txn_messages.moc"
