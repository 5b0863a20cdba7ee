#include "OffsetLookup.h"

#include "messages/FindCoordinator.h"
#include "messages/OffsetFetch.h"
#include "tail/ClusterClient.h"
#include "wire/KafkaError.h"

#include <QTimer>

#include <algorithm>
#include <memory>

namespace kpw {

namespace {

// The table's text for a code (its name when the table has none): messages
// go out with the code in Error::code, whose name the caller prints.
QString errorText(std::int16_t code)
{
    const auto info = KafkaError::info(code);
    return info.text ? QString::fromUtf8(info.text) : KafkaError::name(code);
}

constexpr int kCoordinatorAttempts = 20;
constexpr int kCoordinatorBackoffMs = 250;

bool isCoordinatorMove(std::int16_t code)
{
    return code == KafkaError::CoordinatorNotAvailable || code == KafkaError::CoordinatorLoadInProgress ||
           code == KafkaError::NotCoordinator;
}

} // namespace

OffsetLookup::OffsetLookup(const QString &bootstrap, ConnectionOptions options, QObject *parent)
    : QObject(parent), m_cluster(new ClusterClient(bootstrap, std::move(options), this))
{
}

OffsetLookup::~OffsetLookup()
{
    m_stopping = true;
    delete m_cluster;
}

void OffsetLookup::listOffsets(const QString &topic, std::int64_t timestamp, IsolationLevel isolation,
                               const OffsetsCallback &done)
{
    QPointer<OffsetLookup> self(this);
    m_cluster->fetchMetadata(
        QList<QString>{topic}, [self, topic, timestamp, isolation, done](Result<MetadataResponse> md) {
            if (!self || self->m_stopping)
                return;
            if (!md) {
                done(md.error());
                return;
            }
            const TopicInfo *t = nullptr;
            for (const auto &ti : md->topics)
                if (ti.name == topic)
                    t = &ti;
            const std::int16_t code = t ? t->errorCode : KafkaError::UnknownTopicOrPartition;
            if (code != KafkaError::None) {
                done(Error{code, QStringLiteral("topic '%1': %2").arg(topic, errorText(code))});
                return;
            }
            QHash<std::int32_t, QList<std::int32_t>> byLeader;
            for (const auto &p : t->partitions) {
                if (p.leader < 0) {
                    done(Error{KafkaError::LeaderNotAvailable,
                               QStringLiteral("%1 [%2] has no leader").arg(topic).arg(p.partition)});
                    return;
                }
                byLeader[p.leader].append(p.partition);
            }
            struct Gather
            {
                int outstanding = 0;
                bool failed = false;
                QList<PartitionOffset> out;
            };
            auto gather = std::make_shared<Gather>();
            gather->outstanding = static_cast<int>(byLeader.size());
            for (auto it = byLeader.cbegin(); it != byLeader.cend(); ++it) {
                BrokerConnection *conn = self->m_cluster->connectionFor(it.key());
                if (!conn) {
                    gather->failed = true;
                    done(Error{KafkaError::LeaderNotAvailable,
                               QStringLiteral("leader %1 of '%2' is not among the brokers").arg(it.key()).arg(topic)});
                    return;
                }
                ListOffsetsRequest req;
                req.isolation = isolation;
                ListOffsetsRequest::Topic rt{topic, {}};
                for (auto p : it.value())
                    rt.partitions.append({p, -1, timestamp});
                req.topics = {rt};
                const QString peer = conn->describe();
                conn->send(
                    ApiKey::ListOffsets, [req](std::int16_t v) { return req.encode(v); },
                    [self, gather, done, peer](Result<QByteArray> body, std::int16_t version) {
                        if (!self || self->m_stopping || gather->failed)
                            return;
                        Result<ListOffsetsResponse> resp = body ? ListOffsetsResponse::decode(*body, version)
                                                                : Result<ListOffsetsResponse>(body.error());
                        if (!resp) {
                            gather->failed = true;
                            done(Error{resp.error().code, QStringLiteral("ListOffsets: %1").arg(resp.error().message)});
                            return;
                        }
                        for (const auto &rt : resp->topics)
                            for (const auto &p : rt.partitions)
                                gather->out.append({p.partition, p.offset, p.timestamp, p.errorCode});
                        if (--gather->outstanding == 0) {
                            std::sort(gather->out.begin(), gather->out.end(),
                                      [](const auto &a, const auto &b) { return a.partition < b.partition; });
                            done(gather->out);
                        }
                    });
            }
        });
}

void OffsetLookup::committedOffsets(const QString &group, const std::optional<QString> &topic,
                                    const CommittedCallback &done)
{
    findCoordinator(group, topic, done, 0);
}

void OffsetLookup::retryCoordinator(const QString &group, const std::optional<QString> &topic,
                                    const CommittedCallback &done, int attempt, const Error &why)
{
    if (attempt + 1 >= kCoordinatorAttempts) {
        done(why);
        return;
    }
    QPointer<OffsetLookup> self(this);
    QTimer::singleShot(kCoordinatorBackoffMs, this, [self, group, topic, done, attempt] {
        if (self && !self->m_stopping)
            self->findCoordinator(group, topic, done, attempt + 1);
    });
}

void OffsetLookup::findCoordinator(const QString &group, const std::optional<QString> &topic,
                                   const CommittedCallback &done, int attempt)
{
    BrokerConnection *conn = m_cluster->anyConnection();
    if (!conn) {
        done(Error{KafkaError::ClientInvalidConfig, QStringLiteral("no bootstrap server: give HOST:PORT[,HOST:PORT]")});
        return;
    }
    FindCoordinatorRequest req;
    req.keyType = CoordinatorType::Group;
    req.keys = {group};
    QPointer<OffsetLookup> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::FindCoordinator, [req](std::int16_t v) { return req.encode(v); },
        [self, group, topic, done, attempt, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopping)
                return;
            Result<FindCoordinatorResponse> resp =
                body ? FindCoordinatorResponse::decode(*body, version) : Result<FindCoordinatorResponse>(body.error());
            if (!resp) {
                if (resp.error().code == KafkaError::ClientShutdown)
                    return;
                self->retryCoordinator(
                    group, topic, done, attempt,
                    {resp.error().code, QStringLiteral("FindCoordinator: %1").arg(resp.error().message)});
                return;
            }
            if (resp->coordinators.isEmpty()) {
                done(Error{KafkaError::ClientProtocolError,
                           QStringLiteral("%1 answered FindCoordinator with no coordinator").arg(peer)});
                return;
            }
            const auto &c = resp->coordinators.front();
            if (c.errorCode != KafkaError::None) {
                const Error e{c.errorCode,
                              QStringLiteral("coordinator of group '%1': %2%3")
                                  .arg(group, errorText(c.errorCode),
                                       c.errorMessage ? QStringLiteral(" (%1)").arg(*c.errorMessage) : QString())};
                if (isCoordinatorMove(c.errorCode))
                    self->retryCoordinator(group, topic, done, attempt, e);
                else
                    done(e);
                return;
            }
            BrokerConnection *coordinator = self->m_cluster->connectionTo(c.nodeId, c.host, c.port);
            self->offsetFetch(coordinator, group, topic, done, attempt);
        });
}

void OffsetLookup::offsetFetch(BrokerConnection *coordinator, const QString &group, const std::optional<QString> &topic,
                               const CommittedCallback &done, int attempt)
{
    OffsetFetchRequest req;
    // Every topic the group committed (null list, v2+), filtered here: no
    // Metadata round trip to learn the partitions.
    req.groups = {{group, std::nullopt}};
    QPointer<OffsetLookup> self(this);
    const QString peer = coordinator->describe();
    coordinator->send(
        ApiKey::OffsetFetch, [req](std::int16_t v) { return req.encode(v); },
        [self, group, topic, done, attempt, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopping)
                return;
            Result<OffsetFetchResponse> resp =
                body ? OffsetFetchResponse::decode(*body, version) : Result<OffsetFetchResponse>(body.error());
            if (!resp) {
                if (resp.error().code == KafkaError::ClientShutdown)
                    return;
                self->retryCoordinator(
                    group, topic, done, attempt,
                    {resp.error().code, QStringLiteral("OffsetFetch: %1").arg(resp.error().message)});
                return;
            }
            QList<Committed> out;
            for (const auto &g : resp->groups) {
                if (!g.groupId.isEmpty() && g.groupId != group)
                    continue;
                if (g.errorCode != KafkaError::None) {
                    const Error e{g.errorCode, QStringLiteral("OffsetFetch for group '%1' from %2: %3")
                                                   .arg(group, peer, errorText(g.errorCode))};
                    if (isCoordinatorMove(g.errorCode))
                        self->retryCoordinator(group, topic, done, attempt, e);
                    else
                        done(e);
                    return;
                }
                for (const auto &t : g.topics) {
                    if (topic && t.name != *topic)
                        continue;
                    for (const auto &p : t.partitions)
                        out.append(
                            {t.name, p.partition, p.committedOffset, p.committedLeaderEpoch, p.metadata, p.errorCode});
                }
            }
            std::sort(out.begin(), out.end(), [](const Committed &a, const Committed &b) {
                return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
            });
            done(out);
        });
}

} // namespace kpw
