// Checks the test oracle itself: records written by librdkafka's producer
// come back from RdkConsumer with null and empty keys, values and header
// values told apart, repeated header names kept in order. If this fails, the
// other integration tests cannot be trusted either way.

#include "RdkConsumer.h"
#include "TestBroker.h"

#include <QTemporaryFile>
#include <QTest>

#include <algorithm>

#include <librdkafka/rdkafka.h>

using namespace kpw;
using namespace kpw::test;

namespace {

struct Sent
{
    int partition;
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
    std::int64_t ts;
};

} // namespace

class TstRdkOracle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsBackWhatLibrdkafkaWrote();
    void bootstrapFromFile();

private:
    QString m_boot;
};

void TstRdkOracle::initTestCase()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstRdkOracle::readsBackWhatLibrdkafkaWrote()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-oracle"));
    KPW_CREATE_TOPIC(m_boot, topic, 2);

    const QList<Sent> sent = {
        {0, QByteArray("k1"), QByteArray("v1"), {}, 1600000000001},
        {0, std::nullopt, QByteArray("null key"), {}, 1600000000002},
        {0, QByteArray(""), QByteArray("empty key"), {}, 1600000000003},
        {1, QByteArray("tomb"), std::nullopt, {}, 1600000000004},
        {1, QByteArray("k5"), QByteArray(""), {}, 1600000000005},
        {1,
         QByteArray("\x00\xff", 2),
         QByteArray("\x00\x01\x02", 3),
         {{QStringLiteral("dup"), QByteArray("1")},
          {QStringLiteral("nul"), std::nullopt},
          {QStringLiteral("empty"), QByteArray("")},
          {QStringLiteral("dup"), QByteArray("2")}},
         1600000000006},
    };

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    QCOMPARE(rd_kafka_conf_set(conf, "bootstrap.servers", m_boot.toUtf8().constData(), errstr, sizeof errstr),
             RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    QVERIFY2(rk, errstr);
    const QByteArray topicName = topic.toUtf8();
    for (const Sent &s : sent) {
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new(s.headers.size());
        for (const auto &h : s.headers) {
            const QByteArray name = h.key.toUtf8();
            rd_kafka_header_add(hdrs, name.constData(), name.size(), h.value ? h.value->constData() : nullptr,
                                h.value ? h.value->size() : 0);
        }
        // (the macros cast their arguments without parentheses)
        const void *key = s.key ? s.key->constData() : nullptr;
        const size_t keyLen = s.key ? static_cast<size_t>(s.key->size()) : 0;
        void *value = s.value ? const_cast<char *>(s.value->constData()) : nullptr;
        const size_t valueLen = s.value ? static_cast<size_t>(s.value->size()) : 0;
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topicName.constData()), RD_KAFKA_V_PARTITION(s.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, keyLen), RD_KAFKA_V_VALUE(value, valueLen),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_TIMESTAMP(s.ts), RD_KAFKA_V_END);
        QCOMPARE(rd_kafka_err2name(err), rd_kafka_err2name(RD_KAFKA_RESP_ERR_NO_ERROR));
    }
    QCOMPARE(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);

    QString error;
    const auto got = consumeAll(m_boot, topic, sent.size(), 30000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(got.size(), sent.size());
    for (const auto &r : got) {
        // Timestamps are unique per record here: match on them.
        const auto it = std::find_if(sent.begin(), sent.end(), [&](const Sent &s) { return s.ts == r.timestampMs; });
        QVERIFY2(it != sent.end(), qPrintable(describe(r)));
        QCOMPARE(r.topic, topic);
        QCOMPARE(r.partition, it->partition);
        QVERIFY(!r.logAppendTime);
        QVERIFY2(r.key == it->key, qPrintable(describe(r)));
        QVERIFY2(r.key.has_value() == it->key.has_value(), qPrintable(describe(r)));
        QVERIFY2(r.value == it->value, qPrintable(describe(r)));
        QVERIFY2(r.value.has_value() == it->value.has_value(), qPrintable(describe(r)));
        QVERIFY2(r.headers == it->headers, qPrintable(describe(r)));
        for (int h = 0; h < r.headers.size(); ++h)
            QVERIFY2(r.headers[h].value.has_value() == it->headers[h].value.has_value(), qPrintable(describe(r)));
    }
    // Offsets per partition are 0, 1, 2.
    for (int p = 0; p < 2; ++p) {
        QList<std::int64_t> offsets;
        for (const auto &r : got)
            if (r.partition == p)
                offsets.append(r.offset);
        QCOMPARE(offsets, (QList<std::int64_t>{0, 1, 2}));
    }

    // Asking for more than there is returns what is there after the timeout.
    const auto more = consumeAll(m_boot, topic, sent.size() + 1, 3000);
    QCOMPARE(more.size(), sent.size());
}

void TstRdkOracle::bootstrapFromFile()
{
    const QByteArray saved = qgetenv("KPW_TEST_BOOTSTRAP");
    const QByteArray savedFile = qgetenv("KPW_TEST_BOOTSTRAP_FILE");
    qunsetenv("KPW_TEST_BOOTSTRAP");
    QTemporaryFile f;
    QVERIFY(f.open());
    f.write("  127.0.0.1:12345\n");
    f.flush();
    qputenv("KPW_TEST_BOOTSTRAP_FILE", f.fileName().toLocal8Bit());
    QCOMPARE(bootstrap(), QStringLiteral("127.0.0.1:12345"));
    qputenv("KPW_TEST_BOOTSTRAP", "10.0.0.1:9092");
    QCOMPARE(bootstrap(), QStringLiteral("10.0.0.1:9092")); // the variable wins
    if (saved.isNull())
        qunsetenv("KPW_TEST_BOOTSTRAP");
    else
        qputenv("KPW_TEST_BOOTSTRAP", saved);
    if (savedFile.isNull())
        qunsetenv("KPW_TEST_BOOTSTRAP_FILE");
    else
        qputenv("KPW_TEST_BOOTSTRAP_FILE", savedFile);
}

QTEST_GUILESS_MAIN(TstRdkOracle)
#include "tst_rdk_oracle.moc"
