#pragma once

#include "net/FaultPlan.h"
#include "net/Security.h"
#include "wire/ApiKeys.h"
#include "wire/Result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

class QSslError;
class QTcpSocket;

namespace kpw {

class SaslMechanism;

struct ConnectionOptions
{
    QString clientId = QStringLiteral("kpw");
    int connectTimeoutMs = 10000;
    int requestTimeoutMs = 30000;
    // A response frame larger than this is a protocol error, not an allocation.
    qint32 maxResponseSize = 100 * 1024 * 1024;
    // Faults to inject (the fault lab); null: none.
    std::shared_ptr<FaultPlan> faults;
    // TLS and SASL; PLAINTEXT by default.
    SecurityOptions security;
};

// One TCP connection to one broker, living on the producer's thread.
//
// Requests are queued until the connection is up and API versions are
// negotiated; each is then encoded at the version both sides support and
// written in order. Responses must come back in request order (Kafka
// guarantees it per connection): a frame whose correlation id is not the
// oldest outstanding one, one that answers nothing, or one larger than
// maxResponseSize ends the connection with a protocol error. With TLS the
// socket is a QSslSocket and nothing is sent before the handshake; with SASL
// the SaslHandshake/SaslAuthenticate exchange runs right after ApiVersions
// and queued requests wait until it succeeded. Every request
// ends exactly once: with its response body, or with an Error (connection
// failed, closed, timed out, protocol error, unsupported version).
class BrokerConnection final : public QObject
{
    Q_OBJECT

public:
    // body: the response body after its header; version: the version used.
    using Callback = std::function<void(Result<QByteArray> body, std::int16_t version)>;
    using Encoder = std::function<QByteArray(std::int16_t version)>;

    BrokerConnection(std::int32_t nodeId, QString host, quint16 port, ConnectionOptions options,
                     QObject *parent = nullptr);
    ~BrokerConnection() override;

    // expectResponse=false (Produce with acks=0): the callback gets an empty
    // body once the request is written. maxVersion >= 0 caps the negotiated
    // version for this request (e.g. Produce v11 for transaction protocol v1).
    void send(ApiKey key, Encoder encode, Callback done, bool expectResponse = true, std::int16_t maxVersion = -1);

    std::int32_t nodeId() const { return m_nodeId; }
    QString address() const { return QStringLiteral("%1:%2").arg(m_host).arg(m_port); }
    QString describe() const; // "broker 1 (127.0.0.1:9092)" or "bootstrap 127.0.0.1:9092"
    bool isReady() const { return m_state == State::Ready; }
    bool isConnecting() const
    {
        return m_state == State::Connecting || m_state == State::Negotiating || m_state == State::Authenticating;
    }
    int inFlight() const { return static_cast<int>(m_inFlight.size()); }
    int queued() const { return static_cast<int>(m_queue.size()); }
    // The version both sides support, or -1 (before negotiation or none).
    std::int16_t negotiatedVersion(ApiKey key) const;
    const QHash<std::int16_t, VersionRange> &brokerVersions() const { return m_brokerVersions; }
    const QHash<QString, std::int16_t> &finalizedFeatures() const { return m_features; }
    // What secured the connection, for "Test connection": "TLSv1.3,
    // TLS_AES_256_GCM_SHA384, peer CN=broker" and "SCRAM-SHA-512 as alice";
    // empty when not used (or not yet).
    QString tlsSummary() const { return m_tlsSummary; }
    QString saslSummary() const { return m_saslSummary; }

    // Opens the connection now (send() does so on demand).
    void connectToBroker();
    // Fails everything outstanding with `why` and closes.
    void abort(const Error &why);

Q_SIGNALS:
    void ready();
    void failed(const kpw::Error &error); // connect, negotiation or protocol failure; or closed by peer

private:
    enum class State { Disconnected, Connecting, Negotiating, Authenticating, Ready };
    struct Pending
    {
        ApiKey key;
        Encoder encode;
        Callback done;
        bool expectResponse = true;
        std::int16_t version = -1;
        std::int32_t correlationId = 0;
        qint64 deadlineMs = 0;
        std::int16_t maxVersion = -1;
        bool dropResponse = false; // injected lost ack
    };

    void onConnected();
    void onReadyRead();
    void onSocketError();
    void onTick();
    void negotiate(std::int16_t apiVersionsVersion);
    void onNegotiated();
    // TLS and SASL (BrokerConnectionSecurity.cpp).
    bool setUpTls();
    void onSslErrors(const QList<QSslError> &errors);
    QString describeSocketError() const;
    QString setupStage() const; // what the connect deadline waits for
    Error frameSizeError(std::int32_t size) const;
    void authenticate();
    void saslSend(const QByteArray &token);
    void becomeReady();
    bool reauthDue() const { return m_reauthAtMs > 0 && m_clock.elapsed() >= m_reauthAtMs; }
    void closeForReauthentication();
    void flushQueue();
    void writeRequest(Pending p);
    void handleFrame(QByteArray frame);
    void processDelayed();
    void injectDisconnect(const QString &why);
    void failAll(const Error &error);
    Error withPeer(std::int16_t code, const QString &what) const;

    std::int32_t m_nodeId;
    QString m_host;
    quint16 m_port;
    ConnectionOptions m_options;
    State m_state = State::Disconnected;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_readBuffer;
    std::int32_t m_nextCorrelationId = 1;
    std::deque<Pending> m_queue;    // waiting for the connection
    std::deque<Pending> m_inFlight; // written, awaiting responses, oldest first
    QHash<std::int16_t, VersionRange> m_brokerVersions;
    QHash<QString, std::int16_t> m_features;
    QTimer m_tick{this}; // deadlines: connect and requests
    QElapsedTimer m_clock;
    qint64 m_connectDeadlineMs = 0;
    struct DelayedFrame
    {
        qint64 dueMs;
        QByteArray frame;
    };
    std::deque<DelayedFrame> m_delayed; // injected response delay, oldest first
    bool m_tcpUp = false; // TCP connected (the TLS handshake may still run)
    QString m_tlsError;   // why the certificate was refused, from sslErrors
    QString m_tlsSummary;
    QString m_saslSummary;
    std::unique_ptr<SaslMechanism> m_sasl;
    qint64 m_reauthAtMs = 0; // reconnect before the broker's SASL session ends (KIP-368)
};

} // namespace kpw
