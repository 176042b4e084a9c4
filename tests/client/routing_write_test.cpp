// The routing write path of the client layer against the real sim over
// loopback gRPC: two consoles racing on one fallback step (one winner per
// etag, no lost update, one audit event per applied change), auto-revert
// arriving on WatchRouting, a viewer denied, force-fallback with its
// conflict, and drills that shift a route's traffic to its fallback (plus a
// service without drills answering UNIMPLEMENTED).

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/drill_client.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "client/routing_client.h"
#include "client/routing_watch.h"
#include "sim/sim_server.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <set>

using namespace sb;
using namespace std::chrono_literals;

namespace {

const QString kViewer = QStringLiteral("viewer-token");
const QString kOperator = QStringLiteral("operator-token");
const QString kAdmin = QStringLiteral("admin-token");

class RoutingWrite : public ::testing::Test
{
protected:
    void SetUp() override
    {
        sim::SimOptions o;
        o.rate = 3000;
        o.timeScale = 0.05;
        o.tokens[kViewer.toStdString()] = {sim::Role::Viewer, "vera"};
        o.tokens[kOperator.toStdString()] = {sim::Role::Operator, "otto"};
        o.tokens["operator-2"] = {sim::Role::Operator, "olivia"};
        o.tokens[kAdmin.toStdString()] = {sim::Role::Admin, "ada"};
        m_sim = std::make_unique<sim::SimServer>(o);
        std::string err;
        ASSERT_TRUE(m_sim->start(&err)) << err;
        m_address = QString::fromStdString(m_sim->address());
    }

    void TearDown() override
    {
        if (m_sim)
            m_sim->shutdown();
    }

    std::unique_ptr<Connection> connect(const QString &token)
    {
        auto c = std::make_unique<Connection>();
        c->connectTo(m_address, token);
        EXPECT_TRUE(QTest::qWaitFor([&] { return c->isReady(); }, 10000));
        return c;
    }

    static RoutingTable fetch(RoutingClient &client)
    {
        QSignalSpy spy(&client, &RoutingClient::tableReceived);
        client.fetchTable();
        EXPECT_TRUE(spy.wait(8000));
        return spy.isEmpty() ? RoutingTable{} : spy.takeFirst().at(0).value<RoutingTable>();
    }

    static Route routeOf(const RoutingTable &t, const QString &name)
    {
        for (const auto &r : t.routes) {
            if (r.name == name)
                return r;
        }
        ADD_FAILURE() << "no route " << name.toStdString();
        return {};
    }

    static const ServedShare *share(const Route &r, const QString &model, ServedReason reason)
    {
        for (const auto &s : r.recentlyServed) {
            if (s.model == model && s.reason == reason)
                return &s;
        }
        return nullptr;
    }

    // Every audit event about `target`, newest first, through all pages.
    std::vector<switchboard::v1::AuditEvent> auditOf(const std::string &target)
    {
        auto channel = grpc::CreateChannel(m_sim->address(), grpc::InsecureChannelCredentials());
        auto stub = switchboard::v1::RoutingService::NewStub(channel);
        std::vector<switchboard::v1::AuditEvent> out;
        std::string token;
        for (int page = 0; page < 100; ++page) {
            grpc::ClientContext ctx;
            ctx.AddMetadata("authorization", "Bearer " + kViewer.toStdString());
            ctx.set_deadline(std::chrono::system_clock::now() + 5s);
            switchboard::v1::ListAuditEventsRequest req;
            req.set_target(target);
            req.set_page_size(500);
            req.set_page_token(token);
            switchboard::v1::ListAuditEventsResponse resp;
            EXPECT_TRUE(stub->ListAuditEvents(&ctx, req, &resp).ok());
            out.insert(out.end(), resp.events().begin(), resp.events().end());
            token = resp.next_page_token();
            if (token.empty())
                break;
        }
        return out;
    }

    Change fallbackToggle(const Route &r, const QString &step, bool enabled, const QString &id)
    {
        return Change{.kind = ChangeKind::FallbackEnabled,
                      .object = r.name,
                      .item = step,
                      .enabled = enabled,
                      .reason = QStringLiteral("test"),
                      .expectedEtag = r.etag,
                      .requestId = id};
    }

    std::unique_ptr<sim::SimServer> m_sim;
    QString m_address;
};

// One console of the race: toggles chat's `atlas-mini` step with the etag it
// last read, re-reads after each conflict, until it has sent its share.
struct Racer
{
    struct Win
    {
        QString expectedEtag;
        QString newEtag;
        bool enabled = false;
        QString requestId;
        QString auditId;
    };

    Racer(const QString &address, const QString &token, const QString &name, int attempts)
        : name(name), attempts(attempts)
    {
        conn.connectTo(address, token);
        QObject::connect(&client, &RoutingClient::tableReceived, &client,
                         [this](const RoutingTable &t) {
                             read(t);
                             send();
                         });
        QObject::connect(&client, &RoutingClient::routeChanged, &client,
                         [this](const Route &r, const AuditEvent &) {
                             lastRoute = r;
                             read(r);
                         });
        QObject::connect(
            &client, &RoutingClient::changeApplied, &client,
            [this](const Change &c, const AuditEvent &a) {
                wins.push_back({c.expectedEtag, lastRoute.etag, c.enabled, c.requestId, a.id});
                auditRequestIds.push_back(a.requestId);
                send();
            });
        QObject::connect(&client, &RoutingClient::changeFailed, &client,
                         [this](const Change &c, const RpcError &e) {
                             if (e.code != RpcCode::FailedPrecondition || !e.conflict ||
                                 e.conflict->currentEtag == c.expectedEtag) {
                                 ++unexpected;
                                 lastError = e.describe();
                             }
                             conflicted.insert(c.requestId);
                             client.fetchTable(); // re-read, then decide again
                         });
        QObject::connect(&client, &RoutingClient::failed, &client,
                         [this](const QString &, const RpcError &e) {
                             ++unexpected;
                             lastError = e.describe();
                         });
    }

    void read(const RoutingTable &t)
    {
        for (const auto &r : t.routes) {
            if (r.name == QStringLiteral("chat"))
                read(r);
        }
    }

    void read(const Route &r)
    {
        etag = r.etag;
        for (const auto &f : r.fallbacks) {
            if (f.model == QStringLiteral("atlas-mini"))
                enabled = f.enabled;
        }
    }

    void send()
    {
        if (sent == attempts) {
            done = true;
            return;
        }
        ++sent;
        client.apply(Change{.kind = ChangeKind::FallbackEnabled,
                            .object = QStringLiteral("chat"),
                            .item = QStringLiteral("atlas-mini"),
                            .enabled = !enabled,
                            .reason = QStringLiteral("race"),
                            .expectedEtag = etag,
                            .requestId = QStringLiteral("%1-%2").arg(name).arg(sent)});
    }

    Connection conn;
    RoutingClient client{&conn};
    QString name;
    int attempts;
    int sent = 0;
    bool done = false;
    int unexpected = 0;
    QString lastError;
    QString etag;
    bool enabled = false;
    Route lastRoute;
    std::vector<Win> wins;
    std::vector<QString> auditRequestIds;
    std::set<QString> conflicted;
};

quint64 auditNumber(const QString &id)
{
    return id.mid(QStringLiteral("audit-").size()).toULongLong();
}

TEST_F(RoutingWrite, RacingTogglesHaveOneWinnerPerEtagAndLoseNoUpdate)
{
    auto reader = connect(kViewer);
    RoutingClient readerClient(reader.get());
    const Route initial = routeOf(fetch(readerClient), QStringLiteral("chat"));

    Racer a(m_address, kOperator, QStringLiteral("a"), 500);
    Racer b(m_address, QStringLiteral("operator-2"), QStringLiteral("b"), 500);
    ASSERT_TRUE(QTest::qWaitFor([&] { return a.conn.isReady() && b.conn.isReady(); }, 10000));
    a.client.fetchTable(); // each reads, then toggles: both start from the same etag
    b.client.fetchTable();
    ASSERT_TRUE(QTest::qWaitFor([&] { return a.done && b.done; }, 120000))
        << "a sent " << a.sent << ", b sent " << b.sent;
    EXPECT_EQ(a.unexpected + b.unexpected, 0)
        << a.lastError.toStdString() << " / " << b.lastError.toStdString();

    const std::size_t applied = a.wins.size() + b.wins.size();
    const std::size_t conflicts = a.conflicted.size() + b.conflicted.size();
    EXPECT_EQ(applied + conflicts, 1000u);
    EXPECT_GE(conflicts, 1u); // both began with the same etag: one of them lost
    EXPECT_GE(a.wins.size(), 1u);
    EXPECT_GE(b.wins.size(), 1u);
    std::cout << "applied " << applied << ", conflicts " << conflicts << "\n";

    // In the order the service applied them, every winner built on the
    // previous winner's result (so no update was lost) and flipped what it read.
    std::vector<Racer::Win> wins = a.wins;
    wins.insert(wins.end(), b.wins.begin(), b.wins.end());
    std::sort(wins.begin(), wins.end(), [](const auto &x, const auto &y) {
        return auditNumber(x.auditId) < auditNumber(y.auditId);
    });
    std::set<QString> expected;
    for (std::size_t i = 0; i < wins.size(); ++i) {
        EXPECT_TRUE(expected.insert(wins[i].expectedEtag).second)
            << "two winners for etag " << wins[i].expectedEtag.toStdString();
        const QString before = i == 0 ? initial.etag : wins[i - 1].newEtag;
        EXPECT_EQ(wins[i].expectedEtag, before) << "win " << i;
        if (i > 0) {
            EXPECT_NE(wins[i].enabled, wins[i - 1].enabled) << "win " << i;
        }
    }

    // Exactly one audit event per applied change; none for the losers.
    std::map<std::string, int> perRequest;
    for (const auto &e : auditOf("route/chat"))
        ++perRequest[e.request_id()];
    EXPECT_EQ(perRequest.size(), applied);
    for (const auto &w : wins)
        EXPECT_EQ(perRequest[w.requestId.toStdString()], 1) << w.requestId.toStdString();
    for (const Racer *r : {&a, &b}) {
        for (const auto &id : r->conflicted)
            EXPECT_EQ(perRequest.count(id.toStdString()), 0u) << id.toStdString();
    }

    // The table ends as the last winner left it.
    const Route final = routeOf(fetch(readerClient), QStringLiteral("chat"));
    ASSERT_FALSE(wins.empty());
    EXPECT_EQ(final.etag, wins.back().newEtag);
    for (const auto &f : final.fallbacks) {
        if (f.model == QStringLiteral("atlas-mini")) {
            EXPECT_EQ(f.enabled, wins.back().enabled);
        }
    }
    EXPECT_EQ(final.updatedBy, wins.back().requestId.startsWith(QLatin1Char('a'))
                                   ? QStringLiteral("otto")
                                   : QStringLiteral("olivia"));
}

TEST_F(RoutingWrite, AutoRevertArrivesOnTheWatchAndRestoresTheTable)
{
    auto op = connect(kOperator);
    RoutingClient client(op.get());
    RoutingWatch watch(op.get());
    QSignalSpy snapshot(&watch, &RoutingWatch::snapshotReceived);
    QSignalSpy changed(&watch, &RoutingWatch::changed);
    watch.start();
    ASSERT_TRUE(snapshot.wait(8000));
    const Route before = routeOf(fetch(client), QStringLiteral("summarize"));
    ASSERT_TRUE(before.fallbacks.front().enabled);
    ASSERT_FALSE(before.primaryBypassed);

    QSignalSpy routeChanged(&client, &RoutingClient::routeChanged);
    Change off = fallbackToggle(before, QStringLiteral("atlas-mini"), false, QStringLiteral("r-1"));
    off.revertAfter = 1s;
    client.apply(off);
    ASSERT_TRUE(routeChanged.wait(8000));
    const Route disabled = routeChanged.takeFirst().at(0).value<Route>();
    EXPECT_FALSE(disabled.fallbacks.front().enabled);
    const qint64 revertMs = disabled.fallbacks.front().revertMs;
    EXPECT_GT(revertMs, 0);

    // The revert comes as its own event, by auto-revert, with the old value.
    // (Not before the time the change said it would revert at.)
    auto revertOf = [&](const QString &action, qint64 notBeforeMs) -> std::optional<Route> {
        for (const auto &args : changed) {
            const auto audit = args.at(2).value<AuditEvent>();
            const auto routes = args.at(0).value<std::vector<Route>>();
            if (audit.actor == QStringLiteral("auto-revert") && audit.action == action &&
                !routes.empty() && routes.front().name == QStringLiteral("summarize")) {
                EXPECT_GE(audit.timeMs, notBeforeMs);
                return routes.front();
            }
        }
        return std::nullopt;
    };
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return revertOf(QStringLiteral("fallback.enable"), revertMs).has_value(); }, 8000));
    const Route reverted = *revertOf(QStringLiteral("fallback.enable"), revertMs);
    EXPECT_TRUE(reverted.fallbacks.front().enabled);
    EXPECT_EQ(reverted.fallbacks.front().revertMs, 0);
    EXPECT_EQ(reverted.updatedBy, QStringLiteral("auto-revert"));
    Route now = routeOf(fetch(client), QStringLiteral("summarize"));
    EXPECT_TRUE(now.fallbacks.front().enabled);
    EXPECT_EQ(now.etag, reverted.etag);

    // A timed force-fallback reverts the same way.
    client.apply(Change{.kind = ChangeKind::ForceFallback,
                        .object = QStringLiteral("summarize"),
                        .enabled = true,
                        .reason = QStringLiteral("try the fallback for a second"),
                        .expectedEtag = now.etag,
                        .requestId = QStringLiteral("r-2"),
                        .revertAfter = 1s});
    ASSERT_TRUE(routeChanged.wait(8000));
    const Route bypassed = routeChanged.takeFirst().at(0).value<Route>();
    EXPECT_TRUE(bypassed.primaryBypassed);
    EXPECT_GT(bypassed.primaryBypassRevertMs, 0);
    const qint64 bypassRevertMs = bypassed.primaryBypassRevertMs;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return revertOf(QStringLiteral("route.use_primary"), bypassRevertMs).has_value(); },
        8000));
    EXPECT_FALSE(revertOf(QStringLiteral("route.use_primary"), bypassRevertMs)->primaryBypassed);
    now = routeOf(fetch(client), QStringLiteral("summarize"));
    EXPECT_FALSE(now.primaryBypassed);
    EXPECT_EQ(now.primaryBypassRevertMs, 0);
    watch.stop();
}

TEST_F(RoutingWrite, ViewersWritesAreDeniedAndChangeNothing)
{
    auto viewer = connect(kViewer);
    RoutingClient client(viewer.get());
    const RoutingTable before = fetch(client);
    const Route chat = routeOf(before, QStringLiteral("chat"));
    const Model &model = before.models.front();

    QSignalSpy applied(&client, &RoutingClient::changeApplied);
    QSignalSpy failed(&client, &RoutingClient::changeFailed);
    client.apply(fallbackToggle(chat, chat.fallbacks.front().model, false, QStringLiteral("v-1")));
    client.apply(Change{.kind = ChangeKind::ModelEnabled,
                        .object = model.name,
                        .enabled = false,
                        .reason = QStringLiteral("test"),
                        .expectedEtag = model.etag,
                        .requestId = QStringLiteral("v-2")});
    client.apply(Change{.kind = ChangeKind::ForceFallback,
                        .object = chat.name,
                        .enabled = true,
                        .reason = QStringLiteral("test"),
                        .expectedEtag = chat.etag,
                        .requestId = QStringLiteral("v-3")});
    ASSERT_TRUE(QTest::qWaitFor([&] { return failed.count() == 3; }, 8000));
    std::set<QString> ids;
    for (const auto &args : failed) {
        ids.insert(args.at(0).value<Change>().requestId);
        const auto err = args.at(1).value<RpcError>();
        EXPECT_EQ(err.code, RpcCode::PermissionDenied);
        EXPECT_FALSE(err.conflict.has_value());
    }
    EXPECT_EQ(ids, (std::set<QString>{"v-1", "v-2", "v-3"}));
    EXPECT_EQ(applied.count(), 0);

    const RoutingTable after = fetch(client);
    const Route chatAfter = routeOf(after, QStringLiteral("chat"));
    EXPECT_EQ(chatAfter.etag, chat.etag);
    EXPECT_EQ(chatAfter.fallbacks, chat.fallbacks);
    EXPECT_FALSE(chatAfter.primaryBypassed);
    for (const auto &m : after.models) {
        if (m.name == model.name) {
            EXPECT_EQ(m.etag, model.etag);
            EXPECT_TRUE(m.enabled);
        }
    }
    for (const auto &e : auditOf({})) {
        EXPECT_NE(e.actor(), "vera") << e.action();
        EXPECT_NE(e.request_id().rfind("v-", 0), 0u) << e.request_id();
    }
}

TEST_F(RoutingWrite, ForceFallbackAppliesConflictsAndShiftsTraffic)
{
    auto op = connect(kOperator);
    RoutingClient client(op.get());
    RoutingWatch watch(op.get());
    QSignalSpy snapshot(&watch, &RoutingWatch::snapshotReceived);
    QSignalSpy watched(&watch, &RoutingWatch::changed);
    watch.start();
    ASSERT_TRUE(snapshot.wait(8000));
    const Route before = routeOf(fetch(client), QStringLiteral("summarize"));
    ASSERT_EQ(before.primaryModel, QStringLiteral("orion-70b"));

    // Order matters to the UI: the new route first, then "applied".
    QStringList order;
    Route changedRoute;
    AuditEvent appliedAudit;
    QObject::connect(&client, &RoutingClient::routeChanged, &client,
                     [&](const Route &r, const AuditEvent &) {
                         order << QStringLiteral("route");
                         changedRoute = r;
                     });
    QObject::connect(&client, &RoutingClient::changeApplied, &client,
                     [&](const Change &, const AuditEvent &a) {
                         order << QStringLiteral("applied");
                         appliedAudit = a;
                     });
    QSignalSpy failed(&client, &RoutingClient::changeFailed);
    const Change force{.kind = ChangeKind::ForceFallback,
                       .object = QStringLiteral("summarize"),
                       .enabled = true,
                       .reason = QStringLiteral("orion-70b is slow, INC-9"),
                       .expectedEtag = before.etag,
                       .requestId = QStringLiteral("f-1")};
    client.apply(force);
    ASSERT_TRUE(QTest::qWaitFor([&] { return order.size() == 2; }, 8000));
    EXPECT_EQ(order, (QStringList{"route", "applied"}));
    EXPECT_TRUE(changedRoute.primaryBypassed);
    EXPECT_EQ(changedRoute.primaryBypassRevertMs, 0);
    EXPECT_EQ(changedRoute.updatedBy, QStringLiteral("otto"));
    EXPECT_NE(changedRoute.etag, before.etag);
    EXPECT_EQ(appliedAudit.action, QStringLiteral("route.bypass_primary"));
    EXPECT_EQ(appliedAudit.reason, force.reason);
    EXPECT_EQ(failed.count(), 0);

    // The watch shows it to every console.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &args : watched) {
                const auto routes = args.at(0).value<std::vector<Route>>();
                if (args.at(2).value<AuditEvent>().id == appliedAudit.id && !routes.empty())
                    return routes.front().primaryBypassed;
            }
            return false;
        },
        8000));

    // A second console still holding the old etag loses and sees why.
    Change stale = force;
    stale.enabled = false;
    stale.requestId = QStringLiteral("f-2");
    client.apply(stale);
    ASSERT_TRUE(failed.wait(8000));
    EXPECT_EQ(failed.at(0).at(0).value<Change>().requestId, QStringLiteral("f-2"));
    const auto err = failed.at(0).at(1).value<RpcError>();
    EXPECT_EQ(err.code, RpcCode::FailedPrecondition);
    ASSERT_TRUE(err.conflict.has_value());
    EXPECT_EQ(err.conflict->currentEtag, changedRoute.etag);
    EXPECT_EQ(err.conflict->updatedBy, QStringLiteral("otto"));
    ASSERT_TRUE(std::holds_alternative<Route>(err.conflict->current));
    EXPECT_TRUE(std::get<Route>(err.conflict->current).primaryBypassed);
    EXPECT_EQ(order.size(), 2);

    // The route's traffic now goes to its fallback, labelled as such.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Route r = routeOf(fetch(client), QStringLiteral("summarize"));
            const ServedShare *f = share(r, QStringLiteral("atlas-mini"), ServedReason::Fallback);
            return f && f->afterModel == QStringLiteral("orion-70b") && f->fraction10s > 0.5;
        },
        20000));

    // Bypassing a route with no enabled fallback is refused in plain words.
    const Route embed = routeOf(fetch(client), QStringLiteral("embed"));
    QSignalSpy routeChanged(&client, &RoutingClient::routeChanged);
    client.apply(
        fallbackToggle(embed, QStringLiteral("vega-embed-small"), false, QStringLiteral("f-3")));
    ASSERT_TRUE(routeChanged.wait(8000));
    const Route noFallback = routeChanged.takeFirst().at(0).value<Route>();
    client.apply(Change{.kind = ChangeKind::ForceFallback,
                        .object = QStringLiteral("embed"),
                        .enabled = true,
                        .reason = QStringLiteral("test"),
                        .expectedEtag = noFallback.etag,
                        .requestId = QStringLiteral("f-4")});
    ASSERT_TRUE(QTest::qWaitFor([&] { return failed.count() == 2; }, 8000));
    const auto refusal = failed.at(1).at(1).value<RpcError>();
    EXPECT_EQ(refusal.code, RpcCode::FailedPrecondition);
    EXPECT_FALSE(refusal.conflict.has_value());
    EXPECT_TRUE(refusal.message.contains(QStringLiteral("no enabled fallback")))
        << refusal.message.toStdString();
    EXPECT_FALSE(routeOf(fetch(client), QStringLiteral("embed")).primaryBypassed);
    watch.stop();
}

TEST_F(RoutingWrite, DrillOutageOnAPrimaryShiftsItsRouteToTheFallback)
{
    auto admin = connect(kAdmin);
    RoutingClient routing(admin.get());
    DrillClient drills(admin.get());
    LatencyStream stream(admin.get());
    std::vector<RoutePoint> points;
    QObject::connect(
        &stream, &LatencyStream::pointsReady, &stream,
        [&](const std::vector<RoutePoint> &p) { points.insert(points.end(), p.begin(), p.end()); });
    stream.start({QStringLiteral("extract")}); // atlas-mini, then orion-8b, orion-70b

    QSignalSpy started(&drills, &DrillClient::drillStarted);
    QSignalSpy failed(&drills, &DrillClient::failed);
    drills.start(QStringLiteral("atlas-mini"), DrillKind::Outage, 0, 60s);
    ASSERT_TRUE(started.wait(8000)) << failed.count();
    const Drill drill = started.at(0).at(0).value<Drill>();
    EXPECT_FALSE(drill.id.isEmpty());
    EXPECT_EQ(drill.model, QStringLiteral("atlas-mini"));
    EXPECT_EQ(drill.kind, DrillKind::Outage);
    EXPECT_EQ(drill.endMs - drill.startMs, 60000);

    QSignalSpy listed(&drills, &DrillClient::drillsListed);
    drills.list();
    ASSERT_TRUE(listed.wait(8000));
    EXPECT_EQ(listed.at(0).at(0).value<std::vector<Drill>>(), std::vector<Drill>{drill});

    // The table: most of the last 10 s served by orion-8b as a fallback after
    // atlas-mini.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Route r = routeOf(fetch(routing), QStringLiteral("extract"));
            const ServedShare *f = share(r, QStringLiteral("orion-8b"), ServedReason::Fallback);
            return f && f->afterModel == QStringLiteral("atlas-mini") && f->fraction10s > 0.6;
        },
        20000));

    // The live stream: whole seconds after the drill began are (nearly) all
    // fallbacks, and mostly successful.
    const qint64 firstFull = (drill.startMs / 1000 + 1) * 1000;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return std::any_of(points.begin(), points.end(), [&](const RoutePoint &p) {
                return p.point.secondMs >= firstFull + 1000 && p.point.count >= 20;
            });
        },
        10000));
    for (const auto &p : points) {
        if (p.point.secondMs < firstFull || p.point.count < 20)
            continue;
        EXPECT_EQ(p.route, QStringLiteral("extract"));
        EXPECT_GT(double(p.point.fallbacks), 0.95 * double(p.point.count)) << p.point.secondMs;
        EXPECT_LT(double(p.point.errors), 0.2 * double(p.point.count)) << p.point.secondMs;
    }
    stream.stop();

    QSignalSpy stopped(&drills, &DrillClient::drillStopped);
    drills.stop(drill.id);
    ASSERT_TRUE(stopped.wait(8000));
    EXPECT_EQ(stopped.at(0).at(0).toString(), drill.id);
    drills.list();
    ASSERT_TRUE(listed.wait(8000));
    EXPECT_TRUE(listed.at(1).at(0).value<std::vector<Drill>>().empty());
    drills.stop(drill.id); // already gone
    ASSERT_TRUE(failed.wait(8000));
    EXPECT_EQ(failed.at(0).at(0).toString(), QStringLiteral("stop drill"));
    EXPECT_EQ(failed.at(0).at(1).value<RpcError>().code, RpcCode::NotFound);
}

TEST_F(RoutingWrite, DrillsNeedAdmin)
{
    auto op = connect(kOperator);
    DrillClient drills(op.get());
    QSignalSpy failed(&drills, &DrillClient::failed);
    drills.start(QStringLiteral("atlas-mini"), DrillKind::ErrorBurst, 0.5, 10s);
    ASSERT_TRUE(failed.wait(8000));
    EXPECT_EQ(failed.at(0).at(0).toString(), QStringLiteral("start drill"));
    EXPECT_EQ(failed.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
}

TEST(DrillClientAgainstARealService, AnswersUnimplemented)
{
    // A real service: it implements the contract, not the sim's drills.
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    switchboard::v1::RoutingService::CallbackService routing; // answers UNIMPLEMENTED too
    builder.RegisterService(&routing);
    auto server = builder.BuildAndStart();
    ASSERT_TRUE(server);
    ASSERT_GT(port, 0);

    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:%1").arg(port));
    DrillClient drills(&c);
    QSignalSpy failed(&drills, &DrillClient::failed);
    QSignalSpy listed(&drills, &DrillClient::drillsListed);
    drills.list();
    ASSERT_TRUE(failed.wait(8000));
    EXPECT_EQ(failed.at(0).at(0).toString(), QStringLiteral("list drills"));
    EXPECT_EQ(failed.at(0).at(1).value<RpcError>().code, RpcCode::Unimplemented);
    EXPECT_EQ(listed.count(), 0);
    server->Shutdown(std::chrono::system_clock::now() + 1s);
}

} // namespace

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::Route>();
    qRegisterMetaType<sb::Model>();
    qRegisterMetaType<sb::AuditEvent>();
    qRegisterMetaType<sb::RoutingTable>();
    qRegisterMetaType<sb::Drill>();
    qRegisterMetaType<std::vector<sb::Drill>>();
    qRegisterMetaType<std::vector<sb::Route>>();
    qRegisterMetaType<std::vector<sb::Model>>();
    qRegisterMetaType<std::vector<sb::RoutePoint>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    // Calls of destroyed objects may still be finishing; let gRPC let go first.
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
