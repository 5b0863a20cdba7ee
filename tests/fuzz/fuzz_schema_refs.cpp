// fuzz_schema_refs: schema references as a Schema Registry answers them
// (core/serde/SchemaReferences): the reference graph fetched from hostile
// answers (names, cycles, diamonds, a reference to nothing, schemas of another
// type) and the Avro schema with its references inlined, which then goes to
// Avro C through makeSerializer.
//
// Input format: byte 0: bit 0 PROTOBUF (else AVRO); bit 1 the last schema
// refers back to the first reference (a cycle); bit 2 a reference to a
// subject the registry does not have; bit 3 every referenced schema is of the
// other type. The rest, split at lines "--": the root schema, then one part
// per reference: its name on the first line, its schema after. The root
// refers to every part; part i also refers to part i+1 (nested references).
//
// Properties: no crash, leak or UB; every error has a message; a fetched
// graph holds only schemas the registry has, each edge's schema among them;
// inlining twice gives the same bytes, and the result is one JSON document;
// the serializer either takes it or says why not.

#include "FuzzCheck.h"

#include "serde/SchemaReferences.h"
#include "serde/Serializer.h"

#include <nlohmann/json.hpp>

using namespace kpw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t mode = data[0];
    const QString text = QString::fromUtf8(kpwfuzz::bytes(data + 1, size - 1));
    const QStringList parts = text.split(QStringLiteral("\n--\n"));
    if (parts.size() > 24)
        return 0;
    const QString type = (mode & 1) ? QStringLiteral("PROTOBUF") : QStringLiteral("AVRO");
    const QString otherType = (mode & 1) ? QStringLiteral("AVRO") : QStringLiteral("PROTOBUF");

    QMap<QString, RegistrySchema> registry; // by subject
    QList<SchemaReference> refs;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const qsizetype eol = parts[i].indexOf(QLatin1Char('\n'));
        const QString name = eol < 0 ? parts[i] : parts[i].left(eol);
        RegistrySchema s;
        s.subject = QStringLiteral("s%1").arg(i);
        s.version = 1;
        s.id = static_cast<int>(i);
        s.schemaType = (mode & 8) ? otherType : type;
        s.schema = eol < 0 ? QString() : parts[i].mid(eol + 1);
        registry.insert(s.subject, s);
        refs.append(SchemaReference{name, s.subject, 1});
    }
    for (qsizetype i = 0; i + 1 < refs.size(); ++i)
        registry[refs[i].subject].references.append(refs[i + 1]);
    if ((mode & 2) && !refs.isEmpty())
        registry[refs.last().subject].references.append(refs.first());
    RegistrySchema root;
    root.id = 0;
    root.subject = QStringLiteral("root");
    root.version = 1;
    root.schemaType = type;
    root.schema = parts.first();
    root.references = refs;
    if (mode & 4)
        root.references.append(SchemaReference{QStringLiteral("gone.Type"), QStringLiteral("gone"), 1});

    const ReferenceFetcher fetch = [&registry](const SchemaReference &r) -> Result<RegistrySchema> {
        const auto it = registry.constFind(r.subject);
        if (it == registry.constEnd() || r.version != 1)
            return Error{404, QStringLiteral("Subject '%1' not found.").arg(r.subject)};
        return *it;
    };

    auto graph = fetchReferences(root, fetch);
    if (!graph) {
        FUZZ_CHECK(!graph.error().message.isEmpty(), "a refused reference graph without a message");
        return 0;
    }
    FUZZ_CHECK(graph->schemas.size() <= registry.size(), "more schemas (%d) than the registry holds (%d)",
               int(graph->schemas.size()), int(registry.size()));
    for (const auto &edge : std::as_const(graph->edges))
        FUZZ_CHECK(graph->schemas.contains(edge.key), "an edge to a schema not fetched");
    if (type != QLatin1StringView("AVRO"))
        return 0;

    auto inlined = inlineAvroReferences(root, *graph);
    auto again = inlineAvroReferences(root, *graph);
    FUZZ_CHECK(inlined.ok() == again.ok(), "two verdicts for one schema");
    if (!inlined) {
        FUZZ_CHECK(!inlined.error().message.isEmpty(), "a refused inlining without a message");
        return 0;
    }
    FUZZ_CHECK(*inlined == *again, "two results for one schema");
    const auto doc =
        nlohmann::json::parse(inlined->constData(), inlined->constData() + inlined->size(), nullptr, false);
    FUZZ_CHECK(!doc.is_discarded(), "the inlined schema is not JSON");

    auto serializer = serde::makeSerializer(serde::SerializerSpec{serde::Format::Avro, {}, *inlined, {}, {}, false});
    if (!serializer)
        FUZZ_CHECK(!serializer.error().reason.isEmpty(), "a refused inlined schema without a reason");
    return 0;
}
