#pragma once

#include <QCoreApplication>
#include <QStringList>

namespace kpw::cli {

// `kpw-cli tail`: one line per record (and per transaction marker) of a topic,
// read with an isolation level. Returns the exit code.
int runTail(QCoreApplication &app, const QStringList &args);
// `kpw-cli offsets`: a group's committed offsets, or a topic's earliest,
// latest and last stable offsets.
int runOffsets(QCoreApplication &app, const QStringList &args);

} // namespace kpw::cli
