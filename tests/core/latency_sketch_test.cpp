// LatencySketch: accuracy against exact quantiles, exact OpenTelemetry bucket
// semantics, merge/serialize behaviour and robustness against hostile bytes.

#include "core/latency_sketch.h"

#include <QDataStream>
#include <QIODevice>
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <random>
#include <vector>

using sb::LatencySketch;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The worst relative error of the bucket midpoint estimate at a scale:
// (gamma - 1) / (gamma + 1), about 0.54 % at scale 6.
double errorBound(int scale)
{
    const double gamma = std::exp2(std::ldexp(1.0, -scale));
    return (gamma - 1) / (gamma + 1);
}

// The exact quantile with the sketch's own rank rule (nearest rank).
double exactQuantile(std::vector<double> values, double q)
{
    const auto rank = std::size_t(std::floor(q * double(values.size() - 1) + 0.5));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(rank), values.end());
    return values[rank];
}

std::vector<double> lognormal(std::size_t n, uint32_t seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> d(std::log(50.0), 1.0); // median 50 ms
    std::vector<double> v(n);
    for (auto &x : v)
        x = d(rng);
    return v;
}

std::vector<double> pareto(std::size_t n, uint32_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(n);
    for (auto &x : v)
        x = 5.0 / std::pow(1.0 - u(rng), 1.0 / 1.2); // xm = 5 ms, alpha 1.2: very heavy tail
    return v;
}

std::vector<double> bimodal(std::size_t n, uint32_t seed)
{
    // A cache-hit mode and a slow-path mode, the shape that breaks mean-based charts.
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution slow(0.15);
    std::normal_distribution<double> fast(20.0, 3.0);
    std::normal_distribution<double> slowMode(800.0, 120.0);
    std::vector<double> v(n);
    for (auto &x : v)
        x = std::max(0.1, slow(rng) ? slowMode(rng) : fast(rng));
    return v;
}

void expectQuantilesWithin(const std::vector<double> &data, double bound)
{
    LatencySketch s;
    for (double x : data)
        s.record(x);
    ASSERT_EQ(s.count(), data.size());
    for (double q : {0.5, 0.95, 0.99}) {
        const double exact = exactQuantile(data, q);
        const double got = s.quantile(q);
        EXPECT_LE(std::abs(got - exact) / exact, bound)
            << "q=" << q << " exact=" << exact << " sketch=" << got;
    }
}

// Reference index straight from the OpenTelemetry definition, bucket i holding
// (base^i, base^(i+1)], evaluated in long double. Returns false when v is too
// close to a boundary for long double to tell.
bool referenceIndex(double v, int scale, int32_t *out)
{
    const long double x = std::log2(static_cast<long double>(v)) * std::ldexp(1.0L, scale);
    const long double nearest = std::round(x);
    // log2l is good to a few units of 2^-64 relative; closer than that to an
    // integer only an exact power of two can be decided.
    if (std::fabs(x - nearest) < std::max(1.0L, std::fabs(x)) * 0x1p-56L) {
        int exp = 0;
        if (std::frexp(v, &exp) != 0.5)
            return false; // only exact powers of two may sit on a boundary
        // v = 2^(exp-1): the upper, inclusive end of the bucket below.
        const int64_t e = exp - 1;
        const int64_t num = scale >= 0 ? e << scale : e;
        const int64_t den = scale >= 0 ? 1 : int64_t(1) << -scale;
        const int64_t ceilDiv = num >= 0 ? (num + den - 1) / den : -((-num) / den);
        *out = int32_t(ceilDiv - 1);
        return true;
    }
    *out = int32_t(std::ceil(x)) - 1;
    return true;
}

QByteArray validBlob()
{
    LatencySketch s;
    for (double x : lognormal(2000, 7))
        s.record(x);
    s.record(0.0);
    return s.serialize();
}

} // namespace

TEST(LatencySketch, LognormalQuantilesWithinOnePercentOfExact)
{
    expectQuantilesWithin(lognormal(1'000'000, 1), 0.01);
}

TEST(LatencySketch, ParetoQuantilesWithinOnePercentOfExact)
{
    expectQuantilesWithin(pareto(1'000'000, 2), 0.01);
}

TEST(LatencySketch, BimodalQuantilesWithinOnePercentOfExact)
{
    expectQuantilesWithin(bimodal(1'000'000, 3), 0.01);
}

TEST(LatencySketch, QuantileErrorNeverExceedsTheScaleSixBound)
{
    // Every quantile, not just the three charted ones, stays within the
    // layout's own bound of about 0.54 %.
    const auto data = lognormal(200'000, 4);
    LatencySketch s;
    for (double x : data)
        s.record(x);
    auto sorted = data;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 1; i < 1000; ++i) {
        const double q = i / 1000.0;
        const double exact = sorted[std::size_t(std::floor(q * double(sorted.size() - 1) + 0.5))];
        ASSERT_LE(std::abs(s.quantile(q) - exact) / exact, errorBound(6) * (1 + 1e-9)) << "q=" << q;
    }
}

TEST(LatencySketch, ExtremeQuantilesAreMinAndMax)
{
    LatencySketch s;
    for (double x : {3.0, 1.5, 700.0, 42.0})
        s.record(x);
    EXPECT_EQ(s.quantile(0.0), 1.5);
    EXPECT_EQ(s.quantile(1.0), 700.0);
    EXPECT_EQ(s.quantile(-3.0), 1.5);
    EXPECT_EQ(s.quantile(7.0), 700.0);
    EXPECT_EQ(s.quantile(kNaN), 0.0);
    EXPECT_EQ(LatencySketch().quantile(0.5), 0.0);
}

TEST(LatencySketch, SingleValueQuantilesAreThatValue)
{
    LatencySketch s;
    s.record(123.456);
    for (double q : {0.01, 0.5, 0.99})
        EXPECT_EQ(s.quantile(q), 123.456); // clamped to [min, max]
}

TEST(LatencySketch, MergingPerSecondSketchesEqualsSketchingAll)
{
    const auto data = lognormal(1'000'000, 5);
    LatencySketch all;
    LatencySketch merged;
    const std::size_t perSecond = 10'000;
    for (std::size_t start = 0; start < data.size(); start += perSecond) {
        LatencySketch second;
        for (std::size_t i = start; i < start + perSecond; ++i) {
            second.record(data[i]);
            all.record(data[i]);
        }
        merged.merge(second);
    }
    EXPECT_EQ(merged.scale(), all.scale());
    EXPECT_EQ(merged.offset(), all.offset());
    EXPECT_EQ(merged.buckets(), all.buckets());
    EXPECT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.zeroCount(), all.zeroCount());
    EXPECT_EQ(merged.min(), all.min());
    EXPECT_EQ(merged.max(), all.max());
    EXPECT_NEAR(merged.sum(), all.sum(), all.sum() * 1e-12); // only the addition order differs
    for (double q : {0.5, 0.9, 0.95, 0.99, 0.999})
        EXPECT_EQ(merged.quantile(q), all.quantile(q)) << "q=" << q;
}

TEST(LatencySketch, MergingEqualsSketchingAllWhenTheRangeForcesDownscaling)
{
    // Each second spans a narrow range; together they span 1e-6..1e9, which
    // does not fit 2048 buckets at scale 6.
    std::mt19937_64 rng(6);
    LatencySketch all;
    LatencySketch merged;
    for (int sec = 0; sec < 30; ++sec) {
        std::lognormal_distribution<double> d(std::log(1e-6) + sec * std::log(10.0) / 2, 0.3);
        LatencySketch second;
        for (int i = 0; i < 2000; ++i) {
            const double x = d(rng);
            second.record(x);
            all.record(x);
        }
        merged.merge(second);
    }
    EXPECT_LT(all.scale(), LatencySketch::kDefaultScale);
    EXPECT_EQ(merged.scale(), all.scale());
    EXPECT_EQ(merged.offset(), all.offset());
    EXPECT_EQ(merged.buckets(), all.buckets());
    EXPECT_EQ(merged.count(), all.count());
}

TEST(LatencySketch, MergeOfDifferentScalesEqualsSketchingAtTheCoarserScale)
{
    const auto a = lognormal(50'000, 8);
    const auto b = pareto(50'000, 9);
    LatencySketch fine(8), coarse(3), expected(3);
    for (double x : a) {
        fine.record(x);
        expected.record(x);
    }
    for (double x : b) {
        coarse.record(x);
        expected.record(x);
    }
    LatencySketch intoFine = fine;
    intoFine.merge(coarse);
    LatencySketch intoCoarse = coarse;
    intoCoarse.merge(fine);
    for (const LatencySketch *m : {&intoFine, &intoCoarse}) {
        EXPECT_EQ(m->scale(), 3);
        EXPECT_EQ(m->offset(), expected.offset());
        EXPECT_EQ(m->buckets(), expected.buckets());
        EXPECT_EQ(m->count(), expected.count());
        EXPECT_EQ(m->quantile(0.99), expected.quantile(0.99));
    }
}

TEST(LatencySketch, ImportedOpenTelemetryHistogramAtScale20MergesExactly)
{
    // OpenTelemetry SDKs start at scale 20; such a histogram must land bucket
    // for bucket in a scale 6 sketch of the same values.
    const auto data = lognormal(20'000, 10);
    // Narrow the data so 2048 buckets at scale 20 would not be needed: pick
    // values within 0.1 % of 50 ms and build the wire parts by hand.
    std::vector<double> narrow;
    for (double x : data) {
        const double y = 50.0 * (1.0 + (x - std::floor(x)) * 1e-3);
        narrow.push_back(y);
    }
    int32_t lo = std::numeric_limits<int32_t>::max(), hi = std::numeric_limits<int32_t>::min();
    for (double y : narrow) {
        lo = std::min(lo, LatencySketch::bucketIndex(y, 20));
        hi = std::max(hi, LatencySketch::bucketIndex(y, 20));
    }
    std::vector<uint64_t> counts(std::size_t(hi - lo + 1), 0);
    LatencySketch expected;
    double sum = 0;
    for (double y : narrow) {
        ++counts[std::size_t(LatencySketch::bucketIndex(y, 20) - lo)];
        expected.record(y);
        sum += y;
    }
    const auto imported = LatencySketch::fromParts(20, 0, lo, counts, narrow.size(), sum,
                                                   expected.min(), expected.max());
    ASSERT_TRUE(imported.has_value());
    LatencySketch merged;
    merged.merge(*imported);
    EXPECT_EQ(merged.scale(), 6);
    EXPECT_EQ(merged.offset(), expected.offset());
    EXPECT_EQ(merged.buckets(), expected.buckets());
}

TEST(LatencySketch, SelfMergeDoublesCounts)
{
    LatencySketch s;
    for (double x : {1.0, 2.0, 3.0})
        s.record(x);
    const auto before = s.buckets();
    s.merge(s);
    EXPECT_EQ(s.count(), 6u);
    ASSERT_EQ(s.buckets().size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i)
        EXPECT_EQ(s.buckets()[i], 2 * before[i]);
}

TEST(LatencySketch, MergeIntoEmptyAndOfEmptyKeepsMinMax)
{
    LatencySketch a, b;
    b.record(5.0);
    b.record(9.0);
    a.merge(b);
    EXPECT_EQ(a.min(), 5.0);
    EXPECT_EQ(a.max(), 9.0);
    a.merge(LatencySketch());
    EXPECT_EQ(a.count(), 2u);
    EXPECT_EQ(a.min(), 5.0);
}

TEST(LatencySketch, ExactPowersOfTwoCloseTheBucketBelowThem)
{
    // Bucket i holds (base^i, base^(i+1)]: 2^e is the inclusive upper end of
    // the bucket below the boundary e * 2^scale, and the next double above it
    // opens the next bucket (1 + 2^-52 is below every base up to scale 20).
    for (int scale = LatencySketch::kMinScale; scale <= LatencySketch::kMaxScale; ++scale) {
        for (int e = -1074; e <= 1023; ++e) {
            const double v = std::ldexp(1.0, e);
            // Scale >= 0: e*2^s - 1 and e*2^s. Coarser: ceil(e/2^k) - 1 and floor(e/2^k).
            const int64_t atPower = scale >= 0 ? (int64_t(e) << scale) - 1 : (e - 1) >> -scale;
            const int64_t above = scale >= 0 ? int64_t(e) << scale : e >> -scale;
            ASSERT_EQ(LatencySketch::bucketIndex(v, scale), atPower)
                << "2^" << e << " at scale " << scale;
            // Among subnormals the next double is a whole power of two further.
            if (e >= -1022) {
                ASSERT_EQ(LatencySketch::bucketIndex(std::nextafter(v, kInf), scale), above)
                    << "just above 2^" << e << " at scale " << scale;
            }
            int32_t ref = 0;
            ASSERT_TRUE(referenceIndex(v, scale, &ref));
            ASSERT_EQ(ref, atPower); // the test's own reference agrees
        }
    }
    EXPECT_EQ(LatencySketch::bucketIndex(1.0, 6), -1);
    EXPECT_EQ(LatencySketch::bucketIndex(2.0, 6), 63);
    EXPECT_EQ(LatencySketch::bucketIndex(std::nextafter(2.0, 3.0), 6), 64);
    EXPECT_EQ(LatencySketch::bucketIndex(2.0, -1), 0); // (1, 4] at base 4
    EXPECT_EQ(LatencySketch::bucketIndex(4.0, -1), 0);
    EXPECT_EQ(LatencySketch::bucketIndex(std::nextafter(4.0, 5.0), -1), 1);
}

TEST(LatencySketch, BucketIndexMatchesTheLogDefinitionOnRandomValues)
{
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> exponent(-1070.0, 1020.0);
    for (int scale = LatencySketch::kMinScale; scale <= LatencySketch::kMaxScale; ++scale) {
        const int n = scale > LatencySketch::kExactScale ? 3000 : 30000;
        for (int i = 0; i < n; ++i) {
            const double v = std::exp2(exponent(rng));
            int32_t ref = 0;
            if (!referenceIndex(v, scale, &ref))
                continue;
            ASSERT_EQ(LatencySketch::bucketIndex(v, scale), ref) << "v=" << v << " scale=" << scale;
        }
    }
}

TEST(LatencySketch, BucketIndexIsExactAtEveryBoundary)
{
    // Straddle each irrational boundary 2^(k/2^scale) with the doubles nearest
    // to it, in several octaves: the classic log2-based index gets some of
    // these wrong by one.
    for (int scale : {1, 3, 6, 8, 10, 12}) {
        const int64_t n = int64_t(1) << scale;
        for (int64_t k = 1; k < n; ++k) {
            const long double b = std::exp2(static_cast<long double>(k) / n);
            const double d = double(b);
            for (double c : {std::nextafter(d, 0.0), d, std::nextafter(d, 2.0)}) {
                const long double diff = static_cast<long double>(c) - b;
                if (std::fabs(diff) < b * 0x1p-60L)
                    continue; // beyond long double's say
                for (int e : {-700, -10, 0, 1, 9, 300}) {
                    const int64_t expected = e * n + (diff > 0 ? k : k - 1);
                    ASSERT_EQ(LatencySketch::bucketIndex(std::ldexp(c, e), scale), expected)
                        << "scale " << scale << " k " << k << " e " << e;
                }
            }
        }
    }
}

TEST(LatencySketch, SubnormalAndExtremeValuesGetValidIndexes)
{
    const double tiny = std::numeric_limits<double>::denorm_min(); // 2^-1074
    const double big = std::numeric_limits<double>::max();         // just below 2^1024
    for (int scale : {-4, -1, 0, 6, 10, 20}) {
        const int64_t tinyIndex = scale >= 0 ? (int64_t(-1074) << scale) - 1 : -1075 >> -scale;
        const int64_t bigIndex = scale >= 0 ? (int64_t(1024) << scale) - 1 : 1023 >> -scale;
        EXPECT_EQ(LatencySketch::bucketIndex(tiny, scale), tinyIndex);
        EXPECT_EQ(LatencySketch::minIndex(scale), tinyIndex);
        EXPECT_EQ(LatencySketch::bucketIndex(big, scale), bigIndex);
        EXPECT_EQ(LatencySketch::maxIndex(scale), bigIndex);
        int32_t ref = 0;
        for (double sub : {3e-310, 1.234e-320}) {
            if (referenceIndex(sub, scale, &ref)) {
                EXPECT_EQ(LatencySketch::bucketIndex(sub, scale), ref) << sub;
            }
        }
    }
}

TEST(LatencySketch, RealisticRangeStaysAtScaleSixWithinEightKilobytes)
{
    // 1 ms .. 100 s, log-uniform: the widest range a real window sees.
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> logms(0.0, 5.0);
    LatencySketch s;
    std::vector<double> data;
    for (int i = 0; i < 200'000; ++i) {
        data.push_back(std::pow(10.0, logms(rng)));
        s.record(data.back());
    }
    s.record(1.0);
    s.record(100'000.0);
    EXPECT_EQ(s.scale(), LatencySketch::kDefaultScale);
    EXPECT_LE(s.buckets().size(), LatencySketch::kMaxBuckets);
    EXPECT_LE(s.memoryBytes(), 8192u + sizeof(LatencySketch));
}

TEST(LatencySketch, AFullSketchStaysWithinEightKilobytes)
{
    // Fill all 2048 buckets in an order where std::vector's doubling would
    // overshoot (3, 6, ..., 1536, 3072 slots): the budget is a hard cap.
    LatencySketch s;
    auto mid = [](int i) { return std::exp2((i + 0.5) / 64.0); };
    s.record(mid(0));
    for (int i = 2; i < int(LatencySketch::kMaxBuckets); ++i)
        s.record(mid(i));
    EXPECT_EQ(s.scale(), 6);
    EXPECT_EQ(s.buckets().size(), LatencySketch::kMaxBuckets);
    EXPECT_LE(s.memoryBytes(), 8192u + sizeof(LatencySketch));
    s.record(mid(-1)); // one more bucket: halves the resolution instead of growing
    EXPECT_EQ(s.scale(), 5);
    EXPECT_LE(s.memoryBytes(), 8192u + sizeof(LatencySketch));
}

TEST(LatencySketch, HugeRangeDownscalesButKeepsQuantilesWithinTheCoarserBound)
{
    // 1 ns .. ~11 days in ms: must lower the scale to fit 2048 buckets.
    std::mt19937_64 rng(13);
    std::uniform_real_distribution<double> logms(-6.0, 9.0);
    LatencySketch s;
    std::vector<double> data;
    for (int i = 0; i < 300'000; ++i) {
        data.push_back(std::pow(10.0, logms(rng)));
        s.record(data.back());
    }
    EXPECT_LT(s.scale(), LatencySketch::kDefaultScale);
    EXPECT_GE(s.scale(), 4);
    EXPECT_LE(s.buckets().size(), LatencySketch::kMaxBuckets);
    EXPECT_LE(s.memoryBytes(), 8192u + sizeof(LatencySketch));
    for (double q : {0.01, 0.5, 0.95, 0.99}) {
        const double exact = exactQuantile(data, q);
        EXPECT_LE(std::abs(s.quantile(q) - exact) / exact, errorBound(s.scale()) * (1 + 1e-9))
            << "q=" << q;
    }
}

TEST(LatencySketch, NaNNegativeAndInfiniteSamplesAreIgnored)
{
    LatencySketch s;
    s.record(10.0);
    const LatencySketch before = s;
    for (double bad : {kNaN, -kNaN, -1.0, -1e-300, kInf, -kInf})
        s.record(bad);
    EXPECT_EQ(s, before);
    EXPECT_EQ(s.count(), 1u);
    EXPECT_EQ(s.min(), 10.0);
    EXPECT_EQ(s.max(), 10.0);
    EXPECT_EQ(s.sum(), 10.0);
}

TEST(LatencySketch, ZerosAreCountedApartAndReportedAsZero)
{
    LatencySketch s;
    for (int i = 0; i < 60; ++i)
        s.record(0.0);
    s.record(-0.0);
    s.record(1e-12); // below the zero threshold
    for (int i = 0; i < 38; ++i)
        s.record(100.0);
    EXPECT_EQ(s.count(), 100u);
    EXPECT_EQ(s.zeroCount(), 62u);
    EXPECT_EQ(s.min(), 0.0);
    EXPECT_EQ(s.quantile(0.5), 0.0);
    EXPECT_NEAR(s.quantile(0.99), 100.0, 100.0 * errorBound(6));
    LatencySketch onlyZeros;
    onlyZeros.record(0.0);
    EXPECT_TRUE(onlyZeros.buckets().empty());
    EXPECT_EQ(onlyZeros.quantile(0.99), 0.0);
}

// What summaries (and so every chart) use: all quantiles in one walk,
// bit-for-bit what quantile() says, with zeros, single values and edge qs.
TEST(LatencySketch, QuantilesInOneWalkEqualQuantileOneByOne)
{
    std::mt19937 rng(17);
    std::lognormal_distribution<double> d(std::log(80.0), 1.2);
    const std::vector<double> qs = {0.0, 0.001, 0.25, 0.5, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    for (int trial = 0; trial < 200; ++trial) {
        LatencySketch s;
        const int n = trial % 7 == 0 ? 0 : 1 + trial % 50;
        for (int i = 0; i < n; ++i)
            s.record(i % 9 == 0 && trial % 3 == 0 ? 0.0 : d(rng));
        std::vector<double> out(qs.size());
        s.quantiles(qs.data(), out.data(), qs.size());
        for (std::size_t k = 0; k < qs.size(); ++k)
            EXPECT_EQ(out[k], s.quantile(qs[k])) << "trial " << trial << " q " << qs[k];
    }
}

// Found by tests/fuzz/sketch_fuzz: with only tiny values in the zero bucket,
// p0 (the min) came out above p1 (the zero bucket's 0).
TEST(LatencySketch, QuantilesStayOrderedWhenTheZeroBucketHoldsTinyValues)
{
    LatencySketch s;
    s.record(1e-10);
    s.record(1e-11);
    for (int i = 0; i < 98; ++i)
        s.record(5.0);
    EXPECT_EQ(s.min(), 1e-11);
    EXPECT_LE(s.quantile(0.0), s.quantile(0.01));
    EXPECT_EQ(s.quantile(0.01), 1e-11);
    EXPECT_NEAR(s.quantile(0.5), 5.0, 5.0 * errorBound(6));
}

TEST(LatencySketch, ClearForgetsEverything)
{
    LatencySketch s;
    s.record(5.0);
    s.record(0.0);
    s.clear();
    EXPECT_EQ(s, LatencySketch());
    s.record(7.0);
    EXPECT_EQ(s.min(), 7.0);
}

TEST(LatencySketch, SerializeRoundtripIsIdentical)
{
    LatencySketch empty;
    LatencySketch zeros;
    zeros.record(0.0);
    LatencySketch normal;
    for (double x : lognormal(10'000, 14))
        normal.record(x);
    LatencySketch downscaled;
    for (double x : {1e-8, 1.0, 1e12})
        downscaled.record(x);
    LatencySketch otherScale(-2);
    otherScale.record(3.0);
    for (const LatencySketch *s : {&empty, &zeros, &normal, &downscaled, &otherScale}) {
        const auto back = LatencySketch::deserialize(s->serialize());
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, *s);
    }
}

TEST(LatencySketch, SerializedFormatIsTheCachedVersionOneLayout)
{
    // Rows written by the first (QDataStream) implementation must stay readable.
    LatencySketch s;
    for (double x : {0.0, 1.5, 2.5, 800.0})
        s.record(x);
    QByteArray legacy;
    QDataStream ds(&legacy, QIODevice::WriteOnly);
    ds.setVersion(QDataStream::Qt_6_0);
    ds << quint8(1) << qint32(s.scale()) << qint32(s.offset()) << quint64(s.zeroCount())
       << quint64(s.count()) << s.sum() << s.min() << s.max() << quint32(s.buckets().size());
    for (uint32_t c : s.buckets())
        ds << quint32(c);
    EXPECT_EQ(s.serialize(), legacy);
}

TEST(LatencySketch, DeserializeRejectsEveryTruncation)
{
    const QByteArray blob = validBlob();
    for (qsizetype n = 0; n < blob.size(); ++n)
        ASSERT_FALSE(LatencySketch::deserialize(blob.left(n)).has_value()) << "length " << n;
    EXPECT_FALSE(LatencySketch::deserialize(blob + QByteArray(1, '\0')).has_value());
    EXPECT_TRUE(LatencySketch::deserialize(blob).has_value());
}

TEST(LatencySketch, DeserializeSurvivesCorruptedAndRandomBytes)
{
    // Whatever comes back must be usable: finite quantiles within [min, max].
    auto usable = [](const std::optional<LatencySketch> &s) {
        if (!s)
            return true;
        const double p = s->quantile(0.99);
        return std::isfinite(p) && p >= s->min() && p <= s->max() &&
               s->buckets().size() <= LatencySketch::kMaxBuckets;
    };
    const QByteArray blob = validBlob();
    std::mt19937_64 rng(15);
    for (qsizetype i = 0; i < blob.size(); ++i) {
        for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
            QByteArray bad = blob;
            bad[i] = char(v);
            ASSERT_TRUE(usable(LatencySketch::deserialize(bad))) << "byte " << i;
        }
    }
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> len(0, 200);
    for (int i = 0; i < 20'000; ++i) {
        QByteArray junk(len(rng), Qt::Uninitialized);
        for (auto &c : junk)
            c = char(byte(rng));
        if (!junk.isEmpty() && i % 2)
            junk[0] = 1; // get past the version check half the time
        ASSERT_TRUE(usable(LatencySketch::deserialize(junk)));
    }
}

TEST(LatencySketch, DeserializeRejectsHostileHeaders)
{
    LatencySketch s;
    s.record(10.0);
    const QByteArray blob = s.serialize();
    auto patched = [&](int at, QByteArray bytes) {
        QByteArray b = blob;
        b.replace(at, bytes.size(), bytes);
        return LatencySketch::deserialize(b);
    };
    EXPECT_FALSE(patched(0, QByteArray("\x02", 1)).has_value());             // version
    EXPECT_FALSE(patched(1, QByteArray("\x00\x00\x00\x63", 4)).has_value()); // scale 99
    EXPECT_FALSE(patched(5, QByteArray("\x7f\xff\xff\xff", 4)).has_value()); // offset past 2^1024
    EXPECT_FALSE(patched(17, QByteArray(8, '\xff')).has_value());            // count
    EXPECT_FALSE(patched(25, QByteArray("\x7f\xf8\0\0\0\0\0\0", 8)).has_value()); // NaN sum
    EXPECT_FALSE(patched(49, QByteArray("\x00\x00\x08\x00", 4)).has_value());     // n=2048, no data
    EXPECT_FALSE(patched(49, QByteArray("\xff\xff\xff\xff", 4)).has_value());     // n huge
}

TEST(LatencySketch, FromPartsRejectsInconsistentInput)
{
    const std::vector<uint64_t> counts{1, 0, 2};
    // A consistent baseline is accepted and trims to its non-empty range.
    const auto ok = LatencySketch::fromParts(6, 1, 100, counts, 4, 10.0, 0.0, 5.0);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->offset(), 100);
    EXPECT_EQ(ok->buckets().size(), 3u);

    EXPECT_FALSE(LatencySketch::fromParts(21, 1, 100, counts, 4, 10, 0, 5));   // scale
    EXPECT_FALSE(LatencySketch::fromParts(-5, 1, 100, counts, 4, 10, 0, 5));   // scale
    EXPECT_FALSE(LatencySketch::fromParts(6, 1, 100, counts, 5, 10, 0, 5));    // count
    EXPECT_FALSE(LatencySketch::fromParts(6, 1, 100, counts, 4, 10, 6, 5));    // min > max
    EXPECT_FALSE(LatencySketch::fromParts(6, 1, 100, counts, 4, 10, -1, 5));   // negative min
    EXPECT_FALSE(LatencySketch::fromParts(6, 1, 100, counts, 4, kNaN, 0, 5));  // sum
    EXPECT_FALSE(LatencySketch::fromParts(6, 1, 100, counts, 4, 10, 0, kInf)); // max
    EXPECT_FALSE(LatencySketch::fromParts(6, 0, 0, {}, 0, 3.0, 0, 0));         // empty with sum
    EXPECT_FALSE(LatencySketch::fromParts(6, 0, 0, {uint64_t(1) << 32}, uint64_t(1) << 32, 1, 1,
                                          1)); // bucket beyond 32 bits
    // Totals that wrap around 2^64 to match count are not consistent.
    const uint64_t huge = std::numeric_limits<uint64_t>::max() - 1;
    EXPECT_FALSE(LatencySketch::fromParts(6, huge, 0, {3}, 1, 1, 1, 1));
    // Indexes no double can have (2^(2^31/64)) would give infinite quantiles.
    EXPECT_FALSE(LatencySketch::fromParts(6, 0, 70'000, {1}, 1, 1, 1, 1));
    EXPECT_FALSE(LatencySketch::fromParts(6, 0, -70'000, {1}, 1, 1, 1, 1));
}

TEST(LatencySketch, FromPartsLowersTheScaleOfAWideImport)
{
    // 4000 buckets at scale 6 do not fit 2048: the import lands at scale 5.
    std::vector<uint64_t> counts(4000, 0);
    counts.front() = 1;
    counts.back() = 1;
    const auto s = LatencySketch::fromParts(6, 0, -1000, counts, 2, 1, 0.5, 1e9);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->scale(), 5);
    EXPECT_LE(s->buckets().size(), LatencySketch::kMaxBuckets);
    EXPECT_EQ(s->count(), 2u);
}

// A bucket is full at 2^32 - 1 samples: what does not fit is left out of the
// count too, so a merge of big sketches still serializes and reads back.
TEST(LatencySketch, AFullBucketKeepsCountEqualToItsBucketsAcrossMerges)
{
    const std::vector<uint64_t> counts{std::numeric_limits<uint32_t>::max() - 10, 5};
    const uint64_t total = counts[0] + counts[1];
    const int32_t offset = sb::LatencySketch::bucketIndex(100.0, 6);
    auto big = sb::LatencySketch::fromParts(6, 0, offset, counts, total, 100.0 * double(total),
                                            100.0, 120.0);
    ASSERT_TRUE(big);
    sb::LatencySketch merged;
    merged.merge(*big);
    merged.merge(*big);
    EXPECT_LT(merged.count(), 2 * total);
    EXPECT_GE(merged.count(), total);
    uint64_t inBuckets = merged.zeroCount();
    for (auto c : merged.buckets())
        inBuckets += c;
    EXPECT_EQ(merged.count(), inBuckets);
    const auto back = sb::LatencySketch::deserialize(merged.serialize());
    ASSERT_TRUE(back) << "a merged sketch still reads back";
    EXPECT_EQ(*back, merged);
}
