#pragma once

#include "wire/ApiKeys.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <cstdint>

namespace kpw {

struct ApiVersionsRequest
{
    QString clientSoftwareName = QStringLiteral("kpw");
    QString clientSoftwareVersion = QStringLiteral(KPW_VERSION);

    QByteArray encode(std::int16_t version) const;
};

struct ApiVersionsResponse
{
    std::int16_t errorCode = 0;
    QMap<std::int16_t, VersionRange> apis;
    std::int32_t throttleTimeMs = 0;
    // FinalizedFeatures (tag 2, v3+): feature name -> max version level,
    // e.g. "transaction.version".
    QMap<QString, std::int16_t> finalizedFeatures;
    QMap<QString, VersionRange> supportedFeatures;

    // A broker that does not support the requested version answers in the v0
    // format with UNSUPPORTED_VERSION; decode() handles that itself.
    static Result<ApiVersionsResponse> decode(const QByteArray &body, std::int16_t version);
};

} // namespace kpw
