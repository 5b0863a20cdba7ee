#pragma once

#include "profiles/ConnectionProfile.h"
#include "profiles/SecretStore.h"

#include <QStringList>

#include <memory>

class QSettings;

namespace kpw {

// Saved connection profiles: the settings in QSettings (group
// "connectionProfiles/<name>", plus the names, never the values, of the
// profile's secrets under "secretKeys"), the secrets in a SecretStore. The
// GUI and kpw-cli share one file: QSettings("kpw", "kpw"), see openSettings().
class ProfileStore
{
public:
    ProfileStore(QSettings *settings, SecretStore *secrets);

    // The settings file the GUI and kpw-cli share (~/.config/kpw/kpw.conf;
    // XDG_CONFIG_HOME moves it).
    static std::unique_ptr<QSettings> openSettings();

    QStringList names() const;
    bool contains(const QString &name) const;
    // The names of the profile's secrets (what the keychain should hold).
    QStringList secretKeys(const QString &name) const;

    // withSecrets=false: settings only (no keychain call). An unknown name is
    // an error; so is an unreachable keychain when withSecrets (code
    // SecretStore::Unavailable), so that the caller can ask for the secrets.
    Result<ConnectionProfile> load(const QString &name, bool withSecrets = true) const;
    // Secrets first (to the keychain, when saveSecrets), then the settings:
    // when the keychain fails nothing is written. saveSecrets=false keeps the
    // keychain as it is (e.g. it is unavailable) and records the secrets'
    // names only, so that they are asked for at use.
    Result<bool> save(const ConnectionProfile &profile, bool saveSecrets = true);
    Result<bool> remove(const QString &name);
    Result<bool> rename(const QString &from, const QString &to);

    QString lastUsed() const;
    void setLastUsed(const QString &name);

private:
    QSettings *m_settings;
    SecretStore *m_secrets;
};

} // namespace kpw
