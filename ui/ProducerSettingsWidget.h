#pragma once

#include "producer/ProducerConfig.h"

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <optional>

class QComboBox;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QToolButton;

namespace kpw {

// Every setting of ProducerConfig::keys(), grouped by ConfigKey::group, one
// row per key: its Java name (bold when not the default), a typed editor, the
// error of the last input, a reset button. bootstrap.servers is not here: it
// belongs to the connection bar.
//
// Input is validated as it is typed, with ProducerConfig::set on a copy; a
// rejected value shows the core's message under the field and never reaches
// config(). The window hands config() to the producer on the next Connect.
class ProducerSettingsWidget final : public QWidget
{
    Q_OBJECT

public:
    explicit ProducerSettingsWidget(QWidget *parent = nullptr);
    ~ProducerSettingsWidget() override;

    // Only values ProducerConfig::set accepted; never bootstrap.servers.
    const ProducerConfig &config() const;
    void setConfig(const ProducerConfig &config);

    // What the running producer was started with. The panel says when
    // config() differs from it ("not applied yet").
    void setAppliedConfig(const ProducerConfig &config);
    bool hasUnappliedChanges() const;

    // Another combo for an enum setting (e.g. the codec next to Send) that
    // stays in step with this panel. Owned by parent.
    QComboBox *createPicker(const QString &name, QWidget *parent);

    // Replaces the settings with those of a Java client.properties file. On a
    // bad line nothing changes and the error (with the line number) shows in
    // the panel. bootstrap.servers from the file goes to bootstrapServersLoaded().
    bool loadPropertiesFile(const QString &path);
    // Test hook: the next "Load client.properties..." opens this file instead
    // of showing a file dialog.
    static void setNextFileName(const QString &fileName);

    // The message line at the top (load errors, "Loaded ...").
    QString messageText() const;

public Q_SLOTS:
    void chooseAndLoadProperties();
    void resetAll();
    void resetKey(const QString &name);

Q_SIGNALS:
    void configChanged();
    void applyRequested();
    void bootstrapServersLoaded(const QString &servers);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Row
    {
        const ConfigKey *key = nullptr;
        QLabel *label = nullptr;
        QWidget *editor = nullptr; // QLineEdit, QComboBox or QCheckBox by key->type
        QToolButton *reset = nullptr;
        QLabel *error = nullptr;
        // Line edits: the value before the user started typing. Typing
        // "99999999" passes through the valid "999999"; when the text ends up
        // invalid the setting goes back to this, not to a prefix.
        std::optional<QString> editStart;
    };

    QWidget *buildHeader();
    QGroupBox *buildGroup(const QString &group, const QList<const ConfigKey *> &keys, QWidget *parent);
    QWidget *createEditor(const ConfigKey &key, QWidget *parent);
    void layOutGroups(int columns);

    // Validates text for name; on success stores it (a default value is
    // stored as "not set") and refreshes every widget of that key.
    bool applyInput(const QString &name, const QString &text, QWidget *source);
    void replaceConfig(const ProducerConfig &config);
    void refreshRow(Row &row, QWidget *source = nullptr);
    void refreshPickers(const QString &name);
    void setRowError(Row &row, const QString &error);
    void updateResetButton(Row &row);
    void updateAppliedNote();
    void showMessage(const QString &text, bool error);

    ProducerConfig m_config;
    ProducerConfig m_applied;
    bool m_hasApplied = false;
    QHash<QString, Row> m_rows;
    QHash<QString, QList<QPointer<QComboBox>>> m_pickers;
    QList<QGroupBox *> m_groups;
    QHBoxLayout *m_columnsLayout = nullptr; // one QVBoxLayout per column of groups
    int m_labelWidth = 0;
    int m_columns = 0;

    QLabel *m_appliedNote = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_applyButton = nullptr;

    static QString s_nextFileName;
};

} // namespace kpw
