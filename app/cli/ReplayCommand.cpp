#include "ReplayCommand.h"
#include "ProfileCommand.h"

#include "replay/ReplayJob.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

#include <unistd.h>

namespace kpw {

namespace {

int usageError(const QString &message)
{
    QTextStream(stderr) << "kpw-cli: " << message << "\n(see kpw-cli replay --help)" << Qt::endl;
    return 2;
}

// kcat's escapes for -D and -K: \n \r \t \0 \\ and \xHH.
std::optional<QByteArray> unescape(const QString &text)
{
    const QByteArray in = text.toUtf8();
    QByteArray out;
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '\\' || i + 1 >= in.size()) {
            out += in[i];
            continue;
        }
        const char c = in[++i];
        switch (c) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case 'x': {
            bool ok = false;
            const int v = in.mid(i + 1, 2).toInt(&ok, 16);
            if (!ok || i + 2 >= in.size())
                return std::nullopt;
            out += static_cast<char>(v);
            i += 2;
            break;
        }
        default: out += '\\'; out += c;
        }
    }
    return out;
}

QString printable(const std::optional<QByteArray> &bytes, int max = 80)
{
    if (!bytes)
        return QStringLiteral("null");
    QString s = QString::fromUtf8(bytes->left(max));
    s.replace(QLatin1Char('\n'), QStringLiteral("\\n")).replace(QLatin1Char('\r'), QStringLiteral("\\r"));
    if (bytes->size() > max)
        s += QStringLiteral("...(%1 bytes)").arg(bytes->size());
    return QLatin1Char('"') + s + QLatin1Char('"');
}

QString where(const RecordOrigin &o)
{
    return QStringLiteral("%1:%2")
        .arg(o.file == QLatin1StringView("-") ? QStringLiteral("<stdin>") : o.file)
        .arg(o.line);
}

int printPreview(const ReplayOptions &o)
{
    QTextStream out(stdout);
    const ReplayPreview p = previewReplay(o.inputs, o.source, 20);
    out << "format: " << formatName(p.format) << Qt::endl;
    int n = 0;
    for (const SourceRecord &r : p.records) {
        out << '#' << ++n << ' ' << where(r.origin) << " key=" << printable(r.record.key)
            << " value=" << printable(r.record.value);
        if (r.record.partition >= 0)
            out << " partition=" << r.record.partition;
        if (r.record.timestampMs)
            out << " timestamp=" << *r.record.timestampMs;
        if (!r.record.headers.isEmpty()) {
            out << " headers=[";
            for (qsizetype i = 0; i < r.record.headers.size(); ++i)
                out << (i ? ", " : "") << r.record.headers[i].key << '=' << printable(r.record.headers[i].value, 40);
            out << ']';
        }
        out << '\n';
    }
    out.flush();
    QTextStream err(stderr);
    for (const SourceError &e : p.errors)
        err << "kpw-cli: " << where(e.origin) << ": " << e.message << '\n';
    err.flush();
    return p.errors.isEmpty() ? 0 : 1;
}

QString progressLine(const ReplayProgress &p)
{
    QString eta = p.etaSec >= 0 ? QStringLiteral(" eta %1 s").arg(p.etaSec, 0, 'f', 0) : QString();
    QString pct = p.fraction >= 0 ? QStringLiteral("%1% ").arg(p.fraction * 100, 0, 'f', 1) : QString();
    return QStringLiteral("%% %1read %2 sent %3 acked %4 failed %5 bad %6 | %7 rec/s %8 MB/s%9%10")
        .arg(pct)
        .arg(p.read)
        .arg(p.sent)
        .arg(p.acked)
        .arg(p.failed)
        .arg(p.parseErrors)
        .arg(p.recordsPerSec, 0, 'f', 0)
        .arg(p.bytesPerSec / 1e6, 0, 'f', 2)
        .arg(eta, p.paused ? QStringLiteral(" (paused)") : QString());
}

} // namespace

int runReplay(QCoreApplication &app, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Replay payload files into a topic: text lines, JSONL (also kcat -J output), CSV with a header row, a "
        "directory (one file per record) or a binary file (one record); gzip and zstd files are read as they are "
        "decompressed. FILE - (or none) is standard input.\n"
        "Progress goes to standard error; failures name FILE:LINE and the Kafka error. The exit code is 0 only when "
        "every record was acknowledged, 1 when anything failed, did not parse or was not sent, 2 for usage errors."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Files or directories to replay, in order."),
                            QStringLiteral("FILE..."));
    const auto opt = [&p](QStringList names, const char *help, const char *value = nullptr) {
        p.addOption(QCommandLineOption(names, QString::fromUtf8(help), value ? QString::fromUtf8(value) : QString()));
    };
    opt({QStringLiteral("b"), QStringLiteral("bootstrap-server")}, "Bootstrap servers (host:port,...).", "hosts");
    opt({QStringLiteral("t"), QStringLiteral("topic")}, "Topic to replay into.", "topic");
    opt({QStringLiteral("f"), QStringLiteral("format")}, "auto (default), lines, jsonl, csv, dir or binary.", "format");
    opt({QStringLiteral("D"), QStringLiteral("delimiter")}, "lines: record delimiter (default \\n; escapes as kcat).",
        "delim");
    opt({QStringLiteral("K"), QStringLiteral("key-separator")}, "lines: each record is KEY<sep>VALUE (as kcat -K).",
        "sep");
    opt({QStringLiteral("rate")}, "At most N records per second.", "N");
    opt({QStringLiteral("bytes-rate")}, "At most N key+value bytes per second.", "N");
    opt({QStringLiteral("original-timing")}, "Pace records by their timestamps (JSONL ts/timestamp, CSV timestamp).");
    opt({QStringLiteral("speed")}, "With --original-timing: replay this many times faster (default 1).", "factor");
    opt({QStringLiteral("loop")}, "Replay the inputs N times (default 1).", "N");
    opt({QStringLiteral("on-parse-error"), QStringLiteral("on-bad-line")},
        "skip (default: report FILE:LINE and go on) or stop.", "skip|stop");
    opt({QStringLiteral("on-delivery-error"), QStringLiteral("on-failure")},
        "continue (default) or stop sending at the first failed delivery.", "continue|stop");
    opt({QStringLiteral("dry-run")}, "Parse and validate everything, send nothing.");
    opt({QStringLiteral("preview")}, "Print the detected format and the first 20 records, send nothing.");
    opt({QStringLiteral("templates")},
        "Expand {{uuid}} {{seq}} {{line}} {{now}} {{now:FORMAT}} {{random.int(a,b)}} in keys, values, headers.");
    opt({QStringLiteral("no-partition")}, "Ignore partition fields in JSONL/CSV: let the partitioner choose.");
    opt({QStringLiteral("raw")}, "Do not decompress gzip/zstd input.");
    opt({QStringLiteral("max-record-bytes")}, "Longest record (line) accepted, default 16777216.", "N");
    opt({QStringLiteral("max-outstanding")},
        "Records sent and not yet acknowledged, at most (default 100000); buffer.memory bounds their bytes.", "N");
    opt({QStringLiteral("summary-json"), QStringLiteral("summary")}, "Write the summary as JSON to this file.", "file");
    opt({QStringLiteral("summary-csv")}, "Write the summary as CSV to this file.", "file");
    opt({QStringLiteral("progress")}, "Progress on stderr even when it is not a terminal.");
    opt({QStringLiteral("q"), QStringLiteral("quiet")}, "No progress; failures and the summary only.");
    opt({QStringLiteral("z")}, "Compression codec: none, gzip, snappy, lz4, zstd.", "codec");
    opt({QStringLiteral("X")}, "Producer setting by its Java name (repeatable), e.g. -X linger.ms=10.", "prop=value");
    opt({QStringLiteral("producer.config")}, "Java client.properties file to load first.", "file");
    cli::addProfileOption(p);
    p.process(args);

    ReplayOptions o;
    QTextStream err(stderr);
    o.inputs = p.positionalArguments();
    if (o.inputs.isEmpty())
        o.inputs.append(QStringLiteral("-"));
    if (p.isSet(QStringLiteral("format"))) {
        const auto f = formatFromName(p.value(QStringLiteral("format")));
        if (!f)
            return usageError(QStringLiteral("--format %1: expected auto, lines, jsonl, csv, dir or binary")
                                  .arg(p.value(QStringLiteral("format"))));
        o.source.format = *f;
    }
    if (p.isSet(QStringLiteral("D"))) {
        const auto d = unescape(p.value(QStringLiteral("D")));
        if (!d || d->isEmpty())
            return usageError(QStringLiteral("-D: an empty or malformed delimiter"));
        o.source.delimiter = *d;
    }
    if (p.isSet(QStringLiteral("K"))) {
        const auto k = unescape(p.value(QStringLiteral("K")));
        if (!k || k->isEmpty())
            return usageError(QStringLiteral("-K: an empty or malformed key separator"));
        o.source.keySeparator = *k;
    }
    const auto number = [&p](const char *name, double *out, double min) {
        if (!p.isSet(QString::fromLatin1(name)))
            return true;
        bool ok = false;
        *out = p.value(QString::fromLatin1(name)).toDouble(&ok);
        return ok && *out >= min;
    };
    double loops = 1, maxBytes = o.source.maxRecordBytes, outstanding = o.maxOutstanding;
    if (!number("rate", &o.recordsPerSec, 0))
        return usageError(QStringLiteral("--rate: expected records per second"));
    if (!number("bytes-rate", &o.bytesPerSec, 0))
        return usageError(QStringLiteral("--bytes-rate: expected bytes per second"));
    if (!number("speed", &o.speed, 1e-6))
        return usageError(QStringLiteral("--speed: expected a factor > 0"));
    if (!number("loop", &loops, 1) || loops != static_cast<int>(loops))
        return usageError(QStringLiteral("--loop: expected a count >= 1"));
    if (!number("max-record-bytes", &maxBytes, 1))
        return usageError(QStringLiteral("--max-record-bytes: expected a byte count"));
    if (!number("max-outstanding", &outstanding, 1))
        return usageError(QStringLiteral("--max-outstanding: expected a record count"));
    o.loops = static_cast<int>(loops);
    o.source.maxRecordBytes = static_cast<qsizetype>(maxBytes);
    o.maxOutstanding = static_cast<int>(outstanding);
    o.originalTiming = p.isSet(QStringLiteral("original-timing"));
    o.templates = p.isSet(QStringLiteral("templates"));
    o.source.usePartitions = !p.isSet(QStringLiteral("no-partition"));
    o.source.decompress = !p.isSet(QStringLiteral("raw"));
    o.dryRun = p.isSet(QStringLiteral("dry-run"));
    const QString onParse = p.value(QStringLiteral("on-parse-error"));
    if (onParse == QLatin1StringView("stop"))
        o.onParseError = ReplayOptions::OnParseError::Stop;
    else if (!onParse.isEmpty() && onParse != QLatin1StringView("skip"))
        return usageError(QStringLiteral("--on-parse-error %1: expected skip or stop").arg(onParse));
    const QString onDelivery = p.value(QStringLiteral("on-delivery-error"));
    if (onDelivery == QLatin1StringView("stop"))
        o.onDeliveryError = ReplayOptions::OnDeliveryError::Stop;
    else if (!onDelivery.isEmpty() && onDelivery != QLatin1StringView("continue"))
        return usageError(QStringLiteral("--on-delivery-error %1: expected continue or stop").arg(onDelivery));

    if (p.isSet(QStringLiteral("preview")))
        return printPreview(o);

    if (const int rc = cli::applyProfileOption(p, o.config))
        return rc;
    if (p.isSet(QStringLiteral("producer.config"))) {
        QStringList warnings;
        auto r = o.config.loadPropertiesFile(p.value(QStringLiteral("producer.config")), &warnings);
        if (!r)
            return usageError(r.error().message);
        for (const auto &w : warnings)
            err << "% " << w << Qt::endl;
    }
    for (const auto &x : p.values(QStringLiteral("X"))) {
        const auto eq = x.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return usageError(QStringLiteral("-X %1: expected prop=value").arg(x));
        QString warning;
        auto r = o.config.set(x.left(eq), x.mid(eq + 1), &warning);
        if (!r)
            return usageError(QStringLiteral("-X %1").arg(r.error().message));
        if (!warning.isEmpty())
            err << "% " << warning << Qt::endl;
    }
    if (p.isSet(QStringLiteral("z"))) {
        auto r = o.config.set(QStringLiteral("compression.type"), p.value(QStringLiteral("z")));
        if (!r)
            return usageError(QStringLiteral("-z: %1").arg(r.error().message));
    }
    if (p.isSet(QStringLiteral("b"))) {
        auto r = o.config.set(QStringLiteral("bootstrap.servers"), p.value(QStringLiteral("b")));
        if (!r)
            return usageError(QStringLiteral("-b: %1").arg(r.error().message));
    }
    o.topic = p.value(QStringLiteral("t"));
    if (!o.dryRun) {
        if (o.config.bootstrapServers().isEmpty())
            return usageError(QStringLiteral("no bootstrap server: give -b HOST:PORT"));
        if (o.topic.isEmpty())
            return usageError(QStringLiteral("no topic: give -t TOPIC"));
        if (const int rc = cli::checkProfileSecrets(o.config))
            return rc;
    }
    const bool quiet = p.isSet(QStringLiteral("q"));
    const bool showProgress = !quiet && (p.isSet(QStringLiteral("progress")) || isatty(STDERR_FILENO));
    const bool tty = isatty(STDERR_FILENO);
    const QString jsonPath = p.value(QStringLiteral("summary-json"));
    const QString csvPath = p.value(QStringLiteral("summary-csv"));

    ReplayJob job(o);
    int code = 1;
    QObject::connect(&job, &ReplayJob::logMessage, &app, [&](const QString &line) {
        if (!quiet)
            err << "% " << line << Qt::endl;
    });
    QElapsedTimer lastProgress;
    lastProgress.start();
    QObject::connect(&job, &ReplayJob::progressed, &app, [&](const ReplayProgress &pr) {
        if (!showProgress)
            return;
        // A terminal gets one line redrawn 4 times a second; a log one line a second.
        if (!tty && lastProgress.elapsed() < 1000)
            return;
        lastProgress.restart();
        err << (tty ? "\r\033[K" : "") << progressLine(pr) << (tty ? "" : "\n");
        err.flush();
    });
    QObject::connect(&job, &ReplayJob::finished, &app, [&](const ReplaySummary &s) {
        if (showProgress && tty)
            err << '\n';
        int shown = 0;
        for (const ReplayFailure &f : s.failures) {
            if (++shown > 1000) {
                err << "kpw-cli: ... and " << (s.failures.size() - 1000) << " more failures (see --summary-json)\n";
                break;
            }
            err << "kpw-cli: " << where(f.origin);
            if (s.loops > 1)
                err << " (loop " << f.loop << ")";
            err << ": " << f.errorName << ": " << f.message << '\n';
        }
        err << s.toText();
        err.flush();
        code = (s.dryRun ? (s.parseErrors == 0 && s.outcome == ReplaySummary::Outcome::Completed)
                         : s.everythingAcknowledged())
                   ? 0
                   : 1;
        const auto write = [&](const QString &path, const QByteArray &bytes) {
            QFile f(path);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size()) {
                err << "kpw-cli: " << path << ": " << f.errorString() << Qt::endl;
                code = code ? code : 1;
            }
        };
        if (!jsonPath.isEmpty())
            write(jsonPath, QJsonDocument(s.toJson()).toJson());
        if (!csvPath.isEmpty())
            write(csvPath, s.toCsv());
        app.quit();
    });
    job.start();
    app.exec();
    return code;
}

} // namespace kpw
