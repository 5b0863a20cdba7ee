#pragma once

#include "wire/ApiKeys.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>

namespace kpw {

// Wraps an encoded request body in the size prefix and the request header
// (v1, or v2 with an empty tagged-field section for flexible versions).
// The size prefix and request header alone, for a body of bodySize bytes
// written after it (saves copying large Produce bodies into one frame).
QByteArray requestHeader(ApiKey key, std::int16_t version, std::int32_t correlationId, const QString &clientId,
                         qsizetype bodySize);
QByteArray frameRequest(ApiKey key, std::int16_t version, std::int32_t correlationId, const QString &clientId,
                        const QByteArray &body);

struct ResponseHeader
{
    std::int32_t correlationId = 0;
    qsizetype bodyOffset = 0; // where the response body starts in the frame
};

// Reads the response header of a frame (without the 4-byte size prefix).
Result<ResponseHeader> readResponseHeader(const QByteArray &frame, ApiKey key, std::int16_t version);

} // namespace kpw
