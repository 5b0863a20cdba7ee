#pragma once

#include "producer/ProducerConfig.h"
#include "replay/ReplayJob.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace kpw {

// The replay tab: inputs (files or a folder), format (auto-detected,
// overridable), a preview of the first 20 records, rate and error policies,
// a progress bar with the counts, pause / cancel, and the summary with JSON
// and CSV export. The job (core/replay) runs its reader on its own thread
// and its own ProducerClient; this widget only shows and steers it.
class ReplayPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit ReplayPanel(QWidget *parent = nullptr);
    ~ReplayPanel() override;

    // Where the producer settings come from (the window's settings tab and
    // bootstrap field); asked at each start.
    void setConfigProvider(std::function<Result<ProducerConfig>()> provider);

    void setInputs(const QStringList &inputs);
    QStringList inputs() const;
    void setTopic(const QString &topic);
    QString topic() const;

    // The options the widgets describe (the config from the provider).
    Result<ReplayOptions> options() const;

    // Re-reads the first 20 records into the preview table.
    void refreshPreview();
    void startReplay();
    ReplayJob *job() const { return m_job; }
    const ReplaySummary &lastSummary() const { return m_summary; }
    bool exportSummary(const QString &path, bool csv, QString *error = nullptr) const;

Q_SIGNALS:
    void replayFinished(const kpw::ReplaySummary &summary);
    void logMessage(const QString &line);

private:
    void onProgress(const ReplayProgress &progress);
    void onFinished(const ReplaySummary &summary);
    void updateButtons();
    void chooseFiles();
    void chooseFolder();
    void exportWithDialog(bool csv);

    std::function<Result<ProducerConfig>()> m_configProvider;
    QPointer<ReplayJob> m_job;
    ReplaySummary m_summary;
    bool m_haveSummary = false;

    QLineEdit *m_inputsEdit = nullptr;
    QLineEdit *m_topicEdit = nullptr;
    QComboBox *m_formatCombo = nullptr;
    QLabel *m_detectedLabel = nullptr;
    QLineEdit *m_keySepEdit = nullptr;
    QLineEdit *m_delimEdit = nullptr;
    QComboBox *m_rateMode = nullptr;
    QDoubleSpinBox *m_rateSpin = nullptr;
    QSpinBox *m_loopsSpin = nullptr;
    QCheckBox *m_templatesCheck = nullptr;
    QCheckBox *m_dryRunCheck = nullptr;
    QComboBox *m_onParseCombo = nullptr;
    QComboBox *m_onDeliveryCombo = nullptr;
    QTableWidget *m_preview = nullptr;
    QTabWidget *m_tabs = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_countsLabel = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPlainTextEdit *m_summaryView = nullptr;
    QPushButton *m_exportJson = nullptr;
    QPushButton *m_exportCsv = nullptr;
};

} // namespace kpw
