#pragma once

#include "records/ProducerRecord.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// A record as a consumer sees it.
struct TailRecord
{
    QString topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t timestampMs = 0;
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    bool isTransactional = false;
};

// A transaction marker (a control batch): it takes an offset but is never
// handed to a consumer, which is why offsets have gaps after transactions.
struct ControlMarker
{
    enum class Type : std::int16_t { Abort = 0, Commit = 1, Unknown = -1 };

    QString topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t timestampMs = 0;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    Type type = Type::Unknown;
    std::int32_t coordinatorEpoch = -1;

    QString typeName() const
    {
        switch (type) {
        case Type::Abort: return QStringLiteral("ABORT");
        case Type::Commit: return QStringLiteral("COMMIT");
        case Type::Unknown: break;
        }
        return QStringLiteral("UNKNOWN");
    }
};

// Where a partition's reader stands after a fetch.
struct TailPosition
{
    std::int32_t partition = 0;
    std::int64_t nextOffset = -1;
    std::int64_t highWatermark = -1;
    std::int64_t lastStableOffset = -1;
    std::int64_t logStartOffset = -1;
};

// What one Fetch response gave: records and markers in offset order per
// partition, and the positions afterwards. abortedSkipped counts records a
// read_committed reader dropped as belonging to aborted transactions.
struct TailBatch
{
    QList<TailRecord> records;
    QList<ControlMarker> markers;
    QList<TailPosition> positions;
    qsizetype abortedSkipped = 0;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::TailRecord)
Q_DECLARE_METATYPE(kpw::ControlMarker)
Q_DECLARE_METATYPE(kpw::TailBatch)
