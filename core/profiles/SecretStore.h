#pragma once

#include "wire/Result.h"

#include <QMap>
#include <QString>

#include <cstdint>

namespace kpw {

// Where a profile's secrets live (passwords, key passphrases, tokens). The
// core only knows this interface; KeychainSecretStore (kpw_keychain) puts
// them in the system keychain through qtkeychain. Calls are synchronous.
class SecretStore
{
public:
    // Error code: no keychain service answered (no D-Bus session, no secret
    // service, locked and no prompt possible). The message says why.
    static constexpr std::int16_t Unavailable = -1101;

    virtual ~SecretStore() = default;
    // The secrets of one profile; an empty map when none are stored.
    virtual Result<QMap<QString, QString>> read(const QString &profile) = 0;
    // Replaces them; an empty map removes the entry.
    virtual Result<bool> write(const QString &profile, const QMap<QString, QString> &secrets) = 0;
    virtual Result<bool> remove(const QString &profile) = 0;
};

} // namespace kpw
