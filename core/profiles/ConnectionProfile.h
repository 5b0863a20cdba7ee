#pragma once

#include "producer/ProducerConfig.h"
#include "wire/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace kpw {

// A saved connection: where the cluster is and how to authenticate. Two maps:
//
//  settings  every non-secret client setting, by its Java name where Java has
//            one (ssl.ca.location is kept as ssl.truststore.location, ...),
//            keys kpw does not know included, so an export gives them back;
//  secrets   passwords, key passphrases, tokens, inline private keys: the
//            store keeps these in the system keychain, never in QSettings.
//
// sasl.jaas.config is split on import: its username goes to settings
// (sasl.username), its password to secrets (sasl.password), its login module
// and other options to kpw.jaas.* settings; export rebuilds it.
struct ConnectionProfile
{
    QString name;
    QMap<QString, QString> settings;
    QMap<QString, QString> secrets;

    // The fields the Connections dialog edits.
    QString bootstrap() const { return settings.value(QStringLiteral("bootstrap.servers")); }
    QString securityProtocol() const; // PLAINTEXT when unset
    QString saslMechanism() const;    // empty unless SASL; PLAIN when SASL and unset
    QString username() const { return settings.value(QStringLiteral("sasl.username")); }
    QString password() const { return secrets.value(QStringLiteral("sasl.password")); }
    QString caFile() const { return settings.value(QStringLiteral("ssl.truststore.location")); }
    QString certFile() const; // ssl.keystore.location or ssl.certificate.location
    QString keyFile() const { return settings.value(QStringLiteral("ssl.key.location")); }
    QString keyPassword() const { return secrets.value(QStringLiteral("ssl.key.password")); }
    bool verifyHostname() const;
    QString oauthTokenFile() const { return settings.value(QStringLiteral("sasl.oauthbearer.token.file")); }
    QString oauthToken() const { return secrets.value(QStringLiteral("sasl.oauthbearer.token")); }
    QString schemaRegistryUrl() const { return settings.value(QStringLiteral("schema.registry.url")); }

    // Setters keep the maps canonical (empty removes the key).
    void setSetting(const QString &key, const QString &value);
    void setSecret(const QString &key, const QString &value);
    // CA, client certificate and key: one file holding both (keyFile empty)
    // is ssl.keystore.location, two files ssl.certificate.location + ssl.key.location.
    void setTlsFiles(const QString &caFile, const QString &certFile, const QString &keyFile);
    void setVerifyHostname(bool on);

    // Whether a setting's value is a secret (password, passphrase, token,
    // private key, credentials): those go to `secrets`, never to a file.
    static bool isSecretKey(const QString &key);
    // Profile names are QSettings groups and keychain keys: non-empty, at
    // most 100 characters, no '/' or '\'. Empty string when fine.
    static QString nameError(const QString &name);

    // Imports a Java client.properties or librdkafka-style text (either
    // spelling, mixed too). Fails on a malformed line or sasl.jaas.config,
    // naming the line. *notes lists what was translated.
    static Result<ConnectionProfile> fromProperties(const QString &name, const QString &text,
                                                    const QString &sourceName = QStringLiteral("properties"),
                                                    QStringList *notes = nullptr);
    static Result<ConnectionProfile> fromPropertiesFile(const QString &name, const QString &path,
                                                        QStringList *notes = nullptr);
    // A client.properties text with the Java names and sasl.jaas.config
    // rebuilt. withSecrets=false: each secret is a comment saying where it
    // is, never its value.
    QString toProperties(bool withSecrets) const;

    // Applies the profile to a producer configuration (settings, then
    // secrets). Settings the producer does not take (schema.registry.url,
    // kpw.jaas.*, Java settings kpw ignores) are skipped and named in
    // *warnings; a value the producer refuses is an error naming the key.
    Result<bool> applyTo(ProducerConfig &config, QStringList *warnings = nullptr) const;

    // Per-field validation for the dialog and the command line: field key
    // (name, bootstrap.servers, security.protocol, sasl.mechanism,
    // sasl.username, sasl.password, ssl.truststore.location,
    // ssl.keystore.location, ssl.key.location, sasl.oauthbearer.token.file)
    // to its error. Empty: valid. checkSecrets=false skips the password
    // check (secrets not loaded, e.g. the keychain is unavailable).
    QMap<QString, QString> validate(bool checkSecrets = true) const;

    bool operator==(const ConnectionProfile &) const = default;
};

} // namespace kpw
