#include "core/bucket_import.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <map>

namespace sb {

namespace {

// log2 of a bucket's harmonic midpoint minus log2 of its lower bound, for a
// bucket that spans w in log2: log2(2 * 2^w / (1 + 2^w)).
double midOffsetLog2(double w)
{
    if (w > 50)
        return 1.0;
    return 1.0 + w - std::log2(1.0 + std::exp2(w));
}

constexpr double kMinLog2 = -1074.0;
constexpr double kMaxLog2 = 1023.999;

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

bool finiteNonNegative(const std::optional<double> &v)
{
    return !v || (std::isfinite(*v) && *v >= 0);
}

// Counts at `scale` as (index, count) pairs in ascending index order (an
// index may repeat), lowered until they fit the sketch's bucket budget; then
// a sketch from them.
using Bins = std::vector<std::pair<int32_t, uint64_t>>;
std::optional<LatencySketch> buildFromBins(Bins bins, int scale, uint64_t zeroCount, double sum,
                                           double min, double max, QString *error)
{
    while (!bins.empty() && scale > LatencySketch::kMinScale &&
           int64_t(bins.back().first) - int64_t(bins.front().first) + 1 >
               int64_t(LatencySketch::kMaxBuckets)) {
        for (auto &b : bins)
            b.first >>= 1; // stays ascending
        --scale;
    }
    uint64_t total = zeroCount;
    std::vector<uint64_t> counts;
    int32_t offset = 0;
    if (!bins.empty()) {
        offset = bins.front().first;
        counts.assign(std::size_t(int64_t(bins.back().first) - offset + 1), 0);
        for (const auto &[i, c] : bins) {
            counts[std::size_t(i - offset)] += c;
            total += c;
        }
    }
    min = std::min(min, max);
    auto s = LatencySketch::fromParts(scale, zeroCount, offset, counts, total, sum, min, max);
    if (!s)
        fail(error, QStringLiteral("buckets do not fit a latency sketch (a bucket above 2^32 "
                                   "samples or a range no double spans)"));
    return s;
}

} // namespace

double scaleRelativeError(int scale)
{
    const double base = std::exp2(std::ldexp(1.0, -scale));
    if (!std::isfinite(base))
        return 1.0;
    return (base - 1.0) / (base + 1.0);
}

std::optional<double> millisPerUnit(const QString &unit)
{
    if (unit == QLatin1String("ms"))
        return 1.0;
    if (unit == QLatin1String("s"))
        return 1000.0;
    if (unit == QLatin1String("us") || unit == QStringLiteral("\u00b5s"))
        return 1e-3;
    if (unit == QLatin1String("ns"))
        return 1e-6;
    if (unit == QLatin1String("min"))
        return 60'000.0;
    return std::nullopt;
}

std::optional<ImportedSketch> importExponential(const ExponentialBuckets &in, double factor,
                                                QString *error)
{
    if (in.scale < kOtlpMinScale || in.scale > kOtlpMaxScale) {
        fail(error, QStringLiteral("scale %1 is outside -10..20").arg(in.scale));
        return std::nullopt;
    }
    if (!(factor > 0) || !std::isfinite(factor)) {
        fail(error, QStringLiteral("bad unit factor"));
        return std::nullopt;
    }
    if ((in.sum && !std::isfinite(*in.sum)) || !finiteNonNegative(in.min) ||
        !finiteNonNegative(in.max) || (in.min && in.max && *in.min > *in.max)) {
        fail(error, QStringLiteral("sum, min or max is not a finite non-negative latency"));
        return std::nullopt;
    }
    uint64_t total = in.zeroCount;
    int64_t first = -1, last = -1;
    for (std::size_t k = 0; k < in.counts.size(); ++k) {
        const uint64_t c = in.counts[k];
        if (c == 0)
            continue;
        if (total > std::numeric_limits<uint64_t>::max() - c) {
            fail(error, QStringLiteral("bucket counts overflow"));
            return std::nullopt;
        }
        total += c;
        if (first < 0)
            first = int64_t(k);
        last = int64_t(k);
    }
    if (total != in.count) {
        fail(
            error,
            QStringLiteral("count %1 is not the sum of the buckets (%2)").arg(in.count).arg(total));
        return std::nullopt;
    }
    if (total == 0) {
        ImportedSketch empty;
        empty.sourceScale = in.scale;
        empty.relativeError = scaleRelativeError(std::max(in.scale, int(LatencySketch::kMinScale)));
        return empty;
    }
    const double w = std::ldexp(1.0, -in.scale); // a bucket's width in log2
    const double logFactor = std::log2(factor);
    const auto lowLog2 = [&](int64_t k) { return double(int64_t(in.offset) + k) * w; };
    if (first >= 0 &&
        (lowLog2(last) + logFactor >= kMaxLog2 || lowLog2(first) + w + logFactor <= kMinLog2)) {
        fail(error, QStringLiteral("a bucket holds values no double can have"));
        return std::nullopt;
    }
    const auto clampLog = [](double l) { return std::exp2(std::clamp(l, kMinLog2, kMaxLog2)); };
    // min, max and sum, from the buckets when the sender left them out.
    const double min = in.min                      ? *in.min * factor
                       : in.zeroCount || first < 0 ? 0.0
                                                   : clampLog(lowLog2(first) + logFactor);
    const double max = in.max      ? *in.max * factor
                       : first < 0 ? 0.0
                                   : clampLog(lowLog2(last) + w + logFactor);
    double sum = 0;
    if (in.sum) {
        sum = std::max(0.0, *in.sum * factor);
    } else {
        for (int64_t k = first; k >= 0 && k <= last; ++k)
            sum += double(in.counts[std::size_t(k)]) *
                   clampLog(lowLog2(k) + midOffsetLog2(w) + logFactor);
    }
    if (!std::isfinite(sum))
        sum = std::numeric_limits<double>::max();

    ImportedSketch out;
    out.sourceScale = in.scale;
    if (factor == 1.0 && in.scale >= LatencySketch::kMinScale) {
        // Bucket for bucket (a scale above ours merges neighbours exactly).
        const int shift = std::max(0, in.scale - LatencySketch::kMaxScale);
        Bins bins;
        bins.reserve(std::size_t(last - first + 1));
        for (int64_t k = first; k >= 0 && k <= last; ++k) {
            if (in.counts[std::size_t(k)])
                bins.emplace_back(int32_t((int64_t(in.offset) + k) >> shift),
                                  in.counts[std::size_t(k)]);
        }
        auto s =
            buildFromBins(std::move(bins), in.scale - shift, in.zeroCount, sum, min, max, error);
        if (!s)
            return std::nullopt;
        out.sketch = std::move(*s);
        out.exact = true;
        out.relativeError = scaleRelativeError(out.sketch.scale());
        return out;
    }
    // Rebinned: each bucket's count at its harmonic midpoint, 3 scales finer.
    int target =
        std::clamp(in.scale + 3, int(LatencySketch::kMinScale), int(LatencySketch::kMaxScale));
    if (factor == 1.0)
        target = LatencySketch::kMinScale;
    Bins bins;
    bins.reserve(first >= 0 ? std::size_t(last - first + 1) : 0);
    uint64_t zeros = in.zeroCount;
    const double mid = midOffsetLog2(w) + logFactor;
    for (int64_t k = first; k >= 0 && k <= last; ++k) {
        const uint64_t c = in.counts[std::size_t(k)];
        if (c == 0)
            continue;
        const double v = clampLog(lowLog2(k) + mid);
        if (v <= LatencySketch::kZeroThreshold)
            zeros += c; // below the zero threshold: a zero
        else            // midpoints ascend with k, so their indexes do too
            bins.emplace_back(LatencySketch::bucketIndex(v, target), c);
    }
    auto s = buildFromBins(std::move(bins), target, zeros, sum, min, max, error);
    if (!s)
        return std::nullopt;
    out.sketch = std::move(*s);
    out.exact = false;
    out.relativeError =
        std::min(1.0, scaleRelativeError(in.scale) + scaleRelativeError(out.sketch.scale()));
    return out;
}

std::optional<ImportedSketch> importExplicit(const ExplicitBuckets &in, double factor,
                                             QString *error)
{
    if (!(factor > 0) || !std::isfinite(factor)) {
        fail(error, QStringLiteral("bad unit factor"));
        return std::nullopt;
    }
    const std::size_t n = in.bounds.size();
    if (in.counts.size() != n + 1) {
        fail(error, QStringLiteral("%1 bucket counts for %2 bounds (need bounds + 1)")
                        .arg(in.counts.size())
                        .arg(n));
        return std::nullopt;
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (!std::isfinite(in.bounds[k]) || (k > 0 && in.bounds[k] <= in.bounds[k - 1])) {
            fail(error, QStringLiteral("explicit bounds are not finite and increasing"));
            return std::nullopt;
        }
    }
    if ((in.sum && !std::isfinite(*in.sum)) || !finiteNonNegative(in.min) ||
        !finiteNonNegative(in.max) || (in.min && in.max && *in.min > *in.max)) {
        fail(error, QStringLiteral("sum, min or max is not a finite non-negative latency"));
        return std::nullopt;
    }
    uint64_t total = 0;
    for (uint64_t c : in.counts) {
        if (total > std::numeric_limits<uint64_t>::max() - c) {
            fail(error, QStringLiteral("bucket counts overflow"));
            return std::nullopt;
        }
        total += c;
    }
    if (total != in.count) {
        fail(
            error,
            QStringLiteral("count %1 is not the sum of the buckets (%2)").arg(in.count).arg(total));
        return std::nullopt;
    }
    const int scale = LatencySketch::kDefaultScale;
    if (total == 0) {
        ImportedSketch empty;
        empty.exact = false;
        return empty;
    }
    Bins bins;
    uint64_t zeros = 0;
    double worst = 0;
    double sum = 0, lowest = std::numeric_limits<double>::max(), highest = 0;
    for (std::size_t k = 0; k <= n; ++k) {
        const uint64_t c = in.counts[k];
        if (c == 0)
            continue;
        double lo = k == 0 ? 0.0 : std::max(0.0, in.bounds[k - 1]);
        double hi = k == n ? std::numeric_limits<double>::infinity() : in.bounds[k];
        if (in.min && *in.min > lo && *in.min < hi)
            lo = *in.min; // the bucket's values start no lower than the minimum
        if (in.max && *in.max < hi && *in.max >= lo)
            hi = *in.max;
        double rep = 0;
        double err = 1.0;
        if (hi <= 0) {
            rep = 0;
            err = 0;
        } else if (!std::isfinite(hi)) {
            rep = lo; // an open top bucket: all we know is "above lo"
        } else if (lo <= 0) {
            rep = hi / 2;
        } else {
            rep = 2 * lo * hi / (lo + hi);
            err = (hi - lo) / (hi + lo);
        }
        worst = std::max(worst, err);
        const double v = rep * factor;
        sum += double(c) * v;
        lowest = std::min(lowest, lo * factor);
        highest = std::max(highest, std::isfinite(hi) ? hi * factor : v);
        if (!std::isfinite(v) || v <= LatencySketch::kZeroThreshold)
            zeros += c;
        else // representatives ascend with the bounds
            bins.emplace_back(LatencySketch::bucketIndex(v, scale), c);
    }
    const double min = in.min ? *in.min * factor : total ? lowest : 0.0;
    const double max = in.max ? *in.max * factor : highest;
    if (in.sum)
        sum = std::max(0.0, *in.sum * factor);
    if (!std::isfinite(sum) || !std::isfinite(max) || !std::isfinite(min)) {
        fail(error, QStringLiteral("values overflow after unit conversion"));
        return std::nullopt;
    }
    auto s = buildFromBins(std::move(bins), scale, zeros, sum, min, max, error);
    if (!s)
        return std::nullopt;
    ImportedSketch out;
    out.sketch = std::move(*s);
    out.sourceScale = scale;
    out.exact = false;
    out.relativeError = std::min(1.0, worst + scaleRelativeError(out.sketch.scale()));
    return out;
}

std::optional<ImportedSketch> importClassic(const std::vector<std::pair<double, double>> &le,
                                            double factor, QString *error)
{
    if (!(factor > 0) || !std::isfinite(factor)) {
        fail(error, QStringLiteral("bad unit factor"));
        return std::nullopt;
    }
    // Per-bucket counts from the cumulative ones (increase() extrapolates each
    // le on its own, so a later one can come out a hair lower: clamped).
    struct Bucket
    {
        double lo, hi, count;
    };
    std::vector<Bucket> buckets;
    double prevLe = 0, prevCum = 0, top = 0;
    for (const auto &[bound, cum] : le) {
        if (std::isnan(bound) || !std::isfinite(cum) || cum < 0 || bound < prevLe ||
            (!buckets.empty() && bound == prevLe)) {
            fail(error, QStringLiteral("classic buckets: le bounds not ascending or a count "
                                       "negative or non-finite"));
            return std::nullopt;
        }
        const double c = std::max(0.0, cum - prevCum);
        if (!std::isfinite(bound)) {
            top += c; // above the last finite bound
        } else {
            buckets.push_back({std::max(0.0, prevLe), bound, c});
            prevLe = bound;
        }
        prevCum = std::max(prevCum, cum);
    }
    if (buckets.empty() && top > 0) {
        fail(error, QStringLiteral("classic buckets: only the +Inf bucket has counts"));
        return std::nullopt;
    }
    const int scale = LatencySketch::kDefaultScale;
    // Fractional counts per sketch bucket, spread in proportion to overlap.
    std::map<int32_t, double> spread;
    double zeros = 0, sum = 0;
    for (const auto &b : buckets) {
        if (b.count <= 0)
            continue;
        const double hi = b.hi * factor;
        if (!std::isfinite(hi)) {
            fail(error, QStringLiteral("values overflow after unit conversion"));
            return std::nullopt;
        }
        sum += b.count * (b.lo + b.hi) / 2 * factor;
        if (hi <= LatencySketch::kZeroThreshold) {
            zeros += b.count;
            continue;
        }
        // A bucket from 0: its lowest 1/1024 goes to the lowest sketch bucket.
        const double lo = std::max(b.lo * factor, hi / 1024);
        const double width = hi - b.lo * factor;
        const int32_t first = LatencySketch::bucketIndex(lo, scale);
        const int32_t last = LatencySketch::bucketIndex(hi, scale);
        for (int32_t i = first; i <= last; ++i) {
            const double a = i == first ? b.lo * factor : LatencySketch::bucketLower(i, scale);
            const double z = i == last ? hi : LatencySketch::bucketLower(i + 1, scale);
            spread[i] += b.count * std::max(0.0, z - a) / width;
        }
    }
    if (top > 0) {
        spread[LatencySketch::bucketIndex(buckets.back().hi * factor, scale)] += top;
        sum += top * buckets.back().hi * factor;
    }
    std::vector<double> fractional{zeros};
    std::vector<int32_t> indexes;
    for (const auto &[i, c] : spread) {
        indexes.push_back(i);
        fractional.push_back(c);
    }
    const auto rounded = roundCounts(fractional);
    if (!rounded) {
        fail(error, QStringLiteral("counts too large"));
        return std::nullopt;
    }
    Bins bins;
    uint64_t total = (*rounded)[0];
    for (std::size_t k = 0; k < indexes.size(); ++k) {
        if ((*rounded)[k + 1])
            bins.emplace_back(indexes[k], (*rounded)[k + 1]);
        total += (*rounded)[k + 1];
    }
    ImportedSketch out;
    out.exact = false;
    out.sourceScale = scale;
    if (total == 0)
        return out;
    // The buckets holding p50, p95 and p99 bound the answer's error.
    const double all = prevCum;
    double worst = 0, cum = 0;
    std::size_t q = 0;
    const double qs[] = {0.5, 0.95, 0.99};
    for (const auto &b : buckets) {
        cum += b.count;
        while (q < std::size(qs) && cum >= qs[q] * all && all > 0) {
            worst = std::max(worst, b.lo > 0 ? (b.hi - b.lo) / b.lo : 1.0);
            ++q;
        }
    }
    if (q < std::size(qs))
        worst = 1.0; // a shown quantile above the last finite bound
    const double min = bins.empty() ? 0.0 : LatencySketch::bucketLower(bins.front().first, scale);
    const double max = buckets.back().hi * factor;
    auto s =
        buildFromBins(std::move(bins), scale, (*rounded)[0], sum, std::min(min, max), max, error);
    if (!s)
        return std::nullopt;
    out.sketch = std::move(*s);
    out.relativeError = std::min(1.0, worst);
    return out;
}

std::optional<std::vector<uint64_t>> roundCounts(const std::vector<double> &counts)
{
    std::vector<uint64_t> out;
    out.reserve(counts.size());
    double prefix = 0;
    uint64_t rounded = 0;
    for (double c : counts) {
        if (!std::isfinite(c) || c < 0)
            return std::nullopt;
        prefix += c;
        if (prefix > 1e18)
            return std::nullopt;
        const auto r = uint64_t(std::llround(prefix));
        out.push_back(r >= rounded ? r - rounded : 0);
        rounded = std::max(rounded, r);
    }
    return out;
}

} // namespace sb
