#pragma once

// MainWindow: the console shell for one service. A connection bar
// (environment, profile, endpoint and how it is secured, grpc.health.v1
// state, why it failed and when it tries again with a Retry now button,
// round-trip time, stream throughput, notifications), the sidebar and the
// pages from the page registry, a status bar. The bar sits above every page,
// so every page says which service it shows; staging and production frame
// the window in their colour and production adds a red strip.

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
    Console *console() const { return m_console; }

signals:
    // Ctrl+P or the profile button: the quick switcher, for whoever manages windows.
    void switcherRequested();
    // Ctrl+Shift+P: the profile manager.
    void profileManagerRequested();

private:
    void updateConnectionBar();
    void updateFreshness();
    void updateBadge(int index);
    void updateRetry();

    Console *m_console;
    QWidget *m_frame;
    QLabel *m_environment;
    QToolButton *m_profile;
    QLabel *m_endpoint;
    QLabel *m_state;
    QLabel *m_retry;
    QToolButton *m_retryNow;
    QLabel *m_problem;
    QLabel *m_prodStrip;
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
