#pragma once

// LatencySketch: a mergeable latency distribution in OpenTelemetry's
// base-2 exponential histogram layout. Bucket i holds values in
// (base^i, base^(i+1)] with base = 2^(2^-scale), so at scale 6 any quantile is
// reported within about 0.54 % relative error. Sketches at different scales
// merge exactly by lowering the finer one; a histogram from an
// OpenTelemetry-instrumented service maps onto this bucket for bucket.
//
// Counts are 32-bit and at most kMaxBuckets are kept (8 KB); a sketch whose
// range outgrows that lowers its own scale, as OpenTelemetry's SDK does. A
// single bucket therefore holds at most 2^32-1 samples: fine for a window or a
// per-minute rollup, not for merging hours of a multi-million-per-second fleet.
//
// record() finds the bucket without a logarithm: the exponent comes from the
// double's bits and the mantissa is compared against a per-scale table of
// bucket boundaries, each the smallest double above the irrational boundary,
// so the result is the exact OpenTelemetry index (not the off-by-one a naive
// log2 gives near boundaries) for scales up to kExactScale. Above it the
// boundaries come from long double arithmetic (exact unless a value lies
// within ~1e-18 relative of a boundary).

#include <QByteArray>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb {

class LatencySketch
{
public:
    static constexpr int kDefaultScale = 6;
    static constexpr int kMinScale = -4;
    static constexpr int kMaxScale = 20;
    static constexpr std::size_t kMaxBuckets = 2048;
    static constexpr double kZeroThreshold = 1e-9;
    // Highest scale with a precomputed, provably exact boundary table.
    static constexpr int kExactScale = 10;

    explicit LatencySketch(int scale = kDefaultScale);

    void record(double value);
    void merge(const LatencySketch &other);
    void clear();

    // q in [0,1]. Returns 0 for an empty sketch.
    double quantile(double q) const;
    // quantile(qs[i]) for each i, in one walk over the buckets; qs ascending.
    void quantiles(const double *qs, double *out, std::size_t n) const;

    uint64_t count() const { return m_count; }
    double sum() const { return m_sum; }
    double min() const { return m_count ? m_min : 0.0; }
    double max() const { return m_count ? m_max : 0.0; }
    double mean() const { return m_count ? m_sum / double(m_count) : 0.0; }
    int scale() const { return m_scale; }
    int32_t offset() const { return m_offset; }
    uint64_t zeroCount() const { return m_zeroCount; }
    const std::vector<uint32_t> &buckets() const { return m_buckets; }
    std::size_t memoryBytes() const;

    // Index of the bucket holding value v at the given scale: bucket i holds
    // (base^i, base^(i+1)]. v must be finite and > 0 (subnormals are fine).
    static int32_t bucketIndex(double v, int scale);
    // Lower bound of bucket index at scale (exclusive), rounded to double.
    static double bucketLower(int32_t index, int scale);
    // Smallest and largest index a positive finite double can have at scale.
    static int32_t minIndex(int scale);
    static int32_t maxIndex(int scale);

    // Rebuilds a sketch from wire parts (e.g. a protobuf LatencySketch). Returns
    // nullopt when the parts are inconsistent (bad scale, counts not adding up,
    // indexes no double can have, negative or non-finite sum/min/max).
    static std::optional<LatencySketch> fromParts(int scale, uint64_t zeroCount, int32_t offset,
                                                  const std::vector<uint64_t> &counts,
                                                  uint64_t count, double sum, double min,
                                                  double max);

    // Compact binary form for the cache. deserialize() rejects malformed input.
    QByteArray serialize() const;
    static std::optional<LatencySketch> deserialize(const QByteArray &bytes);

    bool operator==(const LatencySketch &) const = default;

private:
    void downscale(int by);
    void ensureRange(int32_t index);
    void recordSlow(double value, int32_t index);
    // fromParts() over any count width; defined (and instantiated) in the .cpp.
    template <typename Count>
    static std::optional<LatencySketch> build(int scale, uint64_t zeroCount, int32_t offset,
                                              const Count *counts, std::size_t n, uint64_t count,
                                              double sum, double min, double max);

    int m_scale;
    int32_t m_offset = 0;
    std::vector<uint32_t> m_buckets;
    uint64_t m_zeroCount = 0;
    uint64_t m_count = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
};

} // namespace sb
