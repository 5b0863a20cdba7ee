#include "ui/DeliveryReportModel.h"

#include "wire/KafkaError.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFont>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <optional>

using kpw::DeliveryReport;
using kpw::DeliveryReportModel;

namespace {

constexpr std::int64_t kTimestamp = 1'700'000'000'123; // 2023-11-14

DeliveryReport okReport(quint64 id, std::int64_t offset = 0, const QString &topic = QStringLiteral("orders"))
{
    DeliveryReport report;
    report.id = id;
    report.topic = topic;
    report.partition = static_cast<std::int32_t>(id % 3);
    report.offset = offset;
    report.timestampMs = kTimestamp + static_cast<std::int64_t>(id);
    report.latencyMs = 12.345;
    report.key = QByteArrayLiteral("key-") + QByteArray::number(id);
    report.keySize = report.key->size();
    report.valueSize = 100;
    return report;
}

DeliveryReport failedReport(quint64 id, std::int16_t code, const QString &message)
{
    DeliveryReport report = okReport(id, -1);
    report.errorCode = code;
    report.errorMessage = message;
    report.attempts = 3;
    return report;
}

QList<DeliveryReport> batch(quint64 firstId, int count)
{
    QList<DeliveryReport> reports;
    for (int i = 0; i < count; ++i)
        reports.append(okReport(firstId + static_cast<quint64>(i), static_cast<std::int64_t>(firstId) + i));
    return reports;
}

QString display(const DeliveryReportModel &model, int row, int column)
{
    return model.data(model.index(row, column), Qt::DisplayRole).toString();
}

quint64 idAt(const DeliveryReportModel &model, int row)
{
    return model.data(model.index(row, 0), DeliveryReportModel::ReportIdRole).value<quint64>();
}

} // namespace

class TestDeliveryReportModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyModel();
    void oneInsertPerBatch();
    void formatsCells();
    void nullEmptyAndBinaryKeys();
    void tombstoneSize();
    void failedRowsStandOut();
    void capDropsOldest();
    void batchLargerThanCap();
    void shrinkingCapDropsRows();
    void clearResets();
    void passesModelTester();
    void manyReportsStayCheap();
};

void TestDeliveryReportModel::emptyModel()
{
    DeliveryReportModel model;
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 11);
    QCOMPARE(model.maxRows(), DeliveryReportModel::kDefaultMaxRows);
    const QStringList expected{QStringLiteral("Time"),      QStringLiteral("Topic"),
                               QStringLiteral("Partition"), QStringLiteral("Offset"),
                               QStringLiteral("Key"),       QStringLiteral("Value size"),
                               QStringLiteral("Headers"),   QStringLiteral("Latency (ms)"),
                               QStringLiteral("Retries"),   QStringLiteral("PID / epoch / seq"),
                               QStringLiteral("Status")};
    for (int column = 0; column < expected.size(); ++column)
        QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), expected.at(column));
    // Children of a row do not exist in a table.
    model.appendReports(batch(1, 1));
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    QCOMPARE(model.columnCount(model.index(0, 0)), 0);
}

void TestDeliveryReportModel::oneInsertPerBatch()
{
    DeliveryReportModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy counts(&model, &DeliveryReportModel::countsChanged);

    model.appendReports(batch(1, 5));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 4);

    model.appendReports(batch(6, 3));
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 5);
    QCOMPARE(inserted.at(1).at(2).toInt(), 7);
    QCOMPARE(model.rowCount(), 8);

    model.appendReports({}); // an empty batch changes nothing
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(counts.size(), 2);
    QCOMPARE(model.deliveredCount(), quint64(8));
    QCOMPARE(model.failedCount(), quint64(0));
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(idAt(model, row), quint64(row + 1));
}

void TestDeliveryReportModel::formatsCells()
{
    DeliveryReportModel model;
    DeliveryReport report = okReport(7, 4242, QStringLiteral("payments"));
    report.partition = 2;
    report.keySize = 3;
    report.key = QByteArrayLiteral("abc");
    report.valueSize = 120;
    report.headerCount = 4;
    report.attempts = 3;
    model.appendReports({report});

    QCOMPARE(display(model, 0, DeliveryReportModel::TimeColumn),
             QDateTime::fromMSecsSinceEpoch(report.timestampMs).toString(QStringLiteral("HH:mm:ss.zzz")));
    QCOMPARE(display(model, 0, DeliveryReportModel::TopicColumn), QStringLiteral("payments"));
    QCOMPARE(display(model, 0, DeliveryReportModel::PartitionColumn), QStringLiteral("2"));
    QCOMPARE(display(model, 0, DeliveryReportModel::OffsetColumn), QStringLiteral("4242"));
    QCOMPARE(display(model, 0, DeliveryReportModel::KeyColumn), QStringLiteral("abc"));
    QCOMPARE(display(model, 0, DeliveryReportModel::SizeColumn), QStringLiteral("120 B"));
    QCOMPARE(display(model, 0, DeliveryReportModel::HeadersColumn), QStringLiteral("4"));
    QCOMPARE(display(model, 0, DeliveryReportModel::LatencyColumn), QStringLiteral("12.3"));
    QCOMPARE(display(model, 0, DeliveryReportModel::RetriesColumn), QStringLiteral("2"));
    QCOMPARE(display(model, 0, DeliveryReportModel::ProducerColumn), QString()); // not idempotent
    QCOMPARE(display(model, 0, DeliveryReportModel::StatusColumn), QStringLiteral("OK"));

    const auto raw = [&model](int column) {
        return model.data(model.index(0, column), DeliveryReportModel::RawValueRole);
    };
    QCOMPARE(raw(DeliveryReportModel::OffsetColumn).toLongLong(), 4242);
    QCOMPARE(raw(DeliveryReportModel::SizeColumn).toLongLong(), 120);
    QCOMPARE(raw(DeliveryReportModel::TimeColumn).toLongLong(), report.timestampMs);
    QCOMPARE(raw(DeliveryReportModel::KeyColumn).toByteArray(), QByteArrayLiteral("abc"));
    QCOMPARE(model.data(model.index(0, 0), DeliveryReportModel::ErrorCodeRole).toInt(), 0);

    const auto alignment = [&model](int column) {
        return model.data(model.index(0, column), Qt::TextAlignmentRole).value<Qt::Alignment>();
    };
    QVERIFY(alignment(DeliveryReportModel::OffsetColumn) & Qt::AlignRight);
    QVERIFY(alignment(DeliveryReportModel::TopicColumn) & Qt::AlignLeft);
    QVERIFY(!model.data(model.index(0, 1), Qt::BackgroundRole).isValid());

    // A report without a timestamp gets the time it arrived.
    DeliveryReport noTime = okReport(8);
    noTime.timestampMs = -1;
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    model.appendReports({noTime});
    const qint64 stamped = model.data(model.index(1, 0), DeliveryReportModel::RawValueRole).toLongLong();
    QVERIFY(stamped >= before && stamped <= QDateTime::currentMSecsSinceEpoch());

    // An idempotent producer's record shows the identity the broker deduplicates by.
    DeliveryReport idempotent = okReport(9, 4243, QStringLiteral("payments"));
    idempotent.producerId = 1000;
    idempotent.producerEpoch = 3;
    idempotent.sequence = 17;
    model.appendReports({idempotent});
    QCOMPARE(display(model, 2, DeliveryReportModel::ProducerColumn), QStringLiteral("1000 / 3 / 17"));
    QCOMPARE(model.data(model.index(2, DeliveryReportModel::ProducerColumn), DeliveryReportModel::RawValueRole).toInt(),
             17);
}

void TestDeliveryReportModel::nullEmptyAndBinaryKeys()
{
    DeliveryReportModel model;
    DeliveryReport null = okReport(1);
    null.key.reset();
    null.keySize = -1;
    DeliveryReport empty = okReport(2);
    empty.key = QByteArray();
    empty.keySize = 0;
    DeliveryReport binary = okReport(3);
    binary.key = QByteArray::fromHex("00ff10");
    binary.keySize = 3;
    DeliveryReport longKey = okReport(4);
    longKey.key = QByteArray(DeliveryReport::kKeyPreview, 'x');
    longKey.keySize = 10'000;
    model.appendReports({null, empty, binary, longKey});

    QCOMPARE(display(model, 0, DeliveryReportModel::KeyColumn), QStringLiteral("null"));
    QVERIFY(model.data(model.index(0, DeliveryReportModel::KeyColumn), Qt::FontRole).value<QFont>().italic());
    QVERIFY(!model.data(model.index(0, DeliveryReportModel::KeyColumn), DeliveryReportModel::RawValueRole).isValid());
    QCOMPARE(display(model, 1, DeliveryReportModel::KeyColumn), QString());
    QCOMPARE(model.data(model.index(1, DeliveryReportModel::KeyColumn), Qt::ToolTipRole).toString(),
             QStringLiteral("Key, 0 bytes"));
    QCOMPARE(display(model, 2, DeliveryReportModel::KeyColumn), QStringLiteral("0x00ff10"));
    const QString shown = display(model, 3, DeliveryReportModel::KeyColumn);
    QVERIFY2(shown.endsWith(QChar(0x2026)), qPrintable(shown));
    QVERIFY(shown.size() < 100);
    QCOMPARE(
        model.data(model.index(3, DeliveryReportModel::SizeColumn), DeliveryReportModel::RawValueRole).toLongLong(),
        100);
}

void TestDeliveryReportModel::tombstoneSize()
{
    DeliveryReportModel model;
    DeliveryReport tombstone = okReport(1);
    tombstone.valueSize = -1;
    tombstone.key = QByteArrayLiteral("k");
    tombstone.keySize = 1;
    model.appendReports({tombstone});
    QCOMPARE(display(model, 0, DeliveryReportModel::SizeColumn), QStringLiteral("null"));
    QVERIFY(model.data(model.index(0, DeliveryReportModel::SizeColumn), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("tombstone")));
}

void TestDeliveryReportModel::failedRowsStandOut()
{
    DeliveryReportModel model;
    model.appendReports(
        {okReport(1),
         failedReport(2, kpw::KafkaError::UnknownTopicOrPartition, QStringLiteral("topic \"nope\" does not exist")),
         failedReport(3, kpw::KafkaError::ClientTimeout, QString())});
    QCOMPARE(model.deliveredCount(), quint64(1));
    QCOMPARE(model.failedCount(), quint64(2));
    QCOMPARE(display(model, 0, DeliveryReportModel::PartitionColumn), QStringLiteral("1"));

    QCOMPARE(display(model, 1, DeliveryReportModel::StatusColumn),
             QStringLiteral("UNKNOWN_TOPIC_OR_PARTITION: topic \"nope\" does not exist"));
    QCOMPARE(display(model, 2, DeliveryReportModel::StatusColumn),
             kpw::KafkaError::name(kpw::KafkaError::ClientTimeout));
    QCOMPARE(display(model, 1, DeliveryReportModel::OffsetColumn), QStringLiteral("-"));
    // Failed before a partition was chosen (e.g. an unknown topic).
    DeliveryReport unassigned = failedReport(4, kpw::KafkaError::UnknownTopicOrPartition, QStringLiteral("no topic"));
    unassigned.partition = -1;
    model.appendReports({unassigned});
    QCOMPARE(display(model, 3, DeliveryReportModel::PartitionColumn), QStringLiteral("-"));
    QCOMPARE(model.data(model.index(1, 0), DeliveryReportModel::ErrorCodeRole).toInt(),
             int(kpw::KafkaError::UnknownTopicOrPartition));
    const QString tip = model.data(model.index(1, DeliveryReportModel::StatusColumn), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("does not exist")) && tip.contains(QStringLiteral("3 attempt")),
             qPrintable(tip));

    // Every cell of a failed row is red; a delivered row is not.
    for (int column = 0; column < model.columnCount(); ++column) {
        const QModelIndex failed = model.index(1, column);
        const QColor fg = model.data(failed, Qt::ForegroundRole).value<QBrush>().color();
        const QColor bg = model.data(failed, Qt::BackgroundRole).value<QBrush>().color();
        QVERIFY2(fg.red() > 2 * fg.green() && fg.red() > 2 * fg.blue(), qPrintable(fg.name()));
        QVERIFY2(bg.isValid() && bg.red() > bg.green(), qPrintable(bg.name()));
        QVERIFY(!model.data(model.index(0, column), Qt::BackgroundRole).isValid());
    }
}

void TestDeliveryReportModel::capDropsOldest()
{
    DeliveryReportModel model;
    model.setMaxRows(10);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.appendReports(batch(1, 7));
    model.appendReports(batch(8, 7));
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(removed.at(0).at(2).toInt(), 3);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 3);
    QCOMPARE(inserted.at(1).at(2).toInt(), 9);
    QCOMPARE(idAt(model, 0), quint64(5));
    QCOMPARE(idAt(model, 9), quint64(14));
    // The totals still count what was dropped.
    QCOMPARE(model.deliveredCount(), quint64(14));
}

void TestDeliveryReportModel::batchLargerThanCap()
{
    DeliveryReportModel model;
    model.setMaxRows(10);
    model.appendReports(batch(1, 4));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendReports(batch(5, 25));
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(idAt(model, 0), quint64(20));
    QCOMPARE(idAt(model, 9), quint64(29));
    QCOMPARE(model.deliveredCount(), quint64(29));
}

void TestDeliveryReportModel::shrinkingCapDropsRows()
{
    DeliveryReportModel model;
    model.appendReports(batch(1, 50));
    model.setMaxRows(20);
    QCOMPARE(model.rowCount(), 20);
    QCOMPARE(idAt(model, 0), quint64(31));
    model.setMaxRows(0); // clamped to one row
    QCOMPARE(model.maxRows(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(idAt(model, 0), quint64(50));
}

void TestDeliveryReportModel::clearResets()
{
    DeliveryReportModel model;
    model.appendReports(batch(1, 5));
    model.appendReports({failedReport(6, kpw::KafkaError::MessageTooLarge, QStringLiteral("too big"))});
    QSignalSpy counts(&model, &DeliveryReportModel::countsChanged);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.deliveredCount(), quint64(0));
    QCOMPARE(model.failedCount(), quint64(0));
    QCOMPARE(counts.size(), 1);
    model.appendReports(batch(7, 2));
    QCOMPARE(display(model, 1, DeliveryReportModel::TopicColumn), QStringLiteral("orders"));
}

void TestDeliveryReportModel::passesModelTester()
{
    DeliveryReportModel model;
    model.setMaxRows(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int round = 0; round < 30; ++round) {
        QList<DeliveryReport> reports = batch(static_cast<quint64>(round) * 10, 1 + round % 9);
        if (round % 4 == 0)
            reports.append(failedReport(9999, kpw::KafkaError::NotEnoughReplicas, QStringLiteral("isr too small")));
        model.appendReports(reports);
        if (QTest::currentTestFailed())
            return;
    }
    QCOMPARE(model.rowCount(), 100);
    model.setMaxRows(5);
    model.clear();
    model.appendReports(batch(1, 3));
    QCOMPARE(model.rowCount(), 3);
}

void TestDeliveryReportModel::manyReportsStayCheap()
{
    // 300k reports in batches of 1000 against a 100k cap, with a
    // view attached: the table must keep up with a fast producer.
    DeliveryReportModel model;
    model.setMaxRows(100'000);
    QTableView view;
    view.setModel(&model);
    view.resize(800, 400);
    view.show();
    const QList<DeliveryReport> reports = batch(1, 1000);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 300; ++i)
        model.appendReports(reports);
    QCoreApplication::processEvents();
    const qint64 elapsed = timer.elapsed();
    qInfo("300k reports appended in %lld ms", elapsed);
    QCOMPARE(model.rowCount(), 100'000);
    QCOMPARE(model.deliveredCount(), quint64(300'000));
    QVERIFY2(elapsed < 5000, qPrintable(QString::number(elapsed)));
}

QTEST_MAIN(TestDeliveryReportModel)
#include "tst_deliveryreportmodel.moc"
