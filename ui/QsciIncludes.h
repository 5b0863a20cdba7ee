#pragma once

// QScintilla's headers still spell `signals:` and `slots:`, which
// QT_NO_KEYWORDS removes; lend them the keywords for the include only.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#include <Qsci/qscilexercpp.h>
#include <Qsci/qscilexerjson.h>
#include <Qsci/qsciscintilla.h>
#undef signals
#undef slots
