#pragma once

// Latency page: live p50/p95/p99 of one route, with throughput, error rate,
// fallback share and time to first token of the latest second.

#include <QWidget>

class QComboBox;
class QLabel;

namespace sb {

class Session;
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
    QLabel *m_throughput;
    QLabel *m_errors;
    QLabel *m_fallbacks;
    QLabel *m_ttft;
    bool m_userChoseRoute = false;
};

} // namespace sb
