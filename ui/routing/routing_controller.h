#pragma once

// RoutingController: the routing capability without widgets. Owns the
// routing client calls and watch, the routing model, its freshness and cache
// writes, and the write flow every routing change goes through: build a
// Change from what is selected, say what traffic will do, send it with the
// etag the user saw, commit it to the local action log before reporting
// success, and on a conflict hand back the other person's change so the user
// decides again. Changes by others arrive on the watch and go to the
// notification log.

#include "client/rpc_error.h"
#include "core/change.h"
#include "ui/routing/routing_model.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <optional>

namespace sb {

class RoutingClient;
class RoutingWatch;
class DrillClient;
class ActionLog;
class NotificationLog;
struct CacheSnapshot;

class RoutingController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kPollMs = 3000;

    RoutingController(Session *session, ActionLog *actions, NotificationLog *notifications,
                      QObject *parent = nullptr);

    RoutingModel *model() { return &m_model; }
    Freshness freshness() const;
    // "" when changes can be made now; otherwise why not, for a tooltip.
    QString writeBlockedReason() const;

    // The change Space makes on a row of the model: a fallback step toggles
    // that step, a primary toggles its model (everywhere), a route toggles
    // forcing its traffic to the fallbacks. nullopt (with why) if none.
    std::optional<Change> toggleFor(const QModelIndex &index, QString *why = nullptr) const;
    // Disables (or re-enables) a model everywhere, by name (the palette's
    // "Disable atlas-xl"). nullopt (with why) if there is no such model.
    std::optional<Change> modelToggleFor(const QString &model, QString *why = nullptr) const;
    // The same changes by name (switchboard-ctl): a model on or off
    // everywhere, one fallback step of a route on or off. nullopt (with why)
    // when the name is unknown or it is already so.
    std::optional<Change> modelChange(const QString &model, bool enabled,
                                      QString *why = nullptr) const;
    std::optional<Change> fallbackChange(const QString &route, const QString &model, bool enabled,
                                         QString *why = nullptr) const;
    // Forces the selected row's route to its fallbacks (or back).
    std::optional<Change> forceFallbackFor(const QModelIndex &index, QString *why = nullptr) const;
    // What traffic will do, in sentences, for the dialog.
    QString impactOf(const Change &change) const;
    // Routes a ModelEnabled change would leave with no enabled model.
    QStringList outageRoutes(const Change &change) const;
    // The same intent against the state as it is now (after a conflict):
    // fresh etag, old value and request id; nullopt if it is already so.
    std::optional<Change> rebase(const Change &change) const;
    // "alice disabled fallback orion-70b on chat at 10:42:03 UTC"
    QString describeConflict(const Change &change, const ConflictInfo &conflict) const;

    // The latest audit event seen for a target ("route/chat"), e.g. to show
    // the reason of the change that beat ours.
    AuditEvent lastEvent(const QString &target) const { return m_lastEvent.value(target); }

    void submit(const Change &change);
    void refresh();

    // Rehearsal (the sim's DrillService; hidden where the service has none).
    bool drillsAvailable() const { return m_drillsAvailable; }
    const std::vector<Drill> &drills() const { return m_drills; }
    void startDrill(const QString &model, DrillKind kind, double magnitude,
                    std::chrono::seconds duration);
    void stopDrill(const QString &id);

signals:
    void changeSucceeded(const sb::Change &change, const sb::AuditEvent &event);
    void changeConflicted(const sb::Change &change, const sb::ConflictInfo &conflict);
    void changeRejected(const sb::Change &change, const sb::RpcError &error);
    void auditEventSeen(const sb::AuditEvent &event);
    void troubleChanged(const sb::RoutingTrouble &trouble);
    void freshnessChanged();
    void drillsChanged();
    // This console started or stopped a drill (the incident timeline's hook).
    void drillStarted(const sb::Drill &drill);
    void drillStopped(const QString &drillId);

private:
    void applyTable(const RoutingTable &t);
    void onApplied(const Change &change, const AuditEvent &event);
    void onFailed(const Change &change, const RpcError &error);
    void onWatchChange(const std::vector<Route> &routes, const std::vector<Model> &models,
                       const AuditEvent &event);
    void checkTrouble();
    const Route *route(const QString &name) const;

    Session *m_session;
    ActionLog *m_actions;
    NotificationLog *m_notifications;
    RoutingClient *m_client;
    RoutingWatch *m_watch;
    DrillClient *m_drillClient;
    std::vector<Drill> m_drills;
    bool m_drillsAvailable = false;
    RoutingModel m_model;
    Freshness m_fresh;
    QTimer m_pollTimer;
    QTimer m_clock;
    QHash<QString, Change> m_inFlight; // by request id, until the local log has it
    QHash<QString, AuditEvent> m_appliedEvents;
    QHash<QString, AuditEvent> m_lastEvent;
    QHash<QString, qint64> m_ourRequests; // request ids we sent, to tell others' changes apart
    int m_lastTroubleRows = -1;
    QStringList m_lastTroubleReasons;
    QStringList m_lastTroubleKeys;
};

} // namespace sb
