// Logic the console's pages rely on, without widgets or a service: latency
// history ordering and trimming, the "last 10 s" figures, merging routing
// changes into the table, and the Change value's names.

#include "core/change.h"
#include "core/latency_history.h"
#include "core/routing_merge.h"

#include <gtest/gtest.h>

using namespace sb;

namespace {

LatencyPoint point(qint64 sec, quint64 count, quint64 errors = 0, quint64 fallbacks = 0)
{
    LatencyPoint p;
    p.secondMs = sec * 1000;
    p.count = count;
    p.errors = errors;
    p.fallbacks = fallbacks;
    p.p50 = 100;
    return p;
}

} // namespace

TEST(LatencyHistory, CachedPointsArrivingLateGoInPlaceAndReplaceTheirSecond)
{
    LatencyHistory h;
    h.add(QStringLiteral("chat"), {point(10, 5), point(12, 5)});
    h.add(QStringLiteral("chat"), {point(11, 7), point(12, 9), point(9, 1)});
    const auto &s = h.series(QStringLiteral("chat"));
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].secondMs, 9000);
    EXPECT_EQ(s[2].count, 7u);
    EXPECT_EQ(s[3].count, 9u); // second 12 replaced, not duplicated
    EXPECT_TRUE(h.series(QStringLiteral("none")).empty());
}

TEST(LatencyHistory, KeepsOnlyTheLastHour)
{
    LatencyHistory h;
    h.add(QStringLiteral("chat"), {point(0, 1)});
    h.add(QStringLiteral("chat"), {point(LatencyHistory::kKeepMs / 1000 + 5, 1)});
    EXPECT_EQ(h.series(QStringLiteral("chat")).size(), 1u);
}

TEST(RecentStats, CountsOnlySecondsInsideTheWindowEndingNow)
{
    std::deque<LatencyPoint> s;
    for (int sec = 0; sec < 30; ++sec)
        s.push_back(point(sec, 10, sec >= 25 ? 5 : 0));
    const auto r = recentStats(s, 29'500, 10);
    EXPECT_EQ(r.seconds, 10); // seconds 20..29
    EXPECT_EQ(r.count, 100u);
    EXPECT_EQ(r.errors, 25u);
    EXPECT_DOUBLE_EQ(r.perSecond(), 10.0);
    EXPECT_DOUBLE_EQ(r.errorRate(), 0.25);
    EXPECT_TRUE(r.current);
}

TEST(RecentStats, AfterAnOutageOldSecondsDoNotPassForLiveOnes)
{
    // The stream stopped at second 29 (fallback 100 %); it is now second 45.
    std::deque<LatencyPoint> s;
    for (int sec = 20; sec < 30; ++sec)
        s.push_back(point(sec, 10, 0, 10));
    const auto r = recentStats(s, 45'000, 10);
    EXPECT_EQ(r.seconds, 0);
    EXPECT_EQ(r.count, 0u);
    EXPECT_FALSE(r.current);
    // Back for two seconds: only those count, and they are live.
    s.push_back(point(44, 4));
    s.push_back(point(45, 4));
    const auto back = recentStats(s, 45'200, 10);
    EXPECT_EQ(back.seconds, 2);
    EXPECT_DOUBLE_EQ(back.fallbackRate(), 0.0);
    EXPECT_TRUE(back.current);
}

TEST(RoutingMerge, ReplacesChangedObjectsByNameAndKeepsServedShares)
{
    RoutingTable t;
    Route chat{.name = QStringLiteral("chat"), .primaryModel = QStringLiteral("atlas-xl")};
    chat.fallbacks.push_back({QStringLiteral("orion-70b"), true, 0});
    chat.recentlyServed.push_back({.model = QStringLiteral("atlas-xl"), .fraction = 0.9});
    t.routes = {chat, Route{.name = QStringLiteral("embed")}};
    t.models = {Model{.name = QStringLiteral("atlas-xl")}, Model{.name = QStringLiteral("orion")}};

    Route changed = chat;
    changed.fallbacks[0].enabled = false;
    changed.recentlyServed.clear();
    changed.etag = QStringLiteral("e2");
    Model off{.name = QStringLiteral("orion"), .enabled = false};
    mergeRoutingChange(t, {changed, Route{.name = QStringLiteral("extract")}}, {off});

    ASSERT_EQ(t.routes.size(), 3u);
    EXPECT_EQ(t.routes[0].name, QStringLiteral("chat"));
    EXPECT_FALSE(t.routes[0].fallbacks[0].enabled);
    EXPECT_EQ(t.routes[0].etag, QStringLiteral("e2"));
    ASSERT_EQ(t.routes[0].recentlyServed.size(), 1u); // kept until the next poll
    EXPECT_EQ(t.routes[1].name, QStringLiteral("embed"));
    EXPECT_EQ(t.routes[2].name, QStringLiteral("extract")); // new route, in name order
    ASSERT_EQ(t.models.size(), 2u);
    EXPECT_FALSE(t.models[1].enabled);
}

TEST(Change, NamesItsTargetTheWayTheAuditLogDoes)
{
    Change m{.kind = ChangeKind::ModelEnabled, .object = QStringLiteral("atlas-xl")};
    EXPECT_EQ(m.target(), QStringLiteral("model/atlas-xl"));
    EXPECT_EQ(m.confirmationText(), QStringLiteral("atlas-xl"));
    EXPECT_EQ(m.title(), QStringLiteral("Disable model atlas-xl"));
    Change f{.kind = ChangeKind::FallbackEnabled,
             .object = QStringLiteral("chat"),
             .item = QStringLiteral("orion-70b"),
             .enabled = true};
    EXPECT_EQ(f.target(), QStringLiteral("route/chat"));
    EXPECT_EQ(f.confirmationText(), QStringLiteral("orion-70b"));
    EXPECT_TRUE(f.canAutoRevert());
    Change l{.kind = ChangeKind::LabelMove, .object = QStringLiteral("greeting")};
    EXPECT_FALSE(l.canAutoRevert());
    EXPECT_NE(Change::newRequestId(), Change::newRequestId());
}
