#pragma once

#include "records/ProducerRecord.h"

#include <QByteArray>
#include <QString>

namespace kpw {

// Reproducible commands for a record the composer sent: paste them in a
// shell (bash, dash, zsh) and the same record goes out again.
namespace RecordCommands {

// 'text' for a POSIX shell: single quotes, a quote inside as '\''.
QString shellQuote(const QString &text);

// `printf ... | kpw-cli produce ...` when the record fits kpw-cli produce
// (one line of value, a text key, no header name with '='); otherwise
// `printf ... | kpw-cli replay ...` with the record as one JSONL line, which
// keeps every byte (multi-line values, tombstones, binary keys).
QString kpwCli(const QString &bootstrap, const ProducerRecord &record);

// `printf ... | kcat -P -b ... -t ... [-p N] [-k KEY] [-H name=value]...`.
// A value with newlines is delimited by \x01 (-D), a tombstone is KEY<tab>
// with an empty value sent as null (-K '\t' -Z). Empty when kcat cannot express the record
// (a value holding \x01 and newlines, a key with a newline, a null header
// value); *why says why.
QString kcat(const QString &bootstrap, const ProducerRecord &record, QString *why = nullptr);

// One JSON object (no newline) as kpw-cli replay and the Replay tab read it:
// key / value as strings (key_b64 / value_b64 when not UTF-8), null for a
// null key or a tombstone, headers as [{"key":..,"value":..}], partition
// when explicit, timestamp when set.
QByteArray replayJsonLine(const ProducerRecord &record);

} // namespace RecordCommands
} // namespace kpw
