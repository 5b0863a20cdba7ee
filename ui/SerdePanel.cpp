#include "ui/SerdePanel.h"

#include "serde/RegistryClient.h"
#include "ui/SerdePicker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QUrl>
#include <QVBoxLayout>

namespace kpw {

SerdePanel::SerdePanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("serdePanel"));

    m_urlEdit = new QLineEdit(this);
    m_urlEdit->setObjectName(QStringLiteral("registryUrlEdit"));
    m_urlEdit->setPlaceholderText(QStringLiteral("http://localhost:8081"));
    m_urlEdit->setClearButtonEnabled(true);
    m_urlEdit->setToolTip(tr("The Confluent-compatible Schema Registry (schema.registry.url) that both pickers fetch "
                             "schemas from and register schemas in when their source is \"Schema Registry\""));
    m_userEdit = new QLineEdit(this);
    m_userEdit->setObjectName(QStringLiteral("registryUserEdit"));
    m_userEdit->setEchoMode(QLineEdit::Password);
    m_userEdit->setPlaceholderText(tr("user:password (optional)"));
    m_userEdit->setToolTip(tr("HTTP basic auth (basic.auth.user.info); kept for this session only, never saved"));
    auto *urlLabel = new QLabel(tr("Schema Registry"), this);
    urlLabel->setBuddy(m_urlEdit);
    auto *userLabel = new QLabel(tr("Basic auth"), this);
    userLabel->setBuddy(m_userEdit);

    auto *registryRow = new QHBoxLayout;
    registryRow->setContentsMargins(4, 2, 4, 0);
    registryRow->addWidget(urlLabel);
    registryRow->addWidget(m_urlEdit, 3);
    registryRow->addWidget(userLabel);
    registryRow->addWidget(m_userEdit, 1);

    m_key = new SerdePicker(tr("Key"), this);
    m_value = new SerdePicker(tr("Value"), this);
    for (SerdePicker *picker : {m_key, m_value}) {
        picker->setRegistryAccess([this](QString *error) { return registryClient(error); });
        connect(this, &SerdePanel::registryChanged, picker, &SerdePicker::registryChanged);
    }
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("serdeSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_key);
    split->addWidget(m_value);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(registryRow);
    layout->addWidget(split, 1);

    connect(m_urlEdit, &QLineEdit::textChanged, this, &SerdePanel::dropClient);
    connect(m_userEdit, &QLineEdit::textChanged, this, &SerdePanel::dropClient);
    // A URL typed in full: the pickers in registry mode list its subjects.
    connect(m_urlEdit, &QLineEdit::editingFinished, this, [this] {
        for (SerdePicker *picker : {m_key, m_value})
            if (picker->isRegistrySource())
                picker->refreshSubjects();
    });
}

QString SerdePanel::registryUrl() const
{
    return m_urlEdit->text().trimmed();
}

void SerdePanel::setRegistryUrl(const QString &url)
{
    m_urlEdit->setText(url);
}

void SerdePanel::setRegistryUserInfo(const QString &userInfo)
{
    m_userEdit->setText(userInfo);
}

QString SerdePanel::registryUrlForSettings() const
{
    const QUrl url(registryUrl());
    if (!url.isValid())
        return {};
    return url.adjusted(QUrl::RemoveUserInfo).toString();
}

RegistryClient *SerdePanel::registryClient(QString *error)
{
    if (m_client)
        return m_client;
    const QString url = registryUrl();
    if (url.isEmpty()) {
        if (error)
            *error = tr("no Schema Registry URL: enter it above the pickers");
        return nullptr;
    }
    RegistryConfig config;
    if (auto set = config.set(QStringLiteral("schema.registry.url"), url); !set) {
        if (error)
            *error = set.error().message;
        return nullptr;
    }
    const QString user = m_userEdit->text();
    if (!user.isEmpty()) {
        if (auto set = config.set(QStringLiteral("basic.auth.user.info"), user); !set) {
            if (error)
                *error = set.error().message;
            return nullptr;
        }
    }
    m_client = new RegistryClient(std::move(config), this);
    return m_client;
}

void SerdePanel::setTopic(const QString &topic)
{
    m_key->setTopic(topic);
    m_value->setTopic(topic);
}

void SerdePanel::dropClient()
{
    // Deleting the client aborts its requests: their callbacks never run, so
    // the pickers are told to forget what they were waiting for.
    if (m_client) {
        m_client->deleteLater();
        m_client = nullptr;
    }
    Q_EMIT registryChanged();
}

} // namespace kpw
