// kpw-cli txn and kpw-cli produce --inject end to end, counted by librdkafka:
// committed transactions visible to read_committed and aborted ones not;
// offsets sent in a transaction; a second process with the same
// transactional.id fences the first, which exits 1 saying so; a lost ack
// deduplicated with idempotence and duplicated without.
#include "RdkConsumer.h"
#include "TestBroker.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace kpw::test;

namespace {

const QString kCli = QStringLiteral(KPW_CLI_PATH);

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 90000)
{
    QProcess p;
    p.start(kCli, args);
    Run r;
    if (!p.waitForStarted(10000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = "did not finish: ";
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err += p.readAllStandardError();
    return r;
}

QString explain(const Run &r)
{
    return QStringLiteral("exit %1\n--- stdout ---\n%2\n--- stderr ---\n%3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out.right(3000)), QString::fromUtf8(r.err.right(3000)));
}

QStringList values(const QList<ConsumedRecord> &records)
{
    QStringList out;
    for (const auto &r : records)
        out.append(QString::fromUtf8(r.value.value_or(QByteArray())));
    out.sort();
    return out;
}

} // namespace

class TstCliTxn final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void usageErrors();
    void commitsAndAborts();
    void sendOffsets();
    void secondProcessFencesTheFirst();
    void lostAckWithAndWithoutIdempotence();

private:
    QString m_boot;
};

void TstCliTxn::initTestCase()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    m_boot = boot;
}

void TstCliTxn::usageErrors()
{
    Run r = runCli({QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), QStringLiteral("x")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--transactional-id"), qPrintable(explain(r)));
    r = runCli({QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), QStringLiteral("x"),
                QStringLiteral("--transactional-id"), QStringLiteral("t"), QStringLiteral("--send-offsets"),
                QStringLiteral("group:topic:zero:1")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("GROUP:TOPIC:PARTITION:OFFSET"), qPrintable(explain(r)));
    r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), QStringLiteral("x"),
                QStringLiteral("--inject"), QStringLiteral("lost-everything")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("lost-ack[:N]"), qPrintable(explain(r)));
    // Both keys of a conflict are named.
    r = runCli({QStringLiteral("produce"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), QStringLiteral("x"),
                QStringLiteral("-X"), QStringLiteral("enable.idempotence=true"), QStringLiteral("-X"),
                QStringLiteral("acks=1")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("enable.idempotence") && r.err.contains("acks=1"), qPrintable(explain(r)));
}

void TstCliTxn::commitsAndAborts()
{
    const QString topic = uniqueTopic(QStringLiteral("cli-txn"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    const Run r =
        runCli({QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                QStringLiteral("--transactional-id"), uniqueTopic(QStringLiteral("cli-tid")),
                QStringLiteral("--transactions"), QStringLiteral("4"), QStringLiteral("--records-per-transaction"),
                QStringLiteral("5"), QStringLiteral("--abort-every"), QStringLiteral("2")});
    QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
    QVERIFY2(r.out.contains("transaction 2: aborted 5 record(s)"), qPrintable(explain(r)));
    QVERIFY2(r.out.contains("4 transaction(s): 2 committed, 2 aborted"), qPrintable(explain(r)));
    QVERIFY2(r.out.contains("state IN_TRANSACTION"), qPrintable(explain(r)));

    QStringList want;
    for (int t : {1, 3})
        for (int j = 1; j <= 5; ++j)
            want.append(QStringLiteral("txn-%1-rec-%2").arg(t).arg(j));
    want.sort();
    QString error;
    consumeAll(m_boot, topic, 10, 20000, QStringLiteral("read_committed"), &error);
    const auto settled = consumeAll(m_boot, topic, 1000, 2000, QStringLiteral("read_committed"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(values(settled), want);
}

void TstCliTxn::sendOffsets()
{
    const QString topic = uniqueTopic(QStringLiteral("cli-txn-off"));
    const QString input = uniqueTopic(QStringLiteral("cli-txn-in"));
    const QString group = uniqueTopic(QStringLiteral("cli-group"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    KPW_CREATE_TOPIC(m_boot, input, 1);
    const Run r = runCli({QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                          QStringLiteral("--transactional-id"), uniqueTopic(QStringLiteral("cli-tid")),
                          QStringLiteral("--send-offsets"), QStringLiteral("%1:%2:0:17").arg(group, input)});
    QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
    QString error;
    const auto offset = committedOffset(m_boot, group, input, 0, &error);
    QVERIFY2(offset.has_value(), qPrintable(error));
    QCOMPARE(*offset, std::int64_t(17));
}

void TstCliTxn::secondProcessFencesTheFirst()
{
    const QString topic = uniqueTopic(QStringLiteral("cli-fence"));
    KPW_CREATE_TOPIC(m_boot, topic, 1);
    const QString tid = uniqueTopic(QStringLiteral("cli-fence-tid"));
    QProcess first;
    first.start(kCli, {QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                       QStringLiteral("--transactional-id"), tid, QStringLiteral("--transactions"),
                       QStringLiteral("100000"), QStringLiteral("--records-per-transaction"), QStringLiteral("20")});
    QVERIFY(first.waitForStarted(10000));
    QByteArray firstOut;
    QDeadlineTimer deadline(60000);
    while (!firstOut.contains("transaction 3:") && !deadline.hasExpired() && first.state() == QProcess::Running) {
        first.waitForReadyRead(200);
        firstOut += first.readAllStandardOutput();
    }
    QVERIFY2(firstOut.contains("transaction 3:"), firstOut.constData());

    const Run second = runCli({QStringLiteral("txn"), QStringLiteral("-b"), m_boot, QStringLiteral("-t"), topic,
                               QStringLiteral("--transactional-id"), tid, QStringLiteral("--records-per-transaction"),
                               QStringLiteral("3")});
    QVERIFY2(second.exitCode == 0, qPrintable(explain(second)));

    QVERIFY2(first.waitForFinished(60000), "the fenced process did not stop");
    firstOut += first.readAllStandardOutput();
    const QByteArray firstErr = first.readAllStandardError();
    const QString both = QString::fromUtf8(firstOut.right(2000) + "\n--- stderr ---\n" + firstErr.right(2000));
    QCOMPARE(first.exitCode(), 1);
    QVERIFY2(firstOut.contains("FATAL_ERROR"), qPrintable(both));
    QVERIFY2(firstOut.contains("fenced") || firstErr.contains("fenced"), qPrintable(both));
    QVERIFY2(firstErr.contains("PRODUCER_FENCED") || firstErr.contains("INVALID_PRODUCER_EPOCH") ||
                 firstErr.contains("INVALID_TXN_STATE"),
             qPrintable(both));
    // Every transaction the first process reported committed is whole in
    // the log; its last, fenced one is not there at all.
    const int committed = static_cast<int>(firstOut.count(" committed 20 record(s)"));
    QString error;
    consumeAll(m_boot, topic, committed * 20 + 3, 20000, QStringLiteral("read_committed"), &error);
    const auto settled = consumeAll(m_boot, topic, 100000, 2000, QStringLiteral("read_committed"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(settled.size(), committed * 20 + 3);
}

void TstCliTxn::lostAckWithAndWithoutIdempotence()
{
    QByteArray lines;
    for (int i = 1; i <= 10; ++i)
        lines += "line-" + QByteArray::number(i) + "\n";
    for (const bool idempotent : {true, false}) {
        const QString topic = uniqueTopic(idempotent ? QStringLiteral("cli-lost-idem") : QStringLiteral("cli-lost"));
        KPW_CREATE_TOPIC(m_boot, topic, 1);
        QStringList args{QStringLiteral("produce"),  QStringLiteral("-b"),        m_boot, QStringLiteral("-t"), topic,
                         QStringLiteral("--inject"), QStringLiteral("lost-ack:1")};
        if (!idempotent)
            args << QStringLiteral("-X") << QStringLiteral("enable.idempotence=false");
        const Run r = runCli(args, lines);
        QVERIFY2(r.exitCode == 0, qPrintable(explain(r)));
        QVERIFY2(r.err.contains("lost ack"), qPrintable(explain(r))); // the fault fired and was logged
        QString error;
        consumeAll(m_boot, topic, 10, 20000, QStringLiteral("read_uncommitted"), &error);
        const auto settled = consumeAll(m_boot, topic, 1000, 2000, QStringLiteral("read_uncommitted"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        if (idempotent)
            QCOMPARE(settled.size(), 10); // the retry was recognised: nothing twice
        else
            QVERIFY2(settled.size() > 10,
                     qPrintable(QStringLiteral("%1 records: no duplicate without idempotence?").arg(settled.size())));
    }
}

QTEST_GUILESS_MAIN(TstCliTxn)
#include "tst_cli_txn.moc"
