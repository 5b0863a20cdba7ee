#pragma once

#include "admin/TopicAdmin.h"
#include "threads/CrossThread.h"
#include "wire/Result.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

class QThread;

namespace kpw {

class ProducerConfig;

// The thread-safe face of TopicAdmin, for the GUI and kpw-cli: the engine
// and its sockets live on a worker thread; every call returns at once with
// an id that comes back with the answer in exactly one signal (the result or
// failed()), emitted on this object's thread. cancel(id) drops an answer
// that is still to come (the request itself runs to its end on the worker).
class AdminClient final : public CallReceiver
{
    Q_OBJECT

public:
    explicit AdminClient(QObject *parent = nullptr);
    ~AdminClient() override; // stops the engine, quits and joins the thread

    // Uses the producer's settings (bootstrap.servers, client.id, timeouts,
    // TLS, SASL); starts a new engine. An error when the settings cannot
    // make a connection (no bootstrap server, a bad security setting).
    Result<bool> configure(const ProducerConfig &config);
    void configure(const QString &bootstrap, const ConnectionOptions &options);
    bool isConfigured() const { return m_engine != nullptr; }
    QString bootstrap() const { return m_bootstrap; }

    quint64 describeTopics(const std::optional<QStringList> &names = std::nullopt);
    quint64 describeConfigs(const QString &topic);
    quint64 createTopic(const kpw::NewTopic &topic, bool validateOnly);
    quint64 deleteTopic(const QString &topic);
    void cancel(quint64 id);
    // Requests whose answer has not been emitted yet (cancelled ones excluded).
    int pending() const { return static_cast<int>(m_pending.size()); }

Q_SIGNALS:
    void topicsDescribed(quint64 id, const QList<kpw::TopicDescription> &topics);
    void configsDescribed(quint64 id, const QString &topic, const QList<kpw::ConfigEntry> &configs);
    void topicCreated(quint64 id, const kpw::CreatedTopic &topic, bool validateOnly);
    void topicDeleted(quint64 id, const QString &topic);
    // operation: "describe topics", "describe configs", "create topic", "delete topic".
    void failed(quint64 id, const QString &operation, const kpw::Error &error);
    void pendingChanged(int pending);

private:
    template <typename Work> quint64 post(const QString &operation, Work work);
    bool take(quint64 id); // true when the answer is still wanted
    void stop();

    QThread *m_thread = nullptr;
    TopicAdmin *m_engine = nullptr; // lives on m_thread; deleted there
    QString m_bootstrap;
    quint64 m_nextId = 1;
    QSet<quint64> m_pending;
};

} // namespace kpw
