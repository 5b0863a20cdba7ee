#pragma once

#include "ProduceCommand.h"
#include "serde/RegistryClient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStringList>

namespace kpw::cli {

// `kpw-cli registry subjects|versions|get|get-id|register|check`: the Schema
// Registry's Confluent API from the command line. Returns the exit code (0 ok,
// 1 the registry said no or could not be reached, 2 usage).
int runRegistry(QCoreApplication &app, const QStringList &args);

// --schema-registry URL, then -X schema.registry.* / basic.auth.* (from P, if
// it has those options) and from a --producer.config file's registry lines.
// Fills CONFIG; an error message on a bad setting.
Result<bool> registryConfigFrom(const QCommandLineParser &p, RegistryConfig &config);

// "name=subject:version" (--reference).
Result<SchemaReference> parseReference(const QString &text);

// The schema type for a file: --type wins, else .avsc -> avro, .proto ->
// protobuf, .json -> json; empty when neither says.
QString schemaTypeFor(const QString &typeOption, const QString &fileName);

// kpw-cli produce's registry flags: --schema-registry URL,
// --key-subject/--value-subject, --key-schema-version/--value-schema-version,
// --key-schema-id/--value-schema-id, --subject-strategy, --auto-register.
void addRegistryProduceOptions(QCommandLineParser &p);

// For the key and the value that use the registry: resolves the schema and
// its id, builds the serializer (from the schema file, or from the registry's
// schema text and its references) and a framer that writes the Confluent wire
// format around each serialized payload. Sides that do not use the registry
// are left to applySerdeOptions. False with the reason in *error.
bool applyRegistryProduceOptions(const QCommandLineParser &p, ProduceCommand::Options &options, QString *error);

} // namespace kpw::cli
