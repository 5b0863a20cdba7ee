#pragma once

#include "records/ProducerRecord.h"
#include "wire/Result.h"

#include <QWidget>

#include <functional>

class QListWidget;

namespace kpw {

class ElidedLabel;
class MessageEditor;
class SentHistory;

// Beside the composer: saved messages (one JSON file per message in a folder
// the user chooses, plain files a team can commit) and the history of the
// records sent from this window, with exports of what was sent as a
// kpw-cli line, a kcat line or a JSONL file that kpw-cli replay reads.
class MessageLibrary final : public QWidget
{
    Q_OBJECT

public:
    MessageLibrary(MessageEditor *editor, const SentHistory *history, std::function<QString()> bootstrap,
                   QWidget *parent = nullptr);

    QString folder() const { return m_folder; }
    void setFolder(const QString &folder);
    static QString defaultFolder();

    // Saved messages: names in the folder (file names without ".json").
    QStringList savedNames() const;
    Result<QString> saveCurrent(const QString &name); // returns the file written
    Result<bool> loadSaved(const QString &name);
    bool removeSaved(const QString &name);
    // A saved message's file as a record (topic included).
    static Result<ProducerRecord> readMessageFile(const QString &path);
    static QByteArray messageFileContents(const QString &name, const ProducerRecord &record);

    // The records the exports are about: the selected history entries, or
    // else the composer's record as typed.
    QList<ProducerRecord> exportRecords() const;
    QString kpwCliCommands() const;
    QString kcatCommands(QString *why = nullptr) const;
    bool writeReplayJsonl(const QString &path, QString *error = nullptr) const;

public Q_SLOTS:
    void refreshHistory();
    void refreshSaved();

Q_SIGNALS:
    void message(const QString &text, bool error);

private:
    QString pathOf(const QString &name) const;

    MessageEditor *m_editor = nullptr;
    const SentHistory *m_history = nullptr;
    std::function<QString()> m_bootstrap;
    QString m_folder;
    ElidedLabel *m_folderLabel = nullptr;
    QListWidget *m_savedList = nullptr;
    QListWidget *m_historyList = nullptr;
};

} // namespace kpw
