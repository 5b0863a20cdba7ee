// BrokerConnection's TLS and SASL steps, apart from the framing and request
// path in BrokerConnection.cpp.

#include "BrokerConnection.h"

#include "messages/Sasl.h"
#include "net/SaslMechanism.h"
#include "wire/KafkaError.h"

#include <QDateTime>
#include <QFile>
#include <QPointer>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>
#include <limits>

namespace kpw {
namespace {

QString dn(const QSslCertificate &cert, bool subject)
{
    static const struct
    {
        QSslCertificate::SubjectInfo info;
        const char *label;
    } kParts[] = {{QSslCertificate::CommonName, "CN"},
                  {QSslCertificate::OrganizationalUnitName, "OU"},
                  {QSslCertificate::Organization, "O"},
                  {QSslCertificate::CountryName, "C"}};
    QStringList parts;
    for (const auto &p : kParts) {
        const QStringList values = subject ? cert.subjectInfo(p.info) : cert.issuerInfo(p.info);
        for (const QString &v : values)
            parts.append(QStringLiteral("%1=%2").arg(QLatin1StringView(p.label), v));
    }
    return parts.isEmpty() ? QStringLiteral("(empty)") : parts.join(QLatin1Char(','));
}

QString altNames(const QSslCertificate &cert)
{
    QStringList names;
    const auto sans = cert.subjectAlternativeNames();
    for (auto it = sans.cbegin(); it != sans.cend(); ++it)
        names.append(QStringLiteral("%1:%2").arg(it.key() == QSsl::DnsEntry         ? QStringLiteral("DNS")
                                                 : it.key() == QSsl::IpAddressEntry ? QStringLiteral("IP")
                                                                                    : QStringLiteral("email"),
                                                 it.value()));
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

QString protocolText(QSsl::SslProtocol p)
{
    switch (p) {
    case QSsl::TlsV1_2: return QStringLiteral("TLSv1.2");
    case QSsl::TlsV1_3: return QStringLiteral("TLSv1.3");
    default: return QStringLiteral("TLS");
    }
}

int passwordCallback(char *buf, int size, int, void *u)
{
    const auto *pass = static_cast<const QByteArray *>(u);
    if (!pass || pass->isEmpty() || pass->size() > size)
        return 0; // no password: fail instead of OpenSSL's terminal prompt
    std::memcpy(buf, pass->constData(), static_cast<size_t>(pass->size()));
    return static_cast<int>(pass->size());
}

// Reads the first private key of a PEM file through OpenSSL (traditional or
// PKCS#8, encrypted or not, any algorithm) and hands it to Qt.
Result<QSslKey> loadPrivateKey(const QString &path, const QString &setting, const QString &password)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{KafkaError::ClientInvalidConfig,
                     QStringLiteral("%1: cannot read %2: %3").arg(setting, path, f.errorString())};
    const QByteArray pem = f.readAll();
    const bool encrypted = pem.contains("ENCRYPTED");
    BIO *bio = BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size()));
    QByteArray pass = password.toUtf8();
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, nullptr, passwordCallback, &pass) : nullptr;
    BIO_free(bio);
    OPENSSL_cleanse(pass.data(), static_cast<size_t>(pass.size()));
    ERR_clear_error(); // the decoders it tried leave errors on this thread's queue
    if (!pkey) {
        if (encrypted && password.isEmpty())
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("the private key in %1 is encrypted: set ssl.key.password").arg(path)};
        if (encrypted)
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("cannot decrypt the private key in %1: wrong ssl.key.password?").arg(path)};
        return Error{KafkaError::ClientInvalidConfig,
                     QStringLiteral("%1: no PEM private key in %2 (JKS/PKCS12 key stores must be converted to PEM)")
                         .arg(setting, path)};
    }
    // QSslKey takes ownership of the handle.
    QSslKey key(static_cast<Qt::HANDLE>(pkey), QSsl::PrivateKey);
    if (key.isNull())
        return Error{KafkaError::ClientInvalidConfig,
                     QStringLiteral("Qt could not use the private key in %1").arg(path)};
    return key;
}

} // namespace

bool BrokerConnection::setUpTls()
{
    auto *ssl = static_cast<QSslSocket *>(m_socket);
    const SecurityOptions &sec = m_options.security;
    auto fail = [this](const QString &why) {
        // Queued: connectToBroker() runs inside send(), whose caller does not
        // expect its callback before send() returns.
        QPointer<BrokerConnection> self(this);
        QPointer<QTcpSocket> socket(m_socket);
        QTimer::singleShot(0, this, [self, socket, why] {
            if (self && socket && self->m_socket == socket)
                self->abort(self->withPeer(KafkaError::ClientInvalidConfig, why));
        });
        return false;
    };
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    if (!sec.caFile.isEmpty()) {
        QFile f(sec.caFile);
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("ssl.truststore.location: cannot read %1: %2").arg(sec.caFile, f.errorString()));
        const auto cas = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (cas.isEmpty())
            return fail(QStringLiteral("ssl.truststore.location: no PEM certificate in %1 (JKS/PKCS12 trust stores "
                                       "must be converted to PEM)")
                            .arg(sec.caFile));
        conf.setCaCertificates(cas);
    }
    if (!sec.certFile.isEmpty()) {
        QFile f(sec.certFile);
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("ssl.keystore.location: cannot read %1: %2").arg(sec.certFile, f.errorString()));
        const auto chain = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (chain.isEmpty())
            return fail(QStringLiteral("ssl.keystore.location: no PEM certificate in %1").arg(sec.certFile));
        // The broker answers an expired certificate with a bare "certificate
        // unknown" alert: check the dates here, where they can be named.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (chain.first().expiryDate() < now)
            return fail(
                QStringLiteral("the client certificate in %1 (subject %2) expired on %3: renew it")
                    .arg(sec.certFile, dn(chain.first(), true), chain.first().expiryDate().toString(Qt::ISODate)));
        if (chain.first().effectiveDate() > now)
            return fail(
                QStringLiteral("the client certificate in %1 (subject %2) is valid only from %3 (check "
                               "the clock)")
                    .arg(sec.certFile, dn(chain.first(), true), chain.first().effectiveDate().toString(Qt::ISODate)));
        auto key = loadPrivateKey(sec.keyFile.isEmpty() ? sec.certFile : sec.keyFile,
                                  sec.keyFile.isEmpty() ? QStringLiteral("ssl.keystore.location")
                                                        : QStringLiteral("ssl.key.location"),
                                  sec.keyPassword);
        if (!key)
            return fail(key.error().message);
        conf.setLocalCertificateChain(chain);
        conf.setPrivateKey(*key);
    } else if (!sec.keyFile.isEmpty()) {
        return fail(QStringLiteral("ssl.key.location is set without ssl.certificate.location"));
    }
    ssl->setSslConfiguration(conf);
    connect(ssl, &QSslSocket::sslErrors, this, &BrokerConnection::onSslErrors);
    connect(ssl, &QSslSocket::encrypted, this, [this] {
        auto *s = static_cast<QSslSocket *>(m_socket);
        m_tlsSummary =
            QStringLiteral("%1, %2, peer %3")
                .arg(protocolText(s->sessionProtocol()), s->sessionCipher().name(), dn(s->peerCertificate(), true));
        if (!m_options.security.verifyHostname)
            m_tlsSummary += QStringLiteral(" (host name NOT verified)");
        onConnected();
    });
    return true;
}

void BrokerConnection::onSslErrors(const QList<QSslError> &errors)
{
    const SecurityOptions &sec = m_options.security;
    QList<QSslError> ignorable;
    QStringList problems;
    bool untrusted = false;
    const QString trust = sec.caFile.isEmpty() ? QStringLiteral("the system trust store is used: set "
                                                                "ssl.truststore.location (or ssl.ca.location) to "
                                                                "the CA's PEM file")
                                               : QStringLiteral("check that %1 (ssl.truststore.location) holds the "
                                                                "CA that issued it")
                                                     .arg(sec.caFile);
    for (const QSslError &e : errors) {
        const QSslCertificate cert = e.certificate();
        const QString who =
            cert.isNull() ? QString() : QStringLiteral(" (subject %1, issuer %2)").arg(dn(cert, true), dn(cert, false));
        switch (e.error()) {
        case QSslError::HostNameMismatch:
            if (!sec.verifyHostname) {
                ignorable.append(e);
                continue;
            }
            problems.append(
                QStringLiteral("host name mismatch: the broker's certificate%1 names %2, not '%3'; connect "
                               "by a name it lists (bootstrap.servers and the broker's advertised.listeners), "
                               "or set ssl.endpoint.identification.algorithm= (empty) to skip the check "
                               "(insecure)")
                    .arg(who, altNames(cert), m_host));
            break;
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::CertificateUntrusted:
        case QSslError::CertificateRejected:
            // One chain problem is reported by several errors: name it once.
            if (!untrusted)
                problems.append(QStringLiteral("certificate not trusted: %1%2; %3").arg(e.errorString(), who, trust));
            untrusted = true;
            break;
        case QSslError::CertificateExpired:
            problems.append(QStringLiteral("the broker's certificate%1 expired on %2")
                                .arg(who, cert.expiryDate().toString(Qt::ISODate)));
            break;
        case QSslError::CertificateNotYetValid:
            problems.append(QStringLiteral("the broker's certificate%1 is valid only from %2 (check the clock)")
                                .arg(who, cert.effectiveDate().toString(Qt::ISODate)));
            break;
        default: problems.append(e.errorString() + who); break;
        }
    }
    if (problems.isEmpty()) {
        static_cast<QSslSocket *>(m_socket)->ignoreSslErrors(ignorable);
        return;
    }
    problems.removeDuplicates();
    m_tlsError = problems.join(QStringLiteral("; "));
}

QString BrokerConnection::describeSocketError() const
{
    if (!m_tlsError.isEmpty())
        return QStringLiteral("TLS handshake failed: %1").arg(m_tlsError);
    QString why = m_socket->errorString(); // not const: returned by move
    if (!m_options.security.tls())
        return why;
    const auto err = m_socket->error();
    const QString lower = why.toLower();
    if (lower.contains(QLatin1StringView("certificate required")) ||
        lower.contains(QLatin1StringView("bad certificate")) || lower.contains(QLatin1StringView("unknown ca")) ||
        lower.contains(QLatin1StringView("certificate unknown")) ||
        lower.contains(QLatin1StringView("handshake failure")))
        return QStringLiteral("TLS: %1: the broker refused this client's certificate or needs one (ssl.client.auth): "
                              "check ssl.keystore.location, or ssl.certificate.location and ssl.key.location")
            .arg(why);
    if (m_state == State::Connecting && m_tcpUp) {
        if (err == QAbstractSocket::RemoteHostClosedError)
            return QStringLiteral("the broker closed the connection during the TLS handshake: is %1 a plaintext "
                                  "listener? (use security.protocol=PLAINTEXT or SASL_PLAINTEXT there)")
                .arg(address());
        if (lower.contains(QLatin1StringView("wrong version number")) ||
            lower.contains(QLatin1StringView("packet length too long")) ||
            lower.contains(QLatin1StringView("record layer failure")))
            return QStringLiteral("TLS handshake failed (%1): %2 does not speak TLS; a plaintext listener? (use "
                                  "security.protocol=PLAINTEXT or SASL_PLAINTEXT there)")
                .arg(why, address());
        return QStringLiteral("TLS handshake failed: %1").arg(why);
    }
    return why;
}

QString BrokerConnection::setupStage() const
{
    switch (m_state) {
    case State::Connecting:
        return m_options.security.tls() && m_tcpUp
                   ? QStringLiteral("end of the TLS handshake (TCP connected; is the port a TLS listener?)")
                   : QStringLiteral("TCP connection");
    case State::Negotiating: return QStringLiteral("answer to ApiVersions");
    case State::Authenticating: return QStringLiteral("end of SASL authentication");
    default: return QStringLiteral("connection");
    }
}

Error BrokerConnection::frameSizeError(std::int32_t size) const
{
    // 0x15 0x03: a TLS alert record; 0x16 0x03: a TLS handshake record.
    if (m_readBuffer.size() >= 2 && (m_readBuffer[0] == 0x15 || m_readBuffer[0] == 0x16) && m_readBuffer[1] == 0x03)
        return withPeer(KafkaError::ClientProtocolError,
                        QStringLiteral("the broker answered with TLS, not a Kafka frame: this is a TLS listener; set "
                                       "security.protocol=SSL (or SASL_SSL) and ssl.truststore.location"));
    return withPeer(KafkaError::ClientProtocolError,
                    QStringLiteral("response frame of %1 bytes is outside 4..%2; not a Kafka broker, or a "
                                   "TLS/SASL listener spoken to in plaintext?")
                        .arg(size)
                        .arg(m_options.maxResponseSize));
}

void BrokerConnection::onNegotiated()
{
    if (m_options.security.sasl()) {
        m_state = State::Authenticating;
        authenticate();
        return;
    }
    becomeReady();
}

void BrokerConnection::becomeReady()
{
    m_state = State::Ready;
    Q_EMIT ready();
    flushQueue();
}

void BrokerConnection::authenticate()
{
    auto mech = makeSaslMechanism(m_options.security);
    if (!mech) {
        abort(withPeer(mech.error().code, mech.error().message));
        return;
    }
    m_sasl = std::move(*mech);
    if (negotiatedVersion(ApiKey::SaslHandshake) < 0 || negotiatedVersion(ApiKey::SaslAuthenticate) < 0) {
        abort(withPeer(KafkaError::UnsupportedVersion,
                       QStringLiteral("the broker does not offer SaslHandshake v1 and SaslAuthenticate (Kafka 1.0 "
                                      "or newer is needed for SASL)")));
        return;
    }
    Pending p;
    p.key = ApiKey::SaslHandshake;
    p.version = negotiatedVersion(ApiKey::SaslHandshake);
    const QString mechanism = m_sasl->name();
    p.encode = [mechanism](std::int16_t v) { return SaslHandshakeRequest{mechanism}.encode(v); };
    p.done = [this, mechanism](Result<QByteArray> body, std::int16_t version) {
        if (!body)
            return; // failAll already reported it
        auto resp = SaslHandshakeResponse::decode(*body, version);
        if (!resp) {
            abort(withPeer(KafkaError::ClientProtocolError, resp.error().message));
            return;
        }
        if (resp->errorCode == KafkaError::UnsupportedSaslMechanism) {
            abort(withPeer(resp->errorCode,
                           QStringLiteral("UNSUPPORTED_SASL_MECHANISM: this listener does not enable %1; it enables "
                                          "%2: set sasl.mechanism to one of them")
                               .arg(mechanism, resp->mechanisms.isEmpty()
                                                   ? QStringLiteral("none")
                                                   : resp->mechanisms.join(QStringLiteral(", ")))));
            return;
        }
        if (resp->errorCode == KafkaError::IllegalSaslState) {
            abort(
                withPeer(resp->errorCode, QStringLiteral("ILLEGAL_SASL_STATE: the listener does not expect SASL; is "
                                                         "it a PLAINTEXT or SSL listener? (check security.protocol)")));
            return;
        }
        if (resp->errorCode != 0) {
            abort(withPeer(resp->errorCode,
                           QStringLiteral("SaslHandshake failed: %1").arg(KafkaError::describe(resp->errorCode))));
            return;
        }
        auto first = m_sasl->initial();
        if (!first) {
            abort(withPeer(first.error().code, first.error().message));
            return;
        }
        saslSend(*first);
    };
    writeRequest(std::move(p));
}

void BrokerConnection::saslSend(const QByteArray &token)
{
    Pending p;
    p.key = ApiKey::SaslAuthenticate;
    p.version = negotiatedVersion(ApiKey::SaslAuthenticate);
    p.encode = [token](std::int16_t v) { return SaslAuthenticateRequest{token}.encode(v); };
    p.done = [this](Result<QByteArray> body, std::int16_t version) {
        if (!body || !m_sasl)
            return;
        auto resp = SaslAuthenticateResponse::decode(*body, version);
        if (!resp) {
            abort(withPeer(KafkaError::ClientProtocolError, resp.error().message));
            return;
        }
        const SecurityOptions &sec = m_options.security;
        const bool oauth = m_sasl->name() == QLatin1StringView("OAUTHBEARER");
        const QString who =
            oauth ? m_sasl->name() : QStringLiteral("%1 as user '%2'").arg(m_sasl->name(), sec.username);
        if (resp->errorCode != 0) {
            const QString brokerSays = resp->errorMessage && !resp->errorMessage->isEmpty()
                                           ? *resp->errorMessage
                                           : QLatin1StringView(KafkaError::info(resp->errorCode).text);
            const QString check =
                oauth ? QStringLiteral("check the token (sasl.oauthbearer.token or "
                                       "sasl.oauthbearer.token.file): expired, or not for this cluster?")
                      : QStringLiteral("check the user name and password (sasl.jaas.config, or "
                                       "sasl.username and sasl.password) and that the user exists "
                                       "for %1 on the broker")
                            .arg(m_sasl->name());
            abort(
                withPeer(resp->errorCode, QStringLiteral("%1: SASL authentication (%2) failed: broker says \"%3\"; %4")
                                              .arg(KafkaError::name(resp->errorCode), who, brokerSays, check)));
            return;
        }
        auto next = m_sasl->next(resp->authBytes);
        if (!next) {
            abort(withPeer(next.error().code,
                           QStringLiteral("%1: SASL %2: %3")
                               .arg(KafkaError::name(next.error().code), m_sasl->name(), next.error().message)));
            return;
        }
        if (next->has_value()) {
            saslSend(**next);
            return;
        }
        if (!m_sasl->complete()) {
            abort(withPeer(KafkaError::ClientSaslExchangeFailed,
                           QStringLiteral("SASL_EXCHANGE_FAILED: the broker ended the %1 exchange before it was "
                                          "complete")
                               .arg(m_sasl->name())));
            return;
        }
        if (resp->sessionLifetimeMs > 0) {
            // Reconnect (and log in again) before the broker ends the session.
            const qint64 lifetime = std::min<std::int64_t>(resp->sessionLifetimeMs, std::numeric_limits<qint32>::max());
            m_reauthAtMs = m_clock.elapsed() + std::max<qint64>(1, lifetime * 85 / 100);
        }
        m_saslSummary = who;
        m_sasl.reset();
        becomeReady();
    };
    writeRequest(std::move(p));
}

void BrokerConnection::closeForReauthentication()
{
    // Nothing is in flight: close quietly; queued requests open a new
    // connection, which logs in again.
    m_state = State::Disconnected;
    m_reauthAtMs = 0;
    m_tick.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->disconnectFromHost();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_readBuffer.clear();
    m_brokerVersions.clear();
    if (!m_queue.empty())
        connectToBroker();
}

} // namespace kpw
