#include "TailView.h"

#include "TailModel.h"
#include "tail/TailReader.h"
#include "wire/KafkaError.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

namespace kpw {

TailView::TailView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("tailView"));
    m_sides[0].isolation = IsolationLevel::ReadCommitted;
    m_sides[1].isolation = IsolationLevel::ReadUncommitted;

    auto *explain = new QLabel(
        tr("Left: what a <b>read_committed</b> consumer gets; right: <b>read_uncommitted</b>. "
           "<span style='background:#f8d0d0'>&nbsp;Red:&nbsp;</span> aborted, never on the left. "
           "<span style='background:#e4e4e4'>&nbsp;Grey:&nbsp;</span> transaction markers, which take an offset "
           "but are never delivered. <span style='background:#ffeeb0'>&nbsp;+N gap:&nbsp;</span> offsets skipped."),
        this);
    explain->setObjectName(QStringLiteral("tailExplanation"));
    explain->setWordWrap(true);
    explain->setTextFormat(Qt::RichText);

    auto *topicLabel = new QLabel(tr("Topic:"), this);
    m_topicEdit = new QLineEdit(this);
    m_topicEdit->setObjectName(QStringLiteral("tailTopicEdit"));
    m_topicEdit->setPlaceholderText(tr("topic (pick one on the left)"));
    m_topicEdit->setClearButtonEnabled(true);
    topicLabel->setBuddy(m_topicEdit);
    auto *fromLabel = new QLabel(tr("From:"), this);
    m_fromCombo = new QComboBox(this);
    m_fromCombo->setObjectName(QStringLiteral("tailFromCombo"));
    m_fromCombo->addItem(tr("earliest"), static_cast<int>(TailOptions::From::Earliest));
    m_fromCombo->addItem(tr("latest"), static_cast<int>(TailOptions::From::Latest));
    fromLabel->setBuddy(m_fromCombo);
    m_startButton = new QPushButton(tr("Start tails"), this);
    m_startButton->setObjectName(QStringLiteral("tailStartButton"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("tailStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *controls = new QHBoxLayout;
    controls->addWidget(topicLabel);
    controls->addWidget(m_topicEdit, 2);
    controls->addWidget(fromLabel);
    controls->addWidget(m_fromCombo);
    controls->addWidget(m_startButton);
    controls->addWidget(m_status, 3);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("tailSplitter"));
    split->addWidget(buildSide(m_sides[0], QStringLiteral("read_committed")));
    split->addWidget(buildSide(m_sides[1], QStringLiteral("read_uncommitted")));
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({1000, 1000});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(explain);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    connect(m_startButton, &QPushButton::clicked, this, [this] { isRunning() ? stop() : start(); });
    connect(m_topicEdit, &QLineEdit::returnPressed, this, &TailView::start);
    connect(m_topicEdit, &QLineEdit::textChanged, this, &TailView::updateButtons);
    updateButtons();
}

TailView::~TailView()
{
    for (auto &s : m_sides)
        stopSide(s);
}

QWidget *TailView::buildSide(Side &side, const QString &title)
{
    auto *box = new QWidget(this);
    side.model = new TailModel(this);
    side.title = new QLabel(box);
    side.title->setObjectName(QStringLiteral("tailTitle_%1").arg(title));
    side.view = new QTableView(box);
    side.view->setObjectName(QStringLiteral("tailTable_%1").arg(title));
    side.view->setModel(side.model);
    side.view->setSelectionBehavior(QAbstractItemView::SelectRows);
    side.view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    side.view->setWordWrap(false);
    side.view->verticalHeader()->setVisible(false);
    side.view->verticalHeader()->setDefaultSectionSize(side.view->fontMetrics().height() + 6);
    auto *header = side.view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(TailModel::ValueColumn, QHeaderView::Stretch);
    const int digit = side.view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    side.view->setColumnWidth(TailModel::PartitionColumn, digit * 7);
    side.view->setColumnWidth(TailModel::OffsetColumn, digit * 11);
    side.view->setColumnWidth(TailModel::KeyColumn, digit * 9);
    side.view->setColumnWidth(TailModel::HeadersColumn, digit * 8);
    side.view->setColumnWidth(TailModel::ProducerIdColumn, digit * 9);
    side.view->setColumnWidth(TailModel::TransactionalColumn, digit * 11);
    side.status = tr("stopped");
    updateTitle(side);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(side.title);
    layout->addWidget(side.view, 1);
    return box;
}

void TailView::setConnection(const QString &bootstrap, const ConnectionOptions &options)
{
    if (bootstrap != m_bootstrap && isRunning())
        stop(); // the tails read the cluster they were started on, never a mix
    m_bootstrap = bootstrap;
    m_connection = options;
    updateButtons();
}

void TailView::setTopic(const QString &topic)
{
    if (!isRunning())
        m_topicEdit->setText(topic);
}

QString TailView::topic() const
{
    return m_topicEdit->text().trimmed();
}

bool TailView::isRunning() const
{
    return m_sides[0].reader || m_sides[1].reader;
}

void TailView::start()
{
    stop();
    if (m_bootstrap.isEmpty() || topic().isEmpty()) {
        m_status->setText(m_bootstrap.isEmpty() ? tr("Connect to a cluster first.") : tr("Choose a topic."));
        return;
    }
    for (auto &s : m_sides) {
        s.model->clear();
        s.status = tr("starting...");
        TailOptions o;
        o.bootstrap = m_bootstrap;
        o.connection = m_connection;
        o.topic = topic();
        o.isolation = s.isolation;
        o.from = static_cast<TailOptions::From>(m_fromCombo->currentData().toInt());
        s.thread = new QThread(this);
        s.thread->setObjectName(QStringLiteral("tail-%1").arg(s.isolation == IsolationLevel::ReadCommitted
                                                                  ? QStringLiteral("committed")
                                                                  : QStringLiteral("uncommitted")));
        s.reader = new TailReader(o);
        s.reader->moveToThread(s.thread);
        connect(s.thread, &QThread::finished, s.reader, &QObject::deleteLater);
        Side *side = &s;
        connect(s.reader, &TailReader::fetched, this, [this, side](const kpw::TailBatch &b) { onBatch(*side, b); });
        connect(s.reader, &TailReader::failed, this, [this, side](const kpw::Error &e) { onFailed(*side, e); });
        connect(s.reader, &TailReader::warning, this, [this](const kpw::Error &e) {
            m_status->setText(QStringLiteral("%1: %2").arg(KafkaError::name(e.code), e.message));
        });
        connect(s.reader, &TailReader::reachedEnd, this, [this, side] {
            side->status = tr("caught up");
            updateTitle(*side);
        });
        s.thread->start();
        QMetaObject::invokeMethod(s.reader, &TailReader::start, Qt::QueuedConnection);
        updateTitle(s);
    }
    m_status->setText(tr("Reading '%1' from %2").arg(topic(), m_bootstrap));
    updateButtons();
    Q_EMIT runningChanged(true);
}

void TailView::stopSide(Side &side)
{
    if (!side.thread)
        return;
    // The reader stops on its own thread, then goes with the thread's end
    // (finished -> deleteLater), closing its sockets there.
    QMetaObject::invokeMethod(side.reader, &TailReader::stop, Qt::QueuedConnection);
    side.reader->disconnect(this);
    side.thread->quit();
    side.thread->wait();
    delete side.thread;
    side.thread = nullptr;
    side.reader = nullptr;
}

void TailView::stop()
{
    const bool was = isRunning();
    for (auto &s : m_sides) {
        stopSide(s);
        if (s.status != tr("stopped") && !s.status.startsWith(tr("failed")))
            s.status = tr("stopped");
        updateTitle(s);
    }
    updateButtons();
    if (was)
        Q_EMIT runningChanged(false);
}

void TailView::onBatch(Side &side, const TailBatch &batch)
{
    QScrollBar *bar = side.view->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    side.model->append(batch);
    side.status = tr("reading");
    updateTitle(side);
    if (atBottom)
        side.view->scrollToBottom();
}

void TailView::onFailed(Side &side, const Error &error)
{
    side.status = tr("failed: %1").arg(KafkaError::name(error.code));
    m_status->setText(QStringLiteral("%1: %2").arg(KafkaError::name(error.code), error.message));
    updateTitle(side);
}

void TailView::updateTitle(Side &side)
{
    const bool committed = side.isolation == IsolationLevel::ReadCommitted;
    QString text = QStringLiteral("<b>%1</b> \u2014 %2 records, %3 markers")
                       .arg(committed ? QStringLiteral("read_committed") : QStringLiteral("read_uncommitted"))
                       .arg(side.model->recordCount())
                       .arg(side.model->markerCount());
    if (!committed)
        text += tr(", <span style='color:#b00000'>%1 aborted</span>").arg(side.model->abortedCount());
    text += QStringLiteral(" \u2014 %1").arg(side.status);
    side.title->setText(text);
}

void TailView::updateButtons()
{
    const bool running = isRunning();
    m_startButton->setText(running ? tr("Stop tails") : tr("Start tails"));
    m_startButton->setEnabled(running || (!m_bootstrap.isEmpty() && !topic().isEmpty()));
    m_topicEdit->setEnabled(!running);
    m_fromCombo->setEnabled(!running);
}

} // namespace kpw
