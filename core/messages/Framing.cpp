#include "Framing.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray requestHeader(ApiKey key, std::int16_t version, std::int32_t correlationId, const QString &clientId,
                         qsizetype bodySize)
{
    ByteWriter w(64);
    const qsizetype sizeAt = w.placeholder32();
    w.int16(static_cast<std::int16_t>(key));
    w.int16(version);
    w.int32(correlationId);
    w.nullableString(clientId, false); // client_id stays a classic string even in header v2
    if (Api::requestHeaderVersion(key, version) >= 2)
        w.emptyTaggedFields();
    w.patchInt32(sizeAt, static_cast<std::int32_t>(w.size() - 4 + bodySize));
    return w.take();
}

QByteArray frameRequest(ApiKey key, std::int16_t version, std::int32_t correlationId, const QString &clientId,
                        const QByteArray &body)
{
    return requestHeader(key, version, correlationId, clientId, body.size()) + body;
}

Result<ResponseHeader> readResponseHeader(const QByteArray &frame, ApiKey key, std::int16_t version)
{
    ByteReader r(frame);
    ResponseHeader h;
    h.correlationId = r.int32();
    if (Api::responseHeaderVersion(key, version) >= 1)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError, QStringLiteral("response header: %1").arg(r.error())};
    h.bodyOffset = r.position();
    return h;
}

} // namespace kpw
