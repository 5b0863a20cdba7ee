#include "TopicsCommand.h"

#include "ConnectionSettings.h"

#include "admin/AdminClient.h"
#include "producer/ProducerConfig.h"
#include "wire/KafkaError.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <QTimer>

namespace kpw::cli {

namespace {

const QString kCmd = QStringLiteral("topics");

int usageError(const QString &message)
{
    QTextStream(stderr) << "kpw-cli: " << message << "\n(see kpw-cli topics --help)" << Qt::endl;
    return 2;
}

QString ids(const QList<std::int32_t> &list)
{
    QStringList out;
    for (auto v : list)
        out.append(QString::number(v));
    return out.join(QLatin1Char(','));
}

QString offsetText(std::int64_t offset, std::int16_t error)
{
    if (offset >= 0)
        return QString::number(offset);
    return error != KafkaError::None ? KafkaError::name(error) : QStringLiteral("?");
}

} // namespace

int runTopics(QCoreApplication &app, const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "List, describe, create and delete topics.\n"
        "  kpw-cli topics -b HOST:PORT [--all]          one line per topic: NAME partitions=N replication=R\n"
        "  kpw-cli topics -b HOST:PORT --describe TOPIC per partition: leader, replicas, isr, earliest, latest;\n"
        "                                               then the topic's configs, '*' marking non-defaults\n"
        "  kpw-cli topics -b HOST:PORT --create TOPIC --partitions N --replication-factor R [--config k=v]...\n"
        "  kpw-cli topics -b HOST:PORT --delete TOPIC\n"
        "  kpw-cli topics --profile NAME ...             the connection of a saved profile (kpw-cli profile list)\n"
        "Exit code 0 on success, 1 when the broker refused (its error name and message on stderr) or could not "
        "be reached, 2 for a usage error."));
    p.addHelpOption();
    addConnectionOptions(p);
    p.addOption({QStringLiteral("all"), QStringLiteral("List internal topics too (__consumer_offsets, ...).")});
    p.addOption({QStringLiteral("describe"), QStringLiteral("Describe one topic."), QStringLiteral("topic")});
    p.addOption({QStringLiteral("create"), QStringLiteral("Create a topic."), QStringLiteral("topic")});
    p.addOption({QStringLiteral("partitions"),
                 QStringLiteral("With --create: partition count (default: the "
                                "broker's num.partitions)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("replication-factor"),
                 QStringLiteral("With --create: replication factor (default: the broker's)."), QStringLiteral("R")});
    p.addOption({QStringLiteral("config"), QStringLiteral("With --create: a topic config (repeatable)."),
                 QStringLiteral("k=v")});
    p.addOption({QStringLiteral("validate-only"),
                 QStringLiteral("With --create: let the broker check the request, create nothing.")});
    p.addOption({QStringLiteral("delete"), QStringLiteral("Delete a topic."), QStringLiteral("topic")});
    p.addOption({QStringLiteral("timeout-ms"), QStringLiteral("Give up after T milliseconds (default 30000)."),
                 QStringLiteral("T")});
    p.process(args);
    if (!p.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(p.positionalArguments().constFirst()));

    ProducerConfig config;
    if (const int rc = buildConnectionConfig(p, kCmd, config))
        return rc;

    const int actions = int(p.isSet(QStringLiteral("describe"))) + int(p.isSet(QStringLiteral("create"))) +
                        int(p.isSet(QStringLiteral("delete")));
    if (actions > 1)
        return usageError(QStringLiteral("give one of --describe, --create, --delete"));
    const bool creating = p.isSet(QStringLiteral("create"));
    for (const char *opt : {"partitions", "replication-factor", "config", "validate-only"})
        if (!creating && p.isSet(QLatin1String(opt)))
            return usageError(QStringLiteral("--%1 goes with --create").arg(QLatin1String(opt)));

    NewTopic newTopic;
    if (creating) {
        newTopic.name = p.value(QStringLiteral("create"));
        if (newTopic.name.isEmpty())
            return usageError(QStringLiteral("--create: the topic name is empty"));
        if (p.isSet(QStringLiteral("partitions"))) {
            bool ok = false;
            newTopic.partitions = p.value(QStringLiteral("partitions")).toInt(&ok);
            if (!ok)
                return usageError(
                    QStringLiteral("--partitions: '%1' is not a number").arg(p.value(QStringLiteral("partitions"))));
        }
        if (p.isSet(QStringLiteral("replication-factor"))) {
            bool ok = false;
            const int rf = p.value(QStringLiteral("replication-factor")).toInt(&ok);
            if (!ok || rf < INT16_MIN || rf > INT16_MAX)
                return usageError(QStringLiteral("--replication-factor: '%1' is not a number")
                                      .arg(p.value(QStringLiteral("replication-factor"))));
            newTopic.replicationFactor = static_cast<std::int16_t>(rf);
        }
        for (const auto &c : p.values(QStringLiteral("config"))) {
            const auto eq = c.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return usageError(QStringLiteral("--config %1: expected name=value").arg(c));
            newTopic.configs.append({c.left(eq).trimmed(), c.mid(eq + 1)});
        }
    }
    int timeoutMs = 30000;
    if (p.isSet(QStringLiteral("timeout-ms"))) {
        bool ok = false;
        timeoutMs = p.value(QStringLiteral("timeout-ms")).toInt(&ok);
        if (!ok || timeoutMs <= 0)
            return usageError(QStringLiteral("--timeout-ms: '%1' is not a time in milliseconds")
                                  .arg(p.value(QStringLiteral("timeout-ms"))));
    }

    AdminClient admin;
    if (auto r = admin.configure(config); !r)
        return usageError(r.error().message);

    QTextStream out(stdout);
    QTextStream err(stderr);
    int code = 1;
    bool finished = false;
    const auto finish = [&](int c) {
        if (finished)
            return;
        finished = true;
        code = c;
        app.quit();
    };
    QObject::connect(&admin, &AdminClient::failed, &app, [&](quint64, const QString &op, const Error &e) {
        err << "kpw-cli: " << op << ": " << KafkaError::name(e.code) << ": " << e.message << Qt::endl;
        finish(1);
    });
    QTimer::singleShot(timeoutMs, &app, [&] {
        err << "kpw-cli: no answer within " << timeoutMs << " ms" << Qt::endl;
        finish(1);
    });

    // The handlers run inside app.exec(), after the blocks below have ended: what
    // they need from those blocks they take by value.
    if (creating) {
        const bool validateOnly = p.isSet(QStringLiteral("validate-only"));
        QObject::connect(&admin, &AdminClient::topicCreated, &app,
                         [&, validateOnly](quint64, const CreatedTopic &t, bool) {
                             out << (validateOnly ? "valid: " : "created: ") << t.name << " partitions=" << t.partitions
                                 << " replication=" << t.replicationFactor << Qt::endl;
                             finish(0);
                         });
        admin.createTopic(newTopic, validateOnly);
    } else if (p.isSet(QStringLiteral("delete"))) {
        const QString topic = p.value(QStringLiteral("delete"));
        QObject::connect(&admin, &AdminClient::topicDeleted, &app, [&, topic](quint64, const QString &t) {
            out << "deleted: " << t << Qt::endl;
            finish(0);
        });
        admin.deleteTopic(topic);
    } else if (p.isSet(QStringLiteral("describe"))) {
        const QString topic = p.value(QStringLiteral("describe"));
        QObject::connect(
            &admin, &AdminClient::topicsDescribed, &app, [&, topic](quint64, const QList<TopicDescription> &topics) {
                const TopicDescription *t = topics.isEmpty() ? nullptr : &topics.constFirst();
                if (!t || t->errorCode != KafkaError::None) {
                    const std::int16_t c = t ? t->errorCode : KafkaError::UnknownTopicOrPartition;
                    err << "kpw-cli: " << topic << ": " << KafkaError::describe(c) << Qt::endl;
                    finish(1);
                    return;
                }
                out << t->name << " partitions=" << t->partitions.size() << " replication=" << t->replicationFactor()
                    << (t->internal ? " internal" : "") << Qt::endl;
                for (const auto &pd : t->partitions) {
                    out << "  [" << pd.partition << "] leader=" << pd.leader << " replicas=" << ids(pd.replicas)
                        << " isr=" << ids(pd.isr) << " earliest=" << offsetText(pd.earliestOffset, pd.offsetsError)
                        << " latest=" << offsetText(pd.latestOffset, pd.offsetsError)
                        << (pd.underReplicated() ? " UNDER-REPLICATED" : "") << Qt::endl;
                }
                admin.describeConfigs(topic);
            });
        QObject::connect(&admin, &AdminClient::configsDescribed, &app,
                         [&](quint64, const QString &, const QList<ConfigEntry> &configs) {
                             out << "configs ('*' = not the default):" << Qt::endl;
                             for (const auto &c : configs)
                                 out << (c.isDefault() ? "   " : " * ") << c.name << '='
                                     << (c.sensitive ? QStringLiteral("(sensitive)")
                                                     : c.value.value_or(QStringLiteral("(null)")))
                                     << "  (" << configSourceName(c.source) << ')' << Qt::endl;
                             finish(0);
                         });
        admin.describeTopics(QStringList{topic});
    } else {
        const bool all = p.isSet(QStringLiteral("all"));
        QObject::connect(
            &admin, &AdminClient::topicsDescribed, &app, [&, all](quint64, const QList<TopicDescription> &topics) {
                for (const auto &t : topics) {
                    if (t.internal && !all)
                        continue;
                    out << t.name << " partitions=" << t.partitions.size() << " replication=" << t.replicationFactor();
                    if (t.internal)
                        out << " internal";
                    if (t.errorCode != KafkaError::None)
                        out << " error=" << KafkaError::name(t.errorCode);
                    if (const int u = t.underReplicatedCount())
                        out << " under-replicated=" << u;
                    out << Qt::endl;
                }
                finish(0);
            });
        admin.describeTopics();
    }
    if (!finished)
        app.exec();
    return code;
}

} // namespace kpw::cli
