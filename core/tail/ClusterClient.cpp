#include "ClusterClient.h"

#include "wire/KafkaError.h"

#include <QPointer>

#include <algorithm>

namespace kpw {

namespace {

// When every server refused the login (or the TLS handshake) the same way,
// that is the error: SASL_AUTHENTICATION_FAILED, not "connection failed", as
// the producer reports it. Anything else stays a connection failure.
std::int16_t commonSecurityCode(const QList<Error> &errors)
{
    if (errors.isEmpty())
        return KafkaError::ClientConnectionFailed;
    const std::int16_t code = errors.constFirst().code;
    const bool security = code == KafkaError::SaslAuthenticationFailed ||
                          code == KafkaError::ClientSslHandshakeFailed ||
                          code == KafkaError::ClientSaslExchangeFailed ||
                          code == KafkaError::UnsupportedSaslMechanism || code == KafkaError::IllegalSaslState;
    const bool same = std::all_of(errors.cbegin(), errors.cend(), [code](const Error &e) { return e.code == code; });
    return security && same ? code : KafkaError::ClientConnectionFailed;
}

} // namespace

ClusterClient::ClusterClient(const QString &bootstrap, ConnectionOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    const QStringList servers = bootstrap.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (int i = 0; i < servers.size(); ++i) {
        const QString hp = servers[i].trimmed();
        const auto colon = hp.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            continue;
        bool ok = false;
        const uint port = hp.mid(colon + 1).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            continue;
        m_bootstrap.append(
            track(new BrokerConnection(-1 - i, hp.left(colon), static_cast<quint16>(port), m_options, this)));
    }
}

ClusterClient::~ClusterClient()
{
    // Connections are children: deleting them here (not in ~QObject) ends
    // their outstanding callbacks while this object is still whole.
    const auto all = findChildren<BrokerConnection *>(Qt::FindDirectChildrenOnly);
    for (auto *c : all)
        delete c;
}

BrokerConnection *ClusterClient::track(BrokerConnection *c)
{
    connect(c, &BrokerConnection::failed, this, [this](const kpw::Error &e) { Q_EMIT connectionFailed(e); });
    return c;
}

BrokerConnection *ClusterClient::connectionFor(std::int32_t nodeId)
{
    if (auto it = m_brokers.find(nodeId); it != m_brokers.end())
        return *it;
    const auto info = m_brokerInfo.find(nodeId);
    if (info == m_brokerInfo.end())
        return nullptr;
    return connectionTo(nodeId, info->host, info->port);
}

BrokerConnection *ClusterClient::connectionTo(std::int32_t nodeId, const QString &host, std::int32_t port)
{
    if (auto it = m_brokers.find(nodeId); it != m_brokers.end()) {
        if ((*it)->address() == QStringLiteral("%1:%2").arg(host).arg(port))
            return *it;
        (*it)->deleteLater(); // the node moved
        m_brokers.erase(it);
    }
    auto *c = track(new BrokerConnection(nodeId, host, static_cast<quint16>(port), m_options, this));
    m_brokers.insert(nodeId, c);
    return c;
}

QList<BrokerConnection *> ClusterClient::candidates()
{
    QList<BrokerConnection *> out;
    for (auto *c : std::as_const(m_brokers))
        if (c->isReady())
            out.append(c);
    for (auto *c : std::as_const(m_bootstrap))
        out.append(c);
    for (auto *c : std::as_const(m_brokers))
        if (!out.contains(c))
            out.append(c);
    return out;
}

BrokerConnection *ClusterClient::anyConnection()
{
    const auto all = candidates();
    return all.isEmpty() ? nullptr : all.front();
}

void ClusterClient::fetchMetadata(const std::optional<QList<QString>> &topics, MetadataCallback done)
{
    tryMetadata(topics, std::move(done), 0, {});
}

void ClusterClient::tryMetadata(const std::optional<QList<QString>> &topics, MetadataCallback done, int attempt,
                                QList<Error> errors)
{
    const auto all = candidates();
    if (all.isEmpty()) {
        done(Error{KafkaError::ClientInvalidConfig, QStringLiteral("no bootstrap server: give HOST:PORT[,HOST:PORT]")});
        return;
    }
    if (attempt >= all.size()) {
        QStringList messages;
        for (const auto &e : std::as_const(errors))
            messages.append(e.message);
        done(Error{commonSecurityCode(errors),
                   QStringLiteral("no broker gave metadata: %1").arg(messages.join(QStringLiteral("; ")))});
        return;
    }
    BrokerConnection *conn = all[attempt];
    MetadataRequest req;
    req.topics = topics;
    const QString peer = conn->describe();
    QPointer<ClusterClient> self(this);
    conn->send(
        ApiKey::Metadata, [req](std::int16_t v) { return req.encode(v); },
        [self, topics, done, attempt, errors, peer](Result<QByteArray> body, std::int16_t version) mutable {
            if (!self)
                return;
            if (!body) {
                if (body.error().code == KafkaError::ClientShutdown) {
                    done(body.error());
                    return;
                }
                errors.append(body.error());
                self->tryMetadata(topics, std::move(done), attempt + 1, errors);
                return;
            }
            auto md = MetadataResponse::decode(*body, version);
            if (!md) {
                errors.append(Error{md.error().code, QStringLiteral("%1: %2").arg(peer, md.error().message)});
                self->tryMetadata(topics, std::move(done), attempt + 1, errors);
                return;
            }
            for (const auto &b : md->brokers)
                self->m_brokerInfo.insert(b.nodeId, b);
            done(std::move(md));
        });
}

} // namespace kpw
