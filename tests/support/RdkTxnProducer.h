#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <cstdint>
#include <optional>

struct rd_kafka_s;

namespace kpw::test {

// A librdkafka producer for tests that need transactions (or plain
// idempotent writes) written by an independent client: the tail reader is
// checked against what it wrote. With a transactional id it is
// transactional (init_transactions in the constructor); without, it is a
// plain producer. Every call is synchronous; errors land in error().
class RdkTxnProducer final
{
public:
    // configs: extra librdkafka settings, e.g. {"compression.codec", "zstd"}.
    RdkTxnProducer(const QString &bootstrap, const QString &transactionalId,
                   const QMap<QString, QString> &configs = {});
    ~RdkTxnProducer();
    RdkTxnProducer(const RdkTxnProducer &) = delete;
    RdkTxnProducer &operator=(const RdkTxnProducer &) = delete;

    bool ok() const { return m_rk != nullptr && m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    bool begin();
    // Queues one record for a partition; flush() or commit() sends it.
    bool send(const QString &topic, std::int32_t partition, const std::optional<QByteArray> &key,
              const std::optional<QByteArray> &value);
    bool flush(int timeoutMs = 30000);
    bool commit(int timeoutMs = 30000);
    bool abort(int timeoutMs = 30000);

private:
    bool check(int err, const char *what);
    bool checkError(void *error, const char *what); // rd_kafka_error_t*, destroyed

    rd_kafka_s *m_rk = nullptr;
    QString m_error;
};

// Commits offsets for `group` (partition -> next offset to read) through
// librdkafka, as a consumer that is not a group member does (assign + commit).
bool rdkCommitOffsets(const QString &bootstrap, const QString &group, const QString &topic,
                      const QMap<std::int32_t, std::int64_t> &offsets, QString *error);

} // namespace kpw::test
