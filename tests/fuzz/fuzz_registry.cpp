// fuzz_registry: what kpw reads from a Schema Registry and from framed
// records: the Confluent wire-format parser, the registry's JSON answers,
// its error bodies, and the .proto / schema text scanners used to pick the
// message indexes and the record name.
//
// Input format: the first byte picks the reader (its value modulo 8), the
// rest is that reader's input.
//
// Properties: no crash, leak or UB; a parsed frame has a non-negative index
// list of at most kMaxMessageIndexes, its payload is the input's tail, and
// framing it again parses back to the same frame; parsed answers hold only
// the schema types AVRO/PROTOBUF/JSON; an HTTP error keeps its status as the
// code and always has a message; message indexes are non-negative.

#include "FuzzCheck.h"

#include "serde/RegistryClient.h"
#include "serde/RegistryResolve.h"
#include "serde/WireFormat.h"

using namespace kpw;

namespace {

void checkFrame(const QByteArray &in, bool protobuf)
{
    auto f = wireformat::parse(in, protobuf);
    if (!f.ok()) {
        FUZZ_CHECK(!f.error().message.isEmpty(), "a refused frame has no reason");
        return;
    }
    FUZZ_CHECK(in.size() >= 5 && in[0] == 0, "accepted a frame without the magic byte and id");
    FUZZ_CHECK(in.endsWith(f->payload), "the payload is not the input's tail");
    FUZZ_CHECK(f->messageIndexes.size() <= wireformat::kMaxMessageIndexes, "%d indexes",
               static_cast<int>(f->messageIndexes.size()));
    FUZZ_CHECK(protobuf || f->messageIndexes.isEmpty(), "indexes outside Protobuf");
    FUZZ_CHECK(!protobuf || !f->messageIndexes.isEmpty(), "Protobuf frame without indexes");
    for (int i : f->messageIndexes)
        FUZZ_CHECK(i >= 0, "negative index %d", i);
    const QByteArray again = wireformat::frame(f->schemaId, f->messageIndexes, f->payload);
    auto g = wireformat::parse(again, protobuf);
    FUZZ_CHECK(g.ok(), "re-framed frame does not parse: %s", kpwfuzz::c(g.error().message));
    FUZZ_CHECK(g->schemaId == f->schemaId && g->messageIndexes == f->messageIndexes && g->payload == f->payload,
               "frame/parse round trip differs");
    FUZZ_CHECK(again.size() <= in.size(), "re-framing grew the frame");
}

bool knownType(const QString &t)
{
    return t == QLatin1StringView("AVRO") || t == QLatin1StringView("PROTOBUF") || t == QLatin1StringView("JSON");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray in = kpwfuzz::bytes(data + 1, size - 1);
    switch (data[0] % 8) {
    case 0:
        checkFrame(in, false);
        break;
    case 1:
        checkFrame(in, true);
        break;
    case 2: {
        auto s = RegistryClient::parseSchema(in);
        if (s.ok())
            FUZZ_CHECK(knownType(s->schemaType), "schema type '%s'", kpwfuzz::c(s->schemaType));
        else
            FUZZ_CHECK(!s.error().message.isEmpty(), "error without a message");
        break;
    }
    case 3: {
        (void)RegistryClient::parseSubjects(in);
        (void)RegistryClient::parseVersions(in);
        (void)RegistryClient::parseRegistered(in);
        auto c = RegistryClient::parseCompatibility(in);
        if (c.ok())
            for (const auto &m : c->messages)
                (void)m.size();
        break;
    }
    case 4: {
        const int status = in.isEmpty() ? 500 : 400 + static_cast<std::uint8_t>(in[0]) % 200;
        const Error e = RegistryClient::httpError(status, in.mid(1), QStringLiteral("fuzz"),
                                                  QStringLiteral("http://127.0.0.1:1"));
        FUZZ_CHECK(e.code == status, "code %d for status %d", e.code, status);
        FUZZ_CHECK(!e.message.isEmpty(), "error without a message");
        break;
    }
    case 5: {
        // A .proto text and, after the first NUL, the wanted message type.
        const auto nul = in.indexOf('\0');
        const QString proto = QString::fromUtf8(nul < 0 ? in : in.left(nul));
        const QString type = nul < 0 ? QString() : QString::fromUtf8(in.mid(nul + 1));
        auto idx = protobufMessageIndexes(proto, type);
        if (idx.ok()) {
            FUZZ_CHECK(!idx->isEmpty(), "empty index path");
            for (int i : *idx)
                FUZZ_CHECK(i >= 0, "negative index %d", i);
        }
        (void)recordNameOf(proto, QStringLiteral("PROTOBUF"), type);
        break;
    }
    case 6: {
        const QString text = QString::fromUtf8(in);
        (void)recordNameOf(text, QStringLiteral("AVRO"));
        (void)recordNameOf(text, QStringLiteral("JSON"));
        break;
    }
    case 7: {
        std::int32_t v = 0;
        qsizetype pos = 0;
        while (pos < in.size()) {
            const qsizetype before = pos;
            if (!wireformat::readZigzagVarint(in, pos, v))
                break;
            FUZZ_CHECK(pos > before && pos - before <= 5, "varint of %lld bytes", static_cast<long long>(pos - before));
            QByteArray w;
            wireformat::writeZigzagVarint(w, v);
            qsizetype p2 = 0;
            std::int32_t back = 0;
            FUZZ_CHECK(wireformat::readZigzagVarint(w, p2, back) && back == v, "varint round trip");
        }
        break;
    }
    }
    return 0;
}
