// kpw-jsonschema-suite: runs kpw's JSON Schema validator (core/serde,
// valijson) over the official JSON-Schema-Test-Suite and prints the pass
// rate per draft.
//
//   kpw-jsonschema-suite [--suite DIR] [--optional] [--min DRAFT=PERCENT]... [--verbose]
//
// DIR defaults to Debian's /usr/share/json-schema-test-suite. --min makes the
// exit code 1 when a draft's rate (required tests) falls below PERCENT: the
// ctest uses it as a regression floor.

#include "serde/JsonSchema.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QTextStream>
#include <QUrl>

using namespace kpw::serde;
using json = nlohmann::json;

namespace {

struct Tally
{
    int passed = 0;
    int total = 0;
};

struct DraftDir
{
    QString dir;
    JsonSchemaValidator::Draft draft;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTextStream err(stderr);
    QString suite = QStringLiteral("/usr/share/json-schema-test-suite");
    bool optional = false;
    bool verbose = false;
    QMap<QString, double> floors;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1StringView("--suite") && i + 1 < args.size()) {
            suite = args[++i];
        } else if (args[i] == QLatin1StringView("--optional")) {
            optional = true;
        } else if (args[i] == QLatin1StringView("--verbose")) {
            verbose = true;
        } else if (args[i] == QLatin1StringView("--min") && i + 1 < args.size()) {
            const QStringList kv = args[++i].split(QLatin1Char('='));
            if (kv.size() != 2) {
                err << "--min DRAFT=PERCENT\n";
                return 2;
            }
            floors[kv[0]] = kv[1].toDouble();
        } else {
            err << "usage: kpw-jsonschema-suite [--suite DIR] [--optional] [--min DRAFT=PERCENT]... [--verbose]\n";
            return 2;
        }
    }

    // The suite's remote references (http://localhost:1234/...) are files
    // under remotes/: served from disk, no network.
    const QString remotes = suite + QStringLiteral("/remotes");
    auto fetch = [&remotes](const QString &uri) -> std::optional<QByteArray> {
        const QUrl url(uri);
        if (url.host() != QLatin1StringView("localhost") || url.port() != 1234)
            return std::nullopt;
        QFile f(remotes + url.path());
        if (!f.open(QIODevice::ReadOnly))
            return std::nullopt;
        return f.readAll();
    };

    const QList<DraftDir> drafts = {
        {QStringLiteral("draft4"), JsonSchemaValidator::Draft::Draft4},
        {QStringLiteral("draft6"), JsonSchemaValidator::Draft::Draft6},
        {QStringLiteral("draft7"), JsonSchemaValidator::Draft::Draft7},
        {QStringLiteral("draft2019-09"), JsonSchemaValidator::Draft::Draft2019_09},
        {QStringLiteral("draft2020-12"), JsonSchemaValidator::Draft::Draft2020_12},
    };
    int rc = 0;
    bool any = false;
    for (const auto &d : drafts) {
        const QDir dir(suite + QStringLiteral("/tests/") + d.dir);
        if (!dir.exists()) {
            out << d.dir << ": not in this suite\n";
            if (floors.contains(d.dir)) {
                err << d.dir << ": a floor was given but the suite has no such draft\n";
                rc = 1;
            }
            continue;
        }
        any = true;
        QStringList files;
        for (const auto &f : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
            files << dir.filePath(f);
        if (optional) {
            const QDir opt(dir.filePath(QStringLiteral("optional")));
            for (const auto &f : opt.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
                files << opt.filePath(f);
        }
        Tally tally;
        for (const auto &path : files) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            json groups;
            try {
                groups = json::parse(f.readAll().toStdString());
            } catch (const std::exception &e) {
                err << path << ": " << e.what() << '\n';
                continue;
            }
            for (const auto &group : groups) {
                const QByteArray schemaText = QByteArray::fromStdString(group["schema"].dump());
                auto validator = JsonSchemaValidator::create(schemaText, d.draft, fetch);
                for (const auto &test : group["tests"]) {
                    ++tally.total;
                    const bool expected = test["valid"].get<bool>();
                    bool passed = false;
                    QString why;
                    if (!validator) {
                        why = validator.error().toString();
                    } else {
                        const auto errors = validator.value()->validate(QByteArray::fromStdString(test["data"].dump()));
                        passed = errors.isEmpty() == expected;
                        if (!passed)
                            why = errors.isEmpty() ? QStringLiteral("accepted") : errors.front().toString();
                    }
                    if (passed)
                        ++tally.passed;
                    else if (verbose)
                        out << "  FAIL " << QFileInfo(path).fileName() << ": "
                            << QString::fromStdString(group.value("description", std::string())) << " / "
                            << QString::fromStdString(test.value("description", std::string())) << ": " << why << '\n';
                }
            }
        }
        const double rate = tally.total ? 100.0 * tally.passed / tally.total : 0.0;
        out << d.dir << ": " << tally.passed << "/" << tally.total << " passed (" << QString::number(rate, 'f', 1)
            << "%)" << (optional ? " incl. optional" : "") << '\n';
        if (floors.contains(d.dir) && rate + 1e-9 < floors[d.dir]) {
            err << d.dir << ": " << QString::number(rate, 'f', 1) << "% is below the floor of " << floors[d.dir]
                << "%\n";
            rc = 1;
        }
    }
    out.flush();
    if (!any) {
        err << suite << ": no draft folders under tests/ (install json-schema-test-suite)\n";
        return 1;
    }
    return rc;
}
