#include "AdminClient.h"

#include "producer/ProducerConfig.h"
#include "wire/KafkaError.h"

#include <QPointer>
#include <QThread>

namespace kpw {

namespace {
void registerMetaTypes()
{
    static const bool once = [] {
        qRegisterMetaType<kpw::TopicDescription>();
        qRegisterMetaType<QList<kpw::TopicDescription>>();
        qRegisterMetaType<kpw::ConfigEntry>();
        qRegisterMetaType<QList<kpw::ConfigEntry>>();
        qRegisterMetaType<kpw::CreatedTopic>();
        qRegisterMetaType<kpw::NewTopic>();
        qRegisterMetaType<kpw::Error>();
        return true;
    }();
    Q_UNUSED(once);
}
} // namespace

AdminClient::AdminClient(QObject *parent) : CallReceiver(parent)
{
    registerMetaTypes();
}

AdminClient::~AdminClient()
{
    stop();
}

void AdminClient::stop()
{
    if (!m_thread)
        return;
    // The engine is deleted on its thread as the loop ends (its sockets too);
    // answers still queued for this object are dropped with m_pending.
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_engine = nullptr;
    if (!m_pending.isEmpty()) {
        m_pending.clear();
        Q_EMIT pendingChanged(0);
    }
}

Result<bool> AdminClient::configure(const ProducerConfig &config)
{
    const QStringList servers = config.bootstrapServers();
    if (servers.isEmpty())
        return Error{KafkaError::ClientInvalidConfig, QStringLiteral("bootstrap.servers is empty: give HOST:PORT")};
    auto options = adminConnectionOptions(config);
    if (!options)
        return options.error();
    configure(servers.join(QLatin1Char(',')), *options);
    return true;
}

void AdminClient::configure(const QString &bootstrap, const ConnectionOptions &options)
{
    stop();
    m_bootstrap = bootstrap;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("kpw-admin"));
    m_engine = new TopicAdmin(bootstrap, options);
    m_engine->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread->start();
}

bool AdminClient::take(quint64 id)
{
    if (!m_pending.remove(id))
        return false;
    Q_EMIT pendingChanged(pending());
    return true;
}

void AdminClient::cancel(quint64 id)
{
    if (m_pending.remove(id))
        Q_EMIT pendingChanged(pending());
}

// Runs work(engine, deliver) on the engine's thread; deliver(fn) runs fn on
// this object's thread if the answer is still wanted.
template <typename Work> quint64 AdminClient::post(const QString &operation, Work work)
{
    const quint64 id = m_nextId++;
    m_pending.insert(id);
    Q_EMIT pendingChanged(pending());
    if (!m_engine) {
        postCall(this, [this, id, operation] {
            if (take(id))
                Q_EMIT failed(id, operation,
                              Error{KafkaError::ClientInvalidConfig,
                                    QStringLiteral("not connected: give the bootstrap servers first")});
        });
        return id;
    }
    QPointer<AdminClient> self(this);
    TopicAdmin *engine = m_engine;
    // The engine runs the callbacks on its thread; the answers cross back as
    // queued calls on this object (dropped if it is gone: QPointer is only
    // read on this object's thread, inside the queued call).
    postCall(engine, [self, engine, id, operation, work, receiver = this] {
        auto deliver = [receiver, self, id, operation](auto fn) {
            postCall(receiver, [self, id, operation, fn] {
                if (self && self->take(id))
                    fn(self.data(), id, operation);
            });
        };
        work(engine, deliver);
    });
    return id;
}

quint64 AdminClient::describeTopics(const std::optional<QStringList> &names)
{
    return post(QStringLiteral("describe topics"), [names](TopicAdmin *engine, auto deliver) {
        engine->describeTopics(names, [deliver](Result<QList<TopicDescription>> r) {
            deliver([r = std::move(r)](AdminClient *c, quint64 id, const QString &op) {
                if (r)
                    Q_EMIT c->topicsDescribed(id, *r);
                else
                    Q_EMIT c->failed(id, op, r.error());
            });
        });
    });
}

quint64 AdminClient::describeConfigs(const QString &topic)
{
    return post(QStringLiteral("describe configs"), [topic](TopicAdmin *engine, auto deliver) {
        engine->describeConfigs(topic, [deliver, topic](Result<QList<ConfigEntry>> r) {
            deliver([r = std::move(r), topic](AdminClient *c, quint64 id, const QString &op) {
                if (r)
                    Q_EMIT c->configsDescribed(id, topic, *r);
                else
                    Q_EMIT c->failed(id, op, r.error());
            });
        });
    });
}

quint64 AdminClient::createTopic(const NewTopic &topic, bool validateOnly)
{
    return post(validateOnly ? QStringLiteral("validate topic") : QStringLiteral("create topic"),
                [topic, validateOnly](TopicAdmin *engine, auto deliver) {
                    engine->createTopic(topic, validateOnly, [deliver, validateOnly](Result<CreatedTopic> r) {
                        deliver([r = std::move(r), validateOnly](AdminClient *c, quint64 id, const QString &op) {
                            if (r)
                                Q_EMIT c->topicCreated(id, *r, validateOnly);
                            else
                                Q_EMIT c->failed(id, op, r.error());
                        });
                    });
                });
}

quint64 AdminClient::deleteTopic(const QString &topic)
{
    return post(QStringLiteral("delete topic"), [topic](TopicAdmin *engine, auto deliver) {
        engine->deleteTopic(topic, [deliver, topic](Result<bool> r) {
            deliver([r = std::move(r), topic](AdminClient *c, quint64 id, const QString &op) {
                if (r)
                    Q_EMIT c->topicDeleted(id, topic);
                else
                    Q_EMIT c->failed(id, op, r.error());
            });
        });
    });
}

} // namespace kpw
