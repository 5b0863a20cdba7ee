#include "TestBroker.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QThread>
#include <QTest>

#include <librdkafka/rdkafka.h>

#include <memory>

namespace kpw::test {
namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

struct RdKafkaDeleter
{
    void operator()(rd_kafka_t *rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

RdKafkaPtr newAdminClient(const QString &bootstrap, QString *error)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        setError(error, QStringLiteral("librdkafka config: %1").arg(QString::fromUtf8(errstr)));
        return {};
    }
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) { // conf is still ours when rd_kafka_new fails
        rd_kafka_conf_destroy(conf);
        setError(error, QStringLiteral("rd_kafka_new: %1").arg(QString::fromUtf8(errstr)));
        return {};
    }
    return RdKafkaPtr(rk);
}

// True once metadata shows `partitions` partitions, each with a leader.
bool topicReady(rd_kafka_t *rk, const QByteArray &topic, int partitions, QString *why)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic.constData(), nullptr);
    const rd_kafka_metadata_t *md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        *why = QStringLiteral("metadata: %1").arg(QString::fromUtf8(rd_kafka_err2str(err)));
        return false;
    }
    bool ready = false;
    for (int i = 0; i < md->topic_cnt; ++i) {
        const rd_kafka_metadata_topic &t = md->topics[i];
        if (topic != t.topic)
            continue;
        if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            *why = QStringLiteral("topic error %1").arg(QString::fromUtf8(rd_kafka_err2name(t.err)));
            break;
        }
        if (t.partition_cnt != partitions) {
            *why = QStringLiteral("%1 of %2 partitions").arg(t.partition_cnt).arg(partitions);
            break;
        }
        ready = true;
        for (int p = 0; p < t.partition_cnt; ++p) {
            if (t.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[p].leader < 0) {
                *why = QStringLiteral("partition %1 has no leader").arg(t.partitions[p].id);
                ready = false;
            }
        }
    }
    rd_kafka_metadata_destroy(md);
    return ready;
}

} // namespace

QString bootstrap()
{
    const QByteArray direct = qgetenv("KPW_TEST_BOOTSTRAP").trimmed();
    if (!direct.isEmpty())
        return QString::fromUtf8(direct);

    QString problem;
    const QString file = qEnvironmentVariable("KPW_TEST_BOOTSTRAP_FILE");
    if (file.isEmpty()) {
        problem = QStringLiteral("no Kafka broker: neither KPW_TEST_BOOTSTRAP nor KPW_TEST_BOOTSTRAP_FILE is set. "
                                 "Run this test through ctest (the 'kafka' fixture starts a broker) or set "
                                 "KPW_TEST_BOOTSTRAP=host:port.");
    } else {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            problem = QStringLiteral("no Kafka broker: cannot read KPW_TEST_BOOTSTRAP_FILE=%1 (%2); did the "
                                     "kafka_start fixture run and succeed?")
                          .arg(file, f.errorString());
        } else {
            const QString boot = QString::fromUtf8(f.readAll()).trimmed();
            if (!boot.isEmpty())
                return boot;
            problem = QStringLiteral("no Kafka broker: KPW_TEST_BOOTSTRAP_FILE=%1 is empty").arg(file);
        }
    }

    if (QTest::currentTestFunction()) {
        QTest::qFail(qPrintable(problem), __FILE__, __LINE__);
        return {};
    }
    qFatal("%s", qPrintable(problem));
    return {};
}

bool createTopic(const QString &bootstrap, const QString &topic, int partitions, QString *error, int timeoutMs)
{
    return createTopic(bootstrap, topic, partitions, {}, error, timeoutMs);
}

bool createTopic(const QString &bootstrap, const QString &topic, int partitions, const QMap<QString, QString> &configs,
                 QString *error, int timeoutMs)
{
    return createTopic(bootstrap, topic, partitions, 1, configs, error, timeoutMs);
}

bool createTopic(const QString &bootstrap, const QString &topic, int partitions, int replicationFactor,
                 const QMap<QString, QString> &configs, QString *error, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    RdKafkaPtr rk = newAdminClient(bootstrap, error);
    if (!rk)
        return false;
    const QByteArray name = topic.toUtf8();
    char errstr[512];

    rd_kafka_NewTopic_t *newTopic =
        rd_kafka_NewTopic_new(name.constData(), partitions, replicationFactor, errstr, sizeof errstr);
    if (!newTopic) {
        setError(error, QStringLiteral("NewTopic %1: %2").arg(topic, QString::fromUtf8(errstr)));
        return false;
    }
    for (auto it = configs.begin(); it != configs.end(); ++it) {
        if (rd_kafka_NewTopic_set_config(newTopic, it.key().toUtf8().constData(), it.value().toUtf8().constData()) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            setError(error, QStringLiteral("NewTopic %1: bad config %2").arg(topic, it.key()));
            rd_kafka_NewTopic_destroy(newTopic);
            return false;
        }
    }
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, errstr, sizeof errstr);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk.get());
    rd_kafka_CreateTopics(rk.get(), &newTopic, 1, options, queue);

    bool ok = false;
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, timeoutMs + 5000);
    if (!event) {
        setError(error, QStringLiteral("CreateTopics %1: no result within %2 ms").arg(topic).arg(timeoutMs));
    } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        setError(
            error,
            QStringLiteral("CreateTopics %1: %2").arg(topic, QString::fromUtf8(rd_kafka_event_error_string(event))));
    } else {
        const rd_kafka_CreateTopics_result_t *result = rd_kafka_event_CreateTopics_result(event);
        size_t n = 0;
        const rd_kafka_topic_result_t **topics = rd_kafka_CreateTopics_result_topics(result, &n);
        ok = n == 1;
        if (!ok)
            setError(error, QStringLiteral("CreateTopics %1: %2 results").arg(topic).arg(n));
        for (size_t i = 0; i < n; ++i) {
            const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                ok = false;
                const char *msg = rd_kafka_topic_result_error_string(topics[i]);
                setError(error,
                         QStringLiteral("CreateTopics %1: %2 (%3)")
                             .arg(topic, QString::fromUtf8(rd_kafka_err2name(err)), QString::fromUtf8(msg ? msg : "")));
            }
        }
    }
    if (event)
        rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(newTopic);
    if (!ok)
        return false;

    QString why;
    while (!topicReady(rk.get(), name, partitions, &why)) {
        if (deadline.hasExpired()) {
            setError(error, QStringLiteral("topic %1 not ready after %2 ms: %3").arg(topic).arg(timeoutMs).arg(why));
            return false;
        }
        QThread::msleep(100);
    }
    return true;
}

std::optional<bool> topicExists(const QString &bootstrap, const QString &topic)
{
    RdKafkaPtr rk = newAdminClient(bootstrap, nullptr);
    if (!rk)
        return std::nullopt;
    const rd_kafka_metadata_t *md = nullptr;
    if (rd_kafka_metadata(rk.get(), 1, nullptr, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return std::nullopt;
    const QByteArray name = topic.toUtf8();
    bool found = false;
    for (int i = 0; i < md->topic_cnt; ++i)
        found = found || name == md->topics[i].topic;
    rd_kafka_metadata_destroy(md);
    return found;
}

QString uniqueTopic(const QString &prefix)
{
    return QStringLiteral("%1-%2").arg(prefix).arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

void failOnCrossThreadTimers()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("another thread|different thread")));
}

} // namespace kpw::test
