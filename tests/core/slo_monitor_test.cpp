// Per-route SLOs over the series store's seconds: a route's models and
// variants count together, another route stays quiet, each state change is
// reported once (so a notification can be updated in place, not repeated),
// latency objectives read the slow share from the seconds' sketches, and the
// alert says in words what burns and how fast.

#include "core/slo_monitor.h"

#include <gtest/gtest.h>

using namespace sb;

namespace {

RouteSlo quickSlo()
{
    RouteSlo s;
    s.errorObjective = 0.99;
    s.p99ThresholdMs = 800;
    s.policy.pendingForSec = 10;
    s.policy.recoverForSec = 60;
    return s;
}

// One second of one series: n requests, `errors` failed, the successes'
// latencies spread over 100..(100 + spreadMs) with `slow` of them at 2 s.
SeriesSecond second(qint64 sec, quint64 n, quint64 errors, quint64 slow = 0)
{
    SeriesSecond s;
    s.secondMs = sec * 1000;
    s.aggregate.count = n;
    s.aggregate.errors = errors;
    for (quint64 i = 0; i < n - errors; ++i)
        s.aggregate.latency.record(i < slow ? 2000.0 : 100.0 + double(i % 200));
    return s;
}

const SeriesKey kChatA{QStringLiteral("chat"), QStringLiteral("atlas-xl"), {}};
const SeriesKey kChatB{QStringLiteral("chat"), QStringLiteral("orca-mini"), {}};
const SeriesKey kSearch{QStringLiteral("search"), QStringLiteral("atlas-xl"), {}};

std::vector<SloAlert> of(const std::vector<SloAlert> &all, const QString &route, SloKind kind)
{
    std::vector<SloAlert> out;
    for (const auto &a : all) {
        if (a.route == route && a.kind == kind)
            out.push_back(a);
    }
    return out;
}

} // namespace

TEST(SloMonitor, CountAboveReadsTheSlowShareFromASketchWithinABucket)
{
    LatencySketch s;
    for (int i = 1; i <= 1000; ++i)
        s.record(double(i));
    const quint64 above = countAbove(s, 500);
    EXPECT_LE(above, 500u);
    EXPECT_GE(above, 490u); // one bucket at 500 ms is ~0.5 % wide: about 3 samples
    EXPECT_EQ(countAbove(s, 5000), 0u);
    EXPECT_EQ(countAbove(LatencySketch(), 1), 0u);
}

TEST(SloMonitor, AnOutageOnOneModelFiresItsRouteOnceAndRecoversOnce)
{
    SloMonitor m(quickSlo());
    std::vector<SloAlert> changes;
    auto step = [&](qint64 sec, quint64 badA) {
        m.add(second(sec, 100, badA), kChatA);
        m.add(second(sec, 100, 0), kChatB);
        m.add(second(sec, 100, 0), kSearch);
        for (auto &c : m.evaluate(sec))
            changes.push_back(c);
    };
    qint64 t = 1000;
    for (; t < 1600; ++t)
        step(t, 0); // quiet: ten minutes
    EXPECT_TRUE(of(changes, QStringLiteral("chat"), SloKind::Errors).empty());
    for (; t < 1900; ++t)
        step(t, 60); // atlas-xl fails 60 %: chat as a whole 30 %, 30x its 1 % budget
    for (; t < 4000; ++t)
        step(t, 0);

    const auto chat = of(changes, QStringLiteral("chat"), SloKind::Errors);
    ASSERT_GE(chat.size(), 4u);
    std::vector<AlertState> states;
    for (const auto &c : chat)
        states.push_back(c.reading.state);
    // Pending, then Firing once, then Recovering and Normal, each reported
    // once (a first Normal is not news).
    EXPECT_EQ(states, (std::vector<AlertState>{AlertState::Pending, AlertState::Firing,
                                               AlertState::Recovering, AlertState::Normal}));
    EXPECT_EQ(chat[1].previous, AlertState::Pending);
    // atlas-xl fails 60 % of its half of the traffic: the route burns its 1 %
    // budget 30 times over while it lasts.
    EXPECT_TRUE(chat[1].text.startsWith(QStringLiteral("chat: error rate firing (burning ")))
        << chat[1].text.toStdString();
    EXPECT_TRUE(chat[1].text.endsWith(QStringLiteral("; SLO 99 % succeed)")))
        << chat[1].text.toStdString();
    EXPECT_EQ(chat[3].text, QStringLiteral("chat: error rate normal (SLO 99 % succeed)"));
    EXPECT_TRUE(of(changes, QStringLiteral("search"), SloKind::Errors).size() <= 1);
    for (const auto &c : of(changes, QStringLiteral("search"), SloKind::Errors))
        EXPECT_EQ(c.reading.state, AlertState::Normal);
}

TEST(SloMonitor, SlowRequestsFireTheLatencyObjectiveNotTheErrorOne)
{
    SloMonitor m(quickSlo());
    std::vector<SloAlert> changes;
    for (qint64 t = 0; t < 400; ++t) {
        m.add(second(t, 200, 0, t >= 100 ? 40 : 0), kChatA); // 20 % at 2 s from t = 100
        for (auto &c : m.evaluate(t))
            changes.push_back(c);
    }
    const auto p99 = of(changes, QStringLiteral("chat"), SloKind::P99);
    ASSERT_FALSE(p99.empty());
    EXPECT_EQ(p99.back().reading.state, AlertState::Firing);
    EXPECT_TRUE(p99.back().text.contains(QStringLiteral("99 % under 800 ms")))
        << p99.back().text.toStdString();
    for (const auto &c : of(changes, QStringLiteral("chat"), SloKind::Errors))
        EXPECT_NE(c.reading.state, AlertState::Firing);
    // Worst first in the current list.
    const auto now = m.current();
    ASSERT_FALSE(now.empty());
    EXPECT_EQ(now.front().kind, SloKind::P99);
    EXPECT_EQ(now.front().reading.state, AlertState::Firing);
}

TEST(SloMonitor, SilenceIsNoDataAndALateSecondIsIgnoredNotFatal)
{
    SloMonitor m(quickSlo());
    m.add(second(100, 100, 0), kChatA);
    m.evaluate(100);
    m.add(second(50, 100, 100), kChatA); // older than what the alerts have: ignored
    for (qint64 t = 101; t < 2000; ++t)
        m.evaluate(t); // nothing for 31 minutes: past the longest short window
    const auto now = m.current();
    ASSERT_FALSE(now.empty());
    EXPECT_EQ(now.front().reading.state, AlertState::NoData);
}
