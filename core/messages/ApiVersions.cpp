#include "ApiVersions.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray ApiVersionsRequest::encode(std::int16_t version) const
{
    ByteWriter w;
    if (version >= 3) {
        w.string(clientSoftwareName, true);
        w.string(clientSoftwareVersion, true);
        w.emptyTaggedFields();
    }
    return w.take();
}

namespace {

Result<ApiVersionsResponse> decodeAt(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 3;
    ByteReader r(body);
    ApiVersionsResponse resp;
    resp.errorCode = r.int16();
    const qsizetype n = r.arrayLength(flexible, 6);
    for (qsizetype i = 0; i < n && r.ok(); ++i) {
        const std::int16_t key = r.int16();
        VersionRange range;
        range.min = r.int16();
        range.max = r.int16();
        if (flexible)
            r.taggedFields();
        resp.apis.insert(key, range);
    }
    if (version >= 1)
        resp.throttleTimeMs = r.int32();
    if (flexible) {
        r.taggedFields([&resp](std::uint32_t tag, ByteReader &f) {
            if (tag == 0) { // SupportedFeatures
                const qsizetype m = f.arrayLength(true, 5);
                for (qsizetype i = 0; i < m && f.ok(); ++i) {
                    const QString name = f.string(true);
                    VersionRange range;
                    range.min = f.int16();
                    range.max = f.int16();
                    f.taggedFields();
                    resp.supportedFeatures.insert(name, range);
                }
            } else if (tag == 2) { // FinalizedFeatures
                const qsizetype m = f.arrayLength(true, 5);
                for (qsizetype i = 0; i < m && f.ok(); ++i) {
                    const QString name = f.string(true);
                    const std::int16_t maxLevel = f.int16();
                    f.int16(); // MinVersionLevel
                    f.taggedFields();
                    resp.finalizedFeatures.insert(name, maxLevel);
                }
            }
        });
    }
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("ApiVersions v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace

Result<ApiVersionsResponse> ApiVersionsResponse::decode(const QByteArray &body, std::int16_t version)
{
    // An UNSUPPORTED_VERSION answer comes in the v0 layout whatever we asked.
    if (body.size() >= 2 && version > 0) {
        ByteReader peek(body);
        if (peek.int16() == KafkaError::UnsupportedVersion)
            return decodeAt(body, 0);
    }
    return decodeAt(body, version);
}

} // namespace kpw
