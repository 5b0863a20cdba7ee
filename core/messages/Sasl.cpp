#include "Sasl.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QByteArray SaslHandshakeRequest::encode(std::int16_t) const
{
    ByteWriter w;
    w.string(mechanism, false);
    return w.take();
}

Result<SaslHandshakeResponse> SaslHandshakeResponse::decode(const QByteArray &body, std::int16_t version)
{
    ByteReader r(body);
    SaslHandshakeResponse resp;
    resp.errorCode = r.int16();
    const qsizetype n = r.arrayLength(false, 2);
    for (qsizetype i = 0; i < n && r.ok(); ++i)
        resp.mechanisms.append(r.string(false));
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("SaslHandshake v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

QByteArray SaslAuthenticateRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 2;
    ByteWriter w;
    w.bytes(authBytes, flexible);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<SaslAuthenticateResponse> SaslAuthenticateResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 2;
    ByteReader r(body);
    SaslAuthenticateResponse resp;
    resp.errorCode = r.int16();
    resp.errorMessage = r.nullableString(flexible);
    resp.authBytes = r.bytes(flexible);
    if (version >= 1)
        resp.sessionLifetimeMs = r.int64();
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return Error{KafkaError::ClientProtocolError,
                     QStringLiteral("SaslAuthenticate v%1 response: %2").arg(version).arg(r.error())};
    return resp;
}

} // namespace kpw
