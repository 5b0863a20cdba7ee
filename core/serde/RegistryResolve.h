#pragma once

#include "serde/RegistryClient.h"
#include "serde/WireFormat.h"

namespace kpw {

// Which registry schema a produced key or value uses (kpw-cli produce's
// --schema-registry options, the composer's registry picker).
//   schemaId >= 0         that schema, by id
//   else the subject:     SUBJECT, or the strategy's name for topic/isKey/record name
//     autoRegister        register LOCALSCHEMA there (or find it registered) and use its id
//     localSchema         look it up there: it must be registered already
//     neither             VERSION of the subject ("latest" when empty)
struct SchemaSelection
{
    QString subject;
    SubjectStrategy strategy = SubjectStrategy::TopicName;
    QString topic;
    bool isKey = false;
    QString version;
    int schemaId = -1;
    QString localSchema;
    QString localSchemaType; // avro/protobuf/json (AVRO when empty)
    QList<SchemaReference> references;
    QString recordName; // fully qualified; derived from the schema when empty
    bool autoRegister = false;
};

struct ResolvedSchema
{
    int id = -1;
    QString subject; // empty when picked by id
    int version = -1;
    RegistrySchema schema;
};

// Resolves SELECTION against the registry (synchronously, with the client's
// timeout). Errors name the subject, version or id and the registry's reason.
Result<ResolvedSchema> resolveSchemaSync(RegistryClient &client, const SchemaSelection &selection);

// The fully qualified record name the record strategies use: Avro
// namespace.name, JSON Schema's title, Protobuf package.Message (MESSAGETYPE,
// or the first top-level message). Empty when the schema has none.
QString recordNameOf(const QString &schema, const QString &schemaType, const QString &messageType = {});

// The Confluent message-index path of MESSAGETYPE (full name, e.g.
// acme.Order.Line) in a .proto text: the message's position among the
// messages declared at each nesting level. An empty MESSAGETYPE is the first
// top-level message, [0]. Fails when the type is not declared there.
Result<QList<int>> protobufMessageIndexes(const QString &protoText, const QString &messageType);

} // namespace kpw
