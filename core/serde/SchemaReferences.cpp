#include "serde/SchemaReferences.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace kpw {

namespace {

// Key order kept: the combined schema reads like the ones it is made of.
using json = nlohmann::ordered_json;

QString versionText(int version)
{
    return version > 0 ? QString::number(version) : QStringLiteral("latest");
}

QString describe(const SchemaReference &ref)
{
    return QStringLiteral("reference '%1' (subject '%2' version %3)")
        .arg(ref.name, ref.subject, versionText(ref.version));
}

Error referenceError(const SchemaReference &ref, const QString &why, std::int16_t code = -1)
{
    return Error{code, QStringLiteral("%1: %2").arg(describe(ref), why)};
}

bool isAvroFullName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$"));
    return re.match(name).hasMatch();
}

// A Protobuf import path: relative, no "..", no backslash or NUL.
bool isRelativeImport(const QString &name)
{
    return !name.isEmpty() && !name.startsWith(QLatin1Char('/')) && !QDir::isAbsolutePath(name) &&
           !name.contains(QLatin1StringView("..")) && !name.contains(QLatin1Char('\\')) && !name.contains(QChar(0)) &&
           !(name.size() > 1 && name.at(1) == QLatin1Char(':'));
}

struct Fetcher
{
    const ReferenceFetcher &fetch;
    QString schemaType;
    ReferenceGraph graph;
    QStringList path; // keys being resolved, for cycles

    Result<bool> visit(const QList<SchemaReference> &refs, int depth)
    {
        for (const SchemaReference &ref : refs) {
            if (schemaType == QLatin1StringView("PROTOBUF")) {
                if (!isRelativeImport(ref.name))
                    return referenceError(ref, QStringLiteral("'%1' is not a relative import path").arg(ref.name));
            } else if (schemaType == QLatin1StringView("AVRO")) {
                if (!isAvroFullName(ref.name))
                    return referenceError(ref, QStringLiteral("'%1' is not an Avro type name").arg(ref.name));
            }
            if (ref.subject.isEmpty())
                return referenceError(ref, QStringLiteral("no subject"));
            const QString key = ReferenceGraph::referenceKey(ref);
            if (path.contains(key)) {
                QStringList chain;
                for (const QString &k : path.mid(path.indexOf(key)))
                    chain << QString(k).replace(QLatin1Char('\n'), QLatin1Char(':'));
                chain << QString(key).replace(QLatin1Char('\n'), QLatin1Char(':'));
                return referenceError(
                    ref, QStringLiteral("the references form a cycle: %1").arg(chain.join(QStringLiteral(" \u2192 "))));
            }
            graph.edges.append({ref, key});
            if (graph.schemas.contains(key))
                continue; // met before, by another path
            if (depth >= kMaxReferenceDepth)
                return referenceError(
                    ref, QStringLiteral("schema references nest deeper than %1 levels").arg(kMaxReferenceDepth));
            auto got = fetch(ref);
            if (!got)
                return referenceError(ref, got.error().message, got.error().code);
            const QString type = got->schemaType.isEmpty() ? QStringLiteral("AVRO") : got->schemaType;
            if (type != schemaType)
                return referenceError(ref,
                                      QStringLiteral("a %1 schema, referenced from a %2 one").arg(type, schemaType));
            got->subject = ref.subject;
            graph.schemas.insert(key, *got);
            path.append(key);
            auto deeper = visit(got->references, depth + 1);
            path.removeLast();
            if (!deeper)
                return deeper;
        }
        return true;
    }
};

Result<json> parseJsonSchema(const QString &text)
{
    // Wrapped in an array: a bare "string" is a schema too.
    json doc = json::parse("[" + text.toStdString() + "]", nullptr, false);
    if (doc.is_discarded() || doc.size() != 1)
        return Error{-1, QStringLiteral("not valid JSON")};
    return doc.at(0);
}

bool isPrimitive(const std::string &name)
{
    static const std::set<std::string> names = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    return names.count(name) > 0;
}

bool isNamedKind(const json &type)
{
    return type.is_string() && (type == "record" || type == "error" || type == "enum" || type == "fixed");
}

// The full name a named type's definition gives it under enclosing namespace NS.
std::string definitionName(const json &def, const std::string &ns)
{
    std::string name = def.contains("name") && def["name"].is_string() ? def["name"].get<std::string>() : "";
    if (name.find('.') != std::string::npos)
        return name;
    std::string space = ns;
    if (def.contains("namespace") && def["namespace"].is_string())
        space = def["namespace"].get<std::string>();
    return space.empty() ? name : space + "." + name;
}

std::string namespaceOf(const std::string &fullName)
{
    const auto dot = fullName.rfind('.');
    return dot == std::string::npos ? std::string() : fullName.substr(0, dot);
}

struct Inliner
{
    const ReferenceGraph &graph;
    std::set<std::string> defined; // full names defined so far, in document order

    // name -> key of the schema it is referenced from, for one schema's references.
    static std::map<std::string, const ReferenceGraph::Edge *> refsOf(const QList<SchemaReference> &refs,
                                                                      const ReferenceGraph &graph)
    {
        std::map<std::string, const ReferenceGraph::Edge *> out;
        for (const SchemaReference &ref : refs)
            for (const auto &edge : graph.edges)
                if (edge.reference == ref) {
                    out.emplace(ref.name.toStdString(), &edge);
                    break;
                }
        return out;
    }

    Result<bool> walk(json &node, const std::string &ns,
                      const std::map<std::string, const ReferenceGraph::Edge *> &refs)
    {
        if (node.is_string()) {
            const std::string name = node.get<std::string>();
            if (isPrimitive(name))
                return true;
            const ReferenceGraph::Edge *edge = nullptr;
            std::string full = name;
            if (name.find('.') == std::string::npos && !ns.empty()) {
                if (auto it = refs.find(ns + "." + name); it != refs.end()) {
                    edge = it->second;
                    full = ns + "." + name;
                }
            }
            if (!edge)
                if (auto it = refs.find(name); it != refs.end())
                    edge = it->second;
            if (!edge || defined.count(full))
                return true; // defined locally, or already inlined: a name
            return inlineAt(node, ns, *edge);
        }
        if (node.is_array()) {
            for (json &branch : node)
                if (auto r = walk(branch, ns, refs); !r)
                    return r;
            return true;
        }
        if (!node.is_object() || !node.contains("type"))
            return true; // Avro C reports what is wrong with it
        json &type = node["type"];
        if (isNamedKind(type)) {
            const std::string full = definitionName(node, ns);
            defined.insert(full);
            if ((type == "record" || type == "error") && node.contains("fields") && node["fields"].is_array()) {
                const std::string inner = namespaceOf(full);
                for (json &field : node["fields"])
                    if (field.is_object() && field.contains("type"))
                        if (auto r = walk(field["type"], inner, refs); !r)
                            return r;
            }
            return true;
        }
        if (type == "array")
            return node.contains("items") ? walk(node["items"], ns, refs) : Result<bool>(true);
        if (type == "map")
            return node.contains("values") ? walk(node["values"], ns, refs) : Result<bool>(true);
        return walk(type, ns, refs);
    }

    Result<bool> inlineAt(json &node, const std::string &ns, const ReferenceGraph::Edge &edge)
    {
        const RegistrySchema &schema = graph.schemas.value(edge.key);
        auto parsed = definitionOf(edge, schema);
        if (!parsed)
            return parsed.error();
        json def = *parsed;
        // A type of the null namespace keeps it inside a namespaced record.
        if (!ns.empty() && edge.reference.name.indexOf(QLatin1Char('.')) < 0)
            def["namespace"] = "";
        if (auto r = walk(def, std::string(), refsOf(schema.references, graph)); !r)
            return r;
        node = std::move(def);
        return true;
    }

    // The referenced schema, checked to define the name it is referenced by.
    static Result<json> definitionOf(const ReferenceGraph::Edge &edge, const RegistrySchema &schema)
    {
        auto parsed = parseJsonSchema(schema.schema);
        if (!parsed)
            return referenceError(edge.reference, QStringLiteral("its schema is not valid JSON"));
        const json &def = *parsed;
        const std::string wanted = edge.reference.name.toStdString();
        if (def.is_object() && def.contains("type") && isNamedKind(def["type"])) {
            const std::string full = definitionName(def, std::string());
            if (full == wanted)
                return def;
            return referenceError(edge.reference, QStringLiteral("its schema defines %1 %2, not %3")
                                                      .arg(QString::fromStdString(def["type"].get<std::string>()),
                                                           QString::fromStdString(full), edge.reference.name));
        }
        return referenceError(edge.reference,
                              QStringLiteral("its schema does not define the named type %1 (a record, enum or fixed)")
                                  .arg(edge.reference.name));
    }
};

} // namespace

QString ReferenceGraph::referenceKey(const SchemaReference &reference)
{
    return reference.subject + QLatin1Char('\n') + versionText(reference.version);
}

Result<ReferenceGraph> fetchReferences(const RegistrySchema &root, const ReferenceFetcher &fetch)
{
    Fetcher f{fetch, root.schemaType.isEmpty() ? QStringLiteral("AVRO") : root.schemaType, {}, {}};
    if (!root.subject.isEmpty() && root.version > 0)
        f.path.append(ReferenceGraph::referenceKey({QString(), root.subject, root.version}));
    if (auto r = f.visit(root.references, 0); !r)
        return r.error();
    return std::move(f.graph);
}

Result<QByteArray> inlineAvroReferences(const RegistrySchema &root, const ReferenceGraph &graph)
{
    auto parsed = parseJsonSchema(root.schema);
    if (!parsed)
        return Error{-1, QStringLiteral("the schema is not valid JSON")};
    Inliner inliner{graph, {}};
    // Every reference must define its name, used or not.
    for (const auto &edge : graph.edges)
        if (auto def = Inliner::definitionOf(edge, graph.schemas.value(edge.key)); !def)
            return def.error();
    json doc = *parsed;
    if (auto r = inliner.walk(doc, std::string(), Inliner::refsOf(root.references, graph)); !r)
        return r.error();
    // QString input is valid UTF-8; replace rather than throw all the same.
    return QByteArray::fromStdString(doc.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<bool> writeProtobufReferences(const ReferenceGraph &graph, const QString &dir)
{
    QMap<QString, QString> written; // import name -> key
    for (const auto &edge : graph.edges) {
        const QString &name = edge.reference.name;
        if (auto it = written.constFind(name); it != written.constEnd()) {
            if (graph.schemas.value(*it).schema != graph.schemas.value(edge.key).schema)
                return referenceError(edge.reference,
                                      QStringLiteral("'%1' is imported from two different schemas").arg(name));
            continue;
        }
        const QString path = dir + QLatin1Char('/') + name;
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(graph.schemas.value(edge.key).schema.toUtf8()) < 0)
            return referenceError(edge.reference, QStringLiteral("cannot write %1").arg(path));
        written.insert(name, edge.key);
    }
    return true;
}

QString ResolvedReferences::protoIncludePath() const
{
    return protoDir ? protoDir->path() : QString();
}

Result<ResolvedReferences> resolveReferences(const RegistrySchema &schema, const ReferenceFetcher &fetch)
{
    ResolvedReferences out;
    const QString type = schema.schemaType.isEmpty() ? QStringLiteral("AVRO") : schema.schemaType;
    if (schema.references.isEmpty()) {
        if (type == QLatin1StringView("AVRO"))
            out.avroSchema = schema.schema.toUtf8();
        return out;
    }
    if (type != QLatin1StringView("AVRO") && type != QLatin1StringView("PROTOBUF"))
        return Error{
            -1, QStringLiteral("references of %1 schemas are not resolved (only Avro's and Protobuf's)").arg(type)};
    auto graph = fetchReferences(schema, fetch);
    if (!graph)
        return graph.error();
    out.count = int(graph->schemas.size());
    if (type == QLatin1StringView("AVRO")) {
        auto combined = inlineAvroReferences(schema, *graph);
        if (!combined)
            return combined.error();
        out.avroSchema = *combined;
        return out;
    }
    out.protoDir = std::make_shared<QTemporaryDir>();
    if (!out.protoDir->isValid())
        return Error{-1, QStringLiteral("cannot make a temporary folder for the referenced .proto files")};
    if (auto r = writeProtobufReferences(*graph, out.protoDir->path()); !r)
        return r.error();
    return out;
}

Result<ResolvedReferences> resolveReferencesSync(RegistryClient &client, const RegistrySchema &schema)
{
    return resolveReferences(schema, [&client](const SchemaReference &ref) {
        return client.getSchemaSync(ref.subject, versionText(ref.version));
    });
}

} // namespace kpw
