#include "core/otlp_sink.h"

#include <QDateTime>
#include <algorithm>
#include <cmath>

namespace sb {

namespace {

// More requests than this in one point of one second is not a real service's
// count but a corrupt or hostile one; refusing it keeps every second's totals
// far from overflow (errors can never wrap past count).
constexpr quint64 kMaxPointCount = quint64(1) << 40;

ExponentialBuckets lowered(const ExponentialBuckets &b, int by)
{
    if (by <= 0 || b.counts.empty())
        return b;
    ExponentialBuckets out = b;
    out.scale = b.scale - by;
    const int64_t lo = int64_t(b.offset) >> by;
    const int64_t hi = (int64_t(b.offset) + int64_t(b.counts.size()) - 1) >> by;
    out.offset = int32_t(lo);
    out.counts.assign(std::size_t(hi - lo + 1), 0);
    for (std::size_t k = 0; k < b.counts.size(); ++k)
        out.counts[std::size_t(((int64_t(b.offset) + int64_t(k)) >> by) - lo)] += b.counts[k];
    return out;
}

std::optional<double> difference(const std::optional<double> &cur,
                                 const std::optional<double> &prev)
{
    if (!cur || !prev)
        return std::nullopt;
    return std::max(0.0, *cur - *prev);
}

// cur - prev, bucket by bucket; nullopt when anything went down (a reset).
std::optional<ExponentialBuckets> subtract(const ExponentialBuckets &cur,
                                           const ExponentialBuckets &prevIn)
{
    if (cur.scale > prevIn.scale || cur.count < prevIn.count || cur.zeroCount < prevIn.zeroCount)
        return std::nullopt;
    const ExponentialBuckets prev = lowered(prevIn, prevIn.scale - cur.scale);
    ExponentialBuckets d = cur;
    d.zeroCount = cur.zeroCount - prev.zeroCount;
    d.count = cur.count - prev.count;
    for (std::size_t k = 0; k < prev.counts.size(); ++k) {
        const uint64_t p = prev.counts[k];
        if (p == 0)
            continue;
        const int64_t at = int64_t(prev.offset) + int64_t(k) - int64_t(cur.offset);
        if (at < 0 || at >= int64_t(d.counts.size()) || d.counts[std::size_t(at)] < p)
            return std::nullopt;
        d.counts[std::size_t(at)] -= p;
    }
    d.sum = difference(cur.sum, prev.sum);
    d.min.reset(); // min and max are the cumulative's; the delta's are unknown
    d.max.reset();
    return d;
}

std::optional<ExplicitBuckets> subtract(const ExplicitBuckets &cur, const ExplicitBuckets &prev)
{
    if (cur.bounds != prev.bounds || cur.counts.size() != prev.counts.size() ||
        cur.count < prev.count)
        return std::nullopt;
    ExplicitBuckets d = cur;
    d.count = cur.count - prev.count;
    for (std::size_t k = 0; k < cur.counts.size(); ++k) {
        if (cur.counts[k] < prev.counts[k])
            return std::nullopt;
        d.counts[k] = cur.counts[k] - prev.counts[k];
    }
    d.sum = difference(cur.sum, prev.sum);
    d.min.reset();
    d.max.reset();
    return d;
}

} // namespace

OtlpSink::OtlpSink() : OtlpSink(Options{}) {}

bool OtlpSink::coveredBySpans(const OtlpPoint &p, quint64 fromNs) const
{
    auto it = m_spanSignalNs.constFind(p.service);
    if (it == m_spanSignalNs.cend())
        return false;
    const quint64 newest = (*it)[std::size_t(p.signal)];
    // Without a start time, only a point not newer than the spans is theirs.
    return newest != 0 && (fromNs ? fromNs : p.timeNs) <= newest;
}

OtlpSink::OtlpSink(Options options) : m_options(options)
{
    if (m_options.startNs == 0)
        m_options.startNs = quint64(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
}

bool OtlpSink::toDelta(OtlpPoint &p)
{
    if (!p.cumulative)
        return true;
    auto it = m_previous.find(p.stream);
    const auto remember = [&] {
        Previous prev{p.startNs, p.timeNs, p.exponential, p.exp, p.hist};
        m_previous.insert(p.stream, std::move(prev));
    };
    if (it == m_previous.end()) {
        const bool ours = p.startNs != 0 && p.startNs >= m_options.startNs;
        const bool spans = ours && coveredBySpans(p, p.startNs);
        remember();
        if (!ours)
            ++m_stats.baselines;
        if (spans)
            ++m_stats.handovers;
        return ours && !spans;
    }
    Previous &prev = it.value();
    if (p.timeNs <= prev.timeNs && p.startNs == prev.startNs) {
        ++m_stats.duplicates;
        return false;
    }
    bool reset = p.startNs != prev.startNs || p.exponential != prev.exponential;
    if (!reset) {
        if (p.exponential) {
            auto d = subtract(p.exp, prev.exp);
            reset = !d;
            if (d) {
                remember();
                p.exp = std::move(*d);
                return true;
            }
        } else {
            auto d = subtract(p.hist, prev.hist);
            reset = !d;
            if (d) {
                remember();
                p.hist = std::move(*d);
                return true;
            }
        }
    }
    ++m_stats.resets;
    remember(); // counts whole: everything since the new start
    return true;
}

void OtlpSink::add(const OtlpPoint &p, SeriesId id, qint64 secondMs, OtlpAccepted &result)
{
    const uint64_t n = p.exponential ? p.exp.count : p.hist.count;
    if (n > kMaxPointCount) {
        result.reject(QStringLiteral("%1: a count of %2 in one point is not plausible")
                          .arg(p.series.route)
                          .arg(n));
        return;
    }
    if (p.signal == OtelSignal::OutputTokens) {
        const auto &sum = p.exponential ? p.exp.sum : p.hist.sum;
        if (!sum) {
            result.reject(QStringLiteral("token usage without a sum"));
            return;
        }
        auto &a = m_pending[{secondMs, id}];
        const double tokens =
            std::isfinite(*sum) ? std::clamp(*sum, 0.0, double(kMaxPointCount)) : 0;
        a.tokens += quint64(std::llround(tokens));
        a.tokenSamples += n;
        ++result.accepted;
        return;
    }
    if (p.signal == OtelSignal::Latency && p.error) {
        auto &a = m_pending[{secondMs, id}];
        a.count += n;
        a.errors += n;
        ++result.accepted;
        return;
    }
    QString why;
    auto imported = p.exponential ? importExponential(p.exp, p.unitFactor, &why)
                                  : importExplicit(p.hist, p.unitFactor, &why);
    if (!imported) {
        result.reject(why);
        return;
    }
    auto &a = m_pending[{secondMs, id}];
    // Into an empty sketch by assignment: merging would first lower a finer
    // import to the empty sketch's default scale.
    LatencySketch &target = p.signal == OtelSignal::Latency ? a.latency : a.ttft;
    if (p.signal == OtelSignal::Latency)
        a.count += n;
    if (target.count() == 0)
        target = std::move(imported->sketch);
    else
        target.merge(imported->sketch);
    OtlpSeriesInfo &info = m_info[id];
    info.relativeError = std::max(info.relativeError, imported->relativeError);
    info.minScale = std::min(info.minScale, imported->sourceScale);
    info.exact = info.exact && imported->exact;
    ++result.accepted;
}

OtlpAccepted OtlpSink::acceptMetrics(std::vector<OtlpPoint> &&points, qint64 nowMs)
{
    OtlpAccepted result;
    std::lock_guard lock(m_mutex);
    for (auto &p : points) {
        const qint64 ms = qint64(p.timeNs / 1'000'000ULL);
        if (p.timeNs == 0 || ms < nowMs - m_options.maxAgeMs || ms > nowMs + m_options.maxAheadMs) {
            result.reject(QStringLiteral("%1: time_unix_nano is not within the last 7 days")
                              .arg(p.series.route));
            continue;
        }
        m_metricSignals[p.service] |= quint8(1u << unsigned(p.signal));
        const SeriesId id = m_interner.intern(p.series);
        if (!p.instance.isEmpty())
            m_info[id].instances.insert(p.instance);
        if (p.signal == OtelSignal::Latency && !p.exemplars.empty()) {
            // Exemplars stand on their own: a retry's are the same ones again.
            auto &ex = m_exemplars[id];
            for (auto &e : p.exemplars) {
                if (std::find(ex.begin(), ex.end(), e) == ex.end())
                    ex.push_back(std::move(e));
            }
            if (ex.size() > kMaxExemplars)
                ex.erase(ex.begin(), ex.begin() + std::ptrdiff_t(ex.size() - kMaxExemplars));
        }
        if (!p.cumulative && coveredBySpans(p, p.startNs)) {
            ++m_stats.handovers; // its requests were counted from their spans
            ++result.accepted;
            continue;
        }
        if (!toDelta(p)) {
            ++result.accepted; // a baseline or a retry: well-formed, counts nothing
            continue;
        }
        add(p, id, ms - ms % 1000, result);
    }
    m_stats.points += result.accepted;
    m_stats.rejected += result.rejected;
    return result;
}

OtlpAccepted OtlpSink::acceptSpans(std::vector<OtlpSpan> &&spans, qint64 nowMs)
{
    OtlpAccepted result;
    std::lock_guard lock(m_mutex);
    for (auto &s : spans) {
        const qint64 ms = qint64(s.endNs / 1'000'000ULL);
        if (s.endNs == 0 || ms < nowMs - m_options.maxAgeMs || ms > nowMs + m_options.maxAheadMs) {
            result.reject(QStringLiteral("span end time is not within the last 7 days"));
            continue;
        }
        if (!std::isfinite(s.latencyMs) || s.latencyMs < 0) {
            result.reject(QStringLiteral("span ends before it starts"));
            continue;
        }
        ++result.accepted;
        // Each signal from the spans unless the service's metrics carry it.
        const quint8 byMetrics = m_metricSignals.value(s.service, 0);
        const auto fromSpans = [&](OtelSignal signal) {
            if (byMetrics & (1u << unsigned(signal)))
                return false;
            quint64 &newest = m_spanSignalNs[s.service][std::size_t(signal)];
            newest = std::max(newest, s.endNs);
            return true;
        };
        const bool requests = fromSpans(OtelSignal::Latency);
        const bool ttft = !s.error && s.ttftMs && std::isfinite(*s.ttftMs) && *s.ttftMs >= 0 &&
                          fromSpans(OtelSignal::Ttft);
        const bool tokens = !s.error && s.outputTokens && fromSpans(OtelSignal::OutputTokens);
        if (!requests && !ttft && !tokens) {
            ++m_stats.ignored;
            continue;
        }
        const SeriesId id = m_interner.intern(s.series);
        auto &a = m_pending[{ms - ms % 1000, id}];
        if (requests) {
            ++a.count;
            if (s.error)
                ++a.errors;
            else
                a.latency.record(s.latencyMs);
            OtlpSeriesInfo &info = m_info[id];
            info.relativeError =
                std::max(info.relativeError, scaleRelativeError(a.latency.scale()));
        }
        if (ttft)
            a.ttft.record(*s.ttftMs);
        if (tokens) {
            a.tokens += *s.outputTokens;
            ++a.tokenSamples;
        }
    }
    m_stats.points += result.accepted;
    m_stats.rejected += result.rejected;
    return result;
}

bool OtlpSink::overloaded() const
{
    std::lock_guard lock(m_mutex);
    return m_pending.size() >= m_options.maxPendingSeconds;
}

SeriesUpdate OtlpSink::take()
{
    SeriesUpdate u;
    std::lock_guard lock(m_mutex);
    const auto known = SeriesId(m_interner.size());
    for (SeriesId id = m_reported; id < known; ++id) {
        if (auto k = m_interner.key(id))
            u.newSeries.emplace_back(id, *k);
    }
    m_reported = known;
    u.seconds.reserve(m_pending.size());
    for (auto &[k, a] : m_pending)
        u.seconds.push_back(SeriesSecond{k.second, k.first, std::move(a)});
    m_pending.clear();
    return u;
}

std::optional<OtlpSeriesInfo> OtlpSink::info(SeriesId id) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_info.constFind(id);
    if (it == m_info.cend())
        return std::nullopt;
    return it.value();
}

std::vector<Exemplar> OtlpSink::exemplars(SeriesId id, qint64 fromMs, qint64 toMs,
                                          double minValueMs) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_exemplars.constFind(id);
    if (it == m_exemplars.cend())
        return {};
    return slowest(it.value(), fromMs, toMs, minValueMs);
}

OtlpSink::Stats OtlpSink::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace sb
