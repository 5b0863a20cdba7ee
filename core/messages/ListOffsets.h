#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>

namespace kpw {

enum class IsolationLevel : std::int8_t {
    ReadUncommitted = 0,
    ReadCommitted = 1,
};

// ListOffsets (key 2), v1-v9. v2 adds IsolationLevel (with ReadCommitted,
// "latest" answers the last stable offset), v4 the leader epochs, v6 is the
// first flexible version; v7-v9 only add timestamp sentinels (-3 max
// timestamp, -4 local log start, -5 last tiered offset), same layout.
struct ListOffsetsRequest
{
    static constexpr std::int64_t Latest = -1;
    static constexpr std::int64_t Earliest = -2;

    struct Partition
    {
        std::int32_t partition = 0;
        std::int32_t currentLeaderEpoch = -1; // v4+
        std::int64_t timestamp = Latest;      // a time in ms, or Latest / Earliest
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };

    IsolationLevel isolation = IsolationLevel::ReadUncommitted; // v2+
    QList<Topic> topics;

    QByteArray encode(std::int16_t version) const;
};

struct ListOffsetsResponse
{
    struct Partition
    {
        std::int32_t partition = 0;
        std::int16_t errorCode = 0;
        std::int64_t timestamp = -1;
        std::int64_t offset = -1;
        std::int32_t leaderEpoch = -1; // v4+

        bool operator==(const Partition &) const = default;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };

    std::int32_t throttleTimeMs = 0; // v2+
    QList<Topic> topics;

    static Result<ListOffsetsResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
