#pragma once

// The statistics behind the experiment results, as small pure functions on
// counts, so each can be checked against textbook values (tests/core/
// experiment_stats_test.cpp). Distributions come from Boost.Math.
//
// What is here and why:
//  - Wilson score intervals for proportions (success rate, preference
//    share): good coverage even near 0 % and 100 %, unlike the Wald interval.
//  - Beta-Binomial "chance to beat control": P(p_B > p_A) under independent
//    Beta(1 + s, 1 + n - s) posteriors (uniform priors), by numerical
//    integration of f_B(x) F_A(x).
//  - A fixed-horizon two-sided z-test. Its p-value is only valid if the data
//    is looked at once, at a sample size fixed in advance; it is shown for
//    reference, never used to decide.
//  - The decision: a mixture sequential probability ratio test (mSPRT,
//    Johari, Pekelis and Walsh, "Always valid inference", 2017) with a
//    normal mixing distribution N(0, tau^2) over the difference. Its
//    confidence sequence is valid at every look at once, so a console
//    refreshing every second does not inflate the false-positive rate.
//    tests/core measures that rate over 1,000 peeked A/A experiments.
//  - A sample-ratio-mismatch check: chi-square goodness of fit of the
//    exposures against the configured weights.
//  - Quantile intervals from a latency sketch: order-statistic ranks
//    (binomial, normal approximation) read off the sketch and widened by the
//    sketch's own relative error.
//  - Bradley-Terry strengths from pairwise votes (Hunter's MM algorithm),
//    with intervals from the observed Fisher information.
//  - Sample sizes: how many observations per arm the sequential test needs
//    for a given minimum effect (and the fixed-horizon figure for reference).

#include "core/latency_sketch.h"

#include <cstdint>
#include <vector>

namespace sb::stats {

struct Interval
{
    double lo = 0;
    double hi = 0;
    bool contains(double x) const { return lo <= x && x <= hi; }
    double width() const { return hi - lo; }
};

// Standard normal quantile and cdf.
double normalQuantile(double p);
double normalCdf(double z);
// Two-sided z for a confidence level, e.g. 1.959964 for 0.95.
double zFor(double confidence);

// Wilson score interval of successes / n; [0, 1] for n = 0.
Interval wilson(uint64_t successes, uint64_t n, double confidence = 0.95);

struct ZTest
{
    double z = 0;
    double pValue = 1; // two-sided
};
// Pooled two-proportion z-test of B against A.
ZTest twoProportionZTest(uint64_t successesA, uint64_t nA, uint64_t successesB, uint64_t nB);
// z-test of an estimated difference with the estimator's variance.
ZTest differenceZTest(double difference, double variance);

// P(p_B > p_A) with independent Beta(1 + s, 1 + n - s) posteriors.
double probabilityBBeatsA(uint64_t successesA, uint64_t nA, uint64_t successesB, uint64_t nB);
// P(B's true value exceeds A's) when the difference estimate is normal
// with this variance (continuous metrics): Phi(difference / sqrt(variance)).
double probabilityPositive(double difference, double variance);

struct Sequential
{
    double lambda = 1;        // the mixture likelihood ratio against "no difference"
    double pValue = 1;        // always-valid p-value at this look: min(1, 1 / lambda)
    Interval ci;              // always-valid (1 - alpha) confidence sequence at this look
    bool significant = false; // ci excludes 0 (equivalently lambda >= 1 / alpha)
};
// mSPRT for a difference estimate `difference` whose variance is `variance`
// (e.g. pB(1-pB)/nB + pA(1-pA)/nA), mixing N(0, tau2) over the true
// difference. tau2 is on the scale of the difference squared; a good choice
// is the squared minimum effect worth detecting.
Sequential mixtureSequentialTest(double difference, double variance, double tau2, double alpha);
// Half-width of that confidence sequence for a given estimator variance.
double sequentialHalfWidth(double variance, double tau2, double alpha);

struct SampleRatio
{
    double chiSquare = 0;
    int degreesOfFreedom = 0;
    double pValue = 1;
    std::vector<double> expectedShare; // from the weights
    std::vector<double> observedShare; // from the exposures
};
// Chi-square goodness of fit of exposures against weights. Arms with zero
// weight must have zero exposures (any exposure there is a mismatch: p = 0).
SampleRatio sampleRatioMismatch(const std::vector<uint64_t> &exposures,
                                const std::vector<double> &weights);

struct QuantileEstimate
{
    double value = 0;       // the sketch's estimate
    Interval ci;            // sampling (order statistics) and sketch error together
    double sketchError = 0; // the sketch's relative error bound at its scale
    uint64_t n = 0;
};
// The q-quantile with an interval at `confidence`.
QuantileEstimate quantileInterval(const LatencySketch &sketch, double q, double confidence = 0.95);
// The sketch's relative error bound: (base - 1) / (base + 1).
double sketchRelativeError(int scale);

struct Moments
{
    double mean = 0;
    double variance = 0; // of one observation
    uint64_t n = 0;
};
// Mean and variance of log(latency) over the sketch's buckets (each bucket's
// values taken at its representative point). Zero-bucket values are left out.
// Latency tails are heavy (Pareto tails can have infinite variance), so the
// console compares latencies on the log scale, where they are well behaved.
Moments logMoments(const LatencySketch &sketch);

// Observations per arm needed so that the mSPRT detects a true difference of
// `effect` with probability `power`, when one observation has variance
// `unitVariance` in each arm (e.g. p(1-p)). Saturates at UINT64_MAX / 2.
uint64_t sequentialSampleSize(double unitVariance, double effect, double tau2, double alpha,
                              double power = 0.8);
// The fixed-horizon two-sided z-test's figure, for reference.
uint64_t fixedHorizonSampleSize(double unitVariance, double effect, double alpha,
                                double power = 0.8);

struct PairOutcome
{
    int a = 0;
    int b = 0;
    double winsA = 0; // a tie counts half to each
    double winsB = 0;
};
struct BradleyTerry
{
    std::vector<double> logStrength;   // relative to `reference` (its own is 0)
    std::vector<double> standardError; // of logStrength; 0 for the reference
    int iterations = 0;
    bool converged = false;
    // logStrength[i] +/- z * standardError[i]
    Interval interval(int i, double confidence = 0.95) const;
    // P(i beats j) = s_i / (s_i + s_j).
    double winProbability(int i, int j) const;
};
// Bradley-Terry strengths of k players from pairwise outcomes (Hunter 2004,
// MM updates). A player who never won or never lost has no finite maximum
// likelihood estimate; a small symmetric pseudo-count (by default half a win
// each way for every pair that met) keeps estimates finite.
BradleyTerry bradleyTerry(int k, const std::vector<PairOutcome> &outcomes, int reference = 0,
                          double pseudoCount = 0.5);

} // namespace sb::stats
