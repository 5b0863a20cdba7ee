#include "profiles/ProfileStore.h"

#include "wire/KafkaError.h"

#include <QSettings>

namespace kpw {

namespace {

const QString kGroup = QStringLiteral("connectionProfiles");
const QString kSecretKeys = QStringLiteral("secretKeys");
const QString kSettings = QStringLiteral("settings");
const QString kLastUsed = QStringLiteral("connection/lastProfile");

// QSettings reads '/' in a key as a group separator.
QString toSettingsKey(QString k)
{
    return k.replace(QLatin1Char('%'), QStringLiteral("%25")).replace(QLatin1Char('/'), QStringLiteral("%2F"));
}

QString fromSettingsKey(QString k)
{
    return k.replace(QStringLiteral("%2F"), QStringLiteral("/")).replace(QStringLiteral("%25"), QStringLiteral("%"));
}

Error invalid(const QString &why)
{
    return Error{KafkaError::ClientInvalidConfig, why};
}

} // namespace

ProfileStore::ProfileStore(QSettings *settings, SecretStore *secrets) : m_settings(settings), m_secrets(secrets) {}

std::unique_ptr<QSettings> ProfileStore::openSettings()
{
    return std::make_unique<QSettings>(QStringLiteral("kpw"), QStringLiteral("kpw"));
}

QStringList ProfileStore::names() const
{
    m_settings->beginGroup(kGroup);
    QStringList n = m_settings->childGroups();
    m_settings->endGroup();
    n.sort(Qt::CaseInsensitive);
    return n;
}

bool ProfileStore::contains(const QString &name) const
{
    return !name.isEmpty() && names().contains(name);
}

QStringList ProfileStore::secretKeys(const QString &name) const
{
    return m_settings->value(kGroup + QLatin1Char('/') + name + QLatin1Char('/') + kSecretKeys).toStringList();
}

Result<ConnectionProfile> ProfileStore::load(const QString &name, bool withSecrets) const
{
    if (!contains(name))
        return invalid(QStringLiteral("no connection profile named '%1' (profiles: %2)")
                           .arg(name, names().isEmpty() ? QStringLiteral("none") : names().join(QStringLiteral(", "))));
    ConnectionProfile p;
    p.name = name;
    m_settings->beginGroup(kGroup + QLatin1Char('/') + name + QLatin1Char('/') + kSettings);
    const QStringList keys = m_settings->childKeys();
    for (const QString &k : keys)
        p.settings.insert(fromSettingsKey(k), m_settings->value(k).toString());
    m_settings->endGroup();
    if (withSecrets && !secretKeys(name).isEmpty()) {
        auto s = m_secrets->read(name);
        if (!s)
            return s.error();
        p.secrets = *s;
    }
    return p;
}

Result<bool> ProfileStore::save(const ConnectionProfile &profile, bool saveSecrets)
{
    if (const QString e = ConnectionProfile::nameError(profile.name); !e.isEmpty())
        return invalid(e);
    for (auto it = profile.settings.cbegin(); it != profile.settings.cend(); ++it)
        if (ConnectionProfile::isSecretKey(it.key()))
            return invalid(
                QStringLiteral("%1 is a secret: it belongs in the keychain, not the settings").arg(it.key()));
    if (saveSecrets) {
        auto w = m_secrets->write(profile.name, profile.secrets);
        if (!w)
            return w;
    }
    const QString base = kGroup + QLatin1Char('/') + profile.name;
    const QStringList oldSecretKeys = secretKeys(profile.name);
    m_settings->remove(base);
    m_settings->beginGroup(base);
    // Names only, never values: what to ask the keychain (or the user) for.
    QStringList names = profile.secrets.keys();
    if (!saveSecrets)
        for (const QString &k : oldSecretKeys)
            if (!names.contains(k))
                names.append(k);
    m_settings->setValue(kSecretKeys, names);
    m_settings->beginGroup(kSettings);
    for (auto it = profile.settings.cbegin(); it != profile.settings.cend(); ++it)
        m_settings->setValue(toSettingsKey(it.key()), it.value());
    m_settings->endGroup();
    m_settings->endGroup();
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        return invalid(QStringLiteral("cannot write the settings file %1").arg(m_settings->fileName()));
    return true;
}

Result<bool> ProfileStore::remove(const QString &name)
{
    if (!contains(name))
        return invalid(QStringLiteral("no connection profile named '%1'").arg(name));
    const bool hadSecrets = !secretKeys(name).isEmpty();
    m_settings->remove(kGroup + QLatin1Char('/') + name);
    if (lastUsed() == name)
        m_settings->remove(kLastUsed);
    m_settings->sync();
    if (hadSecrets)
        return m_secrets->remove(name);
    return true;
}

Result<bool> ProfileStore::rename(const QString &from, const QString &to)
{
    if (const QString e = ConnectionProfile::nameError(to); !e.isEmpty())
        return invalid(e);
    if (from == to)
        return true;
    if (contains(to))
        return invalid(QStringLiteral("a profile named '%1' exists already").arg(to));
    auto p = load(from, true);
    if (!p)
        return p.error();
    p->name = to;
    if (auto r = save(*p, true); !r)
        return r;
    const bool wasLast = lastUsed() == from;
    if (auto r = remove(from); !r)
        return r;
    if (wasLast)
        setLastUsed(to);
    return true;
}

QString ProfileStore::lastUsed() const
{
    return m_settings->value(kLastUsed).toString();
}

void ProfileStore::setLastUsed(const QString &name)
{
    m_settings->setValue(kLastUsed, name);
    m_settings->sync();
}

} // namespace kpw
