#include "core/latency_sketch.h"

#include <QDataStream>
#include <QIODevice>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

LatencySketch::LatencySketch(int scale) : m_scale(std::clamp(scale, kMinScale, kMaxScale)) {}

int32_t LatencySketch::bucketIndex(double v, int scale)
{
    // Upper-inclusive buckets: index = ceil(log2(v) * 2^scale) - 1. Exact powers
    // of two go through frexp so they land in the right bucket despite rounding.
    int exp = 0;
    const double frac = std::frexp(v, &exp); // v = frac * 2^exp, frac in [0.5, 1)
    if (frac == 0.5) {
        // v is 2^(exp-1): the upper bound of bucket ((exp-1) << scale) - 1.
        if (scale >= 0)
            return ((exp - 1) * (1 << scale)) - 1;
        return ((exp - 1) >> -scale) - 1;
    }
    const double scaled = std::ldexp(std::log2(v), scale);
    return static_cast<int32_t>(std::ceil(scaled)) - 1;
}

double LatencySketch::bucketLower(int32_t index, int scale)
{
    return std::exp2(std::ldexp(double(index), -scale));
}

void LatencySketch::clear()
{
    m_offset = 0;
    m_buckets.clear();
    m_zeroCount = m_count = 0;
    m_sum = m_min = m_max = 0;
}

void LatencySketch::ensureRange(int32_t index)
{
    if (m_buckets.empty()) {
        m_offset = index;
        m_buckets.assign(1, 0);
        return;
    }
    const int64_t lo = std::min<int64_t>(m_offset, index);
    const int64_t hi = std::max<int64_t>(int64_t(m_offset) + int64_t(m_buckets.size()) - 1, index);
    const auto needed = uint64_t(hi - lo + 1);
    if (needed <= m_buckets.size())
        return;
    if (index < m_offset) {
        m_buckets.insert(m_buckets.begin(), std::size_t(m_offset - index), 0);
        m_offset = index;
    } else {
        m_buckets.resize(std::size_t(needed), 0);
    }
}

void LatencySketch::record(double value)
{
    if (!std::isfinite(value) || value < 0)
        return; // malformed samples are dropped, never poison the sketch
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    ++m_count;
    m_sum += value;
    if (value <= kZeroThreshold) {
        ++m_zeroCount;
        return;
    }
    int32_t index = bucketIndex(value, m_scale);
    if (!m_buckets.empty()) {
        const int64_t lo = std::min<int64_t>(m_offset, index);
        const int64_t hi =
            std::max<int64_t>(int64_t(m_offset) + int64_t(m_buckets.size()) - 1, index);
        int by = 0;
        while (uint64_t(((hi >> by) - (lo >> by)) + 1) > kMaxBuckets)
            ++by;
        if (by > 0) {
            downscale(by);
            index = bucketIndex(value, m_scale);
        }
    }
    ensureRange(index);
    ++m_buckets[std::size_t(index - m_offset)];
}

void LatencySketch::downscale(int by)
{
    if (by <= 0)
        return;
    by = std::min(by, m_scale - kMinScale);
    if (by <= 0)
        return;
    if (!m_buckets.empty()) {
        const int32_t newOffset = m_offset >> by;
        const int32_t newLast = (m_offset + int32_t(m_buckets.size()) - 1) >> by;
        std::vector<uint32_t> next(std::size_t(newLast - newOffset + 1), 0);
        for (std::size_t i = 0; i < m_buckets.size(); ++i) {
            const int32_t idx = (m_offset + int32_t(i)) >> by;
            next[std::size_t(idx - newOffset)] += m_buckets[i];
        }
        m_buckets.swap(next);
        m_offset = newOffset;
    }
    m_scale -= by;
}

void LatencySketch::merge(const LatencySketch &other)
{
    if (other.m_count == 0)
        return;
    LatencySketch src = other;
    if (src.m_scale > m_scale)
        src.downscale(src.m_scale - m_scale);
    else if (src.m_scale < m_scale)
        downscale(m_scale - src.m_scale);
    // Lower both until the union fits.
    if (!src.m_buckets.empty() && !m_buckets.empty()) {
        const int64_t lo = std::min<int64_t>(m_offset, src.m_offset);
        const int64_t hi =
            std::max<int64_t>(int64_t(m_offset) + int64_t(m_buckets.size()) - 1,
                              int64_t(src.m_offset) + int64_t(src.m_buckets.size()) - 1);
        int by = 0;
        while (uint64_t(((hi >> by) - (lo >> by)) + 1) > kMaxBuckets)
            ++by;
        if (by > 0) {
            downscale(by);
            src.downscale(by);
        }
    }
    if (!src.m_buckets.empty()) {
        ensureRange(src.m_offset);
        ensureRange(src.m_offset + int32_t(src.m_buckets.size()) - 1);
        for (std::size_t i = 0; i < src.m_buckets.size(); ++i)
            m_buckets[std::size_t(src.m_offset - m_offset) + i] += src.m_buckets[i];
    }
    if (m_count == 0) {
        m_min = src.m_min;
        m_max = src.m_max;
    } else {
        m_min = std::min(m_min, src.m_min);
        m_max = std::max(m_max, src.m_max);
    }
    m_count += src.m_count;
    m_zeroCount += src.m_zeroCount;
    m_sum += src.m_sum;
}

double LatencySketch::quantile(double q) const
{
    if (m_count == 0 || !std::isfinite(q))
        return 0.0;
    q = std::clamp(q, 0.0, 1.0);
    if (q <= 0.0)
        return m_min;
    if (q >= 1.0)
        return m_max;
    // Rank of the wanted value among m_count sorted values (0-based, nearest rank).
    const auto rank = uint64_t(std::floor(q * double(m_count - 1) + 0.5));
    if (rank < m_zeroCount)
        return 0.0;
    uint64_t seen = m_zeroCount;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen > rank) {
            const int32_t idx = m_offset + int32_t(i);
            const double lo = bucketLower(idx, m_scale);
            const double hi = bucketLower(idx + 1, m_scale);
            // The point with equal relative error to both bucket ends.
            const double est = 2.0 * lo * hi / (lo + hi);
            return std::clamp(est, m_min, m_max);
        }
    }
    return m_max;
}

std::size_t LatencySketch::memoryBytes() const
{
    return sizeof(*this) + m_buckets.capacity() * sizeof(uint32_t);
}

std::optional<LatencySketch> LatencySketch::fromParts(int scale, uint64_t zeroCount,
                                                      int32_t offset,
                                                      const std::vector<uint64_t> &counts,
                                                      uint64_t count, double sum, double min,
                                                      double max)
{
    if (scale < kMinScale || scale > kMaxScale)
        return std::nullopt;
    if (!std::isfinite(sum) || !std::isfinite(min) || !std::isfinite(max) || min > max)
        return std::nullopt;
    LatencySketch s(scale);
    // Lower the scale until the range fits our bucket budget.
    uint64_t total = zeroCount;
    int64_t first = -1;
    int64_t last = -1;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] == 0)
            continue;
        if (counts[i] > std::numeric_limits<uint32_t>::max())
            return std::nullopt;
        total += counts[i];
        if (first < 0)
            first = int64_t(i);
        last = int64_t(i);
    }
    if (total != count)
        return std::nullopt;
    s.m_zeroCount = zeroCount;
    s.m_count = count;
    s.m_sum = sum;
    s.m_min = min;
    s.m_max = max;
    if (first >= 0) {
        const int64_t lo = int64_t(offset) + first;
        const int64_t hi = int64_t(offset) + last;
        if (lo < std::numeric_limits<int32_t>::min() / 2 || hi > std::numeric_limits<int32_t>::max() / 2)
            return std::nullopt;
        int by = 0;
        while (uint64_t(((hi >> by) - (lo >> by)) + 1) > kMaxBuckets)
            ++by;
        if (scale - by < kMinScale)
            return std::nullopt;
        s.m_scale = scale - by;
        s.m_offset = int32_t(lo >> by);
        s.m_buckets.assign(std::size_t((hi >> by) - (lo >> by) + 1), 0);
        for (int64_t i = first; i <= last; ++i) {
            const int64_t idx = (int64_t(offset) + i) >> by;
            auto &slot = s.m_buckets[std::size_t(idx - s.m_offset)];
            const uint64_t v = uint64_t(slot) + counts[std::size_t(i)];
            if (v > std::numeric_limits<uint32_t>::max())
                return std::nullopt;
            slot = uint32_t(v);
        }
    }
    return s;
}

QByteArray LatencySketch::serialize() const
{
    QByteArray out;
    QDataStream ds(&out, QIODevice::WriteOnly);
    ds.setVersion(QDataStream::Qt_6_0);
    ds << quint8(1) << qint32(m_scale) << qint32(m_offset) << quint64(m_zeroCount)
       << quint64(m_count) << m_sum << m_min << m_max << quint32(m_buckets.size());
    for (uint32_t c : m_buckets)
        ds << quint32(c);
    return out;
}

std::optional<LatencySketch> LatencySketch::deserialize(const QByteArray &bytes)
{
    QDataStream ds(bytes);
    ds.setVersion(QDataStream::Qt_6_0);
    quint8 version = 0;
    qint32 scale = 0, offset = 0;
    quint64 zero = 0, count = 0;
    double sum = 0, mn = 0, mx = 0;
    quint32 n = 0;
    ds >> version >> scale >> offset >> zero >> count >> sum >> mn >> mx >> n;
    if (ds.status() != QDataStream::Ok || version != 1 || n > kMaxBuckets)
        return std::nullopt;
    std::vector<uint64_t> counts(n);
    for (quint32 i = 0; i < n; ++i) {
        quint32 c = 0;
        ds >> c;
        counts[i] = c;
    }
    if (ds.status() != QDataStream::Ok || !ds.atEnd())
        return std::nullopt;
    return fromParts(scale, zero, offset, counts, count, sum, mn, mx);
}

} // namespace sb
