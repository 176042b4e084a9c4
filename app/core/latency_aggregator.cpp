#include "core/latency_aggregator.h"

#include <algorithm>

namespace sb {

namespace {

qint64 floorSecond(qint64 ms)
{
    return ms - (ms % 1000 + 1000) % 1000;
}

} // namespace

LatencyAggregator::LatencyAggregator(qint64 graceMs) : m_graceMs(std::max<qint64>(0, graceMs)) {}

void LatencyAggregator::add(const QString &route, qint64 timeMs, double latencyMs, double ttftMs,
                            bool error, bool fallback)
{
    const qint64 second = floorSecond(timeMs);
    if (second < m_closedBeforeMs) {
        ++m_late;
        return;
    }
    if (!m_any || timeMs > m_newestMs) {
        m_any = true;
        m_newestMs = timeMs;
        // Seconds ending at or before newest - grace are closed. The sample's
        // own second never is: the boundary is at most its start.
        const qint64 boundary = floorSecond(m_newestMs - m_graceMs);
        if (boundary > m_closedBeforeMs)
            closeBefore(boundary);
    }
    Second *s = m_lastSlot;
    if (!s || second != m_lastSecond || route != m_lastRoute) {
        s = &m_open[route][second];
        m_lastSlot = s;
        m_lastSecond = second;
        m_lastRoute = route;
    }
    ++s->count;
    if (error) {
        ++s->errors;
    } else {
        s->latency.record(latencyMs);
        if (ttftMs > 0)
            s->ttft.record(ttftMs);
    }
    if (fallback)
        ++s->fallbacks;
}

LatencyPoint LatencyAggregator::toPoint(qint64 second, const Second &s)
{
    LatencyPoint p;
    p.secondMs = second;
    p.p50 = s.latency.quantile(0.50);
    p.p95 = s.latency.quantile(0.95);
    p.p99 = s.latency.quantile(0.99);
    p.ttftP50 = s.ttft.quantile(0.50);
    p.count = s.count;
    p.errors = s.errors;
    p.fallbacks = s.fallbacks;
    return p;
}

void LatencyAggregator::closeBefore(qint64 boundaryMs)
{
    m_lastSlot = nullptr; // may point into a second erased below
    for (auto it = m_open.begin(); it != m_open.end();) {
        auto &secs = it.value();
        while (!secs.empty() && secs.begin()->first < boundaryMs) {
            m_ready.push_back({it.key(), toPoint(secs.begin()->first, secs.begin()->second)});
            secs.erase(secs.begin());
        }
        // Routes that went quiet do not linger.
        if (secs.empty())
            it = m_open.erase(it);
        else
            ++it;
    }
    m_closedBeforeMs = std::max(m_closedBeforeMs, boundaryMs);
}

std::vector<RoutePoint> LatencyAggregator::takeReady()
{
    std::vector<RoutePoint> out;
    out.swap(m_ready);
    // QHash order is arbitrary; callers (and tests) get a stable order.
    std::sort(out.begin(), out.end(), [](const RoutePoint &a, const RoutePoint &b) {
        if (a.point.secondMs != b.point.secondMs)
            return a.point.secondMs < b.point.secondMs;
        return a.route < b.route;
    });
    return out;
}

std::vector<RoutePoint> LatencyAggregator::takeClosed()
{
    return takeReady();
}

std::vector<RoutePoint> LatencyAggregator::takeAll()
{
    qint64 boundary = m_closedBeforeMs;
    for (const auto &secs : std::as_const(m_open)) {
        if (!secs.empty())
            boundary = std::max(boundary, secs.rbegin()->first + 1000);
    }
    closeBefore(boundary);
    return takeReady();
}

std::size_t LatencyAggregator::openSeconds() const
{
    std::size_t n = 0;
    for (const auto &secs : m_open)
        n += secs.size();
    return n;
}

} // namespace sb
