// The window's View and Help parts, offscreen: the keyboard shortcuts dialog
// lists the frequent actions with their keys (gathered from the window), the
// Alt+N tab keys switch tabs, the theme menu switches the palette and the
// code editors' paper with it and is remembered, and About names the
// libraries the build runs with. Saves screenshots/dark.png and
// screenshots/shortcuts.png.
#include "about/LibraryVersions.h"
#include "ui/MainWindow.h"
#include "ui/Theme.h"

#include "ui/QsciIncludes.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QSet>
#include <QTableWidget>
#include <QTest>

using kpw::MainWindow;

namespace {

QString screenshotDir()
{
    const QString fromEnv = qEnvironmentVariable("KPW_SCREENSHOT_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(KPW_SCREENSHOT_DIR) : fromEnv;
}

QString keysFor(const QTableWidget *table, const QString &actionPart)
{
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 1)->text().contains(actionPart))
            return table->item(row, 0)->text();
    return {};
}

QStringList allKeysFor(const QTableWidget *table, const QString &actionPart)
{
    QStringList keys;
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 1)->text().contains(actionPart))
            keys.append(table->item(row, 0)->text());
    return keys;
}

} // namespace

class TestView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void shortcutsDialogListsTheFrequentActions();
    void altNumberSwitchesTabs();
    void themeSwitchesAndIsRemembered();
    void aboutNamesTheLibraries();
};

void TestView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestView::init()
{
    QSettings().clear();
}

void TestView::shortcutsDialogListsTheFrequentActions()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QTest::keyClick(&window, Qt::Key_F1);
    auto *dialog = window.findChild<QDialog *>(QStringLiteral("shortcutsDialog"));
    QVERIFY2(dialog && dialog->isVisible(), "F1 did not open the shortcuts dialog");
    auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("shortcutsTable"));
    QVERIFY(table);
    QVERIFY2(table->rowCount() >= 15, qPrintable(QString::number(table->rowCount())));
    const QStringList send = allKeysFor(table, QStringLiteral("Composer: send"));
    QVERIFY2(send.contains(QStringLiteral("Ctrl+Return")) && send.contains(QStringLiteral("Ctrl+Enter")),
             qPrintable(send.join(QLatin1Char(','))));
    QCOMPARE(keysFor(table, QStringLiteral("automatic mode")), QStringLiteral("Ctrl+Shift+Return"));
    QCOMPARE(keysFor(table, QStringLiteral("File: Connect")), QStringLiteral("Ctrl+Shift+C"));
    QCOMPARE(keysFor(table, QStringLiteral("Topic browser: refresh")), QStringLiteral("F5"));
    QCOMPARE(keysFor(table, QStringLiteral("copy the selected rows")), QStringLiteral("Ctrl+C"));
    QCOMPARE(keysFor(table, QStringLiteral("Find Topic")), QStringLiteral("Ctrl+L"));
    QCOMPARE(keysFor(table, QStringLiteral("Keyboard Shortcuts")), QStringLiteral("F1"));
    QVERIFY(!keysFor(table, QStringLiteral("Composer")).isEmpty());

    // Every key listed once.
    QSet<QString> keys;
    for (int row = 0; row < table->rowCount(); ++row) {
        const QString text = table->item(row, 0)->text();
        QVERIFY2(!keys.contains(text), qPrintable(text));
        keys.insert(text);
    }

    QVERIFY(QDir().mkpath(screenshotDir()));
    QVERIFY(dialog->grab().save(screenshotDir() + QStringLiteral("/shortcuts.png")));
}

void TestView::altNumberSwitchesTabs()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("composerTabs"));
    QVERIFY(tabs && tabs->count() >= 3);
    QTest::keyClick(&window, Qt::Key_3, Qt::AltModifier);
    QCOMPARE(tabs->currentIndex(), 2);
    QTest::keyClick(&window, Qt::Key_1, Qt::AltModifier);
    QCOMPARE(tabs->currentIndex(), 0);
}

void TestView::themeSwitchesAndIsRemembered()
{
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *dark = window.findChild<QAction *>(QStringLiteral("theme-dark"));
        auto *light = window.findChild<QAction *>(QStringLiteral("theme-light"));
        QVERIFY(dark && light);
        dark->trigger();
        QVERIFY(kpw::theme::isDark());
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        auto *valueEditor = window.findChild<QsciScintilla *>(QStringLiteral("valueEditor"));
        QVERIFY(valueEditor);
        QVERIFY(valueEditor->lexer());
        QVERIFY2(valueEditor->lexer()->defaultPaper().lightness() < 100, "the value editor stayed light");
        QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("dark"));
        QTest::qWait(100);
        QVERIFY(QDir().mkpath(screenshotDir()));
        QVERIFY(window.grab().save(screenshotDir() + QStringLiteral("/dark.png")));
    }
    {
        // A new window comes back dark; light then turns it light.
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(kpw::theme::isDark());
        QVERIFY(window.findChild<QAction *>(QStringLiteral("theme-dark"))->isChecked());
        window.findChild<QAction *>(QStringLiteral("theme-light"))->trigger();
        QVERIFY(!kpw::theme::isDark());
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        auto *valueEditor = window.findChild<QsciScintilla *>(QStringLiteral("valueEditor"));
        QVERIFY(valueEditor->lexer()->defaultPaper().lightness() > 150);
    }
    QSettings().remove(QStringLiteral("view/theme"));
    kpw::theme::apply(kpw::theme::Choice::Light);
}

void TestView::aboutNamesTheLibraries()
{
    const auto versions = kpw::libraryVersions();
    QStringList names;
    for (const auto &[name, version] : versions) {
        names.append(name);
        QVERIFY2(!version.isEmpty(), qPrintable(name));
        QVERIFY2(version.front().isDigit() || name == QLatin1StringView("OpenSSL"), qPrintable(name + version));
    }
    for (const char *expected : {"Qt", "OpenSSL", "zlib", "zstd", "LZ4", "Snappy", "protobuf", "Avro C"})
        QVERIFY2(names.contains(QLatin1StringView(expected)), expected);
    QCOMPARE(versions.front().second, QString::fromLatin1(qVersion()));
    // OpenSSL as loaded, e.g. "OpenSSL 3.0.x ...".
    QVERIFY2(versions.at(1).second.contains(QLatin1StringView("OpenSSL")), qPrintable(versions.at(1).second));
}

QTEST_MAIN(TestView)
#include "tst_view.moc"
