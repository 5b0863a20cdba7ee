#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>

namespace kpw {

// The Confluent Schema Registry wire format, as Confluent's serializers write
// it and every registry-aware deserializer reads it:
//
//   byte 0      magic byte 0
//   bytes 1-4   the schema id, a big-endian signed 32-bit integer
//   [Protobuf]  the message-index list: the path to the message type inside
//               the .proto (0 = first top-level message, then nested indexes),
//               as zigzag varints: the count, then each index. The common
//               case [0] is written as a single 0 byte (count 0 means [0]).
//   rest        the serialized payload (Avro binary, Protobuf, JSON text)
namespace wireformat {

inline constexpr char kMagic = 0;
// A parsed frame refuses more indexes than this: Protobuf nesting is never
// that deep, and a hostile count must not make us allocate.
inline constexpr int kMaxMessageIndexes = 64;

// Frames PAYLOAD for schema SCHEMAID. An empty MESSAGEINDEXES writes no index
// list (Avro, JSON Schema); a non-empty one writes the Protobuf list ([0] as
// the single byte 0). Indexes must not be negative.
QByteArray frame(std::int32_t schemaId, const QList<int> &messageIndexes, const QByteArray &payload);

// The Protobuf index list alone, as frame() writes it.
QByteArray encodeMessageIndexes(const QList<int> &messageIndexes);

struct Frame
{
    std::int32_t schemaId = 0;
    QList<int> messageIndexes; // Protobuf only; [0] when the list was the single 0 byte
    QByteArray payload;
};

// Parses a framed value. PROTOBUF says whether an index list follows the id
// (the frame does not say so itself: the schema's type does). Refuses a
// missing or wrong magic byte, a short header, a truncated or overlong
// varint, a negative or too large count or index.
Result<Frame> parse(const QByteArray &bytes, bool protobuf);

// Zigzag varint helpers (Kafka's ByteUtils.writeVarint / readVarint).
void writeZigzagVarint(QByteArray &out, std::int32_t value);
// Reads one zigzag varint of at most 5 bytes at POS; advances POS. Fails on
// truncation or on a varint longer than 5 bytes.
bool readZigzagVarint(const QByteArray &bytes, qsizetype &pos, std::int32_t &value);

} // namespace wireformat

// Subject name strategies (Confluent's io.confluent.kafka.serializers.subject.*).
enum class SubjectStrategy {
    TopicName,      // <topic>-key / <topic>-value
    RecordName,     // the fully qualified record (message) name
    TopicRecordName // <topic>-<fully qualified record name>
};

// "topic", "record", "topic-record" (also the Java class names, e.g.
// TopicRecordNameStrategy or its fully qualified name).
Result<SubjectStrategy> parseSubjectStrategy(const QString &text);
QString subjectStrategyName(SubjectStrategy strategy);

// The subject for TOPIC's key or value. RECORDNAME is the fully qualified
// record name (Avro namespace.name, Protobuf package.Message); the record
// strategies fail without one.
Result<QString> subjectName(SubjectStrategy strategy, const QString &topic, bool isKey, const QString &recordName);

} // namespace kpw
