// MainWindow's View menu (go to a tab, focus the topic filter, clear the
// delivery table, the theme) and Help > Keyboard Shortcuts.
#include "ui/MainWindow.h"

#include "ui/DeliveryReportModel.h"
#include "ui/Theme.h"

#include <QAbstractButton>
#include <QAction>
#include <QActionGroup>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QShortcut>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace kpw {

namespace {

const QString kThemeKey = QStringLiteral("view/theme");

QString plain(QString text)
{
    return text.remove(QLatin1Char('&')).remove(QStringLiteral("..."));
}

} // namespace

void MainWindow::buildViewMenu()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));

    // Alt+1..Alt+9: the composer's tabs, in their order.
    QMenu *go = view->addMenu(tr("&Go to Tab"));
    for (int i = 0; i < m_composerTabs->count() && i < 9; ++i) {
        QAction *action = go->addAction(plain(m_composerTabs->tabText(i)));
        action->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)));
        QWidget *page = m_composerTabs->widget(i);
        connect(action, &QAction::triggered, this, [this, page] { m_composerTabs->setCurrentWidget(page); });
    }

    QAction *filter = view->addAction(tr("Find &Topic"), this, [this] {
        m_topicFilter->setFocus(Qt::ShortcutFocusReason);
        m_topicFilter->selectAll();
    });
    filter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    filter->setToolTip(tr("Put the cursor in the topic list's filter"));
    QAction *clear = view->addAction(tr("C&lear Delivery Reports"), m_reportModel, &DeliveryReportModel::clear);
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backspace));
    view->addSeparator();

    // The palette: the system's (light or dark as the desktop prefers), or
    // forced light or dark; remembered.
    QMenu *themeMenu = view->addMenu(tr("T&heme"));
    themeMenu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(themeMenu);
    const theme::Choice saved = theme::fromString(QSettings().value(kThemeKey).toString());
    const std::pair<theme::Choice, QString> choices[] = {
        {theme::Choice::System, tr("Follow the &System")},
        {theme::Choice::Light, tr("&Light")},
        {theme::Choice::Dark, tr("&Dark")},
    };
    for (const auto &[choice, label] : choices) {
        QAction *action = themeMenu->addAction(label);
        action->setObjectName(QStringLiteral("theme-") + theme::toString(choice));
        action->setCheckable(true);
        action->setChecked(choice == saved);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [choice] {
            QSettings().setValue(kThemeKey, theme::toString(choice));
            theme::apply(choice);
        });
    }
    theme::apply(saved);
}

void MainWindow::showShortcuts()
{
    auto *dialog = findChild<QDialog *>(QStringLiteral("shortcutsDialog"));
    if (dialog) {
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
        return;
    }
    dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("shortcutsDialog"));
    dialog->setWindowTitle(tr("Keyboard Shortcuts"));

    // What the window offers, gathered from its actions, shortcuts and
    // buttons, so the list cannot fall behind the code.
    QList<std::pair<QString, QString>> rows; // keys, what
    const auto add = [&rows](const QKeySequence &keys, const QString &what) {
        if (keys.isEmpty() || what.isEmpty())
            return;
        const QString text = keys.toString(QKeySequence::NativeText);
        // The first description of a key wins (the menus' come first).
        if (std::none_of(rows.cbegin(), rows.cend(), [&text](const auto &row) { return row.first == text; }))
            rows.append({text, plain(what)});
    };
    for (const QMenu *menu : menuBar()->findChildren<QMenu *>())
        for (const QAction *action : menu->actions())
            add(action->shortcut(), menu->title().isEmpty()
                                        ? action->text()
                                        : plain(menu->title()) + QStringLiteral(": ") + plain(action->text()));
    for (const QAction *action : findChildren<QAction *>())
        add(action->shortcut(), action->text());
    for (const QShortcut *shortcut : findChildren<QShortcut *>())
        add(shortcut->key(), shortcut->whatsThis());
    // Buttons with a shortcut of their own (Ctrl+S on Save...); the Alt+letter
    // of an underlined label shows on the button itself.
    for (const QAbstractButton *button : findChildren<QAbstractButton *>())
        if (button->shortcut() != QKeySequence::mnemonic(button->text()))
            add(button->shortcut(), button->text().isEmpty() ? button->toolTip() : button->text());
    std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.second < b.second; });

    auto *table = new QTableWidget(int(rows.size()), 2, dialog);
    table->setObjectName(QStringLiteral("shortcutsTable"));
    table->setHorizontalHeaderLabels({tr("Keys"), tr("Action")});
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setStretchLastSection(true);
    for (int row = 0; row < rows.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(rows[row].first));
        table->setItem(row, 1, new QTableWidgetItem(rows[row].second));
    }
    table->resizeColumnToContents(0);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::hide);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(
        new QLabel(tr("Shortcuts work in the main window; the composer's while it has the focus."), dialog));
    layout->addWidget(table);
    layout->addWidget(buttons);
    dialog->resize(560, 520);
    dialog->show();
}

} // namespace kpw
