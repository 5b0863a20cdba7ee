#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

enum class CoordinatorType : std::int8_t {
    Group = 0,
    Transaction = 1,
};

// FindCoordinator (key 10). v0 knows groups only; v1 adds KeyType; v3 is the
// first flexible version; v4 batches keys (KIP-699); v5 (TRANSACTION_ABORTABLE
// may be returned, KIP-890) and v6 (share groups, KIP-932) keep v4's layout.
struct FindCoordinatorRequest
{
    CoordinatorType keyType = CoordinatorType::Group;
    // v0-v3 send the first key only; v4+ send them all.
    QList<QString> keys;

    QByteArray encode(std::int16_t version) const;
};

struct FindCoordinatorResponse
{
    struct Coordinator
    {
        QString key; // v4+; empty before v4, which answers the one key asked
        std::int32_t nodeId = -1;
        QString host;
        std::int32_t port = 0;
        std::int16_t errorCode = 0;
        std::optional<QString> errorMessage;

        bool operator==(const Coordinator &) const = default;
    };

    std::int32_t throttleTimeMs = 0;
    // v0-v3 answer one key: one entry with an empty key.
    QList<Coordinator> coordinators;

    static Result<FindCoordinatorResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
