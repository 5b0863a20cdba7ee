// The Kafka error table (apache/kafka Errors.java) and the client-side codes.

#include "producer/DeliveryReport.h"
#include "wire/KafkaError.h"

#include <QTest>

using namespace kpw;

class TstErrors final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lookups_data();
    void lookups();
    void unknownCodes();
    void describe();
    void clientCodesAreDistinctAndNamed();
    void deliveryReportErrorName();
};

void TstErrors::lookups_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("retriable");
    QTest::newRow("0") << 0 << QStringLiteral("NONE") << false;
    QTest::newRow("2") << 2 << QStringLiteral("CORRUPT_MESSAGE") << true;
    QTest::newRow("3") << 3 << QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION") << true;
    QTest::newRow("6") << 6 << QStringLiteral("NOT_LEADER_OR_FOLLOWER") << true;
    QTest::newRow("7") << 7 << QStringLiteral("REQUEST_TIMED_OUT") << true;
    QTest::newRow("10") << 10 << QStringLiteral("MESSAGE_TOO_LARGE") << false;
    QTest::newRow("19") << 19 << QStringLiteral("NOT_ENOUGH_REPLICAS") << true;
    QTest::newRow("29") << 29 << QStringLiteral("TOPIC_AUTHORIZATION_FAILED") << false;
    QTest::newRow("35") << 35 << QStringLiteral("UNSUPPORTED_VERSION") << false;
    QTest::newRow("45") << 45 << QStringLiteral("OUT_OF_ORDER_SEQUENCE_NUMBER") << false;
    QTest::newRow("46") << 46 << QStringLiteral("DUPLICATE_SEQUENCE_NUMBER") << false;
    QTest::newRow("47") << 47 << QStringLiteral("INVALID_PRODUCER_EPOCH") << false;
    QTest::newRow("59") << 59 << QStringLiteral("UNKNOWN_PRODUCER_ID") << false;
    QTest::newRow("90") << 90 << QStringLiteral("PRODUCER_FENCED") << false;
}

void TstErrors::lookups()
{
    QFETCH(int, code);
    QFETCH(QString, name);
    QFETCH(bool, retriable);
    const auto c = static_cast<std::int16_t>(code);
    QCOMPARE(KafkaError::name(c), name);
    QCOMPARE(KafkaError::isRetriable(c), retriable);
    const KafkaErrorInfo info = KafkaError::info(c);
    QCOMPARE(info.code, c);
    QVERIFY(info.name);
    QCOMPARE(QLatin1StringView(info.name), name);
    QCOMPARE(info.retriable, retriable);
    QVERIFY(info.text && *info.text);
}

void TstErrors::unknownCodes()
{
    for (int code : {9999, 1000, -500, 32767, -32768}) {
        const auto c = static_cast<std::int16_t>(code);
        QCOMPARE(KafkaError::name(c), QStringLiteral("UNKNOWN_ERROR_CODE_%1").arg(code));
        QVERIFY(!KafkaError::isRetriable(c));
        QCOMPARE(KafkaError::info(c).code, c);
        QVERIFY(KafkaError::describe(c).startsWith(QStringLiteral("UNKNOWN_ERROR_CODE_%1: ").arg(code)));
    }
}

void TstErrors::describe()
{
    const QString d = KafkaError::describe(KafkaError::UnknownTopicOrPartition);
    QVERIFY2(d.startsWith(QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION: ")), qPrintable(d));
    QVERIFY(d.size() > QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION: ").size());
}

void TstErrors::clientCodesAreDistinctAndNamed()
{
    const std::int16_t codes[] = {KafkaError::ClientRecordTooLarge,   KafkaError::ClientTimeout,
                                  KafkaError::ClientConnectionFailed, KafkaError::ClientProtocolError,
                                  KafkaError::ClientInvalidRecord,    KafkaError::ClientShutdown,
                                  KafkaError::ClientBufferFull};
    QSet<QString> names;
    for (auto c : codes) {
        const QString n = KafkaError::name(c);
        QVERIFY2(!n.startsWith(QStringLiteral("UNKNOWN_ERROR_CODE")), qPrintable(n));
        names.insert(n);
        // Client codes never collide with broker codes (which are >= -1).
        QVERIFY(c < -1);
    }
    QCOMPARE(names.size(), int(std::size(codes)));
    QCOMPARE(KafkaError::name(KafkaError::ClientUnknownError), QStringLiteral("UNKNOWN_SERVER_ERROR"));
}

void TstErrors::deliveryReportErrorName()
{
    DeliveryReport r;
    QVERIFY(r.ok());
    QVERIFY(r.errorName().isEmpty());
    r.errorCode = KafkaError::UnknownTopicOrPartition;
    QVERIFY(!r.ok());
    QCOMPARE(r.errorName(), QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION"));
}

QTEST_GUILESS_MAIN(TstErrors)
#include "tst_errors.moc"
