#include "ui/TransactionPanel.h"

#include "producer/ProducerClient.h"
#include "ui/MessageEditor.h"
#include "ui/ProtocolTimelineModel.h"
#include "ui/TxnStateDiagram.h"
#include "wire/KafkaError.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <limits>

namespace kpw {
namespace {

const auto kErrorStyle = QStringLiteral("color: #b0121f;");
const auto kFatalBanner = QStringLiteral(
    "QLabel { background: #c62828; color: white; font-weight: bold; padding: 6px; border-radius: 4px; }");
const auto kWarnBanner =
    QStringLiteral("QLabel { background: #fbe3c0; color: #6b3d00; padding: 6px; border-radius: 4px; }");
constexpr int kAutoScrollIntervalMs = 100;

// The retriable errors the fault lab can make the client believe it got.
constexpr std::array<std::int16_t, 4> kInjectableErrors{KafkaError::NotLeaderOrFollower, KafkaError::RequestTimedOut,
                                                        KafkaError::NetworkException, KafkaError::NotEnoughReplicas};

QPushButton *button(const QString &text, const char *name, const QString &tip, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(QString::fromLatin1(name));
    b->setToolTip(tip);
    return b;
}

QString oneLine(QString text)
{
    return text.replace(QLatin1Char('\n'), QLatin1Char(' ')).simplified();
}

} // namespace

TransactionPanel::TransactionPanel(MessageEditor *editor, QWidget *parent) : QWidget(parent), m_editor(editor)
{
    setObjectName(QStringLiteral("transactionPanel"));
    m_timeline = new ProtocolTimelineModel(this);
    m_client = new ProducerClient(this);
    // The GUI thread never waits for buffer space.
    m_client->setBlockingSends(false);
    m_client->setProtocolTrace(true);
    wireClient(m_client);

    // A layout, not a splitter: the diagram keeps its height when the banner
    // appears, and the timeline takes the rest.
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 0, 0, 0);
    rightLayout->addWidget(buildStateView(), 0);
    rightLayout->addWidget(buildTimeline(), 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("transactionSplitter"));
    split->addWidget(buildControls());
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    m_scrollTimer = new QTimer(this);
    m_scrollTimer->setSingleShot(true);
    m_scrollTimer->setInterval(kAutoScrollIntervalMs);
    connect(m_scrollTimer, &QTimer::timeout, this, [this] {
        if (m_followTail)
            m_timelineView->scrollToBottom();
    });
    connect(m_timeline, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_scrollTimer->isActive())
            m_scrollTimer->start();
    });
    QScrollBar *scrollBar = m_timelineView->verticalScrollBar();
    connect(scrollBar, &QScrollBar::valueChanged, this,
            [this, scrollBar](int value) { m_followTail = value >= scrollBar->maximum(); });

    showMessage(tr("Enter a transactional.id and press Init (or leave it empty for the idempotent producer and "
                   "press Start)."),
                false);
    updateIdentity();
    updateControls();
}

TransactionPanel::~TransactionPanel()
{
    // Stop the engines while the panel is whole, so nothing they report on
    // the way out reaches a half-destroyed panel.
    if (m_fencer) {
        m_fencer->disconnect(this);
        m_fencer->stop();
    }
    m_client->disconnect(this);
    m_client->stop();
}

void TransactionPanel::setConfigSource(ConfigSource source)
{
    m_configSource = std::move(source);
}

QString TransactionPanel::faultExplanation() const
{
    return m_faultExplanation->text();
}

// --- layout ------------------------------------------------------------------

QWidget *TransactionPanel::buildControls()
{
    auto *inner = new QWidget;
    auto *layout = new QVBoxLayout(inner);
    layout->setContentsMargins(0, 0, 6, 0);
    layout->addWidget(buildProducerGroup());
    layout->addWidget(buildTransactionGroup());
    layout->addWidget(buildOffsetsGroup());
    layout->addWidget(buildFaultLab());
    layout->addStretch(1);

    // The controls scroll rather than squeeze when the window is small.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("transactionControls"));
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(inner->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 4);
    return scroll;
}

QGroupBox *TransactionPanel::buildProducerGroup()
{
    auto *group = new QGroupBox(tr("Producer"), this);
    m_tidEdit = new QLineEdit(QStringLiteral("kpw-workbench-txn"), group);
    m_tidEdit->setObjectName(QStringLiteral("transactionalIdEdit"));
    m_tidEdit->setPlaceholderText(tr("empty: idempotent producer only"));
    m_tidEdit->setClearButtonEnabled(true);
    m_tidEdit->setToolTip(tr("transactional.id: producers sharing it fence each other (InitProducerId bumps the "
                             "epoch). Empty: a plain producer, idempotent or not (see the fault lab)."));
    auto *tidLabel = new QLabel(tr("&transactional.id:"), group);
    tidLabel->setBuddy(m_tidEdit);

    m_protocolCombo = new QComboBox(group);
    m_protocolCombo->setObjectName(QStringLiteral("protocolCombo"));
    m_protocolCombo->addItem(tr("auto"), QStringLiteral("auto"));
    m_protocolCombo->addItem(tr("v1 (AddPartitionsToTxn)"), QStringLiteral("1"));
    m_protocolCombo->addItem(tr("v2 (KIP-890)"), QStringLiteral("2"));
    m_protocolCombo->setToolTip(tr("kpw.transaction.protocol: auto uses v2 (KIP-890: partitions join the "
                                   "transaction through Produce, the epoch is bumped at every EndTxn) where the "
                                   "broker finalizes it, v1 otherwise"));
    auto *protocolLabel = new QLabel(tr("&Protocol:"), group);
    protocolLabel->setBuddy(m_protocolCombo);

    m_idempotenceCheck = new QCheckBox(tr("Idempotence (&without transactional.id)"), group);
    m_idempotenceCheck->setObjectName(QStringLiteral("idempotenceCheck"));
    m_idempotenceCheck->setChecked(true);
    m_idempotenceCheck->setToolTip(tr("enable.idempotence for the panel's producer when no transactional.id is "
                                      "given: on, it takes a producer id (InitProducerId) and numbers every batch, "
                                      "so the broker drops a retried duplicate. A transactional producer is always "
                                      "idempotent."));

    m_startButton = button(tr("&Start producer"), "startProducerButton",
                           tr("Starts a fresh producer with these settings (ApiVersions, Metadata; InitProducerId "
                              "when idempotent without transactional.id). Stops the previous one."),
                           group);
    m_fenceButton = button(tr("Fence m&e"), "fenceMeButton",
                           tr("Starts a second producer with the same transactional.id and calls initTransactions() "
                              "on it (FindCoordinator, InitProducerId): the coordinator bumps the epoch and aborts "
                              "this producer's open transaction; this producer's next call fails as fenced."),
                           group);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tidLabel, m_tidEdit);
    form->addRow(protocolLabel, m_protocolCombo);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_fenceButton);
    auto *layout = new QVBoxLayout(group);
    layout->addLayout(form);
    layout->addWidget(m_idempotenceCheck);
    layout->addLayout(buttons);

    connect(m_tidEdit, &QLineEdit::textChanged, this, &TransactionPanel::updateControls);
    connect(m_startButton, &QPushButton::clicked, this, &TransactionPanel::startProducer);
    connect(m_fenceButton, &QPushButton::clicked, this, &TransactionPanel::fenceMe);
    connect(m_idempotenceCheck, &QCheckBox::toggled, this, [this] {
        // The setting belongs to the running producer: a plain one restarts with it.
        if (m_started && m_runningTid.isEmpty())
            startProducer();
    });
    return group;
}

QGroupBox *TransactionPanel::buildTransactionGroup()
{
    auto *group = new QGroupBox(tr("Transaction"), this);
    m_initButton = button(tr("&Init"), "initButton",
                          tr("initTransactions(): FindCoordinator (TRANSACTION) and InitProducerId with the "
                             "transactional.id, which fences older epochs and completes a pending transaction. "
                             "Starts the producer first if needed."),
                          group);
    m_beginButton = button(tr("Be&gin"), "beginButton",
                           tr("beginTransaction(): a local state change, no request; the partitions join the "
                              "transaction with the first Produce (v2) or AddPartitionsToTxn (v1)."),
                           group);
    m_sendButton = button(tr("Sen&d"), "txnSendButton",
                          tr("send(): the message of the Composer tab, N times ({{seq}} numbered), as Produce "
                             "requests to the partition leaders (with AddPartitionsToTxn first on protocol v1)."),
                          group);
    m_sendCount = new QSpinBox(group);
    m_sendCount->setObjectName(QStringLiteral("txnSendCount"));
    m_sendCount->setRange(1, MessageEditor::kMaxCopies);
    m_sendCount->setValue(1);
    m_sendCount->setPrefix(QStringLiteral("\u00D7 "));
    m_sendCount->setToolTip(tr("How many copies of the composed message Send produces"));
    m_sendCount->setAccessibleName(tr("Copies to send"));
    m_commitButton = button(tr("Co&mmit"), "commitButton",
                            tr("commitTransaction(): flushes, then EndTxn(commit) to the transaction coordinator; "
                               "read_committed consumers see the records."),
                            group);
    m_abortButton = button(tr("Abo&rt"), "abortButton",
                           tr("abortTransaction(): EndTxn(abort) to the transaction coordinator; read_committed "
                              "consumers never see the records (read_uncommitted ones do)."),
                           group);

    auto *grid = new QGridLayout(group);
    grid->addWidget(m_initButton, 0, 0);
    grid->addWidget(m_beginButton, 0, 1);
    grid->addWidget(m_sendButton, 0, 2);
    grid->addWidget(m_sendCount, 0, 3);
    grid->addWidget(m_commitButton, 1, 0, 1, 2);
    grid->addWidget(m_abortButton, 1, 2, 1, 2);

    connect(m_initButton, &QPushButton::clicked, this, &TransactionPanel::initTransactions);
    connect(m_beginButton, &QPushButton::clicked, this, &TransactionPanel::beginTransaction);
    connect(m_sendButton, &QPushButton::clicked, this, &TransactionPanel::sendRecords);
    connect(m_commitButton, &QPushButton::clicked, this, &TransactionPanel::commitTransaction);
    connect(m_abortButton, &QPushButton::clicked, this, &TransactionPanel::abortTransaction);
    return group;
}

QGroupBox *TransactionPanel::buildOffsetsGroup()
{
    auto *group = new QGroupBox(tr("Send offsets (consume-transform-produce)"), this);
    m_groupEdit = new QLineEdit(group);
    m_groupEdit->setObjectName(QStringLiteral("offsetsGroupEdit"));
    m_groupEdit->setPlaceholderText(tr("consumer group id"));
    auto *groupLabel = new QLabel(tr("Gro&up:"), group);
    groupLabel->setBuddy(m_groupEdit);
    m_generationSpin = new QSpinBox(group);
    m_generationSpin->setObjectName(QStringLiteral("offsetsGenerationSpin"));
    m_generationSpin->setRange(-1, std::numeric_limits<int>::max());
    m_generationSpin->setValue(-1);
    m_generationSpin->setSpecialValueText(tr("none"));
    m_generationSpin->setToolTip(tr("Generation id (KIP-447): lets the group coordinator fence a zombie consumer; "
                                    "none skips the check"));
    auto *generationLabel = new QLabel(tr("Generation:"), group);
    generationLabel->setBuddy(m_generationSpin);
    m_memberEdit = new QLineEdit(group);
    m_memberEdit->setObjectName(QStringLiteral("offsetsMemberEdit"));
    m_memberEdit->setPlaceholderText(tr("optional member id"));
    auto *memberLabel = new QLabel(tr("Member:"), group);
    memberLabel->setBuddy(m_memberEdit);

    m_offsetsTable = new QTableWidget(1, 3, group);
    m_offsetsTable->setObjectName(QStringLiteral("offsetsTable"));
    m_offsetsTable->setHorizontalHeaderLabels({tr("Topic"), tr("Partition"), tr("Offset")});
    m_offsetsTable->verticalHeader()->setVisible(false);
    m_offsetsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_offsetsTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_offsetsTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_offsetsTable->setItem(0, 0, new QTableWidgetItem);
    m_offsetsTable->setItem(0, 1, new QTableWidgetItem(QStringLiteral("0")));
    m_offsetsTable->setItem(0, 2, new QTableWidgetItem(QStringLiteral("0")));
    m_offsetsTable->setToolTip(tr("The consumed positions to commit with the transaction: the next offset to read"));
    m_offsetsTable->setTabKeyNavigation(false);
    const int rowHeight = m_offsetsTable->verticalHeader()->defaultSectionSize();
    // Room for two rows; more scroll.
    m_offsetsTable->setFixedHeight(m_offsetsTable->horizontalHeader()->sizeHint().height() + 2 * rowHeight +
                                   2 * m_offsetsTable->frameWidth() + 2);

    auto *addRow = new QToolButton(group);
    addRow->setObjectName(QStringLiteral("offsetsAddRow"));
    addRow->setText(QStringLiteral("+"));
    addRow->setToolTip(tr("Add a topic/partition/offset row"));
    auto *removeRow = new QToolButton(group);
    removeRow->setObjectName(QStringLiteral("offsetsRemoveRow"));
    removeRow->setText(QStringLiteral("\u2212"));
    removeRow->setToolTip(tr("Remove the selected row"));
    m_sendOffsetsButton = button(tr("Send &offsets"), "sendOffsetsButton",
                                 tr("sendOffsetsToTransaction(): AddOffsetsToTxn to the transaction coordinator, "
                                    "then FindCoordinator (GROUP) and TxnOffsetCommit to the group coordinator; "
                                    "the offsets count only if the transaction commits."),
                                 group);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(groupLabel, m_groupEdit);
    auto *ids = new QHBoxLayout;
    ids->addWidget(m_generationSpin);
    ids->addWidget(memberLabel);
    ids->addWidget(m_memberEdit, 1);
    form->addRow(generationLabel, ids);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addRow);
    buttons->addWidget(removeRow);
    buttons->addStretch(1);
    buttons->addWidget(m_sendOffsetsButton);
    auto *layout = new QVBoxLayout(group);
    layout->addLayout(form);
    layout->addWidget(m_offsetsTable);
    layout->addLayout(buttons);

    connect(addRow, &QToolButton::clicked, this, [this] {
        const int row = m_offsetsTable->rowCount();
        m_offsetsTable->insertRow(row);
        m_offsetsTable->setItem(row, 0, new QTableWidgetItem(m_editor ? m_editor->topic() : QString()));
        m_offsetsTable->setItem(row, 1, new QTableWidgetItem(QStringLiteral("0")));
        m_offsetsTable->setItem(row, 2, new QTableWidgetItem(QStringLiteral("0")));
        m_offsetsTable->setCurrentCell(row, 0);
    });
    connect(removeRow, &QToolButton::clicked, this, [this] {
        const int row = m_offsetsTable->currentRow();
        if (row >= 0)
            m_offsetsTable->removeRow(row);
    });
    connect(m_sendOffsetsButton, &QPushButton::clicked, this, &TransactionPanel::sendOffsets);
    return group;
}

QGroupBox *TransactionPanel::buildFaultLab()
{
    m_faultGroup = new QGroupBox(tr("Fault lab (on the real socket)"), this);
    QGroupBox *group = m_faultGroup;

    m_lostAckSpin = new QSpinBox(group);
    m_lostAckSpin->setObjectName(QStringLiteral("lostAckSpin"));
    m_lostAckSpin->setRange(1, 1000);
    m_lostAckSpin->setPrefix(tr("request "));
    m_lostAckSpin->setToolTip(tr("Which Produce request from now (1 = the next one)"));
    auto *lostAck = button(tr("&Lose ack"), "lostAckButton",
                           tr("The N-th Produce request from now reaches the broker, its response is dropped and "
                              "the connection closed: the producer retries a batch the broker already wrote"),
                           group);

    m_delaySpin = new QSpinBox(group);
    m_delaySpin->setObjectName(QStringLiteral("delaySpin"));
    m_delaySpin->setRange(0, 120000);
    m_delaySpin->setSingleStep(100);
    m_delaySpin->setValue(1000);
    m_delaySpin->setSuffix(tr(" ms"));
    m_delaySpin->setToolTip(tr("Delay for every response on the producer's connections (0 turns it off)"));
    auto *delay = button(tr("Dela&y"), "delayButton",
                         tr("Holds every response for this long before the producer reads it (past "
                            "request.timeout.ms the producer gives up on the request and retries)"),
                         group);

    m_disconnectSpin = new QSpinBox(group);
    m_disconnectSpin->setObjectName(QStringLiteral("disconnectSpin"));
    m_disconnectSpin->setRange(1, 1000);
    m_disconnectSpin->setPrefix(tr("request "));
    m_disconnectSpin->setToolTip(tr("Which Produce request from now (1 = the next one)"));
    auto *disconnect = button(tr("Disco&nnect"), "disconnectButton",
                              tr("Closes the connection right after the N-th Produce request is written: the "
                                 "request may or may not have reached the broker"),
                              group);

    m_errorCombo = new QComboBox(group);
    m_errorCombo->setObjectName(QStringLiteral("injectErrorCombo"));
    for (std::int16_t code : kInjectableErrors)
        m_errorCombo->addItem(KafkaError::name(code), int(code));
    m_errorCombo->setToolTip(tr("A retriable error the next Produce response is treated as (the broker did write "
                                "the batch)"));
    auto *inject = button(tr("In&ject"), "injectErrorButton",
                          tr("The next Produce response is read as this error: the producer retries a batch the "
                             "broker already wrote"),
                          group);

    auto *clear = button(tr("Clear f&aults"), "clearFaultsButton", tr("Disarms every fault on the producer"), group);

    m_faultExplanation = new QLabel(group);
    m_faultExplanation->setObjectName(QStringLiteral("faultExplanation"));
    m_faultExplanation->setWordWrap(true);
    m_faultExplanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_faultExplanation->setText(tr("Arm a fault, then Send: the timeline shows it fire and the retry."));

    auto *grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("Lost ack:"), group), 0, 0);
    grid->addWidget(m_lostAckSpin, 0, 1);
    grid->addWidget(lostAck, 0, 2);
    grid->addWidget(new QLabel(tr("Delay:"), group), 1, 0);
    grid->addWidget(m_delaySpin, 1, 1);
    grid->addWidget(delay, 1, 2);
    grid->addWidget(new QLabel(tr("Disconnect after:"), group), 2, 0);
    grid->addWidget(m_disconnectSpin, 2, 1);
    grid->addWidget(disconnect, 2, 2);
    grid->addWidget(new QLabel(tr("Error:"), group), 3, 0);
    grid->addWidget(m_errorCombo, 3, 1);
    grid->addWidget(inject, 3, 2);
    grid->setColumnStretch(1, 1);
    auto *layout = new QVBoxLayout(group);
    layout->addLayout(grid);
    auto *clearRow = new QHBoxLayout;
    clearRow->addStretch(1);
    clearRow->addWidget(clear);
    layout->addLayout(clearRow);
    layout->addWidget(m_faultExplanation);
    m_faultButtons = {lostAck, delay, disconnect, inject, clear};

    connect(lostAck, &QPushButton::clicked, this, [this] {
        injectFault({FaultSpec::Kind::LostAck, m_lostAckSpin->value(), 0, 0});
    });
    connect(delay, &QPushButton::clicked, this, [this] {
        injectFault({FaultSpec::Kind::DelayResponses, 1, m_delaySpin->value(), 0});
    });
    connect(disconnect, &QPushButton::clicked, this, [this] {
        injectFault({FaultSpec::Kind::DisconnectAfterSend, m_disconnectSpin->value(), 0, 0});
    });
    connect(inject, &QPushButton::clicked, this, [this] {
        injectFault(
            {FaultSpec::Kind::InjectError, 1, 0, static_cast<std::int16_t>(m_errorCombo->currentData().toInt())});
    });
    connect(clear, &QPushButton::clicked, this, [this] { injectFault({}); });
    return group;
}

QWidget *TransactionPanel::buildStateView()
{
    auto *view = new QWidget(this);
    m_banner = new QLabel(view);
    m_banner->setObjectName(QStringLiteral("txnBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();

    m_diagram = new TxnStateDiagram(view);

    const auto value = [view](const char *name) {
        auto *label = new QLabel(view);
        label->setObjectName(QString::fromLatin1(name));
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return label;
    };
    m_stateLabel = value("txnStateLabel");
    QFont bold = m_stateLabel->font();
    bold.setBold(true);
    m_stateLabel->setFont(bold);
    m_producerIdLabel = value("producerIdLabel");
    m_epochLabel = value("epochLabel");
    m_protocolLabel = value("protocolLabel");
    m_coordinatorLabel = value("coordinatorLabel");
    m_lastDeliveryLabel = value("lastDeliveryLabel");
    m_lastDeliveryLabel->setWordWrap(true);
    m_lastDeliveryLabel->setToolTip(tr("The newest record the panel's producer delivered, with the producer id, "
                                       "epoch and sequence number the broker deduplicates by"));

    // Under the diagram: the producer's identity, then the newest record.
    const auto pair = [view](const QString &name, QLabel *value, QBoxLayout *into) {
        auto *label = new QLabel(name, view);
        label->setBuddy(value);
        into->addWidget(label);
        into->addWidget(value);
        into->addSpacing(14);
    };
    auto *ids = new QHBoxLayout;
    pair(tr("State:"), m_stateLabel, ids);
    pair(tr("Producer id:"), m_producerIdLabel, ids);
    pair(tr("Epoch:"), m_epochLabel, ids);
    pair(tr("Protocol:"), m_protocolLabel, ids);
    pair(tr("Coordinator:"), m_coordinatorLabel, ids);
    ids->addStretch(1);
    auto *last = new QHBoxLayout;
    pair(tr("Last record:"), m_lastDeliveryLabel, last);
    last->setStretch(1, 1);

    m_message = new QLabel(view);
    m_message->setObjectName(QStringLiteral("txnMessage"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);

    auto *layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_diagram);
    layout->addLayout(ids);
    layout->addLayout(last);
    layout->addWidget(m_message);
    return view;
}

QWidget *TransactionPanel::buildTimeline()
{
    auto *box = new QWidget(this);
    auto *title = new QLabel(tr("Protocol timeline"), box);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto *legend = new QLabel(tr("<span style='color:#b0121f'>errors</span> \u00B7 "
                                 "<span style='color:#5b1f9e'><b>injected faults</b></span> \u00B7 "
                                 "<span style='color:#606060'>state changes</span> \u00B7 "
                                 "2nd: the Fence-me producer"),
                              box);
    auto *clear = new QToolButton(box);
    clear->setObjectName(QStringLiteral("clearTimelineButton"));
    clear->setText(tr("Clear"));
    clear->setToolTip(tr("Remove every row of the timeline"));
    clear->setAutoRaise(true);

    m_timelineView = new QTableView(box);
    m_timelineView->setObjectName(QStringLiteral("timelineView"));
    m_timelineView->setModel(m_timeline);
    m_timelineView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timelineView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_timelineView->setWordWrap(false);
    m_timelineView->setTextElideMode(Qt::ElideRight);
    m_timelineView->setAlternatingRowColors(true);
    m_timelineView->setShowGrid(false);
    m_timelineView->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Room for a header and three calls: on a 1280x800 screen the diagram,
    // a two-line fatal banner and the timeline must all fit (the timeline
    // scrolls, the diagram cannot).
    m_timelineView->setMinimumHeight(96);
    QHeaderView *rows = m_timelineView->verticalHeader();
    rows->setVisible(false);
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_timelineView->fontMetrics().height() + 6);
    QHeaderView *columns = m_timelineView->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
    const QFontMetrics fm = m_timelineView->fontMetrics();
    const auto widthOf = [&fm](const QString &sample) { return fm.horizontalAdvance(sample) + 20; };
    columns->resizeSection(ProtocolTimelineModel::TimeColumn, widthOf(QStringLiteral("00:00:00.000")));
    columns->resizeSection(ProtocolTimelineModel::CallColumn, widthOf(QStringLiteral("2nd: InitProducerId v5")));
    QFont bold = m_timelineView->font();
    bold.setBold(true);
    columns->resizeSection(ProtocolTimelineModel::ResultColumn,
                           std::max(QFontMetrics(bold).horizontalAdvance(QStringLiteral("ABORTABLE_ERROR")) + 20,
                                    widthOf(QStringLiteral("COORDINATOR_LOAD_IN_PROGRESS"))));
    columns->resizeSection(ProtocolTimelineModel::ProducerColumn, widthOf(QStringLiteral("0000 / 00")));
    columns->resizeSection(ProtocolTimelineModel::SequencesColumn, widthOf(QStringLiteral("a-topic-name-0 seq 0..9")));
    columns->resizeSection(ProtocolTimelineModel::PartitionsColumn, widthOf(QStringLiteral("a-topic-name-0")));
    columns->resizeSection(ProtocolTimelineModel::DetailColumn, widthOf(QStringLiteral("lost ack: the response to")));
    columns->resizeSection(ProtocolTimelineModel::PeerColumn,
                           widthOf(QStringLiteral("coordinator broker 1 (127.0.0.1:9092)")));

    auto *header = new QHBoxLayout;
    header->addWidget(title);
    header->addSpacing(12);
    header->addWidget(legend);
    header->addStretch(1);
    header->addWidget(clear);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_timelineView, 1);
    connect(clear, &QToolButton::clicked, m_timeline, &ProtocolTimelineModel::clear);
    return box;
}

// --- the producer ------------------------------------------------------------

bool TransactionPanel::transactional() const
{
    return !m_tidEdit->text().trimmed().isEmpty();
}

std::optional<ProducerConfig> TransactionPanel::panelConfig(QString *error) const
{
    ProducerConfig config = m_configSource ? m_configSource() : ProducerConfig();
    if (config.value(QStringLiteral("bootstrap.servers")).trimmed().isEmpty()) {
        *error = tr("Enter the bootstrap servers in the connection bar first.");
        return std::nullopt;
    }
    const QString tid = m_tidEdit->text().trimmed();
    QList<std::pair<QString, QString>> settings;
    if (tid.isEmpty()) {
        config.unset(QStringLiteral("transactional.id"));
        settings.append({QStringLiteral("enable.idempotence"),
                         m_idempotenceCheck->isChecked() ? QStringLiteral("true") : QStringLiteral("false")});
    } else {
        // A transactional producer is idempotent whatever the window's setting says.
        config.unset(QStringLiteral("enable.idempotence"));
        settings.append({QStringLiteral("transactional.id"), tid});
        settings.append({QStringLiteral("kpw.transaction.protocol"), m_protocolCombo->currentData().toString()});
    }
    for (const auto &[name, value] : settings) {
        const Result<bool> set = config.set(name, value);
        if (!set.ok()) {
            *error = set.error().message;
            return std::nullopt;
        }
    }
    const auto valid = config.validate();
    if (!valid.ok()) {
        *error = valid.error().message;
        return std::nullopt;
    }
    return config;
}

void TransactionPanel::wireClient(ProducerClient *client)
{
    connect(client, &ProducerClient::transactionCallDone, this, &TransactionPanel::onCallDone);
    connect(client, &ProducerClient::txnStatusChanged, this, &TransactionPanel::onStatus);
    connect(client, &ProducerClient::protocolEvent, this, &TransactionPanel::onProtocolEvent);
    connect(client, &ProducerClient::recordsDelivered, this, &TransactionPanel::onDelivered);
    connect(client, &ProducerClient::connectionFailed, this,
            [this](const QString &error) { showMessage(tr("Connection failed: %1").arg(error), true); });
}

void TransactionPanel::startProducer()
{
    (void)restartProducer();
}

bool TransactionPanel::restartProducer()
{
    QString error;
    const std::optional<ProducerConfig> config = panelConfig(&error);
    if (!config) {
        showMessage(error, true);
        return false;
    }
    stopFencer();
    m_runningTid = m_tidEdit->text().trimmed();
    m_status = TxnStatus{};
    m_status.transactionalId = m_runningTid;
    m_pendingCall = 0;
    m_pendingOp.clear();
    m_faultFired = false;
    m_lastFault = {};
    m_client->start(*config);
    m_started = true;
    m_banner->hide();
    m_lastDeliveryLabel->clear();
    m_faultExplanation->setText(tr("Arm a fault, then Send: the timeline shows it fire and the retry."));
    ProtocolEvent started;
    started.timeMs = QDateTime::currentMSecsSinceEpoch();
    started.api = QStringLiteral("start");
    started.peer = config->value(QStringLiteral("bootstrap.servers"));
    started.result = tr("started");
    started.detail = m_runningTid.isEmpty()
                         ? (config->idempotent() ? tr("idempotent producer") : tr("plain producer (no idempotence)"))
                         : tr("transactional.id=%1").arg(m_runningTid);
    m_timeline->append(started);
    showMessage(m_runningTid.isEmpty()
                    ? tr("Producer started (%1). Send the composed message; arm a fault first to see a retry.")
                          .arg(started.detail)
                    : tr("Producer started with transactional.id=%1: press Init.").arg(m_runningTid),
                false);
    updateIdentity();
    updateControls();
    return true;
}

bool TransactionPanel::ensureStarted()
{
    if (m_started && m_runningTid == m_tidEdit->text().trimmed() &&
        !(m_status.state == TxnState::FatalError && !m_runningTid.isEmpty()))
        return true;
    return restartProducer();
}

void TransactionPanel::startCall(quint64 id, const QString &op)
{
    m_pendingCall = id;
    m_pendingOp = op;
    showMessage(tr("%1() running...").arg(op), false);
    updateControls();
}

void TransactionPanel::initTransactions()
{
    if (!transactional()) {
        showMessage(tr("initTransactions() needs a transactional.id."), true);
        return;
    }
    // Init on a producer past UNINITIALIZED (after a fatal error, or with
    // another transactional.id) means a fresh one: a new epoch.
    const bool fresh = m_started && m_status.state != TxnState::Uninitialized;
    if (!(fresh ? restartProducer() : ensureStarted()))
        return;
    startCall(m_client->initTransactions(), QStringLiteral("initTransactions"));
}

void TransactionPanel::beginTransaction()
{
    startCall(m_client->beginTransaction(), QStringLiteral("beginTransaction"));
}

void TransactionPanel::sendRecords()
{
    if (!m_started) {
        showMessage(tr("Start the producer first."), true);
        return;
    }
    if (!m_editor) {
        showMessage(tr("No composer to take the message from."), true);
        return;
    }
    m_editor->commitPendingEdits();
    const Result<ProducerRecord> record = m_editor->record();
    if (!record.ok()) {
        showMessage(tr("The Composer tab's message: %1").arg(record.error().message), true);
        return;
    }
    const int count = m_sendCount->value();
    const QList<ProducerRecord> records = MessageEditor::expandCopies(*record, count);
    const quint64 first = m_client->send(records);
    const QString target =
        record->partition >= 0 ? QStringLiteral("%1-%2").arg(record->topic).arg(record->partition) : record->topic;
    showMessage(count == 1 ? tr("Sent record #%1 to %2").arg(first).arg(target)
                           : tr("Sent %1 records (#%2 to #%3) to %4")
                                 .arg(count)
                                 .arg(first)
                                 .arg(first + quint64(count) - 1)
                                 .arg(target),
                false);
}

void TransactionPanel::sendOffsets()
{
    ConsumerGroupMetadata group;
    group.groupId = m_groupEdit->text().trimmed();
    if (group.groupId.isEmpty()) {
        showMessage(tr("Send offsets needs a consumer group id."), true);
        m_groupEdit->setFocus();
        return;
    }
    group.generationId = m_generationSpin->value();
    group.memberId = m_memberEdit->text().trimmed();
    QList<ConsumedOffset> offsets;
    for (int row = 0; row < m_offsetsTable->rowCount(); ++row) {
        const auto text = [this, row](int column) {
            const QTableWidgetItem *item = m_offsetsTable->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        if (text(0).isEmpty())
            continue;
        bool partitionOk = false;
        bool offsetOk = false;
        ConsumedOffset offset;
        offset.topic = text(0);
        offset.partition = text(1).toInt(&partitionOk);
        offset.offset = text(2).toLongLong(&offsetOk);
        if (!partitionOk || !offsetOk || offset.partition < 0 || offset.offset < 0) {
            showMessage(tr("Offsets row %1: partition and offset must be numbers of 0 or more.").arg(row + 1), true);
            return;
        }
        offsets.append(offset);
    }
    if (offsets.isEmpty()) {
        showMessage(tr("Send offsets needs at least one topic/partition/offset row."), true);
        return;
    }
    startCall(m_client->sendOffsetsToTransaction(offsets, group), QStringLiteral("sendOffsetsToTransaction"));
}

void TransactionPanel::commitTransaction()
{
    startCall(m_client->commitTransaction(), QStringLiteral("commitTransaction"));
}

void TransactionPanel::abortTransaction()
{
    startCall(m_client->abortTransaction(), QStringLiteral("abortTransaction"));
}

void TransactionPanel::injectFault(const kpw::FaultSpec &fault)
{
    if (!m_started && !ensureStarted())
        return;
    m_client->injectFault(fault);
    m_lastFault = fault;
    m_faultFired = false;
    // The engine puts the arming and the firing in the timeline.
    if (fault.kind == FaultSpec::Kind::None)
        m_faultExplanation->setText(tr("No fault armed."));
    else
        m_faultExplanation->setText(tr("Armed: %1. Now Send.").arg(fault.describe()));
    showMessage(tr("Fault: %1").arg(fault.describe()), false);
}

void TransactionPanel::fenceMe()
{
    if (!m_started || m_runningTid.isEmpty()) {
        showMessage(tr("Fence me needs a transactional producer: Init one first."), true);
        return;
    }
    QString error;
    std::optional<ProducerConfig> config = panelConfig(&error);
    if (!config) {
        showMessage(error, true);
        return;
    }
    (void)config->set(QStringLiteral("transactional.id"), m_runningTid);
    stopFencer();
    m_fencer = new ProducerClient(this);
    m_fencer->setBlockingSends(false);
    connect(m_fencer, &ProducerClient::protocolEvent, this, [this](const kpw::ProtocolEvent &event) {
        if (event.api != QLatin1StringView("STATE"))
            m_timeline->append(event, tr("2nd"));
    });
    connect(m_fencer, &ProducerClient::transactionCallDone, this,
            [this](quint64 id, const QString &, const kpw::Error &e) { onFencerDone(id, e); });
    m_fencer->start(*config);
    m_fencerCall = m_fencer->initTransactions();
    showMessage(tr("A second producer with transactional.id=%1 is calling initTransactions()...").arg(m_runningTid),
                false);
    updateControls();
}

void TransactionPanel::onFencerDone(quint64 id, const kpw::Error &error)
{
    if (id != m_fencerCall)
        return;
    m_fencerCall = 0;
    if (error.code != KafkaError::None) {
        showMessage(tr("The second producer's initTransactions() failed: %1: %2")
                        .arg(KafkaError::name(error.code), error.message),
                    true);
    } else if (m_status.state != TxnState::FatalError) {
        showBanner(tr("Fenced by a second producer with transactional.id=%1: the coordinator bumped the epoch "
                      "past %2 and aborted any open transaction. This producer does not know yet: its next call "
                      "(Send, Commit, Abort) fails as fenced.")
                       .arg(m_runningTid)
                       .arg(m_status.producerEpoch),
                   false);
        m_banner->setProperty("kind", QStringLiteral("fenced"));
    }
    // Its work is done: the epoch is bumped at the coordinator for good.
    stopFencer();
    updateControls();
}

void TransactionPanel::stopFencer()
{
    if (!m_fencer)
        return;
    m_fencer->disconnect(this);
    m_fencer->deleteLater(); // its destructor stops the engine
    m_fencer = nullptr;
    m_fencerCall = 0;
}

// --- what comes back ---------------------------------------------------------

void TransactionPanel::onCallDone(quint64 id, const QString &op, const kpw::Error &error)
{
    if (id != m_pendingCall)
        return;
    m_pendingCall = 0;
    m_pendingOp.clear();
    if (error.code == KafkaError::None)
        showMessage(tr("%1() done: %2").arg(op, txnStateName(m_status.state)), false);
    else
        showMessage(tr("%1() failed: %2: %3").arg(op, KafkaError::name(error.code), error.message), true);
    updateControls();
}

void TransactionPanel::onStatus(const kpw::TxnStatus &status)
{
    m_status = status;
    if (status.state == TxnState::FatalError) {
        const bool fenced = status.lastError.contains(QLatin1StringView("fenced"), Qt::CaseInsensitive);
        showBanner(tr("FATAL_ERROR%1: %2. This producer can do nothing more: Restart producer (or Init) starts a "
                      "fresh one, with a new epoch.")
                       .arg(fenced ? tr(" (fenced)") : QString(), status.lastError),
                   true);
    } else if (status.state == TxnState::AbortableError) {
        showBanner(tr("ABORTABLE_ERROR: %1. Abort the transaction to go on.").arg(status.lastError), false);
    } else if (m_banner->property("kind").toString() != QLatin1StringView("fenced")) {
        m_banner->hide(); // an error banner ends with its state; the fencing notice waits for the fatal error
    }
    updateIdentity();
    updateControls();
}

void TransactionPanel::onProtocolEvent(const kpw::ProtocolEvent &event)
{
    m_timeline->append(event);
    if (event.fault && event.result != QLatin1StringView("armed"))
        m_faultFired = true;
}

void TransactionPanel::onDelivered(const QList<kpw::DeliveryReport> &reports)
{
    Q_EMIT recordsDelivered(reports);
    if (reports.isEmpty())
        return;
    const DeliveryReport &last = reports.constLast();
    const QString where = QStringLiteral("%1-%2").arg(last.topic).arg(last.partition);
    if (last.ok()) {
        QString text = tr("%1 @ %2").arg(where).arg(last.offset);
        if (last.producerId >= 0)
            text += tr(", pid %1 epoch %2 seq %3").arg(last.producerId).arg(last.producerEpoch).arg(last.sequence);
        m_lastDeliveryLabel->setText(text);
        m_lastDeliveryLabel->setToolTip(text);
        m_lastDeliveryLabel->setStyleSheet(QString());
    } else {
        m_lastDeliveryLabel->setText(tr("%1 failed: %2").arg(where, last.errorName()));
        m_lastDeliveryLabel->setToolTip(last.errorMessage);
        m_lastDeliveryLabel->setStyleSheet(kErrorStyle);
    }

    // The fault lab's one line: what the retry did.
    const DeliveryReport *retried = nullptr;
    for (const DeliveryReport &r : reports)
        if (r.attempts > 1 && r.ok()) {
            retried = &r;
            break;
        }
    const bool delayed = m_lastFault.kind == FaultSpec::Kind::DelayResponses && m_lastFault.delayMs > 0;
    if (!retried && !m_faultFired && !delayed)
        return;
    m_faultFired = false;
    const bool idempotent = m_status.idempotent || (retried && retried->producerId >= 0);
    if (!retried && delayed) {
        m_faultExplanation->setText(tr("Responses delayed by %1 ms: acknowledged after %2 ms, within "
                                       "request.timeout.ms, so nothing was retried or written twice.")
                                        .arg(m_lastFault.delayMs)
                                        .arg(last.latencyMs, 0, 'f', 0));
    } else if (!retried) {
        m_faultExplanation->setText(tr("The fault fired (%1) but these records needed no retry: each was written "
                                       "once.")
                                        .arg(m_lastFault.describe()));
    } else if (idempotent) {
        m_faultExplanation->setText(
            tr("Idempotence on: the retry (attempt %1) carried the same producer id/epoch/sequence (pid %2, epoch %3, "
               "seq %4); the broker recognised it and nothing was written twice.")
                .arg(retried->attempts)
                .arg(retried->producerId)
                .arg(retried->producerEpoch)
                .arg(retried->sequence));
    } else {
        m_faultExplanation->setText(tr("Idempotence off: the retry (attempt %1) wrote the batch again, with no "
                                       "producer id or sequence to recognise it by; a consumer sees it twice.")
                                        .arg(retried->attempts));
    }
    m_faultExplanation->setProperty("idempotent", idempotent);
}

// --- what is shown -----------------------------------------------------------

void TransactionPanel::updateIdentity()
{
    const bool transactionalRunning = m_started && !m_runningTid.isEmpty();
    m_diagram->setActive(transactionalRunning);
    m_diagram->setState(m_status.state);
    if (!m_started)
        m_stateLabel->setText(tr("not started"));
    else if (m_runningTid.isEmpty())
        m_stateLabel->setText(m_status.idempotent ? tr("idempotent (not transactional)") : tr("plain producer"));
    else
        m_stateLabel->setText(txnStateName(m_status.state));
    const bool warn = m_status.state == TxnState::FatalError || m_status.state == TxnState::AbortableError;
    m_stateLabel->setStyleSheet(warn && transactionalRunning ? kErrorStyle : QString());
    const QString none = QStringLiteral("\u2014");
    m_producerIdLabel->setText(m_status.producerId >= 0 ? QString::number(m_status.producerId) : none);
    m_epochLabel->setText(m_status.producerEpoch >= 0 ? QString::number(m_status.producerEpoch) : none);
    m_protocolLabel->setText(
        m_status.protocolVersion > 0 ? (m_status.protocolVersion == 2 ? tr("v2 (KIP-890)") : tr("v1")) : none);
    m_coordinatorLabel->setText(m_status.coordinator.isEmpty() ? none : m_status.coordinator);
    m_coordinatorLabel->setToolTip(m_status.coordinator);
}

void TransactionPanel::updateControls()
{
    const bool busy = m_pendingCall != 0 || m_fencer != nullptr;
    const bool txn = m_started && !m_runningTid.isEmpty();
    const TxnState s = m_status.state;
    const bool wantTxn = transactional();

    m_startButton->setText(m_started ? tr("Re&start producer") : tr("&Start producer"));
    m_startButton->setEnabled(!busy);
    m_initButton->setEnabled(!busy && wantTxn && (!txn || s == TxnState::Uninitialized || s == TxnState::FatalError));
    m_beginButton->setEnabled(!busy && txn && s == TxnState::Ready);
    const bool canSend = !busy && m_started && (m_runningTid.isEmpty() || s == TxnState::InTransaction);
    m_sendButton->setEnabled(canSend);
    m_sendCount->setEnabled(m_started);
    m_sendOffsetsButton->setEnabled(!busy && txn && s == TxnState::InTransaction);
    m_commitButton->setEnabled(!busy && txn && s == TxnState::InTransaction);
    m_abortButton->setEnabled(!busy && txn && (s == TxnState::InTransaction || s == TxnState::AbortableError));
    m_fenceButton->setEnabled(!busy && txn && s != TxnState::Uninitialized && s != TxnState::FatalError &&
                              s != TxnState::Initializing);
    m_idempotenceCheck->setEnabled(!wantTxn);
    m_protocolCombo->setEnabled(wantTxn);
    for (QPushButton *b : std::as_const(m_faultButtons))
        b->setEnabled(m_started && !busy);
}

void TransactionPanel::showMessage(const QString &text, bool error)
{
    m_message->setText(oneLine(text));
    m_message->setToolTip(text);
    m_message->setStyleSheet(error ? kErrorStyle : QString());
    m_message->setProperty("error", error);
}

void TransactionPanel::showBanner(const QString &text, bool fatal)
{
    m_banner->setText(text);
    m_banner->setStyleSheet(fatal ? kFatalBanner : kWarnBanner);
    m_banner->setProperty("fatal", fatal);
    m_banner->setProperty("kind", fatal ? QStringLiteral("fatal") : QStringLiteral("warning"));
    m_banner->show();
}

} // namespace kpw
