#include "core/series_store.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace sb {

namespace {

constexpr qint64 kMinuteMs = 60 * 1000;

qint64 floorTo(qint64 ms, qint64 unit)
{
    return ms - ((ms % unit) + unit) % unit;
}

// A sketch packed for keeping: its counts at the narrowest width that holds
// the largest (1, 2 or 4 bytes), behind a fixed header. A typical per-series
// second (a few hundred buckets of small counts) shrinks about fourfold.
class CompactSketch
{
public:
    CompactSketch() = default;

    explicit CompactSketch(const LatencySketch &s)
    {
        if (s.count() == 0)
            return;
        Header h;
        h.scale = s.scale();
        h.offset = s.offset();
        h.zeroCount = s.zeroCount();
        h.count = s.count();
        h.sum = s.sum();
        h.min = s.min();
        h.max = s.max();
        const auto &b = s.buckets();
        const uint32_t top = b.empty() ? 0 : *std::max_element(b.begin(), b.end());
        h.width = top <= 0xff ? 1 : top <= 0xffff ? 2 : 4;
        h.n = uint32_t(b.size());
        m_bytes.resize(sizeof(Header) + std::size_t(h.width) * b.size());
        std::memcpy(m_bytes.data(), &h, sizeof(Header));
        quint8 *p = m_bytes.data() + sizeof(Header);
        for (std::size_t i = 0; i < b.size(); ++i) {
            const uint32_t c = b[i];
            std::memcpy(p + i * h.width, &c, h.width); // little-endian: low bytes first
        }
    }

    bool empty() const { return m_bytes.empty(); }
    std::size_t bytes() const { return m_bytes.capacity(); }

    LatencySketch expand() const
    {
        if (m_bytes.empty())
            return LatencySketch();
        Header h;
        std::memcpy(&h, m_bytes.data(), sizeof(Header));
        std::vector<uint64_t> counts(h.n, 0);
        const quint8 *p = m_bytes.data() + sizeof(Header);
        for (std::size_t i = 0; i < h.n; ++i) {
            uint32_t c = 0;
            std::memcpy(&c, p + i * h.width, h.width);
            counts[i] = c;
        }
        // Built from a valid sketch, so this cannot fail; an empty sketch if it did.
        return LatencySketch::fromParts(h.scale, h.zeroCount, h.offset, counts, h.count, h.sum,
                                        h.min, h.max)
            .value_or(LatencySketch());
    }

private:
    struct Header
    {
        uint64_t zeroCount;
        uint64_t count;
        double sum;
        double min;
        double max;
        int32_t scale;
        int32_t offset;
        uint32_t n;
        uint32_t width;
    };
    static_assert(std::endian::native == std::endian::little, "CompactSketch packs little-endian");
    std::vector<quint8> m_bytes;
};

} // namespace

struct SeriesStore::Series
{
    struct Second
    {
        SeriesPoint point;
        CompactSketch latency;
        CompactSketch ttft;
        bool hasSketches = false;
    };
    // A closed minute keeps its sketches packed (CompactSketch, about a
    // quarter of the size): a day of minutes is most of a store's memory.
    struct Minute
    {
        qint64 timeMs = 0;
        SeriesAggregate aggregate; // sketches empty while packed
        CompactSketch packedLatency;
        CompactSketch packedTtft;
        bool packed = false;
        mutable SeriesPoint point;
        mutable bool dirty = true;

        SeriesAggregate full() const
        {
            SeriesAggregate a = aggregate;
            if (packed) {
                a.latency = packedLatency.expand();
                a.ttft = packedTtft.expand();
            }
            return a;
        }
        void pack()
        {
            if (packed)
                return;
            if (dirty) {
                point = summarize(timeMs, kMinuteMs, aggregate);
                dirty = false;
            }
            packedLatency = CompactSketch(aggregate.latency);
            packedTtft = CompactSketch(aggregate.ttft);
            aggregate.latency = LatencySketch();
            aggregate.ttft = LatencySketch();
            packed = true;
        }
        void unpack()
        {
            if (!packed)
                return;
            aggregate = full();
            packedLatency = CompactSketch();
            packedTtft = CompactSketch();
            packed = false;
        }
    };

    std::optional<SeriesKey> key;
    std::deque<Second> seconds;
    std::deque<Minute> minutes;
    // seconds[sketchFrom..] still hold their sketches; those before do not.
    std::size_t sketchFrom = 0;
    // Seconds before this were trimmed out of the window.
    qint64 trimmedBeforeMs = std::numeric_limits<qint64>::min();
    qint64 newestMs = std::numeric_limits<qint64>::min();
};

double SeriesPoint::value(SeriesMetric metric) const
{
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const double seconds = durationMs > 0 ? double(durationMs) / 1000.0 : 1.0;
    switch (metric) {
    case SeriesMetric::P50:
        return latencyCount ? p50 : nan;
    case SeriesMetric::P90:
        return latencyCount ? p90 : nan;
    case SeriesMetric::P95:
        return latencyCount ? p95 : nan;
    case SeriesMetric::P99:
        return latencyCount ? p99 : nan;
    case SeriesMetric::Max:
        return latencyCount ? max : nan;
    case SeriesMetric::TtftP50:
        return ttftCount ? ttftP50 : nan;
    case SeriesMetric::TtftP95:
        return ttftCount ? ttftP95 : nan;
    case SeriesMetric::TtftP99:
        return ttftCount ? ttftP99 : nan;
    case SeriesMetric::Throughput:
        return double(count) / seconds;
    case SeriesMetric::ErrorRate:
        return count ? double(errors) / double(count) : nan;
    case SeriesMetric::FallbackShare:
        return count ? double(fallbacks) / double(count) : nan;
    case SeriesMetric::TokensPerSecond:
        return tokenSamples ? double(tokens) / seconds : nan;
    }
    return nan;
}

SeriesStore::SeriesStore() : SeriesStore(Options{}) {}

SeriesStore::SeriesStore(Options options) : m_options(options) {}

SeriesStore::~SeriesStore() = default;

SeriesPoint SeriesStore::summarize(qint64 timeMs, qint64 durationMs, const SeriesAggregate &a)
{
    SeriesPoint p;
    p.timeMs = timeMs;
    p.durationMs = durationMs;
    p.count = a.count;
    p.errors = a.errors;
    p.fallbacks = a.fallbacks;
    p.tokens = a.tokens;
    p.tokenSamples = a.tokenSamples;
    p.latencyCount = a.latency.count();
    p.ttftCount = a.ttft.count();
    // One walk over each sketch's buckets for all its quantiles.
    static constexpr double kLatencyQs[] = {0.50, 0.90, 0.95, 0.99};
    static constexpr double kTtftQs[] = {0.50, 0.95, 0.99};
    double lat[4], ttft[3];
    a.latency.quantiles(kLatencyQs, lat, 4);
    a.ttft.quantiles(kTtftQs, ttft, 3);
    p.p50 = float(lat[0]);
    p.p90 = float(lat[1]);
    p.p95 = float(lat[2]);
    p.p99 = float(lat[3]);
    p.max = float(a.latency.max());
    p.ttftP50 = float(ttft[0]);
    p.ttftP95 = float(ttft[1]);
    p.ttftP99 = float(ttft[2]);
    return p;
}

SeriesStore::Series *SeriesStore::series(SeriesId id)
{
    return id < m_series.size() ? m_series[id].get() : nullptr;
}

const SeriesStore::Series *SeriesStore::series(SeriesId id) const
{
    return id < m_series.size() ? m_series[id].get() : nullptr;
}

SeriesStore::Series &SeriesStore::seriesFor(SeriesId id)
{
    if (id >= m_series.size())
        m_series.resize(std::size_t(id) + 1);
    if (!m_series[id])
        m_series[id] = std::make_unique<Series>();
    return *m_series[id];
}

void SeriesStore::setKey(SeriesId id, const SeriesKey &key)
{
    if (id == kNoSeries)
        return;
    seriesFor(id).key = key;
}

std::optional<SeriesKey> SeriesStore::key(SeriesId id) const
{
    const Series *s = series(id);
    return s ? s->key : std::nullopt;
}

std::vector<SeriesId> SeriesStore::seriesIds() const
{
    std::vector<SeriesId> out;
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const Series *s = m_series[i].get();
        if (s && (!s->seconds.empty() || !s->minutes.empty()))
            out.push_back(SeriesId(i));
    }
    return out;
}

void SeriesStore::append(const SeriesSecond &in)
{
    if (in.series == kNoSeries)
        return;
    Series &s = seriesFor(in.series);
    const qint64 t = floorTo(in.secondMs, 1000);
    auto &secs = s.seconds;
    auto it = std::lower_bound(secs.begin(), secs.end(), t, [](const Series::Second &e, qint64 v) {
        return e.point.timeMs < v;
    });
    const auto index = std::size_t(it - secs.begin());
    if (it != secs.end() && it->point.timeMs == t) {
        // The same second again (two runs of a stream overlapping it): add up.
        Series::Second &e = *it;
        if (e.hasSketches) {
            SeriesAggregate merged;
            merged.count = e.point.count;
            merged.errors = e.point.errors;
            merged.fallbacks = e.point.fallbacks;
            merged.tokens = e.point.tokens;
            merged.tokenSamples = e.point.tokenSamples;
            merged.latency = e.latency.expand();
            merged.ttft = e.ttft.expand();
            merged.merge(in.aggregate);
            e.point = summarize(t, 1000, merged);
            e.latency = CompactSketch(merged.latency);
            e.ttft = CompactSketch(merged.ttft);
        } else {
            // Its sketches are gone: counts add up, quantiles stay those of
            // the larger part (the minute, below, is exact).
            const SeriesPoint extra = summarize(t, 1000, in.aggregate);
            SeriesPoint &p = e.point;
            const SeriesPoint &q = extra.latencyCount > p.latencyCount ? extra : p;
            SeriesPoint sum = q;
            sum.count = p.count + extra.count;
            sum.errors = p.errors + extra.errors;
            sum.fallbacks = p.fallbacks + extra.fallbacks;
            sum.tokens = p.tokens + extra.tokens;
            sum.tokenSamples = p.tokenSamples + extra.tokenSamples;
            sum.latencyCount = p.latencyCount + extra.latencyCount;
            sum.ttftCount = p.ttftCount + extra.ttftCount;
            p = sum;
        }
    } else {
        Series::Second e;
        e.point = summarize(t, 1000, in.aggregate);
        e.latency = CompactSketch(in.aggregate.latency);
        e.ttft = CompactSketch(in.aggregate.ttft);
        e.hasSketches = true;
        secs.insert(it, std::move(e));
        if (index < s.sketchFrom)
            ++s.sketchFrom; // an old second arrived: it is stripped below if too old
    }

    // Its minute, built by merging.
    const qint64 m = floorTo(t, kMinuteMs);
    auto &mins = s.minutes;
    auto mit = std::lower_bound(mins.begin(), mins.end(), m,
                                [](const Series::Minute &e, qint64 v) { return e.timeMs < v; });
    if (mit == mins.end() || mit->timeMs != m) {
        Series::Minute fresh;
        fresh.timeMs = m;
        mit = mins.insert(mit, std::move(fresh));
    }
    mit->unpack();
    mit->aggregate.merge(in.aggregate);
    mit->dirty = true;

    s.newestMs = std::max(s.newestMs, t);
    m_newestMs = std::max(m_newestMs, t);

    // Minutes two or more behind the newest second are closed: pack them
    // (the tail up to the first packed one, and a late second's minute).
    const qint64 closed = s.newestMs - 2 * kMinuteMs;
    if (mit->timeMs < closed)
        mit->pack();
    for (auto rit = mins.rbegin(); rit != mins.rend(); ++rit) {
        if (rit->timeMs >= closed)
            continue;
        if (rit->packed)
            break;
        rit->pack();
    }

    // Seconds past the sketch horizon keep their summary only.
    const qint64 horizon = s.newestMs - m_options.secondSketchMs;
    if (index < s.sketchFrom && t < horizon) {
        secs[index].latency = CompactSketch();
        secs[index].ttft = CompactSketch();
        secs[index].hasSketches = false;
    }
    while (s.sketchFrom < secs.size() && secs[s.sketchFrom].point.timeMs < horizon) {
        auto &e = secs[s.sketchFrom++];
        e.latency = CompactSketch();
        e.ttft = CompactSketch();
        e.hasSketches = false;
    }
}

void SeriesStore::append(const std::vector<SeriesSecond> &seconds)
{
    for (const auto &s : seconds)
        append(s);
}

void SeriesStore::apply(const SeriesUpdate &update)
{
    for (const auto &[id, key] : update.newSeries)
        setKey(id, key);
    append(update.seconds);
}

void SeriesStore::trim(qint64 nowMs)
{
    const qint64 secondCut = nowMs - m_options.secondWindowMs;
    const qint64 minuteCut = floorTo(nowMs - m_options.minuteWindowMs, kMinuteMs);
    for (auto &sp : m_series) {
        if (!sp)
            continue;
        Series &s = *sp;
        s.trimmedBeforeMs = std::max(s.trimmedBeforeMs, secondCut);
        while (!s.seconds.empty() && s.seconds.front().point.timeMs < secondCut) {
            s.seconds.pop_front();
            if (s.sketchFrom > 0)
                --s.sketchFrom;
        }
        while (!s.minutes.empty() && s.minutes.front().timeMs < minuteCut)
            s.minutes.pop_front();
    }
}

std::vector<SeriesPoint> SeriesStore::range(SeriesId id, qint64 fromMs, qint64 toMs,
                                            Resolution resolution) const
{
    std::vector<SeriesPoint> out;
    const Series *s = series(id);
    if (!s || fromMs >= toMs)
        return out;
    if (resolution == Resolution::Second) {
        auto lo =
            std::lower_bound(s->seconds.begin(), s->seconds.end(), fromMs,
                             [](const Series::Second &e, qint64 v) { return e.point.timeMs < v; });
        for (auto it = lo; it != s->seconds.end() && it->point.timeMs < toMs; ++it)
            out.push_back(it->point);
        return out;
    }
    auto lo = std::lower_bound(s->minutes.begin(), s->minutes.end(), fromMs,
                               [](const Series::Minute &e, qint64 v) { return e.timeMs < v; });
    for (auto it = lo; it != s->minutes.end() && it->timeMs < toMs; ++it) {
        if (it->dirty) {
            it->point = summarize(it->timeMs, kMinuteMs, it->full());
            it->dirty = false;
        }
        out.push_back(it->point);
    }
    return out;
}

std::vector<std::pair<qint64, LatencySketch>>
SeriesStore::latencySketches(SeriesId id, qint64 fromMs, qint64 toMs, Resolution resolution) const
{
    std::vector<std::pair<qint64, LatencySketch>> out;
    const Series *s = series(id);
    if (!s || fromMs >= toMs)
        return out;
    if (resolution == Resolution::Second) {
        auto lo =
            std::lower_bound(s->seconds.begin(), s->seconds.end(), fromMs,
                             [](const Series::Second &e, qint64 v) { return e.point.timeMs < v; });
        for (auto it = lo; it != s->seconds.end() && it->point.timeMs < toMs; ++it) {
            if (it->hasSketches)
                out.emplace_back(it->point.timeMs, it->latency.expand());
        }
        return out;
    }
    auto lo = std::lower_bound(s->minutes.begin(), s->minutes.end(), fromMs,
                               [](const Series::Minute &e, qint64 v) { return e.timeMs < v; });
    for (auto it = lo; it != s->minutes.end() && it->timeMs < toMs; ++it)
        out.emplace_back(it->timeMs,
                         it->packed ? it->packedLatency.expand() : it->aggregate.latency);
    return out;
}

std::optional<SeriesWindow> SeriesStore::window(SeriesId id, qint64 fromMs, qint64 toMs) const
{
    const Series *s = series(id);
    if (!s || fromMs >= toMs)
        return std::nullopt;
    SeriesWindow w;
    bool any = false;
    auto lo =
        std::lower_bound(s->seconds.begin(), s->seconds.end(), fromMs,
                         [](const Series::Second &e, qint64 v) { return e.point.timeMs < v; });
    // Exact when no second of the range was trimmed away or stripped of its
    // sketches (seconds are ascending, so checking the first one is enough).
    const bool exact =
        fromMs >= s->trimmedBeforeMs && std::size_t(lo - s->seconds.begin()) >= s->sketchFrom;
    if (exact) {
        for (auto it = lo; it != s->seconds.end() && it->point.timeMs < toMs; ++it) {
            SeriesAggregate a;
            a.count = it->point.count;
            a.errors = it->point.errors;
            a.fallbacks = it->point.fallbacks;
            a.tokens = it->point.tokens;
            a.tokenSamples = it->point.tokenSamples;
            a.latency = it->latency.expand();
            a.ttft = it->ttft.expand();
            w.aggregate.merge(a);
            any = true;
        }
        w.fromMs = fromMs;
        w.toMs = toMs;
        w.exact = true;
    } else {
        w.fromMs = floorTo(fromMs, kMinuteMs);
        w.toMs = floorTo(toMs + kMinuteMs - 1, kMinuteMs);
        w.exact = false;
        auto lo = std::lower_bound(s->minutes.begin(), s->minutes.end(), w.fromMs,
                                   [](const Series::Minute &e, qint64 v) { return e.timeMs < v; });
        for (auto it = lo; it != s->minutes.end() && it->timeMs < w.toMs; ++it) {
            w.aggregate.merge(it->full());
            any = true;
        }
    }
    if (!any)
        return std::nullopt;
    return w;
}

std::size_t SeriesStore::secondCount(SeriesId id) const
{
    const Series *s = series(id);
    return s ? s->seconds.size() : 0;
}

std::size_t SeriesStore::minuteCount(SeriesId id) const
{
    const Series *s = series(id);
    return s ? s->minutes.size() : 0;
}

std::size_t SeriesStore::memoryBytes() const
{
    std::size_t n = m_series.capacity() * sizeof(void *);
    for (const auto &sp : m_series) {
        if (!sp)
            continue;
        n += sizeof(Series);
        for (const auto &e : sp->seconds)
            n += sizeof(e) + e.latency.bytes() + e.ttft.bytes();
        for (const auto &m : sp->minutes)
            n += sizeof(m) + m.aggregate.latency.memoryBytes() + m.aggregate.ttft.memoryBytes() +
                 m.packedLatency.bytes() + m.packedTtft.bytes();
    }
    return n;
}

} // namespace sb
