#pragma once

#include "messages/ListOffsets.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// Fetch (key 1), v4-v12: v4 adds IsolationLevel, LastStableOffset and
// AbortedTransactions; v5 LogStartOffset; v7 fetch sessions (we always send
// session 0 / epoch -1: a full fetch without a session); v9
// CurrentLeaderEpoch; v11 RackId and PreferredReadReplica; v12 is flexible
// (LastFetchedEpoch; CurrentLeader as a tagged field). v13+ name topics by
// id, which would need Metadata's topic ids: not used.
struct FetchRequest
{
    struct Partition
    {
        std::int32_t partition = 0;
        std::int32_t currentLeaderEpoch = -1; // v9+
        std::int64_t fetchOffset = 0;
        std::int32_t lastFetchedEpoch = -1; // v12+
        std::int32_t maxBytes = 1024 * 1024;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };

    std::int32_t maxWaitMs = 500;
    std::int32_t minBytes = 1;
    std::int32_t maxBytes = 50 * 1024 * 1024;
    IsolationLevel isolation = IsolationLevel::ReadUncommitted;
    QList<Topic> topics;
    QString rackId; // v11+

    QByteArray encode(std::int16_t version) const;
};

struct FetchResponse
{
    struct AbortedTransaction
    {
        std::int64_t producerId = -1;
        std::int64_t firstOffset = -1;

        bool operator==(const AbortedTransaction &) const = default;
    };
    struct Partition
    {
        std::int32_t partition = 0;
        std::int16_t errorCode = 0;
        std::int64_t highWatermark = -1;
        std::int64_t lastStableOffset = -1;
        std::int64_t logStartOffset = -1; // v5+
        // Null when the broker sends none (read_uncommitted, or nothing aborted).
        std::optional<QList<AbortedTransaction>> abortedTransactions;
        std::int32_t preferredReadReplica = -1; // v11+
        std::int32_t currentLeaderId = -1;      // v12+ tagged field 1
        std::int32_t currentLeaderEpoch = -1;
        // The Records field, as sent: may end with a partial batch.
        QByteArray records;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };

    std::int32_t throttleTimeMs = 0;
    std::int16_t errorCode = 0; // v7+
    std::int32_t sessionId = 0; // v7+
    QList<Topic> topics;

    static Result<FetchResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
