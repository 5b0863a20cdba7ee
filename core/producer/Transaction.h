#pragma once

#include "wire/Result.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// The transactional producer's states, with the names of the Java client's
// TransactionManager (INITIALIZING is its state between initTransactions()
// and the producer id arriving).
enum class TxnState {
    Uninitialized,
    Initializing,
    Ready,
    InTransaction,
    Committing,
    Aborting,
    AbortableError,
    FatalError,
};

QString txnStateName(TxnState state); // "IN_TRANSACTION", ...

// What the transaction panel draws: the state and the producer's identity.
struct TxnStatus
{
    TxnState state = TxnState::Uninitialized;
    QString transactionalId; // empty: idempotent only (or neither)
    bool idempotent = false;
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    int protocolVersion = 0; // transaction protocol 1 or 2 (KIP-890), 0 before init
    QString coordinator;     // "broker 1 (127.0.0.1:9092)"
    QString lastError;       // why ABORTABLE_ERROR or FATAL_ERROR
};

// One protocol call (or injected fault) for the timeline.
struct ProtocolEvent
{
    qint64 timeMs = 0; // wall clock, ms since the epoch
    QString api;       // "InitProducerId v5", "Produce v11", "FAULT", "STATE"
    QString peer;      // "coordinator broker 1 (127.0.0.1:9092)"
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    QString partitions; // "orders-0, orders-1"
    QString sequences;  // "orders-0 seq 10..19"
    std::int16_t errorCode = 0;
    QString result; // "OK", an error name, "sent", ...
    QString detail;
    bool fault = false;
};

// A consumer's position to commit inside a transaction (sendOffsetsToTransaction).
struct ConsumedOffset
{
    QString topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0; // the next offset to consume
    std::optional<QString> metadata;
};

// The consumer group's identity for TxnOffsetCommit (KIP-447): a generation
// and member id let the coordinator fence zombie consumers; -1 and "" skip it.
struct ConsumerGroupMetadata
{
    QString groupId;
    std::int32_t generationId = -1;
    QString memberId;
    std::optional<QString> groupInstanceId;
};

// A fault to arm on the producer's connections (see net/FaultPlan.h).
struct FaultSpec
{
    enum class Kind { None, LostAck, DelayResponses, DisconnectAfterSend, InjectError };
    Kind kind = Kind::None;
    int nth = 1;                // LostAck, DisconnectAfterSend: the n-th Produce request from now
    int delayMs = 0;            // DelayResponses (0 turns it off)
    std::int16_t errorCode = 0; // InjectError

    // "lost-ack[:N]", "delay:MS", "disconnect-after-send[:N]", "error:NAME|CODE"
    static std::optional<FaultSpec> parse(const QString &text, QString *error);
    QString describe() const;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::TxnStatus)
Q_DECLARE_METATYPE(kpw::ProtocolEvent)
Q_DECLARE_METATYPE(kpw::FaultSpec)
