#include "BrokerConnection.h"

#include "messages/ApiVersions.h"
#include "messages/Framing.h"
#include "net/SaslMechanism.h"
#include "wire/ByteReader.h"
#include "wire/KafkaError.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QtEndian>

#include <algorithm>

namespace kpw {

BrokerConnection::BrokerConnection(std::int32_t nodeId, QString host, quint16 port, ConnectionOptions options,
                                   QObject *parent)
    : QObject(parent), m_nodeId(nodeId), m_host(std::move(host)), m_port(port), m_options(std::move(options))
{
    m_clock.start();
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &BrokerConnection::onTick);
}

BrokerConnection::~BrokerConnection()
{
    // Outstanding callbacks must still end exactly once.
    if (!m_queue.empty() || !m_inFlight.empty())
        failAll(withPeer(KafkaError::ClientShutdown, QStringLiteral("connection closed by the client")));
}

QString BrokerConnection::describe() const
{
    if (m_nodeId < 0)
        return QStringLiteral("bootstrap %1").arg(address());
    return QStringLiteral("broker %1 (%2)").arg(m_nodeId).arg(address());
}

Error BrokerConnection::withPeer(std::int16_t code, const QString &what) const
{
    return {code, QStringLiteral("%1: %2").arg(describe(), what)};
}

std::int16_t BrokerConnection::negotiatedVersion(ApiKey key) const
{
    const VersionRange client = Api::clientRange(key);
    const auto it = m_brokerVersions.find(static_cast<std::int16_t>(key));
    if (!client.valid() || it == m_brokerVersions.end())
        return -1;
    const std::int16_t v = std::min(client.max, it->max);
    if (v < std::max(client.min, it->min))
        return -1;
    return v;
}

void BrokerConnection::connectToBroker()
{
    if (m_state != State::Disconnected)
        return;
    m_state = State::Connecting;
    m_readBuffer.clear();
    m_tcpUp = false;
    m_tlsError.clear();
    m_tlsSummary.clear();
    m_saslSummary.clear();
    const bool tls = m_options.security.tls();
    m_socket = tls ? new QSslSocket(this) : new QTcpSocket(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (tls) {
        // Kafka starts once the handshake is done, not at the TCP connect.
        connect(m_socket, &QTcpSocket::connected, this, [this] { m_tcpUp = true; });
        if (!setUpTls())
            return; // failing is queued: send() must not call back synchronously
    } else {
        connect(m_socket, &QTcpSocket::connected, this, &BrokerConnection::onConnected);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &BrokerConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &BrokerConnection::onSocketError);
    m_connectDeadlineMs = m_clock.elapsed() + m_options.connectTimeoutMs;
    m_tick.start();
    if (tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_host, m_port);
    else
        m_socket->connectToHost(m_host, m_port);
}

void BrokerConnection::send(ApiKey key, Encoder encode, Callback done, bool expectResponse, std::int16_t maxVersion)
{
    Pending p;
    p.maxVersion = maxVersion;
    p.key = key;
    p.encode = std::move(encode);
    p.done = std::move(done);
    p.expectResponse = expectResponse;
    m_queue.push_back(std::move(p));
    if (m_state == State::Ready)
        flushQueue();
    else
        connectToBroker();
}

void BrokerConnection::onConnected()
{
    // TCP_NODELAY once the socket exists: with Nagle on, a request's body
    // waited for the ACK of its header segment (delayed ACK, ~40 ms).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_state = State::Negotiating;
    negotiate(Api::clientRange(ApiKey::ApiVersions).max);
}

void BrokerConnection::negotiate(std::int16_t apiVersionsVersion)
{
    Pending p;
    p.key = ApiKey::ApiVersions;
    p.version = apiVersionsVersion;
    p.encode = [](std::int16_t v) { return ApiVersionsRequest{}.encode(v); };
    p.done = [this](Result<QByteArray> body, std::int16_t version) {
        if (!body)
            return; // failAll already reported it
        auto resp = ApiVersionsResponse::decode(*body, version);
        if (!resp) {
            abort(withPeer(KafkaError::ClientProtocolError, resp.error().message));
            return;
        }
        if (resp->errorCode == KafkaError::UnsupportedVersion) {
            const auto it = resp->apis.find(static_cast<std::int16_t>(ApiKey::ApiVersions));
            if (version > 0 && it != resp->apis.end() && it->max < version && it->max >= 0) {
                negotiate(it->max);
                return;
            }
            // Brokers before Kafka 2.4 refuse a newer ApiVersions without
            // saying which one they take: v0 then, as the Java client.
            if (version > 0 && it == resp->apis.end()) {
                negotiate(0);
                return;
            }
        }
        if (resp->errorCode != 0) {
            abort(withPeer(
                resp->errorCode,
                QStringLiteral("ApiVersions v%1 failed: %2").arg(version).arg(KafkaError::describe(resp->errorCode))));
            return;
        }
        m_brokerVersions.clear();
        for (auto it = resp->apis.cbegin(); it != resp->apis.cend(); ++it)
            m_brokerVersions.insert(it.key(), it.value());
        m_features.clear();
        for (auto it = resp->finalizedFeatures.cbegin(); it != resp->finalizedFeatures.cend(); ++it)
            m_features.insert(it.key(), it.value());
        onNegotiated();
    };
    writeRequest(std::move(p));
}

void BrokerConnection::flushQueue()
{
    QPointer<BrokerConnection> self(this);
    while (self && m_state == State::Ready && !m_queue.empty() && !reauthDue()) {
        Pending p = std::move(m_queue.front());
        m_queue.pop_front();
        std::int16_t v = negotiatedVersion(p.key);
        if (v >= 0 && p.maxVersion >= 0)
            v = v > p.maxVersion ? p.maxVersion : v;
        if (v >= 0 && v < Api::clientRange(p.key).min)
            v = -1;
        if (v < 0) {
            const VersionRange c = Api::clientRange(p.key);
            const auto it = m_brokerVersions.find(static_cast<std::int16_t>(p.key));
            const QString broker = it == m_brokerVersions.end()
                                       ? QStringLiteral("does not support it at all")
                                       : QStringLiteral("supports v%1-v%2").arg(it->min).arg(it->max);
            p.done(withPeer(KafkaError::UnsupportedVersion, QStringLiteral("no common version of %1: the broker %2, "
                                                                           "this client v%3-v%4")
                                                                .arg(Api::name(p.key), broker)
                                                                .arg(c.min)
                                                                .arg(c.max)),
                   -1);
            continue;
        }
        p.version = v;
        writeRequest(std::move(p));
    }
}

void BrokerConnection::writeRequest(Pending p)
{
    p.correlationId = m_nextCorrelationId++;
    if (m_nextCorrelationId < 0)
        m_nextCorrelationId = 1;
    const QByteArray body = p.encode(p.version);
    p.encode = nullptr; // the request's bytes are not needed any more
    m_socket->write(requestHeader(p.key, p.version, p.correlationId, m_options.clientId, body.size()));
    m_socket->write(body);
    if (!p.expectResponse) {
        auto done = std::move(p.done);
        done(QByteArray(), p.version);
        return;
    }
    p.deadlineMs = m_clock.elapsed() + m_options.requestTimeoutMs;
    bool disconnect = false;
    if (FaultPlan *f = m_options.faults.get(); f && p.key == ApiKey::Produce) {
        ++f->produceWritten;
        if (f->lostAckAt > 0 && f->produceWritten == f->lostAckAt) {
            f->lostAckAt = 0;
            p.dropResponse = true;
        }
        if (f->disconnectAfterSendAt > 0 && f->produceWritten == f->disconnectAfterSendAt) {
            f->disconnectAfterSendAt = 0;
            disconnect = true;
        }
    }
    const std::int32_t correlationId = p.correlationId;
    m_inFlight.push_back(std::move(p));
    if (disconnect)
        injectDisconnect(QStringLiteral("fault injected: closed the connection right after writing Produce "
                                        "(correlation id %1); the broker may or may not have written it")
                             .arg(correlationId));
}

void BrokerConnection::injectDisconnect(const QString &why)
{
    if (m_options.faults && m_options.faults->onFault)
        m_options.faults->onFault(QStringLiteral("%1: %2").arg(describe(), why));
    // Let the written bytes leave first: a graceful close after a flush, so
    // the broker receives the request and only its answer is lost.
    if (m_socket) {
        QTcpSocket *s = m_socket;
        m_socket = nullptr;
        s->disconnect(this);
        s->flush();
        connect(s, &QAbstractSocket::disconnected, s, &QObject::deleteLater);
        s->disconnectFromHost();
        if (s->state() == QAbstractSocket::UnconnectedState)
            s->deleteLater();
    }
    failAll(withPeer(KafkaError::NetworkException, why));
}

void BrokerConnection::onReadyRead()
{
    QPointer<BrokerConnection> self(this);
    m_readBuffer.append(m_socket->readAll());
    while (self && m_socket && m_readBuffer.size() >= 4) {
        const auto size = qFromBigEndian<std::int32_t>(m_readBuffer.constData());
        if (size < 4 || size > m_options.maxResponseSize) {
            abort(frameSizeError(size));
            return;
        }
        if (m_readBuffer.size() - 4 < size) {
            // Grow once to the frame's size instead of doubling on the way.
            if (m_readBuffer.capacity() < 4 + static_cast<qsizetype>(size))
                m_readBuffer.reserve(4 + static_cast<qsizetype>(size));
            return; // wait for the rest
        }
        // Take the frame without copying it when it is all the buffer holds
        // (the usual case, and the one that matters for large responses).
        QByteArray frame;
        if (m_readBuffer.size() == 4 + static_cast<qsizetype>(size)) {
            frame = std::move(m_readBuffer);
            m_readBuffer = QByteArray();
        } else {
            frame = m_readBuffer.left(4 + static_cast<qsizetype>(size));
            m_readBuffer.remove(0, 4 + static_cast<qsizetype>(size));
        }
        if (!m_delayed.empty() || (m_options.faults && m_options.faults->delayMs > 0)) {
            const int delay = m_options.faults ? m_options.faults->delayMs : 0;
            m_delayed.push_back({m_clock.elapsed() + delay, std::move(frame)});
            QTimer::singleShot(delay, this, &BrokerConnection::processDelayed);
            continue;
        }
        handleFrame(std::move(frame));
    }
}

void BrokerConnection::processDelayed()
{
    QPointer<BrokerConnection> self(this);
    while (self && !m_delayed.empty() && m_delayed.front().dueMs <= m_clock.elapsed()) {
        QByteArray frame = std::move(m_delayed.front().frame);
        m_delayed.pop_front();
        handleFrame(std::move(frame));
    }
}

void BrokerConnection::handleFrame(QByteArray frame)
{
    const auto size = static_cast<std::int32_t>(frame.size() - 4);
    if (m_inFlight.empty()) {
        abort(withPeer(KafkaError::ClientProtocolError,
                       QStringLiteral("received a %1-byte response to no outstanding request").arg(size)));
        return;
    }
    Pending &p = m_inFlight.front();
    auto header = readResponseHeader(QByteArray::fromRawData(frame.constData() + 4, size), p.key, p.version);
    if (!header) {
        abort(withPeer(KafkaError::ClientProtocolError, header.error().message));
        return;
    }
    if (header->correlationId != p.correlationId) {
        abort(withPeer(KafkaError::ClientProtocolError,
                       QStringLiteral("response correlation id %1 does not match the oldest request's %2 (%3)")
                           .arg(header->correlationId)
                           .arg(p.correlationId)
                           .arg(Api::name(p.key))));
        return;
    }
    if (p.dropResponse) {
        const QString why = QStringLiteral("fault injected: lost ack: dropped the %1-byte response to Produce "
                                           "(correlation id %2) and closed the connection; the broker wrote "
                                           "the records, the client never heard back")
                                .arg(size)
                                .arg(p.correlationId);
        if (m_options.faults && m_options.faults->onFault)
            m_options.faults->onFault(QStringLiteral("%1: %2").arg(describe(), why));
        abort(withPeer(KafkaError::NetworkException, why));
        return;
    }
    Pending done = std::move(p);
    m_inFlight.pop_front();
    frame.remove(0, 4 + header->bodyOffset); // in place: no second copy of the body
    done.done(std::move(frame), done.version);
}

void BrokerConnection::onSocketError()
{
    if (!m_socket)
        return;
    const QString why = describeSocketError();
    const auto err = m_socket->error();
    const bool tlsFailure = err == QAbstractSocket::SslHandshakeFailedError ||
                            err == QAbstractSocket::SslInternalError || why.contains(QLatin1StringView(" alert "));
    if (m_options.security.tls() &&
        (((m_tcpUp || !m_tlsError.isEmpty()) && m_state == State::Connecting) || tlsFailure)) {
        abort(withPeer(KafkaError::ClientSslHandshakeFailed, why));
    } else if (m_state == State::Connecting) {
        abort(withPeer(KafkaError::ClientConnectionFailed, QStringLiteral("cannot connect: %1").arg(why)));
    } else if (m_state == State::Authenticating) {
        abort(withPeer(KafkaError::ClientConnectionFailed,
                       QStringLiteral("connection lost during SASL authentication: %1").arg(why)));
    } else if (m_state == State::Negotiating) {
        abort(withPeer(KafkaError::ClientConnectionFailed,
                       QStringLiteral("connection lost during API version negotiation: %1").arg(why)));
    } else {
        abort(withPeer(
            KafkaError::NetworkException,
            QStringLiteral("connection lost with %1 request(s) unanswered: %2").arg(m_inFlight.size()).arg(why)));
    }
}

void BrokerConnection::onTick()
{
    const qint64 now = m_clock.elapsed();
    if (isConnecting() && now > m_connectDeadlineMs) {
        abort(withPeer(KafkaError::ClientTimeout, QStringLiteral("no %1 within socket.connection.setup.timeout.ms=%2")
                                                      .arg(setupStage())
                                                      .arg(m_options.connectTimeoutMs)));
        return;
    }
    if (m_state == State::Ready && reauthDue() && m_inFlight.empty()) {
        closeForReauthentication();
        return;
    }
    if (!m_inFlight.empty() && now > m_inFlight.front().deadlineMs) {
        const Pending &p = m_inFlight.front();
        abort(withPeer(KafkaError::ClientTimeout, QStringLiteral("no response to %1 v%2 within request.timeout.ms=%3")
                                                      .arg(Api::name(p.key))
                                                      .arg(p.version)
                                                      .arg(m_options.requestTimeoutMs)));
        return;
    }
    if (m_state == State::Disconnected)
        m_tick.stop();
}

void BrokerConnection::abort(const Error &why)
{
    failAll(why);
}

void BrokerConnection::failAll(const Error &error)
{
    const bool hadSocket = m_socket != nullptr;
    m_state = State::Disconnected;
    m_tick.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_readBuffer.clear();
    m_delayed.clear();
    m_brokerVersions.clear();
    m_sasl.reset();
    m_reauthAtMs = 0;
    // Callbacks may queue new requests on this connection: take the lists first.
    std::deque<Pending> inFlight;
    std::deque<Pending> queued;
    inFlight.swap(m_inFlight);
    queued.swap(m_queue);
    QPointer<BrokerConnection> self(this);
    for (auto &p : inFlight)
        if (p.done && p.key != ApiKey::ApiVersions)
            p.done(error, p.version);
    for (auto &p : queued)
        p.done(error, -1);
    if (self && hadSocket)
        Q_EMIT failed(error);
}

} // namespace kpw
