#include "core/series_aggregator.h"

#include <algorithm>

namespace sb {

SeriesAggregator::SeriesAggregator(qint64 graceMs) : m_graceMs(std::max<qint64>(0, graceMs)) {}

void SeriesAggregator::advance(qint64 timeMs)
{
    m_newestMs = timeMs;
    // Seconds ending at or before newest - grace close. The sample's own
    // second never does: the boundary is at most its start.
    const qint64 boundary = floorSecond(timeMs - m_graceMs);
    if (boundary > m_closedBeforeMs)
        closeBefore(boundary);
}

SeriesAggregator::Open *SeriesAggregator::openSecond(qint64 second)
{
    m_curSecond = second;
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
        std::sort(o.entries.begin(), o.entries.end(),
                  [](const SeriesSecond &a, const SeriesSecond &b) { return a.series < b.series; });
        for (auto &s : o.entries) {
            o.slotOf[s.series] = -1;
            m_ready.push_back(std::move(s));
        }
        o.entries.clear();
        if (m_cur == &o) {
            m_cur = nullptr;
            m_curSecond = std::numeric_limits<qint64>::min();
        }
        ++closed;
    }
    for (std::size_t i = 0; i < closed; ++i) {
        // Keep a couple for reuse; a burst of out-of-order seconds is not kept.
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
    if (!m_open.empty())
        closeBefore(m_open.back()->secondMs + 1000);
    return takeClosed();
}

} // namespace sb
