#pragma once

#include "net/SaslMechanism.h"

#include <QByteArray>
#include <QString>

namespace kpw {

// SCRAM (RFC 5802) client: client-first, server-first (nonce prefix,
// salt, iteration count >= 4096), client-final with the proof, server-final
// (signature checked). PBKDF2, HMAC and the digests are OpenSSL's. No
// SASLprep, as Kafka's own client (user names are escaped: '=' and ',').
class ScramClient final : public SaslMechanism
{
public:
    enum class Digest { Sha1, Sha256, Sha512 }; // Sha1: RFC 5802's test vector only; Kafka has none
    static constexpr int kMinIterations = 4096;

    // clientNonce empty: 32 random bytes from OpenSSL, base64 (tests pass the RFCs' nonces).
    ScramClient(Digest digest, QString username, QString password, QByteArray clientNonce = {});

    QString name() const override;
    Result<QByteArray> initial() override; // client-first
    Result<std::optional<QByteArray>> next(const QByteArray &serverMessage) override;
    bool complete() const override { return m_state == State::Done; }

    static QByteArray escapeUsername(const QString &user);

private:
    Result<QByteArray> clientFinal(const QByteArray &serverFirst);
    Result<bool> verifyServerFinal(const QByteArray &serverFinal);

    enum class State { Initial, SentFirst, SentFinal, Done, Failed };
    Digest m_digest;
    QString m_username;
    QString m_password;
    QByteArray m_nonce;
    QByteArray m_clientFirstBare;
    QByteArray m_serverSignature;
    State m_state = State::Initial;
};

} // namespace kpw
