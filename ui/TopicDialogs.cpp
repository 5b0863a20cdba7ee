#include "TopicDialogs.h"

#include "admin/AdminClient.h"
#include "wire/KafkaError.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace kpw {

namespace {

const char *const kErrorStyle = "color: #b00020;";
const char *const kOkStyle = "color: #1b7f3b;";

QString errorText(const Error &e)
{
    return QStringLiteral("%1: %2").arg(KafkaError::name(e.code), e.message);
}

} // namespace

// --- CreateTopicDialog -------------------------------------------------------

CreateTopicDialog::CreateTopicDialog(AdminClient *admin, QWidget *parent) : QDialog(parent), m_admin(admin)
{
    setWindowTitle(tr("Create topic"));
    setObjectName(QStringLiteral("createTopicDialog"));

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("createTopicName"));
    m_name->setPlaceholderText(tr("e.g. orders"));
    m_partitions = new QSpinBox(this);
    m_partitions->setObjectName(QStringLiteral("createTopicPartitions"));
    m_partitions->setRange(-1, 1000000);
    m_partitions->setSpecialValueText(tr("broker default"));
    m_partitions->setValue(3);
    m_partitions->setToolTip(tr("-1 (broker default) uses the broker's num.partitions"));
    m_replication = new QSpinBox(this);
    m_replication->setObjectName(QStringLiteral("createTopicReplication"));
    m_replication->setRange(-1, 32767);
    m_replication->setSpecialValueText(tr("broker default"));
    m_replication->setValue(1);
    m_replication->setToolTip(tr("-1 (broker default) uses the broker's default.replication.factor"));

    m_configs = new QTableWidget(0, 2, this);
    m_configs->setObjectName(QStringLiteral("createTopicConfigs"));
    m_configs->setHorizontalHeaderLabels({tr("Config"), tr("Value")});
    m_configs->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_configs->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_configs->verticalHeader()->setVisible(false);
    m_configs->setMinimumHeight(120);
    auto *addRow = new QToolButton(this);
    addRow->setObjectName(QStringLiteral("createTopicAddConfig"));
    addRow->setText(tr("Add config"));
    auto *removeRow = new QToolButton(this);
    removeRow->setText(tr("Remove"));
    connect(addRow, &QToolButton::clicked, this, [this] {
        addConfigRow();
        m_configs->editItem(m_configs->item(m_configs->rowCount() - 1, 0));
    });
    connect(removeRow, &QToolButton::clicked, this, [this] {
        const int row = m_configs->currentRow();
        if (row >= 0)
            m_configs->removeRow(row);
    });

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("createTopicStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("Create first asks the broker to validate the request, then creates the topic."));

    m_buttons = new QDialogButtonBox(this);
    m_validateButton = m_buttons->addButton(tr("&Validate"), QDialogButtonBox::ActionRole);
    m_validateButton->setObjectName(QStringLiteral("createTopicValidate"));
    m_validateButton->setToolTip(tr("Ask the broker whether it would create this topic (validate_only)"));
    m_createButton = m_buttons->addButton(tr("C&reate"), QDialogButtonBox::AcceptRole);
    m_createButton->setObjectName(QStringLiteral("createTopicCreate"));
    m_createButton->setDefault(true);
    m_buttons->addButton(QDialogButtonBox::Close);
    connect(m_validateButton, &QPushButton::clicked, this, &CreateTopicDialog::validate);
    connect(m_createButton, &QPushButton::clicked, this, &CreateTopicDialog::create);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Partitions:"), m_partitions);
    form->addRow(tr("Replication &factor:"), m_replication);
    auto *configButtons = new QHBoxLayout;
    configButtons->addWidget(addRow);
    configButtons->addWidget(removeRow);
    configButtons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Configs (e.g. retention.ms = 86400000):"), this));
    layout->addWidget(m_configs, 1);
    layout->addLayout(configButtons);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(480, 420);

    connect(m_admin, &AdminClient::topicCreated, this, &CreateTopicDialog::onCreated);
    connect(m_admin, &AdminClient::failed, this, &CreateTopicDialog::onFailed);
}

void CreateTopicDialog::setTopicName(const QString &name)
{
    m_name->setText(name);
}

void CreateTopicDialog::addConfigRow(const QString &name, const QString &value)
{
    const int row = m_configs->rowCount();
    m_configs->insertRow(row);
    m_configs->setItem(row, 0, new QTableWidgetItem(name));
    m_configs->setItem(row, 1, new QTableWidgetItem(value));
}

NewTopic CreateTopicDialog::topic() const
{
    NewTopic t;
    t.name = m_name->text().trimmed();
    t.partitions = m_partitions->value();
    t.replicationFactor = static_cast<std::int16_t>(m_replication->value());
    for (int row = 0; row < m_configs->rowCount(); ++row) {
        const auto *k = m_configs->item(row, 0);
        const auto *v = m_configs->item(row, 1);
        const QString key = k ? k->text().trimmed() : QString();
        if (!key.isEmpty())
            t.configs.append({key, v ? v->text() : QString()});
    }
    return t;
}

QString CreateTopicDialog::statusText() const
{
    return m_status->text();
}

bool CreateTopicDialog::checkInput()
{
    if (m_name->text().trimmed().isEmpty()) {
        setStatus(tr("Give the topic a name."), true);
        m_name->setFocus();
        return false;
    }
    return true;
}

void CreateTopicDialog::validate()
{
    if (checkInput())
        start(true, false);
}

void CreateTopicDialog::create()
{
    if (checkInput())
        start(true, true);
}

void CreateTopicDialog::start(bool validateOnly, bool thenCreate)
{
    if (m_pendingId != 0)
        return;
    m_createAfterValidate = thenCreate;
    const NewTopic t = topic();
    setStatus(validateOnly ? tr("Asking the broker to validate '%1'...").arg(t.name)
                           : tr("Creating '%1'...").arg(t.name),
              false);
    setBusy(true);
    m_pendingId = m_admin->createTopic(t, validateOnly);
}

void CreateTopicDialog::onCreated(quint64 id, const CreatedTopic &topic, bool validateOnly)
{
    if (id != m_pendingId)
        return;
    m_pendingId = 0;
    if (validateOnly && m_createAfterValidate) {
        start(false, false);
        return;
    }
    setBusy(false);
    if (validateOnly) {
        setStatus(tr("Valid: the broker would create '%1' with %2 partition(s), replication factor %3.")
                      .arg(topic.name)
                      .arg(topic.partitions)
                      .arg(topic.replicationFactor),
                  false);
        m_status->setStyleSheet(QLatin1String(kOkStyle));
        return;
    }
    setStatus(tr("Created '%1'.").arg(topic.name), false);
    Q_EMIT topicCreated(topic);
    accept();
}

void CreateTopicDialog::onFailed(quint64 id, const QString &operation, const Error &error)
{
    if (id != m_pendingId)
        return;
    m_pendingId = 0;
    setBusy(false);
    setStatus(tr("The broker refused (%1): %2").arg(operation, errorText(error)), true);
}

void CreateTopicDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QLatin1String(kErrorStyle) : QString());
    m_status->setProperty("error", error);
}

void CreateTopicDialog::setBusy(bool busy)
{
    m_validateButton->setEnabled(!busy);
    m_createButton->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

// --- DeleteTopicDialog -------------------------------------------------------

DeleteTopicDialog::DeleteTopicDialog(AdminClient *admin, const QString &topic, QWidget *parent)
    : QDialog(parent), m_admin(admin), m_topic(topic)
{
    setWindowTitle(tr("Delete topic %1").arg(topic));
    setObjectName(QStringLiteral("deleteTopicDialog"));
    auto *text = new QLabel(tr("<p>Delete the topic <b>%1</b> and every record in it? This cannot be undone.</p>"
                               "<p>Type <b>%1</b> to confirm:</p>")
                                .arg(topic.toHtmlEscaped()),
                            this);
    text->setWordWrap(true);
    m_confirm = new QLineEdit(this);
    m_confirm->setObjectName(QStringLiteral("deleteTopicConfirm"));
    m_confirm->setPlaceholderText(topic);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("deleteTopicStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_deleteButton = buttons->addButton(tr("&Delete topic"), QDialogButtonBox::DestructiveRole);
    m_deleteButton->setObjectName(QStringLiteral("deleteTopicButton"));
    m_deleteButton->setEnabled(false);
    connect(m_confirm, &QLineEdit::textChanged, this,
            [this](const QString &t) { m_deleteButton->setEnabled(t == m_topic && m_pendingId == 0); });
    connect(m_deleteButton, &QPushButton::clicked, this, &DeleteTopicDialog::deleteTopic);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(m_confirm);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(420, sizeHint().height());

    connect(m_admin, &AdminClient::topicDeleted, this, [this](quint64 id, const QString &t) {
        if (id != m_pendingId)
            return;
        m_pendingId = 0;
        Q_EMIT topicDeleted(t);
        accept();
    });
    connect(m_admin, &AdminClient::failed, this, [this](quint64 id, const QString &, const Error &e) {
        if (id != m_pendingId)
            return;
        m_pendingId = 0;
        m_deleteButton->setEnabled(m_confirm->text() == m_topic);
        m_status->setText(tr("The broker refused: %1").arg(errorText(e)));
        m_status->setStyleSheet(QLatin1String(kErrorStyle));
        m_status->setProperty("error", true);
    });
}

QString DeleteTopicDialog::statusText() const
{
    return m_status->text();
}

void DeleteTopicDialog::deleteTopic()
{
    if (m_confirm->text() != m_topic || m_pendingId != 0)
        return;
    m_deleteButton->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Deleting '%1'...").arg(m_topic));
    m_pendingId = m_admin->deleteTopic(m_topic);
}

} // namespace kpw
