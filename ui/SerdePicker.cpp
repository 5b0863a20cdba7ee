#include "ui/SerdePicker.h"

#include "ui/Theme.h"

#include "ui/QsciIncludes.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

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
    layout->addWidget(m_formatHint);
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

    setLexerFor(m_schemaEdit, format());
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
    if (!m_serializer)
        return serde::SerdeError(tr("%1: %2").arg(m_role, m_schemaError));
    auto payload = m_serializer->serialize(text);
    if (!payload.ok() || !payload.value() || !m_framer)
        return payload;
    auto framed = m_framer(*payload.value());
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

QString SerdePicker::summary() const
{
    QString text = serde::formatInfo(format()).label;
    if (serde::formatInfo(format()).needsType && !messageType().isEmpty())
        text += QStringLiteral(" (") + messageType() + QLatin1Char(')');
    else if (!m_schemaFile.isEmpty() && serde::formatInfo(format()).needsSchema)
        text += QStringLiteral(" (") + QFileInfo(m_schemaFile).fileName() + QLatin1Char(')');
    if (m_framer)
        text += tr(", registry framing");
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
    if (m_framer && !m_framerDescription.isEmpty())
        title += QStringLiteral(" (") + m_framerDescription + QLatin1Char(')');
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

} // namespace kpw
