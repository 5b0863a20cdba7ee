#include "RdkConsumer.h"

#include <QDeadlineTimer>
#include <QThread>
#include <QUuid>

#include <librdkafka/rdkafka.h>

namespace kpw::test {
namespace {

bool setConf(rd_kafka_conf_t *conf, const char *name, const QByteArray &value, QString *error)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, name, value.constData(), errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
        return true;
    if (error)
        *error = QStringLiteral("librdkafka config %1=%2: %3")
                     .arg(QLatin1StringView(name), QString::fromUtf8(value), QString::fromUtf8(errstr));
    return false;
}

QString printable(const std::optional<QByteArray> &b)
{
    if (!b)
        return QStringLiteral("null");
    return QStringLiteral("\"%1\"").arg(QString::fromLatin1(b->toPercentEncoding(" -_.:=/,")));
}

} // namespace

QList<ConsumedRecord> consumeAll(const QString &bootstrap, const QString &topic, int expectedCount, int timeoutMs,
                                 const QString &isolation, QString *error, const QMap<QString, QString> &extraConfig)
{
    QList<ConsumedRecord> out;
    const QDeadlineTimer deadline(timeoutMs);
    const QByteArray topicName = topic.toUtf8();

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    // librdkafka wants a group.id to assign() partitions; the group is never
    // joined and nothing is committed.
    const QByteArray group = "kpw-test-oracle-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    if (!setConf(conf, "bootstrap.servers", bootstrap.toUtf8(), error) || !setConf(conf, "group.id", group, error) ||
        !setConf(conf, "enable.auto.commit", "false", error) ||
        !setConf(conf, "enable.auto.offset.store", "false", error) ||
        !setConf(conf, "isolation.level", isolation.toUtf8(), error) ||
        !setConf(conf, "enable.partition.eof", "false", error) || !setConf(conf, "log_level", "3", error) ||
        !setConf(conf, "check.crcs", "true", error)) {
        rd_kafka_conf_destroy(conf);
        return out;
    }
    for (auto it = extraConfig.cbegin(); it != extraConfig.cend(); ++it) {
        if (!setConf(conf, it.key().toUtf8().constData(), it.value().toUtf8(), error)) {
            rd_kafka_conf_destroy(conf);
            return out;
        }
    }
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        if (error)
            *error = QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr));
        return out;
    }

    // Partitions from metadata; retried while the topic is still appearing.
    int partitionCount = 0;
    while (partitionCount == 0) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topicName.constData(), nullptr);
        const rd_kafka_metadata_t *md = nullptr;
        const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        rd_kafka_topic_destroy(rkt);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < md->topic_cnt; ++i)
                if (topicName == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    partitionCount = md->topics[i].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
        if (partitionCount == 0) {
            if (deadline.hasExpired()) {
                if (error)
                    *error = QStringLiteral("topic %1 has no partitions in metadata (%2)")
                                 .arg(topic, QString::fromUtf8(rd_kafka_err2str(err)));
                rd_kafka_destroy(rk);
                return out;
            }
            QThread::msleep(200);
        }
    }

    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(partitionCount);
    for (int p = 0; p < partitionCount; ++p)
        rd_kafka_topic_partition_list_add(assignment, topicName.constData(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    const rd_kafka_resp_err_t assignErr = rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (assignErr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (error)
            *error = QStringLiteral("assign: %1").arg(QString::fromUtf8(rd_kafka_err2str(assignErr)));
        rd_kafka_destroy(rk);
        return out;
    }

    while (out.size() < expectedCount && !deadline.hasExpired()) {
        const int wait = static_cast<int>(qBound(qint64(0), deadline.remainingTime(), qint64(200)));
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, wait);
        if (!msg)
            continue;
        if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && error)
                *error = QStringLiteral("consume: %1").arg(QString::fromUtf8(rd_kafka_message_errstr(msg)));
            rd_kafka_message_destroy(msg);
            continue;
        }
        ConsumedRecord r;
        r.topic = QString::fromUtf8(rd_kafka_topic_name(msg->rkt));
        r.partition = msg->partition;
        r.offset = msg->offset;
        rd_kafka_timestamp_type_t tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        r.timestampMs = rd_kafka_message_timestamp(msg, &tsType);
        r.logAppendTime = tsType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME;
        if (msg->key)
            r.key = QByteArray(static_cast<const char *>(msg->key), static_cast<qsizetype>(msg->key_len));
        if (msg->payload)
            r.value = QByteArray(static_cast<const char *>(msg->payload), static_cast<qsizetype>(msg->len));
        rd_kafka_headers_t *hdrs = nullptr;
        if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char *name = nullptr;
            const void *value = nullptr;
            size_t size = 0;
            for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
                 ++i) {
                RecordHeader h;
                h.key = QString::fromUtf8(name);
                if (value)
                    h.value = QByteArray(static_cast<const char *>(value), static_cast<qsizetype>(size));
                r.headers.append(std::move(h));
            }
        }
        rd_kafka_message_destroy(msg);
        out.append(std::move(r));
    }

    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out;
}

QString describe(const ConsumedRecord &r)
{
    QStringList headers;
    for (const auto &h : r.headers)
        headers.append(QStringLiteral("%1=%2").arg(h.key, printable(h.value)));
    return QStringLiteral("%1 [%2] @ %3 ts=%4 key=%5 value=%6 headers=[%7]")
        .arg(r.topic)
        .arg(r.partition)
        .arg(r.offset)
        .arg(r.timestampMs)
        .arg(printable(r.key), printable(r.value), headers.join(QStringLiteral(", ")));
}

} // namespace kpw::test

namespace kpw::test {

std::optional<std::int64_t> committedOffset(const QString &bootstrap, const QString &group, const QString &topic,
                                            std::int32_t partition, QString *error)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!setConf(conf, "bootstrap.servers", bootstrap.toUtf8(), error) ||
        !setConf(conf, "group.id", group.toUtf8(), error) || !setConf(conf, "enable.auto.commit", "false", error) ||
        !setConf(conf, "log_level", "3", error)) {
        rd_kafka_conf_destroy(conf);
        return std::nullopt;
    }
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        if (error)
            *error = QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr));
        return std::nullopt;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic.toUtf8().constData(), partition);
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, parts, 15000);
    std::optional<std::int64_t> result;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (error)
            *error = QStringLiteral("rd_kafka_committed: %1").arg(QString::fromUtf8(rd_kafka_err2str(err)));
    } else if (parts->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (error)
            *error =
                QStringLiteral("rd_kafka_committed: %1").arg(QString::fromUtf8(rd_kafka_err2str(parts->elems[0].err)));
    } else {
        result = parts->elems[0].offset; // RD_KAFKA_OFFSET_INVALID (-1001): nothing committed
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    return result;
}

} // namespace kpw::test
