#include "ui/MessageEditor.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using kpw::MessageEditor;
using kpw::ProducerRecord;
using kpw::RecordHeader;

namespace {

QByteArray bytes(const std::optional<QByteArray> &value)
{
    return value.value_or(QByteArrayLiteral("<null>"));
}

} // namespace

class TestMessageEditor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneCopyByDefault();
    void copiesSubstituteSeq();
    void copiesWithoutSeqShareBytes();
    void nullsStayNull();
    void copiesSpinDrivesRecords();
    void sharedTemplateVariables();
};

void TestMessageEditor::oneCopyByDefault()
{
    MessageEditor editor;
    auto *copies = editor.findChild<QSpinBox *>(QStringLiteral("copiesSpin"));
    QVERIFY(copies);
    QCOMPARE(copies->value(), 1);
    QCOMPARE(copies->minimum(), 1);
    QVERIFY2(copies->toolTip().contains(QStringLiteral("{{seq}}")), qPrintable(copies->toolTip()));

    editor.setTopic(QStringLiteral("orders"));
    editor.setValue(QStringLiteral("n={{seq}}"));
    const auto records = editor.records();
    QVERIFY(records.ok());
    QCOMPARE(records->size(), 1);
    QCOMPARE(bytes(records->first().value), QByteArrayLiteral("n=1"));
    // record() is the template, as typed.
    QCOMPARE(bytes(editor.record()->value), QByteArrayLiteral("n={{seq}}"));
}

void TestMessageEditor::copiesSubstituteSeq()
{
    ProducerRecord base;
    base.topic = QStringLiteral("orders");
    base.partition = 1;
    base.key = QByteArrayLiteral("customer-{{seq}}");
    base.value = QByteArrayLiteral("{\"n\": {{seq}}, \"again\": \"{{seq}}\", \"other\": \"{{sequence}}\"}");
    base.headers = {RecordHeader{QStringLiteral("seq"), QByteArrayLiteral("{{seq}}")},
                    RecordHeader{QStringLiteral("{{seq}}"), QByteArrayLiteral("fixed")}};

    const QList<ProducerRecord> out = MessageEditor::expandCopies(base, 12);
    QCOMPARE(out.size(), 12);
    for (int i = 0; i < out.size(); ++i) {
        const QByteArray n = QByteArray::number(i + 1);
        const ProducerRecord &r = out.at(i);
        QCOMPARE(r.topic, base.topic);
        QCOMPARE(r.partition, 1);
        QCOMPARE(bytes(r.key), QByteArrayLiteral("customer-") + n);
        QCOMPARE(bytes(r.value), QByteArrayLiteral("{\"n\": ") + n + QByteArrayLiteral(", \"again\": \"") + n +
                                     QByteArrayLiteral("\", \"other\": \"{{sequence}}\"}"));
        QCOMPARE(r.headers.size(), 2);
        QCOMPARE(bytes(r.headers.at(0).value), n);
        // Only values are templates; header names are not.
        QCOMPARE(r.headers.at(1).key, QStringLiteral("{{seq}}"));
        QCOMPARE(bytes(r.headers.at(1).value), QByteArrayLiteral("fixed"));
    }
    QVERIFY(MessageEditor::expandCopies(base, 0).isEmpty());
}

void TestMessageEditor::copiesWithoutSeqShareBytes()
{
    ProducerRecord base;
    base.topic = QStringLiteral("orders");
    base.value = QByteArray(4096, 'x');
    const QList<ProducerRecord> out = MessageEditor::expandCopies(base, 3);
    QCOMPARE(out.size(), 3);
    for (const ProducerRecord &r : out)
        QCOMPARE(r, base);
    QCOMPARE(out.at(2).value->constData(), base.value->constData()); // implicitly shared, not copied
}

void TestMessageEditor::nullsStayNull()
{
    ProducerRecord base;
    base.topic = QStringLiteral("orders");
    base.value = QByteArrayLiteral("{{seq}}");
    base.headers = {RecordHeader{QStringLiteral("h"), std::nullopt}};
    const QList<ProducerRecord> out = MessageEditor::expandCopies(base, 2);
    QCOMPARE(out.size(), 2);
    QVERIFY(!out.at(1).key.has_value());
    QVERIFY(!out.at(1).headers.at(0).value.has_value());
    QCOMPARE(bytes(out.at(1).value), QByteArrayLiteral("2"));
}

void TestMessageEditor::copiesSpinDrivesRecords()
{
    MessageEditor editor;
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    auto *copies = editor.findChild<QSpinBox *>(QStringLiteral("copiesSpin"));
    auto *send = editor.findChild<QPushButton *>(QStringLiteral("sendButton"));
    QVERIFY(copies && send);

    auto *extra = new QLabel(QStringLiteral("codec"));
    editor.addSendBarWidget(extra);
    QCOMPARE(extra->parentWidget(), &editor);
    QTRY_VERIFY(extra->isVisible()); // a layout shows a late widget on the next event loop pass

    editor.setTopic(QStringLiteral("orders"));
    editor.setKey(QStringLiteral("k{{seq}}"));
    editor.setValue(QStringLiteral("v"));
    editor.addHeader(QStringLiteral("n"), QStringLiteral("#{{seq}}"));
    copies->setFocus();
    copies->selectAll();
    QTest::keyClicks(copies, QStringLiteral("5"));
    QCOMPARE(editor.copies(), 5);
    QVERIFY2(send->text().contains(QStringLiteral("5")), qPrintable(send->text()));

    const auto records = editor.records();
    QVERIFY(records.ok());
    QCOMPARE(records->size(), 5);
    QCOMPARE(bytes(records->at(4).key), QByteArrayLiteral("k5"));
    QCOMPARE(bytes(records->at(4).headers.at(0).value), QByteArrayLiteral("#5"));

    editor.setCopies(1);
    QCOMPARE(send->text(), QStringLiteral("Send"));
    editor.setTopic(QString());
    QVERIFY(!editor.records().ok()); // the record's own checks still apply
}

void TestMessageEditor::sharedTemplateVariables()
{
    // The composer expands the same templates as replay (core/serde/Template).
    ProducerRecord base;
    base.topic = QStringLiteral("t");
    base.key = QByteArrayLiteral("{{uuid}}");
    base.value = QByteArrayLiteral("{{random.int(1,3)}}|{{now:yyyy}}|{{unknown}}");
    const QList<ProducerRecord> out = MessageEditor::expandCopies(base, 50);
    QCOMPARE(out.size(), 50);
    QSet<QByteArray> keys;
    for (const ProducerRecord &r : out) {
        keys.insert(bytes(r.key));
        QCOMPARE(bytes(r.key).size(), 36);
        const QList<QByteArray> parts = bytes(r.value).split('|');
        QCOMPARE(parts.size(), 3);
        QVERIFY(parts[0] == "1" || parts[0] == "2" || parts[0] == "3");
        QCOMPARE(parts[1].toInt(), QDate::currentDate().year());
        QCOMPARE(parts[2], QByteArrayLiteral("{{unknown}}"));
    }
    QCOMPARE(keys.size(), 50);

    MessageEditor editor;
    editor.setTopic(QStringLiteral("orders"));
    editor.setValue(QStringLiteral("{{random.int(9,1)}}"));
    const auto records = editor.records();
    QVERIFY(!records.ok());
    QVERIFY2(records.error().message.contains(QStringLiteral("random.int")), qPrintable(records.error().message));
}

QTEST_MAIN(TestMessageEditor)
#include "tst_messageeditor.moc"
