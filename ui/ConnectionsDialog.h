#pragma once

#include "profiles/ConnectionProfile.h"

#include <QDialog>
#include <QHash>
#include <QPointer>

#include <functional>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace kpw {

class ConnectionCheck;
class ProfileStore;

// "Connections": the saved connection profiles (list on the left: new,
// duplicate, rename, delete, import and export .properties) and the selected
// one's form (bootstrap, security protocol, SASL, TLS files, hostname check,
// registry URL), each field validated as it is typed with its error right
// under it. Save writes the settings to QSettings and the secrets to the
// keychain (ProfileStore); "Test connection" runs ConnectionCheck with the
// form's settings and shows its report; "Use" emits profileApplied().
//
// When the keychain is unavailable the secrets are not stored: the form says
// so, and "Use" asks for the missing ones (secretPrompt) without keeping them.
// Non-modal: the workbench keeps running behind it.
class ConnectionsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectionsDialog(ProfileStore *store, QWidget *parent = nullptr);
    ~ConnectionsDialog() override;

    // Asks for one secret of a profile when the keychain cannot give it
    // (default: a password input dialog). Tests replace it.
    using SecretPrompt = std::function<QString(const QString &profile, const QString &key, bool *ok)>;
    void setSecretPrompt(SecretPrompt prompt) { m_prompt = std::move(prompt); }

    QStringList profileNames() const;
    QString currentName() const;
    bool selectProfile(const QString &name);
    // The form as a profile (the loaded one with the form's fields applied).
    ConnectionProfile formProfile() const;
    // Field key (as ConnectionProfile::validate) -> the error shown under it.
    QString fieldError(const QString &key) const;
    QString statusText() const;
    QString reportText() const;
    bool hostnameWarningVisible() const;

    // Actions without dialogs (the buttons ask first, then call these).
    bool newProfile(const QString &name);
    bool duplicateProfile(const QString &newName);
    bool renameProfile(const QString &newName);
    bool deleteProfile();
    bool importFile(const QString &path, const QString &name = QString());
    bool exportFile(const QString &path, bool withSecrets);
    bool save();
    // Emits profileApplied with the form's profile (asking for secrets the
    // keychain could not give); false when the form is invalid.
    bool useProfile();

Q_SIGNALS:
    void profileApplied(const kpw::ConnectionProfile &profile);

private Q_SLOTS:
    void onSelectionChanged();
    void onFormEdited();
    void onNew();
    void onDuplicate();
    void onRename();
    void onDelete();
    void onImport();
    void onExport();
    void onTest();

private:
    QWidget *buildForm();
    QLineEdit *addField(QGridLayout *grid, int &row, const QString &key, const QString &label,
                        const QString &placeholder, bool password = false, bool browse = false);
    void addErrorRow(QGridLayout *grid, int &row, const QString &key);
    void loadIntoForm(const ConnectionProfile &p);
    void refreshList(const QString &select);
    void refreshEnabled();
    void validateForm();
    void setStatus(const QString &text, bool error);
    QString uniqueName(const QString &base) const;

    ProfileStore *m_store;
    ConnectionProfile m_loaded;
    bool m_secretsUnavailable = false;
    bool m_loading = false;
    SecretPrompt m_prompt;

    QListWidget *m_list = nullptr;
    QPushButton *m_new = nullptr, *m_duplicate = nullptr, *m_rename = nullptr, *m_delete = nullptr;
    QPushButton *m_import = nullptr, *m_export = nullptr;
    QWidget *m_form = nullptr;
    QLabel *m_title = nullptr;
    QHash<QString, QLineEdit *> m_edits;
    QHash<QString, QLabel *> m_errors;
    QHash<QString, QWidget *> m_browse;
    QComboBox *m_protocol = nullptr;
    QComboBox *m_mechanism = nullptr;
    QCheckBox *m_verifyHost = nullptr;
    QLabel *m_hostWarning = nullptr;
    QLabel *m_otherSettings = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_report = nullptr;
    QPushButton *m_save = nullptr, *m_revert = nullptr, *m_test = nullptr, *m_use = nullptr;
    QPointer<ConnectionCheck> m_check;
};

} // namespace kpw
