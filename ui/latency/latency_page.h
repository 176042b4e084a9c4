#pragma once

// Latency page: every route's latest figures (throughput, errors, fallback
// share, p50/p95/p99, time to first token) in one table, a picker of series
// (route → model → variant, several at once), live charts of the picked ones
// with routing/label markers, and a latency heatmap of the first one. Arrow
// keys in the table chart the current route; Space pauses and resumes
// following the newest data. Dragging or zooming back past what is in
// memory loads the cache's history (seconds for spans up to 6 h, minutes
// beyond), off the GUI thread, with a note while it loads. Export saves the
// shown range as PNG, PDF or CSV (written off the GUI thread).

#include "core/series.h"
#include "core/series_rollup.h"
#include "core/series_store.h"
#include "ui/common/page.h"

#include <QHash>
#include <QTimer>
#include <optional>

class QHBoxLayout;
class QLabel;
class QTableView;
class QToolButton;

namespace sb {

class Session;
class LatencyController;
class RouteSummaryModel;
class LatencyChart;
class SeriesPicker;
class StaleBanner;
class HeatmapView;
class ExemplarList;
class RangeBox;
class EventLog;
struct SeriesUpdate;

class LatencyPage : public Page
{
    Q_OBJECT
public:
    LatencyPage(Session *session, LatencyController *controller, QWidget *parent = nullptr);
    LatencyChart *chart() const { return m_chart; }
    LatencyController *controller() const { return m_controller; }
    SeriesPicker *picker() const { return m_picker; }
    HeatmapView *heatmap() const { return m_heatmap; }
    ExemplarList *exemplars() const { return m_exemplars; }
    RangeBox *rangeBox() const { return m_window; }
    // History loads asked for and not answered yet.
    int pendingHistory() const { return m_pendingHistory; }
    // Builds the heatmap of the first charted series now (normally a timer does).
    void refreshHeatmap();
    // Writes what is shown; format by suffix (.png, .pdf, .csv). Async; emits exported.
    void exportTo(const QString &path);
    QTableView *summary() const { return m_summary; }
    // The first route charted (as a whole or through one of its series).
    QString currentRoute() const;
    void updateFreshness() override;
    // Draws the incident timeline's events on the chart instead of the
    // controller's audit markers alone (ui/timeline/timeline_overlay.h).
    void setTimeline(EventLog *events);

signals:
    void exported(const QString &path, bool ok, const QString &error);

private:
    void onHistoryChanged(const QString &route);
    void onSeriesUpdated(const SeriesUpdate &update);
    void onSelection(const QStringList &ids);
    void chartRoute(const QString &route);
    void loadSeries(const QString &id);
    void refreshPicker();
    void requestHistory(qint64 fromMs, qint64 toMs);
    void onHistory(const QString &id, Resolution resolution, qint64 fromMs, qint64 toMs,
                   const std::vector<SeriesPoint> &points);
    void updateHint();
    void chooseExport();
    // The route, model and variant a chart id stands for (false: unknown).
    bool keyOf(const QString &id, QString &route, std::optional<QString> &model,
               std::optional<QString> &variant) const;
    // Asks the cache for the heatmap's sketches of [first, before) unless held or asked.
    void askHeatHistory(const QString &id, Resolution res, qint64 step, qint64 first,
                        qint64 before);

    Session *m_session;
    LatencyController *m_controller;
    RangeBox *m_window;
    QLabel *m_hint;
    SeriesPicker *m_picker;
    LatencyChart *m_chart;
    HeatmapView *m_heatmap;
    ExemplarList *m_exemplars;
    QHBoxLayout *m_controls = nullptr;
    QToolButton *m_export;
    QTimer m_heatmapTimer;
    QHash<QString, qint64> m_askedFrom[2]; // per resolution: chart id → earliest asked
    int m_pendingHistory = 0;
    StaleBanner *m_banner;
    RouteSummaryModel *m_summaryModel;
    QTableView *m_summary;
    QString m_summaryRoute; // the summary row the user is on, kept across resets
    bool m_userChose = false;
    // The cache's sketches for the heatmap's oldest part (one range, the last asked).
    struct HeatCache
    {
        QString id;
        Resolution resolution = Resolution::Second;
        qint64 fromMs = 0, toMs = 0;
        TimedSketches sketches;
        bool pending = false;
    };
    HeatCache m_heatCache;
};

} // namespace sb
