#pragma once

#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"
#include "records/ProducerRecord.h"

#include <QList>
#include <QObject>
#include <QSemaphore>
#include <QStringList>
#include <QTextStream>

#include <cstdio>
#include <thread>

namespace kpw {

class ProducerClient;

// `kpw-cli produce`: one record per input line, one delivery report per line
// on stdout, failures (with their input line number) on stderr.
class ProduceCommand final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        ProducerConfig config;
        QString topic;
        std::int32_t partition = -1;
        std::optional<QByteArray> key;
        QString keySeparator; // -K: split each line into key and value
        QList<RecordHeader> headers;
        bool quiet = false;
        qint64 maxRecords = -1; // -c: stop after this many input lines
        FILE *input = stdin;
        std::optional<FaultSpec> fault; // --inject
        bool verbose = false;
    };

    explicit ProduceCommand(Options options, QObject *parent = nullptr);
    ~ProduceCommand() override;

    // Starts reading; emits finished(exit code) when every record has a report.
    void run();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void readerLoop();
    void onReports(const QList<kpw::DeliveryReport> &reports);
    void onInputDone(quint64 lines);
    void maybeFinish();

    Options m_options;
    ProducerClient *m_client = nullptr;
    std::thread m_reader;
    // Bounds memory on endless input: the reader takes one permit per record
    // and each report gives it back.
    QSemaphore m_window{100000};
    quint64 m_sent = 0;
    quint64 m_reported = 0;
    quint64 m_failed = 0;
    bool m_inputDone = false;
    bool m_connectionFailed = false;
    bool m_finished = false;
    QTextStream m_out{stdout};
    QTextStream m_err{stderr};
};

} // namespace kpw
