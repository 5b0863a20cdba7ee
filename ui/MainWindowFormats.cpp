// MainWindow's "Formats" tab: the key and value serializers (SerdePanel),
// fed by the composer as the user types, with the input's errors marked in
// the value editor and applied to the records on Send.
#include "ui/MainWindow.h"

#include "serde/Template.h"
#include "ui/MessageEditor.h"
#include "ui/QsciIncludes.h"
#include "ui/SerdePanel.h"
#include "ui/SerdePicker.h"

#include <Qsci/qscistyle.h>

#include <QCheckBox>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QTabWidget>

#include <algorithm>

namespace kpw {

namespace {

constexpr int kErrorIndicator = 8; // Scintilla leaves 0-7 to lexers

// The composer sends templates expanded ({{seq}} of the first copy, ...):
// validate what will be sent, not the placeholders.
QString expanded(const QString &text)
{
    if (!text.contains(QLatin1String("{{")))
        return text;
    std::optional<QByteArray> bytes = text.toUtf8();
    if (!Template::expandInPlace(bytes, TemplateContext{}).ok() || !bytes)
        return text;
    return QString::fromUtf8(*bytes);
}

QString shortVerdict(const SerdePicker *picker)
{
    return picker->inputError().isEmpty() ? QStringLiteral("\u2713") : QStringLiteral("\u2717");
}

} // namespace

void MainWindow::buildFormatsTab()
{
    m_formats = new SerdePanel(m_composerTabs);
    const int tab = m_composerTabs->addTab(m_formats, tr("Formats"));
    m_composerTabs->setTabToolTip(tab, tr("How the key and the value become bytes (string, JSON, Avro, Protobuf, "
                                          "JSON Schema, ...), their schemas and the exact bytes sent"));

    SerdePicker *keyPicker = m_formats->keyPicker();
    SerdePicker *valuePicker = m_formats->valuePicker();

    // The registry's subjects follow the composer's topic (TopicNameStrategy
    // and TopicRecordNameStrategy). Only the URL is saved (restoreSettings);
    // the basic-auth user info lives for the session.
    connect(m_editor, &MessageEditor::topicChanged, m_formats, &SerdePanel::setTopic);
    m_formats->setTopic(m_editor->topic());

    auto *keyEdit = m_editor->findChild<QLineEdit *>(QStringLiteral("keyEdit"));
    auto *nullKey = m_editor->findChild<QCheckBox *>(QStringLiteral("nullKeyCheck"));
    auto *valueEdit = m_editor->findChild<QsciScintilla *>(QStringLiteral("valueEditor"));
    auto *tombstone = m_editor->findChild<QCheckBox *>(QStringLiteral("tombstoneCheck"));
    Q_ASSERT(keyEdit && nullKey && valueEdit && tombstone);

    auto feedKey = [keyPicker, keyEdit, nullKey] {
        keyPicker->setInput(expanded(keyEdit->text()), nullKey->isChecked());
    };
    auto feedValue = [valuePicker, valueEdit, tombstone] {
        valuePicker->setInput(expanded(valueEdit->text()), tombstone->isChecked());
    };
    connect(keyEdit, &QLineEdit::textChanged, this, feedKey);
    connect(nullKey, &QCheckBox::toggled, this, feedKey);
    connect(valueEdit, &QsciScintilla::textChanged, this, feedValue);
    connect(tombstone, &QCheckBox::toggled, this, feedValue);
    feedKey();
    feedValue();

    connect(keyPicker, &SerdePicker::exampleReady, this, [this](const QString &text) {
        m_editor->setKey(text);
        m_composerTabs->setCurrentWidget(m_editor);
    });
    connect(valuePicker, &SerdePicker::exampleReady, this, [this](const QString &text) {
        m_editor->setTombstone(false);
        m_editor->setValue(text);
        m_composerTabs->setCurrentWidget(m_editor);
    });

    // The value's error where it is: a squiggle from the column to the end of
    // the line and the message under it.
    valueEdit->indicatorDefine(QsciScintilla::SquiggleIndicator, kErrorIndicator);
    valueEdit->setIndicatorForegroundColor(QColor(0xc0, 0x1c, 0x28), kErrorIndicator);
    valueEdit->setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
    auto *errorStyle = new QsciStyle(-1, QStringLiteral("serde error"), QColor(0xb0, 0x12, 0x1f),
                                     QColor(0xfd, 0xec, 0xec), QFontDatabase::systemFont(QFontDatabase::GeneralFont));
    connect(valuePicker, &QObject::destroyed, this, [errorStyle] { delete errorStyle; });
    connect(valuePicker, &SerdePicker::inputValidated, this,
            [this, valueEdit, errorStyle](bool ok, int line, int column, const QString &message) {
                const int lines = valueEdit->lines();
                valueEdit->clearIndicatorRange(0, 0, lines, 0, kErrorIndicator);
                valueEdit->clearAnnotations();
                if (!ok && line > 0 && line <= lines) {
                    const int from = std::max(0, column - 1);
                    const int to = std::max(from + 1, valueEdit->lineLength(line - 1));
                    valueEdit->fillIndicatorRange(line - 1, from, line - 1, to, kErrorIndicator);
                    valueEdit->annotate(line - 1, message, *errorStyle);
                }
                updateFormatsBadge();
            });
    connect(keyPicker, &SerdePicker::inputValidated, this, [this] { updateFormatsBadge(); });
    connect(keyPicker, &SerdePicker::serializerChanged, this, [this] { updateFormatsBadge(); });
    connect(valuePicker, &SerdePicker::serializerChanged, this, [this] { updateFormatsBadge(); });

    // One line in the composer's send bar says what Send will do with the
    // text; the link opens the tab.
    m_formatsBadge = new QLabel(m_editor);
    m_formatsBadge->setObjectName(QStringLiteral("formatsBadge"));
    m_formatsBadge->setTextFormat(Qt::RichText);
    // A long summary (a registry subject) is cut rather than widening the
    // window; the tooltip has it all.
    m_formatsBadge->setMinimumWidth(80);
    connect(m_formatsBadge, &QLabel::linkActivated, this, [this] { m_composerTabs->setCurrentWidget(m_formats); });
    m_editor->addSendBarWidget(m_formatsBadge);
    updateFormatsBadge();
}

void MainWindow::updateFormatsBadge()
{
    if (!m_formatsBadge)
        return;
    const SerdePicker *key = m_formats->keyPicker();
    const SerdePicker *value = m_formats->valuePicker();
    const bool bad = !key->inputError().isEmpty() || !value->inputError().isEmpty() || !key->serializer() ||
                     !value->serializer() || !key->registryProblem().isEmpty() || !value->registryProblem().isEmpty();
    m_formatsBadge->setText(tr("<a href=\"formats\">Formats</a>: key %1 %2, value %3 %4")
                                .arg(key->summary(true).toHtmlEscaped(), shortVerdict(key),
                                     value->summary(true).toHtmlEscaped(), shortVerdict(value)));
    QString tip = tr("Key: %1: %2\nValue: %3: %4")
                      .arg(key->summary(),
                           key->inputError().isEmpty()
                               ? (key->schemaError().isEmpty() ? tr("fits its format") : key->schemaError())
                               : key->inputError(),
                           value->summary(),
                           value->inputError().isEmpty()
                               ? (value->schemaError().isEmpty() ? tr("fits its format") : value->schemaError())
                               : value->inputError());
    m_formatsBadge->setToolTip(tip);
    m_formatsBadge->setStyleSheet(bad ? QStringLiteral("color: #b0121f;") : QString());
}

std::optional<QString> MainWindow::applyFormats(QList<ProducerRecord> &records) const
{
    if (!m_formats)
        return std::nullopt;
    const SerdePicker *keyPicker = m_formats->keyPicker();
    const SerdePicker *valuePicker = m_formats->valuePicker();
    const bool keyAsIs = keyPicker->isIdentity();
    const bool valueAsIs = valuePicker->isIdentity();
    if (keyAsIs && valueAsIs)
        return std::nullopt;

    // A registry source with no schema resolved (not fetched, fetching, or
    // the registry's error) sends nothing, for any side that has bytes.
    for (const SerdePicker *picker : {keyPicker, valuePicker}) {
        const QString problem = picker->registryProblem();
        if (problem.isEmpty())
            continue;
        const bool isKey = picker == keyPicker;
        const bool used = std::any_of(records.cbegin(), records.cend(), [isKey](const ProducerRecord &record) {
            return isKey ? record.key.has_value() : record.value.has_value();
        });
        if (used)
            return isKey ? tr("Nothing sent: the key's schema: %1").arg(problem)
                         : tr("Nothing sent: the value's schema: %1").arg(problem);
    }

    auto where = [&records](qsizetype i) { return records.size() > 1 ? tr(" of copy %1").arg(i + 1) : QString(); };
    for (qsizetype i = 0; i < records.size(); ++i) {
        ProducerRecord &record = records[i];
        if (!keyAsIs && record.key) {
            auto bytes = keyPicker->serialize(QString::fromUtf8(*record.key));
            if (!bytes.ok())
                return tr("Nothing sent: the key%1 is not valid %2: %3")
                    .arg(where(i), keyPicker->summary(), bytes.error().toString());
            record.key = bytes.value();
        }
        if (!valueAsIs && record.value) {
            auto bytes = valuePicker->serialize(QString::fromUtf8(*record.value));
            if (!bytes.ok())
                return tr("Nothing sent: the value%1 is not valid %2: %3")
                    .arg(where(i), valuePicker->summary(), bytes.error().toString());
            record.value = bytes.value();
        }
    }
    return std::nullopt;
}

} // namespace kpw
