// kpw-cli end to end: lines on stdin become records; one report line per
// record on stdout; errors on stderr and in the exit code.

#include "RdkConsumer.h"
#include "TestBroker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);

struct Run
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
    bool finished = false;
};

Run runCli(const QStringList &args, const QByteArray &stdinData, int timeoutMs = 60000)
{
    QProcess p;
    p.start(kCli, args);
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
    r.exitCode = p.exitCode();
    r.exitStatus = p.exitStatus();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString explain(const Run &r)
{
    return QStringLiteral("exit %1 (%2)\n--- stdout ---\n%3\n--- stderr ---\n%4")
        .arg(r.exitCode)
        .arg(r.exitStatus == QProcess::NormalExit ? QStringLiteral("normal") : QStringLiteral("crash"))
        .arg(QString::fromUtf8(r.out.left(4000)), QString::fromUtf8(r.err.left(4000)));
}

} // namespace

class TstCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void help();
    void produceFromStdin();
    void missingTopicFails();
    void countLimitStopsReading();
    void keySeparatorHeadersCodecPartition();
    void badSettingFails();
    void unreachableBrokerFails();

private:
    QString m_boot;
};

void TstCli::initTestCase()
{
    QVERIFY2(QFile::exists(kCli), qPrintable(kCli));
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstCli::help()
{
    const Run r = runCli({QStringLiteral("--help")}, {}, 10000);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(explain(r)));
    QVERIFY2(r.out.contains("produce"), qPrintable(explain(r)));
}

void TstCli::produceFromStdin()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli"));
    KPW_CREATE_TOPIC(m_boot, topic, 3);

    QByteArray input;
    QList<QByteArray> lines;
    for (int i = 0; i < 50; ++i) {
        lines.append("line " + QByteArray::number(i) + " of the cli test");
        input += lines.last() + '\n';
    }
    const Run r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                          QStringLiteral("-k"), QStringLiteral("KEY"), QStringLiteral("-H"), QStringLiteral("a=1"),
                          QStringLiteral("-H"), QStringLiteral("b=2"),
                          // stdin order is checked below: one request in flight, so a retried batch
                          // (a fresh topic may answer NOT_LEADER_OR_FOLLOWER at first) is not overtaken
                          QStringLiteral("-X"), QStringLiteral("max.in.flight.requests.per.connection=1")},
                         input);
    QVERIFY2(r.finished, qPrintable(QStringLiteral("did not finish in 60 s\n") + explain(r)));
    QVERIFY2(r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(explain(r)));

    // One report line per record: "TOPIC [PARTITION] @ OFFSET".
    const QRegularExpression re(QStringLiteral("^%1 \\[(\\d+)\\] @ (\\d+)").arg(QRegularExpression::escape(topic)));
    QSet<QPair<int, qint64>> reported;
    int reportLines = 0;
    for (const QByteArray &line : r.out.split('\n')) {
        const auto m = re.match(QString::fromUtf8(line));
        if (!m.hasMatch())
            continue;
        ++reportLines;
        reported.insert({m.captured(1).toInt(), m.captured(2).toLongLong()});
    }
    QVERIFY2(reportLines == 50, qPrintable(QStringLiteral("%1 report lines\n").arg(reportLines) + explain(r)));
    QCOMPARE(reported.size(), 50);

    QString error;
    const auto consumed = consumeAll(m_boot, topic, 50, 30000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(consumed.size(), 50);
    const QList<RecordHeader> headers = {{QStringLiteral("a"), QByteArray("1")},
                                         {QStringLiteral("b"), QByteArray("2")}};
    QSet<QByteArray> values;
    for (const auto &c : consumed) {
        QVERIFY2(c.key == std::optional<QByteArray>(QByteArray("KEY")), qPrintable(describe(c)));
        QVERIFY2(c.headers == headers, qPrintable(describe(c)));
        QVERIFY2(c.value && lines.contains(*c.value), qPrintable(describe(c)));
        values.insert(*c.value);
        QVERIFY2(reported.contains({c.partition, c.offset}), qPrintable(describe(c)));
    }
    QCOMPARE(values.size(), 50);
    // One key: one partition, in stdin order.
    for (int i = 1; i < consumed.size(); ++i) {
        QCOMPARE(consumed[i].partition, consumed[0].partition);
        QCOMPARE(*consumed[i].value, lines[i]);
    }
}

void TstCli::countLimitStopsReading()
{
    // -c 7 with 20 lines on stdin: exactly the first 7 are produced.
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-count"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    QByteArray input;
    for (int i = 0; i < 20; ++i)
        input += "v" + QByteArray::number(i) + '\n';
    const Run r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                          QStringLiteral("-c"), QStringLiteral("7"), QStringLiteral("-X"),
                          QStringLiteral("max.in.flight.requests.per.connection=1")},
                         input);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(explain(r)));
    QVERIFY2(r.err.contains("7 delivered, 0 failed"), qPrintable(explain(r)));
    const auto consumed = consumeAll(m_boot, topic, 20, 5000);
    QCOMPARE(consumed.size(), 7);
    for (int i = 0; i < 7; ++i)
        QCOMPARE(consumed[i].value.value_or(QByteArray()), "v" + QByteArray::number(i));
    const Run bad = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                            QStringLiteral("-c"), QStringLiteral("many")},
                           {});
    QVERIFY2(bad.finished && bad.exitCode == 2 && bad.err.contains("-c: 'many'"), qPrintable(explain(bad)));
}

void TstCli::missingTopicFails()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-missing"));
    const Run r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic},
                         QByteArray("one line\n"), 120000);
    QVERIFY2(r.finished, qPrintable(QStringLiteral("did not finish in 120 s\n") + explain(r)));
    QVERIFY2(r.exitStatus == QProcess::NormalExit, qPrintable(explain(r)));
    QVERIFY2(r.exitCode != 0, qPrintable(explain(r)));
    QVERIFY2(r.err.contains("UNKNOWN_TOPIC_OR_PARTITION"), qPrintable(explain(r)));
    QVERIFY2(r.err.contains(topic.toUtf8()), qPrintable(explain(r)));
}

void TstCli::keySeparatorHeadersCodecPartition()
{
    const QString topic = uniqueTopic(QStringLiteral("kpw-cli-k"));
    KPW_CREATE_TOPIC(m_boot, topic, 3);
    const QByteArray input = "k1:v1\nk2:v:2\n:empty key\n";
    const Run r = runCli({QStringLiteral("produce"),
                          QStringLiteral("-b"),
                          m_boot,
                          QStringLiteral("-t"),
                          topic,
                          QStringLiteral("-K"),
                          QStringLiteral(":"),
                          QStringLiteral("-p"),
                          QStringLiteral("2"),
                          QStringLiteral("-z"),
                          QStringLiteral("lz4"),
                          QStringLiteral("-H"),
                          QStringLiteral("dup=1"),
                          QStringLiteral("-H"),
                          QStringLiteral("nul"),
                          QStringLiteral("-H"),
                          QStringLiteral("dup=2"),
                          QStringLiteral("-X"),
                          QStringLiteral("linger.ms=1"),
                          QStringLiteral("-X"),
                          QStringLiteral("max.in.flight.requests.per.connection=1")},
                         input);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(explain(r)));
    QCOMPARE(r.out.count(QByteArray(topic.toUtf8() + " [2] @ ")), 3);

    QString error;
    const auto consumed = consumeAll(m_boot, topic, 3, 30000, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(consumed.size(), 3);
    const QList<RecordHeader> headers = {{QStringLiteral("dup"), QByteArray("1")},
                                         {QStringLiteral("nul"), std::nullopt},
                                         {QStringLiteral("dup"), QByteArray("2")}};
    const QList<std::pair<QByteArray, QByteArray>> expected = {
        {"k1", "v1"}, {"k2", "v:2"}, {"", "empty key"}}; // split at the first separator
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(consumed[i].partition, 2);
        QVERIFY2(consumed[i].key == std::optional<QByteArray>(expected[i].first), qPrintable(describe(consumed[i])));
        QVERIFY2(consumed[i].value == std::optional<QByteArray>(expected[i].second), qPrintable(describe(consumed[i])));
        QVERIFY2(consumed[i].headers == headers, qPrintable(describe(consumed[i])));
        QVERIFY2(!consumed[i].headers[1].value.has_value(), qPrintable(describe(consumed[i])));
    }
}

void TstCli::badSettingFails()
{
    const Run r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"),
                          QStringLiteral("whatever"), QStringLiteral("-X"), QStringLiteral("linger.ms=soon")},
                         QByteArray("x\n"), 30000);
    QVERIFY2(r.finished && r.exitStatus == QProcess::NormalExit, qPrintable(explain(r)));
    QVERIFY2(r.exitCode != 0, qPrintable(explain(r)));
    QVERIFY2(r.err.contains("linger.ms"), qPrintable(explain(r)));

    const Run z = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"),
                          QStringLiteral("whatever"), QStringLiteral("-z"), QStringLiteral("lzma")},
                         QByteArray("x\n"), 30000);
    QVERIFY2(z.finished && z.exitStatus == QProcess::NormalExit && z.exitCode != 0, qPrintable(explain(z)));
}

void TstCli::unreachableBrokerFails()
{
    QElapsedTimer timer;
    timer.start();
    const Run r =
        runCli({QStringLiteral("produce"), QStringLiteral("-b"), QStringLiteral("127.0.0.1:1"), QStringLiteral("-t"),
                QStringLiteral("t"), QStringLiteral("-X"), QStringLiteral("socket.connection.setup.timeout.ms=2000")},
               QByteArray("x\n"), 60000);
    QVERIFY2(r.finished, qPrintable(QStringLiteral("hung\n") + explain(r)));
    QVERIFY2(r.exitStatus == QProcess::NormalExit && r.exitCode != 0, qPrintable(explain(r)));
    QVERIFY2(!r.err.isEmpty(), qPrintable(explain(r)));
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
