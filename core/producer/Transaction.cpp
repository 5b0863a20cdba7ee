#include "Transaction.h"

#include "wire/KafkaError.h"

namespace kpw {

QString txnStateName(TxnState state)
{
    switch (state) {
    case TxnState::Uninitialized: return QStringLiteral("UNINITIALIZED");
    case TxnState::Initializing: return QStringLiteral("INITIALIZING");
    case TxnState::Ready: return QStringLiteral("READY");
    case TxnState::InTransaction: return QStringLiteral("IN_TRANSACTION");
    case TxnState::Committing: return QStringLiteral("COMMITTING");
    case TxnState::Aborting: return QStringLiteral("ABORTING");
    case TxnState::AbortableError: return QStringLiteral("ABORTABLE_ERROR");
    case TxnState::FatalError: return QStringLiteral("FATAL_ERROR");
    }
    return QStringLiteral("?");
}

namespace {
std::optional<int> positive(const QString &text)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 0)
        return std::nullopt;
    return n;
}

std::optional<std::int16_t> errorCodeByName(const QString &text)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (ok)
        return static_cast<std::int16_t>(n);
    for (int code = -1; code < 200; ++code)
        if (KafkaError::info(static_cast<std::int16_t>(code)).name &&
            KafkaError::name(static_cast<std::int16_t>(code)).compare(text, Qt::CaseInsensitive) == 0)
            return static_cast<std::int16_t>(code);
    return std::nullopt;
}
} // namespace

std::optional<FaultSpec> FaultSpec::parse(const QString &text, QString *error)
{
    const QString name = text.section(QLatin1Char(':'), 0, 0).trimmed().toLower();
    const QString arg = text.section(QLatin1Char(':'), 1).trimmed();
    const auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("--inject %1: %2 (faults: lost-ack[:N], delay:MS, disconnect-after-send[:N], "
                                    "error:NAME)")
                         .arg(text, why);
        return std::nullopt;
    };
    FaultSpec f;
    if (name == QLatin1StringView("lost-ack") || name == QLatin1StringView("disconnect-after-send")) {
        f.kind = name == QLatin1StringView("lost-ack") ? Kind::LostAck : Kind::DisconnectAfterSend;
        if (!arg.isEmpty()) {
            const auto n = positive(arg);
            if (!n || *n < 1)
                return fail(QStringLiteral("N must be a whole number >= 1"));
            f.nth = *n;
        }
        return f;
    }
    if (name == QLatin1StringView("delay")) {
        const auto n = positive(arg);
        if (!n)
            return fail(QStringLiteral("give the delay in milliseconds, e.g. delay:500"));
        f.kind = Kind::DelayResponses;
        f.delayMs = *n;
        return f;
    }
    if (name == QLatin1StringView("error")) {
        const auto code = errorCodeByName(arg);
        if (!code || *code == 0)
            return fail(
                QStringLiteral("'%1' is not a Kafka error name or code (e.g. NOT_LEADER_OR_FOLLOWER)").arg(arg));
        f.kind = Kind::InjectError;
        f.errorCode = *code;
        return f;
    }
    return fail(QStringLiteral("unknown fault '%1'").arg(name));
}

QString FaultSpec::describe() const
{
    switch (kind) {
    case Kind::None: return QStringLiteral("no fault");
    case Kind::LostAck: return QStringLiteral("lost ack of Produce request #%1 from now").arg(nth);
    case Kind::DelayResponses: return QStringLiteral("every response delayed by %1 ms").arg(delayMs);
    case Kind::DisconnectAfterSend: return QStringLiteral("disconnect right after Produce request #%1").arg(nth);
    case Kind::InjectError:
        return QStringLiteral("the next Produce response treated as %1").arg(KafkaError::name(errorCode));
    }
    return {};
}

} // namespace kpw
