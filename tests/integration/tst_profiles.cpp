// Connection profiles against a real keychain and the real broker. CTest runs
// this under tests/keychain/with-keychain: a private D-Bus session with GNOME
// Keyring's Secret Service, and HOME / XDG_CONFIG_HOME in a temporary folder,
// so kpw-cli's ~/.config/kpw/kpw.conf is the test's own.
//
//  - import -> store (QSettings file + keychain) -> export loses nothing, and
//    the settings file holds no secret (its bytes are searched);
//  - with the keychain unreachable, kpw-cli says so and how to give the
//    secret instead, and never writes it anywhere;
//  - kpw-cli produce --profile NAME (and topics --describe) over the fixture's SASL_SSL, SASL_PLAINTEXT
//    and SSL listeners, read back by librdkafka; no password on the command
//    line (/proc/PID/cmdline of the running process);
//  - kpw-cli tail and offsets --profile NAME read the records back over
//    the same listeners;
//  - --producer.config (--consumer.config for tail) and -X override the profile.

#include "RdkConsumer.h"
#include "TestBroker.h"

#include "profiles/ConnectionProfile.h"
#include "profiles/KeychainSecretStore.h"
#include "profiles/ProfileStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

QMap<QString, QString> parse(const QString &text)
{
    auto pairs = ProducerConfig::parsePropertiesText(text, QStringLiteral("export"));
    QMap<QString, QString> m;
    if (pairs)
        for (const auto &[k, v] : *pairs)
            m.insert(k, v);
    return m;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TstProfiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void importStoreExportJava();
    void importStoreExportLibrdkafka();
    void exportWithoutSecrets();
    void renameAndDeleteMoveTheKeychainEntry();
    void cliImportExport();
    void cliProduceWithProfile_data();
    void cliProduceWithProfile();
    void cliOverridesProfile();
    void noKeychainSaysHowToGiveSecrets();

private:
    QString env(const char *key) const { return m_env.value(QString::fromLatin1(key)); }
    // kpw-cli with `args`; stdin `input` (closed after). Exit code, output, errors.
    int cli(const QStringList &args, const QByteArray &input = {}, QString *out = nullptr, QString *err = nullptr,
            const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    QString settingsFile() const;

    QMap<QString, QString> m_env;
    QString m_plainBoot;
    QTemporaryDir m_dir;
};

void TstProfiles::initTestCase()
{
    QVERIFY2(qEnvironmentVariableIsSet("KPW_TEST_KEYCHAIN"),
             "run through tests/keychain/with-keychain (ctest does): this test needs a real keychain");
    // Never the user's own settings: with-keychain moved XDG_CONFIG_HOME.
    QVERIFY(qEnvironmentVariable("XDG_CONFIG_HOME").contains(QStringLiteral("kpw-keychain")));
    m_plainBoot = bootstrap();
    QVERIFY(!m_plainBoot.isEmpty());
    const QString path =
        QFileInfo(qEnvironmentVariable("KPW_TEST_BOOTSTRAP_FILE")).dir().filePath(QStringLiteral("security.env"));
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
    QVERIFY(!env("SASL_SSL_BOOTSTRAP").isEmpty() && !env("SASL_PASSWORD").isEmpty());
    QVERIFY(m_dir.isValid());
}

QString TstProfiles::settingsFile() const
{
    return QDir(qEnvironmentVariable("XDG_CONFIG_HOME")).filePath(QStringLiteral("kpw/kpw.conf"));
}

int TstProfiles::cli(const QStringList &args, const QByteArray &input, QString *out, QString *err,
                     const QProcessEnvironment &environment)
{
    QProcess p;
    p.setProcessEnvironment(environment);
    p.start(QStringLiteral(KPW_CLI_PATH), args);
    if (!p.waitForStarted())
        return -1;
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(90000)) {
        p.kill();
        p.waitForFinished();
        return -2;
    }
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput());
    if (err)
        *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
}

void TstProfiles::importStoreExportJava()
{
    // Every kind of key: connection, TLS (PEM, Java names), SCRAM in a jaas
    // line with a password that needs escaping, the other passwords, a
    // librdkafka-only key, settings kpw does not know.
    const QString password = QStringLiteral("p\u00e4ss \"quoted\" back\\slash=;#!");
    const QString text =
        QStringLiteral("bootstrap.servers=b1.example:9094,b2.example:9094\n"
                       "security.protocol=SASL_SSL\n"
                       "ssl.truststore.type=PEM\n"
                       "ssl.truststore.location=/etc/kafka/ca.pem\n"
                       "ssl.truststore.password=trust-pass-1\n"
                       "ssl.keystore.type=PEM\n"
                       "ssl.keystore.location=/etc/kafka/client.pem\n"
                       "ssl.keystore.password=keystore-pass-2\n"
                       "ssl.key.password=key-pass-3\n"
                       "ssl.endpoint.identification.algorithm=\n"
                       "sasl.mechanism=SCRAM-SHA-256\n"
                       "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
                       "    username=\"bob\" password=\"%1\" tokenauth=\"false\";\n"
                       "client.id=profile-test\n"
                       "linger.ms=7\n"
                       "schema.registry.url=https://registry.example:8081\n"
                       "basic.auth.user.info=reg-user:reg-pass-4\n"
                       "some.future.setting=x y z\n")
            .arg(QString(password)
                     .replace(QLatin1Char('\\'), QStringLiteral("\\\\\\\\"))
                     .replace(QLatin1Char('"'), QStringLiteral("\\\\\"")));
    // The jaas value as the file means it: parse it the way kpw does, so the
    // expectation does not depend on this test's escaping above.
    const QMap<QString, QString> original = parse(text);
    auto jaas = ProducerConfig::parseJaasConfig(original.value(QStringLiteral("sasl.jaas.config")));
    QVERIFY(jaas.ok());
    QCOMPARE(jaas->options.value(QStringLiteral("password")), password);

    auto imported = ConnectionProfile::fromProperties(QStringLiteral("java all keys"), text);
    QVERIFY2(imported.ok(), qPrintable(imported.ok() ? QString() : imported.error().message));
    QCOMPARE(imported->username(), QStringLiteral("bob"));
    QCOMPARE(imported->password(), password);
    QVERIFY(!imported->verifyHostname());
    QCOMPARE(imported->schemaRegistryUrl(), QStringLiteral("https://registry.example:8081"));

    const QString iniPath = m_dir.filePath(QStringLiteral("java.ini"));
    {
        QSettings settings(iniPath, QSettings::IniFormat);
        KeychainSecretStore keychain(QStringLiteral("kpw-test"));
        ProfileStore store(&settings, &keychain);
        auto saved = store.save(*imported);
        QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().message));
    }
    // A fresh store, as after a restart: everything comes back from the file
    // and the keychain.
    QSettings settings(iniPath, QSettings::IniFormat);
    KeychainSecretStore keychain(QStringLiteral("kpw-test"));
    ProfileStore store(&settings, &keychain);
    QCOMPARE(store.names(), QStringList{QStringLiteral("java all keys")});
    auto loaded = store.load(QStringLiteral("java all keys"));
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
    QCOMPARE(*loaded, *imported);
    // The secrets really are in the keychain, not only in memory.
    auto inKeychain = keychain.read(QStringLiteral("java all keys"));
    QVERIFY(inKeychain.ok());
    QCOMPARE(inKeychain->value(QStringLiteral("sasl.password")), password);
    QCOMPARE(inKeychain->value(QStringLiteral("ssl.key.password")), QStringLiteral("key-pass-3"));

    const QMap<QString, QString> exported = parse(loaded->toProperties(true));
    for (auto it = original.cbegin(); it != original.cend(); ++it) {
        if (it.key() == QLatin1StringView("sasl.jaas.config"))
            continue;
        QVERIFY2(exported.contains(it.key()), qPrintable(QStringLiteral("export lost %1").arg(it.key())));
        QCOMPARE(exported.value(it.key()), it.value());
    }
    auto jaasOut = ProducerConfig::parseJaasConfig(exported.value(QStringLiteral("sasl.jaas.config")));
    QVERIFY2(jaasOut.ok(), qPrintable(exported.value(QStringLiteral("sasl.jaas.config"))));
    QCOMPARE(jaasOut->loginModule, jaas->loginModule);
    QCOMPARE(jaasOut->options, jaas->options);
    // Nothing made up either: no key the file did not have.
    for (auto it = exported.cbegin(); it != exported.cend(); ++it)
        QVERIFY2(original.contains(it.key()), qPrintable(QStringLiteral("export added %1").arg(it.key())));

    // The settings file: every non-secret value, no secret.
    settings.sync();
    const QByteArray bytes = readFile(iniPath);
    QVERIFY(bytes.contains("b1.example:9094"));
    QVERIFY(bytes.contains("bob"));
    for (const QString &secret :
         {password, QStringLiteral("p\u00e4ss"), QStringLiteral("quoted"), QStringLiteral("trust-pass-1"),
          QStringLiteral("keystore-pass-2"), QStringLiteral("key-pass-3"), QStringLiteral("reg-pass-4")}) {
        QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(QStringLiteral("%1 in the settings file").arg(secret)));
        // QSettings escapes non-ASCII; search that spelling too.
        QVERIFY(!bytes.contains(QByteArray("p\\xe4ss")));
    }
    QVERIFY(store.remove(QStringLiteral("java all keys")).ok());
    QVERIFY(keychain.read(QStringLiteral("java all keys"))->isEmpty());
}

void TstProfiles::importStoreExportLibrdkafka()
{
    const QString text = QStringLiteral("bootstrap.servers=127.0.0.1:9093\n"
                                        "security.protocol=sasl_ssl\n"
                                        "ssl.ca.location=/etc/ssl/ca.pem\n"
                                        "ssl.certificate.location=/etc/ssl/client.crt\n"
                                        "ssl.key.location=/etc/ssl/client.key\n"
                                        "ssl.key.password=rdk-key-pass\n"
                                        "sasl.mechanisms=SCRAM-SHA-512\n"
                                        "sasl.username=carol\n"
                                        "sasl.password=rdk-sasl-pass\n"
                                        "enable.ssl.certificate.verification=true\n");
    QStringList notes;
    auto p = ConnectionProfile::fromProperties(QStringLiteral("rdk"), text, QStringLiteral("rdk.properties"), &notes);
    QVERIFY(p.ok());
    QCOMPARE(p->securityProtocol(), QStringLiteral("SASL_SSL"));
    QCOMPARE(p->saslMechanism(), QStringLiteral("SCRAM-SHA-512"));
    QCOMPARE(p->caFile(), QStringLiteral("/etc/ssl/ca.pem"));
    QCOMPARE(p->certFile(), QStringLiteral("/etc/ssl/client.crt"));
    QCOMPARE(p->keyFile(), QStringLiteral("/etc/ssl/client.key"));
    QCOMPARE(p->username(), QStringLiteral("carol"));
    QCOMPARE(p->password(), QStringLiteral("rdk-sasl-pass"));
    QCOMPARE(p->keyPassword(), QStringLiteral("rdk-key-pass"));
    QVERIFY(!notes.isEmpty());

    const QString iniPath = m_dir.filePath(QStringLiteral("rdk.ini"));
    QSettings settings(iniPath, QSettings::IniFormat);
    KeychainSecretStore keychain(QStringLiteral("kpw-test"));
    ProfileStore store(&settings, &keychain);
    QVERIFY(store.save(*p).ok());
    auto loaded = store.load(QStringLiteral("rdk"));
    QVERIFY(loaded.ok());
    QCOMPARE(*loaded, *p);

    // Java names out: the CA as a PEM truststore, SCRAM as a jaas line.
    const auto out = parse(loaded->toProperties(true));
    QCOMPARE(out.value(QStringLiteral("ssl.truststore.location")), QStringLiteral("/etc/ssl/ca.pem"));
    QCOMPARE(out.value(QStringLiteral("ssl.truststore.type")), QStringLiteral("PEM"));
    QCOMPARE(out.value(QStringLiteral("sasl.mechanism")), QStringLiteral("SCRAM-SHA-512"));
    QVERIFY(!out.contains(QStringLiteral("sasl.mechanisms")));
    QVERIFY(!out.contains(QStringLiteral("sasl.password")));
    auto jaas = ProducerConfig::parseJaasConfig(out.value(QStringLiteral("sasl.jaas.config")));
    QVERIFY(jaas.ok());
    QCOMPARE(jaas->loginModule, QStringLiteral("org.apache.kafka.common.security.scram.ScramLoginModule"));
    QCOMPARE(jaas->options.value(QStringLiteral("username")), QStringLiteral("carol"));
    QCOMPARE(jaas->options.value(QStringLiteral("password")), QStringLiteral("rdk-sasl-pass"));
    QCOMPARE(out.value(QStringLiteral("ssl.key.password")), QStringLiteral("rdk-key-pass"));
    QCOMPARE(out.value(QStringLiteral("enable.ssl.certificate.verification")), QStringLiteral("true"));
    // Exported and imported again: the same profile.
    auto again = ConnectionProfile::fromProperties(QStringLiteral("rdk"), loaded->toProperties(true));
    QVERIFY(again.ok());
    QCOMPARE(again->settings.value(QStringLiteral("sasl.username")), QStringLiteral("carol"));
    QCOMPARE(again->secrets, p->secrets);
    // The same ProducerConfig security either way.
    ProducerConfig a, b;
    QVERIFY(p->applyTo(a).ok());
    QVERIFY(again->applyTo(b).ok());
    QVERIFY(a.security().ok() && b.security().ok());
    QCOMPARE(a.security()->password, b.security()->password);
    QCOMPARE(a.security()->username, QStringLiteral("carol"));
    QCOMPARE(a.security()->keyFile, b.security()->keyFile);

    settings.sync();
    const QByteArray bytes = readFile(iniPath);
    QVERIFY(bytes.contains("carol"));
    QVERIFY(!bytes.contains("rdk-key-pass"));
    QVERIFY(!bytes.contains("rdk-sasl-pass"));
    QVERIFY(store.remove(QStringLiteral("rdk")).ok());
}

void TstProfiles::exportWithoutSecrets()
{
    auto p = ConnectionProfile::fromProperties(
        QStringLiteral("plain"), QStringLiteral("bootstrap.servers=h:1\nsecurity.protocol=SASL_PLAINTEXT\n"
                                                "sasl.mechanism=PLAIN\nsasl.username=u\nsasl.password=hush-1\n"
                                                "ssl.key.password=hush-2\n"));
    QVERIFY(p.ok());
    const QString text = p->toProperties(false);
    QVERIFY(!text.contains(QStringLiteral("hush")));
    QVERIFY(text.contains(QStringLiteral("# ssl.key.password=<in the system keychain>")));
    QVERIFY(text.contains(QStringLiteral("# sasl.jaas.config=")));
    // Commented out: a Java client does not run with a placeholder password.
    QVERIFY(!parse(text).contains(QStringLiteral("sasl.jaas.config")));
    QVERIFY(parse(p->toProperties(true)).value(QStringLiteral("sasl.jaas.config")).contains(QStringLiteral("hush-1")));
}

void TstProfiles::renameAndDeleteMoveTheKeychainEntry()
{
    QSettings settings(m_dir.filePath(QStringLiteral("rename.ini")), QSettings::IniFormat);
    KeychainSecretStore keychain(QStringLiteral("kpw-test"));
    ProfileStore store(&settings, &keychain);
    ConnectionProfile p;
    p.name = QStringLiteral("old name");
    p.setSetting(QStringLiteral("bootstrap.servers"), QStringLiteral("h:1"));
    p.setSecret(QStringLiteral("sasl.password"), QStringLiteral("moving-secret"));
    QVERIFY(store.save(p).ok());
    store.setLastUsed(p.name);
    QVERIFY(store.rename(QStringLiteral("old name"), QStringLiteral("new name")).ok());
    QCOMPARE(store.names(), QStringList{QStringLiteral("new name")});
    QCOMPARE(store.lastUsed(), QStringLiteral("new name"));
    QVERIFY(keychain.read(QStringLiteral("old name"))->isEmpty());
    QCOMPARE(keychain.read(QStringLiteral("new name"))->value(QStringLiteral("sasl.password")),
             QStringLiteral("moving-secret"));
    QVERIFY(!store.rename(QStringLiteral("new name"), QStringLiteral("a/b")).ok());
    QVERIFY(store.remove(QStringLiteral("new name")).ok());
    QVERIFY(keychain.read(QStringLiteral("new name"))->isEmpty());
    QVERIFY(store.names().isEmpty());
}

void TstProfiles::cliImportExport()
{
    const QString in = m_dir.filePath(QStringLiteral("cli.properties"));
    QFile f(in);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("bootstrap.servers=h.example:9092\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"dave\" "
            "password=\"cli-secret-9\";\nacks=1\n");
    f.close();
    QString out, err;
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("import"), QStringLiteral("cli"), in}, {}, &out, &err), 0);
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("list")}, {}, &out, &err), 0);
    QVERIFY2(out.contains(QStringLiteral("cli\th.example:9092\tSASL_PLAINTEXT PLAIN")), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("cli")}, {}, &out, &err), 0);
    QVERIFY(out.contains(QStringLiteral("username=\"dave\"")));
    QVERIFY2(!out.contains(QStringLiteral("cli-secret-9")), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("export"), QStringLiteral("cli")}, {}, &out, &err), 0);
    QVERIFY(!out.contains(QStringLiteral("cli-secret-9")));
    const QString exported = m_dir.filePath(QStringLiteral("cli-export.properties"));
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("export"), QStringLiteral("cli"), exported,
                  QStringLiteral("--with-secrets")},
                 {}, &out, &err),
             0);
    QVERIFY(readFile(exported).contains("password=\"cli-secret-9\""));
    QCOMPARE(QFileInfo(exported).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY(!readFile(settingsFile()).isEmpty());
    QVERIFY(!readFile(settingsFile()).contains("cli-secret-9"));
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("delete"), QStringLiteral("cli")}, {}, &out, &err), 0);
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("show"), QStringLiteral("cli")}, {}, &out, &err), 1);
    QVERIFY(err.contains(QStringLiteral("no connection profile named 'cli'")));
}

void TstProfiles::cliProduceWithProfile_data()
{
    QTest::addColumn<QString>("properties");
    QTest::addColumn<QString>("secret");
    QTest::newRow("SASL_SSL SCRAM-SHA-512, Java file")
        << QStringLiteral("bootstrap.servers=%1\nsecurity.protocol=SASL_SSL\nssl.truststore.type=PEM\n"
                          "ssl.truststore.location=%2\nsasl.mechanism=SCRAM-SHA-512\n"
                          "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                          "username=\"%3\" password=\"%4\";\n")
               .arg(env("SASL_SSL_BOOTSTRAP"), env("CA"), env("SASL_USER"), env("SASL_PASSWORD"))
        << env("SASL_PASSWORD");
    QTest::newRow("SASL_PLAINTEXT PLAIN, librdkafka file")
        << QStringLiteral("bootstrap.servers=%1\nsecurity.protocol=sasl_plaintext\nsasl.mechanisms=PLAIN\n"
                          "sasl.username=%2\nsasl.password=%3\n")
               .arg(env("SASL_PLAINTEXT_BOOTSTRAP"), env("SASL_USER"), env("SASL_PASSWORD"))
        << env("SASL_PASSWORD");
    QTest::newRow("SSL mutual TLS, encrypted key")
        << QStringLiteral("bootstrap.servers=%1\nsecurity.protocol=SSL\nssl.ca.location=%2\n"
                          "ssl.certificate.location=%3\nssl.key.location=%4\nssl.key.password=%5\n")
               .arg(env("SSL_BOOTSTRAP"), env("CA"), env("CLIENT_CERT"), env("CLIENT_KEY_ENCRYPTED"),
                    env("CLIENT_KEY_PASSWORD"))
        << env("CLIENT_KEY_PASSWORD");
}

void TstProfiles::cliProduceWithProfile()
{
    QFETCH(QString, properties);
    QFETCH(QString, secret);
    QVERIFY(!secret.isEmpty());
    const QString name =
        QStringLiteral("cli ") + QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(','), 0, 0);
    const QString in = m_dir.filePath(QStringLiteral("produce.properties"));
    QFile f(in);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(properties.toUtf8());
    f.close();
    QString out, err;
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("import"), name, in}, {}, &out, &err), 0);
    QVERIFY(QFile::remove(in)); // from now on the secret is in the keychain only

    const QString topic = uniqueTopic(QStringLiteral("kpw-profile"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    QProcess p;
    p.start(QStringLiteral(KPW_CLI_PATH),
            {QStringLiteral("produce"), QStringLiteral("--profile"), name, QStringLiteral("-t"), topic});
    QVERIFY(p.waitForStarted());
    QTest::qWait(1500); // past the keychain read and the login
    // While it runs (stdin still open, so it waits for more): what other
    // users see of the process.
    QCOMPARE(p.state(), QProcess::Running);
    const QByteArray cmdline = readFile(QStringLiteral("/proc/%1/cmdline").arg(p.processId()));
    QVERIFY(cmdline.contains("--profile"));
    QVERIFY2(!cmdline.contains(secret.toUtf8()), cmdline.constData());
    const QByteArray environ = readFile(QStringLiteral("/proc/%1/environ").arg(p.processId()));
    QVERIFY(!environ.isEmpty());
    QVERIFY(!environ.contains(secret.toUtf8()));
    p.write("first via profile\n");
    p.write("second via profile\n");
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(60000));
    out = QString::fromUtf8(p.readAllStandardOutput());
    err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QCOMPARE(out.count(QStringLiteral(" @ ")), 2);

    QString error;
    const auto read = consumeAll(m_plainBoot, topic, 2, 30000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(read.size(), 2);
    QCOMPARE(read[0].value.value_or(QByteArray()), QByteArray("first via profile"));
    QCOMPARE(read[1].value.value_or(QByteArray()), QByteArray("second via profile"));

    // The same profile lists and describes topics over its listener.
    QCOMPARE(cli({QStringLiteral("topics"), QStringLiteral("--profile"), name, QStringLiteral("--describe"), topic}, {},
                 &out, &err),
             0);
    QVERIFY2(out.startsWith(topic + QStringLiteral(" partitions=1 ")), qPrintable(out + err));
    QVERIFY2(out.contains(QStringLiteral("latest=2")), qPrintable(out));

    // And reads them back: tail and offsets take the profile too.
    QCOMPARE(cli({QStringLiteral("tail"), QStringLiteral("--profile"), name, QStringLiteral("-t"), topic,
                  QStringLiteral("-e"), QStringLiteral("--isolation"), QStringLiteral("read_committed")},
                 {}, &out, &err),
             0);
    QCOMPARE(out.split(QLatin1Char('\n'), Qt::SkipEmptyParts),
             QStringList({topic + QStringLiteral(" [0] @ 0 key=null value=first via profile"),
                          topic + QStringLiteral(" [0] @ 1 key=null value=second via profile")}));
    QCOMPARE(cli({QStringLiteral("offsets"), QStringLiteral("--profile"), name, QStringLiteral("-t"), topic}, {}, &out,
                 &err),
             0);
    QCOMPARE(out.trimmed(), topic + QStringLiteral(" [0] earliest=0 latest=2 stable=2"));

    const QByteArray settingsBytes = readFile(settingsFile());
    QVERIFY(settingsBytes.contains("bootstrap.servers"));
    QVERIFY2(!settingsBytes.contains(secret.toUtf8()), "a secret is in the settings file");
}

void TstProfiles::cliOverridesProfile()
{
    // The keychain holds a wrong password and the profile a dead bootstrap:
    // --producer.config (password) and -b win, so the record goes through.
    const QString in = m_dir.filePath(QStringLiteral("wrong.properties"));
    QFile f(in);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QStringLiteral("bootstrap.servers=127.0.0.1:1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                           "sasl.username=%1\nsasl.password=not-the-password\n")
                .arg(env("SASL_USER"))
                .toUtf8());
    f.close();
    QString out, err;
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("import"), QStringLiteral("wrong"), in}, {}, &out, &err),
             0);
    const QString topic = uniqueTopic(QStringLiteral("kpw-profile-override"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    // As it is, the profile fails: the broker refuses the password.
    QCOMPARE(cli({QStringLiteral("produce"), QStringLiteral("--profile"), QStringLiteral("wrong"), QStringLiteral("-b"),
                  env("SASL_PLAINTEXT_BOOTSTRAP"), QStringLiteral("-t"), topic, QStringLiteral("-X"),
                  QStringLiteral("delivery.timeout.ms=8000"), QStringLiteral("-X"),
                  QStringLiteral("request.timeout.ms=5000")},
                 "refused\n", &out, &err),
             1);
    QVERIFY2(err.contains(QStringLiteral("SASL")) || err.contains(QStringLiteral("uthentication")), qPrintable(err));
    const QString cfg = m_dir.filePath(QStringLiteral("override.properties"));
    QFile c(cfg);
    QVERIFY(c.open(QIODevice::WriteOnly | QIODevice::Truncate));
    c.write(QStringLiteral("sasl.password=%1\n").arg(env("SASL_PASSWORD")).toUtf8());
    c.close();
    QCOMPARE(cli({QStringLiteral("produce"), QStringLiteral("--profile"), QStringLiteral("wrong"),
                  QStringLiteral("--producer.config"), cfg, QStringLiteral("-b"), env("SASL_PLAINTEXT_BOOTSTRAP"),
                  QStringLiteral("-t"), topic},
                 "accepted\n", &out, &err),
             0);
    QVERIFY2(out.contains(QStringLiteral(" @ 0")), qPrintable(out + err));

    // tail takes the same overrides: with the profile's password the broker
    // refuses it (and says so at once); --consumer.config gives the right one.
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(cli({QStringLiteral("tail"), QStringLiteral("--profile"), QStringLiteral("wrong"), QStringLiteral("-b"),
                  env("SASL_PLAINTEXT_BOOTSTRAP"), QStringLiteral("-t"), topic, QStringLiteral("-e")},
                 {}, &out, &err),
             1);
    QVERIFY2(clock.elapsed() < 20000, "tail with a wrong password took too long");
    QVERIFY2(err.contains(QStringLiteral("SASL_AUTHENTICATION_FAILED")), qPrintable(err));
    QVERIFY(out.isEmpty());
    QCOMPARE(cli({QStringLiteral("tail"), QStringLiteral("--profile"), QStringLiteral("wrong"),
                  QStringLiteral("--consumer.config"), cfg, QStringLiteral("-b"), env("SASL_PLAINTEXT_BOOTSTRAP"),
                  QStringLiteral("-t"), topic, QStringLiteral("-e")},
                 {}, &out, &err),
             0);
    QCOMPARE(out.trimmed(), topic + QStringLiteral(" [0] @ 0 key=null value=accepted"));
    // -X wins over the profile as well.
    QCOMPARE(cli({QStringLiteral("offsets"), QStringLiteral("--profile"), QStringLiteral("wrong"), QStringLiteral("-X"),
                  QStringLiteral("sasl.password=%1").arg(env("SASL_PASSWORD")), QStringLiteral("-b"),
                  env("SASL_PLAINTEXT_BOOTSTRAP"), QStringLiteral("-t"), topic},
                 {}, &out, &err),
             0);
    QCOMPARE(out.trimmed(), topic + QStringLiteral(" [0] earliest=0 latest=1 stable=1"));
}

void TstProfiles::noKeychainSaysHowToGiveSecrets()
{
    const QString in = m_dir.filePath(QStringLiteral("nokeychain.properties"));
    QFile f(in);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QStringLiteral("bootstrap.servers=%1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
                           "sasl.username=%2\nsasl.password=%3\n")
                .arg(env("SASL_PLAINTEXT_BOOTSTRAP"), env("SASL_USER"), env("SASL_PASSWORD"))
                .toUtf8());
    f.close();
    QString out, err;
    QCOMPARE(cli({QStringLiteral("profile"), QStringLiteral("import"), QStringLiteral("nokc"), in}, {}, &out, &err), 0);

    // No session bus at all (and no X display to autolaunch one).
    QProcessEnvironment noBus = QProcessEnvironment::systemEnvironment();
    noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                 QStringLiteral("unix:path=") + m_dir.filePath(QStringLiteral("no-bus")));
    noBus.remove(QStringLiteral("DISPLAY"));
    const QString topic = uniqueTopic(QStringLiteral("kpw-profile-nokc"));
    KPW_CREATE_TOPIC(m_plainBoot, topic, 1);
    QElapsedTimer clock;
    clock.start();
    const int rc = cli(
        {QStringLiteral("produce"), QStringLiteral("--profile"), QStringLiteral("nokc"), QStringLiteral("-t"), topic},
        "never sent\n", &out, &err, noBus);
    QCOMPARE(rc, 1);
    QVERIFY2(clock.elapsed() < 30000, "the keychain failure took too long");
    QVERIFY2(err.contains(QStringLiteral("the system keychain is unavailable")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("sasl.password")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("KPW_SASL_PASSWORD")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("--producer.config")), qPrintable(err));
    QVERIFY(!out.contains(QStringLiteral(" @ ")));

    // Importing a file with secrets is refused rather than writing them in plain text.
    QCOMPARE(
        cli({QStringLiteral("profile"), QStringLiteral("import"), QStringLiteral("nokc2"), in}, {}, &out, &err, noBus),
        1);
    QVERIFY2(err.contains(QStringLiteral("the system keychain is unavailable")) &&
                 err.contains(QStringLiteral("does not write secrets to a plain file")),
             qPrintable(err));
    QVERIFY(!readFile(settingsFile()).contains("nokc2"));
    QVERIFY(!readFile(settingsFile()).contains(env("SASL_PASSWORD").toUtf8()));

    // The way out it names works: the password from the environment.
    QProcessEnvironment withEnv = noBus;
    withEnv.insert(QStringLiteral("KPW_SASL_PASSWORD"), env("SASL_PASSWORD"));
    QCOMPARE(cli({QStringLiteral("produce"), QStringLiteral("--profile"), QStringLiteral("nokc"), QStringLiteral("-t"),
                  topic},
                 "from the environment\n", &out, &err, withEnv),
             0);
    QVERIFY2(out.contains(QStringLiteral(" @ 0")), qPrintable(out + err));
}

QTEST_GUILESS_MAIN(TstProfiles)
#include "tst_profiles.moc"
