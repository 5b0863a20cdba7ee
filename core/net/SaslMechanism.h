#pragma once

#include "net/Security.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace kpw {

// The client side of one SASL exchange. BrokerConnection sends initial(),
// then feeds every server message to next() until it says the exchange is
// done (nullopt) or fails. Errors name what the server sent wrong.
class SaslMechanism
{
public:
    virtual ~SaslMechanism() = default;
    virtual QString name() const = 0;
    virtual Result<QByteArray> initial() = 0;
    // The next client message for the server's message, or nullopt when the
    // client has nothing more to say (the broker's answer then ends it).
    virtual Result<std::optional<QByteArray>> next(const QByteArray &serverMessage) = 0;
    // True once the mechanism has verified the server (SCRAM) or needs no
    // check (PLAIN, OAUTHBEARER): success is only accepted then.
    virtual bool complete() const = 0;
};

// PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802, 7677) or OAUTHBEARER
// (RFC 7628, a token the user supplies). Fails for anything else.
Result<std::unique_ptr<SaslMechanism>> makeSaslMechanism(const SecurityOptions &options);

} // namespace kpw
