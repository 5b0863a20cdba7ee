// kpw-cli produce with serializers, against the real broker: what lands is
// read back by librdkafka and decoded by independent tools (fastavro,
// protoc --decode); records that do not serialize are reported with their
// input line and never reach the topic, while the good ones around them do.

#include "RdkConsumer.h"
#include "TestBroker.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QtEndian>

using namespace kpw;
using namespace kpw::test;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);
const QString kData = QStringLiteral(KPW_SERDE_DATA);

struct Run
{
    int exitCode = -1;
    bool finished = false;
    QByteArray out;
    QByteArray err;
};

Run runProgram(const QString &program, const QStringList &args, const QByteArray &stdinData, int timeoutMs = 60000)
{
    QProcess p;
    p.start(program, args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.write(stdinData);
    p.closeWriteChannel();
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString explain(const Run &r)
{
    return QStringLiteral("exit %1\n--- stdout ---\n%2\n--- stderr ---\n%3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out.left(4000)), QString::fromUtf8(r.err.left(4000)));
}

// Everything on the topic, waiting a little past `expected` so that a record
// that should not be there has the chance to show up.
QList<ConsumedRecord> readBack(const QString &boot, const QString &topic, int expected)
{
    QString error;
    auto records = consumeAll(boot, topic, expected + 1, 4000, QStringLiteral("read_uncommitted"), &error);
    if (!error.isEmpty())
        qWarning("librdkafka: %s", qPrintable(error));
    return records;
}

} // namespace

class TstCliSerde final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kCli), qPrintable(kCli));
        KPW_REQUIRE_BOOTSTRAP(boot);
        m_boot = boot;
    }

    void avroGoodRecordsSentBadOnesReported()
    {
        const QString topic = uniqueTopic(QStringLiteral("kpw-serde-avro"));
        KPW_CREATE_TOPIC(m_boot, topic, 1);
        const QString schema = kData + QStringLiteral("/order.avsc");
        auto order = [](int id, const char *quantity) {
            return QByteArray::number(id) + "|{\"id\": " + QByteArray::number(id) + ", \"quantity\": " + quantity +
                   ", \"customer\": \"C" + QByteArray::number(id) +
                   "\", \"status\": \"NEW\", \"lines\": [{\"sku\": \"A-1\", \"price\": \"2.50\"}], \"total\": "
                   "\"2.50\", "
                   "\"day\": \"2026-11-23\", \"at_ms\": 1, \"at_us\": 2, \"time_ms\": 3, \"time_us\": 4, "
                   "\"ref\": \"1b4e28ba-2fa1-11d2-883f-0016d3cca427\"}\n";
        };
        QByteArray input = order(1, "1");
        input += "2|{\"id\": 2, \"quantity\": 2,, }\n"; // line 2: malformed JSON
        input += order(3, "\"three\"");                 // line 3: Avro type mismatch
        input += order(4, "4");
        input += "x|" + order(5, "5").mid(2); // line 5: the key is not an int64
        input += order(6, "6");
        const Run r = runProgram(kCli,
                                 {QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                                  QStringLiteral("-K"), QStringLiteral("|"), QStringLiteral("--key-format"),
                                  QStringLiteral("int64"), QStringLiteral("--value-format"), QStringLiteral("avro"),
                                  QStringLiteral("--value-schema"), schema},
                                 input);
        QVERIFY2(r.finished, qPrintable(explain(r)));
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("line 2: value: line 1, column 25: invalid JSON"), qPrintable(explain(r)));
        QVERIFY2(r.err.contains("line 3: value: $.quantity: expected int, got string (not sent)"),
                 qPrintable(explain(r)));
        QVERIFY2(r.err.contains("line 5: key: 'x' is not a decimal integer"), qPrintable(explain(r)));
        QVERIFY2(r.err.contains("3 delivered, 0 failed, 3 rejected"), qPrintable(explain(r)));
        QCOMPARE(r.out.count('\n'), 3);

        const auto records = readBack(m_boot, topic, 3);
        QCOMPARE(records.size(), 3);
        QByteArray hex;
        QList<qint64> keys;
        for (const auto &rec : records) {
            QVERIFY(rec.key && rec.key->size() == 8);
            keys << qFromBigEndian<qint64>(rec.key->constData());
            hex += rec.value->toHex() + '\n';
        }
        QCOMPARE(keys, QList<qint64>({1, 4, 6}));
        const Run decoded =
            runProgram(QStringLiteral(KPW_PYTHON), {kData + QStringLiteral("/avro_decode.py"), schema}, hex);
        QVERIFY2(decoded.exitCode == 0, decoded.err.constData());
        const auto lines = decoded.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<int> ids;
        for (const auto &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            ids << o.value(QLatin1StringView("id")).toInt();
            QCOMPARE(o.value(QLatin1StringView("quantity")).toInt(), o.value(QLatin1StringView("id")).toInt());
            QCOMPARE(o.value(QLatin1StringView("total")).toString(), QStringLiteral("2.50"));
            QCOMPARE(o.value(QLatin1StringView("day")).toString(), QStringLiteral("2026-11-23"));
        }
        QCOMPARE(ids, QList<int>({1, 4, 6}));
    }

    void protobufReadBackByProtoc()
    {
        const QString topic = uniqueTopic(QStringLiteral("kpw-serde-proto"));
        KPW_CREATE_TOPIC(m_boot, topic, 1);
        const QString proto = kData + QStringLiteral("/order.proto");
        const QByteArray input =
            "{\"id\": 7, \"customer\": \"Ada\", \"total\": {\"currency\": \"EUR\", \"units\": 3}}\n"
            "{\"id\": 8, \"custmer\": \"typo\"}\n"
            "{\"id\": 9, \"customer\": \"Bob\", \"status\": \"PAID\"}\n";
        const QStringList base = {QStringLiteral("produce"),
                                  QStringLiteral("-b"),
                                  m_boot,
                                  QStringLiteral("-t"),
                                  topic,
                                  QStringLiteral("--value-format"),
                                  QStringLiteral("protobuf"),
                                  QStringLiteral("--value-schema"),
                                  proto};
        // No type chosen: the defined ones are listed and nothing is sent.
        const Run noType = runProgram(kCli, base, input);
        QVERIFY2(noType.exitCode == 2, qPrintable(explain(noType)));
        QVERIFY2(noType.err.contains("shop.v1.Order, shop.v1.Order.Line, shop.v1.Ping"), qPrintable(explain(noType)));
        const Run unknown =
            runProgram(kCli, base + QStringList{QStringLiteral("--value-type"), QStringLiteral("Order")}, input);
        QVERIFY2(unknown.exitCode == 2 && unknown.err.contains("unknown message type 'Order'"),
                 qPrintable(explain(unknown)));

        const Run r = runProgram(
            kCli, base + QStringList{QStringLiteral("--value-type"), QStringLiteral("shop.v1.Order")}, input);
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("line 2: value: shop.v1.Order:") && r.err.contains("custmer"), qPrintable(explain(r)));
        const auto records = readBack(m_boot, topic, 2);
        QCOMPARE(records.size(), 2);
        QStringList decoded;
        for (const auto &rec : records) {
            QVERIFY(!rec.key); // no key given: null
            const Run d = runProgram(QStringLiteral("protoc"),
                                     {QStringLiteral("--decode=shop.v1.Order"), QStringLiteral("-I") + kData,
                                      QStringLiteral("-I/usr/include"), QStringLiteral("order.proto")},
                                     *rec.value);
            QVERIFY2(d.exitCode == 0, d.err.constData());
            decoded << QString::fromUtf8(d.out);
        }
        QVERIFY2(decoded[0].contains(QLatin1StringView("id: 7")) &&
                     decoded[0].contains(QLatin1StringView("units: 3")) &&
                     decoded[0].contains(QLatin1StringView("currency: \"EUR\"")),
                 qPrintable(decoded[0]));
        QVERIFY2(decoded[1].contains(QLatin1StringView("id: 9")) &&
                     decoded[1].contains(QLatin1StringView("status: PAID")),
                 qPrintable(decoded[1]));
    }

    void jsonSchemaRejectsWhatTheSchemaRefuses()
    {
        const QString topic = uniqueTopic(QStringLiteral("kpw-serde-jsonschema"));
        KPW_CREATE_TOPIC(m_boot, topic, 1);
        const QByteArray input =
            "{\"id\": 1, \"customer\": \"A\", \"lines\": [{\"sku\": \"ABC-1\", \"quantity\": 1}]}\n"
            "{\"id\": 2, \"customer\": \"B\", \"lines\": [{\"sku\": \"nope\", \"quantity\": 1}]}\n"
            "{\"id\": 3, \"customer\": \"C\", \"lines\": [{\"sku\": \"ABC-3\", \"quantity\": 3}]}\n";
        const Run r = runProgram(kCli,
                                 {QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                                  QStringLiteral("--value-format"), QStringLiteral("json-schema"),
                                  QStringLiteral("--value-schema"), kData + QStringLiteral("/order.schema.json"),
                                  QStringLiteral("--compact-json")},
                                 input);
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("line 2: value: $.lines[0].sku: "), qPrintable(explain(r)));
        const auto records = readBack(m_boot, topic, 2);
        QCOMPARE(records.size(), 2);
        QCOMPARE(*records[0].value, QByteArray(R"({"customer":"A","id":1,"lines":[{"quantity":1,"sku":"ABC-1"}]})"));
        QCOMPARE(*records[1].value, QByteArray(R"({"customer":"C","id":3,"lines":[{"quantity":3,"sku":"ABC-3"}]})"));
    }

    void tombstonesNullKeysAndPlainFormats()
    {
        const QString topic = uniqueTopic(QStringLiteral("kpw-serde-plain"));
        KPW_CREATE_TOPIC(m_boot, topic, 1);
        auto produce = [&](const QStringList &extra, const QByteArray &input) {
            const Run r = runProgram(
                kCli,
                QStringList{QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic} +
                    extra,
                input);
            QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        };
        produce({QStringLiteral("-K"), QStringLiteral("|"), QStringLiteral("--null-value")}, "gone|ignored\n");
        produce({QStringLiteral("-k"), QString()}, "empty key\n");
        produce({QStringLiteral("--null-key"), QStringLiteral("--value-format"), QStringLiteral("int32")}, "-2\n");
        produce({QStringLiteral("-K"), QStringLiteral("|"), QStringLiteral("--key-format"), QStringLiteral("uuid"),
                 QStringLiteral("--value-format"), QStringLiteral("hex")},
                "1B4E28BA-2FA1-11D2-883F-0016D3CCA427|de ad be ef\n");
        produce({QStringLiteral("--value-format"), QStringLiteral("base64")}, "AAEC/w==\n");
        produce({QStringLiteral("--value-format"), QStringLiteral("int64")}, "1\n");

        const auto records = readBack(m_boot, topic, 6);
        QCOMPARE(records.size(), 6);
        QCOMPARE(records[0].key, std::optional<QByteArray>("gone"));
        QVERIFY(!records[0].value);                           // tombstone
        QVERIFY(records[1].key && records[1].key->isEmpty()); // empty, not null
        QVERIFY(!records[2].key);
        QCOMPARE(*records[2].value, QByteArray::fromHex("fffffffe"));
        QCOMPARE(*records[3].key, QByteArray("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
        QCOMPARE(*records[3].value, QByteArray::fromHex("deadbeef"));
        QCOMPARE(*records[4].value, QByteArray::fromHex("000102ff"));
        QCOMPARE(*records[5].value, QByteArray::fromHex("0000000000000001"));
    }

    void badFlagsAreUsageErrors()
    {
        const QStringList base = {QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"),
                                  QStringLiteral("unused")};
        const Run fmt =
            runProgram(kCli, base + QStringList{QStringLiteral("--value-format"), QStringLiteral("xml")}, {});
        QVERIFY2(fmt.exitCode == 2 && fmt.err.contains("'xml' is not a format"), qPrintable(explain(fmt)));
        const Run noSchema =
            runProgram(kCli, base + QStringList{QStringLiteral("--value-format"), QStringLiteral("avro")}, {});
        QVERIFY2(noSchema.exitCode == 2 && noSchema.err.contains("needs --value-schema"),
                 qPrintable(explain(noSchema)));
        const Run badSchema =
            runProgram(kCli,
                       base + QStringList{QStringLiteral("--value-format"), QStringLiteral("avro"),
                                          QStringLiteral("--value-schema"), kData + QStringLiteral("/order.proto")},
                       {});
        QVERIFY2(badSchema.exitCode == 2 && badSchema.err.contains("order.proto: line 1, column 1: invalid JSON"),
                 qPrintable(explain(badSchema)));
    }

private:
    QString m_boot;
};

QTEST_GUILESS_MAIN(TstCliSerde)
#include "tst_cli_serde.moc"
