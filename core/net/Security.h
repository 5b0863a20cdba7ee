#pragma once

#include <QString>

namespace kpw {

// How a connection is secured: Kafka's security.protocol and what it needs.
// Built from the producer settings by ProducerConfig::security(), which also
// resolves the Java and librdkafka spellings; files are read at connect time.
struct SecurityOptions
{
    enum class Protocol { Plaintext, Ssl, SaslPlaintext, SaslSsl };
    Protocol protocol = Protocol::Plaintext;

    // TLS (SSL, SASL_SSL)
    QString caFile;             // PEM bundle; empty: the system's trust store
    QString certFile;           // PEM client certificate (chain); may also hold the key
    QString keyFile;            // PEM private key; empty: read it from certFile
    QString keyPassword;        // for an encrypted key
    bool verifyHostname = true; // ssl.endpoint.identification.algorithm=https

    // SASL (SASL_PLAINTEXT, SASL_SSL)
    QString mechanism; // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
    QString username;
    QString password;
    QString oauthToken;     // OAUTHBEARER: the token itself ...
    QString oauthTokenFile; // ... or a file holding it (read at each login)

    bool tls() const { return protocol == Protocol::Ssl || protocol == Protocol::SaslSsl; }
    bool sasl() const { return protocol == Protocol::SaslPlaintext || protocol == Protocol::SaslSsl; }
    static QString protocolName(Protocol p);
};

} // namespace kpw
