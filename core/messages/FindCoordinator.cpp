#include "FindCoordinator.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray FindCoordinatorRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 3;
    ByteWriter w;
    if (version <= 3)
        w.string(keys.value(0), flexible);
    if (version >= 1)
        w.int8(static_cast<std::int8_t>(keyType));
    if (version >= 4) {
        w.arrayLength(keys.size(), flexible);
        for (const auto &k : keys)
            w.string(k, flexible);
    }
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<FindCoordinatorResponse> FindCoordinatorResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 3;
    ByteReader r(body);
    FindCoordinatorResponse resp;
    if (version >= 1)
        resp.throttleTimeMs = r.int32();
    if (version <= 3) {
        Coordinator c;
        c.errorCode = r.int16();
        if (version >= 1)
            c.errorMessage = r.nullableString(flexible);
        c.nodeId = r.int32();
        c.host = r.string(flexible);
        c.port = r.int32();
        resp.coordinators.append(std::move(c));
    } else {
        // key (1) + node (4) + host (1) + port (4) + error (2) + message (1) + tags (1)
        const qsizetype n = r.arrayLength(flexible, 14);
        for (qsizetype i = 0; i < n && r.ok(); ++i) {
            Coordinator c;
            c.key = r.string(flexible);
            c.nodeId = r.int32();
            c.host = r.string(flexible);
            c.port = r.int32();
            c.errorCode = r.int16();
            c.errorMessage = r.nullableString(flexible);
            r.taggedFields();
            resp.coordinators.append(std::move(c));
        }
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("FindCoordinator v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
