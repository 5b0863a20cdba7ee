#include "ui/MessageLibrary.h"

#include "replay/RecordSource.h"
#include "ui/ElidedLabel.h"
#include "ui/MessageEditor.h"
#include "ui/RecordCommands.h"
#include "ui/SentHistory.h"
#include "wire/KafkaError.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace kpw {
namespace {

constexpr int kHistoryShown = 500;
const auto kFolderSetting = QStringLiteral("composer/savedFolder");

QString preview(const std::optional<QByteArray> &bytes, int chars)
{
    if (!bytes)
        return QStringLiteral("null");
    QString text = QString::fromUtf8(bytes->left(chars * 4)).simplified();
    if (text.size() > chars)
        text = text.left(chars) + QChar(0x2026);
    return text;
}

} // namespace

MessageLibrary::MessageLibrary(MessageEditor *editor, const SentHistory *history, std::function<QString()> bootstrap,
                               QWidget *parent)
    : QWidget(parent), m_editor(editor), m_history(history), m_bootstrap(std::move(bootstrap))
{
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("libraryTabs"));
    tabs->setDocumentMode(true);

    // Saved messages.
    auto *saved = new QWidget(tabs);
    m_folderLabel = new ElidedLabel(saved);
    m_folderLabel->setObjectName(QStringLiteral("savedFolderLabel"));
    m_folderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *folderButton = new QToolButton(saved);
    folderButton->setText(tr("Folder\u2026"));
    folderButton->setToolTip(tr("Choose the folder of saved messages (one .json file per message)"));
    m_savedList = new QListWidget(saved);
    m_savedList->setObjectName(QStringLiteral("savedList"));
    auto *saveButton = new QPushButton(tr("Save\u2026"), saved);
    saveButton->setObjectName(QStringLiteral("saveMessageButton"));
    saveButton->setToolTip(tr("Save the composer's record under a name (Ctrl+S)"));
    saveButton->setShortcut(QKeySequence::Save);
    auto *loadButton = new QPushButton(tr("Load"), saved);
    loadButton->setObjectName(QStringLiteral("loadMessageButton"));
    loadButton->setToolTip(tr("Put the selected message into the composer (or double-click it)"));
    auto *deleteButton = new QPushButton(tr("Delete"), saved);
    deleteButton->setObjectName(QStringLiteral("deleteMessageButton"));
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folderLabel, 1);
    folderRow->addWidget(folderButton);
    auto *savedButtons = new QHBoxLayout;
    savedButtons->addWidget(saveButton);
    savedButtons->addWidget(loadButton);
    savedButtons->addWidget(deleteButton);
    auto *savedLayout = new QVBoxLayout(saved);
    savedLayout->setContentsMargins(4, 4, 4, 4);
    savedLayout->addLayout(folderRow);
    savedLayout->addWidget(m_savedList, 1);
    savedLayout->addLayout(savedButtons);

    // History of sent records and the exports.
    auto *sent = new QWidget(tabs);
    m_historyList = new QListWidget(sent);
    m_historyList->setObjectName(QStringLiteral("historyList"));
    m_historyList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_historyList->setToolTip(tr("The newest records sent from this window; double-click one to load it"));
    auto *loadSent = new QPushButton(tr("Load"), sent);
    loadSent->setObjectName(QStringLiteral("loadHistoryButton"));
    auto *exportButton = new QToolButton(sent);
    exportButton->setObjectName(QStringLiteral("exportCommandButton"));
    exportButton->setText(tr("Export as\u2026"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    exportButton->setToolTip(tr("The selected records (or the composer's record) as a command that sends them again"));
    auto *exportMenu = new QMenu(exportButton);
    exportMenu->addAction(tr("Copy kpw-cli command"), this, [this] {
        QApplication::clipboard()->setText(kpwCliCommands());
        Q_EMIT message(tr("kpw-cli command copied to the clipboard"), false);
    });
    exportMenu->addAction(tr("Copy kcat command"), this, [this] {
        QString why;
        const QString text = kcatCommands(&why);
        if (text.isEmpty()) {
            Q_EMIT message(tr("kcat cannot send this record as it is: %1").arg(why), true);
            return;
        }
        QApplication::clipboard()->setText(text);
        Q_EMIT message(tr("kcat command copied to the clipboard"), false);
    });
    exportMenu->addAction(tr("Save JSONL for kpw-cli replay\u2026"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save records for kpw-cli replay"),
                                                          QStringLiteral("records.jsonl"), tr("JSON lines (*.jsonl)"));
        if (path.isEmpty())
            return;
        QString error;
        if (writeReplayJsonl(path, &error))
            Q_EMIT message(tr("Saved %1: replay it with kpw-cli replay -b ... -t ... %1").arg(path), false);
        else
            Q_EMIT message(tr("Could not write %1: %2").arg(path, error), true);
    });
    exportButton->setMenu(exportMenu);
    auto *sentButtons = new QHBoxLayout;
    sentButtons->addWidget(loadSent);
    sentButtons->addWidget(exportButton);
    sentButtons->addStretch(1);
    auto *sentLayout = new QVBoxLayout(sent);
    sentLayout->setContentsMargins(4, 4, 4, 4);
    sentLayout->addWidget(m_historyList, 1);
    sentLayout->addLayout(sentButtons);

    tabs->addTab(saved, tr("Saved"));
    tabs->addTab(sent, tr("Sent"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tabs);

    const auto loadSelectedSaved = [this] {
        if (QListWidgetItem *item = m_savedList->currentItem()) {
            const Result<bool> loaded = loadSaved(item->text());
            if (!loaded)
                Q_EMIT message(loaded.error().message, true);
        }
    };
    const auto loadSelectedSent = [this] {
        if (QListWidgetItem *item = m_historyList->currentItem()) {
            if (const auto record = m_history->find(item->data(Qt::UserRole).value<quint64>()))
                m_editor->setRecord(*record);
        }
    };
    connect(loadButton, &QPushButton::clicked, this, loadSelectedSaved);
    connect(m_savedList, &QListWidget::itemDoubleClicked, this, loadSelectedSaved);
    connect(loadSent, &QPushButton::clicked, this, loadSelectedSent);
    connect(m_historyList, &QListWidget::itemDoubleClicked, this, loadSelectedSent);
    connect(saveButton, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString current = m_savedList->currentItem() ? m_savedList->currentItem()->text() : QString();
        const QString name =
            QInputDialog::getText(this, tr("Save message"), tr("Name:"), QLineEdit::Normal, current, &ok);
        if (!ok || name.trimmed().isEmpty())
            return;
        const Result<QString> written = saveCurrent(name.trimmed());
        Q_EMIT message(written ? tr("Saved %1").arg(*written) : written.error().message, !written);
    });
    connect(deleteButton, &QPushButton::clicked, this, [this] {
        QListWidgetItem *item = m_savedList->currentItem();
        if (!item)
            return;
        const QString name = item->text();
        if (QMessageBox::question(this, tr("Delete saved message"),
                                  tr("Delete the saved message \"%1\" (%2)?").arg(name, pathOf(name))) ==
            QMessageBox::Yes)
            removeSaved(name);
    });
    connect(folderButton, &QToolButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder of saved messages"), m_folder);
        if (!folder.isEmpty()) {
            setFolder(folder);
            QSettings().setValue(kFolderSetting, folder);
        }
    });

    setFolder(QSettings().value(kFolderSetting, defaultFolder()).toString());
}

QString MessageLibrary::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/messages");
}

void MessageLibrary::setFolder(const QString &folder)
{
    m_folder = folder;
    m_folderLabel->setFullText(QDir::toNativeSeparators(folder));
    refreshSaved();
}

QString MessageLibrary::pathOf(const QString &name) const
{
    // A name is a file name: no separators or characters file systems refuse.
    QString file = name;
    file.replace(QRegularExpression(QStringLiteral("[/\\\\:*?\"<>|\\x00-\\x1f]")), QStringLiteral("_"));
    return QDir(m_folder).filePath(file + QStringLiteral(".json"));
}

QStringList MessageLibrary::savedNames() const
{
    QStringList names;
    const QStringList files = QDir(m_folder).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &file : files)
        names.append(file.chopped(5));
    return names;
}

void MessageLibrary::refreshSaved()
{
    m_savedList->clear();
    m_savedList->addItems(savedNames());
}

QByteArray MessageLibrary::messageFileContents(const QString &name, const ProducerRecord &record)
{
    QJsonObject o = QJsonDocument::fromJson(RecordCommands::replayJsonLine(record)).object();
    o.insert(QStringLiteral("name"), name);
    o.insert(QStringLiteral("topic"), record.topic);
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Result<ProducerRecord> MessageLibrary::readMessageFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{KafkaError::ClientInvalidRecord, tr("Cannot read %1: %2").arg(path, file.errorString())};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return Error{KafkaError::ClientInvalidRecord,
                     tr("%1 is not a saved message (a JSON object): %2").arg(path, parseError.errorString())};
    ProducerRecord record;
    QString error;
    // The same reader as kpw-cli replay's JSONL: one format for both.
    if (!RecordSource::parseJsonLine(doc.toJson(QJsonDocument::Compact), true, &record, &error))
        return Error{KafkaError::ClientInvalidRecord, tr("%1: %2").arg(path, error)};
    record.topic = doc.object().value(QStringLiteral("topic")).toString();
    return record;
}

Result<QString> MessageLibrary::saveCurrent(const QString &name)
{
    m_editor->commitPendingEdits();
    const Result<ProducerRecord> record = m_editor->record();
    if (!record)
        return record.error();
    if (!QDir().mkpath(m_folder))
        return Error{KafkaError::ClientInvalidRecord, tr("Cannot create the folder %1").arg(m_folder)};
    const QString path = pathOf(name);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(messageFileContents(name, *record)) < 0 || !file.commit())
        return Error{KafkaError::ClientInvalidRecord, tr("Cannot write %1: %2").arg(path, file.errorString())};
    refreshSaved();
    return path;
}

Result<bool> MessageLibrary::loadSaved(const QString &name)
{
    Result<ProducerRecord> record = readMessageFile(pathOf(name));
    if (!record)
        return record.error();
    m_editor->setRecord(*record);
    return true;
}

bool MessageLibrary::removeSaved(const QString &name)
{
    const bool removed = QFile::remove(pathOf(name));
    refreshSaved();
    return removed;
}

void MessageLibrary::refreshHistory()
{
    const auto newest = m_history->newest(kHistoryShown);
    m_historyList->setUpdatesEnabled(false);
    m_historyList->clear();
    for (const auto &[id, record] : newest) {
        auto *item = new QListWidgetItem(
            QStringLiteral("#%1  %2%3  %4 \u2192 %5")
                .arg(id)
                .arg(record.topic)
                .arg(record.partition >= 0 ? QStringLiteral("[%1]").arg(record.partition) : QString())
                .arg(preview(record.key, 24), preview(record.value, 60)));
        item->setData(Qt::UserRole, QVariant::fromValue(id));
        m_historyList->addItem(item);
    }
    m_historyList->setUpdatesEnabled(true);
}

QList<ProducerRecord> MessageLibrary::exportRecords() const
{
    QList<ProducerRecord> records;
    const QList<QListWidgetItem *> selected = m_historyList->selectedItems();
    // The list shows the newest first; commands replay in the order sent.
    for (auto it = selected.crbegin(); it != selected.crend(); ++it)
        if (const auto record = m_history->find((*it)->data(Qt::UserRole).value<quint64>()))
            records.append(*record);
    if (records.isEmpty()) {
        m_editor->commitPendingEdits();
        if (const Result<ProducerRecord> record = m_editor->record())
            records.append(*record);
    }
    return records;
}

QString MessageLibrary::kpwCliCommands() const
{
    QStringList lines;
    for (const ProducerRecord &record : exportRecords())
        lines.append(RecordCommands::kpwCli(m_bootstrap(), record));
    return lines.join(QLatin1Char('\n'));
}

QString MessageLibrary::kcatCommands(QString *why) const
{
    QStringList lines;
    for (const ProducerRecord &record : exportRecords()) {
        const QString line = RecordCommands::kcat(m_bootstrap(), record, why);
        if (line.isEmpty())
            return QString();
        lines.append(line);
    }
    return lines.join(QLatin1Char('\n'));
}

bool MessageLibrary::writeReplayJsonl(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    for (const ProducerRecord &record : exportRecords()) {
        file.write(RecordCommands::replayJsonLine(record));
        file.write("\n");
    }
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace kpw
