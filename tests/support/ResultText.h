#pragma once

// Header-only: usable by unit tests without linking kpw_testsupport.

#include "wire/KafkaError.h"
#include "wire/Result.h"

#include <QString>

namespace kpw::test {

// The error of a Result as text, or "" when it holds a value. For Qt Test
// messages: QVERIFY2 evaluates its message even when the check passes, so
// `QVERIFY2(r.ok(), qPrintable(r.error().message))` would throw on success.
template <typename T> QString errorText(const Result<T> &r)
{
    if (r.ok())
        return {};
    return QStringLiteral("%1: %2").arg(KafkaError::name(r.error().code), r.error().message);
}

} // namespace kpw::test
