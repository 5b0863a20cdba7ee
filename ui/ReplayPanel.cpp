#include "ui/ReplayPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace kpw {

namespace {

enum PreviewColumn { ColSource, ColKey, ColValue, ColHeaders, ColPartition, ColTimestamp, ColCount };
enum RateMode { Unlimited, RecordsPerSec, BytesPerSec, OriginalTiming };

QString shown(const std::optional<QByteArray> &bytes, int max = 200)
{
    if (!bytes)
        return QStringLiteral("(null)");
    QString s = QString::fromUtf8(bytes->left(max));
    s.replace(QLatin1Char('\n'), QStringLiteral("\u21b5"));
    if (bytes->size() > max)
        s += QStringLiteral("\u2026 (%1 bytes)").arg(bytes->size());
    return s;
}

QString unescaped(const QString &text)
{
    QString t = text;
    t.replace(QStringLiteral("\\n"), QStringLiteral("\n"))
        .replace(QStringLiteral("\\t"), QStringLiteral("\t"))
        .replace(QStringLiteral("\\r"), QStringLiteral("\r"));
    return t;
}

} // namespace

ReplayPanel::ReplayPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("replayPanel"));

    m_inputsEdit = new QLineEdit(this);
    m_inputsEdit->setObjectName(QStringLiteral("replayInputs"));
    m_inputsEdit->setPlaceholderText(tr("Files or a folder (separate several with ;)"));
    auto *filesButton = new QPushButton(tr("Files\u2026"), this);
    auto *folderButton = new QPushButton(tr("Folder\u2026"), this);
    connect(filesButton, &QPushButton::clicked, this, &ReplayPanel::chooseFiles);
    connect(folderButton, &QPushButton::clicked, this, &ReplayPanel::chooseFolder);

    m_topicEdit = new QLineEdit(this);
    m_topicEdit->setObjectName(QStringLiteral("replayTopic"));
    m_topicEdit->setPlaceholderText(tr("topic"));

    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(QStringLiteral("replayFormat"));
    for (ReplayFormat f : {ReplayFormat::Auto, ReplayFormat::Lines, ReplayFormat::Jsonl, ReplayFormat::Csv,
                           ReplayFormat::Dir, ReplayFormat::Binary})
        m_formatCombo->addItem(formatName(f), static_cast<int>(f));
    m_formatCombo->setToolTip(tr("auto: by the file name (.jsonl, .csv), else by the first bytes"));
    m_detectedLabel = new QLabel(this);
    m_detectedLabel->setObjectName(QStringLiteral("replayDetected"));

    m_keySepEdit = new QLineEdit(this);
    m_keySepEdit->setPlaceholderText(tr("none"));
    m_keySepEdit->setToolTip(tr("Lines: each line is KEY<separator>VALUE (as kcat -K)"));
    m_keySepEdit->setMaximumWidth(80);
    m_delimEdit = new QLineEdit(QStringLiteral("\\n"), this);
    m_delimEdit->setToolTip(tr("Lines: the record delimiter (as kcat -D); \\n \\t \\r are escapes"));
    m_delimEdit->setMaximumWidth(80);

    m_rateMode = new QComboBox(this);
    m_rateMode->setObjectName(QStringLiteral("replayRateMode"));
    m_rateMode->addItem(tr("Unlimited"), Unlimited);
    m_rateMode->addItem(tr("Records/s"), RecordsPerSec);
    m_rateMode->addItem(tr("Bytes/s"), BytesPerSec);
    m_rateMode->addItem(tr("Original timing \u00d7"), OriginalTiming);
    m_rateSpin = new QDoubleSpinBox(this);
    m_rateSpin->setObjectName(QStringLiteral("replayRate"));
    m_rateSpin->setRange(0.01, 1e9);
    m_rateSpin->setDecimals(2);
    m_rateSpin->setValue(1000);
    m_rateSpin->setEnabled(false);
    connect(m_rateMode, &QComboBox::currentIndexChanged, this, [this] {
        const int mode = m_rateMode->currentData().toInt();
        m_rateSpin->setEnabled(mode != Unlimited);
        if (mode == OriginalTiming)
            m_rateSpin->setValue(1.0);
        else if (mode != Unlimited && m_rateSpin->value() < 1)
            m_rateSpin->setValue(1000);
        m_rateSpin->setToolTip(mode == OriginalTiming ? tr("Speed factor: 2 replays twice as fast")
                                                      : tr("The highest rate"));
    });
    m_loopsSpin = new QSpinBox(this);
    m_loopsSpin->setRange(1, 1000000);
    m_loopsSpin->setPrefix(tr("\u00d7 "));
    m_loopsSpin->setToolTip(tr("Replay the inputs this many times"));
    m_templatesCheck = new QCheckBox(tr("Templates"), this);
    m_templatesCheck->setToolTip(tr("Expand {{seq}} {{uuid}} {{line}} {{now}} {{now:FORMAT}} {{random.int(a,b)}}"));
    m_dryRunCheck = new QCheckBox(tr("Dry run"), this);
    m_dryRunCheck->setObjectName(QStringLiteral("replayDryRun"));
    m_dryRunCheck->setToolTip(tr("Parse and validate everything, send nothing"));
    m_onParseCombo = new QComboBox(this);
    m_onParseCombo->addItem(tr("skip and report"));
    m_onParseCombo->addItem(tr("stop"));
    m_onDeliveryCombo = new QComboBox(this);
    m_onDeliveryCombo->addItem(tr("continue"));
    m_onDeliveryCombo->addItem(tr("stop"));

    auto *form = new QGridLayout;
    form->setColumnStretch(1, 1);
    int row = 0;
    form->addWidget(new QLabel(tr("Inputs:"), this), row, 0);
    auto *inputsRow = new QHBoxLayout;
    inputsRow->addWidget(m_inputsEdit, 1);
    inputsRow->addWidget(filesButton);
    inputsRow->addWidget(folderButton);
    form->addLayout(inputsRow, row++, 1);
    form->addWidget(new QLabel(tr("Topic:"), this), row, 0);
    auto *topicRow = new QHBoxLayout;
    topicRow->addWidget(m_topicEdit, 1);
    topicRow->addWidget(new QLabel(tr("Format:"), this));
    topicRow->addWidget(m_formatCombo);
    topicRow->addWidget(m_detectedLabel);
    topicRow->addWidget(new QLabel(tr("Key separator:"), this));
    topicRow->addWidget(m_keySepEdit);
    topicRow->addWidget(new QLabel(tr("Delimiter:"), this));
    topicRow->addWidget(m_delimEdit);
    form->addLayout(topicRow, row++, 1);
    form->addWidget(new QLabel(tr("Rate:"), this), row, 0);
    auto *rateRow = new QHBoxLayout;
    rateRow->addWidget(m_rateMode);
    rateRow->addWidget(m_rateSpin);
    rateRow->addWidget(new QLabel(tr("Loops:"), this));
    rateRow->addWidget(m_loopsSpin);
    rateRow->addSpacing(12);
    rateRow->addWidget(new QLabel(tr("Bad line:"), this));
    rateRow->addWidget(m_onParseCombo);
    rateRow->addWidget(new QLabel(tr("Failed delivery:"), this));
    rateRow->addWidget(m_onDeliveryCombo);
    rateRow->addWidget(m_templatesCheck);
    rateRow->addWidget(m_dryRunCheck);
    rateRow->addStretch(1);
    form->addLayout(rateRow, row++, 1);

    m_preview = new QTableWidget(0, ColCount, this);
    m_preview->setObjectName(QStringLiteral("replayPreview"));
    m_preview->setHorizontalHeaderLabels(
        {tr("Source"), tr("Key"), tr("Value"), tr("Headers"), tr("Partition"), tr("Timestamp")});
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_preview->verticalHeader()->setDefaultSectionSize(m_preview->fontMetrics().height() + 6);
    m_preview->verticalHeader()->hide(); // the Source column numbers the rows
    m_preview->horizontalHeader()->setSectionResizeMode(ColValue, QHeaderView::Stretch);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setWordWrap(false);
    auto *previewButton = new QPushButton(tr("Preview"), this);
    previewButton->setObjectName(QStringLiteral("replayPreviewButton"));
    connect(previewButton, &QPushButton::clicked, this, &ReplayPanel::refreshPreview);
    connect(m_inputsEdit, &QLineEdit::editingFinished, this, &ReplayPanel::refreshPreview);
    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, &ReplayPanel::refreshPreview);
    connect(m_keySepEdit, &QLineEdit::editingFinished, this, &ReplayPanel::refreshPreview);
    connect(m_delimEdit, &QLineEdit::editingFinished, this, &ReplayPanel::refreshPreview);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("replayProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_countsLabel = new QLabel(tr("Not started"), this);
    m_countsLabel->setObjectName(QStringLiteral("replayCounts"));
    m_countsLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_startButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start replay"), this);
    m_startButton->setObjectName(QStringLiteral("replayStart"));
    m_pauseButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pauseButton->setObjectName(QStringLiteral("replayPause"));
    m_cancelButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("replayCancel"));
    connect(m_startButton, &QPushButton::clicked, this, &ReplayPanel::startReplay);
    connect(m_pauseButton, &QPushButton::clicked, this, [this] {
        if (!m_job)
            return;
        if (m_job->isPaused())
            m_job->resume();
        else
            m_job->pause();
        updateButtons();
    });
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_job->cancel();
        m_cancelButton->setEnabled(false);
    });

    m_summaryView = new QPlainTextEdit(this);
    m_summaryView->setObjectName(QStringLiteral("replaySummary"));
    m_summaryView->setReadOnly(true);
    m_summaryView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summaryView->setPlaceholderText(tr("The summary of the last replay appears here."));
    m_exportJson = new QPushButton(tr("Export JSON\u2026"), this);
    m_exportCsv = new QPushButton(tr("Export CSV\u2026"), this);
    connect(m_exportJson, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { exportWithDialog(true); });

    // Preview and summary share the space below the controls in tabs, so
    // each gets the panel's full height; a finished run shows its summary.
    auto *previewBox = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(4, 4, 4, 4);
    auto *previewHeader = new QHBoxLayout;
    previewHeader->addWidget(new QLabel(tr("The first 20 records, as they will be sent"), this), 1);
    previewHeader->addWidget(previewButton);
    previewLayout->addLayout(previewHeader);
    previewLayout->addWidget(m_preview, 1);

    auto *summaryBox = new QWidget(this);
    auto *summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->setContentsMargins(4, 4, 4, 4);
    auto *summaryHeader = new QHBoxLayout;
    summaryHeader->addWidget(
        new QLabel(tr("Counts, offsets per partition, every failure with its file and line"), this), 1);
    summaryHeader->addWidget(m_exportJson);
    summaryHeader->addWidget(m_exportCsv);
    summaryLayout->addLayout(summaryHeader);
    summaryLayout->addWidget(m_summaryView, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("replayTabs"));
    m_tabs->addTab(previewBox, tr("Preview"));
    m_tabs->addTab(summaryBox, tr("Summary"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_startButton);
    controls->addWidget(m_pauseButton);
    controls->addWidget(m_cancelButton);
    controls->addWidget(m_progress, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(controls);
    layout->addWidget(m_countsLabel);
    layout->addWidget(m_tabs, 1);
    updateButtons();
}

ReplayPanel::~ReplayPanel() = default;

void ReplayPanel::setConfigProvider(std::function<Result<ProducerConfig>()> provider)
{
    m_configProvider = std::move(provider);
}

void ReplayPanel::setInputs(const QStringList &inputs)
{
    m_inputsEdit->setText(inputs.join(QStringLiteral("; ")));
    refreshPreview();
}

QStringList ReplayPanel::inputs() const
{
    QStringList out;
    for (const QString &part : m_inputsEdit->text().split(QLatin1Char(';'), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            out.append(part.trimmed());
    return out;
}

void ReplayPanel::setTopic(const QString &topic)
{
    m_topicEdit->setText(topic);
}

QString ReplayPanel::topic() const
{
    return m_topicEdit->text().trimmed();
}

Result<ReplayOptions> ReplayPanel::options() const
{
    ReplayOptions o;
    o.inputs = inputs();
    if (o.inputs.isEmpty())
        return Error{-1, tr("Choose the files or the folder to replay first.")};
    o.topic = topic();
    o.source.format = static_cast<ReplayFormat>(m_formatCombo->currentData().toInt());
    o.source.keySeparator = unescaped(m_keySepEdit->text()).toUtf8();
    const QByteArray delim = unescaped(m_delimEdit->text()).toUtf8();
    o.source.delimiter = delim.isEmpty() ? QByteArray("\n") : delim;
    switch (m_rateMode->currentData().toInt()) {
    case RecordsPerSec: o.recordsPerSec = m_rateSpin->value(); break;
    case BytesPerSec: o.bytesPerSec = m_rateSpin->value(); break;
    case OriginalTiming:
        o.originalTiming = true;
        o.speed = m_rateSpin->value();
        break;
    default: break;
    }
    o.loops = m_loopsSpin->value();
    o.templates = m_templatesCheck->isChecked();
    o.dryRun = m_dryRunCheck->isChecked();
    o.onParseError =
        m_onParseCombo->currentIndex() == 1 ? ReplayOptions::OnParseError::Stop : ReplayOptions::OnParseError::Skip;
    o.onDeliveryError = m_onDeliveryCombo->currentIndex() == 1 ? ReplayOptions::OnDeliveryError::Stop
                                                               : ReplayOptions::OnDeliveryError::Continue;
    if (!o.dryRun) {
        if (o.topic.isEmpty())
            return Error{-1, tr("Enter the topic to replay into.")};
        if (!m_configProvider)
            return Error{-1, tr("No producer settings.")};
        Result<ProducerConfig> config = m_configProvider();
        if (!config)
            return config.error();
        o.config = *config;
    }
    return o;
}

void ReplayPanel::refreshPreview()
{
    m_preview->setRowCount(0);
    m_tabs->setCurrentIndex(0);
    const QStringList in = inputs();
    if (in.isEmpty()) {
        m_detectedLabel->clear();
        return;
    }
    ReplaySourceOptions src;
    src.format = static_cast<ReplayFormat>(m_formatCombo->currentData().toInt());
    src.keySeparator = unescaped(m_keySepEdit->text()).toUtf8();
    const QByteArray delim = unescaped(m_delimEdit->text()).toUtf8();
    src.delimiter = delim.isEmpty() ? QByteArray("\n") : delim;
    const ReplayPreview p = previewReplay(in, src, 20);
    m_detectedLabel->setText(src.format == ReplayFormat::Auto ? tr("(detected: %1)").arg(formatName(p.format))
                                                              : QString());
    struct Row
    {
        RecordOrigin origin;
        const SourceRecord *record = nullptr;
        const SourceError *error = nullptr;
    };
    // Records and errors in input order, so a bad line shows where it is.
    QList<Row> rows;
    qsizetype nextRecord = 0;
    qsizetype nextError = 0;
    for (bool isError : p.order) {
        if (isError) {
            const SourceError &e = p.errors[nextError++];
            rows.append({e.origin, nullptr, &e});
        } else {
            const SourceRecord &r = p.records[nextRecord++];
            rows.append({r.origin, &r, nullptr});
        }
    }
    m_preview->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const Row &r = rows[i];
        const QString source = QStringLiteral("%1:%2").arg(QFileInfo(r.origin.file).fileName()).arg(r.origin.line);
        auto *sourceItem = new QTableWidgetItem(source);
        sourceItem->setToolTip(r.origin.file);
        m_preview->setItem(i, ColSource, sourceItem);
        if (r.error) {
            auto *item = new QTableWidgetItem(tr("error: %1").arg(r.error->message));
            item->setForeground(QColor(0xb0, 0x20, 0x20));
            m_preview->setItem(i, ColValue, item);
            continue;
        }
        const ProducerRecord &rec = r.record->record;
        m_preview->setItem(i, ColKey, new QTableWidgetItem(shown(rec.key, 60)));
        m_preview->setItem(i, ColValue, new QTableWidgetItem(shown(rec.value)));
        QStringList headers;
        for (const RecordHeader &h : rec.headers)
            headers.append(h.key + QLatin1Char('=') + shown(h.value, 40));
        m_preview->setItem(i, ColHeaders, new QTableWidgetItem(headers.join(QStringLiteral(", "))));
        m_preview->setItem(i, ColPartition,
                           new QTableWidgetItem(rec.partition >= 0 ? QString::number(rec.partition) : tr("auto")));
        m_preview->setItem(i, ColTimestamp,
                           new QTableWidgetItem(rec.timestampMs ? QString::number(*rec.timestampMs) : QString()));
    }
    m_preview->resizeColumnToContents(ColSource);
    m_preview->resizeColumnToContents(ColKey);
    m_preview->resizeColumnToContents(ColPartition);
    m_preview->resizeColumnToContents(ColTimestamp);
    m_preview->setColumnWidth(ColKey, std::min(m_preview->columnWidth(ColKey), 220));
    m_preview->setColumnWidth(ColHeaders, 220);
}

void ReplayPanel::startReplay()
{
    if (m_job && m_job->isRunning())
        return;
    Result<ReplayOptions> o = options();
    if (!o) {
        m_countsLabel->setText(o.error().message);
        Q_EMIT logMessage(o.error().message);
        return;
    }
    if (m_job)
        m_job->deleteLater();
    m_job = new ReplayJob(*o, this);
    connect(m_job, &ReplayJob::progressed, this, &ReplayPanel::onProgress);
    connect(m_job, &ReplayJob::finished, this, &ReplayPanel::onFinished);
    connect(m_job, &ReplayJob::logMessage, this, &ReplayPanel::logMessage);
    m_summaryView->clear();
    m_progress->setValue(0);
    m_progress->setRange(0, 1000);
    m_job->start();
    m_countsLabel->setText(tr("Starting\u2026"));
    updateButtons();
}

void ReplayPanel::onProgress(const ReplayProgress &p)
{
    if (p.fraction >= 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(p.fraction * 1000));
    } else {
        m_progress->setRange(0, 0); // standard input: busy, size unknown
    }
    QString eta;
    if (p.etaSec >= 0)
        eta = tr(" \u00b7 ETA %1 s").arg(p.etaSec, 0, 'f', 0);
    m_countsLabel->setText(
        tr("read %L1 \u00b7 sent %L2 \u00b7 acknowledged %L3 \u00b7 failed %L4 \u00b7 bad lines %L5 "
           "\u00b7 %L6 MB \u00b7 %L7 records/s%8%9")
            .arg(p.read)
            .arg(p.sent)
            .arg(p.acked)
            .arg(p.failed)
            .arg(p.parseErrors)
            .arg(static_cast<double>(m_dryRunCheck->isChecked() ? p.bytesSent : p.bytesAcked) / 1e6, 0, 'f', 1)
            .arg(p.recordsPerSec, 0, 'f', 0)
            .arg(eta, p.paused ? tr(" \u00b7 paused") : QString()));
}

void ReplayPanel::onFinished(const ReplaySummary &s)
{
    m_summary = s;
    m_haveSummary = true;
    m_progress->setRange(0, 1000);
    if (s.outcome == ReplaySummary::Outcome::Completed)
        m_progress->setValue(1000);
    QString text = s.toText();
    int shown = 0;
    for (const ReplayFailure &f : s.failures) {
        if (++shown > 500) {
            text += tr("\u2026 %1 more failures: export the summary\n").arg(s.failures.size() - 500);
            break;
        }
        text += QStringLiteral("%1:%2%3: %4: %5\n")
                    .arg(f.origin.file)
                    .arg(f.origin.line)
                    .arg(s.loops > 1 ? tr(" (loop %1)").arg(f.loop) : QString())
                    .arg(f.errorName, f.message);
    }
    m_summaryView->setPlainText(text);
    m_tabs->setCurrentIndex(1);
    updateButtons();
    Q_EMIT replayFinished(s);
}

void ReplayPanel::updateButtons()
{
    const bool running = m_job && m_job->isRunning();
    m_startButton->setEnabled(!running);
    m_pauseButton->setEnabled(running);
    m_cancelButton->setEnabled(running);
    m_pauseButton->setText(running && m_job->isPaused() ? tr("Resume") : tr("Pause"));
    m_pauseButton->setIcon(
        style()->standardIcon(running && m_job->isPaused() ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_exportJson->setEnabled(m_haveSummary);
    m_exportCsv->setEnabled(m_haveSummary);
}

bool ReplayPanel::exportSummary(const QString &path, bool csv, QString *error) const
{
    QFile f(path);
    const QByteArray bytes = csv ? m_summary.toCsv() : QJsonDocument(m_summary.toJson()).toJson();
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

void ReplayPanel::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Files to replay"));
    if (!files.isEmpty())
        setInputs(files);
}

void ReplayPanel::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder to replay (one file per record)"));
    if (!dir.isEmpty())
        setInputs({dir});
}

void ReplayPanel::exportWithDialog(bool csv)
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the replay summary"),
                                                      csv ? QStringLiteral("replay-summary.csv")
                                                          : QStringLiteral("replay-summary.json"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportSummary(path, csv, &error))
        Q_EMIT logMessage(tr("%1: %2").arg(path, error));
}

} // namespace kpw
