#pragma once

// Runs tests/interop/JavaReadBack.java (the Java client from the same
// Maven-resolved Kafka jars as the test broker) and parses what it prints.

#include "records/ProducerRecord.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace kpw::test::interop {

// The outcome of one JVM run.
struct JavaRun
{
    bool ran = false;      // the JVM started and ended by itself
    int exitCode = -1;     // JavaReadBack's exit code
    QList<QByteArray> out; // stdout lines
    QString err;           // stderr, for failure messages
    QString problem;       // why it did not run (no java, no classpath, timeout)

    bool ok() const { return ran && exitCode == 0; }
    // A few lines for a failure message: the problem, exit code, stderr tail.
    QString summary() const;
};

// Runs `java -cp <kafka classpath> JavaReadBack.java args...` with `input` on
// stdin, waiting at most timeoutMs. java: $JAVA, else $JAVA_HOME/bin/java,
// else java from PATH (the same choice as tests/kafka/kafka-fixture). The
// classpath comes from `kafka-fixture classpath` once per process.
JavaRun runJavaReadBack(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 180000);

// One record as the Java consumer returned it (an "R" line).
struct JavaRecord
{
    QString topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestampMs = -1;
    bool logAppendTime = false;
    std::optional<QByteArray> key;
    std::optional<QByteArray> value;
    QList<RecordHeader> headers;
};

// Parses the "R" lines of a read run; lines of other kinds are skipped. A
// malformed "R" line sets *error and is skipped.
QList<JavaRecord> parseRecords(const QList<QByteArray> &lines, QString *error);

// "base64" or "-" (null), as JavaReadBack prints them.
std::optional<QByteArray> decodeNullableBase64(const QByteArray &field, bool *ok);

} // namespace kpw::test::interop
