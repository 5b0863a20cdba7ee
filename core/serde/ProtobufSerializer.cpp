// Protobuf: .proto files parsed at run time by protobuf's own compiler
// library (Importer over a DiskSourceTree), JSON turned into binary by
// protobuf's JSON parser on a DynamicMessage.

#include "serde/JsonText.h"
#include "serde/SchemaSerializers.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <QDir>
#include <QFileInfo>

namespace kpw::serde {

namespace {

namespace pb = google::protobuf;

class ErrorCollector final : public pb::compiler::MultiFileErrorCollector
{
public:
    void AddError(const std::string &filename, int line, int column, const std::string &message) override
    {
        if (!first)
            first = SerdeError{
                QStringLiteral("%1: %2").arg(QString::fromStdString(filename), QString::fromStdString(message)),
                line + 1,
                column + 1,
                {}};
    }
    void AddWarning(const std::string &, int, int, const std::string &) override {}

    std::optional<SerdeError> first;
};

void collectTypes(const pb::Descriptor *d, QStringList &out)
{
    if (d->options().map_entry())
        return;
    out << QString::fromStdString(d->full_name());
    for (int i = 0; i < d->nested_type_count(); ++i)
        collectTypes(d->nested_type(i), out);
}

class ProtobufSerializer final : public Serializer
{
public:
    ProtobufSerializer() : Serializer(Format::Protobuf) {}

    SerdeResult<bool> init(const QString &schemaFile, const QString &messageType, const QStringList &includePaths)
    {
        const QFileInfo info(schemaFile);
        if (!info.exists())
            return SerdeError{QStringLiteral("%1: no such file").arg(schemaFile)};
        m_tree.MapPath("", QDir::cleanPath(info.absolutePath()).toStdString());
        for (const auto &dir : includePaths)
            m_tree.MapPath("", QDir::cleanPath(QFileInfo(dir).absoluteFilePath()).toStdString());
        // The well-known types (google/protobuf/timestamp.proto, ...) as
        // libprotobuf-dev installs them, after the user's folders.
        m_tree.MapPath("", "/usr/include");
        m_importer = std::make_unique<pb::compiler::Importer>(&m_tree, &m_errors);
        const pb::FileDescriptor *file = m_importer->Import(info.fileName().toStdString());
        if (!file) {
            if (m_errors.first)
                return *m_errors.first;
            return SerdeError{QStringLiteral("%1: cannot be parsed").arg(schemaFile)};
        }
        for (int i = 0; i < file->message_type_count(); ++i)
            collectTypes(file->message_type(i), m_types);
        // Types from imports can be picked too (a wrapper file that only imports).
        for (int i = 0; i < file->dependency_count(); ++i)
            for (int j = 0; j < file->dependency(i)->message_type_count(); ++j)
                if (!file->dependency(i)->package().starts_with("google.protobuf"))
                    collectTypes(file->dependency(i)->message_type(j), m_types);
        const QString known = m_types.isEmpty() ? QStringLiteral("the file defines no message type")
                                                : QStringLiteral("defined: ") + m_types.join(QStringLiteral(", "));
        if (messageType.isEmpty())
            return SerdeError{QStringLiteral("choose the message type (--key-type/--value-type); %1").arg(known)};
        QString wanted = messageType;
        if (wanted.startsWith(QLatin1Char('.')))
            wanted.remove(0, 1);
        m_descriptor = m_importer->pool()->FindMessageTypeByName(wanted.toStdString());
        if (!m_descriptor)
            return SerdeError{QStringLiteral("unknown message type '%1'; %2").arg(messageType, known)};
        m_prototype = m_factory.GetPrototype(m_descriptor);
        return true;
    }

    QStringList messageTypes() const override { return m_types; }

    SerdeResult<Payload> serialize(QByteArrayView text) const override
    {
        // Syntax first, with line and column; protobuf's own parser then
        // checks the message against the type.
        auto doc = parseJsonText(text);
        if (!doc)
            return doc.error();
        std::unique_ptr<pb::Message> message(m_prototype->New());
        pb::util::JsonParseOptions options;
        options.ignore_unknown_fields = false;
        const auto status = pb::util::JsonStringToMessage(
            pb::StringPiece(text.data(), static_cast<size_t>(text.size())), message.get(), options);
        if (!status.ok()) {
            return SerdeError{QStringLiteral("%1: %2").arg(QString::fromStdString(m_descriptor->full_name()),
                                                           QString::fromStdString(std::string(status.message())))};
        }
        std::string out;
        if (!message->SerializeToString(&out))
            return SerdeError{QStringLiteral("%1: cannot be serialized (a required field is missing?): %2")
                                  .arg(QString::fromStdString(m_descriptor->full_name()),
                                       QString::fromStdString(message->InitializationErrorString()))};
        return Payload(QByteArray::fromStdString(out));
    }

    SerdeResult<QString> exampleFromSchema() const override
    {
        std::unique_ptr<pb::Message> message(m_prototype->New());
        fillExample(message.get(), 0);
        std::string out;
        pb::util::JsonPrintOptions options;
        options.add_whitespace = true;
        options.always_print_primitive_fields = true;
        options.preserve_proto_field_names = true;
        const auto status = pb::util::MessageToJsonString(*message, &out, options);
        if (!status.ok())
            return SerdeError{QString::fromStdString(std::string(status.message()))};
        return QString::fromStdString(out);
    }

private:
    void fillExample(pb::Message *m, int depth) const
    {
        const pb::Descriptor *d = m->GetDescriptor();
        const pb::Reflection *r = m->GetReflection();
        if (d->full_name().starts_with("google.protobuf."))
            return; // well-known types print in their own JSON forms; defaults are valid
        for (int i = 0; i < d->field_count(); ++i) {
            const pb::FieldDescriptor *f = d->field(i);
            if (f->containing_oneof() && f->index_in_oneof() != 0)
                continue; // one member per oneof
            if (f->is_map())
                continue;
            const bool rep = f->is_repeated();
            switch (f->cpp_type()) {
            case pb::FieldDescriptor::CPPTYPE_INT32: rep ? r->AddInt32(m, f, 42) : r->SetInt32(m, f, 42); break;
            case pb::FieldDescriptor::CPPTYPE_INT64: rep ? r->AddInt64(m, f, 42) : r->SetInt64(m, f, 42); break;
            case pb::FieldDescriptor::CPPTYPE_UINT32: rep ? r->AddUInt32(m, f, 42) : r->SetUInt32(m, f, 42); break;
            case pb::FieldDescriptor::CPPTYPE_UINT64: rep ? r->AddUInt64(m, f, 42) : r->SetUInt64(m, f, 42); break;
            case pb::FieldDescriptor::CPPTYPE_DOUBLE: rep ? r->AddDouble(m, f, 1.5) : r->SetDouble(m, f, 1.5); break;
            case pb::FieldDescriptor::CPPTYPE_FLOAT: rep ? r->AddFloat(m, f, 1.5f) : r->SetFloat(m, f, 1.5f); break;
            case pb::FieldDescriptor::CPPTYPE_BOOL: rep ? r->AddBool(m, f, true) : r->SetBool(m, f, true); break;
            case pb::FieldDescriptor::CPPTYPE_ENUM: {
                const auto *value = f->enum_type()->value(f->enum_type()->value_count() > 1 ? 1 : 0);
                rep ? r->AddEnum(m, f, value) : r->SetEnum(m, f, value);
                break;
            }
            case pb::FieldDescriptor::CPPTYPE_STRING: {
                const std::string s =
                    f->type() == pb::FieldDescriptor::TYPE_BYTES ? std::string("\x01\x02") : f->name();
                rep ? r->AddString(m, f, s) : r->SetString(m, f, s);
                break;
            }
            case pb::FieldDescriptor::CPPTYPE_MESSAGE:
                if (depth < 4)
                    fillExample(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), depth + 1);
                break;
            }
        }
    }

    pb::compiler::DiskSourceTree m_tree;
    ErrorCollector m_errors;
    std::unique_ptr<pb::compiler::Importer> m_importer;
    mutable pb::DynamicMessageFactory m_factory;
    const pb::Descriptor *m_descriptor = nullptr;
    const pb::Message *m_prototype = nullptr;
    QStringList m_types;
};

} // namespace

SerdeResult<SerializerPtr> makeProtobufSerializer(const QString &schemaFile, const QString &messageType,
                                                  const QStringList &includePaths)
{
    auto s = std::make_shared<ProtobufSerializer>();
    if (auto r = s->init(schemaFile, messageType, includePaths); !r)
        return r.error();
    return SerializerPtr(std::move(s));
}

SerdeResult<QStringList> protobufMessageTypes(const QString &schemaFile, const QStringList &includePaths)
{
    ProtobufSerializer s;
    auto r = s.init(schemaFile, QString(), includePaths);
    if (s.messageTypes().isEmpty() && !r)
        return r.error();
    return s.messageTypes();
}

} // namespace kpw::serde
