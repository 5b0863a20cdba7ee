#include "profiles/KeychainSecretStore.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace kpw {

namespace {

QString entryKey(const QString &profile)
{
    return QStringLiteral("profile:") + profile;
}

// Runs a qtkeychain job to its end (or the timeout) in a local event loop.
// True when it finished; false on the timeout.
bool runJob(QKeychain::Job &job, int timeoutMs)
{
    bool done = false;
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        done = true;
        loop.quit();
    });
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    if (!done) {
        timer.start(timeoutMs);
        loop.exec();
    }
    return done;
}

Error unavailable(const QString &what, const QString &detail)
{
    return Error{SecretStore::Unavailable,
                 QStringLiteral("the system keychain is unavailable (%1: %2)").arg(what, detail)};
}

Error timedOut(const QString &what, int timeoutMs)
{
    return unavailable(what, QStringLiteral("no answer within %1 s; is the keyring locked with no way to ask for its "
                                            "password?")
                                 .arg(timeoutMs / 1000));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, int timeoutMs)
    : m_service(std::move(service)), m_timeoutMs(timeoutMs)
{
}

Result<QMap<QString, QString>> KeychainSecretStore::read(const QString &profile)
{
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(entryKey(profile));
    if (!runJob(job, m_timeoutMs))
        return timedOut(QStringLiteral("reading"), m_timeoutMs);
    if (job.error() == QKeychain::EntryNotFound)
        return QMap<QString, QString>{};
    if (job.error() != QKeychain::NoError)
        return unavailable(QStringLiteral("reading"), job.errorString());
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(job.textData().toUtf8(), &perr);
    if (!doc.isObject())
        return Error{SecretStore::Unavailable,
                     QStringLiteral("the keychain entry %1/%2 is not kpw's (not a JSON object)")
                         .arg(m_service, entryKey(profile))};
    QMap<QString, QString> out;
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

Result<bool> KeychainSecretStore::write(const QString &profile, const QMap<QString, QString> &secrets)
{
    if (secrets.isEmpty())
        return remove(profile);
    QJsonObject o;
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        o.insert(it.key(), it.value());
    QKeychain::WritePasswordJob job(m_service);
    job.setKey(entryKey(profile));
    job.setTextData(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    if (!runJob(job, m_timeoutMs))
        return timedOut(QStringLiteral("writing"), m_timeoutMs);
    if (job.error() != QKeychain::NoError)
        return unavailable(QStringLiteral("writing"), job.errorString());
    return true;
}

Result<bool> KeychainSecretStore::remove(const QString &profile)
{
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(entryKey(profile));
    if (!runJob(job, m_timeoutMs))
        return timedOut(QStringLiteral("deleting"), m_timeoutMs);
    if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
        return unavailable(QStringLiteral("deleting"), job.errorString());
    return true;
}

} // namespace kpw
