// The replay panel in the real window: preview, a paced run against the
// broker, pause / resume / cancel, the summary (checked against what
// librdkafka reads back) and an offscreen screenshot mid-run.

#include "RdkConsumer.h"
#include "TestBroker.h"
#include "ui/MainWindow.h"
#include "ui/ReplayPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

namespace {

template <typename T> T *child(QWidget &parent, const char *name)
{
    return parent.findChild<T *>(QString::fromLatin1(name));
}

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

} // namespace

class TstReplayPanel final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void previewRunPauseCancel()
    {
        KPW_REQUIRE_BOOTSTRAP(boot);
        const QString topic = uniqueTopic(QStringLiteral("replay-gui"));
        KPW_CREATE_TOPIC(boot, topic, 3);
        const int n = 6000;
        QByteArray data;
        for (int i = 1; i <= n; ++i) {
            data += "{\"key\":\"order-" + QByteArray::number(i % 40) + "\",\"value\":{\"n\":" + QByteArray::number(i) +
                    ",\"item\":\"widget\"},\"headers\":[\"source\",\"replay\",\"trace\",\"t" + QByteArray::number(i) +
                    "\"]}\n";
            if (i == 3)
                data += "{broken\n";
        }
        const QString path = m_dir.filePath(QStringLiteral("orders.jsonl"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(data);
        }

        MainWindow window(boot);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *tabs = child<QTabWidget>(window, "composerTabs");
        ReplayPanel *panel = window.replayPanel();
        QVERIFY(tabs && panel);
        tabs->setCurrentWidget(panel);
        child<QLineEdit>(window, "bootstrapEdit")->setText(boot);

        panel->setInputs({path});
        panel->setTopic(topic);
        auto *preview = child<QTableWidget>(*panel, "replayPreview");
        QVERIFY(preview);
        // 20 entries: 19 records and the bad line 4 in its place.
        QCOMPARE(preview->rowCount(), 20);
        QCOMPARE(preview->item(0, 0)->text(), QStringLiteral("orders.jsonl:1"));
        QCOMPARE(preview->item(0, 1)->text(), QStringLiteral("order-1"));
        QCOMPARE(preview->item(0, 2)->text(), QStringLiteral("{\"item\":\"widget\",\"n\":1}"));
        QCOMPARE(preview->item(0, 3)->text(), QStringLiteral("source=replay, trace=t1"));
        QVERIFY2(preview->item(3, 2)->text().startsWith(QStringLiteral("error:")),
                 qPrintable(preview->item(3, 2)->text()));
        QCOMPARE(preview->item(3, 0)->text(), QStringLiteral("orders.jsonl:4"));
        QCOMPARE(child<QLabel>(*panel, "replayDetected")->text(), QStringLiteral("(detected: jsonl)"));

        // A paced run: 1500 records/s, so there is time to pause and cancel.
        auto *mode = child<QComboBox>(*panel, "replayRateMode");
        mode->setCurrentIndex(1);
        child<QDoubleSpinBox>(*panel, "replayRate")->setValue(1500);
        QTest::mouseClick(child<QPushButton>(*panel, "replayStart"), Qt::LeftButton);
        QVERIFY(panel->job());
        QTRY_VERIFY_WITH_TIMEOUT(panel->job()->progress().acked >= 1000, 60000);

        auto *pause = child<QPushButton>(*panel, "replayPause");
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), QStringLiteral("Resume"));
        QTest::qWait(500); // what was in flight lands
        const quint64 sentWhilePaused = panel->job()->progress().sent;
        QTest::qWait(700);
        QCOMPARE(panel->job()->progress().sent, sentWhilePaused);
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), QStringLiteral("Pause"));
        QTRY_VERIFY_WITH_TIMEOUT(panel->job()->progress().sent > sentWhilePaused + 300, 30000);

        // The screenshot: the panel during a run, in the real window.
        QTest::qWait(300);
        const QString dir = screenshotDir();
        QDir().mkpath(dir);
        const QString shot = dir + QStringLiteral("/replay-panel.png");
        QVERIFY2(window.grab().save(shot), qPrintable(shot));
        qInfo("screenshot: %s", qPrintable(shot));
        auto *progress = child<QProgressBar>(*panel, "replayProgress");
        QVERIFY(progress->value() > 0 && progress->value() < 1000);

        QTest::mouseClick(child<QPushButton>(*panel, "replayCancel"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->job()->isRunning(), 60000);
        const ReplaySummary s = panel->lastSummary();
        QCOMPARE(s.outcome, ReplaySummary::Outcome::Cancelled);
        QCOMPARE(s.parseErrors, quint64(1));
        QCOMPARE(s.failed, quint64(0));
        QVERIFY(s.acked > 1000 && s.acked < quint64(n));
        QVERIFY(s.firstNotSent.has_value());
        // Lines 1..k were sent (line 4 is the bad one), the next is not.
        QCOMPARE(s.lastSent->line, s.acked + 1);
        QCOMPARE(s.firstNotSent->line, s.acked + 2);
        const QString summaryText = child<QPlainTextEdit>(*panel, "replaySummary")->toPlainText();
        QVERIFY2(summaryText.contains(QStringLiteral("replay cancelled")), qPrintable(summaryText));
        QVERIFY2(summaryText.contains(QStringLiteral("orders.jsonl:4: PARSE_ERROR")), qPrintable(summaryText));
        const QString shotDone = dir + QStringLiteral("/replay-panel-summary.png");
        QVERIFY(window.grab().save(shotDone));

        const QString json = m_dir.filePath(QStringLiteral("summary.json"));
        QVERIFY(panel->exportSummary(json, false));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(o.value(QStringLiteral("acked")).toInteger(), qint64(s.acked));
        QCOMPARE(o.value(QStringLiteral("outcome")).toString(), QStringLiteral("cancelled"));

        // The log holds exactly what the summary says.
        const auto got = consumeAll(boot, topic, int(s.acked) + 1, 8000);
        QCOMPARE(quint64(got.size()), s.acked);
        QSet<int> ns;
        for (const auto &r : got)
            ns.insert(QJsonDocument::fromJson(*r.value).object().value(QStringLiteral("n")).toInt());
        QCOMPARE(quint64(ns.size()), s.acked);
        for (int i = 1; i <= int(s.acked); ++i)
            QVERIFY2(ns.contains(i), qPrintable(QString::number(i)));
    }
};

QTEST_MAIN(TstReplayPanel)
#include "tst_replaypanel.moc"
