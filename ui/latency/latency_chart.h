#pragma once

// LatencyChart: live charts of the selected series on one QCustomPlot, in
// stacked panels sharing the time axis: latency (p99 in the series' colour,
// p95 and p50 in lighter shades of it; ms/s ticks), time to first token (p50),
// throughput (req/s) and error rate with fallback share (%, fallbacks
// lighter). Each series' lines are DecimatedGraphs fed incrementally
// (appendPoints); nothing is rebuilt per update. Data changes only mark the
// chart dirty; a timer replots at most ~30 times a second, and only then.
//
// Live mode follows the newest second over the whole chosen window (a fresh
// session's few seconds sit at the right edge of a full "Last 15 minutes",
// never stretched to look like more). Dragging or zooming with the mouse, or
// pause() (Space), stops following without touching the data; goLive() (the
// "Live" button) returns and drops history beyond the last hour again. The
// time axis is local time, its format following the span. With nothing to
// draw it shows "Waiting for data" instead of an empty axis. Colours are a
// function of the series' label, so a series keeps its colour across
// sessions. Hover shows a crosshair and every series' exact values at that
// second (or minute, in older history), and who changed what at a marker.
//
// History: viewChanged() says which time range is shown (throttled); the
// caller loads what it lacks from the cache and hands it to addHistory(),
// seconds before the series' oldest point or minutes before its oldest
// second, merged without duplicates (live data wins where both exist).
// Markers (routing changes, label moves) are dashed lines across the panels.
// Clicking a series in the legend hides or shows it. csv()/visiblePoints()
// and plot() are what exports use.
//
// Known gaps: a point older than the newest one already drawn is dropped
// unless it comes through addHistory (DecimatedGraph only grows to the
// right); minutes are only drawn before a series' oldest second.

#include "core/series_store.h"
#include "ui/latency/chart_marker.h"

#include <QColor>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <deque>
#include <memory>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QLabel;
class QStackedLayout;
class QPushButton;
class QMouseEvent;

namespace sb {

class DecimatedGraph;
class ChartMarkers;

class LatencyChart : public QWidget
{
    Q_OBJECT
public:
    // The lines drawn per series, in drawing order (p99 first).
    enum Line
    {
        P99,
        P95,
        P50,
        TtftP50,
        Throughput,
        ErrorRate,
        FallbackShare,
        NB_LINES
    };
    enum Panel
    {
        LatencyPanel,
        TtftPanel,
        ThroughputPanel,
        RatesPanel,
        NB_PANELS
    };

    explicit LatencyChart(QWidget *parent = nullptr);
    ~LatencyChart() override;

    // Replaces (or adds) a series: `id` identifies it, `label` names it (and
    // picks its colour). Points ascending by time; whole minutes (durationMs
    // 60 000) before the first second are drawn as minutes.
    void setSeries(const QString &id, const QString &label, const std::vector<SeriesPoint> &points);
    // Appends points newer than the series' newest (older ones are dropped).
    void appendPoints(const QString &id, const std::vector<SeriesPoint> &points);
    void removeSeries(const QString &id);
    void clearSeries();
    QStringList seriesIds() const;
    bool hasSeries(const QString &id) const;
    // Start of the series' newest point, ms (0 = none).
    qint64 newestMs(const QString &id) const;
    qint64 oldestMs(const QString &id) const;
    // Older history (from the cache): seconds before the oldest second held,
    // or minutes before the oldest second and minute held; the rest is
    // dropped as a duplicate. Points ascending.
    void addHistory(const QString &id, Resolution resolution,
                    const std::vector<SeriesPoint> &points);
    std::size_t minuteCount(const QString &id) const;

    // The shown time range, ms since the epoch.
    std::pair<qint64, qint64> visibleRangeMs() const;
    void setVisibleRangeMs(qint64 fromMs, qint64 toMs); // stops following
    void setMarkers(const std::vector<ChartMarker> &markers);
    int shownMarkerCount() const;

    // Legend toggles: a hidden series keeps its data but draws nothing.
    void setSeriesVisible(const QString &id, bool visible);
    bool isSeriesVisible(const QString &id) const;
    QString label(const QString &id) const;
    // Per visible series, its points inside the shown range (minutes, then seconds).
    std::vector<std::pair<QString, std::vector<SeriesPoint>>> visiblePoints() const;

    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }
    bool isFollowing() const { return m_following; }
    // Whether live data is arriving (the page's stream). Not live, the legend
    // says each series stopped instead of showing its last second as current.
    void setStreamLive(bool live);
    void pause();
    void goLive();

    QCustomPlot *plot() const { return m_plot; }
    // Data points drawn (p99 points with a value, over all series).
    int pointCount() const;
    QColor colorOf(const QString &id) const;
    static QColor colorFor(const QString &label);
    QString emptyText() const;
    bool isShowingEmpty() const;
    QCPAxisRect *panel(Panel p) const { return m_panels[p]; }
    // The panels' left and right margins (px), for lining other plots up.
    QMargins plotMargins() const;
    // The hover text for the second at `key` (seconds since the epoch).
    QString valuesAt(double key) const;
    // Sets the ranges and replots now (tests, screenshots); normally a timer does.
    void replotNow();
    // Simulates hovering at a plot pixel (tests).
    void hoverAt(const QPoint &plotPos);

signals:
    void followingChanged(bool following);
    // The shown range changed (throttled to a few times a second).
    void viewChanged(qint64 fromMs, qint64 toMs);
    // A click (not a drag) on a panel, at this time: e.g. on a p99 spike.
    void timeClicked(qint64 timeMs);
    // A shift-drag across a panel selected this range (ms since the epoch).
    void rangeSelected(qint64 fromMs, qint64 toMs);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Series;
    Series *find(const QString &id);
    const Series *find(const QString &id) const;
    void addPoints(Series &s, const std::vector<SeriesPoint> &points, bool replace);
    void redraw(Series &s, Resolution resolution);
    void trimToLive(Series &s);
    void createGraphs(Series &s);
    void setFollowing(bool on);
    void replotIfDirty();
    void updateLegend();
    void updateEmpty();
    void rescaleValues();
    double newestKey() const;
    void onMouseMove(QMouseEvent *event);
    void applyPalette();
    void hideHover();

    QCustomPlot *m_plot;
    QPoint m_pressAt;
    QStackedLayout *m_stack;
    QLabel *m_empty;
    QLabel *m_legend;
    QLabel *m_hover;
    QPushButton *m_live;
    QCPAxisRect *m_panels[NB_PANELS] = {};
    QCPItemStraightLine *m_cross[NB_PANELS] = {};
    std::vector<std::unique_ptr<Series>> m_series;
    std::unique_ptr<ChartMarkers> m_markers;
    QTimer m_replotTimer;
    QTimer m_legendTimer;
    QTimer m_viewTimer;
    int m_windowSeconds = 300;
    bool m_dirty = false;
    bool m_following = true;
    bool m_streamLive = true;
    bool m_syncing = false;
};

} // namespace sb
