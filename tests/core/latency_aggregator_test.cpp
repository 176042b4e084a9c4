// LatencyAggregator: one point per route per second, late and out-of-order
// samples, exactly-once emission and bounded memory under a flood.

#include "core/latency_aggregator.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>

using sb::LatencyAggregator;
using sb::RoutePoint;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // a realistic epoch-ms second boundary

const RoutePoint *find(const std::vector<RoutePoint> &points, const QString &route, qint64 second)
{
    for (const auto &p : points) {
        if (p.route == route && p.point.secondMs == second)
            return &p;
    }
    return nullptr;
}

} // namespace

TEST(LatencyAggregator, OnePointPerRoutePerSecondWithCountsErrorsAndFallbacks)
{
    LatencyAggregator agg(250);
    for (int i = 0; i < 100; ++i) {
        const qint64 t = kT0 + i * 10; // second 0
        agg.add("chat", t, 100.0 + i, 20.0, /*error=*/i % 10 == 0, /*fallback=*/i % 25 == 0);
        agg.add("embed", t, 5.0, 0.0, false, false);
    }
    for (int i = 0; i < 10; ++i)
        agg.add("chat", kT0 + 1000 + i, 50.0, 10.0, false, false); // second 1
    agg.add("chat", kT0 + 2300, 1.0, 1.0, false, false);           // closes seconds 0 and 1

    const auto points = agg.takeClosed();
    ASSERT_EQ(points.size(), 3u);
    const auto *chat0 = find(points, "chat", kT0);
    const auto *embed0 = find(points, "embed", kT0);
    const auto *chat1 = find(points, "chat", kT0 + 1000);
    ASSERT_TRUE(chat0 && embed0 && chat1);
    EXPECT_EQ(chat0->point.count, 100u);
    EXPECT_EQ(chat0->point.errors, 10u);
    EXPECT_EQ(chat0->point.fallbacks, 4u);
    EXPECT_EQ(embed0->point.count, 100u);
    EXPECT_EQ(embed0->point.errors, 0u);
    EXPECT_EQ(chat1->point.count, 10u);
    // Ordered by second, then route.
    EXPECT_EQ(points[0].route, "chat");
    EXPECT_EQ(points[1].route, "embed");
    EXPECT_EQ(points[2].point.secondMs, kT0 + 1000);
}

TEST(LatencyAggregator, QuantilesAreThoseOfTheSuccessfulSamples)
{
    LatencyAggregator agg(0);
    std::vector<double> ok;
    for (int i = 1; i <= 1000; ++i) {
        const bool error = i % 7 == 0;
        const double latency = error ? 99'999.0 : double(i); // an error's latency is not charted
        agg.add("chat", kT0 + i % 1000, latency, latency / 4, error, false);
        if (!error)
            ok.push_back(latency);
    }
    agg.add("chat", kT0 + 1000, 1.0, 1.0, false, false);
    const auto points = agg.takeClosed();
    ASSERT_EQ(points.size(), 1u);
    std::sort(ok.begin(), ok.end());
    auto exact = [&](double q) { return ok[std::size_t(std::floor(q * (ok.size() - 1) + 0.5))]; };
    const auto &p = points[0].point;
    EXPECT_NEAR(p.p50, exact(0.50), exact(0.50) * 0.0055);
    EXPECT_NEAR(p.p95, exact(0.95), exact(0.95) * 0.0055);
    EXPECT_NEAR(p.p99, exact(0.99), exact(0.99) * 0.0055);
    EXPECT_NEAR(p.ttftP50, exact(0.50) / 4, exact(0.50) / 4 * 0.0055);
    EXPECT_LT(p.p99, 1000.0 * 1.0055);
}

TEST(LatencyAggregator, OutOfOrderSamplesWithinGraceAreCounted)
{
    LatencyAggregator agg(500);
    agg.add("chat", kT0 + 900, 10, 0, false, false);
    agg.add("chat", kT0 + 1200, 10, 0, false, false); // newer second, still in grace for second 0
    agg.add("chat", kT0 + 950, 10, 0, false, false);  // back in second 0: accepted
    agg.add("chat", kT0 + 1400, 10, 0, false, false);
    agg.add("chat", kT0 + 100, 10, 0, false, false); // 1.3 s behind, but second 0 is open
    EXPECT_EQ(agg.lateSamples(), 0u);
    EXPECT_TRUE(agg.takeClosed().empty());
    agg.add("chat", kT0 + 1500, 10, 0, false, false); // second 0 + grace has passed
    const auto points = agg.takeClosed();
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].point.count, 3u);
}

TEST(LatencyAggregator, LateSamplesAreCountedAndDroppedEvenBeforeTakeClosed)
{
    LatencyAggregator agg(250);
    agg.add("chat", kT0 + 500, 10, 0, false, false);
    agg.add("chat", kT0 + 1300, 10, 0, false, false); // second 0 closes now
    // Late for second 0, whether or not the consumer has collected it yet,
    // and also for a route that had no sample in that second.
    agg.add("chat", kT0 + 600, 10, 0, false, false);
    agg.add("embed", kT0 + 700, 10, 0, false, false);
    EXPECT_EQ(agg.lateSamples(), 2u);
    const auto points = agg.takeClosed();
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].point.count, 1u);
    agg.add("chat", kT0 + 10, 10, 0, false, false);
    EXPECT_EQ(agg.lateSamples(), 3u);
    EXPECT_TRUE(agg.takeClosed().empty());
}

TEST(LatencyAggregator, TakeClosedEmitsEachSecondOnce)
{
    LatencyAggregator agg(250);
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<int> jitter(-200, 0);
    std::map<std::pair<QString, qint64>, int> emitted;
    quint64 total = 0;
    for (int i = 0; i < 20'000; ++i) {
        const qint64 t = kT0 + i + (i >= 200 ? jitter(rng) : 0); // 20 s, slightly shuffled
        agg.add(i % 3 ? "chat" : "embed", t, 10, 0, false, false);
        if (i % 97 == 0) {
            for (const auto &p : agg.takeClosed()) {
                ++emitted[{p.route, p.point.secondMs}];
                total += p.point.count;
            }
        }
    }
    for (const auto &p : agg.takeAll()) {
        ++emitted[{p.route, p.point.secondMs}];
        total += p.point.count;
    }
    EXPECT_EQ(emitted.size(), 2u * 20);
    for (const auto &[key, n] : emitted)
        EXPECT_EQ(n, 1) << key.first.toStdString() << " " << key.second;
    EXPECT_EQ(total + agg.lateSamples(), 20'000u);
    EXPECT_TRUE(agg.takeClosed().empty());
    EXPECT_TRUE(agg.takeAll().empty());
}

TEST(LatencyAggregator, TakeAllFlushesOpenSecondsAndLaterSamplesInThemAreLate)
{
    LatencyAggregator agg(250);
    agg.add("chat", kT0 + 100, 10, 0, false, false);
    agg.add("chat", kT0 + 1100, 10, 0, false, false);
    const auto all = agg.takeAll();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].point.secondMs, kT0);
    EXPECT_EQ(all[1].point.secondMs, kT0 + 1000);
    EXPECT_EQ(agg.openSeconds(), 0u);
    agg.add("chat", kT0 + 1200, 10, 0, false, false);
    EXPECT_EQ(agg.lateSamples(), 1u);
    agg.add("chat", kT0 + 2000, 10, 0, false, false);
    EXPECT_EQ(agg.lateSamples(), 1u);
    EXPECT_EQ(agg.openSeconds(), 1u);
}

TEST(LatencyAggregator, MemoryStaysBoundedUnderAFloodEvenIfNobodyCollects)
{
    // 2 M samples over 200 s on 4 routes and nobody calls takeClosed(): only
    // the seconds within the grace window keep their sketches.
    LatencyAggregator agg(250);
    std::mt19937_64 rng(2);
    std::lognormal_distribution<double> lat(std::log(80.0), 1.0);
    const QString routes[] = {"chat", "summarize", "extract", "embed"};
    std::size_t maxOpen = 0;
    for (int i = 0; i < 2'000'000; ++i) {
        const qint64 t = kT0 + i / 10'000 * 1000 + (i % 10'000) / 10;
        agg.add(routes[i % 4], t, lat(rng), 0, false, false);
        if (i % 1000 == 0)
            maxOpen = std::max(maxOpen, agg.openSeconds());
    }
    EXPECT_LE(maxOpen, 4u * 2);
    const auto points = agg.takeClosed();
    EXPECT_EQ(points.size(), 4u * 199); // all but the last, still open, second
    for (const auto &p : points)
        EXPECT_EQ(p.point.count, 2500u);
}

TEST(LatencyAggregator, RoutesThatGoQuietAreForgotten)
{
    LatencyAggregator agg(250);
    agg.add("old", kT0, 10, 0, false, false);
    for (int s = 1; s < 100; ++s)
        agg.add("new", kT0 + s * 1000, 10, 0, false, false);
    // Only "new"'s last two seconds (98 and 99) are still within grace.
    EXPECT_EQ(agg.openSeconds(), 2u);
    const auto closed = agg.takeClosed();
    ASSERT_EQ(closed.size(), 1u + 97);
    EXPECT_EQ(closed.front().route, "old");
}

TEST(LatencyAggregator, NegativeTimestampsFloorToTheirSecond)
{
    LatencyAggregator agg(0);
    agg.add("chat", -1, 10, 0, false, false);
    agg.add("chat", -1000, 10, 0, false, false);
    agg.add("chat", 0, 10, 0, false, false);
    const auto all = agg.takeAll();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].point.secondMs, -1000);
    EXPECT_EQ(all[0].point.count, 2u);
    EXPECT_EQ(all[1].point.secondMs, 0);
    EXPECT_EQ(agg.lateSamples(), 0u);
}
