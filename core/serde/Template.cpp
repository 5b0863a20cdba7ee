#include "serde/Template.h"

#include "wire/KafkaError.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

#include <limits>

namespace kpw {

namespace {

Error templateError(const QString &message)
{
    return Error{KafkaError::ClientInvalidRecord, message};
}

} // namespace

Result<Template> Template::parse(const QByteArray &text)
{
    Template t;
    qsizetype pos = 0;
    QByteArray literal;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf("{{", pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf("}}", open + 2);
        if (close < 0)
            break;
        const QByteArray name = text.mid(open + 2, close - open - 2).trimmed();
        Part part;
        bool known = true;
        if (name == "uuid") {
            part.kind = Kind::Uuid;
        } else if (name == "seq") {
            part.kind = Kind::Seq;
        } else if (name == "line") {
            part.kind = Kind::Line;
        } else if (name == "now") {
            part.kind = Kind::NowIso;
        } else if (name.startsWith("now:")) {
            const QByteArray format = name.mid(4);
            if (format.isEmpty())
                return templateError(QStringLiteral("{{now:}} needs a format, e.g. {{now:yyyy-MM-dd}}"));
            part.kind = format == "ms" ? Kind::NowMs : format == "s" ? Kind::NowS : Kind::NowFormat;
            part.text = format;
        } else if (name.startsWith("random.int")) {
            const QByteArray args = name.mid(10).trimmed();
            const QList<QByteArray> bounds = args.startsWith('(') && args.endsWith(')')
                                                 ? args.mid(1, args.size() - 2).split(',')
                                                 : QList<QByteArray>{};
            bool okLow = false;
            bool okHigh = false;
            if (bounds.size() == 2) {
                part.low = bounds[0].trimmed().toLongLong(&okLow);
                part.high = bounds[1].trimmed().toLongLong(&okHigh);
            }
            if (!okLow || !okHigh || part.low > part.high)
                return templateError(QStringLiteral("{{%1}}: expected random.int(a,b) with integers a <= b")
                                         .arg(QString::fromUtf8(name)));
            part.kind = Kind::RandomInt;
        } else {
            known = false;
        }
        if (!known) {
            literal += text.mid(pos, close + 2 - pos);
            pos = close + 2;
            continue;
        }
        literal += text.mid(pos, open - pos);
        if (!literal.isEmpty())
            t.m_parts.append(Part{Kind::Literal, literal, 0, 0});
        literal.clear();
        t.m_parts.append(part);
        t.m_hasVariables = true;
        pos = close + 2;
    }
    literal += text.mid(pos);
    if (!literal.isEmpty())
        t.m_parts.append(Part{Kind::Literal, literal, 0, 0});
    return t;
}

QByteArray Template::expand(const TemplateContext &context) const
{
    QByteArray out;
    QDateTime now;
    const auto nowUtc = [&] {
        if (!now.isValid())
            now = context.nowMs >= 0 ? QDateTime::fromMSecsSinceEpoch(context.nowMs, Qt::UTC)
                                     : QDateTime::currentDateTimeUtc();
        return now;
    };
    for (const Part &p : m_parts) {
        switch (p.kind) {
        case Kind::Literal: out += p.text; break;
        case Kind::Uuid: out += QUuid::createUuid().toByteArray(QUuid::WithoutBraces); break;
        case Kind::Seq: out += QByteArray::number(context.seq); break;
        case Kind::Line: out += QByteArray::number(context.line); break;
        case Kind::NowIso: out += nowUtc().toString(Qt::ISODateWithMs).toUtf8(); break;
        case Kind::NowMs: out += QByteArray::number(nowUtc().toMSecsSinceEpoch()); break;
        case Kind::NowS: out += QByteArray::number(nowUtc().toSecsSinceEpoch()); break;
        case Kind::NowFormat: out += nowUtc().toString(QString::fromUtf8(p.text)).toUtf8(); break;
        case Kind::RandomInt: {
            // bounded() takes an exclusive upper bound; the span may not fit qint64.
            const quint64 span = static_cast<quint64>(p.high) - static_cast<quint64>(p.low);
            const quint64 r = span == std::numeric_limits<quint64>::max()
                                  ? QRandomGenerator::global()->generate64()
                                  : QRandomGenerator::global()->bounded(span + 1);
            out += QByteArray::number(static_cast<qint64>(static_cast<quint64>(p.low) + r));
            break;
        }
        }
    }
    return out;
}

Result<bool> Template::expandInPlace(std::optional<QByteArray> &bytes, const TemplateContext &context)
{
    if (!bytes || !bytes->contains("{{"))
        return false;
    Result<Template> t = parse(*bytes);
    if (!t)
        return t.error();
    if (!t->hasVariables())
        return false;
    bytes = t->expand(context);
    return true;
}

} // namespace kpw
