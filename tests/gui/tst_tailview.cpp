// The two tails in a real (offscreen) window against the broker: committed
// and aborted transactions written by librdkafka; the read_committed table
// must hold exactly the committed records, the read_uncommitted table all of
// them with the aborted ones marked, both the markers. Saves a screenshot.

#include "RdkTxnProducer.h"
#include "TestBroker.h"
#include "ui/TailModel.h"
#include "ui/TailView.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

QStringList column(const TailModel *m, int col, const QString &kind = QString())
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        if (kind.isEmpty() || m->index(r, 0).data(TailModel::KindRole).toString() == kind)
            out.append(m->index(r, col).data().toString());
    return out;
}

} // namespace

class TstTailView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { failOnCrossThreadTimers(); }
    void modelMarksAbortedRowsAndGaps();
    void twoTailsSideBySide();
};

void TstTailView::modelMarksAbortedRowsAndGaps()
{
    TailModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TailBatch b;
    const auto rec = [](int p, qint64 o, qint64 pid, bool txn, const char *v) {
        TailRecord r;
        r.partition = p;
        r.offset = o;
        r.producerId = pid;
        r.isTransactional = txn;
        r.value = QByteArray(v);
        return r;
    };
    b.records = {rec(0, 0, 5, true, "a"), rec(0, 1, 6, true, "b"), rec(0, 2, -1, false, "plain")};
    m.append(b);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.index(0, TailModel::TransactionalColumn).data().toString(), QStringLiteral("open"));
    TailBatch b2;
    ControlMarker abort;
    abort.partition = 0;
    abort.offset = 3;
    abort.producerId = 5;
    abort.type = ControlMarker::Type::Abort;
    ControlMarker commit = abort;
    commit.offset = 6;
    commit.producerId = 6;
    commit.type = ControlMarker::Type::Commit;
    b2.markers = {abort, commit};
    b2.records = {rec(0, 5, -1, false, "after gap")};
    m.append(b2);
    QCOMPARE(m.rowCount(), 6);
    QCOMPARE(m.abortedCount(), 1);
    QCOMPARE(m.index(0, 0).data(TailModel::KindRole).toString(), QStringLiteral("aborted"));
    QCOMPARE(m.index(1, TailModel::TransactionalColumn).data().toString(), QStringLiteral("committed"));
    QCOMPARE(m.index(3, 0).data(TailModel::KindRole).toString(), QStringLiteral("abort-marker"));
    // Offset 4 is missing before 5: a gap of one, said in the cell.
    QCOMPARE(m.index(4, 0).data(TailModel::GapRole).toLongLong(), 1);
    QCOMPARE(m.index(4, TailModel::OffsetColumn).data().toString(), QStringLiteral("+1 gap  5"));
    QCOMPARE(m.index(5, 0).data(TailModel::KindRole).toString(), QStringLiteral("commit-marker"));
    m.clear();
    QCOMPARE(m.rowCount(), 0);
}

void TstTailView::twoTailsSideBySide()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = uniqueTopic(QStringLiteral("kpw-tailview"));
    KPW_CREATE_TOPIC(boot, topic, 2);
    QStringList committed;
    QStringList aborted;
    {
        RdkTxnProducer plain(boot, QString());
        RdkTxnProducer txn(boot, QStringLiteral("%1-txn").arg(topic));
        QVERIFY2(txn.ok() && plain.ok(), qPrintable(txn.error() + plain.error()));
        const auto put = [&](RdkTxnProducer &p, int partition, const QString &key, const QString &value, bool ok) {
            (ok ? committed : aborted).append(value);
            return p.send(topic, partition, key.toUtf8(), value.toUtf8()) && p.flush();
        };
        QVERIFY(put(plain, 0, QStringLiteral("order-1"), QStringLiteral("{\"status\":\"created\"}"), true));
        for (int t = 0; t < 4; ++t) {
            const bool commit = t % 2 == 0;
            QVERIFY2(txn.begin(), qPrintable(txn.error()));
            for (int i = 0; i < 3; ++i)
                QVERIFY2(put(txn, i % 2, QStringLiteral("order-%1").arg(10 * t + i),
                             QStringLiteral("{\"txn\":%1,\"n\":%2,\"outcome\":\"%3\"}")
                                 .arg(t)
                                 .arg(i)
                                 .arg(commit ? QStringLiteral("commit") : QStringLiteral("abort")),
                             commit),
                         qPrintable(txn.error()));
            QVERIFY2(commit ? txn.commit() : txn.abort(), qPrintable(txn.error()));
        }
        QVERIFY(put(plain, 1, QStringLiteral("order-2"), QStringLiteral("{\"status\":\"shipped\"}"), true));
    }

    TailView view;
    view.resize(1400, 560);
    view.setBootstrap(boot);
    view.setTopic(topic);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *button = view.findChild<QPushButton *>(QStringLiteral("tailStartButton"));
    QVERIFY(button && button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(view.isRunning());

    // 4 transactions, each touching both partitions: 8 markers on both sides.
    TailModel *left = view.committedModel();
    TailModel *right = view.uncommittedModel();
    QTRY_COMPARE_WITH_TIMEOUT(right->recordCount(), committed.size() + aborted.size(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(right->markerCount(), 8, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(left->recordCount(), committed.size(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(left->markerCount(), 8, 30000);
    QCOMPARE(right->abortedCount(), aborted.size());

    QStringList leftValues = column(left, TailModel::ValueColumn, QStringLiteral("record"));
    leftValues.sort();
    committed.sort();
    QCOMPARE(leftValues, committed);
    QStringList rightAborted = column(right, TailModel::ValueColumn, QStringLiteral("aborted"));
    rightAborted.sort();
    aborted.sort();
    QCOMPARE(rightAborted, aborted);
    QCOMPARE(left->abortedCount(), 0);
    // The left side skips the aborted offsets: its gaps add up to them.
    qint64 gaps = 0;
    for (int r = 0; r < left->rowCount(); ++r)
        gaps += left->index(r, 0).data(TailModel::GapRole).toLongLong();
    QCOMPARE(gaps, aborted.size());

    // Let the titles catch up, then the picture.
    auto *title = view.findChild<QLabel *>(QStringLiteral("tailTitle_read_committed"));
    QVERIFY(title);
    QTRY_VERIFY_WITH_TIMEOUT(title->text().contains(QStringLiteral("caught up")), 10000);
    QTest::qWait(200);
    QDir().mkpath(screenshotDir());
    const QString path = screenshotDir() + QStringLiteral("/tailview.png");
    QVERIFY2(view.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));

    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!view.isRunning());
}

QTEST_MAIN(TstTailView)
#include "tst_tailview.moc"
