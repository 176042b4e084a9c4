#pragma once

// Runtime: what every switchboard-ctl command stands on. It resolves the
// context (a console connection profile: --context, then
// $SWITCHBOARD_CONTEXT, then the one `context use` saved), its token (the
// profile's keychain entry or environment variable, or --token-stdin),
// opens the console's cache and builds the console's own Session,
// ActionLog, NotificationLog and the capability controllers a command asks
// for, then connects (or, with --offline, loads the cached snapshot). It
// waits for what a command needs with a timeout, mapping what went wrong to
// an exit code, and on a production context it guards writes: a
// confirmation on a terminal, --yes otherwise.

#include "client/rpc_error.h"
#include "core/change.h"
#include "ctl/command_line.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ui/connections/profile.h"

#include <QObject>
#include <functional>
#include <memory>

class QSettings;

namespace sb {
class Cache;
class Session;
class ActionLog;
class NotificationLog;
class RoutingController;
class PromptsController;
class ExperimentsController;
class AuditController;
} // namespace sb

namespace sb::ctl {

class Runtime : public QObject
{
    Q_OBJECT
public:
    enum Need
    {
        Routing = 1,
        Prompts = 2,
        Experiments = 4,
        Audit = 8
    };

    explicit Runtime(const Args &args, QObject *parent = nullptr);
    ~Runtime() override;

    const Args &args() const { return m_args; }
    Format format() const { return m_format; }
    bool offline() const { return m_args.has(QStringLiteral("offline")); }
    // The profile the command runs against (valid after start()).
    const ConnectionProfile &profile() const { return m_profile; }

    // Checks -o; false with a usage error printed.
    bool checkFormat();
    // Resolves the context and connects (or loads the cache with --offline),
    // with the controllers in `needs`. Exit::Ok or why not (already printed).
    Exit start(int needs);
    // Runs the event loop until ready() (Exit::Ok), the service refuses us,
    // it cannot be reached or the timeout passes (all printed, with `what`).
    Exit waitFor(const std::function<bool()> &ready, const QString &what);
    // Disconnects and runs what is posted (before CallTracker's wait at exit).
    void shutdown();
    // Runs the event loop for ms (for --watch's streaming).
    void pump(int ms);

    Session *session() const { return m_session; }
    Cache *cache() const { return m_cache.get(); }
    ActionLog *actions() const { return m_actions; }
    RoutingController *routing() const { return m_routing; }
    PromptsController *prompts() const { return m_prompts; }
    ExperimentsController *experiments() const { return m_experiments; }
    AuditController *audit() const { return m_audit; }

    // "offline: cached 4 min ago (14:02:11 UTC)" or "" when live.
    QString staleNote(qint64 fetchedMs) const;
    // Prints a list (or one object) in the chosen format, with stale/fetched_at.
    void printList(const QString &key, const QJsonArray &records, const std::vector<Column> &cols,
                   qint64 fetchedMs);
    void out(const QString &text) const;
    void err(const QString &text) const;

    // The production guard, before sending: true to go on; else *refused
    // says how it ends (usage without --yes off a terminal, failure when
    // not confirmed).
    bool confirmWrite(const Change &change, const QString &impact, Exit *refused);
    // The same for a write that is not a Change (drills): what it does, and
    // what the user types to confirm.
    bool confirm(const QString &summary, const QString &confirmText, Exit *refused);
    static Exit exitFor(const RpcError &error);

    // From the console's settings: the saved current context, profiles.
    static QString savedContext(QSettings &settings);
    static void saveContext(QSettings &settings, const QString &name);

private:
    bool resolveProfile(QString *why, Exit *code);

    Args m_args;
    Format m_format = Format::Table;
    ConnectionProfile m_profile;
    std::unique_ptr<Cache> m_cache;
    Session *m_session = nullptr;
    ActionLog *m_actions = nullptr;
    NotificationLog *m_notifications = nullptr;
    RoutingController *m_routing = nullptr;
    PromptsController *m_prompts = nullptr;
    ExperimentsController *m_experiments = nullptr;
    AuditController *m_audit = nullptr;
    bool m_snapshotLoaded = false;
    bool m_everUnavailable = false;
};

// Set by SIGINT; --watch loops end with Exit::Interrupted.
bool interrupted();
void installInterruptHandler();

} // namespace sb::ctl
