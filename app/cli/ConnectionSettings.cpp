#include "ConnectionSettings.h"

#include "ProfileCommand.h"

#include <QTextStream>

namespace kpw::cli {

namespace {

const QString kConfigFile = QStringLiteral("producer.config");

int usageError(const QString &command, const QString &message)
{
    QTextStream(stderr) << "kpw-cli: " << message << "\n(see kpw-cli " << command << " --help)" << Qt::endl;
    return 2;
}

} // namespace

void addConnectionOptions(QCommandLineParser &p, ConfigFileOption file)
{
    p.addOption({{QStringLiteral("b"), QStringLiteral("bootstrap-server")},
                 QStringLiteral("Bootstrap servers (host:port,...)."),
                 QStringLiteral("hosts")});
    p.addOption({QStringLiteral("X"),
                 QStringLiteral("Connection setting by its Java (or librdkafka) name, e.g. -X "
                                "security.protocol=SASL_SSL (repeatable)."),
                 QStringLiteral("prop=value")});
    // Both names are one option: p.value(kConfigFile) reads either.
    if (file == ConfigFileOption::Consumer)
        p.addOption({{QStringLiteral("consumer.config"), kConfigFile},
                     QStringLiteral("Java client.properties file to load first (security settings); "
                                    "--producer.config is the same option."),
                     QStringLiteral("file")});
    else
        p.addOption({kConfigFile, QStringLiteral("Java client.properties file to load first (security settings)."),
                     QStringLiteral("file")});
    addProfileOption(p);
}

int buildConnectionConfig(const QCommandLineParser &p, const QString &command, ProducerConfig &config)
{
    QTextStream err(stderr);
    // --profile first; the properties file, -X and -b override it.
    if (const int rc = applyProfileOption(p, config))
        return rc;
    if (p.isSet(kConfigFile)) {
        QStringList warnings;
        auto r = config.loadPropertiesFile(p.value(kConfigFile), &warnings);
        if (!r)
            return usageError(command, r.error().message);
        for (const auto &w : std::as_const(warnings))
            err << "% " << w << Qt::endl;
    }
    for (const auto &x : p.values(QStringLiteral("X"))) {
        const auto eq = x.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return usageError(command, QStringLiteral("-X %1: expected prop=value").arg(x));
        QString warning;
        auto r = config.set(x.left(eq), x.mid(eq + 1), &warning);
        if (!r)
            return usageError(command, QStringLiteral("-X %1").arg(r.error().message));
        if (!warning.isEmpty())
            err << "% " << warning << Qt::endl;
    }
    if (p.isSet(QStringLiteral("b"))) {
        auto r = config.set(QStringLiteral("bootstrap.servers"), p.value(QStringLiteral("b")));
        if (!r)
            return usageError(command, QStringLiteral("-b: %1").arg(r.error().message));
    }
    if (config.bootstrapServers().isEmpty())
        return usageError(command, QStringLiteral("no bootstrap server: give -b HOST:PORT"));
    return checkProfileSecrets(config);
}

} // namespace kpw::cli
