// A service that implements grpc.health.v1 Check but not Watch (many Go and
// Rails services register only Check): the console polls Check instead, and
// the connection bar follows it: Ready, NOT_SERVING, gone, and back again.

#include "client/connection.h"
#include "grpc/health/v1/health.grpc.pb.h"

#include <QTest>
#include <atomic>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <memory>

using namespace sb;
using grpc::health::v1::HealthCheckResponse;

namespace {

// Only Check; Watch is left to the generated base, which answers UNIMPLEMENTED.
class CheckOnlyHealth final : public grpc::health::v1::Health::CallbackService
{
public:
    grpc::ServerUnaryReactor *Check(grpc::CallbackServerContext *ctx,
                                    const grpc::health::v1::HealthCheckRequest *,
                                    HealthCheckResponse *resp) override
    {
        ++checks;
        resp->set_status(serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
        auto *r = ctx->DefaultReactor();
        r->Finish(grpc::Status::OK);
        return r;
    }
    std::atomic<bool> serving{true};
    std::atomic<int> checks{0};
};

struct CheckOnlyServer
{
    explicit CheckOnlyServer(int port = 0)
    {
        grpc::ServerBuilder b;
        b.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &this->port);
        b.RegisterService(&health);
        server = b.BuildAndStart();
    }
    ~CheckOnlyServer() { stop(); }
    void stop()
    {
        if (server)
            server->Shutdown(std::chrono::system_clock::now());
        server.reset();
    }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(port); }
    CheckOnlyHealth health;
    int port = 0;
    std::unique_ptr<grpc::Server> server;
};

bool waitState(Connection &c, Connection::State s, int ms)
{
    return QTest::qWaitFor([&] { return c.state() == s; }, ms);
}

} // namespace

TEST(CheckWithoutWatch, PollsCheckAndFollowsServingNotServingAndServing)
{
    CheckOnlyServer srv;
    ASSERT_TRUE(srv.server) << "server did not start";
    Connection c;
    c.connectTo(srv.address());
    ASSERT_TRUE(waitState(c, Connection::State::Ready, 10000))
        << "state " << int(c.state()) << ": " << c.lastError().toStdString();
    EXPECT_GE(c.lastRttMs(), 0.0) << "a polled Check measures the round trip too";

    srv.health.serving = false;
    ASSERT_TRUE(waitState(c, Connection::State::NotServing, 8000));
    EXPECT_TRUE(c.lastError().contains(QStringLiteral("not serving")))
        << c.lastError().toStdString();

    srv.health.serving = true;
    EXPECT_TRUE(waitState(c, Connection::State::Ready, 8000));
    // It keeps polling (every 2 s), not just once.
    const int before = srv.health.checks;
    EXPECT_TRUE(QTest::qWaitFor([&] { return srv.health.checks >= before + 2; }, 8000));
}

TEST(CheckWithoutWatch, ServiceGoneIsUnavailableWithAReasonThenReadyWhenItReturns)
{
    auto srv = std::make_unique<CheckOnlyServer>();
    ASSERT_TRUE(srv->server);
    const int port = srv->port;
    Connection c;
    c.connectTo(srv->address());
    ASSERT_TRUE(waitState(c, Connection::State::Ready, 10000));

    srv.reset(); // the process went away
    ASSERT_TRUE(waitState(c, Connection::State::Unavailable, 10000));
    EXPECT_FALSE(c.lastError().isEmpty()) << "Unavailable must say why";

    srv = std::make_unique<CheckOnlyServer>(port); // back on the same port
    ASSERT_TRUE(srv->server) << "port " << port << " was not free again";
    EXPECT_TRUE(waitState(c, Connection::State::Ready, 15000))
        << "state " << int(c.state()) << ": " << c.lastError().toStdString();
}
