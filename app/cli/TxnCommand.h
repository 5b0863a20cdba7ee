#pragma once

#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"

#include <QList>
#include <QObject>
#include <QTextStream>

#include <optional>

namespace kpw {

class ProducerClient;

// `kpw-cli txn`: N transactions of M records each ("txn-<i>-rec-<j>"),
// aborting every K-th, optionally sending consumer offsets in each; prints
// every state change and a summary; exit 1 on any failed call (fenced
// included), 0 when every transaction ended as planned.
class TxnCommand final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        ProducerConfig config; // transactional.id set
        QString topic;
        std::int32_t partition = -1;
        int transactions = 1;
        int recordsPerTransaction = 10;
        int abortEvery = 0; // 0: never
        QList<ConsumedOffset> offsets;
        QString offsetsGroup;
        std::optional<FaultSpec> fault;
        bool verbose = false; // every protocol call on stderr
    };

    explicit TxnCommand(Options options, QObject *parent = nullptr);

    void run();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void onCallDone(quint64 id, const QString &op, const kpw::Error &error);
    void nextTransaction();
    void endCurrent();
    void fail(const QString &op, const kpw::Error &error);
    void finish();

    Options m_options;
    ProducerClient *m_client = nullptr;
    int m_current = 0; // 1-based transaction number
    int m_committed = 0;
    int m_aborted = 0;
    quint64 m_recordsOk = 0;
    quint64 m_recordsFailed = 0;
    qint64 m_recordsCommitted = 0;
    qint64 m_recordsAborted = 0;
    bool m_failed = false;
    bool m_done = false;
    TxnStatus m_status;
    QTextStream m_out{stdout};
    QTextStream m_err{stderr};
};

} // namespace kpw
