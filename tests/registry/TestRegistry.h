#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QTest>

namespace kpw::test {

// The registry the registry tests talk to: $KPW_TEST_SCHEMA_REGISTRY if set,
// else the URL that the "registry" fixture wrote to the file named by
// $KPW_TEST_SCHEMA_REGISTRY_FILE. Missing is a failure, never a skip.
inline QString schemaRegistryUrl()
{
    const QString env = qEnvironmentVariable("KPW_TEST_SCHEMA_REGISTRY");
    if (!env.isEmpty())
        return env;
    const QString file = qEnvironmentVariable("KPW_TEST_SCHEMA_REGISTRY_FILE");
    QFile f(file);
    if (file.isEmpty() || !f.open(QIODevice::ReadOnly)) {
        QTest::qFail(qPrintable(QStringLiteral("no test Schema Registry: KPW_TEST_SCHEMA_REGISTRY is unset and '%1' "
                                               "cannot be read (run through ctest, which starts the fixture)")
                                    .arg(file)),
                     __FILE__, __LINE__);
        return {};
    }
    return QString::fromUtf8(f.readAll()).trimmed();
}

} // namespace kpw::test
