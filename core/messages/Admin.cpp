#include "Admin.h"

#include "wire/ByteReader.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

namespace kpw {

QString configSourceName(std::int8_t source)
{
    switch (static_cast<ConfigSource>(source)) {
    case ConfigSource::Unknown: return QStringLiteral("UNKNOWN");
    case ConfigSource::DynamicTopic: return QStringLiteral("DYNAMIC_TOPIC_CONFIG");
    case ConfigSource::DynamicBroker: return QStringLiteral("DYNAMIC_BROKER_CONFIG");
    case ConfigSource::DynamicDefaultBroker: return QStringLiteral("DYNAMIC_DEFAULT_BROKER_CONFIG");
    case ConfigSource::StaticBroker: return QStringLiteral("STATIC_BROKER_CONFIG");
    case ConfigSource::Default: return QStringLiteral("DEFAULT_CONFIG");
    case ConfigSource::DynamicBrokerLogger: return QStringLiteral("DYNAMIC_BROKER_LOGGER_CONFIG");
    case ConfigSource::ClientMetrics: return QStringLiteral("CLIENT_METRICS_CONFIG");
    case ConfigSource::Group: return QStringLiteral("GROUP_CONFIG");
    }
    return QStringLiteral("SOURCE_%1").arg(source);
}

namespace {

Error decodeError(const char *api, std::int16_t version, const ByteReader &r)
{
    return Error{KafkaError::ClientProtocolError,
                 QStringLiteral("%1 v%2 response: %3").arg(QLatin1String(api)).arg(version).arg(r.error())};
}

} // namespace

// --- DescribeConfigs ---------------------------------------------------------

QByteArray DescribeConfigsRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 4;
    ByteWriter w;
    w.arrayLength(resources.size(), flexible);
    for (const auto &res : resources) {
        w.int8(res.type);
        w.string(res.name, flexible);
        if (!res.keys) {
            w.nullArray(flexible);
        } else {
            w.arrayLength(res.keys->size(), flexible);
            for (const auto &k : *res.keys)
                w.string(k, flexible);
        }
        if (flexible)
            w.emptyTaggedFields();
    }
    w.boolean(includeSynonyms); // v1+; we speak v1+
    if (version >= 3)
        w.boolean(includeDocumentation);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<DescribeConfigsResponse> DescribeConfigsResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 4;
    ByteReader r(body);
    DescribeConfigsResponse resp;
    resp.throttleTimeMs = r.int32();
    // error code, message, type, name, configs array (and tags): the smallest result
    const qsizetype nr = r.arrayLength(flexible, flexible ? 7 : 11);
    for (qsizetype i = 0; i < nr && r.ok(); ++i) {
        Result res;
        res.errorCode = r.int16();
        res.errorMessage = r.nullableString(flexible);
        res.resourceType = r.int8();
        res.resourceName = r.string(flexible);
        // name, value, read-only, source, sensitive, synonyms (+ type, doc, tags)
        const qsizetype nc = r.arrayLength(flexible, flexible ? 9 : (version >= 3 ? 14 : 11));
        for (qsizetype j = 0; j < nc && r.ok(); ++j) {
            ConfigEntry c;
            c.name = r.string(flexible);
            c.value = r.nullableString(flexible);
            c.readOnly = r.boolean();
            c.source = r.int8();
            c.sensitive = r.boolean();
            const qsizetype ns = r.arrayLength(flexible, flexible ? 4 : 5);
            for (qsizetype k = 0; k < ns && r.ok(); ++k) {
                (void)r.string(flexible);
                (void)r.nullableString(flexible);
                (void)r.int8();
                if (flexible)
                    r.taggedFields();
            }
            if (version >= 3) {
                c.type = r.int8();
                c.documentation = r.nullableString(flexible);
            }
            if (flexible)
                r.taggedFields();
            if (r.ok())
                res.configs.append(std::move(c));
        }
        if (flexible)
            r.taggedFields();
        resp.results.append(std::move(res));
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return decodeError("DescribeConfigs", version, r);
    return resp;
}

// --- CreateTopics ------------------------------------------------------------

QByteArray CreateTopicsRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 5;
    ByteWriter w;
    w.arrayLength(topics.size(), flexible);
    for (const auto &t : topics) {
        w.string(t.name, flexible);
        w.int32(t.numPartitions);
        w.int16(t.replicationFactor);
        w.arrayLength(0, flexible); // Assignments: the controller places replicas
        w.arrayLength(t.configs.size(), flexible);
        for (const auto &c : t.configs) {
            w.string(c.name, flexible);
            w.nullableString(c.value, flexible);
            if (flexible)
                w.emptyTaggedFields();
        }
        if (flexible)
            w.emptyTaggedFields();
    }
    w.int32(timeoutMs);
    w.boolean(validateOnly); // v1+
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<CreateTopicsResponse> CreateTopicsResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 5;
    ByteReader r(body);
    CreateTopicsResponse resp;
    resp.throttleTimeMs = r.int32(); // v2+; we speak v2+
    qsizetype minTopic = 6;          // name, error code, message
    if (flexible)
        minTopic = 12; // + partitions, replication factor, configs, tags
    if (version >= 7)
        minTopic += 16; // topic id
    const qsizetype nt = r.arrayLength(flexible, minTopic);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        Topic t;
        t.name = r.string(flexible);
        if (version >= 7)
            t.topicId = r.uuid();
        t.errorCode = r.int16();
        t.errorMessage = r.nullableString(flexible);
        if (flexible) {
            t.numPartitions = r.int32();
            t.replicationFactor = r.int16();
            const qsizetype nc = r.arrayLength(true, 6); // name, value, read-only, source, sensitive, tags
            if (nc >= 0) {
                QList<ConfigEntry> configs;
                for (qsizetype j = 0; j < nc && r.ok(); ++j) {
                    ConfigEntry c;
                    c.name = r.string(true);
                    c.value = r.nullableString(true);
                    c.readOnly = r.boolean();
                    c.source = r.int8();
                    c.sensitive = r.boolean();
                    r.taggedFields();
                    if (r.ok())
                        configs.append(std::move(c));
                }
                t.configs = std::move(configs);
            }
            r.taggedFields([&t](std::uint32_t tag, ByteReader &field) {
                if (tag == 0) // TopicConfigErrorCode; unknown tags are skipped
                    t.topicConfigErrorCode = field.int16();
            });
        }
        resp.topics.append(std::move(t));
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return decodeError("CreateTopics", version, r);
    return resp;
}

// --- DeleteTopics ------------------------------------------------------------

QByteArray DeleteTopicsRequest::encode(std::int16_t version) const
{
    const bool flexible = version >= 4;
    ByteWriter w;
    w.arrayLength(names.size(), flexible);
    for (const auto &n : names) {
        if (version >= 6) {
            w.nullableString(n, true);
            w.raw(QByteArray(16, '\0')); // TopicId: zero, delete by name
            w.emptyTaggedFields();
        } else {
            w.string(n, flexible);
        }
    }
    w.int32(timeoutMs);
    if (flexible)
        w.emptyTaggedFields();
    return w.take();
}

Result<DeleteTopicsResponse> DeleteTopicsResponse::decode(const QByteArray &body, std::int16_t version)
{
    const bool flexible = version >= 4;
    ByteReader r(body);
    DeleteTopicsResponse resp;
    resp.throttleTimeMs = r.int32(); // v1+; we speak v1+
    qsizetype minTopic = 4;          // name, error code
    if (version >= 5)
        minTopic = 5; // + message (compact null), tags
    if (version >= 6)
        minTopic += 16;
    const qsizetype nt = r.arrayLength(flexible, minTopic);
    for (qsizetype i = 0; i < nt && r.ok(); ++i) {
        Topic t;
        if (version >= 6)
            t.name = r.nullableString(true);
        else
            t.name = r.string(flexible);
        if (version >= 6)
            t.topicId = r.uuid();
        t.errorCode = r.int16();
        if (version >= 5)
            t.errorMessage = r.nullableString(true);
        if (flexible)
            r.taggedFields();
        resp.topics.append(std::move(t));
    }
    if (flexible)
        r.taggedFields();
    if (!r.ok())
        return decodeError("DeleteTopics", version, r);
    return resp;
}

} // namespace kpw
