#pragma once

// SecondHistogram: the recording side of a LatencySketch, specialised for the
// live ingest path. Wire latencies are 32-bit floats, so the bucket index at
// the default scale comes from the float's exponent and a 128-entry table of
// its top mantissa bits plus one comparison, all inline: a few instructions
// instead of LatencySketch::record's out-of-line double path. The tables are
// derived from LatencySketch::bucketIndex itself, so indexes are exactly the
// sketch's (tested value by value, boundaries included), and toSketch()
// yields the very LatencySketch that recording the same values would.
//
// Only for validated values (finite, >= 0, at most SampleLimits'
// maxLatencyMs): the range of buckets it may need is then bounded, and it is
// allowed to exceed LatencySketch::kMaxBuckets here; toSketch() lowers the
// scale then, exactly as the sketch does while recording.

#include "core/latency_sketch.h"

#include <QtGlobal>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

namespace sb {

class SecondHistogram
{
public:
    static constexpr int kScale = LatencySketch::kDefaultScale;

    Q_ALWAYS_INLINE void record(float value)
    {
        // Empty histograms hold min = +inf and max = -inf: no first-value branch.
        m_min = value < m_min ? value : m_min;
        m_max = value > m_max ? value : m_max;
        m_sum += double(value);
        const uint32_t bits = std::bit_cast<uint32_t>(value);
        // Non-negative floats order like their bits.
        if (bits <= kZeroBits) [[unlikely]] {
            ++m_zeroCount;
            return;
        }
        const int32_t index = bucketIndexOfBits(bits);
        const uint32_t slot = uint32_t(index) - uint32_t(m_offset);
        if (slot < m_size) [[likely]] {
            ++m_counts[slot];
            return;
        }
        recordSlow(index);
    }

    // The LatencySketch bucket of a positive normal float at kScale.
    static int32_t bucketIndex(float value)
    {
        return bucketIndexOfBits(std::bit_cast<uint32_t>(value));
    }

    uint64_t count() const;
    bool empty() const { return m_min > m_max; } // nothing recorded (min +inf, max -inf)
    LatencySketch toSketch() const;
    void clear();

private:
    static constexpr int32_t kPerOctave = 1 << kScale;
    static constexpr int kSliceBits = kScale + 1; // a slice never holds two boundaries
    static constexpr int kSliceShift = 23 - kSliceBits;

    struct Tables
    {
        // bound[k]: smallest mantissa in bucket k of the octave (bound[64] = 2^23).
        uint32_t bound[kPerOctave + 1];
        // start[s]: bucket of the smallest mantissa of slice s.
        uint8_t start[1 << kSliceBits];
    };
    // Built at static initialisation (no guard on the hot path); nothing
    // records during another library's static initialisation.
    static const Tables s_tables;
    static Tables buildTables();
    // The largest float bit pattern at or below LatencySketch::kZeroThreshold.
    static const uint32_t kZeroBits;

    Q_ALWAYS_INLINE static int32_t bucketIndexOfBits(uint32_t bits)
    {
        const int32_t exponent = int32_t(bits >> 23) - 127;
        const uint32_t mantissa = bits & 0x7fffffu;
        if (mantissa == 0) [[unlikely]]
            return exponent * kPerOctave - 1; // a power of two closes the bucket below
        uint32_t j = s_tables.start[mantissa >> kSliceShift];
        j += mantissa >= s_tables.bound[j + 1] ? 1 : 0;
        return exponent * kPerOctave + int32_t(j);
    }
    void recordSlow(int32_t index);

    std::vector<uint32_t> m_counts;
    uint32_t m_size = 0; // m_counts.size(), kept at hand for the hot path
    int32_t m_offset = 0;
    uint64_t m_zeroCount = 0;
    double m_sum = 0;
    float m_min = std::numeric_limits<float>::infinity();
    float m_max = -std::numeric_limits<float>::infinity();
};

} // namespace sb
