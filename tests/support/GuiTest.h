#pragma once

// Header-only helpers for the GUI tests (Qt Widgets and Qt Test; the tests
// that include it link both already).

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QVariant>
#include <QWidget>

namespace kpw::test {

// The child widget of type T named NAME, or null with a warning naming it.
template <typename T> T *child(QWidget &window, const char *name)
{
    T *widget = window.findChild<T *>(QString::fromLatin1(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

// Connects a MainWindow to BOOT through its connection bar, as a user does
// (type, click Connect), and waits until the window says it is connected.
inline bool connectWindow(QWidget &window, const QString &boot, int timeoutMs = 15000)
{
    auto *bootstrapEdit = child<QLineEdit>(window, "bootstrapEdit");
    auto *status = child<QLabel>(window, "connectionStatus");
    auto *connectButton = child<QPushButton>(window, "connectButton");
    if (!bootstrapEdit || !status || !connectButton)
        return false;
    bootstrapEdit->setText(boot);
    QTest::mouseClick(connectButton, Qt::LeftButton);
    return QTest::qWaitFor([status] { return status->property("connected").toBool(); }, timeoutMs);
}

} // namespace kpw::test
