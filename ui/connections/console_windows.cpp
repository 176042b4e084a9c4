#include "ui/connections/console_windows.h"

#include "client/latency_stream.h"
#include "client/prometheus_profile.h"
#include "ui/connections/profile_manager_dialog.h"
#include "ui/connections/profile_resolver.h"
#include "ui/connections/profile_watch.h"
#include "ui/connections/quick_switcher.h"
#include "ui/console.h"
#include "ui/latency/latency_controller.h"
#include "ui/main_window.h"
#include "ui/session.h"

#include <QApplication>
#include <QEvent>
#include <QScreen>
#include <QSet>

namespace sb {

namespace {

// Closing a window ends its session: the filter tells the manager.
class CloseWatcher : public QObject
{
public:
    CloseWatcher(QObject *parent, std::function<void()> onClose)
        : QObject(parent), m_onClose(std::move(onClose))
    {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Close)
            QMetaObject::invokeMethod(this, m_onClose, Qt::QueuedConnection);
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_onClose;
};

} // namespace

ConsoleWindows::ConsoleWindows(Cache *cache, std::vector<ConnectionProfile> profiles,
                               QString settingsPath, QObject *parent)
    : QObject(parent), m_cache(cache), m_profiles(std::move(profiles)),
      m_settingsPath(std::move(settingsPath)), m_watch(new ProfileWatch(m_settingsPath, this))
{
    // Another console's profile manager saved: adopt its list (not saved
    // again: it is what the file says).
    connect(m_watch, &ProfileWatch::reloaded, this,
            [this](const std::vector<ConnectionProfile> &p) {
                std::vector<ConnectionProfile> all = withBuiltIns(p);
                if (all != m_profiles) {
                    m_profiles = std::move(all);
                    emit profilesChanged();
                }
            });
}

std::vector<ConnectionProfile>
ConsoleWindows::withBuiltIns(const std::vector<ConnectionProfile> &stored) const
{
    std::vector<ConnectionProfile> all;
    for (const auto &p : m_profiles) {
        if (p.builtIn)
            all.push_back(p);
    }
    for (const auto &p : stored) {
        if (!p.builtIn && !profile_store::find(all, p.name))
            all.push_back(p);
    }
    return all;
}

ConsoleWindows::~ConsoleWindows()
{
    shutdown();
    for (auto &e : m_open) {
        delete e->window;
        delete e->console;
    }
}

void ConsoleWindows::shutdown()
{
    for (auto &e : m_open)
        e->console->shutdown();
}

std::vector<MainWindow *> ConsoleWindows::windows() const
{
    std::vector<MainWindow *> out;
    for (const auto &e : m_open) {
        if (e->window)
            out.push_back(e->window);
    }
    return out;
}

MainWindow *ConsoleWindows::windowFor(const QString &profile) const
{
    for (const auto &e : m_open) {
        if (e->profile == profile && e->window)
            return e->window;
    }
    return nullptr;
}

QWidget *ConsoleWindows::lastWindow() const
{
    for (auto it = m_open.rbegin(); it != m_open.rend(); ++it) {
        if ((*it)->window)
            return (*it)->window;
    }
    return nullptr;
}

ConsoleWindows::Open *ConsoleWindows::entryOf(const MainWindow *w)
{
    for (auto &e : m_open) {
        if (e->window == w)
            return e.get();
    }
    return nullptr;
}

void ConsoleWindows::setProfiles(const std::vector<ConnectionProfile> &stored)
{
    m_profiles = withBuiltIns(stored);
    profile_store::saveAsync(m_profiles, m_settingsPath);
    emit profilesChanged();
}

MainWindow *ConsoleWindows::open(const QString &name, MainWindow *replacing)
{
    const ConnectionProfile *profile = profile_store::find(m_profiles, name);
    if (!profile) {
        emit unknownProfile(name);
        return nullptr;
    }
    if (MainWindow *w = windowFor(name)) {
        w->raise();
        w->activateWindow();
        return w;
    }
    const bool alone = windows().empty() || (replacing && windows().size() == 1);
    auto entry = std::make_unique<Open>();
    entry->profile = name;
    entry->console = new Console(m_cache);
    auto *window = new MainWindow(entry->console);
    entry->window = window;
    entry->resolver = new ProfileResolver(entry->console);
    Console *console = entry->console;
    const SessionTarget target = sessionTargetFor(*profile, alone);
    const QString endpoint = profile->endpoint;
    // Its own Prometheus source, started once the session has its endpoint
    // (the cache's imported rows are under the source's own key).
    const auto prom = m_prometheusFor ? m_prometheusFor(*profile) : prometheusSourceOf(*profile);
    connect(entry->resolver, &ProfileResolver::resolved, console,
            [console, target, prom](const ChannelSpec &spec) {
                console->session()->connectTo(spec, target);
                console->latency()->setPrometheusSource(prom);
            });
    connect(entry->resolver, &ProfileResolver::failed, console,
            [console, target, endpoint, prom](const QString &why) {
                console->session()->failToConnect(endpoint, target, why);
                console->latency()->setPrometheusSource(prom);
            });
    connect(window, &MainWindow::switcherRequested, this, [this, window] { showSwitcher(window); });
    connect(window, &MainWindow::profileManagerRequested, this,
            [this, window] { showManager(window); });
    // The palette lists the other profiles: switch here, or open beside.
    window->addCommandSource(
        [this, window = QPointer<MainWindow>(window)](std::vector<CommandEntry> &out) {
            const Open *self = window ? entryOf(window) : nullptr;
            for (const auto &p : m_profiles) {
                const QString name = p.name;
                if (self && self->profile == name)
                    continue;
                const QString detail = tr("%1 · %2").arg(toString(p.environment), p.endpoint);
                out.push_back({.id = QStringLiteral("profile:") + name,
                               .title = tr("Switch to %1").arg(name),
                               .kind = tr("Profile"),
                               .detail = detail,
                               .shortcut = QStringLiteral("Ctrl+P"),
                               .run = [this, window, name] {
                                   if (window)
                                       open(name, window);
                               }});
                out.push_back({.id = QStringLiteral("profile:%1:beside").arg(name),
                               .title = tr("Open %1 beside this window").arg(name),
                               .kind = tr("Profile"),
                               .detail = detail,
                               .run = [this, name] { open(name); }});
            }
        });
    window->installEventFilter(new CloseWatcher(window, [this, window] {
        if (Open *e = entryOf(window))
            close(e);
    }));
    if (replacing) {
        // Switching the service keeps the page the user was on.
        window->showPage(replacing->currentPageIndex());
        window->setGeometry(replacing->geometry());
        if (replacing->isMaximized())
            window->showMaximized();
    } else if (QWidget *beside =
                   QApplication::activeWindow() ? QApplication::activeWindow() : lastWindow()) {
        // Beside the window it was opened from where the screen has room,
        // else a step down and right, so both stay visible.
        const QRect from = beside->window()->frameGeometry();
        const QRect screen = beside->screen()->availableGeometry();
        QPoint at = from.topRight() + QPoint(1, 0);
        if (at.x() + window->width() - 1 > screen.right())
            at = from.topLeft() + QPoint(48, 48);
        window->move(at);
    }
    window->show();
    entry->resolver->resolve(*profile);
    m_open.push_back(std::move(entry));
    if (replacing)
        replacing->close();
    emit windowOpened(window);
    return window;
}

void ConsoleWindows::close(Open *entry)
{
    entry->console->shutdown();
    if (entry->window)
        entry->window->deleteLater();
    entry->console->deleteLater();
    for (auto it = m_open.begin(); it != m_open.end(); ++it) {
        if (it->get() == entry) {
            m_open.erase(it);
            break;
        }
    }
}

void ConsoleWindows::showSwitcher(MainWindow *from)
{
    QSet<QString> openNames;
    for (const auto &e : m_open)
        openNames.insert(e->profile);
    Open *current = entryOf(from);
    auto *switcher =
        new QuickSwitcher(m_profiles, current ? current->profile : QString(), openNames, from);
    connect(switcher, &QuickSwitcher::switchRequested, this, [this, from](const QString &name) {
        Open *cur = entryOf(from);
        if (cur && cur->profile == name)
            return;
        open(name, windowFor(name) ? nullptr : from);
    });
    connect(switcher, &QuickSwitcher::openBesideRequested, this,
            [this](const QString &name) { open(name); });
    connect(switcher, &QuickSwitcher::manageRequested, this, [this, from] { showManager(from); });
    switcher->show();
}

void ConsoleWindows::showManager(MainWindow *from)
{
    Open *current = entryOf(from);
    auto *dialog =
        new ProfileManagerDialog(m_profiles, current ? current->profile : QString(), from);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProfileManagerDialog::profilesSaved, this, &ConsoleWindows::setProfiles);
    QPointer<MainWindow> guard(from);
    connect(dialog, &ProfileManagerDialog::connectRequested, this,
            [this, guard](const QString &name, bool beside) {
                open(name, beside || !guard || windowFor(name) ? nullptr : guard.data());
            });
    dialog->open();
}

} // namespace sb
