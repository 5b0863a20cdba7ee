// Replay sources: every parser (lines, JSONL, CSV, directory, binary, gzip and
// zstd input), hostile input (bad lines, huge lines, truncated streams),
// message templates and the pacer.

#include "records/Compression.h"
#include "replay/Pacer.h"
#include "replay/RecordSource.h"
#include "serde/Template.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace kpw;

namespace {

struct Read
{
    QList<SourceRecord> records;
    QList<SourceError> errors;
};

Read readAll(const QStringList &inputs, ReplaySourceOptions options = {})
{
    Read out;
    RecordSource source(inputs, options);
    for (int guard = 0; guard < 1000000; ++guard) {
        SourceRecord r;
        SourceError e;
        const auto s = source.next(&r, &e);
        if (s == RecordSource::Status::End)
            break;
        if (s == RecordSource::Status::Error)
            out.errors.append(e);
        else
            out.records.append(r);
    }
    return out;
}

QList<QByteArray> values(const Read &r)
{
    QList<QByteArray> v;
    for (const auto &s : r.records)
        v.append(s.record.value.value_or("<null>"));
    return v;
}

QList<std::uint64_t> lines(const Read &r)
{
    QList<std::uint64_t> v;
    for (const auto &s : r.records)
        v.append(s.origin.line);
    return v;
}

} // namespace

class TstReplaySources final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void linesLfCrlfAndLastLine()
    {
        const QString p = write(QStringLiteral("a.txt"), "one\r\ntwo\n\nthree\r\nfour");
        const Read r = readAll({p});
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(values(r), (QList<QByteArray>{"one", "two", "", "three", "four"}));
        QCOMPARE(lines(r), (QList<std::uint64_t>{1, 2, 3, 4, 5}));
        QCOMPARE(r.records.first().format, ReplayFormat::Lines);
        QVERIFY(!r.records.first().record.key);
    }
    void trailingNewlineMakesNoEmptyRecord()
    {
        const Read r = readAll({write(QStringLiteral("b.txt"), "x\ny\n")});
        QCOMPARE(values(r), (QList<QByteArray>{"x", "y"}));
    }
    void customDelimiterAndKeySeparator()
    {
        ReplaySourceOptions o;
        o.delimiter = "||";
        o.keySeparator = "::";
        // A multi-line record keeps its line breaks; the line of the next
        // record counts them.
        const Read r = readAll({write(QStringLiteral("c.txt"), "k1::v1||no key||k3::a\nb::c||")}, o);
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(values(r), (QList<QByteArray>{"v1", "no key", "a\nb::c"}));
        QCOMPARE(r.records[0].record.key, std::optional<QByteArray>("k1"));
        QVERIFY(!r.records[1].record.key);
        QCOMPARE(r.records[2].record.key, std::optional<QByteArray>("k3"));
    }
    void delimiterAcrossChunkBoundary()
    {
        // The 3-byte delimiter straddles the reader's 256 KiB chunk edge.
        ReplaySourceOptions o;
        o.delimiter = "@@@";
        QByteArray data(InputStream::kChunk - 1, 'a');
        data += "@@@tail";
        const Read r = readAll({write(QStringLiteral("d.txt"), data)}, o);
        QCOMPARE(r.records.size(), 2);
        QCOMPARE(r.records[0].record.value->size(), InputStream::kChunk - 1);
        QCOMPARE(*r.records[1].record.value, QByteArray("tail"));
    }
    void hugeLineIsBoundedAndReported()
    {
        ReplaySourceOptions o;
        o.maxRecordBytes = 1000;
        QByteArray data = "short\n" + QByteArray(3 * InputStream::kChunk + 17, 'x') + "\nafter\n" +
                          QByteArray(1001, 'y') + "\n" + QByteArray(1000, 'z') + "\n" + QByteArray(5000, 'w');
        const Read r = readAll({write(QStringLiteral("huge.txt"), data)}, o);
        QCOMPARE(values(r).size(), 3);
        QCOMPARE(values(r)[0], QByteArray("short"));
        QCOMPARE(values(r)[1], QByteArray("after"));
        QCOMPARE(values(r)[2], QByteArray(1000, 'z'));
        QCOMPARE(lines(r), (QList<std::uint64_t>{1, 3, 5}));
        QCOMPARE(r.errors.size(), 3);
        QCOMPARE(r.errors[0].origin.line, std::uint64_t(2));
        QCOMPARE(r.errors[1].origin.line, std::uint64_t(4));
        QCOMPARE(r.errors[2].origin.line, std::uint64_t(6));
        QVERIFY2(r.errors[0].message.contains(QLatin1StringView("longer than 1000 bytes")),
                 qPrintable(r.errors[0].message));
        QVERIFY(!r.errors[0].fatal);
    }
    void jsonlKcatOutput()
    {
        // What `kcat -C -J` prints, with a null key and a null header value.
        const QByteArray data =
            R"({"topic":"t","partition":2,"offset":7,"tstype":"create","ts":1700000000123,"broker":1,"headers":["h","1","h","2","n",null],"key":"k","payload":"v"})"
            "\n"
            R"({"topic":"t","partition":0,"offset":8,"tstype":"create","ts":1700000000124,"broker":1,"key":null,"payload":null})"
            "\n";
        const Read r = readAll({write(QStringLiteral("kcat.jsonl"), data)});
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(r.records.size(), 2);
        const ProducerRecord &a = r.records[0].record;
        QCOMPARE(a.key, std::optional<QByteArray>("k"));
        QCOMPARE(a.value, std::optional<QByteArray>("v"));
        QCOMPARE(a.partition, 2);
        QCOMPARE(a.timestampMs, std::optional<std::int64_t>(1700000000123));
        QCOMPARE(a.headers,
                 (QList<RecordHeader>{
                     {QStringLiteral("h"), "1"}, {QStringLiteral("h"), "2"}, {QStringLiteral("n"), std::nullopt}}));
        QVERIFY(!r.records[1].record.key);
        QVERIFY(!r.records[1].record.value);
    }
    void jsonlValueKinds()
    {
        const QByteArray data =
            R"({"value":{"a":[1,2]},"key":42})"
            "\n\n  \n"
            R"({"value_b64":"AAH/","key_b64":"a2V5","headers":{"x":"y"}})"
            "\n"
            R"({"value":"plain","headers":[{"key":"r","value":"1"},{"key":"r","value_b64":"Mg=="}],"timestamp":"2024-01-02T03:04:05.006Z"})"
            "\n";
        ReplaySourceOptions o;
        o.usePartitions = false;
        const Read r = readAll({write(QStringLiteral("kinds.ndjson"), data)}, o);
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(values(r), (QList<QByteArray>{R"({"a":[1,2]})", QByteArray("\x00\x01\xff", 3), "plain"}));
        QCOMPARE(lines(r), (QList<std::uint64_t>{1, 4, 5}));
        QCOMPARE(r.records[0].record.key, std::optional<QByteArray>("42"));
        QCOMPARE(r.records[1].record.key, std::optional<QByteArray>("key"));
        QCOMPARE(r.records[2].record.headers,
                 (QList<RecordHeader>{{QStringLiteral("r"), "1"}, {QStringLiteral("r"), "2"}}));
        QCOMPARE(r.records[2].record.timestampMs, std::optional<std::int64_t>(1704164645006));
    }
    void jsonlBadLinesNameTheirLine_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{nope") << QStringLiteral("not JSON");
        QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("JSON object");
        QTest::newRow("bad base64") << QByteArray(R"({"value_b64":"!!"})") << QStringLiteral("base64");
        QTest::newRow("odd headers") << QByteArray(R"({"value":"v","headers":["a"]})") << QStringLiteral("pairs");
        QTest::newRow("partition") << QByteArray(R"({"value":"v","partition":"x"})") << QStringLiteral("partition");
        QTest::newRow("timestamp") << QByteArray(R"({"value":"v","timestamp":true})") << QStringLiteral("timestamp");
        QTest::newRow("kcat error") << QByteArray(R"({"key":null,"key_error":"avro: bad"})")
                                    << QStringLiteral("key_error");
    }
    void jsonlBadLinesNameTheirLine()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, message);
        const Read r =
            readAll({write(QStringLiteral("bad.jsonl"), "{\"value\":\"ok\"}\n" + line + "\n{\"value\":\"ok2\"}\n")});
        QCOMPARE(values(r), (QList<QByteArray>{"ok", "ok2"}));
        QCOMPARE(r.errors.size(), 1);
        QCOMPARE(r.errors[0].origin.line, std::uint64_t(2));
        QVERIFY(r.errors[0].origin.file.endsWith(QLatin1StringView("bad.jsonl")));
        QVERIFY2(r.errors[0].message.contains(message), qPrintable(r.errors[0].message));
    }
    void csvWithQuotesAndHeaders()
    {
        const QByteArray data = "key,value,partition,timestamp,trace\r\n"
                                "k1,\"a, \"\"quoted\"\"\nvalue\",1,1700000000000,t1\r\n"
                                ",plain,,,t2\n"
                                "too,few\n"
                                "k4,v4,,,t4";
        const Read r = readAll({write(QStringLiteral("x.csv"), data)});
        QCOMPARE(values(r), (QList<QByteArray>{"a, \"quoted\"\nvalue", "plain", "v4"}));
        QCOMPARE(lines(r), (QList<std::uint64_t>{2, 4, 6}));
        QCOMPARE(r.records[0].record.key, std::optional<QByteArray>("k1"));
        QCOMPARE(r.records[0].record.partition, 1);
        QCOMPARE(r.records[0].record.timestampMs, std::optional<std::int64_t>(1700000000000));
        QCOMPARE(r.records[0].record.headers, (QList<RecordHeader>{{QStringLiteral("trace"), "t1"}}));
        QVERIFY(!r.records[1].record.key);
        QCOMPARE(r.records[1].record.partition, -1);
        QCOMPARE(r.errors.size(), 1);
        QCOMPARE(r.errors[0].origin.line, std::uint64_t(5));
        QVERIFY(r.errors[0].message.contains(QLatin1StringView("2 fields")));
    }
    void csvHostile()
    {
        QCOMPARE(readAll({write(QStringLiteral("nov.csv"), "key,payload\na,b\n")})
                     .errors.value(0)
                     .message.contains(QLatin1StringView("\"value\" column")),
                 true);
        const Read unclosed = readAll({write(QStringLiteral("unc.csv"), "value\n\"never closed\n")});
        QCOMPARE(unclosed.errors.size(), 1);
        QVERIFY(unclosed.errors[0].fatal);
        QCOMPARE(unclosed.errors[0].origin.line, std::uint64_t(2));
        const Read stray = readAll({write(QStringLiteral("stray.csv"), "value\nab\"c\n")});
        QVERIFY(stray.errors.value(0).message.contains(QLatin1StringView("quote")));
        ReplaySourceOptions o;
        o.maxRecordBytes = 100;
        const Read huge =
            readAll({write(QStringLiteral("huge.csv"), "value\n\"" + QByteArray(InputStream::kChunk * 2, 'q'))}, o);
        QCOMPARE(huge.records.size(), 0);
        QVERIFY(huge.errors.value(0).message.contains(QLatin1StringView("longer than 100")));
    }
    void directoryInNameOrderAndBinary()
    {
        QDir(m_dir.path()).mkdir(QStringLiteral("dir"));
        write(QStringLiteral("dir/b.bin"), QByteArray("\x00\x01second", 8));
        write(QStringLiteral("dir/a.bin"), "first");
        write(QStringLiteral("dir/c.json"), "{\"not\":\"parsed\"}");
        const Read r = readAll({m_dir.filePath(QStringLiteral("dir"))});
        QVERIFY(r.errors.isEmpty());
        QCOMPARE(values(r), (QList<QByteArray>{"first", QByteArray("\x00\x01second", 8), "{\"not\":\"parsed\"}"}));
        QVERIFY(r.records[0].origin.file.endsWith(QLatin1StringView("a.bin")));
        QCOMPARE(r.records[0].format, ReplayFormat::Dir);
        const QByteArray blob("\x89PNG\r\n\x1a\n\x00\x00line\nmore", 18);
        const Read b = readAll({write(QStringLiteral("one.bin"), blob)});
        QCOMPARE(values(b), QList<QByteArray>{blob});
        QCOMPARE(b.records[0].format, ReplayFormat::Binary);
        ReplaySourceOptions o;
        o.format = ReplayFormat::Dir;
        QVERIFY(readAll({m_dir.filePath(QStringLiteral("one.bin"))}, o).errors.value(0).fatal);
    }
    void gzipAndZstdAreReadTransparently()
    {
        QByteArray plain;
        for (int i = 1; i <= 50000; ++i)
            plain += "line " + QByteArray::number(i) + "\n";
        auto gz = Codec::compress(Compression::Gzip, plain.left(plain.size() / 2));
        auto gz2 = Codec::compress(Compression::Gzip, plain.mid(plain.size() / 2));
        auto zs = Codec::compress(Compression::Zstd, plain);
        QVERIFY(gz && gz2 && zs);
        // Concatenated gzip members are one stream, as gzip -d reads them.
        const QList<std::pair<QString, QByteArray>> files{{QStringLiteral("x.log"), *gz + *gz2},
                                                          {QStringLiteral("y.zst"), *zs}};
        for (const auto &[name, bytes] : files) {
            const Read r = readAll(QStringList{write(name, bytes)});
            QVERIFY(r.errors.isEmpty());
            QCOMPARE(r.records.size(), 50000);
            QCOMPARE(*r.records.last().record.value, QByteArray("line 50000"));
            QCOMPARE(r.records.last().origin.line, std::uint64_t(50000));
        }
        ReplaySourceOptions raw;
        raw.decompress = false;
        raw.format = ReplayFormat::Binary;
        QCOMPARE(values(readAll({m_dir.filePath(QStringLiteral("y.zst"))}, raw)), QList<QByteArray>({*zs}));
        // Truncated and corrupt streams are errors, not short files.
        const Read cut = readAll(QStringList{write(QStringLiteral("cut.gz"), gz->left(gz->size() - 10))});
        QCOMPARE(cut.errors.size(), 1);
        QVERIFY2(cut.errors[0].message.contains(QLatin1StringView("truncated")), qPrintable(cut.errors[0].message));
        // A zstd magic followed by garbage, and a zstd stream cut short.
        const QByteArray bad = zs->left(4) + QByteArray(64, '\xee');
        const Read corrupt = readAll({write(QStringLiteral("bad.zst"), bad)});
        QVERIFY(!corrupt.errors.isEmpty());
        QVERIFY(corrupt.errors[0].message.contains(QLatin1StringView("zstd")));
        const Read cutZstd = readAll(QStringList{write(QStringLiteral("cut.zst"), zs->left(zs->size() / 2))});
        QVERIFY(!cutZstd.errors.isEmpty());
    }
    void detection_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<ReplayFormat>("format");
        QTest::newRow("jsonl ext") << QStringLiteral("a.jsonl") << QByteArray("x") << ReplayFormat::Jsonl;
        QTest::newRow("json.gz") << QStringLiteral("a.json.gz") << QByteArray("x") << ReplayFormat::Jsonl;
        QTest::newRow("csv") << QStringLiteral("a.CSV") << QByteArray("x") << ReplayFormat::Csv;
        QTest::newRow("brace") << QStringLiteral("a.log") << QByteArray("  {\"v\":1}\n") << ReplayFormat::Jsonl;
        QTest::newRow("text") << QStringLiteral("-") << QByteArray("héllo\n") << ReplayFormat::Lines;
        QTest::newRow("nul") << QStringLiteral("a.log") << QByteArray("ab\0c", 4) << ReplayFormat::Binary;
        QTest::newRow("not utf8") << QStringLiteral("a") << QByteArray("\xff\xfe\x80") << ReplayFormat::Binary;
    }
    void detection()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, head);
        QFETCH(ReplayFormat, format);
        QCOMPARE(RecordSource::detect(name, head), format);
    }
    void missingFileIsFatalAndOthersGoOn()
    {
        const QString ok = write(QStringLiteral("ok.txt"), "v\n");
        const Read r = readAll({m_dir.filePath(QStringLiteral("nope.txt")), ok});
        QCOMPARE(r.errors.size(), 1);
        QVERIFY(r.errors[0].fatal);
        QCOMPARE(values(r), QList<QByteArray>{"v"});
    }

    void templates()
    {
        auto t = Template::parse("id={{uuid}} n={{seq}} l={{ line }} t={{now:ms}} d={{now:yyyy}} r={{random.int(3,5)}} "
                                 "keep={{unknown}} iso={{now}}");
        QVERIFY(t);
        QVERIFY(t->hasVariables());
        const QByteArray out = t->expand({7, 42, 1700000000123});
        const QRegularExpression re(QStringLiteral(
            "^id=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} n=7 l=42 t=1700000000123 d=2023 r=[345] "
            "keep=\\{\\{unknown\\}\\} iso=2023-11-14T22:13:20.123Z$"));
        QVERIFY2(re.match(QString::fromUtf8(out)).hasMatch(), out.constData());
        // Two uuids differ; random.int covers its range and no more.
        auto u = Template::parse("{{uuid}}");
        QVERIFY(u->expand({}) != u->expand({}));
        auto r = Template::parse("{{random.int(-2,2)}}");
        QSet<int> seen;
        for (int i = 0; i < 2000; ++i)
            seen.insert(r->expand({}).toInt());
        QCOMPARE(seen, (QSet<int>{-2, -1, 0, 1, 2}));
        QVERIFY(!Template::parse("{{random.int(5,1)}}"));
        QVERIFY(!Template::parse("{{random.int(a,b)}}"));
        QVERIFY(!Template::parse("{{now:}}"));
        auto plain = Template::parse("no vars {{ at all");
        QVERIFY(plain && !plain->hasVariables());
        QCOMPARE(plain->expand({}), QByteArray("no vars {{ at all"));
        std::optional<QByteArray> v = QByteArray("c-{{seq}}");
        QVERIFY(*Template::expandInPlace(v, {3, 0, -1}));
        QCOMPARE(v, std::optional<QByteArray>("c-3"));
        std::optional<QByteArray> none;
        QVERIFY(!*Template::expandInPlace(none, {}));
    }

    void pacerRecordsPerSecond()
    {
        Pacer p;
        p.setRecordsPerSec(1000);
        QVERIFY(p.limited());
        std::int64_t last = 0;
        for (int i = 0; i < 1000; ++i)
            last = p.due(0, 10, std::nullopt);
        QCOMPARE(last, std::int64_t(999'000'000)); // the 1000th record at 0.999 s
        // A caller that fell behind gets at most kBurstNs of credit.
        const std::int64_t late = 10'000'000'000;
        int atOnce = 0;
        while (p.due(late, 10, std::nullopt) <= late)
            ++atOnce;
        QCOMPARE(atOnce, 101); // 100 ms of credit at 1000/s, plus the one due now
    }
    void pacerBytesPerSecond()
    {
        Pacer p;
        p.setBytesPerSec(1000);
        QCOMPARE(p.due(0, 500, std::nullopt), 0);
        QCOMPARE(p.due(0, 500, std::nullopt), 500'000'000);
        QCOMPARE(p.due(0, 1, std::nullopt), 1'000'000'000);
    }
    void pacerOriginalTiming()
    {
        Pacer p;
        p.setOriginalTiming(true, 2.0);
        QCOMPARE(p.due(5'000, 1, 10'000), 5'000);
        QCOMPARE(p.due(5'000, 1, 11'000), 5'000 + 500'000'000); // 1 s later at speed 2
        QCOMPARE(p.due(5'000, 1, 9'000), 5'000);                // backwards: at once
        QCOMPARE(p.due(5'000, 1, std::nullopt), 5'000);         // no timestamp: at once
        p.shift(1'000'000);
        QCOMPARE(p.due(0, 1, 12'000), 5'000 + 1'000'000 + 1'000'000'000);
        p.restartTiming();
        QCOMPARE(p.due(77, 1, 50'000), 77);
        Pacer none;
        QVERIFY(!none.limited());
        QCOMPARE(none.due(123, 1 << 20, 5), 123);
    }
};

QTEST_GUILESS_MAIN(TstReplaySources)
#include "tst_replay_sources.moc"
