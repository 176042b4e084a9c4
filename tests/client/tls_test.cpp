// TLS and mTLS against the real sim over loopback, with certificates made by
// openssl for this run: a good connection carries the token as call
// credentials, and every way a secure connection goes wrong ends in a
// sentence that names the problem.

#include "../support/test_certs.h"
#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/routing_client.h"
#include "sim/sim_server.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>

using namespace sb;

namespace {

test::TestCerts &certs()
{
    static test::TestCerts c;
    return c;
}

struct Tls
{
    QString serverCert = QStringLiteral("server");
    bool requireClientCert = false;
    bool withTokens = false;
};

std::unique_ptr<sim::SimServer> startSim(const Tls &tls)
{
    sim::SimOptions o;
    o.rate = 200;
    if (!tls.serverCert.isEmpty()) {
        o.tlsCertPem = certs().pem(tls.serverCert + QStringLiteral(".pem"));
        o.tlsKeyPem = certs().pem(tls.serverCert + QStringLiteral(".key"));
    }
    if (tls.requireClientCert)
        o.clientCaPem = certs().pem(QStringLiteral("client-ca.pem"));
    if (tls.withTokens)
        o.tokens["operator-canary-7f3a"] = {sim::Role::Operator, "otto"};
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    if (!s->start(&err))
        ADD_FAILURE() << "sim did not start: " << err;
    return s;
}

QByteArray pemBytes(const QString &name)
{
    return QByteArray::fromStdString(certs().pem(name));
}

ChannelSpec spec(const sim::SimServer &sim, const QString &host = QStringLiteral("127.0.0.1"))
{
    ChannelSpec s;
    s.target = host + QLatin1Char(':') + QString::number(sim.port());
    s.tls = true;
    s.caPem = pemBytes(QStringLiteral("ca.pem"));
    return s;
}

void withClientCert(ChannelSpec &s)
{
    s.clientCertPem = pemBytes(QStringLiteral("client.pem"));
    s.clientKeyPem = pemBytes(QStringLiteral("client.key"));
}

// Waits until the connection has failed and the TLS probe has had its say.
// With `refined`, waits (up to 15 s, for a loaded machine) until the probe's
// sentence contains it instead of a fixed 2.5 s.
// The probe refines gRPC's words some time after the failure: wait (up to
// 15 s, for a loaded parallel run) for the sentence the test expects, and
// return whatever is shown by then for the test to check.
QString failureOf(Connection &c, const QString &refined)
{
    EXPECT_TRUE(QTest::qWaitFor([&] { return c.state() == Connection::State::Unavailable; }, 10000))
        << Connection::stateName(c.state()).toStdString();
    (void)QTest::qWaitFor([&] { return c.lastError().contains(refined); }, 15000);
    return c.lastError();
}

class TlsTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(certs().ok()) << certs().error().toStdString(); }
};

} // namespace

TEST_F(TlsTest, ConnectsWithTheProfilesCaAndSendsTheTokenAsCallCredentials)
{
    auto sim = startSim({.withTokens = true});
    Connection c;
    ChannelSpec s = spec(*sim);
    s.token = QStringLiteral("operator-canary-7f3a");
    c.connectTo(s);
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000)) << c.lastError().toStdString();
    EXPECT_EQ(c.security(), QStringLiteral("TLS (custom CA), token"));
    // A call that needs the token succeeds: it travelled as call credentials.
    RoutingClient client(&c);
    QSignalSpy table(&client, &RoutingClient::tableReceived);
    QSignalSpy failed(&client, &RoutingClient::failed);
    client.fetchTable();
    ASSERT_TRUE(QTest::qWaitFor([&] { return table.count() + failed.count() > 0; }, 8000));
    EXPECT_EQ(table.count(), 1);
}

TEST_F(TlsTest, MutualTlsWithAClientCertificateConnects)
{
    auto sim = startSim({.requireClientCert = true});
    Connection c;
    ChannelSpec s = spec(*sim);
    withClientCert(s);
    c.connectTo(s);
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000)) << c.lastError().toStdString();
    EXPECT_TRUE(c.security().contains(QStringLiteral("client cert")));
}

TEST_F(TlsTest, WrongCaSaysTheCertificateIsNotSignedByATrustedCa)
{
    auto sim = startSim({});
    Connection c;
    ChannelSpec s = spec(*sim);
    s.caPem = pemBytes(QStringLiteral("other-ca.pem"));
    c.connectTo(s);
    const QString why = failureOf(c, QStringLiteral("not signed by a CA this profile trusts"));
    EXPECT_TRUE(why.contains(QStringLiteral("not signed by a CA this profile trusts")))
        << why.toStdString();
    EXPECT_TRUE(why.contains(QStringLiteral("CA file"))) << why.toStdString();
}

TEST_F(TlsTest, ExpiredCertificateSaysWhenItExpired)
{
    auto sim = startSim({.serverCert = QStringLiteral("expired")});
    Connection c;
    c.connectTo(spec(*sim));
    const QString why = failureOf(c, QStringLiteral("expired on"));
    EXPECT_TRUE(why.contains(QStringLiteral("expired on"))) << why.toStdString();
    EXPECT_TRUE(why.contains(QStringLiteral("renewed"))) << why.toStdString();
}

TEST_F(TlsTest, HostnameMismatchNamesBothNames)
{
    auto sim = startSim({.serverCert = QStringLiteral("wrongname")});
    Connection c;
    c.connectTo(spec(*sim));
    const QString why = failureOf(c, QStringLiteral("hostname mismatch"));
    EXPECT_TRUE(why.contains(QStringLiteral("hostname mismatch"))) << why.toStdString();
    EXPECT_TRUE(why.contains(QStringLiteral("127.0.0.1"))) << why.toStdString();
}

TEST_F(TlsTest, MissingClientCertificateSaysTheProfileNeedsOne)
{
    auto sim = startSim({.requireClientCert = true});
    Connection c;
    c.connectTo(spec(*sim));
    const QString why = failureOf(c, QStringLiteral("requires a client certificate"));
    EXPECT_TRUE(why.contains(QStringLiteral("requires a client certificate"))) << why.toStdString();
}

TEST_F(TlsTest, TlsToAPlaintextServiceSaysItDoesNotSpeakTls)
{
    auto sim = startSim({.serverCert = QString()});
    Connection c;
    c.connectTo(spec(*sim));
    const QString why = failureOf(c, QStringLiteral("does not speak TLS"));
    EXPECT_TRUE(why.contains(QStringLiteral("does not speak TLS"))) << why.toStdString();
}

TEST_F(TlsTest, PlaintextToATlsServiceSaysItSpeaksTls)
{
    auto sim = startSim({});
    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:%1").arg(sim->port()));
    const QString why =
        failureOf(c, QStringLiteral("speaks TLS, but this profile connects in plaintext"));
    EXPECT_TRUE(why.contains(QStringLiteral("speaks TLS, but this profile connects in plaintext")))
        << why.toStdString();
}

TEST_F(TlsTest, UnreachableHostSaysNothingIsListening)
{
    Connection c;
    ChannelSpec s;
    s.target = QStringLiteral("127.0.0.1:1");
    c.connectTo(s);
    const QString why = failureOf(c, QStringLiteral("Nothing is listening at 127.0.0.1:1"));
    EXPECT_TRUE(why.contains(QStringLiteral("Nothing is listening at 127.0.0.1:1")))
        << why.toStdString();
}

TEST_F(TlsTest, RetriesFollowGrpcBackoffAndRetryNowTriesAtOnce)
{
    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:1"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.retryInMs() >= 0; }, 8000));
    // First wait: 1 s ± 20 %.
    EXPECT_LE(c.retryInMs(), 1200);
    EXPECT_GE(c.retryInMs(), 600);
    QSignalSpy scheduled(&c, &Connection::retryScheduled);
    c.retryNow();
    EXPECT_EQ(c.retryInMs(), -1) << "trying now";
    ASSERT_TRUE(scheduled.wait(8000));
    // Second wait: 1.6 s ± 20 %.
    EXPECT_GE(scheduled.at(0).at(0).toLongLong(), 1280 - 1);
    EXPECT_LE(scheduled.at(0).at(0).toLongLong(), 1920);
}

TEST_F(TlsTest, ComesBackByItselfWhenTheServiceReturns)
{
    int port = 0;
    {
        auto sim = startSim({.serverCert = QString()});
        port = sim->port();
    }
    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:%1").arg(port));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.state() == Connection::State::Unavailable; }, 8000));
    sim::SimOptions o;
    o.listen = "127.0.0.1:" + std::to_string(port);
    o.rate = 100;
    sim::SimServer again(o);
    std::string err;
    ASSERT_TRUE(again.start(&err)) << err;
    EXPECT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 8000)) << c.lastError().toStdString();
    EXPECT_EQ(c.retryInMs(), -1);
}

TEST_F(TlsTest, AHostThatDoesNotResolveSaysSoInASentence)
{
    Connection c;
    c.connectTo(QStringLiteral("no-such-host.invalid:443"));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return c.state() == Connection::State::Unavailable; }, 15000));
    EXPECT_TRUE(c.lastError().startsWith(
        QStringLiteral("Cannot find the host \"no-such-host.invalid\" (DNS).")))
        << c.lastError().toStdString();
    EXPECT_GE(c.retryInMs(), 0) << "and it keeps trying, in case the network comes back";
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    QCoreApplication app(argc, argv);
    qRegisterMetaType<sb::RpcError>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
