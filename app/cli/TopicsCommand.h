#pragma once

#include <QCoreApplication>
#include <QStringList>

namespace kpw::cli {

// `kpw-cli topics`: list, describe, create and delete topics through the
// AdminClient the topic browser uses. Returns the exit code.
int runTopics(QCoreApplication &app, const QStringList &args);

} // namespace kpw::cli
