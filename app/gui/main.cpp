#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <memory>

namespace {

// --help and --version must work without a display (scripts, packaging, CI),
// so they get a QCoreApplication; everything else gets the GUI.
bool wantsOnlyText(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" || arg == "-v")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(QStringLiteral("kpw"));
    QCoreApplication::setApplicationName(QStringLiteral("kpw"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KPW_VERSION));
    const std::unique_ptr<QCoreApplication> app = wantsOnlyText(argc, argv)
                                                      ? std::make_unique<QCoreApplication>(argc, argv)
                                                      : std::make_unique<QApplication>(argc, argv);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Kafka Producer Workbench: compose records and produce them to Apache Kafka."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption bootstrapOption({QStringLiteral("b"), QStringLiteral("bootstrap")},
                                             QStringLiteral("Connect to these bootstrap servers on start."),
                                             QStringLiteral("HOST:PORT[,HOST:PORT...]"));
    parser.addOption(bootstrapOption);
    parser.process(*app); // exits for --help, --version and bad options

    if (!qobject_cast<QApplication *>(app.get()))
        return 0;
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Kafka Producer Workbench"));
    QGuiApplication::setDesktopFileName(QStringLiteral("kpw"));
    // The window icon from the PNG sizes: Qt reads PNG itself, while an SVG
    // needs the Qt SVG plugins (libqt6svg6), which no binary links and so no
    // computed package dependency brings in (the window had no icon without it).
    QIcon icon;
    for (const int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/png/kpw-%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);

    const QString bootstrap = parser.value(bootstrapOption).trimmed();
    kpw::MainWindow window(bootstrap);
    window.show();
    if (!bootstrap.isEmpty())
        QTimer::singleShot(0, &window, &kpw::MainWindow::connectToCluster);
    return app->exec();
}
