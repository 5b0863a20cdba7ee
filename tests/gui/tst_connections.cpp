// The Connections dialog, offscreen, in the real window. gui_connections runs
// under tests/keychain/with-keychain (a real Secret Service) against the
// fixture's SASL_SSL listener: bad fields show their errors, a good profile
// saves, its "Test connection" report comes from the broker, a fresh dialog
// and a restarted window get it back (password from the keychain), "Use"
// puts it in the producer settings. gui_connections_nokeychain runs with a
// session bus address that leads nowhere: saving keeps no secret and "Use"
// asks for the password. The Tails tab of the window that restored the
// profile reads over SASL_SSL with it. Screenshot: screenshots/connections.png.

#include "RdkTxnProducer.h"
#include "TestBroker.h"

#include "profiles/KeychainSecretStore.h"
#include "profiles/ProfileStore.h"
#include "ui/ConnectionsDialog.h"
#include "ui/MainWindow.h"
#include "ui/ProducerSettingsWidget.h"
#include "ui/TailModel.h"
#include "ui/TailView.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;
using namespace kpw::test;

class TstConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validateSaveTestReopenApply();
    void tailsReadWithTheProfile();
    void noKeychainAsksForTheSecret();

private:
    QString env(const char *key) const { return m_env.value(QString::fromLatin1(key)); }
    static void type(QWidget *dialog, const char *field, const QString &text);

    bool m_keychain = false;
    QMap<QString, QString> m_env;
    QTemporaryDir m_dir;
};

void TstConnections::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("kpw"));
    QCoreApplication::setApplicationName(QStringLiteral("kpw"));
    m_keychain = qEnvironmentVariableIsSet("KPW_TEST_KEYCHAIN");
    if (!m_keychain) {
        // Never the user's settings: the test location, emptied.
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        return;
    }
    QVERIFY(qEnvironmentVariable("XDG_CONFIG_HOME").contains(QStringLiteral("kpw-keychain")));
    QVERIFY(!bootstrap().isEmpty());
    const QString path =
        QFileInfo(qEnvironmentVariable("KPW_TEST_BOOTSTRAP_FILE")).dir().filePath(QStringLiteral("security.env"));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (qEnvironmentVariableIsSet("KPW_TEST_BOOTSTRAP"))
            QSKIP("an external broker (KPW_TEST_BOOTSTRAP) has no fixture security listeners");
        QFAIL("no security.env from the kafka fixture");
    }
    for (const QByteArray &line : f.readAll().split('\n')) {
        const auto eq = line.indexOf('=');
        if (eq > 0)
            m_env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
}

void TstConnections::type(QWidget *dialog, const char *field, const QString &text)
{
    auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("field_") + QLatin1StringView(field));
    QVERIFY2(edit, field);
    edit->clear();
    QTest::keyClicks(edit, text);
}

void TstConnections::validateSaveTestReopenApply()
{
    if (!m_keychain)
        QSKIP("needs the real keychain: runs as gui_connections (with-keychain)");
    const QString name = QStringLiteral("fixture SASL_SSL");
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *action = window.findChild<QAction *>(QStringLiteral("connectionsAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
        action->trigger();
        ConnectionsDialog *dialog = window.connectionsDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->isModal());
        QVERIFY(dialog->newProfile(name));
        QCOMPARE(dialog->currentName(), name);

        // Bad input, one field at a time, each error next to its field.
        type(dialog, "bootstrap.servers", QStringLiteral("localhost"));
        QVERIFY2(dialog->fieldError(QStringLiteral("bootstrap.servers")).contains(QStringLiteral("host:port")),
                 qPrintable(dialog->fieldError(QStringLiteral("bootstrap.servers"))));
        dialog->findChild<QComboBox *>(QStringLiteral("field_security.protocol"))
            ->setCurrentText(QStringLiteral("SASL_SSL"));
        dialog->findChild<QComboBox *>(QStringLiteral("field_sasl.mechanism"))
            ->setCurrentText(QStringLiteral("SCRAM-SHA-512"));
        QVERIFY(dialog->fieldError(QStringLiteral("sasl.username")).contains(QStringLiteral("user name")));
        QVERIFY(dialog->fieldError(QStringLiteral("sasl.password")).contains(QStringLiteral("password")));
        type(dialog, "ssl.truststore.location", m_dir.filePath(QStringLiteral("missing-ca.pem")));
        QVERIFY(dialog->fieldError(QStringLiteral("ssl.truststore.location")).contains(QStringLiteral("no such file")));
        const QString notPem = m_dir.filePath(QStringLiteral("not-pem.txt"));
        QFile np(notPem);
        QVERIFY(np.open(QIODevice::WriteOnly));
        np.write("just text\n");
        np.close();
        type(dialog, "ssl.truststore.location", notPem);
        QVERIFY(dialog->fieldError(QStringLiteral("ssl.truststore.location")).contains(QStringLiteral("not PEM")));
        auto *save = dialog->findChild<QPushButton *>(QStringLiteral("saveButton"));
        QVERIFY(!save->isEnabled());
        QVERIFY(!dialog->save());
        // The error labels are on screen, not only in the model.
        auto *bootError = dialog->findChild<QWidget *>(QStringLiteral("error_bootstrap.servers"));
        QVERIFY(bootError && bootError->isVisible());
        QDir().mkpath(QStringLiteral(KPW_SCREENSHOT_DIR));
        QVERIFY(dialog->grab().save(QStringLiteral(KPW_SCREENSHOT_DIR "/connections-errors.png")));

        // Good input: every error goes away.
        type(dialog, "bootstrap.servers", env("SASL_SSL_BOOTSTRAP"));
        type(dialog, "sasl.username", env("SASL_USER"));
        type(dialog, "sasl.password", env("SASL_PASSWORD"));
        type(dialog, "ssl.truststore.location", env("CA"));
        type(dialog, "schema.registry.url", QStringLiteral("http://127.0.0.1:18081/apis/ccompat/v7"));
        for (const char *k : {"bootstrap.servers", "sasl.username", "sasl.password", "ssl.truststore.location",
                              "sasl.mechanism", "security.protocol"})
            QVERIFY2(dialog->fieldError(QString::fromLatin1(k)).isEmpty(),
                     qPrintable(dialog->fieldError(QString::fromLatin1(k))));
        QVERIFY(save->isEnabled());

        // Hostname verification off: a warning on screen; on again: gone.
        auto *verify = dialog->findChild<QCheckBox *>(QStringLiteral("field_verifyHostname"));
        QVERIFY(verify->isChecked());
        QVERIFY(!dialog->hostnameWarningVisible());
        verify->setChecked(false);
        QVERIFY(dialog->hostnameWarningVisible());
        QVERIFY(dialog->findChild<QWidget *>(QStringLiteral("hostnameWarning"))->isVisible());
        verify->setChecked(true);
        QVERIFY(!dialog->hostnameWarningVisible());

        QVERIFY(dialog->save());
        QVERIFY2(dialog->statusText().contains(QStringLiteral("keychain")), qPrintable(dialog->statusText()));

        // Test connection: the broker's answer, in the dialog.
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("testButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->reportText().contains(QStringLiteral("Connection test")), 60000);
        const QString report = dialog->reportText();
        QVERIFY2(report.contains(QStringLiteral("Connection test passed")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("TLS")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("SCRAM-SHA-512")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("APIs")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("broker")), qPrintable(report));
        QVERIFY(!report.contains(env("SASL_PASSWORD")));
        QVERIFY(dialog->grab().save(QStringLiteral(KPW_SCREENSHOT_DIR "/connections.png")));

        // The settings file has the profile and no password.
        QSettings().sync();
        QFile conf(QDir(qEnvironmentVariable("XDG_CONFIG_HOME")).filePath(QStringLiteral("kpw/kpw.conf")));
        QVERIFY(conf.open(QIODevice::ReadOnly));
        const QByteArray bytes = conf.readAll();
        QVERIFY(bytes.contains(env("SASL_SSL_BOOTSTRAP").toUtf8()));
        QVERIFY(!bytes.contains(env("SASL_PASSWORD").toUtf8()));

        // A second dialog (as after closing and reopening) reads it back,
        // the password from the keychain.
        dialog->close();
        {
            auto settings = ProfileStore::openSettings();
            KeychainSecretStore keychain;
            ProfileStore store(settings.get(), &keychain);
            ConnectionsDialog again(&store);
            QVERIFY(again.selectProfile(name));
            const ConnectionProfile p = again.formProfile();
            QCOMPARE(p.bootstrap(), env("SASL_SSL_BOOTSTRAP"));
            QCOMPARE(p.securityProtocol(), QStringLiteral("SASL_SSL"));
            QCOMPARE(p.saslMechanism(), QStringLiteral("SCRAM-SHA-512"));
            QCOMPARE(p.username(), env("SASL_USER"));
            QCOMPARE(p.password(), env("SASL_PASSWORD"));
            QCOMPARE(p.caFile(), env("CA"));
            QVERIFY(p.verifyHostname());
        }

        // Use: the window's connection bar and producer settings.
        window.showConnections();
        QVERIFY(dialog->selectProfile(name));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("useButton")), Qt::LeftButton);
        QCOMPARE(window.activeProfile(), name);
        QCOMPARE(window.findChild<QLineEdit *>(QStringLiteral("bootstrapEdit"))->text(), env("SASL_SSL_BOOTSTRAP"));
        const ProducerConfig &config = window.producerSettings()->config();
        QCOMPARE(config.value(QStringLiteral("security.protocol")), QStringLiteral("SASL_SSL"));
        QCOMPARE(config.value(QStringLiteral("sasl.password")), env("SASL_PASSWORD"));
        // The profile's registry goes to the Formats tab.
        QCOMPARE(window.findChild<QLineEdit *>(QStringLiteral("registryUrlEdit"))->text(),
                 QStringLiteral("http://127.0.0.1:18081/apis/ccompat/v7"));
        window.close();
    }
    // A restarted window restores the last profile, secrets included.
    MainWindow restarted;
    QCOMPARE(restarted.activeProfile(), name);
    QCOMPARE(restarted.findChild<QLineEdit *>(QStringLiteral("bootstrapEdit"))->text(), env("SASL_SSL_BOOTSTRAP"));
    QCOMPARE(restarted.producerSettings()->config().value(QStringLiteral("sasl.password")), env("SASL_PASSWORD"));
    QCOMPARE(restarted.producerSettings()->config().value(QStringLiteral("sasl.mechanism")),
             QStringLiteral("SCRAM-SHA-512"));
}

void TstConnections::tailsReadWithTheProfile()
{
    if (!m_keychain)
        QSKIP("needs the real keychain: runs as gui_connections (with-keychain)");
    // Written over the plaintext listener; read by the Tails tab over the
    // SASL_SSL listener of the profile saved above (restored on start).
    const QString topic = uniqueTopic(QStringLiteral("kpw-gui-tail-sasl"));
    KPW_CREATE_TOPIC(bootstrap(), topic, 1);
    {
        RdkTxnProducer plain(bootstrap(), QString());
        QVERIFY2(plain.ok(), qPrintable(plain.error()));
        QVERIFY(plain.send(topic, 0, QByteArray("k1"), QByteArray("over sasl one")));
        QVERIFY(plain.send(topic, 0, QByteArray("k2"), QByteArray("over sasl two")));
        QVERIFY2(plain.flush(), qPrintable(plain.error()));
    }
    MainWindow window;
    QCOMPARE(window.activeProfile(), QStringLiteral("fixture SASL_SSL"));
    QCOMPARE(window.findChild<QLineEdit *>(QStringLiteral("bootstrapEdit"))->text(), env("SASL_SSL_BOOTSTRAP"));
    QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("connectButton")), Qt::LeftButton);
    auto *tails = window.findChild<TailView *>();
    QVERIFY(tails);
    QCOMPARE(tails->bootstrap(), env("SASL_SSL_BOOTSTRAP"));
    QVERIFY(tails->connectionOptions().security.protocol == SecurityOptions::Protocol::SaslSsl);
    tails->setTopic(topic);
    auto *start = tails->findChild<QPushButton *>(QStringLiteral("tailStartButton"));
    QVERIFY(start && start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(tails->isRunning());
    for (TailModel *m : {tails->committedModel(), tails->uncommittedModel()}) {
        QTRY_COMPARE_WITH_TIMEOUT(m->recordCount(), 2, 30000);
        QStringList values;
        for (int r = 0; r < m->rowCount(); ++r)
            values.append(m->index(r, TailModel::ValueColumn).data().toString());
        QVERIFY2(values.contains(QStringLiteral("over sasl one")) && values.contains(QStringLiteral("over sasl two")),
                 qPrintable(values.join(QStringLiteral(" | "))));
    }
    tails->stop();
}

void TstConnections::noKeychainAsksForTheSecret()
{
    if (m_keychain)
        QSKIP("runs as gui_connections_nokeychain (no session bus)");
    auto settings = ProfileStore::openSettings();
    KeychainSecretStore keychain(QStringLiteral("kpw"), 10000);
    ProfileStore store(settings.get(), &keychain);
    ConnectionsDialog dialog(&store);
    dialog.show();
    QVERIFY(dialog.newProfile(QStringLiteral("no keychain")));
    type(&dialog, "bootstrap.servers", QStringLiteral("127.0.0.1:9"));
    dialog.findChild<QComboBox *>(QStringLiteral("field_security.protocol"))
        ->setCurrentText(QStringLiteral("SASL_PLAINTEXT"));
    type(&dialog, "sasl.username", QStringLiteral("erin"));
    type(&dialog, "sasl.password", QStringLiteral("never-on-disk-7"));
    QVERIFY(dialog.save());
    QVERIFY2(dialog.statusText().contains(QStringLiteral("keychain is unavailable")), qPrintable(dialog.statusText()));
    QVERIFY(dialog.statusText().contains(QStringLiteral("asked for")));
    settings->sync();
    QFile conf(settings->fileName());
    QVERIFY(conf.open(QIODevice::ReadOnly));
    const QByteArray bytes = conf.readAll();
    QVERIFY(bytes.contains("erin"));
    QVERIFY(!bytes.contains("never-on-disk-7"));

    // Reopened: the password is not there; Use asks for it.
    ConnectionsDialog again(&store);
    QVERIFY(again.selectProfile(QStringLiteral("no keychain")));
    QVERIFY(again.statusText().contains(QStringLiteral("keychain is unavailable")));
    QVERIFY(again.formProfile().password().isEmpty());
    QStringList asked;
    again.setSecretPrompt([&](const QString &profile, const QString &key, bool *ok) {
        asked << profile + QLatin1Char('/') + key;
        *ok = true;
        return QStringLiteral("typed-at-use");
    });
    std::optional<ConnectionProfile> applied;
    connect(&again, &ConnectionsDialog::profileApplied, this, [&](const ConnectionProfile &p) { applied = p; });
    QVERIFY(again.useProfile());
    QCOMPARE(asked, QStringList{QStringLiteral("no keychain/sasl.password")});
    QVERIFY(applied.has_value());
    QCOMPARE(applied->password(), QStringLiteral("typed-at-use"));
    settings->sync();
    QVERIFY(conf.seek(0));
    QVERIFY(!conf.readAll().contains("typed-at-use"));
}

QTEST_MAIN(TstConnections)
#include "tst_connections.moc"
