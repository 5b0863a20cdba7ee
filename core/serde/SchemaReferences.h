#pragma once

#include "serde/RegistryClient.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>
#include <memory>

class QTemporaryDir;

namespace kpw {

// Schema references (Confluent semantics) resolved for the serializers, shared
// by kpw-cli produce and the GUI's registry picker:
//   Protobuf  each reference's name is an import path: the referenced .proto
//             files are written under those names in a folder, which becomes
//             an include path;
//   Avro      each reference's name is the full name of the named type
//             (record, enum, fixed) its subject's schema defines: Avro C takes
//             one schema only, so the first use of each referenced name in
//             the main schema is replaced by the referenced schema's JSON
//             (itself resolved first); later uses stay names.
// References are fetched recursively (diamonds once), at most
// kMaxReferenceDepth levels deep; a cycle is an error. Errors name the
// reference (its name, subject and version) and the registry's reason.

constexpr int kMaxReferenceDepth = 16;

// Fetches the schema one reference points at (the registry, or a map in tests).
using ReferenceFetcher = std::function<Result<RegistrySchema>(const SchemaReference &)>;

// Every reference reachable from a schema, fetched.
struct ReferenceGraph
{
    struct Edge
    {
        SchemaReference reference;
        QString key; // into schemas
    };
    QMap<QString, RegistrySchema> schemas; // by referenceKey()
    QList<Edge> edges;                     // every reference met, depth first
    static QString referenceKey(const SchemaReference &reference);
};

// Fetches ROOT's references recursively. SCHEMATYPE (ROOT's) decides how the
// names are checked: Protobuf import paths must be relative, without "..";
// Avro names must be full names. Referenced schemas must be of the same type.
Result<ReferenceGraph> fetchReferences(const RegistrySchema &root, const ReferenceFetcher &fetch);

// The self-contained Avro schema for ROOT, its references inlined (see above).
Result<QByteArray> inlineAvroReferences(const RegistrySchema &root, const ReferenceGraph &graph);

// Writes the referenced .proto files under their import names in DIR.
Result<bool> writeProtobufReferences(const ReferenceGraph &graph, const QString &dir);

// What the serializer needs for a registry schema with references.
struct ResolvedReferences
{
    int count = 0;         // schemas fetched (all levels)
    QByteArray avroSchema; // AVRO: the self-contained schema
    // PROTOBUF: a folder with the imports, to use as an include path; it is
    // removed when the last copy goes.
    std::shared_ptr<QTemporaryDir> protoDir;
    QString protoIncludePath() const;
};

// Fetches and resolves SCHEMA's references with FETCH. A schema without
// references resolves to nothing to do (count 0, avroSchema its own text).
Result<ResolvedReferences> resolveReferences(const RegistrySchema &schema, const ReferenceFetcher &fetch);
// The same through CLIENT's synchronous calls (the calling thread's event
// loop is run while waiting).
Result<ResolvedReferences> resolveReferencesSync(RegistryClient &client, const RegistrySchema &schema);

} // namespace kpw
