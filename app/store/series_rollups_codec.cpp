#include "store/series_rollups_codec.h"

#include <bit>
#include <cstring>
#include <limits>

namespace sb::store::rollup_codec {

namespace {

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

std::size_t varintSize(quint64 v)
{
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

template <typename T> void putRaw(QByteArray &out, T v)
{
    static_assert(std::endian::native == std::endian::little, "stored little-endian");
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    out.append(bytes, qsizetype(sizeof(T)));
}

class Reader
{
public:
    Reader(const char *from, qsizetype size) : m_p(from), m_end(from + size) {}
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }
    qsizetype left() const { return m_end - m_p; }
    const char *here() const { return m_p; }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end)
                return fail();
            const auto byte = quint8(*m_p++);
            v |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return v;
        }
        return fail();
    }
    qint64 signedVarint()
    {
        const quint64 v = varint();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    quint8 byte()
    {
        if (m_p == m_end)
            return quint8(fail());
        return quint8(*m_p++);
    }
    template <typename T> T raw()
    {
        T v{};
        if (m_end - m_p < qsizetype(sizeof(T))) {
            fail();
            return v;
        }
        std::memcpy(&v, m_p, sizeof(T));
        m_p += sizeof(T);
        return v;
    }
    bool skip(qsizetype n)
    {
        if (n < 0 || m_end - m_p < n)
            return fail() != 0;
        m_p += n;
        return true;
    }

private:
    quint64 fail()
    {
        m_ok = false;
        m_p = m_end;
        return 0;
    }
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

// First byte of a sketch: layout in the top two bits, scale + 16 below.
enum Layout : quint8
{
    Dense = 0,  // n, then n varints
    Sparse = 1, // k, then k (gap, count) varint pairs
    Nibble = 2, // n, then ceil(n/2) bytes of 4-bit counts; 15 = see the escapes after
    Rice = 3,   // n, the parameter k, then n Rice codes (bits, least significant first)
};
constexpr int kScaleBias = 16;
constexpr quint8 kEscape = 15;
constexpr int kMaxRiceK = 31;
constexpr int kRiceDeltas = 0x80; // in the Rice parameter byte (schema 11)

// Varints written through a pointer into room reserved up front.
char *putVarint(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(v | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

// A Rice code of c with parameter k: c >> k as that many one bits and a
// zero, then the k low bits of c. A busy second's buckets (counts 0..3,
// mostly 0 and 1) cost about 2 bits each at k = 0, half the nibble layout.
class BitWriter
{
public:
    explicit BitWriter(char *p) : m_p(p) {}
    // n <= 32. Whole 32-bit words go out at once (little-endian: the same
    // bytes as one at a time), so a busy second's ~300 codes flush ~20 times.
    void put(quint64 bits, int n)
    {
        m_acc |= bits << m_used;
        m_used += n;
        if (m_used >= 32) {
            const auto word = quint32(m_acc);
            std::memcpy(m_p, &word, sizeof word);
            m_p += sizeof word;
            m_acc >>= 32;
            m_used -= 32;
        }
    }
    void rice(quint64 c, int k)
    {
        quint64 q = c >> k;
        if (q + 1 + quint64(k) <= 32) [[likely]] {
            // One write: q ones, a zero, then the low bits.
            const quint64 low = k > 0 ? quint64(c & ((1u << k) - 1)) : 0;
            put(((quint64(1) << q) - 1) | (low << (q + 1)), int(q) + 1 + k);
            return;
        }
        for (; q > 0;) {
            const int n = int(std::min<quint64>(q, 24));
            put((quint64(1) << n) - 1, n);
            q -= quint64(n);
        }
        put(0, 1);
        if (k > 0)
            put(c & ((quint64(1) << k) - 1), k);
    }
    char *finish()
    {
        for (; m_used > 0; m_used -= 8) {
            *m_p++ = char(m_acc & 0xff);
            m_acc >>= 8;
        }
        return m_p;
    }

private:
    char *m_p;
    quint64 m_acc = 0;
    int m_used = 0;
};

struct Sizes
{
    std::size_t dense = 0, sparse = 0, nibble = 0, rice = 0, populated = 0;
    int riceK = 0;
    bool riceDeltas = false; // Rice codes of the zigzagged differences of neighbouring counts
};

// The sparse layout's bucket bytes (a pass of its own: it follows the gaps).
std::size_t sparseSize(const std::vector<uint32_t> &b, std::size_t populated)
{
    std::size_t size = varintSize(populated), gap = 0;
    for (uint32_t c : b) {
        if (c == 0) {
            ++gap;
            continue;
        }
        size += varintSize(gap) + varintSize(c);
        gap = 0;
    }
    return size;
}

// The layouts' bucket bytes (Rice at the parameter that suits the mean
// count, and its neighbours). `total` is the buckets' sum. One tight pass
// over the counts; a second only when some count needs more than a nibble;
// the sparse layout is sized only when it could be the smallest (few
// buckets populated), otherwise it is left at the maximum.
Sizes sizesOf(const std::vector<uint32_t> &b, quint64 total)
{
    Sizes z;
    const quint64 mean = b.empty() ? 0 : total / b.size();
    const int k0 = std::max(1, mean == 0 ? 0 : int(std::bit_width(mean)) - 1);
    const int k1 = std::min(kMaxRiceK, k0 + 1);
    quint64 q0 = 0, q1 = 0, q2 = 0; // sum of c >> k for k0 - 1, k0, k0 + 1
    std::size_t populated = 0;
    uint32_t largest = 0;
    for (uint32_t c : b) {
        q0 += c >> (k0 - 1);
        q1 += c >> k0;
        q2 += c >> k1;
        populated += c != 0;
        largest = std::max(largest, c);
    }
    // Counts past one varint byte or a nibble (a minute's, not a busy
    // second's 0..3): how many, in a second pass.
    // A busy minute's counts follow a smooth curve, so their differences
    // are smaller than they are: Rice codes of those too, at the parameter
    // the mean difference suits and its neighbours.
    std::size_t over7 = 0, escapes = 0, escapes7 = 0;
    quint64 d[3] = {0, 0, 0};
    int kd[3] = {0, 0, 0};
    if (largest >= kEscape) {
        quint64 zz = 0;
        uint32_t previous = 0;
        for (uint32_t c : b) {
            over7 += varintSize(c) - 1;
            if (c >= kEscape) {
                ++escapes;
                escapes7 += varintSize(c - kEscape) - 1;
            }
            zz += zigzag(qint64(c) - qint64(previous));
            previous = c;
        }
        const quint64 meanDelta = zz / b.size();
        const int m = std::max(1, meanDelta == 0 ? 0 : int(std::bit_width(meanDelta)) - 1);
        kd[0] = m - 1;
        kd[1] = m;
        kd[2] = std::min(kMaxRiceK, m + 1);
        previous = 0;
        for (uint32_t c : b) {
            const quint64 v = zigzag(qint64(c) - qint64(previous));
            previous = c;
            for (int i = 0; i < 3; ++i)
                d[i] += v >> kd[i];
        }
    }
    z.populated = populated;
    z.dense = varintSize(b.size()) + b.size() + over7;
    z.nibble = varintSize(b.size()) + (b.size() + 1) / 2 + escapes + escapes7;
    z.rice = std::numeric_limits<std::size_t>::max();
    const int ks[3] = {k0 - 1, k0, k1};
    const quint64 qs[3] = {q0, q1, q2};
    for (int i = 0; i < 3; ++i) {
        const quint64 bits = quint64(b.size()) * quint64(ks[i] + 1) + qs[i];
        const std::size_t bytes = varintSize(b.size()) + 1 + std::size_t((bits + 7) / 8);
        if (bytes < z.rice) {
            z.rice = bytes;
            z.riceK = ks[i];
        }
    }
    for (int i = 0; largest >= kEscape && i < 3; ++i) {
        const quint64 bits = quint64(b.size()) * quint64(kd[i] + 1) + d[i];
        const std::size_t bytes = varintSize(b.size()) + 1 + std::size_t((bits + 7) / 8);
        if (bytes < z.rice) {
            z.rice = bytes;
            z.riceK = kd[i];
            z.riceDeltas = true;
        }
    }
    // Each populated bucket takes at least a gap byte and a count byte.
    const std::size_t sparseAtLeast = varintSize(populated) + 2 * populated;
    z.sparse = sparseAtLeast < std::min(z.dense, z.rice) ? sparseSize(b, populated)
                                                         : std::numeric_limits<std::size_t>::max();
    return z;
}

constexpr std::size_t kHeadRoom = 1 + 10 + 10 + 3 * sizeof(double);

// Writes the sketch at p (room for kHeadRoom + the chosen body); returns the end.
char *writeSketch(char *p, const LatencySketch &s, const Sizes &z, Layout layout)
{
    const auto &b = s.buckets();
    *p++ = char((layout << 6) | (s.scale() + kScaleBias));
    p = putVarint(p, zigzag(s.offset()));
    p = putVarint(p, s.zeroCount());
    for (double d : {s.sum(), s.min(), s.max()}) {
        std::memcpy(p, &d, sizeof d);
        p += sizeof d;
    }
    if (layout == Dense) {
        p = putVarint(p, b.size());
        for (uint32_t c : b)
            p = putVarint(p, c);
    } else if (layout == Sparse) {
        p = putVarint(p, z.populated);
        std::size_t gap = 0;
        for (uint32_t c : b) {
            if (c == 0) {
                ++gap;
                continue;
            }
            p = putVarint(p, gap);
            p = putVarint(p, c);
            gap = 0;
        }
    } else if (layout == Nibble) {
        p = putVarint(p, b.size());
        for (std::size_t i = 0; i < b.size(); i += 2) {
            const auto lo = quint8(std::min<uint32_t>(b[i], kEscape));
            const auto hi = quint8(i + 1 < b.size() ? std::min<uint32_t>(b[i + 1], kEscape) : 0);
            *p++ = char(lo | (hi << 4));
        }
        for (uint32_t c : b) {
            if (c >= kEscape)
                p = putVarint(p, c - kEscape);
        }
    } else {
        p = putVarint(p, b.size());
        *p++ = char(z.riceK | (z.riceDeltas ? kRiceDeltas : 0));
        BitWriter bits(p);
        const int k = z.riceK;
        if (z.riceDeltas) {
            // Differences can pass 32 bits: each code through the long path.
            uint32_t previous = 0;
            for (uint32_t c : b) {
                bits.rice(zigzag(qint64(c) - qint64(previous)), k);
                previous = c;
            }
            return bits.finish();
        }
        const uint32_t low = k > 0 ? (1u << k) - 1 : 0;
        for (uint32_t c : b) {
            const uint32_t q = c >> k;
            if (q + 1 + uint32_t(k) > 32) [[unlikely]] {
                bits.rice(c, k);
                continue;
            }
            // q ones, a zero, then the k low bits, in one write.
            bits.put(((quint64(1) << q) - 1) | (quint64(c & low) << (q + 1)), int(q) + 1 + k);
        }
        p = bits.finish();
    }
    return p;
}

// Reads n Rice codes (parameter k) into counts; false when the bits run out
// or a code exceeds `largest` (a count: 32 bits; a zigzagged difference: 33).
bool readRice(Reader &r, int k, quint64 largest, std::vector<uint64_t> &counts)
{
    const auto *p = reinterpret_cast<const quint8 *>(r.here());
    const quint64 totalBits = quint64(r.left()) * 8;
    quint64 at = 0;
    auto bit = [&] { return (p[at >> 3] >> (at & 7)) & 1; };
    for (auto &c : counts) {
        quint64 q = 0;
        for (;;) {
            if (at >= totalBits)
                return false;
            if (!bit()) {
                ++at;
                break;
            }
            ++at;
            if (++q > (largest >> k))
                return false;
        }
        if (totalBits - at < quint64(k))
            return false;
        quint64 low = 0;
        for (int i = 0; i < k; ++i, ++at)
            low |= quint64(bit()) << i;
        c = (q << k) | low;
    }
    return r.skip(qsizetype((at + 7) / 8));
}

} // namespace

void appendSketch(QByteArray &out, const LatencySketch &s)
{
    const Sizes z = sizesOf(s.buckets(), s.count() - s.zeroCount());
    Layout layout = Dense;
    std::size_t body = z.dense;
    for (const auto &[l, size] :
         {std::pair{Rice, z.rice}, std::pair{Sparse, z.sparse}, std::pair{Nibble, z.nibble}}) {
        if (size < body) {
            layout = l;
            body = size;
        }
    }
    const qsizetype at = out.size();
    out.resize(at + qsizetype(kHeadRoom + body));
    char *end = writeSketch(out.data() + at, s, z, layout);
    out.truncate(end - out.constData());
}

QByteArray encodeSketch(const LatencySketch &s)
{
    QByteArray out;
    appendSketch(out, s);
    return out;
}

std::optional<LatencySketch> decodeSketch(const char *data, qsizetype size)
{
    Reader r(data, size);
    const quint8 head = r.byte();
    const auto layout = Layout(head >> 6);
    const int scale = int(head & 0x3f) - kScaleBias;
    const qint64 offset = r.signedVarint();
    const quint64 zero = r.varint();
    const auto sum = r.raw<double>();
    const auto mn = r.raw<double>();
    const auto mx = r.raw<double>();
    if (!r.ok() || scale < LatencySketch::kMinScale || scale > LatencySketch::kMaxScale ||
        offset < std::numeric_limits<int32_t>::min() ||
        offset > std::numeric_limits<int32_t>::max())
        return std::nullopt;
    std::vector<uint64_t> counts;
    const quint64 n = r.varint();
    if (!r.ok())
        return std::nullopt;
    if (layout == Dense || layout == Nibble || layout == Rice) {
        if (n > LatencySketch::kMaxBuckets)
            return std::nullopt;
        counts.resize(n);
        if (layout == Rice) {
            const int head = r.byte();
            const int k = head & ~kRiceDeltas;
            const bool deltas = head & kRiceDeltas;
            constexpr quint64 kMaxCount = std::numeric_limits<uint32_t>::max();
            if (!r.ok() || k > kMaxRiceK ||
                !readRice(r, k, deltas ? 2 * kMaxCount + 1 : kMaxCount, counts))
                return std::nullopt;
            qint64 previous = 0;
            for (auto &c : counts) {
                if (!deltas)
                    break;
                const qint64 now = previous + (qint64(c >> 1) ^ -qint64(c & 1));
                if (now < 0 || now > qint64(kMaxCount))
                    return std::nullopt;
                c = quint64(now);
                previous = now;
            }
        } else if (layout == Dense) {
            for (auto &c : counts)
                c = r.varint();
        } else {
            for (std::size_t i = 0; i < n; i += 2) {
                const quint8 two = r.byte();
                counts[i] = two & 0xf;
                if (i + 1 < n)
                    counts[i + 1] = two >> 4;
            }
            for (auto &c : counts) {
                if (c == kEscape)
                    c += r.varint();
            }
        }
    } else {
        if (n > LatencySketch::kMaxBuckets)
            return std::nullopt;
        for (quint64 i = 0; i < n && r.ok(); ++i) {
            const quint64 gap = r.varint();
            if (gap > LatencySketch::kMaxBuckets ||
                counts.size() + gap >= LatencySketch::kMaxBuckets)
                return std::nullopt;
            counts.resize(counts.size() + gap, 0);
            counts.push_back(r.varint());
        }
    }
    if (!r.ok() || !r.atEnd())
        return std::nullopt;
    quint64 count = zero;
    for (quint64 c : counts) {
        if (c > std::numeric_limits<uint32_t>::max())
            return std::nullopt;
        count += c;
    }
    return LatencySketch::fromParts(scale, zero, int32_t(offset), counts, count, sum, mn, mx);
}

void appendSummary(QByteArray &out, const SeriesPoint &p)
{
    putVarint(out, p.count);
    putVarint(out, p.errors);
    putVarint(out, p.fallbacks);
    putVarint(out, p.tokens);
    putVarint(out, p.tokenSamples);
    putVarint(out, p.latencyCount);
    putVarint(out, p.ttftCount);
    // Quantiles only where there is a distribution (they are 0 otherwise).
    if (p.latencyCount > 0) {
        for (float v : {p.p50, p.p90, p.p95, p.p99, p.max})
            putRaw(out, v);
    }
    if (p.ttftCount > 0) {
        for (float v : {p.ttftP50, p.ttftP95, p.ttftP99})
            putRaw(out, v);
    }
}

bool readSummary(const char *data, qsizetype size, SeriesPoint &p)
{
    Reader r(data, size);
    p.count = r.varint();
    p.errors = r.varint();
    p.fallbacks = r.varint();
    p.tokens = r.varint();
    p.tokenSamples = r.varint();
    p.latencyCount = r.varint();
    p.ttftCount = r.varint();
    if (p.latencyCount > 0) {
        for (float *v : {&p.p50, &p.p90, &p.p95, &p.p99, &p.max})
            *v = r.raw<float>();
    }
    if (p.ttftCount > 0) {
        for (float *v : {&p.ttftP50, &p.ttftP95, &p.ttftP99})
            *v = r.raw<float>();
    }
    return r.ok() && r.atEnd();
}

void appendSketches(QByteArray &out, const SeriesAggregate &a)
{
    // One sketch at a time into a buffer this thread keeps, so its length can
    // go first without an allocation per sketch.
    thread_local QByteArray one;
    for (const LatencySketch *s : {&a.latency, &a.ttft}) {
        if (s->count() == 0) {
            putVarint(out, 0);
            continue;
        }
        one.resize(0);
        appendSketch(one, *s);
        putVarint(out, quint64(one.size()));
        out.append(one);
    }
}

QByteArray encodeSketches(const SeriesAggregate &a)
{
    QByteArray out;
    appendSketches(out, a);
    return out;
}

bool readSketches(const char *data, qsizetype size, SeriesAggregate &a)
{
    Reader r(data, size);
    for (LatencySketch *s : {&a.latency, &a.ttft}) {
        // Compared unsigned: a length past 2^63 must not turn negative.
        const quint64 length = r.varint();
        if (!r.ok() || length > quint64(r.left()))
            return false;
        const auto n = qsizetype(length);
        if (n == 0) {
            *s = LatencySketch();
            continue;
        }
        auto decoded = decodeSketch(r.here(), n);
        if (!decoded)
            return false;
        *s = std::move(*decoded);
        r.skip(n);
    }
    return r.ok() && r.atEnd();
}

std::optional<LatencySketch> readLatency(const char *data, qsizetype size)
{
    Reader r(data, size);
    const quint64 length = r.varint();
    if (!r.ok() || length > quint64(r.left()))
        return std::nullopt;
    const auto n = qsizetype(length);
    if (n == 0)
        return LatencySketch();
    return decodeSketch(r.here(), n);
}

std::optional<std::vector<Entry>> parseEntries(const QByteArray &blob)
{
    std::vector<Entry> out;
    Reader r(blob.constData(), blob.size());
    int last = -1;
    while (!r.atEnd()) {
        Entry e;
        e.slot = r.byte();
        e.size = qsizetype(r.varint());
        e.data = r.here();
        if (!r.ok() || e.slot <= last || e.slot >= 60 || !r.skip(e.size))
            return std::nullopt;
        last = e.slot;
        out.push_back(e);
    }
    return out;
}

void appendEntry(QByteArray &out, int slot, const char *data, qsizetype size)
{
    out.append(char(slot));
    putVarint(out, quint64(size));
    out.append(data, size);
}

} // namespace sb::store::rollup_codec
