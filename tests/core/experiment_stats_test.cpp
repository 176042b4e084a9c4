// The experiment statistics against independently computed values: textbook
// examples and closed forms evaluated outside this code (Python's math
// module: erfc, lgamma, exact sums), plus simulations that pin down what the
// screen promises: peeking at an A/A test after every batch declares a
// difference no more often than alpha, and Bradley-Terry recovers a known
// ranking.

#include "core/experiment_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <random>

using namespace sb;
using namespace sb::stats;

TEST(ExperimentStats, NormalQuantilesAndCdfMatchTables)
{
    EXPECT_NEAR(normalQuantile(0.975), 1.959963984540054, 1e-12);
    EXPECT_NEAR(zFor(0.95), 1.959963984540054, 1e-12);
    EXPECT_NEAR(normalQuantile(0.8), 0.8416212335729143, 1e-12);
    EXPECT_NEAR(normalCdf(1.0), 0.8413447460685429, 1e-12);
    EXPECT_NEAR(normalCdf(-1.959963984540054), 0.025, 1e-12);
}

TEST(ExperimentStats, WilsonIntervalMatchesTheClosedForm)
{
    // 81 successes in 263 trials: the example of Wikipedia's "Binomial
    // proportion confidence interval" article (0.255 to 0.366).
    const Interval i = wilson(81, 263);
    EXPECT_NEAR(i.lo, 0.2552885198782742, 1e-12);
    EXPECT_NEAR(i.hi, 0.36620957698280004, 1e-12);
    // At the edges it stays inside [0, 1] and is not degenerate (Wald's is).
    const Interval none = wilson(0, 20);
    EXPECT_EQ(none.lo, 0.0);
    EXPECT_NEAR(none.hi, 0.16112515805281938, 1e-12);
    const Interval all = wilson(20, 20);
    EXPECT_NEAR(all.lo, 0.8388748419471806, 1e-12);
    EXPECT_EQ(all.hi, 1.0);
    const Interval empty = wilson(0, 0);
    EXPECT_EQ(empty.lo, 0.0);
    EXPECT_EQ(empty.hi, 1.0);
}

TEST(ExperimentStats, TwoProportionZTestMatchesTheTextbookFormula)
{
    // 120/1000 against 150/1000, pooled: z = 1.9630, two-sided p = 0.04964.
    const ZTest t = twoProportionZTest(120, 1000, 150, 1000);
    EXPECT_NEAR(t.z, 1.963049807622355, 1e-9);
    EXPECT_NEAR(t.pValue, 0.04964038686536881, 1e-9);
    EXPECT_NEAR(twoProportionZTest(150, 1000, 120, 1000).z, -1.963049807622355, 1e-9);
    EXPECT_EQ(twoProportionZTest(0, 0, 5, 10).pValue, 1.0);
}

TEST(ExperimentStats, ChanceToBeatMatchesEvanMillersClosedForm)
{
    // Exact sums of Beta functions (Evan Miller, "Formulas for Bayesian A/B
    // testing"), computed in Python.
    EXPECT_NEAR(probabilityBBeatsA(10, 100, 15, 100), 0.8532837899338557, 1e-6);
    EXPECT_NEAR(probabilityBBeatsA(3, 20, 7, 20), 0.920541554687898, 1e-6);
    EXPECT_NEAR(probabilityBBeatsA(900, 1000, 920, 1000), 0.9405689577500286, 1e-6);
    EXPECT_NEAR(probabilityBBeatsA(5, 5, 0, 5), 0.0010822510822510853, 1e-6);
    // Symmetry.
    EXPECT_NEAR(probabilityBBeatsA(40, 100, 40, 100), 0.5, 1e-6);
    EXPECT_NEAR(probabilityBBeatsA(10, 100, 15, 100) + probabilityBBeatsA(15, 100, 10, 100), 1.0,
                1e-6);
    // Large counts take the normal approximation: still close to exact.
    EXPECT_NEAR(probabilityBBeatsA(600, 6000, 670, 6000), 0.9810928302664006, 0.003);
}

TEST(ExperimentStats, MixtureSequentialTestMatchesItsFormula)
{
    // d = 0.02, V = 1e-4, tau^2 = 4e-4, alpha = 0.05, by hand:
    // log L = 0.5 ln(0.2) + 4e-4 * 4e-4 / (2e-4 * 5e-4) = 0.795281
    // half-width = sqrt(1e-4 * 5e-4 / 4e-4 * (2 ln 20 + ln 5)) = 0.0308239
    const Sequential s = mixtureSequentialTest(0.02, 1e-4, 4e-4, 0.05);
    EXPECT_NEAR(std::log(s.lambda), 0.5 * std::log(0.2) + 1.6, 1e-9);
    EXPECT_NEAR(s.pValue, std::exp(-(0.5 * std::log(0.2) + 1.6)), 1e-9);
    EXPECT_NEAR(s.ci.hi - 0.02, 0.030823908, 1e-8);
    EXPECT_FALSE(s.significant);
    // At the interval's edge, the likelihood ratio against "the true
    // difference is the edge" is exactly 1/alpha.
    const Sequential atEdge = mixtureSequentialTest(0.02 - s.ci.hi, 1e-4, 4e-4, 0.05);
    EXPECT_NEAR(atEdge.lambda, 20.0, 1e-6);
    EXPECT_TRUE(mixtureSequentialTest(0.05, 1e-4, 4e-4, 0.05).significant);
    // Significant exactly when the interval excludes 0.
    for (double d : {0.0, 0.01, 0.03, 0.031, 0.0309, 0.04, -0.035}) {
        const Sequential t = mixtureSequentialTest(d, 1e-4, 4e-4, 0.05);
        EXPECT_EQ(t.significant, !t.ci.contains(0)) << d;
    }
    // The always-valid interval is wider than the fixed-horizon one.
    EXPECT_GT(sequentialHalfWidth(1e-4, 4e-4, 0.05), 1.96 * 0.01);
}

TEST(ExperimentStats, SampleRatioMismatchMatchesChiSquare)
{
    // 4000/4200/1800 against 40/40/20: chi^2 = 30 with 2 df, p = exp(-15).
    const SampleRatio s = sampleRatioMismatch({4000, 4200, 1800}, {40, 40, 20});
    EXPECT_NEAR(s.chiSquare, 30.0, 1e-9);
    EXPECT_EQ(s.degreesOfFreedom, 2);
    EXPECT_NEAR(s.pValue, 3.059023205018258e-07, 1e-12);
    EXPECT_NEAR(s.observedShare[0], 0.4, 1e-12);
    EXPECT_NEAR(s.expectedShare[2], 0.2, 1e-12);
    // 5100/4900 against 50/50: chi^2 = 4, 1 df, p = erfc(sqrt(2)) = 0.0455.
    const SampleRatio t = sampleRatioMismatch({5100, 4900}, {1, 1});
    EXPECT_NEAR(t.chiSquare, 4.0, 1e-9);
    EXPECT_NEAR(t.pValue, 0.045500263896358396, 1e-9);
    // A perfect split is no mismatch; exposures in a zero-weight arm are.
    EXPECT_NEAR(sampleRatioMismatch({500, 500}, {50, 50}).pValue, 1.0, 1e-12);
    EXPECT_EQ(sampleRatioMismatch({500, 500, 3}, {50, 50, 0}).pValue, 0.0);
}

TEST(ExperimentStats, FixedHorizonSampleSizeMatchesTheTextbookFormula)
{
    // (z_0.975 + z_0.8)^2 * 2 * 0.09 / 0.02^2 = 3531.996 -> 3532.
    EXPECT_EQ(fixedHorizonSampleSize(0.09, 0.02, 0.05, 0.8), 3532u);
    // Being allowed to look any time costs samples: the sequential test needs more.
    const uint64_t seq = sequentialSampleSize(0.09, 0.02, 0.02 * 0.02, 0.05, 0.8);
    EXPECT_GT(seq, 3532u);
    EXPECT_LT(seq, 4 * 3532u);
    // And what it needs does detect the effect with the promised power:
    // at n, half-width + z_0.8 * sd <= effect, and not at n - 1.
    auto reaches = [](uint64_t n) {
        const double v = 2 * 0.09 / double(n);
        return sequentialHalfWidth(v, 4e-4, 0.05) + 0.8416212335729143 * std::sqrt(v) <= 0.02;
    };
    EXPECT_TRUE(reaches(seq));
    EXPECT_FALSE(reaches(seq - 1));
    EXPECT_GT(sequentialSampleSize(0.09, 0.01, 1e-4, 0.05), seq);
}

TEST(ExperimentStats, QuantileIntervalCoversTheTrueQuantile)
{
    // Lognormal(ln 800, 0.6): the true p95 is 800 * exp(0.6 * 1.6448536).
    const double truth = 800 * std::exp(0.6 * 1.6448536269514722);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0, 1);
    int covered = 0;
    const int runs = 200;
    for (int r = 0; r < runs; ++r) {
        LatencySketch sketch;
        for (int i = 0; i < 4000; ++i)
            sketch.record(800 * std::exp(0.6 * normal(rng)));
        const QuantileEstimate q = quantileInterval(sketch, 0.95);
        EXPECT_TRUE(q.ci.contains(q.value));
        covered += q.ci.contains(truth);
    }
    // A 95 % interval (slightly widened by the sketch error): about 95 % coverage.
    EXPECT_GE(covered, int(runs * 0.91));
    std::printf("p95 interval covered the true quantile in %d of %d runs\n", covered, runs);
    EXPECT_NEAR(sketchRelativeError(6), 0.005415, 1e-5);
}

TEST(ExperimentStats, LogMomentsOfALognormalSketch)
{
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0, 1);
    LatencySketch sketch;
    for (int i = 0; i < 200000; ++i)
        sketch.record(500 * std::exp(0.5 * normal(rng)));
    const Moments m = logMoments(sketch);
    EXPECT_EQ(m.n, 200000u);
    EXPECT_NEAR(m.mean, std::log(500.0), 0.01);
    EXPECT_NEAR(m.variance, 0.25, 0.25 * 0.02);
}

// 1,000 A/A experiments (both arms 10 % success), each looked at after every
// batch of 200 requests per arm for 50 batches: the always-valid test may
// call a difference in at most about alpha of them. Naive peeking with the
// fixed-horizon z-test, for contrast, calls one far more often.
TEST(ExperimentStats, PeekingAtAnAATestKeepsTheFalsePositiveRateBelowAlpha)
{
    std::mt19937_64 rng(20240601);
    const int experiments = 1000;
    const int looks = 50;
    const int batch = 200;
    const double p = 0.1;
    const double alpha = 0.05;
    const double tau2 = 0.02 * 0.02; // the minimum effect worth detecting: 2 pp
    std::binomial_distribution<int> draw(batch, p);
    int sequentialFalse = 0;
    int naiveFalse = 0;
    for (int e = 0; e < experiments; ++e) {
        uint64_t sA = 0, sB = 0, n = 0;
        bool seqHit = false, naiveHit = false;
        for (int l = 0; l < looks; ++l) {
            sA += uint64_t(draw(rng));
            sB += uint64_t(draw(rng));
            n += batch;
            const double pA = double(sA) / double(n);
            const double pB = double(sB) / double(n);
            const double v = (pA * (1 - pA) + pB * (1 - pB)) / double(n);
            seqHit = seqHit || mixtureSequentialTest(pB - pA, v, tau2, alpha).significant;
            naiveHit = naiveHit || twoProportionZTest(sA, n, sB, n).pValue < alpha;
        }
        sequentialFalse += seqHit;
        naiveFalse += naiveHit;
    }
    const double seqRate = double(sequentialFalse) / experiments;
    const double naiveRate = double(naiveFalse) / experiments;
    std::printf("A/A with %d looks: always-valid test declared a difference in %.1f %% of "
                "%d experiments (alpha %.0f %%); naive fixed-horizon peeking in %.1f %%\n",
                looks, seqRate * 100, experiments, alpha * 100, naiveRate * 100);
    // alpha plus two standard errors of a 1,000-run estimate.
    EXPECT_LE(seqRate, alpha + 2 * std::sqrt(alpha * (1 - alpha) / experiments));
    EXPECT_GT(naiveRate, 2 * alpha);
}

// With a real difference the same test does find it.
TEST(ExperimentStats, SequentialTestFindsARealDifference)
{
    std::mt19937_64 rng(11);
    std::binomial_distribution<int> a(200, 0.10);
    std::binomial_distribution<int> b(200, 0.13);
    int found = 0;
    for (int e = 0; e < 200; ++e) {
        uint64_t sA = 0, sB = 0, n = 0;
        for (int l = 0; l < 50; ++l) {
            sA += uint64_t(a(rng));
            sB += uint64_t(b(rng));
            n += 200;
            const double pA = double(sA) / double(n);
            const double pB = double(sB) / double(n);
            if (mixtureSequentialTest(pB - pA, (pA * (1 - pA) + pB * (1 - pB)) / double(n), 0.0004,
                                      0.05)
                    .significant) {
                ++found;
                break;
            }
        }
    }
    EXPECT_GE(found, 190) << "3 pp on 10,000 per arm should almost always be found";
}

TEST(ExperimentStats, BradleyTerryTwoPlayersIsTheWinRatio)
{
    // A beats B 7 times in 10: the MLE strength ratio is 7/3, and the
    // information in log-strength is n p (1 - p) = 10 * 0.7 * 0.3 = 2.1.
    const BradleyTerry bt = bradleyTerry(2, {{0, 1, 7, 3}}, 1, 0.0);
    ASSERT_TRUE(bt.converged);
    EXPECT_NEAR(bt.logStrength[0], std::log(7.0 / 3.0), 1e-9);
    EXPECT_EQ(bt.logStrength[1], 0.0);
    EXPECT_NEAR(bt.standardError[0], 1 / std::sqrt(2.1), 1e-6);
    EXPECT_NEAR(bt.winProbability(0, 1), 0.7, 1e-9);
}

TEST(ExperimentStats, BradleyTerryRecoversAKnownRanking)
{
    // True strengths 1, 2, 4, 0.5; 6,000 random pairings, ties 10 % of the time.
    const std::vector<double> truth = {1, 2, 4, 0.5};
    std::mt19937_64 rng(5);
    std::uniform_int_distribution<int> pick(0, 3);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<PairOutcome> outcomes;
    for (int g = 0; g < 6000; ++g) {
        const int i = pick(rng);
        int j = pick(rng);
        while (j == i)
            j = pick(rng);
        if (u(rng) < 0.1) {
            outcomes.push_back({i, j, 0.5, 0.5});
            continue;
        }
        const bool iWins =
            u(rng) < truth[std::size_t(i)] / (truth[std::size_t(i)] + truth[std::size_t(j)]);
        outcomes.push_back({i, j, iWins ? 1.0 : 0.0, iWins ? 0.0 : 1.0});
    }
    const BradleyTerry bt = bradleyTerry(4, outcomes, 0);
    ASSERT_TRUE(bt.converged);
    // Ranking: 2 > 1 > 0 > 3.
    EXPECT_GT(bt.logStrength[2], bt.logStrength[1]);
    EXPECT_GT(bt.logStrength[1], bt.logStrength[0]);
    EXPECT_GT(bt.logStrength[0], bt.logStrength[3]);
    // Ties pull strengths towards each other a little (a tie is half a win
    // each way), so allow for that beyond sampling error.
    for (int i = 1; i < 4; ++i) {
        const double expected = std::log(truth[std::size_t(i)]);
        EXPECT_NEAR(bt.logStrength[std::size_t(i)], expected,
                    4 * bt.standardError[std::size_t(i)] + 0.1)
            << i;
        EXPECT_GT(bt.standardError[std::size_t(i)], 0.0);
        EXPECT_LT(bt.standardError[std::size_t(i)], 0.2);
    }
    // Someone who never lost still gets a finite strength (the pseudo-count).
    const BradleyTerry sweep = bradleyTerry(2, {{0, 1, 5, 0}}, 1);
    EXPECT_TRUE(std::isfinite(sweep.logStrength[0]));
    EXPECT_GT(sweep.logStrength[0], 1.0);
}
