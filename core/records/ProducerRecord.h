#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

struct RecordHeader
{
    QString key;
    std::optional<QByteArray> value; // nullopt is a null header value

    bool operator==(const RecordHeader &) const = default;
};

// A record as the user composed it. A null key (nullopt) is distinct from an
// empty one, and a null value is a tombstone.
struct ProducerRecord
{
    QString topic;
    std::int32_t partition = -1; // -1: chosen by the partitioner
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
    std::optional<std::int64_t> timestampMs; // nullopt: the time of send()

    bool operator==(const ProducerRecord &) const = default;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::ProducerRecord)
