#pragma once

#include "net/Security.h"
#include "records/Compression.h"
#include "wire/Result.h"

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <utility>

namespace kpw {

// One producer setting, by the Java client's name.
struct ConfigKey
{
    QString name;
    QString defaultValue;
    QString type;        // "int", "long", "bool", "string", "list", "enum"
    QStringList allowed; // for enums
    qint64 min = 0;
    qint64 max = 0; // min == max == 0: no range check
    QString group;
    QString doc;
};

// A parsed sasl.jaas.config: one login module and its options.
struct JaasConfig
{
    QString loginModule; // e.g. org.apache.kafka.common.security.scram.ScramLoginModule
    QMap<QString, QString> options;
};

// Producer settings with Java names ("acks", "linger.ms", ...). Values are
// kept as strings, validated on set, read through typed accessors.
class ProducerConfig final
{
public:
    ProducerConfig();

    static const QList<ConfigKey> &keys();
    static const ConfigKey *key(const QString &name);

    // Fails with a message naming the key (and the allowed values). A Java
    // client setting kpw does not implement yet (key.serializer, ssl.*, ...)
    // is accepted and ignored with a warning in *warning; a name no Kafka
    // client knows is an error (with the nearest known name).
    Result<bool> set(const QString &name, const QString &value, QString *warning = nullptr);
    // Parses a Java .properties text (client.properties); stops at the first
    // bad line and names it; ignored settings are listed in *warnings.
    Result<bool> loadProperties(const QString &text, const QString &sourceName = QStringLiteral("properties"),
                                QStringList *warnings = nullptr);
    Result<bool> loadPropertiesFile(const QString &path, QStringList *warnings = nullptr);
    // The (key, value) pairs of a .properties text in file order, escapes and
    // continuations resolved as java.util.Properties does, nothing validated
    // (connection profiles keep keys kpw does not know).
    static Result<QList<std::pair<QString, QString>>> parsePropertiesText(const QString &text,
                                                                          const QString &sourceName);
    void unset(const QString &name) { m_values.remove(name); }

    QString value(const QString &name) const;
    bool isSet(const QString &name) const { return m_values.contains(name); }
    const QMap<QString, QString> &explicitValues() const { return m_values; }

    QStringList bootstrapServers() const;
    QString clientId() const;
    std::int16_t acks() const; // -1 for "all"
    int lingerMs() const;
    int batchSize() const;
    int maxInFlight() const;
    int requestTimeoutMs() const;
    int deliveryTimeoutMs() const;
    int connectTimeoutMs() const;
    int retries() const;
    int retryBackoffMs() const;
    int retryBackoffMaxMs() const;
    int maxRequestSize() const;
    int maxBlockMs() const;
    qint64 bufferMemory() const;
    int metadataMaxAgeMs() const;
    Compression compression() const;
    std::optional<int> compressionLevel() const;
    bool allowAutoTopicCreation() const;
    QString partitioner() const;
    // Whether the producer runs idempotent: enable.idempotence if set (or a
    // transactional.id), else on unless acks/retries/max.in.flight say otherwise.
    bool idempotent() const;
    // True when acks, retries or max.in.flight rule idempotence out; *why names them.
    bool idempotenceConflict(QString *why = nullptr) const;
    QString transactionalId() const; // empty: not transactional
    int transactionTimeoutMs() const;
    int transactionProtocol() const; // 0 auto, 1 or 2
    // Settings that are valid one by one but not together, e.g.
    // enable.idempotence=true with acks=1: an error naming both keys.
    Result<bool> validate() const;

    // TLS and SASL settings, from the Java names or their librdkafka aliases
    // (the Java name wins when both are set); fails on settings that cannot
    // work together (SASL without a user, a jaas module of another mechanism).
    Result<SecurityOptions> security() const;
    // Passwords, keys and tokens: never shown or written in plain text.
    static bool isSecret(const QString &name);
    static Result<JaasConfig> parseJaasConfig(const QString &text);

    qint64 integer(const QString &name) const;
    bool boolean(const QString &name) const;

private:
    QMap<QString, QString> m_values;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::ProducerConfig)
