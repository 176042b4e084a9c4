#include "core/latency_history.h"

#include <algorithm>

namespace sb {

static const std::deque<LatencyPoint> kEmptySeries;

RecentStats recentStats(const std::deque<LatencyPoint> &series, qint64 nowMs, int windowSeconds,
                        qint64 staleAfterMs)
{
    RecentStats s;
    if (series.empty())
        return s;
    s.newestMs = series.back().secondMs;
    s.current = nowMs - s.newestMs <= staleAfterMs;
    const qint64 from = nowMs - qint64(windowSeconds) * 1000;
    for (auto it = series.rbegin(); it != series.rend() && it->secondMs > from; ++it) {
        if (it->secondMs > nowMs)
            continue; // a clock ahead of ours: not in the window
        s.count += it->count;
        s.errors += it->errors;
        s.fallbacks += it->fallbacks;
        ++s.seconds;
    }
    return s;
}

void LatencyHistory::add(const QString &route, const std::vector<LatencyPoint> &points)
{
    if (points.empty())
        return;
    auto &s = m_series[route];
    for (const auto &p : points) {
        if (s.empty() || p.secondMs > s.back().secondMs) {
            s.push_back(p);
            continue;
        }
        auto it = std::lower_bound(s.begin(), s.end(), p.secondMs,
                                   [](const LatencyPoint &a, qint64 t) { return a.secondMs < t; });
        if (it != s.end() && it->secondMs == p.secondMs)
            *it = p;
        else
            s.insert(it, p);
    }
    const qint64 cutoff = s.back().secondMs - kKeepMs;
    while (!s.empty() && s.front().secondMs < cutoff)
        s.pop_front();
    emit changed(route);
}

const std::deque<LatencyPoint> &LatencyHistory::series(const QString &route) const
{
    auto it = m_series.find(route);
    return it == m_series.end() ? kEmptySeries : it.value();
}

void LatencyHistory::clear()
{
    const QStringList routes = m_series.keys();
    m_series.clear();
    for (const auto &r : routes)
        emit changed(r);
}

QStringList LatencyHistory::routes() const
{
    QStringList r = m_series.keys();
    r.sort();
    return r;
}

} // namespace sb
