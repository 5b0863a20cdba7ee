// kpw-cli replay end to end: exit codes, messages naming FILE:LINE, the
// summary files, and memory that stays flat on a file far larger than the
// producer's buffer.

#include "RdkConsumer.h"
#include "TestBroker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

using namespace kpw::test;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;
};

Run runCli(const QStringList &args, const QByteArray &stdinData = {}, int timeoutMs = 300000)
{
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(kCli, args);
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.exitCode = -2;
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    }
    r.ms = t.elapsed();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString explain(const Run &r)
{
    return QStringLiteral("exit %1\n--- stdout ---\n%2\n--- stderr ---\n%3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out.left(3000)), QString::fromUtf8(r.err.left(3000)));
}

// Peak resident set of the largest child waited for so far, in bytes.
qint64 childrenPeakRss()
{
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<qint64>(u.ru_maxrss) * 1024;
}

} // namespace

class TstReplayCli final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(f.fileName()));
        return f.fileName();
    }

private Q_SLOTS:
    void usageErrors()
    {
        for (const QStringList &args :
             {QStringList{QStringLiteral("replay"), QStringLiteral("--format"), QStringLiteral("xml"),
                          QStringLiteral("--dry-run")},
              QStringList{QStringLiteral("replay"), QStringLiteral("-t"), QStringLiteral("x"), QStringLiteral("f")},
              QStringList{QStringLiteral("replay"), QStringLiteral("--dry-run"), QStringLiteral("--rate"),
                          QStringLiteral("fast")},
              QStringList{QStringLiteral("replay"), QStringLiteral("--dry-run"), QStringLiteral("--on-parse-error"),
                          QStringLiteral("ignore")}}) {
            const Run r = runCli(args);
            QVERIFY2(r.exitCode == 2, qPrintable(args.join(QLatin1Char(' ')) + QLatin1Char('\n') + explain(r)));
            QVERIFY(r.err.startsWith("kpw-cli: "));
        }
    }

    void dryRunNamesFileAndLine()
    {
        const QString good = write(QStringLiteral("good.jsonl"), "{\"value\":\"a\"}\n{\"value\":\"b\"}\n");
        const QString bad = write(QStringLiteral("bad.jsonl"), "{\"value\":\"a\"}\n{\"value\":\n{\"value\":\"c\"}\n");
        Run r = runCli({QStringLiteral("replay"), QStringLiteral("--dry-run"), good});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("2 valid"), qPrintable(explain(r)));
        const QString json = m_dir.filePath(QStringLiteral("s.json"));
        const QString csv = m_dir.filePath(QStringLiteral("s.csv"));
        r = runCli({QStringLiteral("replay"), QStringLiteral("--dry-run"), good, bad, QStringLiteral("--summary-json"),
                    json, QStringLiteral("--summary-csv"), csv});
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains(bad.toUtf8() + ":2: PARSE_ERROR"), qPrintable(explain(r)));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject s = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(s.value(QStringLiteral("read")).toInt(), 4);
        QCOMPARE(s.value(QStringLiteral("validated")).toInt(), 4);
        QCOMPARE(s.value(QStringLiteral("parse_errors")).toInt(), 1);
        QCOMPARE(s.value(QStringLiteral("failures")).toArray().at(0).toObject().value(QStringLiteral("line")).toInt(),
                 2);
        QFile cf(csv);
        QVERIFY(cf.open(QIODevice::ReadOnly));
        const QByteArray csvText = cf.readAll();
        QVERIFY2(csvText.startsWith("kind,file,line,"), csvText.constData());
        QVERIFY2(csvText.contains("failure," + bad.toUtf8() + ",2,1,"), csvText.constData());

        // Stop at the first bad line: what follows is not even read.
        r = runCli({QStringLiteral("replay"), QStringLiteral("--dry-run"), QStringLiteral("--on-parse-error"),
                    QStringLiteral("stop"), bad, good});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("stopped_on_parse_error") && r.err.contains("1 records read"), qPrintable(explain(r)));
    }

    void previewShowsFirstRecords()
    {
        QByteArray lines;
        for (int i = 1; i <= 30; ++i)
            lines += "key" + QByteArray::number(i) + "=v" + QByteArray::number(i) + "\n";
        const Run r = runCli({QStringLiteral("replay"), QStringLiteral("--preview"), QStringLiteral("-K"),
                              QStringLiteral("="), QStringLiteral("-")},
                             lines);
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY(r.out.startsWith("format: lines\n"));
        QCOMPARE(r.out.count('\n'), 21);
        QVERIFY2(r.out.contains("#20 <stdin>:20 key=\"key20\" value=\"v20\""), r.out.constData());
        QVERIFY(!r.out.contains("#21"));
    }

    void replayToBrokerAndExitCodes()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-cli"));
        KPW_CREATE_TOPIC(boot, topic, 2);
        const QString csv = write(QStringLiteral("r.csv"), "key,value,source\nk1,v1,a\nk2,\"v,2\",b\nk3,v3\n");
        const QString json = m_dir.filePath(QStringLiteral("r.json"));
        Run r = runCli({QStringLiteral("replay"), QStringLiteral("-b"), boot, QStringLiteral("-t"), topic, csv,
                        QStringLiteral("--summary"), json, QStringLiteral("-X"), QStringLiteral("linger.ms=1")});
        // One CSV line has too few fields: exit 1 though the rest landed.
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains(csv.toUtf8() + ":4: PARSE_ERROR: CSV: 2 fields"), qPrintable(explain(r)));
        QVERIFY2(r.err.contains("2 acknowledged"), qPrintable(explain(r)));
        const auto got = consumeAll(boot, topic, 2, 30000);
        QCOMPARE(got.size(), 2);

        const QString clean = write(QStringLiteral("clean.txt"), "a\nb\nc\n");
        r = runCli({QStringLiteral("replay"), QStringLiteral("-b"), boot, QStringLiteral("-t"), topic, clean});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("replay completed: 3 read, 3 sent, 3 acknowledged, 0 failed"), qPrintable(explain(r)));

        const QString nosuch = uniqueTopic(QStringLiteral("replay-cli-nosuch"));
        r = runCli({QStringLiteral("replay"), QStringLiteral("-b"), boot, QStringLiteral("-t"), nosuch, clean});
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
        QVERIFY2(r.err.contains(clean.toUtf8() + ":3: UNKNOWN_TOPIC_OR_PARTITION"), qPrintable(explain(r)));

        r = runCli({QStringLiteral("replay"), QStringLiteral("-b"), QStringLiteral("127.0.0.1:1"), QStringLiteral("-t"),
                    topic, clean, QStringLiteral("-X"), QStringLiteral("max.block.ms=2000"), QStringLiteral("-X"),
                    QStringLiteral("delivery.timeout.ms=3000"), QStringLiteral("-X"),
                    QStringLiteral("request.timeout.ms=1000")},
                   {}, 60000);
        QVERIFY2(r.exitCode == 1, qPrintable(explain(r)));
    }

    // A file ~10x the producer's buffer.memory streams through with peak RSS
    // far below its size, both parsed (dry run) and sent to the broker.
    void memoryStaysFlat()
    {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("peak RSS measures AddressSanitizer's shadow and quarantine, not kpw-cli");
#endif
        KPW_REQUIRE_BOOTSTRAP(boot);
        const qint64 targetBytes = qEnvironmentVariableIntValue("KPW_REPLAY_BIG_MB") > 0
                                       ? qint64(qEnvironmentVariableIntValue("KPW_REPLAY_BIG_MB")) << 20
                                       : qint64(320) << 20;
        const QString path = m_dir.filePath(QStringLiteral("big.txt"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray line(1023, 'x');
            line += '\n';
            QByteArray block;
            for (int i = 0; i < 1024; ++i)
                block += line;
            for (qint64 written = 0; written < targetBytes; written += block.size())
                QCOMPARE(f.write(block), block.size());
        }
        const qint64 records = targetBytes / 1024;
        Run r = runCli({QStringLiteral("replay"), QStringLiteral("--dry-run"), path});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        const qint64 dryRss = childrenPeakRss();
        qInfo("dry run of %lld MB: %lld ms, peak RSS of the children so far %lld MB", targetBytes >> 20, r.ms,
              dryRss >> 20);
        QVERIFY2(dryRss < targetBytes / 4, qPrintable(QString::number(dryRss)));

        const QString topic = uniqueTopic(QStringLiteral("replay-big"));
        KPW_CREATE_TOPIC(boot, topic, 3);
        const QString json = m_dir.filePath(QStringLiteral("big.json"));
        r = runCli({QStringLiteral("replay"), QStringLiteral("-b"), boot, QStringLiteral("-t"), topic, path,
                    QStringLiteral("-X"), QStringLiteral("buffer.memory=33554432"), QStringLiteral("-z"),
                    QStringLiteral("lz4"), QStringLiteral("--summary-json"), json});
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        const qint64 sendRss = childrenPeakRss();
        qInfo("replay of %lld MB to the broker: %lld ms (%.0f records/s, %.1f MB/s), peak RSS %lld MB",
              targetBytes >> 20, r.ms, records * 1000.0 / r.ms, (targetBytes >> 20) * 1000.0 / r.ms, sendRss >> 20);
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(jf.readAll()).object().value(QStringLiteral("acked")).toInteger(), records);
        // buffer.memory (32 MiB) plus the window and the read buffer: well
        // under the file, whose size does not matter.
        QVERIFY2(sendRss < targetBytes / 2, qPrintable(QString::number(sendRss >> 20)));
        QFile::remove(path);
    }
};

QTEST_GUILESS_MAIN(TstReplayCli)
#include "tst_replay_cli.moc"
