// The client layer against the real switchboard-sim over loopback gRPC:
// typed calls, error mapping (conflicts, roles), the latency stream's
// coalescing, exactly-once finished, and resume across a service restart.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/experiments_client.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "client/prompts_client.h"
#include "client/routing_client.h"
#include "client/routing_watch.h"
#include "sim/sim_server.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>
#include <set>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim(const std::string &listen = "127.0.0.1:0",
                                         bool withTokens = false)
{
    sim::SimOptions o;
    o.listen = listen;
    o.rate = 3000;
    o.timeScale = 0.05;
    if (withTokens) {
        o.tokens["viewer-token"] = {sim::Role::Viewer, "vera"};
        o.tokens["operator-token"] = {sim::Role::Operator, "otto"};
    }
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    if (!s->start(&err))
        ADD_FAILURE() << "sim did not start: " << err;
    return s;
}

bool waitReady(Connection &c, int ms = 10000)
{
    return QTest::qWaitFor([&] { return c.isReady(); }, ms);
}

} // namespace

TEST(Connection, ReportsReadyWithRoundTripAgainstLiveSim)
{
    auto sim = startSim();
    Connection c;
    QSignalSpy rtt(&c, &Connection::rttMeasured);
    c.connectTo(QString::fromStdString(sim->address()));
    ASSERT_TRUE(waitReady(c));
    // Ready comes from the health Watch; a Check right after measures the round trip.
    EXPECT_TRUE(QTest::qWaitFor([&] { return c.lastRttMs() >= 0; }, 5000));
    EXPECT_GE(rtt.count(), 1);
}

TEST(Connection, DeadAddressBecomesUnavailableWithAReason)
{
    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:1"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.state() == Connection::State::Unavailable; }, 8000));
    EXPECT_TRUE(c.lastError().contains(QStringLiteral("connection refused")))
        << c.lastError().toStdString();
}

TEST(PromptsClient, ListsPromptsAndVersions)
{
    auto sim = startSim();
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    PromptsClient client(&c);
    QSignalSpy listed(&client, &PromptsClient::promptsListed);
    client.listPrompts();
    ASSERT_TRUE(listed.wait(8000));
    const auto prompts = listed.at(0).at(0).value<std::vector<Prompt>>();
    ASSERT_FALSE(prompts.empty());
    EXPECT_FALSE(prompts.front().etag.isEmpty());
    EXPECT_GE(prompts.front().latestVersion, 1u);

    QSignalSpy versions(&client, &PromptsClient::versionsListed);
    client.listVersions(prompts.front().name);
    ASSERT_TRUE(versions.wait(8000));
    const auto vs = versions.at(0).at(1).value<std::vector<PromptVersion>>();
    ASSERT_EQ(vs.size(), std::size_t(prompts.front().latestVersion));
    EXPECT_EQ(vs.front().promptName, prompts.front().name);
    EXPECT_FALSE(vs.front().templateText.isEmpty());
}

TEST(PromptsClient, StaleEtagWriteReportsConflictWithCurrentPrompt)
{
    auto sim = startSim();
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    PromptsClient client(&c);
    QSignalSpy listed(&client, &PromptsClient::promptsListed);
    client.listPrompts();
    ASSERT_TRUE(listed.wait(8000));
    const Prompt p = listed.at(0).at(0).value<std::vector<Prompt>>().front();

    QSignalSpy moved(&client, &PromptsClient::labelMoved);
    const Change move{.kind = ChangeKind::LabelMove,
                      .object = p.name,
                      .item = QStringLiteral("staging"),
                      .version = 1,
                      .reason = QStringLiteral("test"),
                      .expectedEtag = p.etag,
                      .requestId = QStringLiteral("req-1")};
    client.moveLabel(move);
    ASSERT_TRUE(moved.wait(8000));
    const Prompt after = moved.at(0).at(0).value<Prompt>();
    EXPECT_NE(after.etag, p.etag);

    // A second console still holding the old etag loses, and learns the winner.
    QSignalSpy failed(&client, &PromptsClient::changeFailed);
    Change again = move;
    again.requestId = QStringLiteral("req-2");
    client.moveLabel(again);
    ASSERT_TRUE(failed.wait(8000));
    EXPECT_EQ(failed.at(0).at(0).value<Change>().requestId, QStringLiteral("req-2"));
    const auto err = failed.at(0).at(1).value<RpcError>();
    EXPECT_EQ(err.code, RpcCode::FailedPrecondition);
    ASSERT_TRUE(err.conflict.has_value());
    EXPECT_EQ(err.conflict->currentEtag, after.etag);
    ASSERT_TRUE(std::holds_alternative<Prompt>(err.conflict->current));
    EXPECT_EQ(std::get<Prompt>(err.conflict->current).name, p.name);
}

TEST(RoutingClient, ViewerCannotToggleButOperatorCan)
{
    auto sim = startSim("127.0.0.1:0", true);
    const QString addr = QString::fromStdString(sim->address());
    Connection viewer;
    viewer.connectTo(addr, QStringLiteral("viewer-token"));
    RoutingClient vc(&viewer);
    QSignalSpy table(&vc, &RoutingClient::tableReceived);
    vc.fetchTable();
    ASSERT_TRUE(table.wait(8000));
    const auto t = table.at(0).at(0).value<RoutingTable>();
    ASSERT_FALSE(t.routes.empty());
    const Route *route = nullptr;
    for (const auto &r : t.routes) {
        if (!r.fallbacks.empty())
            route = &r;
    }
    ASSERT_NE(route, nullptr);

    QSignalSpy vfailed(&vc, &RoutingClient::changeFailed);
    Change toggle{.kind = ChangeKind::FallbackEnabled,
                  .object = route->name,
                  .item = route->fallbacks.front().model,
                  .enabled = false,
                  .reason = QStringLiteral("drill"),
                  .expectedEtag = route->etag,
                  .requestId = QStringLiteral("r1")};
    vc.apply(toggle);
    ASSERT_TRUE(vfailed.wait(8000));
    EXPECT_EQ(vfailed.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);

    Connection op;
    op.connectTo(addr, QStringLiteral("operator-token"));
    RoutingClient oc(&op);
    QSignalSpy changed(&oc, &RoutingClient::routeChanged);
    toggle.requestId = QStringLiteral("r2");
    oc.apply(toggle);
    ASSERT_TRUE(changed.wait(8000));
    const auto r = changed.at(0).at(0).value<Route>();
    EXPECT_FALSE(r.fallbacks.front().enabled);
    const auto audit = changed.at(0).at(1).value<AuditEvent>();
    EXPECT_EQ(audit.actor, QStringLiteral("otto"));
    EXPECT_EQ(audit.reason, QStringLiteral("drill"));
}

TEST(ExperimentsClient, ListsSeededExperiments)
{
    auto sim = startSim();
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    ExperimentsClient client(&c);
    QSignalSpy listed(&client, &ExperimentsClient::experimentsListed);
    client.listExperiments();
    ASSERT_TRUE(listed.wait(8000));
    const auto es = listed.at(0).at(0).value<std::vector<Experiment>>();
    ASSERT_FALSE(es.empty());
    for (const auto &e : es)
        EXPECT_GE(e.variants.size(), 2u);
}

TEST(LatencyStream, DeliversPerSecondPointsAndFinishesOnceOnStop)
{
    auto sim = startSim();
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    LatencyStream stream(&c);
    QSignalSpy points(&stream, &LatencyStream::pointsReady);
    QSignalSpy finished(&stream, &LatencyStream::finished);
    stream.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return points.count() >= 2; }, 10000));
    quint64 total = 0;
    for (const auto &args : points) {
        for (const auto &rp : args.at(0).value<std::vector<RoutePoint>>()) {
            total += rp.point.count;
            EXPECT_LE(rp.point.p50, rp.point.p95);
            EXPECT_LE(rp.point.p95, rp.point.p99);
        }
    }
    EXPECT_GT(total, 0u);
    EXPECT_FALSE(stream.routes().isEmpty());
    stream.stop();
    stream.stop();
    QTest::qWait(300);
    EXPECT_EQ(finished.count(), 1);
    EXPECT_EQ(stream.stats().duplicates, 0u);
}

// Connecting to a service that has been running a while shows complete
// seconds at once: the stream asks for a backfill of recent batches, so the
// first closed second it hands over ended before we connected (live only, it
// would be the first whole second after connecting, ~1.25-2.25 s later).
TEST(LatencyStream, FirstCompleteSecondsArriveRightAfterConnecting)
{
    auto sim = startSim();
    QTest::qWait(3500); // the service has history to offer
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    ASSERT_TRUE(waitReady(c));
    LatencyStream stream(&c);
    std::vector<SeriesUpdate> updates;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady,
                     [&](const SeriesUpdate &u) { updates.push_back(u); });
    const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
    stream.start();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &u : updates) {
                if (!u.seconds.empty())
                    return true;
            }
            return false;
        },
        10000));
    qint64 firstSecond = 0;
    for (const auto &u : updates) {
        if (!u.seconds.empty()) {
            firstSecond = u.seconds.front().secondMs;
            break;
        }
    }
    EXPECT_LE(firstSecond + 1000, startedMs)
        << "the first complete second ended " << (firstSecond + 1000 - startedMs)
        << " ms after connecting: it waited for a live second";
    // It is a whole second of traffic (3,000 requests/s), not a partial one.
    quint64 requests = 0;
    for (const auto &u : updates) {
        for (const auto &s : u.seconds) {
            if (s.secondMs == firstSecond)
                requests += s.aggregate.count;
        }
    }
    EXPECT_GT(requests, 2400u);
    EXPECT_LT(requests, 3600u);

    // Backfill and live join without a batch or a second twice.
    QTest::qWait(1500);
    std::set<std::pair<SeriesId, qint64>> seen;
    for (const auto &u : updates) {
        for (const auto &s : u.seconds)
            EXPECT_TRUE(seen.insert({s.series, s.secondMs}).second)
                << "series " << s.series << " second " << s.secondMs << " delivered twice";
    }
    const auto st = stream.stats();
    EXPECT_EQ(st.duplicates, 0u);
    EXPECT_EQ(st.gaps, 0u);
    EXPECT_EQ(st.rejects.total(), 0u);
    stream.stop();
}

TEST(LatencyStream, ReconnectsAfterServiceRestartAndReportsTheGap)
{
    auto sim = startSim();
    const std::string addr = sim->address();
    Connection c;
    c.connectTo(QString::fromStdString(addr));
    LatencyStream stream(&c);
    QSignalSpy finished(&stream, &LatencyStream::finished);
    QSignalSpy gaps(&stream, &LatencyStream::gapDetected);
    stream.start();
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return stream.state() == LatencyStream::State::Streaming; }, 10000));
    const quint64 before = stream.stats().batches;
    sim->shutdown();
    sim.reset();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return stream.state() == LatencyStream::State::Reconnecting; }, 10000));
    auto again = startSim(addr); // same port: the service came back
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return stream.state() == LatencyStream::State::Streaming &&
                   stream.stats().batches > before + 3;
        },
        15000));
    EXPECT_EQ(finished.count(), 0);
    EXPECT_GE(gaps.count(), 1); // a restarted service cannot replay: the user is told
    EXPECT_GE(stream.stats().reconnects, 1u);
}

TEST(RoutingWatch, SnapshotFirstThenEachToggleAsItHappens)
{
    auto sim = startSim();
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()));
    RoutingWatch watch(&c);
    QSignalSpy snapshot(&watch, &RoutingWatch::snapshotReceived);
    QSignalSpy changed(&watch, &RoutingWatch::changed);
    QSignalSpy finished(&watch, &RoutingWatch::finished);
    watch.start();
    ASSERT_TRUE(snapshot.wait(8000));
    const auto table = snapshot.at(0).at(0).value<RoutingTable>();
    ASSERT_FALSE(table.routes.empty());
    const Route *route = nullptr;
    for (const auto &r : table.routes) {
        if (!r.fallbacks.empty())
            route = &r;
    }
    ASSERT_NE(route, nullptr);

    RoutingClient client(&c);
    client.apply(Change{.kind = ChangeKind::FallbackEnabled,
                        .object = route->name,
                        .item = route->fallbacks.front().model,
                        .enabled = false,
                        .reason = QStringLiteral("watch test"),
                        .expectedEtag = route->etag,
                        .requestId = QStringLiteral("watch-1")});
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &args : changed) {
                const auto routes = args.at(0).value<std::vector<Route>>();
                const auto audit = args.at(2).value<AuditEvent>();
                if (!routes.empty() && routes.front().name == route->name &&
                    !routes.front().fallbacks.front().enabled &&
                    audit.reason == QStringLiteral("watch test"))
                    return true;
            }
            return false;
        },
        8000));
    watch.stop();
    watch.stop();
    QTest::qWait(200);
    EXPECT_EQ(finished.count(), 1);
}

TEST(Auth, WrongTokenIsReportedAndEndsTheStreamForGood)
{
    auto sim = startSim("127.0.0.1:0", true);
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("not-a-token"));
    PromptsClient prompts(&c);
    QSignalSpy failed(&prompts, &PromptsClient::failed);
    prompts.listPrompts();
    ASSERT_TRUE(failed.wait(8000));
    const auto err = failed.at(0).at(1).value<RpcError>();
    EXPECT_EQ(err.code, RpcCode::Unauthenticated);
    EXPECT_TRUE(err.describe().startsWith(QStringLiteral("unauthenticated")));

    LatencyStream stream(&c);
    QSignalSpy finished(&stream, &LatencyStream::finished);
    stream.start();
    ASSERT_TRUE(finished.wait(8000));
    QTest::qWait(500); // no retry loop: a wrong token does not fix itself
    EXPECT_EQ(finished.count(), 1);
    EXPECT_EQ(finished.at(0).at(0).value<RpcError>().code, RpcCode::Unauthenticated);
    EXPECT_EQ(stream.state(), LatencyStream::State::Stopped);
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    qRegisterMetaType<std::vector<sb::Prompt>>();
    qRegisterMetaType<std::vector<sb::PromptVersion>>();
    qRegisterMetaType<std::vector<sb::Experiment>>();
    qRegisterMetaType<std::vector<sb::RoutePoint>>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::Route>();
    qRegisterMetaType<sb::AuditEvent>();
    qRegisterMetaType<std::vector<sb::Route>>();
    qRegisterMetaType<std::vector<sb::Model>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    // Calls of destroyed objects may still be finishing; let gRPC let go first.
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
