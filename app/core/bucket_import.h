#pragma once

// Bucket import: other systems' histograms into our LatencySketch.
//
// OpenTelemetry exponential histograms and Prometheus native histograms use
// our sketch's layout (base = 2^(2^-scale), bucket i holds (base^i,
// base^(i+1)]; a Prometheus schema is an OTel scale and its bucket index is
// ours + 1). When the values are already in milliseconds and the scale is one
// we hold (-4..20), the buckets are copied one for one: merged exactly, the
// quantile error is the source scale's (base-1)/(base+1), 0.54 % at scale 6.
// Scales above 20 are lowered (exact merges of neighbours).
//
// Otherwise the buckets are rebinned: a scale below -4 (OTLP allows down to
// -10), or values in another unit (OTel's semantic conventions use seconds,
// and 1000 is not a power of two, so second-buckets do not line up with
// millisecond ones). Each source bucket's count then goes, whole, to the
// target bucket holding the point of the source bucket our quantile would
// answer with (its harmonic midpoint, times the unit factor), at a target
// scale 3 finer than the source's: the error bound becomes the source's plus
// the target's, reported in ImportedSketch::relativeError so the UI can show
// the wider bound (0.54 % + 0.07 % at scale 6, 2.2 % + 0.27 % at scale 4).
//
// Explicit-bucket histograms (OTel "Histogram") are rebinned the same way at
// scale 6 with a representative per bucket; their error bound is that of
// their widest populated bucket, which can be large (the UI shows it).
//
// Prometheus counts after rate()/increase() are fractional: the caller
// rounds them with roundCounts() (cumulatively, so the total is kept and no
// rank moves by more than half a sample).

#include "core/latency_sketch.h"

#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb {

// The positive side of an exponential histogram plus its zero bucket.
struct ExponentialBuckets
{
    int scale = 0;
    uint64_t zeroCount = 0;
    int32_t offset = 0;
    std::vector<uint64_t> counts; // counts[k] is bucket index offset + k
    uint64_t count = 0;           // zeroCount + every count
    std::optional<double> sum;
    std::optional<double> min;
    std::optional<double> max;
};

// OTel "Histogram": bucket k holds (bounds[k-1], bounds[k]]; counts has
// bounds.size() + 1 entries.
struct ExplicitBuckets
{
    std::vector<double> bounds;
    std::vector<uint64_t> counts;
    uint64_t count = 0;
    std::optional<double> sum;
    std::optional<double> min;
    std::optional<double> max;
};

struct ImportedSketch
{
    LatencySketch sketch;
    int sourceScale = LatencySketch::kDefaultScale; // for explicit buckets: 6
    bool exact = true;                              // buckets copied one for one
    double relativeError = 0.0;                     // bound on a quantile's relative error, 0..1
};

// Lowest and highest scale OTLP may send (the data model's range).
inline constexpr int kOtlpMinScale = -10;
inline constexpr int kOtlpMaxScale = 20;

// (base - 1) / (base + 1) for base = 2^(2^-scale).
double scaleRelativeError(int scale);

// Milliseconds per unit for an OTel/UCUM unit ("s", "ms", "us", "ns", "min");
// nullopt for any other unit (the caller rejects or assumes).
std::optional<double> millisPerUnit(const QString &unit);

// factor multiplies every value (e.g. 1000 for seconds to ms). On malformed
// input (scale out of range, counts not adding up, a bucket no double can
// have, NaN) returns nullopt and says why in *error.
std::optional<ImportedSketch> importExponential(const ExponentialBuckets &in, double factor,
                                                QString *error);
std::optional<ImportedSketch> importExplicit(const ExplicitBuckets &in, double factor,
                                             QString *error);

// A Prometheus classic histogram at one time: (le, cumulative count) pairs,
// le ascending, the last usually +Inf; counts fractional after increase().
// The fallback when a selector has no native histogram. Each bucket's count
// is spread evenly in value over (lower, upper] at scale 6: the assumption
// PromQL's histogram_quantile makes (linear interpolation inside a bucket),
// so the console's quantiles follow histogram_quantile's within the sketch's
// 0.54 %; the count above the last finite bound sits at that bound (as
// histogram_quantile answers). Against the true values a quantile is only
// known to lie in its bucket: relativeError is the widest (upper - lower) /
// lower among the buckets holding p50, p95 and p99 (1.0 for a bucket that
// starts at 0), far larger than a native histogram's.
std::optional<ImportedSketch> importClassic(const std::vector<std::pair<double, double>> &le,
                                            double factor, QString *error);

// Rounds fractional counts so that every prefix sum is the rounded prefix
// sum of the input (the total is round(sum)). Negative or non-finite input
// yields nullopt.
std::optional<std::vector<uint64_t>> roundCounts(const std::vector<double> &counts);

} // namespace sb
