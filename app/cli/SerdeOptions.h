#pragma once

#include "ProduceCommand.h"

#include <QCommandLineParser>

namespace kpw {

// kpw-cli produce's serializer flags: --key-format/--value-format,
// --key-schema/--value-schema, --key-type/--value-type, --proto-path,
// --compact-json, --null-key, --null-value.
void addSerdeOptions(QCommandLineParser &parser);

// Builds the key and value serializers into options; on a bad flag or a
// schema that does not load, returns false with the reason in *error.
bool applySerdeOptions(const QCommandLineParser &parser, ProduceCommand::Options &options, QString *error);

} // namespace kpw
