#pragma once

#include "wire/Result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <cstdint>
#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace kpw {

// Settings of a Schema Registry connection, under the names Confluent's
// clients use (the Java serializers' and confluent-kafka's), so a
// client.properties that configures a registry works as it is:
//   schema.registry.url                     http(s)://host:port[/path] (the first of a comma list)
//   basic.auth.user.info                    user:password (HTTP basic auth)
//   basic.auth.credentials.source           USER_INFO (the only one supported) or URL
//                                           (user:password@ in the URL)
//   schema.registry.basic.auth.user.info    the same, as the Java client spells it
//   schema.registry.ssl.ca.location         PEM file of the CAs to trust (default: the system's)
//   schema.registry.ssl.certificate.location  PEM client certificate
//   schema.registry.ssl.key.location        PEM private key of that certificate
//   schema.registry.ssl.key.password        its password, if encrypted
//   schema.registry.ssl.endpoint.identification.algorithm  https (default: check the host name) or none
//   schema.registry.request.timeout.ms      per request (default 10000)
struct RegistryConfig
{
    QUrl url;
    QString userInfo; // user:password, empty for none
    QString sslCaLocation;
    QString sslCertificateLocation;
    QString sslKeyLocation;
    QString sslKeyPassword;
    bool sslVerifyHostname = true;
    int timeoutMs = 10000;

    // Sets one property by name (schema.registry.*, basic.auth.*). Unknown
    // names are an error.
    Result<bool> set(const QString &name, const QString &value);
    static bool isRegistryProperty(const QString &name);
    // The URL without credentials, for messages.
    QString displayUrl() const;
};

struct SchemaReference
{
    QString name; // the import path (Protobuf) or the named type (Avro)
    QString subject;
    int version = 0;
    bool operator==(const SchemaReference &) const = default;
};

// A schema as the registry answers it. schemaType is AVRO when the registry
// leaves it out (the Confluent API's default).
struct RegistrySchema
{
    int id = -1;
    QString subject; // empty when fetched by id
    int version = -1;
    QString schemaType = QStringLiteral("AVRO");
    QString schema;
    QList<SchemaReference> references;
};

struct CompatibilityResult
{
    bool compatible = false;
    QStringList messages; // the registry's reasons, when it gives them
};

// The Confluent Schema Registry REST API (served by Confluent's registry,
// Karapace, Redpanda and Apicurio's /apis/ccompat/v7). Requests run on the
// caller's thread with a QNetworkAccessManager: the async calls need that
// thread's event loop; the *Sync calls run a local one until the answer or
// the timeout.
//
// Errors are kpw::Error with code = the HTTP status (401, 404, 409, 422, ...)
// or -1 when no HTTP answer came (connection refused, timeout, TLS, DNS), and
// a message that names the URL and, for registry errors, the registry's
// error_code and message.
class RegistryClient final : public QObject
{
    Q_OBJECT
public:
    explicit RegistryClient(RegistryConfig config, QObject *parent = nullptr);
    ~RegistryClient() override;

    const RegistryConfig &config() const { return m_config; }

    template <typename T> using Callback = std::function<void(Result<T>)>;

    void listSubjects(Callback<QStringList> done);
    void listVersions(const QString &subject, Callback<QList<int>> done);
    // VERSION: a number, or "latest".
    void getSchema(const QString &subject, const QString &version, Callback<RegistrySchema> done);
    void getSchemaById(int id, Callback<RegistrySchema> done);
    // Registers (or finds, if already registered) SCHEMA under SUBJECT;
    // answers the schema id. SCHEMATYPE: AVRO, PROTOBUF or JSON.
    void registerSchema(const QString &subject, const QString &schema, const QString &schemaType,
                        const QList<SchemaReference> &references, Callback<int> done);
    // The id and version under which SCHEMA is already registered in SUBJECT
    // (Confluent's lookup, POST /subjects/{subject}); 404 when it is not.
    void lookupSchema(const QString &subject, const QString &schema, const QString &schemaType,
                      const QList<SchemaReference> &references, Callback<RegistrySchema> done);
    // Whether SCHEMA could be registered as a new version of SUBJECT (checked
    // against VERSION, "latest" by default). A subject with no versions yet
    // is compatible.
    void checkCompatibility(const QString &subject, const QString &schema, const QString &schemaType,
                            const QList<SchemaReference> &references, Callback<CompatibilityResult> done,
                            const QString &version = QStringLiteral("latest"));

    Result<QStringList> listSubjectsSync();
    Result<QList<int>> listVersionsSync(const QString &subject);
    Result<RegistrySchema> getSchemaSync(const QString &subject, const QString &version);
    Result<RegistrySchema> getSchemaByIdSync(int id);
    Result<int> registerSchemaSync(const QString &subject, const QString &schema, const QString &schemaType,
                                   const QList<SchemaReference> &references = {});
    Result<RegistrySchema> lookupSchemaSync(const QString &subject, const QString &schema, const QString &schemaType,
                                            const QList<SchemaReference> &references = {});
    Result<CompatibilityResult> checkCompatibilitySync(const QString &subject, const QString &schema,
                                                       const QString &schemaType,
                                                       const QList<SchemaReference> &references = {});

    // The answer parsers, public for the tests and the fuzzer. CONTEXT names
    // what was asked, for messages.
    static Result<QStringList> parseSubjects(const QByteArray &body);
    static Result<QList<int>> parseVersions(const QByteArray &body);
    static Result<RegistrySchema> parseSchema(const QByteArray &body);
    static Result<int> parseRegistered(const QByteArray &body);
    static Result<CompatibilityResult> parseCompatibility(const QByteArray &body);
    // The error for an HTTP answer STATUS with BODY ({"error_code":..,"message":..}).
    static Error httpError(int status, const QByteArray &body, const QString &what, const QString &url);
    // Normalises a schema type name: avro/protobuf/json (any case, also
    // "json-schema") to AVRO/PROTOBUF/JSON; empty on an unknown one.
    static QString normaliseSchemaType(const QString &type);

private:
    using RawCallback = std::function<void(int status, const QByteArray &body, const Error *transportError)>;
    void request(const QByteArray &verb, const QString &path, const QByteArray &body, const QString &what,
                 RawCallback done);
    QNetworkRequest makeRequest(const QString &path) const;
    Result<bool> prepareTls();
    template <typename T>
    void handle(const QByteArray &verb, const QString &path, const QByteArray &body, const QString &what,
                std::function<Result<T>(const QByteArray &)> parse, Callback<T> done);
    template <typename T> Result<T> waitFor(const std::function<void(Callback<T>)> &start);

    RegistryConfig m_config;
    QNetworkAccessManager *m_nam = nullptr;
    std::optional<Error> m_tlsError; // a TLS setting that could not be loaded
    bool m_tlsPrepared = false;
    struct TlsState;
    TlsState *m_tls = nullptr;
};

} // namespace kpw
