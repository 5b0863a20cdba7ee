#include "SaslMechanism.h"

#include "net/SaslScram.h"
#include "wire/KafkaError.h"

#include <QFile>

namespace kpw {

QString SecurityOptions::protocolName(Protocol p)
{
    switch (p) {
    case Protocol::Plaintext: return QStringLiteral("PLAINTEXT");
    case Protocol::Ssl: return QStringLiteral("SSL");
    case Protocol::SaslPlaintext: return QStringLiteral("SASL_PLAINTEXT");
    case Protocol::SaslSsl: return QStringLiteral("SASL_SSL");
    }
    return {};
}

namespace {

// RFC 4616: [authzid] NUL authcid NUL passwd, with an empty authzid.
class PlainMechanism final : public SaslMechanism
{
public:
    PlainMechanism(QString user, QString password) : m_user(std::move(user)), m_password(std::move(password)) {}
    QString name() const override { return QStringLiteral("PLAIN"); }
    Result<QByteArray> initial() override
    {
        return QByteArray(1, '\0') + m_user.toUtf8() + QByteArray(1, '\0') + m_password.toUtf8();
    }
    Result<std::optional<QByteArray>> next(const QByteArray &) override { return std::optional<QByteArray>(); }
    bool complete() const override { return true; }

private:
    QString m_user;
    QString m_password;
};

// RFC 7628 initial client response with a bearer token. On failure the
// server answers with a JSON error as a challenge; the client must reply
// with a single 0x01 and the server then fails the exchange.
class OAuthBearerMechanism final : public SaslMechanism
{
public:
    OAuthBearerMechanism(QString token, QString tokenFile) : m_token(std::move(token)), m_file(std::move(tokenFile)) {}
    QString name() const override { return QStringLiteral("OAUTHBEARER"); }
    Result<QByteArray> initial() override
    {
        QByteArray token = m_token.toUtf8().trimmed();
        if (!m_file.isEmpty()) {
            QFile f(m_file);
            if (!f.open(QIODevice::ReadOnly))
                return Error{
                    KafkaError::ClientInvalidConfig,
                    QStringLiteral("sasl.oauthbearer.token.file: cannot read %1: %2").arg(m_file, f.errorString())};
            token = f.readAll().trimmed();
        }
        if (token.isEmpty())
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("OAUTHBEARER needs a token: set sasl.oauthbearer.token or "
                                        "sasl.oauthbearer.token.file")};
        return QByteArray("n,,\x01"
                          "auth=Bearer ") +
               token + QByteArray("\x01\x01");
    }
    Result<std::optional<QByteArray>> next(const QByteArray &serverMessage) override
    {
        if (serverMessage.isEmpty())
            return std::optional<QByteArray>();
        m_serverError = QString::fromUtf8(serverMessage.left(1000));
        return std::optional<QByteArray>(QByteArray(1, '\x01'));
    }
    bool complete() const override { return m_serverError.isEmpty(); }

private:
    QString m_token;
    QString m_file;
    QString m_serverError;
};

} // namespace

Result<std::unique_ptr<SaslMechanism>> makeSaslMechanism(const SecurityOptions &o)
{
    const QString m = o.mechanism.toUpper();
    std::unique_ptr<SaslMechanism> out;
    if (m == QLatin1StringView("PLAIN"))
        out = std::make_unique<PlainMechanism>(o.username, o.password);
    else if (m == QLatin1StringView("SCRAM-SHA-256"))
        out = std::make_unique<ScramClient>(ScramClient::Digest::Sha256, o.username, o.password);
    else if (m == QLatin1StringView("SCRAM-SHA-512"))
        out = std::make_unique<ScramClient>(ScramClient::Digest::Sha512, o.username, o.password);
    else if (m == QLatin1StringView("OAUTHBEARER"))
        out = std::make_unique<OAuthBearerMechanism>(o.oauthToken, o.oauthTokenFile);
    else
        return Error{KafkaError::ClientInvalidConfig,
                     QStringLiteral("sasl.mechanism '%1' is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, "
                                    "OAUTHBEARER)")
                         .arg(o.mechanism)};
    return out;
}

} // namespace kpw
