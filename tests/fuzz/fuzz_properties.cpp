// fuzz_properties: ProducerConfig::loadProperties, the client.properties
// reader (kpw-cli --producer.config, the GUI's import).
//
// Input format: the file's bytes (read as UTF-8, as loadPropertiesFile does).
//
// Properties: no crash, leak or UB; an error names the source and a line;
// after a successful load every setting is valid for its key (ints in range,
// bools true/false, enums among the allowed values, bootstrap servers
// host:port) and every typed accessor works; and writing the explicit values
// back out as key=value lines loads to the same settings.

#include "FuzzCheck.h"

#include "producer/ProducerConfig.h"

using namespace kpw;

namespace {

void checkValid(const ProducerConfig &cfg)
{
    for (const ConfigKey &k : ProducerConfig::keys()) {
        if (!cfg.isSet(k.name))
            continue;
        const QString v = cfg.value(k.name);
        const char *name = kpwfuzz::c(k.name);
        FUZZ_CHECK(v == v.trimmed(), "%s: value not trimmed", name);
        if (k.type == QLatin1StringView("int") || k.type == QLatin1StringView("long")) {
            bool ok = false;
            const qint64 n = v.toLongLong(&ok);
            FUZZ_CHECK(ok, "%s: '%s' is not a number", name, kpwfuzz::c(v));
            if (k.min != 0 || k.max != 0)
                FUZZ_CHECK(n >= k.min && n <= k.max, "%s: %lld outside %lld..%lld", name, static_cast<long long>(n),
                           static_cast<long long>(k.min), static_cast<long long>(k.max));
            FUZZ_CHECK(cfg.integer(k.name) == n, "%s: integer() differs", name);
            if (k.type == QLatin1StringView("int"))
                FUZZ_CHECK(n >= INT32_MIN && n <= INT32_MAX, "%s: int setting %lld does not fit an int", name,
                           static_cast<long long>(n));
        } else if (k.type == QLatin1StringView("bool")) {
            const QString l = v.toLower();
            FUZZ_CHECK(l == QLatin1StringView("true") || l == QLatin1StringView("false"), "%s: '%s'", name,
                       kpwfuzz::c(v));
        } else if (k.type == QLatin1StringView("enum")) {
            FUZZ_CHECK(k.allowed.contains(v), "%s: '%s' not allowed", name, kpwfuzz::c(v));
        }
    }
    for (const QString &server : cfg.bootstrapServers()) {
        const auto colon = server.lastIndexOf(QLatin1Char(':'));
        FUZZ_CHECK(colon > 0, "bootstrap server '%s' has no host", kpwfuzz::c(server));
        bool ok = false;
        const int port = server.mid(colon + 1).toInt(&ok);
        FUZZ_CHECK(ok && port > 0 && port <= 65535, "bootstrap server '%s' has no valid port", kpwfuzz::c(server));
    }
    // The typed accessors (what the producer reads).
    (void)cfg.clientId();
    const auto acks = cfg.acks();
    FUZZ_CHECK(acks == -1 || acks == 0 || acks == 1, "acks %d", acks);
    (void)cfg.lingerMs();
    (void)cfg.batchSize();
    (void)cfg.maxInFlight();
    (void)cfg.requestTimeoutMs();
    (void)cfg.deliveryTimeoutMs();
    (void)cfg.connectTimeoutMs();
    (void)cfg.retries();
    (void)cfg.retryBackoffMs();
    (void)cfg.retryBackoffMaxMs();
    (void)cfg.maxRequestSize();
    (void)cfg.maxBlockMs();
    (void)cfg.bufferMemory();
    (void)cfg.metadataMaxAgeMs();
    const Compression codec = cfg.compression();
    FUZZ_CHECK(Codec::name(codec) == cfg.value(QStringLiteral("compression.type")), "compression %s vs '%s'",
               kpwfuzz::c(Codec::name(codec)), kpwfuzz::c(cfg.value(QStringLiteral("compression.type"))));
    (void)cfg.compressionLevel();
    (void)cfg.allowAutoTopicCreation();
    (void)cfg.partitioner();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QString source = QStringLiteral("fuzz.properties");
    ProducerConfig cfg;
    auto r = cfg.loadProperties(text, source);
    if (!r.ok()) {
        FUZZ_CHECK(r.error().message.startsWith(source + QStringLiteral(" line ")), "error '%s' names no line",
                   kpwfuzz::c(r.error().message));
        // Whatever was set before the bad line must still be valid.
        checkValid(cfg);
        return 0;
    }
    checkValid(cfg);

    // Write the settings back out and load them again.
    QString out;
    for (auto it = cfg.explicitValues().cbegin(); it != cfg.explicitValues().cend(); ++it)
        out += it.key() + QLatin1Char('=') + it.value() + QLatin1Char('\n');
    ProducerConfig again;
    auto r2 = again.loadProperties(out, source);
    FUZZ_CHECK(r2.ok(), "written settings do not load: %s", kpwfuzz::c(r2.error().message));
    FUZZ_CHECK(again.explicitValues() == cfg.explicitValues(), "settings differ after a write/load round trip");
    return 0;
}
