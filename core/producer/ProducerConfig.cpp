#include "ProducerConfig.h"

#include "wire/KafkaError.h"

#include <QFile>

#include <algorithm>

namespace kpw {
namespace {

QList<ConfigKey> makeKeys()
{
    const auto s = [](const char *v) { return QString::fromLatin1(v); };
    return {
        {s("bootstrap.servers"),
         s(""),
         s("list"),
         {},
         0,
         0,
         s("Connection"),
         s("host:port pairs used to discover the cluster, comma separated")},
        {s("client.id"),
         s("kpw"),
         s("string"),
         {},
         0,
         0,
         s("Connection"),
         s("Sent to the broker with every request (logs, quotas)")},
        {s("socket.connection.setup.timeout.ms"),
         s("10000"),
         s("int"),
         {},
         1,
         3600000,
         s("Connection"),
         s("How long to wait for a TCP connection (and API version negotiation) to a broker")},
        {s("metadata.max.age.ms"),
         s("300000"),
         s("int"),
         {},
         1,
         86400000,
         s("Connection"),
         s("Refresh metadata at least this often even without errors")},
        {s("allow.auto.create.topics"),
         s("false"),
         s("bool"),
         {},
         0,
         0,
         s("Connection"),
         s("Ask the broker to create a missing topic (if its auto.create.topics.enable allows). "
           "Off by default in kpw: a typo should fail with UNKNOWN_TOPIC_OR_PARTITION, not create a topic")},
        {s("acks"),
         s("all"),
         s("enum"),
         {s("all"), s("-1"), s("0"), s("1")},
         0,
         0,
         s("Delivery"),
         s("Acknowledgements the leader waits for: 0 none, 1 the leader, all the in-sync replicas")},
        {s("linger.ms"),
         s("5"),
         s("int"),
         {},
         0,
         3600000,
         s("Batching"),
         s("How long a batch may wait for more records")},
        {s("batch.size"),
         s("16384"),
         s("int"),
         {},
         1,
         1073741824,
         s("Batching"),
         s("Target size of one partition's batch in bytes")},
        {s("buffer.memory"),
         s("33554432"),
         s("long"),
         {},
         1024,
         0x7fffffffffffLL,
         s("Batching"),
         s("Bytes the producer may hold for records not yet acknowledged")},
        {s("max.block.ms"),
         s("60000"),
         s("int"),
         {},
         0,
         3600000,
         s("Batching"),
         s("How long send() may wait for buffer space or for the topic's metadata")},
        {s("max.request.size"),
         s("1048576"),
         s("int"),
         {},
         1,
         1073741824,
         s("Batching"),
         s("Largest request, and so the largest record, the producer will send")},
        {s("compression.type"),
         s("none"),
         s("enum"),
         {s("none"), s("gzip"), s("snappy"), s("lz4"), s("zstd")},
         0,
         0,
         s("Batching"),
         s("Codec for record batches")},
        {s("compression.gzip.level"),
         s("-1"),
         s("int"),
         {},
         -1,
         9,
         s("Batching"),
         s("gzip level, -1 for zlib's default")},
        {s("compression.lz4.level"), s("9"), s("int"), {}, 1, 17, s("Batching"), s("lz4 level")},
        {s("compression.zstd.level"), s("3"), s("int"), {}, -131072, 22, s("Batching"), s("zstd level")},
        {s("max.in.flight.requests.per.connection"),
         s("5"),
         s("int"),
         {},
         1,
         1000,
         s("Delivery"),
         s("Unacknowledged requests per broker connection")},
        {s("request.timeout.ms"),
         s("30000"),
         s("int"),
         {},
         1,
         3600000,
         s("Delivery"),
         s("How long to wait for a broker's response to a request")},
        {s("delivery.timeout.ms"),
         s("120000"),
         s("int"),
         {},
         1,
         86400000,
         s("Delivery"),
         s("Upper bound on the time from send() to success or failure, retries included")},
        {s("retries"),
         s("2147483647"),
         s("int"),
         {},
         0,
         2147483647,
         s("Delivery"),
         s("How often a failed batch is resent")},
        {s("retry.backoff.ms"), s("100"), s("int"), {}, 0, 3600000, s("Delivery"), s("First wait before a retry")},
        {s("retry.backoff.max.ms"),
         s("1000"),
         s("int"),
         {},
         0,
         3600000,
         s("Delivery"),
         s("Longest wait before a retry")},
        {s("partitioner"),
         s("default"),
         s("enum"),
         {s("default"), s("murmur2"), s("murmur2_random"), s("round_robin")},
         0,
         0,
         s("Partitioning"),
         s("default/murmur2_random: murmur2 of the key as the Java client, keyless records sticky; "
           "murmur2: keyless records go to partition 0's hash too; round_robin: ignores keys")},
        {s("enable.idempotence"),
         s("true"),
         s("bool"),
         {},
         0,
         0,
         s("Transactions"),
         s("Producer id and sequence numbers, so a retried batch is never written twice and order is kept. "
           "Needs acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5; left unset, it turns "
           "itself off when those say otherwise (as the Java client)")},
        {s("transactional.id"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Transactions"),
         s("Makes the producer transactional: initTransactions() fences older producers with this id")},
        {s("transaction.timeout.ms"),
         s("60000"),
         s("int"),
         {},
         1,
         2147483647,
         s("Transactions"),
         s("The coordinator aborts a transaction left open longer than this (at most the broker's "
           "transaction.max.timeout.ms)")},
        {s("kpw.transaction.protocol"),
         s("auto"),
         s("enum"),
         {s("auto"), s("1"), s("2")},
         0,
         0,
         s("Transactions"),
         s("Transaction protocol: 2 (KIP-890, Kafka 4.x: partitions added by Produce, epoch bumped at every "
           "commit) when the broker finalizes transaction.version >= 2; 1 (AddPartitionsToTxn) otherwise. "
           "auto picks the newest the broker offers")},
        {s("security.protocol"),
         s("PLAINTEXT"),
         s("enum"),
         {s("PLAINTEXT"), s("SSL"), s("SASL_PLAINTEXT"), s("SASL_SSL")},
         0,
         0,
         s("Security"),
         s("How connections are secured: TLS (SSL), SASL login, both (SASL_SSL) or neither")},
        {s("ssl.truststore.location"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("PEM file of the CA certificate(s) that signed the brokers' certificates; empty: the system's trust "
           "store")},
        {s("ssl.truststore.type"), s("PEM"), s("enum"), {s("PEM")}, 0, 0, s("Security"), s("PEM only")},
        {s("ssl.keystore.location"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("PEM file with this client's private key and certificate (chain), for brokers that require client "
           "certificates (mutual TLS)")},
        {s("ssl.keystore.type"), s("PEM"), s("enum"), {s("PEM")}, 0, 0, s("Security"), s("PEM only")},
        {s("ssl.key.password"), s(""), s("string"), {}, 0, 0, s("Security"), s("Password of an encrypted private key")},
        {s("ssl.endpoint.identification.algorithm"),
         s("https"),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("https: check that the broker's certificate names the host connected to; empty turns the check off "
           "(insecure)")},
        {s("ssl.ca.location"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("librdkafka's name for ssl.truststore.location (a PEM CA file)")},
        {s("ssl.certificate.location"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("librdkafka style: PEM client certificate, with ssl.key.location for its key")},
        {s("ssl.key.location"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("librdkafka style: PEM private key of ssl.certificate.location")},
        {s("sasl.mechanism"),
         s("PLAIN"),
         s("enum"),
         {s("PLAIN"), s("SCRAM-SHA-256"), s("SCRAM-SHA-512"), s("OAUTHBEARER")},
         0,
         0,
         s("Security"),
         s("SASL mechanism (GSSAPI/Kerberos is not supported)")},
        {s("sasl.mechanisms"), s(""), s("string"), {}, 0, 0, s("Security"), s("librdkafka's name for sasl.mechanism")},
        {s("sasl.jaas.config"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("Java login: org.apache.kafka.common.security.plain.PlainLoginModule (or scram.ScramLoginModule) required "
           "username=\"...\" password=\"...\";")},
        {s("sasl.username"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("SASL user (librdkafka style; instead of sasl.jaas.config)")},
        {s("sasl.password"), s(""), s("string"), {}, 0, 0, s("Security"), s("SASL password (librdkafka style)")},
        {s("sasl.oauthbearer.token"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("kpw: the OAUTHBEARER token to send as is (obtained by you, e.g. from your identity provider)")},
        {s("sasl.oauthbearer.token.file"),
         s(""),
         s("string"),
         {},
         0,
         0,
         s("Security"),
         s("kpw: a file holding the OAUTHBEARER token, read at every login (so a refreshed token is picked up)")},
    };
}

// Settings of the Java producer (and of clients in general) that kpw does not
// implement yet: accepted from client.properties and -X, ignored, and said so.
const QStringList &ignoredJavaKeys()
{
    static const QStringList k = {
        QStringLiteral("key.serializer"),
        QStringLiteral("value.serializer"),
        QStringLiteral("interceptor.classes"),
        QStringLiteral("metric.reporters"),
        QStringLiteral("metrics.num.samples"),
        QStringLiteral("metrics.recording.level"),
        QStringLiteral("metrics.sample.window.ms"),
        QStringLiteral("client.dns.lookup"),
        QStringLiteral("send.buffer.bytes"),
        QStringLiteral("receive.buffer.bytes"),
        QStringLiteral("reconnect.backoff.ms"),
        QStringLiteral("reconnect.backoff.max.ms"),
        QStringLiteral("connections.max.idle.ms"),
        QStringLiteral("socket.connection.setup.timeout.max.ms"),
        QStringLiteral("metadata.max.idle.ms"),
        QStringLiteral("partitioner.class"),
        QStringLiteral("partitioner.ignore.keys"),
        QStringLiteral("partitioner.adaptive.partitioning.enable"),
        QStringLiteral("partitioner.availability.timeout.ms"),
        QStringLiteral("auto.include.jmx.reporter"),
        QStringLiteral("enable.metrics.push"),
        QStringLiteral("client.rack"),
    };
    return k;
}

// Settings of the Java consumer: a client.properties shared by a team's
// producers and consumers (and kpw-cli tail --consumer.config) carries them.
// Accepted, ignored and said so; tail and offsets take --isolation and
// --from on their command line instead.
const QStringList &consumerJavaKeys()
{
    static const QStringList k = {
        QStringLiteral("group.id"),
        QStringLiteral("group.instance.id"),
        QStringLiteral("group.protocol"),
        QStringLiteral("group.remote.assignor"),
        QStringLiteral("isolation.level"),
        QStringLiteral("auto.offset.reset"),
        QStringLiteral("enable.auto.commit"),
        QStringLiteral("auto.commit.interval.ms"),
        QStringLiteral("key.deserializer"),
        QStringLiteral("value.deserializer"),
        QStringLiteral("session.timeout.ms"),
        QStringLiteral("heartbeat.interval.ms"),
        QStringLiteral("max.poll.records"),
        QStringLiteral("max.poll.interval.ms"),
        QStringLiteral("fetch.min.bytes"),
        QStringLiteral("fetch.max.bytes"),
        QStringLiteral("fetch.max.wait.ms"),
        QStringLiteral("max.partition.fetch.bytes"),
        QStringLiteral("partition.assignment.strategy"),
        QStringLiteral("exclude.internal.topics"),
        QStringLiteral("check.crcs"),
        QStringLiteral("default.api.timeout.ms"),
    };
    return k;
}

const QStringList &secretKeys()
{
    static const QStringList k = {QStringLiteral("ssl.key.password"),        QStringLiteral("ssl.keystore.password"),
                                  QStringLiteral("ssl.truststore.password"), QStringLiteral("sasl.password"),
                                  QStringLiteral("sasl.jaas.config"),        QStringLiteral("sasl.oauthbearer.token")};
    return k;
}

bool isIgnoredJavaKey(const QString &name)
{
    return ignoredJavaKeys().contains(name) || name.startsWith(QLatin1StringView("ssl.")) ||
           name.startsWith(QLatin1StringView("sasl."));
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> prev(b.size() + 1), cur(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        prev[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

bool parseInt(const QString &v, qint64 *out)
{
    bool ok = false;
    *out = v.trimmed().toLongLong(&ok);
    return ok;
}

} // namespace

ProducerConfig::ProducerConfig() = default;

const QList<ConfigKey> &ProducerConfig::keys()
{
    static const QList<ConfigKey> k = makeKeys();
    return k;
}

const ConfigKey *ProducerConfig::key(const QString &name)
{
    for (const auto &k : keys())
        if (k.name == name)
            return &k;
    return nullptr;
}

Result<bool> ProducerConfig::set(const QString &name, const QString &rawValue, QString *warning)
{
    const QString value = rawValue.trimmed();
    const ConfigKey *k = key(name);
    if (!k && consumerJavaKeys().contains(name)) {
        if (warning)
            *warning = QStringLiteral("%1 is a consumer setting: ignored (kpw-cli tail takes --isolation and --from)")
                           .arg(name);
        return true;
    }
    if (!k && isIgnoredJavaKey(name)) {
        // A near miss of a security setting kpw reads would otherwise be
        // ignored, and the connection fail for a reason far from the typo.
        for (const auto &known : keys())
            if (known.group == QLatin1StringView("Security") && editDistance(name, known.name) <= 2)
                return Error{KafkaError::ClientInvalidConfig,
                             QStringLiteral("unknown setting '%1' (did you mean %2?)").arg(name, known.name)};
        if (warning)
            *warning = QStringLiteral("%1 is a Java client setting kpw does not use yet: ignored").arg(name);
        return true;
    }
    if (!k) {
        QString nearest;
        int best = 4; // suggest only close names
        for (const auto &known : keys()) {
            const int d = editDistance(name, known.name);
            if (d < best) {
                best = d;
                nearest = known.name;
            }
        }
        return Error{KafkaError::ClientInvalidConfig,
                     nearest.isEmpty()
                         ? QStringLiteral("unknown producer setting '%1'").arg(name)
                         : QStringLiteral("unknown producer setting '%1' (did you mean %2?)").arg(name, nearest)};
    }
    if (k->type == QLatin1StringView("int") || k->type == QLatin1StringView("long")) {
        qint64 n = 0;
        if (!parseInt(value, &n))
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("%1: '%2' is not a whole number").arg(name, value)};
        if ((k->min != 0 || k->max != 0) && (n < k->min || n > k->max))
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("%1: %2 is outside %3..%4").arg(name, value).arg(k->min).arg(k->max)};
    } else if (k->type == QLatin1StringView("bool")) {
        const QString l = value.toLower();
        if (l != QLatin1StringView("true") && l != QLatin1StringView("false"))
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("%1: '%2' is not true or false").arg(name, value)};
    } else if (k->type == QLatin1StringView("enum")) {
        if (name.endsWith(QLatin1StringView("store.type")) &&
            value.compare(QLatin1StringView("PEM"), Qt::CaseInsensitive))
            return Error{
                KafkaError::ClientInvalidConfig,
                QStringLiteral("%1: '%2': kpw reads PEM files only; convert a JKS/PKCS12 store to PEM (keytool "
                               "-importkeystore to PKCS12, then openssl pkcs12 -nodes) and set %1=PEM")
                    .arg(name, value)};
        if (name == QLatin1StringView("sasl.mechanism") &&
            value.compare(QLatin1StringView("GSSAPI"), Qt::CaseInsensitive) == 0)
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("sasl.mechanism=GSSAPI (Kerberos) is not supported; use PLAIN, SCRAM-SHA-256, "
                                        "SCRAM-SHA-512 or OAUTHBEARER")};
        const auto match = std::find_if(k->allowed.cbegin(), k->allowed.cend(),
                                        [&](const QString &a) { return a.compare(value, Qt::CaseInsensitive) == 0; });
        if (match == k->allowed.cend())
            return Error{
                KafkaError::ClientInvalidConfig,
                QStringLiteral("%1: '%2' is not one of %3").arg(name, value, k->allowed.join(QStringLiteral(", ")))};
        m_values.insert(name, *match);
        return true;
    } else if (k->type == QLatin1StringView("list") && name == QLatin1StringView("bootstrap.servers")) {
        for (const auto &server : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const auto hp = server.trimmed();
            const auto colon = hp.lastIndexOf(QLatin1Char(':'));
            bool ok = false;
            const int port = colon > 0 ? hp.mid(colon + 1).toInt(&ok) : 0;
            if (colon <= 0 || !ok || port <= 0 || port > 65535)
                return Error{KafkaError::ClientInvalidConfig,
                             QStringLiteral("bootstrap.servers: '%1' is not host:port").arg(hp)};
        }
    }
    if (name == QLatin1StringView("ssl.endpoint.identification.algorithm")) {
        const QString l = value.toLower();
        if (l != QLatin1StringView("https") && !l.isEmpty() && l != QLatin1StringView("none"))
            return Error{
                KafkaError::ClientInvalidConfig,
                QStringLiteral("ssl.endpoint.identification.algorithm: '%1' is not https or empty (off)").arg(value)};
        if (l != QLatin1StringView("https") && warning)
            *warning = QStringLiteral("ssl.endpoint.identification.algorithm=%1: the broker's certificate is not "
                                      "checked against its host name (insecure: anyone with a certificate from the "
                                      "same CA can pose as the broker)")
                           .arg(value);
    } else if (name == QLatin1StringView("sasl.jaas.config") && !value.isEmpty()) {
        auto jaas = parseJaasConfig(value);
        if (!jaas)
            return jaas.error();
    } else if (name == QLatin1StringView("sasl.mechanisms") && !value.isEmpty()) {
        // librdkafka's spelling: the same values as sasl.mechanism.
        auto r = ProducerConfig().set(QStringLiteral("sasl.mechanism"), value);
        if (!r)
            return Error{r.error().code, QString(r.error().message).replace(QStringLiteral("sasl.mechanism"), name)};
    }
    m_values.insert(name, k->type == QLatin1StringView("enum") ? value.toLower() : value);
    return true;
}

bool ProducerConfig::isSecret(const QString &name)
{
    return secretKeys().contains(name);
}

Result<JaasConfig> ProducerConfig::parseJaasConfig(const QString &text)
{
    // LoginModuleClass Flag [name=value ...];   values quoted ("a \" b") or bare
    const auto bad = [&](const QString &why) {
        return Error{KafkaError::ClientInvalidConfig, QStringLiteral("sasl.jaas.config: %1").arg(why)};
    };
    JaasConfig out;
    qsizetype i = 0;
    const qsizetype n = text.size();
    const auto skipSpace = [&] {
        while (i < n && text[i].isSpace())
            ++i;
    };
    const auto word = [&] {
        const qsizetype start = i;
        while (i < n && !text[i].isSpace() && text[i] != QLatin1Char('=') && text[i] != QLatin1Char(';') &&
               text[i] != QLatin1Char('"'))
            ++i;
        return text.mid(start, i - start);
    };
    skipSpace();
    out.loginModule = word();
    if (out.loginModule.isEmpty())
        return bad(QStringLiteral("expected a login module class name"));
    skipSpace();
    const QString flag = word().toLower();
    if (flag != QLatin1StringView("required") && flag != QLatin1StringView("requisite") &&
        flag != QLatin1StringView("sufficient") && flag != QLatin1StringView("optional"))
        return bad(
            QStringLiteral("expected required, requisite, sufficient or optional after %1").arg(out.loginModule));
    for (;;) {
        skipSpace();
        if (i >= n)
            return bad(QStringLiteral("missing ';' at the end"));
        if (text[i] == QLatin1Char(';')) {
            ++i;
            break;
        }
        const QString key = word();
        skipSpace();
        if (key.isEmpty() || i >= n || text[i] != QLatin1Char('='))
            return bad(QStringLiteral("expected name=value near position %1").arg(i + 1));
        ++i;
        skipSpace();
        QString value;
        if (i < n && text[i] == QLatin1Char('"')) {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar c = text[i++];
                if (c == QLatin1Char('\\') && i < n) {
                    value.append(text[i++]);
                } else if (c == QLatin1Char('"')) {
                    closed = true;
                    break;
                } else {
                    value.append(c);
                }
            }
            if (!closed)
                return bad(QStringLiteral("unterminated quoted value of %1").arg(key));
        } else {
            value = word();
        }
        out.options.insert(key, value);
    }
    skipSpace();
    if (i < n)
        return bad(QStringLiteral("only one login module is supported; text after ';' at position %1").arg(i + 1));
    const QString cls = out.loginModule.section(QLatin1Char('.'), -1);
    if (cls != QLatin1StringView("PlainLoginModule") && cls != QLatin1StringView("ScramLoginModule") &&
        cls != QLatin1StringView("OAuthBearerLoginModule"))
        return bad(QStringLiteral("login module %1 is not supported (PlainLoginModule, ScramLoginModule, "
                                  "OAuthBearerLoginModule)")
                       .arg(out.loginModule));
    return out;
}

Result<SecurityOptions> ProducerConfig::security() const
{
    using P = SecurityOptions::Protocol;
    const auto bad = [](const QString &why) { return Error{KafkaError::ClientInvalidConfig, why}; };
    const auto either = [this](const char *java, const char *rdk) {
        const QString j = QString::fromLatin1(java);
        return isSet(j) && !value(j).isEmpty() ? value(j) : value(QString::fromLatin1(rdk));
    };
    SecurityOptions o;
    const QString proto = value(QStringLiteral("security.protocol"));
    o.protocol = proto == QLatin1StringView("SSL")              ? P::Ssl
                 : proto == QLatin1StringView("SASL_PLAINTEXT") ? P::SaslPlaintext
                 : proto == QLatin1StringView("SASL_SSL")       ? P::SaslSsl
                                                                : P::Plaintext;
    o.caFile = either("ssl.truststore.location", "ssl.ca.location");
    o.certFile = either("ssl.keystore.location", "ssl.certificate.location");
    o.keyFile = isSet(QStringLiteral("ssl.keystore.location")) ? QString() : value(QStringLiteral("ssl.key.location"));
    o.keyPassword = value(QStringLiteral("ssl.key.password"));
    const QString algo = value(QStringLiteral("ssl.endpoint.identification.algorithm")).toLower();
    o.verifyHostname = algo == QLatin1StringView("https");
    if (!o.keyFile.isEmpty() && o.certFile.isEmpty())
        return bad(QStringLiteral("ssl.key.location is set without ssl.certificate.location"));
    if (!o.sasl())
        return o;

    o.mechanism = isSet(QStringLiteral("sasl.mechanism")) || value(QStringLiteral("sasl.mechanisms")).isEmpty()
                      ? value(QStringLiteral("sasl.mechanism"))
                      : value(QStringLiteral("sasl.mechanisms")).toUpper();
    o.username = value(QStringLiteral("sasl.username"));
    o.password = value(QStringLiteral("sasl.password"));
    o.oauthToken = value(QStringLiteral("sasl.oauthbearer.token"));
    o.oauthTokenFile = value(QStringLiteral("sasl.oauthbearer.token.file"));
    const QString jaasText = value(QStringLiteral("sasl.jaas.config"));
    if (!jaasText.isEmpty()) {
        auto jaas = parseJaasConfig(jaasText);
        if (!jaas)
            return jaas.error();
        const QString cls = jaas->loginModule.section(QLatin1Char('.'), -1);
        const bool scram = o.mechanism.startsWith(QLatin1StringView("SCRAM-"));
        const bool fits =
            (cls == QLatin1StringView("PlainLoginModule") && o.mechanism == QLatin1StringView("PLAIN")) ||
            (cls == QLatin1StringView("ScramLoginModule") && scram) ||
            (cls == QLatin1StringView("OAuthBearerLoginModule") && o.mechanism == QLatin1StringView("OAUTHBEARER"));
        if (!fits)
            return bad(QStringLiteral("sasl.jaas.config uses %1, which does not go with sasl.mechanism=%2")
                           .arg(cls, o.mechanism));
        if (jaas->options.contains(QStringLiteral("username")))
            o.username = jaas->options.value(QStringLiteral("username"));
        if (jaas->options.contains(QStringLiteral("password")))
            o.password = jaas->options.value(QStringLiteral("password"));
    }
    if (o.mechanism == QLatin1StringView("OAUTHBEARER")) {
        if (o.oauthToken.isEmpty() && o.oauthTokenFile.isEmpty())
            return bad(QStringLiteral("sasl.mechanism=OAUTHBEARER needs sasl.oauthbearer.token or "
                                      "sasl.oauthbearer.token.file (kpw does not fetch tokens itself)"));
    } else if (o.username.isEmpty()) {
        return bad(QStringLiteral("security.protocol=%1 with sasl.mechanism=%2 needs a user: set sasl.jaas.config "
                                  "(username=\"...\" password=\"...\") or sasl.username and sasl.password")
                       .arg(proto, o.mechanism));
    }
    return o;
}

namespace {

struct PropertyLine
{
    int line = 0; // where the logical line starts (1-based)
    QString key;
    QString value;
};

// Resolves java.util.Properties escapes: \t \n \r \f, \uXXXX, and \x -> x.
QString unescapeProperty(QStringView in, bool *ok)
{
    QString out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const QChar c = in[i];
        if (c != QLatin1Char('\\') || i + 1 >= in.size()) {
            out.append(c);
            continue;
        }
        const QChar e = in[++i];
        switch (e.unicode()) {
        case 't': out.append(QLatin1Char('\t')); break;
        case 'n': out.append(QLatin1Char('\n')); break;
        case 'r': out.append(QLatin1Char('\r')); break;
        case 'f': out.append(QLatin1Char('\f')); break;
        case 'u': {
            bool hexOk = false;
            const ushort u = i + 4 < in.size() ? in.mid(i + 1, 4).toString().toUShort(&hexOk, 16) : 0;
            if (!hexOk) {
                *ok = false;
                return {};
            }
            out.append(QChar(u));
            i += 4;
            break;
        }
        default: out.append(e);
        }
    }
    return out;
}

// Splits a .properties text into logical lines as java.util.Properties does:
// '#'/'!' comments, backslash continuations (leading blanks of the next line
// dropped), key and value separated by '=', ':' or white space.
Result<QList<PropertyLine>> parseProperties(const QString &text, const QString &sourceName)
{
    QList<PropertyLine> out;
    const auto lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const int startLine = i + 1;
        auto isBlank = [](QChar c) {
            return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\f');
        };
        auto trimLeft = [&](QString l) {
            qsizetype k = 0;
            while (k < l.size() && isBlank(l[k]))
                ++k;
            return l.mid(k);
        };
        QString logical = trimLeft(lines[i]);
        if (logical.endsWith(QLatin1Char('\r')))
            logical.chop(1);
        if (logical.isEmpty() || logical.startsWith(QLatin1Char('#')) || logical.startsWith(QLatin1Char('!')))
            continue;
        auto continues = [](const QString &l) {
            qsizetype n = 0;
            for (qsizetype k = l.size() - 1; k >= 0 && l[k] == QLatin1Char('\\'); --k)
                ++n;
            return n % 2 == 1;
        };
        while (continues(logical) && i + 1 < lines.size()) {
            logical.chop(1);
            QString next = trimLeft(lines[++i]);
            if (next.endsWith(QLatin1Char('\r')))
                next.chop(1);
            logical += next;
        }
        qsizetype k = 0;
        while (k < logical.size()) {
            const QChar c = logical[k];
            if (c == QLatin1Char('\\')) {
                k += 2;
                continue;
            }
            if (c == QLatin1Char('=') || c == QLatin1Char(':') || isBlank(c))
                break;
            ++k;
        }
        const qsizetype keyEnd = std::min(k, logical.size());
        while (k < logical.size() && isBlank(logical[k]))
            ++k;
        if (k < logical.size() && (logical[k] == QLatin1Char('=') || logical[k] == QLatin1Char(':')))
            ++k;
        while (k < logical.size() && isBlank(logical[k]))
            ++k;
        bool ok = true;
        PropertyLine pl;
        pl.line = startLine;
        pl.key = unescapeProperty(QStringView(logical).left(keyEnd), &ok);
        pl.value = unescapeProperty(QStringView(logical).mid(k), &ok);
        if (!ok)
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("%1 line %2: malformed \\uXXXX escape").arg(sourceName).arg(startLine)};
        if (pl.key.isEmpty())
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("%1 line %2: expected key=value").arg(sourceName).arg(startLine)};
        out.append(pl);
    }
    return out;
}

} // namespace

Result<bool> ProducerConfig::loadProperties(const QString &text, const QString &sourceName, QStringList *warnings)
{
    auto lines = parseProperties(text, sourceName);
    if (!lines)
        return lines.error();
    for (const auto &pl : *lines) {
        // A client.properties may configure the Schema Registry too
        // (serde/RegistryClient reads those lines); not producer settings.
        if (pl.key.startsWith(QLatin1StringView("schema.registry.")) ||
            pl.key.startsWith(QLatin1StringView("basic.auth.")))
            continue;
        QString warning;
        auto r = set(pl.key, pl.value, &warning);
        if (r && !warning.isEmpty() && warnings)
            warnings->append(QStringLiteral("%1 line %2: %3").arg(sourceName).arg(pl.line).arg(warning));
        if (!r)
            return Error{r.error().code,
                         QStringLiteral("%1 line %2: %3").arg(sourceName).arg(pl.line).arg(r.error().message)};
    }
    return true;
}

Result<QList<std::pair<QString, QString>>> ProducerConfig::parsePropertiesText(const QString &text,
                                                                               const QString &sourceName)
{
    auto lines = parseProperties(text, sourceName);
    if (!lines)
        return lines.error();
    QList<std::pair<QString, QString>> out;
    for (const auto &pl : *lines)
        out.append({pl.key, pl.value});
    return out;
}

Result<bool> ProducerConfig::loadPropertiesFile(const QString &path, QStringList *warnings)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{KafkaError::ClientInvalidConfig, QStringLiteral("cannot read %1: %2").arg(path, f.errorString())};
    return loadProperties(QString::fromUtf8(f.readAll()), path, warnings);
}

QString ProducerConfig::value(const QString &name) const
{
    if (auto it = m_values.find(name); it != m_values.end())
        return *it;
    const ConfigKey *k = key(name);
    return k ? k->defaultValue : QString();
}

qint64 ProducerConfig::integer(const QString &name) const
{
    return value(name).toLongLong();
}

bool ProducerConfig::boolean(const QString &name) const
{
    return value(name).compare(QLatin1StringView("true"), Qt::CaseInsensitive) == 0;
}

QStringList ProducerConfig::bootstrapServers() const
{
    QStringList out;
    for (const auto &s : value(QStringLiteral("bootstrap.servers")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        out.append(s.trimmed());
    return out;
}

QString ProducerConfig::clientId() const
{
    return value(QStringLiteral("client.id"));
}
std::int16_t ProducerConfig::acks() const
{
    const QString a = value(QStringLiteral("acks"));
    return a == QLatin1StringView("all") ? std::int16_t{-1} : static_cast<std::int16_t>(a.toInt());
}
int ProducerConfig::lingerMs() const
{
    return static_cast<int>(integer(QStringLiteral("linger.ms")));
}
int ProducerConfig::batchSize() const
{
    return static_cast<int>(integer(QStringLiteral("batch.size")));
}
int ProducerConfig::maxInFlight() const
{
    return static_cast<int>(integer(QStringLiteral("max.in.flight.requests.per.connection")));
}
int ProducerConfig::requestTimeoutMs() const
{
    return static_cast<int>(integer(QStringLiteral("request.timeout.ms")));
}
int ProducerConfig::deliveryTimeoutMs() const
{
    return static_cast<int>(integer(QStringLiteral("delivery.timeout.ms")));
}
int ProducerConfig::connectTimeoutMs() const
{
    return static_cast<int>(integer(QStringLiteral("socket.connection.setup.timeout.ms")));
}
int ProducerConfig::retries() const
{
    return static_cast<int>(integer(QStringLiteral("retries")));
}
int ProducerConfig::retryBackoffMs() const
{
    return static_cast<int>(integer(QStringLiteral("retry.backoff.ms")));
}
int ProducerConfig::retryBackoffMaxMs() const
{
    return static_cast<int>(integer(QStringLiteral("retry.backoff.max.ms")));
}
int ProducerConfig::maxRequestSize() const
{
    return static_cast<int>(integer(QStringLiteral("max.request.size")));
}
int ProducerConfig::maxBlockMs() const
{
    return static_cast<int>(integer(QStringLiteral("max.block.ms")));
}
qint64 ProducerConfig::bufferMemory() const
{
    return integer(QStringLiteral("buffer.memory"));
}
int ProducerConfig::metadataMaxAgeMs() const
{
    return static_cast<int>(integer(QStringLiteral("metadata.max.age.ms")));
}
Compression ProducerConfig::compression() const
{
    return Codec::fromName(value(QStringLiteral("compression.type"))).value_or(Compression::None);
}
std::optional<int> ProducerConfig::compressionLevel() const
{
    switch (compression()) {
    case Compression::Gzip: return static_cast<int>(integer(QStringLiteral("compression.gzip.level")));
    case Compression::Lz4: return static_cast<int>(integer(QStringLiteral("compression.lz4.level")));
    case Compression::Zstd: return static_cast<int>(integer(QStringLiteral("compression.zstd.level")));
    default: return std::nullopt;
    }
}
bool ProducerConfig::allowAutoTopicCreation() const
{
    return boolean(QStringLiteral("allow.auto.create.topics"));
}
bool ProducerConfig::idempotenceConflict(QString *why) const
{
    QStringList conflicts;
    if (acks() != -1)
        conflicts << QStringLiteral("acks=%1 (must be all)").arg(value(QStringLiteral("acks")));
    if (maxInFlight() > 5)
        conflicts << QStringLiteral("max.in.flight.requests.per.connection=%1 (at most 5)").arg(maxInFlight());
    if (retries() == 0)
        conflicts << QStringLiteral("retries=0 (must be > 0)");
    if (why)
        *why = conflicts.join(QStringLiteral(", "));
    return !conflicts.isEmpty();
}

bool ProducerConfig::idempotent() const
{
    if (!transactionalId().isEmpty())
        return true;
    if (isSet(QStringLiteral("enable.idempotence")))
        return boolean(QStringLiteral("enable.idempotence"));
    return !idempotenceConflict();
}

QString ProducerConfig::transactionalId() const
{
    return value(QStringLiteral("transactional.id")).trimmed();
}

int ProducerConfig::transactionTimeoutMs() const
{
    return static_cast<int>(integer(QStringLiteral("transaction.timeout.ms")));
}

int ProducerConfig::transactionProtocol() const
{
    const QString v = value(QStringLiteral("kpw.transaction.protocol"));
    return v == QLatin1StringView("auto") ? 0 : v.toInt();
}

Result<bool> ProducerConfig::validate() const
{
    QString why;
    const bool conflict = idempotenceConflict(&why);
    const bool explicitIdem = isSet(QStringLiteral("enable.idempotence"));
    const bool idem = boolean(QStringLiteral("enable.idempotence"));
    if (!transactionalId().isEmpty()) {
        if (explicitIdem && !idem)
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("transactional.id=%1 needs enable.idempotence=true, but "
                                        "enable.idempotence=false is set")
                             .arg(transactionalId())};
        if (conflict)
            return Error{KafkaError::ClientInvalidConfig,
                         QStringLiteral("transactional.id=%1 needs the idempotent producer, which conflicts with %2")
                             .arg(transactionalId(), why)};
    }
    if (explicitIdem && idem && conflict)
        return Error{KafkaError::ClientInvalidConfig,
                     QStringLiteral("enable.idempotence=true conflicts with %1: change one of them").arg(why)};
    return true;
}

QString ProducerConfig::partitioner() const
{
    return value(QStringLiteral("partitioner"));
}

} // namespace kpw
