#include "serde/WireFormat.h"

#include <QtEndian>

namespace kpw {
namespace wireformat {

void writeZigzagVarint(QByteArray &out, std::int32_t value)
{
    auto v = (static_cast<std::uint32_t>(value) << 1) ^ static_cast<std::uint32_t>(value >> 31);
    while (v >= 0x80) {
        out.append(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(static_cast<char>(v));
}

bool readZigzagVarint(const QByteArray &bytes, qsizetype &pos, std::int32_t &value)
{
    std::uint32_t raw = 0;
    for (int i = 0; i < 5; ++i) {
        if (pos >= bytes.size())
            return false;
        const auto b = static_cast<std::uint8_t>(bytes[pos++]);
        // The fifth byte carries only the top 4 bits of 32.
        if (i == 4 && (b & 0xf0) != 0)
            return false;
        raw |= static_cast<std::uint32_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            value = static_cast<std::int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
            return true;
        }
    }
    return false;
}

QByteArray encodeMessageIndexes(const QList<int> &messageIndexes)
{
    QByteArray out;
    if (messageIndexes.size() == 1 && messageIndexes.front() == 0) {
        out.append('\0');
        return out;
    }
    writeZigzagVarint(out, static_cast<std::int32_t>(messageIndexes.size()));
    for (int index : messageIndexes)
        writeZigzagVarint(out, index);
    return out;
}

QByteArray frame(std::int32_t schemaId, const QList<int> &messageIndexes, const QByteArray &payload)
{
    QByteArray out;
    out.reserve(5 + messageIndexes.size() * 2 + payload.size());
    out.append(kMagic);
    char id[4];
    qToBigEndian(schemaId, id);
    out.append(id, 4);
    if (!messageIndexes.isEmpty())
        out.append(encodeMessageIndexes(messageIndexes));
    out.append(payload);
    return out;
}

Result<Frame> parse(const QByteArray &bytes, bool protobuf)
{
    if (bytes.isEmpty())
        return Error{-1, QStringLiteral("not in the Schema Registry wire format: the value is empty")};
    if (bytes[0] != kMagic)
        return Error{-1, QStringLiteral("not in the Schema Registry wire format: magic byte is 0x%1, expected 0x00")
                             .arg(static_cast<std::uint8_t>(bytes[0]), 2, 16, QLatin1Char('0'))};
    if (bytes.size() < 5)
        return Error{-1, QStringLiteral("not in the Schema Registry wire format: %1 bytes, the header alone is 5")
                             .arg(bytes.size())};
    Frame f;
    f.schemaId = qFromBigEndian<std::int32_t>(bytes.constData() + 1);
    qsizetype pos = 5;
    if (protobuf) {
        std::int32_t count = 0;
        if (!readZigzagVarint(bytes, pos, count))
            return Error{-1, QStringLiteral("Protobuf message-index list: truncated or overlong count")};
        if (count < 0 || count > kMaxMessageIndexes)
            return Error{-1, QStringLiteral("Protobuf message-index list: count %1 is out of range (0..%2)")
                                 .arg(count)
                                 .arg(kMaxMessageIndexes)};
        if (count == 0) {
            f.messageIndexes = {0};
        } else {
            f.messageIndexes.reserve(count);
            for (std::int32_t i = 0; i < count; ++i) {
                std::int32_t index = 0;
                if (!readZigzagVarint(bytes, pos, index))
                    return Error{
                        -1,
                        QStringLiteral("Protobuf message-index list: index %1 is truncated or overlong").arg(i + 1)};
                if (index < 0)
                    return Error{
                        -1,
                        QStringLiteral("Protobuf message-index list: index %1 is negative (%2)").arg(i + 1).arg(index)};
                f.messageIndexes.append(index);
            }
        }
    }
    f.payload = bytes.mid(pos);
    return f;
}

} // namespace wireformat

Result<SubjectStrategy> parseSubjectStrategy(const QString &text)
{
    QString t = text.trimmed();
    const auto dot = t.lastIndexOf(QLatin1Char('.'));
    if (dot >= 0)
        t = t.mid(dot + 1); // io.confluent.kafka.serializers.subject.TopicNameStrategy
    t = t.toLower();
    if (t == QLatin1StringView("topic") || t == QLatin1StringView("topicnamestrategy"))
        return SubjectStrategy::TopicName;
    if (t == QLatin1StringView("record") || t == QLatin1StringView("recordnamestrategy"))
        return SubjectStrategy::RecordName;
    if (t == QLatin1StringView("topic-record") || t == QLatin1StringView("topicrecord") ||
        t == QLatin1StringView("topicrecordnamestrategy"))
        return SubjectStrategy::TopicRecordName;
    return Error{-1,
                 QStringLiteral("unknown subject strategy '%1' (expected topic, record or topic-record)").arg(text)};
}

QString subjectStrategyName(SubjectStrategy strategy)
{
    switch (strategy) {
    case SubjectStrategy::TopicName: return QStringLiteral("topic");
    case SubjectStrategy::RecordName: return QStringLiteral("record");
    case SubjectStrategy::TopicRecordName: return QStringLiteral("topic-record");
    }
    return {};
}

Result<QString> subjectName(SubjectStrategy strategy, const QString &topic, bool isKey, const QString &recordName)
{
    switch (strategy) {
    case SubjectStrategy::TopicName:
        if (topic.isEmpty())
            return Error{-1, QStringLiteral("TopicNameStrategy needs a topic")};
        return topic + (isKey ? QStringLiteral("-key") : QStringLiteral("-value"));
    case SubjectStrategy::RecordName:
        if (recordName.isEmpty())
            return Error{-1, QStringLiteral("RecordNameStrategy needs the record's fully qualified name")};
        return recordName;
    case SubjectStrategy::TopicRecordName:
        if (topic.isEmpty() || recordName.isEmpty())
            return Error{-1, QStringLiteral("TopicRecordNameStrategy needs a topic and the record's fully "
                                            "qualified name")};
        return topic + QLatin1Char('-') + recordName;
    }
    return Error{-1, QStringLiteral("unknown subject strategy")};
}

} // namespace kpw
