#pragma once

// Internal to core/serde: JSON parsing with errors that name line and column,
// shared by the json, avro, protobuf and json-schema serializers.

#include "serde/Serializer.h"

#include <nlohmann/json.hpp>

namespace kpw::serde {

SerdeResult<nlohmann::json> parseJsonText(QByteArrayView text);

// "$", "$.a", "$.a[3]": the path notation every serde error uses.
QString childPath(const QString &parent, const std::string &member);
QString childPath(const QString &parent, std::size_t index);

// "string", "number", "object", ... for "expected X, got Y" messages.
QString jsonKindName(const nlohmann::json &value);

// The canonical 8-4-4-4-12 hex form (either case), what Java's UUID.fromString reads.
bool isCanonicalUuid(QByteArrayView text);

} // namespace kpw::serde
