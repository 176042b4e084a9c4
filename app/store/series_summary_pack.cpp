#include "store/series_summary_pack.h"

#include "core/latency_sketch.h"
#include "store/series_rollups_codec.h"

#include <array>
#include <cmath>
#include <cstring>
#include <zlib.h>

namespace sb::store::rollup_codec {

namespace {

constexpr int kCountFields = 7;   // count … ttftCount, as appendSummary() writes them
constexpr int kLatencyFloats = 5; // p50 p90 p95 p99 max, when latencyCount > 0
constexpr int kTtftFloats = 3;    // ttft p50 p95 p99, when ttftCount > 0
constexpr int kSlots = 60;
constexpr int kMax = 4; // the latency max among the floats

char *putVarint(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(v | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

// A quantile is mostly a bucket's point (its lower bound times 2b/(1+b)) at
// the default scale, as LatencySketch::quantiles() computes it, so it is
// coded as that bucket's index. The points of indices [-kHalf, kHalf).
constexpr int kHalf = 4096;
constexpr int kScale = LatencySketch::kDefaultScale;

const std::array<float, 2 * kHalf> &bucketPoints()
{
    static const auto table = [] {
        std::array<float, 2 * kHalf> t{};
        const double base = std::exp2(std::ldexp(1.0, -kScale));
        const double toPoint = 2.0 * base / (1.0 + base);
        for (int i = 0; i < 2 * kHalf; ++i)
            t[size_t(i)] = float(LatencySketch::bucketLower(i - kHalf, kScale) * toPoint);
        return t;
    }();
    return table;
}

quint32 bitsOf(float v)
{
    quint32 b;
    std::memcpy(&b, &v, 4);
    return b;
}

// The index whose point is exactly v, or kHalf * 2 when none is.
int bucketOf(quint32 bits)
{
    float v;
    std::memcpy(&v, &bits, 4);
    if (!(v > 0.0f))
        return 2 * kHalf;
    const auto &t = bucketPoints();
    const int i = LatencySketch::bucketIndex(double(v), kScale) + kHalf;
    for (int j = i - 1; j <= i + 1; ++j) {
        if (j >= 0 && j < 2 * kHalf && bitsOf(t[size_t(j)]) == bits)
            return j;
    }
    return 2 * kHalf;
}

// Tags in a quantile's code (low two bits).
enum Tag : quint64
{
    Bucket = 0, // zigzagged index difference from this field's last bucket
    AtMax = 1,  // equals the entry's max (latency quantiles, clamped to it)
    Raw = 2,    // the float bits follow as a varint
};

// One summary's fields, as the columns code them: counts, then float bits.
struct Fields
{
    quint64 counts[kCountFields]{};
    quint32 floats[kLatencyFloats + kTtftFloats]{};
    int index[kLatencyFloats + kTtftFloats] = {kHalf, kHalf, kHalf, kHalf,
                                               kHalf, kHalf, kHalf, kHalf};
    bool latency() const { return counts[5] > 0; }
    bool ttft() const { return counts[6] > 0; }
};

bool fieldsOf(const Entry &e, Fields &f)
{
    SeriesPoint p;
    if (!readSummary(e.data, e.size, p))
        return false;
    const quint64 counts[kCountFields] = {p.count,        p.errors,       p.fallbacks, p.tokens,
                                          p.tokenSamples, p.latencyCount, p.ttftCount};
    const float floats[] = {p.p50, p.p90, p.p95, p.p99, p.max, p.ttftP50, p.ttftP95, p.ttftP99};
    std::memcpy(f.counts, counts, sizeof counts);
    std::memcpy(f.floats, floats, sizeof floats);
    // Only a payload appendSummary() writes back byte for byte is coded, so
    // unpacking always returns exactly the entries that were packed.
    thread_local QByteArray again;
    again.resize(0);
    appendSummary(again, p);
    return again.size() == e.size && std::memcmp(again.constData(), e.data, size_t(e.size)) == 0;
}

// Reads the columns layout: varints through a bounds-checked cursor.
class Cursor
{
public:
    Cursor(const char *p, const char *end) : m_p(p), m_end(end) {}
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_p == m_end; }
    qsizetype left() const { return m_end - m_p; }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end)
                break;
            const auto byte = quint8(*m_p++);
            v |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return v;
        }
        m_ok = false;
        m_p = m_end;
        return 0;
    }

private:
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

// The max as its bits' difference from the last max, then each quantile:
// a bucket, the max, or raw bits. A group a summary lacks keeps its state.
char *putFloats(char *p, Fields &f, const Fields &prev)
{
    std::memcpy(f.index, prev.index, sizeof f.index);
    const auto quantile = [&](int k, bool latency) {
        const quint32 bits = f.floats[k];
        if (latency && bits == f.floats[kMax])
            return putVarint(p, AtMax);
        const int j = bucketOf(bits);
        if (j == 2 * kHalf)
            return putVarint(putVarint(p, Raw), bits);
        f.index[k] = j;
        return putVarint(p, zigzag(j - prev.index[k]) << 2 | Bucket);
    };
    if (f.latency()) {
        p = putVarint(p, zigzag(qint32(f.floats[kMax] - prev.floats[kMax])));
        for (int k = 0; k < kMax; ++k)
            p = quantile(k, true);
    } else {
        std::memcpy(f.floats, prev.floats, kLatencyFloats * 4);
    }
    if (f.ttft()) {
        for (int k = kLatencyFloats; k < kLatencyFloats + kTtftFloats; ++k)
            p = quantile(k, false);
    } else {
        std::memcpy(f.floats + kLatencyFloats, prev.floats + kLatencyFloats, kTtftFloats * 4);
    }
    return p;
}

bool readQuantile(Cursor &c, Fields &f, int k, bool latency)
{
    const quint64 code = c.varint();
    switch (code & 3) {
    case Bucket: {
        const qint64 j = f.index[k] + unzigzag(code >> 2);
        if (j < 0 || j >= 2 * kHalf)
            return false;
        f.index[k] = int(j);
        f.floats[k] = bitsOf(bucketPoints()[size_t(j)]);
        return true;
    }
    case AtMax:
        f.floats[k] = f.floats[kMax];
        return latency && code == AtMax;
    case Raw: {
        const quint64 bits = c.varint();
        f.floats[k] = quint32(bits);
        return code == Raw && bits <= 0xffffffffu;
    }
    default:
        return false;
    }
}

bool readFloats(Cursor &c, Fields &f)
{
    if (f.latency()) {
        const quint64 z = c.varint();
        if (z > 0xffffffffu)
            return false;
        f.floats[kMax] += quint32(quint64(unzigzag(z)));
        for (int k = 0; k < kMax; ++k) {
            if (!readQuantile(c, f, k, true))
                return false;
        }
    }
    if (f.ttft()) {
        for (int k = kLatencyFloats; k < kLatencyFloats + kTtftFloats; ++k) {
            if (!readQuantile(c, f, k, false))
                return false;
        }
    }
    return true;
}

// One inflate stream per thread, reset per blob (rows schema 10's
// compaction packed, marker kZlibPacked).
struct Inflater
{
    z_stream z{};
    bool ok = false;
    Inflater() { ok = inflateInit(&z) == Z_OK; }
    ~Inflater()
    {
        if (ok)
            inflateEnd(&z);
    }
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;
};

QByteArray inflateSummaries(const QByteArray &stored)
{
    Cursor c(stored.constData() + 1, stored.constData() + stored.size());
    const quint64 length = c.varint();
    if (!c.ok() || length == 0 || length > quint64(kMaxUnpacked))
        return {};
    const qsizetype at = stored.size() - qsizetype(c.left());
    thread_local Inflater d;
    if (!d.ok || inflateReset(&d.z) != Z_OK)
        return {};
    QByteArray out(qsizetype(length), Qt::Uninitialized);
    d.z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(stored.constData() + at));
    d.z.avail_in = uInt(stored.size() - at);
    d.z.next_out = reinterpret_cast<Bytef *>(out.data());
    d.z.avail_out = uInt(length);
    // The whole stream, exactly `length` bytes: no more, no less.
    if (inflate(&d.z, Z_FINISH) != Z_STREAM_END || d.z.total_out != length)
        return {};
    return out;
}

// Rebuilds one entry (slot · length · payload) from its fields.
char *putEntry(char *p, int slot, const Fields &f)
{
    char payload[kCountFields * 10 + (kLatencyFloats + kTtftFloats) * 4];
    char *q = payload;
    for (quint64 v : f.counts)
        q = putVarint(q, v);
    if (f.latency()) {
        std::memcpy(q, f.floats, kLatencyFloats * 4);
        q += kLatencyFloats * 4;
    }
    if (f.ttft()) {
        std::memcpy(q, f.floats + kLatencyFloats, kTtftFloats * 4);
        q += kTtftFloats * 4;
    }
    *p++ = char(slot);
    p = putVarint(p, quint64(q - payload));
    std::memcpy(p, payload, size_t(q - payload));
    return p + (q - payload);
}

QByteArray decodeColumns(const QByteArray &stored)
{
    Cursor c(stored.constData() + 1, stored.constData() + stored.size());
    const quint64 n = c.varint();
    if (!c.ok() || n == 0 || n > quint64(kSlots))
        return {};
    // An entry is at most 1 + 1 + 70 + 32 bytes.
    QByteArray out(qsizetype(n) * 104, Qt::Uninitialized);
    char *p = out.data();
    Fields f;
    int slot = -1;
    for (quint64 i = 0; i < n; ++i) {
        const quint64 gap = c.varint();
        if (gap >= quint64(kSlots - 1 - slot))
            return {};
        slot += int(gap) + 1;
        for (quint64 &v : f.counts)
            v += quint64(unzigzag(c.varint()));
        if (!readFloats(c, f) || !c.ok())
            return {};
        p = putEntry(p, slot, f);
    }
    if (!c.atEnd())
        return {};
    out.truncate(p - out.constData());
    return out;
}

} // namespace

QByteArray packSummaries(const QByteArray &entries)
{
    const auto parsed = parseEntries(entries);
    if (!parsed || parsed->empty())
        return entries; // kept as they are: still readable
    QByteArray out(qsizetype(1 + 10 + parsed->size() * 104), Qt::Uninitialized);
    char *p = out.data();
    *p++ = kPacked;
    p = putVarint(p, parsed->size());
    Fields prev, f;
    int slot = -1;
    for (const Entry &e : *parsed) {
        if (!fieldsOf(e, f))
            return entries;
        // Each field as the zigzagged difference from the entry before; a
        // group a summary lacks keeps its last values (its floats are 0).
        p = putVarint(p, quint64(e.slot - slot - 1));
        slot = e.slot;
        for (int k = 0; k < kCountFields; ++k)
            p = putVarint(p, zigzag(qint64(f.counts[k] - prev.counts[k])));
        p = putFloats(p, f, prev);
        prev = f;
    }
    const qsizetype size = p - out.constData();
    if (size >= entries.size())
        return entries; // a second or two: packing would not pay
    out.truncate(size);
    return out;
}

QByteArray unpackSummaries(const QByteArray &stored)
{
    if (stored.isEmpty())
        return stored;
    if (stored.front() == kPacked)
        return decodeColumns(stored);
    if (stored.front() == kZlibPacked)
        return inflateSummaries(stored);
    return stored;
}

} // namespace sb::store::rollup_codec
