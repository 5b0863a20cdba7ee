#include "ConnectionCheck.h"

#include "messages/Metadata.h"
#include "net/BrokerConnection.h"
#include "wire/KafkaError.h"

#include <QPointer>
#include <QTimer>

namespace kpw {

ConnectionCheck::ConnectionCheck(QObject *parent) : QObject(parent) {}

ConnectionCheck::~ConnectionCheck()
{
    // The connections fail what is outstanding as they go: report nothing then.
    m_dying = true;
    qDeleteAll(m_connections);
}

void ConnectionCheck::run(const ProducerConfig &config)
{
    auto sec = config.security();
    const QStringList servers = config.bootstrapServers();
    if (!sec || servers.isEmpty()) {
        const QString why = !sec ? sec.error().message : QStringLiteral("bootstrap.servers is empty");
        QTimer::singleShot(0, this, [this, why] {
            Q_EMIT line(QStringLiteral("settings: %1").arg(why));
            Q_EMIT finished(false);
        });
        return;
    }
    ConnectionOptions options;
    options.clientId = config.clientId();
    options.connectTimeoutMs = config.connectTimeoutMs();
    options.requestTimeoutMs = config.requestTimeoutMs();
    options.security = *sec;
    m_pending = static_cast<int>(servers.size());
    for (int i = 0; i < servers.size(); ++i) {
        const QString &hp = servers[i];
        const auto colon = hp.lastIndexOf(QLatin1Char(':'));
        auto *c = new BrokerConnection(-1 - i, hp.left(colon), static_cast<quint16>(hp.mid(colon + 1).toUInt()),
                                       options, this);
        m_connections.append(c);
        const QString who = c->describe();
        connect(c, &BrokerConnection::ready, this, [this, c, who] {
            QStringList parts;
            if (!c->tlsSummary().isEmpty())
                parts.append(QStringLiteral("TLS %1").arg(c->tlsSummary()));
            if (!c->saslSummary().isEmpty())
                parts.append(QStringLiteral("SASL %1").arg(c->saslSummary()));
            parts.append(QStringLiteral("%1 APIs").arg(c->brokerVersions().size()));
            Q_EMIT line(QStringLiteral("%1: connected (%2)").arg(who, parts.join(QStringLiteral(", "))));
        });
        QPointer<ConnectionCheck> self(this);
        c->send(
            ApiKey::Metadata,
            [](std::int16_t v) {
                return MetadataRequest{QList<QString>{}, false}.encode(v);
            },
            [self, who](Result<QByteArray> body, std::int16_t version) {
                if (!self || self->m_dying)
                    return;
                if (!body) {
                    // The message names the broker already.
                    Q_EMIT self->line(QStringLiteral("FAILED: %1: %2")
                                          .arg(KafkaError::name(body.error().code), body.error().message));
                    self->oneDone(false);
                    return;
                }
                auto md = MetadataResponse::decode(*body, version);
                if (!md) {
                    Q_EMIT self->line(QStringLiteral("%1: FAILED: %2").arg(who, md.error().message));
                    self->oneDone(false);
                    return;
                }
                QStringList brokers;
                for (const auto &b : md->brokers)
                    brokers.append(QStringLiteral("%1 at %2").arg(b.nodeId).arg(b.address()));
                Q_EMIT self->line(QStringLiteral("%1: cluster %2, %3 broker(s): %4")
                                      .arg(who, md->clusterId.value_or(QStringLiteral("?")))
                                      .arg(md->brokers.size())
                                      .arg(brokers.join(QStringLiteral(", "))));
                self->oneDone(true);
            });
    }
}

void ConnectionCheck::oneDone(bool ok)
{
    m_allOk = m_allOk && ok;
    if (--m_pending == 0)
        Q_EMIT finished(m_allOk);
}

} // namespace kpw
