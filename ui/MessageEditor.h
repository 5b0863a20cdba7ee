#pragma once

#include "records/ProducerRecord.h"
#include "wire/Result.h"

#include <QElapsedTimer>
#include <QWidget>

class QAbstractItemModel;
class QCheckBox;
class QLabel;
class QTimer;
class QHBoxLayout;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;
class QsciScintilla;

namespace kpw {

class ElidedLabel;

// The composer: target topic and partition, key (null distinct from empty),
// value in a JSON-aware editor (or a tombstone), headers and a copy count.
// It builds ProducerRecords; sending is the window's business (sendRequested()).
//
// "Send N copies": templates in the key, the value and header values
// (core/serde/Template, shared with replay) are expanded per copy; {{seq}}
// becomes the copy's number, 1 to N.
class MessageEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit MessageEditor(QWidget *parent = nullptr);

    QString topic() const;
    void setTopic(const QString &topic);
    // The partition choice offers "auto" and 0..count-1; count < 1 leaves "auto" only.
    void setPartitionCount(int count);
    // Completion for the topic field from a model's nameRole.
    void setTopicCompletionModel(QAbstractItemModel *model, int nameRole);

    void setKey(const QString &key); // clears "null key"
    void setNullKey(bool null);
    void setValue(const QString &value);
    void setTombstone(bool tombstone);
    void addHeader(const QString &name, const QString &value);
    void clearHeaders();
    // Puts a record (topic, partition, key, value, headers) into the fields.
    void setRecord(const ProducerRecord &record);
    void focusValue();

    int copies() const;
    void setCopies(int copies);
    int partitionCount() const { return m_partitionCount; }

    // The partition preview under the key: where this key goes with each
    // partitioner kpw offers, for partitionCount() partitions. Plain text,
    // e.g. "Java default (murmur2): 3 · murmur2: 3 · round_robin: in turn".
    QString partitionPreview() const;

    // Automatic mode: every intervalMs, sendRequested() (copies() records per
    // tick), until maxRecords records (0: no limit) or durationMs (0: no limit)
    // or stopAuto(). {{seq}} keeps counting across ticks.
    void startAuto(int intervalMs, qint64 maxRecords, qint64 durationMs);
    void stopAuto(const QString &why = QString());
    bool autoRunning() const;
    qint64 autoSent() const { return m_autoSent; }
    // The window tells the editor what it sent (advances {{seq}} and the
    // automatic mode's progress).
    void noteSent(qsizetype count);
    // Puts a widget next to the copy count and Send (e.g. the codec picker).
    void addSendBarWidget(QWidget *widget);

    // Commits a header cell still being edited (e.g. when Ctrl+Return comes
    // before Enter), so that record() sees what the user sees.
    void commitPendingEdits();
    // The composed record as typed (templates not expanded), or a message
    // that says what is missing.
    Result<ProducerRecord> record() const;
    // copies() records with their templates expanded, or the template error.
    // In automatic mode {{seq}} continues from the records already sent, and
    // the last tick is cut to the records left.
    Result<QList<ProducerRecord>> records() const;

    // `copies` records from `record`, templates in key, value and header
    // values expanded with seq firstSeq..firstSeq+copies-1. Without variables
    // the copies share their bytes; a field whose template does not parse
    // stays as typed.
    static QList<ProducerRecord> expandCopies(const ProducerRecord &record, int copies, quint64 firstSeq = 1);
    static constexpr int kMaxCopies = 100'000;

Q_SIGNALS:
    void topicChanged(const QString &topic);
    void sendRequested();
    void autoStateChanged(bool running);

private:
    QWidget *buildHeadersEditor();
    QWidget *buildAutoBar();
    void updatePartitionPreview();
    void updateAutoProgress();
    void autoTick();
    void updateKeyPlaceholder();
    void removeSelectedHeaders();
    void updateSendButton();

    QLineEdit *m_topicEdit = nullptr;
    QSpinBox *m_partitionSpin = nullptr;
    QLineEdit *m_keyEdit = nullptr;
    QCheckBox *m_nullKeyCheck = nullptr;
    QsciScintilla *m_valueEditor = nullptr;
    QCheckBox *m_tombstoneCheck = nullptr;
    QTableWidget *m_headersTable = nullptr;
    QToolButton *m_addHeaderButton = nullptr;
    QToolButton *m_removeHeaderButton = nullptr;
    QSpinBox *m_copiesSpin = nullptr;
    QPushButton *m_sendButton = nullptr;
    QHBoxLayout *m_sendRow = nullptr;
    int m_sendBarWidgets = 0;
    ElidedLabel *m_previewLabel = nullptr;
    int m_partitionCount = 0;

    QSpinBox *m_autoIntervalSpin = nullptr;
    QSpinBox *m_autoRecordsSpin = nullptr;
    QSpinBox *m_autoDurationSpin = nullptr;
    QPushButton *m_autoButton = nullptr;
    QLabel *m_autoProgress = nullptr;
    QTimer *m_autoTimer = nullptr;
    QElapsedTimer m_autoClock;
    qint64 m_autoSent = 0;
    qint64 m_autoMaxRecords = 0;
    qint64 m_autoDurationMs = 0;
    bool m_autoRunning = false;
    // {{seq}} of the first record of the next send, minus one.
    quint64 m_seqBase = 0;
};

} // namespace kpw
