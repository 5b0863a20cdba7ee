#include "RdkTxnProducer.h"

#include <librdkafka/rdkafka.h>

namespace kpw::test {

RdkTxnProducer::RdkTxnProducer(const QString &bootstrap, const QString &transactionalId,
                               const QMap<QString, QString> &configs)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    QMap<QString, QString> all = configs;
    all.insert(QStringLiteral("bootstrap.servers"), bootstrap);
    all.insert(QStringLiteral("log_level"), QStringLiteral("3"));
    if (!transactionalId.isEmpty())
        all.insert(QStringLiteral("transactional.id"), transactionalId);
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        if (rd_kafka_conf_set(conf, it.key().toUtf8().constData(), it.value().toUtf8().constData(), errstr,
                              sizeof errstr) != RD_KAFKA_CONF_OK) {
            m_error =
                QStringLiteral("librdkafka config %1=%2: %3").arg(it.key(), it.value(), QString::fromUtf8(errstr));
            rd_kafka_conf_destroy(conf);
            return;
        }
    }
    m_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!m_rk) {
        rd_kafka_conf_destroy(conf);
        m_error = QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr));
        return;
    }
    if (!transactionalId.isEmpty())
        checkError(rd_kafka_init_transactions(m_rk, 30000), "init_transactions");
}

RdkTxnProducer::~RdkTxnProducer()
{
    if (m_rk) {
        rd_kafka_flush(m_rk, 10000);
        rd_kafka_destroy(m_rk);
    }
}

bool RdkTxnProducer::check(int err, const char *what)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return true;
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1: %2").arg(
            QLatin1StringView(what), QString::fromUtf8(rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err))));
    return false;
}

bool RdkTxnProducer::checkError(void *error, const char *what)
{
    auto *e = static_cast<rd_kafka_error_t *>(error);
    if (!e)
        return true;
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1: %2").arg(QLatin1StringView(what), QString::fromUtf8(rd_kafka_error_string(e)));
    rd_kafka_error_destroy(e);
    return false;
}

bool RdkTxnProducer::begin()
{
    return m_rk && checkError(rd_kafka_begin_transaction(m_rk), "begin_transaction");
}

bool RdkTxnProducer::send(const QString &topic, std::int32_t partition, const std::optional<QByteArray> &key,
                          const std::optional<QByteArray> &value)
{
    if (!m_rk)
        return false;
    const QByteArray name = topic.toUtf8();
    // (the macros cast their arguments without parentheses)
    const void *k = key ? key->constData() : nullptr;
    const size_t kLen = key ? static_cast<size_t>(key->size()) : 0;
    void *v = value ? const_cast<char *>(value->constData()) : nullptr;
    const size_t vLen = value ? static_cast<size_t>(value->size()) : 0;
    return check(rd_kafka_producev(m_rk, RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(partition),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(k, kLen),
                                   RD_KAFKA_V_VALUE(v, vLen), RD_KAFKA_V_END),
                 "producev");
}

bool RdkTxnProducer::flush(int timeoutMs)
{
    return m_rk && check(rd_kafka_flush(m_rk, timeoutMs), "flush");
}

bool RdkTxnProducer::commit(int timeoutMs)
{
    return m_rk && checkError(rd_kafka_commit_transaction(m_rk, timeoutMs), "commit_transaction");
}

bool RdkTxnProducer::abort(int timeoutMs)
{
    return m_rk && checkError(rd_kafka_abort_transaction(m_rk, timeoutMs), "abort_transaction");
}

bool rdkCommitOffsets(const QString &bootstrap, const QString &group, const QString &topic,
                      const QMap<std::int32_t, std::int64_t> &offsets, QString *error)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const auto set = [&](const char *k, const QByteArray &v) {
        if (rd_kafka_conf_set(conf, k, v.constData(), errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
            return true;
        if (error)
            *error = QStringLiteral("librdkafka config %1: %2").arg(QLatin1StringView(k), QString::fromUtf8(errstr));
        return false;
    };
    if (!set("bootstrap.servers", bootstrap.toUtf8()) || !set("group.id", group.toUtf8()) ||
        !set("enable.auto.commit", "false") || !set("log_level", "3")) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        if (error)
            *error = QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr));
        return false;
    }
    const QByteArray name = topic.toUtf8();
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(offsets.size());
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        rd_kafka_topic_partition_list_add(list, name.constData(), it.key())->offset = it.value();
    const rd_kafka_resp_err_t err = rd_kafka_commit(rk, list, 0 /* synchronous */);
    bool ok = err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!ok && error)
        *error = QStringLiteral("commit: %1").arg(QString::fromUtf8(rd_kafka_err2str(err)));
    for (int i = 0; ok && i < list->cnt; ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ok = false;
            if (error)
                *error = QStringLiteral("commit of partition %1: %2")
                             .arg(list->elems[i].partition)
                             .arg(QString::fromUtf8(rd_kafka_err2str(list->elems[i].err)));
        }
    }
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return ok;
}

} // namespace kpw::test
