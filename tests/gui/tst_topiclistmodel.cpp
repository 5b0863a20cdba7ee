#include "ui/TopicListModel.h"

#include "wire/KafkaError.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using kpw::MetadataResponse;
using kpw::TopicListModel;

namespace {

kpw::TopicInfo topic(const QString &name, int partitions, bool internal = false, std::int16_t error = 0)
{
    kpw::TopicInfo info;
    info.name = name;
    info.isInternal = internal;
    info.errorCode = error;
    for (int p = 0; p < partitions; ++p) {
        kpw::PartitionInfo partition;
        partition.partition = p;
        partition.leader = 1;
        partition.replicas = {1, 2};
        partition.isr = {1, 2};
        info.partitions.append(partition);
    }
    return info;
}

MetadataResponse metadata(const QList<kpw::TopicInfo> &topics)
{
    MetadataResponse response;
    response.topics = topics;
    return response;
}

QStringList names(const TopicListModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row).data(TopicListModel::NameRole).toString());
    return result;
}

} // namespace

class TestTopicListModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsSortedTopicsWithCounts();
    void hidesInternalAndMissingTopics();
    void showsTopicErrors();
    void lookups();
    void passesModelTester();
};

void TestTopicListModel::listsSortedTopicsWithCounts()
{
    TopicListModel model;
    model.setMetadata(metadata(
        {topic(QStringLiteral("payments"), 6), topic(QStringLiteral("orders"), 3), topic(QStringLiteral("audit"), 1)}));
    QCOMPARE(names(model),
             (QStringList{QStringLiteral("audit"), QStringLiteral("orders"), QStringLiteral("payments")}));
    QCOMPARE(model.index(1).data().toString(), QStringLiteral("orders  (3)"));
    QCOMPARE(model.index(1).data(TopicListModel::PartitionCountRole).toInt(), 3);
    const QString tip = model.index(2).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("6 partitions")) && tip.contains(QStringLiteral("replication factor 2")),
             qPrintable(tip));
}

void TestTopicListModel::hidesInternalAndMissingTopics()
{
    TopicListModel model;
    model.setMetadata(
        metadata({topic(QStringLiteral("__consumer_offsets"), 50, true),
                  topic(QStringLiteral("__transaction_state"), 50, false), topic(QStringLiteral("_schemas"), 1),
                  topic(QStringLiteral("gone"), 0, false, kpw::KafkaError::UnknownTopicOrPartition),
                  topic(QStringLiteral("orders"), 3)}));
    QCOMPARE(names(model), (QStringList{QStringLiteral("_schemas"), QStringLiteral("orders")}));
}

void TestTopicListModel::showsTopicErrors()
{
    TopicListModel model;
    model.setMetadata(metadata({topic(QStringLiteral("new-topic"), 0, false, kpw::KafkaError::LeaderNotAvailable)}));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0).data(TopicListModel::ErrorCodeRole).toInt(), int(kpw::KafkaError::LeaderNotAvailable));
    QVERIFY(model.index(0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("LEADER_NOT_AVAILABLE")));
    QVERIFY(model.index(0).data(Qt::ForegroundRole).isValid());
}

void TestTopicListModel::lookups()
{
    TopicListModel model;
    model.setMetadata(
        metadata({topic(QStringLiteral("b"), 2), topic(QStringLiteral("a"), 1), topic(QStringLiteral("c"), 3)}));
    QCOMPARE(model.partitionCount(QStringLiteral("c")), 3);
    QCOMPARE(model.partitionCount(QStringLiteral("zzz")), -1);
    QCOMPARE(model.partitionCount(QString()), -1);
    QCOMPARE(model.rowOf(QStringLiteral("a")), 0);
    QCOMPARE(model.rowOf(QStringLiteral("b")), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.partitionCount(QStringLiteral("c")), -1);
}

void TestTopicListModel::passesModelTester()
{
    TopicListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setMetadata(metadata({topic(QStringLiteral("x"), 1), topic(QStringLiteral("y"), 2)}));
    model.setMetadata(metadata({}));
    model.setMetadata(metadata({topic(QStringLiteral("z"), 4)}));
    model.clear();
    QCOMPARE(reset.size(), 4);
}

QTEST_MAIN(TestTopicListModel)
#include "tst_topiclistmodel.moc"
