#include "ui/ProducerSettingsWidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using kpw::ConfigKey;
using kpw::ProducerConfig;
using kpw::ProducerSettingsWidget;

namespace {

template <typename T> T *child(QWidget &parent, const QString &name)
{
    T *widget = parent.findChild<T *>(name);
    if (!widget)
        qWarning("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return widget;
}

QLabel *labelOf(QWidget &panel, const QString &key)
{
    return child<QLabel>(panel, QStringLiteral("label:") + key);
}

QLabel *errorOf(QWidget &panel, const QString &key)
{
    return child<QLabel>(panel, QStringLiteral("error:") + key);
}

// Replaces the text of a line edit the way a user does: select all, type.
void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Delete);
    else
        QTest::keyClicks(edit, text);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &contents)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

} // namespace

class TestProducerSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void everyKeyHasAWidget();
    void invalidInputShowsErrorAndKeepsConfig();
    void validInputUpdatesConfig();
    void enumAndBoolEditors();
    void nonDefaultMarkingAndReset();
    void pickersStayInStep();
    void loadPropertiesWithBadLineChangesNothing();
    void loadPropertiesReplacesSettings();
    void appliedOnConnect();

private:
    std::unique_ptr<ProducerSettingsWidget> m_panel;
};

void TestProducerSettings::init()
{
    m_panel = std::make_unique<ProducerSettingsWidget>();
    m_panel->resize(1000, 700);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

void TestProducerSettings::cleanup()
{
    ProducerSettingsWidget::setNextFileName(QString());
    m_panel.reset();
}

void TestProducerSettings::everyKeyHasAWidget()
{
    ProducerSettingsWidget &panel = *m_panel;
    int rows = 0;
    for (const ConfigKey &key : ProducerConfig::keys()) {
        if (key.name == QLatin1StringView("bootstrap.servers")) {
            // The connection bar owns it; the panel only points there.
            QVERIFY(!panel.findChild<QWidget *>(key.name));
            QVERIFY(child<QLabel>(panel, QStringLiteral("bootstrapNote")));
            continue;
        }
        ++rows;
        auto *editor = child<QWidget>(panel, key.name);
        QVERIFY2(editor, qPrintable(key.name));
        QLabel *label = labelOf(panel, key.name);
        QVERIFY(label);
        QCOMPARE(label->text(), key.name);
        QCOMPARE(label->buddy(), editor);
        QVERIFY2(editor->toolTip().contains(key.doc.toHtmlEscaped()), qPrintable(key.name));
        QVERIFY(child<QToolButton>(panel, QStringLiteral("reset:") + key.name));
        QVERIFY(errorOf(panel, key.name));
        QVERIFY(errorOf(panel, key.name)->isHidden());

        if (key.type == QLatin1StringView("enum")) {
            auto *combo = qobject_cast<QComboBox *>(editor);
            QVERIFY2(combo, qPrintable(key.name));
            QStringList items;
            for (int i = 0; i < combo->count(); ++i)
                items.append(combo->itemText(i));
            QCOMPARE(items, key.allowed);
            QCOMPARE(combo->currentText(), key.defaultValue);
        } else if (key.type == QLatin1StringView("bool")) {
            auto *check = qobject_cast<QCheckBox *>(editor);
            QVERIFY2(check, qPrintable(key.name));
            QCOMPARE(check->isChecked(), key.defaultValue == QLatin1StringView("true"));
        } else {
            auto *edit = qobject_cast<QLineEdit *>(editor);
            QVERIFY2(edit, qPrintable(key.name));
            QCOMPARE(edit->text(), key.defaultValue);
        }
        // Grouped by the key's group.
        const QString group = QStringLiteral("group:") + key.group;
        QWidget *box = editor->parentWidget();
        QVERIFY(box);
        QCOMPARE(box->objectName(), group);
    }
    QCOMPARE(rows, ProducerConfig::keys().size() - 1);
    QVERIFY(panel.config().explicitValues().isEmpty());
    QVERIFY(child<QLabel>(panel, QStringLiteral("appliedNote"))->text().contains(QStringLiteral("Applied on Connect")));
}

void TestProducerSettings::invalidInputShowsErrorAndKeepsConfig()
{
    ProducerSettingsWidget &panel = *m_panel;
    QSignalSpy changed(&panel, &ProducerSettingsWidget::configChanged);
    auto *linger = child<QLineEdit>(panel, QStringLiteral("linger.ms"));
    QLabel *error = errorOf(panel, QStringLiteral("linger.ms"));
    QVERIFY(linger && error);

    retype(linger, QStringLiteral("abc"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("linger.ms")), qPrintable(error->text()));
    QVERIFY2(error->text().contains(QStringLiteral("whole number")), qPrintable(error->text()));
    QVERIFY(linger->property("invalid").toBool());
    QCOMPARE(linger->text(), QStringLiteral("abc")); // the user's text stays, to be fixed
    QVERIFY(!panel.config().isSet(QStringLiteral("linger.ms")));
    QCOMPARE(panel.config().value(QStringLiteral("linger.ms")), QStringLiteral("5"));

    // Out of range: the core's message names the range. Typed key by key,
    // the text passes through valid prefixes (999999); the config must not
    // keep one of those once the text is invalid.
    retype(linger, QStringLiteral("99999999"));
    QVERIFY2(error->text().contains(QStringLiteral("outside")), qPrintable(error->text()));
    QVERIFY2(error->text().contains(QStringLiteral("still 5")), qPrintable(error->text()));
    QCOMPARE(panel.config().value(QStringLiteral("linger.ms")), QStringLiteral("5"));
    // Leaving the field does not sneak the value in either.
    QTest::keyClick(linger, Qt::Key_Return);
    QCOMPARE(panel.config().value(QStringLiteral("linger.ms")), QStringLiteral("5"));
    QVERIFY(error->isVisible());

    // An invalid list: neither this nor any of the above changed the config.
    auto *batch = child<QLineEdit>(panel, QStringLiteral("batch.size"));
    retype(batch, QStringLiteral("0"));
    QVERIFY(errorOf(panel, QStringLiteral("batch.size"))->isVisible());
    QVERIFY(panel.config().explicitValues().isEmpty());

    // Fixing the value clears the error.
    changed.clear();
    retype(linger, QStringLiteral("25"));
    QVERIFY(error->isHidden());
    QVERIFY(!linger->property("invalid").toBool());
    QCOMPARE(panel.config().value(QStringLiteral("linger.ms")), QStringLiteral("25"));
    QVERIFY(changed.count() >= 1);

    // A later bad edit falls back to 25, the value before that edit.
    QTest::keyClick(linger, Qt::Key_Return);
    retype(linger, QStringLiteral("1x"));
    QVERIFY2(error->text().contains(QStringLiteral("still 25")), qPrintable(error->text()));
    QCOMPARE(panel.config().value(QStringLiteral("linger.ms")), QStringLiteral("25"));
}

void TestProducerSettings::validInputUpdatesConfig()
{
    ProducerSettingsWidget &panel = *m_panel;
    QSignalSpy changed(&panel, &ProducerSettingsWidget::configChanged);

    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("20"));
    retype(child<QLineEdit>(panel, QStringLiteral("buffer.memory")), QStringLiteral("68719476736")); // long: 64 GiB
    retype(child<QLineEdit>(panel, QStringLiteral("client.id")), QStringLiteral("workbench-7"));
    retype(child<QLineEdit>(panel, QStringLiteral("compression.zstd.level")), QStringLiteral("-5"));

    const ProducerConfig &config = panel.config();
    QCOMPARE(config.lingerMs(), 20);
    QCOMPARE(config.bufferMemory(), Q_INT64_C(68719476736));
    QCOMPARE(config.clientId(), QStringLiteral("workbench-7"));
    QCOMPARE(config.value(QStringLiteral("compression.zstd.level")), QStringLiteral("-5"));
    QCOMPARE(config.explicitValues().size(), 4);
    QVERIFY(changed.count() >= 4);

    // Emptying a field means the default.
    retype(child<QLineEdit>(panel, QStringLiteral("client.id")), QString());
    QVERIFY(!panel.config().isSet(QStringLiteral("client.id")));
    QCOMPARE(panel.config().clientId(), QStringLiteral("kpw"));
}

void TestProducerSettings::enumAndBoolEditors()
{
    ProducerSettingsWidget &panel = *m_panel;
    auto *acks = child<QComboBox>(panel, QStringLiteral("acks"));
    auto *autoCreate = child<QCheckBox>(panel, QStringLiteral("allow.auto.create.topics"));
    QVERIFY(acks && autoCreate);

    acks->setCurrentIndex(acks->findText(QStringLiteral("1")));
    QCOMPARE(panel.config().acks(), std::int16_t(1));
    QTest::mouseClick(autoCreate, Qt::LeftButton, Qt::NoModifier, QPoint(4, autoCreate->height() / 2));
    QVERIFY(autoCreate->isChecked());
    QVERIFY(panel.config().allowAutoTopicCreation());
    QCOMPARE(panel.config().value(QStringLiteral("allow.auto.create.topics")), QStringLiteral("true"));

    // Back to the defaults: no longer set at all.
    acks->setCurrentIndex(acks->findText(QStringLiteral("all")));
    autoCreate->setChecked(false);
    QVERIFY(panel.config().explicitValues().isEmpty());
}

void TestProducerSettings::nonDefaultMarkingAndReset()
{
    ProducerSettingsWidget &panel = *m_panel;
    ProducerConfig config;
    QVERIFY(config.set(QStringLiteral("linger.ms"), QStringLiteral("50")).ok());
    QVERIFY(config.set(QStringLiteral("compression.type"), QStringLiteral("ZSTD")).ok());
    QVERIFY(config.set(QStringLiteral("retries"), QStringLiteral("2147483647")).ok()); // the default, spelled out
    QVERIFY(config.set(QStringLiteral("bootstrap.servers"), QStringLiteral("kafka:9092")).ok());
    panel.setConfig(config);

    const QStringList expected{QStringLiteral("compression.type"), QStringLiteral("linger.ms")};
    QCOMPARE(panel.config().explicitValues().keys(), expected);
    for (const ConfigKey &key : ProducerConfig::keys()) {
        if (key.name == QLatin1StringView("bootstrap.servers"))
            continue;
        const bool nonDefault = expected.contains(key.name);
        QCOMPARE(labelOf(panel, key.name)->font().bold(), nonDefault);
        QCOMPARE(labelOf(panel, key.name)->property("nonDefault").toBool(), nonDefault);
        QCOMPARE(child<QToolButton>(panel, QStringLiteral("reset:") + key.name)->isEnabled(), nonDefault);
        QCOMPARE(child<QToolButton>(panel, QStringLiteral("reset:") + key.name)->isVisible(), nonDefault);
    }
    QCOMPARE(child<QComboBox>(panel, QStringLiteral("compression.type"))->currentText(), QStringLiteral("zstd"));
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("linger.ms"))->text(), QStringLiteral("50"));

    // Typing the default value back un-marks the row.
    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("5"));
    QVERIFY(!labelOf(panel, QStringLiteral("linger.ms"))->font().bold());
    QVERIFY(!panel.config().isSet(QStringLiteral("linger.ms")));

    // The row's reset button: back to the default, shown in the editor too.
    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("7"));
    QVERIFY(labelOf(panel, QStringLiteral("linger.ms"))->font().bold());
    QTest::mouseClick(child<QToolButton>(panel, QStringLiteral("reset:compression.type")), Qt::LeftButton);
    QVERIFY(!panel.config().isSet(QStringLiteral("compression.type")));
    QCOMPARE(child<QComboBox>(panel, QStringLiteral("compression.type"))->currentText(), QStringLiteral("none"));
    QVERIFY(!labelOf(panel, QStringLiteral("compression.type"))->font().bold());

    // A reset also clears a pending error.
    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("x"));
    QVERIFY(errorOf(panel, QStringLiteral("linger.ms"))->isVisible());
    QVERIFY(child<QToolButton>(panel, QStringLiteral("reset:linger.ms"))->isVisible());
    QTest::mouseClick(child<QToolButton>(panel, QStringLiteral("reset:linger.ms")), Qt::LeftButton);
    QVERIFY(errorOf(panel, QStringLiteral("linger.ms"))->isHidden());
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("linger.ms"))->text(), QStringLiteral("5"));
    // ... even on a row that is at its default.
    retype(child<QLineEdit>(panel, QStringLiteral("batch.size")), QStringLiteral("big"));
    QVERIFY(!panel.config().isSet(QStringLiteral("batch.size")));
    auto *resetBatch = child<QToolButton>(panel, QStringLiteral("reset:batch.size"));
    QVERIFY(resetBatch->isVisible());
    QTest::mouseClick(resetBatch, Qt::LeftButton);
    QVERIFY(errorOf(panel, QStringLiteral("batch.size"))->isHidden());
    QVERIFY(!resetBatch->isVisible());
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("batch.size"))->text(), QStringLiteral("16384"));

    // Reset all.
    retype(child<QLineEdit>(panel, QStringLiteral("retries")), QStringLiteral("3"));
    QVERIFY(!panel.config().explicitValues().isEmpty());
    QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("resetAllButton")), Qt::LeftButton);
    QVERIFY(panel.config().explicitValues().isEmpty());
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("retries"))->text(), QStringLiteral("2147483647"));
    QVERIFY(!labelOf(panel, QStringLiteral("retries"))->font().bold());
}

void TestProducerSettings::pickersStayInStep()
{
    ProducerSettingsWidget &panel = *m_panel;
    auto *row = child<QComboBox>(panel, QStringLiteral("compression.type"));
    auto *prominent = child<QComboBox>(panel, QStringLiteral("compressionPicker"));
    auto *partitionerRow = child<QComboBox>(panel, QStringLiteral("partitioner"));
    auto *partitionerPicker = child<QComboBox>(panel, QStringLiteral("partitionerPicker"));
    QVERIFY(row && prominent && partitionerRow && partitionerPicker);
    QWidget elsewhere;
    QComboBox *composer = panel.createPicker(QStringLiteral("compression.type"), &elsewhere);
    QCOMPARE(composer->parent(), &elsewhere);

    composer->setCurrentIndex(composer->findText(QStringLiteral("lz4")));
    QCOMPARE(panel.config().value(QStringLiteral("compression.type")), QStringLiteral("lz4"));
    QCOMPARE(row->currentText(), QStringLiteral("lz4"));
    QCOMPARE(prominent->currentText(), QStringLiteral("lz4"));
    QVERIFY(labelOf(panel, QStringLiteral("compression.type"))->font().bold());

    row->setCurrentIndex(row->findText(QStringLiteral("gzip")));
    QCOMPARE(composer->currentText(), QStringLiteral("gzip"));
    QCOMPARE(prominent->currentText(), QStringLiteral("gzip"));

    partitionerPicker->setCurrentIndex(partitionerPicker->findText(QStringLiteral("round_robin")));
    QCOMPARE(panel.config().partitioner(), QStringLiteral("round_robin"));
    QCOMPARE(partitionerRow->currentText(), QStringLiteral("round_robin"));

    QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("resetAllButton")), Qt::LeftButton);
    QCOMPARE(composer->currentText(), QStringLiteral("none"));
    QCOMPARE(partitionerPicker->currentText(), QStringLiteral("default"));
}

void TestProducerSettings::loadPropertiesWithBadLineChangesNothing()
{
    ProducerSettingsWidget &panel = *m_panel;
    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("30"));
    const QMap<QString, QString> before = panel.config().explicitValues();
    QSignalSpy changed(&panel, &ProducerSettingsWidget::configChanged);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, QStringLiteral("client.properties"),
                                   "# producer settings\n"
                                   "acks=1\n"
                                   "batch.size = lots\n"
                                   "linger.ms=100\n");
    ProducerSettingsWidget::setNextFileName(path);
    QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("loadPropertiesButton")), Qt::LeftButton);

    auto *message = child<QLabel>(panel, QStringLiteral("settingsMessage"));
    QVERIFY(message->isVisible());
    QVERIFY(message->property("error").toBool());
    QVERIFY2(message->text().contains(QStringLiteral("line 3")), qPrintable(message->text()));
    QVERIFY2(message->text().contains(QStringLiteral("batch.size")), qPrintable(message->text()));
    QCOMPARE(panel.messageText(), message->text());
    // Nothing from the file, not even the good line before the bad one.
    QCOMPARE(panel.config().explicitValues(), before);
    QCOMPARE(child<QComboBox>(panel, QStringLiteral("acks"))->currentText(), QStringLiteral("all"));
    QCOMPARE(changed.count(), 0);

    // A line without '=' names its line too; a missing file says so.
    QVERIFY(!panel.loadPropertiesFile(writeFile(dir, QStringLiteral("b.properties"), "acks=1\n\nnonsense\n")));
    QVERIFY2(panel.messageText().contains(QStringLiteral("line 3")), qPrintable(panel.messageText()));
    QVERIFY(!panel.loadPropertiesFile(dir.filePath(QStringLiteral("missing.properties"))));
    QVERIFY2(panel.messageText().contains(QStringLiteral("missing.properties")), qPrintable(panel.messageText()));
    QCOMPARE(panel.config().explicitValues(), before);
}

void TestProducerSettings::loadPropertiesReplacesSettings()
{
    ProducerSettingsWidget &panel = *m_panel;
    retype(child<QLineEdit>(panel, QStringLiteral("retries")), QStringLiteral("3"));
    QSignalSpy bootstrap(&panel, &ProducerSettingsWidget::bootstrapServersLoaded);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, QStringLiteral("client.properties"),
                                   "bootstrap.servers=kafka-1:9092,kafka-2:9092\n"
                                   "compression.type=zstd\n"
                                   "linger.ms: 100\n"
                                   "allow.auto.create.topics=TRUE\n"
                                   "! a comment\n");
    ProducerSettingsWidget::setNextFileName(path);
    panel.chooseAndLoadProperties();
    QVERIFY2(!child<QLabel>(panel, QStringLiteral("settingsMessage"))->property("error").toBool(),
             qPrintable(panel.messageText()));
    QVERIFY2(panel.messageText().contains(QStringLiteral("Loaded 4 settings")), qPrintable(panel.messageText()));

    const ProducerConfig &config = panel.config();
    QCOMPARE(config.value(QStringLiteral("compression.type")), QStringLiteral("zstd"));
    QCOMPARE(config.lingerMs(), 100);
    QVERIFY(config.allowAutoTopicCreation());
    QVERIFY(!config.isSet(QStringLiteral("retries"))); // replaced, not merged
    QVERIFY(!config.isSet(QStringLiteral("bootstrap.servers")));
    QCOMPARE(bootstrap.count(), 1);
    QCOMPARE(bootstrap.first().first().toString(), QStringLiteral("kafka-1:9092,kafka-2:9092"));

    QCOMPARE(child<QComboBox>(panel, QStringLiteral("compressionPicker"))->currentText(), QStringLiteral("zstd"));
    QCOMPARE(child<QLineEdit>(panel, QStringLiteral("linger.ms"))->text(), QStringLiteral("100"));
    QVERIFY(child<QCheckBox>(panel, QStringLiteral("allow.auto.create.topics"))->isChecked());
    QVERIFY(labelOf(panel, QStringLiteral("linger.ms"))->font().bold());
    QVERIFY(!labelOf(panel, QStringLiteral("retries"))->font().bold());
}

void TestProducerSettings::appliedOnConnect()
{
    ProducerSettingsWidget &panel = *m_panel;
    auto *note = child<QLabel>(panel, QStringLiteral("appliedNote"));
    QSignalSpy apply(&panel, &ProducerSettingsWidget::applyRequested);
    QVERIFY(!panel.hasUnappliedChanges());

    ProducerConfig started;
    QVERIFY(started.set(QStringLiteral("bootstrap.servers"), QStringLiteral("kafka:9092")).ok());
    panel.setAppliedConfig(started);
    QVERIFY(!panel.hasUnappliedChanges());
    QVERIFY(!note->property("pending").toBool());

    retype(child<QLineEdit>(panel, QStringLiteral("linger.ms")), QStringLiteral("40"));
    QVERIFY(panel.hasUnappliedChanges());
    QVERIFY(note->property("pending").toBool());
    QVERIFY2(note->text().contains(QStringLiteral("Applied on Connect")), qPrintable(note->text()));
    QVERIFY2(note->text().contains(QStringLiteral("1 setting")), qPrintable(note->text()));

    QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("applySettingsButton")), Qt::LeftButton);
    QCOMPARE(apply.count(), 1);
    panel.setAppliedConfig(panel.config()); // what the window does on Connect
    QVERIFY(!panel.hasUnappliedChanges());
    QVERIFY(!note->property("pending").toBool());
}

QTEST_MAIN(TestProducerSettings)
#include "tst_producersettings.moc"
