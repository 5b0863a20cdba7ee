#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace kpw {

// The libraries this build runs with, as (name, version): Qt and OpenSSL as
// loaded at run time, the codecs (zlib, zstd, LZ4 at run time; Snappy as
// compiled in: it has no run-time query), protobuf and Avro C. For the About
// dialog and bug reports.
QList<std::pair<QString, QString>> libraryVersions();

} // namespace kpw
