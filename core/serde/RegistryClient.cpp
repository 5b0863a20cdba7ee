#include "serde/RegistryClient.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>
#include <QUrlQuery>

#include <cmath>
#include <memory>

namespace kpw {

namespace {

const QByteArray kContentType = QByteArrayLiteral("application/vnd.schemaregistry.v1+json");

Error settingError(const QString &message)
{
    return Error{-1, message};
}

// A JSON number that is a whole int (the registry's ids and versions).
std::optional<int> toInt(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < -2147483648.0 || d > 2147483647.0)
        return std::nullopt;
    return static_cast<int>(d);
}

Result<QJsonDocument> parseJson(const QByteArray &body, const QString &what)
{
    QJsonParseError pe;
    auto doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError)
        return Error{-1, QStringLiteral("the registry's answer to %1 is not JSON: %2 at offset %3")
                             .arg(what, pe.errorString())
                             .arg(pe.offset)};
    return doc;
}

Error shapeError(const QString &what, const QString &expected)
{
    return Error{-1, QStringLiteral("the registry's answer to %1 is not %2").arg(what, expected)};
}

QString pathPart(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

QByteArray schemaBody(const QString &schema, const QString &schemaType, const QList<SchemaReference> &references)
{
    QJsonObject o;
    o.insert(QStringLiteral("schema"), schema);
    const QString type = RegistryClient::normaliseSchemaType(schemaType);
    // AVRO is the default; leave it out for registries that predate schemaType.
    if (!type.isEmpty() && type != QLatin1StringView("AVRO"))
        o.insert(QStringLiteral("schemaType"), type);
    if (!references.isEmpty()) {
        QJsonArray refs;
        for (const auto &r : references)
            refs.append(QJsonObject{{QStringLiteral("name"), r.name},
                                    {QStringLiteral("subject"), r.subject},
                                    {QStringLiteral("version"), r.version}});
        o.insert(QStringLiteral("references"), refs);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

// ------------------------------------------------------------------ config

bool RegistryConfig::isRegistryProperty(const QString &name)
{
    return name.startsWith(QLatin1StringView("schema.registry.")) || name.startsWith(QLatin1StringView("basic.auth."));
}

Result<bool> RegistryConfig::set(const QString &name, const QString &value)
{
    if (name == QLatin1StringView("schema.registry.url")) {
        // Confluent's clients take a comma list; this client talks to the first.
        const QString first = value.section(QLatin1Char(','), 0, 0).trimmed();
        QUrl u(first, QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != QLatin1StringView("http") && u.scheme() != QLatin1StringView("https")) ||
            u.host().isEmpty())
            return settingError(
                QStringLiteral("schema.registry.url: '%1' is not an http:// or https:// URL").arg(value));
        if (!u.userName().isEmpty() && userInfo.isEmpty())
            userInfo = u.userName(QUrl::FullyDecoded) + QLatin1Char(':') + u.password(QUrl::FullyDecoded);
        u.setUserInfo(QString());
        url = u;
        return true;
    }
    if (name == QLatin1StringView("basic.auth.user.info") ||
        name == QLatin1StringView("schema.registry.basic.auth.user.info")) {
        if (!value.isEmpty() && !value.contains(QLatin1Char(':')))
            return settingError(QStringLiteral("%1: expected user:password").arg(name));
        userInfo = value;
        return true;
    }
    if (name == QLatin1StringView("basic.auth.credentials.source") ||
        name == QLatin1StringView("schema.registry.basic.auth.credentials.source")) {
        const QString v = value.toUpper();
        if (v != QLatin1StringView("USER_INFO") && v != QLatin1StringView("URL"))
            return settingError(QStringLiteral("%1: only USER_INFO and URL are supported, not '%2'").arg(name, value));
        return true;
    }
    if (name == QLatin1StringView("schema.registry.ssl.ca.location") ||
        name == QLatin1StringView("schema.registry.ssl.truststore.location")) {
        sslCaLocation = value;
        return true;
    }
    if (name == QLatin1StringView("schema.registry.ssl.certificate.location")) {
        sslCertificateLocation = value;
        return true;
    }
    if (name == QLatin1StringView("schema.registry.ssl.key.location")) {
        sslKeyLocation = value;
        return true;
    }
    if (name == QLatin1StringView("schema.registry.ssl.key.password")) {
        sslKeyPassword = value;
        return true;
    }
    if (name == QLatin1StringView("schema.registry.ssl.endpoint.identification.algorithm")) {
        const QString v = value.toLower();
        if (v == QLatin1StringView("https"))
            sslVerifyHostname = true;
        else if (v.isEmpty() || v == QLatin1StringView("none"))
            sslVerifyHostname = false;
        else
            return settingError(QStringLiteral("%1: expected https or none, not '%2'").arg(name, value));
        return true;
    }
    if (name == QLatin1StringView("schema.registry.request.timeout.ms")) {
        bool ok = false;
        const int ms = value.toInt(&ok);
        if (!ok || ms <= 0)
            return settingError(QStringLiteral("%1: expected a positive number of milliseconds").arg(name));
        timeoutMs = ms;
        return true;
    }
    return settingError(QStringLiteral("unknown Schema Registry setting '%1'").arg(name));
}

QString RegistryConfig::displayUrl() const
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
}

// ------------------------------------------------------------------ parsers

QString RegistryClient::normaliseSchemaType(const QString &type)
{
    const QString t = type.trimmed().toUpper();
    if (t.isEmpty() || t == QLatin1StringView("AVRO"))
        return QStringLiteral("AVRO");
    if (t == QLatin1StringView("PROTOBUF") || t == QLatin1StringView("PROTO"))
        return QStringLiteral("PROTOBUF");
    if (t == QLatin1StringView("JSON") || t == QLatin1StringView("JSON-SCHEMA") ||
        t == QLatin1StringView("JSONSCHEMA") || t == QLatin1StringView("JSON_SCHEMA"))
        return QStringLiteral("JSON");
    return {};
}

Result<QStringList> RegistryClient::parseSubjects(const QByteArray &body)
{
    const QString what = QStringLiteral("the subject list");
    auto doc = parseJson(body, what);
    if (!doc)
        return doc.error();
    if (!doc->isArray())
        return shapeError(what, QStringLiteral("an array of subjects"));
    QStringList out;
    for (const auto &v : doc->array()) {
        if (!v.isString())
            return shapeError(what, QStringLiteral("an array of strings"));
        out.append(v.toString());
    }
    return out;
}

Result<QList<int>> RegistryClient::parseVersions(const QByteArray &body)
{
    const QString what = QStringLiteral("the version list");
    auto doc = parseJson(body, what);
    if (!doc)
        return doc.error();
    if (!doc->isArray())
        return shapeError(what, QStringLiteral("an array of versions"));
    QList<int> out;
    for (const auto &v : doc->array()) {
        auto n = toInt(v);
        if (!n)
            return shapeError(what, QStringLiteral("an array of whole numbers"));
        out.append(*n);
    }
    return out;
}

Result<RegistrySchema> RegistryClient::parseSchema(const QByteArray &body)
{
    const QString what = QStringLiteral("a schema request");
    auto doc = parseJson(body, what);
    if (!doc)
        return doc.error();
    if (!doc->isObject())
        return shapeError(what, QStringLiteral("a schema object"));
    const QJsonObject o = doc->object();
    RegistrySchema s;
    const auto schema = o.value(QStringLiteral("schema"));
    if (!schema.isString())
        return shapeError(what, QStringLiteral("a schema object with a \"schema\" string"));
    s.schema = schema.toString();
    if (o.contains(QStringLiteral("id"))) {
        auto id = toInt(o.value(QStringLiteral("id")));
        if (!id)
            return shapeError(what, QStringLiteral("a schema object with a whole-number id"));
        s.id = *id;
    }
    if (o.contains(QStringLiteral("version"))) {
        auto v = toInt(o.value(QStringLiteral("version")));
        if (!v)
            return shapeError(what, QStringLiteral("a schema object with a whole-number version"));
        s.version = *v;
    }
    const auto subject = o.value(QStringLiteral("subject"));
    if (subject.isString())
        s.subject = subject.toString();
    const auto type = o.value(QStringLiteral("schemaType"));
    if (type.isString()) {
        s.schemaType = normaliseSchemaType(type.toString());
        if (s.schemaType.isEmpty())
            return Error{-1, QStringLiteral("the registry answered an unknown schemaType '%1'").arg(type.toString())};
    }
    const auto refs = o.value(QStringLiteral("references"));
    if (refs.isArray()) {
        for (const auto &r : refs.toArray()) {
            const QJsonObject ro = r.toObject();
            auto version = toInt(ro.value(QStringLiteral("version")));
            if (!r.isObject() || !ro.value(QStringLiteral("name")).isString() ||
                !ro.value(QStringLiteral("subject")).isString() || !version)
                return shapeError(what, QStringLiteral("a schema object with {name, subject, version} references"));
            s.references.append(SchemaReference{ro.value(QStringLiteral("name")).toString(),
                                                ro.value(QStringLiteral("subject")).toString(), *version});
        }
    } else if (!refs.isUndefined() && !refs.isNull()) {
        return shapeError(what, QStringLiteral("a schema object with a references array"));
    }
    return s;
}

Result<int> RegistryClient::parseRegistered(const QByteArray &body)
{
    const QString what = QStringLiteral("a registration");
    auto doc = parseJson(body, what);
    if (!doc)
        return doc.error();
    auto id = toInt(doc->object().value(QStringLiteral("id")));
    if (!doc->isObject() || !id)
        return shapeError(what, QStringLiteral("an object with a whole-number id"));
    return *id;
}

Result<CompatibilityResult> RegistryClient::parseCompatibility(const QByteArray &body)
{
    const QString what = QStringLiteral("a compatibility check");
    auto doc = parseJson(body, what);
    if (!doc)
        return doc.error();
    const QJsonObject o = doc->object();
    const auto is = o.value(QStringLiteral("is_compatible"));
    if (!doc->isObject() || !is.isBool())
        return shapeError(what, QStringLiteral("an object with an is_compatible boolean"));
    CompatibilityResult c;
    c.compatible = is.toBool();
    // Apicurio gives one "reason" string instead of a "messages" list.
    const auto reason = o.value(QStringLiteral("reason"));
    if (reason.isString() && !reason.toString().isEmpty())
        c.messages.append(reason.toString());
    const auto messages = o.value(QStringLiteral("messages"));
    if (messages.isArray()) {
        for (const auto &m : messages.toArray())
            c.messages.append(m.isString()
                                  ? m.toString()
                                  : QString::fromUtf8(QJsonDocument(m.toObject()).toJson(QJsonDocument::Compact)));
    }
    return c;
}

Error RegistryClient::httpError(int status, const QByteArray &body, const QString &what, const QString &url)
{
    int errorCode = 0;
    QString message;
    QJsonParseError pe;
    const auto doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error == QJsonParseError::NoError && doc.isObject()) {
        const auto o = doc.object();
        errorCode = toInt(o.value(QStringLiteral("error_code"))).value_or(0);
        message = o.value(QStringLiteral("message")).toString();
    }
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(300)).trimmed();
    const QString detail = errorCode != 0      ? QStringLiteral(" (error_code %1: %2)").arg(errorCode).arg(message)
                           : message.isEmpty() ? QString()
                                               : QStringLiteral(" (%1)").arg(message);
    QString summary;
    switch (status) {
    case 401:
        summary = QStringLiteral("authentication failed: the registry at %1 wants valid credentials "
                                 "(basic.auth.user.info)")
                      .arg(url);
        break;
    case 403:
        summary = QStringLiteral("not allowed: the registry at %1 refused %2 for these credentials").arg(url, what);
        break;
    case 404:
        switch (errorCode) {
        case 40401: summary = QStringLiteral("subject not found: %1").arg(what); break;
        case 40402: summary = QStringLiteral("version not found: %1").arg(what); break;
        case 40403: summary = QStringLiteral("schema not found: %1").arg(what); break;
        default: summary = QStringLiteral("not found: %1").arg(what);
        }
        break;
    case 409:
        summary = QStringLiteral("incompatible schema: %1 breaks the subject's compatibility rule").arg(what);
        break;
    case 422:
        summary = errorCode == 42202 ? QStringLiteral("invalid version: %1").arg(what)
                                     : QStringLiteral("invalid schema: %1").arg(what);
        break;
    default: summary = QStringLiteral("the registry at %1 answered HTTP %2 to %3").arg(url).arg(status).arg(what);
    }
    return Error{static_cast<std::int16_t>(status), summary + detail};
}

// ------------------------------------------------------------------ client

struct RegistryClient::TlsState
{
    QSslConfiguration ssl;
};

RegistryClient::RegistryClient(RegistryConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_nam(new QNetworkAccessManager(this))
{
    // Answers are never cached: a registry's "latest" changes.
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

RegistryClient::~RegistryClient()
{
    delete m_tls;
}

Result<bool> RegistryClient::prepareTls()
{
    if (m_tlsPrepared)
        return m_tlsError ? Result<bool>(*m_tlsError) : Result<bool>(true);
    m_tlsPrepared = true;
    if (m_config.url.scheme() != QLatin1StringView("https")) {
        if (!m_config.sslCaLocation.isEmpty() || !m_config.sslCertificateLocation.isEmpty())
            m_tlsError = settingError(QStringLiteral("schema.registry.ssl.* is set but %1 is not an https:// URL")
                                          .arg(m_config.displayUrl()));
        return m_tlsError ? Result<bool>(*m_tlsError) : Result<bool>(true);
    }
    m_tls = new TlsState{QSslConfiguration::defaultConfiguration()};
    auto &ssl = m_tls->ssl;
    if (!m_config.sslCaLocation.isEmpty()) {
        if (!QFile::exists(m_config.sslCaLocation)) {
            m_tlsError = settingError(
                QStringLiteral("schema.registry.ssl.ca.location: %1 does not exist").arg(m_config.sslCaLocation));
            return *m_tlsError;
        }
        const auto cas = QSslCertificate::fromPath(m_config.sslCaLocation, QSsl::Pem);
        if (cas.isEmpty()) {
            m_tlsError = settingError(QStringLiteral("schema.registry.ssl.ca.location: no PEM certificate in %1")
                                          .arg(m_config.sslCaLocation));
            return *m_tlsError;
        }
        ssl.setCaCertificates(cas);
    }
    if (!m_config.sslCertificateLocation.isEmpty() || !m_config.sslKeyLocation.isEmpty()) {
        const auto certs = QSslCertificate::fromPath(m_config.sslCertificateLocation, QSsl::Pem);
        if (certs.isEmpty()) {
            m_tlsError =
                settingError(QStringLiteral("schema.registry.ssl.certificate.location: no PEM certificate in '%1'")
                                 .arg(m_config.sslCertificateLocation));
            return *m_tlsError;
        }
        QFile kf(m_config.sslKeyLocation.isEmpty() ? m_config.sslCertificateLocation : m_config.sslKeyLocation);
        if (!kf.open(QIODevice::ReadOnly)) {
            m_tlsError =
                settingError(QStringLiteral("schema.registry.ssl.key.location: cannot read %1").arg(kf.fileName()));
            return *m_tlsError;
        }
        const QByteArray pem = kf.readAll();
        QSslKey key;
        for (auto alg : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
            key = QSslKey(pem, alg, QSsl::Pem, QSsl::PrivateKey, m_config.sslKeyPassword.toUtf8());
            if (!key.isNull())
                break;
        }
        if (key.isNull()) {
            m_tlsError = settingError(QStringLiteral("schema.registry.ssl.key.location: no usable private key in %1 "
                                                     "(wrong schema.registry.ssl.key.password?)")
                                          .arg(kf.fileName()));
            return *m_tlsError;
        }
        ssl.setLocalCertificate(certs.front());
        if (certs.size() > 1)
            ssl.setLocalCertificateChain(certs);
        ssl.setPrivateKey(key);
    }
    return true;
}

QNetworkRequest RegistryClient::makeRequest(const QString &path) const
{
    QUrl u = m_config.url;
    QString base = u.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    const auto q = path.indexOf(QLatin1Char('?'));
    u.setPath(base + (q < 0 ? path : path.left(q)), QUrl::StrictMode);
    if (q >= 0)
        u.setQuery(path.mid(q + 1));
    QNetworkRequest req(u);
    req.setRawHeader("Accept", kContentType + ", application/json");
    req.setTransferTimeout(m_config.timeoutMs);
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (!m_config.userInfo.isEmpty())
        req.setRawHeader("Authorization", "Basic " + m_config.userInfo.toUtf8().toBase64());
    if (m_tls)
        req.setSslConfiguration(m_tls->ssl);
    return req;
}

void RegistryClient::request(const QByteArray &verb, const QString &path, const QByteArray &body, const QString &what,
                             RawCallback done)
{
    const QString url = m_config.displayUrl();
    if (!m_config.url.isValid() || m_config.url.isEmpty()) {
        const Error e{-1, QStringLiteral("no Schema Registry URL (schema.registry.url / --schema-registry)")};
        QTimer::singleShot(0, this, [done = std::move(done), e] { done(0, {}, &e); });
        return;
    }
    if (auto tls = prepareTls(); !tls) {
        const Error &e = tls.error();
        QTimer::singleShot(0, this, [done = std::move(done), e] { done(0, {}, &e); });
        return;
    }
    QNetworkRequest req = makeRequest(path);
    QNetworkReply *reply;
    if (verb == "GET") {
        reply = m_nam->get(req);
    } else {
        req.setHeader(QNetworkRequest::ContentTypeHeader, kContentType);
        reply = m_nam->sendCustomRequest(req, verb, body);
    }
    if (m_tls && !m_config.sslVerifyHostname) {
        // Chain verification stays; only the host name check is waived.
        connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &errors) {
            QList<QSslError> ignorable;
            for (const auto &e : errors)
                if (e.error() == QSslError::HostNameMismatch)
                    ignorable.append(e);
            if (ignorable.size() == errors.size())
                reply->ignoreSslErrors(ignorable);
        });
    }
    const int timeoutMs = m_config.timeoutMs;
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done), url, what, timeoutMs] {
        reply->deleteLater();
        const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!statusAttr.isValid()) {
            QString msg;
            switch (reply->error()) {
            case QNetworkReply::ConnectionRefusedError:
                msg = QStringLiteral("schema registry %1 is down: connection refused").arg(url);
                break;
            case QNetworkReply::OperationCanceledError:
            case QNetworkReply::TimeoutError:
                msg = QStringLiteral("schema registry %1 did not answer within %2 ms").arg(url).arg(timeoutMs);
                break;
            case QNetworkReply::HostNotFoundError:
                msg = QStringLiteral("schema registry %1: host not found").arg(url);
                break;
            case QNetworkReply::SslHandshakeFailedError:
                msg = QStringLiteral("schema registry %1: TLS handshake failed: %2").arg(url, reply->errorString());
                break;
            default: msg = QStringLiteral("schema registry %1: %2").arg(url, reply->errorString());
            }
            const Error e{-1, msg + QStringLiteral(" (while asking for %1)").arg(what)};
            done(0, {}, &e);
            return;
        }
        done(statusAttr.toInt(), reply->readAll(), nullptr);
    });
}

template <typename T>
void RegistryClient::handle(const QByteArray &verb, const QString &path, const QByteArray &body, const QString &what,
                            std::function<Result<T>(const QByteArray &)> parse, Callback<T> done)
{
    const QString url = m_config.displayUrl();
    request(verb, path, body, what,
            [done, parse, what, url](int status, const QByteArray &answer, const Error *transportError) {
                if (transportError) {
                    done(*transportError);
                    return;
                }
                if (status < 200 || status >= 300) {
                    done(httpError(status, answer, what, url));
                    return;
                }
                done(parse(answer));
            });
}

void RegistryClient::listSubjects(Callback<QStringList> done)
{
    handle<QStringList>("GET", QStringLiteral("/subjects"), {}, QStringLiteral("the subject list"), &parseSubjects,
                        std::move(done));
}

void RegistryClient::listVersions(const QString &subject, Callback<QList<int>> done)
{
    handle<QList<int>>("GET", QStringLiteral("/subjects/%1/versions").arg(pathPart(subject)), {},
                       QStringLiteral("the versions of subject '%1'").arg(subject), &parseVersions, std::move(done));
}

void RegistryClient::getSchema(const QString &subject, const QString &version, Callback<RegistrySchema> done)
{
    const QString v = version.isEmpty() ? QStringLiteral("latest") : version;
    handle<RegistrySchema>(
        "GET", QStringLiteral("/subjects/%1/versions/%2").arg(pathPart(subject), pathPart(v)), {},
        QStringLiteral("subject '%1' version %2").arg(subject, v),
        [subject](const QByteArray &body) -> Result<RegistrySchema> {
            auto r = parseSchema(body);
            if (r && r->subject.isEmpty())
                r->subject = subject;
            return r;
        },
        std::move(done));
}

void RegistryClient::getSchemaById(int id, Callback<RegistrySchema> done)
{
    handle<RegistrySchema>(
        "GET", QStringLiteral("/schemas/ids/%1").arg(id), {}, QStringLiteral("schema id %1").arg(id),
        [id](const QByteArray &body) -> Result<RegistrySchema> {
            auto r = parseSchema(body);
            if (r && r->id < 0)
                r->id = id;
            return r;
        },
        std::move(done));
}

void RegistryClient::registerSchema(const QString &subject, const QString &schema, const QString &schemaType,
                                    const QList<SchemaReference> &references, Callback<int> done)
{
    if (normaliseSchemaType(schemaType).isEmpty()) {
        const Error e{-1, QStringLiteral("unknown schema type '%1' (expected avro, protobuf or json)").arg(schemaType)};
        QTimer::singleShot(0, this, [done, e] { done(e); });
        return;
    }
    handle<int>("POST", QStringLiteral("/subjects/%1/versions").arg(pathPart(subject)),
                schemaBody(schema, schemaType, references),
                QStringLiteral("registering a schema under subject '%1'").arg(subject), &parseRegistered,
                std::move(done));
}

void RegistryClient::lookupSchema(const QString &subject, const QString &schema, const QString &schemaType,
                                  const QList<SchemaReference> &references, Callback<RegistrySchema> done)
{
    if (normaliseSchemaType(schemaType).isEmpty()) {
        const Error e{-1, QStringLiteral("unknown schema type '%1' (expected avro, protobuf or json)").arg(schemaType)};
        QTimer::singleShot(0, this, [done, e] { done(e); });
        return;
    }
    const QString type = normaliseSchemaType(schemaType);
    handle<RegistrySchema>(
        "POST", QStringLiteral("/subjects/%1").arg(pathPart(subject)), schemaBody(schema, schemaType, references),
        QStringLiteral("this schema under subject '%1'").arg(subject),
        [subject, schema, type](const QByteArray &body) -> Result<RegistrySchema> {
            // Some registries leave the schema out of a lookup answer: it is the one we sent.
            QJsonDocument doc = QJsonDocument::fromJson(body);
            QJsonObject o = doc.object();
            if (doc.isObject() && !o.contains(QStringLiteral("schema")))
                o.insert(QStringLiteral("schema"), schema);
            auto r = parseSchema(doc.isObject() ? QJsonDocument(o).toJson(QJsonDocument::Compact) : body);
            if (!r)
                return r;
            if (r->subject.isEmpty())
                r->subject = subject;
            if (r->id < 0)
                return Error{-1,
                             QStringLiteral("the registry's lookup answer for subject '%1' has no id").arg(subject)};
            r->schemaType = type;
            return r;
        },
        std::move(done));
}

void RegistryClient::checkCompatibility(const QString &subject, const QString &schema, const QString &schemaType,
                                        const QList<SchemaReference> &references, Callback<CompatibilityResult> done,
                                        const QString &version)
{
    if (normaliseSchemaType(schemaType).isEmpty()) {
        const Error e{-1, QStringLiteral("unknown schema type '%1' (expected avro, protobuf or json)").arg(schemaType)};
        QTimer::singleShot(0, this, [done = std::move(done), e] { done(e); });
        return;
    }
    const QString what = QStringLiteral("the compatibility check against subject '%1'").arg(subject);
    const QString path = QStringLiteral("/compatibility/subjects/%1/versions/%2?verbose=true")
                             .arg(pathPart(subject), pathPart(version.isEmpty() ? QStringLiteral("latest") : version));
    const QString url = m_config.displayUrl();
    request("POST", path, schemaBody(schema, schemaType, references), what,
            [done = std::move(done), what, url](int status, const QByteArray &answer, const Error *transportError) {
                if (transportError) {
                    done(*transportError);
                    return;
                }
                // A subject without versions has nothing to break (Confluent's
                // registry answers 404 40401 there, some others is_compatible).
                if (status == 404) {
                    const Error e = httpError(status, answer, what, url);
                    if (e.message.contains(QLatin1StringView("error_code 40401")) ||
                        e.message.contains(QLatin1StringView("error_code 40402"))) {
                        done(CompatibilityResult{true, {QStringLiteral("the subject has no version to compare with")}});
                        return;
                    }
                    done(e);
                    return;
                }
                if (status < 200 || status >= 300) {
                    done(httpError(status, answer, what, url));
                    return;
                }
                done(parseCompatibility(answer));
            });
}

template <typename T> Result<T> RegistryClient::waitFor(const std::function<void(Callback<T>)> &start)
{
    QEventLoop loop;
    std::optional<Result<T>> result;
    auto alive = std::make_shared<bool>(true);
    start([&result, &loop, alive](Result<T> r) {
        if (!*alive)
            return;
        result.emplace(std::move(r));
        loop.quit();
    });
    if (!result) {
        // Transfer timeouts end the request; this guards against anything
        // that would keep the loop running past them (e.g. a slow TLS setup).
        QTimer guard;
        guard.setSingleShot(true);
        connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
        guard.start(m_config.timeoutMs + 2000);
        loop.exec();
    }
    *alive = false;
    if (!result)
        return Error{-1, QStringLiteral("schema registry %1 did not answer within %2 ms")
                             .arg(m_config.displayUrl())
                             .arg(m_config.timeoutMs)};
    return std::move(*result);
}

Result<QStringList> RegistryClient::listSubjectsSync()
{
    return waitFor<QStringList>([this](Callback<QStringList> cb) { listSubjects(std::move(cb)); });
}

Result<QList<int>> RegistryClient::listVersionsSync(const QString &subject)
{
    return waitFor<QList<int>>([this, &subject](Callback<QList<int>> cb) { listVersions(subject, std::move(cb)); });
}

Result<RegistrySchema> RegistryClient::getSchemaSync(const QString &subject, const QString &version)
{
    return waitFor<RegistrySchema>(
        [this, &subject, &version](Callback<RegistrySchema> cb) { getSchema(subject, version, std::move(cb)); });
}

Result<RegistrySchema> RegistryClient::getSchemaByIdSync(int id)
{
    return waitFor<RegistrySchema>([this, id](Callback<RegistrySchema> cb) { getSchemaById(id, std::move(cb)); });
}

Result<int> RegistryClient::registerSchemaSync(const QString &subject, const QString &schema, const QString &schemaType,
                                               const QList<SchemaReference> &references)
{
    return waitFor<int>(
        [&](Callback<int> cb) { registerSchema(subject, schema, schemaType, references, std::move(cb)); });
}

Result<RegistrySchema> RegistryClient::lookupSchemaSync(const QString &subject, const QString &schema,
                                                        const QString &schemaType,
                                                        const QList<SchemaReference> &references)
{
    return waitFor<RegistrySchema>(
        [&](Callback<RegistrySchema> cb) { lookupSchema(subject, schema, schemaType, references, std::move(cb)); });
}

Result<CompatibilityResult> RegistryClient::checkCompatibilitySync(const QString &subject, const QString &schema,
                                                                   const QString &schemaType,
                                                                   const QList<SchemaReference> &references)
{
    return waitFor<CompatibilityResult>([&](Callback<CompatibilityResult> cb) {
        checkCompatibility(subject, schema, schemaType, references, std::move(cb));
    });
}

} // namespace kpw
