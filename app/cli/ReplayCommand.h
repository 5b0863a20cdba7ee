#pragma once

#include <QCoreApplication>
#include <QStringList>

namespace kpw {

// `kpw-cli replay`: replays payload files into a topic (see --help). Returns
// the exit code: 0 only when every record was acknowledged (a dry run: when
// every record parsed), 1 otherwise, 2 for a usage error.
int runReplay(QCoreApplication &app, const QStringList &args);

} // namespace kpw
