#include "core/latency_sketch.h"

#include <QtEndian>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

namespace sb {

namespace {

// A bucket holds at most 2^32 - 1 samples (the serialized format's width).
// Samples past that are not kept: they leave count too, so count always
// equals the buckets' sum and a sketch stays valid to serialize. Returns how
// many did not fit.
// The zero bucket's bound: far past any real count, low enough that adding
// two of them or the other buckets never wraps 64 bits.
constexpr uint64_t kMaxZeroCount = uint64_t(1) << 62;

uint64_t addToBucket(uint32_t &bucket, uint64_t n)
{
    const uint64_t room = std::numeric_limits<uint32_t>::max() - bucket;
    const uint64_t added = n < room ? n : room;
    bucket += uint32_t(added);
    return n - added;
}

} // namespace

namespace {

__extension__ typedef unsigned __int128 u128;

constexpr int kMantissaBits = 52;
constexpr uint64_t kMantissaMask = (uint64_t(1) << kMantissaBits) - 1;
constexpr uint64_t kImplicitOne = uint64_t(1) << kMantissaBits;

// v = (1 + mantissa / 2^52) * 2^exponent for a positive finite v.
struct Parts
{
    int32_t exponent;
    uint64_t mantissa;
};

inline Parts decompose(double v)
{
    uint64_t bits = std::bit_cast<uint64_t>(v);
    int32_t biased = int32_t((bits >> kMantissaBits) & 0x7ff);
    if (biased == 0) {
        // Subnormal: scaling by 2^64 is exact and restores the implicit one.
        bits = std::bit_cast<uint64_t>(v * 0x1p64);
        biased = int32_t((bits >> kMantissaBits) & 0x7ff) - 64;
    }
    return {biased - 1023, bits & kMantissaMask};
}

// Exactly decides whether the boundary 2^(k / 2^scale) lies above the double
// m * 2^-52 (m with its implicit one): that is m^(2^scale) < 2^(k + 52 * 2^scale).
// Only asked about the rare boundaries that long double cannot settle, so
// schoolbook squaring is plenty.
bool boundaryAbove(uint64_t m, uint32_t k, int scale)
{
    std::vector<uint64_t> x{m};
    for (int i = 0; i < scale; ++i) {
        std::vector<uint64_t> r(2 * x.size(), 0);
        for (std::size_t a = 0; a < x.size(); ++a) {
            u128 carry = 0;
            for (std::size_t b = 0; b < x.size(); ++b) {
                const u128 t = u128(x[a]) * x[b] + r[a + b] + carry;
                r[a + b] = uint64_t(t);
                carry = t >> 64;
            }
            r[a + x.size()] = uint64_t(carry);
        }
        while (!r.empty() && r.back() == 0)
            r.pop_back();
        x.swap(r);
    }
    const uint64_t bits = (x.size() - 1) * 64 + uint64_t(std::bit_width(x.back()));
    return bits <= uint64_t(k) + uint64_t(kMantissaBits) * (uint64_t(1) << scale);
}

// Mantissa bits of the smallest double above 2^(k / 2^scale), 0 < k < 2^scale.
// Such a boundary is irrational, so for a mantissa m in [1, 2):
// m > boundary exactly when m >= that double, and the index needs no log.
uint64_t boundaryMantissa(uint32_t k, int scale)
{
    const long double exact =
        std::exp2(static_cast<long double>(k) / static_cast<long double>(uint64_t(1) << scale));
    double d = double(exact);
    const long double diff = exact - static_cast<long double>(d);
    bool above = diff > 0;
    // exp2l is good to a few units of 2^-63; closer than 2^-58 the answer
    // needs exact arithmetic, affordable only for the tabulated scales.
    if (std::fabs(diff) <= static_cast<long double>(d) * 0x1p-58L &&
        scale <= LatencySketch::kExactScale)
        above =
            boundaryAbove(kImplicitOne | (std::bit_cast<uint64_t>(d) & kMantissaMask), k, scale);
    if (above)
        d = std::nextafter(d, 2.0);
    return std::bit_cast<uint64_t>(d) & kMantissaMask;
}

struct ScaleTable
{
    // boundary[k] = boundaryMantissa(k), with boundary[0] = 0 and a sentinel
    // boundary[2^scale] = 2^52 that no mantissa reaches.
    std::vector<uint64_t> boundary;
    // start[t] = bucket within the octave of the smallest mantissa whose top
    // scale+1 bits are t. Boundaries are more than 2^-(scale+1) apart, so at
    // most one more lies inside that slice: one comparison finishes the job.
    std::vector<uint16_t> start;
};

const ScaleTable &tableFor(int scale)
{
    static const auto tables = [] {
        std::array<ScaleTable, LatencySketch::kExactScale + 1> all;
        for (int s = 0; s <= LatencySketch::kExactScale; ++s) {
            const uint32_t n = uint32_t(1) << s;
            ScaleTable &t = all[std::size_t(s)];
            t.boundary.resize(n + 1);
            t.boundary[0] = 0;
            for (uint32_t k = 1; k < n; ++k)
                t.boundary[k] = boundaryMantissa(k, s);
            t.boundary[n] = kImplicitOne;
            const int shift = kMantissaBits - (s + 1);
            t.start.resize(std::size_t(2) * n);
            uint32_t j = 0;
            for (uint32_t slice = 0; slice < 2 * n; ++slice) {
                while (j + 1 < n && t.boundary[j + 1] <= (uint64_t(slice) << shift))
                    ++j;
                t.start[slice] = uint16_t(j);
            }
        }
        return all;
    }();
    return tables[std::size_t(scale)];
}

// Bucket within the octave for a non-zero mantissa at scale > 0.
inline int32_t subIndex(uint64_t mantissa, int scale)
{
    if (scale <= LatencySketch::kExactScale) {
        const ScaleTable &t = tableFor(scale);
        uint32_t j = t.start[mantissa >> (kMantissaBits - 1 - scale)];
        j += mantissa >= t.boundary[j + 1] ? 1 : 0;
        return int32_t(j);
    }
    // Fine scales are rare (imported data is merged, not recorded, at them):
    // estimate with log2, then settle against the boundaries.
    const int32_t n = int32_t(1) << scale;
    const double m = 1.0 + std::ldexp(double(mantissa), -kMantissaBits);
    int32_t j = std::clamp(int32_t(std::log2(m) * n), 0, n - 1);
    while (j + 1 < n && mantissa >= boundaryMantissa(uint32_t(j + 1), scale))
        ++j;
    while (j > 0 && mantissa < boundaryMantissa(uint32_t(j), scale))
        --j;
    return j;
}

inline int32_t indexOf(double v, int scale)
{
    const Parts p = decompose(v);
    if (scale <= 0) {
        // At scale 0 an exact power of two closes the bucket below it; coarser
        // buckets are unions of 2^-scale of those.
        const int32_t index0 = p.mantissa == 0 ? p.exponent - 1 : p.exponent;
        return index0 >> -scale;
    }
    const int32_t perOctave = int32_t(1) << scale;
    if (p.mantissa == 0)
        return p.exponent * perOctave - 1;
    return p.exponent * perOctave + subIndex(p.mantissa, scale);
}

bool rangeFits(int64_t lo, int64_t hi, int by)
{
    return uint64_t((hi >> by) - (lo >> by)) + 1 <= LatencySketch::kMaxBuckets;
}

constexpr qsizetype kHeaderBytes = 1 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 4;
constexpr quint8 kFormatVersion = 1;

} // namespace

LatencySketch::LatencySketch(int scale) : m_scale(std::clamp(scale, kMinScale, kMaxScale)) {}

int32_t LatencySketch::bucketIndex(double v, int scale)
{
    return indexOf(v, std::clamp(scale, kMinScale, kMaxScale));
}

double LatencySketch::bucketLower(int32_t index, int scale)
{
    return std::exp2(std::ldexp(double(index), -scale));
}

int32_t LatencySketch::minIndex(int scale)
{
    return bucketIndex(std::numeric_limits<double>::denorm_min(), scale);
}

int32_t LatencySketch::maxIndex(int scale)
{
    return bucketIndex(std::numeric_limits<double>::max(), scale);
}

void LatencySketch::clear()
{
    // Keeps the (possibly lowered) scale and the bucket capacity for reuse.
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
    const int64_t first = m_offset;
    const int64_t last = first + int64_t(m_buckets.size()) - 1;
    if (index >= first && index <= last)
        return;
    const int64_t lo = std::min<int64_t>(first, index);
    const int64_t hi = std::max<int64_t>(last, index);
    const auto needed = std::size_t(hi - lo + 1);
    if (needed > m_buckets.capacity()) {
        // Grow geometrically, but never past the bucket budget: std::vector's
        // own policy could double a full sketch to 16 KB.
        const std::size_t cap =
            std::max(needed, std::min<std::size_t>(
                                 kMaxBuckets, std::max<std::size_t>(16, 2 * m_buckets.capacity())));
        std::vector<uint32_t> next;
        next.reserve(cap);
        next.resize(needed, 0);
        std::copy(m_buckets.begin(), m_buckets.end(), next.begin() + (first - lo));
        m_buckets.swap(next);
    } else if (index < first) {
        m_buckets.insert(m_buckets.begin(), std::size_t(first - index), 0);
    } else {
        m_buckets.resize(needed, 0);
    }
    m_offset = int32_t(lo);
}

void LatencySketch::record(double value)
{
    // NaN fails the comparison; negative and infinite samples are malformed.
    // Either way they are dropped so one bad sample cannot poison a window.
    if (!(value >= 0.0) || value == std::numeric_limits<double>::infinity())
        return;
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = value < m_min ? value : m_min;
        m_max = value > m_max ? value : m_max;
    }
    ++m_count;
    m_sum += value;
    if (value <= kZeroThreshold) {
        ++m_zeroCount;
        return;
    }
    const int32_t index = indexOf(value, m_scale);
    // Unsigned difference: an index below the offset wraps to a huge slot.
    const uint32_t slot = uint32_t(index) - uint32_t(m_offset);
    if (slot < m_buckets.size()) {
        if (addToBucket(m_buckets[slot], 1)) {
            --m_count; // a full bucket: see addToBucket
            m_sum -= value;
        }
        return;
    }
    recordSlow(value, index);
}

void LatencySketch::recordSlow(double value, int32_t index)
{
    if (!m_buckets.empty()) {
        const int64_t lo = std::min<int64_t>(m_offset, index);
        const int64_t hi =
            std::max<int64_t>(int64_t(m_offset) + int64_t(m_buckets.size()) - 1, index);
        int by = 0;
        while (!rangeFits(lo, hi, by))
            ++by;
        if (by > 0) {
            downscale(by);
            index = indexOf(value, m_scale);
        }
    }
    ensureRange(index);
    if (addToBucket(m_buckets[std::size_t(index - m_offset)], 1)) {
        --m_count;
        m_sum -= value;
    }
}

void LatencySketch::downscale(int by)
{
    by = std::min(by, m_scale - kMinScale);
    if (by <= 0)
        return;
    if (!m_buckets.empty()) {
        const int32_t newOffset = m_offset >> by;
        const int32_t newLast = (m_offset + int32_t(m_buckets.size()) - 1) >> by;
        std::vector<uint32_t> next;
        next.reserve(m_buckets.capacity());
        next.resize(std::size_t(newLast - newOffset + 1), 0);
        uint64_t dropped = 0;
        for (std::size_t i = 0; i < m_buckets.size(); ++i) {
            const int32_t idx = (m_offset + int32_t(i)) >> by;
            dropped += addToBucket(next[std::size_t(idx - newOffset)], m_buckets[i]);
        }
        m_count -= dropped;
        m_buckets.swap(next);
        m_offset = newOffset;
    }
    m_scale -= by;
}

void LatencySketch::merge(const LatencySketch &other)
{
    if (other.m_count == 0)
        return;
    if (&other == this) {
        const LatencySketch copy = other;
        merge(copy);
        return;
    }
    // The result lives at the coarser scale, lowered further until the union
    // of both ranges fits; other is read through a shift, never copied.
    int target = std::min(m_scale, other.m_scale);
    if (!other.m_buckets.empty()) {
        const int os = other.m_scale - target;
        int64_t lo = int64_t(other.m_offset) >> os;
        int64_t hi = (int64_t(other.m_offset) + int64_t(other.m_buckets.size()) - 1) >> os;
        if (!m_buckets.empty()) {
            const int ms = m_scale - target;
            lo = std::min(lo, int64_t(m_offset) >> ms);
            hi = std::max(hi, (int64_t(m_offset) + int64_t(m_buckets.size()) - 1) >> ms);
        }
        int by = 0;
        while (!rangeFits(lo, hi, by))
            ++by;
        target = std::max(kMinScale, target - by);
    }
    downscale(m_scale - target);
    uint64_t mergeDropped = 0;
    if (!other.m_buckets.empty()) {
        const int shift = other.m_scale - target;
        const int32_t first = other.m_offset >> shift;
        const int32_t last = (other.m_offset + int32_t(other.m_buckets.size()) - 1) >> shift;
        ensureRange(first);
        ensureRange(last);
        for (std::size_t i = 0; i < other.m_buckets.size(); ++i) {
            const int32_t idx = (other.m_offset + int32_t(i)) >> shift;
            mergeDropped += addToBucket(m_buckets[std::size_t(idx - m_offset)], other.m_buckets[i]);
        }
    }
    if (m_count == 0) {
        m_min = other.m_min;
        m_max = other.m_max;
    } else {
        m_min = std::min(m_min, other.m_min);
        m_max = std::max(m_max, other.m_max);
    }
    // The zero bucket is 64 bits wide but kept under kMaxZeroCount, so counts
    // never wrap and a merged sketch still deserializes.
    const uint64_t zeroAdded = std::min(other.m_zeroCount, kMaxZeroCount - m_zeroCount);
    mergeDropped += other.m_zeroCount - zeroAdded;
    m_count += other.m_count - mergeDropped;
    m_zeroCount += zeroAdded;
    m_sum += other.m_sum;
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
    // The zero bucket holds values in [0, kZeroThreshold]: its estimate, 0,
    // clamped to [min, max] like every other (a recorded 1e-10 is the min, and
    // answering 0 above q = 0 would put p1 below p0).
    if (rank < m_zeroCount)
        return m_min;
    uint64_t seen = m_zeroCount;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen > rank) {
            const double lo = bucketLower(m_offset + int32_t(i), m_scale);
            // The point with equal relative error to both bucket ends,
            // 2*lo*hi/(lo+hi), written so the top bucket cannot overflow to NaN.
            const double base = std::exp2(std::ldexp(1.0, -m_scale));
            const double est = lo * (2.0 * base / (1.0 + base));
            return std::clamp(est, m_min, m_max);
        }
    }
    return m_max;
}

void LatencySketch::quantiles(const double *qs, double *out, std::size_t n) const
{
    std::size_t k = 0;
    // The edge cases (empty, q outside (0,1), the zero bucket) as quantile() has them.
    auto settle = [&] {
        while (k < n && (m_count == 0 || !std::isfinite(qs[k]) || qs[k] <= 0.0 || qs[k] >= 1.0 ||
                         uint64_t(std::floor(qs[k] * double(m_count - 1) + 0.5)) < m_zeroCount)) {
            out[k] = quantile(qs[k]);
            ++k;
        }
    };
    settle();
    if (k == n)
        return;
    const double base = std::exp2(std::ldexp(1.0, -m_scale));
    const double toPoint = 2.0 * base / (1.0 + base);
    const auto rankOf = [&](std::size_t j) {
        return j < n ? uint64_t(std::floor(qs[j] * double(m_count - 1) + 0.5)) : 0;
    };
    uint64_t seen = m_zeroCount;
    uint64_t rank = rankOf(k);
    for (std::size_t i = 0; i < m_buckets.size() && k < n; ++i) {
        seen += m_buckets[i];
        if (seen <= rank)
            continue;
        while (k < n && seen > (rank = rankOf(k))) {
            const double lo = bucketLower(m_offset + int32_t(i), m_scale);
            out[k++] = std::clamp(lo * toPoint, m_min, m_max);
            settle();
        }
    }
    for (; k < n; ++k)
        out[k] = quantile(qs[k]);
}

std::size_t LatencySketch::memoryBytes() const
{
    return sizeof(*this) + m_buckets.capacity() * sizeof(uint32_t);
}

template <typename Count>
std::optional<LatencySketch>
LatencySketch::build(int scale, uint64_t zeroCount, int32_t offset, const Count *counts,
                     std::size_t n, uint64_t count, double sum, double min, double max)
{
    if (scale < kMinScale || scale > kMaxScale)
        return std::nullopt;
    if (!std::isfinite(sum) || !std::isfinite(min) || !std::isfinite(max) || min < 0 || min > max ||
        sum < 0)
        return std::nullopt;
    if (count == 0 && (sum != 0 || min != 0 || max != 0))
        return std::nullopt;
    if (zeroCount > kMaxZeroCount)
        return std::nullopt; // no sketch has recorded 2^62 zeros
    uint64_t total = zeroCount;
    std::size_t first = n;
    std::size_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const uint64_t c = counts[i];
        if (c == 0)
            continue;
        // A hostile total could wrap around to match count.
        if (c > std::numeric_limits<uint32_t>::max() ||
            total > std::numeric_limits<uint64_t>::max() - c)
            return std::nullopt;
        total += c;
        first = std::min(first, i);
        last = i;
    }
    if (total != count)
        return std::nullopt;
    LatencySketch s(scale);
    s.m_zeroCount = zeroCount;
    s.m_count = count;
    s.m_sum = sum;
    s.m_min = min;
    s.m_max = max;
    if (first == n)
        return s;
    const int64_t lo = int64_t(offset) + int64_t(first);
    const int64_t hi = int64_t(offset) + int64_t(last);
    // Indexes no double can have would make quantiles 0 or infinite.
    if (lo < minIndex(scale) || hi > maxIndex(scale))
        return std::nullopt;
    // Lower the scale until the range fits our bucket budget.
    int by = 0;
    while (!rangeFits(lo, hi, by))
        ++by;
    if (scale - by < kMinScale)
        return std::nullopt;
    s.m_scale = scale - by;
    s.m_offset = int32_t(lo >> by);
    s.m_buckets.assign(std::size_t((hi >> by) - (lo >> by) + 1), 0);
    if (by == 0) {
        // Every count was checked to fit 32 bits above.
        for (std::size_t i = first; i <= last; ++i)
            s.m_buckets[i - first] = uint32_t(counts[i]);
        return s;
    }
    for (std::size_t i = first; i <= last; ++i) {
        const int64_t idx = (int64_t(offset) + int64_t(i)) >> by;
        auto &slot = s.m_buckets[std::size_t(idx - s.m_offset)];
        const uint64_t v = uint64_t(slot) + counts[i];
        if (v > std::numeric_limits<uint32_t>::max())
            return std::nullopt;
        slot = uint32_t(v);
    }
    return s;
}

std::optional<LatencySketch> LatencySketch::fromParts(int scale, uint64_t zeroCount, int32_t offset,
                                                      const std::vector<uint64_t> &counts,
                                                      uint64_t count, double sum, double min,
                                                      double max)
{
    return build(scale, zeroCount, offset, counts.data(), counts.size(), count, sum, min, max);
}

// Format 1, big-endian, byte-identical to what QDataStream (Qt_6_0) wrote for
// the first version of this class, so rows already cached stay readable:
// u8 version, i32 scale, i32 offset, u64 zeroCount, u64 count, f64 sum, f64 min,
// f64 max, u32 n, n x u32 bucket counts. Written by hand because it is several
// times faster than a stream and the reader can check sizes up front.
QByteArray LatencySketch::serialize() const
{
    QByteArray out(kHeaderBytes + qsizetype(4 * m_buckets.size()), Qt::Uninitialized);
    auto *p = reinterpret_cast<uchar *>(out.data());
    *p++ = kFormatVersion;
    qToBigEndian<qint32>(m_scale, p);
    qToBigEndian<qint32>(m_offset, p + 4);
    qToBigEndian<quint64>(m_zeroCount, p + 8);
    qToBigEndian<quint64>(m_count, p + 16);
    qToBigEndian<quint64>(std::bit_cast<quint64>(m_sum), p + 24);
    qToBigEndian<quint64>(std::bit_cast<quint64>(m_min), p + 32);
    qToBigEndian<quint64>(std::bit_cast<quint64>(m_max), p + 40);
    qToBigEndian<quint32>(quint32(m_buckets.size()), p + 48);
    p += 52;
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        qToBigEndian<quint32>(m_buckets[i], p + 4 * i);
    return out;
}

std::optional<LatencySketch> LatencySketch::deserialize(const QByteArray &bytes)
{
    if (bytes.size() < kHeaderBytes)
        return std::nullopt;
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    if (p[0] != kFormatVersion)
        return std::nullopt;
    const auto scale = qFromBigEndian<qint32>(p + 1);
    const auto offset = qFromBigEndian<qint32>(p + 5);
    const auto zero = qFromBigEndian<quint64>(p + 9);
    const auto count = qFromBigEndian<quint64>(p + 17);
    const auto sum = std::bit_cast<double>(qFromBigEndian<quint64>(p + 25));
    const auto mn = std::bit_cast<double>(qFromBigEndian<quint64>(p + 33));
    const auto mx = std::bit_cast<double>(qFromBigEndian<quint64>(p + 41));
    const auto n = qFromBigEndian<quint32>(p + 49);
    if (n > kMaxBuckets || bytes.size() != kHeaderBytes + qsizetype(n) * 4)
        return std::nullopt;
    // n <= kMaxBuckets, so the counts fit on the stack: no allocation but the sketch's own.
    std::array<uint32_t, kMaxBuckets> counts;
    p += kHeaderBytes;
    for (std::size_t i = 0; i < n; ++i)
        counts[i] = qFromBigEndian<quint32>(p + 4 * i);
    return build(scale, zero, offset, counts.data(), n, count, sum, mn, mx);
}

} // namespace sb
