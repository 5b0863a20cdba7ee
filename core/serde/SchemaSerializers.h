#pragma once

// Internal to core/serde: the schema-backed serializers' factories, one per
// source file (AvroSerializer.cpp, ProtobufSerializer.cpp,
// JsonSchemaSerializer.cpp). makeSerializer() is the public entry point.

#include "serde/Serializer.h"

namespace kpw::serde {

using SerializerPtr = std::shared_ptr<const Serializer>;

SerdeResult<SerializerPtr> makeAvroSerializer(const QByteArray &schemaJson);
// schemaFile: the .proto on disk (imports resolve from its folder first).
SerdeResult<SerializerPtr> makeProtobufSerializer(const QString &schemaFile, const QString &messageType,
                                                  const QStringList &includePaths);
SerdeResult<QStringList> protobufMessageTypes(const QString &schemaFile, const QStringList &includePaths);
// baseDir: where relative "$ref" files are looked up (empty: none).
SerdeResult<SerializerPtr> makeJsonSchemaSerializer(const QByteArray &schemaJson, bool compact, const QString &baseDir);

} // namespace kpw::serde
