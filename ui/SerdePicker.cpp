#include "ui/SerdePicker.h"

#include "serde/RegistryClient.h"
#include "serde/RegistryResolve.h"
#include "serde/SchemaReferences.h"
#include "serde/WireFormat.h"
#include "ui/QsciIncludes.h"
#include "ui/Theme.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <limits>

namespace kpw {

namespace {

// C++'s lexer with Protobuf's words: good enough for strings, comments,
// numbers and keywords in a .proto file.
class ProtoLexer final : public QsciLexerCPP
{
public:
    using QsciLexerCPP::QsciLexerCPP;

    const char *language() const override { return "Protobuf"; }
    const char *keywords(int set) const override
    {
        if (set == 1)
            return "syntax package import public weak option message enum service rpc returns "
                   "stream oneof map reserved extensions extend to max repeated optional required "
                   "true false edition";
        if (set == 2)
            return "double float int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 "
                   "sfixed64 bool string bytes";
        return nullptr;
    }
};

QsciScintilla *createSchemaEditor(QWidget *parent)
{
    auto *editor = new QsciScintilla(parent);
    editor->setUtf8(true);
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    editor->setMarginsFont(font);
    editor->setMarginType(0, QsciScintilla::NumberMargin);
    editor->setMarginLineNumbers(0, true);
    editor->setMarginWidth(0, QStringLiteral("0000"));
    editor->setMarginsBackgroundColor(QColor(0xf3, 0xf4, 0xf6));
    editor->setMarginsForegroundColor(QColor(0x8a, 0x8f, 0x98));
    editor->setFolding(QsciScintilla::BoxedTreeFoldStyle, 1);
    editor->setFoldMarginColors(QColor(0xf3, 0xf4, 0xf6), QColor(0xf3, 0xf4, 0xf6));
    editor->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    editor->setAutoIndent(true);
    editor->setIndentationsUseTabs(false);
    editor->setTabWidth(2);
    editor->setEolMode(QsciScintilla::EolUnix);
    editor->setWrapMode(QsciScintilla::WrapNone);
    theme::styleEditor(editor);
    return editor;
}

void setLexerFor(QsciScintilla *editor, serde::Format format)
{
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    QsciLexer *lexer = nullptr;
    if (format == serde::Format::Protobuf) {
        lexer = new ProtoLexer(editor);
    } else {
        auto *json = new QsciLexerJSON(editor);
        json->setHighlightComments(false);
        lexer = json;
    }
    lexer->setDefaultFont(font);
    lexer->setFont(font, -1);
    QsciLexer *old = editor->lexer();
    editor->setLexer(lexer);
    delete old;
    theme::styleEditor(editor); // the new lexer's colours for the current palette
}

QString verdictStyle(bool ok)
{
    return ok ? QStringLiteral("color: #1a7f37;") : QStringLiteral("color: #c01c28;");
}

// The serde format of a registry schema type (AVRO, PROTOBUF, JSON).
std::optional<serde::Format> formatForSchemaType(const QString &type)
{
    if (type == QLatin1StringView("AVRO"))
        return serde::Format::Avro;
    if (type == QLatin1StringView("PROTOBUF"))
        return serde::Format::Protobuf;
    if (type == QLatin1StringView("JSON"))
        return serde::Format::JsonSchema;
    return std::nullopt;
}

// The registry schema type of a serde format, empty for the schemaless ones.
QString schemaTypeForFormat(serde::Format format)
{
    switch (format) {
    case serde::Format::Avro: return QStringLiteral("AVRO");
    case serde::Format::Protobuf: return QStringLiteral("PROTOBUF");
    case serde::Format::JsonSchema: return QStringLiteral("JSON");
    default: return {};
    }
}

} // namespace

SerdePicker::SerdePicker(const QString &role, QWidget *parent) : QWidget(parent), m_role(role)
{
    setObjectName(role.toLower() + QStringLiteral("SerdePicker"));

    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(QStringLiteral("formatCombo"));
    for (const serde::FormatInfo &info : serde::formats()) {
        m_formatCombo->addItem(info.label, static_cast<int>(info.format));
        m_formatCombo->setItemData(m_formatCombo->count() - 1, info.hint, Qt::ToolTipRole);
    }
    m_formatHint = new QLabel(this);
    m_formatHint->setWordWrap(true);
    m_formatHint->setStyleSheet(QStringLiteral("color: palette(mid);"));

    m_openButton = new QPushButton(tr("Schema file..."), this);
    m_openButton->setObjectName(QStringLiteral("openSchemaButton"));
    m_fileLabel = new QLabel(this);
    m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fileLabel->setMinimumWidth(60);

    m_sourceCombo = new QComboBox(this);
    m_sourceCombo->setObjectName(QStringLiteral("sourceCombo"));
    m_sourceCombo->addItem(tr("Typed / file"));
    m_sourceCombo->addItem(tr("Schema Registry"));
    m_sourceCombo->setToolTip(tr("Where the schema comes from: the editor below (typed or opened from a file), or "
                                 "the Schema Registry named above the pickers"));

    m_registryBox = new QWidget(this);
    m_registryBox->setObjectName(QStringLiteral("registryBox"));
    m_strategyCombo = new QComboBox(m_registryBox);
    m_strategyCombo->setObjectName(QStringLiteral("strategyCombo"));
    m_strategyCombo->addItem(tr("TopicName"), static_cast<int>(SubjectStrategy::TopicName));
    m_strategyCombo->addItem(tr("RecordName"), static_cast<int>(SubjectStrategy::RecordName));
    m_strategyCombo->addItem(tr("TopicRecordName"), static_cast<int>(SubjectStrategy::TopicRecordName));
    m_strategyCombo->setToolTip(tr("Subject name strategy: <topic>-%1, the record's full name, or "
                                   "<topic>-<record name> (the record name comes from the schema in the editor)")
                                    .arg(role.toLower()));
    m_subjectCombo = new QComboBox(m_registryBox);
    m_subjectCombo->setObjectName(QStringLiteral("subjectCombo"));
    m_subjectCombo->setEditable(true);
    m_subjectCombo->setInsertPolicy(QComboBox::NoInsert);
    m_subjectCombo->setMinimumContentsLength(12);
    m_subjectCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_subjectsButton = new QPushButton(QStringLiteral("\u21bb"), m_registryBox);
    m_subjectsButton->setObjectName(QStringLiteral("subjectsButton"));
    m_subjectsButton->setToolTip(tr("Reload the registry's subjects"));
    m_subjectsButton->setMaximumWidth(32);
    m_versionCombo = new QComboBox(m_registryBox);
    m_versionCombo->setObjectName(QStringLiteral("versionCombo"));
    m_versionCombo->setEditable(true);
    m_versionCombo->setInsertPolicy(QComboBox::NoInsert);
    m_versionCombo->addItem(QStringLiteral("latest"));
    m_versionCombo->setMinimumContentsLength(6);
    m_idEdit = new QLineEdit(m_registryBox);
    m_idEdit->setObjectName(QStringLiteral("schemaIdEdit"));
    m_idEdit->setValidator(new QIntValidator(0, std::numeric_limits<int>::max(), m_idEdit));
    m_idEdit->setPlaceholderText(tr("any"));
    m_idEdit->setToolTip(tr("A schema id picks the schema alone: subject and version are then not used"));
    m_idEdit->setMaximumWidth(90);
    m_fetchButton = new QPushButton(tr("Fetch"), m_registryBox);
    m_fetchButton->setObjectName(QStringLiteral("fetchButton"));
    m_fetchButton->setToolTip(tr("Get the schema from the registry and use it (format, schema, wire framing)"));
    m_registerButton = new QPushButton(tr("Register"), m_registryBox);
    m_registerButton->setObjectName(QStringLiteral("registerButton"));
    m_registerButton->setToolTip(tr("Register the editor's schema under the subject and use the id it gets"));
    m_editButton = new QPushButton(tr("Edit schema"), m_registryBox);
    m_editButton->setObjectName(QStringLiteral("editSchemaButton"));
    m_editButton->setToolTip(tr("Unlock the fetched schema to change it (then Register it)"));
    m_registryStatus = new QLabel(m_registryBox);
    m_registryStatus->setObjectName(QStringLiteral("registryStatus"));
    m_registryStatus->setWordWrap(true);
    m_registryStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *subjectLabel = new QLabel(tr("Subject"), m_registryBox);
    subjectLabel->setBuddy(m_subjectCombo);
    auto *subjectRow = new QHBoxLayout;
    subjectRow->addWidget(subjectLabel);
    subjectRow->addWidget(m_strategyCombo);
    subjectRow->addWidget(m_subjectCombo, 1);
    subjectRow->addWidget(m_subjectsButton);
    auto *versionLabel = new QLabel(tr("Version"), m_registryBox);
    versionLabel->setBuddy(m_versionCombo);
    auto *idLabel = new QLabel(tr("or id"), m_registryBox);
    idLabel->setBuddy(m_idEdit);
    auto *versionRow = new QHBoxLayout;
    versionRow->addWidget(versionLabel);
    versionRow->addWidget(m_versionCombo);
    versionRow->addWidget(idLabel);
    versionRow->addWidget(m_idEdit);
    versionRow->addStretch(1);
    versionRow->addWidget(m_fetchButton);
    // The status wraps beside Register and Edit: the picker stays narrow
    // enough for both pickers side by side at 1280 pixels.
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_registryStatus, 1);
    statusRow->addWidget(m_registerButton, 0, Qt::AlignTop);
    statusRow->addWidget(m_editButton, 0, Qt::AlignTop);
    auto *registryLayout = new QVBoxLayout(m_registryBox);
    registryLayout->setContentsMargins(0, 0, 0, 0);
    registryLayout->setSpacing(2);
    registryLayout->addLayout(subjectRow);
    registryLayout->addLayout(versionRow);
    registryLayout->addLayout(statusRow);

    m_schemaEdit = createSchemaEditor(this);
    m_schemaEdit->setObjectName(QStringLiteral("schemaEdit"));
    m_schemaEdit->setMinimumHeight(120);

    m_typeLabel = new QLabel(tr("Message type"), this);
    m_typeCombo = new QComboBox(this);
    m_typeCombo->setObjectName(QStringLiteral("typeCombo"));
    m_typeCombo->setMinimumContentsLength(18);
    m_typeCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_typeLabel->setBuddy(m_typeCombo);

    m_exampleButton = new QPushButton(tr("Example from schema"), this);
    m_exampleButton->setObjectName(QStringLiteral("exampleButton"));
    m_exampleButton->setToolTip(tr("Fill the %1 editor with a sample that the schema accepts").arg(role.toLower()));

    m_schemaStatus = new QLabel(this);
    m_schemaStatus->setObjectName(QStringLiteral("schemaStatus"));
    m_schemaStatus->setWordWrap(true);
    m_schemaStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("verdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_previewTitle = new QLabel(this);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(QStringLiteral("wirePreview"));
    m_preview->setReadOnly(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setMinimumHeight(60);

    auto *top = new QHBoxLayout;
    auto *formatLabel = new QLabel(tr("%1 format").arg(role), this);
    formatLabel->setBuddy(m_formatCombo);
    top->addWidget(formatLabel);
    top->addWidget(m_formatCombo, 1);
    top->addWidget(m_openButton);

    auto *typeRow = new QHBoxLayout;
    typeRow->addWidget(m_typeLabel);
    typeRow->addWidget(m_typeCombo, 1);
    typeRow->addWidget(m_exampleButton);

    auto *schemaBox = new QWidget(this);
    auto *schemaLayout = new QVBoxLayout(schemaBox);
    schemaLayout->setContentsMargins(0, 0, 0, 0);
    schemaLayout->addWidget(m_fileLabel);
    schemaLayout->addWidget(m_schemaEdit, 1);
    schemaLayout->addLayout(typeRow);
    schemaLayout->addWidget(m_schemaStatus);

    auto *previewBox = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(m_verdict);
    previewLayout->addWidget(m_previewTitle);
    previewLayout->addWidget(m_preview, 1);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(schemaBox);
    split->addWidget(previewBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    auto *hintRow = new QHBoxLayout;
    hintRow->addWidget(m_formatHint, 1);
    auto *sourceLabel = new QLabel(tr("Schema from"), this);
    sourceLabel->setBuddy(m_sourceCombo);
    hintRow->addWidget(sourceLabel);
    hintRow->addWidget(m_sourceCombo);
    layout->addLayout(hintRow);
    layout->addWidget(m_registryBox);
    layout->addWidget(split, 1);

    m_inputTimer = new QTimer(this);
    m_inputTimer->setSingleShot(true);
    m_inputTimer->setInterval(150);
    connect(m_inputTimer, &QTimer::timeout, this, &SerdePicker::showVerdict);
    m_schemaTimer = new QTimer(this);
    m_schemaTimer->setSingleShot(true);
    m_schemaTimer->setInterval(300);
    connect(m_schemaTimer, &QTimer::timeout, this, &SerdePicker::rebuildSerializer);

    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, [this] {
        setLexerFor(m_schemaEdit, format());
        updateSchemaWidgets();
        rebuildSerializer();
    });
    connect(m_openButton, &QPushButton::clicked, this, &SerdePicker::chooseSchemaFile);
    connect(m_schemaEdit, &QsciScintilla::textChanged, this, [this] {
        if (!m_settingSchema)
            m_schemaTimer->start();
    });
    connect(m_typeCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_settingSchema && format() == serde::Format::Protobuf)
            rebuildSerializer();
    });
    connect(m_exampleButton, &QPushButton::clicked, this, &SerdePicker::fillExample);

    connect(m_sourceCombo, &QComboBox::currentIndexChanged, this, [this](int index) { setRegistrySource(index == 1); });
    connect(m_strategyCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_subjectEdited = false;
        updateDefaultSubject();
    });
    connect(m_subjectCombo, &QComboBox::editTextChanged, this, [this] {
        if (m_settingSubject)
            return;
        m_subjectEdited = true;
        if (m_resolved && !m_resolved->subject.isEmpty() && m_idEdit->text().isEmpty())
            unresolve(tr("the subject changed: Fetch to use it"));
    });
    connect(m_subjectCombo, &QComboBox::activated, this, [this] { listVersions(); });
    connect(m_subjectCombo->lineEdit(), &QLineEdit::editingFinished, this, [this] { listVersions(); });
    connect(m_subjectsButton, &QPushButton::clicked, this, &SerdePicker::refreshSubjects);
    connect(m_versionCombo, &QComboBox::editTextChanged, this, [this] {
        if (m_resolved && m_idEdit->text().isEmpty())
            unresolve(tr("the version changed: Fetch to use it"));
    });
    connect(m_idEdit, &QLineEdit::textChanged, this, [this] {
        if (m_resolved)
            unresolve(tr("the schema id changed: Fetch to use it"));
        updateRegistryWidgets();
    });
    connect(m_idEdit, &QLineEdit::returnPressed, this, &SerdePicker::fetchSchema);
    connect(m_fetchButton, &QPushButton::clicked, this, &SerdePicker::fetchSchema);
    connect(m_registerButton, &QPushButton::clicked, this, &SerdePicker::registerSchema);
    connect(m_editButton, &QPushButton::clicked, this,
            [this] { unresolve(tr("the schema is being edited: Register it, or Fetch the registry's again")); });

    setLexerFor(m_schemaEdit, format());
    updateRegistryWidgets();
    updateSchemaWidgets();
    rebuildSerializer();
}

serde::Format SerdePicker::format() const
{
    return static_cast<serde::Format>(m_formatCombo->currentData().toInt());
}

void SerdePicker::setFormat(serde::Format format)
{
    const int index = m_formatCombo->findData(static_cast<int>(format));
    if (index >= 0)
        m_formatCombo->setCurrentIndex(index);
}

bool SerdePicker::loadSchemaFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        const QString why = tr("Cannot read the schema file %1: %2").arg(path, file.errorString());
        m_schemaStatus->setText(why);
        m_schemaStatus->setStyleSheet(verdictStyle(false));
        if (error)
            *error = why;
        return false;
    }
    m_schemaFile = QFileInfo(path).absoluteFilePath();
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("avsc"))
        setFormat(serde::Format::Avro);
    else if (suffix == QLatin1String("proto"))
        setFormat(serde::Format::Protobuf);
    else if (suffix == QLatin1String("json") && !serde::formatInfo(format()).needsSchema)
        setFormat(serde::Format::JsonSchema);
    m_fileLabel->setText(QFileInfo(path).fileName());
    m_fileLabel->setToolTip(m_schemaFile);
    m_settingSchema = true;
    m_schemaEdit->setText(QString::fromUtf8(file.readAll()));
    m_settingSchema = false;
    rebuildSerializer();
    if (error)
        *error = m_schemaError;
    return m_schemaError.isEmpty();
}

void SerdePicker::setSchemaText(const QString &text)
{
    m_settingSchema = true;
    m_schemaEdit->setText(text);
    m_settingSchema = false;
    rebuildSerializer();
}

QString SerdePicker::schemaText() const
{
    return m_schemaEdit->text();
}

QStringList SerdePicker::messageTypes() const
{
    QStringList types;
    for (int i = 0; i < m_typeCombo->count(); ++i)
        types << m_typeCombo->itemText(i);
    return types;
}

QString SerdePicker::messageType() const
{
    return m_typeCombo->currentText();
}

void SerdePicker::setMessageType(const QString &fullName)
{
    const int index = m_typeCombo->findText(fullName);
    if (index >= 0)
        m_typeCombo->setCurrentIndex(index);
}

void SerdePicker::setInput(const QString &text, bool isNull)
{
    m_input = text;
    m_inputNull = isNull;
    m_inputTimer->start();
}

void SerdePicker::validateNow()
{
    m_schemaTimer->stop();
    m_inputTimer->stop();
    rebuildSerializer();
}

serde::SerdeResult<serde::Payload> SerdePicker::serialize(const QString &text) const
{
    if (const QString problem = registryProblem(); !problem.isEmpty())
        return serde::SerdeError(tr("%1: %2").arg(m_role, problem));
    if (!m_serializer)
        return serde::SerdeError(tr("%1: %2").arg(m_role, m_schemaError));
    auto payload = m_serializer->serialize(text);
    const serde::PayloadFramer &framer = m_registryMode ? m_registryFramer : m_framer;
    if (!payload.ok() || !payload.value() || !framer)
        return payload;
    auto framed = framer(*payload.value());
    if (!framed.ok())
        return framed.error();
    return serde::Payload(framed.value());
}

void SerdePicker::setFramer(serde::PayloadFramer framer, const QString &description)
{
    m_framer = std::move(framer);
    m_framerDescription = description;
    showVerdict();
}

QString SerdePicker::summary(bool brief) const
{
    // Brief (the send bar's badge): the command-line name, "json-schema"
    // rather than "JSON Schema", so that both sides fit beside Send.
    QString text = brief ? serde::formatInfo(format()).name : serde::formatInfo(format()).label;
    if (serde::formatInfo(format()).needsType && !messageType().isEmpty())
        text += QStringLiteral(" (") + messageType() + QLatin1Char(')');
    else if (!m_schemaFile.isEmpty() && serde::formatInfo(format()).needsSchema)
        text += QStringLiteral(" (") + QFileInfo(m_schemaFile).fileName() + QLatin1Char(')');
    if (m_registryMode) {
        if (!m_resolved)
            text += brief ? tr(", no schema") : tr(", registry: not resolved");
        else if (brief)
            text += tr(", id %1").arg(m_resolved->id);
        else
            text += QStringLiteral(", ") + registryUseText();
    } else if (m_framer) {
        text += tr(", registry framing");
    }
    return text;
}

QString SerdePicker::hexDump(const QByteArray &bytes)
{
    QString out;
    out.reserve(bytes.size() * 4 + 16);
    for (qsizetype row = 0; row < bytes.size(); row += 16) {
        out += QStringLiteral("%1  ").arg(row, 6, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = row; i < row + 16; ++i) {
            if (i < bytes.size()) {
                const auto byte = static_cast<unsigned char>(bytes.at(i));
                out += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += (byte >= 0x20 && byte < 0x7f) ? QChar(char16_t(byte)) : QChar(u'.');
            } else {
                out += QStringLiteral("   ");
            }
            if (i == row + 7)
                out += QLatin1Char(' ');
        }
        out += QLatin1Char(' ') + ascii;
        if (row + 16 < bytes.size())
            out += QLatin1Char('\n');
    }
    return out;
}

void SerdePicker::updateSchemaWidgets()
{
    const serde::FormatInfo &info = serde::formatInfo(format());
    m_formatHint->setText(info.hint);
    m_openButton->setVisible(info.needsSchema);
    m_fileLabel->setVisible(info.needsSchema);
    m_schemaEdit->setVisible(info.needsSchema);
    m_schemaStatus->setVisible(info.needsSchema);
    m_typeLabel->setVisible(info.needsType);
    m_typeCombo->setVisible(info.needsType);
    m_exampleButton->setVisible(info.needsSchema);
    if (info.needsSchema && m_fileLabel->text().isEmpty())
        m_fileLabel->setText(tr("No file: type or paste the schema below, or open a file"));
}

void SerdePicker::rebuildSerializer()
{
    const serde::FormatInfo &info = serde::formatInfo(format());
    serde::SerializerSpec spec;
    spec.format = info.format;
    if (info.needsSchema) {
        spec.schemaText = m_schemaEdit->text().toUtf8();
        if (!m_schemaFile.isEmpty())
            spec.includePaths << QFileInfo(m_schemaFile).absolutePath();
        // A registry schema with references: the editor shows the main
        // schema; the serializer takes it with what it references.
        if (m_registryMode && m_resolved) {
            if (!m_resolved->serializerSchema.isEmpty())
                spec.schemaText = m_resolved->serializerSchema;
            if (m_resolved->protoDir)
                spec.includePaths << m_resolved->protoDir->path();
        }
    }

    m_serializer.reset();
    m_schemaError.clear();
    if (info.needsSchema && spec.schemaText.trimmed().isEmpty()) {
        m_schemaError = tr("%1 needs a schema: open a file or type it in").arg(info.label);
    } else {
        if (info.needsType) {
            // The types the .proto defines fill the picker; the current
            // choice stays when it still exists, else the user picks (none
            // is chosen silently).
            auto listed = serde::listMessageTypes(spec);
            const QStringList types = listed.ok() ? listed.value() : QStringList();
            if (types != messageTypes()) {
                const QString current = m_typeCombo->currentText();
                m_settingSchema = true;
                m_typeCombo->clear();
                m_typeCombo->addItems(types);
                m_typeCombo->setCurrentIndex(m_typeCombo->findText(current));
                m_settingSchema = false;
            }
            spec.messageType = m_typeCombo->currentText();
        }
        auto made = serde::makeSerializer(spec);
        if (made.ok())
            m_serializer = made.value();
        else
            m_schemaError = made.error().toString();
    }

    if (info.needsSchema) {
        if (m_schemaError.isEmpty()) {
            m_schemaStatus->setText(info.needsType ? tr("Schema parsed: message %1").arg(m_typeCombo->currentText())
                                                   : tr("Schema parsed"));
            m_schemaStatus->setStyleSheet(verdictStyle(true));
        } else {
            m_schemaStatus->setText(m_schemaError);
            m_schemaStatus->setStyleSheet(verdictStyle(false));
        }
    }
    m_exampleButton->setEnabled(m_serializer != nullptr);

    // The registry's framing: its id, and for Protobuf the path of the
    // message type the user picked among those the schema defines.
    m_registryFramer = {};
    m_registryFramerDescription.clear();
    if (m_registryMode && m_resolved) {
        const std::int32_t id = m_resolved->id;
        m_registryFramerDescription = tr("magic byte 0, schema id %1").arg(id);
        if (info.format == serde::Format::Protobuf) {
            auto indexes = protobufMessageIndexes(m_schemaEdit->text(), m_typeCombo->currentText());
            if (indexes) {
                const QList<int> path = *indexes;
                QStringList shown;
                for (int i : path)
                    shown << QString::number(i);
                m_registryFramerDescription += tr(", message indexes [%1]").arg(shown.join(QStringLiteral(", ")));
                m_registryFramer = [id, path](const QByteArray &payload) -> serde::SerdeResult<QByteArray> {
                    return wireformat::frame(id, path, payload);
                };
            } else {
                const QString why = indexes.error().message;
                m_registryFramer = [why](const QByteArray &) -> serde::SerdeResult<QByteArray> {
                    return serde::SerdeError(why);
                };
            }
        } else {
            m_registryFramer = [id](const QByteArray &payload) -> serde::SerdeResult<QByteArray> {
                return wireformat::frame(id, {}, payload);
            };
        }
    }
    if (m_registryMode && m_resolved)
        showResolvedStatus();
    if (m_registryMode && !m_resolved && m_strategyCombo->currentIndex() != 0)
        updateDefaultSubject(); // the record name comes from the schema
    Q_EMIT serializerChanged();
    showVerdict();
}

void SerdePicker::showVerdict()
{
    m_inputError.clear();
    m_previewBytes.clear();
    int line = 0;
    int column = 0;
    if (m_inputNull) {
        m_verdict->setText(tr("%1 is null: no bytes are sent").arg(m_role));
        m_verdict->setStyleSheet(verdictStyle(true));
        m_previewTitle->setText(tr("Wire preview: null"));
        m_preview->setPlainText(QString());
        Q_EMIT inputValidated(true, 0, 0, QString());
        return;
    }
    auto result = serialize(m_input);
    if (!result.ok()) {
        const serde::SerdeError &error = result.error();
        m_inputError = error.toString();
        line = error.line;
        column = error.column;
        m_verdict->setText(tr("Not sendable: %1").arg(m_inputError));
        m_verdict->setStyleSheet(verdictStyle(false));
        m_previewTitle->setText(tr("Wire preview"));
        m_preview->setPlainText(QString());
        Q_EMIT inputValidated(false, line, column, m_inputError);
        return;
    }
    if (!result.value()) {
        m_verdict->setText(tr("%1 is null: no bytes are sent").arg(m_role));
        m_verdict->setStyleSheet(verdictStyle(true));
        m_previewTitle->setText(tr("Wire preview: null"));
        m_preview->setPlainText(QString());
        Q_EMIT inputValidated(true, 0, 0, QString());
        return;
    }
    m_previewBytes = *result.value();
    m_verdict->setText(tr("Valid %1").arg(serde::formatInfo(format()).label));
    m_verdict->setStyleSheet(verdictStyle(true));
    QString title = tr("Wire preview: %n byte(s)", nullptr, int(m_previewBytes.size()));
    const QString framing = m_registryMode ? m_registryFramerDescription : m_framer ? m_framerDescription : QString();
    if (!framing.isEmpty())
        title += QStringLiteral(" (") + framing + QLatin1Char(')');
    m_previewTitle->setText(title);
    m_preview->setPlainText(hexDump(m_previewBytes));
    Q_EMIT inputValidated(true, 0, 0, QString());
}

void SerdePicker::chooseSchemaFile()
{
    const QString filter = serde::formatInfo(format()).schemaFilter;
    const QString path = QFileDialog::getOpenFileName(this, tr("%1 schema").arg(m_role), QString(),
                                                      filter + QStringLiteral(";;") + tr("All files (*)"));
    if (!path.isEmpty())
        loadSchemaFile(path);
}

void SerdePicker::fillExample()
{
    if (!m_serializer)
        return;
    auto example = m_serializer->exampleFromSchema();
    if (!example.ok()) {
        m_schemaStatus->setText(tr("No example: %1").arg(example.error().toString()));
        m_schemaStatus->setStyleSheet(verdictStyle(false));
        return;
    }
    Q_EMIT exampleReady(example.value());
}

// ---------------------------------------------------------------- registry

void SerdePicker::setRegistrySource(bool registry)
{
    if (m_sourceCombo->currentIndex() != (registry ? 1 : 0)) {
        m_sourceCombo->setCurrentIndex(registry ? 1 : 0); // comes back here
        return;
    }
    if (m_registryMode == registry)
        return;
    m_registryMode = registry;
    ++m_registryRequest;
    m_registryBusy = false;
    m_resolved.reset();
    m_registryError.clear();
    m_schemaEdit->setReadOnly(false);
    if (registry) {
        updateDefaultSubject();
        setRegistryMessage(tr("Fetch the subject's schema, or Register the editor's"), 0);
        refreshSubjects();
    } else {
        // A fetched schema stays in the editor as a typed one.
        m_fileLabel->setText(m_schemaFile.isEmpty() ? tr("No file: type or paste the schema below, or open a file")
                                                    : QFileInfo(m_schemaFile).fileName());
    }
    updateRegistryWidgets();
    rebuildSerializer();
}

void SerdePicker::setTopic(const QString &topic)
{
    if (m_topic == topic)
        return;
    m_topic = topic;
    updateDefaultSubject();
}

void SerdePicker::setSubjectStrategy(int strategy)
{
    m_strategyCombo->setCurrentIndex(m_strategyCombo->findData(strategy));
}

QString SerdePicker::subject() const
{
    return m_subjectCombo->currentText().trimmed();
}

void SerdePicker::setSubject(const QString &subject)
{
    m_subjectCombo->setEditText(subject); // marks it typed
}

void SerdePicker::setSchemaVersion(const QString &version)
{
    m_idEdit->clear();
    m_versionCombo->setEditText(version);
}

void SerdePicker::setSchemaId(int id)
{
    m_idEdit->setText(id >= 0 ? QString::number(id) : QString());
}

QString SerdePicker::registryUseText() const
{
    if (!m_resolved)
        return {};
    if (m_resolved->subject.isEmpty())
        return tr("registry: id %1").arg(m_resolved->id);
    if (m_resolved->version < 0)
        return tr("registry: %1 id %2").arg(m_resolved->subject).arg(m_resolved->id);
    return tr("registry: %1 v%2 id %3").arg(m_resolved->subject).arg(m_resolved->version).arg(m_resolved->id);
}

QString SerdePicker::registryStatus() const
{
    return m_registryStatus->text();
}

QString SerdePicker::registryProblem() const
{
    if (!m_registryMode || m_resolved)
        return {};
    if (m_registryBusy)
        return tr("the schema is still being fetched from the Schema Registry");
    if (!m_registryError.isEmpty())
        return tr("no schema from the Schema Registry: %1").arg(m_registryError);
    return tr("no schema from the Schema Registry yet: Fetch it (or Register the editor's schema)");
}

void SerdePicker::registryChanged()
{
    if (!m_registryMode)
        return;
    ++m_registryRequest;
    m_registryBusy = false;
    if (m_resolved)
        unresolve(tr("the Schema Registry URL or credentials changed: Fetch again"));
    else
        updateRegistryWidgets();
}

void SerdePicker::updateRegistryWidgets()
{
    m_registryBox->setVisible(m_registryMode);
    const bool locked = m_registryMode && m_resolved.has_value();
    m_formatCombo->setEnabled(!locked);
    m_openButton->setEnabled(!locked);
    m_schemaEdit->setReadOnly(locked);
    m_editButton->setEnabled(locked);
    const bool byId = !m_idEdit->text().isEmpty();
    m_strategyCombo->setEnabled(!byId);
    m_subjectCombo->setEnabled(!byId);
    m_versionCombo->setEnabled(!byId);
    m_fetchButton->setEnabled(!m_registryBusy);
    m_registerButton->setEnabled(!m_registryBusy && !byId);
    if (m_registryMode && m_resolved) {
        m_fileLabel->setText(tr("The registry's schema (read-only; Edit schema to change it):"));
        m_fileLabel->setToolTip(QString());
    }
}

void SerdePicker::updateDefaultSubject()
{
    if (m_subjectEdited)
        return;
    const auto strategy = static_cast<SubjectStrategy>(m_strategyCombo->currentData().toInt());
    QString record;
    if (strategy != SubjectStrategy::TopicName) {
        const QString type = schemaTypeForFormat(format());
        if (!type.isEmpty())
            record = recordNameOf(m_schemaEdit->text(), type, m_typeCombo->currentText());
    }
    auto name = subjectName(strategy, m_topic, m_role == QLatin1StringView("Key"), record);
    const QString text = name ? *name : QString();
    m_subjectCombo->lineEdit()->setPlaceholderText(name ? QString()
                                                        : tr("type the subject (%1)").arg(name.error().message));
    if (text == m_subjectCombo->currentText())
        return;
    m_settingSubject = true;
    m_subjectCombo->setEditText(text);
    m_settingSubject = false;
    if (m_resolved && !m_resolved->subject.isEmpty() && m_idEdit->text().isEmpty())
        unresolve(tr("the subject is now %1: Fetch to use it").arg(text.isEmpty() ? tr("(none)") : text));
}

void SerdePicker::setRegistryMessage(const QString &text, int tone)
{
    m_registryStatus->setText(text);
    m_registryStatus->setStyleSheet(tone < 0   ? verdictStyle(false)
                                    : tone > 0 ? verdictStyle(true)
                                               : QStringLiteral("color: palette(mid);"));
    Q_EMIT registryStatusChanged(text);
}

void SerdePicker::startRegistryRequest(const QString &message)
{
    // Nothing is in use while the registry answers (Send refuses until then).
    m_resolved.reset();
    m_registryBusy = true;
    setRegistryMessage(message, 0);
    updateRegistryWidgets();
    rebuildSerializer();
}

void SerdePicker::unresolve(const QString &why)
{
    const bool was = m_resolved.has_value();
    m_resolved.reset();
    m_registryNote.clear();
    m_registryError = why;
    if (m_registryMode)
        setRegistryMessage(tr("Not in use: %1").arg(why), -1);
    updateRegistryWidgets();
    if (was) {
        if (!m_schemaFile.isEmpty())
            m_fileLabel->setText(QFileInfo(m_schemaFile).fileName());
        else
            m_fileLabel->setText(tr("Edited: Register it under the subject, or Fetch"));
    }
    rebuildSerializer();
}

void SerdePicker::registryFailed(const QString &what, const QString &message, int code)
{
    m_registryBusy = false;
    // HTTP errors name what was asked but not where: add the registry's URL.
    // Transport errors (code -1) already say it.
    QString text = message;
    if (code > 0) {
        QString url;
        if (RegistryClient *client = m_registryAccess ? m_registryAccess(nullptr) : nullptr)
            url = client->config().displayUrl();
        text = tr("Schema Registry %1 answered HTTP %2: %3").arg(url).arg(code).arg(message);
    }
    unresolve(tr("%1: %2").arg(what, text));
}

RegistryClient *SerdePicker::registry(const QString &action)
{
    QString error;
    RegistryClient *client = m_registryAccess ? m_registryAccess(&error) : nullptr;
    if (!client)
        registryFailed(action, error.isEmpty() ? tr("no Schema Registry") : error, -1);
    return client;
}

void SerdePicker::refreshSubjects()
{
    QString error;
    RegistryClient *client = m_registryAccess ? m_registryAccess(&error) : nullptr;
    if (!client)
        return; // no URL yet: nothing to list, Fetch says why
    const quint64 request = m_registryRequest;
    QPointer<SerdePicker> self(this);
    client->listSubjects([self, request](Result<QStringList> subjects) {
        if (!self || self->m_registryRequest != request)
            return;
        if (!subjects) {
            if (!self->m_resolved && !self->m_registryBusy)
                self->setRegistryMessage(tr("Cannot list the subjects: %1").arg(subjects.error().message), -1);
            return;
        }
        const QString text = self->m_subjectCombo->currentText();
        self->m_settingSubject = true;
        self->m_subjectCombo->clear();
        self->m_subjectCombo->addItems(*subjects);
        self->m_subjectCombo->setEditText(text);
        self->m_settingSubject = false;
        self->listVersions();
    });
}

void SerdePicker::listVersions()
{
    const QString subject = this->subject();
    if (!m_registryMode || subject.isEmpty() || m_subjectCombo->findText(subject) < 0)
        return; // only for subjects the registry listed: no 404s while typing
    QString error;
    RegistryClient *client = m_registryAccess ? m_registryAccess(&error) : nullptr;
    if (!client)
        return;
    const quint64 request = m_registryRequest;
    QPointer<SerdePicker> self(this);
    client->listVersions(subject, [self, request, subject](Result<QList<int>> versions) {
        if (!self || self->m_registryRequest != request || self->subject() != subject || !versions)
            return;
        const QString text = self->m_versionCombo->currentText();
        const QSignalBlocker block(self->m_versionCombo);
        self->m_versionCombo->clear();
        self->m_versionCombo->addItem(QStringLiteral("latest"));
        for (auto it = versions->crbegin(); it != versions->crend(); ++it)
            self->m_versionCombo->addItem(QString::number(*it));
        self->m_versionCombo->setEditText(text);
    });
}

void SerdePicker::fetchSchema()
{
    if (!m_registryMode)
        setRegistrySource(true);
    ++m_registryRequest;
    m_registryBusy = false;
    const bool byId = !m_idEdit->text().isEmpty();
    const QString subject = this->subject();
    QString version = m_versionCombo->currentText().trimmed();
    if (version.isEmpty())
        version = QStringLiteral("latest");
    QString what;
    int id = -1;
    if (byId) {
        bool ok = false;
        id = m_idEdit->text().toInt(&ok);
        what = tr("Fetch of schema id %1").arg(m_idEdit->text());
        if (!ok || id < 0) {
            registryFailed(what, tr("not a schema id"), -1);
            return;
        }
    } else {
        what = tr("Fetch of subject '%1' version %2").arg(subject, version);
        if (subject.isEmpty()) {
            registryFailed(tr("Fetch"),
                           tr("no subject: type one or pick a strategy (a topic in the composer for "
                              "TopicName, a schema in the editor for the record strategies)"),
                           -1);
            return;
        }
        bool ok = false;
        if (version != QLatin1StringView("latest") && (version.toInt(&ok) <= 0 || !ok)) {
            registryFailed(what, tr("the version is neither a positive number nor latest"), -1);
            return;
        }
    }
    RegistryClient *client = registry(what);
    if (!client)
        return;
    startRegistryRequest(tr("%1 from %2...").arg(what, client->config().displayUrl()));

    const quint64 request = m_registryRequest;
    QPointer<SerdePicker> self(this);
    auto done = [self, request, what](Result<RegistrySchema> schema) {
        if (!self || self->m_registryRequest != request)
            return;
        if (!schema) {
            self->registryFailed(what, schema.error().message, schema.error().code);
            return;
        }
        self->applyFetched(*schema, QString());
    };
    if (byId)
        client->getSchemaById(id, done);
    else
        client->getSchema(subject, version, done);
}

void SerdePicker::applyFetched(const RegistrySchema &schema, const QString &note)
{
    m_registryBusy = false;
    const QString what =
        schema.subject.isEmpty()
            ? tr("Schema id %1").arg(schema.id)
            : tr("Subject '%1' version %2 (id %3)").arg(schema.subject).arg(schema.version).arg(schema.id);
    const std::optional<serde::Format> fmt = formatForSchemaType(schema.schemaType);
    if (!fmt) {
        unresolve(tr("%1 is a %2 schema, which kpw cannot serialize").arg(what, schema.schemaType));
        return;
    }
    if (!schema.references.isEmpty()) {
        resolveReferencesOf(schema, note, what);
        return;
    }
    useFetched(schema, note, ResolvedReferences{});
}

void SerdePicker::resolveReferencesOf(const RegistrySchema &schema, const QString &note, const QString &what)
{
    QString error;
    RegistryClient *client = m_registryAccess ? m_registryAccess(&error) : nullptr;
    if (!client) {
        registryFailed(what, error.isEmpty() ? tr("no Schema Registry") : error, -1);
        return;
    }
    // The sync resolver runs on a pool thread with its own client (the
    // panel's lives on this thread); the answer comes back through the
    // watcher's queued signal, dropped when another request came since.
    const RegistryConfig config = client->config();
    const int n = int(schema.references.size());
    m_registryBusy = true;
    setRegistryMessage(n == 1 ? tr("%1: resolving 1 reference\u2026").arg(what)
                              : tr("%1: resolving %2 references\u2026").arg(what).arg(n),
                       0);
    updateRegistryWidgets();
    const quint64 request = m_registryRequest;
    using Answer = std::optional<Result<ResolvedReferences>>;
    auto *watcher = new QFutureWatcher<Answer>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, request, schema, note, what] {
        watcher->deleteLater();
        if (m_registryRequest != request)
            return;
        const Answer answer = watcher->future().result();
        if (!answer || !*answer) {
            const Error e = answer ? answer->error() : Error{-1, tr("the resolution stopped")};
            registryFailed(tr("%1: its references").arg(what), e.message, e.code);
            return;
        }
        useFetched(schema, note, answer->value());
    });
    watcher->setFuture(QtConcurrent::run([config, schema]() -> Answer {
        RegistryClient client(config);
        return resolveReferencesSync(client, schema);
    }));
}

void SerdePicker::useFetched(const RegistrySchema &schema, const QString &note, const ResolvedReferences &refs)
{
    m_registryBusy = false;
    const std::optional<serde::Format> fmt = formatForSchemaType(schema.schemaType);
    RegistryUse use{schema.id, schema.subject, schema.version, schema.schemaType, refs.count, {}, refs.protoDir};
    if (refs.count > 0 && *fmt == serde::Format::Avro)
        use.serializerSchema = refs.avroSchema;
    m_resolved = use;
    m_registryError.clear();
    m_schemaFile.clear();
    m_settingSchema = true;
    setFormat(*fmt);
    m_schemaEdit->setText(schema.schema);
    m_settingSchema = false;
    m_schemaTimer->stop();
    m_registryNote = note;
    updateRegistryWidgets();
    rebuildSerializer(); // shows the status
}

void SerdePicker::showResolvedStatus()
{
    QString text = registryUseText() + QStringLiteral(" (") + m_resolved->schemaType + QLatin1Char(')');
    if (m_resolved->referenceCount == 1)
        text += tr(", 1 referenced schema resolved");
    else if (m_resolved->referenceCount > 1)
        text += tr(", %1 referenced schemas resolved").arg(m_resolved->referenceCount);
    if (format() == serde::Format::Protobuf && m_typeCombo->currentText().isEmpty())
        text += tr(": pick the message type below");
    if (!m_registryNote.isEmpty())
        text = m_registryNote + QStringLiteral("; ") + text;
    setRegistryMessage(text, 1);
}

void SerdePicker::registerSchema()
{
    if (!m_registryMode)
        setRegistrySource(true);
    ++m_registryRequest;
    m_registryBusy = false;
    const QString subject = this->subject();
    const QString type = schemaTypeForFormat(format());
    const QString schema = m_schemaEdit->text();
    const QString what = tr("Register under subject '%1'").arg(subject);
    if (subject.isEmpty()) {
        registryFailed(tr("Register"), tr("no subject to register under"), -1);
        return;
    }
    if (type.isEmpty()) {
        registryFailed(what, tr("pick Avro, Protobuf or JSON Schema and put the schema in the editor"), -1);
        return;
    }
    if (schema.trimmed().isEmpty()) {
        registryFailed(what, tr("the schema editor is empty"), -1);
        return;
    }
    RegistryClient *client = registry(what);
    if (!client)
        return;
    startRegistryRequest(tr("Registering under subject '%1' in %2...").arg(subject, client->config().displayUrl()));

    const quint64 request = m_registryRequest;
    QPointer<SerdePicker> self(this);
    auto registered = [self, request, what, subject, schema, type](Result<int> id) {
        if (!self || self->m_registryRequest != request)
            return;
        if (!id) {
            self->registryFailed(what, id.error().message, id.error().code);
            return;
        }
        self->useRegistered(*id, subject, schema, type);
    };
    client->registerSchema(subject, schema, type, {}, registered);
}

void SerdePicker::useRegistered(int id, const QString &subject, const QString &schema, const QString &type)
{
    // The id is enough to frame; the version comes from a lookup, shown when
    // the registry answers it.
    RegistrySchema registered;
    registered.id = id;
    registered.subject = subject;
    registered.schemaType = type;
    registered.schema = schema;
    const QString note = tr("Registered: id %1").arg(id);
    RegistryClient *client = m_registryAccess ? m_registryAccess(nullptr) : nullptr;
    if (!client) {
        applyFetched(registered, note);
        return;
    }
    const quint64 request = m_registryRequest;
    QPointer<SerdePicker> self(this);
    client->lookupSchema(subject, schema, type, {}, [self, request, registered, note](Result<RegistrySchema> found) {
        if (!self || self->m_registryRequest != request)
            return;
        self->applyFetched(found && found->id == registered.id ? *found : registered, note);
    });
}

} // namespace kpw
