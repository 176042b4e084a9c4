#include "ui/latency/chart_markers.h"

#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

namespace {

constexpr int kMaxShown = 200;      // beyond this the lines would be a solid block anyway
constexpr double kLabelGapPx = 140; // labels closer than this to the previous one are left out

} // namespace

ChartMarkers::ChartMarkers(QCustomPlot *plot, std::vector<QCPAxisRect *> panels)
    : m_plot(plot), m_panels(std::move(panels)), m_line(Qt::darkYellow), m_text(Qt::black)
{}

void ChartMarkers::set(std::vector<ChartMarker> markers)
{
    std::stable_sort(
        markers.begin(), markers.end(),
        [](const ChartMarker &a, const ChartMarker &b) { return a.timeMs < b.timeMs; });
    m_markers = std::move(markers);
}

void ChartMarkers::setColor(const QColor &line, const QColor &text)
{
    m_line = line;
    m_text = text;
    for (auto &items : m_pool) {
        for (auto *l : items.lines)
            l->setPen(QPen(m_line, 1, Qt::DashLine));
        items.label->setColor(m_text);
    }
}

ChartMarkers::Items &ChartMarkers::itemsAt(int index)
{
    while (int(m_pool.size()) <= index) {
        Items items;
        for (QCPAxisRect *rect : m_panels) {
            auto *line = new QCPItemStraightLine(m_plot);
            line->setClipAxisRect(rect);
            line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            line->setPen(QPen(m_line, 1, Qt::DashLine));
            line->setSelectable(false);
            items.lines.push_back(line);
        }
        QCPAxisRect *top = m_panels.front();
        auto *label = new QCPItemText(m_plot);
        label->setClipAxisRect(top);
        label->position->setAxes(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setAxisRect(top);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setPadding(QMargins(3, 1, 3, 1));
        label->setColor(m_text);
        label->setSelectable(false);
        items.label = label;
        m_pool.push_back(std::move(items));
    }
    return m_pool[std::size_t(index)];
}

void ChartMarkers::layout(const QCPRange &keys)
{
    auto lo =
        std::lower_bound(m_markers.begin(), m_markers.end(), keys.lower,
                         [](const ChartMarker &m, double k) { return m.timeMs / 1000.0 < k; });
    int n = 0;
    double lastLabelPx = -1e9;
    QCPAxis *x = m_panels.front()->axis(QCPAxis::atBottom);
    for (auto it = lo; it != m_markers.end() && it->timeMs / 1000.0 <= keys.upper && n < kMaxShown;
         ++it, ++n) {
        Items &items = itemsAt(n);
        const double key = double(it->timeMs) / 1000.0;
        for (auto *l : items.lines) {
            l->point1->setCoords(key, 0);
            l->point2->setCoords(key, 1);
            l->setVisible(true);
        }
        const double px = x->coordToPixel(key);
        const bool room = px - lastLabelPx >= kLabelGapPx;
        items.label->position->setCoords(key, 0.0);
        items.label->setText(it->title);
        // Near the right edge the label goes left of its line, so it is not cut off.
        const bool flip = px > m_panels.front()->right() - kLabelGapPx;
        items.label->setPositionAlignment((flip ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        items.label->setVisible(room);
        if (room)
            lastLabelPx = px;
    }
    m_shown = n;
    for (std::size_t i = std::size_t(n); i < m_pool.size(); ++i) {
        for (auto *l : m_pool[i].lines)
            l->setVisible(false);
        m_pool[i].label->setVisible(false);
    }
}

const ChartMarker *ChartMarkers::near(double x, double pixels) const
{
    if (m_panels.empty())
        return nullptr;
    QCPAxis *axis = m_panels.front()->axis(QCPAxis::atBottom);
    const ChartMarker *best = nullptr;
    double bestDist = pixels + 1;
    const double key = axis->pixelToCoord(x);
    const double perPixel = std::abs(axis->pixelToCoord(x + 1) - key);
    auto lo =
        std::lower_bound(m_markers.begin(), m_markers.end(), key - (pixels + 1) * perPixel,
                         [](const ChartMarker &m, double k) { return m.timeMs / 1000.0 < k; });
    for (auto it = lo; it != m_markers.end(); ++it) {
        const double d = std::abs(axis->coordToPixel(it->timeMs / 1000.0) - x);
        if (it->timeMs / 1000.0 > key + (pixels + 1) * perPixel)
            break;
        if (d <= pixels && d < bestDist) {
            best = &*it;
            bestDist = d;
        }
    }
    return best;
}

} // namespace sb
