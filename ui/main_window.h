#pragma once

// MainWindow: the console shell for one service. A connection bar
// (environment, profile, endpoint and how it is secured, grpc.health.v1
// state, why it failed and when it tries again with a Retry now button,
// round-trip time, stream throughput, notifications), the sidebar and the
// pages from the page registry, a status bar. The bar sits above every page,
// so every page says which service it shows; staging and production frame
// the window in their colour and production adds a red strip.

#include "core/command_index.h"

#include <QHash>
#include <QMainWindow>
#include <QTimer>
#include <functional>
#include <vector>

class QAction;
class QLabel;
class QListWidget;
class QListView;
class QStackedWidget;
class QToolButton;
class QDockWidget;

namespace sb {

class CommandPalette;
class Console;
class DesktopNotifier;
class Page;
class LatencyPage;
class RoutingPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Console *console, QWidget *parent = nullptr);

    void showPage(int index);
    int currentPageIndex() const;
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

    // Ctrl+Shift+F5 (or --presentation): presenter mode on or off, for the
    // whole application (ui/common/presenter.h).
    QAction *presentAction() const { return m_presentAction; }
    QLabel *presentingBanner() const { return m_presenting; }
    // --replay: "REPLAY 10× · 21:03:12" in the connection bar and the title.
    QLabel *replayMark() const { return m_replayMark; }

    // SLO alerts: a red badge in the connection bar on every page while one
    // fires or recovers, and one desktop notification per alert.
    QToolButton *alertBadge() const { return m_alertBadge; }
    DesktopNotifier *notifier() const { return m_notifier; }
    // Ctrl+M: a note on the incident timeline at now (ui/timeline/note_dialog.h).
    void addNote();
    // The SLO editor (ui/alerts/slo_editor.h), from the alert badge's menu or the palette.
    void editSlos();
    // Ctrl+K: the command palette over every page, action and object.
    void showCommandPalette();
    CommandPalette *commandPalette() const { return m_palette; }
    // Everything the palette offers now (pages, window actions, every page's
    // QActions and objects, and what addCommandSource adds).
    std::vector<CommandEntry> commands();
    // E.g. the profiles, from whoever manages windows.
    void addCommandSource(std::function<void(std::vector<CommandEntry> &)> source);

    // The application's windows remember their size, place and page (QSettings
    // "window/*", written off the GUI thread when a window closes); tests'
    // windows do not.
    void setRemembersLayout(bool on) { m_remembersLayout = on; }
    struct Layout
    {
        QByteArray geometry;
        QString page;
    };
    static Layout rememberedLayout();
    // Writes this window's layout now (closing does it too).
    void saveLayout();
    // Waits for layout writes still running (at exit).
    static void waitForLayoutSaves();

protected:
    void closeEvent(QCloseEvent *event) override;

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
    // main_window_presenter.cpp: the toggle, the banner, the sidebar's size.
    void setUpPresentation();
    void setUpAlerts();
    // main_window_replay.cpp: the REPLAY mark.
    void setUpReplay();
    void updateReplayMark();
    void updateAlertBadge();
    void applyPresentation();
    void showStatus(const QString &text, int timeoutMs = 0);
    // text as this window shows it now (masked while presenting).
    QString presentable(const QString &text) const;

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
    QLabel *m_presenting = nullptr;
    QLabel *m_replayMark = nullptr;
    QToolButton *m_alertBadge = nullptr;
    DesktopNotifier *m_notifier = nullptr;
    QAction *m_presentAction = nullptr;
    QByteArray m_geometryBeforePresenting;
    QString m_statusText; // unmasked, so leaving presenter mode shows it whole
    QDockWidget *m_notificationDock;
    QListWidget *m_nav;
    QStackedWidget *m_stack;
    std::vector<Page *> m_pages;
    bool m_remembersLayout = false;
    CommandPalette *m_palette = nullptr;
    std::vector<std::function<void(std::vector<CommandEntry> &)>> m_commandSources;
    QHash<QString, qint64> m_recentCommands;
    QTimer m_tick;
    quint64 m_lastSamples = 0;
};

} // namespace sb
