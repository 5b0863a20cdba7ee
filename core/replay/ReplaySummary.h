#pragma once

#include "replay/RecordSource.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw {

// Counts while a replay runs, published a few times a second.
struct ReplayProgress
{
    quint64 read = 0;        // records parsed
    quint64 sent = 0;        // handed to the producer
    quint64 acked = 0;       // acknowledged by the broker
    quint64 failed = 0;      // delivery failed
    quint64 parseErrors = 0; // lines that did not parse (or validate)
    qint64 bytesSent = 0;    // key + value bytes
    qint64 bytesAcked = 0;
    double recordsPerSec = 0; // acknowledged (sent in a dry run), last interval
    double bytesPerSec = 0;
    double fraction = -1; // of the input done, -1 unknown (standard input)
    double etaSec = -1;   // -1 unknown
    qint64 elapsedMs = 0;
    int loop = 1;
    bool paused = false;
    QString currentInput;
    ReplayFormat currentFormat = ReplayFormat::Auto;
};

struct ReplayFailure
{
    enum class Kind { Parse, Delivery };
    Kind kind = Kind::Delivery;
    RecordOrigin origin;
    int loop = 1;
    QString errorName; // Kafka's name for a delivery failure, "PARSE_ERROR" for input
    QString message;
    std::int32_t partition = -1;
};

struct PartitionOffsets
{
    std::int64_t first = -1; // lowest acknowledged offset
    std::int64_t last = -1;  // highest
    quint64 count = 0;
};

struct ReplaySummary
{
    enum class Outcome {
        Completed,
        Cancelled,
        StoppedOnParseError,
        StoppedOnDeliveryError,
        ConnectionFailed,
        InputError
    };

    Outcome outcome = Outcome::Completed;
    QString reason; // one line for a person, e.g. what stopped the replay
    bool dryRun = false;
    QString topic;
    QStringList inputs;
    int loops = 1;
    quint64 read = 0;
    quint64 sent = 0;
    quint64 acked = 0;
    quint64 failed = 0;
    quint64 parseErrors = 0;
    quint64 validated = 0;   // dry run: records that parsed and would be sent
    quint64 readNotSent = 0; // read, never handed to the producer (cancel / stop)
    qint64 bytesSent = 0;
    qint64 bytesAcked = 0;
    // Records are sent in input order, so "never sent" is everything from
    // here on (nullopt: the input was read to its end).
    std::optional<RecordOrigin> firstNotSent;
    int firstNotSentLoop = 0;
    std::optional<RecordOrigin> lastSent;
    int lastSentLoop = 0;
    QList<ReplayFailure> failures; // in the order they happened, at most maxFailuresListed
    bool failuresTruncated = false;
    QMap<std::int32_t, PartitionOffsets> partitions;
    QDateTime started;
    QDateTime finished;
    qint64 durationMs = 0;

    bool everythingAcknowledged() const
    {
        return outcome == Outcome::Completed && failed == 0 && parseErrors == 0 && readNotSent == 0 && !firstNotSent &&
               (dryRun || acked == sent);
    }
    double recordsPerSec() const;

    static QString outcomeName(Outcome outcome);
    QJsonObject toJson() const;
    // One table: kind,file,line,loop,partition,first_offset,last_offset,count,error,message
    // with kind total | partition | failure | not_sent.
    QByteArray toCsv() const;
    QString toText() const; // a few lines for a terminal or the panel
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::ReplayProgress)
Q_DECLARE_METATYPE(kpw::ReplaySummary)
