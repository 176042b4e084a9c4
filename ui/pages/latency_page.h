#pragma once

// Latency page: every route's latest figures (throughput, errors, fallback
// share, p50/p95/p99, time to first token) in one table, and a live
// p50/p95/p99 chart of the selected route.

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;

namespace sb {

class Session;
class RouteSummaryModel;
class LatencyChart;
class StaleBanner;

class LatencyPage : public QWidget
{
    Q_OBJECT
public:
    explicit LatencyPage(Session *session, QWidget *parent = nullptr);
    LatencyChart *chart() const { return m_chart; }
    QString currentRoute() const;
    void updateFreshness();

private:
    void onSeriesChanged(const QString &route);
    void refreshRoutes();

    Session *m_session;
    QComboBox *m_route;
    QComboBox *m_window;
    LatencyChart *m_chart;
    StaleBanner *m_banner;
    RouteSummaryModel *m_summaryModel;
    QTableView *m_summary;
    bool m_userChoseRoute = false;
};

} // namespace sb
