#include "ui/RecordCommands.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QStringList>

namespace kpw::RecordCommands {
namespace {

bool isUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    return !decoder.hasError() && !text.contains(QChar(0));
}

void putBytes(QJsonObject &o, const QString &name, const std::optional<QByteArray> &bytes)
{
    if (!bytes)
        o.insert(name, QJsonValue::Null);
    else if (isUtf8(*bytes))
        o.insert(name, QString::fromUtf8(*bytes));
    else
        o.insert(name + QStringLiteral("_b64"), QString::fromLatin1(bytes->toBase64()));
}

QString commonOptions(const QString &bootstrap, const ProducerRecord &record)
{
    QString out = QStringLiteral(" -b %1 -t %2").arg(shellQuote(bootstrap), shellQuote(record.topic));
    if (record.partition >= 0)
        out += QStringLiteral(" -p %1").arg(record.partition);
    return out;
}

} // namespace

QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QByteArray replayJsonLine(const ProducerRecord &record)
{
    QJsonObject o;
    putBytes(o, QStringLiteral("key"), record.key);
    putBytes(o, QStringLiteral("value"), record.value);
    if (record.partition >= 0)
        o.insert(QStringLiteral("partition"), record.partition);
    if (record.timestampMs)
        o.insert(QStringLiteral("timestamp"), qint64(*record.timestampMs));
    if (!record.headers.isEmpty()) {
        QJsonArray headers;
        for (const RecordHeader &header : record.headers) {
            QJsonObject h;
            h.insert(QStringLiteral("key"), header.key);
            putBytes(h, QStringLiteral("value"), header.value);
            headers.append(h);
        }
        o.insert(QStringLiteral("headers"), headers);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString kpwCli(const QString &bootstrap, const ProducerRecord &record)
{
    const auto oneLine = [](const std::optional<QByteArray> &bytes) {
        return bytes && isUtf8(*bytes) && !bytes->contains('\n') && !bytes->contains('\r');
    };
    bool simple = oneLine(record.value) && (!record.key || oneLine(record.key)) && !record.timestampMs;
    for (const RecordHeader &header : record.headers)
        simple = simple && !header.key.contains(QLatin1Char('=')) && !header.key.isEmpty() &&
                 (!header.value || oneLine(header.value));
    if (simple) {
        QString out =
            QStringLiteral("printf '%s\\n' %1 | kpw-cli produce").arg(shellQuote(QString::fromUtf8(*record.value)));
        out += commonOptions(bootstrap, record);
        if (record.key)
            out += QStringLiteral(" -k %1").arg(shellQuote(QString::fromUtf8(*record.key)));
        for (const RecordHeader &header : record.headers) {
            const QString spec =
                header.value ? header.key + QLatin1Char('=') + QString::fromUtf8(*header.value) : header.key;
            out += QStringLiteral(" -H %1").arg(shellQuote(spec));
        }
        return out;
    }
    // The JSONL line carries the partition itself; -p would apply to all.
    QString out =
        QStringLiteral("printf '%s\\n' %1 | kpw-cli replay").arg(shellQuote(QString::fromUtf8(replayJsonLine(record))));
    out += QStringLiteral(" -b %1 -t %2").arg(shellQuote(bootstrap), shellQuote(record.topic));
    return out;
}

QString kcat(const QString &bootstrap, const ProducerRecord &record, QString *why)
{
    const auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return QString();
    };
    if (record.key && (!isUtf8(*record.key) || record.key->contains('\n')))
        return fail(QStringLiteral("kcat -k takes a one-line text key"));
    if (record.key && record.key->isEmpty())
        return fail(QStringLiteral("kcat sends an empty -k as no key at all"));
    if (record.value && !isUtf8(*record.value))
        return fail(QStringLiteral("the value is not text"));
    if (record.value && record.value->isEmpty())
        return fail(QStringLiteral("kcat skips an empty message (only -Z null ones are sent)"));
    for (const RecordHeader &header : record.headers) {
        if (!header.value)
            return fail(QStringLiteral("kcat -H cannot send a null header value"));
        if (header.key.contains(QLatin1Char('=')) || header.value->contains('\n'))
            return fail(QStringLiteral("kcat -H takes name=value on one line"));
    }
    const QByteArray value = record.value.value_or(QByteArray());
    const bool multiLine = value.contains('\n');
    if (multiLine && value.contains('\x01'))
        return fail(QStringLiteral("the value holds both newlines and \\x01"));

    QString out;
    if (!record.value) {
        // kcat's tombstone idiom: KEY<tab> with an empty value, which -Z sends as null.
        if (!record.key || record.key->contains('\t'))
            return fail(QStringLiteral("kcat sends a tombstone only with a key (without tabs)"));
        out = QStringLiteral("printf '%s\\t\\n' %1 | kcat -P -Z -K '\\t'")
                  .arg(shellQuote(QString::fromUtf8(*record.key)));
    } else if (multiLine) {
        out = QStringLiteral("printf '%s\\001' %1 | kcat -P -D '\\x01'").arg(shellQuote(QString::fromUtf8(value)));
    } else {
        out = QStringLiteral("printf '%s\\n' %1 | kcat -P").arg(shellQuote(QString::fromUtf8(value)));
    }
    out += commonOptions(bootstrap, record);
    if (record.key && record.value)
        out += QStringLiteral(" -k %1").arg(shellQuote(QString::fromUtf8(*record.key)));
    for (const RecordHeader &header : record.headers)
        out +=
            QStringLiteral(" -H %1").arg(shellQuote(header.key + QLatin1Char('=') + QString::fromUtf8(*header.value)));
    return out;
}

} // namespace kpw::RecordCommands
