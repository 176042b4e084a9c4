// Backoff: what a reconnecting stream waits between attempts.

#include "core/backoff.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>

using sb::Backoff;
using ms = std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyUpToTheCap)
{
    Backoff b(ms(100), ms(5000), 2.0, /*jitter=*/0.0, 1);
    const std::vector<int64_t> expected{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (int64_t e : expected)
        EXPECT_EQ(b.next().count(), e);
    EXPECT_EQ(b.attempts(), int(expected.size()));
}

TEST(Backoff, JitterStaysWithinItsBounds)
{
    for (uint64_t seed = 0; seed < 200; ++seed) {
        Backoff b(ms(250), ms(10'000), 2.0, 0.2, seed);
        for (int attempt = 0; attempt < 12; ++attempt) {
            const double base = std::min(10'000.0, 250.0 * std::pow(2.0, attempt));
            const auto d = double(b.next().count());
            ASSERT_GE(d, std::floor(base * 0.8)) << "attempt " << attempt;
            ASSERT_LE(d, std::min(10'000.0, base * 1.2)) << "attempt " << attempt;
        }
    }
}

TEST(Backoff, AtTheCapDelaysSpreadOutInsteadOfPilingOntoTheMaximum)
{
    // Clients that lost the same server must not all retry at exactly max.
    int atMax = 0;
    int64_t lo = 10'000, hi = 0;
    for (uint64_t seed = 0; seed < 1000; ++seed) {
        Backoff b(ms(250), ms(10'000), 2.0, 0.2, seed);
        for (int i = 0; i < 10; ++i)
            b.next();
        const int64_t d = b.next().count();
        atMax += d == 10'000;
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    EXPECT_LT(atMax, 10);
    EXPECT_GE(lo, 8000);
    EXPECT_LE(hi, 10'000);
    EXPECT_GT(hi - lo, 1000);
}

TEST(Backoff, SameSeedSameSequenceOtherSeedOtherSequence)
{
    Backoff a(ms(250), ms(10'000), 2.0, 0.2, 42), b(ms(250), ms(10'000), 2.0, 0.2, 42);
    Backoff c(ms(250), ms(10'000), 2.0, 0.2, 43);
    bool differs = false;
    for (int i = 0; i < 20; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x, b.next());
        differs |= x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST(Backoff, ResetStartsOverFromTheInitialDelay)
{
    Backoff b(ms(100), ms(5000), 2.0, 0.0, 1);
    for (int i = 0; i < 6; ++i)
        b.next();
    b.reset();
    EXPECT_EQ(b.attempts(), 0);
    EXPECT_EQ(b.next().count(), 100);
    EXPECT_EQ(b.next().count(), 200);
}

TEST(Backoff, DegenerateSettingsStillGiveSanePositiveDelays)
{
    Backoff zero(ms(0), ms(0), 2.0, 0.5, 1);
    EXPECT_GE(zero.next().count(), 1);
    Backoff shrinking(ms(1000), ms(5000), 0.5, 0.0, 1); // would shrink; held steady
    shrinking.next();
    EXPECT_EQ(shrinking.next().count(), 1000);
    Backoff longOutage(ms(250), ms(10'000), 2.0, 0.2, 1);
    for (int i = 0; i < 100'000; ++i) {
        const auto d = longOutage.next().count();
        ASSERT_GE(d, 1);
        ASSERT_LE(d, 10'000);
    }
}
