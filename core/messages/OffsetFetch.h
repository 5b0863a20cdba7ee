#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// OffsetFetch (key 9), v1-v8: v2 allows a null topic list (every topic the
// group committed) and adds a top-level error; v3 ThrottleTimeMs; v5 the
// committed leader epoch; v6 is flexible; v7 RequireStable; v8 batches
// groups. v9 adds member id/epoch and v10 topic ids (KIP-848): not used.
struct OffsetFetchRequest
{
    struct Topic
    {
        QString name;
        QList<std::int32_t> partitions;
    };
    struct Group
    {
        QString groupId;
        // nullopt: every topic (v2+); v1 needs a list.
        std::optional<QList<Topic>> topics;
    };

    // v1-v7 send the first group only.
    QList<Group> groups;
    bool requireStable = false; // v7+

    QByteArray encode(std::int16_t version) const;
};

struct OffsetFetchResponse
{
    struct Partition
    {
        std::int32_t partition = 0;
        std::int64_t committedOffset = -1; // -1: nothing committed
        std::int32_t committedLeaderEpoch = -1;
        std::optional<QString> metadata;
        std::int16_t errorCode = 0;

        bool operator==(const Partition &) const = default;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };
    struct Group
    {
        QString groupId; // v8+; before, empty (the caller knows which it asked)
        QList<Topic> topics;
        std::int16_t errorCode = 0; // v2+
    };

    std::int32_t throttleTimeMs = 0; // v3+
    QList<Group> groups;             // one before v8

    static Result<OffsetFetchResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
