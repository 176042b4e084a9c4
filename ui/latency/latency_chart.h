#pragma once

// LatencyChart: live charts of the selected series on one QCustomPlot, in
// stacked panels sharing the time axis: latency (p99 in the series' colour,
// p95 and p50 in lighter shades of it; ms/s ticks), time to first token (p50),
// throughput (req/s) and error rate with fallback share (%, fallbacks
// lighter). Each series' lines are DecimatedGraphs fed incrementally
// (appendPoints); nothing is rebuilt per update. Data changes only mark the
// chart dirty; a timer replots at most ~30 times a second, and only then.
//
// Live mode follows the newest second over the chosen window. Dragging or
// zooming with the mouse, or pause() (Space), stops following without
// touching the data; goLive() (the "Live" button) returns. With nothing to
// draw it shows "Waiting for data" instead of an empty axis. Colours are a
// function of the series' label, so a series keeps its colour across
// sessions. Hover shows a crosshair and every series' exact values at that
// second.
//
// Known gaps: a point older than the newest one already drawn is dropped
// (DecimatedGraph only grows to the right; setSeries redraws in full);
// no history beyond what the caller hands in (no cache paging on drag-back
// yet); no heatmap, no routing markers, no export; the legend does not toggle
// series.

#include "core/series_store.h"

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
    // picks its colour). Points ascending by time.
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

    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }
    bool isFollowing() const { return m_following; }
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
    // The hover text for the second at `key` (seconds since the epoch).
    QString valuesAt(double key) const;
    // Sets the ranges and replots now (tests, screenshots); normally a timer does.
    void replotNow();
    // Simulates hovering at a plot pixel (tests).
    void hoverAt(const QPoint &plotPos);

signals:
    void followingChanged(bool following);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Series;
    Series *find(const QString &id);
    const Series *find(const QString &id) const;
    void addPoints(Series &s, const std::vector<SeriesPoint> &points, bool replace);
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
    QStackedLayout *m_stack;
    QLabel *m_empty;
    QLabel *m_legend;
    QLabel *m_hover;
    QPushButton *m_live;
    QCPAxisRect *m_panels[NB_PANELS] = {};
    QCPItemStraightLine *m_cross[NB_PANELS] = {};
    std::vector<std::unique_ptr<Series>> m_series;
    QTimer m_replotTimer;
    QTimer m_legendTimer;
    int m_windowSeconds = 300;
    bool m_dirty = false;
    bool m_following = true;
    bool m_syncing = false;
};

} // namespace sb
