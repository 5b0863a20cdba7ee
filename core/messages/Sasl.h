#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace kpw {

// SaslHandshake (key 17), v0-v1, never flexible. v1 means the tokens that
// follow travel in SaslAuthenticate requests (KIP-152), not as raw frames.
struct SaslHandshakeRequest
{
    QString mechanism;

    QByteArray encode(std::int16_t version) const;
};

struct SaslHandshakeResponse
{
    std::int16_t errorCode = 0;
    QStringList mechanisms; // the mechanisms the broker enables on this listener

    static Result<SaslHandshakeResponse> decode(const QByteArray &body, std::int16_t version);
};

// SaslAuthenticate (key 36), v0-v2, flexible from v2.
struct SaslAuthenticateRequest
{
    QByteArray authBytes;

    QByteArray encode(std::int16_t version) const;
};

struct SaslAuthenticateResponse
{
    std::int16_t errorCode = 0;
    std::optional<QString> errorMessage;
    QByteArray authBytes;
    std::int64_t sessionLifetimeMs = 0; // v1+; 0: no re-authentication needed

    static Result<SaslAuthenticateResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
