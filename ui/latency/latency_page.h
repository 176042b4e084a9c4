#pragma once

// Latency page: every route's latest figures (throughput, errors, fallback
// share, p50/p95/p99, time to first token) in one table, a picker of series
// (route → model → variant, several at once) and live charts of the picked
// ones. Arrow keys in the table chart the current route; Space pauses and
// resumes following the newest data.

#include "core/series.h"
#include "ui/common/page.h"

class QComboBox;
class QLabel;
class QTableView;

namespace sb {

class Session;
class LatencyController;
class RouteSummaryModel;
class LatencyChart;
class SeriesPicker;
class StaleBanner;
struct SeriesUpdate;

class LatencyPage : public Page
{
    Q_OBJECT
public:
    LatencyPage(Session *session, LatencyController *controller, QWidget *parent = nullptr);
    LatencyChart *chart() const { return m_chart; }
    SeriesPicker *picker() const { return m_picker; }
    QTableView *summary() const { return m_summary; }
    // The first route charted (as a whole or through one of its series).
    QString currentRoute() const;
    void updateFreshness() override;

private:
    void onHistoryChanged(const QString &route);
    void onSeriesUpdated(const SeriesUpdate &update);
    void onSelection(const QStringList &ids);
    void chartRoute(const QString &route);
    void loadSeries(const QString &id);
    void refreshPicker();

    Session *m_session;
    LatencyController *m_controller;
    QComboBox *m_window;
    QLabel *m_hint;
    SeriesPicker *m_picker;
    LatencyChart *m_chart;
    StaleBanner *m_banner;
    RouteSummaryModel *m_summaryModel;
    QTableView *m_summary;
    QString m_summaryRoute; // the summary row the user is on, kept across resets
    bool m_userChose = false;
};

} // namespace sb
