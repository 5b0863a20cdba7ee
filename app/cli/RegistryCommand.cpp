#include "RegistryCommand.h"

#include "serde/RegistryResolve.h"
#include "serde/SchemaReferences.h"
#include "serde/WireFormat.h"

#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <memory>

namespace kpw::cli {

namespace {

int usage(const QString &message)
{
    QTextStream(stderr) << "kpw-cli registry: " << message << "\n(see kpw-cli registry --help)" << Qt::endl;
    return 2;
}

int failed(const Error &e)
{
    QTextStream(stderr) << "kpw-cli registry: " << e.message << Qt::endl;
    return 1;
}

// Registry lines of a client.properties file (the rest is the producer's).
Result<bool> loadRegistryProperties(const QString &path, RegistryConfig &config)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{-1, QStringLiteral("cannot read %1").arg(path)};
    int lineNo = 0;
    while (!f.atEnd()) {
        ++lineNo;
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char('!')))
            continue;
        const auto eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString key = line.left(eq).trimmed();
        if (!RegistryConfig::isRegistryProperty(key))
            continue;
        if (auto r = config.set(key, line.mid(eq + 1).trimmed()); !r)
            return Error{-1, QStringLiteral("%1:%2: %3").arg(path).arg(lineNo).arg(r.error().message)};
    }
    return true;
}

Result<QString> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{-1, QStringLiteral("cannot read schema file %1: %2").arg(path, f.errorString())};
    return QString::fromUtf8(f.readAll());
}

} // namespace

Result<SchemaReference> parseReference(const QString &text)
{
    // name=subject:version; the name may itself hold '=' only before the last one.
    const auto eq = text.lastIndexOf(QLatin1Char('='));
    const auto colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const int version = colon > eq ? text.mid(colon + 1).toInt(&ok) : 0;
    if (eq <= 0 || colon <= eq + 1 || !ok || version <= 0)
        return Error{-1, QStringLiteral("--reference '%1': expected name=subject:version").arg(text)};
    return SchemaReference{text.left(eq), text.mid(eq + 1, colon - eq - 1), version};
}

QString schemaTypeFor(const QString &typeOption, const QString &fileName)
{
    if (!typeOption.isEmpty())
        return RegistryClient::normaliseSchemaType(typeOption);
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == QLatin1StringView("avsc"))
        return QStringLiteral("AVRO");
    if (suffix == QLatin1StringView("proto"))
        return QStringLiteral("PROTOBUF");
    if (suffix == QLatin1StringView("json"))
        return QStringLiteral("JSON");
    return {};
}

Result<bool> registryConfigFrom(const QCommandLineParser &p, RegistryConfig &config)
{
    const QStringList names = p.optionNames();
    if (names.contains(QStringLiteral("producer.config")) && p.isSet(QStringLiteral("producer.config"))) {
        if (auto r = loadRegistryProperties(p.value(QStringLiteral("producer.config")), config); !r)
            return r;
    }
    if (names.contains(QStringLiteral("X"))) {
        for (const auto &x : p.values(QStringLiteral("X"))) {
            const auto eq = x.indexOf(QLatin1Char('='));
            if (eq <= 0)
                continue; // reported by the producer's own -X handling
            const QString key = x.left(eq);
            if (!RegistryConfig::isRegistryProperty(key))
                continue;
            if (auto r = config.set(key, x.mid(eq + 1)); !r)
                return Error{-1, QStringLiteral("-X %1").arg(r.error().message)};
        }
    }
    if (p.isSet(QStringLiteral("schema-registry"))) {
        if (auto r = config.set(QStringLiteral("schema.registry.url"), p.value(QStringLiteral("schema-registry"))); !r)
            return Error{-1, QStringLiteral("--schema-registry: %1").arg(r.error().message)};
    }
    if (config.url.isEmpty())
        return Error{-1,
                     QStringLiteral("no Schema Registry: give --schema-registry URL (or -X schema.registry.url=URL)")};
    return true;
}

int runRegistry(QCoreApplication &app, const QStringList &args)
{
    Q_UNUSED(app);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Talk to a Schema Registry (the Confluent API; Apicurio's is under /apis/ccompat/v7).\n\n"
        "  kpw-cli registry subjects                      the subjects, one per line\n"
        "  kpw-cli registry versions SUBJECT              its versions, one per line\n"
        "  kpw-cli registry get SUBJECT [VERSION|latest]  the schema on stdout; id, version, type on stderr\n"
        "  kpw-cli registry get-id ID                     the schema with that id\n"
        "  kpw-cli registry register SUBJECT FILE         register FILE; prints the schema id\n"
        "  kpw-cli registry check SUBJECT FILE            is FILE compatible with the latest version?\n\n"
        "FILE's type comes from its extension (.avsc, .proto, .json) or --type. Exit code: 0 done (check:\n"
        "compatible), 1 the registry refused or could not be reached (check: incompatible), 2 usage."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("action"),
                            QStringLiteral("subjects, versions, get, get-id, register, check"));
    p.addOption({QStringLiteral("schema-registry"), QStringLiteral("Registry base URL (schema.registry.url)."),
                 QStringLiteral("url")});
    p.addOption({QStringLiteral("X"),
                 QStringLiteral("Registry setting (repeatable): schema.registry.url, basic.auth.user.info=USER:PASS, "
                                "schema.registry.ssl.ca.location, .certificate.location, .key.location, "
                                ".key.password, .endpoint.identification.algorithm=https|none, "
                                "schema.registry.request.timeout.ms."),
                 QStringLiteral("prop=value")});
    p.addOption({QStringLiteral("producer.config"),
                 QStringLiteral("client.properties file; its schema.registry.* and basic.auth.* lines are used."),
                 QStringLiteral("file")});
    p.addOption({QStringLiteral("type"), QStringLiteral("Schema type of FILE: avro, protobuf or json."),
                 QStringLiteral("type")});
    p.addOption({QStringLiteral("reference"),
                 QStringLiteral("A schema reference (repeatable): NAME=SUBJECT:VERSION, NAME being the Protobuf "
                                "import path or the Avro type name."),
                 QStringLiteral("ref")});
    p.process(args);

    RegistryConfig config;
    if (auto r = registryConfigFrom(p, config); !r)
        return usage(r.error().message);
    const QStringList pos = p.positionalArguments();
    if (pos.isEmpty())
        return usage(QStringLiteral("no action: subjects, versions, get, get-id, register or check"));
    const QString action = pos[0];
    QTextStream out(stdout);
    QTextStream err(stderr);
    RegistryClient client(config);

    auto needArgs = [&](int min, int max, const QString &form) -> int {
        if (pos.size() - 1 < min || pos.size() - 1 > max)
            return usage(QStringLiteral("usage: kpw-cli registry %1").arg(form));
        return 0;
    };
    auto printSchema = [&](const RegistrySchema &s) {
        err << "% ";
        if (!s.subject.isEmpty())
            err << "subject " << s.subject << " version " << s.version << " ";
        err << "id " << s.id << " type " << s.schemaType;
        for (const auto &ref : s.references)
            err << " reference " << ref.name << "=" << ref.subject << ":" << ref.version;
        err << Qt::endl;
        out << s.schema;
        if (!s.schema.endsWith(QLatin1Char('\n')))
            out << '\n';
        out.flush();
    };

    if (action == QLatin1StringView("subjects")) {
        if (int rc = needArgs(0, 0, QStringLiteral("subjects")))
            return rc;
        auto r = client.listSubjectsSync();
        if (!r)
            return failed(r.error());
        for (const auto &s : *r)
            out << s << '\n';
        return 0;
    }
    if (action == QLatin1StringView("versions")) {
        if (int rc = needArgs(1, 1, QStringLiteral("versions SUBJECT")))
            return rc;
        auto r = client.listVersionsSync(pos[1]);
        if (!r)
            return failed(r.error());
        for (int v : *r)
            out << v << '\n';
        return 0;
    }
    if (action == QLatin1StringView("get")) {
        if (int rc = needArgs(1, 2, QStringLiteral("get SUBJECT [VERSION|latest]")))
            return rc;
        const QString version = pos.size() > 2 ? pos[2] : QStringLiteral("latest");
        bool isNumber = false;
        const int n = version.toInt(&isNumber);
        if (version != QLatin1StringView("latest") && (!isNumber || n <= 0))
            return usage(QStringLiteral("version '%1' is neither a positive number nor latest").arg(version));
        auto r = client.getSchemaSync(pos[1], version);
        if (!r)
            return failed(r.error());
        printSchema(*r);
        return 0;
    }
    if (action == QLatin1StringView("get-id")) {
        if (int rc = needArgs(1, 1, QStringLiteral("get-id ID")))
            return rc;
        bool ok = false;
        const int id = pos[1].toInt(&ok);
        if (!ok || id < 0)
            return usage(QStringLiteral("'%1' is not a schema id").arg(pos[1]));
        auto r = client.getSchemaByIdSync(id);
        if (!r)
            return failed(r.error());
        printSchema(*r);
        return 0;
    }
    if (action == QLatin1StringView("register") || action == QLatin1StringView("check")) {
        if (int rc = needArgs(2, 2, action + QStringLiteral(" SUBJECT FILE [--type T] [--reference N=S:V]...")))
            return rc;
        const QString type = schemaTypeFor(p.value(QStringLiteral("type")), pos[2]);
        if (type.isEmpty())
            return usage(
                p.isSet(QStringLiteral("type"))
                    ? QStringLiteral("--type '%1': expected avro, protobuf or json")
                          .arg(p.value(QStringLiteral("type")))
                    : QStringLiteral("cannot tell the schema type of %1 from its name: give --type").arg(pos[2]));
        QList<SchemaReference> refs;
        for (const auto &r : p.values(QStringLiteral("reference"))) {
            auto ref = parseReference(r);
            if (!ref)
                return usage(ref.error().message);
            refs.append(*ref);
        }
        auto text = readFile(pos[2]);
        if (!text)
            return usage(text.error().message);
        if (action == QLatin1StringView("register")) {
            auto id = client.registerSchemaSync(pos[1], *text, type, refs);
            if (!id)
                return failed(id.error());
            out << *id << '\n';
            return 0;
        }
        auto c = client.checkCompatibilitySync(pos[1], *text, type, refs);
        if (!c)
            return failed(c.error());
        out << (c->compatible ? "compatible" : "incompatible") << '\n';
        for (const auto &m : c->messages)
            out << "  " << m << '\n';
        return c->compatible ? 0 : 1;
    }
    return usage(QStringLiteral("unknown action '%1'").arg(action));
}

void addRegistryProduceOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("schema-registry"),
                 QStringLiteral("Schema Registry URL: values (and keys) use its schemas and are sent in the Confluent "
                                "wire format (magic byte, schema id, Protobuf message indexes)."),
                 QStringLiteral("url")});
    for (const QString &side : {QStringLiteral("key"), QStringLiteral("value")}) {
        p.addOption({side + QStringLiteral("-subject"),
                     QStringLiteral("Registry subject of the %1 (default: from --subject-strategy).").arg(side),
                     QStringLiteral("subject")});
        p.addOption({side + QStringLiteral("-schema-version"),
                     QStringLiteral("Version of the %1's subject to use (default: latest).").arg(side),
                     QStringLiteral("n")});
        p.addOption({side + QStringLiteral("-schema-id"),
                     QStringLiteral("Registry schema id of the %1 (instead of a subject).").arg(side),
                     QStringLiteral("id")});
    }
    p.addOption({QStringLiteral("subject-strategy"),
                 QStringLiteral("How the subject is named: topic (TOPIC-key/TOPIC-value, default), record (the "
                                "record's full name), topic-record (TOPIC-name)."),
                 QStringLiteral("strategy")});
    p.addOption({QStringLiteral("auto-register"),
                 QStringLiteral("Register --key-schema/--value-schema under the subject if it is not there yet "
                                "(default: it must be registered already).")});
}

namespace {

QString formatNameForType(const QString &schemaType)
{
    if (schemaType == QLatin1StringView("AVRO"))
        return QStringLiteral("avro");
    if (schemaType == QLatin1StringView("PROTOBUF"))
        return QStringLiteral("protobuf");
    if (schemaType == QLatin1StringView("JSON"))
        return QStringLiteral("json-schema");
    return {};
}

// Folders holding .proto files fetched from the registry, kept until exit.
std::vector<std::shared_ptr<QTemporaryDir>> &protoDirs()
{
    static std::vector<std::shared_ptr<QTemporaryDir>> dirs;
    return dirs;
}

bool applySide(const QCommandLineParser &p, RegistryClient &client, const QString &side, const QString &topic,
               SubjectStrategy strategy, std::shared_ptr<const serde::Serializer> &serializer,
               serde::PayloadFramer &framer, QString *error)
{
    const QString formatOpt = side + QStringLiteral("-format");
    const QString schemaOpt = side + QStringLiteral("-schema");
    const QString typeOpt = side + QStringLiteral("-type");
    const QString subjectOpt = side + QStringLiteral("-subject");
    const QString versionOpt = side + QStringLiteral("-schema-version");
    const QString idOpt = side + QStringLiteral("-schema-id");
    std::optional<serde::Format> format;
    if (p.isSet(formatOpt)) {
        format = serde::formatFromName(p.value(formatOpt));
        if (!format) {
            *error = QStringLiteral("--%1: '%2' is not a format (%3)")
                         .arg(formatOpt, p.value(formatOpt), serde::formatNames());
            return false;
        }
    }
    const bool schemaBacked = format && serde::formatInfo(*format).needsSchema;
    const bool picked = p.isSet(subjectOpt) || p.isSet(versionOpt) || p.isSet(idOpt);
    if (!schemaBacked && !picked)
        return true; // not a registry side
    if (format && !schemaBacked) {
        *error = QStringLiteral("--%1 %2 has no schema to take from the registry (use avro, protobuf or json-schema)")
                     .arg(formatOpt, p.value(formatOpt));
        return false;
    }
    if (p.isSet(idOpt) && (p.isSet(subjectOpt) || p.isSet(versionOpt))) {
        *error =
            QStringLiteral("--%1 picks the schema alone: leave out --%2 and --%3").arg(idOpt, subjectOpt, versionOpt);
        return false;
    }
    if (p.isSet(schemaOpt) && (p.isSet(idOpt) || p.isSet(versionOpt))) {
        *error =
            QStringLiteral("--%1 FILE is looked up (or registered) in the subject; it does not go with --%2 or --%3")
                .arg(schemaOpt, idOpt, versionOpt);
        return false;
    }

    SchemaSelection sel;
    sel.subject = p.value(subjectOpt);
    sel.strategy = strategy;
    sel.topic = topic;
    sel.isKey = side == QLatin1StringView("key");
    sel.version = p.value(versionOpt);
    sel.autoRegister = p.isSet(QStringLiteral("auto-register"));
    if (p.isSet(idOpt)) {
        bool ok = false;
        sel.schemaId = p.value(idOpt).toInt(&ok);
        if (!ok || sel.schemaId < 0) {
            *error = QStringLiteral("--%1: '%2' is not a schema id").arg(idOpt, p.value(idOpt));
            return false;
        }
    }
    if (!sel.version.isEmpty() && sel.version != QLatin1StringView("latest")) {
        bool ok = false;
        if (sel.version.toInt(&ok) <= 0 || !ok) {
            *error = QStringLiteral("--%1: '%2' is neither a positive number nor latest").arg(versionOpt, sel.version);
            return false;
        }
    }
    const QString file = p.value(schemaOpt);
    if (!file.isEmpty()) {
        auto text = readFile(file);
        if (!text) {
            *error = text.error().message;
            return false;
        }
        sel.localSchema = *text;
        sel.localSchemaType =
            format ? RegistryClient::normaliseSchemaType(serde::formatInfo(*format).name) : schemaTypeFor({}, file);
        if (sel.localSchemaType.isEmpty()) {
            *error = QStringLiteral("--%1 %2: give --%3 avro, protobuf or json-schema").arg(schemaOpt, file, formatOpt);
            return false;
        }
        sel.recordName = recordNameOf(sel.localSchema, sel.localSchemaType, p.value(typeOpt));
    } else if (sel.autoRegister) {
        *error = QStringLiteral("--auto-register needs --%1 FILE to register").arg(schemaOpt);
        return false;
    } else if (strategy != SubjectStrategy::TopicName && sel.subject.isEmpty()) {
        // The record strategies need the record's name: the Protobuf type, if given.
        sel.recordName = p.value(typeOpt);
    }

    auto resolved = resolveSchemaSync(client, sel);
    if (!resolved) {
        *error = QStringLiteral("%1 schema: %2").arg(side, resolved.error().message);
        return false;
    }
    const QString schemaType = resolved->schema.schemaType;
    const QString formatName = formatNameForType(schemaType);
    if (format && serde::formatInfo(*format).name != formatName) {
        *error = QStringLiteral("--%1 %2, but the registry's schema (id %3) is %4")
                     .arg(formatOpt, p.value(formatOpt))
                     .arg(resolved->id)
                     .arg(schemaType);
        return false;
    }
    serde::SerializerSpec spec;
    spec.format = *serde::formatFromName(formatName);
    spec.messageType = p.value(typeOpt);
    spec.includePaths = p.values(QStringLiteral("proto-path"));
    spec.compactJson = p.isSet(QStringLiteral("compact-json"));
    QString protoText = sel.localSchema;
    if (!file.isEmpty()) {
        spec.schemaFile = file;
    } else {
        // The references (Protobuf imports, Avro named types) fetched and
        // resolved as the GUI does: a folder of .proto files, or one
        // self-contained Avro schema.
        auto refs = resolveReferencesSync(client, resolved->schema);
        if (!refs) {
            *error = QStringLiteral("%1 schema id %2: %3").arg(side).arg(resolved->id).arg(refs.error().message);
            return false;
        }
        if (refs->count > 0)
            QTextStream(stderr) << "% " << side << ": resolved " << refs->count << " schema reference(s)" << Qt::endl;
        if (schemaType == QLatin1StringView("PROTOBUF")) {
            // The registry's .proto beside its imports.
            std::shared_ptr<QTemporaryDir> dir = refs->protoDir;
            if (!dir)
                dir = std::make_shared<QTemporaryDir>();
            if (!dir->isValid()) {
                *error = QStringLiteral("cannot make a temporary folder for the registry's .proto files");
                return false;
            }
            spec.schemaFile = dir->path() + QStringLiteral("/kpw-registry-schema-%1.proto").arg(resolved->id);
            QFile f(spec.schemaFile);
            if (!f.open(QIODevice::WriteOnly) || f.write(resolved->schema.schema.toUtf8()) < 0) {
                *error = QStringLiteral("cannot write %1").arg(spec.schemaFile);
                return false;
            }
            spec.includePaths.prepend(dir->path());
            protoText = resolved->schema.schema;
            protoDirs().push_back(std::move(dir));
        } else if (schemaType == QLatin1StringView("AVRO")) {
            spec.schemaText = refs->avroSchema;
        } else {
            spec.schemaText = resolved->schema.schema.toUtf8();
        }
    }
    auto made = serde::makeSerializer(spec);
    if (!made) {
        *error =
            QStringLiteral("%1 schema (registry id %2): %3").arg(side).arg(resolved->id).arg(made.error().toString());
        return false;
    }
    serializer = made.value();
    QList<int> indexes;
    if (schemaType == QLatin1StringView("PROTOBUF")) {
        auto idx = protobufMessageIndexes(protoText, spec.messageType);
        if (!idx) {
            *error =
                QStringLiteral("%1 schema (registry id %2): %3").arg(side).arg(resolved->id).arg(idx.error().message);
            return false;
        }
        indexes = *idx;
    }
    const std::int32_t id = resolved->id;
    framer = [id, indexes](const QByteArray &payload) -> serde::SerdeResult<QByteArray> {
        return wireformat::frame(id, indexes, payload);
    };
    QTextStream(stderr)
        << "% " << side << ": registry schema id " << id
        << (resolved->subject.isEmpty()
                ? QString()
                : QStringLiteral(" (subject %1 version %2)").arg(resolved->subject).arg(resolved->version))
        << ", " << schemaType << Qt::endl;
    return true;
}

} // namespace

bool applyRegistryProduceOptions(const QCommandLineParser &p, ProduceCommand::Options &o, QString *error)
{
    // In use when a URL comes from --schema-registry, -X or the properties file.
    RegistryConfig config;
    const auto loaded = registryConfigFrom(p, config);
    const bool wanted = !config.url.isEmpty();
    const QStringList registryOnly{QStringLiteral("key-subject"),        QStringLiteral("value-subject"),
                                   QStringLiteral("key-schema-version"), QStringLiteral("value-schema-version"),
                                   QStringLiteral("key-schema-id"),      QStringLiteral("value-schema-id"),
                                   QStringLiteral("subject-strategy"),   QStringLiteral("auto-register")};
    if (!wanted) {
        for (const auto &name : registryOnly)
            if (p.isSet(name)) {
                *error = QStringLiteral("--%1 needs --schema-registry URL").arg(name);
                return false;
            }
        return true;
    }
    if (!loaded) {
        *error = loaded.error().message;
        return false;
    }
    SubjectStrategy strategy = SubjectStrategy::TopicName;
    if (p.isSet(QStringLiteral("subject-strategy"))) {
        auto s = parseSubjectStrategy(p.value(QStringLiteral("subject-strategy")));
        if (!s) {
            *error = QStringLiteral("--subject-strategy: %1").arg(s.error().message);
            return false;
        }
        strategy = *s;
    }
    RegistryClient client(config);
    return applySide(p, client, QStringLiteral("key"), o.topic, strategy, o.keySerializer, o.keyFramer, error) &&
           applySide(p, client, QStringLiteral("value"), o.topic, strategy, o.valueSerializer, o.valueFramer, error);
}

} // namespace kpw::cli
