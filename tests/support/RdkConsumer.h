#pragma once

#include "records/ProducerRecord.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <cstdint>
#include <optional>

namespace kpw::test {

// One record as librdkafka read it back. The oracle is independent of
// kpw_core: only the RecordHeader value type is shared.
struct ConsumedRecord
{
    QString topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestampMs = -1;
    bool logAppendTime = false;      // timestamp type
    std::optional<QByteArray> key;   // nullopt: null key (distinct from empty)
    std::optional<QByteArray> value; // nullopt: tombstone
    QList<RecordHeader> headers;     // wire order, repeated names kept
};

// Reads `topic` from the beginning of every partition (assign(), no group
// membership, no commits) until expectedCount records have arrived or
// timeoutMs has passed, and returns what arrived (in per-partition order).
// isolation: "read_uncommitted" or "read_committed". extraConfig: more
// librdkafka settings (security.protocol, ssl.ca.location, sasl.username, ...). On a librdkafka error
// *error is set (the records read so far are still returned).
QList<ConsumedRecord> consumeAll(const QString &bootstrap, const QString &topic, int expectedCount, int timeoutMs,
                                 const QString &isolation = QStringLiteral("read_uncommitted"),
                                 QString *error = nullptr, const QMap<QString, QString> &extraConfig = {});

// The offset `group` has committed for topic/partition, read by librdkafka
// (OffsetFetch through its own code); -1001 when the group committed
// nothing there; nullopt (and *error) when it cannot be asked.
std::optional<std::int64_t> committedOffset(const QString &bootstrap, const QString &group, const QString &topic,
                                            std::int32_t partition, QString *error = nullptr);

// "topic [partition] @ offset key=... value=... headers=[...]" for messages.
QString describe(const ConsumedRecord &r);

} // namespace kpw::test
