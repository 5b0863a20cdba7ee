#include "ProduceCommand.h"
#include "ProfileCommand.h"
#include "TailCommand.h"
#include "TopicsCommand.h"
#include "TxnCommand.h"

#include "net/ConnectionCheck.h"
#include "ReplayCommand.h"
#include "RegistryCommand.h"
#include "SerdeOptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace kpw;

namespace {

QString g_command = QStringLiteral("produce"); // for the usage hint

int usageError(const QString &message)
{
    QTextStream(stderr) << "kpw-cli: " << message << "\n(see kpw-cli " << g_command << " --help)" << Qt::endl;
    return 2;
}

// -b, -X, --producer.config (and -z where the command has it): the settings
// every command shares. Returns 0, or the exit code of a usage error (already
// printed).
int buildConfig(const QCommandLineParser &p, ProducerConfig &config, bool hasCodecOption = true)
{
    QTextStream err(stderr);
    if (const int rc = cli::applyProfileOption(p, config))
        return rc;
    if (p.isSet(QStringLiteral("producer.config"))) {
        QStringList warnings;
        auto r = config.loadPropertiesFile(p.value(QStringLiteral("producer.config")), &warnings);
        if (!r)
            return usageError(r.error().message);
        for (const auto &w : warnings)
            err << "% " << w << Qt::endl;
    }
    for (const auto &x : p.values(QStringLiteral("X"))) {
        const auto eq = x.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return usageError(QStringLiteral("-X %1: expected prop=value").arg(x));
        if (RegistryConfig::isRegistryProperty(x.left(eq)))
            continue; // Schema Registry settings (kpw-cli registry, produce --schema-registry)
        QString warning;
        auto r = config.set(x.left(eq), x.mid(eq + 1), &warning);
        if (!r)
            return usageError(QStringLiteral("-X %1").arg(r.error().message));
        if (!warning.isEmpty())
            err << "% " << warning << Qt::endl;
    }
    if (hasCodecOption && p.isSet(QStringLiteral("z"))) {
        auto r = config.set(QStringLiteral("compression.type"), p.value(QStringLiteral("z")));
        if (!r)
            return usageError(QStringLiteral("-z: %1").arg(r.error().message));
    }
    if (p.isSet(QStringLiteral("b"))) {
        auto r = config.set(QStringLiteral("bootstrap.servers"), p.value(QStringLiteral("b")));
        if (!r)
            return usageError(QStringLiteral("-b: %1").arg(r.error().message));
    }
    if (config.bootstrapServers().isEmpty())
        return usageError(QStringLiteral("no bootstrap server: give -b HOST:PORT"));
    if (const int rc = cli::checkProfileSecrets(config))
        return rc;
    if (auto v = config.validate(); !v)
        return usageError(v.error().message);
    return 0;
}

// --inject FAULT into *fault; false (message printed) when it does not parse.
bool parseInject(const QCommandLineParser &p, std::optional<FaultSpec> *fault)
{
    if (!p.isSet(QStringLiteral("inject")))
        return true;
    QString error;
    *fault = FaultSpec::parse(p.value(QStringLiteral("inject")), &error);
    if (!*fault)
        usageError(error);
    return fault->has_value();
}

// Runs a command object (run(), finished(int)) in the event loop; its exit code.
template <typename Command> int runUntilFinished(QCoreApplication &app, Command &cmd)
{
    int code = 1;
    QObject::connect(&cmd, &Command::finished, &app, [&](int c) {
        code = c;
        app.quit();
    });
    cmd.run();
    app.exec();
    return code;
}

void addConfigOptions(QCommandLineParser &p)
{
    p.addOption({{QStringLiteral("b"), QStringLiteral("bootstrap-server")},
                 QStringLiteral("Bootstrap servers (host:port,...)."),
                 QStringLiteral("hosts")});
    p.addOption({QStringLiteral("z"), QStringLiteral("Compression codec: none, gzip, snappy, lz4, zstd."),
                 QStringLiteral("codec")});
    p.addOption({QStringLiteral("X"),
                 QStringLiteral("Producer setting by its Java name (repeatable), e.g. -X linger.ms=10."),
                 QStringLiteral("prop=value")});
    p.addOption({QStringLiteral("producer.config"), QStringLiteral("Java client.properties file to load first."),
                 QStringLiteral("file")});
    cli::addProfileOption(p);
    p.addOption({QStringLiteral("inject"),
                 QStringLiteral("Fault on the real connection: lost-ack[:N] (the N-th Produce request reaches the "
                                "broker, its answer is dropped), delay:MS, disconnect-after-send[:N], error:NAME "
                                "(the next Produce answer is treated as that error)."),
                 QStringLiteral("fault")});
}

int runProduce(QCoreApplication &app, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Produce one record per line of standard input and print one delivery report per record:\n"
        "  TOPIC [PARTITION] @ OFFSET\n"
        "Failures go to standard error with their input line number; the exit code is 1 when any record failed."));
    p.addHelpOption();
    addConfigOptions(p);
    p.addOption({{QStringLiteral("t"), QStringLiteral("topic")},
                 QStringLiteral("Topic to produce to."),
                 QStringLiteral("topic")});
    p.addOption({{QStringLiteral("p"), QStringLiteral("partition")},
                 QStringLiteral("Partition (default: chosen by the partitioner)."),
                 QStringLiteral("n")});
    p.addOption(
        {{QStringLiteral("k"), QStringLiteral("key")}, QStringLiteral("Key for every record."), QStringLiteral("key")});
    p.addOption({QStringLiteral("K"), QStringLiteral("Key separator: each line is KEY<sep>VALUE (as kcat -K)."),
                 QStringLiteral("sep")});
    p.addOption({QStringLiteral("H"), QStringLiteral("Header name=value (repeatable; name alone for a null value)."),
                 QStringLiteral("name=value")});
    p.addOption(
        {{QStringLiteral("q"), QStringLiteral("quiet")}, QStringLiteral("Print failures and the summary only.")});
    p.addOption({QStringLiteral("c"), QStringLiteral("Stop after N input lines (as kcat -c)."), QStringLiteral("N")});
    addSerdeOptions(p);
    cli::addRegistryProduceOptions(p);
    p.process(args);

    ProduceCommand::Options o;
    if (const int rc = buildConfig(p, o.config))
        return rc;
    if (!parseInject(p, &o.fault))
        return 2;
    o.topic = p.value(QStringLiteral("t"));
    if (o.topic.isEmpty())
        return usageError(QStringLiteral("no topic: give -t TOPIC"));
    if (p.isSet(QStringLiteral("p"))) {
        bool ok = false;
        o.partition = p.value(QStringLiteral("p")).toInt(&ok);
        if (!ok || o.partition < 0)
            return usageError(QStringLiteral("-p: '%1' is not a partition number").arg(p.value(QStringLiteral("p"))));
    }
    if (p.isSet(QStringLiteral("k")))
        o.key = p.value(QStringLiteral("k")).toUtf8();
    o.keySeparator = p.value(QStringLiteral("K"));
    for (const auto &h : p.values(QStringLiteral("H"))) {
        const auto eq = h.indexOf(QLatin1Char('='));
        if (eq == 0)
            return usageError(QStringLiteral("-H %1: the header name is empty").arg(h));
        if (eq < 0)
            o.headers.append({h, std::nullopt});
        else
            o.headers.append({h.left(eq), h.mid(eq + 1).toUtf8()});
    }
    o.quiet = p.isSet(QStringLiteral("q"));
    if (p.isSet(QStringLiteral("c"))) {
        bool ok = false;
        o.maxRecords = p.value(QStringLiteral("c")).toLongLong(&ok);
        if (!ok || o.maxRecords < 0)
            return usageError(QStringLiteral("-c: '%1' is not a record count").arg(p.value(QStringLiteral("c"))));
    }

    // Registry-backed keys/values first: their serializers come from the
    // registry's schema, which applySerdeOptions then leaves alone.
    if (QString registryError; !cli::applyRegistryProduceOptions(p, o, &registryError))
        return usageError(registryError);
    if (QString serdeError; !applySerdeOptions(p, o, &serdeError))
        return usageError(serdeError);

    ProduceCommand cmd(std::move(o));
    return runUntilFinished(app, cmd);
}

int runTxn(QCoreApplication &app, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Run N transactions of M records each (values txn-<i>-rec-<j>), aborting every K-th; print each state\n"
        "change of the transactional producer and a summary. Exit 1 on a fatal error (fenced included) or a\n"
        "failed call, 0 when every transaction ended as planned."));
    p.addHelpOption();
    addConfigOptions(p);
    p.addOption({{QStringLiteral("t"), QStringLiteral("topic")},
                 QStringLiteral("Topic to produce to."),
                 QStringLiteral("topic")});
    p.addOption({{QStringLiteral("p"), QStringLiteral("partition")},
                 QStringLiteral("Partition (default: chosen by the partitioner)."),
                 QStringLiteral("n")});
    p.addOption(
        {QStringLiteral("transactional-id"), QStringLiteral("transactional.id (required)."), QStringLiteral("id")});
    p.addOption(
        {QStringLiteral("transactions"), QStringLiteral("Number of transactions (default 1)."), QStringLiteral("N")});
    p.addOption({QStringLiteral("records-per-transaction"), QStringLiteral("Records in each (default 10)."),
                 QStringLiteral("M")});
    p.addOption({QStringLiteral("abort-every"), QStringLiteral("Abort every K-th transaction instead of committing."),
                 QStringLiteral("K")});
    p.addOption({QStringLiteral("send-offsets"),
                 QStringLiteral("Commit a consumer position inside each transaction (repeatable; one group)."),
                 QStringLiteral("GROUP:TOPIC:PARTITION:OFFSET")});
    p.addOption({{QStringLiteral("v"), QStringLiteral("verbose")},
                 QStringLiteral("Print every protocol call (the timeline) on standard error.")});
    p.process(args);

    TxnCommand::Options o;
    if (p.isSet(QStringLiteral("transactional-id"))) {
        if (auto r = o.config.set(QStringLiteral("transactional.id"), p.value(QStringLiteral("transactional-id"))); !r)
            return usageError(r.error().message);
    }
    if (const int rc = buildConfig(p, o.config))
        return rc;
    if (o.config.transactionalId().isEmpty())
        return usageError(QStringLiteral("no transactional id: give --transactional-id ID"));
    o.topic = p.value(QStringLiteral("t"));
    if (o.topic.isEmpty())
        return usageError(QStringLiteral("no topic: give -t TOPIC"));
    const auto number = [&](const QString &name, int min, int *out) -> bool {
        if (!p.isSet(name))
            return true;
        bool ok = false;
        *out = p.value(name).toInt(&ok);
        return ok && *out >= min;
    };
    if (!number(QStringLiteral("p"), 0, &o.partition))
        return usageError(QStringLiteral("-p: '%1' is not a partition number").arg(p.value(QStringLiteral("p"))));
    if (!number(QStringLiteral("transactions"), 1, &o.transactions))
        return usageError(QStringLiteral("--transactions: give a number >= 1"));
    if (!number(QStringLiteral("records-per-transaction"), 0, &o.recordsPerTransaction))
        return usageError(QStringLiteral("--records-per-transaction: give a number >= 0"));
    if (!number(QStringLiteral("abort-every"), 0, &o.abortEvery))
        return usageError(QStringLiteral("--abort-every: give a number >= 0"));
    for (const auto &spec : p.values(QStringLiteral("send-offsets"))) {
        const QStringList f = spec.split(QLatin1Char(':'));
        bool okP = false, okO = false;
        ConsumedOffset c;
        if (f.size() == 4) {
            c.topic = f[1];
            c.partition = f[2].toInt(&okP);
            c.offset = f[3].toLongLong(&okO);
        }
        if (f.size() != 4 || f[0].isEmpty() || c.topic.isEmpty() || !okP || !okO || c.partition < 0 || c.offset < 0)
            return usageError(QStringLiteral("--send-offsets %1: expected GROUP:TOPIC:PARTITION:OFFSET").arg(spec));
        if (!o.offsetsGroup.isEmpty() && o.offsetsGroup != f[0])
            return usageError(
                QStringLiteral("--send-offsets: one group per run (%1 and %2 given)").arg(o.offsetsGroup, f[0]));
        o.offsetsGroup = f[0];
        o.offsets.append(c);
    }
    if (!parseInject(p, &o.fault))
        return 2;
    o.verbose = p.isSet(QStringLiteral("v"));
    TxnCommand cmd(std::move(o));
    return runUntilFinished(app, cmd);
}

// kpw-cli check: "Test connection" from the command line.
int runCheck(QCoreApplication &app, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Connect to every bootstrap server with the given settings (TLS, SASL) and report what happened: TLS "
        "protocol, cipher and peer certificate, SASL mechanism and user, the cluster's brokers. Exit code 0 when "
        "every bootstrap server connected and answered."));
    p.addHelpOption();
    p.addOption({{QStringLiteral("b"), QStringLiteral("bootstrap-server")},
                 QStringLiteral("Bootstrap servers (host:port,...)."),
                 QStringLiteral("hosts")});
    p.addOption(
        {QStringLiteral("X"), QStringLiteral("Setting by its Java name (repeatable)."), QStringLiteral("prop=value")});
    p.addOption({QStringLiteral("producer.config"), QStringLiteral("Java client.properties file to load first."),
                 QStringLiteral("file")});
    cli::addProfileOption(p);
    p.process(args);
    ProducerConfig config;
    if (const int rc = buildConfig(p, config, false))
        return rc;
    ConnectionCheck check;
    QTextStream out(stdout);
    bool ok = false;
    QObject::connect(&check, &ConnectionCheck::line, &app, [&out](const QString &l) { out << l << Qt::endl; });
    QObject::connect(&check, &ConnectionCheck::finished, &app, [&](bool allOk) {
        ok = allOk;
        app.quit();
    });
    check.run(config);
    app.exec();
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kpw-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KPW_VERSION));
    const QStringList args = app.arguments();
    const QString cmd = args.size() > 1 ? args[1] : QString();
    if (cmd == QLatin1StringView("check")) {
        QStringList rest = args;
        rest.removeAt(1);
        return runCheck(app, rest);
    }
    if (cmd == QLatin1StringView("produce")) {
        QStringList rest = args;
        rest.removeAt(1);
        return runProduce(app, rest);
    }
    if (cmd == QLatin1StringView("txn")) {
        QStringList rest = args;
        rest.removeAt(1);
        g_command = cmd;
        return runTxn(app, rest);
    }
    if (cmd == QLatin1StringView("replay")) {
        QStringList rest = args;
        rest.removeAt(1);
        return runReplay(app, rest);
    }
    if (cmd == QLatin1StringView("tail") || cmd == QLatin1StringView("offsets")) {
        QStringList rest = args;
        rest.removeAt(1);
        return cmd == QLatin1StringView("tail") ? cli::runTail(app, rest) : cli::runOffsets(app, rest);
    }
    if (cmd == QLatin1StringView("registry")) {
        QStringList rest = args;
        rest.removeAt(1);
        return cli::runRegistry(app, rest);
    }
    if (cmd == QLatin1StringView("profile")) {
        QStringList rest = args;
        rest.removeAt(1);
        g_command = cmd;
        return cli::runProfile(app, rest);
    }
    if (cmd == QLatin1StringView("topics")) {
        QStringList rest = args;
        rest.removeAt(1);
        return cli::runTopics(app, rest);
    }
    if (cmd == QLatin1StringView("--version") || cmd == QLatin1StringView("-V")) {
        QTextStream(stdout) << "kpw-cli " << KPW_VERSION << Qt::endl;
        return 0;
    }
    QTextStream out(cmd.isEmpty() || cmd == QLatin1StringView("--help") || cmd == QLatin1StringView("-h") ? stdout
                                                                                                          : stderr);
    out << "Kafka Producer Workbench, headless.\n\n"
           "Usage: kpw-cli COMMAND [options]\n\n"
           "Commands:\n"
           "  produce   produce stdin lines to a topic (kpw-cli produce --help)\n"
           "  txn       run transactions: commit, abort, send offsets (kpw-cli txn --help)\n"
           "  check     test the connection: TLS, SASL, brokers (kpw-cli check --help)\n"
           "  replay    replay payload files into a topic (kpw-cli replay --help)\n"
           "  tail      print a topic's records, read_committed or not (kpw-cli tail --help)\n"
           "  offsets   a group's committed offsets, a topic's start/end (kpw-cli offsets --help)\n"
           "  registry  Schema Registry: subjects, versions, get, register, check (kpw-cli registry --help)\n"
           "  profile   saved connection profiles: list, show, import, export, delete (kpw-cli profile --help)\n"
           "  topics    list, describe, create, delete topics (kpw-cli topics --help)\n\n"
           "  --version print the version\n";
    if (!cmd.isEmpty() && cmd != QLatin1StringView("--help") && cmd != QLatin1StringView("-h")) {
        out << "\nkpw-cli: unknown command '" << cmd << "'" << Qt::endl;
        return 2;
    }
    return 0;
}
