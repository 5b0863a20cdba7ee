#pragma once

#include "messages/ListOffsets.h"
#include "net/BrokerConnection.h"

#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QThread;

namespace kpw {

class TailModel;
class TailReader;
struct TailBatch;
struct Error;

// Two tails of one topic side by side: read_committed on the left,
// read_uncommitted on the right, each reader on its own thread. Aborted
// records (right only) are red, transaction markers grey, and an offset
// that follows a gap says how many offsets were skipped.
class TailView final : public QWidget
{
    Q_OBJECT

public:
    explicit TailView(QWidget *parent = nullptr);
    ~TailView() override;

    // The cluster to read, with the connection settings (TLS, SASL, client
    // id, timeouts) the producer connected with. A tail running on another
    // cluster stops.
    void setConnection(const QString &bootstrap, const ConnectionOptions &options);
    // PLAINTEXT with the default options.
    void setBootstrap(const QString &bootstrap) { setConnection(bootstrap, {}); }
    QString bootstrap() const { return m_bootstrap; }
    const ConnectionOptions &connectionOptions() const { return m_connection; }
    void setTopic(const QString &topic);
    QString topic() const;
    bool isRunning() const;

    TailModel *committedModel() const { return m_sides[0].model; }
    TailModel *uncommittedModel() const { return m_sides[1].model; }

public Q_SLOTS:
    void start();
    void stop();

Q_SIGNALS:
    void runningChanged(bool running);

private:
    struct Side
    {
        IsolationLevel isolation = IsolationLevel::ReadCommitted;
        TailModel *model = nullptr;
        QTableView *view = nullptr;
        QLabel *title = nullptr;
        QThread *thread = nullptr;
        TailReader *reader = nullptr; // lives on thread
        QString status;
    };

    QWidget *buildSide(Side &side, const QString &title);
    void stopSide(Side &side);
    void onBatch(Side &side, const TailBatch &batch);
    void onFailed(Side &side, const Error &error);
    void updateTitle(Side &side);
    void updateButtons();

    QString m_bootstrap;
    ConnectionOptions m_connection;
    QLineEdit *m_topicEdit = nullptr;
    QComboBox *m_fromCombo = nullptr;
    QPushButton *m_startButton = nullptr;
    QLabel *m_status = nullptr;
    Side m_sides[2];
};

} // namespace kpw
