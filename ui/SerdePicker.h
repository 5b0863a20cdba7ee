#pragma once

#include "serde/Serializer.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;
class QsciScintilla;

namespace kpw {

// How the key or the value of the composed record becomes bytes: a format
// picker (core/serde), the schema in an editor (JSON highlighting for Avro
// and JSON Schema, Protobuf highlighting for .proto), the Protobuf message
// type, "Example from schema", a verdict on the current input (line and
// column for JSON syntax, the JSON path for schema violations), and a wire
// preview: the exact bytes that will be sent, framing included, in hex.
//
// The picker does not own the input text: the composer feeds it with
// setInput() as the user types, and asks serialize() when sending.
class SerdePicker final : public QWidget
{
    Q_OBJECT

public:
    // role: "Key" or "Value", shown in titles and messages.
    explicit SerdePicker(const QString &role, QWidget *parent = nullptr);

    QString role() const { return m_role; }
    serde::Format format() const;
    void setFormat(serde::Format format);

    // Loads a schema file (.avsc, .proto, .json); false with the reason shown
    // (and returned in *error) when it cannot be read or does not parse.
    bool loadSchemaFile(const QString &path, QString *error = nullptr);
    // The schema as text (edited in place, or pasted). For Protobuf, imports
    // resolve from the folder of the last file loaded.
    void setSchemaText(const QString &text);
    QString schemaText() const;
    QString schemaFile() const { return m_schemaFile; }

    QStringList messageTypes() const;
    QString messageType() const;
    void setMessageType(const QString &fullName);

    // The text the user typed (UTF-8); isNull: a null key / tombstone value.
    // Validated shortly after (debounced); validateNow() skips the wait.
    void setInput(const QString &text, bool isNull = false);
    void validateNow();

    // The serializer for the current format and schema, or null when the
    // schema is missing or broken (schemaError() says why).
    std::shared_ptr<const serde::Serializer> serializer() const { return m_serializer; }
    QString schemaError() const { return m_schemaError; }

    // Serializes a text with the current serializer and framing; an error
    // when the schema is broken or the text does not fit it.
    serde::SerdeResult<serde::Payload> serialize(const QString &text) const;

    // Framing applied after serialization (the Schema Registry's wire
    // format); an empty function sends the serializer's bytes as they are.
    void setFramer(serde::PayloadFramer framer, const QString &description);

    // True when serialize() returns the typed text's UTF-8 bytes as they
    // are (string format, no framing): the composer can skip the call.
    bool isIdentity() const { return format() == serde::Format::String && !m_framer; }
    // "Avro (shop.Order)", "String": for a one-line summary.
    QString summary() const;

    // What the last validation said ("" when the input is fine).
    QString inputError() const { return m_inputError; }
    // The bytes the current input becomes (empty when it does not serialize).
    QByteArray previewBytes() const { return m_previewBytes; }

    // Hex dump for the wire preview: offset, 16 bytes, printable ASCII.
    static QString hexDump(const QByteArray &bytes);

Q_SIGNALS:
    // "Example from schema" produced a sample: the composer puts it in its editor.
    void exampleReady(const QString &text);
    // After each validation of the input: ok, or the error and where
    // (line/column 0 when it has no position).
    void inputValidated(bool ok, int line, int column, const QString &message);
    // The format, schema or type changed.
    void serializerChanged();

private:
    void rebuildSerializer();
    void updateSchemaWidgets();
    void showVerdict();
    void chooseSchemaFile();
    void fillExample();

    QString m_role;
    QComboBox *m_formatCombo = nullptr;
    QLabel *m_formatHint = nullptr;
    QPushButton *m_openButton = nullptr;
    QLabel *m_fileLabel = nullptr;
    QsciScintilla *m_schemaEdit = nullptr;
    QLabel *m_typeLabel = nullptr;
    QComboBox *m_typeCombo = nullptr;
    QPushButton *m_exampleButton = nullptr;
    QLabel *m_schemaStatus = nullptr;
    QLabel *m_verdict = nullptr;
    QLabel *m_previewTitle = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QTimer *m_inputTimer = nullptr;
    QTimer *m_schemaTimer = nullptr;

    QString m_schemaFile;
    std::shared_ptr<const serde::Serializer> m_serializer;
    QString m_schemaError;
    serde::PayloadFramer m_framer;
    QString m_framerDescription;

    QString m_input;
    bool m_inputNull = false;
    QString m_inputError;
    QByteArray m_previewBytes;
    bool m_settingSchema = false;
};

} // namespace kpw
