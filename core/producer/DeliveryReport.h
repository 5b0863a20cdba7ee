#pragma once

#include "wire/KafkaError.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// The outcome of one record, as a value that crosses threads.
struct DeliveryReport
{
    quint64 id = 0; // assigned by ProducerClient::send, increasing per client
    QString topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;      // -1 when failed or with acks=0
    std::int64_t timestampMs = -1; // the record's timestamp (or the broker's LogAppendTime)
    double latencyMs = 0;          // send() to acknowledgement
    std::int16_t errorCode = 0;    // KafkaError code; 0 is success
    QString errorMessage;          // the broker's or the client's words, with a hint
    std::optional<QByteArray> key; // at most kKeyPreview bytes of the key
    qsizetype keySize = -1;        // -1: null key
    qsizetype valueSize = -1;      // -1: null value (tombstone)
    int headerCount = 0;
    int attempts = 1;
    // Idempotent producer: the batch's producer id and epoch, and this
    // record's sequence number (-1 otherwise).
    std::int64_t producerId = -1;
    std::int16_t producerEpoch = -1;
    std::int32_t sequence = -1;

    static constexpr qsizetype kKeyPreview = 256;

    bool ok() const { return errorCode == 0; }
    QString errorName() const { return ok() ? QString() : KafkaError::name(errorCode); }
};

// Published about once a second by the producer. Rates and latencies cover
// the last interval; counters are totals since start.
struct ProducerStats
{
    double recordsPerSec = 0;
    double bytesPerSec = 0;  // key + value bytes acknowledged
    quint64 recordsSent = 0; // records handed to send()
    quint64 recordsDelivered = 0;
    quint64 recordsFailed = 0;
    quint64 queuedRecords = 0; // accepted, not yet acknowledged or failed
    qint64 bufferedBytes = 0;  // of buffer.memory
    int inFlightRequests = 0;
    double avgRecordsPerBatch = 0;
    double avgBatchBytes = 0;    // as sent (compressed)
    double compressionRatio = 1; // compressed / uncompressed record bytes
    double latencyP50Ms = 0;     // send() to acknowledgement
    double latencyP99Ms = 0;
    double requestLatencyP50Ms = 0; // Produce request to response
    double requestLatencyP99Ms = 0;
    quint64 retries = 0; // batches sent again
    quint64 errors = 0;  // records failed
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::DeliveryReport)
Q_DECLARE_METATYPE(QList<kpw::DeliveryReport>)
Q_DECLARE_METATYPE(kpw::ProducerStats)
