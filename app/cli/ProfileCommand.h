#pragma once

#include "producer/ProducerConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStringList>

namespace kpw::cli {

// --profile NAME for every command that takes producer settings.
void addProfileOption(QCommandLineParser &p);

// Applies --profile (when given) to config: its settings, then its secrets
// from the system keychain, or from KPW_<KEY> environment variables
// (KPW_SASL_PASSWORD, KPW_SSL_KEY_PASSWORD, ...), which win. Call before
// --producer.config and -X, which override it, then checkProfileSecrets().
// Returns 0 or an exit code (message printed).
int applyProfileOption(const QCommandLineParser &p, ProducerConfig &config);
// After the overrides: when the keychain could not be read and a secret the
// profile needs is still missing, says so (and how to give it) and returns 1.
int checkProfileSecrets(const ProducerConfig &config);

// kpw-cli profile list|show|import|export|delete
int runProfile(QCoreApplication &app, const QStringList &args);

} // namespace kpw::cli
