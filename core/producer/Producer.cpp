#include "Producer.h"

#include "records/Partitioner.h"
#include "wire/KafkaError.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>

namespace kpw {
namespace {

// Equal strings, cheaply when they share their data (records of one send()
// usually share one topic QString).
bool sameString(const QString &a, const QString &b)
{
    return (a.constData() == b.constData() && a.size() == b.size()) || a == b;
}

bool refreshesMetadata(std::int16_t code)
{
    return code == KafkaError::NotLeaderOrFollower || code == KafkaError::UnknownTopicOrPartition ||
           code == KafkaError::LeaderNotAvailable || code == KafkaError::NetworkException ||
           code == KafkaError::ClientConnectionFailed || code == KafkaError::ClientTimeout;
}

// A port outside 1..65535 would wrap in quint16 and reach another port.
bool usableAddress(const BrokerInfo &b)
{
    return !b.host.isEmpty() && b.port > 0 && b.port <= 65535;
}

QString hintFor(std::int16_t code)
{
    switch (code) {
    case KafkaError::MessageTooLarge:
    case KafkaError::RecordListTooLarge:
        return QStringLiteral(" (raise the topic's max.message.bytes or lower batch.size)");
    case KafkaError::TopicAuthorizationFailed: return QStringLiteral(" (the principal needs WRITE on the topic)");
    case KafkaError::NotEnoughReplicas: return QStringLiteral(" (fewer in-sync replicas than min.insync.replicas)");
    default: return {};
    }
}

} // namespace

Producer::Producer(ProducerConfig config, std::shared_ptr<BufferGate> gate, QObject *parent)
    : CallReceiver(parent), m_config(std::move(config)), m_random(QRandomGenerator::securelySeeded()),
      m_gate(std::move(gate))
{
    m_clock.start();
    m_s.acks = m_config.acks();
    m_s.lingerMs = m_config.lingerMs();
    m_s.batchSize = m_config.batchSize();
    m_s.maxInFlight = m_config.maxInFlight();
    m_s.requestTimeoutMs = m_config.requestTimeoutMs();
    m_s.deliveryTimeoutMs = m_config.deliveryTimeoutMs();
    m_s.retries = m_config.retries();
    m_s.retryBackoffMs = m_config.retryBackoffMs();
    m_s.retryBackoffMaxMs = m_config.retryBackoffMaxMs();
    m_s.maxRequestSize = m_config.maxRequestSize();
    m_s.maxBlockMs = m_config.maxBlockMs();
    m_s.metadataMaxAgeMs = m_config.metadataMaxAgeMs();
    m_s.allowAutoTopicCreation = m_config.allowAutoTopicCreation();
    m_s.compression = m_config.compression();
    m_s.compressionLevel = m_config.compressionLevel();
    const QString partitioner = m_config.partitioner();
    if (partitioner == QLatin1StringView("round_robin"))
        m_s.partitioner = Settings::Partitioner::RoundRobin;
    else if (partitioner == QLatin1StringView("murmur2"))
        m_s.partitioner = Settings::Partitioner::Murmur2;
    m_connOptions.clientId = m_config.clientId();
    m_connOptions.connectTimeoutMs = m_config.connectTimeoutMs();
    m_connOptions.requestTimeoutMs = m_s.requestTimeoutMs;
    m_idempotent = m_config.idempotent();
    m_txnId = m_config.transactionalId();
    m_txnProtocolSetting = m_config.transactionProtocol();
    m_txn.transactionalId = m_txnId;
    m_txn.idempotent = m_idempotent;
    m_faults = std::make_shared<FaultPlan>();
    m_faults->onFault = [this](const QString &what) {
        ProtocolEvent e;
        e.api = QStringLiteral("FAULT");
        e.fault = true;
        e.result = QStringLiteral("injected");
        e.detail = what;
        emitEvent(e);
        Q_EMIT logMessage(what);
    };
    m_connOptions.faults = m_faults;
    if (auto sec = m_config.security())
        m_connOptions.security = *sec;
    m_drainTimer.setSingleShot(true);
    m_drainTimer.setTimerType(Qt::PreciseTimer); // linger.ms is a few milliseconds
    connect(&m_drainTimer, &QTimer::timeout, this, &Producer::drain);
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &Producer::onTick);
}

Producer::~Producer()
{
    shutdown();
}

void Producer::start()
{
    if (m_started)
        return;
    m_started = true;
    m_statsLastMs = nowMs();
    m_tick.start();
    if (auto sec = m_config.security(); !sec) {
        // Settings that cannot work together: say so instead of connecting.
        Q_EMIT connectionFailed(sec.error().message);
        return;
    }
    const QStringList servers = m_config.bootstrapServers();
    for (int i = 0; i < servers.size(); ++i) {
        const QString &hp = servers[i];
        const auto colon = hp.lastIndexOf(QLatin1Char(':'));
        auto *c = new BrokerConnection(-1 - i, hp.left(colon), static_cast<quint16>(hp.mid(colon + 1).toUInt()),
                                       m_connOptions, this);
        connect(c, &BrokerConnection::failed, this, [this](const kpw::Error &e) { Q_EMIT logMessage(e.message); });
        m_bootstrap.append(c);
    }
    if (m_bootstrap.isEmpty()) {
        Q_EMIT connectionFailed(QStringLiteral("bootstrap.servers is empty: give at least one host:port"));
        return;
    }
    fetchMetadata(true);
}

BrokerConnection *Producer::connectionFor(std::int32_t nodeId)
{
    if (auto it = m_brokers.find(nodeId); it != m_brokers.end())
        return it->second;
    const auto info = m_brokerInfo.find(nodeId);
    if (info == m_brokerInfo.end() || !usableAddress(*info))
        return nullptr;
    auto *c = new BrokerConnection(nodeId, info->host, static_cast<quint16>(info->port), m_connOptions, this);
    connect(c, &BrokerConnection::failed, this, [this](const kpw::Error &e) { Q_EMIT logMessage(e.message); });
    m_brokers.emplace(nodeId, c);
    return c;
}

BrokerConnection *Producer::bootstrapConnection(int index)
{
    // Known brokers first (they are the live cluster), then the bootstrap list.
    QList<BrokerConnection *> candidates;
    for (auto &[id, c] : m_brokers)
        if (c->isReady())
            candidates.append(c);
    for (auto it = m_brokerInfo.cbegin(); it != m_brokerInfo.cend(); ++it)
        if (auto *c = connectionFor(it.key()); c && !candidates.contains(c))
            candidates.append(c);
    for (auto *c : m_bootstrap)
        candidates.append(c);
    if (candidates.isEmpty())
        return nullptr;
    // Least loaded first, as the Java client: a metadata request must not
    // queue behind a Produce request that a slow broker sits on.
    const auto load = [](const BrokerConnection *c) { return (c->isReady() ? 0 : 1000) + c->inFlight() + c->queued(); };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](const BrokerConnection *a, const BrokerConnection *b) { return load(a) < load(b); });
    return candidates[index % candidates.size()];
}

void Producer::fetchMetadata(bool allTopics)
{
    if (m_shutdown || m_bootstrap.isEmpty())
        return;
    if (m_metadataInFlight) {
        m_metadataAgain = true;
        m_metadataAgainAll = m_metadataAgainAll || allTopics;
        return;
    }
    BrokerConnection *conn = bootstrapConnection(m_metadataAttempt);
    if (!conn)
        return;
    m_metadataInFlight = true;
    m_lastMetadataRequestMs = nowMs();
    MetadataRequest req;
    req.allowAutoTopicCreation = m_s.allowAutoTopicCreation;
    if (!allTopics) {
        QList<QString> topics;
        for (auto it = m_topics.cbegin(); it != m_topics.cend(); ++it)
            topics.append(it.key());
        for (auto it = m_waiting.cbegin(); it != m_waiting.cend(); ++it)
            if (!topics.contains(it.key()))
                topics.append(it.key());
        req.topics = topics;
    }
    QPointer<Producer> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::Metadata, [req](std::int16_t v) { return req.encode(v); },
        [self, allTopics, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self)
                return;
            self->m_metadataInFlight = false;
            if (!body) {
                self->onMetadataFailed(body.error());
                return;
            }
            auto md = MetadataResponse::decode(*body, version);
            if (!md) {
                self->onMetadataFailed(
                    {KafkaError::ClientProtocolError,
                     QStringLiteral("%1: undecodable Metadata response: %2").arg(peer, md.error().message)});
                return;
            }
            self->m_metadataFrom = peer;
            self->onMetadata(*md, allTopics);
        });
}

void Producer::onMetadataFailed(const Error &error)
{
    m_metadataErrors.append(error.message);
    m_lastMetadataError = error.message;
    ++m_metadataAttempt;
    const int candidates = static_cast<int>(m_bootstrap.size() + m_brokerInfo.size());
    if (!m_everConnected && m_metadataErrors.size() >= m_bootstrap.size()) {
        // Every bootstrap server was tried once: tell the user now rather than
        // retrying in silence. Records waiting for metadata keep waiting until
        // max.block.ms.
        Q_EMIT connectionFailed(QStringLiteral("no bootstrap server gave usable metadata: %1")
                                    .arg(m_metadataErrors.join(QStringLiteral("; "))));
        m_metadataErrors.clear();
    } else if (m_metadataErrors.size() >= std::max(1, candidates)) {
        Q_EMIT logMessage(
            QStringLiteral("metadata refresh failed: %1").arg(m_metadataErrors.join(QStringLiteral("; "))));
        m_metadataErrors.clear();
    }
    const int backoff = std::min(m_s.retryBackoffMaxMs, m_s.retryBackoffMs * (1 << std::min(m_metadataAttempt, 10)));
    m_metadataRetryAtMs = nowMs() + backoff;
    m_metadataAgain = true;
}

void Producer::onMetadata(const MetadataResponse &md, bool allTopics)
{
    m_lastMetadataError.clear();
    m_metadataAttempt = 0;
    m_metadataErrors.clear();
    m_lastMetadataMs = nowMs();
    applyMetadata(md, allTopics);
    if (!m_everConnected) {
        m_everConnected = true;
        if (m_idempotent && !transactional())
            requestProducerId(false);
        Q_EMIT connected(QStringLiteral("cluster %1: %2 broker(s), %3 topic(s)")
                             .arg(md.clusterId.value_or(QStringLiteral("?")))
                             .arg(md.brokers.size())
                             .arg(md.topics.size()));
    }
    Q_EMIT metadataUpdated(md);
    if (m_metadataAgain && m_metadataRetryAtMs <= nowMs() && nowMs() - m_lastMetadataRequestMs >= m_s.retryBackoffMs) {
        m_metadataAgain = false;
        const bool all = m_metadataAgainAll;
        m_metadataAgainAll = false;
        fetchMetadata(all);
    }
    scheduleDrain(0);
}

void Producer::applyMetadata(const MetadataResponse &md, bool allTopics)
{
    for (const auto &b : md.brokers) {
        auto old = m_brokerInfo.find(b.nodeId);
        if (old != m_brokerInfo.end() && (old->host != b.host || old->port != b.port)) {
            // The broker moved: drop the old connection (its requests fail and retry).
            if (auto it = m_brokers.find(b.nodeId); it != m_brokers.end()) {
                it->second->abort({KafkaError::NetworkException, QStringLiteral("broker address changed")});
                it->second->deleteLater();
                m_brokers.erase(it);
            }
        }
        m_brokerInfo.insert(b.nodeId, b);
    }
    m_lastTopic = nullptr; // m_topics changes below
    if (allTopics)
        m_topics.clear();
    for (const auto &t : md.topics) {
        if (t.errorCode == KafkaError::None && !t.partitions.isEmpty()) {
            m_topics.insert(t.name, t);
            continue;
        }
        m_topics.remove(t.name);
        auto w = m_waiting.find(t.name);
        if (w == m_waiting.end())
            continue;
        // A topic error fails its waiting records only when it is not
        // transient (LEADER_NOT_AVAILABLE while a topic is created is), or an
        // unknown topic after it was asked for three times.
        const bool unknown = t.errorCode == KafkaError::UnknownTopicOrPartition;
        if (unknown)
            ++w->unknownAnswers;
        const bool fatal = (!KafkaError::isRetriable(t.errorCode) && t.errorCode != KafkaError::None) ||
                           (unknown && w->unknownAnswers >= 3);
        if (fatal) {
            Error e{t.errorCode, unknown
                                     ? QStringLiteral("topic '%1' does not exist on the cluster%2")
                                           .arg(t.name, m_s.allowAutoTopicCreation
                                                            ? QString()
                                                            : QStringLiteral(" (allow.auto.create.topics=false)"))
                                     : QStringLiteral("topic '%1': %2").arg(t.name, KafkaError::describe(t.errorCode))};
            for (const auto &r : w->records)
                failRecord(r.meta, t.name, r.record.partition, e);
            m_queuedRecords -= w->records.size();
            m_waiting.erase(w);
        } else {
            m_metadataAgain = true;
            m_metadataRetryAtMs = nowMs() + m_s.retryBackoffMs;
            // What max.block.ms reports: the cluster answered, the topic is not usable (yet).
            m_lastMetadataError = QStringLiteral("%1: topic '%2': %3")
                                      .arg(m_metadataFrom, t.name,
                                           t.errorCode == KafkaError::None ? QStringLiteral("no partitions")
                                                                           : KafkaError::describe(t.errorCode));
        }
    }
    // Release records whose topic is now known.
    const auto waiting = m_waiting.keys();
    for (const auto &name : waiting) {
        if (!m_topics.contains(name)) {
            m_metadataAgain = true; // asked for, not answered: ask again after retry.backoff.ms
            m_metadataRetryAtMs = std::max(m_metadataRetryAtMs, nowMs() + m_s.retryBackoffMs);
            if (m_lastMetadataError.isEmpty())
                m_lastMetadataError =
                    QStringLiteral("%1: the metadata does not list topic '%2'").arg(m_metadataFrom, name);
            continue;
        }
        TopicWait w = m_waiting.take(name);
        m_queuedRecords -= w.records.size();
        const TopicInfo &topic = m_topics[name];
        for (const auto &r : w.records)
            enqueue(r.record, r.meta, topic);
    }
    flushReports();
}

void Producer::requestMetadataSoon()
{
    m_metadataAgain = true;
    m_metadataRetryAtMs = std::max(m_metadataRetryAtMs, m_lastMetadataRequestMs + m_s.retryBackoffMs);
    if (!m_metadataInFlight && nowMs() >= m_metadataRetryAtMs) {
        m_metadataAgain = false;
        fetchMetadata(false);
    }
}

void Producer::refreshMetadata()
{
    fetchMetadata(true);
}

void Producer::send(const QList<ProducerRecord> &records, quint64 firstId)
{
    const qint64 nowNs = m_clock.nsecsElapsed();
    const std::int64_t wallMs = QDateTime::currentMSecsSinceEpoch();
    quint64 id = firstId;
    for (const auto &rec : records) {
        RecordMeta meta;
        meta.id = id++;
        meta.enqueuedNs = nowNs;
        meta.timestampMs = rec.timestampMs.value_or(wallMs);
        meta.keySize = rec.key ? rec.key->size() : -1;
        meta.valueSize = rec.value ? rec.value->size() : -1;
        meta.headerCount = static_cast<int>(rec.headers.size());
        if (rec.key)
            meta.keyPreview = rec.key->left(DeliveryReport::kKeyPreview);
        meta.bufferBytes = RecordBatchBuilder::recordSizeBound(rec.key, rec.value, rec.headers);
        ++m_stats.recordsSent;
        if (m_shutdown) {
            failRecord(meta, rec.topic, rec.partition,
                       {KafkaError::ClientShutdown, QStringLiteral("the producer is closed")});
            continue;
        }
        if (rec.topic.isEmpty()) {
            failRecord(meta, rec.topic, rec.partition,
                       {KafkaError::InvalidTopicException, QStringLiteral("no topic given")});
            continue;
        }
        if (transactional() && m_txn.state != TxnState::InTransaction) {
            failRecord(meta, rec.topic, rec.partition, refuseState(QStringLiteral("send")));
            continue;
        }
        if (m_pidError.code != KafkaError::None) {
            failRecord(meta, rec.topic, rec.partition, m_pidError);
            continue;
        }
        qsizetype size = kBatchHeaderSize + 100 + meta.bufferBytes;
        if (size > m_s.maxRequestSize) // near the limit: the exact size decides
            size = kBatchHeaderSize + 100 + RecordBatchBuilder::recordSize(rec.key, rec.value, rec.headers, 0, 0);
        if (size > m_s.maxRequestSize) {
            failRecord(meta, rec.topic, rec.partition,
                       {KafkaError::ClientRecordTooLarge,
                        QStringLiteral("the record is %1 bytes serialized, more than max.request.size=%2 "
                                       "(raise max.request.size, and the topic's max.message.bytes)")
                            .arg(size)
                            .arg(m_s.maxRequestSize)});
            continue;
        }
        // Consecutive records usually share a topic: one hash lookup per run.
        if (!m_lastTopic || !sameString(m_lastTopicName, rec.topic)) {
            const auto found = m_topics.constFind(rec.topic);
            m_lastTopic = found == m_topics.cend() ? nullptr : &*found;
            m_lastTopicName = rec.topic;
        }
        if (!m_lastTopic) {
            auto &w = m_waiting[rec.topic];
            if (w.records.isEmpty())
                w.sinceMs = nowMs();
            w.records.append({rec, meta});
            ++m_queuedRecords;
            requestMetadataSoon();
            continue;
        }
        enqueue(rec, meta, *m_lastTopic);
    }
    flushReports();
}

std::int32_t Producer::choosePartition(const ProducerRecord &record, const TopicInfo &topic, Error *error)
{
    const auto count = static_cast<std::int32_t>(topic.partitions.size());
    if (record.partition >= 0) {
        if (record.partition >= count) {
            *error = {KafkaError::UnknownTopicOrPartition,
                      QStringLiteral("partition %1 does not exist: topic '%2' has %3 partition(s)")
                          .arg(record.partition)
                          .arg(topic.name)
                          .arg(count)};
            return -1;
        }
        return record.partition;
    }
    if (m_s.partitioner == Settings::Partitioner::RoundRobin)
        return static_cast<std::int32_t>(m_roundRobin[topic.name]++ % static_cast<std::uint32_t>(count));
    if (record.key)
        return murmur2Partition(*record.key, count);
    if (m_s.partitioner == Settings::Partitioner::Murmur2) // librdkafka's murmur2: a null key hashes as empty
        return murmur2Partition(QByteArray(), count);
    // Keyless: stay on one partition until about batch.size bytes went there
    // (KIP-794's uniform sticky partitioner), then move to another one.
    Sticky &s = m_sticky[topic.name];
    if (s.partition < 0 || s.partition >= count || s.bytes >= m_s.batchSize) {
        std::int32_t next = static_cast<std::int32_t>(m_random.bounded(count));
        if (count > 1 && next == s.partition)
            next = (next + 1) % count;
        s.partition = next;
        s.bytes = 0;
    }
    s.bytes += (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
    return s.partition;
}

void Producer::enqueue(const ProducerRecord &record, const RecordMeta &meta, const TopicInfo &topic)
{
    Error err;
    const std::int32_t partition = choosePartition(record, topic, &err);
    if (partition < 0) {
        failRecord(meta, record.topic, record.partition, err);
        return;
    }
    if (!m_lastQueue || m_lastQueueKey.second != partition || !sameString(m_lastQueueKey.first, record.topic)) {
        m_lastQueueKey = {record.topic, partition};
        m_lastQueue = &m_queues[m_lastQueueKey];
    }
    PartitionQueue &q = *m_lastQueue;
    const qsizetype recSize = meta.bufferBytes; // recordSizeBound(), computed once in send()
    Batch *batch = q.batches.empty() ? nullptr : q.batches.back().get();
    const bool fits = batch && batch->attempts == 0 && batch->wire.isEmpty() &&
                      batch->builder.sizeInBytes() + recSize <= std::max(m_s.batchSize, kBatchHeaderSize + 1) &&
                      batch->builder.sizeInBytes() + recSize + 200 <= m_s.maxRequestSize;
    if (!fits) {
        BatchParams params;
        params.codec = m_s.compression;
        params.compressionLevel = m_s.compressionLevel;
        params.transactional = transactional();
        params.initialCapacity =
            std::min<qsizetype>(std::max<qsizetype>(m_s.batchSize, recSize + kBatchHeaderSize), m_s.maxRequestSize);
        auto b = std::make_unique<Batch>(
            Batch{record.topic, partition, RecordBatchBuilder(params), {}, {}, nowMs(), 0, 0, m_nextBatchSeq++, {}});
        batch = b.get();
        q.batches.push_back(std::move(b));
    }
    batch->builder.append(record.key, record.value, record.headers, meta.timestampMs);
    batch->records.append(meta);
    ++m_queuedRecords;
    if (batch->builder.sizeInBytes() >= m_s.batchSize || q.batches.size() > 1)
        scheduleDrain(0);
    else
        scheduleDrain(m_s.lingerMs);
}

void Producer::scheduleDrain(qint64 delayMs)
{
    const qint64 at = nowMs() + delayMs;
    if (m_drainTimer.isActive() && m_drainAtMs <= at)
        return;
    m_drainAtMs = at;
    m_drainTimer.start(static_cast<int>(std::max<qint64>(0, delayMs)));
}

void Producer::drain()
{
    m_drainTimer.stop();
    m_drainAtMs = -1;
    if (m_shutdown)
        return;
    const qint64 now = nowMs();
    qint64 nextWake = -1;
    auto wakeAt = [&](qint64 t) { nextWake = nextWake < 0 ? t : std::min(nextWake, t); };
    const bool sendAll = !m_idempotent || sendsAllowed();
    bool needAdd = false;
    bool uncertainQueued = false;

    // Up to max.in.flight rounds: each round sends at most one request per
    // leader with the front batch of each ready partition.
    for (int round = 0; round < m_s.maxInFlight; ++round) {
        bool sentAny = false;
        nextWake = -1;
        // leader -> batches ready for it, one per partition
        std::map<std::int32_t, std::vector<std::pair<std::pair<QString, std::int32_t>, qsizetype>>> ready;
        for (auto &[tp, q] : m_queues) {
            if (q.batches.empty())
                continue;
            Batch &b = *q.batches.front();
            const bool full = q.batches.size() > 1 || b.sizeInBytes() >= m_s.batchSize;
            const qint64 readyAt = b.attempts > 0 ? b.retryAtMs : b.createdMs + m_s.lingerMs;
            if (!(full || m_flushing || readyAt <= now) || (b.attempts > 0 && b.retryAtMs > now)) {
                wakeAt(b.attempts > 0 ? b.retryAtMs : readyAt);
                continue;
            }
            if (!sendAll) {
                // No producer id yet, or an epoch bump pending: only a batch
                // whose last attempt went unanswered goes (under its old
                // stamp), so the bump can never write it a second time.
                const bool resend = b.uncertain && b.stampPid == m_txn.producerId &&
                                    b.stampEpoch == m_txn.producerEpoch && !m_pidInFlight;
                uncertainQueued = uncertainQueued || b.uncertain;
                if (!resend)
                    continue;
            }
            // Until the broker has acknowledged a batch of this producer id and
            // epoch on the partition, it accepts any first sequence: a second
            // batch could overtake a first one that is retried and strand it.
            // One batch in flight until then.
            if (m_idempotent && q.inFlight > 0 && q.lastAckedSequence < 0)
                continue;
            if (transactional() && m_txn.protocolVersion == 1 && !q.inTransaction) {
                needAdd = true; // AddPartitionsToTxn first; drained again when it answers
                continue;
            }
            const auto topic = m_topics.find(tp.first);
            std::int32_t leader = -1;
            std::int16_t partitionError = 0;
            if (topic != m_topics.end()) {
                for (const auto &p : topic->partitions)
                    if (p.partition == tp.second) {
                        leader = p.leader;
                        partitionError = p.errorCode;
                    }
            }
            const auto info = m_brokerInfo.constFind(leader);
            if (leader < 0 || info == m_brokerInfo.cend() || !usableAddress(*info)) {
                const std::int16_t code = partitionError ? partitionError : KafkaError::LeaderNotAvailable;
                QString why;
                if (leader == -1)
                    why = QStringLiteral("no leader for %1-%2 in the latest metadata (%3)")
                              .arg(tp.first)
                              .arg(tp.second)
                              .arg(KafkaError::name(code));
                else if (leader < 0)
                    why = QStringLiteral("the latest metadata names %3 as the leader of %1-%2, which is no broker id")
                              .arg(tp.first)
                              .arg(tp.second)
                              .arg(leader);
                else if (info == m_brokerInfo.cend())
                    why = QStringLiteral("the leader of %1-%2, broker %3, is not in the broker list")
                              .arg(tp.first)
                              .arg(tp.second)
                              .arg(leader);
                else
                    why = QStringLiteral("the leader of %1-%2, broker %3, is at '%4', which is no address")
                              .arg(tp.first)
                              .arg(tp.second)
                              .arg(leader)
                              .arg(info->address());
                // Name who said so: the user checks that broker's view of the cluster.
                b.lastError = {code, QStringLiteral("%1 (metadata from %2)").arg(why, m_metadataFrom)};
                requestMetadataSoon(); // drained again when metadata arrives
                wakeAt(now + m_s.retryBackoffMs);
                continue;
            }
            ready[leader].push_back({tp, b.sizeInBytes()});
        }

        for (auto &[leader, list] : ready) {
            BrokerConnection *conn = connectionFor(leader);
            if (!conn)
                continue;
            if (conn->inFlight() + conn->queued() >= m_s.maxInFlight) {
                continue; // drained again when a response frees a slot
            }
            std::vector<BatchPtr> batches;
            qsizetype bytes = 0;
            for (auto &[tp, size] : list) {
                if (!batches.empty() && bytes + size > m_s.maxRequestSize)
                    break;
                auto &q = m_queues[tp];
                batches.push_back(std::move(q.batches.front()));
                q.batches.pop_front();
                bytes += size;
            }
            if (!batches.empty()) {
                sendRequest(conn, std::move(batches));
                sentAny = true;
            }
        }
        if (!sentAny)
            break;
    }
    // Partitions with more ready batches go again once requests complete;
    // lingering ones when their time comes.
    if (nextWake >= 0)
        scheduleDrain(std::max<qint64>(0, nextWake - now));
    if (needAdd)
        addPartitionsToTxn();
    if (m_idempotent && !transactional() && m_bumpNeeded && !m_pidInFlight && m_inFlightRequests == 0 &&
        !uncertainQueued)
        requestProducerId(true);
}

void Producer::sendRequest(BrokerConnection *conn, std::vector<BatchPtr> batches)
{
    ProduceRequest req;
    req.acks = m_s.acks;
    req.timeoutMs = m_s.requestTimeoutMs;
    if (transactional())
        req.transactionalId = m_txnId;
    std::vector<BatchPtr> sent;
    QStringList sequences;
    for (auto &b : batches) {
        // Idempotence: a new batch, or one stamped under an older id/epoch,
        // takes the partition's next sequence numbers.
        const bool stamp = m_idempotent && (b->stampPid != m_txn.producerId || b->stampEpoch != m_txn.producerEpoch);
        std::int32_t seq = b->baseSequence;
        if (stamp) {
            PartitionQueue &q = m_queues[{b->topic, b->partition}];
            seq = q.nextSequence;
            q.nextSequence = incrementSequence(q.nextSequence, static_cast<std::int32_t>(b->records.size()));
            if (b->wire.isEmpty())
                b->builder.setSequence(m_txn.producerId, m_txn.producerEpoch, seq);
            else
                restampProducerState(b->wire, m_txn.producerId, m_txn.producerEpoch, seq);
            b->stampPid = m_txn.producerId;
            b->stampEpoch = m_txn.producerEpoch;
            b->baseSequence = seq;
        }
        if (transactional())
            m_txnPartitions.insert(QStringLiteral("%1-%2").arg(b->topic).arg(b->partition));
        if (m_trace && m_idempotent)
            sequences.append(QStringLiteral("%1-%2 seq %3..%4")
                                 .arg(b->topic)
                                 .arg(b->partition)
                                 .arg(seq)
                                 .arg(incrementSequence(seq, static_cast<std::int32_t>(b->records.size()) - 1)));
        if (b->wire.isEmpty()) {
            m_uncompressedBytes += static_cast<quint64>(b->builder.sizeInBytes() - kBatchHeaderSize);
            auto bytes = b->builder.build();
            if (!bytes) {
                completeBatch(*b, -1, -1, &bytes.error());
                m_queuedRecords -= b->records.size();
                continue;
            }
            b->wire = std::move(*bytes);
            ++m_batchesSent;
            m_batchRecordsSent += static_cast<quint64>(b->records.size());
            m_batchBytesSent += static_cast<quint64>(b->wire.size() - kBatchHeaderSize);
        } else {
            ++m_stats.retries;
        }
        auto it = std::find_if(req.topics.begin(), req.topics.end(),
                               [&](const ProduceRequest::TopicData &t) { return t.name == b->topic; });
        if (it == req.topics.end()) {
            req.topics.append({b->topic, {}});
            it = req.topics.end() - 1;
        }
        it->partitions.append({b->partition, b->wire});
        ++b->attempts;
        ++m_queues[{b->topic, b->partition}].inFlight;
        sent.push_back(std::move(b));
    }
    if (sent.empty()) {
        flushReports();
        return;
    }
    ++m_inFlightRequests;
    const bool expectResponse = req.acks != 0;
    const QString peer = conn->describe();
    QPointer<Producer> self(this);
    // The callback owns the batches while the request is out: a shared_ptr
    // keeps the std::function copyable.
    for (const auto &b : sent)
        m_inFlightBatches.insert(b.get());
    auto owned = std::make_shared<std::vector<BatchPtr>>(std::move(sent));
    const qint64 sentNs = m_clock.nsecsElapsed();
    const QString seqText = sequences.join(QStringLiteral(", "));
    conn->send(
        ApiKey::Produce, [req = std::move(req)](std::int16_t v) { return req.encode(v); },
        [self, owned, peer, sentNs, seqText](Result<QByteArray> body, std::int16_t version) {
            if (!self)
                return;
            if (body)
                self->m_requestLatencies.push_back(static_cast<double>(self->m_clock.nsecsElapsed() - sentNs) / 1e6);
            if (self->m_trace) {
                ProtocolEvent e;
                e.api = QStringLiteral("Produce v%1").arg(version);
                e.peer = peer;
                e.producerId = self->m_txn.producerId;
                e.producerEpoch = self->m_txn.producerEpoch;
                e.sequences = seqText;
                e.errorCode = body ? std::int16_t{0} : body.error().code;
                e.result = body ? QStringLiteral("answered") : KafkaError::name(body.error().code);
                if (!body) {
                    e.detail = body.error().message;
                } else if (!body->isEmpty()) {
                    // The timeline shows each partition's answer (decoded a
                    // second time: tracing is for the GUI, not the hot path).
                    if (auto resp = ProduceResponse::decode(*body, version)) {
                        QStringList parts;
                        std::int16_t first = 0;
                        for (const auto &t : resp->topics)
                            for (const auto &p : t.partitions) {
                                parts.append(QStringLiteral("%1-%2: %3")
                                                 .arg(t.name)
                                                 .arg(p.partition)
                                                 .arg(p.errorCode ? KafkaError::name(p.errorCode)
                                                                  : QStringLiteral("@ %1").arg(p.baseOffset)));
                                if (!first)
                                    first = p.errorCode;
                            }
                        e.errorCode = first;
                        e.result = first ? KafkaError::name(first) : QStringLiteral("OK");
                        e.partitions = parts.join(QStringLiteral(", "));
                    }
                }
                self->emitEvent(e);
            }
            self->onProduceResponse(std::move(*owned), body, version, peer);
        },
        expectResponse, produceMaxVersion());
}

void Producer::onProduceResponse(std::vector<BatchPtr> batches, const Result<QByteArray> &body, std::int16_t version,
                                 const QString &peer)
{
    --m_inFlightRequests;
    // Batches already reported TIMED_OUT in flight are done; drop them here.
    std::erase_if(batches, [this](BatchPtr &b) {
        m_inFlightBatches.remove(b.get());
        auto &q = m_queues[{b->topic, b->partition}];
        q.inFlight = std::max(0, q.inFlight - 1);
        return b->expired;
    });
    if (batches.empty()) {
        // nothing left to resolve
    } else if (!body) {
        for (auto &b : batches) {
            b->uncertain = true; // no answer: the broker may have written it
            // "Cannot connect" and TLS/SASL failures never wrote the request.
            if (body.error().code == KafkaError::NetworkException || body.error().code == KafkaError::ClientTimeout ||
                body.error().code == KafkaError::ClientShutdown)
                b->unanswered = true;
            retryOrFail(std::move(b), body.error());
        }
        if (refreshesMetadata(body.error().code))
            requestMetadataSoon();
    } else if (m_s.acks == 0) {
        for (auto &b : batches) {
            completeBatch(*b, -1, -1, nullptr);
            m_queuedRecords -= b->records.size();
        }
    } else {
        auto resp = ProduceResponse::decode(*body, version);
        if (!resp) {
            // The broker may have written these: say so instead of guessing.
            const Error e{KafkaError::ClientProtocolError,
                          QStringLiteral("%1: undecodable Produce response, the records may or may not have been "
                                         "written: %2")
                              .arg(peer, resp.error().message)};
            for (auto &b : batches) {
                completeBatch(*b, -1, -1, &e);
                m_queuedRecords -= b->records.size();
            }
        } else {
            bool refresh = false;
            if (m_faults->injectErrorCode != 0) {
                // The fault lab: the broker answered (and wrote the records);
                // the client acts as if it had refused them.
                const std::int16_t code = std::exchange(m_faults->injectErrorCode, std::int16_t(0));
                for (auto &t : resp->topics)
                    for (auto &p : t.partitions)
                        if (p.errorCode == KafkaError::None) {
                            m_faults->onFault(QStringLiteral("%1: fault injected: the answer for %2-%3 (written at "
                                                             "offset %4) is treated as %5")
                                                  .arg(peer, t.name)
                                                  .arg(p.partition)
                                                  .arg(p.baseOffset)
                                                  .arg(KafkaError::name(code)));
                            p.errorCode = code;
                            p.errorMessage = QStringLiteral("injected by the fault lab");
                        }
            }
            for (auto &b : batches) {
                const ProduceResponse::PartitionResponse *pr = nullptr;
                int entries = 0;
                for (const auto &t : resp->topics)
                    if (t.name == b->topic)
                        for (const auto &p : t.partitions)
                            if (p.partition == b->partition) {
                                pr = &p;
                                ++entries;
                            }
                // Two answers for one batch contradict each other, and an
                // "ack" without an offset (acks=1/all) is no broker's: the
                // records' fate is unknown, never "delivered".
                QString unclear;
                if (!pr)
                    unclear =
                        QStringLiteral("the Produce response has no entry for %1-%2").arg(b->topic).arg(b->partition);
                else if (entries > 1)
                    unclear = QStringLiteral("the Produce response has %1 entries for %2-%3, one expected")
                                  .arg(entries)
                                  .arg(b->topic)
                                  .arg(b->partition);
                else if (pr->errorCode == KafkaError::None && pr->baseOffset < 0)
                    unclear =
                        QStringLiteral("the Produce response acknowledges %1-%2 without an offset (base_offset %3)")
                            .arg(b->topic)
                            .arg(b->partition)
                            .arg(pr->baseOffset);
                if (!unclear.isEmpty()) {
                    const Error e{
                        KafkaError::ClientProtocolError,
                        QStringLiteral("%1: %2; the records may or may not have been written").arg(peer, unclear)};
                    completeBatch(*b, -1, -1, &e);
                    m_queuedRecords -= b->records.size();
                    continue;
                }
                b->uncertain = false;
                // DUPLICATE_SEQUENCE_NUMBER: the broker has this batch already
                // (old brokers; newer ones answer NONE with the original offset).
                if (pr->errorCode == KafkaError::None || pr->errorCode == KafkaError::DuplicateSequenceNumber) {
                    if (b->stampPid >= 0) {
                        auto &q = m_queues[{b->topic, b->partition}];
                        if (b->stampPid == m_txn.producerId && b->stampEpoch == m_txn.producerEpoch)
                            q.lastAckedSequence =
                                incrementSequence(b->baseSequence, static_cast<std::int32_t>(b->records.size()) - 1);
                    }
                    completeBatch(*b, pr->baseOffset, pr->logAppendTimeMs, nullptr);
                    m_queuedRecords -= b->records.size();
                    continue;
                }
                // Kafka defines no code below -1; this client's own conditions
                // live there (TIMED_OUT, CONNECTION_FAILED...), and a broker's
                // code must not pose as one of them (retried, misnamed).
                const bool undefined = pr->errorCode < KafkaError::ClientUnknownError;
                const std::int16_t code = undefined ? KafkaError::ClientUnknownError : pr->errorCode;
                QString msg = undefined
                                  ? QStringLiteral("error code %1, which Kafka does not define").arg(pr->errorCode)
                                  : KafkaError::describe(code) + hintFor(code);
                if (pr->errorMessage && !pr->errorMessage->isEmpty())
                    msg += QStringLiteral(" - broker says: %1").arg(*pr->errorMessage);
                for (const auto &re : pr->recordErrors)
                    msg += QStringLiteral(" - record %1: %2").arg(re.batchIndex).arg(re.message.value_or(QString()));
                refresh = refresh || refreshesMetadata(code);
                const Error err{code, QStringLiteral("%1: %2").arg(peer, msg)};
                if (m_idempotent && handleSequenceError(b, err, code))
                    continue;
                retryOrFail(std::move(b), err);
            }
            if (refresh)
                requestMetadataSoon();
        }
    }
    flushReports();
    scheduleDrain(0);
    checkFlushed();
    maybeAdvanceTxn();
}

// A batch the broker refuses as too large is split in two and both halves go
// again, as the Java client does; a single record that is too large fails.
bool Producer::splitTooLarge(BatchPtr &batch)
{
    if (batch->records.size() < 2 || batch->wire.isEmpty())
        return false;
    auto decoded = decodeRecordBatches(batch->wire, {});
    if (!decoded || decoded->size() != 1 || decoded->front().records.size() != batch->records.size())
        return false;
    const auto &records = decoded->front().records;
    const qsizetype half = records.size() / 2;
    BatchParams params;
    params.codec = m_s.compression;
    params.compressionLevel = m_s.compressionLevel;
    params.transactional = transactional();
    std::vector<BatchPtr> parts;
    for (const auto &[from, to] : {std::pair{qsizetype(0), half}, std::pair{half, records.size()}}) {
        auto part = std::make_unique<Batch>(Batch{batch->topic,
                                                  batch->partition,
                                                  RecordBatchBuilder(params),
                                                  {},
                                                  {},
                                                  batch->createdMs,
                                                  0,
                                                  0,
                                                  batch->seq,
                                                  batch->lastError});
        for (qsizetype i = from; i < to; ++i) {
            part->builder.append(records[i].key, records[i].value, records[i].headers, records[i].timestampMs);
            part->records.append(batch->records[i]);
        }
        parts.push_back(std::move(part));
    }
    Q_EMIT logMessage(QStringLiteral("%1-%2: the broker refused a batch of %3 records as too large; split in two")
                          .arg(batch->topic)
                          .arg(batch->partition)
                          .arg(batch->records.size()));
    // Both halves keep the original's place: the second goes in after the first.
    requeue(std::move(parts[0]));
    requeue(std::move(parts[1]));
    batch.reset();
    return true;
}

void Producer::retryOrFail(BatchPtr batch, const Error &error)
{
    if ((error.code == KafkaError::MessageTooLarge || error.code == KafkaError::RecordListTooLarge) && !m_shutdown &&
        splitTooLarge(batch))
        return;
    const qint64 now = nowMs();
    const bool retriable = KafkaError::isRetriable(error.code);
    const bool inTime = now - batch->createdMs < m_s.deliveryTimeoutMs;
    if (retriable && inTime && batch->attempts <= m_s.retries && !m_shutdown) {
        const int exp = std::min(batch->attempts - 1, 16);
        const qint64 base = std::min<qint64>(m_s.retryBackoffMaxMs, static_cast<qint64>(m_s.retryBackoffMs) << exp);
        // +-20% jitter, as the Java client
        const qint64 jitter = base / 5 > 0 ? m_random.bounded(static_cast<int>(2 * (base / 5) + 1)) - base / 5 : 0;
        batch->retryAtMs = now + std::max<qint64>(0, base + jitter);
        batch->lastError = error;
        Q_EMIT logMessage(QStringLiteral("retrying %1 record(s) to %2-%3 (attempt %4): %5")
                              .arg(batch->records.size())
                              .arg(batch->topic)
                              .arg(batch->partition)
                              .arg(batch->attempts + 1)
                              .arg(error.message));
        requeue(std::move(batch));
        return;
    }
    Error final = error;
    if (retriable && !inTime)
        final.message = QStringLiteral("not delivered within delivery.timeout.ms=%1; last error: %2")
                            .arg(m_s.deliveryTimeoutMs)
                            .arg(error.message);
    else if (retriable && batch->attempts > m_s.retries)
        final.message = QStringLiteral("gave up after %1 attempt(s) (retries=%2); last error: %3")
                            .arg(batch->attempts)
                            .arg(m_s.retries)
                            .arg(error.message);
    completeBatch(*batch, -1, -1, &final);
    m_queuedRecords -= batch->records.size();
}

void Producer::requeue(BatchPtr batch)
{
    auto &q = m_queues[{batch->topic, batch->partition}];
    // Keep creation order: a retried batch goes back before younger ones.
    auto pos = std::find_if(q.batches.begin(), q.batches.end(),
                            [&](const BatchPtr &other) { return other->seq > batch->seq; });
    q.batches.insert(pos, std::move(batch));
}

void Producer::completeBatch(const Batch &batch, std::int64_t baseOffset, std::int64_t logAppendTimeMs,
                             const Error *error)
{
    const qint64 nowNs = m_clock.nsecsElapsed();
    qint64 released = 0;
    QString failMessage = error ? error->message : QString();
    if (error && batch.unanswered && !failMessage.contains(QLatin1StringView("may or may not")))
        failMessage += QStringLiteral(" (an earlier attempt got no answer: the records may or may not have been "
                                      "written)");
    m_reports.reserve(m_reports.size() + batch.records.size());
    for (int i = 0; i < batch.records.size(); ++i) {
        const RecordMeta &m = batch.records[i];
        DeliveryReport r;
        r.id = m.id;
        r.topic = batch.topic;
        r.partition = batch.partition;
        r.timestampMs = logAppendTimeMs >= 0 ? logAppendTimeMs : m.timestampMs;
        r.latencyMs = static_cast<double>(nowNs - m.enqueuedNs) / 1e6;
        r.key = m.keyPreview;
        r.keySize = m.keySize;
        r.valueSize = m.valueSize;
        r.headerCount = m.headerCount;
        r.attempts = std::max(1, batch.attempts);
        if (batch.stampPid >= 0) {
            r.producerId = batch.stampPid;
            r.producerEpoch = batch.stampEpoch;
            r.sequence = incrementSequence(batch.baseSequence, i);
        }
        released += m.bufferBytes;
        if (error) {
            r.errorCode = error->code;
            r.errorMessage = failMessage;
            ++m_stats.recordsFailed;
        } else {
            r.offset = baseOffset >= 0 ? baseOffset + i : -1;
            ++m_stats.recordsDelivered;
            m_latencies.push_back(r.latencyMs);
            m_bytesDelivered +=
                static_cast<quint64>(std::max<qsizetype>(0, m.keySize) + std::max<qsizetype>(0, m.valueSize));
        }
        m_reports.append(std::move(r));
    }
    if (m_gate)
        m_gate->release(released); // one lock per batch, not per record
    if (error)
        onSequencedBatchFailed(batch, *error);
}

void Producer::failRecord(const RecordMeta &meta, const QString &topic, std::int32_t partition, const Error &error)
{
    DeliveryReport r;
    r.id = meta.id;
    r.topic = topic;
    r.partition = partition;
    r.timestampMs = meta.timestampMs;
    r.latencyMs = static_cast<double>(m_clock.nsecsElapsed() - meta.enqueuedNs) / 1e6;
    r.key = meta.keyPreview;
    r.keySize = meta.keySize;
    r.headerCount = meta.headerCount;
    r.valueSize = meta.valueSize;
    r.errorCode = error.code;
    r.errorMessage = error.message;
    ++m_stats.recordsFailed;
    if (m_gate)
        m_gate->release(meta.bufferBytes);
    m_reports.append(std::move(r));
    if (transactional() && error.code != KafkaError::ClientTransactionAborted &&
        error.code != KafkaError::InvalidTxnState &&
        (m_txn.state == TxnState::InTransaction || m_txn.state == TxnState::Committing)) {
        ++m_txnRecordsFailed;
        if (m_txnFirstFailure.isEmpty())
            m_txnFirstFailure = QStringLiteral("%1: %2").arg(KafkaError::name(error.code), error.message);
        setTxnState(TxnState::AbortableError,
                    QStringLiteral("a record of the transaction failed: %1").arg(m_txnFirstFailure));
    }
}

void Producer::flushReports()
{
    if (m_reports.isEmpty())
        return;
    QList<DeliveryReport> out;
    out.swap(m_reports);
    Q_EMIT recordsDelivered(out);
    checkFlushed();
}

void Producer::flush()
{
    m_flushing = true;
    drain();
    checkFlushed();
}

void Producer::checkFlushed()
{
    maybeAdvanceTxn();
    if (!m_flushing)
        return;
    if (m_queuedRecords > 0 || m_inFlightRequests > 0 || !m_waiting.isEmpty()) {
        scheduleDrain(0);
        return;
    }
    m_flushing = false;
    Q_EMIT flushed();
}

void Producer::onTick()
{
    const qint64 now = nowMs();
    // Records still waiting for their topic's metadata after max.block.ms.
    const auto topics = m_waiting.keys();
    for (const auto &name : topics) {
        auto &w = m_waiting[name];
        if (now - w.sinceMs < m_s.maxBlockMs)
            continue;
        const Error e{KafkaError::ClientTimeout,
                      QStringLiteral("metadata for topic '%1' not available within max.block.ms=%2%3")
                          .arg(name)
                          .arg(m_s.maxBlockMs)
                          .arg(m_lastMetadataError.isEmpty() ? QStringLiteral(" (is the cluster reachable?)")
                                                             : QStringLiteral("; last error: ") + m_lastMetadataError)};
        for (const auto &r : w.records)
            failRecord(r.meta, name, r.record.partition, e);
        m_queuedRecords -= w.records.size();
        m_waiting.remove(name);
    }
    // Batches out on the wire past delivery.timeout.ms: report them now (the
    // broker may still write them: say so), ignore their late responses.
    for (Batch *b : std::as_const(m_inFlightBatches)) {
        if (b->expired || now - b->createdMs < m_s.deliveryTimeoutMs)
            continue;
        b->expired = true;
        const Error e{KafkaError::ClientTimeout,
                      QStringLiteral("expired in flight after delivery.timeout.ms=%1 (attempt %2): no answer yet, the "
                                     "records may or may not have been written%3")
                          .arg(m_s.deliveryTimeoutMs)
                          .arg(b->attempts)
                          .arg(b->lastError.message.isEmpty()
                                   ? QString()
                                   : QStringLiteral("; last error: ") + b->lastError.message)};
        completeBatch(*b, -1, -1, &e);
        m_queuedRecords -= b->records.size();
    }
    // Batches that never got out within delivery.timeout.ms.
    for (auto &[tp, q] : m_queues) {
        while (!q.batches.empty() && now - q.batches.front()->createdMs >= m_s.deliveryTimeoutMs) {
            BatchPtr b = std::move(q.batches.front());
            q.batches.pop_front();
            QString last = b->lastError.message;
            if (last.isEmpty() && m_idempotent && m_txn.producerId < 0 && !m_pidLastError.isEmpty())
                last = QStringLiteral("no producer id yet: ") + m_pidLastError;
            // Sent before and put back for a retry: "not delivered", not "not sent".
            const Error e{KafkaError::ClientTimeout,
                          QStringLiteral("%1 within delivery.timeout.ms=%2%3")
                              .arg(b->attempts > 0 ? QStringLiteral("not delivered") : QStringLiteral("not sent"))
                              .arg(m_s.deliveryTimeoutMs)
                              .arg(last.isEmpty() ? QString() : QStringLiteral("; last error: ") + last)};
            completeBatch(*b, -1, -1, &e);
            m_queuedRecords -= b->records.size();
        }
    }
    if (m_metadataAgain && !m_metadataInFlight && now >= m_metadataRetryAtMs &&
        now - m_lastMetadataRequestMs >= m_s.retryBackoffMs) {
        m_metadataAgain = false;
        const bool all = m_metadataAgainAll;
        m_metadataAgainAll = false;
        fetchMetadata(all || !m_everConnected);
    } else if (m_everConnected && !m_metadataInFlight && now - m_lastMetadataMs > m_s.metadataMaxAgeMs) {
        fetchMetadata(false);
    }
    flushReports();

    if (now - m_statsLastMs >= 1000) {
        const double secs = static_cast<double>(now - m_statsLastMs) / 1000.0;
        m_stats.recordsPerSec = static_cast<double>(m_stats.recordsDelivered - m_statsLastDelivered) / secs;
        m_stats.bytesPerSec = static_cast<double>(m_bytesDelivered - m_statsLastBytes) / secs;
        m_stats.queuedRecords = static_cast<quint64>(std::max<qint64>(0, m_queuedRecords));
        m_stats.inFlightRequests = m_inFlightRequests;
        m_stats.bufferedBytes = m_gate ? m_gate->used() : 0;
        m_stats.errors = m_stats.recordsFailed;
        if (m_batchesSent > 0) {
            m_stats.avgRecordsPerBatch = static_cast<double>(m_batchRecordsSent) / static_cast<double>(m_batchesSent);
            m_stats.avgBatchBytes = static_cast<double>(m_batchBytesSent) / static_cast<double>(m_batchesSent);
        }
        if (m_uncompressedBytes > 0)
            m_stats.compressionRatio = static_cast<double>(m_batchBytesSent) / static_cast<double>(m_uncompressedBytes);
        const auto percentile = [](std::vector<double> &v, double q) {
            if (v.empty())
                return 0.0;
            const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
            std::nth_element(v.begin(), v.begin() + k, v.end());
            return v[static_cast<std::size_t>(k)];
        };
        m_stats.latencyP50Ms = percentile(m_latencies, 0.5);
        m_stats.latencyP99Ms = percentile(m_latencies, 0.99);
        m_stats.requestLatencyP50Ms = percentile(m_requestLatencies, 0.5);
        m_stats.requestLatencyP99Ms = percentile(m_requestLatencies, 0.99);
        m_latencies.clear();
        m_requestLatencies.clear();
        m_statsLastDelivered = m_stats.recordsDelivered;
        m_statsLastBytes = m_bytesDelivered;
        m_statsLastMs = now;
        Q_EMIT statsUpdated(m_stats);
    }
}

void Producer::shutdown()
{
    if (m_shutdown)
        return;
    m_shutdown = true;
    m_tick.stop();
    m_drainTimer.stop();
    const Error e{KafkaError::ClientShutdown,
                  QStringLiteral("the producer was closed before the record was delivered")};
    for (auto it = m_waiting.cbegin(); it != m_waiting.cend(); ++it)
        for (const auto &r : it->records)
            failRecord(r.meta, it.key(), r.record.partition, e);
    m_waiting.clear();
    for (auto &[tp, q] : m_queues)
        for (auto &b : q.batches)
            completeBatch(*b, -1, -1, &e);
    m_queues.clear();
    // In-flight requests end through their callbacks (retryOrFail sees
    // m_shutdown and fails them) when the connections close.
    for (auto &[id, c] : m_brokers)
        c->abort(e);
    for (auto *c : m_bootstrap)
        c->abort(e);
    m_queuedRecords = 0;
    flushReports();
}

} // namespace kpw
