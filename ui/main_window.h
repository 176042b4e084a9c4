#pragma once

// MainWindow: the console shell. A connection bar (endpoint, health state,
// round-trip time, stream throughput), the page list and pages, and a status
// bar that says what is happening.

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace sb {

class Session;
class LatencyPage;
class PromptsPage;
class ExperimentsPage;
class RoutingPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Session *session, QWidget *parent = nullptr);

    LatencyPage *latencyPage() const { return m_latency; }
    void showPage(int index);

private:
    void updateConnectionBar();
    void updateFreshness();

    Session *m_session;
    QLabel *m_endpoint;
    QLabel *m_state;
    QLabel *m_rtt;
    QLabel *m_rate;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    LatencyPage *m_latency;
    PromptsPage *m_prompts;
    ExperimentsPage *m_experiments;
    RoutingPage *m_routing;
    QTimer m_tick;
    quint64 m_lastSamples = 0;
};

} // namespace sb
