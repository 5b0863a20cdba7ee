#pragma once

#include "producer/ProducerConfig.h"

#include <QCommandLineParser>
#include <QString>

namespace kpw::cli {

// Which name the properties file option has: --producer.config (produce-side
// commands), or --consumer.config for the readers (tail, offsets), which take
// --producer.config too so that one client.properties works everywhere.
enum class ConfigFileOption { Producer, Consumer };

// The connection options of the commands that read or administer a cluster
// (topics, tail, offsets): -b, -X, the properties file and --profile.
void addConnectionOptions(QCommandLineParser &p, ConfigFileOption file = ConfigFileOption::Producer);

// Builds `config` from those options: --profile first; the properties file,
// -X and -b override it, in that order. Needs a bootstrap server. Returns 0,
// or an exit code (2 for a usage error, whose hint names `command`; message
// printed). Warnings (settings kpw ignores, insecure ones) go to stderr.
int buildConnectionConfig(const QCommandLineParser &p, const QString &command, ProducerConfig &config);

} // namespace kpw::cli
