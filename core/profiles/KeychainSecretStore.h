#pragma once

#include "profiles/SecretStore.h"

namespace kpw {

// SecretStore in the system keychain through qtkeychain (on Linux the
// freedesktop Secret Service: GNOME Keyring, KWallet, KeePassXC). One entry
// per profile, service "kpw", key "profile:<name>", holding the secrets as a
// JSON object. Each call waits for the keychain in a local event loop, at
// most timeoutMs; no answer, no service, or a refusal is
// SecretStore::Unavailable with the backend's own message.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("kpw"), int timeoutMs = 20000);

    Result<QMap<QString, QString>> read(const QString &profile) override;
    Result<bool> write(const QString &profile, const QMap<QString, QString> &secrets) override;
    Result<bool> remove(const QString &profile) override;

private:
    QString m_service;
    int m_timeoutMs;
};

} // namespace kpw
