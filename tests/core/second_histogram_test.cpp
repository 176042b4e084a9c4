// SecondHistogram: the ingest path's inline recording must give exactly the
// LatencySketch that recording the same values gives (the per-second
// sketches merge with everything else bucket for bucket).

#include "core/second_histogram.h"

#include <bit>
#include <gtest/gtest.h>
#include <random>

using sb::LatencySketch;
using sb::SecondHistogram;

TEST(SecondHistogram, BucketIndexIsTheSketchsForEveryFloatOfAnOctave)
{
    // Exponents only shift the index, so one octave exhausts the tables.
    int mismatches = 0;
    for (uint32_t m = 0; m < (1u << 23); ++m) {
        const float v = std::bit_cast<float>((127u << 23) | m);
        if (SecondHistogram::bucketIndex(v) !=
            LatencySketch::bucketIndex(double(v), SecondHistogram::kScale))
            ++mismatches;
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(SecondHistogram, BucketIndexMatchesAcrossTheValidatedRange)
{
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> exponent(-29.0, 21.7); // 1e-9 .. 3.6e6 ms
    for (int i = 0; i < 200'000; ++i) {
        const float v = float(std::exp2(exponent(rng)));
        ASSERT_EQ(SecondHistogram::bucketIndex(v),
                  LatencySketch::bucketIndex(double(v), SecondHistogram::kScale))
            << v;
    }
    for (float v : {1.0f, 2.0f, 0.5f, 1024.0f, 3.0f, 1e-6f, 3.6e6f})
        EXPECT_EQ(SecondHistogram::bucketIndex(v),
                  LatencySketch::bucketIndex(double(v), SecondHistogram::kScale))
            << v;
}

TEST(SecondHistogram, ToSketchEqualsRecordingTheSameValues)
{
    std::mt19937 rng(5);
    std::lognormal_distribution<double> lat(5.0, 1.5);
    SecondHistogram h;
    LatencySketch s;
    for (int i = 0; i < 100'000; ++i) {
        float v = float(lat(rng));
        if (i % 1000 == 0)
            v = 0.0f; // zero bucket
        if (i % 777 == 0)
            v = 3.5e6f; // far out: grows the range
        h.record(v);
        s.record(double(v));
    }
    EXPECT_EQ(h.toSketch(), s);
    EXPECT_EQ(h.toSketch().quantile(0.99), s.quantile(0.99));

    // Cleared, it is empty and then records afresh into the kept buckets.
    h.clear();
    EXPECT_TRUE(h.empty());
    EXPECT_EQ(h.toSketch().count(), 0u);
    LatencySketch t;
    for (float v : {12.f, 13.f, 900.f}) {
        h.record(v);
        t.record(double(v));
    }
    EXPECT_EQ(h.toSketch(), t);
}

TEST(SecondHistogram, ARangeWiderThanTheSketchBudgetIsLoweredLikeTheSketch)
{
    SecondHistogram h;
    LatencySketch s;
    for (float v : {2e-9f, 1e-5f, 0.3f, 40.f, 5e3f, 3.5e6f}) {
        h.record(v);
        s.record(double(v));
    }
    const LatencySketch out = h.toSketch();
    EXPECT_LT(out.scale(), SecondHistogram::kScale);
    EXPECT_EQ(out, s);
}
