// TLS and SASL against the real broker's SSL (client certificates required),
// SASL_PLAINTEXT and SASL_SSL listeners (tests/kafka/kafka-fixture writes
// their addresses and files to security.env next to the bootstrap file).
//
// Round trips: records produced over each listener and mechanism, read back
// by librdkafka (over the same listener where librdkafka 2.0.2 can: its SCRAM
// fails against Kafka 4.x, so SCRAM records are read over PLAIN). Failures:
// each gives its own message, naming what to check, well within the timeout.

#include "RdkConsumer.h"
#include "ResultText.h"
#include "TestBroker.h"

#include "messages/Metadata.h"
#include "net/BrokerConnection.h"
#include "producer/ProducerClient.h"
#include "producer/ProducerConfig.h"
#include "wire/KafkaError.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace kpw;
using namespace kpw::test;

namespace {

using Settings = QMap<QString, QString>;

// A TLS server presenting `cert` (here: one for other.example, signed by the
// fixture's CA), for the host name checks. With stall=true it accepts TCP and
// never answers: a TLS port whose handshake never finishes.
class TestTlsServer final : public QTcpServer
{
public:
    TestTlsServer(const QString &certFile, const QString &keyFile, bool stall) : m_stall(stall)
    {
        if (stall)
            return;
        QFile c(certFile), k(keyFile);
        if (c.open(QIODevice::ReadOnly) && k.open(QIODevice::ReadOnly)) {
            m_conf = QSslConfiguration::defaultConfiguration();
            m_conf.setLocalCertificate(QSslCertificate(c.readAll(), QSsl::Pem));
            m_conf.setPrivateKey(QSslKey(k.readAll(), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
            m_conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        }
    }

protected:
    void incomingConnection(qintptr fd) override
    {
        if (m_stall) {
            auto *s = new QTcpSocket(this); // read nothing, say nothing
            s->setSocketDescriptor(fd);
            return;
        }
        auto *s = new QSslSocket(this);
        s->setSocketDescriptor(fd);
        s->setSslConfiguration(m_conf);
        s->startServerEncryption();
    }

private:
    bool m_stall;
    QSslConfiguration m_conf;
};

} // namespace

class TstSecure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { failOnCrossThreadTimers(); }

    void roundTrip_data();
    void roundTrip();
    void cliProduce_data();
    void cliProduce();
    void cliProducerConfigFile();
    void cliCheckReports();
    void cliTailAndOffsets_data();
    void cliTailAndOffsets();
    void cliTailConfigFile();
    void cliTailWrongPassword();
    void cliTailUntrustedCa();

    void wrongPassword_data();
    void wrongPassword();
    void unknownMechanism();
    void untrustedCa();
    void hostnameMismatch();
    void hostnameCheckOff();
    void plaintextClientOnTlsPort();
    void tlsClientOnPlaintextPort();
    void encryptedKeyWrongPassword();
    void missingClientCertificate();
    void expiredClientCertificate();
    void tlsHandshakeNeverFinishes();
    void reauthenticatesBeforeSessionEnds();

private:
    QString env(const char *key) const { return m_env.value(QString::fromLatin1(key)); }
    // A Java client.properties for the SASL_SSL listener with SCRAM-SHA-512
    // (PEM trust store, sasl.jaas.config), as the Kafka tools take it.
    bool writeScramProperties(const QString &path) const;
    Settings sslSettings() const;
    Settings saslSettings(const QString &mechanism) const;
    // kpw-cli with `args` and stdin `input` (closed after): its exit code
    // (-2 when it ran past timeoutMs), output and errors.
    static int cli(const QStringList &args, const QByteArray &input, QString *out, QString *err, int timeoutMs = 60000);
    static QStringList xArgs(const Settings &settings);
    // Connects one BrokerConnection with `settings` and returns the error
    // (nullopt: it got ready). *elapsedMs: time to the outcome.
    std::optional<Error> connectOnce(const QString &hostPort, const Settings &settings, qint64 *elapsedMs = nullptr,
                                     int connectTimeoutMs = 10000, BrokerConnection **keep = nullptr);

    QMap<QString, QString> m_env;
    QString m_plainBoot;
};

void TstSecure::initTestCase()
{
    m_plainBoot = bootstrap();
    QVERIFY(!m_plainBoot.isEmpty());
    const QByteArray file = qgetenv("KPW_TEST_BOOTSTRAP_FILE");
    const QString path = QFileInfo(QString::fromLocal8Bit(file)).dir().filePath(QStringLiteral("security.env"));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (qEnvironmentVariableIsSet("KPW_TEST_BOOTSTRAP"))
            QSKIP("an external broker (KPW_TEST_BOOTSTRAP) has no fixture security listeners");
        QFAIL(qPrintable(QStringLiteral("no %1: the kafka fixture did not set up its security listeners").arg(path)));
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        const auto eq = line.indexOf('=');
        if (eq > 0)
            m_env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    QVERIFY(!env("SSL_BOOTSTRAP").isEmpty() && !env("SASL_PLAINTEXT_BOOTSTRAP").isEmpty());
}

Settings TstSecure::sslSettings() const
{
    return {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
            {QStringLiteral("ssl.truststore.location"), env("CA")},
            {QStringLiteral("ssl.truststore.type"), QStringLiteral("PEM")},
            {QStringLiteral("ssl.keystore.location"), env("CLIENT_KEYSTORE")},
            {QStringLiteral("ssl.keystore.type"), QStringLiteral("PEM")}};
}

Settings TstSecure::saslSettings(const QString &mechanism) const
{
    return {{QStringLiteral("security.protocol"), QStringLiteral("SASL_PLAINTEXT")},
            {QStringLiteral("sasl.mechanism"), mechanism},
            {QStringLiteral("sasl.username"), env("SASL_USER")},
            {QStringLiteral("sasl.password"), env("SASL_PASSWORD")}};
}

std::optional<Error> TstSecure::connectOnce(const QString &hostPort, const Settings &settings, qint64 *elapsedMs,
                                            int connectTimeoutMs, BrokerConnection **keep)
{
    ProducerConfig config;
    for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
        auto r = config.set(it.key(), it.value());
        if (!r)
            return r.error();
    }
    auto sec = config.security();
    if (!sec)
        return sec.error();
    ConnectionOptions options;
    options.connectTimeoutMs = connectTimeoutMs;
    options.security = *sec;
    const auto colon = hostPort.lastIndexOf(QLatin1Char(':'));
    auto *conn = new BrokerConnection(-1, hostPort.left(colon), static_cast<quint16>(hostPort.mid(colon + 1).toUInt()),
                                      options, this);
    std::optional<Error> error;
    bool ready = false;
    connect(conn, &BrokerConnection::ready, this, [&ready] { ready = true; });
    connect(conn, &BrokerConnection::failed, this, [&error](const kpw::Error &e) { error = e; });
    QElapsedTimer clock;
    clock.start();
    conn->connectToBroker();
    if (!QTest::qWaitFor([&] { return ready || error.has_value(); }, connectTimeoutMs + 20000))
        error = Error{KafkaError::ClientUnknownError, QStringLiteral("neither ready nor failed: the test's own limit")};
    if (elapsedMs)
        *elapsedMs = clock.elapsed();
    if (keep)
        *keep = conn;
    else
        conn->deleteLater();
    return error;
}

int TstSecure::cli(const QStringList &args, const QByteArray &input, QString *out, QString *err, int timeoutMs)
{
    QProcess p;
    p.start(QStringLiteral(KPW_CLI_PATH), args);
    if (!p.waitForStarted())
        return -1;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -2;
    }
    *out = QString::fromUtf8(p.readAllStandardOutput());
    *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
}

QStringList TstSecure::xArgs(const Settings &settings)
{
    QStringList args;
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        args << QStringLiteral("-X") << QStringLiteral("%1=%2").arg(it.key(), it.value());
    return args;
}

void TstSecure::roundTrip_data()
{
    QTest::addColumn<QString>("listener");
    QTest::addColumn<Settings>("settings");
    QTest::addColumn<QString>("readBackListener");
    QTest::addColumn<Settings>("readBackConfig");

    const Settings rdkSsl = {{QStringLiteral("security.protocol"), QStringLiteral("ssl")},
                             {QStringLiteral("ssl.ca.location"), env("CA")},
                             {QStringLiteral("ssl.certificate.location"), env("CLIENT_CERT")},
                             {QStringLiteral("ssl.key.location"), env("CLIENT_KEY")}};
    const Settings rdkPlain = {{QStringLiteral("security.protocol"), QStringLiteral("sasl_plaintext")},
                               {QStringLiteral("sasl.mechanisms"), QStringLiteral("PLAIN")},
                               {QStringLiteral("sasl.username"), env("SASL_USER")},
                               {QStringLiteral("sasl.password"), env("SASL_PASSWORD")}};
    Settings rdkSaslSsl = rdkPlain;
    rdkSaslSsl[QStringLiteral("security.protocol")] = QStringLiteral("sasl_ssl");
    rdkSaslSsl[QStringLiteral("ssl.ca.location")] = env("CA");

    QTest::newRow("SSL mutual TLS, Java names")
        << env("SSL_BOOTSTRAP") << sslSettings() << env("SSL_BOOTSTRAP") << rdkSsl;
    QTest::newRow("SSL, librdkafka names, encrypted key")
        << env("SSL_BOOTSTRAP")
        << Settings{{QStringLiteral("security.protocol"), QStringLiteral("ssl")},
                    {QStringLiteral("ssl.ca.location"), env("CA")},
                    {QStringLiteral("ssl.certificate.location"), env("CLIENT_CERT")},
                    {QStringLiteral("ssl.key.location"), env("CLIENT_KEY_ENCRYPTED")},
                    {QStringLiteral("ssl.key.password"), env("CLIENT_KEY_PASSWORD")}}
        << env("SSL_BOOTSTRAP") << rdkSsl;
    QTest::newRow("SASL_PLAINTEXT PLAIN") << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("PLAIN"))
                                          << env("SASL_PLAINTEXT_BOOTSTRAP") << rdkPlain;
    QTest::newRow("SASL_PLAINTEXT SCRAM-SHA-256")
        << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("SCRAM-SHA-256"))
        << env("SASL_PLAINTEXT_BOOTSTRAP") << rdkPlain;
    QTest::newRow("SASL_PLAINTEXT SCRAM-SHA-512")
        << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("SCRAM-SHA-512"))
        << env("SASL_PLAINTEXT_BOOTSTRAP") << rdkPlain;
    QTest::newRow("SASL_PLAINTEXT SCRAM-SHA-512, jaas")
        << env("SASL_PLAINTEXT_BOOTSTRAP")
        << Settings{{QStringLiteral("security.protocol"), QStringLiteral("SASL_PLAINTEXT")},
                    {QStringLiteral("sasl.mechanism"), QStringLiteral("SCRAM-SHA-512")},
                    {QStringLiteral("sasl.jaas.config"),
                     QStringLiteral("org.apache.kafka.common.security.scram.ScramLoginModule required "
                                    "username=\"%1\" password=\"%2\";")
                         .arg(env("SASL_USER"), env("SASL_PASSWORD"))}}
        << env("SASL_PLAINTEXT_BOOTSTRAP") << rdkPlain;
    for (const QString &mech : {QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-512")}) {
        Settings s = saslSettings(mech);
        s[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
        s[QStringLiteral("ssl.truststore.location")] = env("CA");
        QTest::newRow(qPrintable(QStringLiteral("SASL_SSL %1").arg(mech)))
            << env("SASL_SSL_BOOTSTRAP") << s << env("SASL_SSL_BOOTSTRAP") << rdkSaslSsl;
    }
}

void TstSecure::roundTrip()
{
    QFETCH(QString, listener);
    QFETCH(Settings, settings);
    QFETCH(QString, readBackListener);
    QFETCH(Settings, readBackConfig);

    const QString topic = uniqueTopic(QStringLiteral("kpw-secure"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 2);

    ProducerConfig config;
    settings[QStringLiteral("bootstrap.servers")] = listener;
    for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
        auto r = config.set(it.key(), it.value());
        QVERIFY2(r.ok(), qPrintable(errorText(r)));
    }
    ProducerClient client;
    QList<DeliveryReport> reports;
    connect(&client, &ProducerClient::recordsDelivered, this,
            [&reports](const QList<DeliveryReport> &batch) { reports.append(batch); });
    QSignalSpy connected(&client, &ProducerClient::connected);
    QSignalSpy failed(&client, &ProducerClient::connectionFailed);
    client.start(config);
    QVERIFY(QTest::qWaitFor([&] { return !connected.isEmpty() || !failed.isEmpty(); }, 30000));
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));

    constexpr int kCount = 20;
    for (int i = 0; i < kCount; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.key = QByteArray("k") + QByteArray::number(i);
        r.value = QByteArray("secure value ") + QByteArray::number(i);
        client.send(r);
    }
    client.flush();
    QTRY_COMPARE_WITH_TIMEOUT(reports.size(), kCount, 30000);
    for (const DeliveryReport &r : std::as_const(reports))
        QVERIFY2(r.ok(), qPrintable(r.errorName() + QStringLiteral(": ") + r.errorMessage));

    QString error;
    const auto read =
        consumeAll(readBackListener, topic, kCount, 30000, QStringLiteral("read_uncommitted"), &error, readBackConfig);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(read.size(), kCount);
    QSet<QByteArray> values;
    for (const auto &r : read)
        values.insert(r.value.value_or(QByteArray()));
    for (int i = 0; i < kCount; ++i)
        QVERIFY(values.contains(QByteArray("secure value ") + QByteArray::number(i)));
}

void TstSecure::cliProduce_data()
{
    QTest::addColumn<QString>("listener");
    QTest::addColumn<Settings>("settings");
    QTest::newRow("SSL") << env("SSL_BOOTSTRAP") << sslSettings();
    QTest::newRow("PLAIN") << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("PLAIN"));
    QTest::newRow("SCRAM-SHA-256") << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("SCRAM-SHA-256"));
    QTest::newRow("SCRAM-SHA-512") << env("SASL_PLAINTEXT_BOOTSTRAP") << saslSettings(QStringLiteral("SCRAM-SHA-512"));
    Settings s = saslSettings(QStringLiteral("SCRAM-SHA-512"));
    s[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
    s[QStringLiteral("ssl.ca.location")] = env("CA");
    QTest::newRow("SASL_SSL") << env("SASL_SSL_BOOTSTRAP") << s;
}

void TstSecure::cliProduce()
{
    QFETCH(QString, listener);
    QFETCH(Settings, settings);
    const QString topic = uniqueTopic(QStringLiteral("kpw-secure-cli"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    QStringList args = {QStringLiteral("produce"), QStringLiteral("-b"), listener, QStringLiteral("-t"), topic};
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        args << QStringLiteral("-X") << QStringLiteral("%1=%2").arg(it.key(), it.value());
    QProcess p;
    p.start(QStringLiteral(KPW_CLI_PATH), args);
    QVERIFY(p.waitForStarted());
    p.write("one\ntwo\n");
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QVERIFY2(out.count(QStringLiteral(" @ ")) == 2, qPrintable(out + err));
}

bool TstSecure::writeScramProperties(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    const QByteArray text =
        QStringLiteral("bootstrap.servers=%1\n"
                       "security.protocol=SASL_SSL\n"
                       "ssl.truststore.type=PEM\n"
                       "ssl.truststore.location=%2\n"
                       "sasl.mechanism=SCRAM-SHA-512\n"
                       "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
                       "    username=\"%3\" \\\n"
                       "    password=\"%4\";\n")
            .arg(env("SASL_SSL_BOOTSTRAP"), env("CA"), env("SASL_USER"), env("SASL_PASSWORD"))
            .toUtf8();
    return f.write(text) == text.size();
}

void TstSecure::cliProducerConfigFile()
{
    // A Java client.properties for SASL_SSL with SCRAM, as the Kafka tools take it.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("client.properties"));
    QVERIFY(writeScramProperties(path));
    const QString topic = uniqueTopic(QStringLiteral("kpw-secure-cfg"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    QProcess p;
    p.start(QStringLiteral(KPW_CLI_PATH),
            {QStringLiteral("produce"), QStringLiteral("--producer.config"), path, QStringLiteral("-t"), topic});
    QVERIFY(p.waitForStarted());
    p.write("via properties\n");
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(60000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains(QStringLiteral(" @ 0")));
}

void TstSecure::cliCheckReports()
{
    // kpw-cli check is "Test connection": it says what it did.
    const auto run = [](const QStringList &args, QString *out) {
        QProcess p;
        p.start(QStringLiteral(KPW_CLI_PATH), QStringList{QStringLiteral("check")} + args);
        if (!p.waitForFinished(60000))
            return -1;
        *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return p.exitCode();
    };
    QString out;
    QStringList args = {QStringLiteral("-b"), env("SSL_BOOTSTRAP")};
    const Settings ssl = sslSettings();
    for (auto it = ssl.cbegin(); it != ssl.cend(); ++it)
        args << QStringLiteral("-X") << QStringLiteral("%1=%2").arg(it.key(), it.value());
    QCOMPARE(run(args, &out), 0);
    QVERIFY2(out.contains(QStringLiteral("TLS TLSv1.")) && out.contains(QStringLiteral("peer CN=localhost")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("1 broker(s)")), qPrintable(out));

    args = {QStringLiteral("-b"), env("SASL_SSL_BOOTSTRAP")};
    Settings scram = saslSettings(QStringLiteral("SCRAM-SHA-512"));
    scram[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
    scram[QStringLiteral("ssl.ca.location")] = env("CA");
    for (auto it = scram.cbegin(); it != scram.cend(); ++it)
        args << QStringLiteral("-X") << QStringLiteral("%1=%2").arg(it.key(), it.value());
    QCOMPARE(run(args, &out), 0);
    QVERIFY2(out.contains(QStringLiteral("SASL SCRAM-SHA-512 as user 'alice'")), qPrintable(out));

    args.replaceInStrings(QStringLiteral("sasl.password=%1").arg(env("SASL_PASSWORD")),
                          QStringLiteral("sasl.password=wrong"));
    QCOMPARE(run(args, &out), 1);
    QVERIFY2(out.contains(QStringLiteral("FAILED: SASL_AUTHENTICATION_FAILED")), qPrintable(out));
}

void TstSecure::cliTailAndOffsets_data()
{
    QTest::addColumn<QString>("listener");
    QTest::addColumn<Settings>("settings");
    Settings scram = saslSettings(QStringLiteral("SCRAM-SHA-512"));
    scram[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
    scram[QStringLiteral("ssl.truststore.location")] = env("CA");
    QTest::newRow("SASL_SSL SCRAM-SHA-512") << env("SASL_SSL_BOOTSTRAP") << scram;
    // librdkafka's names, as kcat takes them.
    const Settings rdk = {{QStringLiteral("security.protocol"), QStringLiteral("sasl_ssl")},
                          {QStringLiteral("sasl.mechanisms"), QStringLiteral("PLAIN")},
                          {QStringLiteral("sasl.username"), env("SASL_USER")},
                          {QStringLiteral("sasl.password"), env("SASL_PASSWORD")},
                          {QStringLiteral("ssl.ca.location"), env("CA")}};
    QTest::newRow("SASL_SSL PLAIN, librdkafka names") << env("SASL_SSL_BOOTSTRAP") << rdk;
    QTest::newRow("SSL client certificate") << env("SSL_BOOTSTRAP") << sslSettings();
}

void TstSecure::cliTailAndOffsets()
{
    // Produced and read back over the same secure listener: tail -e prints
    // the values, offsets the topic's ends.
    QFETCH(QString, listener);
    QFETCH(Settings, settings);
    const QString topic = uniqueTopic(QStringLiteral("kpw-secure-tail"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    const QStringList connection = QStringList{QStringLiteral("-b"), listener} + xArgs(settings);
    QString out, err;
    QCOMPARE(cli(QStringList{QStringLiteral("produce"), QStringLiteral("-t"), topic} + connection,
                 "secure one\nsecure two\n", &out, &err),
             0);
    QVERIFY2(out.count(QStringLiteral(" @ ")) == 2, qPrintable(out + err));

    for (const char *isolation : {"read_uncommitted", "read_committed"}) {
        const int rc = cli(QStringList{QStringLiteral("tail"), QStringLiteral("-t"), topic, QStringLiteral("-e"),
                                       QStringLiteral("--isolation"), QLatin1String(isolation)} +
                               connection,
                           {}, &out, &err);
        QVERIFY2(rc == 0, qPrintable(QStringLiteral("%1: exit %2: %3").arg(QLatin1String(isolation)).arg(rc).arg(err)));
        const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith(topic + QStringLiteral(" [0] @ 0 ")) &&
                     lines[0].endsWith(QStringLiteral("value=secure one")),
                 qPrintable(out));
        QVERIFY2(lines[1].endsWith(QStringLiteral("value=secure two")), qPrintable(out));
        QVERIFY2(err.contains(QStringLiteral("% 2 records")), qPrintable(err));
    }

    QCOMPARE(cli(QStringList{QStringLiteral("offsets"), QStringLiteral("-t"), topic} + connection, {}, &out, &err), 0);
    QVERIFY2(out.trimmed() == topic + QStringLiteral(" [0] earliest=0 latest=2 stable=2"), qPrintable(out + err));
}

void TstSecure::cliTailConfigFile()
{
    // One client.properties for produce (--producer.config) and the readers
    // (--consumer.config, or --producer.config as well).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("client.properties"));
    QVERIFY(writeScramProperties(path));
    const QString topic = uniqueTopic(QStringLiteral("kpw-secure-tail-cfg"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 2);
    QString out, err;
    QCOMPARE(cli({QStringLiteral("produce"), QStringLiteral("--producer.config"), path, QStringLiteral("-t"), topic,
                  QStringLiteral("-p"), QStringLiteral("1")},
                 "from the file\n", &out, &err),
             0);
    for (const QString &option : {QStringLiteral("--consumer.config"), QStringLiteral("--producer.config")}) {
        QCOMPARE(cli({QStringLiteral("tail"), option, path, QStringLiteral("-t"), topic, QStringLiteral("-e")}, {},
                     &out, &err),
                 0);
        QVERIFY2(out.trimmed() == topic + QStringLiteral(" [1] @ 0 key=null value=from the file"),
                 qPrintable(option + QLatin1Char(' ') + out + err));
        QCOMPARE(cli({QStringLiteral("offsets"), option, path, QStringLiteral("-t"), topic}, {}, &out, &err), 0);
        QVERIFY2(out.contains(topic + QStringLiteral(" [0] earliest=0 latest=0 stable=0\n")) &&
                     out.contains(topic + QStringLiteral(" [1] earliest=0 latest=1 stable=1\n")),
                 qPrintable(out + err));
    }
}

void TstSecure::cliTailWrongPassword()
{
    // The broker refuses the login: tail and offsets say so, as produce
    // does, and end at once rather than retrying until a timeout.
    const QString topic = uniqueTopic(QStringLiteral("kpw-secure-tail-pw"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    Settings s = saslSettings(QStringLiteral("SCRAM-SHA-512"));
    s[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
    s[QStringLiteral("ssl.ca.location")] = env("CA");
    s[QStringLiteral("sasl.password")] = QStringLiteral("not-the-password");
    const QStringList connection = QStringList{QStringLiteral("-b"), env("SASL_SSL_BOOTSTRAP")} + xArgs(s);
    QString out, err;
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(cli(QStringList{QStringLiteral("tail"), QStringLiteral("-t"), topic} + connection, {}, &out, &err, 30000),
             1);
    QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(err.contains(QStringLiteral("kpw-cli: SASL_AUTHENTICATION_FAILED: ")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("broker says \"Authentication failed")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("sasl.password")), qPrintable(err));
    QVERIFY(out.isEmpty());

    clock.restart();
    QCOMPARE(
        cli(QStringList{QStringLiteral("offsets"), QStringLiteral("-t"), topic} + connection, {}, &out, &err, 30000),
        1);
    QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(err.contains(QStringLiteral("kpw-cli: SASL_AUTHENTICATION_FAILED: ")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("sasl.password")), qPrintable(err));
}

void TstSecure::cliTailUntrustedCa()
{
    Settings s = sslSettings();
    s[QStringLiteral("ssl.truststore.location")] = env("OTHER_CA");
    QString out, err;
    QCOMPARE(cli(QStringList{QStringLiteral("tail"), QStringLiteral("-b"), env("SSL_BOOTSTRAP"), QStringLiteral("-t"),
                             QStringLiteral("any")} +
                     xArgs(s),
                 {}, &out, &err, 30000),
             1);
    QVERIFY2(err.contains(QStringLiteral("certificate not trusted")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("issuer CN=kpw test CA")), qPrintable(err));
    QVERIFY2(err.contains(env("OTHER_CA")), qPrintable(err));
}

void TstSecure::wrongPassword_data()
{
    QTest::addColumn<QString>("mechanism");
    QTest::newRow("PLAIN") << QStringLiteral("PLAIN");
    QTest::newRow("SCRAM-SHA-256") << QStringLiteral("SCRAM-SHA-256");
    QTest::newRow("SCRAM-SHA-512") << QStringLiteral("SCRAM-SHA-512");
}

void TstSecure::wrongPassword()
{
    QFETCH(QString, mechanism);
    Settings s = saslSettings(mechanism);
    s[QStringLiteral("sasl.password")] = QStringLiteral("not-the-password");
    qint64 ms = 0;
    const auto e = connectOnce(env("SASL_PLAINTEXT_BOOTSTRAP"), s, &ms);
    QVERIFY(e.has_value());
    QCOMPARE(KafkaError::name(e->code), QStringLiteral("SASL_AUTHENTICATION_FAILED"));
    QVERIFY2(e->message.contains(QStringLiteral("SASL_AUTHENTICATION_FAILED")), qPrintable(e->message));
    // The broker's own words, and what to check.
    QVERIFY2(e->message.contains(QStringLiteral("broker says \"Authentication failed")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("sasl.password")), qPrintable(e->message));
    QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));

    // An unknown user fails the same way.
    s = saslSettings(mechanism);
    s[QStringLiteral("sasl.username")] = QStringLiteral("nobody");
    const auto u = connectOnce(env("SASL_PLAINTEXT_BOOTSTRAP"), s);
    QVERIFY(u.has_value());
    QCOMPARE(u->code, KafkaError::SaslAuthenticationFailed);
    QVERIFY2(u->message.contains(QStringLiteral("'nobody'")), qPrintable(u->message));
}

void TstSecure::unknownMechanism()
{
    // The SASL_SSL listener enables PLAIN and SCRAM-SHA-512 only.
    Settings s = saslSettings(QStringLiteral("SCRAM-SHA-256"));
    s[QStringLiteral("security.protocol")] = QStringLiteral("SASL_SSL");
    s[QStringLiteral("ssl.truststore.location")] = env("CA");
    const auto e = connectOnce(env("SASL_SSL_BOOTSTRAP"), s);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::UnsupportedSaslMechanism);
    QVERIFY2(e->message.contains(QStringLiteral("does not enable SCRAM-SHA-256")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("enables PLAIN, SCRAM-SHA-512")), qPrintable(e->message));
}

void TstSecure::untrustedCa()
{
    Settings s = sslSettings();
    s[QStringLiteral("ssl.truststore.location")] = env("OTHER_CA");
    const auto e = connectOnce(env("SSL_BOOTSTRAP"), s);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::ClientSslHandshakeFailed);
    QVERIFY2(e->message.contains(QStringLiteral("certificate not trusted")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("subject CN=localhost")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("issuer CN=kpw test CA")), qPrintable(e->message));
    QVERIFY2(e->message.contains(env("OTHER_CA")), qPrintable(e->message));
    QCOMPARE(e->message.count(QStringLiteral("not trusted")), 1); // one chain problem, said once
}

void TstSecure::hostnameMismatch()
{
    TestTlsServer server(env("OTHER_HOST_CERT"), env("OTHER_HOST_KEY"), false);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                        {QStringLiteral("ssl.truststore.location"), env("CA")}};
    const auto e = connectOnce(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()), s);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::ClientSslHandshakeFailed);
    QVERIFY2(e->message.contains(QStringLiteral("host name mismatch")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("DNS:other.example")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("'127.0.0.1'")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("ssl.endpoint.identification.algorithm")), qPrintable(e->message));
    QVERIFY2(!e->message.contains(QStringLiteral("not trusted")), qPrintable(e->message)); // the CA is right
}

void TstSecure::hostnameCheckOff()
{
    // ssl.endpoint.identification.algorithm= (empty): the same certificate is
    // accepted (the chain is still checked) and the handshake completes.
    TestTlsServer server(env("OTHER_HOST_CERT"), env("OTHER_HOST_KEY"), false);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    ProducerConfig config;
    QString warning;
    QVERIFY(config.set(QStringLiteral("ssl.endpoint.identification.algorithm"), QString(), &warning).ok());
    QVERIFY2(warning.contains(QStringLiteral("insecure")), qPrintable(warning));
    const Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                        {QStringLiteral("ssl.truststore.location"), env("CA")},
                        {QStringLiteral("ssl.endpoint.identification.algorithm"), QString()}};
    BrokerConnection *conn = nullptr;
    // The server speaks no Kafka: the connection times out after the handshake.
    const auto e = connectOnce(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()), s, nullptr, 1500, &conn);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::ClientTimeout);
    QVERIFY2(e->message.contains(QStringLiteral("ApiVersions")), qPrintable(e->message));
    delete conn;
}

void TstSecure::plaintextClientOnTlsPort()
{
    qint64 ms = 0;
    const auto e = connectOnce(env("SSL_BOOTSTRAP"), {}, &ms);
    QVERIFY(e.has_value());
    QVERIFY2(e->message.contains(QStringLiteral("TLS listener")) &&
                 e->message.contains(QStringLiteral("security.protocol=SSL")),
             qPrintable(e->message));
    QVERIFY2(ms < 3000, qPrintable(QStringLiteral("took %1 ms").arg(ms))); // fast, not the 10 s timeout
}

void TstSecure::tlsClientOnPlaintextPort()
{
    qint64 ms = 0;
    const Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                        {QStringLiteral("ssl.truststore.location"), env("CA")}};
    const auto e = connectOnce(m_plainBoot, s, &ms);
    QVERIFY(e.has_value());
    QVERIFY2(e->message.contains(QStringLiteral("plaintext listener")), qPrintable(e->message));
    QVERIFY2(ms < 3000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
}

void TstSecure::encryptedKeyWrongPassword()
{
    Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                  {QStringLiteral("ssl.ca.location"), env("CA")},
                  {QStringLiteral("ssl.certificate.location"), env("CLIENT_CERT")},
                  {QStringLiteral("ssl.key.location"), env("CLIENT_KEY_ENCRYPTED")},
                  {QStringLiteral("ssl.key.password"), QStringLiteral("wrong")}};
    auto e = connectOnce(env("SSL_BOOTSTRAP"), s);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::ClientInvalidConfig);
    QVERIFY2(e->message.contains(QStringLiteral("wrong ssl.key.password")), qPrintable(e->message));
    s.remove(QStringLiteral("ssl.key.password"));
    e = connectOnce(env("SSL_BOOTSTRAP"), s);
    QVERIFY(e.has_value());
    QVERIFY2(e->message.contains(QStringLiteral("is encrypted: set ssl.key.password")), qPrintable(e->message));
}

void TstSecure::missingClientCertificate()
{
    // The SSL listener requires client certificates (ssl.client.auth=required).
    const Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                        {QStringLiteral("ssl.truststore.location"), env("CA")}};
    qint64 ms = 0;
    const auto e = connectOnce(env("SSL_BOOTSTRAP"), s, &ms);
    QVERIFY(e.has_value());
    QCOMPARE(KafkaError::name(e->code), QStringLiteral("SSL_HANDSHAKE_FAILED"));
    QVERIFY2(e->message.contains(QStringLiteral("ssl.keystore.location")), qPrintable(e->message));
    QVERIFY2(ms < 5000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
}

void TstSecure::expiredClientCertificate()
{
    if (env("EXPIRED_CLIENT_KEYSTORE").isEmpty())
        QFAIL("the fixture made no expired client certificate");
    Settings s = sslSettings();
    s[QStringLiteral("ssl.keystore.location")] = env("EXPIRED_CLIENT_KEYSTORE");
    const auto e = connectOnce(env("SSL_BOOTSTRAP"), s);
    QVERIFY(e.has_value());
    QVERIFY2(e->message.contains(QStringLiteral("expired on 2020-01-02")), qPrintable(e->message));
    QVERIFY2(e->message.contains(QStringLiteral("CN=kpw-expired-client")), qPrintable(e->message));
}

void TstSecure::tlsHandshakeNeverFinishes()
{
    // A TLS port that accepts and then says nothing: the handshake is bounded
    // by socket.connection.setup.timeout.ms, and the error says where it hung.
    TestTlsServer server({}, {}, true);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const Settings s = {{QStringLiteral("security.protocol"), QStringLiteral("SSL")},
                        {QStringLiteral("ssl.truststore.location"), env("CA")}};
    qint64 ms = 0;
    const auto e = connectOnce(QStringLiteral("127.0.0.1:%1").arg(server.serverPort()), s, &ms, 1500);
    QVERIFY(e.has_value());
    QCOMPARE(e->code, KafkaError::ClientTimeout);
    QVERIFY2(e->message.contains(QStringLiteral("TLS handshake")), qPrintable(e->message));
    QVERIFY2(ms >= 1400 && ms < 4000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
}

void TstSecure::reauthenticatesBeforeSessionEnds()
{
    // The fixture limits SCRAM-SHA-512 sessions on SASL_PLAINTEXT
    // (connections.max.reauth.ms, KIP-368). The broker closes a connection
    // whose session has ended on its next request; kpw must log in again
    // before that, so a request after the lifetime still succeeds.
    const int lifetimeMs = env("SASL_PLAINTEXT_SCRAM_SHA_512_REAUTH_MS").toInt();
    QVERIFY2(lifetimeMs > 0, "the fixture sets no session lifetime");
    ProducerConfig config;
    const Settings settings = saslSettings(QStringLiteral("SCRAM-SHA-512"));
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        QVERIFY(config.set(it.key(), it.value()).ok());
    ConnectionOptions options;
    options.security = *config.security();
    const QString hp = env("SASL_PLAINTEXT_BOOTSTRAP");
    const auto colon = hp.lastIndexOf(QLatin1Char(':'));
    BrokerConnection conn(-1, hp.left(colon), static_cast<quint16>(hp.mid(colon + 1).toUInt()), options);
    int readies = 0;
    QStringList failures;
    connect(&conn, &BrokerConnection::ready, this, [&readies] { ++readies; });
    connect(&conn, &BrokerConnection::failed, this, [&failures](const kpw::Error &e) { failures.append(e.message); });
    const auto metadata = [&conn] {
        std::optional<Result<QByteArray>> result;
        conn.send(
            ApiKey::Metadata,
            [](std::int16_t v) {
                return MetadataRequest{QList<QString>{}, false}.encode(v);
            },
            [&result](Result<QByteArray> body, std::int16_t) { result = std::move(body); });
        (void)QTest::qWaitFor([&] { return result.has_value(); }, 15000);
        return result;
    };
    auto first = metadata();
    QVERIFY(first && first->ok());
    QCOMPARE(readies, 1);
    QTest::qWait(lifetimeMs + 500); // the first session is over
    auto second = metadata();
    QVERIFY(second.has_value());
    QVERIFY2(second->ok(), qPrintable(errorText(*second)));
    QCOMPARE(readies, 2); // a new connection, logged in again
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral("; "))));
}

QTEST_MAIN(TstSecure)
#include "tst_secure.moc"
