#include "ui/ProducerSettingsWidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFont>
#include <QFontMetrics>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPalette>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace kpw {
namespace {

const auto kBootstrapKey = QStringLiteral("bootstrap.servers");
const auto kErrorStyle = QStringLiteral("color: #b0121f;");
const auto kPendingStyle = QStringLiteral("color: #8a5a00; font-weight: bold;");
const auto kMutedStyle = QStringLiteral("color: palette(dark);");
const QColor kInvalidBase(0xfd, 0xe4, 0xe4);
// Below this width the groups stack in one column.
constexpr int kTwoColumnWidth = 900;

bool isNumber(const ConfigKey &key)
{
    return key.type == QLatin1StringView("int") || key.type == QLatin1StringView("long");
}

// "05" is 5 and "TRUE" is true: a value equal to the default counts as not set.
bool isDefaultValue(const ConfigKey &key, const QString &value)
{
    if (isNumber(key)) {
        bool ok = false;
        bool defaultOk = false;
        const qint64 n = value.trimmed().toLongLong(&ok);
        const qint64 d = key.defaultValue.toLongLong(&defaultOk);
        return ok && defaultOk && n == d;
    }
    if (key.type == QLatin1StringView("bool") || key.type == QLatin1StringView("enum"))
        return value.trimmed().compare(key.defaultValue, Qt::CaseInsensitive) == 0;
    return value.trimmed() == key.defaultValue;
}

// The panel's view of a config: no bootstrap.servers, no values that equal
// their default. Every value in `config` passed set() already.
ProducerConfig normalized(const ProducerConfig &config, const QString &drop = QString())
{
    ProducerConfig out;
    const QMap<QString, QString> &values = config.explicitValues();
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const ConfigKey *key = ProducerConfig::key(it.key());
        if (!key || it.key() == kBootstrapKey || it.key() == drop || isDefaultValue(*key, it.value()))
            continue;
        (void)out.set(it.key(), it.value());
    }
    return out;
}

QString rangeText(const ConfigKey &key)
{
    if (isNumber(key)) {
        if (key.min == 0 && key.max == 0)
            return ProducerSettingsWidget::tr("a whole number");
        return ProducerSettingsWidget::tr("a whole number, %1 to %2")
            .arg(QLocale::c().toString(key.min), QLocale::c().toString(key.max));
    }
    if (key.type == QLatin1StringView("enum"))
        return ProducerSettingsWidget::tr("one of %1").arg(key.allowed.join(QStringLiteral(", ")));
    if (key.type == QLatin1StringView("bool"))
        return ProducerSettingsWidget::tr("true or false");
    if (key.type == QLatin1StringView("list"))
        return ProducerSettingsWidget::tr("a comma-separated list");
    return ProducerSettingsWidget::tr("text");
}

QString toolTipFor(const ConfigKey &key)
{
    const QString defaultText =
        key.defaultValue.isEmpty() ? ProducerSettingsWidget::tr("(empty)") : key.defaultValue.toHtmlEscaped();
    return QStringLiteral("<p><b>%1</b></p><p>%2</p><p>%3<br/>%4</p>")
        .arg(key.name.toHtmlEscaped(), key.doc.toHtmlEscaped(),
             ProducerSettingsWidget::tr("Default: %1").arg(defaultText),
             ProducerSettingsWidget::tr("Accepts %1.").arg(rangeText(key).toHtmlEscaped()));
}

int differences(const ProducerConfig &a, const ProducerConfig &b)
{
    int count = 0;
    for (const ConfigKey &key : ProducerConfig::keys()) {
        if (key.name != kBootstrapKey && a.value(key.name) != b.value(key.name))
            ++count;
    }
    return count;
}

void selectText(QComboBox *combo, const QString &text)
{
    const int index = combo->findText(text, Qt::MatchFixedString);
    if (index >= 0)
        combo->setCurrentIndex(index);
}

} // namespace

QString ProducerSettingsWidget::s_nextFileName;

ProducerSettingsWidget::ProducerSettingsWidget(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("producerSettings"));

    // Groups in the order the keys first name them.
    QStringList groupOrder;
    QHash<QString, QList<const ConfigKey *>> byGroup;
    for (const ConfigKey &key : ProducerConfig::keys()) {
        if (key.name == kBootstrapKey)
            continue;
        if (!byGroup.contains(key.group))
            groupOrder.append(key.group);
        byGroup[key.group].append(&key);
    }

    // One label width for all groups (wide enough for a bold name), so that
    // stacked groups line up.
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    for (const ConfigKey &key : ProducerConfig::keys())
        m_labelWidth = std::max(m_labelWidth, boldMetrics.horizontalAdvance(key.name));

    auto *content = new QWidget;
    content->setObjectName(QStringLiteral("settingsContent"));
    for (const QString &group : std::as_const(groupOrder))
        m_groups.append(buildGroup(group, byGroup.value(group), content));
    m_columnsLayout = new QHBoxLayout(content);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    m_columnsLayout->setSpacing(10);

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("settingsScroll"));
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addWidget(buildHeader());
    layout->addWidget(scroll, 1);

    layOutGroups(1);
    for (Row &row : m_rows)
        refreshRow(row);
    updateAppliedNote();
}

ProducerSettingsWidget::~ProducerSettingsWidget()
{
    // ~QWidget closes the window and so moves the focus away, which makes a
    // line edit emit editingFinished into a half-destroyed panel.
    for (const Row &row : std::as_const(m_rows))
        row.editor->disconnect(this);
}

QWidget *ProducerSettingsWidget::buildHeader()
{
    auto *header = new QWidget(this);

    // The two choices people change most, up front; their rows are below too.
    auto *codecLabel = new QLabel(tr("Co&mpression:"), header);
    QComboBox *codec = createPicker(QStringLiteral("compression.type"), header);
    codec->setObjectName(QStringLiteral("compressionPicker"));
    codecLabel->setBuddy(codec);
    auto *partitionerLabel = new QLabel(tr("P&artitioner:"), header);
    QComboBox *partitioner = createPicker(QStringLiteral("partitioner"), header);
    partitioner->setObjectName(QStringLiteral("partitionerPicker"));
    partitionerLabel->setBuddy(partitioner);
    for (QComboBox *combo : {codec, partitioner})
        combo->setMinimumWidth(140);

    auto *loadButton = new QPushButton(tr("&Load client.properties..."), header);
    loadButton->setObjectName(QStringLiteral("loadPropertiesButton"));
    loadButton->setToolTip(tr("Replace these settings with those of a Java client.properties file"));
    auto *resetAllButton = new QPushButton(tr("Reset all"), header);
    resetAllButton->setObjectName(QStringLiteral("resetAllButton"));
    resetAllButton->setToolTip(tr("Set every producer setting back to its default"));
    m_applyButton = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("Apply (reconnect)"), header);
    m_applyButton->setObjectName(QStringLiteral("applySettingsButton"));
    m_applyButton->setToolTip(tr("Restart the producer with these settings: reconnects to the bootstrap servers"));

    m_appliedNote = new QLabel(header);
    m_appliedNote->setObjectName(QStringLiteral("appliedNote"));
    m_appliedNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_message = new QLabel(header);
    m_message->setObjectName(QStringLiteral("settingsMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *pickers = new QHBoxLayout;
    pickers->setContentsMargins(0, 0, 0, 0);
    pickers->addWidget(codecLabel);
    pickers->addWidget(codec);
    pickers->addSpacing(12);
    pickers->addWidget(partitionerLabel);
    pickers->addWidget(partitioner);
    pickers->addStretch(1);
    pickers->addWidget(loadButton);
    pickers->addWidget(resetAllButton);
    pickers->addWidget(m_applyButton);

    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(pickers);
    layout->addWidget(m_appliedNote);
    layout->addWidget(m_message);

    connect(loadButton, &QPushButton::clicked, this, &ProducerSettingsWidget::chooseAndLoadProperties);
    connect(resetAllButton, &QPushButton::clicked, this, &ProducerSettingsWidget::resetAll);
    connect(m_applyButton, &QPushButton::clicked, this, &ProducerSettingsWidget::applyRequested);
    return header;
}

QGroupBox *ProducerSettingsWidget::buildGroup(const QString &group, const QList<const ConfigKey *> &keys,
                                              QWidget *parent)
{
    auto *box = new QGroupBox(group, parent);
    box->setObjectName(QStringLiteral("group:") + group);
    auto *grid = new QGridLayout(box);
    grid->setHorizontalSpacing(8);
    grid->setVerticalSpacing(3);
    grid->setColumnMinimumWidth(0, m_labelWidth);
    grid->setColumnStretch(3, 1); // editors keep their width, the slack goes right

    int line = 0;
    if (group == QLatin1StringView("Connection")) {
        auto *note = new QLabel(tr("bootstrap.servers: in the connection bar above"), box);
        note->setObjectName(QStringLiteral("bootstrapNote"));
        note->setStyleSheet(kMutedStyle);
        grid->addWidget(note, line++, 0, 1, 4);
    }
    for (const ConfigKey *key : keys) {
        Row row;
        row.key = key;
        row.label = new QLabel(key->name, box);
        row.label->setObjectName(QStringLiteral("label:") + key->name);
        row.label->setToolTip(toolTipFor(*key));
        row.editor = createEditor(*key, box);
        row.label->setBuddy(row.editor);

        row.reset = new QToolButton(box);
        row.reset->setObjectName(QStringLiteral("reset:") + key->name);
        row.reset->setText(QString(QChar(0x21BA))); // anticlockwise open circle arrow
        row.reset->setAutoRaise(true);
        // Shown only on rows that differ from the default; the space stays
        // so that the rows do not shift.
        QSizePolicy keep = row.reset->sizePolicy();
        keep.setRetainSizeWhenHidden(true);
        row.reset->setSizePolicy(keep);
        row.reset->setToolTip(tr("Reset %1 to its default (%2)")
                                  .arg(key->name, key->defaultValue.isEmpty() ? tr("empty") : key->defaultValue));

        row.error = new QLabel(box);
        row.error->setObjectName(QStringLiteral("error:") + key->name);
        row.error->setStyleSheet(kErrorStyle);
        row.error->setWordWrap(true);
        row.error->hide();

        grid->addWidget(row.label, line, 0);
        grid->addWidget(row.editor, line, 1);
        grid->addWidget(row.reset, line, 2);
        ++line;
        grid->addWidget(row.error, line++, 1, 1, 3);

        const QString name = key->name;
        connect(row.reset, &QToolButton::clicked, this, [this, name] { resetKey(name); });
        m_rows.insert(name, row);
    }
    return box;
}

QWidget *ProducerSettingsWidget::createEditor(const ConfigKey &key, QWidget *parent)
{
    const QString name = key.name;
    const int fieldWidth = fontMetrics().horizontalAdvance(QLatin1Char('0')) * 18;
    QWidget *editor = nullptr;
    if (key.type == QLatin1StringView("enum")) {
        auto *combo = new QComboBox(parent);
        combo->addItems(key.allowed);
        combo->setFixedWidth(fieldWidth);
        connect(combo, &QComboBox::currentTextChanged, this,
                [this, name, combo](const QString &text) { applyInput(name, text, combo); });
        editor = combo;
    } else if (key.type == QLatin1StringView("bool")) {
        auto *check = new QCheckBox(parent);
        connect(check, &QCheckBox::toggled, this, [this, name, check](bool on) {
            applyInput(name, on ? QStringLiteral("true") : QStringLiteral("false"), check);
        });
        editor = check;
    } else {
        auto *edit = new QLineEdit(parent);
        edit->setPlaceholderText(key.defaultValue);
        edit->setClearButtonEnabled(!isNumber(key));
        if (ProducerConfig::isSecret(name))
            edit->setEchoMode(QLineEdit::PasswordEchoOnEdit); // passwords, keys, tokens
        edit->setFixedWidth(fieldWidth);
        connect(edit, &QLineEdit::textEdited, this, [this, name, edit](const QString &text) {
            Row &row = m_rows[name];
            if (!row.editStart)
                row.editStart = m_config.value(name);
            // An emptied field means "the default", not an empty value.
            applyInput(name, text.trimmed().isEmpty() ? ProducerConfig::key(name)->defaultValue : text, edit);
        });
        // Once the user leaves a field, show the value as it was stored.
        connect(edit, &QLineEdit::editingFinished, this, [this, name] {
            Row &row = m_rows[name];
            row.editStart.reset();
            if (row.error->text().isEmpty())
                refreshRow(row);
        });
        editor = edit;
    }
    editor->setObjectName(name);
    editor->setToolTip(toolTipFor(key));
    return editor;
}

void ProducerSettingsWidget::layOutGroups(int columns)
{
    if (columns == m_columns)
        return;
    m_columns = columns;
    // Deleting a column layout leaves its group boxes alone (they belong to
    // the content widget) and takes the layout out of m_columnsLayout.
    while (QLayoutItem *item = m_columnsLayout->takeAt(0))
        delete item->layout();
    QList<QVBoxLayout *> stacks;
    for (int column = 0; column < columns; ++column) {
        auto *stack = new QVBoxLayout;
        stack->setSpacing(10);
        m_columnsLayout->addLayout(stack, 1);
        stacks.append(stack);
    }
    // Each group goes to the column that is shortest so far (by rows), so
    // the columns end up about as tall as each other.
    QList<int> heights(columns, 0);
    for (QGroupBox *box : std::as_const(m_groups)) {
        const auto shortest = std::min_element(heights.begin(), heights.end());
        stacks[int(shortest - heights.begin())]->addWidget(box);
        *shortest += box->layout()->count();
    }
    for (QVBoxLayout *stack : std::as_const(stacks))
        stack->addStretch(1);
}

void ProducerSettingsWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    layOutGroups(event->size().width() >= kTwoColumnWidth ? 2 : 1);
}

const ProducerConfig &ProducerSettingsWidget::config() const
{
    return m_config;
}

void ProducerSettingsWidget::setConfig(const ProducerConfig &config)
{
    replaceConfig(normalized(config));
}

void ProducerSettingsWidget::setAppliedConfig(const ProducerConfig &config)
{
    m_applied = normalized(config);
    m_hasApplied = true;
    updateAppliedNote();
}

bool ProducerSettingsWidget::hasUnappliedChanges() const
{
    return m_hasApplied && differences(m_config, m_applied) > 0;
}

QComboBox *ProducerSettingsWidget::createPicker(const QString &name, QWidget *parent)
{
    const ConfigKey *key = ProducerConfig::key(name);
    Q_ASSERT(key && key->type == QLatin1StringView("enum") && name != kBootstrapKey);
    auto *combo = new QComboBox(parent);
    if (!key)
        return combo;
    combo->addItems(key->allowed);
    combo->setToolTip(toolTipFor(*key));
    selectText(combo, m_config.value(name));
    connect(combo, &QComboBox::currentTextChanged, this,
            [this, name, combo](const QString &text) { applyInput(name, text, combo); });
    m_pickers[name].append(QPointer<QComboBox>(combo));
    return combo;
}

bool ProducerSettingsWidget::loadPropertiesFile(const QString &path)
{
    ProducerConfig loaded;
    const Result<bool> result = loaded.loadPropertiesFile(path);
    if (!result.ok()) {
        showMessage(tr("Not loaded, nothing changed: %1").arg(result.error().message), true);
        return false;
    }
    const QString servers = loaded.isSet(kBootstrapKey) ? loaded.value(kBootstrapKey) : QString();
    const int count = int(loaded.explicitValues().size());
    replaceConfig(normalized(loaded));
    const QString where = QDir::toNativeSeparators(path);
    showMessage(count == 1 ? tr("Loaded 1 setting from %1.").arg(where)
                           : tr("Loaded %1 settings from %2.").arg(count).arg(where),
                false);
    if (!servers.isEmpty())
        Q_EMIT bootstrapServersLoaded(servers);
    return true;
}

void ProducerSettingsWidget::setNextFileName(const QString &fileName)
{
    s_nextFileName = fileName;
}

QString ProducerSettingsWidget::messageText() const
{
    return m_message->text();
}

void ProducerSettingsWidget::chooseAndLoadProperties()
{
    QString path = std::exchange(s_nextFileName, QString());
    if (path.isEmpty()) {
        path = QFileDialog::getOpenFileName(this, tr("Load client.properties"), QString(),
                                            tr("Java properties (*.properties);;All files (*)"));
    }
    if (!path.isEmpty())
        loadPropertiesFile(path);
}

void ProducerSettingsWidget::resetAll()
{
    replaceConfig(ProducerConfig());
    showMessage(tr("Every setting is back to its default."), false);
}

void ProducerSettingsWidget::resetKey(const QString &name)
{
    auto it = m_rows.find(name);
    if (it == m_rows.end())
        return;
    const bool changed = m_config.isSet(name);
    m_config = normalized(m_config, name);
    it->editStart.reset();
    setRowError(*it, QString());
    refreshRow(*it);
    refreshPickers(name);
    if (changed) {
        updateAppliedNote();
        Q_EMIT configChanged();
    }
}

bool ProducerSettingsWidget::applyInput(const QString &name, const QString &text, QWidget *source)
{
    auto it = m_rows.find(name);
    if (it == m_rows.end())
        return false;
    Row &row = *it;

    ProducerConfig next = m_config;
    QString warning;
    const Result<bool> result = next.set(name, text, &warning);
    if (!result.ok()) {
        const QString fallback = row.editStart.value_or(m_config.value(name));
        setRowError(row, tr("%1 (still %2)").arg(result.error().message, fallback));
        if (m_config.value(name) != fallback) {
            ProducerConfig reverted = m_config;
            (void)reverted.set(name, fallback); // accepted before
            m_config = normalized(reverted);
            refreshRow(row, source);
            refreshPickers(name);
            updateAppliedNote();
            Q_EMIT configChanged();
        }
        return false;
    }
    next = normalized(next);
    const bool changed = next.explicitValues() != m_config.explicitValues();
    m_config = next;
    setRowError(row, QString());
    if (!warning.isEmpty())
        showMessage(warning, true); // e.g. host name verification turned off
    refreshRow(row, source);
    refreshPickers(name);
    if (changed) {
        updateAppliedNote();
        Q_EMIT configChanged();
    }
    return true;
}

void ProducerSettingsWidget::replaceConfig(const ProducerConfig &config)
{
    const bool changed = config.explicitValues() != m_config.explicitValues();
    m_config = config;
    for (Row &row : m_rows) {
        row.editStart.reset();
        setRowError(row, QString());
        refreshRow(row);
        refreshPickers(row.key->name);
    }
    updateAppliedNote();
    if (changed)
        Q_EMIT configChanged();
}

void ProducerSettingsWidget::refreshRow(Row &row, QWidget *source)
{
    const QString &name = row.key->name;
    const QString value = m_config.value(name);
    if (row.editor != source) {
        const QSignalBlocker blocker(row.editor);
        if (auto *combo = qobject_cast<QComboBox *>(row.editor))
            selectText(combo, value);
        else if (auto *check = qobject_cast<QCheckBox *>(row.editor))
            check->setChecked(m_config.boolean(name));
        else if (auto *edit = qobject_cast<QLineEdit *>(row.editor))
            edit->setText(value);
    }
    const bool set = m_config.isSet(name);
    QFont font = row.label->font();
    font.setBold(set);
    row.label->setFont(font);
    row.label->setProperty("nonDefault", set);
    updateResetButton(row);
}

void ProducerSettingsWidget::refreshPickers(const QString &name)
{
    const auto it = m_pickers.constFind(name);
    if (it == m_pickers.cend())
        return;
    for (const QPointer<QComboBox> &picker : *it) {
        if (!picker)
            continue;
        const QSignalBlocker blocker(picker.data());
        selectText(picker, m_config.value(name));
    }
}

void ProducerSettingsWidget::updateResetButton(Row &row)
{
    // Also for a rejected input: reset is the quick way out of it.
    const bool resettable = m_config.isSet(row.key->name) || !row.error->text().isEmpty();
    row.reset->setEnabled(resettable);
    row.reset->setVisible(resettable);
}

void ProducerSettingsWidget::setRowError(Row &row, const QString &error)
{
    row.error->setText(error);
    row.error->setVisible(!error.isEmpty());
    updateResetButton(row);
    const bool invalid = !error.isEmpty();
    if (row.editor->property("invalid").toBool() == invalid)
        return;
    row.editor->setProperty("invalid", invalid);
    if (invalid) {
        QPalette palette = row.editor->palette();
        palette.setColor(QPalette::Base, kInvalidBase);
        row.editor->setPalette(palette);
    } else {
        row.editor->setPalette(QPalette());
    }
}

void ProducerSettingsWidget::updateAppliedNote()
{
    const int pending = m_hasApplied ? differences(m_config, m_applied) : 0;
    if (pending > 0) {
        m_appliedNote->setText(
            (pending == 1 ? tr("Applied on Connect: 1 setting changed since the producer started.")
                          : tr("Applied on Connect: %1 settings changed since the producer started.").arg(pending)) +
            QLatin1Char(' ') + tr("Press Apply (reconnect) or Connect to use them."));
        m_appliedNote->setStyleSheet(kPendingStyle);
    } else {
        m_appliedNote->setText(m_hasApplied ? tr("Applied on Connect. The running producer uses these settings.")
                                            : tr("Applied on Connect: the producer starts with these settings."));
        m_appliedNote->setStyleSheet(QString());
    }
    m_appliedNote->setProperty("pending", pending > 0);
    m_applyButton->setDefault(pending > 0);
}

void ProducerSettingsWidget::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setToolTip(text);
    m_message->setStyleSheet(error ? kErrorStyle : QString());
    m_message->setProperty("error", error);
    m_message->setVisible(!text.isEmpty());
}

} // namespace kpw
