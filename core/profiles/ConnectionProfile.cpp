#include "profiles/ConnectionProfile.h"

#include "wire/KafkaError.h"

#include <QDateTime>

#include <algorithm>
#include <QFile>
#include <QFileInfo>

namespace kpw {

namespace {

const QString kJaasModule = QStringLiteral("kpw.jaas.module");
const QString kJaasOption = QStringLiteral("kpw.jaas.option.");

QString s(const char *text)
{
    return QString::fromLatin1(text);
}

bool isSaslProtocol(const QString &p)
{
    return p == QLatin1StringView("SASL_PLAINTEXT") || p == QLatin1StringView("SASL_SSL");
}

// Escapes a value for a .properties file (java.util.Properties.store rules
// that matter here: backslash, line breaks, leading blanks).
QString escapeValue(const QString &v)
{
    QString out;
    out.reserve(v.size());
    for (qsizetype i = 0; i < v.size(); ++i) {
        const QChar c = v[i];
        if (c == QLatin1Char('\\'))
            out += s("\\\\");
        else if (c == QLatin1Char('\n'))
            out += s("\\n");
        else if (c == QLatin1Char('\r'))
            out += s("\\r");
        else if (c == QLatin1Char('\t'))
            out += s("\\t");
        else if (c == QLatin1Char('\f'))
            out += s("\\f");
        else if (i == 0 && c == QLatin1Char(' '))
            out += s("\\ ");
        else
            out += c;
    }
    return out;
}

QString escapeKey(const QString &k)
{
    QString out;
    for (const QChar c : k) {
        if (c == QLatin1Char('=') || c == QLatin1Char(':') || c == QLatin1Char(' ') || c == QLatin1Char('#') ||
            c == QLatin1Char('!') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

// A JAAS option value, quoted, with '"' and '\' escaped (parseJaasConfig
// reads "\x" as x).
QString jaasQuote(const QString &v)
{
    QString out = s("\"");
    for (const QChar c : v) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out + QLatin1Char('"');
}

// "" when path is a readable file with a PEM block of the wanted kind.
QString pemFileError(const QString &path, bool wantCertificate, bool wantKey)
{
    const QFileInfo info(path);
    if (!info.exists())
        return QStringLiteral("no such file");
    if (!info.isFile())
        return QStringLiteral("not a file");
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read it: %1").arg(f.errorString());
    const QByteArray head = f.read(1 << 20);
    if (!head.contains("-----BEGIN "))
        return QStringLiteral("not PEM (no -----BEGIN line): convert it with openssl");
    if (wantCertificate && !head.contains("-----BEGIN CERTIFICATE-----"))
        return QStringLiteral("no PEM certificate in this file");
    if (wantKey && !head.contains("PRIVATE KEY-----"))
        return QStringLiteral("no PEM private key in this file");
    return {};
}

} // namespace

QString ConnectionProfile::securityProtocol() const
{
    const QString p = settings.value(s("security.protocol")).toUpper();
    return p.isEmpty() ? s("PLAINTEXT") : p;
}

QString ConnectionProfile::saslMechanism() const
{
    QString m = settings.value(s("sasl.mechanism")).toUpper(); // not const: returned by move
    if (!isSaslProtocol(securityProtocol()))
        return m;
    return m.isEmpty() ? s("PLAIN") : m;
}

QString ConnectionProfile::certFile() const
{
    const QString java = settings.value(s("ssl.keystore.location"));
    return java.isEmpty() ? settings.value(s("ssl.certificate.location")) : java;
}

bool ConnectionProfile::verifyHostname() const
{
    if (!settings.contains(s("ssl.endpoint.identification.algorithm")))
        return true;
    return settings.value(s("ssl.endpoint.identification.algorithm")).compare(s("https"), Qt::CaseInsensitive) == 0;
}

void ConnectionProfile::setSetting(const QString &key, const QString &value)
{
    if (value.isEmpty())
        settings.remove(key);
    else
        settings.insert(key, value);
}

void ConnectionProfile::setSecret(const QString &key, const QString &value)
{
    if (value.isEmpty())
        secrets.remove(key);
    else
        secrets.insert(key, value);
}

void ConnectionProfile::setTlsFiles(const QString &caFile, const QString &certFile, const QString &keyFile)
{
    for (const char *k : {"ssl.ca.location", "ssl.truststore.location", "ssl.truststore.type", "ssl.keystore.location",
                          "ssl.keystore.type", "ssl.certificate.location", "ssl.key.location"})
        settings.remove(s(k));
    if (!caFile.isEmpty()) {
        settings.insert(s("ssl.truststore.location"), caFile);
        settings.insert(s("ssl.truststore.type"), s("PEM"));
    }
    if (!certFile.isEmpty() && keyFile.isEmpty()) {
        settings.insert(s("ssl.keystore.location"), certFile);
        settings.insert(s("ssl.keystore.type"), s("PEM"));
    } else if (!certFile.isEmpty() || !keyFile.isEmpty()) {
        setSetting(s("ssl.certificate.location"), certFile);
        setSetting(s("ssl.key.location"), keyFile);
    }
}

void ConnectionProfile::setVerifyHostname(bool on)
{
    if (on)
        settings.remove(s("ssl.endpoint.identification.algorithm"));
    else
        settings.insert(s("ssl.endpoint.identification.algorithm"), QString());
}

bool ConnectionProfile::isSecretKey(const QString &key)
{
    const QString k = key.toLower();
    if (ProducerConfig::isSecret(key) || k == QLatin1StringView("ssl.keystore.key"))
        return true;
    if (k.startsWith(kJaasOption))
        return isSecretKey(k.mid(kJaasOption.size()));
    return k.contains(QLatin1StringView("password")) || k.contains(QLatin1StringView("secret")) ||
           k.endsWith(QLatin1StringView(".token")) || k == QLatin1StringView("token") ||
           k.endsWith(QLatin1StringView("user.info")) || k.endsWith(QLatin1StringView("credentials"));
}

QString ConnectionProfile::nameError(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("a profile needs a name");
    if (name != name.trimmed())
        return QStringLiteral("the name must not start or end with a space");
    if (name.size() > 100)
        return QStringLiteral("the name is longer than 100 characters");
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
        return QStringLiteral("the name must not contain '/' or '\\'");
    return {};
}

Result<ConnectionProfile> ConnectionProfile::fromProperties(const QString &name, const QString &text,
                                                            const QString &sourceName, QStringList *notes)
{
    auto pairs = ProducerConfig::parsePropertiesText(text, sourceName);
    if (!pairs)
        return pairs.error();
    const auto bad = [&](const QString &why) {
        return Error{KafkaError::ClientInvalidConfig, QStringLiteral("%1: %2").arg(sourceName, why)};
    };
    const auto note = [&](const QString &n) {
        if (notes)
            notes->append(n);
    };
    QMap<QString, QString> in;
    for (const auto &[k, v] : *pairs)
        in.insert(k, v); // java.util.Properties: the last one wins

    ConnectionProfile p;
    p.name = name;
    QString certificate, key;
    for (auto it = in.cbegin(); it != in.cend(); ++it) {
        const QString &k = it.key();
        const QString &v = it.value();
        if (k == QLatin1StringView("sasl.jaas.config")) {
            if (v.trimmed().isEmpty())
                continue;
            auto jaas = ProducerConfig::parseJaasConfig(v);
            if (!jaas)
                return bad(jaas.error().message);
            p.settings.insert(kJaasModule, jaas->loginModule);
            for (auto o = jaas->options.cbegin(); o != jaas->options.cend(); ++o) {
                if (o.key() == QLatin1StringView("username"))
                    p.settings.insert(s("sasl.username"), o.value());
                else if (o.key() == QLatin1StringView("password"))
                    p.secrets.insert(s("sasl.password"), o.value());
                else if (isSecretKey(o.key()))
                    p.secrets.insert(kJaasOption + o.key(), o.value());
                else
                    p.settings.insert(kJaasOption + o.key(), o.value());
            }
            note(QStringLiteral("sasl.jaas.config: user and password taken from %1")
                     .arg(jaas->loginModule.section(QLatin1Char('.'), -1)));
        } else if (k == QLatin1StringView("ssl.ca.location")) {
            if (in.contains(s("ssl.truststore.location")))
                continue; // the Java name wins, as in ProducerConfig::security()
            p.settings.insert(s("ssl.truststore.location"), v);
            if (!in.contains(s("ssl.truststore.type")))
                p.settings.insert(s("ssl.truststore.type"), s("PEM"));
            note(s("ssl.ca.location stored as ssl.truststore.location (PEM)"));
        } else if (k == QLatin1StringView("sasl.mechanisms")) {
            if (in.contains(s("sasl.mechanism")))
                continue;
            p.settings.insert(s("sasl.mechanism"), v.trimmed().toUpper());
            note(s("sasl.mechanisms stored as sasl.mechanism"));
        } else if (k == QLatin1StringView("ssl.certificate.location")) {
            certificate = v;
        } else if (k == QLatin1StringView("ssl.key.location")) {
            key = v;
        } else if (k == QLatin1StringView("security.protocol") || k == QLatin1StringView("sasl.mechanism")) {
            p.settings.insert(k, v.trimmed().toUpper());
        } else if (in.contains(s("sasl.jaas.config")) &&
                   ((k == QLatin1StringView("sasl.username") && p.settings.contains(s("sasl.username"))) ||
                    (k == QLatin1StringView("sasl.password") && p.secrets.contains(s("sasl.password"))))) {
            continue; // jaas wins over the librdkafka spelling
        } else if (isSecretKey(k)) {
            p.secrets.insert(k, v);
        } else {
            p.settings.insert(k, v);
        }
    }
    if (!certificate.isEmpty() || !key.isEmpty()) {
        if (key.isEmpty() && !in.contains(s("ssl.keystore.location"))) {
            p.settings.insert(s("ssl.keystore.location"), certificate);
            if (!in.contains(s("ssl.keystore.type")))
                p.settings.insert(s("ssl.keystore.type"), s("PEM"));
            note(s("ssl.certificate.location (certificate and key in one file) stored as ssl.keystore.location"));
        } else {
            // A certificate and key pair; or Java's keystore is given, which
            // wins, and the librdkafka pair stays as it was.
            p.setSetting(s("ssl.certificate.location"), certificate);
            p.setSetting(s("ssl.key.location"), key);
        }
    }
    return p;
}

Result<ConnectionProfile> ConnectionProfile::fromPropertiesFile(const QString &name, const QString &path,
                                                                QStringList *notes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error{KafkaError::ClientInvalidConfig, QStringLiteral("cannot read %1: %2").arg(path, f.errorString())};
    return fromProperties(name, QString::fromUtf8(f.readAll()), path, notes);
}

QString ConnectionProfile::toProperties(bool withSecrets) const
{
    QStringList out;
    out << QStringLiteral("# Kafka client settings of the kpw connection profile \"%1\"").arg(name);
    if (!withSecrets && !secrets.isEmpty())
        out << s("# Secrets stay in the system keychain; export with secrets (kpw-cli profile export NAME FILE "
                 "--with-secrets) to write them here.");
    const auto line = [&](const QString &k, const QString &v) {
        out << escapeKey(k) + QLatin1Char('=') + escapeValue(v);
    };
    const auto secretLine = [&](const QString &k, const QString &v) {
        if (withSecrets)
            line(k, v);
        else
            out << QStringLiteral("# %1=<in the system keychain>").arg(escapeKey(k));
    };

    // The connection first, then the rest by name.
    QStringList order = {s("bootstrap.servers"), s("security.protocol"), s("sasl.mechanism")};
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        if (!order.contains(it.key()))
            order << it.key();

    const QString mechanism = saslMechanism();
    QString module = settings.value(kJaasModule);
    if (module.isEmpty() && isSaslProtocol(securityProtocol())) {
        if (mechanism == QLatin1StringView("PLAIN"))
            module = s("org.apache.kafka.common.security.plain.PlainLoginModule");
        else if (mechanism.startsWith(QLatin1StringView("SCRAM-")))
            module = s("org.apache.kafka.common.security.scram.ScramLoginModule");
    }
    const bool jaas = !module.isEmpty();
    const bool twoFiles = settings.contains(s("ssl.key.location")) && !settings.contains(s("ssl.keystore.location"));

    for (const QString &k : std::as_const(order)) {
        if (!settings.contains(k) || k.startsWith(QLatin1StringView("kpw.")))
            continue;
        if (jaas && k == QLatin1StringView("sasl.username"))
            continue; // goes into sasl.jaas.config
        if (twoFiles && k == QLatin1StringView("ssl.certificate.location"))
            out << s("# The Java client takes one PEM file with key and certificate (ssl.keystore.location); "
                     "these two are librdkafka's (kpw reads both).");
        line(k, settings.value(k));
    }
    if (jaas) {
        QString text = module + s(" required");
        if (settings.contains(s("sasl.username")))
            text += s(" username=") + jaasQuote(username());
        QString secretText = text;
        if (secrets.contains(s("sasl.password"))) {
            secretText += s(" password=") + jaasQuote(password());
            text += s(" password=\"<in the system keychain>\"");
        }
        for (auto it = settings.cbegin(); it != settings.cend(); ++it)
            if (it.key().startsWith(kJaasOption)) {
                const QString opt =
                    QLatin1Char(' ') + it.key().mid(kJaasOption.size()) + QLatin1Char('=') + jaasQuote(it.value());
                text += opt;
                secretText += opt;
            }
        for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
            if (it.key().startsWith(kJaasOption)) {
                secretText +=
                    QLatin1Char(' ') + it.key().mid(kJaasOption.size()) + QLatin1Char('=') + jaasQuote(it.value());
                text += QLatin1Char(' ') + it.key().mid(kJaasOption.size()) + s("=\"<in the system keychain>\"");
            }
        text += QLatin1Char(';');
        secretText += QLatin1Char(';');
        const bool holdsSecret = secrets.contains(s("sasl.password")) ||
                                 std::any_of(secrets.keyBegin(), secrets.keyEnd(),
                                             [](const QString &k) { return k.startsWith(kJaasOption); });
        if (withSecrets || !holdsSecret)
            line(s("sasl.jaas.config"), secretText);
        else
            out << s("# sasl.jaas.config=") + escapeValue(text);
    }
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it) {
        if (it.key().startsWith(kJaasOption) || (jaas && it.key() == QLatin1StringView("sasl.password")))
            continue;
        secretLine(it.key(), it.value());
    }
    return out.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

Result<bool> ConnectionProfile::applyTo(ProducerConfig &config, QStringList *warnings) const
{
    const auto apply = [&](const QString &k, const QString &v) -> Result<bool> {
        QString warning;
        auto r = config.set(k, v, &warning);
        if (!r) {
            if (ProducerConfig::key(k))
                return Error{r.error().code, QStringLiteral("profile '%1': %2").arg(name, r.error().message)};
            if (warnings)
                warnings->append(QStringLiteral("profile '%1': %2 is kept in the profile but is not a producer setting")
                                     .arg(name, k));
            return true;
        }
        if (!warning.isEmpty() && warnings)
            warnings->append(QStringLiteral("profile '%1': %2").arg(name, warning));
        return true;
    };
    for (auto it = settings.cbegin(); it != settings.cend(); ++it) {
        if (it.key().startsWith(QLatin1StringView("kpw.")) || it.key() == QLatin1StringView("schema.registry.url"))
            continue;
        if (auto r = apply(it.key(), it.value()); !r)
            return r;
    }
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it) {
        if (it.key().startsWith(QLatin1StringView("kpw.")))
            continue;
        if (auto r = apply(it.key(), it.value()); !r)
            return r;
    }
    return true;
}

QMap<QString, QString> ConnectionProfile::validate(bool checkSecrets) const
{
    QMap<QString, QString> e;
    if (const QString n = nameError(name); !n.isEmpty())
        e.insert(s("name"), n);

    const QString boot = bootstrap().trimmed();
    if (boot.isEmpty()) {
        e.insert(s("bootstrap.servers"), s("required: host:port[,host:port...]"));
    } else {
        for (const QString &entry : boot.split(QLatin1Char(','))) {
            const QString hp = entry.trimmed();
            const auto colon = hp.lastIndexOf(QLatin1Char(':'));
            bool ok = false;
            const int port = colon > 0 ? hp.mid(colon + 1).toInt(&ok) : 0;
            if (hp.isEmpty() || colon <= 0 || !ok || port <= 0 || port > 65535 ||
                hp.left(colon).contains(QLatin1Char(' '))) {
                e.insert(s("bootstrap.servers"), QStringLiteral("'%1' is not host:port (port 1-65535)").arg(hp));
                break;
            }
        }
    }

    const QString proto = securityProtocol();
    const QStringList protocols = {s("PLAINTEXT"), s("SSL"), s("SASL_PLAINTEXT"), s("SASL_SSL")};
    if (!protocols.contains(proto))
        e.insert(s("security.protocol"),
                 QStringLiteral("'%1' is not one of %2").arg(proto, protocols.join(QStringLiteral(", "))));
    const bool sasl = isSaslProtocol(proto);
    const bool tls = proto == QLatin1StringView("SSL") || proto == QLatin1StringView("SASL_SSL");

    const QString mech = saslMechanism();
    const QStringList mechanisms = {s("PLAIN"), s("SCRAM-SHA-256"), s("SCRAM-SHA-512"), s("OAUTHBEARER")};
    if (sasl) {
        if (!mechanisms.contains(mech)) {
            e.insert(s("sasl.mechanism"),
                     QStringLiteral("'%1' is not one of %2").arg(mech, mechanisms.join(QStringLiteral(", "))));
        } else if (mech == QLatin1StringView("OAUTHBEARER")) {
            const QString file = oauthTokenFile();
            if (!file.isEmpty()) {
                QFile f(file);
                if (!f.open(QIODevice::ReadOnly))
                    e.insert(s("sasl.oauthbearer.token.file"),
                             QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
            } else if (checkSecrets && oauthToken().isEmpty()) {
                e.insert(s("sasl.oauthbearer.token.file"), s("OAUTHBEARER needs a token file (or a token)"));
            }
        } else {
            if (username().trimmed().isEmpty())
                e.insert(s("sasl.username"), QStringLiteral("%1 needs a user name").arg(mech));
            if (checkSecrets && password().isEmpty())
                e.insert(s("sasl.password"), QStringLiteral("%1 needs a password").arg(mech));
        }
    } else if (!settings.value(s("sasl.mechanism")).isEmpty()) {
        e.insert(s("sasl.mechanism"), QStringLiteral("a SASL mechanism needs security.protocol SASL_PLAINTEXT or "
                                                     "SASL_SSL (not %1)")
                                          .arg(proto));
    }

    if (tls) {
        if (!caFile().isEmpty())
            if (const QString err = pemFileError(caFile(), true, false); !err.isEmpty())
                e.insert(s("ssl.truststore.location"), err);
        const bool oneFile = keyFile().isEmpty();
        if (!certFile().isEmpty())
            if (const QString err = pemFileError(certFile(), true, oneFile); !err.isEmpty())
                e.insert(s("ssl.keystore.location"), err);
        if (!keyFile().isEmpty()) {
            if (certFile().isEmpty())
                e.insert(s("ssl.keystore.location"), s("a private key needs its client certificate"));
            if (const QString err = pemFileError(keyFile(), false, true); !err.isEmpty())
                e.insert(s("ssl.key.location"), err);
        }
    }
    return e;
}

} // namespace kpw
