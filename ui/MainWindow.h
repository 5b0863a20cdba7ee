#pragma once

#include "producer/DeliveryReport.h"
#include "records/ProducerRecord.h"
#include "ui/SentHistory.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>

#include <optional>
#include <memory>

class QLabel;
class QLineEdit;
class QListView;
class QModelIndex;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace kpw {

class ConnectionsDialog;
class DeliveryReportModel;
class KeychainSecretStore;
class ProfileStore;
struct ConnectionProfile;
class DeliveryReportView;
class MessageEditor;
class MessageLibrary;
class MetricsBar;
class ProducerClient;
class ProducerSettingsWidget;
class ReplayPanel;
class SerdePanel;
class TailView;
class TopicBrowser;
class TopicListModel;
struct MetadataResponse;

// The workbench window: connection bar on top, topics on the left, the
// composer and the producer settings in tabs in the middle, delivery reports
// at the bottom, the producer's metrics in the status bar. It owns the
// ProducerClient; the network runs on the client's thread, never here.
// Producer settings reach the producer on Connect, which restarts it.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &initialBootstrap = QString(), QWidget *parent = nullptr);
    ~MainWindow() override;

    DeliveryReportModel *reportModel() const;
    ProducerSettingsWidget *producerSettings() const;
    ReplayPanel *replayPanel() const { return m_replay; }
    SerdePanel *formatsPanel() const { return m_formats; }
    TopicBrowser *topicBrowser() const { return m_topicBrowser; }
    MessageLibrary *messageLibrary() const { return m_library; }
    DeliveryReportView *reportPanel() const { return m_reportPanel; }
    const SentHistory &sentHistory() const { return m_history; }

public Q_SLOTS:
    void connectToCluster();
    // Connects with the current settings (TLS, SASL) without starting the
    // producer and reports what happened in the log and the status line.
    void testConnection();
    void sendRecord();
    void showProducerSettings();
    // The Connections dialog (saved profiles), non-modal; created on first use.
    void showConnections();
    // Puts a profile's bootstrap and security settings in place for the next
    // Connect (the other producer settings stay as they are).
    void applyProfile(const kpw::ConnectionProfile &profile);
    // Help > Keyboard Shortcuts (F1): every shortcut of the window, non-modal.
    void showShortcuts();

public:
    ConnectionsDialog *connectionsDialog() const;
    QString activeProfile() const { return m_activeProfile; }
    // Sends again the records behind delivery-report rows (from the history
    // of what this window sent).
    void resendReports(const QList<quint64> &ids);
    void loadReportIntoComposer(quint64 id);

Q_SIGNALS:
    // The composer sent records (the history has them).
    void recordsSent();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    enum class ConnectionState { Disconnected, Connecting, Connected, Failed };

    QWidget *buildConnectionBar();
    QWidget *buildTopicPanel();
    QWidget *buildComposerTabs();
    QWidget *buildReportPanel();
    void buildMenus();
    // View menu (MainWindowView.cpp): go to a tab, focus the topic filter,
    // clear the table, the light/dark/system theme.
    void buildViewMenu();
    void buildStatusBar();
    void wireClient();
    void restoreSettings();
    void saveSettings() const;

    void setConnectionState(ConnectionState state, const QString &text);
    void onConnected(const QString &summary);
    void onConnectionFailed(const QString &error);
    void onMetadataUpdated(const MetadataResponse &metadata);
    void onRecordsDelivered(const QList<DeliveryReport> &reports);
    void onTopicActivated(const QModelIndex &proxyIndex);
    void onComposerTopicChanged(const QString &topic);
    void onProducerSettingsChanged();
    void selectTopicInList(const QString &topic);
    void showError(const QString &message);
    void showInfo(const QString &message);
    void updateCounts();
    void appendLog(const QString &line);

    // The "Formats" tab (MainWindowFormats.cpp): key/value serializers fed
    // by the composer as the user types, errors marked in the editor.
    void buildFormatsTab();
    void updateFormatsBadge();
    // Serializes the composed records' keys and values with the chosen
    // formats; the first failure (naming key or value and the record) when
    // any does not fit, and then nothing is sent.
    std::optional<QString> applyFormats(QList<ProducerRecord> &records) const;

    ProducerClient *m_client = nullptr;
    DeliveryReportModel *m_reportModel = nullptr;
    TopicListModel *m_topicModel = nullptr;
    QSortFilterProxyModel *m_topicProxy = nullptr;

    QLineEdit *m_bootstrapEdit = nullptr;
    QPushButton *m_connectButton = nullptr;
    QPushButton *m_testButton = nullptr;
    QObject *m_check = nullptr; // the running kpw::ConnectionCheck, if any
    QLabel *m_connectionStatus = nullptr;
    QLineEdit *m_topicFilter = nullptr;
    QListView *m_topicList = nullptr;
    MessageEditor *m_editor = nullptr;
    ProducerSettingsWidget *m_settings = nullptr;
    ReplayPanel *m_replay = nullptr;
    SerdePanel *m_formats = nullptr;
    QLabel *m_formatsBadge = nullptr;
    QTabWidget *m_composerTabs = nullptr;
    TailView *m_tailView = nullptr;
    TopicBrowser *m_topicBrowser = nullptr;
    MetricsBar *m_metrics = nullptr;
    QTableView *m_reportView = nullptr;
    DeliveryReportView *m_reportPanel = nullptr;
    MessageLibrary *m_library = nullptr;
    QSplitter *m_composerSplitter = nullptr;
    SentHistory m_history;
    QPlainTextEdit *m_logView = nullptr;
    QLabel *m_statusMessage = nullptr;
    QLabel *m_countsLabel = nullptr;
    QSplitter *m_verticalSplitter = nullptr;
    QSplitter *m_horizontalSplitter = nullptr;

    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_connectedBootstrap;

    // Connection profiles: settings in the app's QSettings file, secrets in
    // the system keychain.
    std::unique_ptr<QSettings> m_profileSettings;
    std::unique_ptr<KeychainSecretStore> m_keychain;
    std::unique_ptr<ProfileStore> m_profiles;
    QPointer<ConnectionsDialog> m_connections;
    QString m_activeProfile;
};

} // namespace kpw
