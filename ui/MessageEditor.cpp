#include "ui/MessageEditor.h"

#include "ui/ElidedLabel.h"
#include "ui/Theme.h"

#include "records/Partitioner.h"
#include "serde/Template.h"
#include "wire/KafkaError.h"

#include "ui/QsciIncludes.h"

#include <QCheckBox>
#include <QCompleter>
#include <QElapsedTimer>
#include <QFrame>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>
#include <utility>

namespace kpw {
namespace {

enum HeaderColumn { HeaderNameColumn, HeaderValueColumn };

// A field's template, when it has {{...}} variables (core/serde/Template,
// shared with replay); nullopt for plain bytes and null fields.
std::optional<Template> templateOf(const std::optional<QByteArray> &bytes)
{
    if (!bytes || !bytes->contains("{{"))
        return std::nullopt;
    Result<Template> t = Template::parse(*bytes);
    if (!t || !t->hasVariables())
        return std::nullopt;
    return *t;
}

std::optional<QString> templateError(const ProducerRecord &record)
{
    const auto check = [](const std::optional<QByteArray> &bytes) -> std::optional<QString> {
        if (!bytes || !bytes->contains("{{"))
            return std::nullopt;
        Result<Template> t = Template::parse(*bytes);
        return t ? std::nullopt : std::optional<QString>(t.error().message);
    };
    if (auto e = check(record.key))
        return e;
    if (auto e = check(record.value))
        return e;
    for (const RecordHeader &header : record.headers)
        if (auto e = check(header.value))
            return e;
    return std::nullopt;
}

QsciScintilla *createValueEditor(QWidget *parent)
{
    auto *editor = new QsciScintilla(parent);
    editor->setUtf8(true);

    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *lexer = new QsciLexerJSON(editor);
    lexer->setDefaultFont(font);
    lexer->setFont(font, -1); // every style
    lexer->setHighlightComments(false);
    editor->setLexer(lexer);

    editor->setMarginsFont(font);
    editor->setMarginType(0, QsciScintilla::NumberMargin);
    editor->setMarginLineNumbers(0, true);
    editor->setMarginWidth(0, QStringLiteral("0000"));
    editor->setMarginsBackgroundColor(QColor(0xf3, 0xf4, 0xf6));
    editor->setMarginsForegroundColor(QColor(0x8a, 0x8f, 0x98));
    editor->setFolding(QsciScintilla::BoxedTreeFoldStyle, 1);
    editor->setFoldMarginColors(QColor(0xf3, 0xf4, 0xf6), QColor(0xf3, 0xf4, 0xf6));

    editor->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    editor->setMatchedBraceBackgroundColor(QColor(0xcd, 0xe8, 0xd0));
    editor->setUnmatchedBraceForegroundColor(QColor(0xc0, 0x1c, 0x28));
    editor->setAutoIndent(true);
    editor->setIndentationsUseTabs(false);
    editor->setTabWidth(2);
    editor->setIndentationGuides(true);
    editor->setCaretLineVisible(true);
    editor->setCaretLineBackgroundColor(QColor(0xf5, 0xf8, 0xff));
    editor->setWrapMode(QsciScintilla::WrapNone);
    editor->setScrollWidth(1);
    editor->setScrollWidthTracking(true);
    editor->setEolMode(QsciScintilla::EolUnix);
    theme::styleEditor(editor); // light or dark, with the window
    return editor;
}

} // namespace

MessageEditor::MessageEditor(QWidget *parent) : QWidget(parent)
{
    m_topicEdit = new QLineEdit(this);
    m_topicEdit->setObjectName(QStringLiteral("topicEdit"));
    m_topicEdit->setPlaceholderText(tr("Select a topic on the left or type its name"));
    m_topicEdit->setClearButtonEnabled(true);

    m_partitionSpin = new QSpinBox(this);
    m_partitionSpin->setObjectName(QStringLiteral("partitionSpin"));
    m_partitionSpin->setRange(-1, -1);
    m_partitionSpin->setSpecialValueText(tr("auto"));
    m_partitionSpin->setValue(-1);
    m_partitionSpin->setMinimumWidth(90);
    m_partitionSpin->setToolTip(
        tr("Partition: \"auto\" lets the partitioner choose (by key hash, or sticky for null keys)"));

    m_keyEdit = new QLineEdit(this);
    m_keyEdit->setObjectName(QStringLiteral("keyEdit"));
    m_keyEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_nullKeyCheck = new QCheckBox(tr("Null key"), this);
    m_nullKeyCheck->setObjectName(QStringLiteral("nullKeyCheck"));
    m_nullKeyCheck->setToolTip(tr("Send no key at all (null), which is not the same as an empty key"));
    m_nullKeyCheck->setChecked(true);

    m_valueEditor = createValueEditor(this);
    m_valueEditor->setObjectName(QStringLiteral("valueEditor"));

    m_tombstoneCheck = new QCheckBox(tr("Null value (tombstone)"), this);
    m_tombstoneCheck->setObjectName(QStringLiteral("tombstoneCheck"));
    m_tombstoneCheck->setToolTip(tr("Send a null value: on a compacted topic this deletes the key"));

    const QString seqHelp =
        tr("Templates in the key, the value and header values: {{seq}} (the copy's number, 1 to N), "
           "{{uuid}}, {{now}}, {{now:FORMAT}}, {{random.int(a,b)}}.");
    m_keyEdit->setToolTip(seqHelp);
    m_valueEditor->setToolTip(seqHelp);

    m_previewLabel = new ElidedLabel(this, Qt::ElideRight);
    m_previewLabel->setObjectName(QStringLiteral("partitionPreview"));
    m_previewLabel->setEnabled(false); // a muted, secondary line

    auto *templateHelp = new QLabel(tr("<a href=\"#\">{{\u2026}} templates</a>"), this);
    templateHelp->setObjectName(QStringLiteral("templateHelp"));
    templateHelp->setToolTip(
        tr("<p>Templates in the key, the value and header values, new for every record:</p>"
           "<table><tr><td><b>{{seq}}</b></td><td>the record's number: 1 to N with copies, counting on in "
           "automatic mode</td></tr>"
           "<tr><td><b>{{uuid}}</b></td><td>a random UUID</td></tr>"
           "<tr><td><b>{{now}}</b></td><td>UTC time, ISO 8601 with milliseconds</td></tr>"
           "<tr><td><b>{{now:ms}}</b>, <b>{{now:s}}</b></td><td>Unix time in milliseconds, seconds</td></tr>"
           "<tr><td><b>{{now:yyyy-MM-dd}}</b></td><td>UTC time in a format of your own</td></tr>"
           "<tr><td><b>{{random.int(1,100)}}</b></td><td>a random integer, both ends included</td></tr></table>"
           "<p>The same templates as the Replay tab.</p>"));
    connect(templateHelp, &QLabel::linkActivated, this, [templateHelp] {
        templateHelp->setToolTip(templateHelp->toolTip()); // the tooltip is the help; clicking keeps it simple
    });

    m_copiesSpin = new QSpinBox(this);
    m_copiesSpin->setObjectName(QStringLiteral("copiesSpin"));
    m_copiesSpin->setRange(1, kMaxCopies);
    m_copiesSpin->setValue(1);
    m_copiesSpin->setAccelerated(true);
    m_copiesSpin->setToolTip(
        tr("<p>Send this many copies of the record.</p><p><b>{{seq}}</b> in the key, the value or a header value "
           "becomes the copy's number, 1 to N: key <tt>customer-{{seq}}</tt> sends customer-1, customer-2, ...</p>"
           "<p>Also <b>{{uuid}}</b>, <b>{{now}}</b> (ISO 8601 UTC), <b>{{now:ms}}</b>, <b>{{now:yyyy-MM-dd}}</b> and "
           "<b>{{random.int(a,b)}}</b>, new for every copy; with one copy {{seq}} is 1.</p>"));
    auto *copiesLabel = new QLabel(tr("C&opies:"), this);
    copiesLabel->setBuddy(m_copiesSpin);
    copiesLabel->setToolTip(m_copiesSpin->toolTip());

    m_sendButton = new QPushButton(style()->standardIcon(QStyle::SP_ArrowForward), tr("Send"), this);
    m_sendButton->setObjectName(QStringLiteral("sendButton"));
    m_sendButton->setToolTip(tr("Send the record (Ctrl+Return)"));
    m_sendButton->setMinimumWidth(110);

    auto *hint = new QLabel(tr("Ctrl+Return"), this);
    hint->setEnabled(false);

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(6, 6, 6, 6);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(6);
    int row = 0;
    auto *topicLabel = new QLabel(tr("&Topic:"), this);
    topicLabel->setBuddy(m_topicEdit);
    grid->addWidget(topicLabel, row, 0);
    grid->addWidget(m_topicEdit, row, 1);
    auto *partitionLabel = new QLabel(tr("&Partition:"), this);
    partitionLabel->setBuddy(m_partitionSpin);
    grid->addWidget(partitionLabel, row, 2, Qt::AlignRight);
    grid->addWidget(m_partitionSpin, row, 3);
    ++row;
    auto *keyLabel = new QLabel(tr("&Key:"), this);
    keyLabel->setBuddy(m_keyEdit);
    grid->addWidget(keyLabel, row, 0);
    grid->addWidget(m_keyEdit, row, 1);
    grid->addWidget(m_nullKeyCheck, row, 2, 1, 2);
    ++row;
    grid->addWidget(m_previewLabel, row, 1, 1, 1);
    grid->addWidget(templateHelp, row, 2, 1, 2, Qt::AlignRight);
    ++row;
    auto *valueLabel = new QLabel(tr("&Value:"), this);
    valueLabel->setBuddy(m_valueEditor);
    grid->addWidget(valueLabel, row, 0, Qt::AlignTop);
    grid->addWidget(m_valueEditor, row, 1, 1, 3);
    grid->setRowStretch(row, 3);
    ++row;
    grid->addWidget(m_tombstoneCheck, row, 1, 1, 3);
    ++row;
    grid->addWidget(new QLabel(tr("Headers:"), this), row, 0, Qt::AlignTop);
    grid->addWidget(buildHeadersEditor(), row, 1, 1, 3);
    grid->setRowStretch(row, 1);
    ++row;
    m_sendRow = new QHBoxLayout;
    m_sendRow->addStretch(1);
    m_sendRow->addWidget(copiesLabel);
    m_sendRow->addWidget(m_copiesSpin);
    m_sendRow->addSpacing(8);
    m_sendRow->addWidget(hint);
    m_sendRow->addWidget(m_sendButton);
    grid->addLayout(m_sendRow, row, 0, 1, 4);
    ++row;
    grid->addWidget(buildAutoBar(), row, 0, 1, 4);
    grid->setColumnStretch(1, 1);

    connect(m_topicEdit, &QLineEdit::textChanged, this,
            [this](const QString &text) { Q_EMIT topicChanged(text.trimmed()); });
    // Typing a key means "this key", even an empty one after deleting it all.
    connect(m_keyEdit, &QLineEdit::textEdited, this, [this] { m_nullKeyCheck->setChecked(false); });
    connect(m_nullKeyCheck, &QCheckBox::toggled, this, [this](bool null) {
        if (null)
            m_keyEdit->clear();
        updateKeyPlaceholder();
        updatePartitionPreview();
    });
    connect(m_keyEdit, &QLineEdit::textChanged, this, &MessageEditor::updatePartitionPreview);
    connect(m_tombstoneCheck, &QCheckBox::toggled, this,
            [this](bool tombstone) { m_valueEditor->setEnabled(!tombstone); });
    connect(m_sendButton, &QPushButton::clicked, this, &MessageEditor::sendRequested);
    connect(m_copiesSpin, &QSpinBox::valueChanged, this, &MessageEditor::updateSendButton);

    for (const QKeySequence &keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setWhatsThis(tr("Composer: send (the copies set)"));
        connect(shortcut, &QShortcut::activated, this, &MessageEditor::sendRequested);
    }

    updateKeyPlaceholder();
    updatePartitionPreview();
}

QWidget *MessageEditor::buildAutoBar()
{
    auto *bar = new QFrame(this);
    bar->setObjectName(QStringLiteral("autoBar"));
    bar->setFrameShape(QFrame::StyledPanel);
    auto *title = new QLabel(tr("Automatic:"), bar);
    m_autoIntervalSpin = new QSpinBox(bar);
    m_autoIntervalSpin->setObjectName(QStringLiteral("autoIntervalSpin"));
    m_autoIntervalSpin->setRange(1, 3'600'000);
    m_autoIntervalSpin->setValue(1000);
    m_autoIntervalSpin->setPrefix(tr("every "));
    m_autoIntervalSpin->setSuffix(tr(" ms"));
    m_autoIntervalSpin->setToolTip(tr("Send the record (its copies) this often"));
    m_autoRecordsSpin = new QSpinBox(bar);
    m_autoRecordsSpin->setObjectName(QStringLiteral("autoRecordsSpin"));
    m_autoRecordsSpin->setRange(0, 100'000'000);
    m_autoRecordsSpin->setValue(100);
    m_autoRecordsSpin->setPrefix(tr("until "));
    m_autoRecordsSpin->setSuffix(tr(" records"));
    m_autoRecordsSpin->setSpecialValueText(tr("no record limit"));
    m_autoDurationSpin = new QSpinBox(bar);
    m_autoDurationSpin->setObjectName(QStringLiteral("autoDurationSpin"));
    m_autoDurationSpin->setRange(0, 7 * 24 * 3600);
    m_autoDurationSpin->setValue(0);
    m_autoDurationSpin->setPrefix(tr("or "));
    m_autoDurationSpin->setSuffix(tr(" s"));
    m_autoDurationSpin->setSpecialValueText(tr("no time limit"));
    m_autoButton = new QPushButton(tr("Start"), bar);
    m_autoButton->setObjectName(QStringLiteral("autoButton"));
    m_autoButton->setToolTip(tr("Start or stop sending automatically (Ctrl+Shift+Return)"));
    m_autoProgress = new QLabel(bar);
    m_autoProgress->setObjectName(QStringLiteral("autoProgress"));
    m_autoProgress->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(6, 3, 6, 3);
    layout->addWidget(title);
    layout->addWidget(m_autoIntervalSpin);
    layout->addWidget(m_autoRecordsSpin);
    layout->addWidget(m_autoDurationSpin);
    layout->addWidget(m_autoButton);
    layout->addWidget(m_autoProgress, 1);

    m_autoTimer = new QTimer(this);
    connect(m_autoTimer, &QTimer::timeout, this, &MessageEditor::autoTick);
    connect(m_autoButton, &QPushButton::clicked, this, [this] {
        if (m_autoRunning)
            stopAuto(tr("stopped"));
        else
            startAuto(m_autoIntervalSpin->value(), m_autoRecordsSpin->value(),
                      qint64(m_autoDurationSpin->value()) * 1000);
    });
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), this);
    shortcut->setWhatsThis(tr("Composer: start or stop the automatic mode"));
    connect(shortcut, &QShortcut::activated, m_autoButton, &QPushButton::click);
    return bar;
}

void MessageEditor::startAuto(int intervalMs, qint64 maxRecords, qint64 durationMs)
{
    m_autoMaxRecords = std::max<qint64>(0, maxRecords);
    m_autoDurationMs = std::max<qint64>(0, durationMs);
    m_autoSent = 0;
    m_seqBase = 0;
    m_autoRunning = true;
    m_autoClock.start();
    m_autoTimer->start(std::max(1, intervalMs));
    m_autoButton->setText(tr("Stop"));
    for (QWidget *w : {static_cast<QWidget *>(m_autoIntervalSpin), static_cast<QWidget *>(m_autoRecordsSpin),
                       static_cast<QWidget *>(m_autoDurationSpin)})
        w->setEnabled(false);
    updateAutoProgress();
    Q_EMIT autoStateChanged(true);
    autoTick(); // the first record goes now, not after one interval
}

void MessageEditor::stopAuto(const QString &why)
{
    if (!m_autoRunning)
        return;
    m_autoRunning = false;
    m_autoTimer->stop();
    m_seqBase = 0;
    m_autoButton->setText(tr("Start"));
    for (QWidget *w : {static_cast<QWidget *>(m_autoIntervalSpin), static_cast<QWidget *>(m_autoRecordsSpin),
                       static_cast<QWidget *>(m_autoDurationSpin)})
        w->setEnabled(true);
    updateAutoProgress();
    if (!why.isEmpty())
        m_autoProgress->setText(m_autoProgress->text() + QStringLiteral(" \u2014 ") + why);
    Q_EMIT autoStateChanged(false);
}

bool MessageEditor::autoRunning() const
{
    return m_autoRunning;
}

void MessageEditor::autoTick()
{
    if (!m_autoRunning)
        return;
    if (m_autoDurationMs > 0 && m_autoClock.elapsed() >= m_autoDurationMs) {
        stopAuto(tr("time is up"));
        return;
    }
    Q_EMIT sendRequested();
}

void MessageEditor::noteSent(qsizetype count)
{
    if (!m_autoRunning)
        return;
    m_autoSent += count;
    m_seqBase += quint64(count);
    updateAutoProgress();
    if (m_autoMaxRecords > 0 && m_autoSent >= m_autoMaxRecords)
        stopAuto(tr("done"));
}

void MessageEditor::updateAutoProgress()
{
    const double seconds = double(m_autoClock.isValid() ? m_autoClock.elapsed() : 0) / 1000.0;
    QString text = m_autoMaxRecords > 0 ? tr("%1 of %2 sent").arg(m_autoSent).arg(m_autoMaxRecords)
                                        : tr("%1 sent").arg(m_autoSent);
    text += m_autoDurationMs > 0 ? tr(", %1 of %2 s").arg(seconds, 0, 'f', 1).arg(double(m_autoDurationMs) / 1000.0)
                                 : tr(", %1 s").arg(seconds, 0, 'f', 1);
    m_autoProgress->setText(text);
}

QString MessageEditor::partitionPreview() const
{
    const int count = m_partitionCount;
    if (count < 1)
        return tr("Partition preview: the topic's partition count is not known yet (connect, pick a topic)");
    const QString of = tr("of %n partition(s)", nullptr, count);
    const QString emptyHash = QString::number(murmur2Partition(QByteArray(), count));
    if (m_nullKeyCheck->isChecked())
        return tr("Null key \u2192 Java default: sticky (one partition per batch) \u00b7 murmur2: %1 (hashes as "
                  "empty) \u00b7 round_robin: in turn, %2")
            .arg(emptyHash, of);
    const QString p = QString::number(murmur2Partition(m_keyEdit->text().toUtf8(), count));
    return tr("Key \u2192 partition %1 with the Java default (murmur2) \u00b7 %2 \u00b7 round_robin: in turn")
        .arg(p, tr("%n partition(s)", nullptr, count));
}

void MessageEditor::updatePartitionPreview()
{
    QString text = partitionPreview();
    if (!m_nullKeyCheck->isChecked() && m_keyEdit->text().contains(QLatin1String("{{")))
        text += tr(" (key as typed; templates vary it)");
    m_previewLabel->setFullText(text, true);
    m_previewLabel->setToolTip(
        text + QStringLiteral("\n\n") +
        tr("Where a record with this key lands when the partition is \"auto\", for the topic's partition count. "
           "The Java client's default partitioner hashes the key with murmur2 (kpw does the same, byte for "
           "byte); partitioner=murmur2 (librdkafka's murmur2_random) also hashes a null key, as empty; "
           "round_robin ignores the key."));
}

QWidget *MessageEditor::buildHeadersEditor()
{
    auto *box = new QWidget(this);
    m_headersTable = new QTableWidget(0, 2, box);
    m_headersTable->setObjectName(QStringLiteral("headersTable"));
    m_headersTable->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_headersTable->horizontalHeader()->setStretchLastSection(true);
    m_headersTable->horizontalHeader()->setHighlightSections(false);
    m_headersTable->horizontalHeader()->resizeSection(HeaderNameColumn, 180);
    m_headersTable->verticalHeader()->setVisible(false);
    m_headersTable->verticalHeader()->setDefaultSectionSize(m_headersTable->fontMetrics().height() + 8);
    m_headersTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_headersTable->setMinimumHeight(80);
    m_headersTable->setToolTip(tr("Record headers. Names may repeat; the order is kept."));

    m_addHeaderButton = new QToolButton(box);
    m_addHeaderButton->setObjectName(QStringLiteral("addHeaderButton"));
    m_addHeaderButton->setText(QStringLiteral("+"));
    m_addHeaderButton->setToolTip(tr("Add a header"));
    m_removeHeaderButton = new QToolButton(box);
    m_removeHeaderButton->setObjectName(QStringLiteral("removeHeaderButton"));
    m_removeHeaderButton->setText(QString(QChar(0x2212))); // minus sign
    m_removeHeaderButton->setToolTip(tr("Remove the selected headers"));
    for (QToolButton *button : {m_addHeaderButton, m_removeHeaderButton})
        button->setFixedSize(26, 26);

    auto *buttons = new QVBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_addHeaderButton);
    buttons->addWidget(m_removeHeaderButton);
    buttons->addStretch(1);

    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headersTable, 1);
    layout->addLayout(buttons);

    connect(m_addHeaderButton, &QToolButton::clicked, this, [this] {
        addHeader(QString(), QString());
        const int row = m_headersTable->rowCount() - 1;
        m_headersTable->setCurrentCell(row, HeaderNameColumn);
        m_headersTable->editItem(m_headersTable->item(row, HeaderNameColumn));
    });
    connect(m_removeHeaderButton, &QToolButton::clicked, this, &MessageEditor::removeSelectedHeaders);
    return box;
}

void MessageEditor::removeSelectedHeaders()
{
    QList<int> rows;
    const auto ranges = m_headersTable->selectedRanges();
    for (const QTableWidgetSelectionRange &range : ranges) {
        for (int row = range.topRow(); row <= range.bottomRow(); ++row)
            rows.append(row);
    }
    if (rows.isEmpty() && m_headersTable->currentRow() >= 0)
        rows.append(m_headersTable->currentRow());
    std::sort(rows.begin(), rows.end(), std::greater<>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (int row : rows)
        m_headersTable->removeRow(row);
}

void MessageEditor::updateSendButton()
{
    const int copies = m_copiesSpin->value();
    m_sendButton->setText(copies == 1 ? tr("Send") : tr("Send \u00D7%1").arg(copies));
    m_sendButton->setToolTip(copies == 1 ? tr("Send the record (Ctrl+Return)")
                                         : tr("Send %1 copies of the record (Ctrl+Return)").arg(copies));
}

void MessageEditor::updateKeyPlaceholder()
{
    m_keyEdit->setPlaceholderText(m_nullKeyCheck->isChecked() ? tr("null (no key)") : tr("empty key"));
}

QString MessageEditor::topic() const
{
    return m_topicEdit->text().trimmed();
}

void MessageEditor::setTopic(const QString &topic)
{
    if (m_topicEdit->text() != topic)
        m_topicEdit->setText(topic);
}

void MessageEditor::setPartitionCount(int count)
{
    m_partitionCount = std::max(count, 0);
    updatePartitionPreview();
    const int max = std::max(count, 0) - 1;
    m_partitionSpin->setMaximum(max);
    m_partitionSpin->setToolTip(count > 0 ? tr("Partition: \"auto\" or 0 to %1").arg(max)
                                          : tr("Partition: \"auto\" (the topic's partitions are not known)"));
}

void MessageEditor::setTopicCompletionModel(QAbstractItemModel *model, int nameRole)
{
    auto *completer = new QCompleter(model, m_topicEdit);
    completer->setCompletionRole(nameRole);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_topicEdit->setCompleter(completer);
}

void MessageEditor::setKey(const QString &key)
{
    m_nullKeyCheck->setChecked(false);
    m_keyEdit->setText(key);
}

void MessageEditor::setNullKey(bool null)
{
    m_nullKeyCheck->setChecked(null);
}

void MessageEditor::setValue(const QString &value)
{
    m_tombstoneCheck->setChecked(false);
    m_valueEditor->setText(value);
}

void MessageEditor::setTombstone(bool tombstone)
{
    m_tombstoneCheck->setChecked(tombstone);
}

void MessageEditor::addHeader(const QString &name, const QString &value)
{
    const int row = m_headersTable->rowCount();
    m_headersTable->insertRow(row);
    m_headersTable->setItem(row, HeaderNameColumn, new QTableWidgetItem(name));
    m_headersTable->setItem(row, HeaderValueColumn, new QTableWidgetItem(value));
}

void MessageEditor::clearHeaders()
{
    m_headersTable->setRowCount(0);
}

void MessageEditor::setRecord(const ProducerRecord &record)
{
    setTopic(record.topic);
    m_partitionSpin->setValue(std::clamp(record.partition, m_partitionSpin->minimum(), m_partitionSpin->maximum()));
    if (record.key)
        setKey(QString::fromUtf8(*record.key));
    else
        setNullKey(true);
    if (record.value)
        setValue(QString::fromUtf8(*record.value));
    else
        setTombstone(true);
    clearHeaders();
    for (const RecordHeader &header : record.headers)
        addHeader(header.key, header.value ? QString::fromUtf8(*header.value) : QString());
}

void MessageEditor::commitPendingEdits()
{
    // Moving the current index away commits and closes an open cell editor.
    const QModelIndex current = m_headersTable->currentIndex();
    m_headersTable->setCurrentIndex(QModelIndex());
    m_headersTable->setCurrentIndex(current);
}

void MessageEditor::focusValue()
{
    m_valueEditor->setFocus();
}

int MessageEditor::copies() const
{
    return m_copiesSpin->value();
}

void MessageEditor::setCopies(int copies)
{
    m_copiesSpin->setValue(copies);
}

void MessageEditor::addSendBarWidget(QWidget *widget)
{
    // After the stretch, before the copy count, each with room after it.
    const int at = 1 + 2 * m_sendBarWidgets++;
    m_sendRow->insertWidget(at, widget);
    m_sendRow->insertSpacing(at + 1, 12);
}

Result<ProducerRecord> MessageEditor::record() const
{
    ProducerRecord record;
    record.topic = topic();
    if (record.topic.isEmpty())
        return Error{KafkaError::ClientInvalidRecord, tr("No topic selected: pick one in the topic list first.")};
    record.partition = m_partitionSpin->value();
    if (!m_nullKeyCheck->isChecked())
        record.key = m_keyEdit->text().toUtf8();
    if (!m_tombstoneCheck->isChecked())
        record.value = m_valueEditor->text().toUtf8();

    for (int row = 0; row < m_headersTable->rowCount(); ++row) {
        const QTableWidgetItem *nameItem = m_headersTable->item(row, HeaderNameColumn);
        const QTableWidgetItem *valueItem = m_headersTable->item(row, HeaderValueColumn);
        const QString name = nameItem ? nameItem->text() : QString();
        const QString value = valueItem ? valueItem->text() : QString();
        if (name.isEmpty() && value.isEmpty())
            continue; // a row added and left blank
        if (name.isEmpty())
            return Error{KafkaError::ClientInvalidRecord, tr("Header row %1 has a value but no name.").arg(row + 1)};
        record.headers.append(RecordHeader{name, value.toUtf8()});
    }
    return record;
}

Result<QList<ProducerRecord>> MessageEditor::records() const
{
    Result<ProducerRecord> base = record();
    if (!base.ok())
        return base.error();
    if (const auto error = templateError(*base))
        return Error{KafkaError::ClientInvalidRecord, *error};
    int copies = m_copiesSpin->value();
    if (m_autoRunning && m_autoMaxRecords > 0)
        copies = int(std::clamp<qint64>(m_autoMaxRecords - m_autoSent, 0, copies));
    if (copies < 1)
        return Error{KafkaError::ClientInvalidRecord, tr("The automatic mode has sent all its records.")};
    return expandCopies(*base, copies, m_seqBase + 1);
}

QList<ProducerRecord> MessageEditor::expandCopies(const ProducerRecord &record, int copies, quint64 firstSeq)
{
    QList<ProducerRecord> out;
    if (copies < 1)
        return out;
    out.reserve(copies);
    const std::optional<Template> key = templateOf(record.key);
    const std::optional<Template> value = templateOf(record.value);
    QList<std::optional<Template>> headers;
    bool any = key || value;
    for (const RecordHeader &header : record.headers) {
        headers.append(templateOf(header.value));
        any = any || headers.last();
    }
    if (!any) {
        out.fill(record, copies);
        return out;
    }
    for (int i = 0; i < copies; ++i) {
        const TemplateContext context{static_cast<std::uint64_t>(firstSeq + quint64(i)), 0, -1};
        ProducerRecord copy = record;
        if (key)
            copy.key = key->expand(context);
        if (value)
            copy.value = value->expand(context);
        for (qsizetype i = 0; i < copy.headers.size(); ++i)
            if (headers[i])
                copy.headers[i].value = headers[i]->expand(context);
        out.append(std::move(copy));
    }
    return out;
}

} // namespace kpw
