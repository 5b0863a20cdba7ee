#include "TailReader.h"

#include "tail/ClusterClient.h"
#include "wire/ByteReader.h"
#include "wire/KafkaError.h"

#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace kpw {

namespace {

// The table's text for a code (its name when the table has none): messages
// go out with the code in Error::code, whose name the caller prints.
QString errorText(std::int16_t code)
{
    const auto info = KafkaError::info(code);
    return info.text ? QString::fromUtf8(info.text) : KafkaError::name(code);
}

constexpr int kRetryBackoffMs = 250;
constexpr std::int32_t kMaxPartitionBytes = 64 * 1024 * 1024;
constexpr std::int16_t kFencedLeaderEpoch = 74;
constexpr std::int16_t kUnknownLeaderEpoch = 75;
constexpr std::int16_t kOffsetNotAvailable = 78;

} // namespace

// ---- read_committed filter ---------------------------------------------------

AbortedTransactionFilter::AbortedTransactionFilter(QList<FetchResponse::AbortedTransaction> aborted)
    : m_pending(std::move(aborted))
{
    std::stable_sort(m_pending.begin(), m_pending.end(),
                     [](const auto &a, const auto &b) { return a.firstOffset < b.firstOffset; });
}

bool AbortedTransactionFilter::skip(const DecodedBatch &batch)
{
    if (batch.producerId < 0)
        return false; // not idempotent, not transactional: always visible
    // An aborted transaction is "open" from its first offset until its
    // producer's ABORT marker.
    while (m_next < m_pending.size() && m_pending[m_next].firstOffset <= batch.lastOffset())
        m_abortedProducers.insert(m_pending[m_next++].producerId);
    if (batch.isControl()) {
        if (!batch.records.isEmpty() && controlType(batch.records.front()) == ControlMarker::Type::Abort)
            m_abortedProducers.remove(batch.producerId);
        return false;
    }
    return batch.isTransactional() && m_abortedProducers.contains(batch.producerId);
}

ControlMarker::Type controlType(const DecodedRecord &record, std::int32_t *coordinatorEpoch)
{
    if (!record.key || record.key->size() < 4)
        return ControlMarker::Type::Unknown;
    ByteReader key(*record.key);
    key.int16(); // version
    const std::int16_t type = key.int16();
    if (coordinatorEpoch && record.value && record.value->size() >= 6) {
        ByteReader value(*record.value);
        value.int16(); // version
        *coordinatorEpoch = value.int32();
    }
    switch (type) {
    case 0: return ControlMarker::Type::Abort;
    case 1: return ControlMarker::Type::Commit;
    default: return ControlMarker::Type::Unknown;
    }
}

// ---- TailReader -------------------------------------------------------------

TailReader::TailReader(TailOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<kpw::TailBatch>();
    qRegisterMetaType<kpw::Error>();
}

TailReader::~TailReader()
{
    m_stopped = true; // callbacks that run while the connections close see it
    delete m_cluster;
}

void TailReader::start()
{
    if (m_cluster || m_stopped)
        return;
    m_cluster = new ClusterClient(m_options.bootstrap, m_options.connection, this);
    if (!m_cluster->hasBootstrap()) {
        fail({KafkaError::ClientInvalidConfig,
              QStringLiteral("no usable bootstrap server in '%1': give HOST:PORT[,HOST:PORT]")
                  .arg(m_options.bootstrap)});
        return;
    }
    if (m_options.topic.isEmpty()) {
        fail({KafkaError::ClientInvalidConfig, QStringLiteral("no topic given")});
        return;
    }
    pump();
}

void TailReader::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_cluster)
        m_cluster->deleteLater();
}

void TailReader::fail(const Error &error)
{
    if (m_stopped)
        return;
    stop();
    Q_EMIT failed(error);
}

void TailReader::pumpSoon(int delayMs)
{
    if (m_pumpScheduled || m_stopped)
        return;
    m_pumpScheduled = true;
    QTimer::singleShot(delayMs, this, [this] {
        m_pumpScheduled = false;
        pump();
    });
}

void TailReader::pump()
{
    if (m_stopped)
        return;
    if (m_needMetadata) {
        if (!m_metadataInFlight)
            refreshMetadata();
        if (!m_haveMetadata)
            return;
    }
    QHash<std::int32_t, QList<std::int32_t>> toList;
    QSet<std::int32_t> toFetch;
    for (const auto &p : std::as_const(m_partitions)) {
        if (p.leader < 0)
            continue;
        if (p.nextOffset < 0) {
            if (!p.listing)
                toList[p.leader].append(p.partition);
        } else if (!m_fetching.contains(p.leader)) {
            toFetch.insert(p.leader);
        }
    }
    for (auto it = toList.cbegin(); it != toList.cend(); ++it)
        listOffsets(it.key(), it.value());
    for (auto leader : std::as_const(toFetch))
        fetchFrom(leader);
}

void TailReader::refreshMetadata()
{
    m_metadataInFlight = true;
    QPointer<TailReader> self(this);
    m_cluster->fetchMetadata(QList<QString>{m_options.topic}, [self](Result<MetadataResponse> md) {
        if (!self || self->m_stopped)
            return;
        TailReader &r = *self;
        r.m_metadataInFlight = false;
        if (!md) {
            if (!r.m_haveMetadata)
                r.fail(md.error());
            else {
                Q_EMIT r.warning(md.error());
                r.pumpSoon(1000);
            }
            return;
        }
        const TopicInfo *topic = nullptr;
        for (const auto &t : md->topics)
            if (t.name == r.m_options.topic)
                topic = &t;
        const std::int16_t code = topic ? topic->errorCode : KafkaError::UnknownTopicOrPartition;
        if (code != KafkaError::None || topic->partitions.isEmpty()) {
            const Error e{code, code == KafkaError::UnknownTopicOrPartition
                                    ? QStringLiteral("topic '%1' does not exist").arg(r.m_options.topic)
                                    : QStringLiteral("topic '%1': %2").arg(r.m_options.topic, errorText(code))};
            if (!r.m_haveMetadata && code != KafkaError::LeaderNotAvailable)
                r.fail(e);
            else {
                Q_EMIT r.warning(e);
                r.pumpSoon(1000);
            }
            return;
        }
        for (auto wanted : std::as_const(r.m_options.partitions)) {
            const bool exists = std::any_of(topic->partitions.cbegin(), topic->partitions.cend(),
                                            [wanted](const PartitionInfo &p) { return p.partition == wanted; });
            if (!exists) {
                r.fail(
                    {KafkaError::UnknownTopicOrPartition, QStringLiteral("topic '%1' has no partition %2 (it has %3)")
                                                              .arg(r.m_options.topic)
                                                              .arg(wanted)
                                                              .arg(topic->partitions.size())});
                return;
            }
        }
        bool leaderless = false;
        for (const auto &info : topic->partitions) {
            if (!r.m_options.partitions.isEmpty() && !r.m_options.partitions.contains(info.partition))
                continue;
            auto it = std::find_if(r.m_partitions.begin(), r.m_partitions.end(),
                                   [&](const PartitionState &p) { return p.partition == info.partition; });
            if (it == r.m_partitions.end()) {
                PartitionState p;
                p.partition = info.partition;
                p.maxBytes = r.m_options.partitionMaxBytes;
                switch (r.m_options.from) {
                case TailOptions::From::Earliest: p.resetTo = ListOffsetsRequest::Earliest; break;
                case TailOptions::From::Latest: p.resetTo = ListOffsetsRequest::Latest; break;
                case TailOptions::From::Offset: p.nextOffset = r.m_options.offset; break;
                }
                p.position.partition = info.partition;
                r.m_partitions.append(p);
                it = r.m_partitions.end() - 1;
            }
            it->leader = info.leader;
            it->leaderEpoch = info.leaderEpoch;
            leaderless = leaderless || info.leader < 0;
        }
        r.m_haveMetadata = true;
        r.m_needMetadata = leaderless;
        if (leaderless)
            r.pumpSoon(1000);
        else
            r.pump();
    });
}

void TailReader::listOffsets(std::int32_t leader, const QList<std::int32_t> &partitions)
{
    BrokerConnection *conn = m_cluster->connectionFor(leader);
    if (!conn) {
        m_needMetadata = true;
        pumpSoon(kRetryBackoffMs);
        return;
    }
    ListOffsetsRequest req;
    req.isolation = m_options.isolation;
    ListOffsetsRequest::Topic t{m_options.topic, {}};
    for (auto &p : m_partitions) {
        if (!partitions.contains(p.partition))
            continue;
        p.listing = true;
        t.partitions.append({p.partition, -1, p.resetTo.value_or(ListOffsetsRequest::Earliest)});
    }
    req.topics = {t};
    QPointer<TailReader> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::ListOffsets, [req](std::int16_t v) { return req.encode(v); },
        [self, partitions, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopped)
                return;
            TailReader &r = *self;
            for (auto &p : r.m_partitions)
                if (partitions.contains(p.partition))
                    p.listing = false;
            Result<ListOffsetsResponse> resp =
                body ? ListOffsetsResponse::decode(*body, version) : Result<ListOffsetsResponse>(body.error());
            if (!resp) {
                Q_EMIT r.warning({resp.error().code, QStringLiteral("ListOffsets: %1").arg(resp.error().message)});
                r.m_needMetadata = true;
                r.pumpSoon(kRetryBackoffMs);
                return;
            }
            bool backoff = false;
            for (const auto &t : resp->topics) {
                for (const auto &lp : t.partitions) {
                    auto it = std::find_if(r.m_partitions.begin(), r.m_partitions.end(),
                                           [&](const PartitionState &p) { return p.partition == lp.partition; });
                    if (t.name != r.m_options.topic || it == r.m_partitions.end())
                        continue;
                    if (lp.errorCode != KafkaError::None) {
                        r.partitionError(*it, lp.errorCode, QStringLiteral("ListOffsets from %1").arg(peer));
                        backoff = true;
                        continue;
                    }
                    it->nextOffset = lp.offset;
                    it->resetTo.reset();
                }
            }
            if (backoff)
                r.pumpSoon(kRetryBackoffMs);
            else
                r.pump();
        });
}

void TailReader::fetchFrom(std::int32_t leader)
{
    BrokerConnection *conn = m_cluster->connectionFor(leader);
    if (!conn) {
        m_needMetadata = true;
        pumpSoon(kRetryBackoffMs);
        return;
    }
    FetchRequest req;
    req.isolation = m_options.isolation;
    req.maxWaitMs = m_options.maxWaitMs;
    FetchRequest::Topic t{m_options.topic, {}};
    for (const auto &p : std::as_const(m_partitions)) {
        if (p.leader != leader || p.nextOffset < 0)
            continue;
        FetchRequest::Partition fp;
        fp.partition = p.partition;
        fp.fetchOffset = p.nextOffset;
        fp.maxBytes = p.maxBytes;
        // currentLeaderEpoch stays -1: no fencing check, so a reader with
        // older metadata still reads (it refreshes on NOT_LEADER anyway).
        t.partitions.append(fp);
    }
    if (t.partitions.isEmpty())
        return;
    req.topics = {t};
    m_fetching.insert(leader);
    QPointer<TailReader> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::Fetch, [req](std::int16_t v) { return req.encode(v); },
        [self, leader, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self || self->m_stopped)
                return;
            TailReader &r = *self;
            r.m_fetching.remove(leader);
            Result<FetchResponse> resp =
                body ? FetchResponse::decode(*body, version) : Result<FetchResponse>(body.error());
            if (!resp) {
                Q_EMIT r.warning({resp.error().code, QStringLiteral("Fetch: %1").arg(resp.error().message)});
                r.m_needMetadata = true;
                r.pumpSoon(kRetryBackoffMs * 2);
                return;
            }
            if (resp->errorCode != KafkaError::None) {
                Q_EMIT r.warning(
                    {resp->errorCode, QStringLiteral("Fetch from %1: %2").arg(peer, errorText(resp->errorCode))});
                r.pumpSoon(kRetryBackoffMs);
                return;
            }
            if (r.onFetch(leader, *resp))
                r.pump();
            else
                r.pumpSoon(kRetryBackoffMs);
        });
}

void TailReader::partitionError(PartitionState &p, std::int16_t code, const QString &where)
{
    const QString what =
        QStringLiteral("%1 [%2]: %3 (%4)").arg(m_options.topic).arg(p.partition).arg(errorText(code), where);
    switch (code) {
    case KafkaError::OffsetOutOfRange:
        Q_EMIT warning({code, QStringLiteral("%1: offset %2 is out of range; reading from the earliest offset")
                                  .arg(what)
                                  .arg(p.nextOffset)});
        p.nextOffset = -1;
        p.resetTo = ListOffsetsRequest::Earliest;
        return;
    case KafkaError::NotLeaderOrFollower:
    case KafkaError::LeaderNotAvailable:
    case KafkaError::UnknownTopicOrPartition:
    case KafkaError::KafkaStorageError:
    case kFencedLeaderEpoch:
    case kUnknownLeaderEpoch:
    case kOffsetNotAvailable: m_needMetadata = true; break;
    default: break;
    }
    Q_EMIT warning({code, what});
}

bool TailReader::onFetch(std::int32_t leader, const FetchResponse &resp)
{
    const bool committed = m_options.isolation == IsolationLevel::ReadCommitted;
    TailBatch out;
    bool moved = false;
    bool ok = true;
    for (const auto &topic : resp.topics) {
        if (topic.name != m_options.topic)
            continue;
        for (const auto &fp : topic.partitions) {
            auto it = std::find_if(m_partitions.begin(), m_partitions.end(),
                                   [&](const PartitionState &p) { return p.partition == fp.partition; });
            if (it == m_partitions.end() || it->leader != leader || it->nextOffset < 0)
                continue;
            PartitionState &p = *it;
            if (fp.errorCode != KafkaError::None) {
                partitionError(p, fp.errorCode, QStringLiteral("Fetch at offset %1").arg(p.nextOffset));
                ok = false;
                continue;
            }
            const TailPosition before = p.position;
            p.position.highWatermark = fp.highWatermark;
            p.position.lastStableOffset = fp.lastStableOffset;
            p.position.logStartOffset = fp.logStartOffset;
            if (!fp.records.isEmpty()) {
                auto batches = decodeRecordBatches(fp.records);
                if (!batches) {
                    fail({batches.error().code, QStringLiteral("%1 [%2] at offset %3: %4")
                                                    .arg(m_options.topic)
                                                    .arg(p.partition)
                                                    .arg(p.nextOffset)
                                                    .arg(batches.error().message)});
                    return false;
                }
                if (batches->isEmpty()) {
                    // Only a partial batch came: it is larger than we asked for.
                    p.maxBytes = std::min(kMaxPartitionBytes, p.maxBytes * 2);
                }
                AbortedTransactionFilter filter(
                    fp.abortedTransactions.value_or(QList<FetchResponse::AbortedTransaction>{}));
                std::int64_t next = p.nextOffset;
                for (const auto &b : *batches) {
                    const bool drop = committed && filter.skip(b);
                    if (b.lastOffset() < p.nextOffset)
                        continue; // a compressed batch starts before the position
                    for (const auto &rec : b.records) {
                        if (rec.offset < p.nextOffset)
                            continue;
                        if (b.isControl()) {
                            ControlMarker m;
                            m.topic = m_options.topic;
                            m.partition = p.partition;
                            m.offset = rec.offset;
                            m.timestampMs = rec.timestampMs;
                            m.producerId = b.producerId;
                            m.producerEpoch = b.producerEpoch;
                            m.type = controlType(rec, &m.coordinatorEpoch);
                            out.markers.append(std::move(m));
                        } else if (drop) {
                            ++out.abortedSkipped;
                        } else {
                            TailRecord r;
                            r.topic = m_options.topic;
                            r.partition = p.partition;
                            r.offset = rec.offset;
                            r.timestampMs = rec.timestampMs;
                            r.key = rec.key;
                            r.value = rec.value;
                            r.headers = rec.headers;
                            r.producerId = b.producerId;
                            r.producerEpoch = b.producerEpoch;
                            r.isTransactional = b.isTransactional();
                            out.records.append(std::move(r));
                        }
                    }
                    next = std::max(next, b.lastOffset() + 1);
                }
                if (next != p.nextOffset) {
                    p.nextOffset = next;
                    p.maxBytes = std::max(p.maxBytes, m_options.partitionMaxBytes);
                    moved = true;
                }
            }
            p.position.nextOffset = p.nextOffset;
            const std::int64_t end = committed && fp.lastStableOffset >= 0 ? fp.lastStableOffset : fp.highWatermark;
            p.atEnd = p.nextOffset >= end;
            if (p.position.highWatermark != before.highWatermark ||
                p.position.lastStableOffset != before.lastStableOffset || p.position.nextOffset != before.nextOffset)
                moved = true;
            out.positions.append(p.position);
        }
    }
    if (!out.records.isEmpty() || !out.markers.isEmpty() || out.abortedSkipped > 0)
        m_endReported = false;
    if (moved || !out.records.isEmpty() || !out.markers.isEmpty() || out.abortedSkipped > 0)
        Q_EMIT fetched(out);
    if (m_stopped)
        return false;
    const bool allAtEnd = !m_partitions.isEmpty() && std::all_of(m_partitions.cbegin(), m_partitions.cend(),
                                                                 [](const PartitionState &p) { return p.atEnd; });
    if (allAtEnd && !m_endReported) {
        m_endReported = true;
        Q_EMIT reachedEnd();
    }
    return ok;
}

} // namespace kpw
