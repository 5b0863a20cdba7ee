#include "replay/ReplaySummary.h"

#include <QJsonArray>

namespace kpw {

namespace {

QByteArray csvField(const QString &s)
{
    QByteArray b = s.toUtf8();
    if (b.contains(',') || b.contains('"') || b.contains('\n') || b.contains('\r')) {
        b.replace("\"", "\"\"");
        b = '"' + b + '"';
    }
    return b;
}

QString originText(const RecordOrigin &o)
{
    return QStringLiteral("%1:%2")
        .arg(o.file == QLatin1StringView("-") ? QStringLiteral("<stdin>") : o.file)
        .arg(o.line);
}

} // namespace

double ReplaySummary::recordsPerSec() const
{
    const quint64 n = dryRun ? validated : acked;
    return durationMs > 0 ? static_cast<double>(n) * 1000.0 / static_cast<double>(durationMs) : 0;
}

QString ReplaySummary::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Completed: return QStringLiteral("completed");
    case Outcome::Cancelled: return QStringLiteral("cancelled");
    case Outcome::StoppedOnParseError: return QStringLiteral("stopped_on_parse_error");
    case Outcome::StoppedOnDeliveryError: return QStringLiteral("stopped_on_delivery_error");
    case Outcome::ConnectionFailed: return QStringLiteral("connection_failed");
    case Outcome::InputError: return QStringLiteral("input_error");
    }
    return {};
}

QJsonObject ReplaySummary::toJson() const
{
    QJsonObject o;
    o[QStringLiteral("outcome")] = outcomeName(outcome);
    o[QStringLiteral("reason")] = reason;
    o[QStringLiteral("dry_run")] = dryRun;
    o[QStringLiteral("topic")] = topic;
    o[QStringLiteral("inputs")] = QJsonArray::fromStringList(inputs);
    o[QStringLiteral("loops")] = loops;
    o[QStringLiteral("read")] = static_cast<qint64>(read);
    o[QStringLiteral("sent")] = static_cast<qint64>(sent);
    o[QStringLiteral("acked")] = static_cast<qint64>(acked);
    o[QStringLiteral("failed")] = static_cast<qint64>(failed);
    o[QStringLiteral("parse_errors")] = static_cast<qint64>(parseErrors);
    o[QStringLiteral("validated")] = static_cast<qint64>(validated);
    o[QStringLiteral("read_not_sent")] = static_cast<qint64>(readNotSent);
    o[QStringLiteral("bytes_sent")] = bytesSent;
    o[QStringLiteral("bytes_acked")] = bytesAcked;
    o[QStringLiteral("everything_acknowledged")] = everythingAcknowledged();
    const auto origin = [](const RecordOrigin &r, int loop) {
        return QJsonObject{{QStringLiteral("file"), r.file},
                           {QStringLiteral("line"), static_cast<qint64>(r.line)},
                           {QStringLiteral("loop"), loop}};
    };
    o[QStringLiteral("first_not_sent")] =
        firstNotSent ? QJsonValue(origin(*firstNotSent, firstNotSentLoop)) : QJsonValue();
    o[QStringLiteral("last_sent")] = lastSent ? QJsonValue(origin(*lastSent, lastSentLoop)) : QJsonValue();
    QJsonArray failuresJson;
    for (const ReplayFailure &f : failures) {
        QJsonObject j = origin(f.origin, f.loop);
        j[QStringLiteral("kind")] =
            f.kind == ReplayFailure::Kind::Parse ? QStringLiteral("parse") : QStringLiteral("delivery");
        j[QStringLiteral("error")] = f.errorName;
        j[QStringLiteral("message")] = f.message;
        if (f.partition >= 0)
            j[QStringLiteral("partition")] = f.partition;
        failuresJson.append(j);
    }
    o[QStringLiteral("failures")] = failuresJson;
    o[QStringLiteral("failures_truncated")] = failuresTruncated;
    QJsonArray parts;
    for (auto it = partitions.cbegin(); it != partitions.cend(); ++it)
        parts.append(QJsonObject{{QStringLiteral("partition"), it.key()},
                                 {QStringLiteral("first_offset"), qint64(it->first)},
                                 {QStringLiteral("last_offset"), qint64(it->last)},
                                 {QStringLiteral("count"), static_cast<qint64>(it->count)}});
    o[QStringLiteral("partitions")] = parts;
    o[QStringLiteral("started")] = started.toUTC().toString(Qt::ISODateWithMs);
    o[QStringLiteral("finished")] = finished.toUTC().toString(Qt::ISODateWithMs);
    o[QStringLiteral("duration_ms")] = durationMs;
    o[QStringLiteral("records_per_sec")] = recordsPerSec();
    o[QStringLiteral("bytes_per_sec")] =
        durationMs > 0 ? static_cast<double>(bytesAcked) * 1000.0 / static_cast<double>(durationMs) : 0.0;
    return o;
}

QByteArray ReplaySummary::toCsv() const
{
    QByteArray out = "kind,file,line,loop,partition,first_offset,last_offset,count,error,message\n";
    out += "total,,,,,,," + QByteArray::number(dryRun ? validated : acked) + "," + csvField(outcomeName(outcome)) +
           "," +
           csvField(QStringLiteral("read=%1 sent=%2 acked=%3 failed=%4 parse_errors=%5 read_not_sent=%6 "
                                   "duration_ms=%7")
                        .arg(read)
                        .arg(sent)
                        .arg(acked)
                        .arg(failed)
                        .arg(parseErrors)
                        .arg(readNotSent)
                        .arg(durationMs)) +
           "\n";
    for (auto it = partitions.cbegin(); it != partitions.cend(); ++it)
        out += "partition,,,," + QByteArray::number(it.key()) + "," + QByteArray::number(it->first) + "," +
               QByteArray::number(it->last) + "," + QByteArray::number(it->count) + ",,\n";
    for (const ReplayFailure &f : failures)
        out += "failure," + csvField(f.origin.file) + "," + QByteArray::number(f.origin.line) + "," +
               QByteArray::number(f.loop) + "," + (f.partition >= 0 ? QByteArray::number(f.partition) : QByteArray()) +
               ",,,," + csvField(f.errorName) + "," + csvField(f.message) + "\n";
    if (firstNotSent)
        out += "not_sent," + csvField(firstNotSent->file) + "," + QByteArray::number(firstNotSent->line) + "," +
               QByteArray::number(firstNotSentLoop) + ",,,,,," +
               csvField(QStringLiteral("nothing from here on was sent")) + "\n";
    return out;
}

QString ReplaySummary::toText() const
{
    QString t;
    const double secs = static_cast<double>(durationMs) / 1000.0;
    if (dryRun)
        t += QStringLiteral("dry run %1: %2 records read, %3 valid, %4 parse errors in %5 s (%6 records/s)\n")
                 .arg(outcomeName(outcome))
                 .arg(read)
                 .arg(validated)
                 .arg(parseErrors)
                 .arg(secs, 0, 'f', 2)
                 .arg(recordsPerSec(), 0, 'f', 0);
    else
        t += QStringLiteral("replay %1: %2 read, %3 sent, %4 acknowledged, %5 failed, %6 parse errors, %7 read but "
                            "not sent in %8 s (%9 records/s)\n")
                 .arg(outcomeName(outcome))
                 .arg(read)
                 .arg(sent)
                 .arg(acked)
                 .arg(failed)
                 .arg(parseErrors)
                 .arg(readNotSent)
                 .arg(secs, 0, 'f', 2)
                 .arg(recordsPerSec(), 0, 'f', 0);
    if (!reason.isEmpty())
        t += QStringLiteral("  %1\n").arg(reason);
    for (auto it = partitions.cbegin(); it != partitions.cend(); ++it)
        t += QStringLiteral("  %1 [%2] offsets %3..%4 (%5 records)\n")
                 .arg(topic)
                 .arg(it.key())
                 .arg(it->first)
                 .arg(it->last)
                 .arg(it->count);
    if (lastSent)
        t += QStringLiteral("  last sent: %1 (loop %2)\n").arg(originText(*lastSent)).arg(lastSentLoop);
    if (firstNotSent)
        t +=
            QStringLiteral("  never sent: from %1 (loop %2) on\n").arg(originText(*firstNotSent)).arg(firstNotSentLoop);
    return t;
}

} // namespace kpw
