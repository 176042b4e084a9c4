#include "core/second_histogram.h"

#include <algorithm>
#include <cmath>

namespace sb {

namespace {

// The sketch's own bucket, within the octave [1, 2), of 1 + mantissa * 2^-23.
int32_t octaveBucket(uint32_t mantissa)
{
    const float v = std::bit_cast<float>((uint32_t(127) << 23) | mantissa);
    return LatencySketch::bucketIndex(double(v), SecondHistogram::kScale);
}

uint32_t zeroBits()
{
    float f = float(LatencySketch::kZeroThreshold);
    if (double(f) > LatencySketch::kZeroThreshold)
        f = std::nextafter(f, 0.0f);
    return std::bit_cast<uint32_t>(f);
}

} // namespace

const SecondHistogram::Tables SecondHistogram::s_tables = SecondHistogram::buildTables();
const uint32_t SecondHistogram::kZeroBits = zeroBits();

SecondHistogram::Tables SecondHistogram::buildTables()
{
    Tables t{};
    constexpr uint32_t kEnd = uint32_t(1) << 23;
    t.bound[0] = 1;
    for (int32_t k = 1; k < kPerOctave; ++k) {
        uint32_t lo = 1, hi = kEnd; // smallest mantissa whose bucket is >= k
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (octaveBucket(mid) >= k)
                hi = mid;
            else
                lo = mid + 1;
        }
        t.bound[k] = lo;
    }
    t.bound[kPerOctave] = kEnd;
    for (uint32_t s = 0; s < (uint32_t(1) << kSliceBits); ++s)
        t.start[s] = uint8_t(octaveBucket(std::max<uint32_t>(s << kSliceShift, 1)));
    return t;
}

void SecondHistogram::recordSlow(int32_t index)
{
    if (m_counts.empty()) {
        // Room for a few octaves either side: live latencies rarely leave them.
        m_offset = index - 2 * kPerOctave;
        m_counts.assign(std::size_t(6 * kPerOctave), 0);
    } else {
        const int64_t first = m_offset;
        const int64_t last = first + int64_t(m_counts.size()) - 1;
        const int64_t lo = std::min<int64_t>(first, index - (index < first ? kPerOctave : 0));
        const int64_t hi = std::max<int64_t>(last, index + (index > last ? kPerOctave : 0));
        std::vector<uint32_t> next(std::size_t(hi - lo + 1), 0);
        std::copy(m_counts.begin(), m_counts.end(), next.begin() + (first - lo));
        m_counts.swap(next);
        m_offset = int32_t(lo);
    }
    m_size = uint32_t(m_counts.size());
    ++m_counts[std::size_t(index - m_offset)];
}

uint64_t SecondHistogram::count() const
{
    uint64_t n = m_zeroCount;
    for (uint32_t c : m_counts)
        n += c;
    return n;
}

LatencySketch SecondHistogram::toSketch() const
{
    if (empty())
        return LatencySketch(kScale);
    // Only the used range travels; fromParts lowers the scale if it is wider
    // than the sketch's budget, as recording would have.
    std::size_t first = 0;
    std::size_t last = m_counts.size();
    while (first < last && m_counts[first] == 0)
        ++first;
    while (last > first && m_counts[last - 1] == 0)
        --last;
    std::vector<uint64_t> counts(m_counts.begin() + std::ptrdiff_t(first),
                                 m_counts.begin() + std::ptrdiff_t(last));
    uint64_t total = m_zeroCount;
    for (uint64_t c : counts)
        total += c;
    auto s = LatencySketch::fromParts(kScale, m_zeroCount, m_offset + int32_t(first), counts, total,
                                      m_sum, double(m_min), double(m_max));
    return s ? *s : LatencySketch(kScale);
}

void SecondHistogram::clear()
{
    // Keeps the buckets' memory: the next second of this series reuses it.
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_zeroCount = 0;
    m_sum = 0;
    m_min = std::numeric_limits<float>::infinity();
    m_max = -std::numeric_limits<float>::infinity();
}

} // namespace sb
