// The idempotent and transactional parts of the producer engine: producer
// ids and epoch bumps (KIP-98, KIP-360), the transaction state machine and
// its coordinator calls (transaction protocol v1 and v2, KIP-890), and the
// fault lab. Same class as Producer.cpp, same thread, no locks.
#include "Producer.h"

#include "messages/Transactions.h"
#include "wire/KafkaError.h"

#include <QDateTime>
#include <QPointer>

namespace kpw {

struct Producer::CoordinatorCall
{
    CoordinatorType type = CoordinatorType::Transaction;
    QString key;
    ApiKey api = ApiKey::EndTxn;
    std::int16_t maxVersion = -1;
    QString label; // timeline name, e.g. "EndTxn(commit)"
    QString partitions;
    std::function<QByteArray(std::int16_t)> encode;
    // Decodes the answer; returns the error code to act on (0: success) and
    // may describe the answer in *detail.
    std::function<std::int16_t(const QByteArray &, std::int16_t, QString *)> handle;
    std::function<void(const Error &)> done;
    qint64 deadlineMs = 0;
    int attempt = 0;
    QString lastError;
};

namespace {

const Error kOk{KafkaError::None, {}};

bool coordinatorMoved(std::int16_t code)
{
    return code == KafkaError::NotCoordinator || code == KafkaError::CoordinatorNotAvailable;
}

bool fencedCode(std::int16_t code)
{
    return code == KafkaError::ProducerFenced || code == KafkaError::InvalidProducerEpoch ||
           code == KafkaError::InvalidProducerIdMapping;
}

QString coordinatorKey(CoordinatorType type, const QString &key)
{
    return (type == CoordinatorType::Transaction ? QStringLiteral("t:") : QStringLiteral("g:")) + key;
}

// The first error of a per-partition answer; OPERATION_NOT_ATTEMPTED (55)
// only when nothing else failed.
std::int16_t firstError(const QList<TopicPartitionErrors> &topics, QString *detail)
{
    std::int16_t notAttempted = 0;
    for (const auto &t : topics)
        for (const auto &p : t.partitions) {
            if (p.errorCode == 55) {
                notAttempted = p.errorCode;
                continue;
            }
            if (p.errorCode != KafkaError::None) {
                *detail =
                    QStringLiteral("%1-%2: %3").arg(t.topic).arg(p.partition).arg(KafkaError::describe(p.errorCode));
                return p.errorCode;
            }
        }
    return notAttempted;
}

} // namespace

// --- the timeline and the state machine --------------------------------------

void Producer::emitEvent(ProtocolEvent e)
{
    if (e.timeMs == 0)
        e.timeMs = QDateTime::currentMSecsSinceEpoch();
    Q_EMIT protocolEvent(e);
}

void Producer::setTxnState(TxnState state, const QString &why)
{
    if (m_txn.state == state && (why.isEmpty() || why == m_txn.lastError))
        return;
    // A fatal error is final; an abortable one ends only with an abort.
    if (m_txn.state == TxnState::FatalError)
        return;
    m_txn.state = state;
    if (!why.isEmpty())
        m_txn.lastError = why;
    else if (state == TxnState::Ready || state == TxnState::InTransaction)
        m_txn.lastError.clear();
    ProtocolEvent e;
    e.api = QStringLiteral("STATE");
    e.producerId = m_txn.producerId;
    e.producerEpoch = m_txn.producerEpoch;
    e.result = txnStateName(state);
    e.detail = why;
    emitEvent(e);
    Q_EMIT txnStatusChanged(m_txn);
}

void Producer::finishCall(const QString &op, const Error &error)
{
    const quint64 id = std::exchange(m_callId, 0);
    m_callOp.clear();
    const auto waiters = std::exchange(m_callWaiters, {});
    if (id)
        Q_EMIT transactionCallDone(id, op, error);
    for (const auto &[wid, wop] : waiters)
        Q_EMIT transactionCallDone(wid, wop, error);
    Q_EMIT txnStatusChanged(m_txn);
}

Error Producer::refuseState(const QString &op) const
{
    if (!transactional())
        return {KafkaError::InvalidTxnState,
                QStringLiteral("%1 needs a transactional producer: set transactional.id").arg(op)};
    QString hint;
    switch (m_txn.state) {
    case TxnState::Uninitialized: hint = QStringLiteral("call initTransactions() first"); break;
    case TxnState::Initializing: hint = QStringLiteral("initTransactions() is still running"); break;
    case TxnState::Ready: hint = QStringLiteral("call beginTransaction() first"); break;
    case TxnState::InTransaction: hint = QStringLiteral("commit or abort the open transaction first"); break;
    case TxnState::Committing:
    case TxnState::Aborting: hint = QStringLiteral("the transaction is ending; wait for it"); break;
    case TxnState::AbortableError:
        hint = QStringLiteral("the transaction can only be aborted: %1").arg(m_txn.lastError);
        break;
    case TxnState::FatalError:
        hint = QStringLiteral("the producer cannot go on (%1): close it and start a new one").arg(m_txn.lastError);
        break;
    }
    return {KafkaError::InvalidTxnState,
            QStringLiteral("%1 is not allowed in state %2: %3").arg(op, txnStateName(m_txn.state), hint)};
}

bool Producer::sendsAllowed() const
{
    if (m_txn.producerId < 0 || m_pidInFlight || m_bumpNeeded)
        return false;
    if (transactional())
        return m_txn.state == TxnState::InTransaction || m_txn.state == TxnState::Committing;
    return true;
}

std::int16_t Producer::produceMaxVersion() const
{
    // Produce v12 tells the broker "transaction protocol v2": only then.
    return transactional() && m_txn.protocolVersion == 2 ? 12 : 11;
}

// --- coordinators ---------------------------------------------------------

void Producer::findCoordinator(CoordinatorType type, const QString &key, const std::function<void(const Error &)> &then)
{
    BrokerConnection *conn = bootstrapConnection(0);
    if (!conn) {
        then({KafkaError::ClientConnectionFailed, QStringLiteral("no broker to ask for the coordinator")});
        return;
    }
    FindCoordinatorRequest req;
    req.keyType = type;
    req.keys = {key};
    QPointer<Producer> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::FindCoordinator, [req](std::int16_t v) { return req.encode(v); },
        [self, type, key, peer, then](Result<QByteArray> body, std::int16_t version) {
            if (!self)
                return;
            ProtocolEvent e;
            e.api = QStringLiteral("FindCoordinator v%1").arg(version);
            e.peer = peer;
            e.partitions = QStringLiteral("%1 %2").arg(
                type == CoordinatorType::Transaction ? QStringLiteral("transaction") : QStringLiteral("group"), key);
            if (!body) {
                e.errorCode = body.error().code;
                e.result = KafkaError::name(body.error().code);
                e.detail = body.error().message;
                self->emitEvent(e);
                then(body.error());
                return;
            }
            auto resp = FindCoordinatorResponse::decode(*body, version);
            if (!resp || resp->coordinators.isEmpty()) {
                const Error err{KafkaError::ClientProtocolError,
                                QStringLiteral("%1: undecodable FindCoordinator response: %2")
                                    .arg(peer, resp ? QStringLiteral("no coordinator") : resp.error().message)};
                e.errorCode = err.code;
                e.result = KafkaError::name(err.code);
                e.detail = err.message;
                self->emitEvent(e);
                then(err);
                return;
            }
            FindCoordinatorResponse::Coordinator c = resp->coordinators.front();
            for (const auto &x : resp->coordinators)
                if (x.key == key)
                    c = x;
            e.errorCode = c.errorCode;
            e.result = c.errorCode ? KafkaError::name(c.errorCode) : QStringLiteral("OK");
            e.detail = c.errorCode
                           ? c.errorMessage.value_or(KafkaError::describe(c.errorCode))
                           : QStringLiteral("coordinator: broker %1 (%2:%3)").arg(c.nodeId).arg(c.host).arg(c.port);
            self->emitEvent(e);
            if (c.errorCode != KafkaError::None) {
                then({c.errorCode, QStringLiteral("%1: FindCoordinator: %2")
                                       .arg(peer, c.errorMessage.value_or(KafkaError::describe(c.errorCode)))});
                return;
            }
            if (!self->m_brokerInfo.contains(c.nodeId))
                self->m_brokerInfo.insert(c.nodeId, BrokerInfo{c.nodeId, c.host, c.port, std::nullopt});
            self->m_coordinators.insert(coordinatorKey(type, key), c.nodeId);
            if (type == CoordinatorType::Transaction) {
                if (BrokerConnection *cc = self->connectionFor(c.nodeId))
                    self->m_txn.coordinator = cc->describe();
            }
            then(kOk);
        });
}

void Producer::retryCoordinatorCall(const std::shared_ptr<CoordinatorCall> &call, int delayMs)
{
    QPointer<Producer> self(this);
    QTimer::singleShot(delayMs, this, [self, call] {
        if (self)
            self->callCoordinator(call);
    });
}

void Producer::callCoordinator(const std::shared_ptr<CoordinatorCall> &call)
{
    if (m_shutdown) {
        call->done({KafkaError::ClientShutdown, QStringLiteral("the producer was closed")});
        return;
    }
    if (nowMs() > call->deadlineMs) {
        call->done(
            {KafkaError::ClientTimeout,
             QStringLiteral("%1 did not complete within max.block.ms=%2%3")
                 .arg(call->label)
                 .arg(m_s.maxBlockMs)
                 .arg(call->lastError.isEmpty() ? QString() : QStringLiteral("; last error: ") + call->lastError)});
        return;
    }
    const int backoff =
        std::min(m_s.retryBackoffMaxMs, m_s.retryBackoffMs * (1 << std::min(std::max(call->attempt - 1, 0), 10)));
    const QString ck = coordinatorKey(call->type, call->key);
    const auto known = m_coordinators.constFind(ck);
    BrokerConnection *conn = known == m_coordinators.cend() ? nullptr : connectionFor(*known);
    if (!conn) {
        m_coordinators.remove(ck);
        QPointer<Producer> self(this);
        findCoordinator(call->type, call->key, [self, call, backoff](const Error &e) {
            if (!self)
                return;
            if (e.code == KafkaError::None) {
                self->callCoordinator(call);
                return;
            }
            call->lastError = e.message;
            const bool retry = KafkaError::isRetriable(e.code) || coordinatorMoved(e.code) ||
                               e.code == KafkaError::CoordinatorLoadInProgress ||
                               e.code == KafkaError::NetworkException;
            if (!retry) {
                call->done(e);
                return;
            }
            ++call->attempt;
            self->retryCoordinatorCall(call, backoff);
        });
        return;
    }
    QPointer<Producer> self(this);
    const QString peer = QStringLiteral("coordinator %1").arg(conn->describe());
    conn->send(
        call->api, call->encode,
        [self, call, ck, peer](Result<QByteArray> body, std::int16_t version) {
            if (!self)
                return;
            ProtocolEvent e;
            e.api = QStringLiteral("%1 v%2").arg(call->label).arg(version);
            e.peer = peer;
            e.producerId = self->m_txn.producerId;
            e.producerEpoch = self->m_txn.producerEpoch;
            e.partitions = call->partitions;
            std::int16_t code = 0;
            QString detail;
            if (!body) {
                code = body.error().code;
                detail = body.error().message;
            } else {
                code = call->handle(*body, version, &detail);
            }
            e.errorCode = code;
            e.result = code == KafkaError::None ? QStringLiteral("OK") : KafkaError::name(code);
            e.detail = detail;
            self->emitEvent(e);
            if (code == KafkaError::None) {
                call->done(kOk);
                return;
            }
            call->lastError = detail.isEmpty() ? KafkaError::describe(code)
                                               : QStringLiteral("%1: %2").arg(KafkaError::name(code), detail);
            // No answer (timeout, lost connection), a moved coordinator, a
            // loading one or a transaction still ending: the same call again.
            // An unanswered EndTxn is retried as it was, never turned round.
            const bool moved = !body || coordinatorMoved(code);
            if (moved)
                self->m_coordinators.remove(ck);
            const bool retry = moved || code == KafkaError::CoordinatorLoadInProgress ||
                               code == KafkaError::ConcurrentTransactions || code == KafkaError::RequestTimedOut ||
                               code == KafkaError::NetworkException;
            if (!retry) {
                call->done({code, QStringLiteral("%1: %2").arg(peer, call->lastError)});
                return;
            }
            ++call->attempt;
            const int delay =
                code == KafkaError::ConcurrentTransactions
                    ? 20
                    : std::min(self->m_s.retryBackoffMaxMs,
                               self->m_s.retryBackoffMs * (1 << std::min(std::max(call->attempt - 1, 0), 10)));
            self->retryCoordinatorCall(call, delay);
        },
        true, call->maxVersion);
}

// --- producer ids -----------------------------------------------------------

void Producer::resetSequences()
{
    for (auto &[tp, q] : m_queues) {
        q.nextSequence = 0;
        q.lastAckedSequence = -1;
    }
}

void Producer::onProducerId(std::int64_t pid, std::int16_t epoch)
{
    const bool changed = pid != m_txn.producerId || epoch != m_txn.producerEpoch;
    m_txn.producerId = pid;
    m_txn.producerEpoch = epoch;
    m_pidInFlight = false;
    m_bumpNeeded = false;
    m_bumpReason.clear();
    if (changed)
        resetSequences(); // a new epoch starts every partition at sequence 0
    Q_EMIT txnStatusChanged(m_txn);
    scheduleDrain(0);
}

// InitProducerId to the transaction coordinator, for initTransactions() and
// for the epoch bump after an abort (with the current id and epoch, KIP-360).
// The decoded answer lands in *result.
std::shared_ptr<Producer::CoordinatorCall>
Producer::initProducerIdCall(bool bump, const std::shared_ptr<InitProducerIdResponse> &result)
{
    auto call = std::make_shared<CoordinatorCall>();
    InitProducerIdRequest req;
    req.transactionalId = m_txnId;
    req.transactionTimeoutMs = m_config.transactionTimeoutMs();
    if (bump) {
        req.producerId = m_txn.producerId;
        req.producerEpoch = m_txn.producerEpoch;
    }
    call->type = CoordinatorType::Transaction;
    call->key = m_txnId;
    call->api = ApiKey::InitProducerId;
    call->label = bump ? QStringLiteral("InitProducerId(bump)") : QStringLiteral("InitProducerId");
    call->deadlineMs = nowMs() + m_s.maxBlockMs;
    call->encode = [req](std::int16_t v) { return req.encode(v); };
    call->handle = [result, bump](const QByteArray &body, std::int16_t v, QString *detail) -> std::int16_t {
        auto r = InitProducerIdResponse::decode(body, v);
        if (!r) {
            *detail = r.error().message;
            return KafkaError::ClientProtocolError;
        }
        *result = *r;
        if (r->errorCode == KafkaError::None)
            *detail = QStringLiteral("producer id %1, epoch %2%3")
                          .arg(r->producerId)
                          .arg(r->producerEpoch)
                          .arg(bump ? QString() : QStringLiteral(" (older epochs are fenced)"));
        return r->errorCode;
    };
    return call;
}

void Producer::requestProducerId(bool bump)
{
    if (m_pidInFlight || m_shutdown)
        return;
    if (transactional()) {
        // The transactional bump goes to the coordinator (abort path).
        auto result = std::make_shared<InitProducerIdResponse>();
        auto call = initProducerIdCall(true, result);
        m_pidInFlight = true;
        QPointer<Producer> self(this);
        call->done = [self, result](const Error &e) {
            if (!self)
                return;
            self->m_pidInFlight = false;
            if (e.code != KafkaError::None) {
                self->setTxnState(TxnState::FatalError, QStringLiteral("epoch bump failed: %1").arg(e.message));
                self->finishCall(self->m_callOp, e);
                return;
            }
            self->m_bumpAfterAbort = false;
            self->onProducerId(result->producerId, result->producerEpoch);
            self->setTxnState(TxnState::Ready);
            self->finishCall(self->m_callOp, kOk);
        };
        callCoordinator(call);
        return;
    }
    BrokerConnection *conn = bootstrapConnection(0);
    if (!conn)
        return;
    m_pidInFlight = true;
    InitProducerIdRequest req;
    req.transactionTimeoutMs = m_config.transactionTimeoutMs();
    if (bump) {
        req.producerId = m_txn.producerId;
        req.producerEpoch = m_txn.producerEpoch;
        Q_EMIT logMessage(QStringLiteral("bumping the producer epoch (KIP-360): %1").arg(m_bumpReason));
    }
    QPointer<Producer> self(this);
    const QString peer = conn->describe();
    conn->send(
        ApiKey::InitProducerId, [req](std::int16_t v) { return req.encode(v); },
        [self, peer, bump](Result<QByteArray> body, std::int16_t version) {
            if (!self)
                return;
            ProtocolEvent e;
            e.api =
                QStringLiteral("InitProducerId%1 v%2").arg(bump ? QStringLiteral("(bump)") : QString()).arg(version);
            e.peer = peer;
            e.detail = bump ? self->m_bumpReason : QString();
            Result<InitProducerIdResponse> r =
                body ? InitProducerIdResponse::decode(*body, version) : Result<InitProducerIdResponse>(body.error());
            const std::int16_t code = r ? r->errorCode : r.error().code;
            e.errorCode = code;
            e.result = code ? KafkaError::name(code) : QStringLiteral("OK");
            if (r && !code) {
                e.producerId = r->producerId;
                e.producerEpoch = r->producerEpoch;
            } else if (!r) {
                e.detail = r.error().message;
            }
            self->emitEvent(e);
            self->m_pidInFlight = false;
            if (code == KafkaError::None) {
                self->m_pidLastError.clear();
                self->onProducerId(r->producerId, r->producerEpoch);
                return;
            }
            self->m_pidLastError = r ? KafkaError::describe(code) : r.error().message;
            if (code == KafkaError::UnsupportedVersion && !self->m_config.isSet(QStringLiteral("enable.idempotence"))) {
                // A broker without InitProducerId: idempotence was only the
                // default, so go on without it (and say so) rather than stall.
                self->m_idempotent = false;
                self->m_txn.idempotent = false;
                self->m_bumpNeeded = false;
                Q_EMIT self->logMessage(QStringLiteral("%1 does not support InitProducerId: producing without "
                                                       "idempotence (retries may duplicate)")
                                            .arg(peer));
                Q_EMIT self->txnStatusChanged(self->m_txn);
                self->scheduleDrain(0);
                return;
            }
            const bool retry = (!body && code != KafkaError::UnsupportedVersion) || KafkaError::isRetriable(code) ||
                               coordinatorMoved(code) || code == KafkaError::CoordinatorLoadInProgress;
            if (retry) {
                QTimer::singleShot(self->m_s.retryBackoffMs, self.data(), [self, bump] {
                    if (self)
                        self->requestProducerId(bump);
                });
                return;
            }
            // Refused for good (e.g. CLUSTER_AUTHORIZATION_FAILED): nothing
            // queued can be sent idempotently.
            self->m_pidError = {code, QStringLiteral("%1: InitProducerId refused (%2): the idempotent producer cannot "
                                                     "start; set enable.idempotence=false to produce without it")
                                          .arg(peer, r ? KafkaError::describe(code) : r.error().message)};
            for (auto &[tp, q] : self->m_queues) {
                for (auto &b : q.batches) {
                    self->completeBatch(*b, -1, -1, &self->m_pidError);
                    self->m_queuedRecords -= b->records.size();
                }
                q.batches.clear();
            }
            self->flushReports();
        });
}

// --- sequence errors of Produce answers ---------------------------------------

bool Producer::handleSequenceError(BatchPtr &batch, const Error &error, std::int16_t code)
{
    auto &q = m_queues[{batch->topic, batch->partition}];
    const bool current = batch->stampPid == m_txn.producerId && batch->stampEpoch == m_txn.producerEpoch;
    const bool behind = current && batch->baseSequence != incrementSequence(q.lastAckedSequence, 1);
    const bool inTime = nowMs() - batch->createdMs < m_s.deliveryTimeoutMs && !m_shutdown;
    const auto retryLater = [&] {
        batch->retryAtMs = nowMs() + m_s.retryBackoffMs;
        batch->lastError = error;
        requeue(std::move(batch));
        return true;
    };
    if (transactional()) {
        if (fencedCode(code)) {
            setTxnState(TxnState::FatalError,
                        QStringLiteral("fenced: %1 (another producer with transactional.id=%2 took over)")
                            .arg(KafkaError::name(code), m_txnId));
            return false; // reported failed with the broker's error
        }
        if (code == KafkaError::TransactionAbortable) {
            setTxnState(TxnState::AbortableError, error.message);
            return false;
        }
        if (code == KafkaError::OutOfOrderSequenceNumber || code == KafkaError::UnknownProducerId) {
            // Behind an earlier batch still unanswered: that one decides.
            if (code == KafkaError::OutOfOrderSequenceNumber && behind && inTime)
                return retryLater();
            m_bumpAfterAbort = true;
            setTxnState(TxnState::AbortableError,
                        QStringLiteral("%1 on %2-%3: the transaction must be aborted (the epoch is bumped after)")
                            .arg(KafkaError::name(code), batch->topic)
                            .arg(batch->partition));
            return false;
        }
        return false;
    }
    if (code != KafkaError::OutOfOrderSequenceNumber && code != KafkaError::UnknownProducerId &&
        code != KafkaError::InvalidProducerEpoch && code != KafkaError::ProducerFenced)
        return false;
    if (!inTime)
        return false;
    // Behind what the broker already acknowledged: a later batch got in
    // first, so this one can never be written under this epoch. A new epoch
    // and a new sequence; the partition's order is not kept for it (say so).
    const std::int32_t expected = incrementSequence(q.lastAckedSequence, 1);
    const std::int64_t distance =
        (static_cast<std::int64_t>(expected) - batch->baseSequence + 2147483648LL) % 2147483648LL;
    if (code == KafkaError::OutOfOrderSequenceNumber && current && q.lastAckedSequence >= 0 && distance > 0 &&
        distance < (1LL << 30)) {
        Q_EMIT logMessage(QStringLiteral("%1-%2: %3 record(s) at sequence %4 were overtaken by a later batch "
                                         "(acknowledged up to %5); resent under a new epoch, out of order")
                              .arg(batch->topic)
                              .arg(batch->partition)
                              .arg(batch->records.size())
                              .arg(batch->baseSequence)
                              .arg(q.lastAckedSequence));
        if (!m_bumpNeeded) {
            m_bumpNeeded = true;
            m_bumpReason = QStringLiteral("a batch of %1-%2 was overtaken").arg(batch->topic).arg(batch->partition);
        }
        return retryLater();
    }
    // The broker refused the batch, so it was not written: it can go again.
    // Behind an earlier unanswered batch, the same stamp waits its turn; a
    // real gap (or a lost producer state) needs a new epoch first (KIP-360),
    // after which every queued batch is stamped anew from sequence 0.
    if (!(code == KafkaError::OutOfOrderSequenceNumber && behind) && current && !m_bumpNeeded) {
        m_bumpNeeded = true;
        m_bumpReason = QStringLiteral("%1 on %2-%3 at sequence %4")
                           .arg(KafkaError::name(code), batch->topic)
                           .arg(batch->partition)
                           .arg(batch->baseSequence);
    }
    return retryLater();
}

void Producer::onSequencedBatchFailed(const Batch &batch, const Error &error)
{
    if (m_shutdown)
        return;
    if (transactional()) {
        if (error.code == KafkaError::ClientTransactionAborted)
            return;
        m_txnRecordsFailed += static_cast<int>(batch.records.size());
        if (m_txnFirstFailure.isEmpty())
            m_txnFirstFailure = QStringLiteral("%1: %2").arg(KafkaError::name(error.code), error.message);
        if (batch.stampPid >= 0)
            m_bumpAfterAbort = true; // its sequences left a hole in the partition
        if (fencedCode(error.code))
            setTxnState(TxnState::FatalError, QStringLiteral("fenced: %1").arg(error.message));
        else if (m_txn.state == TxnState::InTransaction || m_txn.state == TxnState::Committing)
            setTxnState(TxnState::AbortableError,
                        QStringLiteral("a record of the transaction failed: %1").arg(m_txnFirstFailure));
        return;
    }
    if (m_idempotent && batch.stampPid == m_txn.producerId && batch.stampEpoch == m_txn.producerEpoch &&
        !m_bumpNeeded) {
        // Its sequence numbers will never be acknowledged: later batches of
        // the partition would be refused as out of order. New epoch, new
        // sequences (KIP-360); batches that may have been written go first.
        m_bumpNeeded = true;
        m_bumpReason = QStringLiteral("%1 record(s) to %2-%3 failed (%4)")
                           .arg(batch.records.size())
                           .arg(batch.topic)
                           .arg(batch.partition)
                           .arg(KafkaError::name(error.code));
    }
}

// --- transactions -----------------------------------------------------------

void Producer::initTransactions(quint64 callId)
{
    const QString op = QStringLiteral("initTransactions");
    if (!transactional() || m_txn.state != TxnState::Uninitialized || m_callId) {
        Q_EMIT transactionCallDone(
            callId, op,
            m_callId && transactional()
                ? Error{KafkaError::InvalidTxnState, QStringLiteral("%1 is still running").arg(m_callOp)}
                : refuseState(op));
        return;
    }
    m_callId = callId;
    m_callOp = op;
    setTxnState(TxnState::Initializing);
    auto result = std::make_shared<InitProducerIdResponse>();
    auto call = initProducerIdCall(false, result);
    QPointer<Producer> self(this);
    call->done = [self, result, op](const Error &e) {
        if (!self)
            return;
        if (e.code != KafkaError::None) {
            // A timeout leaves the call repeatable, as in the Java client.
            if (e.code == KafkaError::ClientTimeout)
                self->setTxnState(TxnState::Uninitialized, e.message);
            else
                self->setTxnState(TxnState::FatalError, e.message);
            self->finishCall(op, e);
            return;
        }
        // Transaction protocol: v2 when the cluster finalizes
        // transaction.version >= 2 and the coordinator speaks EndTxn v5 and
        // Produce v12 (KIP-890); v1 otherwise, or when asked for.
        int tv = 1;
        QString why = QStringLiteral("the broker does not finalize transaction.version 2");
        const auto node = self->m_coordinators.constFind(coordinatorKey(CoordinatorType::Transaction, self->m_txnId));
        if (BrokerConnection *c = node == self->m_coordinators.cend() ? nullptr : self->connectionFor(*node)) {
            const int feature = c->finalizedFeatures().value(QStringLiteral("transaction.version"), 0);
            if (feature >= 2 && c->negotiatedVersion(ApiKey::EndTxn) >= 5 &&
                c->negotiatedVersion(ApiKey::Produce) >= 12)
                tv = 2;
            else if (feature >= 2)
                why = QStringLiteral("the coordinator lacks EndTxn v5 or Produce v12");
        }
        if (self->m_txnProtocolSetting == 2 && tv < 2) {
            const Error err{KafkaError::UnsupportedVersion,
                            QStringLiteral("kpw.transaction.protocol=2 but %1; use auto or 1").arg(why)};
            self->setTxnState(TxnState::FatalError, err.message);
            self->finishCall(op, err);
            return;
        }
        if (self->m_txnProtocolSetting == 1)
            tv = 1;
        self->m_txn.protocolVersion = tv;
        self->onProducerId(result->producerId, result->producerEpoch);
        self->setTxnState(TxnState::Ready);
        self->finishCall(op, kOk);
    };
    callCoordinator(call);
}

void Producer::beginTransaction(quint64 callId)
{
    const QString op = QStringLiteral("beginTransaction");
    if (!transactional() || m_txn.state != TxnState::Ready || m_callId) {
        Q_EMIT transactionCallDone(callId, op, refuseState(op));
        return;
    }
    m_txnRecordsFailed = 0;
    m_txnFirstFailure.clear();
    m_txnPartitions.clear();
    m_txnOffsetsAdded = false;
    m_endTxnSent = false;
    for (auto &[tp, q] : m_queues)
        q.inTransaction = false;
    ProtocolEvent e;
    e.api = QStringLiteral("beginTransaction");
    e.peer = QStringLiteral("(local: nothing is sent until the first record)");
    e.producerId = m_txn.producerId;
    e.producerEpoch = m_txn.producerEpoch;
    e.result = QStringLiteral("OK");
    emitEvent(e);
    setTxnState(TxnState::InTransaction);
    Q_EMIT transactionCallDone(callId, op, kOk);
}

void Producer::addPartitionsToTxn()
{
    if (m_addInFlight || !transactional() || m_txn.protocolVersion != 1 || !sendsAllowed())
        return;
    QList<TopicPartitions> topics;
    QStringList names;
    for (auto &[tp, q] : m_queues) {
        if (q.inTransaction || q.batches.empty())
            continue;
        q.adding = true;
        const QString &topic = tp.first; // clang 14 cannot capture a structured binding
        auto it =
            std::find_if(topics.begin(), topics.end(), [&](const TopicPartitions &t) { return t.topic == topic; });
        if (it == topics.end()) {
            topics.append({tp.first, {}});
            it = topics.end() - 1;
        }
        it->partitions.append(tp.second);
        names.append(QStringLiteral("%1-%2").arg(tp.first).arg(tp.second));
    }
    if (topics.isEmpty())
        return;
    m_addInFlight = true;
    AddPartitionsToTxnRequest req;
    req.transactionalId = m_txnId;
    req.producerId = m_txn.producerId;
    req.producerEpoch = m_txn.producerEpoch;
    req.topics = topics;
    auto call = std::make_shared<CoordinatorCall>();
    call->key = m_txnId;
    call->api = ApiKey::AddPartitionsToTxn;
    call->label = QStringLiteral("AddPartitionsToTxn");
    call->partitions = names.join(QStringLiteral(", "));
    call->deadlineMs = nowMs() + m_s.maxBlockMs;
    call->encode = [req](std::int16_t v) { return req.encode(v); };
    call->handle = [](const QByteArray &body, std::int16_t v, QString *detail) -> std::int16_t {
        auto r = AddPartitionsToTxnResponse::decode(body, v);
        if (!r) {
            *detail = r.error().message;
            return KafkaError::ClientProtocolError;
        }
        return firstError(r->topics, detail);
    };
    QPointer<Producer> self(this);
    call->done = [self, topics](const Error &e) {
        if (!self)
            return;
        self->m_addInFlight = false;
        for (const auto &t : topics)
            for (const auto p : t.partitions) {
                auto &q = self->m_queues[{t.topic, p}];
                q.adding = false;
                q.inTransaction = e.code == KafkaError::None;
            }
        if (e.code != KafkaError::None) {
            if (fencedCode(e.code))
                self->setTxnState(TxnState::FatalError, QStringLiteral("fenced: %1").arg(e.message));
            else
                self->setTxnState(TxnState::AbortableError,
                                  QStringLiteral("AddPartitionsToTxn failed: %1").arg(e.message));
            self->maybeAdvanceTxn();
            return;
        }
        self->scheduleDrain(0);
        self->maybeAdvanceTxn();
    };
    callCoordinator(call);
}

void Producer::sendOffsetsToTransaction(quint64 callId, const QList<ConsumedOffset> &offsets,
                                        const ConsumerGroupMetadata &group)
{
    const QString op = QStringLiteral("sendOffsetsToTransaction");
    if (!transactional() || m_txn.state != TxnState::InTransaction || m_callId) {
        Q_EMIT transactionCallDone(
            callId, op,
            m_callId ? Error{KafkaError::InvalidTxnState, QStringLiteral("%1 is still running").arg(m_callOp)}
                     : refuseState(op));
        return;
    }
    if (group.groupId.isEmpty() || offsets.isEmpty()) {
        Q_EMIT transactionCallDone(
            callId, op,
            {KafkaError::ClientInvalidConfig,
             QStringLiteral("%1 needs a group id and at least one topic/partition/offset").arg(op)});
        return;
    }
    m_callId = callId;
    m_callOp = op;
    TxnOffsetCommitRequest commit;
    commit.transactionalId = m_txnId;
    commit.groupId = group.groupId;
    commit.producerId = m_txn.producerId;
    commit.producerEpoch = m_txn.producerEpoch;
    commit.generationId = group.generationId;
    commit.memberId = group.memberId;
    commit.groupInstanceId = group.groupInstanceId;
    QStringList names;
    for (const auto &o : offsets) {
        auto it = std::find_if(commit.topics.begin(), commit.topics.end(),
                               [&](const TxnOffsetCommitRequest::Topic &t) { return t.name == o.topic; });
        if (it == commit.topics.end()) {
            commit.topics.append({o.topic, {}});
            it = commit.topics.end() - 1;
        }
        it->partitions.append({o.partition, o.offset, -1, o.metadata});
        names.append(QStringLiteral("%1-%2@%3").arg(o.topic).arg(o.partition).arg(o.offset));
    }
    const qint64 deadline = nowMs() + m_s.maxBlockMs;
    QPointer<Producer> self(this);
    const auto fail = [self, op](const Error &e) {
        if (!self)
            return;
        if (fencedCode(e.code))
            self->setTxnState(TxnState::FatalError, QStringLiteral("fenced: %1").arg(e.message));
        else if (e.code != KafkaError::ClientTimeout)
            self->setTxnState(TxnState::AbortableError, QStringLiteral("%1 failed: %2").arg(op, e.message));
        self->finishCall(op, e);
    };
    // Step 2: the offsets go to the group's coordinator, held until EndTxn.
    const auto commitOffsets = [self, commit, names, deadline, op, fail] {
        if (!self)
            return;
        auto call = std::make_shared<CoordinatorCall>();
        call->type = CoordinatorType::Group;
        call->key = commit.groupId;
        call->api = ApiKey::TxnOffsetCommit;
        call->maxVersion = self->m_txn.protocolVersion == 2 ? 5 : 4;
        call->label = QStringLiteral("TxnOffsetCommit");
        call->partitions = QStringLiteral("group %1: %2").arg(commit.groupId, names.join(QStringLiteral(", ")));
        call->deadlineMs = deadline;
        call->encode = [commit](std::int16_t v) { return commit.encode(v); };
        call->handle = [](const QByteArray &body, std::int16_t v, QString *detail) -> std::int16_t {
            auto r = TxnOffsetCommitResponse::decode(body, v);
            if (!r) {
                *detail = r.error().message;
                return KafkaError::ClientProtocolError;
            }
            return firstError(r->topics, detail);
        };
        call->done = [self, op, fail](const Error &e) {
            if (!self)
                return;
            if (e.code != KafkaError::None) {
                fail(e);
                return;
            }
            self->m_txnOffsetsAdded = true;
            self->finishCall(op, kOk);
        };
        self->callCoordinator(call);
    };
    if (m_txn.protocolVersion == 2) { // v2: TxnOffsetCommit v5 adds the group itself
        commitOffsets();
        return;
    }
    // Step 1 (protocol v1): the group's offsets partition joins the transaction.
    AddOffsetsToTxnRequest add;
    add.transactionalId = m_txnId;
    add.producerId = m_txn.producerId;
    add.producerEpoch = m_txn.producerEpoch;
    add.groupId = group.groupId;
    auto call = std::make_shared<CoordinatorCall>();
    call->key = m_txnId;
    call->api = ApiKey::AddOffsetsToTxn;
    call->label = QStringLiteral("AddOffsetsToTxn");
    call->partitions = QStringLiteral("group %1").arg(group.groupId);
    call->deadlineMs = deadline;
    call->encode = [add](std::int16_t v) { return add.encode(v); };
    call->handle = [](const QByteArray &body, std::int16_t v, QString *detail) -> std::int16_t {
        auto r = AddOffsetsToTxnResponse::decode(body, v);
        if (!r) {
            *detail = r.error().message;
            return KafkaError::ClientProtocolError;
        }
        return r->errorCode;
    };
    call->done = [self, commitOffsets, fail](const Error &e) {
        if (!self)
            return;
        if (e.code != KafkaError::None) {
            fail(e);
            return;
        }
        self->m_txnOffsetsAdded = true; // EndTxn must now be sent, even with no records
        commitOffsets();
    };
    callCoordinator(call);
}

void Producer::commitTransaction(quint64 callId)
{
    const QString op = QStringLiteral("commitTransaction");
    if (m_callId && m_callOp == op) { // a second commit joins the running one
        m_callWaiters.append({callId, op});
        return;
    }
    const bool resume = m_txn.state == TxnState::Committing && !m_callId; // after a timeout: retry, never abort
    if (!transactional() || (m_txn.state != TxnState::InTransaction && !resume) || m_callId) {
        Q_EMIT transactionCallDone(
            callId, op,
            m_callId ? Error{KafkaError::InvalidTxnState, QStringLiteral("%1 is still running").arg(m_callOp)}
                     : refuseState(op));
        return;
    }
    m_callId = callId;
    m_callOp = op;
    m_callDeadlineMs = nowMs() + m_s.maxBlockMs;
    setTxnState(TxnState::Committing);
    m_endPending = true;
    m_endCommit = true;
    m_flushing = true; // send what lingers now
    drain();
    maybeAdvanceTxn();
}

void Producer::abortTransaction(quint64 callId)
{
    const QString op = QStringLiteral("abortTransaction");
    if (m_callId && m_callOp == op) {
        m_callWaiters.append({callId, op});
        return;
    }
    const bool resume = m_txn.state == TxnState::Aborting && !m_callId;
    if (!transactional() ||
        (m_txn.state != TxnState::InTransaction && m_txn.state != TxnState::AbortableError && !resume) || m_callId) {
        Q_EMIT transactionCallDone(
            callId, op,
            m_callId ? Error{KafkaError::InvalidTxnState, QStringLiteral("%1 is still running").arg(m_callOp)}
                     : refuseState(op));
        return;
    }
    m_callId = callId;
    m_callOp = op;
    m_callDeadlineMs = nowMs() + m_s.maxBlockMs;
    setTxnState(TxnState::Aborting);
    txnFailRecords(QStringLiteral("the transaction was aborted before this record was acknowledged"));
    m_endPending = true;
    m_endCommit = false;
    maybeAdvanceTxn();
}

void Producer::txnFailRecords(const QString &why)
{
    const Error e{KafkaError::ClientTransactionAborted, why};
    for (auto &[tp, q] : m_queues) {
        for (auto &b : q.batches) {
            if (b->stampPid >= 0)
                m_bumpAfterAbort = true; // sent before and never acknowledged: a sequence hole
            completeBatch(*b, -1, -1, &e);
            m_queuedRecords -= b->records.size();
        }
        q.batches.clear();
    }
    m_lastQueue = nullptr;
    m_lastQueueKey = {QString(), -1};
    for (auto it = m_waiting.cbegin(); it != m_waiting.cend(); ++it) {
        for (const auto &r : it->records)
            failRecord(r.meta, it.key(), r.record.partition, e);
        m_queuedRecords -= it->records.size();
    }
    m_waiting.clear();
    flushReports();
}

void Producer::maybeAdvanceTxn()
{
    if (!m_endPending || !transactional())
        return;
    if (m_endCommit && (m_txn.state == TxnState::AbortableError || m_txn.state == TxnState::FatalError)) {
        m_endPending = false;
        m_flushing = false;
        finishCall(QStringLiteral("commitTransaction"),
                   {KafkaError::InvalidTxnState,
                    QStringLiteral("commit refused: %1%2; call abortTransaction()")
                        .arg(m_txn.lastError, m_txnRecordsFailed > 0
                                                  ? QStringLiteral(" (%1 record(s) failed)").arg(m_txnRecordsFailed)
                                                  : QString())});
        return;
    }
    // Wait until every record of the transaction is acknowledged or failed.
    if (m_queuedRecords > 0 || m_inFlightRequests > 0 || !m_waiting.isEmpty() || m_addInFlight)
        return;
    if (m_endCommit && m_txnRecordsFailed > 0) { // never commit over a failed record (librdkafka PR #3325)
        m_endPending = false;
        setTxnState(TxnState::AbortableError, QStringLiteral("%1 record(s) of the transaction failed, first: %2")
                                                  .arg(m_txnRecordsFailed)
                                                  .arg(m_txnFirstFailure));
        maybeAdvanceTxn();
        return;
    }
    m_endPending = false;
    m_flushing = false;
    endTransaction(m_endCommit);
}

void Producer::endTransaction(bool commit)
{
    const QString op = commit ? QStringLiteral("commitTransaction") : QStringLiteral("abortTransaction");
    QPointer<Producer> self(this);
    const auto finished = [self, op, commit] {
        if (!self)
            return;
        if (!commit && self->m_bumpAfterAbort && self->m_txn.protocolVersion == 1) {
            // Abort after a sequence error: a new epoch before the next
            // transaction (KIP-360), or its first batch would be refused.
            self->requestProducerId(true);
            return;
        }
        self->setTxnState(TxnState::Ready);
        self->finishCall(op, kOk);
    };
    if (m_txn.protocolVersion == 1 && m_txnPartitions.isEmpty() && !m_txnOffsetsAdded) {
        // Protocol v1: nothing was added, so the coordinator knows of no
        // transaction; there is nothing to end.
        ProtocolEvent e;
        e.api = QStringLiteral("EndTxn");
        e.peer = QStringLiteral("(not sent: the transaction is empty)");
        e.producerId = m_txn.producerId;
        e.producerEpoch = m_txn.producerEpoch;
        e.result = QStringLiteral("skipped");
        emitEvent(e);
        finished();
        return;
    }
    EndTxnRequest req;
    req.transactionalId = m_txnId;
    req.producerId = m_txn.producerId;
    req.producerEpoch = m_txn.producerEpoch;
    req.committed = commit;
    auto result = std::make_shared<EndTxnResponse>();
    auto call = std::make_shared<CoordinatorCall>();
    call->key = m_txnId;
    call->api = ApiKey::EndTxn;
    call->maxVersion = m_txn.protocolVersion == 2 ? 5 : 4;
    call->label = commit ? QStringLiteral("EndTxn(commit)") : QStringLiteral("EndTxn(abort)");
    QStringList parts(m_txnPartitions.begin(), m_txnPartitions.end());
    parts.sort();
    call->partitions = parts.join(QStringLiteral(", "));
    call->deadlineMs = m_callDeadlineMs;
    call->encode = [req](std::int16_t v) { return req.encode(v); };
    call->handle = [result](const QByteArray &body, std::int16_t v, QString *detail) -> std::int16_t {
        auto r = EndTxnResponse::decode(body, v);
        if (!r) {
            *detail = r.error().message;
            return KafkaError::ClientProtocolError;
        }
        *result = *r;
        if (r->errorCode == KafkaError::None && r->producerId >= 0)
            *detail =
                QStringLiteral("next transaction: producer id %1, epoch %2").arg(r->producerId).arg(r->producerEpoch);
        return r->errorCode;
    };
    m_endTxnSent = true;
    call->done = [self, op, commit, result, finished](const Error &e) {
        if (!self)
            return;
        if (e.code == KafkaError::None) {
            if (result->producerId >= 0) // protocol v2: the coordinator bumped the epoch
                self->onProducerId(result->producerId, result->producerEpoch);
            self->m_bumpAfterAbort = self->m_bumpAfterAbort && self->m_txn.protocolVersion == 1;
            finished();
            return;
        }
        if (fencedCode(e.code)) {
            self->setTxnState(TxnState::FatalError, QStringLiteral("fenced: %1").arg(e.message));
        } else if (e.code == KafkaError::ClientTimeout) {
            // The outcome is unknown: the state stays COMMITTING/ABORTING and
            // calling the same method again retries it (KAFKA-17754: never
            // abort after an uncertain commit).
            self->finishCall(op, {e.code, QStringLiteral("%1; call %2() again to retry it").arg(e.message, op)});
            return;
        } else if (commit && e.code != KafkaError::InvalidTxnState) {
            self->setTxnState(TxnState::AbortableError, QStringLiteral("EndTxn(commit) failed: %1").arg(e.message));
        } else if (e.code == KafkaError::InvalidTxnState) {
            // Seen when another producer with the same transactional.id
            // initialized while this commit was on its way: under transaction
            // protocol v2 the coordinator may answer INVALID_TXN_STATE rather
            // than PRODUCER_FENCED, having aborted the transaction already.
            const Error told{e.code,
                             QStringLiteral("%1 (the coordinator no longer holds this transaction open: another "
                                            "producer with transactional.id=%2 may have fenced this one, or "
                                            "the transaction timed out)")
                                 .arg(e.message, self->m_txnId)};
            self->setTxnState(TxnState::FatalError, QStringLiteral("EndTxn failed: %1").arg(told.message));
            self->finishCall(op, told);
            return;
        } else {
            self->setTxnState(TxnState::FatalError, QStringLiteral("EndTxn failed: %1").arg(e.message));
        }
        self->finishCall(op, e);
    };
    callCoordinator(call);
}

// --- the fault lab ------------------------------------------------------------

void Producer::injectFault(const FaultSpec &fault)
{
    switch (fault.kind) {
    case FaultSpec::Kind::None: *m_faults = FaultPlan{0, 0, 0, 0, 0, m_faults->onFault}; break;
    case FaultSpec::Kind::LostAck:
        m_faults->arm();
        m_faults->lostAckAt = fault.nth;
        break;
    case FaultSpec::Kind::DisconnectAfterSend:
        m_faults->arm();
        m_faults->disconnectAfterSendAt = fault.nth;
        break;
    case FaultSpec::Kind::DelayResponses: m_faults->delayMs = fault.delayMs; break;
    case FaultSpec::Kind::InjectError: m_faults->injectErrorCode = fault.errorCode; break;
    }
    ProtocolEvent e;
    e.api = QStringLiteral("FAULT");
    e.fault = true;
    e.result = QStringLiteral("armed");
    e.detail = fault.describe();
    emitEvent(e);
    Q_EMIT logMessage(QStringLiteral("fault armed: %1").arg(fault.describe()));
}

} // namespace kpw
