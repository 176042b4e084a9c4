// LatencyHeatmap: bands on a log scale, every sample counted once in the band
// of its sketch bucket, a bimodal mix landing in two separate bands, and
// intervals outside the grid ignored.

#include "core/latency_heatmap.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace sb;

TEST(LatencyHeatmap, RowsAreLogSpacedBands)
{
    const LatencyHeatmap h(0, 1000, 10, 30, 1, 1000); // 10 rows per decade
    EXPECT_DOUBLE_EQ(h.rowLowerMs(0), 1);
    EXPECT_NEAR(h.rowLowerMs(10), 10, 1e-9);
    EXPECT_NEAR(h.rowLowerMs(30), 1000, 1e-9);
    EXPECT_EQ(h.rowOf(1.5), 1);
    EXPECT_EQ(h.rowOf(15), 11);
    EXPECT_EQ(h.rowOf(0.01), 0); // below: first row
    EXPECT_EQ(h.rowOf(1e6), 29); // above: last row
}

TEST(LatencyHeatmap, EverySampleLandsOnceAndABimodalMixMakesTwoBands)
{
    std::mt19937 rng(7);
    std::lognormal_distribution<double> fast(std::log(30.0), 0.15), slow(std::log(3000.0), 0.15);
    LatencyHeatmap h(60'000, 1000, 3, 40, 1, 100'000);
    LatencySketch s;
    for (int i = 0; i < 10'000; ++i)
        s.record(i % 5 == 0 ? slow(rng) : fast(rng));
    h.add(61'000, s);
    h.add(59'000, s); // before the grid
    h.add(63'000, s); // after it
    EXPECT_DOUBLE_EQ(h.columnTotal(1), 10'000);
    EXPECT_DOUBLE_EQ(h.columnTotal(0), 0);
    EXPECT_DOUBLE_EQ(h.columnTotal(2), 0);
    double nearFast = 0, nearSlow = 0, between = 0;
    for (int r = 0; r < h.rows(); ++r) {
        const double mid = std::sqrt(h.rowLowerMs(r) * h.rowLowerMs(r + 1));
        if (mid > 15 && mid < 60)
            nearFast += h.count(1, r);
        else if (mid > 1500 && mid < 6000)
            nearSlow += h.count(1, r);
        else if (mid > 150 && mid < 600)
            between += h.count(1, r);
    }
    EXPECT_NEAR(nearFast, 8000, 50);
    EXPECT_NEAR(nearSlow, 2000, 50);
    EXPECT_EQ(between, 0);
}
