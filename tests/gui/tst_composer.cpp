// The composer and the delivery table in the real window against the broker:
// headers and templates, N copies, the automatic mode, re-send and load of a
// table row, saved messages, the partition preview against Java's murmur2
// vectors, and the exported kpw-cli / kcat commands run in a shell, with
// everything read back by librdkafka (tests/support/RdkConsumer).
#include "RdkConsumer.h"
#include "TestBroker.h"

#include "replay/RecordSource.h"
#include "ui/DeliveryReportModel.h"
#include "ui/DeliveryReportView.h"
#include "ui/ElidedLabel.h"
#include "ui/MainWindow.h"
#include "ui/MessageEditor.h"
#include "ui/MessageLibrary.h"
#include "ui/RecordCommands.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>

using kpw::DeliveryReportModel;
using kpw::MainWindow;
using kpw::ProducerRecord;
using kpw::RecordHeader;
using kpw::test::ConsumedRecord;

namespace {

constexpr int kTimeoutMs = 20000;
const QString kCli = QStringLiteral(KPW_CLI_PATH);

bool connectWindow(MainWindow &window, const QString &boot)
{
    auto *bootstrapEdit = window.findChild<QLineEdit *>(QStringLiteral("bootstrapEdit"));
    auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    bootstrapEdit->setText(boot);
    window.connectToCluster();
    return QTest::qWaitFor([status] { return status->property("connected").toBool(); }, kTimeoutMs);
}

// Runs a command line in sh with kpw-cli on the PATH; returns its exit code.
int runShell(const QString &command, QString *output)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PATH"),
               QFileInfo(kCli).absolutePath() + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
    if (!process.waitForFinished(60000)) {
        process.kill();
        *output = QStringLiteral("timed out");
        return -1;
    }
    *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// Java's Utils.murmur2 vectors (PROTOCOL-NOTES.md, from apache/kafka's
// UtilsTest) and the partition the default partitioner picks from them.
int javaPartition(std::int32_t hash, int partitions)
{
    return int((std::uint32_t(hash) & 0x7fffffffu) % std::uint32_t(partitions));
}

bool sameRecord(const ConsumedRecord &got, const ProducerRecord &want)
{
    if (got.key != want.key || got.value != want.value || got.headers.size() != want.headers.size())
        return false;
    for (qsizetype i = 0; i < want.headers.size(); ++i)
        if (got.headers.at(i).key != want.headers.at(i).key || got.headers.at(i).value != want.headers.at(i).value)
            return false;
    return want.partition < 0 || got.partition == want.partition;
}

} // namespace

class TestComposer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void partitionPreviewMatchesJavaVectors();
    void elidedLabelShowsWhatFits();
    void composeHeadersTemplateSendNFilterExport();
    void resendAndLoadRows();
    void automaticModeStopsAtN();
    void savedMessagesRoundTrip();
    void exportedCommandsSendTheSameRecords();
};

void TestComposer::initTestCase()
{
    // Settings go to a throw-away test location, cleared before each test.
    QStandardPaths::setTestModeEnabled(true);
}

void TestComposer::init()
{
    QSettings().clear();
}

void TestComposer::partitionPreviewMatchesJavaVectors()
{
    kpw::MessageEditor editor;
    // The whole line (the label shows what fits, with an ellipsis).
    auto *preview = editor.findChild<kpw::ElidedLabel *>(QStringLiteral("partitionPreview"));
    QVERIFY(preview);
    QVERIFY(preview->fullText().contains(QStringLiteral("not known")));
    const QList<std::pair<QString, std::int32_t>> vectors{{QStringLiteral("21"), -973932308},
                                                          {QStringLiteral("foobar"), -790332482},
                                                          {QStringLiteral("a-little-bit-long-string"), -985981536},
                                                          {QStringLiteral("abc"), 479470107}};
    for (int partitions : {1, 3, 6, 7, 100}) {
        editor.setPartitionCount(partitions);
        for (const auto &[key, hash] : vectors) {
            editor.setKey(key); // updates as the key changes
            const QString expected =
                QStringLiteral("partition %1 with the Java default (murmur2)").arg(javaPartition(hash, partitions));
            QVERIFY2(preview->fullText().contains(expected),
                     qPrintable(QStringLiteral("%1 / %2: %3").arg(key).arg(partitions).arg(preview->fullText())));
        }
    }
    editor.setNullKey(true);
    QVERIFY2(preview->fullText().contains(QStringLiteral("sticky")), qPrintable(preview->fullText()));
}

// A path in a narrow column: cut in the middle with an ellipsis, whole in
// fullText() and the tooltip; whole again once there is room.
void TestComposer::elidedLabelShowsWhatFits()
{
    const QString path = QStringLiteral("/home/someone/projects/team-kafka/saved-messages/orders");
    kpw::ElidedLabel label;
    label.setFullText(path);
    label.resize(label.fontMetrics().horizontalAdvance(path) / 2, 24);
    label.show();
    QVERIFY(QTest::qWaitForWindowExposed(&label));
    QVERIFY2(label.text().contains(QChar(0x2026)), qPrintable(label.text()));
    QVERIFY2(label.text().startsWith(QStringLiteral("/home")) && label.text().endsWith(QStringLiteral("orders")),
             qPrintable(label.text()));
    QCOMPARE(label.fullText(), path);
    QCOMPARE(label.toolTip(), path);
    label.resize(label.fontMetrics().horizontalAdvance(path) + 40, 24);
    QTRY_COMPARE(label.text(), path);
}

void TestComposer::composeHeadersTemplateSendNFilterExport()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("composer-n"));
    KPW_CREATE_TOPIC(boot, topic, 3);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(connectWindow(window, boot));
    auto *editor = window.findChild<kpw::MessageEditor *>(QStringLiteral("messageEditor"));
    QVERIFY(editor);
    editor->setTopic(topic);
    QTRY_COMPARE_WITH_TIMEOUT(editor->partitionCount(), 3, kTimeoutMs);
    editor->setKey(QStringLiteral("order-{{seq}}"));
    editor->setValue(QStringLiteral("{\n  \"order\": {{seq}},\n  \"qty\": {{random.int(1,9)}}\n}"));
    editor->addHeader(QStringLiteral("trace"), QStringLiteral("{{uuid}}"));
    editor->addHeader(QStringLiteral("source"), QStringLiteral("composer"));
    editor->addHeader(QStringLiteral("source"), QStringLiteral("repeated"));
    editor->setCopies(25);
    QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);

    DeliveryReportModel *reports = window.reportModel();
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 25, kTimeoutMs);
    QCOMPARE(reports->failedCount(), quint64(0));
    QCOMPARE(reports->index(0, DeliveryReportModel::HeadersColumn).data().toString(), QStringLiteral("3"));

    QString error;
    const QList<ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 25, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 25, qPrintable(error));
    QSet<QByteArray> keys;
    QSet<QByteArray> traces;
    for (const ConsumedRecord &r : consumed) {
        QVERIFY(r.key);
        keys.insert(*r.key);
        const int seq = r.key->mid(6).toInt();
        const QJsonObject value = QJsonDocument::fromJson(r.value.value_or(QByteArray())).object();
        QCOMPARE(value.value(QStringLiteral("order")).toInt(), seq);
        const int qty = value.value(QStringLiteral("qty")).toInt();
        QVERIFY(qty >= 1 && qty <= 9);
        QCOMPARE(r.headers.size(), 3);
        QCOMPARE(r.headers.at(0).key, QStringLiteral("trace"));
        QVERIFY(!QUuid::fromString(QString::fromLatin1(r.headers.at(0).value.value_or(QByteArray()))).isNull());
        traces.insert(r.headers.at(0).value.value_or(QByteArray()));
        QCOMPARE(r.headers.at(2).value, std::optional<QByteArray>(QByteArrayLiteral("repeated")));
        // The key went where the preview (Java's murmur2) says.
        editor->setKey(QString::fromUtf8(*r.key));
        QVERIFY(editor->partitionPreview().contains(QStringLiteral("partition %1 ").arg(r.partition)));
    }
    QCOMPARE(keys.size(), 25);
    QVERIFY(keys.contains("order-1") && keys.contains("order-25"));
    QCOMPARE(traces.size(), 25);

    // Filter the table to partition 1 and export what it shows: the offsets
    // are those librdkafka read on partition 1.
    kpw::DeliveryReportView *panel = window.reportPanel();
    panel->findChild<QSpinBox *>(QStringLiteral("reportPartitionFilter"))->setValue(1);
    QSet<qint64> brokerOffsets;
    for (const ConsumedRecord &r : consumed)
        if (r.partition == 1)
            brokerOffsets.insert(r.offset);
    QCOMPARE(panel->table()->model()->rowCount(), int(brokerOffsets.size()));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("p1.jsonl"));
    QVERIFY(panel->exportTo(path, true));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QSet<qint64> exported;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value(QStringLiteral("partition")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("topic")).toString(), topic);
        QCOMPARE(o.value(QStringLiteral("headers")).toInt(), 3);
        exported.insert(o.value(QStringLiteral("offset")).toInteger());
    }
    QCOMPARE(exported, brokerOffsets);
}

void TestComposer::resendAndLoadRows()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("composer-resend"));
    KPW_CREATE_TOPIC(boot, topic, 2);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(connectWindow(window, boot));
    auto *editor = window.findChild<kpw::MessageEditor *>(QStringLiteral("messageEditor"));
    editor->setTopic(topic);
    QTRY_COMPARE_WITH_TIMEOUT(editor->partitionCount(), 2, kTimeoutMs);
    editor->setKey(QStringLiteral("k-{{seq}}"));
    editor->setValue(QStringLiteral("v-{{seq}}"));
    editor->addHeader(QStringLiteral("h"), QStringLiteral("x{{seq}}"));
    editor->setCopies(3);
    window.sendRecord();
    DeliveryReportModel *reports = window.reportModel();
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 3, kTimeoutMs);

    // Select the row of k-2 in the table and re-send it: the same bytes again.
    QTableView *table = window.reportPanel()->table();
    int row = -1;
    for (int r = 0; r < table->model()->rowCount(); ++r)
        if (table->model()->index(r, DeliveryReportModel::KeyColumn).data().toString() == QStringLiteral("k-2"))
            row = r;
    QVERIFY(row >= 0);
    table->selectRow(row);
    const QList<quint64> ids = window.reportPanel()->selectedIds();
    QCOMPARE(ids.size(), 1);
    Q_EMIT window.reportPanel()->resendRequested(ids); // what the context menu's Re-send does
    QTRY_COMPARE_WITH_TIMEOUT(reports->rowCount(), 4, kTimeoutMs);
    QCOMPARE(reports->index(3, DeliveryReportModel::KeyColumn).data().toString(), QStringLiteral("k-2"));
    QString error;
    const QList<ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 4, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 4, qPrintable(error));
    const ProducerRecord k2{topic,
                            -1,
                            QByteArrayLiteral("k-2"),
                            QByteArrayLiteral("v-2"),
                            {RecordHeader{QStringLiteral("h"), QByteArrayLiteral("x2")}},
                            std::nullopt};
    const auto copies =
        std::count_if(consumed.cbegin(), consumed.cend(), [&](const ConsumedRecord &r) { return sameRecord(r, k2); });
    QCOMPARE(copies, 2);

    // Load the row into the composer: the expanded record, ready to edit.
    editor->setKey(QStringLiteral("something else"));
    Q_EMIT window.reportPanel()->loadRequested(ids.constFirst());
    const kpw::Result<ProducerRecord> loaded = editor->record();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->key, k2.key);
    QCOMPARE(loaded->value, k2.value);
    QCOMPARE(loaded->headers, k2.headers);
    QCOMPARE(loaded->topic, topic);
}

void TestComposer::automaticModeStopsAtN()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("composer-auto"));
    KPW_CREATE_TOPIC(boot, topic, 1);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(connectWindow(window, boot));
    auto *editor = window.findChild<kpw::MessageEditor *>(QStringLiteral("messageEditor"));
    editor->setTopic(topic);
    editor->setKey(QStringLiteral("auto-{{seq}}"));
    editor->setValue(QStringLiteral("tick"));
    editor->setCopies(2); // two per tick; 7 in all: the last tick sends one
    editor->findChild<QSpinBox *>(QStringLiteral("autoIntervalSpin"))->setValue(30);
    editor->findChild<QSpinBox *>(QStringLiteral("autoRecordsSpin"))->setValue(7);
    auto *button = editor->findChild<QPushButton *>(QStringLiteral("autoButton"));
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(editor->autoRunning());
    QCOMPARE(button->text(), QStringLiteral("Stop"));
    QTRY_VERIFY_WITH_TIMEOUT(!editor->autoRunning(), kTimeoutMs);
    QCOMPARE(editor->autoSent(), 7);
    const QString progress = editor->findChild<QLabel *>(QStringLiteral("autoProgress"))->text();
    QVERIFY2(progress.startsWith(QStringLiteral("7 of 7 sent")), qPrintable(progress));
    QTRY_COMPARE_WITH_TIMEOUT(window.reportModel()->rowCount(), 7, kTimeoutMs);
    QString error;
    const QList<ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, 7, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QVERIFY2(consumed.size() == 7, qPrintable(error));
    for (int i = 0; i < 7; ++i) // one partition: the log's order is the send order
        QCOMPARE(consumed.at(i).key.value_or(QByteArray()), QByteArrayLiteral("auto-") + QByteArray::number(i + 1));

    // A duration stops it too; Stop stops it at once.
    editor->findChild<QSpinBox *>(QStringLiteral("autoRecordsSpin"))->setValue(0);
    editor->startAuto(20, 0, 300);
    QTRY_VERIFY_WITH_TIMEOUT(!editor->autoRunning(), 5000);
    QVERIFY(editor->autoSent() > 0);
    editor->startAuto(1000, 0, 0);
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(!editor->autoRunning());
}

void TestComposer::savedMessagesRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    kpw::MessageEditor editor;
    kpw::SentHistory history;
    kpw::MessageLibrary library(&editor, &history, [] { return QStringLiteral("localhost:9092"); });
    QVERIFY(library.folder().startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
    library.setFolder(dir.filePath(QStringLiteral("team/messages")));
    editor.setTopic(QStringLiteral("orders"));
    editor.setPartitionCount(4);
    editor.findChild<QSpinBox *>(QStringLiteral("partitionSpin"))->setValue(3);
    editor.setKey(QStringLiteral("c-7"));
    const QString value = QStringLiteral("{\n  \"id\": \"{{uuid}}\",\n  \"note\": \"caf\u00e9 'quoted'\"\n}");
    editor.setValue(value);
    editor.addHeader(QStringLiteral("a"), QStringLiteral("1"));
    editor.addHeader(QStringLiteral("a"), QStringLiteral("2"));
    const kpw::Result<QString> written = library.saveCurrent(QStringLiteral("order with/slash"));
    QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));
    QVERIFY(QFileInfo(*written).fileName() == QStringLiteral("order with_slash.json"));
    QCOMPARE(library.savedNames(), QStringList{QStringLiteral("order with_slash")});
    QCOMPARE(library.findChild<QListWidget *>(QStringLiteral("savedList"))->count(), 1);
    // A plain JSON file, readable by the replay reader as one JSONL record.
    QFile file(*written);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(o.value(QStringLiteral("topic")).toString(), QStringLiteral("orders"));
    QCOMPARE(o.value(QStringLiteral("value")).toString(), value);

    editor.setNullKey(true);
    editor.setTombstone(true);
    editor.clearHeaders();
    QVERIFY(library.loadSaved(QStringLiteral("order with_slash")).ok());
    const kpw::Result<ProducerRecord> loaded = editor.record();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->topic, QStringLiteral("orders"));
    QCOMPARE(loaded->partition, 3);
    QCOMPARE(loaded->key, std::optional<QByteArray>(QByteArrayLiteral("c-7")));
    QCOMPARE(loaded->value, std::optional<QByteArray>(value.toUtf8())); // the template, not expanded
    QCOMPARE(loaded->headers.size(), 2);
    QCOMPARE(loaded->headers.at(1).value, std::optional<QByteArray>(QByteArrayLiteral("2")));
    QVERIFY(library.removeSaved(QStringLiteral("order with_slash")));
    QVERIFY(library.savedNames().isEmpty());
    QVERIFY(!library.loadSaved(QStringLiteral("order with_slash")).ok());
}

void TestComposer::exportedCommandsSendTheSameRecords()
{
    KPW_REQUIRE_BOOTSTRAP(boot);
    const QString topic = kpw::test::uniqueTopic(QStringLiteral("composer-export"));
    KPW_CREATE_TOPIC(boot, topic, 3);
    const QList<ProducerRecord> records{
        // One line: kpw-cli produce.
        {topic,
         1,
         QByteArrayLiteral("it's a key"),
         QByteArrayLiteral("plain $HOME `x` \"q\""),
         {RecordHeader{QStringLiteral("trace"), QByteArrayLiteral("a=b")},
          RecordHeader{QStringLiteral("trace"), QByteArrayLiteral("second")}},
         std::nullopt},
        // Multi-line JSON: kpw-cli replay with a JSONL line; kcat with -D.
        {topic,
         2,
         QByteArrayLiteral("json"),
         QByteArrayLiteral("{\n  \"a\": 1,\n  \"b\": \"it's\"\n}"),
         {RecordHeader{QStringLiteral("content-type"), QByteArrayLiteral("application/json")}},
         std::nullopt},
        // A tombstone with a null key header: kpw-cli replay; kcat -Z.
        {topic, 0, QByteArrayLiteral("gone"), std::nullopt, {}, std::nullopt},
    };
    const QString jsonlPath = QDir::temp().filePath(QStringLiteral("kpw-composer-export.jsonl"));
    int expected = 0;
    for (const ProducerRecord &record : records) {
        QString output;
        const QString kpwLine = kpw::RecordCommands::kpwCli(boot, record);
        QVERIFY2(runShell(kpwLine, &output) == 0, qPrintable(kpwLine + QStringLiteral("\n") + output));
        ++expected;
        QString why;
        const QString kcatLine = kpw::RecordCommands::kcat(boot, record, &why);
        QVERIFY2(!kcatLine.isEmpty(), qPrintable(why));
        QVERIFY2(runShell(kcatLine, &output) == 0, qPrintable(kcatLine + QStringLiteral("\n") + output));
        ++expected;
        // The replay JSONL line reads back as the same record.
        ProducerRecord parsed;
        QString error;
        QVERIFY2(kpw::RecordSource::parseJsonLine(kpw::RecordCommands::replayJsonLine(record), true, &parsed, &error),
                 qPrintable(error));
        QCOMPARE(parsed.key, record.key);
        QCOMPARE(parsed.value, record.value);
        QCOMPARE(parsed.headers, record.headers);
        QCOMPARE(parsed.partition, record.partition);
    }
    QString error;
    const QList<ConsumedRecord> consumed =
        kpw::test::consumeAll(boot, topic, expected, kTimeoutMs, QStringLiteral("read_uncommitted"), &error);
    QString seen;
    for (const ConsumedRecord &r : consumed)
        seen += kpw::test::describe(r) + QLatin1Char('\n');
    QVERIFY2(consumed.size() == expected, qPrintable(error + QStringLiteral("; read:\n") + seen));
    for (const ProducerRecord &record : records) {
        const auto same = std::count_if(consumed.cbegin(), consumed.cend(),
                                        [&](const ConsumedRecord &r) { return sameRecord(r, record); });
        QVERIFY2(same == 2, qPrintable(QStringLiteral("%1 copies of %2; read:\n%3")
                                           .arg(same)
                                           .arg(QString::fromUtf8(record.key.value_or("null")), seen)));
    }
}

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
