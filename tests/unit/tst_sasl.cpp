// SASL without a broker: SCRAM against the RFCs' published exchanges, the
// checks a SCRAM client owes the server's messages, PLAIN and OAUTHBEARER
// bytes, the SaslHandshake/SaslAuthenticate codecs, sasl.jaas.config parsing
// and how the security settings (Java and librdkafka names) resolve.

#include "ResultText.h"

#include "messages/Sasl.h"
#include "net/SaslMechanism.h"
#include "net/SaslScram.h"
#include "producer/ProducerConfig.h"
#include "wire/ByteWriter.h"
#include "wire/KafkaError.h"

#include <QTemporaryFile>
#include <QTest>

using namespace kpw;

class TstSasl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scramRfc5802Sha1();
    void scramRfc7677Sha256();
    void scramSha512SelfConsistent();
    void scramRejectsForeignNonce();
    void scramRejectsLowIterations();
    void scramRejectsBadServerSignature();
    void scramServerError();
    void scramMalformed_data();
    void scramMalformed();
    void scramEscapesUserName();
    void plainBytes();
    void oauthBearerBytes();
    void handshakeCodec();
    void authenticateCodec_data();
    void authenticateCodec();
    void jaasParsing();
    void jaasErrors_data();
    void jaasErrors();
    void securityResolution();
    void securityErrors();
    void secretsAreMarked();
};

void TstSasl::scramRfc5802Sha1()
{
    // RFC 5802 section 5 (SCRAM-SHA-1): user "user", password "pencil".
    ScramClient c(ScramClient::Digest::Sha1, QStringLiteral("user"), QStringLiteral("pencil"),
                  "fyko+d2lbbFgONRv9qkxdawL");
    auto first = c.initial();
    QVERIFY2(first.ok(), qPrintable(test::errorText(first)));
    QCOMPARE(*first, QByteArray("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
    auto final = c.next("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
    QVERIFY2(final.ok(), qPrintable(test::errorText(final)));
    QVERIFY(final->has_value());
    QCOMPARE(**final, QByteArray("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="));
    QVERIFY(!c.complete());
    auto done = c.next("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    QVERIFY2(done.ok(), qPrintable(test::errorText(done)));
    QVERIFY(!done->has_value());
    QVERIFY(c.complete());
}

void TstSasl::scramRfc7677Sha256()
{
    // RFC 7677 section 3 (SCRAM-SHA-256).
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"),
                  "rOprNGfwEbeRWgbNEkqO");
    QCOMPARE(*c.initial(), QByteArray("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
    auto final = c.next("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    QVERIFY2(final.ok(), qPrintable(test::errorText(final)));
    QCOMPARE(**final, QByteArray("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                 "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    auto done = c.next("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    QVERIFY2(done.ok(), qPrintable(test::errorText(done)));
    QVERIFY(c.complete());
}

void TstSasl::scramSha512SelfConsistent()
{
    // No RFC vector for SHA-512: the same exchange twice gives the same proof,
    // a different password a different one, and the random nonce is fresh.
    auto run = [](const QString &password) {
        ScramClient c(ScramClient::Digest::Sha512, QStringLiteral("alice"), password, "clientnonce");
        (void)c.initial();
        auto f = c.next("r=clientnonceSERVER,s=c2FsdA==,i=4096");
        return f.ok() && f->has_value() ? **f : QByteArray();
    };
    const QByteArray a = run(QStringLiteral("secret"));
    QVERIFY(a.startsWith("c=biws,r=clientnonceSERVER,p="));
    QCOMPARE(QByteArray::fromBase64(a.mid(a.indexOf("p=") + 2)).size(), 64);
    QCOMPARE(run(QStringLiteral("secret")), a);
    QVERIFY(run(QStringLiteral("other")) != a);
    ScramClient r1(ScramClient::Digest::Sha512, QStringLiteral("a"), QStringLiteral("b"));
    ScramClient r2(ScramClient::Digest::Sha512, QStringLiteral("a"), QStringLiteral("b"));
    QVERIFY(*r1.initial() != *r2.initial());
}

void TstSasl::scramRejectsForeignNonce()
{
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"), "mynonce");
    (void)c.initial();
    auto r = c.next("r=othernonceXYZ,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, KafkaError::ClientSaslExchangeFailed);
    QVERIFY2(r.error().message.contains(QStringLiteral("nonce")), qPrintable(r.error().message));
    // The server must add to the nonce, not only echo it.
    ScramClient echo(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"), "mynonce");
    (void)echo.initial();
    QVERIFY(!echo.next("r=mynonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").ok());
}

void TstSasl::scramRejectsLowIterations()
{
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"), "n");
    (void)c.initial();
    auto r = c.next("r=nS,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095");
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QStringLiteral("4096")), qPrintable(r.error().message));
}

void TstSasl::scramRejectsBadServerSignature()
{
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"),
                  "rOprNGfwEbeRWgbNEkqO");
    (void)c.initial();
    QVERIFY(c.next("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").ok());
    // One bit off the RFC's signature.
    auto r = c.next("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G0=");
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QStringLiteral("server signature")), qPrintable(r.error().message));
    QVERIFY(!c.complete());
}

void TstSasl::scramServerError()
{
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("user"), QStringLiteral("pencil"), "n");
    (void)c.initial();
    QVERIFY(c.next("r=nS,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").ok());
    auto r = c.next("e=invalid-proof");
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QStringLiteral("invalid-proof")), qPrintable(r.error().message));
}

void TstSasl::scramMalformed_data()
{
    QTest::addColumn<QByteArray>("serverFirst");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no salt") << QByteArray("r=nS,i=4096");
    QTest::newRow("salt not base64") << QByteArray("r=nS,s=***,i=4096");
    QTest::newRow("empty salt") << QByteArray("r=nS,s=,i=4096");
    QTest::newRow("iterations not a number") << QByteArray("r=nS,s=c2FsdA==,i=lots");
    QTest::newRow("iterations absurd") << QByteArray("r=nS,s=c2FsdA==,i=2000000000");
    QTest::newRow("mandatory extension") << QByteArray("m=ext,r=nS,s=c2FsdA==,i=4096");
    QTest::newRow("garbage") << QByteArray("\x00\xff,,=", 6);
    QTest::newRow("control character in nonce") << QByteArray("r=nS\x01,s=c2FsdA==,i=4096");
}

void TstSasl::scramMalformed()
{
    QFETCH(QByteArray, serverFirst);
    ScramClient c(ScramClient::Digest::Sha512, QStringLiteral("user"), QStringLiteral("pencil"), "n");
    (void)c.initial();
    auto r = c.next(serverFirst);
    QVERIFY(!r.ok());
    QVERIFY(!r.error().message.isEmpty());
    QVERIFY(!c.complete());
}

void TstSasl::scramEscapesUserName()
{
    QCOMPARE(ScramClient::escapeUsername(QStringLiteral("a=b,c")), QByteArray("a=3Db=2Cc"));
    ScramClient c(ScramClient::Digest::Sha256, QStringLiteral("x,y"), QStringLiteral("p"), "n");
    QCOMPARE(*c.initial(), QByteArray("n,,n=x=2Cy,r=n"));
}

void TstSasl::plainBytes()
{
    SecurityOptions o;
    o.mechanism = QStringLiteral("PLAIN");
    o.username = QStringLiteral("alice");
    o.password = QStringLiteral("s3cret");
    auto m = makeSaslMechanism(o);
    QVERIFY(m.ok());
    QCOMPARE(*(*m)->initial(), QByteArray("\0alice\0s3cret", 13));
    auto n = (*m)->next({});
    QVERIFY(n.ok() && !n->has_value());
    QVERIFY((*m)->complete());
}

void TstSasl::oauthBearerBytes()
{
    SecurityOptions o;
    o.mechanism = QStringLiteral("OAUTHBEARER");
    o.oauthToken = QStringLiteral("eyJ.abc.def");
    auto m = makeSaslMechanism(o);
    QVERIFY(m.ok());
    QCOMPARE(*(*m)->initial(), QByteArray("n,,\x01"
                                          "auth=Bearer eyJ.abc.def\x01\x01"));
    // An error challenge gets the single 0x01 RFC 7628 asks for, and the
    // exchange is then not complete (the broker's error ends it).
    auto n = (*m)->next(R"({"status":"invalid_token"})");
    QVERIFY(n.ok() && n->has_value());
    QCOMPARE(**n, QByteArray("\x01"));
    QVERIFY(!(*m)->complete());

    // From a file, read at login time.
    QTemporaryFile f;
    QVERIFY(f.open());
    f.write("file-token\n");
    f.flush();
    o.oauthToken.clear();
    o.oauthTokenFile = f.fileName();
    auto fm = makeSaslMechanism(o);
    QCOMPARE(*(*fm)->initial(), QByteArray("n,,\x01"
                                           "auth=Bearer file-token\x01\x01"));

    o.mechanism = QStringLiteral("GSSAPI");
    QVERIFY(!makeSaslMechanism(o).ok());
}

void TstSasl::handshakeCodec()
{
    QCOMPARE(SaslHandshakeRequest{QStringLiteral("PLAIN")}.encode(1), QByteArray("\x00\x05PLAIN", 7));
    ByteWriter w;
    w.int16(33);
    w.arrayLength(2, false);
    w.string(QStringLiteral("PLAIN"), false);
    w.string(QStringLiteral("SCRAM-SHA-512"), false);
    auto r = SaslHandshakeResponse::decode(w.take(), 1);
    QVERIFY(r.ok());
    QCOMPARE(r->errorCode, std::int16_t(33));
    QCOMPARE(r->mechanisms, QStringList({QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-512")}));
    // A hostile count fails before allocating.
    ByteWriter h;
    h.int16(0);
    h.int32(0x7fffffff);
    QVERIFY(!SaslHandshakeResponse::decode(h.take(), 1).ok());
}

void TstSasl::authenticateCodec_data()
{
    QTest::addColumn<int>("version");
    QTest::newRow("v0") << 0;
    QTest::newRow("v1") << 1;
    QTest::newRow("v2 flexible") << 2;
}

void TstSasl::authenticateCodec()
{
    QFETCH(int, version);
    const auto v = static_cast<std::int16_t>(version);
    const bool flexible = v >= 2;
    const QByteArray req = SaslAuthenticateRequest{QByteArray("abc")}.encode(v);
    QCOMPARE(req, flexible ? QByteArray("\x04"
                                        "abc\x00",
                                        5)
                           : QByteArray("\x00\x00\x00\x03"
                                        "abc",
                                        7));

    ByteWriter w;
    w.int16(58);
    w.nullableString(QStringLiteral("bad password"), flexible);
    w.bytes(QByteArray("xyz"), flexible);
    if (v >= 1)
        w.int64(3600000);
    if (flexible)
        w.emptyTaggedFields();
    auto r = SaslAuthenticateResponse::decode(w.take(), v);
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->errorCode, std::int16_t(58));
    QCOMPARE(r->errorMessage.value_or(QString()), QStringLiteral("bad password"));
    QCOMPARE(r->authBytes, QByteArray("xyz"));
    QCOMPARE(r->sessionLifetimeMs, v >= 1 ? std::int64_t(3600000) : std::int64_t(0));
    QVERIFY(!SaslAuthenticateResponse::decode(QByteArray("\x00", 1), v).ok());
}

void TstSasl::jaasParsing()
{
    auto j = ProducerConfig::parseJaasConfig(
        QStringLiteral("org.apache.kafka.common.security.scram.ScramLoginModule required\n"
                       "  username=\"al ice\"  password=\"p\\\"w;d=\" tokenauth=false;"));
    QVERIFY2(j.ok(), qPrintable(test::errorText(j)));
    QCOMPARE(j->loginModule, QStringLiteral("org.apache.kafka.common.security.scram.ScramLoginModule"));
    QCOMPARE(j->options.value(QStringLiteral("username")), QStringLiteral("al ice"));
    QCOMPARE(j->options.value(QStringLiteral("password")), QStringLiteral("p\"w;d="));
    QCOMPARE(j->options.value(QStringLiteral("tokenauth")), QStringLiteral("false"));

    auto p = ProducerConfig::parseJaasConfig(
        QStringLiteral("org.apache.kafka.common.security.plain.PlainLoginModule required username='x' password=y ;"));
    QVERIFY2(p.ok(), qPrintable(test::errorText(p)));
    QCOMPARE(p->options.value(QStringLiteral("username")), QStringLiteral("'x'"));
    QCOMPARE(p->options.value(QStringLiteral("password")), QStringLiteral("y"));
}

void TstSasl::jaasErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no semicolon")
        << QStringLiteral("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\"")
        << QStringLiteral("missing ';'");
    QTest::newRow("no flag") << QStringLiteral(
                                    "org.apache.kafka.common.security.plain.PlainLoginModule username=\"a\";")
                             << QStringLiteral("required");
    QTest::newRow("unterminated")
        << QStringLiteral("org.apache.kafka.common.security.plain.PlainLoginModule required password=\"abc;")
        << QStringLiteral("unterminated");
    QTest::newRow("kerberos") << QStringLiteral("com.sun.security.auth.module.Krb5LoginModule required;")
                              << QStringLiteral("not supported");
    QTest::newRow("two modules") << QStringLiteral("a.PlainLoginModule required; b.PlainLoginModule required;")
                                 << QStringLiteral("only one");
    QTest::newRow("empty") << QStringLiteral("   ") << QStringLiteral("login module");
}

void TstSasl::jaasErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    auto j = ProducerConfig::parseJaasConfig(text);
    QVERIFY(!j.ok());
    QVERIFY2(j.error().message.contains(expected), qPrintable(j.error().message));
    // set() refuses it too, so a typo is caught when the setting is given.
    ProducerConfig c;
    QVERIFY(!c.set(QStringLiteral("sasl.jaas.config"), text).ok() || text.trimmed().isEmpty());
}

void TstSasl::securityResolution()
{
    // Java names.
    ProducerConfig java;
    QVERIFY(java.set(QStringLiteral("security.protocol"), QStringLiteral("sasl_ssl")).ok()); // any case
    QCOMPARE(java.value(QStringLiteral("security.protocol")), QStringLiteral("SASL_SSL"));
    QVERIFY(java.set(QStringLiteral("ssl.truststore.location"), QStringLiteral("/ca.pem")).ok());
    QVERIFY(java.set(QStringLiteral("sasl.mechanism"), QStringLiteral("scram-sha-512")).ok());
    QVERIFY(java.set(QStringLiteral("sasl.jaas.config"),
                     QStringLiteral("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" "
                                    "password=\"p\";"))
                .ok());
    auto s = java.security();
    QVERIFY2(s.ok(), qPrintable(test::errorText(s)));
    QVERIFY(s->tls() && s->sasl());
    QCOMPARE(s->caFile, QStringLiteral("/ca.pem"));
    QCOMPARE(s->mechanism, QStringLiteral("SCRAM-SHA-512"));
    QCOMPARE(s->username, QStringLiteral("u"));
    QCOMPARE(s->password, QStringLiteral("p"));
    QVERIFY(s->verifyHostname);

    // librdkafka names.
    ProducerConfig rdk;
    QVERIFY(rdk.set(QStringLiteral("security.protocol"), QStringLiteral("SSL")).ok());
    QVERIFY(rdk.set(QStringLiteral("ssl.ca.location"), QStringLiteral("/ca2.pem")).ok());
    QVERIFY(rdk.set(QStringLiteral("ssl.certificate.location"), QStringLiteral("/c.pem")).ok());
    QVERIFY(rdk.set(QStringLiteral("ssl.key.location"), QStringLiteral("/k.pem")).ok());
    QVERIFY(rdk.set(QStringLiteral("ssl.key.password"), QStringLiteral("kp")).ok());
    QVERIFY(rdk.set(QStringLiteral("ssl.endpoint.identification.algorithm"), QStringLiteral("none")).ok());
    auto r = rdk.security();
    QVERIFY2(r.ok(), qPrintable(test::errorText(r)));
    QCOMPARE(r->caFile, QStringLiteral("/ca2.pem"));
    QCOMPARE(r->certFile, QStringLiteral("/c.pem"));
    QCOMPARE(r->keyFile, QStringLiteral("/k.pem"));
    QCOMPARE(r->keyPassword, QStringLiteral("kp"));
    QVERIFY(!r->verifyHostname);
    QVERIFY(!r->sasl());

    ProducerConfig rdkSasl;
    QVERIFY(rdkSasl.set(QStringLiteral("security.protocol"), QStringLiteral("SASL_PLAINTEXT")).ok());
    QVERIFY(rdkSasl.set(QStringLiteral("sasl.mechanisms"), QStringLiteral("SCRAM-SHA-256")).ok());
    QVERIFY(rdkSasl.set(QStringLiteral("sasl.username"), QStringLiteral("bob")).ok());
    QVERIFY(rdkSasl.set(QStringLiteral("sasl.password"), QStringLiteral("pw")).ok());
    auto rs = rdkSasl.security();
    QVERIFY2(rs.ok(), qPrintable(test::errorText(rs)));
    QCOMPARE(rs->mechanism, QStringLiteral("SCRAM-SHA-256"));
    QCOMPARE(rs->username, QStringLiteral("bob"));

    // PLAINTEXT by default: nothing to resolve.
    auto d = ProducerConfig().security();
    QVERIFY(d.ok() && !d->tls() && !d->sasl());
}

void TstSasl::securityErrors()
{
    ProducerConfig c;
    auto jks = c.set(QStringLiteral("ssl.truststore.type"), QStringLiteral("JKS"));
    QVERIFY(!jks.ok());
    QVERIFY2(jks.error().message.contains(QStringLiteral("PEM")), qPrintable(jks.error().message));
    auto gss = c.set(QStringLiteral("sasl.mechanism"), QStringLiteral("GSSAPI"));
    QVERIFY(!gss.ok());
    QVERIFY2(gss.error().message.contains(QStringLiteral("Kerberos")), qPrintable(gss.error().message));
    QVERIFY(!c.set(QStringLiteral("sasl.mechanisms"), QStringLiteral("GSSAPI")).ok());
    QVERIFY(!c.set(QStringLiteral("ssl.endpoint.identification.algorithm"), QStringLiteral("ldap")).ok());
    // A typo of a security setting is not silently ignored.
    auto typo = c.set(QStringLiteral("ssl.trustore.location"), QStringLiteral("/ca.pem"));
    QVERIFY(!typo.ok());
    QVERIFY2(typo.error().message.contains(QStringLiteral("did you mean ssl.truststore.location")),
             qPrintable(typo.error().message));

    // SASL without a user.
    ProducerConfig noUser;
    QVERIFY(noUser.set(QStringLiteral("security.protocol"), QStringLiteral("SASL_PLAINTEXT")).ok());
    auto e = noUser.security();
    QVERIFY(!e.ok());
    QVERIFY2(e.error().message.contains(QStringLiteral("sasl.jaas.config")), qPrintable(e.error().message));

    // A PLAIN login module with a SCRAM mechanism.
    ProducerConfig mismatch;
    QVERIFY(mismatch.set(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL")).ok());
    QVERIFY(mismatch.set(QStringLiteral("sasl.mechanism"), QStringLiteral("SCRAM-SHA-256")).ok());
    QVERIFY(mismatch
                .set(QStringLiteral("sasl.jaas.config"),
                     QStringLiteral("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" "
                                    "password=\"b\";"))
                .ok());
    auto m = mismatch.security();
    QVERIFY(!m.ok());
    QVERIFY2(m.error().message.contains(QStringLiteral("PlainLoginModule")), qPrintable(m.error().message));

    // OAUTHBEARER without a token.
    ProducerConfig oauth;
    QVERIFY(oauth.set(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL")).ok());
    QVERIFY(oauth.set(QStringLiteral("sasl.mechanism"), QStringLiteral("OAUTHBEARER")).ok());
    QVERIFY(!oauth.security().ok());
}

void TstSasl::secretsAreMarked()
{
    for (const char *k : {"ssl.key.password", "sasl.password", "sasl.jaas.config", "sasl.oauthbearer.token"})
        QVERIFY2(ProducerConfig::isSecret(QString::fromLatin1(k)), k);
    QVERIFY(!ProducerConfig::isSecret(QStringLiteral("sasl.username")));
}

QTEST_APPLESS_MAIN(TstSasl)
#include "tst_sasl.moc"
