#pragma once

#include "admin/TopicAdmin.h"

#include <QDialog>
#include <QString>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace kpw {

class AdminClient;
struct Error;

// "Create topic...": name, partitions, replication factor and configs as
// name = value rows. Create first asks the broker to validate the request
// (validate_only) and creates only when that passed; Validate does the first
// step alone. The broker's error is shown as it came, with its name. The
// network runs on the AdminClient's thread: the dialog stays responsive.
class CreateTopicDialog final : public QDialog
{
    Q_OBJECT

public:
    CreateTopicDialog(AdminClient *admin, QWidget *parent = nullptr);

    NewTopic topic() const;
    void setTopicName(const QString &name);
    void addConfigRow(const QString &name = QString(), const QString &value = QString());
    QString statusText() const;
    bool isBusy() const { return m_pendingId != 0; }

public Q_SLOTS:
    void validate();
    void create();

Q_SIGNALS:
    void topicCreated(const kpw::CreatedTopic &topic);

private:
    void start(bool validateOnly, bool thenCreate);
    void onCreated(quint64 id, const kpw::CreatedTopic &topic, bool validateOnly);
    void onFailed(quint64 id, const QString &operation, const kpw::Error &error);
    void setStatus(const QString &text, bool error);
    void setBusy(bool busy);
    bool checkInput();

    AdminClient *m_admin;
    QLineEdit *m_name;
    QSpinBox *m_partitions;
    QSpinBox *m_replication;
    QTableWidget *m_configs;
    QLabel *m_status;
    QPushButton *m_validateButton;
    QPushButton *m_createButton;
    QDialogButtonBox *m_buttons;
    quint64 m_pendingId = 0;
    bool m_createAfterValidate = false;
};

// "Delete topic...": names the topic and enables Delete only once the user
// has typed the name again.
class DeleteTopicDialog final : public QDialog
{
    Q_OBJECT

public:
    DeleteTopicDialog(AdminClient *admin, const QString &topic, QWidget *parent = nullptr);

    QString topicName() const { return m_topic; }
    QLineEdit *confirmationEdit() const { return m_confirm; }
    QPushButton *deleteButton() const { return m_deleteButton; }
    QString statusText() const;

public Q_SLOTS:
    void deleteTopic();

Q_SIGNALS:
    void topicDeleted(const QString &topic);

private:
    AdminClient *m_admin;
    QString m_topic;
    QLineEdit *m_confirm;
    QLabel *m_status;
    QPushButton *m_deleteButton;
    quint64 m_pendingId = 0;
};

} // namespace kpw
