#include "ui/routing/routing_controller.h"

#include "client/drill_client.h"
#include "client/routing_client.h"
#include "client/routing_watch.h"
#include "core/clock.h"
#include "core/routing_merge.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/format.h"
#include "ui/common/notification_log.h"

#include <QDateTime>

namespace sb {

static qint64 nowMs()
{
    return clock::nowMs();
}

RoutingController::RoutingController(Session *session, ActionLog *actions,
                                     NotificationLog *notifications, QObject *parent)
    : QObject(parent), m_session(session), m_actions(actions), m_notifications(notifications),
      m_client(new RoutingClient(session->connection(), this)),
      m_watch(new RoutingWatch(session->connection(), this)),
      m_drillClient(new DrillClient(session->connection(), this))
{
    connect(m_drillClient, &DrillClient::drillsListed, this,
            [this](const std::vector<Drill> &drills) {
                const bool changed = drills != m_drills || !m_drillsAvailable;
                m_drills = drills;
                m_drillsAvailable = true;
                if (changed)
                    emit drillsChanged();
            });
    connect(m_drillClient, &DrillClient::drillStarted, this, [this](const Drill &d) {
        emit m_session->message(tr("Drill started: %1 on %2").arg(toString(d.kind), d.model));
        m_notifications->add({nowMs(), NotificationLog::Severity::Warning,
                              tr("Drill: %1 on %2").arg(toString(d.kind), d.model),
                              tr("ends %1").arg(formatClock(d.endMs)), false});
        m_drillClient->list();
        emit drillStarted(d);
    });
    connect(m_drillClient, &DrillClient::drillStopped, this, [this](const QString &id) {
        emit drillStopped(id);
        emit m_session->message(tr("Drill stopped"));
        m_drillClient->list();
    });
    connect(m_drillClient, &DrillClient::failed, this,
            [this](const QString &op, const RpcError &e) {
                // A real service has no drills, and only admins may list
                // them: either way the panel hides, without an error on
                // every page's status bar.
                if (e.code == RpcCode::Unimplemented ||
                    (e.code == RpcCode::PermissionDenied && op == QLatin1String("list drills"))) {
                    if (m_drillsAvailable || !m_drills.empty()) {
                        m_drillsAvailable = false;
                        m_drills.clear();
                        emit drillsChanged();
                    }
                    return;
                }
                emit m_session->message(tr("%1 failed: %2").arg(op, e.describe()));
            });
    connect(m_client, &RoutingClient::tableReceived, this, &RoutingController::applyTable);
    connect(m_watch, &RoutingWatch::snapshotReceived, this, &RoutingController::applyTable);
    connect(m_watch, &RoutingWatch::changed, this, &RoutingController::onWatchChange);
    connect(m_client, &RoutingClient::failed, m_session, &Session::reportFailure);
    connect(m_client, &RoutingClient::changeApplied, this, &RoutingController::onApplied);
    // The object a write returns updates the table at once; the watch confirms it.
    connect(m_client, &RoutingClient::routeChanged, this, [this](const Route &r) {
        RoutingTable t = m_model.table();
        mergeRoutingChange(t, {r}, {});
        m_model.setTable(t);
        checkTrouble();
    });
    connect(m_client, &RoutingClient::modelChanged, this, [this](const Model &m) {
        RoutingTable t = m_model.table();
        mergeRoutingChange(t, {}, {m});
        m_model.setTable(t);
        checkTrouble();
    });
    connect(m_client, &RoutingClient::changeFailed, this, &RoutingController::onFailed);
    connect(m_actions, &ActionLog::recorded, this,
            [this](const QString &requestId, bool ok, const QString &error) {
                auto it = m_inFlight.find(requestId);
                if (it == m_inFlight.end())
                    return;
                const Change c = it.value();
                m_inFlight.erase(it);
                if (!ok)
                    emit m_session->message(tr("%1 was applied by the service, but the local "
                                               "action log could not record it: %2")
                                                .arg(c.title(), error));
                emit changeSucceeded(c, m_appliedEvents.take(requestId));
            });
    connect(m_session, &Session::snapshotLoaded, this, [this](const CacheSnapshot &s) {
        if (m_fresh.live || s.routingFetchedMs <= 0)
            return;
        m_model.setTable(s.routing);
        m_fresh.fetchedMs = s.routingFetchedMs;
        checkTrouble();
        emit freshnessChanged();
    });
    connect(m_session, &Session::connected, this, &RoutingController::refresh);
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_fresh = {};
        m_inFlight.clear();
        m_model.setTable({});
        checkTrouble();
        m_watch->stop();
        m_watch->start();
    });
    // Changes arrive on the watch the moment they happen; the poll refreshes
    // the continuously moving figures (served shares, error rates).
    m_pollTimer.setInterval(kPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        if (m_session->isReady()) {
            m_client->fetchTable();
            m_drillClient->list();
        }
    });
    m_pollTimer.start();
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, [this] { m_model.setNow(nowMs()); });
    m_clock.start();
}

Freshness RoutingController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

QString RoutingController::writeBlockedReason() const
{
    const QString why = m_session->writeBlockedReason(m_fresh.fetchedMs);
    if (!why.isEmpty())
        return why;
    if (!m_fresh.live)
        return tr("waiting for the service's routing table");
    return {};
}

void RoutingController::refresh()
{
    m_client->fetchTable();
    m_drillClient->list();
}

void RoutingController::startDrill(const QString &model, DrillKind kind, double magnitude,
                                   std::chrono::seconds duration)
{
    m_drillClient->start(model, kind, magnitude, duration);
}

void RoutingController::stopDrill(const QString &id)
{
    m_drillClient->stop(id);
}

void RoutingController::applyTable(const RoutingTable &t)
{
    const bool first = !m_fresh.live;
    m_model.setTable(t);
    m_fresh = {nowMs(), true};
    m_session->noteAuthorised();
    if (auto *cache = m_session->cache())
        cache->saveRouting(m_session->endpointKey(), t, m_fresh.fetchedMs);
    checkTrouble();
    if (first)
        emit freshnessChanged();
}

void RoutingController::checkTrouble()
{
    const RoutingTrouble t = m_model.trouble();
    if (t.rows == m_lastTroubleRows && t.reasons == m_lastTroubleReasons)
        return;
    // A kind of trouble newly begun is worth a notification, not just a
    // colour; a share that moves from 13 % to 56 % is the same trouble.
    for (int i = 0; i < t.keys.size() && i < t.reasons.size(); ++i) {
        if (!m_lastTroubleKeys.contains(t.keys[i]) && m_lastTroubleRows >= 0 && m_fresh.live)
            m_notifications->add(
                {nowMs(), NotificationLog::Severity::Trouble, t.reasons[i], {}, false});
    }
    m_lastTroubleRows = t.rows;
    m_lastTroubleReasons = t.reasons;
    m_lastTroubleKeys = t.keys;
    emit troubleChanged(t);
}

const Route *RoutingController::route(const QString &name) const
{
    for (const auto &r : m_model.table().routes) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

static QString onOff(bool enabled)
{
    return enabled ? RoutingController::tr("enabled") : RoutingController::tr("disabled");
}

std::optional<Change> RoutingController::toggleFor(const QModelIndex &index, QString *why) const
{
    const Route *r = m_model.routeAt(index);
    if (!r) {
        if (why)
            *why = tr("select a route or one of its models");
        return std::nullopt;
    }
    const int step = index.data(RoutingModel::StepRole).toInt();
    if (step < 0) {
        if (why)
            *why = tr("select a model or fallback step of %1 to disable it; F forces the "
                      "route to its fallbacks")
                       .arg(r->name);
        return std::nullopt;
    }
    if (step == 0) {
        const Model *m = m_model.model(r->primaryModel);
        if (!m) {
            if (why)
                *why = tr("model %1 is not in the routing table").arg(r->primaryModel);
            return std::nullopt;
        }
        return modelChange(m->name, !m->enabled, why);
    }
    const FallbackStep &f = r->fallbacks[std::size_t(step - 1)];
    return fallbackChange(r->name, f.model, !f.enabled, why);
}

std::optional<Change> RoutingController::modelChange(const QString &model, bool enabled,
                                                     QString *why) const
{
    const Model *m = m_model.model(model);
    if (!m) {
        if (why)
            *why = tr("model %1 is not in the routing table").arg(model);
        return std::nullopt;
    }
    if (m->enabled == enabled) {
        if (why)
            *why = tr("model %1 is already %2").arg(model, onOff(enabled));
        return std::nullopt;
    }
    Change c;
    c.requestId = Change::newRequestId();
    c.kind = ChangeKind::ModelEnabled;
    c.object = m->name;
    c.enabled = enabled;
    c.expectedEtag = m->etag;
    c.oldValue = onOff(m->enabled);
    c.newValue = onOff(c.enabled);
    return c;
}

std::optional<Change> RoutingController::fallbackChange(const QString &routeName,
                                                        const QString &model, bool enabled,
                                                        QString *why) const
{
    const Route *r = route(routeName);
    if (!r) {
        if (why)
            *why = tr("no route called %1").arg(routeName);
        return std::nullopt;
    }
    for (const auto &f : r->fallbacks) {
        if (f.model != model)
            continue;
        if (f.enabled == enabled) {
            if (why)
                *why = tr("fallback %1 on %2 is already %3").arg(model, r->name, onOff(enabled));
            return std::nullopt;
        }
        Change c;
        c.requestId = Change::newRequestId();
        c.kind = ChangeKind::FallbackEnabled;
        c.object = r->name;
        c.item = f.model;
        c.enabled = enabled;
        c.expectedEtag = r->etag;
        c.oldValue = onOff(f.enabled);
        c.newValue = onOff(c.enabled);
        return c;
    }
    if (why)
        *why = tr("%1 is not a fallback of route %2").arg(model, r->name);
    return std::nullopt;
}

std::optional<Change> RoutingController::modelToggleFor(const QString &model, QString *why) const
{
    const Model *m = m_model.model(model);
    if (!m) {
        if (why)
            *why = tr("model %1 is not in the routing table").arg(model);
        return std::nullopt;
    }
    return modelChange(model, !m->enabled, why);
}

std::optional<Change> RoutingController::forceFallbackFor(const QModelIndex &index,
                                                          QString *why) const
{
    const Route *r = m_model.routeAt(index);
    if (!r) {
        if (why)
            *why = tr("select a route");
        return std::nullopt;
    }
    bool anyFallback = false;
    for (const auto &f : r->fallbacks)
        anyFallback = anyFallback || f.enabled;
    if (!r->primaryBypassed && !anyFallback) {
        if (why)
            *why = tr("route %1 has no enabled fallback to send traffic to").arg(r->name);
        return std::nullopt;
    }
    Change c;
    c.kind = ChangeKind::ForceFallback;
    c.object = r->name;
    c.enabled = !r->primaryBypassed;
    c.expectedEtag = r->etag;
    c.requestId = Change::newRequestId();
    c.oldValue = r->primaryBypassed ? tr("forced to fallbacks")
                                    : tr("primary %1 first").arg(r->primaryModel);
    c.newValue =
        c.enabled ? tr("forced to fallbacks") : tr("primary %1 first").arg(r->primaryModel);
    return c;
}

// The first model of the chain that would serve, skipping `skipModel`
// (and the primary when `bypass`), or "" if none.
static QString nextServing(const RoutingModel &model, const Route &r, const QString &skipModel,
                           const QString &skipStep, bool bypass)
{
    auto usable = [&](const QString &name) {
        if (name == skipModel)
            return false;
        const Model *m = model.model(name);
        return !m || (m->enabled && m->circuit != CircuitState::Open);
    };
    if (!bypass && usable(r.primaryModel))
        return r.primaryModel;
    for (const auto &f : r.fallbacks) {
        if (f.enabled && f.model != skipStep && usable(f.model))
            return f.model;
    }
    return {};
}

QStringList RoutingController::outageRoutes(const Change &c) const
{
    QStringList out;
    if (c.kind != ChangeKind::ModelEnabled || c.enabled)
        return out;
    for (const auto &r : m_model.table().routes) {
        bool uses = r.primaryModel == c.object;
        for (const auto &f : r.fallbacks)
            uses = uses || f.model == c.object;
        if (uses && nextServing(m_model, r, c.object, {}, r.primaryBypassed).isEmpty())
            out << r.name;
    }
    return out;
}

QString RoutingController::impactOf(const Change &c) const
{
    QStringList lines;
    auto served = [](const Route &r, const QString &model) {
        double s = 0;
        for (const auto &x : r.recentlyServed) {
            if (x.model == model)
                s += x.fraction10s > 0 ? x.fraction10s : x.fraction;
        }
        return s;
    };
    switch (c.kind) {
    case ChangeKind::ModelEnabled:
        for (const auto &r : m_model.table().routes) {
            bool uses = r.primaryModel == c.object;
            for (const auto &f : r.fallbacks)
                uses = uses || f.model == c.object;
            if (!uses)
                continue;
            const double share = served(r, c.object);
            if (c.enabled) {
                lines << tr("%1: %2 may serve again (as %3).")
                             .arg(r.name, c.object,
                                  r.primaryModel == c.object ? tr("primary") : tr("a fallback"));
                continue;
            }
            const QString next = nextServing(m_model, r, c.object, {}, r.primaryBypassed);
            if (next.isEmpty())
                lines << tr("%1: NO model left to serve: its requests (%2 now served by %3) "
                            "will fail.")
                             .arg(r.name, formatPercent(share, 0), c.object);
            else
                lines << tr("%1: the %2 of traffic %3 serves moves to %4.")
                             .arg(r.name, formatPercent(share, 0), c.object, next);
        }
        break;
    case ChangeKind::FallbackEnabled:
        if (const Route *r = route(c.object)) {
            const double share = served(*r, c.item);
            if (c.enabled) {
                lines << tr("%1: %2 serves again when the models before it fail or are "
                            "skipped.")
                             .arg(r->name, c.item);
            } else {
                const QString next = nextServing(m_model, *r, {}, c.item, r->primaryBypassed);
                lines << tr("%1: %2 stops serving (it serves %3 now); when the primary fails, "
                            "requests go to %4.")
                             .arg(r->name, c.item, formatPercent(share, 0),
                                  next.isEmpty() || next == r->primaryModel
                                      ? tr("the next enabled fallback, or fail")
                                      : next);
            }
        }
        break;
    case ChangeKind::ForceFallback:
        if (const Route *r = route(c.object)) {
            const QString next = nextServing(m_model, *r, {}, {}, true);
            if (c.enabled)
                lines << tr("%1: all traffic skips %2 (serving %3 now) and goes to %4.")
                             .arg(r->name, r->primaryModel,
                                  formatPercent(served(*r, r->primaryModel), 0),
                                  next.isEmpty() ? tr("nothing (no usable fallback)") : next);
            else
                lines << tr("%1: traffic goes to %2 first again.").arg(r->name, r->primaryModel);
        }
        break;
    default:
        break;
    }
    if (c.revertAfter.count() > 0)
        lines << tr("The service undoes this by itself after %1, even if this console is "
                    "closed.")
                     .arg(formatDuration(c.revertAfter.count() * 1000));
    return lines.join(QLatin1Char('\n'));
}

std::optional<Change> RoutingController::rebase(const Change &c) const
{
    Change n = c;
    n.requestId = Change::newRequestId();
    switch (c.kind) {
    case ChangeKind::ModelEnabled: {
        const Model *m = m_model.model(c.object);
        if (!m || m->enabled == c.enabled)
            return std::nullopt;
        n.expectedEtag = m->etag;
        n.oldValue = onOff(m->enabled);
        return n;
    }
    case ChangeKind::FallbackEnabled: {
        const Route *r = route(c.object);
        if (!r)
            return std::nullopt;
        for (const auto &f : r->fallbacks) {
            if (f.model != c.item)
                continue;
            if (f.enabled == c.enabled)
                return std::nullopt;
            n.expectedEtag = r->etag;
            n.oldValue = onOff(f.enabled);
            return n;
        }
        return std::nullopt;
    }
    case ChangeKind::ForceFallback: {
        const Route *r = route(c.object);
        if (!r || r->primaryBypassed == c.enabled)
            return std::nullopt;
        n.expectedEtag = r->etag;
        return n;
    }
    default:
        return std::nullopt;
    }
}

QString RoutingController::describeConflict(const Change &c, const ConflictInfo &conflict) const
{
    QString what;
    if (const auto *m = std::get_if<Model>(&conflict.current))
        what = tr("model %1 is now %2").arg(m->name, onOff(m->enabled));
    else if (const auto *r = std::get_if<Route>(&conflict.current)) {
        QStringList steps;
        for (const auto &f : r->fallbacks)
            steps << QStringLiteral("%1 %2").arg(f.model, onOff(f.enabled));
        what = tr("route %1 is now: %2%3")
                   .arg(r->name, steps.join(QStringLiteral(", ")),
                        r->primaryBypassed ? tr(" (forced to fallbacks)") : QString());
    }
    const QString who = conflict.updatedBy.isEmpty() ? tr("someone") : conflict.updatedBy;
    return tr("%1 changed %2 first, at %3: %4.")
        .arg(who, c.target(), formatClock(conflict.updatedMs), what);
}

void RoutingController::submit(const Change &change)
{
    const QString blocked = writeBlockedReason();
    if (!blocked.isEmpty()) {
        RpcError err;
        err.code = RpcCode::FailedPrecondition;
        err.message = blocked;
        emit changeRejected(change, err);
        return;
    }
    m_inFlight.insert(change.requestId, change);
    m_ourRequests.insert(change.requestId, nowMs());
    m_client->apply(change);
}

static LocalAction actionOf(const Change &c, const QString &outcome, const QString &detail)
{
    LocalAction a = localActionFor(c, clock::nowMs(), {});
    a.outcome = outcome;
    a.detail = detail;
    return a;
}

void RoutingController::onApplied(const Change &change, const AuditEvent &event)
{
    m_appliedEvents.insert(change.requestId, event);
    LocalAction a = actionOf(change, QStringLiteral("applied"), {});
    a.auditId = event.id;
    a.actor = event.actor;
    emit auditEventSeen(event);
    // Success is reported once the local log has it (ActionLog::recorded).
    m_actions->record(a);
}

void RoutingController::onFailed(const Change &change, const RpcError &error)
{
    m_inFlight.remove(change.requestId);
    if (error.code == RpcCode::FailedPrecondition && error.conflict) {
        // Show the world as it is now before the user decides again.
        RoutingTable t = m_model.table();
        if (const auto *m = std::get_if<Model>(&error.conflict->current))
            mergeRoutingChange(t, {}, {*m});
        else if (const auto *r = std::get_if<Route>(&error.conflict->current))
            mergeRoutingChange(t, {*r}, {});
        m_model.setTable(t);
        m_actions->record(actionOf(change, QStringLiteral("conflict"),
                                   describeConflict(change, *error.conflict)));
        emit changeConflicted(change, *error.conflict);
        return;
    }
    if (error.code == RpcCode::PermissionDenied)
        m_session->noteRoleTooLow(error.message);
    else if (error.code == RpcCode::Unauthenticated)
        m_session->reportFailure(change.title(), error);
    m_actions->record(actionOf(change,
                               error.code == RpcCode::PermissionDenied ? QStringLiteral("denied")
                                                                       : QStringLiteral("failed"),
                               error.describe()));
    emit changeRejected(change, error);
}

void RoutingController::onWatchChange(const std::vector<Route> &routes,
                                      const std::vector<Model> &models, const AuditEvent &event)
{
    RoutingTable t = m_model.table();
    mergeRoutingChange(t, routes, models);
    m_model.setTable(t);
    checkTrouble();
    if (event.action.isEmpty())
        return;
    m_lastEvent.insert(event.target, event);
    emit auditEventSeen(event);
    if (m_ourRequests.contains(event.requestId))
        return; // our own change: reported by the write flow
    const bool revert = event.actor == QLatin1String("auto-revert");
    NotificationLog::Entry n;
    n.timeMs = event.timeMs > 0 ? event.timeMs : nowMs();
    n.severity = revert ? NotificationLog::Severity::Warning : NotificationLog::Severity::Info;
    n.title =
        revert
            ? tr("%1 reverted by itself: %2 → %3").arg(event.target, event.oldValue, event.newValue)
            : tr("%1 changed %2: %3 → %4")
                  .arg(event.actor, event.target, event.oldValue, event.newValue);
    n.detail = event.reason.isEmpty() ? QString() : tr("reason: “%1”").arg(event.reason);
    m_notifications->add(n);
    emit m_session->message(n.detail.isEmpty() ? n.title
                                               : QStringLiteral("%1 (%2)").arg(n.title, n.detail));
}

} // namespace sb
