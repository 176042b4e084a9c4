#pragma once

// ChartMarkers: what happened, drawn on the latency chart's panels: points
// (changes, circuits) as dashed vertical lines with a short label at the top
// of the first panel where there is room, ranges (drills, disconnects, note
// bands) as translucent bands, each in its kind's colour. Only what lies in
// the shown time range gets items (pools reused across replots), so a long
// timeline costs nothing off screen. near() finds the marker under the mouse
// (a line within a few pixels, else the narrowest band under it) for the
// hover text.
//
// ChartRangeDrag: shift-drag across a panel selects a time range (shown as a
// band while dragging) and emits it, e.g. to add a note band; a plain drag
// still pans.

#include "ui/latency/chart_marker.h"

#include <QColor>
#include <QObject>
#include <QString>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QCPRange;

namespace sb {

// A chart marker's title for an audit row: what changed, in words
// ("Fallbacks forced on chat"), not the service's action key
// ("route.bypass_primary route/chat"); an action it does not know keeps its
// key. The Latency chart's audit markers and the timeline's use it.
QString auditMarkerTitle(const QString &action, const QString &target);

class ChartMarkers
{
public:
    ChartMarkers(QCustomPlot *plot, std::vector<QCPAxisRect *> panels);

    void set(std::vector<ChartMarker> markers); // any order
    const std::vector<ChartMarker> &markers() const { return m_markers; }
    void setColor(const QColor &line, const QColor &text);
    // Places items for the markers within keys (seconds since the epoch).
    void layout(const QCPRange &keys);
    // The marker within `pixels` of plot x coordinate `x`, else the band under it.
    const ChartMarker *near(double x, double pixels = 5) const;
    int shownCount() const { return m_shown; }
    int shownBandCount() const { return m_shownBands; }
    // The colour of a kind's markers (-1: the audit trail's).
    QColor colorOf(int kind) const;
    // A core EventKind's colour (the Timeline page's toggles use it too).
    static QColor kindColor(int kind);

private:
    struct Items
    {
        std::vector<QCPItemStraightLine *> lines; // one per panel
        QCPItemText *label = nullptr;
    };
    Items &itemsAt(int index);
    struct Band
    {
        std::vector<QCPItemRect *> rects; // one per panel
        QCPItemText *label = nullptr;
    };
    Band &bandAt(int index);
    QCPItemText *makeLabel();

    QCustomPlot *m_plot;
    std::vector<QCPAxisRect *> m_panels;
    std::vector<ChartMarker> m_markers; // points, ascending by time
    std::vector<ChartMarker> m_bands;   // ranges, ascending by start
    std::vector<Items> m_pool;
    std::vector<Band> m_bandPool;
    QColor m_line;
    QColor m_text;
    int m_shown = 0;
    int m_shownBands = 0;
};

class ChartRangeDrag : public QObject
{
    Q_OBJECT
public:
    ChartRangeDrag(QCustomPlot *plot, std::vector<QCPAxisRect *> panels, QObject *parent);

signals:
    // Ms since the epoch, from < to; only drags wider than a few pixels.
    void rangeSelected(qint64 fromMs, qint64 toMs);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QCustomPlot *m_plot;
    std::vector<QCPAxisRect *> m_panels;
    std::vector<QCPItemRect *> m_rects;
    double m_fromKey = 0;
    bool m_dragging = false;
};

} // namespace sb
