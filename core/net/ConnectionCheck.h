#pragma once

#include "producer/ProducerConfig.h"

#include <QObject>
#include <QStringList>

namespace kpw {

class BrokerConnection;

// "Test connection": connects to every bootstrap server with the settings'
// security, asks each for metadata and reports what it did, one line per
// step: the TLS protocol, cipher and peer certificate, the SASL mechanism and
// user, how many APIs the broker offers, the cluster id and its brokers. A
// failure is reported with the connection's own error (it says what to
// check). Used by `kpw-cli check`; the GUI can run it the same way.
class ConnectionCheck final : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionCheck(QObject *parent = nullptr);
    ~ConnectionCheck() override;

    void run(const ProducerConfig &config);

Q_SIGNALS:
    void line(const QString &text);
    // ok: every bootstrap server connected (and authenticated) and answered Metadata.
    void finished(bool ok);

private:
    void oneDone(bool ok);

    QList<BrokerConnection *> m_connections;
    int m_pending = 0;
    bool m_allOk = true;
    bool m_dying = false;
};

} // namespace kpw
