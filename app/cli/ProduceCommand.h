#pragma once

#include "producer/DeliveryReport.h"
#include "producer/ProducerConfig.h"
#include "producer/Transaction.h"
#include "records/ProducerRecord.h"
#include "serde/Serializer.h"
#include "threads/CrossThread.h"

#include <QList>
#include <QSemaphore>
#include <QStringList>
#include <QTextStream>

#include <cstdio>
#include <mutex>
#include <vector>
#include <thread>

namespace kpw {

class ProducerClient;

// `kpw-cli produce`: one record per input line, one delivery report per line
// on stdout, failures (with their input line number) on stderr.
class ProduceCommand final : public CallReceiver
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
        // --key-format/--value-format: what each line's key and value text is
        // turned into; null serializers send the text as it is. A record whose
        // key or value does not serialize is reported with its line and not sent.
        std::shared_ptr<const serde::Serializer> keySerializer;
        std::shared_ptr<const serde::Serializer> valueSerializer;
        bool nullKey = false; // --null-key: every record's key is null
        // Schema Registry wire framing, applied to non-null serialized bytes.
        serde::PayloadFramer keyFramer;
        serde::PayloadFramer valueFramer;
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
    // Serializes and frames one side of a record; false (with the reason
    // reported on stderr) when the record must not be sent.
    bool encode(const char *side, quint64 line, std::optional<QByteArray> &bytes,
                const std::shared_ptr<const serde::Serializer> &serializer, const serde::PayloadFramer &framer);
    // The input line of the record with this report id (ids count sent
    // records only; rejected lines are skipped).
    quint64 lineOfReport(quint64 id) const;

    Options m_options;
    ProducerClient *m_client = nullptr;
    std::thread m_reader;
    // Bounds memory on endless input: the reader takes one permit per record
    // and each report gives it back.
    QSemaphore m_window{100000};
    quint64 m_sent = 0;
    quint64 m_reported = 0;
    quint64 m_failed = 0;
    quint64 m_rejected = 0; // serialization failures (not sent)
    mutable std::mutex m_rejectedMutex;
    std::vector<quint64> m_rejectedLines; // ascending
    bool m_inputDone = false;
    bool m_connectionFailed = false;
    bool m_finished = false;
    QTextStream m_out{stdout};
    QTextStream m_err{stderr};
};

} // namespace kpw
