// `kpw-cli topics` as a user runs it, against the broker: create with
// configs, list, describe (offsets after librdkafka wrote records, '*' on the
// non-defaults), the broker's refusals on stderr with their names and exit
// code 1, usage errors with exit code 2, delete.

#include "RdkTxnProducer.h"
#include "TestBroker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw::test;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);

struct Run
{
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;
};

Run cli(const QStringList &args)
{
    QProcess p;
    p.start(kCli, QStringList{QStringLiteral("topics")} + args);
    Run r;
    r.finished = p.waitForFinished(60000);
    if (!r.finished)
        p.kill();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString explain(const Run &r)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(r.exitCode).arg(r.out, r.err);
}

} // namespace

class TstCliTopics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createListDescribeDelete();
    void refusalsAndUsage();
    void overTlsAndSasl();
};

void TstCliTopics::createListDescribeDelete()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-topics"));
    Run c = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), topic, QStringLiteral("--partitions"),
                 QStringLiteral("2"), QStringLiteral("--replication-factor"), QStringLiteral("1"),
                 QStringLiteral("--config"), QStringLiteral("retention.ms=5400000")});
    QVERIFY2(c.finished && c.exitCode == 0, qPrintable(explain(c)));
    QCOMPARE(c.out.trimmed(), QStringLiteral("created: %1 partitions=2 replication=1").arg(topic));
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(true), 30000);

    {
        RdkTxnProducer producer(boot, QString());
        QVERIFY2(producer.ok(), qPrintable(producer.error()));
        for (int i = 0; i < 4; ++i)
            QVERIFY(producer.send(topic, 1, QByteArray("k"), QByteArray::number(i)));
        QVERIFY2(producer.flush(), qPrintable(producer.error()));
    }

    Run list = cli({QStringLiteral("-b"), boot});
    QVERIFY2(list.exitCode == 0, qPrintable(explain(list)));
    QVERIFY2(list.out.split(QLatin1Char('\n')).contains(QStringLiteral("%1 partitions=2 replication=1").arg(topic)),
             qPrintable(explain(list)));
    for (const QString &line : list.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        QVERIFY2(!line.contains(QStringLiteral(" internal")), qPrintable(line)); // hidden without --all

    // Right after creation a leader may not answer ListOffsets yet (the
    // line then names the error instead of an offset): ask again.
    Run d;
    for (int attempt = 0; attempt < 20; ++attempt) {
        d = cli({QStringLiteral("-b"), boot, QStringLiteral("--describe"), topic});
        if (d.exitCode != 0 || d.out.section(QStringLiteral("configs"), 0, 0).count(QStringLiteral("earliest=0")) == 2)
            break;
        QTest::qWait(500);
    }
    QVERIFY2(d.exitCode == 0, qPrintable(explain(d)));
    const QStringList lines = d.out.split(QLatin1Char('\n'));
    QVERIFY2(lines.contains(QStringLiteral("  [0] leader=1 replicas=1 isr=1 earliest=0 latest=0")), qPrintable(d.out));
    QVERIFY2(lines.contains(QStringLiteral("  [1] leader=1 replicas=1 isr=1 earliest=0 latest=4")), qPrintable(d.out));
    QVERIFY2(lines.contains(QStringLiteral(" * retention.ms=5400000  (DYNAMIC_TOPIC_CONFIG)")), qPrintable(d.out));
    QVERIFY2(lines.contains(QStringLiteral("   segment.bytes=1073741824  (DEFAULT_CONFIG)")), qPrintable(d.out));

    Run del = cli({QStringLiteral("-b"), boot, QStringLiteral("--delete"), topic});
    QVERIFY2(del.exitCode == 0, qPrintable(explain(del)));
    QCOMPARE(del.out.trimmed(), QStringLiteral("deleted: %1").arg(topic));
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(false), 30000);
    Run gone = cli({QStringLiteral("-b"), boot, QStringLiteral("--describe"), topic});
    QVERIFY2(gone.exitCode == 1 && gone.err.contains(QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION")),
             qPrintable(explain(gone)));
}

void TstCliTopics::refusalsAndUsage()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-topics-refused"));
    QVERIFY(cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), topic}).exitCode == 0);
    Run again = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), topic});
    QVERIFY2(again.exitCode == 1 && again.err.contains(QStringLiteral("create topic: TOPIC_ALREADY_EXISTS: ")),
             qPrintable(explain(again)));
    const QString fresh = uniqueTopic(QStringLiteral("kpw-cli-topics-never"));
    Run rf = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), fresh, QStringLiteral("--replication-factor"),
                  QStringLiteral("3")});
    QVERIFY2(rf.exitCode == 1 && rf.err.contains(QStringLiteral("INVALID_REPLICATION_FACTOR")),
             qPrintable(explain(rf)));
    Run parts = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), fresh, QStringLiteral("--partitions"),
                     QStringLiteral("0")});
    QVERIFY2(parts.exitCode == 1 && parts.err.contains(QStringLiteral("INVALID_PARTITIONS")),
             qPrintable(explain(parts)));
    Run valid = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), fresh, QStringLiteral("--partitions"),
                     QStringLiteral("2"), QStringLiteral("--validate-only")});
    QVERIFY2(valid.exitCode == 0 && valid.out.startsWith(QStringLiteral("valid: ")), qPrintable(explain(valid)));
    QCOMPARE(topicExists(boot, fresh), std::optional<bool>(false));
    Run noTopic = cli({QStringLiteral("-b"), boot, QStringLiteral("--delete"), fresh});
    QVERIFY2(noTopic.exitCode == 1 && noTopic.err.contains(QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION")),
             qPrintable(explain(noTopic)));

    // Usage errors: exit code 2, nothing sent.
    Run noBoot = cli({QStringLiteral("--describe"), topic});
    QVERIFY2(noBoot.exitCode == 2 && noBoot.err.contains(QStringLiteral("no bootstrap server")),
             qPrintable(explain(noBoot)));
    Run two = cli({QStringLiteral("-b"), boot, QStringLiteral("--delete"), topic, QStringLiteral("--describe"), topic});
    QVERIFY2(two.exitCode == 2, qPrintable(explain(two)));
    Run badNumber = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), fresh, QStringLiteral("--partitions"),
                         QStringLiteral("many")});
    QVERIFY2(badNumber.exitCode == 2 && badNumber.err.contains(QStringLiteral("--partitions")),
             qPrintable(explain(badNumber)));
    Run badConfig = cli({QStringLiteral("-b"), boot, QStringLiteral("--create"), fresh, QStringLiteral("--config"),
                         QStringLiteral("novalue")});
    QVERIFY2(badConfig.exitCode == 2, qPrintable(explain(badConfig)));
    Run stray = cli({QStringLiteral("-b"), boot, QStringLiteral("--partitions"), QStringLiteral("3")});
    QVERIFY2(stray.exitCode == 2 && stray.err.contains(QStringLiteral("--create")), qPrintable(explain(stray)));
    // Unreachable: exit 1 with the connection error, not a hang.
    Run down = cli({QStringLiteral("-b"), QStringLiteral("127.0.0.1:1"), QStringLiteral("-X"),
                    QStringLiteral("socket.connection.setup.timeout.ms=2000")});
    QVERIFY2(down.finished && down.exitCode == 1 && down.err.contains(QStringLiteral("127.0.0.1:1")),
             qPrintable(explain(down)));

    QVERIFY(cli({QStringLiteral("-b"), boot, QStringLiteral("--delete"), topic}).exitCode == 0);
}

// The same settings the producer takes (client.properties, -X) reach the
// admin connection: create over SASL_SSL with SCRAM-SHA-512 from a
// properties file, describe over mutual TLS, delete over SASL_PLAINTEXT;
// a wrong password fails with the broker's SASL error.
void TstCliTopics::overTlsAndSasl()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString envPath =
        QFileInfo(qEnvironmentVariable("KPW_TEST_BOOTSTRAP_FILE")).dir().filePath(QStringLiteral("security.env"));
    QFile envFile(envPath);
    if (!envFile.open(QIODevice::ReadOnly)) {
        if (qEnvironmentVariableIsSet("KPW_TEST_BOOTSTRAP"))
            QSKIP("an external broker (KPW_TEST_BOOTSTRAP) has no fixture security listeners");
        QFAIL(
            qPrintable(QStringLiteral("no %1: the kafka fixture did not set up its security listeners").arg(envPath)));
    }
    QMap<QString, QString> env;
    for (const QByteArray &line : envFile.readAll().split('\n'))
        if (const auto eq = line.indexOf('='); eq > 0)
            env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    QVERIFY(!env.value(QStringLiteral("SASL_SSL_BOOTSTRAP")).isEmpty());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString props = dir.filePath(QStringLiteral("client.properties"));
    {
        QFile f(props);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                               "sasl.username=%1\nsasl.password=%2\nssl.truststore.location=%3\n")
                    .arg(env.value(QStringLiteral("SASL_USER")), env.value(QStringLiteral("SASL_PASSWORD")),
                         env.value(QStringLiteral("CA")))
                    .toUtf8());
    }
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-topics-secure"));
    Run c =
        cli({QStringLiteral("-b"), env.value(QStringLiteral("SASL_SSL_BOOTSTRAP")), QStringLiteral("--producer.config"),
             props, QStringLiteral("--create"), topic, QStringLiteral("--partitions"), QStringLiteral("2")});
    QVERIFY2(c.exitCode == 0 && c.out.startsWith(QStringLiteral("created: ")), qPrintable(explain(c)));
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(true), 30000);

    Run d = cli({QStringLiteral("-b"), env.value(QStringLiteral("SSL_BOOTSTRAP")), QStringLiteral("-X"),
                 QStringLiteral("security.protocol=SSL"), QStringLiteral("-X"),
                 QStringLiteral("ssl.truststore.location=") + env.value(QStringLiteral("CA")), QStringLiteral("-X"),
                 QStringLiteral("ssl.truststore.type=PEM"), QStringLiteral("-X"),
                 QStringLiteral("ssl.keystore.location=") + env.value(QStringLiteral("CLIENT_KEYSTORE")),
                 QStringLiteral("-X"), QStringLiteral("ssl.keystore.type=PEM"), QStringLiteral("--describe"), topic});
    QVERIFY2(d.exitCode == 0 && d.out.startsWith(QStringLiteral("%1 partitions=2 replication=1").arg(topic)),
             qPrintable(explain(d)));

    const QStringList plain = {
        QStringLiteral("-b"), env.value(QStringLiteral("SASL_PLAINTEXT_BOOTSTRAP")),
        QStringLiteral("-X"), QStringLiteral("security.protocol=SASL_PLAINTEXT"),
        QStringLiteral("-X"), QStringLiteral("sasl.mechanism=PLAIN"),
        QStringLiteral("-X"), QStringLiteral("sasl.username=") + env.value(QStringLiteral("SASL_USER"))};
    Run wrong = cli(plain + QStringList{QStringLiteral("-X"), QStringLiteral("sasl.password=not-the-password"),
                                        QStringLiteral("--delete"), topic});
    QVERIFY2(wrong.exitCode == 1 && wrong.err.contains(QStringLiteral("SASL_AUTHENTICATION_FAILED")),
             qPrintable(explain(wrong)));
    QCOMPARE(topicExists(boot, topic), std::optional<bool>(true));
    Run del = cli(plain + QStringList{QStringLiteral("-X"),
                                      QStringLiteral("sasl.password=") + env.value(QStringLiteral("SASL_PASSWORD")),
                                      QStringLiteral("--delete"), topic});
    QVERIFY2(del.exitCode == 0, qPrintable(explain(del)));
    QTRY_COMPARE_WITH_TIMEOUT(topicExists(boot, topic), std::optional<bool>(false), 30000);
}

QTEST_GUILESS_MAIN(TstCliTopics)
#include "tst_cli_topics.moc"
