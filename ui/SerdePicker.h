#pragma once

#include "serde/Serializer.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTemporaryDir;
class QTimer;
class QsciScintilla;

namespace kpw {

class RegistryClient;
struct RegistrySchema;
struct ResolvedReferences;

// How the key or the value of the composed record becomes bytes: a format
// picker (core/serde), the schema in an editor (JSON highlighting for Avro
// and JSON Schema, Protobuf highlighting for .proto), the Protobuf message
// type, "Example from schema", a verdict on the current input (line and
// column for JSON syntax, the JSON path for schema violations), and a wire
// preview: the exact bytes that will be sent, framing included, in hex.
//
// The schema comes from the editor (typed or a file) or, with the source
// "Schema Registry", from the registry the panel names: a subject (by a
// subject name strategy or typed) and a version, or a schema id; Fetch puts
// it in the (then read-only) editor, sets the format from its type and
// frames the bytes in the Confluent wire format (magic byte 0, the id,
// Protobuf's message indexes). A fetched schema's references (Protobuf
// imports, Avro named types from other subjects) are then fetched and
// resolved off the GUI thread (core's SchemaReferences); the editor keeps
// showing the main schema. Register registers the editor's schema under the
// subject. Until a registry schema is resolved, serialize() refuses.
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
    bool isIdentity() const { return format() == serde::Format::String && !m_framer && !m_registryMode; }
    // "Avro (shop.Order)", "String": for a one-line summary; with a registry
    // schema ", registry: orders-value v2 id 7". BRIEF, for the send bar: the
    // command-line name and ", id 7" ("avro (shop.Order), id 7").
    QString summary(bool brief = false) const;

    // ---- Schema Registry source
    // How the picker reaches the registry (the panel's shared client): null
    // with the reason in *error when there is none.
    using RegistryAccess = std::function<RegistryClient *(QString *error)>;
    void setRegistryAccess(RegistryAccess access) { m_registryAccess = std::move(access); }
    bool isRegistrySource() const { return m_registryMode; }
    void setRegistrySource(bool registry);
    // The composer's topic, for the subject name strategies.
    void setTopic(const QString &topic);
    // 0 TopicName, 1 RecordName, 2 TopicRecordName (SubjectStrategy).
    void setSubjectStrategy(int strategy);
    QString subject() const;
    // A typed subject: it no longer follows the topic and strategy.
    void setSubject(const QString &subject);
    // "latest" or a number; clears the schema id.
    void setSchemaVersion(const QString &version);
    // Picks the schema by id (subject and version aside); -1 clears it.
    void setSchemaId(int id);
    void fetchSchema();
    void registerSchema();
    void refreshSubjects();
    // Whether a registry schema is in use (fetched or registered), its id, and
    // how many referenced schemas it took (0: none).
    bool isRegistryResolved() const { return m_resolved.has_value(); }
    int registrySchemaId() const { return m_resolved ? m_resolved->id : -1; }
    int registryReferenceCount() const { return m_resolved ? m_resolved->referenceCount : 0; }
    bool isRegistryBusy() const { return m_registryBusy; }
    // What the registry line under the controls says (ok or the error).
    QString registryStatus() const;
    // Empty, or why Send must refuse: the registry source is chosen but no
    // schema is resolved (not fetched yet, fetching, or the error).
    QString registryProblem() const;

    // The panel's registry URL or credentials changed: forget the schema.
    void registryChanged();

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
    // The registry line under the controls changed (registryStatus()).
    void registryStatusChanged(const QString &text);

private:
    void rebuildSerializer();
    void updateSchemaWidgets();
    void showVerdict();
    void chooseSchemaFile();
    void fillExample();
    void updateRegistryWidgets();
    QString registryUseText() const;
    void showResolvedStatus(); // "registry: orders-value v2 id 7"
    void updateDefaultSubject();
    void unresolve(const QString &why);
    void setRegistryMessage(const QString &text, int tone); // -1 error, 0 neutral, 1 ok
    void registryFailed(const QString &what, const QString &message, int code);
    // A Fetch or Register goes out: the schema in use is dropped, MESSAGE shown.
    void startRegistryRequest(const QString &message);
    void applyFetched(const RegistrySchema &schema, const QString &note);
    // Fetches and resolves SCHEMA's references on a worker thread, then uses it.
    void resolveReferencesOf(const RegistrySchema &schema, const QString &note, const QString &what);
    void useFetched(const RegistrySchema &schema, const QString &note, const ResolvedReferences &refs);
    void useRegistered(int id, const QString &subject, const QString &schema, const QString &type);
    void listVersions();
    RegistryClient *registry(const QString &action);

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

    struct RegistryUse
    {
        int id = -1;
        QString subject; // empty when fetched by id
        int version = -1;
        QString schemaType;
        int referenceCount = 0;
        // With references: the self-contained Avro schema the serializer
        // uses, or the folder holding the Protobuf imports.
        QByteArray serializerSchema;
        std::shared_ptr<QTemporaryDir> protoDir;
    };
    RegistryAccess m_registryAccess;
    bool m_registryMode = false;
    bool m_registryBusy = false;
    bool m_subjectEdited = false;
    bool m_settingSubject = false;
    quint64 m_registryRequest = 0; // answers to older requests are dropped
    QString m_topic;
    QString m_registryError;
    QString m_registryNote; // "Registered: id 7", shown with the schema in use
    std::optional<RegistryUse> m_resolved;
    serde::PayloadFramer m_registryFramer;
    QString m_registryFramerDescription;
    QComboBox *m_sourceCombo = nullptr;
    QWidget *m_registryBox = nullptr;
    QComboBox *m_strategyCombo = nullptr;
    QComboBox *m_subjectCombo = nullptr;
    QPushButton *m_subjectsButton = nullptr;
    QComboBox *m_versionCombo = nullptr;
    QLineEdit *m_idEdit = nullptr;
    QPushButton *m_fetchButton = nullptr;
    QPushButton *m_registerButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QLabel *m_registryStatus = nullptr;
};

} // namespace kpw
