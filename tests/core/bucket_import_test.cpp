// Other systems' histograms into our sketch: exact bucket-for-bucket merges
// where the layouts agree, rebinning with an honest (wider) bound where they
// do not, explicit buckets, and Prometheus' fractional counts.

#include "core/bucket_import.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace sb;

namespace {

std::vector<double> pareto(std::size_t n, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(n);
    for (auto &x : v)
        x = 40.0 / std::pow(1.0 - u(rng), 1.0 / 1.6); // ms, heavy tail
    return v;
}

ExponentialBuckets bucketsOf(const std::vector<double> &values, int scale, double divide = 1.0)
{
    ExponentialBuckets b;
    b.scale = scale;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (double v : values) {
        lo = std::min(lo, LatencySketch::bucketIndex(v / divide, scale));
        hi = std::max(hi, LatencySketch::bucketIndex(v / divide, scale));
    }
    b.offset = lo;
    b.counts.assign(std::size_t(hi - lo + 1), 0);
    double sum = 0;
    for (double v : values) {
        ++b.counts[std::size_t(LatencySketch::bucketIndex(v / divide, scale) - lo)];
        sum += v / divide;
    }
    b.count = values.size();
    b.sum = sum;
    return b;
}

double exact(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v[std::size_t(std::floor(q * double(v.size() - 1) + 0.5))];
}

TEST(BucketImport, MillisecondsAtOurScalesCopyBucketForBucket)
{
    const auto values = pareto(50000, 1);
    for (int scale : {-4, 0, 4, 6, 8}) {
        QString why;
        auto got = importExponential(bucketsOf(values, scale), 1.0, &why);
        ASSERT_TRUE(got) << why.toStdString();
        EXPECT_TRUE(got->exact);
        LatencySketch own(scale);
        for (double v : values)
            own.record(v);
        EXPECT_EQ(got->sketch.buckets(), own.buckets()) << scale;
        EXPECT_EQ(got->sketch.scale(), own.scale());
        for (double q : {0.5, 0.95, 0.99}) {
            const double e = exact(values, q);
            EXPECT_LE(std::abs(got->sketch.quantile(q) - e) / e, got->relativeError + 1e-12)
                << "scale " << scale << " q " << q;
        }
    }
}

TEST(BucketImport, SecondsAreRebinnedWithTheBoundReported)
{
    const auto ms = pareto(50000, 2);
    for (int scale : {-10, -5, 2, 4, 6, 10, 20}) {
        ExponentialBuckets b;
        if (scale >= LatencySketch::kMinScale) {
            b = bucketsOf(ms, scale, 1000.0);
        } else {
            // One bucket (2^-2^10.., 1] or (1, 2^1024] at these scales: all are below 1 s?
            b.scale = scale;
            std::size_t below = 0;
            for (double v : ms)
                below += v <= 1000.0;
            b.offset = -1;
            b.counts = {below, ms.size() - below};
            b.count = ms.size();
        }
        QString why;
        auto got = importExponential(b, 1000.0, &why);
        ASSERT_TRUE(got) << scale << why.toStdString();
        EXPECT_FALSE(got->exact);
        EXPECT_EQ(got->sketch.count(), ms.size());
        EXPECT_EQ(got->sourceScale, scale);
        for (double q : {0.5, 0.99}) {
            const double e = exact(ms, q);
            EXPECT_LE(std::abs(got->sketch.quantile(q) - e) / e, got->relativeError + 1e-12)
                << "scale " << scale << " q " << q;
        }
        if (scale >= 6) {
            EXPECT_LT(got->relativeError, 0.0085) << scale;
        } // 0.54 % plus the finer target's
    }
}

TEST(BucketImport, MalformedInputIsRefusedWithAReason)
{
    ExponentialBuckets b;
    b.scale = 6;
    b.counts = {1, 2};
    b.count = 4;
    QString why;
    EXPECT_FALSE(importExponential(b, 1.0, &why));
    EXPECT_TRUE(why.contains(QStringLiteral("count")));
    b.count = 3;
    b.scale = 21;
    EXPECT_FALSE(importExponential(b, 1.0, &why));
    b.scale = 6;
    b.offset = 2'000'000'000; // no double is that large at scale 6
    EXPECT_FALSE(importExponential(b, 1.0, &why));
    b.offset = 0;
    b.sum = std::nan("");
    EXPECT_FALSE(importExponential(b, 1.0, &why));
    b.sum.reset();
    EXPECT_TRUE(importExponential(b, 1.0, &why));
}

TEST(BucketImport, ExplicitBucketsCarryTheirWidestPopulatedBucketsBound)
{
    ExplicitBuckets h;
    h.bounds = {0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
    h.counts = {0, 10, 80, 9, 1, 0, 0};
    h.count = 100;
    h.sum = 20.0;
    QString why;
    auto got = importExplicit(h, 1000.0, &why);
    ASSERT_TRUE(got) << why.toStdString();
    EXPECT_EQ(got->sketch.count(), 100u);
    // The widest populated bucket, (0.1, 0.25]: (0.25-0.1)/(0.25+0.1) = 43 %.
    EXPECT_NEAR(got->relativeError, 0.15 / 0.35 + scaleRelativeError(6), 1e-9);
    const double p50 = got->sketch.quantile(0.5);
    EXPECT_GT(p50, 100.0);
    EXPECT_LE(p50, 250.0);
    h.counts.pop_back();
    EXPECT_FALSE(importExplicit(h, 1000.0, &why));
}

TEST(BucketImport, FractionalCountsRoundCumulativelyKeepingTheTotal)
{
    const auto r = roundCounts({0.4, 0.4, 0.4, 1.3, 2.5});
    ASSERT_TRUE(r);
    uint64_t total = 0;
    for (auto c : *r)
        total += c;
    EXPECT_EQ(total, 5u); // round(5.0)
    EXPECT_EQ((*r)[0], 0u);
    EXPECT_EQ((*r)[1], 1u); // prefix 0.8 rounds to 1
    EXPECT_FALSE(roundCounts({1.0, -0.5}));
    EXPECT_FALSE(roundCounts({std::nan("")}));
}

TEST(BucketImport, UnitsAreKnownOrRefused)
{
    EXPECT_EQ(millisPerUnit(QStringLiteral("s")), 1000.0);
    EXPECT_EQ(millisPerUnit(QStringLiteral("ms")), 1.0);
    EXPECT_FALSE(millisPerUnit(QStringLiteral("By")));
}

} // namespace

namespace {

TEST(BucketImport, ClassicBucketsAreReadLikeHistogramQuantile)
{
    // le 100: 10, le 200: 90, +Inf: 100 (fractional after increase()).
    QString why;
    const auto s = importClassic({{100, 10.0}, {200, 90.4}, {INFINITY, 100.2}}, 1.0, &why);
    ASSERT_TRUE(s) << why.toStdString();
    EXPECT_EQ(s->sketch.count(), 100u); // the +Inf total, rounded
    EXPECT_FALSE(s->exact);
    // histogram_quantile(0.5): 100 + 100 * (50.1 - 10) / 80.4 = 149.9; ours
    // within the sketch's resolution of that.
    EXPECT_NEAR(s->sketch.quantile(0.5), 149.9, 149.9 * 0.012);
    // Above the last finite bound: that bound, as histogram_quantile answers.
    EXPECT_NEAR(s->sketch.quantile(0.99), 200.0, 200 * 0.006);
    // p99 past every finite bound: the bound is unknown, reported as 100 %.
    EXPECT_DOUBLE_EQ(s->relativeError, 1.0);
    // With p99 inside (100, 200]: that bucket's width over its lower bound.
    const auto t = importClassic({{100, 10.0}, {200, 100.0}, {INFINITY, 100.0}}, 1.0, &why);
    ASSERT_TRUE(t);
    EXPECT_DOUBLE_EQ(t->relativeError, 1.0);
    const auto u = importClassic({{100, 0.0}, {125, 100.0}, {INFINITY, 100.0}}, 1000.0, &why);
    ASSERT_TRUE(u);
    EXPECT_DOUBLE_EQ(u->relativeError, 0.25);
    EXPECT_GT(u->sketch.quantile(0.5), 100'000 * 0.99); // seconds to ms
    // Malformed: descending bounds, negative counts, only +Inf.
    EXPECT_FALSE(importClassic({{200, 1.0}, {100, 2.0}}, 1.0, &why));
    EXPECT_FALSE(why.isEmpty());
    EXPECT_FALSE(importClassic({{100, -1.0}}, 1.0, &why));
    EXPECT_FALSE(importClassic({{INFINITY, 3.0}}, 1.0, &why));
}

} // namespace
