#include "core/experiment_stats.h"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>

namespace sb::stats {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const boost::math::normal &standardNormal()
{
    static const boost::math::normal n(0.0, 1.0);
    return n;
}

} // namespace

double normalQuantile(double p)
{
    if (p <= 0)
        return -kInf;
    if (p >= 1)
        return kInf;
    return boost::math::quantile(standardNormal(), p);
}

double normalCdf(double z)
{
    if (std::isnan(z))
        return 0.5;
    if (z == kInf)
        return 1;
    if (z == -kInf)
        return 0;
    return boost::math::cdf(standardNormal(), z);
}

double zFor(double confidence)
{
    return normalQuantile(0.5 + confidence / 2);
}

Interval wilson(uint64_t successes, uint64_t n, double confidence)
{
    if (n == 0)
        return {0, 1};
    successes = std::min(successes, n);
    const double z = zFor(confidence);
    const double nn = double(n);
    const double p = double(successes) / nn;
    const double z2 = z * z;
    const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

ZTest differenceZTest(double difference, double variance)
{
    if (!(variance > 0))
        return {0, 1};
    const double z = difference / std::sqrt(variance);
    return {z, std::min(1.0, 2 * normalCdf(-std::abs(z)))};
}

ZTest twoProportionZTest(uint64_t successesA, uint64_t nA, uint64_t successesB, uint64_t nB)
{
    if (nA == 0 || nB == 0)
        return {0, 1};
    const double pA = double(successesA) / double(nA);
    const double pB = double(successesB) / double(nB);
    const double pooled = double(successesA + successesB) / double(nA + nB);
    const double variance = pooled * (1 - pooled) * (1 / double(nA) + 1 / double(nB));
    return differenceZTest(pB - pA, variance);
}

double probabilityBBeatsA(uint64_t successesA, uint64_t nA, uint64_t successesB, uint64_t nB)
{
    successesA = std::min(successesA, nA);
    successesB = std::min(successesB, nB);
    const uint64_t fewest = std::min({successesA, nA - successesA, successesB, nB - successesB});
    if (fewest >= 200) {
        // Both posteriors are then close to normal (skewness below ~0.15):
        // compare their means with the summed variances, in O(1).
        auto moments = [](uint64_t s, uint64_t n, double *mean, double *var) {
            const double a = 1.0 + double(s);
            const double b = 1.0 + double(n - s);
            *mean = a / (a + b);
            *var = a * b / ((a + b) * (a + b) * (a + b + 1));
        };
        double mA = 0, vA = 0, mB = 0, vB = 0;
        moments(successesA, nA, &mA, &vA);
        moments(successesB, nB, &mB, &vB);
        return normalCdf((mB - mA) / std::sqrt(vA + vB));
    }
    const boost::math::beta_distribution<double> a(1.0 + double(successesA),
                                                   1.0 + double(nA - successesA));
    const boost::math::beta_distribution<double> b(1.0 + double(successesB),
                                                   1.0 + double(nB - successesB));
    // P(B > A) = integral of f_B(x) F_A(x) dx over where f_B has its mass.
    // Composite Simpson over B's central 1 - 2e-12: B is unimodal and
    // smooth there, and the part left out weighs at most 2e-12.
    const double lo = boost::math::quantile(b, 1e-12);
    const double hi = boost::math::quantile(b, 1 - 1e-12);
    if (!(hi > lo))
        return boost::math::cdf(a, lo);
    constexpr int kSteps = 1000; // even
    const double h = (hi - lo) / kSteps;
    double sum = 0;
    for (int i = 0; i <= kSteps; ++i) {
        const double x = lo + h * i;
        const double w = (i == 0 || i == kSteps) ? 1 : (i % 2 ? 4 : 2);
        sum += w * boost::math::pdf(b, x) * boost::math::cdf(a, x);
    }
    // Plus the mass of B above hi, where F_A is about 1.
    const double p = sum * h / 3 + 1e-12;
    return std::clamp(p, 0.0, 1.0);
}

double probabilityPositive(double difference, double variance)
{
    if (!(variance > 0))
        return difference > 0 ? 1 : (difference < 0 ? 0 : 0.5);
    return normalCdf(difference / std::sqrt(variance));
}

double sequentialHalfWidth(double variance, double tau2, double alpha)
{
    if (!(variance > 0) || !(tau2 > 0) || !(alpha > 0 && alpha < 1))
        return kInf;
    const double v = variance;
    return std::sqrt(v * (v + tau2) / tau2 * (2 * std::log(1 / alpha) + std::log((v + tau2) / v)));
}

Sequential mixtureSequentialTest(double difference, double variance, double tau2, double alpha)
{
    Sequential s;
    if (!(variance > 0) || !(tau2 > 0) || !std::isfinite(difference)) {
        s.ci = {-kInf, kInf};
        return s;
    }
    const double v = variance;
    // log of sqrt(V / (V + tau2)) * exp(tau2 d^2 / (2 V (V + tau2))), kept in
    // logs so a decisive result cannot overflow.
    const double logLambda =
        0.5 * std::log(v / (v + tau2)) + tau2 * difference * difference / (2 * v * (v + tau2));
    s.lambda = std::exp(std::min(logLambda, 700.0));
    s.pValue = std::min(1.0, std::exp(-logLambda));
    const double half = sequentialHalfWidth(v, tau2, alpha);
    s.ci = {difference - half, difference + half};
    s.significant = logLambda >= std::log(1 / alpha);
    return s;
}

SampleRatio sampleRatioMismatch(const std::vector<uint64_t> &exposures,
                                const std::vector<double> &weights)
{
    SampleRatio r;
    const std::size_t k = std::min(exposures.size(), weights.size());
    double total = 0;
    double weightSum = 0;
    for (std::size_t i = 0; i < k; ++i) {
        total += double(exposures[i]);
        weightSum += std::max(0.0, weights[i]);
    }
    r.expectedShare.assign(k, 0);
    r.observedShare.assign(k, 0);
    if (k < 2 || total <= 0 || weightSum <= 0)
        return r;
    int arms = 0;
    bool impossible = false;
    for (std::size_t i = 0; i < k; ++i) {
        const double share = std::max(0.0, weights[i]) / weightSum;
        r.expectedShare[i] = share;
        r.observedShare[i] = double(exposures[i]) / total;
        const double expected = share * total;
        if (expected <= 0) {
            impossible = impossible || exposures[i] > 0;
            continue;
        }
        ++arms;
        const double d = double(exposures[i]) - expected;
        r.chiSquare += d * d / expected;
    }
    r.degreesOfFreedom = std::max(1, arms - 1);
    if (impossible) {
        r.pValue = 0;
        return r;
    }
    if (arms < 2)
        return r;
    const boost::math::chi_squared dist(r.degreesOfFreedom);
    r.pValue = boost::math::cdf(boost::math::complement(dist, r.chiSquare));
    return r;
}

double sketchRelativeError(int scale)
{
    const double base = std::exp2(std::ldexp(1.0, -scale));
    return (base - 1) / (base + 1);
}

QuantileEstimate quantileInterval(const LatencySketch &sketch, double q, double confidence)
{
    QuantileEstimate e;
    e.n = sketch.count();
    e.sketchError = sketchRelativeError(sketch.scale());
    if (e.n == 0)
        return e;
    e.value = sketch.quantile(q);
    if (e.n < 2) {
        e.ci = {sketch.min(), sketch.max()};
        return e;
    }
    // Ranks between which the true q-quantile lies with `confidence`: the
    // number of observations below it is Binomial(n, q).
    const double n = double(e.n);
    const double z = zFor(confidence);
    const double sd = std::sqrt(n * q * (1 - q));
    const double last = n - 1;
    const double rLo = std::clamp(std::floor(n * q - z * sd - 1), 0.0, last);
    const double rHi = std::clamp(std::ceil(n * q + z * sd), 0.0, last);
    // LatencySketch::quantile(q) reads rank floor(q (n - 1) + 0.5).
    const double lo = rLo <= 0 ? sketch.min() : sketch.quantile(rLo / last);
    const double hi = rHi >= last ? sketch.max() : sketch.quantile(rHi / last);
    e.ci = {std::max(sketch.min(), lo * (1 - e.sketchError)),
            std::min(sketch.max(), hi * (1 + e.sketchError))};
    return e;
}

Moments logMoments(const LatencySketch &sketch)
{
    Moments m;
    const int scale = sketch.scale();
    const double base = std::exp2(std::ldexp(1.0, -scale));
    const auto &buckets = sketch.buckets();
    // Two passes (mean, then squared deviations) for accuracy.
    double sum = 0;
    uint64_t n = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (!buckets[i])
            continue;
        const double x = std::log(LatencySketch::bucketLower(sketch.offset() + int32_t(i), scale) *
                                  (2 * base / (1 + base)));
        sum += x * buckets[i];
        n += buckets[i];
    }
    if (n == 0)
        return m;
    m.n = n;
    m.mean = sum / double(n);
    double ss = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (!buckets[i])
            continue;
        const double x = std::log(LatencySketch::bucketLower(sketch.offset() + int32_t(i), scale) *
                                  (2 * base / (1 + base)));
        ss += (x - m.mean) * (x - m.mean) * buckets[i];
    }
    m.variance = n > 1 ? ss / double(n - 1) : 0;
    return m;
}

uint64_t sequentialSampleSize(double unitVariance, double effect, double tau2, double alpha,
                              double power)
{
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max() / 2;
    effect = std::abs(effect);
    if (!(effect > 0) || !(unitVariance > 0))
        return kMax;
    const double zPower = normalQuantile(power);
    auto enough = [&](uint64_t n) {
        const double v = 2 * unitVariance / double(n);
        return sequentialHalfWidth(v, tau2, alpha) + zPower * std::sqrt(v) <= effect;
    };
    uint64_t hi = 2;
    while (!enough(hi)) {
        if (hi >= kMax / 2)
            return kMax;
        hi *= 2;
    }
    uint64_t lo = hi / 2;
    while (lo + 1 < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        (enough(mid) ? hi : lo) = mid;
    }
    return hi;
}

uint64_t fixedHorizonSampleSize(double unitVariance, double effect, double alpha, double power)
{
    effect = std::abs(effect);
    if (!(effect > 0) || !(unitVariance > 0))
        return std::numeric_limits<uint64_t>::max() / 2;
    const double z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
    return uint64_t(std::ceil(z * z * 2 * unitVariance / (effect * effect)));
}

Interval BradleyTerry::interval(int i, double confidence) const
{
    if (i < 0 || i >= int(logStrength.size()))
        return {-kInf, kInf};
    const double z = zFor(confidence);
    const double se = standardError[std::size_t(i)];
    return {logStrength[std::size_t(i)] - z * se, logStrength[std::size_t(i)] + z * se};
}

double BradleyTerry::winProbability(int i, int j) const
{
    const double d = logStrength.at(std::size_t(i)) - logStrength.at(std::size_t(j));
    return 1 / (1 + std::exp(-d));
}

BradleyTerry bradleyTerry(int k, const std::vector<PairOutcome> &outcomes, int reference,
                          double pseudoCount)
{
    BradleyTerry bt;
    if (k <= 0)
        return bt;
    const auto K = std::size_t(k);
    // wins[i][j]: times i beat j (ties half each), plus the pseudo-count.
    std::vector<std::vector<double>> wins(K, std::vector<double>(K, 0));
    for (const auto &o : outcomes) {
        if (o.a < 0 || o.b < 0 || o.a >= k || o.b >= k || o.a == o.b)
            continue;
        wins[std::size_t(o.a)][std::size_t(o.b)] += o.winsA;
        wins[std::size_t(o.b)][std::size_t(o.a)] += o.winsB;
    }
    std::vector<std::vector<double>> games(K, std::vector<double>(K, 0));
    std::vector<bool> played(K, false);
    for (std::size_t i = 0; i < K; ++i) {
        for (std::size_t j = i + 1; j < K; ++j) {
            if (wins[i][j] + wins[j][i] <= 0)
                continue;
            wins[i][j] += pseudoCount;
            wins[j][i] += pseudoCount;
            games[i][j] = games[j][i] = wins[i][j] + wins[j][i];
            played[i] = played[j] = true;
        }
    }
    std::vector<double> w(K, 0);
    for (std::size_t i = 0; i < K; ++i) {
        for (std::size_t j = 0; j < K; ++j)
            w[i] += wins[i][j];
    }
    std::vector<double> p(K, 1.0);
    for (bt.iterations = 0; bt.iterations < 10000; ++bt.iterations) {
        std::vector<double> next(K, 1.0);
        for (std::size_t i = 0; i < K; ++i) {
            if (!played[i] || w[i] <= 0)
                continue;
            double denom = 0;
            for (std::size_t j = 0; j < K; ++j) {
                if (j != i && games[i][j] > 0)
                    denom += games[i][j] / (p[i] + p[j]);
            }
            next[i] = denom > 0 ? w[i] / denom : p[i];
        }
        // Normalise to a geometric mean of 1 over the players who played.
        double logSum = 0;
        int count = 0;
        for (std::size_t i = 0; i < K; ++i) {
            if (played[i] && next[i] > 0) {
                logSum += std::log(next[i]);
                ++count;
            }
        }
        const double scale = count ? std::exp(-logSum / count) : 1.0;
        double change = 0;
        for (std::size_t i = 0; i < K; ++i) {
            if (!played[i])
                continue;
            next[i] = std::max(next[i] * scale, 1e-300);
            change = std::max(change, std::abs(std::log(next[i]) - std::log(p[i])));
        }
        p = std::move(next);
        if (change < 1e-12) {
            bt.converged = true;
            ++bt.iterations;
            break;
        }
    }
    const auto ref = std::size_t(std::clamp(reference, 0, k - 1));
    bt.logStrength.assign(K, 0);
    bt.standardError.assign(K, kInf);
    for (std::size_t i = 0; i < K; ++i)
        bt.logStrength[i] = played[i] ? std::log(p[i]) - std::log(p[ref]) : 0;
    bt.standardError[ref] = 0;
    if (!played[ref])
        return bt;

    // Observed information in theta = log(strength), without the reference
    // row and column (its theta is fixed at 0), inverted by Gauss-Jordan.
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < K; ++i) {
        if (i != ref && played[i])
            idx.push_back(i);
    }
    const std::size_t m = idx.size();
    std::vector<std::vector<double>> a(m, std::vector<double>(2 * m, 0));
    for (std::size_t r = 0; r < m; ++r) {
        const std::size_t i = idx[r];
        for (std::size_t j = 0; j < K; ++j) {
            if (j == i || games[i][j] <= 0)
                continue;
            const double info = games[i][j] * p[i] * p[j] / ((p[i] + p[j]) * (p[i] + p[j]));
            a[r][r] += info;
            for (std::size_t c = 0; c < m; ++c) {
                if (idx[c] == j)
                    a[r][c] -= info;
            }
        }
        a[r][m + r] = 1;
    }
    for (std::size_t c = 0; c < m; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < m; ++r) {
            if (std::abs(a[r][c]) > std::abs(a[pivot][c]))
                pivot = r;
        }
        if (std::abs(a[pivot][c]) < 1e-12)
            return bt; // comparisons do not connect everyone to the reference
        std::swap(a[c], a[pivot]);
        const double d = a[c][c];
        for (auto &x : a[c])
            x /= d;
        for (std::size_t r = 0; r < m; ++r) {
            if (r == c || a[r][c] == 0)
                continue;
            const double f = a[r][c];
            for (std::size_t x = 0; x < 2 * m; ++x)
                a[r][x] -= f * a[c][x];
        }
    }
    for (std::size_t r = 0; r < m; ++r)
        bt.standardError[idx[r]] = std::sqrt(std::max(0.0, a[r][m + r]));
    return bt;
}

} // namespace sb::stats
