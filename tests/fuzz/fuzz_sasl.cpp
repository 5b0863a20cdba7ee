// fuzz_sasl: the SASL client mechanisms fed with what a broker (or anything
// on its port) sends back during login: SCRAM server-first and server-final
// messages (RFC 5802), and the OAUTHBEARER error challenge (RFC 7628).
//
// Input format:
//   byte 0   bit 0: SHA-256 (0) or SHA-512 (1); bit 1: prefix the server-first
//            message with "r=<client nonce>" so mutations reach the salt and
//            iteration parsing; bit 2: OAUTHBEARER instead of SCRAM
//   rest     server-first, a '\n', server-final (SCRAM); the challenge (OAUTHBEARER)
// The client is user "user", password "pencil", nonce "rOprNGfwEbeRWgbNEkqO"
// (RFC 7677's), so the RFC's exchange is a seed that completes.
//
// Properties: no crash, leak or UB; a client-final message carries the
// server's nonce (which extends ours) and a proof of the digest's size; an
// exchange completes only with a server signature that depends on the
// password (the same messages with another password never complete); a
// failure always has a message.

#include "FuzzCheck.h"

#include "net/SaslMechanism.h"
#include "net/SaslScram.h"

using namespace kpw;

namespace {

const QByteArray kNonce("rOprNGfwEbeRWgbNEkqO");

struct Outcome
{
    bool complete = false;
    QByteArray clientFinal;
};

Outcome runScram(ScramClient::Digest digest, const QString &password, const QByteArray &serverFirst,
                 const QByteArray &serverFinal)
{
    Outcome out;
    ScramClient c(digest, QStringLiteral("user"), password, kNonce);
    auto first = c.initial();
    FUZZ_CHECK(first.ok(), "client-first failed");
    auto final = c.next(serverFirst);
    if (!final.ok()) {
        FUZZ_CHECK(!final.error().message.isEmpty(), "error without a message");
        FUZZ_CHECK(!c.complete(), "complete after a failed server-first");
        return out;
    }
    FUZZ_CHECK(final->has_value(), "no client-final message");
    out.clientFinal = **final;
    auto done = c.next(serverFinal);
    if (!done.ok())
        FUZZ_CHECK(!done.error().message.isEmpty(), "error without a message");
    else
        FUZZ_CHECK(!done->has_value(), "a message after server-final");
    out.complete = c.complete();
    FUZZ_CHECK(out.complete == done.ok(), "complete() disagrees with the server-final result");
    FUZZ_CHECK(!c.next(serverFinal).ok(), "a message accepted after the exchange ended");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t mode = data[0];
    QByteArray rest = kpwfuzz::bytes(data + 1, size - 1);

    if (mode & 4) {
        SecurityOptions o;
        o.mechanism = QStringLiteral("OAUTHBEARER");
        o.oauthToken = QStringLiteral("token");
        auto m = makeSaslMechanism(o);
        FUZZ_CHECK(m.ok(), "OAUTHBEARER not made");
        FUZZ_CHECK((*m)->initial().ok(), "OAUTHBEARER initial failed");
        auto n = (*m)->next(rest);
        FUZZ_CHECK(n.ok(), "OAUTHBEARER next failed");
        FUZZ_CHECK(n->has_value() == !rest.isEmpty(), "an error challenge must be answered, only that");
        FUZZ_CHECK((*m)->complete() == rest.isEmpty(), "complete after an error challenge");
        return 0;
    }

    const auto digest = (mode & 1) ? ScramClient::Digest::Sha512 : ScramClient::Digest::Sha256;
    const qsizetype nl = rest.indexOf('\n');
    QByteArray serverFirst = nl < 0 ? rest : rest.left(nl);
    const QByteArray serverFinal = nl < 0 ? QByteArray() : rest.mid(nl + 1);
    if (mode & 2)
        serverFirst.prepend("r=" + kNonce);
    // PBKDF2 cost grows with the iteration count: keep runs fast (the
    // upper limit's refusal is a unit test).
    const qsizetype i = serverFirst.indexOf("i=");
    if (i >= 0 && serverFirst.mid(i + 2, 6).toLongLong() > 20000)
        return 0;

    const Outcome a = runScram(digest, QStringLiteral("pencil"), serverFirst, serverFinal);
    if (!a.clientFinal.isEmpty()) {
        FUZZ_CHECK(a.clientFinal.startsWith("c=biws,r=" + kNonce), "client-final without our nonce prefix");
        const qsizetype p = a.clientFinal.lastIndexOf(",p=");
        FUZZ_CHECK(p > 0, "client-final without a proof");
        const auto proof = QByteArray::fromBase64(a.clientFinal.mid(p + 3));
        FUZZ_CHECK(proof.size() == (digest == ScramClient::Digest::Sha512 ? 64 : 32), "proof of %lld bytes",
                   static_cast<long long>(proof.size()));
        const QByteArray nonce = a.clientFinal.mid(9, p - 9);
        FUZZ_CHECK(serverFirst.contains("r=" + nonce), "client-final nonce is not the server's");
    }
    if (a.complete) {
        const Outcome b = runScram(digest, QStringLiteral("pencil2"), serverFirst, serverFinal);
        FUZZ_CHECK(!b.complete, "the server signature does not depend on the password");
    }
    return 0;
}
