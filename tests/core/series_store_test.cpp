// SeriesStore: incremental appends, trimming to a window, range queries at
// 1 s and 1 min (minutes merged from seconds' sketches, equal to sketching
// all), late seconds, gaps, and windows that say when they are not exact.

#include "core/series_store.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace sb;

namespace {

constexpr qint64 kT0 = 1'700'000'040'000; // ms, a minute boundary

SeriesSecond second(SeriesId id, qint64 t, const std::vector<double> &latencies, int errors = 0)
{
    SeriesSecond s;
    s.series = id;
    s.secondMs = t;
    for (double v : latencies) {
        ++s.aggregate.count;
        s.aggregate.latency.record(v);
        s.aggregate.ttft.record(v / 10);
    }
    s.aggregate.count += quint64(errors);
    s.aggregate.errors = quint64(errors);
    return s;
}

} // namespace

TEST(SeriesStore, RangeAtOneSecondReturnsTheAppendedSecondsWithTheirQuantiles)
{
    SeriesStore store;
    store.setKey(0, {"chat", "gpt-a", ""});
    for (int i = 0; i < 10; ++i)
        store.append(second(0, kT0 + i * 1000, {10.0 * (i + 1), 20.0 * (i + 1)}, i == 4 ? 2 : 0));
    const auto pts = store.range(0, kT0 + 2000, kT0 + 5000, Resolution::Second);
    ASSERT_EQ(pts.size(), 3u);
    EXPECT_EQ(pts[0].timeMs, kT0 + 2000);
    EXPECT_NEAR(pts[0].max, 60.0, 1e-9);
    EXPECT_NEAR(pts[2].value(SeriesMetric::ErrorRate), 2.0 / 4.0, 1e-12);
    EXPECT_NEAR(pts[2].value(SeriesMetric::Throughput), 4.0, 1e-12);
    EXPECT_EQ(store.key(0)->model, "gpt-a");
    EXPECT_EQ(store.seriesIds(), std::vector<SeriesId>{0});
}

TEST(SeriesStore, AMinuteIsTheMergeOfItsSecondsAndEqualsSketchingEverySample)
{
    SeriesStore store;
    std::mt19937 rng(7);
    std::lognormal_distribution<double> dist(5.0, 1.0);
    LatencySketch all;
    quint64 count = 0;
    for (int s = 0; s < 120; ++s) {
        std::vector<double> v(50 + s % 7);
        for (double &x : v) {
            x = dist(rng);
            all.record(x);
        }
        count += v.size();
        store.append(second(4, kT0 + s * 1000, v));
    }
    const auto minutes = store.range(4, kT0, kT0 + 120'000, Resolution::Minute);
    ASSERT_EQ(minutes.size(), 2u);
    EXPECT_EQ(minutes[0].durationMs, 60'000);
    EXPECT_EQ(minutes[0].count + minutes[1].count, count);

    const auto w = store.window(4, kT0, kT0 + 120'000);
    ASSERT_TRUE(w.has_value());
    EXPECT_TRUE(w->exact);
    const LatencySketch &merged = w->aggregate.latency;
    // Bucket for bucket; the sum differs only by floating-point addition order.
    EXPECT_EQ(merged.buckets(), all.buckets());
    EXPECT_EQ(merged.offset(), all.offset());
    EXPECT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.max(), all.max());
    EXPECT_NEAR(merged.sum(), all.sum(), all.sum() * 1e-12);
    EXPECT_EQ(w->aggregate.latency.quantile(0.99), all.quantile(0.99));
}

TEST(SeriesStore, ASecondArrivingLateIsInsertedInOrderAndMergedIntoItsMinute)
{
    SeriesStore store;
    store.append(second(1, kT0 + 0, {10}));
    store.append(second(1, kT0 + 2000, {30}));
    store.append(second(1, kT0 + 1000, {20})); // replayed after a reconnect
    store.append(second(1, kT0 + 1000, {25})); // the same second from an overlapping run
    const auto pts = store.range(1, kT0, kT0 + 3000, Resolution::Second);
    ASSERT_EQ(pts.size(), 3u);
    EXPECT_EQ(pts[1].timeMs, kT0 + 1000);
    EXPECT_EQ(pts[1].count, 2u);
    EXPECT_NEAR(pts[1].max, 25.0, 1e-9);
    const auto mins = store.range(1, kT0, kT0 + 60'000, Resolution::Minute);
    ASSERT_EQ(mins.size(), 1u);
    EXPECT_EQ(mins[0].count, 4u);
}

TEST(SeriesStore, MissingSecondsStayMissingAndEmptyLatencyIsNaNNotZero)
{
    SeriesStore store;
    store.append(second(0, kT0, {10}));
    store.append(second(0, kT0 + 5000, {10}));
    store.append(second(0, kT0 + 6000, {}, 3)); // only errors in that second
    const auto pts = store.range(0, kT0, kT0 + 10'000, Resolution::Second);
    ASSERT_EQ(pts.size(), 3u) << "no invented points in the gap";
    EXPECT_EQ(pts[1].timeMs - pts[0].timeMs, 5000);
    EXPECT_TRUE(std::isnan(pts[2].value(SeriesMetric::P99)));
    EXPECT_EQ(pts[2].value(SeriesMetric::ErrorRate), 1.0);
    EXPECT_TRUE(std::isnan(pts[2].value(SeriesMetric::TokensPerSecond)));
}

TEST(SeriesStore, TrimKeepsOnlyTheWindowAndOldWindowsFallBackToMinutes)
{
    SeriesStore::Options o;
    o.secondWindowMs = 120'000;
    o.minuteWindowMs = 10 * 60'000;
    o.secondSketchMs = 60'000;
    SeriesStore store(o);
    for (int s = 0; s < 300; ++s)
        store.append(second(2, kT0 + s * 1000, {double(1 + s)}));
    store.trim(kT0 + 300'000);
    EXPECT_EQ(store.secondCount(2), 120u);
    EXPECT_EQ(store.range(2, 0, kT0 + 180'000, Resolution::Second).size(), 0u);
    EXPECT_EQ(store.minuteCount(2), 5u);

    // The last 30 s still have sketches: exact.
    auto recent = store.window(2, kT0 + 270'000, kT0 + 300'000);
    ASSERT_TRUE(recent.has_value());
    EXPECT_TRUE(recent->exact);
    EXPECT_EQ(recent->aggregate.count, 30u);
    EXPECT_NEAR(recent->aggregate.latency.max(), 300.0, 1e-9);

    // 200..230 s lost their sketches (older than 60 s): built from minutes,
    // and the result says which range it covers.
    auto old = store.window(2, kT0 + 200'000, kT0 + 230'000);
    ASSERT_TRUE(old.has_value());
    EXPECT_FALSE(old->exact);
    EXPECT_EQ(old->fromMs, kT0 + 180'000);
    EXPECT_EQ(old->toMs, kT0 + 240'000);
    EXPECT_EQ(old->aggregate.count, 60u);

    store.trim(kT0 + 20 * 60'000);
    EXPECT_EQ(store.secondCount(2), 0u);
    EXPECT_EQ(store.minuteCount(2), 0u);
    EXPECT_TRUE(store.seriesIds().empty());
}

TEST(SeriesStore, ApplyNamesNewSeriesAndMemoryStaysCompact)
{
    SeriesStore store;
    SeriesUpdate u;
    u.newSeries = {{0, {"chat", "a", ""}}, {1, {"chat", "b", ""}}};
    std::mt19937 rng(1);
    std::lognormal_distribution<double> dist(5.0, 1.2);
    for (int s = 0; s < 600; ++s) {
        for (SeriesId id : {0u, 1u}) {
            std::vector<double> v(1000);
            for (double &x : v)
                x = dist(rng);
            u.seconds.push_back(second(id, kT0 + s * 1000, v));
        }
    }
    const std::size_t raw = [&] {
        std::size_t n = 0;
        for (const auto &s : u.seconds)
            n += s.aggregate.latency.memoryBytes() + s.aggregate.ttft.memoryBytes();
        return n;
    }();
    store.apply(u);
    EXPECT_EQ(store.key(1)->model, "b");
    EXPECT_EQ(store.secondCount(0), 600u);
    EXPECT_LT(store.memoryBytes(), raw / 2) << "seconds' sketches are kept packed";
}
