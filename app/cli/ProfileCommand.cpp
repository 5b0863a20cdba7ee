#include "ProfileCommand.h"

#include "profiles/KeychainSecretStore.h"
#include "profiles/ProfileStore.h"

#include <QFile>
#include <QSettings>
#include <QTextStream>

namespace kpw::cli {

namespace {

// Set by applyProfileOption when secrets could not be read from the keychain.
struct PendingSecrets
{
    QString profile;
    QString why;
    QStringList keys;
};
PendingSecrets g_pending;

QString envName(const QString &key)
{
    QString n = key.toUpper();
    for (QChar &c : n)
        if (!c.isLetterOrNumber())
            c = QLatin1Char('_');
    return QStringLiteral("KPW_") + n;
}

int fail(const QString &message, int code = 1)
{
    QTextStream(stderr) << "kpw-cli: " << message << Qt::endl;
    return code;
}

// Secret names as placeholders: what `show` and `export` without secrets list.
ConnectionProfile withPlaceholders(ConnectionProfile p, const QStringList &secretKeys)
{
    for (const QString &k : secretKeys)
        p.secrets.insert(k, QStringLiteral("<in the system keychain>"));
    return p;
}

} // namespace

void addProfileOption(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("profile"),
                 QStringLiteral("Saved connection profile (kpw-cli profile list); the properties file "
                                "(--producer.config, --consumer.config), -X and -b override its settings. Secrets come "
                                "from the system keychain or KPW_<KEY> variables "
                                "(KPW_SASL_PASSWORD, ...)."),
                 QStringLiteral("name")});
}

int applyProfileOption(const QCommandLineParser &p, ProducerConfig &config)
{
    g_pending = {};
    if (!p.isSet(QStringLiteral("profile")))
        return 0;
    const QString name = p.value(QStringLiteral("profile"));
    auto settings = ProfileStore::openSettings();
    KeychainSecretStore keychain;
    ProfileStore store(settings.get(), &keychain);
    auto profile = store.load(name, false);
    if (!profile)
        return fail(profile.error().message, 2);
    const QStringList secretKeys = store.secretKeys(name);
    QStringList fromKeychain;
    for (const QString &k : secretKeys) {
        const QByteArray env = qgetenv(envName(k).toLatin1().constData());
        if (!env.isEmpty())
            profile->secrets.insert(k, QString::fromUtf8(env));
        else
            fromKeychain.append(k);
    }
    if (!fromKeychain.isEmpty()) {
        auto secrets = keychain.read(name);
        if (!secrets) {
            g_pending = {name, secrets.error().message, fromKeychain};
        } else {
            for (const QString &k : std::as_const(fromKeychain))
                if (secrets->contains(k))
                    profile->secrets.insert(k, secrets->value(k));
        }
    }
    QStringList warnings;
    auto r = profile->applyTo(config, &warnings);
    if (!r)
        return fail(r.error().message, 2);
    QTextStream err(stderr);
    for (const QString &w : std::as_const(warnings))
        err << "% " << w << Qt::endl;
    return 0;
}

int checkProfileSecrets(const ProducerConfig &config)
{
    if (g_pending.keys.isEmpty())
        return 0;
    QStringList missing;
    for (const QString &k : std::as_const(g_pending.keys)) {
        if (config.isSet(k))
            continue;
        if (k == QLatin1StringView("sasl.password") && config.isSet(QStringLiteral("sasl.jaas.config")))
            continue;
        if (k.startsWith(QLatin1StringView("kpw.")))
            continue;
        missing.append(k);
    }
    if (missing.isEmpty())
        return 0;
    QString text = QStringLiteral("profile '%1': %2, so its secrets (%3) cannot be read; kpw never keeps them in a "
                                  "plain file. Give them another way:\n")
                       .arg(g_pending.profile, g_pending.why, missing.join(QStringLiteral(", ")));
    for (const QString &k : std::as_const(missing))
        text += QStringLiteral("  %1=... in the environment (read -rs %1 && export %1)\n").arg(envName(k));
    text += QStringLiteral("  or --producer.config FILE holding them (a file only you can read)\n"
                           "  or -X %1=... (visible to other users in ps)")
                .arg(missing.first());
    return fail(text);
}

int runProfile(QCoreApplication &, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Saved connection profiles, shared with the workbench (settings in ~/.config/kpw/kpw.conf, secrets in the "
        "system keychain):\n"
        "  list                          the profiles\n"
        "  show NAME                     a profile's settings (never its secrets)\n"
        "  import NAME FILE              from a Java client.properties or librdkafka-style file (replaces NAME)\n"
        "  export NAME [FILE]            to client.properties (standard output without FILE); secrets only with "
        "--with-secrets\n"
        "  delete NAME                   the profile and its keychain entry"));
    p.addHelpOption();
    p.addOption({QStringLiteral("with-secrets"),
                 QStringLiteral("export: write passwords and tokens into the file (created readable by you only).")});
    p.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list, show, import, export or delete"));
    p.process(args);
    const QStringList pos = p.positionalArguments();
    const QString action = pos.value(0);
    const auto usage = [](const QString &m) { return fail(m + QStringLiteral("\n(see kpw-cli profile --help)"), 2); };
    auto settings = ProfileStore::openSettings();
    KeychainSecretStore keychain;
    ProfileStore store(settings.get(), &keychain);
    QTextStream out(stdout);
    QTextStream err(stderr);

    if (action == QLatin1StringView("list")) {
        for (const QString &n : store.names()) {
            auto prof = store.load(n, false);
            if (!prof)
                continue;
            out << n << "\t" << prof->bootstrap() << "\t" << prof->securityProtocol();
            if (!prof->saslMechanism().isEmpty())
                out << " " << prof->saslMechanism();
            out << Qt::endl;
        }
        return 0;
    }
    if (action == QLatin1StringView("show")) {
        if (pos.size() != 2)
            return usage(QStringLiteral("profile show NAME"));
        auto prof = store.load(pos[1], false);
        if (!prof)
            return fail(prof.error().message);
        out << withPlaceholders(*prof, store.secretKeys(pos[1])).toProperties(false);
        return 0;
    }
    if (action == QLatin1StringView("import")) {
        if (pos.size() != 3)
            return usage(QStringLiteral("profile import NAME FILE"));
        if (const QString e = ConnectionProfile::nameError(pos[1]); !e.isEmpty())
            return usage(QStringLiteral("profile name '%1': %2").arg(pos[1], e));
        QStringList notes;
        auto prof = ConnectionProfile::fromPropertiesFile(pos[1], pos[2], &notes);
        if (!prof)
            return fail(prof.error().message);
        for (const QString &n : std::as_const(notes))
            err << "% " << n << Qt::endl;
        const auto problems = prof->validate(true);
        for (auto it = problems.cbegin(); it != problems.cend(); ++it)
            err << "% warning: " << it.key() << ": " << it.value() << Qt::endl;
        auto r = store.save(*prof, true);
        if (!r)
            return fail(QStringLiteral("profile '%1' not imported: %2%3")
                            .arg(pos[1], r.error().message,
                                 r.error().code == SecretStore::Unavailable
                                     ? QStringLiteral("; kpw does not write secrets to a plain file. Remove them "
                                                      "from the file and give them at run time (KPW_SASL_PASSWORD=..., "
                                                      "see kpw-cli produce --help), or start a keychain service")
                                     : QString()));
        out << "imported profile '" << pos[1] << "': " << prof->settings.size() << " setting(s), "
            << prof->secrets.size() << " secret(s) in the system keychain" << Qt::endl;
        return 0;
    }
    if (action == QLatin1StringView("export")) {
        if (pos.size() != 2 && pos.size() != 3)
            return usage(QStringLiteral("profile export NAME [FILE] [--with-secrets]"));
        const bool withSecrets = p.isSet(QStringLiteral("with-secrets"));
        auto prof = store.load(pos[1], withSecrets);
        if (!prof)
            return fail(prof.error().message);
        const QString text = withSecrets ? prof->toProperties(true)
                                         : withPlaceholders(*prof, store.secretKeys(pos[1])).toProperties(false);
        if (pos.size() == 2) {
            out << text;
            return 0;
        }
        QFile f(pos[2]);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return fail(QStringLiteral("cannot write %1: %2").arg(pos[2], f.errorString()));
        if (withSecrets)
            f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        f.write(text.toUtf8());
        f.close();
        err << "exported profile '" << pos[1] << "' to " << pos[2]
            << (withSecrets ? " (with its secrets: keep the file private)" : " (secrets left in the keychain)")
            << Qt::endl;
        return 0;
    }
    if (action == QLatin1StringView("delete")) {
        if (pos.size() != 2)
            return usage(QStringLiteral("profile delete NAME"));
        auto r = store.remove(pos[1]);
        if (!r)
            return fail(r.error().message);
        out << "deleted profile '" << pos[1] << "'" << Qt::endl;
        return 0;
    }
    return usage(action.isEmpty() ? QStringLiteral("profile: give an action (list, show, import, export, delete)")
                                  : QStringLiteral("profile: unknown action '%1'").arg(action));
}

} // namespace kpw::cli
