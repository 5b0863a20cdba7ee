#include "ui/ConnectionsDialog.h"

#include "net/ConnectionCheck.h"
#include "profiles/ProfileStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace kpw {

namespace {

QString s(const char *t)
{
    return QString::fromLatin1(t);
}

const QStringList &kProtocols()
{
    static const QStringList p = {s("PLAINTEXT"), s("SSL"), s("SASL_PLAINTEXT"), s("SASL_SSL")};
    return p;
}

const QStringList &kMechanisms()
{
    static const QStringList m = {s("PLAIN"), s("SCRAM-SHA-256"), s("SCRAM-SHA-512"), s("OAUTHBEARER")};
    return m;
}

} // namespace

ConnectionsDialog::ConnectionsDialog(ProfileStore *store, QWidget *parent) : QDialog(parent), m_store(store)
{
    setObjectName(s("connectionsDialog"));
    setWindowTitle(tr("Connections"));
    setModal(false);
    m_prompt = [this](const QString &profile, const QString &key, bool *ok) {
        return QInputDialog::getText(this, tr("Secret for %1").arg(profile),
                                     tr("The system keychain is unavailable, so %1 is not stored.\nEnter it for this "
                                        "session (it is not saved):")
                                         .arg(key),
                                     QLineEdit::Password, QString(), ok);
    };

    // Left: the profiles.
    auto *left = new QWidget(this);
    m_list = new QListWidget(left);
    m_list->setObjectName(s("profileList"));
    m_list->setMinimumWidth(170);
    m_new = new QPushButton(tr("&New"), left);
    m_duplicate = new QPushButton(tr("D&uplicate"), left);
    m_rename = new QPushButton(tr("Rena&me..."), left);
    m_delete = new QPushButton(tr("&Delete..."), left);
    m_import = new QPushButton(tr("&Import .properties..."), left);
    m_export = new QPushButton(tr("E&xport .properties..."), left);
    m_new->setObjectName(s("newButton"));
    m_duplicate->setObjectName(s("duplicateButton"));
    m_rename->setObjectName(s("renameButton"));
    m_delete->setObjectName(s("deleteButton"));
    m_import->setObjectName(s("importButton"));
    m_export->setObjectName(s("exportButton"));
    auto *buttons = new QGridLayout;
    buttons->addWidget(m_new, 0, 0);
    buttons->addWidget(m_duplicate, 0, 1);
    buttons->addWidget(m_rename, 1, 0);
    buttons->addWidget(m_delete, 1, 1);
    buttons->addWidget(m_import, 2, 0, 1, 2);
    buttons->addWidget(m_export, 3, 0, 1, 2);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("Profiles"), left));
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(buttons);

    // Right: the form, the report, the actions.
    auto *right = new QWidget(this);
    m_form = buildForm();
    m_status = new QLabel(right);
    m_status->setObjectName(s("statusLabel"));
    m_status->setWordWrap(true);
    m_report = new QPlainTextEdit(right);
    m_report->setObjectName(s("testReport"));
    m_report->setReadOnly(true);
    m_report->setPlaceholderText(tr("Test connection: brokers reached, API versions, SASL mechanism, TLS protocol, "
                                    "cipher and peer certificate appear here."));
    m_report->setMinimumHeight(90);
    m_save = new QPushButton(tr("&Save"), right);
    m_revert = new QPushButton(tr("Re&vert"), right);
    m_test = new QPushButton(tr("&Test connection"), right);
    m_use = new QPushButton(tr("Use this &profile"), right);
    m_save->setObjectName(s("saveButton"));
    m_revert->setObjectName(s("revertButton"));
    m_test->setObjectName(s("testButton"));
    m_use->setObjectName(s("useButton"));
    m_use->setDefault(true);
    auto *close = new QPushButton(tr("Close"), right);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_save);
    actions->addWidget(m_revert);
    actions->addWidget(m_test);
    actions->addStretch(1);
    actions->addWidget(m_use);
    actions->addWidget(close);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_form);
    rightLayout->addWidget(m_status);
    rightLayout->addWidget(m_report, 1);
    rightLayout->addLayout(actions);

    auto *split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionsDialog::onSelectionChanged);
    connect(m_new, &QPushButton::clicked, this, &ConnectionsDialog::onNew);
    connect(m_duplicate, &QPushButton::clicked, this, &ConnectionsDialog::onDuplicate);
    connect(m_rename, &QPushButton::clicked, this, &ConnectionsDialog::onRename);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionsDialog::onDelete);
    connect(m_import, &QPushButton::clicked, this, &ConnectionsDialog::onImport);
    connect(m_export, &QPushButton::clicked, this, &ConnectionsDialog::onExport);
    connect(m_save, &QPushButton::clicked, this, [this] { save(); });
    connect(m_revert, &QPushButton::clicked, this, [this] { loadIntoForm(m_loaded); });
    connect(m_test, &QPushButton::clicked, this, &ConnectionsDialog::onTest);
    connect(m_use, &QPushButton::clicked, this, [this] { useProfile(); });
    connect(close, &QPushButton::clicked, this, &QDialog::close);

    refreshList(m_store->lastUsed());
    resize(900, 640);
}

ConnectionsDialog::~ConnectionsDialog() = default;

QLineEdit *ConnectionsDialog::addField(QGridLayout *grid, int &row, const QString &key, const QString &label,
                                       const QString &placeholder, bool password, bool browse)
{
    auto *l = new QLabel(label, m_form);
    auto *edit = new QLineEdit(m_form);
    edit->setObjectName(s("field_") + key);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(!password);
    if (password)
        edit->setEchoMode(QLineEdit::Password);
    l->setBuddy(edit);
    grid->addWidget(l, row, 0);
    if (browse) {
        auto *box = new QWidget(m_form);
        auto *h = new QHBoxLayout(box);
        h->setContentsMargins(0, 0, 0, 0);
        auto *b = new QToolButton(box);
        b->setText(s("..."));
        b->setToolTip(tr("Choose a file"));
        h->addWidget(edit, 1);
        h->addWidget(b);
        grid->addWidget(box, row, 1);
        m_browse.insert(key, b);
        connect(b, &QToolButton::clicked, this, [this, edit, label] {
            const QString f = QFileDialog::getOpenFileName(this, label, QFileInfo(edit->text()).absolutePath());
            if (!f.isEmpty())
                edit->setText(f);
        });
    } else {
        grid->addWidget(edit, row, 1);
    }
    ++row;
    m_edits.insert(key, edit);
    addErrorRow(grid, row, key);
    connect(edit, &QLineEdit::textChanged, this, &ConnectionsDialog::onFormEdited);
    return edit;
}

void ConnectionsDialog::addErrorRow(QGridLayout *grid, int &row, const QString &key)
{
    auto *e = new QLabel(m_form);
    e->setObjectName(s("error_") + key);
    e->setStyleSheet(s("color: #b00020;"));
    e->setWordWrap(true);
    e->setVisible(false);
    grid->addWidget(e, row++, 1);
    m_errors.insert(key, e);
}

QWidget *ConnectionsDialog::buildForm()
{
    m_form = new QWidget(this);
    auto *grid = new QGridLayout(m_form);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(3);
    grid->setColumnStretch(1, 1);
    int row = 0;
    m_title = new QLabel(m_form);
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    m_title->setFont(f);
    grid->addWidget(m_title, row++, 0, 1, 2);
    addErrorRow(grid, row, s("name"));

    addField(grid, row, s("bootstrap.servers"), tr("&Bootstrap servers:"), s("host:port[,host:port...]"));

    auto *protocolLabel = new QLabel(tr("Security &protocol:"), m_form);
    grid->addWidget(protocolLabel, row, 0);
    m_protocol = new QComboBox(m_form);
    protocolLabel->setBuddy(m_protocol);
    m_protocol->setObjectName(s("field_security.protocol"));
    m_protocol->addItems(kProtocols());
    grid->addWidget(m_protocol, row++, 1);
    addErrorRow(grid, row, s("security.protocol"));

    auto *mechanismLabel = new QLabel(tr("SASL &mechanism:"), m_form);
    grid->addWidget(mechanismLabel, row, 0);
    m_mechanism = new QComboBox(m_form);
    mechanismLabel->setBuddy(m_mechanism);
    m_mechanism->setObjectName(s("field_sasl.mechanism"));
    m_mechanism->addItems(kMechanisms());
    grid->addWidget(m_mechanism, row++, 1);
    addErrorRow(grid, row, s("sasl.mechanism"));

    addField(grid, row, s("sasl.username"), tr("&User name:"), tr("SASL user (PLAIN, SCRAM)"));
    addField(grid, row, s("sasl.password"), tr("Pass&word:"), tr("stored in the system keychain"), true);
    addField(grid, row, s("sasl.oauthbearer.token.file"), tr("OAUTHBEARER token &file:"),
             tr("a file holding the token, read at every login"), false, true);
    addField(grid, row, s("ssl.truststore.location"), tr("&CA certificates:"),
             tr("PEM file; empty: the system trust store"), false, true);
    addField(grid, row, s("ssl.keystore.location"), tr("Client c&ertificate:"),
             tr("PEM (mutual TLS); may hold the key too"), false, true);
    addField(grid, row, s("ssl.key.location"), tr("Client &key:"), tr("PEM private key, if not in the certificate"),
             false, true);
    addField(grid, row, s("ssl.key.password"), tr("Key pass&phrase:"), tr("for an encrypted key; in the keychain"),
             true);

    m_verifyHost = new QCheckBox(tr("&Verify the broker's host name against its certificate"), m_form);
    m_verifyHost->setObjectName(s("field_verifyHostname"));
    grid->addWidget(m_verifyHost, row++, 1);
    m_hostWarning = new QLabel(tr("\u26a0 Host name verification is off: anyone holding a certificate from the same "
                                  "CA can pose as the broker."),
                               m_form);
    m_hostWarning->setObjectName(s("hostnameWarning"));
    m_hostWarning->setWordWrap(true);
    m_hostWarning->setStyleSheet(s("color: #8a4b00; background: #fff3cd; border: 1px solid #e0b050; padding: 3px;"));
    m_hostWarning->setVisible(false);
    grid->addWidget(m_hostWarning, row++, 1);

    addField(grid, row, s("schema.registry.url"), tr("Schema &registry URL:"),
             tr("for the Formats tab, e.g. https://host:8081"));
    m_otherSettings = new QLabel(m_form);
    m_otherSettings->setObjectName(s("otherSettings"));
    m_otherSettings->setWordWrap(true);
    m_otherSettings->setStyleSheet(s("color: palette(mid);"));
    grid->addWidget(m_otherSettings, row++, 1);

    connect(m_protocol, &QComboBox::currentTextChanged, this, &ConnectionsDialog::onFormEdited);
    connect(m_mechanism, &QComboBox::currentTextChanged, this, &ConnectionsDialog::onFormEdited);
    connect(m_verifyHost, &QCheckBox::toggled, this, &ConnectionsDialog::onFormEdited);
    return m_form;
}

QStringList ConnectionsDialog::profileNames() const
{
    return m_store->names();
}

QString ConnectionsDialog::currentName() const
{
    return m_loaded.name;
}

bool ConnectionsDialog::selectProfile(const QString &name)
{
    const auto items = m_list->findItems(name, Qt::MatchExactly);
    if (items.isEmpty())
        return false;
    m_list->setCurrentItem(items.first());
    return m_loaded.name == name;
}

QString ConnectionsDialog::fieldError(const QString &key) const
{
    const QLabel *l = m_errors.value(key);
    return l && !l->isHidden() ? l->text() : QString();
}

QString ConnectionsDialog::statusText() const
{
    return m_status->text();
}

QString ConnectionsDialog::reportText() const
{
    return m_report->toPlainText();
}

bool ConnectionsDialog::hostnameWarningVisible() const
{
    return !m_hostWarning->isHidden();
}

void ConnectionsDialog::refreshList(const QString &select)
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    m_list->addItems(m_store->names());
    QList<QListWidgetItem *> items = m_list->findItems(select, Qt::MatchExactly);
    if (items.isEmpty() && m_list->count() > 0)
        items = {m_list->item(0)};
    if (!items.isEmpty())
        m_list->setCurrentItem(items.first());
    onSelectionChanged();
}

void ConnectionsDialog::onSelectionChanged()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item) {
        m_loaded = {};
        loadIntoForm(m_loaded);
        return;
    }
    const QString name = item->text();
    auto p = m_store->load(name, true);
    m_secretsUnavailable = false;
    if (!p && p.error().code == SecretStore::Unavailable) {
        m_secretsUnavailable = true;
        const QString why = p.error().message;
        p = m_store->load(name, false);
        if (p) {
            loadIntoForm(*p);
            setStatus(tr("%1: secrets are not shown or saved; enter them to test or use the profile.").arg(why), true);
            return;
        }
    }
    if (!p) {
        setStatus(p.error().message, true);
        return;
    }
    loadIntoForm(*p);
    setStatus(QString(), false);
}

void ConnectionsDialog::loadIntoForm(const ConnectionProfile &p)
{
    m_loading = true;
    m_loaded = p;
    m_title->setText(p.name.isEmpty() ? tr("No profile: create one with New or Import") : p.name);
    m_edits[s("bootstrap.servers")]->setText(p.bootstrap());
    m_protocol->setCurrentText(p.securityProtocol());
    m_mechanism->setCurrentText(p.saslMechanism().isEmpty() ? s("PLAIN") : p.saslMechanism());
    m_edits[s("sasl.username")]->setText(p.username());
    m_edits[s("sasl.password")]->setText(p.password());
    m_edits[s("sasl.oauthbearer.token.file")]->setText(p.oauthTokenFile());
    m_edits[s("ssl.truststore.location")]->setText(p.caFile());
    m_edits[s("ssl.keystore.location")]->setText(p.certFile());
    m_edits[s("ssl.key.location")]->setText(p.keyFile());
    m_edits[s("ssl.key.password")]->setText(p.keyPassword());
    m_edits[s("schema.registry.url")]->setText(p.schemaRegistryUrl());
    m_verifyHost->setChecked(p.verifyHostname());
    const QString placeholder =
        m_secretsUnavailable ? tr("keychain unavailable: type it (not stored)") : tr("stored in the system keychain");
    m_edits[s("sasl.password")]->setPlaceholderText(placeholder);
    m_edits[s("ssl.key.password")]->setPlaceholderText(
        m_secretsUnavailable ? placeholder : tr("for an encrypted key; in the keychain"));
    QStringList other;
    static const QStringList formKeys = {s("bootstrap.servers"),
                                         s("security.protocol"),
                                         s("sasl.mechanism"),
                                         s("sasl.username"),
                                         s("sasl.oauthbearer.token.file"),
                                         s("ssl.truststore.location"),
                                         s("ssl.truststore.type"),
                                         s("ssl.keystore.location"),
                                         s("ssl.keystore.type"),
                                         s("ssl.certificate.location"),
                                         s("ssl.key.location"),
                                         s("ssl.endpoint.identification.algorithm"),
                                         s("schema.registry.url")};
    for (auto it = p.settings.cbegin(); it != p.settings.cend(); ++it)
        if (!formKeys.contains(it.key()) && !it.key().startsWith(QLatin1StringView("kpw.")))
            other << it.key();
    for (auto it = p.secrets.cbegin(); it != p.secrets.cend(); ++it)
        if (it.key() != QLatin1StringView("sasl.password") && it.key() != QLatin1StringView("ssl.key.password") &&
            !it.key().startsWith(QLatin1StringView("kpw.")))
            other << it.key() + tr(" (secret)");
    m_otherSettings->setText(
        other.isEmpty()
            ? QString()
            : tr("Also kept (applied, and written back on export): %1").arg(other.join(QStringLiteral(", "))));
    m_otherSettings->setVisible(!other.isEmpty());
    m_loading = false;
    refreshEnabled();
    validateForm();
}

ConnectionProfile ConnectionsDialog::formProfile() const
{
    ConnectionProfile p = m_loaded;
    const auto text = [this](const char *k) { return m_edits.value(s(k))->text().trimmed(); };
    p.setSetting(s("bootstrap.servers"), text("bootstrap.servers"));
    p.setSetting(s("security.protocol"), m_protocol->currentText());
    const bool sasl = m_protocol->currentText().startsWith(QLatin1StringView("SASL_"));
    const QString mech = m_mechanism->currentText();
    p.setSetting(s("sasl.mechanism"), sasl ? mech : QString());
    // A login module of another mechanism would rebuild the wrong jaas line.
    const QString module = p.settings.value(s("kpw.jaas.module")).section(QLatin1Char('.'), -1);
    if (!module.isEmpty() &&
        (!sasl || (module == QLatin1StringView("PlainLoginModule") && mech != QLatin1StringView("PLAIN")) ||
         (module == QLatin1StringView("ScramLoginModule") && !mech.startsWith(QLatin1StringView("SCRAM-"))) ||
         (module == QLatin1StringView("OAuthBearerLoginModule") && mech != QLatin1StringView("OAUTHBEARER"))))
        p.settings.remove(s("kpw.jaas.module"));
    p.setSetting(s("sasl.username"), text("sasl.username"));
    p.setSecret(s("sasl.password"), m_edits.value(s("sasl.password"))->text());
    p.setSetting(s("sasl.oauthbearer.token.file"), text("sasl.oauthbearer.token.file"));
    p.setTlsFiles(text("ssl.truststore.location"), text("ssl.keystore.location"), text("ssl.key.location"));
    p.setSecret(s("ssl.key.password"), m_edits.value(s("ssl.key.password"))->text());
    p.setVerifyHostname(m_verifyHost->isChecked());
    p.setSetting(s("schema.registry.url"), text("schema.registry.url"));
    return p;
}

void ConnectionsDialog::onFormEdited()
{
    if (m_loading)
        return;
    refreshEnabled();
    validateForm();
}

void ConnectionsDialog::refreshEnabled()
{
    const bool have = !m_loaded.name.isEmpty();
    const QString proto = m_protocol->currentText();
    const bool sasl = proto.startsWith(QLatin1StringView("SASL_"));
    const bool tls = proto == QLatin1StringView("SSL") || proto == QLatin1StringView("SASL_SSL");
    const bool oauth = sasl && m_mechanism->currentText() == QLatin1StringView("OAUTHBEARER");
    m_form->setEnabled(have);
    m_mechanism->setEnabled(sasl);
    m_edits[s("sasl.username")]->setEnabled(sasl && !oauth);
    m_edits[s("sasl.password")]->setEnabled(sasl && !oauth);
    m_edits[s("sasl.oauthbearer.token.file")]->setEnabled(oauth);
    m_browse[s("sasl.oauthbearer.token.file")]->setEnabled(oauth);
    for (const char *k : {"ssl.truststore.location", "ssl.keystore.location", "ssl.key.location"}) {
        m_edits[s(k)]->setEnabled(tls);
        m_browse[s(k)]->setEnabled(tls);
    }
    m_edits[s("ssl.key.password")]->setEnabled(tls);
    m_verifyHost->setEnabled(tls);
    m_hostWarning->setVisible(tls && !m_verifyHost->isChecked());
    for (QPushButton *b : {m_duplicate, m_rename, m_delete, m_export, m_revert, m_test, m_use})
        b->setEnabled(have);
    const bool dirty = have && !(formProfile() == m_loaded);
    m_title->setText(m_loaded.name.isEmpty() ? tr("No profile: create one with New or Import")
                                             : m_loaded.name + (dirty ? tr("  \u2022 not saved") : QString()));
}

void ConnectionsDialog::validateForm()
{
    const ConnectionProfile p = formProfile();
    // Without a keychain the secrets are typed at use; do not flag them yet.
    const QMap<QString, QString> errors =
        p.name.isEmpty() ? QMap<QString, QString>{} : p.validate(!m_secretsUnavailable);
    for (auto it = m_errors.begin(); it != m_errors.end(); ++it) {
        const QString e = errors.value(it.key());
        it.value()->setText(e);
        it.value()->setVisible(!e.isEmpty());
    }
    m_save->setEnabled(!p.name.isEmpty() && errors.isEmpty());
}

void ConnectionsDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? s("color: #b00020;") : QString());
    m_status->setVisible(!text.isEmpty());
}

QString ConnectionsDialog::uniqueName(const QString &base) const
{
    const QStringList names = m_store->names();
    if (!names.contains(base))
        return base;
    for (int i = 2;; ++i) {
        const QString n = QStringLiteral("%1 (%2)").arg(base).arg(i);
        if (!names.contains(n))
            return n;
    }
}

bool ConnectionsDialog::save()
{
    const ConnectionProfile p = formProfile();
    if (p.name.isEmpty())
        return false;
    const auto errors = p.validate(!m_secretsUnavailable);
    if (!errors.isEmpty()) {
        validateForm();
        setStatus(tr("Not saved: fix the fields marked in red."), true);
        return false;
    }
    auto r = m_store->save(p, true);
    if (!r && r.error().code == SecretStore::Unavailable) {
        const QString why = r.error().message;
        r = m_store->save(p, false);
        if (r) {
            m_secretsUnavailable = true;
            m_loaded = p;
            refreshEnabled();
            setStatus(tr("Saved without its secrets: %1. They are asked for when the profile is used.").arg(why), true);
            return true;
        }
    }
    if (!r) {
        setStatus(r.error().message, true);
        return false;
    }
    m_loaded = p;
    refreshEnabled();
    setStatus(p.secrets.isEmpty()
                  ? tr("Saved.")
                  : tr("Saved; %n secret(s) in the system keychain.", nullptr, static_cast<int>(p.secrets.size())),
              false);
    return true;
}

bool ConnectionsDialog::newProfile(const QString &name)
{
    if (const QString e = ConnectionProfile::nameError(name); !e.isEmpty() || m_store->contains(name)) {
        setStatus(e.isEmpty() ? tr("A profile named '%1' exists already.").arg(name) : e, true);
        return false;
    }
    ConnectionProfile p;
    p.name = name;
    if (auto r = m_store->save(p, false); !r) {
        setStatus(r.error().message, true);
        return false;
    }
    refreshList(name);
    setStatus(tr("New profile '%1': fill in the fields, then Save.").arg(name), false);
    return true;
}

bool ConnectionsDialog::duplicateProfile(const QString &newName)
{
    ConnectionProfile p = formProfile();
    p.name = newName;
    if (const QString e = ConnectionProfile::nameError(newName); !e.isEmpty() || m_store->contains(newName)) {
        setStatus(e.isEmpty() ? tr("A profile named '%1' exists already.").arg(newName) : e, true);
        return false;
    }
    auto r = m_store->save(p, !m_secretsUnavailable);
    if (!r) {
        setStatus(r.error().message, true);
        return false;
    }
    refreshList(newName);
    return true;
}

bool ConnectionsDialog::renameProfile(const QString &newName)
{
    const QString old = m_loaded.name;
    auto r = m_store->rename(old, newName);
    if (!r) {
        setStatus(r.error().message, true);
        return false;
    }
    refreshList(newName);
    setStatus(tr("Renamed '%1' to '%2'.").arg(old, newName), false);
    return true;
}

bool ConnectionsDialog::deleteProfile()
{
    const QString name = m_loaded.name;
    auto r = m_store->remove(name);
    refreshList(QString());
    if (!r) {
        setStatus(tr("'%1' deleted, but its keychain entry could not be: %2").arg(name, r.error().message), true);
        return false;
    }
    setStatus(tr("Deleted '%1'.").arg(name), false);
    return true;
}

bool ConnectionsDialog::importFile(const QString &path, const QString &name)
{
    const QString n = uniqueName(name.isEmpty() ? QFileInfo(path).completeBaseName() : name);
    QStringList notes;
    auto p = ConnectionProfile::fromPropertiesFile(n, path, &notes);
    if (!p) {
        setStatus(p.error().message, true);
        return false;
    }
    auto r = m_store->save(*p, true);
    QString extra;
    if (!r && r.error().code == SecretStore::Unavailable) {
        extra = tr(" Its secrets were not stored (%1); they are asked for when the profile is used.")
                    .arg(r.error().message);
        r = m_store->save(*p, false);
    }
    if (!r) {
        setStatus(r.error().message, true);
        return false;
    }
    refreshList(n);
    setStatus(tr("Imported %1 as '%2'.").arg(QFileInfo(path).fileName(), n) + extra, !extra.isEmpty());
    return true;
}

bool ConnectionsDialog::exportFile(const QString &path, bool withSecrets)
{
    ConnectionProfile p = m_loaded;
    if (!withSecrets)
        for (const QString &k : m_store->secretKeys(p.name))
            p.secrets.insert(k, QString());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        setStatus(tr("Cannot write %1: %2").arg(path, f.errorString()), true);
        return false;
    }
    if (withSecrets)
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(p.toProperties(withSecrets).toUtf8());
    setStatus(withSecrets ? tr("Exported to %1 with its secrets (readable by you only).").arg(path)
                          : tr("Exported to %1 (secrets left in the keychain).").arg(path),
              false);
    return true;
}

bool ConnectionsDialog::useProfile()
{
    ConnectionProfile p = formProfile();
    if (p.name.isEmpty())
        return false;
    auto errors = p.validate(false);
    if (!errors.isEmpty()) {
        validateForm();
        setStatus(tr("Cannot use '%1': fix the fields marked in red.").arg(p.name), true);
        return false;
    }
    // Secrets the keychain could not give: asked for now, never stored.
    QStringList needed = m_secretsUnavailable ? m_store->secretKeys(p.name) : QStringList();
    if (p.validate(true).contains(s("sasl.password")) && !needed.contains(s("sasl.password")))
        needed << s("sasl.password");
    for (const QString &k : std::as_const(needed)) {
        if (!p.secrets.value(k).isEmpty())
            continue;
        bool ok = false;
        const QString v = m_prompt(p.name, k, &ok);
        if (!ok) {
            setStatus(tr("Not applied: %1 was not given.").arg(k), true);
            return false;
        }
        p.setSecret(k, v);
    }
    m_store->setLastUsed(p.name);
    Q_EMIT profileApplied(p);
    setStatus(tr("Using '%1' for the next Connect.").arg(p.name), false);
    return true;
}

void ConnectionsDialog::onNew()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("New profile"), tr("Name:"), QLineEdit::Normal,
                                               uniqueName(tr("new cluster")), &ok);
    if (ok)
        newProfile(name.trimmed());
}

void ConnectionsDialog::onDuplicate()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Duplicate profile"), tr("Name of the copy:"),
                                               QLineEdit::Normal, uniqueName(m_loaded.name + tr(" copy")), &ok);
    if (ok)
        duplicateProfile(name.trimmed());
}

void ConnectionsDialog::onRename()
{
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Rename profile"), tr("New name:"), QLineEdit::Normal, m_loaded.name, &ok);
    if (ok && name.trimmed() != m_loaded.name)
        renameProfile(name.trimmed());
}

void ConnectionsDialog::onDelete()
{
    if (QMessageBox::question(this, tr("Delete profile"),
                              tr("Delete the profile '%1' and its secrets in the system keychain?").arg(m_loaded.name),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) == QMessageBox::Yes)
        deleteProfile();
}

void ConnectionsDialog::onImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import client.properties"), QString(),
                                                      tr("Properties (*.properties *.conf *.config);;All files (*)"));
    if (!path.isEmpty())
        importFile(path);
}

void ConnectionsDialog::onExport()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export client.properties"), m_loaded.name + s(".properties"), tr("Properties (*.properties)"));
    if (path.isEmpty())
        return;
    QMessageBox box(QMessageBox::Question, tr("Export secrets?"),
                    tr("Write the passwords and tokens into %1 too? Without them the file lists where they are "
                       "instead.")
                        .arg(QFileInfo(path).fileName()),
                    QMessageBox::NoButton, this);
    QPushButton *without = box.addButton(tr("Without secrets"), QMessageBox::AcceptRole);
    box.addButton(tr("With secrets"), QMessageBox::YesRole);
    box.setDefaultButton(without);
    box.exec();
    exportFile(path, box.clickedButton() != without);
}

void ConnectionsDialog::onTest()
{
    const ConnectionProfile p = formProfile();
    ProducerConfig config;
    QStringList warnings;
    auto r = p.applyTo(config, &warnings);
    if (r) {
        if (auto sec = config.security(); !sec)
            r = sec.error();
    }
    m_report->clear();
    if (!r) {
        m_report->appendPlainText(r.error().message);
        return;
    }
    delete m_check;
    auto *check = new ConnectionCheck(this);
    m_check = check;
    m_test->setEnabled(false);
    m_report->appendPlainText(tr("Testing %1 (%2)...").arg(p.bootstrap(), p.securityProtocol()));
    connect(check, &ConnectionCheck::line, this, [this](const QString &l) { m_report->appendPlainText(l); });
    connect(check, &ConnectionCheck::finished, this, [this, check](bool ok) {
        m_report->appendPlainText(ok ? tr("Connection test passed.") : tr("Connection test FAILED."));
        m_test->setEnabled(true);
        check->deleteLater();
    });
    check->run(config);
}

} // namespace kpw
