#pragma once

// ConsoleWindows: one window per open service. Each window has a Console of
// its own (session, controllers, notifications, freshness), so nothing one
// service shows or says reaches another's window; they share only the cache
// file, whose rows and answers name their endpoint. It opens profiles
// (resolving certificates and the token off the GUI thread first), switches
// a window to another profile, opens one beside, runs the quick switcher and
// the profile manager, and keeps the profile list saved.
//
// Switching a window keeps the page it showed and takes the new profile's
// Prometheus source (the latency page's imported history). The profile list follows the
// settings file: what another running console's profile manager saves is
// seen here within a moment (ProfileWatch). Known gap: a window's position is
// not remembered per profile.

#include "client/prometheus_source.h"
#include "ui/connections/profile.h"

#include <QObject>
#include <QPointer>
#include <functional>
#include <optional>
#include <vector>

namespace sb {

class Cache;
class Console;
class MainWindow;
class ProfileResolver;
class ProfileWatch;

class ConsoleWindows : public QObject
{
    Q_OBJECT
public:
    // profiles: the stored ones plus any built-in entry (the in-process sim,
    // a --connect address), which is never saved. settingsPath empty: the
    // application's settings file.
    ConsoleWindows(Cache *cache, std::vector<ConnectionProfile> profiles, QString settingsPath = {},
                   QObject *parent = nullptr);
    ~ConsoleWindows() override;

    // Opens `profile` in a new window (at the geometry of `replacing`, which
    // then closes, when given). Returns the window at once; it connects once
    // the profile is resolved. A profile already open is raised instead.
    MainWindow *open(const QString &profile, MainWindow *replacing = nullptr);
    MainWindow *windowFor(const QString &profile) const;
    std::vector<MainWindow *> windows() const;
    const std::vector<ConnectionProfile> &profiles() const { return m_profiles; }
    void setProfiles(const std::vector<ConnectionProfile> &stored);

    // A window's Prometheus source for its profile (applied when the window
    // opens, so switching the window to another profile switches it too).
    // Default: the profile's own "Prometheus history" (prometheusSourceOf);
    // the console's --prometheus* flags win over it.
    using PrometheusFor = std::function<std::optional<PrometheusConfig>(const ConnectionProfile &)>;
    void setPrometheusFor(PrometheusFor prometheusFor)
    {
        m_prometheusFor = std::move(prometheusFor);
    }

    void showSwitcher(MainWindow *from);
    void showManager(MainWindow *from);
    // Stops every stream and call (before the event loop ends).
    void shutdown();

signals:
    void windowOpened(sb::MainWindow *window);
    // The list changed (edited here, or saved by another console).
    void profilesChanged();
    // A profile was asked for that does not exist (e.g. deleted meanwhile).
    void unknownProfile(const QString &name);

private:
    struct Open
    {
        QString profile;
        Console *console = nullptr;
        QPointer<MainWindow> window;
        ProfileResolver *resolver = nullptr;
    };
    void close(Open *entry);
    Open *entryOf(const MainWindow *w);
    QWidget *lastWindow() const;
    std::vector<ConnectionProfile> withBuiltIns(const std::vector<ConnectionProfile> &stored) const;

    Cache *m_cache;
    std::vector<ConnectionProfile> m_profiles;
    QString m_settingsPath;
    ProfileWatch *m_watch;
    std::vector<std::unique_ptr<Open>> m_open;
    PrometheusFor m_prometheusFor;
};

} // namespace sb
