#include "TailCommand.h"

#include "ConnectionSettings.h"

#include "admin/TopicAdmin.h"
#include "tail/OffsetLookup.h"
#include "tail/TailReader.h"
#include "wire/KafkaError.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTimer>

#include <memory>

namespace kpw::cli {

namespace {

int usageError(const QString &command, const QString &message)
{
    QTextStream(stderr) << "kpw-cli: " << message << "\n(see kpw-cli " << command << " --help)" << Qt::endl;
    return 2;
}

// Bytes as text on one line: UTF-8 where it is printable, \n \t \\ and \xNN
// escapes otherwise, so one record stays one line.
QString printable(const std::optional<QByteArray> &b)
{
    if (!b)
        return QStringLiteral("null");
    const QString s = QString::fromUtf8(*b);
    if (s.toUtf8() != *b) { // not valid UTF-8
        QString out;
        for (unsigned char c : *b) {
            if (c >= 0x20 && c < 0x7f && c != '\\')
                out.append(QLatin1Char(static_cast<char>(c)));
            else
                out.append(QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0')));
        }
        return out;
    }
    QString out;
    out.reserve(s.size());
    for (QChar c : s) {
        if (c == QLatin1Char('\n'))
            out.append(QStringLiteral("\\n"));
        else if (c == QLatin1Char('\t'))
            out.append(QStringLiteral("\\t"));
        else if (c == QLatin1Char('\\'))
            out.append(QStringLiteral("\\\\"));
        else if (c.unicode() < 0x20)
            out.append(QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0')));
        else
            out.append(c);
    }
    return out;
}

// The bootstrap list and the connection options (client id, timeouts, TLS,
// SASL) from --profile, the properties file, -X and -b, as topics builds them.
int connectionFromOptions(const QCommandLineParser &p, const QString &command, QString *bootstrap,
                          ConnectionOptions *connection)
{
    ProducerConfig config;
    if (const int rc = buildConnectionConfig(p, command, config))
        return rc;
    auto options = adminConnectionOptions(config);
    if (!options)
        return usageError(command, options.error().message);
    *bootstrap = config.bootstrapServers().join(QLatin1Char(','));
    *connection = *options;
    return 0;
}

QString errorLine(const Error &e)
{
    return QStringLiteral("%1: %2").arg(KafkaError::name(e.code), e.message);
}

} // namespace

int runTail(QCoreApplication &app, const QStringList &args)
{
    const QString cmd = QStringLiteral("tail");
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Read a topic as a consumer does (no group) and print one line per record:\n"
                       "  TOPIC [PARTITION] @ OFFSET key=KEY value=VALUE [headers=NAME=VALUE,...]\n"
                       "and one per transaction marker (which takes an offset but is never a record):\n"
                       "  [PARTITION] @ OFFSET <COMMIT marker> (or <ABORT marker>)\n"
                       "With --isolation read_committed, records of aborted transactions are not shown and reading\n"
                       "stops at the last stable offset (the first offset of a transaction still open).\n"
                       "A summary goes to standard error. Exit code: 0; 1 on an error; 3 when --timeout-ms ends the\n"
                       "run before --count records arrived.\n"
                       "Secure clusters take the settings produce takes: --profile NAME, --consumer.config FILE\n"
                       "(or --producer.config) and -X security.protocol=SASL_SSL -X sasl.mechanism=... (Java or\n"
                       "librdkafka names); the file, -X and -b override the profile."));
    p.addHelpOption();
    addConnectionOptions(p, ConfigFileOption::Consumer);
    p.addOption(
        {{QStringLiteral("t"), QStringLiteral("topic")}, QStringLiteral("Topic to read."), QStringLiteral("topic")});
    p.addOption({{QStringLiteral("p"), QStringLiteral("partition")},
                 QStringLiteral("Read this partition only (repeatable; default: all)."),
                 QStringLiteral("n")});
    p.addOption({QStringLiteral("isolation"), QStringLiteral("read_uncommitted (default) or read_committed."),
                 QStringLiteral("level")});
    p.addOption({{QStringLiteral("o"), QStringLiteral("from")},
                 QStringLiteral("Where to start in every partition: earliest (default), latest, or an offset."),
                 QStringLiteral("where")});
    p.addOption(
        {{QStringLiteral("c"), QStringLiteral("count")}, QStringLiteral("Stop after N records."), QStringLiteral("N")});
    p.addOption({QStringLiteral("timeout-ms"), QStringLiteral("Stop after T milliseconds."), QStringLiteral("T")});
    p.addOption({{QStringLiteral("e"), QStringLiteral("exit-at-end")},
                 QStringLiteral("Stop once every partition is read up to its end (the high watermark, or the "
                                "last stable offset with read_committed), as kcat -e.")});
    p.addOption({{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print the summary only.")});
    p.process(args);

    TailOptions o;
    if (const int rc = connectionFromOptions(p, cmd, &o.bootstrap, &o.connection))
        return rc;
    o.topic = p.value(QStringLiteral("t"));
    if (o.topic.isEmpty())
        return usageError(cmd, QStringLiteral("no topic: give -t TOPIC"));
    for (const auto &v : p.values(QStringLiteral("p"))) {
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 0)
            return usageError(cmd, QStringLiteral("-p: '%1' is not a partition number").arg(v));
        o.partitions.append(n);
    }
    const QString iso = p.value(QStringLiteral("isolation"));
    if (iso.isEmpty() || iso == QLatin1StringView("read_uncommitted"))
        o.isolation = IsolationLevel::ReadUncommitted;
    else if (iso == QLatin1StringView("read_committed"))
        o.isolation = IsolationLevel::ReadCommitted;
    else
        return usageError(cmd,
                          QStringLiteral("--isolation: '%1' is neither read_committed nor read_uncommitted").arg(iso));
    const QString from = p.value(QStringLiteral("o"));
    if (from.isEmpty() || from == QLatin1StringView("earliest") || from == QLatin1StringView("beginning")) {
        o.from = TailOptions::From::Earliest;
    } else if (from == QLatin1StringView("latest") || from == QLatin1StringView("end")) {
        o.from = TailOptions::From::Latest;
    } else {
        bool ok = false;
        o.offset = from.toLongLong(&ok);
        if (!ok || o.offset < 0)
            return usageError(cmd, QStringLiteral("--from: '%1' is not earliest, latest or an offset").arg(from));
        o.from = TailOptions::From::Offset;
    }
    qint64 count = -1;
    if (p.isSet(QStringLiteral("c"))) {
        bool ok = false;
        count = p.value(QStringLiteral("c")).toLongLong(&ok);
        if (!ok || count < 0)
            return usageError(cmd,
                              QStringLiteral("--count: '%1' is not a record count").arg(p.value(QStringLiteral("c"))));
    }
    int timeoutMs = -1;
    if (p.isSet(QStringLiteral("timeout-ms"))) {
        bool ok = false;
        timeoutMs = p.value(QStringLiteral("timeout-ms")).toInt(&ok);
        if (!ok || timeoutMs < 0)
            return usageError(cmd, QStringLiteral("--timeout-ms: '%1' is not a time in milliseconds")
                                       .arg(p.value(QStringLiteral("timeout-ms"))));
    }
    const bool exitAtEnd = p.isSet(QStringLiteral("e"));
    const bool quiet = p.isSet(QStringLiteral("q"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    qint64 records = 0;
    qint64 markers = 0;
    qint64 skipped = 0;
    int code = 0;
    bool finished = false;
    const auto finish = [&](int c) {
        if (finished)
            return;
        finished = true;
        code = c;
        app.quit();
    };
    if (count == 0)
        return 0;

    TailReader reader(o);
    QObject::connect(&reader, &TailReader::fetched, &app, [&](const kpw::TailBatch &b) {
        if (finished)
            return;
        // Records and markers of a partition come in offset order; print them
        // merged, partition by partition, so a marker sits where its offset is.
        const auto printMarker = [&](const ControlMarker &mk) {
            ++markers;
            if (!quiet)
                out << "[" << mk.partition << "] @ " << mk.offset << " <" << mk.typeName() << " marker>\n";
        };
        const auto printRecord = [&](const TailRecord &r) {
            if (!quiet) {
                out << r.topic << " [" << r.partition << "] @ " << r.offset << " key=" << printable(r.key)
                    << " value=" << printable(r.value);
                if (!r.headers.isEmpty()) {
                    QStringList hs;
                    for (const auto &h : r.headers)
                        hs.append(h.value ? QStringLiteral("%1=%2").arg(h.key, printable(h.value)) : h.key);
                    out << " headers=" << hs.join(QLatin1Char(','));
                }
                out << '\n';
            }
            return ++records == count;
        };
        for (const auto &pos : b.positions) {
            qsizetype m = 0;
            const auto nextMarker = [&] {
                while (m < b.markers.size() && b.markers[m].partition != pos.partition)
                    ++m;
                return m < b.markers.size();
            };
            for (const auto &r : b.records) {
                if (r.partition != pos.partition)
                    continue;
                while (nextMarker() && b.markers[m].offset < r.offset)
                    printMarker(b.markers[m++]);
                if (printRecord(r)) {
                    out.flush();
                    finish(0);
                    return;
                }
            }
            while (nextMarker())
                printMarker(b.markers[m++]);
        }
        skipped += b.abortedSkipped;
        out.flush();
    });
    QObject::connect(&reader, &TailReader::reachedEnd, &app, [&] {
        if (exitAtEnd)
            finish(0);
    });
    QObject::connect(&reader, &TailReader::warning, &app,
                     [&](const kpw::Error &e) { err << "% " << errorLine(e) << Qt::endl; });
    QObject::connect(&reader, &TailReader::failed, &app, [&](const kpw::Error &e) {
        err << "kpw-cli: " << errorLine(e) << Qt::endl;
        finish(1);
    });
    QElapsedTimer clock;
    clock.start();
    if (timeoutMs >= 0)
        QTimer::singleShot(timeoutMs, &app, [&] { finish(count > 0 ? 3 : 0); });
    QTimer::singleShot(0, &reader, &TailReader::start);
    app.exec();
    reader.stop();
    err << "% " << records << " records, " << markers << " transaction markers";
    if (o.isolation == IsolationLevel::ReadCommitted)
        err << ", " << skipped << " records of aborted transactions skipped";
    err << " (" << clock.elapsed() << " ms)";
    if (code == 3)
        err << "; timed out before " << count << " records";
    err << Qt::endl;
    return code;
}

int runOffsets(QCoreApplication &app, const QStringList &args)
{
    const QString cmd = QStringLiteral("offsets");
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("With --group: print the group's committed offsets, one line per partition:\n"
                       "  TOPIC [PARTITION] committed=OFFSET (-1 when nothing is committed)\n"
                       "Without: print the topic's offsets, one line per partition:\n"
                       "  TOPIC [PARTITION] earliest=E latest=L stable=S (stable: the last stable offset)\n"
                       "Secure clusters: --profile NAME, --consumer.config FILE (or --producer.config), -X k=v,\n"
                       "as kpw-cli tail takes them."));
    p.addHelpOption();
    addConnectionOptions(p, ConfigFileOption::Consumer);
    p.addOption(
        {{QStringLiteral("g"), QStringLiteral("group")}, QStringLiteral("Consumer group."), QStringLiteral("group")});
    p.addOption({{QStringLiteral("t"), QStringLiteral("topic")},
                 QStringLiteral("Topic (with --group: only this topic)."),
                 QStringLiteral("topic")});
    p.addOption({QStringLiteral("timeout-ms"), QStringLiteral("Give up after T milliseconds (default 30000)."),
                 QStringLiteral("T")});
    p.process(args);

    QString bootstrap;
    ConnectionOptions connection;
    if (const int rc = connectionFromOptions(p, cmd, &bootstrap, &connection))
        return rc;
    const QString group = p.value(QStringLiteral("g"));
    const QString topic = p.value(QStringLiteral("t"));
    if (group.isEmpty() && topic.isEmpty())
        return usageError(cmd, QStringLiteral("give --group GROUP, -t TOPIC, or both"));
    int timeoutMs = 30000;
    if (p.isSet(QStringLiteral("timeout-ms"))) {
        bool ok = false;
        timeoutMs = p.value(QStringLiteral("timeout-ms")).toInt(&ok);
        if (!ok || timeoutMs < 0)
            return usageError(cmd, QStringLiteral("--timeout-ms: '%1' is not a time in milliseconds")
                                       .arg(p.value(QStringLiteral("timeout-ms"))));
    }

    QTextStream out(stdout);
    QTextStream err(stderr);
    int code = 1;
    bool finished = false;
    const auto finish = [&](int c) {
        if (finished)
            return;
        finished = true;
        code = c;
        app.quit();
    };
    OffsetLookup lookup(bootstrap, connection);
    const auto failWith = [&](const Error &e) {
        err << "kpw-cli: " << errorLine(e) << Qt::endl;
        finish(1);
    };
    if (!group.isEmpty()) {
        lookup.committedOffsets(group, topic.isEmpty() ? std::nullopt : std::optional<QString>(topic),
                                [&](Result<QList<OffsetLookup::Committed>> r) {
                                    if (!r) {
                                        failWith(r.error());
                                        return;
                                    }
                                    for (const auto &c : *r) {
                                        out << c.topic << " [" << c.partition << "] committed=" << c.offset;
                                        if (c.metadata && !c.metadata->isEmpty())
                                            out << " metadata=" << *c.metadata;
                                        if (c.errorCode != KafkaError::None)
                                            out << " error=" << KafkaError::name(c.errorCode);
                                        out << '\n';
                                    }
                                    if (r->isEmpty())
                                        err << "% group '" << group << "' has no committed offsets"
                                            << (topic.isEmpty() ? QString() : QStringLiteral(" for '%1'").arg(topic))
                                            << Qt::endl;
                                    out.flush();
                                    finish(0);
                                });
    } else {
        // Earliest, latest, then the last stable offset: three ListOffsets rounds.
        auto earliest = std::make_shared<QList<OffsetLookup::PartitionOffset>>();
        auto latest = std::make_shared<QList<OffsetLookup::PartitionOffset>>();
        const auto printAll = [&, earliest, latest](const QList<OffsetLookup::PartitionOffset> &stable) {
            for (qsizetype i = 0; i < stable.size(); ++i) {
                const auto find = [&](const QList<OffsetLookup::PartitionOffset> &l) -> std::int64_t {
                    for (const auto &x : l)
                        if (x.partition == stable[i].partition)
                            return x.offset;
                    return -1;
                };
                out << topic << " [" << stable[i].partition << "] earliest=" << find(*earliest)
                    << " latest=" << find(*latest) << " stable=" << stable[i].offset;
                if (stable[i].errorCode != KafkaError::None)
                    out << " error=" << KafkaError::name(stable[i].errorCode);
                out << '\n';
            }
            out.flush();
            finish(0);
        };
        lookup.listOffsets(topic, ListOffsetsRequest::Earliest, IsolationLevel::ReadUncommitted,
                           [&, earliest, latest, printAll](Result<QList<OffsetLookup::PartitionOffset>> e) {
                               if (!e)
                                   return failWith(e.error());
                               *earliest = *e;
                               lookup.listOffsets(
                                   topic, ListOffsetsRequest::Latest, IsolationLevel::ReadUncommitted,
                                   [&, latest, printAll](Result<QList<OffsetLookup::PartitionOffset>> l) {
                                       if (!l)
                                           return failWith(l.error());
                                       *latest = *l;
                                       lookup.listOffsets(
                                           topic, ListOffsetsRequest::Latest, IsolationLevel::ReadCommitted,
                                           [&, printAll](Result<QList<OffsetLookup::PartitionOffset>> s) {
                                               if (!s)
                                                   return failWith(s.error());
                                               printAll(*s);
                                           });
                                   });
                           });
    }
    QTimer::singleShot(timeoutMs, &app, [&] {
        failWith({KafkaError::ClientTimeout, QStringLiteral("no answer within %1 ms").arg(timeoutMs)});
    });
    if (!finished)
        app.exec();
    return code;
}

} // namespace kpw::cli
