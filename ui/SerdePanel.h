#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;

namespace kpw {

class RegistryClient;
class SerdePicker;

// The key's and the value's serializer pickers side by side: the
// composer's "Formats" tab. Above them, the Schema Registry both pickers
// take schemas from (URL and optional basic-auth user info).
class SerdePanel final : public QWidget
{
    Q_OBJECT

public:
    explicit SerdePanel(QWidget *parent = nullptr);

    SerdePicker *keyPicker() const { return m_key; }
    SerdePicker *valuePicker() const { return m_value; }

    // The registry's URL as typed (user info included, if typed there).
    QString registryUrl() const;
    void setRegistryUrl(const QString &url);
    // user:password for HTTP basic auth; never saved by the window.
    void setRegistryUserInfo(const QString &userInfo);
    // The URL without credentials: what the window saves.
    QString registryUrlForSettings() const;

    // The client for the current URL and user info, made on first use and
    // dropped when they change; null with the reason in *error when the URL
    // is missing or not usable.
    RegistryClient *registryClient(QString *error);

    // The composer's topic: the pickers' default subjects follow it.
    void setTopic(const QString &topic);

Q_SIGNALS:
    // The URL or the user info changed: schemas fetched before are stale.
    void registryChanged();

private:
    void dropClient();

    SerdePicker *m_key = nullptr;
    SerdePicker *m_value = nullptr;
    QLineEdit *m_urlEdit = nullptr;
    QLineEdit *m_userEdit = nullptr;
    RegistryClient *m_client = nullptr;
};

} // namespace kpw
