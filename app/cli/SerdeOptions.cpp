#include "SerdeOptions.h"

namespace kpw {

void addSerdeOptions(QCommandLineParser &p)
{
    const QString names = serde::formatNames();
    p.addOption({QStringLiteral("key-format"),
                 QStringLiteral("How the key text is serialized: %1 (default: the text as UTF-8).").arg(names),
                 QStringLiteral("format")});
    p.addOption({QStringLiteral("value-format"),
                 QStringLiteral("How the value text is serialized: %1 (default: the text as UTF-8).").arg(names),
                 QStringLiteral("format")});
    p.addOption({QStringLiteral("key-schema"), QStringLiteral("Schema file for the key (.avsc, .proto, .json)."),
                 QStringLiteral("file")});
    p.addOption({QStringLiteral("value-schema"), QStringLiteral("Schema file for the value (.avsc, .proto, .json)."),
                 QStringLiteral("file")});
    p.addOption({QStringLiteral("key-type"), QStringLiteral("Protobuf message type of the key, by full name."),
                 QStringLiteral("name")});
    p.addOption({QStringLiteral("value-type"), QStringLiteral("Protobuf message type of the value, by full name."),
                 QStringLiteral("name")});
    p.addOption({QStringLiteral("proto-path"),
                 QStringLiteral("Extra folder for .proto imports (repeatable; the schema's own folder comes first)."),
                 QStringLiteral("dir")});
    p.addOption({QStringLiteral("compact-json"),
                 QStringLiteral("json, json-schema: send the document compacted instead of as typed.")});
    p.addOption({QStringLiteral("null-key"), QStringLiteral("Every record's key is null (not empty).")});
    p.addOption({QStringLiteral("null-value"),
                 QStringLiteral("Every record's value is null: a tombstone (the line is the key with -K or -k).")});
}

namespace {

bool buildOne(const QCommandLineParser &p, const QString &side, std::shared_ptr<const serde::Serializer> &out,
              QString *error)
{
    if (out)
        return true; // built from the Schema Registry (applyRegistryProduceOptions)
    const QString formatOpt = side + QStringLiteral("-format");
    const QString schemaOpt = side + QStringLiteral("-schema");
    const QString typeOpt = side + QStringLiteral("-type");
    if (!p.isSet(formatOpt)) {
        if (p.isSet(schemaOpt) || p.isSet(typeOpt)) {
            *error = QStringLiteral("--%1 needs --%2").arg(p.isSet(schemaOpt) ? schemaOpt : typeOpt, formatOpt);
            return false;
        }
        return true;
    }
    const auto format = serde::formatFromName(p.value(formatOpt));
    if (!format) {
        *error =
            QStringLiteral("--%1: '%2' is not a format (%3)").arg(formatOpt, p.value(formatOpt), serde::formatNames());
        return false;
    }
    const auto &info = serde::formatInfo(*format);
    serde::SerializerSpec spec;
    spec.format = *format;
    spec.schemaFile = p.value(schemaOpt);
    spec.messageType = p.value(typeOpt);
    spec.includePaths = p.values(QStringLiteral("proto-path"));
    spec.compactJson = p.isSet(QStringLiteral("compact-json"));
    if (info.needsSchema && spec.schemaFile.isEmpty()) {
        *error = QStringLiteral("--%1 %2 needs --%3 FILE").arg(formatOpt, info.name, schemaOpt);
        return false;
    }
    if (!info.needsSchema && !spec.schemaFile.isEmpty()) {
        *error = QStringLiteral("--%1: the %2 format takes no schema").arg(schemaOpt, info.name);
        return false;
    }
    if (!info.needsType && !spec.messageType.isEmpty()) {
        *error = QStringLiteral("--%1 is for the protobuf format only").arg(typeOpt);
        return false;
    }
    auto made = serde::makeSerializer(spec);
    if (!made) {
        *error = spec.schemaFile.isEmpty()
                     ? QStringLiteral("%1 %2: %3").arg(side, info.name, made.error().toString())
                     : QStringLiteral("--%1 %2: %3").arg(schemaOpt, spec.schemaFile, made.error().toString());
        return false;
    }
    out = made.value();
    return true;
}

} // namespace

bool applySerdeOptions(const QCommandLineParser &p, ProduceCommand::Options &o, QString *error)
{
    if (!buildOne(p, QStringLiteral("key"), o.keySerializer, error) ||
        !buildOne(p, QStringLiteral("value"), o.valueSerializer, error))
        return false;
    o.nullKey = p.isSet(QStringLiteral("null-key"));
    if (o.nullKey && (p.isSet(QStringLiteral("k")) || o.keySerializer)) {
        *error = QStringLiteral("--null-key goes with neither -k nor --key-format");
        return false;
    }
    if (o.keySerializer && o.keySerializer->format() == serde::Format::Null)
        o.nullKey = true;
    if (p.isSet(QStringLiteral("null-value"))) {
        if (o.valueSerializer) {
            *error = QStringLiteral("--null-value goes without --value-format");
            return false;
        }
        o.valueSerializer = serde::makeSerializer({serde::Format::Null, {}, {}, {}, {}, false}).value();
    }
    return true;
}

} // namespace kpw
