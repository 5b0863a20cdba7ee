#pragma once

#include "admin/TopicAdmin.h"
#include "producer/ProducerConfig.h"
#include "wire/Result.h"

#include <QMap>
#include <QString>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace kpw {

class AdminClient;
class ConfigTableModel;
class CreateTopicDialog;
class DeleteTopicDialog;
class PartitionTableModel;
class TopicFilterProxy;
class TopicTableModel;

// The topic browser: the cluster's topics (internal ones on request, a name
// filter) with partition count, replication factor and under-replicated
// partitions; the selected topic's partitions (leader, replicas, ISR,
// earliest/latest offsets) and configs (non-defaults in bold, with their
// source); refresh (F5), automatic refresh, create and delete. Every request
// runs on its AdminClient's thread; a busy bar shows while one runs and
// Cancel drops its answer.
class TopicBrowser final : public QWidget
{
    Q_OBJECT

public:
    using ConfigProvider = std::function<Result<ProducerConfig>()>;

    explicit TopicBrowser(QWidget *parent = nullptr);
    ~TopicBrowser() override;

    // Where the connection settings come from (the window's bootstrap field
    // and producer settings); read at every refresh.
    void setConfigProvider(ConfigProvider provider) { m_configProvider = std::move(provider); }

    AdminClient *adminClient() const { return m_admin; }
    TopicTableModel *topicModel() const { return m_topics; }
    TopicFilterProxy *topicProxy() const { return m_proxy; }
    PartitionTableModel *partitionModel() const { return m_partitions; }
    ConfigTableModel *configModel() const { return m_configs; }
    QString selectedTopic() const { return m_selected; }
    bool isBusy() const;
    QString statusText() const;
    // 0 = off; else seconds.
    void setAutoRefreshSeconds(int seconds);

public Q_SLOTS:
    void refresh();
    void cancelRefresh();
    void selectTopic(const QString &topic);
    CreateTopicDialog *openCreateDialog();
    DeleteTopicDialog *openDeleteDialog();

Q_SIGNALS:
    // The user picked a topic: the composer's new target.
    void topicSelected(const QString &topic, int partitionCount);
    // A topic was created or deleted here (the producer's metadata is stale).
    void topicsChanged();
    void logMessage(const QString &line);

protected:
    void showEvent(QShowEvent *event) override;

private:
    bool ensureConfigured();
    void onTopicsDescribed(quint64 id, const QList<kpw::TopicDescription> &topics);
    void onConfigsDescribed(quint64 id, const QString &topic, const QList<kpw::ConfigEntry> &configs);
    void onFailed(quint64 id, const QString &operation, const kpw::Error &error);
    void onCurrentChanged();
    void showDetails();
    void updateBusy();
    void setStatus(const QString &text, bool error);

    ConfigProvider m_configProvider;
    AdminClient *m_admin;
    QMap<QString, QString> m_configuredWith; // settings of the current connection
    bool m_everConfigured = false;
    TopicTableModel *m_topics;
    TopicFilterProxy *m_proxy;
    PartitionTableModel *m_partitions;
    ConfigTableModel *m_configs;

    QLineEdit *m_filter;
    QCheckBox *m_showInternal;
    QComboBox *m_autoRefresh;
    QToolButton *m_refreshButton;
    QToolButton *m_cancelButton;
    QProgressBar *m_busy;
    QTableView *m_topicView;
    QLabel *m_detailTitle;
    QTableView *m_partitionView;
    QTableView *m_configView;
    QLabel *m_configTitle;
    QPushButton *m_createButton;
    QPushButton *m_deleteButton;
    QLabel *m_status;
    QSplitter *m_splitter;
    QTimer *m_autoTimer;
    QTimer *m_retryTimer;

    QString m_selected;
    QString m_selectAfterRefresh;
    quint64 m_listId = 0;
    quint64 m_configId = 0;
    bool m_loadedOnce = false;
    int m_offsetRetries = 0;
};

} // namespace kpw
