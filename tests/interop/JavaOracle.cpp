#include "JavaOracle.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace kpw::test::interop {
namespace {

QString javaExecutable()
{
    const QString java = qEnvironmentVariable("JAVA");
    if (!java.isEmpty())
        return java;
    const QString home = qEnvironmentVariable("JAVA_HOME");
    if (!home.isEmpty()) {
        const QString candidate = QDir(home).filePath(QStringLiteral("bin/java"));
        if (QFileInfo(candidate).isExecutable())
            return candidate;
    }
    return QStandardPaths::findExecutable(QStringLiteral("java"));
}

QString tail(const QByteArray &text, int maxLines = 25)
{
    QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() > maxLines)
        lines = lines.mid(lines.size() - maxLines);
    return lines.join(QLatin1Char('\n'));
}

// `kafka-fixture classpath`, once per process (about a second when Maven's
// offline resolution hits its cache).
QString kafkaClasspath(QString *problem)
{
    static QString cached;
    if (!cached.isEmpty())
        return cached;
    const QString fixture = QStringLiteral(KPW_KAFKA_FIXTURE);
    if (fixture.isEmpty() || !QFileInfo(fixture).isExecutable()) {
        *problem = QStringLiteral("the Kafka fixture script '%1' is missing (KPW_KAFKA_FIXTURE from tests/kafka)")
                       .arg(fixture);
        return {};
    }
    QProcess p;
    p.start(fixture, {QStringLiteral("classpath")});
    if (!p.waitForStarted(30000)) {
        *problem = QStringLiteral("cannot run %1 classpath: %2").arg(fixture, p.errorString());
        return {};
    }
    // Resolving the jars from Maven Central the first time takes a while.
    if (!p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished(5000);
        *problem = QStringLiteral("%1 classpath did not finish within 300 s").arg(fixture);
        return {};
    }
    const QByteArray out = p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QString cp;
    for (const QByteArray &line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            cp = QString::fromUtf8(line.trimmed());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0 || cp.isEmpty()) {
        *problem = QStringLiteral("%1 classpath failed (exit %2): %3").arg(fixture).arg(p.exitCode()).arg(tail(err));
        return {};
    }
    cached = cp;
    return cached;
}

} // namespace

QString JavaRun::summary() const
{
    if (!problem.isEmpty())
        return QStringLiteral("JavaReadBack did not run: %1\n%2").arg(problem, err);
    return QStringLiteral("JavaReadBack exit code %1; stderr:\n%2").arg(exitCode).arg(err);
}

JavaRun runJavaReadBack(const QStringList &args, const QByteArray &input, int timeoutMs)
{
    JavaRun run;
    const QString java = javaExecutable();
    if (java.isEmpty()) {
        run.problem = QStringLiteral("no java (JAVA, JAVA_HOME or PATH): install a JDK 17+ (scripts/install-deps)");
        return run;
    }
    const QString source = QStringLiteral(KPW_JAVA_READBACK);
    if (!QFileInfo::exists(source)) {
        run.problem = QStringLiteral("%1 does not exist").arg(source);
        return run;
    }
    const QString cp = kafkaClasspath(&run.problem);
    if (cp.isEmpty())
        return run;

    // A small, quickly starting JVM: the program reads a few MB at most.
    QStringList javaArgs = {QStringLiteral("-Xmx256m"),
                            QStringLiteral("-XX:+UseSerialGC"),
                            QStringLiteral("-XX:TieredStopAtLevel=1"),
                            QStringLiteral("-Djava.awt.headless=true"),
                            QStringLiteral("-cp"),
                            cp,
                            source};
    javaArgs += args;

    QProcess p;
    p.start(java, javaArgs);
    if (!p.waitForStarted(30000)) {
        run.problem = QStringLiteral("cannot start %1: %2").arg(java, p.errorString());
        return run;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(10000);
        run.problem = QStringLiteral("%1 did not finish within %2 ms").arg(java).arg(timeoutMs);
        run.err = tail(p.readAllStandardError());
        return run;
    }
    run.err = tail(p.readAllStandardError());
    if (p.exitStatus() != QProcess::NormalExit) {
        run.problem = QStringLiteral("%1 crashed").arg(java);
        return run;
    }
    run.ran = true;
    run.exitCode = p.exitCode();
    const QByteArray out = p.readAllStandardOutput();
    for (const QByteArray &line : out.split('\n'))
        if (!line.isEmpty())
            run.out.append(line);
    return run;
}

std::optional<QByteArray> decodeNullableBase64(const QByteArray &field, bool *ok)
{
    if (field == "-") {
        *ok = true;
        return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(field, QByteArray::AbortOnBase64DecodingErrors);
    *ok = decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok;
    return QByteArray(decoded.decoded.isNull() ? QByteArray("") : decoded.decoded);
}

QList<JavaRecord> parseRecords(const QList<QByteArray> &lines, QString *error)
{
    QList<JavaRecord> records;
    for (const QByteArray &line : lines) {
        if (!line.startsWith("R\t"))
            continue;
        const QList<QByteArray> f = line.split('\t'); // empty fields kept: "" is an empty key or value
        bool ok = f.size() >= 8;
        JavaRecord r;
        if (ok) {
            bool a = false, b = false, c = false;
            r.topic = QString::fromUtf8(f[1]);
            r.partition = f[2].toInt(&a);
            r.offset = f[3].toLongLong(&b);
            r.timestampMs = f[4].toLongLong(&c);
            ok = a && b && c && (f[5] == "CreateTime" || f[5] == "LogAppendTime");
            r.logAppendTime = f[5] == "LogAppendTime";
        }
        if (ok) {
            bool a = false, b = false;
            r.key = decodeNullableBase64(f[6], &a);
            r.value = decodeNullableBase64(f[7], &b);
            ok = a && b;
        }
        for (qsizetype i = 8; ok && i < f.size(); ++i) {
            const qsizetype colon = f[i].indexOf(':');
            ok = colon >= 0;
            if (!ok)
                break;
            bool a = false, b = false;
            const auto name = decodeNullableBase64(f[i].left(colon), &a);
            RecordHeader h;
            h.key = QString::fromUtf8(name.value_or(QByteArray()));
            h.value = decodeNullableBase64(f[i].mid(colon + 1), &b);
            ok = a && b && name.has_value();
            r.headers.append(std::move(h));
        }
        if (!ok) {
            if (error && error->isEmpty())
                *error = QStringLiteral("malformed JavaReadBack line: %1").arg(QString::fromUtf8(line.left(200)));
            continue;
        }
        records.append(std::move(r));
    }
    return records;
}

} // namespace kpw::test::interop
