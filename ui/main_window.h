#pragma once

// MainWindow: the console shell. A connection bar (environment, endpoint,
// health state, round-trip time, stream throughput, notifications), the
// sidebar and the pages from the page registry, a status bar. A production
// connection is framed in red on every page.

#include <QMainWindow>
#include <QTimer>
#include <vector>

class QLabel;
class QListWidget;
class QListView;
class QStackedWidget;
class QToolButton;
class QDockWidget;

namespace sb {

class Console;
class Page;
class LatencyPage;
class RoutingPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Console *console, QWidget *parent = nullptr);

    void showPage(int index);
    int pageCount() const { return int(m_pages.size()); }
    Page *page(int index) const;
    template <class T> T *page() const
    {
        for (auto *p : m_pages) {
            if (auto *t = qobject_cast<T *>(p))
                return t;
        }
        return nullptr;
    }
    LatencyPage *latencyPage() const;
    RoutingPage *routingPage() const;

private:
    void updateConnectionBar();
    void updateFreshness();
    void updateBadge(int index);

    Console *m_console;
    QWidget *m_frame;
    QLabel *m_environment;
    QLabel *m_endpoint;
    QLabel *m_state;
    QLabel *m_rtt;
    QLabel *m_rate;
    QToolButton *m_bell;
    QDockWidget *m_notificationDock;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    std::vector<Page *> m_pages;
    QTimer m_tick;
    quint64 m_lastSamples = 0;
};

} // namespace sb
