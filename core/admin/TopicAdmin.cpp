#include "TopicAdmin.h"

#include "messages/ListOffsets.h"
#include "producer/ProducerConfig.h"
#include "tail/ClusterClient.h"
#include "wire/KafkaError.h"

#include <QHash>

#include <algorithm>
#include <memory>

namespace kpw {

namespace {

// The broker's own message when it sent one, else the error table's text.
QString brokerMessage(std::int16_t code, const std::optional<QString> &message)
{
    if (message && !message->isEmpty())
        return *message;
    const auto info = KafkaError::info(code);
    return info.text ? QString::fromUtf8(info.text) : KafkaError::name(code);
}

} // namespace

int TopicDescription::underReplicatedCount() const
{
    return static_cast<int>(std::count_if(partitions.cbegin(), partitions.cend(),
                                          [](const PartitionDescription &p) { return p.underReplicated(); }));
}

Result<ConnectionOptions> adminConnectionOptions(const ProducerConfig &config)
{
    auto sec = config.security();
    if (!sec)
        return sec.error();
    ConnectionOptions options;
    options.clientId = config.clientId();
    options.connectTimeoutMs = config.connectTimeoutMs();
    options.requestTimeoutMs = config.requestTimeoutMs();
    options.security = *sec;
    return options;
}

TopicAdmin::TopicAdmin(const QString &bootstrap, ConnectionOptions options, QObject *parent)
    : CallReceiver(parent), m_timeoutMs(options.requestTimeoutMs)
{
    m_cluster = new ClusterClient(bootstrap, std::move(options), this);
}

TopicAdmin::~TopicAdmin()
{
    m_stopping = true; // outstanding callbacks end with CLIENT_SHUTDOWN: report nothing
    delete m_cluster;
}

void TopicAdmin::describeTopics(const std::optional<QStringList> &names, TopicsCallback done)
{
    QPointer<TopicAdmin> self(this);
    std::optional<QList<QString>> wanted;
    if (names)
        wanted = QList<QString>(names->cbegin(), names->cend());
    m_cluster->fetchMetadata(wanted, [self, names, done = std::move(done)](Result<MetadataResponse> md) {
        if (!self || self->m_stopping)
            return;
        if (!md) {
            done(md.error());
            return;
        }
        QList<TopicDescription> topics;
        for (const auto &t : md->topics) {
            TopicDescription d;
            d.name = t.name;
            d.errorCode = t.errorCode;
            d.internal = t.isInternal;
            for (const auto &p : t.partitions) {
                PartitionDescription pd;
                pd.partition = p.partition;
                pd.errorCode = p.errorCode;
                pd.leader = p.leader;
                pd.replicas = p.replicas;
                pd.isr = p.isr;
                pd.offlineReplicas = p.offlineReplicas;
                d.partitions.append(pd);
            }
            topics.append(std::move(d));
        }
        if (names) {
            for (const auto &n : *names) {
                const bool found = std::any_of(topics.cbegin(), topics.cend(),
                                               [&n](const TopicDescription &d) { return d.name == n; });
                if (!found) {
                    TopicDescription d;
                    d.name = n;
                    d.errorCode = KafkaError::UnknownTopicOrPartition;
                    topics.append(d);
                }
            }
        }
        std::sort(topics.begin(), topics.end(),
                  [](const TopicDescription &a, const TopicDescription &b) { return a.name < b.name; });
        self->addOffsets(std::move(topics), done);
    });
}

void TopicAdmin::addOffsets(QList<TopicDescription> topics, const TopicsCallback &done)
{
    // Per leader: one ListOffsets for the earliest offsets and one for the
    // latest, each naming every partition that leader leads.
    struct Where
    {
        int topic;
        int partition;
    };
    QHash<std::int32_t, QList<Where>> byLeader;
    for (int ti = 0; ti < topics.size(); ++ti) {
        if (topics[ti].errorCode != KafkaError::None)
            continue;
        for (int pi = 0; pi < topics[ti].partitions.size(); ++pi) {
            auto &p = topics[ti].partitions[pi];
            if (p.leader < 0) {
                p.offsetsError = KafkaError::LeaderNotAvailable;
                continue;
            }
            byLeader[p.leader].append({ti, pi});
        }
    }
    if (byLeader.isEmpty()) {
        done(std::move(topics));
        return;
    }
    struct Gather
    {
        QList<TopicDescription> topics;
        int outstanding = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->topics = std::move(topics);
    gather->outstanding = static_cast<int>(byLeader.size()) * 2;
    QPointer<TopicAdmin> self(this);
    for (auto it = byLeader.cbegin(); it != byLeader.cend(); ++it) {
        const QList<Where> &where = it.value();
        BrokerConnection *conn = m_cluster->connectionFor(it.key());
        for (const std::int64_t ts : {ListOffsetsRequest::Earliest, ListOffsetsRequest::Latest}) {
            auto finishOne = [gather, done] {
                if (--gather->outstanding == 0)
                    done(std::move(gather->topics));
            };
            auto failAll = [gather, where](std::int16_t code) {
                for (const auto &w : where)
                    gather->topics[w.topic].partitions[w.partition].offsetsError = code;
            };
            if (!conn) {
                failAll(KafkaError::LeaderNotAvailable);
                finishOne();
                continue;
            }
            ListOffsetsRequest req;
            QHash<QString, int> topicIndex;
            for (const auto &w : where) {
                const QString &name = gather->topics[w.topic].name;
                auto ti = topicIndex.find(name);
                if (ti == topicIndex.end()) {
                    ti = topicIndex.insert(name, static_cast<int>(req.topics.size()));
                    req.topics.append({name, {}});
                }
                req.topics[*ti].partitions.append({gather->topics[w.topic].partitions[w.partition].partition, -1, ts});
            }
            conn->send(
                ApiKey::ListOffsets, [req](std::int16_t v) { return req.encode(v); },
                [self, gather, where, ts, finishOne, failAll](Result<QByteArray> body, std::int16_t version) {
                    if (!self || self->m_stopping)
                        return;
                    auto resp =
                        body ? ListOffsetsResponse::decode(*body, version) : Result<ListOffsetsResponse>(body.error());
                    if (!resp) {
                        failAll(resp.error().code);
                        finishOne();
                        return;
                    }
                    for (const auto &w : where) {
                        auto &p = gather->topics[w.topic].partitions[w.partition];
                        const QString &name = gather->topics[w.topic].name;
                        bool answered = false;
                        for (const auto &rt : resp->topics) {
                            if (rt.name != name)
                                continue;
                            for (const auto &rp : rt.partitions) {
                                if (rp.partition != p.partition)
                                    continue;
                                answered = true;
                                if (rp.errorCode != KafkaError::None)
                                    p.offsetsError = rp.errorCode;
                                else if (ts == ListOffsetsRequest::Earliest)
                                    p.earliestOffset = rp.offset;
                                else
                                    p.latestOffset = rp.offset;
                            }
                        }
                        if (!answered)
                            p.offsetsError = KafkaError::UnknownTopicOrPartition;
                    }
                    finishOne();
                });
        }
    }
}

void TopicAdmin::sendAnywhere(ApiKey key, BrokerConnection::Encoder encode, BrokerConnection::Callback done)
{
    BrokerConnection *conn = m_cluster->anyConnection();
    if (!conn) {
        done(Error{KafkaError::ClientInvalidConfig, QStringLiteral("no bootstrap server: give HOST:PORT[,HOST:PORT]")},
             -1);
        return;
    }
    conn->send(key, std::move(encode), std::move(done));
}

void TopicAdmin::describeConfigs(const QString &topic, ConfigsCallback done)
{
    DescribeConfigsRequest req;
    req.resources.append({DescribeConfigsRequest::TopicResource, topic, std::nullopt});
    QPointer<TopicAdmin> self(this);
    sendAnywhere(
        ApiKey::DescribeConfigs, [req](std::int16_t v) { return req.encode(v); },
        [self, topic, done = std::move(done)](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopping)
                return;
            if (!body) {
                done(body.error());
                return;
            }
            auto resp = DescribeConfigsResponse::decode(*body, version);
            if (!resp) {
                done(resp.error());
                return;
            }
            for (auto &r : resp->results) {
                if (r.resourceName != topic)
                    continue;
                if (r.errorCode != KafkaError::None) {
                    done(Error{r.errorCode, brokerMessage(r.errorCode, r.errorMessage)});
                    return;
                }
                std::sort(r.configs.begin(), r.configs.end(),
                          [](const ConfigEntry &a, const ConfigEntry &b) { return a.name < b.name; });
                done(r.configs);
                return;
            }
            done(Error{KafkaError::ClientProtocolError,
                       QStringLiteral("DescribeConfigs: the answer does not mention topic '%1'").arg(topic)});
        });
}

void TopicAdmin::createTopic(const NewTopic &topic, bool validateOnly, CreateCallback done)
{
    CreateTopicsRequest req;
    CreateTopicsRequest::Topic t;
    t.name = topic.name;
    t.numPartitions = topic.partitions;
    t.replicationFactor = topic.replicationFactor;
    for (const auto &c : topic.configs)
        t.configs.append({c.first, c.second});
    req.topics.append(t);
    req.validateOnly = validateOnly;
    req.timeoutMs = std::max(1000, m_timeoutMs - 2000); // the broker answers before our deadline
    QPointer<TopicAdmin> self(this);
    const QString name = topic.name;
    sendAnywhere(
        ApiKey::CreateTopics, [req](std::int16_t v) { return req.encode(v); },
        [self, name, done = std::move(done)](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopping)
                return;
            if (!body) {
                done(body.error());
                return;
            }
            auto resp = CreateTopicsResponse::decode(*body, version);
            if (!resp) {
                done(resp.error());
                return;
            }
            for (const auto &rt : resp->topics) {
                if (rt.name != name)
                    continue;
                if (rt.errorCode != KafkaError::None) {
                    done(Error{rt.errorCode, brokerMessage(rt.errorCode, rt.errorMessage)});
                    return;
                }
                CreatedTopic created;
                created.name = rt.name;
                created.partitions = rt.numPartitions;
                created.replicationFactor = rt.replicationFactor;
                if (rt.configs)
                    created.configs = *rt.configs;
                done(created);
                return;
            }
            done(Error{KafkaError::ClientProtocolError,
                       QStringLiteral("CreateTopics: the answer does not mention topic '%1'").arg(name)});
        });
}

void TopicAdmin::deleteTopic(const QString &topic, DeleteCallback done)
{
    DeleteTopicsRequest req;
    req.names = {topic};
    req.timeoutMs = std::max(1000, m_timeoutMs - 2000);
    QPointer<TopicAdmin> self(this);
    sendAnywhere(
        ApiKey::DeleteTopics, [req](std::int16_t v) { return req.encode(v); },
        [self, topic, done = std::move(done)](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopping)
                return;
            if (!body) {
                done(body.error());
                return;
            }
            auto resp = DeleteTopicsResponse::decode(*body, version);
            if (!resp) {
                done(resp.error());
                return;
            }
            for (const auto &rt : resp->topics) {
                if (rt.name && *rt.name != topic)
                    continue;
                if (rt.errorCode != KafkaError::None) {
                    done(Error{rt.errorCode, brokerMessage(rt.errorCode, rt.errorMessage)});
                    return;
                }
                done(true);
                return;
            }
            done(Error{KafkaError::ClientProtocolError,
                       QStringLiteral("DeleteTopics: the answer does not mention topic '%1'").arg(topic)});
        });
}

} // namespace kpw
