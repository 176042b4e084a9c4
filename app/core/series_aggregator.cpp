#include "core/series_aggregator.h"

#include <algorithm>

namespace sb {

SeriesAggregator::SeriesAggregator(qint64 graceMs) : m_graceMs(std::max<qint64>(0, graceMs)) {}

bool SeriesAggregator::enterSecond(qint64 timeMs)
{
    const qint64 second = floorSecond(timeMs);
    if (second < m_closedBeforeMs)
        return false;
    // Close first: opening a second and then closing it would lose the cache.
    if (timeMs * 1000 >= m_closeAtUs)
        closeUpTo(timeMs);
    m_cur = openSecond(second);
    m_curCells = m_cur->cells.size();
    return true;
}

void SeriesAggregator::growCells(SeriesId series)
{
    m_cur->cells.resize(std::size_t(series) + 1);
    m_curCells = m_cur->cells.size();
}

void SeriesAggregator::closeUpTo(qint64 timeMs)
{
    // Seconds ending at or before newest - grace close. The sample's own
    // second never does: the boundary is at most its start.
    const qint64 boundary = floorSecond(timeMs - m_graceMs);
    if (boundary > m_closedBeforeMs)
        closeBefore(boundary);
    m_closeAtUs = (m_closedBeforeMs + 1000 + m_graceMs) * 1000;
}

SeriesAggregator::Open *SeriesAggregator::openSecond(qint64 second)
{
    m_curSecond = second;
    m_curSecondUs = second * 1000;
    auto it =
        std::lower_bound(m_open.begin(), m_open.end(), second,
                         [](const std::unique_ptr<Open> &o, qint64 s) { return o->secondMs < s; });
    if (it != m_open.end() && (*it)->secondMs == second)
        return it->get();
    std::unique_ptr<Open> o;
    if (!m_spare.empty()) {
        o = std::move(m_spare.back());
        m_spare.pop_back();
    } else {
        o = std::make_unique<Open>();
    }
    o->secondMs = second;
    return m_open.insert(it, std::move(o))->get();
}

void SeriesAggregator::closeBefore(qint64 boundaryMs)
{
    std::size_t closed = 0;
    while (closed < m_open.size() && m_open[closed]->secondMs < boundaryMs) {
        Open &o = *m_open[closed];
        for (std::size_t id = 0; id < o.cells.size(); ++id) {
            Slot &s = o.cells[id];
            if (s.count == 0)
                continue;
            SeriesSecond &out = m_ready.emplace_back();
            out.series = SeriesId(id);
            out.secondMs = o.secondMs;
            out.aggregate.count = s.count;
            out.aggregate.errors = s.errors;
            out.aggregate.fallbacks = s.fallbacks;
            out.aggregate.tokens = s.tokens;
            out.aggregate.tokenSamples = s.tokenSamples;
            out.aggregate.latency = s.latency.toSketch();
            out.aggregate.ttft = s.ttft.toSketch();
            s.count = s.errors = s.fallbacks = s.tokens = s.tokenSamples = 0;
            s.latency.clear();
            s.ttft.clear();
        }
        if (m_cur == &o) {
            m_cur = nullptr;
            m_curCells = 0;
            m_curSecond = m_curSecondUs = std::numeric_limits<qint64>::min();
        }
        ++closed;
    }
    for (std::size_t i = 0; i < closed; ++i) {
        // Keep a few for reuse; a burst of out-of-order seconds is not kept.
        if (m_spare.size() < 4)
            m_spare.push_back(std::move(m_open[i]));
    }
    m_open.erase(m_open.begin(), m_open.begin() + std::ptrdiff_t(closed));
    m_closedBeforeMs = std::max(m_closedBeforeMs, boundaryMs);
}

std::vector<SeriesSecond> SeriesAggregator::takeClosed()
{
    std::vector<SeriesSecond> out;
    out.swap(m_ready);
    return out; // seconds close in ascending order, each sorted by series
}

std::vector<SeriesSecond> SeriesAggregator::takeAll()
{
    if (!m_open.empty()) {
        closeBefore(m_open.back()->secondMs + 1000);
        m_closeAtUs = (m_closedBeforeMs + 1000 + m_graceMs) * 1000;
    }
    return takeClosed();
}

} // namespace sb
