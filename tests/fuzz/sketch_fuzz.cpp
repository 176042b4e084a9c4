// libFuzzer target: LatencySketch::deserialize, the cache's stored form of a
// latency distribution (rollup rows hold one per second and per minute). Any
// bytes either come back as nullopt or as a sketch that behaves: it
// serializes back to the same bytes, its quantiles are ordered and within
// [min, max], and merging it into a fresh sketch and with itself keeps the
// counts.

#include "core/latency_sketch.h"
#include "fuzz_require.h"

#include <cmath>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto sketch = sb::LatencySketch::deserialize(bytes);
    if (!sketch)
        return 0;
    // Not necessarily the same bytes (an empty sketch's offset, say, is
    // normalised), but the same sketch.
    const auto back = sb::LatencySketch::deserialize(sketch->serialize());
    require(back && *back == *sketch, "deserialize(serialize(s)) == s");
    require(sketch->buckets().size() <= sb::LatencySketch::kMaxBuckets, "bucket bound");
    require(sketch->memoryBytes() <= 9000, "a sketch stays within ~8 KB");

    double previous = 0;
    for (double q : {0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const double v = sketch->quantile(q);
        require(std::isfinite(v), "quantiles are finite");
        require(v >= previous, "quantiles are ordered");
        require(v <= sketch->max(), "quantiles are at most max");
        previous = v;
    }

    sb::LatencySketch merged;
    merged.merge(*sketch);
    // Exact unless buckets fill up at 2^32 - 1 when the merge narrows the scale.
    require(merged.count() <= sketch->count(), "merging into an empty sketch keeps count");
    merged.record(1.5);
    merged.record(1e6);
    merged.merge(*sketch);
    // Exact, unless buckets fill up at 2^32 - 1 (a merge or the downscale a
    // wide value forces then leaves the rest out, count included).
    require(merged.count() <= 2 * sketch->count() + 2, "merge adds counts");
    (void)merged.quantile(0.99);
    const auto again = sb::LatencySketch::deserialize(merged.serialize());
    require(again && *again == merged, "a merged sketch round-trips");
    return 0;
}
