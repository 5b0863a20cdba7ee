#include "TxnCommand.h"

#include "producer/ProducerClient.h"

#include <QDateTime>

namespace kpw {

TxnCommand::TxnCommand(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_client = new ProducerClient(this);
    m_client->setProtocolTrace(m_options.verbose);
    connect(m_client, &ProducerClient::connectionFailed, this,
            [this](const QString &error) { m_err << "kpw-cli: " << error << Qt::endl; });
    connect(m_client, &ProducerClient::logMessage, this, [this](const QString &line) {
        if (m_options.verbose)
            m_err << "% " << line << Qt::endl;
    });
    connect(m_client, &ProducerClient::txnStatusChanged, this, [this](const kpw::TxnStatus &st) {
        if (st.state != m_status.state || st.producerEpoch != m_status.producerEpoch ||
            st.producerId != m_status.producerId)
            m_out << "state " << txnStateName(st.state) << " (producer id " << st.producerId << ", epoch "
                  << st.producerEpoch
                  << (st.protocolVersion ? QStringLiteral(", transaction protocol v%1").arg(st.protocolVersion)
                                         : QString())
                  << ")"
                  << (st.lastError.isEmpty() || st.state == TxnState::Ready ? QString()
                                                                            : QStringLiteral(": ") + st.lastError)
                  << Qt::endl;
        m_status = st;
    });
    connect(m_client, &ProducerClient::protocolEvent, this, [this](const kpw::ProtocolEvent &e) {
        if (!m_options.verbose)
            return;
        m_err << "% " << QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss.zzz")) << ' '
              << e.api << ' ' << e.peer << ' ' << e.partitions << ' ' << e.sequences << " -> " << e.result
              << (e.detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(e.detail)) << Qt::endl;
    });
    connect(m_client, &ProducerClient::recordsDelivered, this, [this](const QList<kpw::DeliveryReport> &reports) {
        for (const auto &r : reports) {
            if (r.ok()) {
                ++m_recordsOk;
            } else {
                ++m_recordsFailed;
                m_err << "kpw-cli: record " << r.id << ": " << r.errorName() << ": " << r.errorMessage << Qt::endl;
            }
        }
    });
    connect(m_client, &ProducerClient::transactionCallDone, this, &TxnCommand::onCallDone);
}

void TxnCommand::run()
{
    m_client->start(m_options.config);
    if (m_options.fault)
        m_client->injectFault(*m_options.fault);
    m_client->initTransactions();
}

void TxnCommand::fail(const QString &op, const Error &error)
{
    m_failed = true;
    m_err << "kpw-cli: " << op << " failed: " << KafkaError::name(error.code) << ": " << error.message << Qt::endl;
}

void TxnCommand::onCallDone(quint64 id, const QString &op, const Error &error)
{
    Q_UNUSED(id);
    if (m_done)
        return;
    const bool ok = error.code == KafkaError::None;
    if (op == QLatin1StringView("initTransactions")) {
        if (!ok) {
            fail(op, error);
            finish();
            return;
        }
        nextTransaction();
    } else if (op == QLatin1StringView("beginTransaction")) {
        if (!ok) {
            fail(op, error);
            finish();
            return;
        }
        QList<ProducerRecord> records;
        for (int j = 1; j <= m_options.recordsPerTransaction; ++j) {
            ProducerRecord r;
            r.topic = m_options.topic;
            r.partition = m_options.partition;
            r.value = QStringLiteral("txn-%1-rec-%2").arg(m_current).arg(j).toUtf8();
            records.append(r);
        }
        m_client->send(records);
        if (!m_options.offsets.isEmpty()) {
            ConsumerGroupMetadata group;
            group.groupId = m_options.offsetsGroup;
            m_client->sendOffsetsToTransaction(m_options.offsets, group);
        } else {
            endCurrent();
        }
    } else if (op == QLatin1StringView("sendOffsetsToTransaction")) {
        if (!ok)
            fail(op, error); // the transaction is now abortable: endCurrent aborts it
        endCurrent();
    } else if (op == QLatin1StringView("commitTransaction") || op == QLatin1StringView("abortTransaction")) {
        const bool commit = op == QLatin1StringView("commitTransaction");
        if (!ok) {
            fail(op, error);
            if (commit && m_status.state == TxnState::AbortableError) {
                m_client->abortTransaction(); // the commit was refused: end it the only way left
                return;
            }
            finish();
            return;
        }
        (commit ? m_committed : m_aborted)++;
        (commit ? m_recordsCommitted : m_recordsAborted) += m_options.recordsPerTransaction;
        m_out << "transaction " << m_current << ": " << (commit ? "committed" : "aborted") << ' '
              << m_options.recordsPerTransaction << " record(s)" << Qt::endl;
        if (m_failed) {
            finish();
            return;
        }
        nextTransaction();
    }
}

void TxnCommand::nextTransaction()
{
    if (m_current >= m_options.transactions) {
        finish();
        return;
    }
    ++m_current;
    m_client->beginTransaction();
}

void TxnCommand::endCurrent()
{
    const bool abort = m_failed || (m_options.abortEvery > 0 && m_current % m_options.abortEvery == 0);
    if (abort)
        m_client->abortTransaction();
    else
        m_client->commitTransaction();
}

void TxnCommand::finish()
{
    if (m_done)
        return;
    m_done = true;
    m_out << "% " << m_current << " transaction(s): " << m_committed << " committed, " << m_aborted << " aborted; "
          << m_recordsCommitted << " record(s) committed, " << m_recordsAborted << " aborted; final state "
          << txnStateName(m_status.state) << ", producer id " << m_status.producerId << ", epoch "
          << m_status.producerEpoch << Qt::endl;
    m_client->stop();
    Q_EMIT finished(m_failed ? 1 : 0);
}

} // namespace kpw
