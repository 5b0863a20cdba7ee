// The hostile peer of tests/hostile: python3 hostile-broker.py in a mode,
// started by a test, with its port and its log. Shared by tst_hostile_broker
// (core and kpw-cli) and gui_hostile (the window).
#pragma once

#include <QFile>
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace kpw::test {

inline const QString kPython = QStringLiteral(KPW_PYTHON3);
inline const QString kPeerScript = QStringLiteral(KPW_HOSTILE_BROKER);

// The hostile peer: python3 hostile-broker.py, its port, its log.
class Peer final
{
public:
    Peer()
    {
        QObject::connect(&m_proc, &QProcess::readyReadStandardError, &m_proc,
                         [this] { m_log += m_proc.readAllStandardError(); });
    }
    ~Peer() { stop(); }

    bool start(const QString &mode, const QStringList &extraArgs, QString *why)
    {
        const QString portFile = m_dir.filePath(QStringLiteral("port"));
        QStringList args{kPeerScript,
                         QStringLiteral("--mode"),
                         mode,
                         QStringLiteral("--port-file"),
                         portFile,
                         QStringLiteral("--max-seconds"),
                         QStringLiteral("120")};
        args += extraArgs;
        m_proc.start(kPython, args); // stdin stays open: the peer exits when we go away
        if (!m_proc.waitForStarted(10000)) {
            *why = QStringLiteral("cannot start %1: %2").arg(kPython, m_proc.errorString());
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (!QFile::exists(portFile) && t.elapsed() < 10000 && m_proc.state() == QProcess::Running)
            QTest::qWait(10);
        QFile f(portFile);
        if (!f.open(QIODevice::ReadOnly)) {
            *why = QStringLiteral("the peer wrote no port file; its log:\n%1").arg(log());
            return false;
        }
        m_port = static_cast<quint16>(f.readAll().trimmed().toUInt());
        if (m_port == 0) {
            *why = QStringLiteral("bad port file; peer log:\n%1").arg(log());
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_proc.state() != QProcess::NotRunning) {
            m_proc.kill();
            m_proc.waitForFinished(5000);
        }
        m_log += m_proc.readAllStandardError();
    }

    bool running() const { return m_proc.state() == QProcess::Running; }
    quint16 port() const { return m_port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString log() const { return QString::fromUtf8(m_log); }
    // Lines of the peer's log with this event word ("PRODUCE", "CONNECT", "METADATA").
    int count(const QString &event) const
    {
        return static_cast<int>(log().count(
            QRegularExpression(QStringLiteral("^\\S+ %1 ").arg(event), QRegularExpression::MultilineOption)));
    }

private:
    QTemporaryDir m_dir;
    QProcess m_proc;
    QByteArray m_log;
    quint16 m_port = 0;
};

} // namespace kpw::test
