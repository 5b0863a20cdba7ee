// The delivery-report table around the model: the filter proxy, sorting,
// copy as TSV, CSV and JSONL exports read back, and the compact row store.
#include "ui/DeliveryReportModel.h"
#include "ui/DeliveryReportView.h"

#include "wire/KafkaError.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using kpw::DeliveryReport;
using kpw::DeliveryReportFilter;
using kpw::DeliveryReportModel;
using kpw::DeliveryReportView;

namespace {

DeliveryReport report(quint64 id, const QString &topic, int partition, std::int16_t error = 0)
{
    DeliveryReport r;
    r.id = id;
    r.topic = topic;
    r.partition = partition;
    r.offset = error ? -1 : std::int64_t(1000 + id);
    r.timestampMs = 1'700'000'000'000 + std::int64_t(id);
    r.latencyMs = double(id % 17) + 0.5;
    r.key = QByteArrayLiteral("customer-") + QByteArray::number(id);
    r.keySize = r.key->size();
    r.valueSize = int(10 * id);
    r.headerCount = int(id % 3);
    r.attempts = 1 + int(id % 2);
    r.errorCode = error;
    if (error)
        r.errorMessage = QStringLiteral("the leader moved, \"retry\" later");
    return r;
}

// 60 rows: topics a/b alternate, partitions 0..2, every 10th failed.
QList<DeliveryReport> mixed()
{
    QList<DeliveryReport> out;
    for (quint64 id = 1; id <= 60; ++id)
        out.append(report(id, id % 2 ? QStringLiteral("alpha") : QStringLiteral("beta"), int(id % 3),
                          id % 10 == 0 ? kpw::KafkaError::NotLeaderOrFollower : std::int16_t(0)));
    return out;
}

QList<QByteArray> lines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> out = file.readAll().split('\n');
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

// A CSV line's fields (RFC 4180: quoted fields with doubled quotes).
QStringList csvFields(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields.append(field);
            field.clear();
        } else {
            field += c;
        }
    }
    fields.append(field);
    return fields;
}

} // namespace

class TestReportTable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filterByStatusTopicPartitionText();
    void sortsByNumbers();
    void proxyPassesModelTesterWhileRowsArrive();
    void copiesSelectionAsTsv();
    void exportsFilteredCsvAndAllJsonl();
    void viewFilterWidgets();
    void keysAreShortened();
};

void TestReportTable::filterByStatusTopicPartitionText()
{
    DeliveryReportModel model;
    DeliveryReportFilter filter;
    filter.setReportModel(&model);
    model.appendReports(mixed());
    QCOMPARE(filter.rowCount(), 60);

    filter.setStatus(DeliveryReportFilter::Status::Failed);
    QCOMPARE(filter.rowCount(), 6);
    for (int row = 0; row < filter.rowCount(); ++row)
        QVERIFY(filter.index(row, DeliveryReportModel::StatusColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("NOT_LEADER_OR_FOLLOWER")));
    filter.setStatus(DeliveryReportFilter::Status::Ok);
    QCOMPARE(filter.rowCount(), 54);

    filter.setStatus(DeliveryReportFilter::Status::All);
    filter.setTopic(QStringLiteral("beta"));
    QCOMPARE(filter.rowCount(), 30);
    filter.setPartition(1); // even ids with id % 3 == 1: 4, 10, ..., 58
    QCOMPARE(filter.rowCount(), 10);
    for (int row = 0; row < filter.rowCount(); ++row) {
        QCOMPARE(filter.index(row, DeliveryReportModel::PartitionColumn).data().toString(), QStringLiteral("1"));
        QCOMPARE(filter.index(row, DeliveryReportModel::TopicColumn).data().toString(), QStringLiteral("beta"));
    }
    filter.setTopic(QString());
    filter.setPartition(-1);
    filter.setText(QStringLiteral("CUSTOMER-5")); // 5, 50..59, case-insensitive
    QCOMPARE(filter.rowCount(), 11);
    filter.setText(QStringLiteral("1042")); // the offset of id 42
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data(DeliveryReportModel::ReportIdRole).value<quint64>(), quint64(42));
    filter.setText(QStringLiteral("leader moved"));
    QCOMPARE(filter.rowCount(), 6);

    // A topic that arrives after the filter was set is found when it comes.
    filter.setText(QString());
    filter.setTopic(QStringLiteral("gamma"));
    QCOMPARE(filter.rowCount(), 0);
    model.appendReports({report(100, QStringLiteral("gamma"), 0), report(101, QStringLiteral("alpha"), 0)});
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.sourceRows(), QList<int>{60});
}

void TestReportTable::sortsByNumbers()
{
    DeliveryReportModel model;
    DeliveryReportFilter filter;
    filter.setReportModel(&model);
    model.appendReports(mixed());
    filter.sort(DeliveryReportModel::SizeColumn, Qt::DescendingOrder);
    // 600 B sorts above 90 B: numbers, not strings.
    QCOMPARE(filter.index(0, DeliveryReportModel::SizeColumn).data().toString(), QStringLiteral("600 B"));
    QCOMPARE(filter.index(59, DeliveryReportModel::SizeColumn).data().toString(), QStringLiteral("10 B"));
    filter.sort(DeliveryReportModel::LatencyColumn, Qt::AscendingOrder);
    double previous = -1;
    for (int row = 0; row < filter.rowCount(); ++row) {
        const double latency =
            filter.index(row, DeliveryReportModel::LatencyColumn).data(DeliveryReportModel::RawValueRole).toDouble();
        QVERIFY(latency >= previous);
        previous = latency;
    }
    // Back to arrival order.
    filter.sort(-1);
    QCOMPARE(filter.index(0, 0).data(DeliveryReportModel::ReportIdRole).value<quint64>(), quint64(1));
}

void TestReportTable::proxyPassesModelTesterWhileRowsArrive()
{
    DeliveryReportModel model;
    model.setMaxRows(150);
    DeliveryReportFilter filter;
    filter.setReportModel(&model);
    QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setStatus(DeliveryReportFilter::Status::Ok);
    filter.sort(DeliveryReportModel::OffsetColumn, Qt::DescendingOrder);
    for (int round = 0; round < 10; ++round) {
        QList<DeliveryReport> reports = mixed();
        for (DeliveryReport &r : reports)
            r.id += quint64(round) * 100;
        model.appendReports(reports);
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(model.rowCount(), 150);
    QCOMPARE(filter.rowCount(), 150 - 15);
    filter.setTopic(QStringLiteral("alpha"));
    model.clear();
    QCOMPARE(filter.rowCount(), 0);
}

void TestReportTable::copiesSelectionAsTsv()
{
    DeliveryReportModel model;
    DeliveryReportView view(&model);
    model.appendReports(mixed());
    view.resize(1000, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTableView *table = view.table();
    table->selectionModel()->select(table->model()->index(9, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(table->model()->index(2, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(view.selectedIds(), (QList<quint64>{3, 10}));
    table->setFocus();
    QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);
    const QStringList tsv = QApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(tsv.size(), 3);
    QVERIFY(tsv.at(0).startsWith(QStringLiteral("Time\tTopic\tPartition\tOffset\tKey")));
    const QStringList first = tsv.at(1).split(QLatin1Char('\t'));
    QCOMPARE(first.size(), int(DeliveryReportModel::ColumnCount));
    QCOMPARE(first.at(DeliveryReportModel::KeyColumn), QStringLiteral("customer-3"));
    QCOMPARE(first.at(DeliveryReportModel::OffsetColumn), QStringLiteral("1003"));
    QVERIFY(tsv.at(2)
                .split(QLatin1Char('\t'))
                .at(DeliveryReportModel::StatusColumn)
                .startsWith(QStringLiteral("NOT_LEADER_OR_FOLLOWER")));
}

void TestReportTable::exportsFilteredCsvAndAllJsonl()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    DeliveryReportModel model;
    DeliveryReportView view(&model);
    model.appendReports(mixed());
    view.filter()->setStatus(DeliveryReportFilter::Status::Failed);
    view.filter()->sort(DeliveryReportModel::TimeColumn, Qt::DescendingOrder);

    const QString csv = dir.filePath(QStringLiteral("failed.csv"));
    QVERIFY(view.exportTo(csv, true));
    const QList<QByteArray> csvLines = lines(csv);
    QCOMPARE(csvLines.size(), 1 + 6);
    const QStringList header = csvFields(QString::fromUtf8(csvLines.at(0)));
    QCOMPARE(header.at(0), QStringLiteral("id"));
    const int idColumn = int(header.indexOf(QStringLiteral("id")));
    const int statusColumn = int(header.indexOf(QStringLiteral("status")));
    const int errorColumn = int(header.indexOf(QStringLiteral("error")));
    const int keyColumn = int(header.indexOf(QStringLiteral("key")));
    QVERIFY(statusColumn > 0 && errorColumn > 0 && keyColumn > 0);
    // Newest first, as the view shows them; quotes and commas survive.
    const QList<int> expectedIds{60, 50, 40, 30, 20, 10};
    for (int i = 0; i < 6; ++i) {
        const QStringList fields = csvFields(QString::fromUtf8(csvLines.at(1 + i)));
        QCOMPARE(fields.size(), header.size());
        QCOMPARE(fields.at(idColumn).toInt(), expectedIds.at(i));
        QCOMPARE(fields.at(statusColumn), QStringLiteral("NOT_LEADER_OR_FOLLOWER"));
        QCOMPARE(fields.at(errorColumn), QStringLiteral("the leader moved, \"retry\" later"));
        QCOMPARE(fields.at(keyColumn), QStringLiteral("customer-%1").arg(expectedIds.at(i)));
    }

    const QString jsonl = dir.filePath(QStringLiteral("all.jsonl"));
    QVERIFY(view.exportTo(jsonl, false));
    const QList<QByteArray> jsonLines = lines(jsonl);
    QCOMPARE(jsonLines.size(), 60);
    for (int i = 0; i < 60; ++i) {
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(jsonLines.at(i), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        const qint64 id = i + 1;
        QCOMPARE(o.value(QStringLiteral("id")).toInteger(), id);
        QCOMPARE(o.value(QStringLiteral("topic")).toString(),
                 id % 2 ? QStringLiteral("alpha") : QStringLiteral("beta"));
        QCOMPARE(o.value(QStringLiteral("partition")).toInt(), int(id % 3));
        QCOMPARE(o.value(QStringLiteral("value_size")).toInt(), int(10 * id));
        QCOMPARE(o.value(QStringLiteral("headers")).toInt(), int(id % 3));
        QCOMPARE(o.value(QStringLiteral("retries")).toInt(), int(id % 2));
        QCOMPARE(o.value(QStringLiteral("status")).toString(),
                 id % 10 ? QStringLiteral("OK") : QStringLiteral("NOT_LEADER_OR_FOLLOWER"));
        QCOMPARE(o.value(QStringLiteral("offset")).toInteger(), id % 10 ? 1000 + id : -1);
    }

    // Nothing shown: the CSV still has its header and no rows.
    view.filter()->setTopic(QStringLiteral("none"));
    QVERIFY(view.exportTo(csv, true));
    QCOMPARE(lines(csv).size(), 1);
}

void TestReportTable::viewFilterWidgets()
{
    DeliveryReportModel model;
    DeliveryReportView view(&model);
    model.appendReports(mixed());
    auto *status = view.findChild<QComboBox *>(QStringLiteral("reportStatusFilter"));
    auto *topic = view.findChild<QComboBox *>(QStringLiteral("reportTopicFilter"));
    auto *partition = view.findChild<QSpinBox *>(QStringLiteral("reportPartitionFilter"));
    auto *text = view.findChild<QLineEdit *>(QStringLiteral("reportTextFilter"));
    QVERIFY(status && topic && partition && text);
    QCOMPARE(topic->count(), 3); // all, alpha, beta
    status->setCurrentIndex(status->findText(QStringLiteral("Failed")));
    QCOMPARE(view.table()->model()->rowCount(), 6);
    topic->setCurrentIndex(topic->findText(QStringLiteral("alpha")));
    QCOMPARE(view.table()->model()->rowCount(), 0); // failed ids are even: beta
    topic->setCurrentIndex(topic->findText(QStringLiteral("beta")));
    partition->setValue(0);
    QCOMPARE(view.table()->model()->rowCount(), 2); // 30, 60
    text->setText(QStringLiteral("customer-60"));
    QTRY_COMPARE(view.table()->model()->rowCount(), 1);
}

void TestReportTable::keysAreShortened()
{
    DeliveryReportModel model;
    DeliveryReport r = report(1, QStringLiteral("t"), 0);
    r.key = QByteArray(200, 'k');
    r.keySize = 5000;
    DeliveryReport utf8 = report(2, QStringLiteral("t"), 0);
    utf8.key =
        QStringLiteral("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9").toUtf8(); // 24 bytes
    utf8.keySize = utf8.key->size();
    model.appendReports({r, utf8});
    const QString shown = model.index(0, DeliveryReportModel::KeyColumn).data().toString();
    QCOMPARE(shown, QString(DeliveryReportModel::kKeyBytes, QLatin1Char('k')) + QChar(0x2026));
    // A character cut in half at the end is dropped, not shown as hex.
    const QString accents = model.index(1, DeliveryReportModel::KeyColumn).data().toString();
    QCOMPARE(accents, QString(DeliveryReportModel::kKeyBytes / 2, QChar(0x00e9)) + QChar(0x2026));
}

QTEST_MAIN(TestReportTable)
#include "tst_reporttable.moc"
