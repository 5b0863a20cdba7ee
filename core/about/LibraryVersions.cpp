#include "about/LibraryVersions.h"

#include <QSslSocket>
#include <QtGlobal>

#include <google/protobuf/stubs/common.h>
#include <lz4.h>
#include <snappy-stubs-public.h>
#include <zlib.h>
#include <zstd.h>

namespace kpw {

QList<std::pair<QString, QString>> libraryVersions()
{
    const auto s = [](const char *text) { return QString::fromLatin1(text); };
    QString openssl = QSslSocket::sslLibraryVersionString();
    if (openssl.isEmpty())
        openssl = QStringLiteral("not loaded (built against %1)").arg(QSslSocket::sslLibraryBuildVersionString());
    return {
        {QStringLiteral("Qt"), s(qVersion())},
        {QStringLiteral("OpenSSL"), openssl},
        {QStringLiteral("zlib"), s(zlibVersion())},
        {QStringLiteral("zstd"), s(ZSTD_versionString())},
        {QStringLiteral("LZ4"), s(LZ4_versionString())},
        {QStringLiteral("Snappy"),
         QStringLiteral("%1.%2.%3").arg(SNAPPY_MAJOR).arg(SNAPPY_MINOR).arg(SNAPPY_PATCHLEVEL)},
        {QStringLiteral("protobuf"),
         QString::fromStdString(google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION))},
        {QStringLiteral("Avro C"), s(KPW_AVRO_VERSION)},
    };
}

} // namespace kpw
