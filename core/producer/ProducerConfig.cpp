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
        QStringLiteral("security.protocol"),
        QStringLiteral("auto.include.jmx.reporter"),
        QStringLiteral("enable.metrics.push"),
        QStringLiteral("client.rack"),
    };
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
    if (!k && isIgnoredJavaKey(name)) {
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
        if (!k->allowed.contains(value.toLower()))
            return Error{
                KafkaError::ClientInvalidConfig,
                QStringLiteral("%1: '%2' is not one of %3").arg(name, value, k->allowed.join(QStringLiteral(", ")))};
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
    m_values.insert(name, k->type == QLatin1StringView("enum") ? value.toLower() : value);
    return true;
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
    return a == QLatin1StringView("all") ? -1 : static_cast<std::int16_t>(a.toInt());
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
