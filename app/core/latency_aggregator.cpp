#include "core/latency_aggregator.h"

#include <algorithm>

namespace sb {

LatencyAggregator::LatencyAggregator(qint64 graceMs) : m_graceMs(graceMs) {}

void LatencyAggregator::add(const QString &route, qint64 timeMs, double latencyMs, double ttftMs,
                            bool error, bool fallback)
{
    if (timeMs < m_closedBeforeMs) {
        ++m_late;
        return;
    }
    m_newestMs = std::max(m_newestMs, timeMs);
    const qint64 second = timeMs - (timeMs % 1000 + 1000) % 1000;
    Second &s = m_open[route][second];
    ++s.count;
    if (error) {
        ++s.errors;
    } else {
        s.latency.record(latencyMs);
        if (ttftMs > 0)
            s.ttft.record(ttftMs);
    }
    if (fallback)
        ++s.fallbacks;
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

std::vector<RoutePoint> LatencyAggregator::takeClosed()
{
    std::vector<RoutePoint> out;
    const qint64 limit = m_newestMs - m_graceMs; // seconds ending at or before this are closed
    for (auto it = m_open.begin(); it != m_open.end(); ++it) {
        auto &secs = it.value();
        while (!secs.empty() && secs.begin()->first + 1000 <= limit) {
            out.push_back({it.key(), toPoint(secs.begin()->first, secs.begin()->second)});
            m_closedBeforeMs = std::max(m_closedBeforeMs, secs.begin()->first + 1000);
            secs.erase(secs.begin());
        }
    }
    return out;
}

std::vector<RoutePoint> LatencyAggregator::takeAll()
{
    std::vector<RoutePoint> out;
    for (auto it = m_open.begin(); it != m_open.end(); ++it) {
        for (const auto &[second, s] : it.value())
            out.push_back({it.key(), toPoint(second, s)});
        if (!it.value().empty())
            m_closedBeforeMs = std::max(m_closedBeforeMs, it.value().rbegin()->first + 1000);
    }
    m_open.clear();
    return out;
}

std::size_t LatencyAggregator::openSeconds() const
{
    std::size_t n = 0;
    for (const auto &secs : m_open)
        n += secs.size();
    return n;
}

} // namespace sb
