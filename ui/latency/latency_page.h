#pragma once

// Latency page: every route's latest figures (throughput, errors, fallback
// share, p50/p95/p99, time to first token) in one table, and a live
// p50/p95/p99 chart of the selected route.

#include "ui/common/page.h"

class QComboBox;
class QLabel;
class QTableView;

namespace sb {

class Session;
class LatencyController;
class RouteSummaryModel;
class LatencyChart;
class StaleBanner;

class LatencyPage : public Page
{
    Q_OBJECT
public:
    LatencyPage(Session *session, LatencyController *controller, QWidget *parent = nullptr);
    LatencyChart *chart() const { return m_chart; }
    QString currentRoute() const;
    void updateFreshness() override;

private:
    void onSeriesChanged(const QString &route);
    void refreshRoutes();

    Session *m_session;
    LatencyController *m_controller;
    QComboBox *m_route;
    QComboBox *m_window;
    LatencyChart *m_chart;
    StaleBanner *m_banner;
    RouteSummaryModel *m_summaryModel;
    QTableView *m_summary;
    bool m_userChoseRoute = false;
};

} // namespace sb
