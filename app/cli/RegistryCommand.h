#pragma once

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

} // namespace kpw::cli
