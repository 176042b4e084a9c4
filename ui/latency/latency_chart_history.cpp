// LatencyChart, its history half: older seconds and minutes merged in
// without duplicates, trimming back to the live hour, the shown range,
// markers, legend visibility and what exports read.

#include "ui/latency/chart_markers.h"
#include "ui/latency/chart_style.h"
#include "ui/latency/decimated_graph.h"
#include "ui/latency/latency_chart_series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sb {

using namespace chart;

namespace {

constexpr qint64 kKeepMs = 3600 * 1000;

std::deque<SeriesPoint>::const_iterator at(const std::deque<SeriesPoint> &d, qint64 ms)
{
    return std::lower_bound(d.begin(), d.end(), ms,
                            [](const SeriesPoint &p, qint64 t) { return p.timeMs < t; });
}

} // namespace

void LatencyChart::trimToLive(Series &s)
{
    // Following live, the chart holds the chosen window (at least the last
    // hour); history loaded while looking further back goes once the user
    // returns.
    if (s.points.empty())
        return;
    const qint64 keep = std::max(kKeepMs, qint64(m_windowSeconds) * 1000 + 60'000);
    const qint64 cut = s.points.back().timeMs - keep;
    const bool oldSeconds = s.points.front().timeMs < cut;
    const bool oldMinutes = !s.minutes.empty() && s.minutes.front().timeMs < cut;
    if (!oldSeconds && !oldMinutes)
        return;
    while (!s.points.empty() && s.points.front().timeMs < cut)
        s.points.pop_front();
    while (!s.minutes.empty() && s.minutes.front().timeMs < cut)
        s.minutes.pop_front();
    for (auto *g : s.graphs)
        g->removeBefore(double(cut) / 1000.0);
}

void LatencyChart::redraw(Series &s, Resolution resolution)
{
    const auto &from = resolution == Resolution::Second ? s.points : s.minutes;
    std::vector<double> keys;
    std::vector<double> values[NB_LINES];
    keys.reserve(from.size());
    for (const auto &p : from) {
        keys.push_back(double(p.timeMs) / 1000.0);
        for (int l = 0; l < NB_LINES; ++l)
            values[l].push_back(lineValue(l, p));
    }
    const auto r = resolution == Resolution::Second ? DecimatedGraph::Resolution::Fine
                                                    : DecimatedGraph::Resolution::Coarse;
    for (int l = 0; l < NB_LINES; ++l)
        s.graphs[l]->setData(r, keys, values[l]);
}

void LatencyChart::addHistory(const QString &id, Resolution resolution,
                              const std::vector<SeriesPoint> &points)
{
    Series *s = find(id);
    if (!s || points.empty())
        return;
    // Only what is older than everything held at a finer or equal resolution.
    qint64 before =
        s->points.empty() ? std::numeric_limits<qint64>::max() : s->points.front().timeMs;
    auto &into = resolution == Resolution::Second ? s->points : s->minutes;
    if (resolution == Resolution::Minute && !s->minutes.empty())
        before = std::min(before, s->minutes.front().timeMs);
    std::vector<SeriesPoint> older;
    for (const auto &p : points) {
        if (p.timeMs + p.durationMs <= before && (older.empty() || p.timeMs > older.back().timeMs))
            older.push_back(p);
    }
    if (older.empty())
        return;
    into.insert(into.begin(), older.begin(), older.end());
    if (resolution == Resolution::Second) {
        // Minutes overlapping the new seconds are now redundant.
        const qint64 first = s->points.front().timeMs;
        while (!s->minutes.empty() && s->minutes.back().timeMs + 60'000 > first)
            s->minutes.pop_back();
        redraw(*s, Resolution::Minute);
    }
    redraw(*s, resolution);
    m_dirty = true;
    updateEmpty();
    updateLegend(); // a series with history only says what it shows
}

QMargins LatencyChart::plotMargins() const
{
    return m_panels[LatencyPanel]->margins();
}

std::size_t LatencyChart::minuteCount(const QString &id) const
{
    const Series *s = find(id);
    return s ? s->minutes.size() : 0;
}

std::pair<qint64, qint64> LatencyChart::visibleRangeMs() const
{
    const QCPRange r = m_panels[0]->axis(QCPAxis::atBottom)->range();
    return {qint64(std::floor(r.lower * 1000.0)), qint64(std::ceil(r.upper * 1000.0))};
}

void LatencyChart::setVisibleRangeMs(qint64 fromMs, qint64 toMs)
{
    setFollowing(false);
    m_panels[0]->axis(QCPAxis::atBottom)->setRange(fromMs / 1000.0, toMs / 1000.0);
    m_dirty = true;
}

void LatencyChart::setMarkers(const std::vector<ChartMarker> &markers)
{
    m_markers->set(markers);
    m_dirty = true;
}

int LatencyChart::shownMarkerCount() const
{
    return m_markers->shownCount();
}

void LatencyChart::setSeriesVisible(const QString &id, bool visible)
{
    Series *s = find(id);
    if (!s || s->visible == visible)
        return;
    s->visible = visible;
    for (auto *g : s->graphs)
        g->setVisible(visible);
    m_dirty = true;
    updateLegend();
}

bool LatencyChart::isSeriesVisible(const QString &id) const
{
    const Series *s = find(id);
    return s && s->visible;
}

QString LatencyChart::label(const QString &id) const
{
    const Series *s = find(id);
    return s ? s->label : QString();
}

std::vector<std::pair<QString, std::vector<SeriesPoint>>> LatencyChart::visiblePoints() const
{
    const auto [from, to] = visibleRangeMs();
    std::vector<std::pair<QString, std::vector<SeriesPoint>>> out;
    for (const auto &s : m_series) {
        if (!s->visible)
            continue;
        std::vector<SeriesPoint> pts;
        for (const auto *d : {&s->minutes, &s->points}) {
            for (auto it = at(*d, from - 59'999); it != d->end() && it->timeMs < to; ++it) {
                if (it->timeMs + it->durationMs > from)
                    pts.push_back(*it);
            }
        }
        out.emplace_back(s->label, std::move(pts));
    }
    return out;
}

} // namespace sb
