#pragma once

// ChartMarkers: routing changes and label moves drawn on the latency chart's
// panels as dashed vertical lines, with a short label at the top of the first
// panel where there is room. Only the markers inside the shown time range get
// items (a pool reused across replots), so a long audit trail costs nothing
// off screen. near() finds the marker under the mouse for the hover text.

#include "ui/latency/chart_marker.h"

#include <QColor>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QCPItemText;
class QCPRange;

namespace sb {

class ChartMarkers
{
public:
    ChartMarkers(QCustomPlot *plot, std::vector<QCPAxisRect *> panels);

    void set(std::vector<ChartMarker> markers); // any order
    const std::vector<ChartMarker> &markers() const { return m_markers; }
    void setColor(const QColor &line, const QColor &text);
    // Places items for the markers within keys (seconds since the epoch).
    void layout(const QCPRange &keys);
    // The marker within `pixels` of plot x coordinate `x`, if any.
    const ChartMarker *near(double x, double pixels = 5) const;
    int shownCount() const { return m_shown; }

private:
    struct Items
    {
        std::vector<QCPItemStraightLine *> lines; // one per panel
        QCPItemText *label = nullptr;
    };
    Items &itemsAt(int index);

    QCustomPlot *m_plot;
    std::vector<QCPAxisRect *> m_panels;
    std::vector<ChartMarker> m_markers; // ascending by time
    std::vector<Items> m_pool;
    QColor m_line;
    QColor m_text;
    int m_shown = 0;
};

} // namespace sb
