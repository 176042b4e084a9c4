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

LatencyAggregator::Route *LatencyAggregator::routeFor(const QString &name)
{
    const auto key = reinterpret_cast<quintptr>(name.constData());
    CacheEntry &e = m_cache[(key >> 4) % kCacheSize];
    if (e.route && e.key.constData() == name.constData() && e.key.size() == name.size())
        return e.route;
    Route *r = m_index.value(name, nullptr);
    if (!r) {
        m_routes.push_back(std::make_unique<Route>());
        r = m_routes.back().get();
        r->name = name;
        m_index.insert(name, r);
    }
    e.key = name;
    e.route = r;
    return r;
}

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
    Route *r = routeFor(route);
    Second *s = r->lastSlot;
    if (!s || second != r->lastSecond) {
        s = &r->open[second];
        r->lastSlot = s;
        r->lastSecond = second;
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
    bool dropped = false;
    for (auto &rp : m_routes) {
        Route &r = *rp;
        auto &secs = r.open;
        while (!secs.empty() && secs.begin()->first < boundaryMs) {
            m_ready.push_back({r.name, toPoint(secs.begin()->first, secs.begin()->second)});
            if (r.lastSlot == &secs.begin()->second)
                r.lastSlot = nullptr;
            secs.erase(secs.begin());
        }
        dropped = dropped || secs.empty();
    }
    if (dropped) {
        // Routes that went quiet do not linger (nor in the cache).
        for (auto &e : m_cache) {
            if (e.route && e.route->open.empty())
                e = CacheEntry();
        }
        std::erase_if(m_routes, [&](const std::unique_ptr<Route> &r) {
            if (!r->open.empty())
                return false;
            m_index.remove(r->name);
            return true;
        });
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
    for (const auto &r : m_routes) {
        if (!r->open.empty())
            boundary = std::max(boundary, r->open.rbegin()->first + 1000);
    }
    closeBefore(boundary);
    return takeReady();
}

std::size_t LatencyAggregator::openSeconds() const
{
    std::size_t n = 0;
    for (const auto &r : m_routes)
        n += r->open.size();
    return n;
}

} // namespace sb
