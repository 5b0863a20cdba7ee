#include "SaslScram.h"

#include "wire/KafkaError.h"

#include <QList>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace kpw {
namespace {

const EVP_MD *md(ScramClient::Digest d)
{
    switch (d) {
    case ScramClient::Digest::Sha1: return EVP_sha1();
    case ScramClient::Digest::Sha256: return EVP_sha256();
    case ScramClient::Digest::Sha512: return EVP_sha512();
    }
    return EVP_sha512();
}

QByteArray hmac(const EVP_MD *digest, const QByteArray &key, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(digest, key.constData(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.constData()), static_cast<size_t>(data.size()), out, &len))
        return {};
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(len));
}

QByteArray hash(const EVP_MD *digest, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(data.constData(), static_cast<size_t>(data.size()), out, &len, digest, nullptr))
        return {};
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(len));
}

Error scramError(const QString &what)
{
    return {KafkaError::ClientSaslExchangeFailed, what};
}

// Some SCRAM attributes ("r=...,s=...,i=..."): name -> value, in order.
struct Attr
{
    char name;
    QByteArray value;
};

Result<QList<Attr>> parseAttributes(const QByteArray &msg, const char *which)
{
    QList<Attr> out;
    for (const QByteArray &part : msg.split(',')) {
        if (part.size() < 2 || part[1] != '=' ||
            !((part[0] >= 'a' && part[0] <= 'z') || (part[0] >= 'A' && part[0] <= 'Z')))
            return scramError(
                QStringLiteral("the broker's SCRAM %1 message is malformed near '%2'")
                    .arg(QLatin1StringView(which), QString::fromLatin1(part.left(20).toPercentEncoding())));
        out.append({part[0], part.mid(2)});
    }
    return out;
}

} // namespace

ScramClient::ScramClient(Digest digest, QString username, QString password, QByteArray clientNonce)
    : m_digest(digest), m_username(std::move(username)), m_password(std::move(password)),
      m_nonce(std::move(clientNonce))
{
    if (m_nonce.isEmpty()) {
        unsigned char raw[32];
        if (RAND_bytes(raw, sizeof raw) == 1)
            m_nonce = QByteArray(reinterpret_cast<const char *>(raw), sizeof raw).toBase64();
    }
}

QString ScramClient::name() const
{
    switch (m_digest) {
    case Digest::Sha1: return QStringLiteral("SCRAM-SHA-1");
    case Digest::Sha256: return QStringLiteral("SCRAM-SHA-256");
    case Digest::Sha512: return QStringLiteral("SCRAM-SHA-512");
    }
    return {};
}

QByteArray ScramClient::escapeUsername(const QString &user)
{
    QByteArray out;
    for (const char c : user.toUtf8()) {
        if (c == '=')
            out += "=3D";
        else if (c == ',')
            out += "=2C";
        else
            out += c;
    }
    return out;
}

Result<QByteArray> ScramClient::initial()
{
    if (m_nonce.isEmpty())
        return scramError(QStringLiteral("OpenSSL could not generate a random SCRAM nonce"));
    m_clientFirstBare = "n=" + escapeUsername(m_username) + ",r=" + m_nonce;
    m_state = State::SentFirst;
    return QByteArray("n,,") + m_clientFirstBare;
}

Result<std::optional<QByteArray>> ScramClient::next(const QByteArray &serverMessage)
{
    if (m_state == State::SentFirst) {
        auto final = clientFinal(serverMessage);
        if (!final) {
            m_state = State::Failed;
            return final.error();
        }
        m_state = State::SentFinal;
        return std::optional<QByteArray>(*final);
    }
    if (m_state == State::SentFinal) {
        auto ok = verifyServerFinal(serverMessage);
        if (!ok) {
            m_state = State::Failed;
            return ok.error();
        }
        m_state = State::Done;
        return std::optional<QByteArray>();
    }
    return scramError(QStringLiteral("the broker sent a SCRAM message after the exchange ended"));
}

Result<QByteArray> ScramClient::clientFinal(const QByteArray &serverFirst)
{
    auto attrs = parseAttributes(serverFirst, "server-first");
    if (!attrs)
        return attrs.error();
    QByteArray nonce, salt64, iterText;
    for (const Attr &a : *attrs) {
        if (a.name == 'e')
            return scramError(QStringLiteral("the broker refused the SCRAM login: %1").arg(QString::fromUtf8(a.value)));
        if (a.name == 'm')
            return scramError(QStringLiteral("the broker requires a SCRAM extension this client does not know"));
        if (a.name == 'r' && nonce.isNull())
            nonce = a.value;
        else if (a.name == 's' && salt64.isNull())
            salt64 = a.value;
        else if (a.name == 'i' && iterText.isNull())
            iterText = a.value;
    }
    if (nonce.isNull() || salt64.isNull() || iterText.isNull())
        return scramError(QStringLiteral("the broker's SCRAM server-first message lacks r=, s= or i="));
    if (!nonce.startsWith(m_nonce) || nonce.size() <= m_nonce.size())
        return scramError(QStringLiteral("the broker's SCRAM nonce does not extend the client's nonce "
                                         "(a replayed or forged exchange)"));
    for (const char c : nonce)
        if (c < 0x21 || c > 0x7e || c == ',')
            return scramError(QStringLiteral("the broker's SCRAM nonce has a character outside printable ASCII"));
    const auto saltDecoded = QByteArray::fromBase64Encoding(salt64, QByteArray::AbortOnBase64DecodingErrors);
    if (!saltDecoded || saltDecoded.decoded.isEmpty())
        return scramError(QStringLiteral("the broker's SCRAM salt is not base64"));
    bool ok = false;
    const qlonglong iterations = iterText.toLongLong(&ok);
    if (!ok || iterations < kMinIterations)
        return scramError(QStringLiteral("the broker's SCRAM iteration count '%1' is below the minimum %2 "
                                         "(a weak or forged exchange)")
                              .arg(QString::fromLatin1(iterText.left(20)))
                              .arg(kMinIterations));
    // Kafka allows at most 16384; far more only burns the client's CPU.
    if (iterations > 1000000)
        return scramError(QStringLiteral("the broker's SCRAM iteration count %1 is unreasonably high").arg(iterations));

    const EVP_MD *digest = md(m_digest);
    const int keyLen = EVP_MD_get_size(digest);
    QByteArray salted(keyLen, Qt::Uninitialized);
    const QByteArray pass = m_password.toUtf8();
    const QByteArray &salt = saltDecoded.decoded;
    if (PKCS5_PBKDF2_HMAC(pass.constData(), static_cast<int>(pass.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), digest, keyLen,
                          reinterpret_cast<unsigned char *>(salted.data())) != 1)
        return scramError(QStringLiteral("OpenSSL's PBKDF2 failed"));

    const QByteArray clientKey = hmac(digest, salted, "Client Key");
    const QByteArray storedKey = hash(digest, clientKey);
    const QByteArray withoutProof = "c=biws,r=" + nonce; // biws = base64("n,,"): no channel binding
    const QByteArray authMessage = m_clientFirstBare + ',' + serverFirst + ',' + withoutProof;
    const QByteArray clientSignature = hmac(digest, storedKey, authMessage);
    if (clientKey.size() != keyLen || clientSignature.size() != keyLen)
        return scramError(QStringLiteral("OpenSSL's HMAC failed"));
    QByteArray proof(keyLen, Qt::Uninitialized);
    for (int i = 0; i < keyLen; ++i)
        proof[i] = static_cast<char>(clientKey[i] ^ clientSignature[i]);
    const QByteArray serverKey = hmac(digest, salted, "Server Key");
    m_serverSignature = hmac(digest, serverKey, authMessage);
    OPENSSL_cleanse(salted.data(), static_cast<size_t>(salted.size()));
    return withoutProof + ",p=" + proof.toBase64();
}

Result<bool> ScramClient::verifyServerFinal(const QByteArray &serverFinal)
{
    auto attrs = parseAttributes(serverFinal, "server-final");
    if (!attrs)
        return attrs.error();
    for (const Attr &a : *attrs) {
        if (a.name == 'e')
            return scramError(QStringLiteral("the broker refused the SCRAM login: %1").arg(QString::fromUtf8(a.value)));
        if (a.name == 'v') {
            const auto v = QByteArray::fromBase64Encoding(a.value, QByteArray::AbortOnBase64DecodingErrors);
            if (v && v.decoded.size() == m_serverSignature.size() && !m_serverSignature.isEmpty() &&
                CRYPTO_memcmp(v.decoded.constData(), m_serverSignature.constData(),
                              static_cast<size_t>(m_serverSignature.size())) == 0)
                return true;
            return scramError(QStringLiteral("the broker's SCRAM server signature is wrong: it does not know the "
                                             "password (an impostor broker, or a man in the middle)"));
        }
    }
    return scramError(QStringLiteral("the broker's SCRAM server-final message has no signature (v=)"));
}

} // namespace kpw
