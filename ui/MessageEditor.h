#pragma once

#include "records/ProducerRecord.h"
#include "wire/Result.h"

#include <QWidget>

class QAbstractItemModel;
class QCheckBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;
class QsciScintilla;

namespace kpw {

// The composer: target topic and partition, key (null distinct from empty),
// value in a JSON-aware editor (or a tombstone) and headers. It builds a
// ProducerRecord; sending is the window's business (sendRequested()).
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
    void focusValue();

    // Commits a header cell still being edited (e.g. when Ctrl+Return comes
    // before Enter), so that record() sees what the user sees.
    void commitPendingEdits();
    // The composed record, or a message that says what is missing.
    Result<ProducerRecord> record() const;

Q_SIGNALS:
    void topicChanged(const QString &topic);
    void sendRequested();

private:
    QWidget *buildHeadersEditor();
    void updateKeyPlaceholder();
    void removeSelectedHeaders();

    QLineEdit *m_topicEdit = nullptr;
    QSpinBox *m_partitionSpin = nullptr;
    QLineEdit *m_keyEdit = nullptr;
    QCheckBox *m_nullKeyCheck = nullptr;
    QsciScintilla *m_valueEditor = nullptr;
    QCheckBox *m_tombstoneCheck = nullptr;
    QTableWidget *m_headersTable = nullptr;
    QToolButton *m_addHeaderButton = nullptr;
    QToolButton *m_removeHeaderButton = nullptr;
    QPushButton *m_sendButton = nullptr;
};

} // namespace kpw
