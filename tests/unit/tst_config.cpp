// ProducerConfig: validation on set(), typed accessors, and client.properties
// files as the Java tools read them.

#include "ResultText.h"
#include "producer/ProducerConfig.h"

#include <QTemporaryFile>
#include <QTest>

using namespace kpw;

class TstConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void validSettings();
    void rejectedSettings_data();
    void rejectedSettings();
    void rejectedValueKeepsPrevious();
    void propertiesBasics();
    void propertiesErrorsNameTheLine();
    void propertiesFile();
    void propertiesJavaSyntax();
    void javaSettingsNotImplementedWarn();
    void consumerSettingsIgnoredWithAWarning();
    void typoSuggestsNearestName();
    void idempotenceFollowsTheJavaClient();
};

void TstConfig::defaults()
{
    ProducerConfig c;
    QCOMPARE(c.acks(), std::int16_t(-1)); // "all"
    QCOMPARE(c.compression(), Compression::None);
    QVERIFY(!c.allowAutoTopicCreation());
    QVERIFY(c.bootstrapServers().isEmpty());
    QVERIFY(!c.isSet(QStringLiteral("linger.ms")));
    // Every key has a type, a group and a default that passes its own check.
    for (const ConfigKey &k : ProducerConfig::keys()) {
        QVERIFY2(!k.type.isEmpty() && !k.group.isEmpty() && !k.doc.isEmpty(), qPrintable(k.name));
        if (k.name == QStringLiteral("bootstrap.servers"))
            continue;
        ProducerConfig d;
        auto r = d.set(k.name, k.defaultValue);
        QVERIFY2(r.ok(), qPrintable(k.name + QStringLiteral(": ") + test::errorText(r)));
        QCOMPARE(ProducerConfig::key(k.name), &k);
    }
    QCOMPARE(ProducerConfig::key(QStringLiteral("no.such.key")), nullptr);
}

void TstConfig::validSettings()
{
    ProducerConfig c;
    const QList<std::pair<const char *, const char *>> settings = {
        {"bootstrap.servers", "127.0.0.1:9092, kafka-2:19092"},
        {"acks", "1"},
        {"linger.ms", " 25 "},
        {"compression.type", "ZSTD"},
        {"compression.zstd.level", "-5"},
        {"allow.auto.create.topics", "TRUE"},
        {"buffer.memory", "68719476736"}, // a long
        {"partitioner", "round_robin"},
    };
    for (const auto &[k, v] : settings) {
        auto r = c.set(QLatin1StringView(k), QLatin1StringView(v));
        QVERIFY2(r.ok(), qPrintable(QLatin1StringView(k) + QStringLiteral(": ") + test::errorText(r)));
    }
    QCOMPARE(c.bootstrapServers(), (QStringList{QStringLiteral("127.0.0.1:9092"), QStringLiteral("kafka-2:19092")}));
    QCOMPARE(c.acks(), std::int16_t(1));
    QCOMPARE(c.lingerMs(), 25);
    QCOMPARE(c.compression(), Compression::Zstd);
    QCOMPARE(c.compressionLevel(), std::optional<int>(-5));
    QVERIFY(c.allowAutoTopicCreation());
    QCOMPARE(c.bufferMemory(), Q_INT64_C(68719476736));
    QCOMPARE(c.partitioner(), QStringLiteral("round_robin"));
    QVERIFY(c.isSet(QStringLiteral("linger.ms")));

    QVERIFY(c.set(QStringLiteral("acks"), QStringLiteral("ALL")).ok());
    QCOMPARE(c.acks(), std::int16_t(-1));
    QVERIFY(c.set(QStringLiteral("acks"), QStringLiteral("0")).ok());
    QCOMPARE(c.acks(), std::int16_t(0));
    QVERIFY(c.set(QStringLiteral("bootstrap.servers"), QStringLiteral("[::1]:9092")).ok());
}

void TstConfig::rejectedSettings_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::newRow("unknown key") << QStringLiteral("lingerms") << QStringLiteral("5");
    QTest::newRow("not a number") << QStringLiteral("linger.ms") << QStringLiteral("soon");
    QTest::newRow("trailing junk") << QStringLiteral("linger.ms") << QStringLiteral("5ms");
    QTest::newRow("below range") << QStringLiteral("linger.ms") << QStringLiteral("-1");
    QTest::newRow("above range") << QStringLiteral("max.in.flight.requests.per.connection") << QStringLiteral("1001");
    QTest::newRow("int overflow") << QStringLiteral("batch.size") << QStringLiteral("99999999999999999999");
    QTest::newRow("bad enum") << QStringLiteral("acks") << QStringLiteral("2");
    QTest::newRow("bad codec") << QStringLiteral("compression.type") << QStringLiteral("lzma");
    QTest::newRow("bad bool") << QStringLiteral("allow.auto.create.topics") << QStringLiteral("yes");
    QTest::newRow("no port") << QStringLiteral("bootstrap.servers") << QStringLiteral("localhost");
    QTest::newRow("port 0") << QStringLiteral("bootstrap.servers") << QStringLiteral("localhost:0");
    QTest::newRow("port too big") << QStringLiteral("bootstrap.servers") << QStringLiteral("localhost:65536");
    QTest::newRow("second bad") << QStringLiteral("bootstrap.servers") << QStringLiteral("a:1,b");
}

void TstConfig::rejectedSettings()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    ProducerConfig c;
    auto r = c.set(key, value);
    QVERIFY2(!r.ok(), qPrintable(key + QLatin1Char('=') + value + QStringLiteral(" accepted")));
    // The message names the key, so a user knows which line to fix.
    QVERIFY2(r.error().message.contains(key), qPrintable(r.error().message));
    QVERIFY(!c.isSet(key));
}

void TstConfig::rejectedValueKeepsPrevious()
{
    ProducerConfig c;
    QVERIFY(c.set(QStringLiteral("linger.ms"), QStringLiteral("7")).ok());
    QVERIFY(!c.set(QStringLiteral("linger.ms"), QStringLiteral("x")).ok());
    QCOMPARE(c.lingerMs(), 7);
    auto bad = c.set(QStringLiteral("compression.type"), QStringLiteral("brotli"));
    QVERIFY(!bad.ok());
    // enum errors list what is allowed
    QVERIFY2(bad.error().message.contains(QStringLiteral("zstd")), qPrintable(bad.error().message));
}

void TstConfig::propertiesBasics()
{
    ProducerConfig c;
    const QString text = QStringLiteral("# client.properties\r\n"
                                        "! also a comment\n"
                                        "\n"
                                        "   # indented comment\n"
                                        "bootstrap.servers=127.0.0.1:9092\r\n"
                                        "linger.ms = 12\n"
                                        "acks:1\n"
                                        "  compression.type  =  gzip  \n"
                                        "client.id=app=1:x\n"); // separators inside the value stay
    auto r = c.loadProperties(text);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(c.bootstrapServers(), QStringList{QStringLiteral("127.0.0.1:9092")});
    QCOMPARE(c.lingerMs(), 12);
    QCOMPARE(c.acks(), std::int16_t(1));
    QCOMPARE(c.compression(), Compression::Gzip);
    QCOMPARE(c.clientId(), QStringLiteral("app=1:x"));
}

void TstConfig::propertiesErrorsNameTheLine()
{
    ProducerConfig c;
    auto r = c.loadProperties(QStringLiteral("# header\nlinger.ms=1\nlinger.ms=forever\nacks=1\n"),
                              QStringLiteral("my.properties"));
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QStringLiteral("my.properties")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QStringLiteral("line 3")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QStringLiteral("linger.ms")), qPrintable(r.error().message));

    auto unknown = c.loadProperties(QStringLiteral("\n\nnot.a.producer.setting=1\n"));
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().message.contains(QStringLiteral("line 3")), qPrintable(unknown.error().message));
}

void TstConfig::propertiesFile()
{
    QTemporaryFile f;
    QVERIFY(f.open());
    f.write("linger.ms=33\n");
    f.flush();
    ProducerConfig c;
    auto r = c.loadPropertiesFile(f.fileName());
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(c.lingerMs(), 33);

    auto missing = c.loadPropertiesFile(QStringLiteral("/nonexistent/kpw/client.properties"));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().message.contains(QStringLiteral("/nonexistent/kpw/client.properties")),
             qPrintable(missing.error().message));
}

void TstConfig::propertiesJavaSyntax()
{
    // java.util.Properties also accepts whitespace as the separator and
    // continues a line ending in a backslash (common for sasl.jaas.config).
    ProducerConfig c;
    auto r = c.loadProperties(QStringLiteral("linger.ms 44\n"
                                             "client.id = first-\\\n"
                                             "    second\n"));
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(c.lingerMs(), 44);
    QCOMPARE(c.clientId(), QStringLiteral("first-second"));
}

void TstConfig::javaSettingsNotImplementedWarn()
{
    // A real client.properties carries serializers and security settings:
    // they load, each named in a warning with its line, and change nothing.
    ProducerConfig c;
    QStringList warnings;
    auto r = c.loadProperties(QStringLiteral("key.serializer=org.apache.kafka.common.serialization.StringSerializer\n"
                                             "acks=1\n"
                                             "ssl.enabled.protocols=TLSv1.3\n"),
                              QStringLiteral("client.properties"), &warnings);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(c.acks(), std::int16_t(1));
    QCOMPARE(warnings.size(), 2);
    QVERIFY2(warnings[0].contains(QStringLiteral("line 1")) && warnings[0].contains(QStringLiteral("key.serializer")),
             qPrintable(warnings[0]));
    QVERIFY2(warnings[1].contains(QStringLiteral("line 3")), qPrintable(warnings[1]));
    QVERIFY(!c.isSet(QStringLiteral("key.serializer")));
}

void TstConfig::consumerSettingsIgnoredWithAWarning()
{
    // One client.properties for a team's producers and consumers (and for
    // kpw-cli tail --consumer.config): the consumer's settings load, each
    // named as a consumer setting, and change nothing; a typo still fails.
    ProducerConfig c;
    QStringList warnings;
    auto r =
        c.loadProperties(QStringLiteral("group.id=orders-readers\n"
                                        "isolation.level=read_committed\n"
                                        "value.deserializer=org.apache.kafka.common.serialization.StringDeserializer\n"
                                        "security.protocol=SASL_SSL\n"),
                         QStringLiteral("consumer.properties"), &warnings);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(warnings.size(), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(warnings[i].contains(QStringLiteral("line %1").arg(i + 1)) &&
                     warnings[i].contains(QStringLiteral("consumer setting")),
                 qPrintable(warnings[i]));
    QVERIFY(!c.isSet(QStringLiteral("group.id")));
    QCOMPARE(c.value(QStringLiteral("security.protocol")), QStringLiteral("SASL_SSL"));
    QVERIFY(!c.loadProperties(QStringLiteral("isolation.levle=read_committed\n"), QStringLiteral("x"), nullptr).ok());
}

void TstConfig::typoSuggestsNearestName()
{
    ProducerConfig c;
    auto r = c.set(QStringLiteral("linger.msx"), QStringLiteral("5"));
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QStringLiteral("did you mean linger.ms")), qPrintable(r.error().message));
    auto far = c.set(QStringLiteral("completely.unknown.thing"), QStringLiteral("1"));
    QVERIFY(!far.ok());
    QVERIFY2(far.error().message.contains(QStringLiteral("'completely.unknown.thing'")),
             qPrintable(far.error().message));
}

void TstConfig::idempotenceFollowsTheJavaClient()
{
    ProducerConfig c;
    QVERIFY(c.idempotent()); // on by default, as in the Java client (3.0+)
    QVERIFY(c.validate().ok());
    // Left unset, it steps aside for settings that rule it out...
    QVERIFY(c.set(QStringLiteral("acks"), QStringLiteral("1")).ok());
    QVERIFY(!c.idempotent());
    QVERIFY(c.validate().ok());
    // ...asked for, the conflict is an error naming both keys.
    QVERIFY(c.set(QStringLiteral("enable.idempotence"), QStringLiteral("true")).ok());
    auto v = c.validate();
    QVERIFY(!v.ok());
    QVERIFY2(v.error().message.contains(QStringLiteral("enable.idempotence")) &&
                 v.error().message.contains(QStringLiteral("acks=1")),
             qPrintable(v.error().message));
    ProducerConfig f;
    QVERIFY(f.set(QStringLiteral("max.in.flight.requests.per.connection"), QStringLiteral("6")).ok());
    QVERIFY(!f.idempotent());
    QVERIFY(f.set(QStringLiteral("transactional.id"), QStringLiteral("tx")).ok());
    auto t = f.validate();
    QVERIFY(!t.ok());
    QVERIFY2(t.error().message.contains(QStringLiteral("max.in.flight.requests.per.connection=6")),
             qPrintable(t.error().message));
    ProducerConfig off;
    QVERIFY(off.set(QStringLiteral("enable.idempotence"), QStringLiteral("false")).ok());
    QVERIFY(!off.idempotent());
    QVERIFY(off.set(QStringLiteral("kpw.transaction.protocol"), QStringLiteral("3"))
                .error()
                .message.contains(QStringLiteral("auto, 1, 2")));
}

QTEST_GUILESS_MAIN(TstConfig)
#include "tst_config.moc"
