#pragma once

#include <QMap>
#include <QString>

#include <optional>

namespace kpw::test {

// The broker the integration tests talk to: $KPW_TEST_BOOTSTRAP if set, else
// the (trimmed) contents of the file named by $KPW_TEST_BOOTSTRAP_FILE, which
// the "kafka" CTest fixture writes.
//
// A missing broker is a failure, never a skip: inside a test function this
// records a Qt Test failure naming what is missing and returns an empty
// string (use KPW_REQUIRE_BOOTSTRAP to also leave the function); outside one
// it aborts with qFatal.
QString bootstrap();

// Creates `topic` with `partitions` partitions (replication factor 1) through
// librdkafka's admin API; an existing topic is fine. Then waits until the
// topic's metadata shows every partition with a leader. Returns false (and
// sets *error) on failure or after timeoutMs.
bool createTopic(const QString &bootstrap, const QString &topic, int partitions, QString *error = nullptr,
                 int timeoutMs = 30000);
// The same with topic configs, e.g. {"message.timestamp.type", "LogAppendTime"}.
bool createTopic(const QString &bootstrap, const QString &topic, int partitions, const QMap<QString, QString> &configs,
                 QString *error = nullptr, int timeoutMs = 30000);
// The same with a replication factor (the three-broker cluster: 3).
bool createTopic(const QString &bootstrap, const QString &topic, int partitions, int replicationFactor,
                 const QMap<QString, QString> &configs, QString *error = nullptr, int timeoutMs = 30000);

// Whether the broker knows `topic`, from an all-topics metadata request (which
// never auto-creates anything). nullopt when the broker cannot be asked.
std::optional<bool> topicExists(const QString &bootstrap, const QString &topic);

// "<prefix>-<random hex>": a fresh topic name per test run.
QString uniqueTopic(const QString &prefix);

// Call from init(): makes Qt's "timer/object on another thread" warning fail
// the current test. A QTimer left on the caller's thread after moveToThread
// only warns and then never fires (linger, timeouts): that once hid a bug.
void failOnCrossThreadTimers();

} // namespace kpw::test

// Declares `var` as the broker address, or fails the current test function.
#define KPW_REQUIRE_BOOTSTRAP(var)                                                                                     \
    const QString var = ::kpw::test::bootstrap();                                                                      \
    if (var.isEmpty())                                                                                                 \
    return

// QVERIFY2 around createTopic with its error message.
#define KPW_CREATE_TOPIC(boot, topic, partitions)                                                                      \
    do {                                                                                                               \
        QString kpwCreateTopicError_;                                                                                  \
        QVERIFY2(::kpw::test::createTopic((boot), (topic), (partitions), &kpwCreateTopicError_),                       \
                 qPrintable(kpwCreateTopicError_));                                                                    \
    } while (false)
