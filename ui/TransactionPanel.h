#pragma once

#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"

#include <QWidget>

#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTimer;

namespace kpw {

class MessageEditor;
class ProducerClient;
class ProtocolTimelineModel;
class TxnStateDiagram;

// Drives a transactional (or idempotent) producer by hand: Init, Begin, Send
// the composed message, Send offsets, Commit, Abort, each enabled only where
// the state machine allows it; the state drawn as a diagram with the
// producer id, epoch, protocol and coordinator; a timeline of every protocol
// call; a fault lab on the real socket; and "Fence me".
//
// It runs its own ProducerClient, so the window's producer is not disturbed.
// Its configuration is the window's (from the config source: producer
// settings plus bootstrap.servers) with the panel's transactional.id,
// transaction protocol and, without a transactional.id, enable.idempotence.
// Nothing here blocks: every call is queued to the producer's thread and its
// result comes back as a signal.
class TransactionPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit TransactionPanel(MessageEditor *editor, QWidget *parent = nullptr);
    ~TransactionPanel() override;

    using ConfigSource = std::function<ProducerConfig()>;
    void setConfigSource(ConfigSource source);

    const TxnStatus &status() const { return m_status; }
    bool isStarted() const { return m_started; }
    bool callRunning() const { return m_pendingCall != 0; }
    ProtocolTimelineModel *timeline() const { return m_timeline; }
    // The line under the fault lab that says what the last fault did.
    QString faultExplanation() const;

public Q_SLOTS:
    void startProducer();
    void initTransactions();
    void beginTransaction();
    void sendRecords();
    void sendOffsets();
    void commitTransaction();
    void abortTransaction();
    void fenceMe();
    void injectFault(const kpw::FaultSpec &fault);

Q_SIGNALS:
    // The panel's records, for the window's delivery table.
    void recordsDelivered(const QList<kpw::DeliveryReport> &reports);

private:
    QWidget *buildControls();
    QGroupBox *buildProducerGroup();
    QGroupBox *buildTransactionGroup();
    QGroupBox *buildOffsetsGroup();
    QGroupBox *buildFaultLab();
    QWidget *buildStateView();
    QWidget *buildTimeline();

    std::optional<ProducerConfig> panelConfig(QString *error) const;
    bool restartProducer(); // false (and a message) when the settings are refused
    bool ensureStarted();
    void wireClient(ProducerClient *client);
    void startCall(quint64 id, const QString &op);
    void onCallDone(quint64 id, const QString &op, const kpw::Error &error);
    void onStatus(const kpw::TxnStatus &status);
    void onProtocolEvent(const kpw::ProtocolEvent &event);
    void onDelivered(const QList<kpw::DeliveryReport> &reports);
    void onFencerDone(quint64 id, const kpw::Error &error);
    void stopFencer();
    void updateControls();
    void updateIdentity();
    void showMessage(const QString &text, bool error);
    void showBanner(const QString &text, bool fatal);
    bool transactional() const;

    MessageEditor *m_editor = nullptr;
    ConfigSource m_configSource;
    ProducerClient *m_client = nullptr;
    ProducerClient *m_fencer = nullptr; // "Fence me": a second producer, same transactional.id
    quint64 m_fencerCall = 0;
    ProtocolTimelineModel *m_timeline = nullptr;

    TxnStatus m_status;
    bool m_started = false;
    QString m_runningTid; // the transactional.id the running producer was started with
    quint64 m_pendingCall = 0;
    QString m_pendingOp;
    bool m_faultFired = false; // an injected fault fired since the last explanation
    FaultSpec m_lastFault;

    QLineEdit *m_tidEdit = nullptr;
    QComboBox *m_protocolCombo = nullptr;
    QCheckBox *m_idempotenceCheck = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_fenceButton = nullptr;
    QPushButton *m_initButton = nullptr;
    QPushButton *m_beginButton = nullptr;
    QPushButton *m_sendButton = nullptr;
    QSpinBox *m_sendCount = nullptr;
    QPushButton *m_commitButton = nullptr;
    QPushButton *m_abortButton = nullptr;
    QLineEdit *m_groupEdit = nullptr;
    QSpinBox *m_generationSpin = nullptr;
    QLineEdit *m_memberEdit = nullptr;
    QTableWidget *m_offsetsTable = nullptr;
    QPushButton *m_sendOffsetsButton = nullptr;
    QGroupBox *m_faultGroup = nullptr;
    QSpinBox *m_lostAckSpin = nullptr;
    QSpinBox *m_delaySpin = nullptr;
    QSpinBox *m_disconnectSpin = nullptr;
    QComboBox *m_errorCombo = nullptr;
    QList<QPushButton *> m_faultButtons;
    QLabel *m_faultExplanation = nullptr;

    QLabel *m_banner = nullptr;
    TxnStateDiagram *m_diagram = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_producerIdLabel = nullptr;
    QLabel *m_epochLabel = nullptr;
    QLabel *m_protocolLabel = nullptr;
    QLabel *m_coordinatorLabel = nullptr;
    QLabel *m_lastDeliveryLabel = nullptr;
    QLabel *m_message = nullptr;
    QTableView *m_timelineView = nullptr;
    QTimer *m_scrollTimer = nullptr;
    bool m_followTail = true;
};

} // namespace kpw
