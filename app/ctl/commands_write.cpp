// The writes: each builds the console's own Change through the capability
// controller (the etag the controller saw, a fresh request id, the reason),
// passes the production guard, submits it through the same controller (so
// the local action log has it before success is printed) and maps the
// outcome to an exit code. A conflict prints who changed what first and
// exits 5; nothing is retried or overwritten.

#include "ctl/commands.h"
#include "ctl/records.h"
#include "ctl/runtime.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QDateTime>

namespace sb::ctl {

Exit startExperimentsFor(Runtime &rt, const QString &idOrName, const Experiment **out);

namespace {

struct Outcome
{
    bool done = false;
    bool ok = false;
    Change change;
    std::optional<ConflictInfo> conflict;
    RpcError error;
    AuditEvent event;
};

bool usage(Runtime &rt, int n)
{
    const CommandSpec *spec = findCommand(rt.args().command);
    if (rt.args().positional.size() != n) {
        rt.err(QStringLiteral("usage: switchboard-ctl %1 %2").arg(spec->name, spec->synopsis));
        return false;
    }
    if (spec->flags.contains(QStringLiteral("reason")) &&
        rt.args().value(QStringLiteral("reason")).trimmed().isEmpty()) {
        rt.err(QStringLiteral("switchboard-ctl: %1 needs --reason \"…\" (it is recorded in the "
                              "audit log)")
                   .arg(spec->name));
        return false;
    }
    if (rt.offline()) {
        rt.err(QStringLiteral("switchboard-ctl: a change needs the live service, not --offline"));
        return false;
    }
    return true;
}

bool revertAfter(Runtime &rt, Change *c)
{
    if (!rt.args().has(QStringLiteral("for")))
        return true;
    qint64 s = 0;
    if (!parseDuration(rt.args().value(QStringLiteral("for")), &s)) {
        rt.err(QStringLiteral("switchboard-ctl: --for takes a duration such as 90s, 30m, 1h"));
        return false;
    }
    c->revertAfter = std::chrono::seconds(s);
    return true;
}

QJsonObject changeRecord(const Change &c)
{
    return {{"kind", c.target().section(QLatin1Char('/'), 0, 0)},
            {"target", c.target()},
            {"title", c.title()},
            {"old", c.oldValue},
            {"new", c.newValue},
            {"reason", c.reason},
            {"request_id", c.requestId},
            {"reverts_after_s", qint64(c.revertAfter.count())}};
}

void printObject(Runtime &rt, const QJsonObject &o, const QString &tableText)
{
    if (rt.format() == Format::Table) {
        if (!tableText.isEmpty())
            rt.out(tableText + QLatin1Char('\n'));
    } else
        rt.out(rt.format() == Format::Json ? renderJson(o) : renderYaml(o));
}

// "Nothing to do": the state is already what was asked.
Exit unchanged(Runtime &rt, const QString &why)
{
    printObject(rt, {{"result", "unchanged"}, {"detail", why}},
                why + QStringLiteral("; nothing to do"));
    return Exit::Ok;
}

template <typename Controller>
Exit send(Runtime &rt, Controller *ctl, Change c, Outcome &o,
          const std::function<QString(const Change &)> &theirReason = {})
{
    c.reason = rt.args().value(QStringLiteral("reason")).trimmed();
    // A script that read the state earlier (-o json) can insist on that
    // state: a change since then is a conflict, not overwritten.
    if (rt.args().has(QStringLiteral("if-etag")))
        c.expectedEtag = rt.args().value(QStringLiteral("if-etag"));
    Exit refused = Exit::Failure;
    if (!rt.confirmWrite(c, ctl->impactOf(c), &refused))
        return refused;
    QObject::connect(
        ctl, &Controller::changeConflicted, &rt,
        [&](const Change &ch, const ConflictInfo &info) { o = {true, false, ch, info, {}, {}}; });
    QObject::connect(
        ctl, &Controller::changeRejected, &rt,
        [&](const Change &ch, const RpcError &e) { o = {true, false, ch, std::nullopt, e, {}}; });
    ctl->submit(c);
    if (Exit e = rt.waitFor([&] { return o.done; }, c.title()); e != Exit::Ok)
        return e;
    if (o.ok) {
        QString text = QStringLiteral("%1: %2 → %3 (request %4)")
                           .arg(c.title(), c.oldValue, c.newValue, c.requestId);
        if (c.revertAfter.count() > 0)
            text += QStringLiteral("; reverts by itself after %1 s").arg(c.revertAfter.count());
        printObject(rt,
                    {{"result", "applied"},
                     {"change", changeRecord(c)},
                     {"audit_id", o.event.id},
                     {"actor", o.event.actor},
                     {"context", rt.profile().name}},
                    text);
        return Exit::Ok;
    }
    if (o.conflict) {
        const QString what = ctl->describeConflict(o.change, *o.conflict);
        const QString reason = theirReason ? theirReason(o.change) : QString();
        rt.err(QStringLiteral("CONFLICT: %1%2 Nothing was changed; re-read and decide again.")
                   .arg(what, reason.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" Their reason: “%1”.").arg(reason)));
        printObject(rt,
                    {{"result", "conflict"},
                     {"change", changeRecord(o.change)},
                     {"conflict", QJsonObject{{"updated_by", o.conflict->updatedBy},
                                              {"updated_at", isoTime(o.conflict->updatedMs)},
                                              {"reason", reason.isEmpty() ? QJsonValue::Null
                                                                          : QJsonValue(reason)},
                                              {"description", what}}}},
                    {}); // on a terminal, the sentence on stderr says it all
        return Exit::Conflict;
    }
    rt.err(QStringLiteral("switchboard-ctl: %1 failed: %2").arg(c.title(), o.error.describe()));
    return Runtime::exitFor(o.error);
}

} // namespace

Exit runModelSwitch(Runtime &rt, bool enable)
{
    if (!usage(rt, 1))
        return Exit::Usage;
    if (Exit e = rt.start(Runtime::Routing); e != Exit::Ok)
        return e;
    RoutingController *routing = rt.routing();
    if (Exit e = rt.waitFor([&] { return routing->writeBlockedReason().isEmpty(); },
                            QStringLiteral("the routing table"));
        e != Exit::Ok)
        return e;
    QString why;
    auto c = routing->modelChange(rt.args().positional[0], enable, &why);
    if (!c) {
        if (why.contains(QLatin1String("already")))
            return unchanged(rt, why);
        rt.err(QStringLiteral("switchboard-ctl: ") + why);
        return Exit::Failure;
    }
    if (!revertAfter(rt, &*c))
        return Exit::Usage;
    const QStringList outage = routing->outageRoutes(*c);
    if (!outage.isEmpty()) {
        if (!rt.args().has(QStringLiteral("allow-outage"))) {
            rt.err(QStringLiteral("switchboard-ctl: disabling %1 leaves %2 with no model to serve "
                                  "(their requests would fail); pass --allow-outage if that is "
                                  "what you want. Nothing was changed.")
                       .arg(c->object, outage.join(QStringLiteral(", "))));
            return Exit::Failure;
        }
        c->allowRouteOutage = true;
    }
    Outcome o;
    QObject::connect(
        routing, &RoutingController::changeSucceeded, &rt,
        [&](const Change &ch, const AuditEvent &ev) { o = {true, true, ch, {}, {}, ev}; });
    return send(rt, routing, *c, o,
                [&](const Change &ch) { return routing->lastEvent(ch.target()).reason; });
}

Exit runSetFallback(Runtime &rt)
{
    if (!usage(rt, 3))
        return Exit::Usage;
    const QString onOff = rt.args().positional[2];
    if (onOff != QLatin1String("on") && onOff != QLatin1String("off")) {
        rt.err(QStringLiteral("switchboard-ctl: set-fallback ROUTE MODEL on|off"));
        return Exit::Usage;
    }
    if (Exit e = rt.start(Runtime::Routing); e != Exit::Ok)
        return e;
    RoutingController *routing = rt.routing();
    if (Exit e = rt.waitFor([&] { return routing->writeBlockedReason().isEmpty(); },
                            QStringLiteral("the routing table"));
        e != Exit::Ok)
        return e;
    QString why;
    auto c = routing->fallbackChange(rt.args().positional[0], rt.args().positional[1],
                                     onOff == QLatin1String("on"), &why);
    if (!c) {
        if (why.contains(QLatin1String("already")))
            return unchanged(rt, why);
        rt.err(QStringLiteral("switchboard-ctl: ") + why);
        return Exit::Failure;
    }
    if (!revertAfter(rt, &*c))
        return Exit::Usage;
    Outcome o;
    QObject::connect(
        routing, &RoutingController::changeSucceeded, &rt,
        [&](const Change &ch, const AuditEvent &ev) { o = {true, true, ch, {}, {}, ev}; });
    return send(rt, routing, *c, o,
                [&](const Change &ch) { return routing->lastEvent(ch.target()).reason; });
}

// The console's F: all of a route's traffic skips its primary (or back).
Exit runForceFallback(Runtime &rt)
{
    if (!usage(rt, 2))
        return Exit::Usage;
    const QString onOff = rt.args().positional[1];
    if (onOff != QLatin1String("on") && onOff != QLatin1String("off")) {
        rt.err(QStringLiteral("switchboard-ctl: force-fallback ROUTE on|off"));
        return Exit::Usage;
    }
    if (Exit e = rt.start(Runtime::Routing); e != Exit::Ok)
        return e;
    RoutingController *routing = rt.routing();
    if (Exit e = rt.waitFor([&] { return routing->writeBlockedReason().isEmpty(); },
                            QStringLiteral("the routing table"));
        e != Exit::Ok)
        return e;
    const QString name = rt.args().positional[0];
    const auto &routes = routing->model()->table().routes;
    int row = -1;
    for (int i = 0; i < int(routes.size()); ++i) {
        if (routes[std::size_t(i)].name == name)
            row = i;
    }
    if (row < 0) {
        rt.err(QStringLiteral("switchboard-ctl: no route called %1").arg(name));
        return Exit::Failure;
    }
    const bool force = onOff == QLatin1String("on");
    if (routes[std::size_t(row)].primaryBypassed == force)
        return unchanged(
            rt, force ? QStringLiteral("route %1 is already forced to its fallbacks").arg(name)
                      : QStringLiteral("route %1 already goes to its primary first").arg(name));
    QString why;
    auto c = routing->forceFallbackFor(routing->model()->index(row, 0), &why);
    if (!c) {
        rt.err(QStringLiteral("switchboard-ctl: ") + why);
        return Exit::Failure;
    }
    if (!revertAfter(rt, &*c))
        return Exit::Usage;
    Outcome o;
    QObject::connect(
        routing, &RoutingController::changeSucceeded, &rt,
        [&](const Change &ch, const AuditEvent &ev) { o = {true, true, ch, {}, {}, ev}; });
    return send(rt, routing, *c, o,
                [&](const Change &ch) { return routing->lastEvent(ch.target()).reason; });
}

static Exit labelChange(Runtime &rt, bool rollback)
{
    if (!usage(rt, rollback ? 1 : 3))
        return Exit::Usage;
    const QString name = rt.args().positional[0];
    if (Exit e = rt.start(Runtime::Prompts); e != Exit::Ok)
        return e;
    PromptsController *prompts = rt.prompts();
    if (Exit e = rt.waitFor([&] { return prompts->freshness().live; }, QStringLiteral("prompts"));
        e != Exit::Ok)
        return e;
    if (!prompts->prompt(name)) {
        rt.err(QStringLiteral("switchboard-ctl: no prompt called %1").arg(name));
        return Exit::Failure;
    }
    int histories = 0;
    QObject::connect(prompts, &PromptsController::labelHistoryChanged, &rt,
                     [&](const QString &p) { histories += p == name; });
    prompts->selectPrompt(name, false);
    const quint32 latest = prompts->prompt(name)->latestVersion;
    if (Exit e = rt.waitFor([&] { return prompts->version(name, latest) && histories >= 2; },
                            QStringLiteral("the versions of %1").arg(name));
        e != Exit::Ok)
        return e;
    QString why;
    std::optional<Change> c;
    if (rollback) {
        c = prompts->rollbackChange(name, &why);
    } else {
        QString v = rt.args().positional[2];
        if (v.startsWith(QLatin1Char('v')))
            v = v.mid(1);
        bool ok = false;
        const quint32 version = v.toUInt(&ok);
        if (!ok) {
            rt.err(QStringLiteral("switchboard-ctl: VERSION is a number (3 or v3)"));
            return Exit::Usage;
        }
        c = prompts->moveLabelChange(name, rt.args().positional[1], version, &why);
    }
    if (!c) {
        if (why.contains(QLatin1String("already")))
            return unchanged(rt, why);
        rt.err(QStringLiteral("switchboard-ctl: ") + why);
        return Exit::Failure;
    }
    const QString blocked = prompts->labelMoveBlockedReason(c->item);
    if (!blocked.isEmpty()) {
        rt.err(QStringLiteral("switchboard-ctl: ") + blocked);
        return Exit::PermissionDenied;
    }
    Outcome o;
    QObject::connect(prompts, &PromptsController::changeSucceeded, &rt,
                     [&](const Change &ch) { o = {true, true, ch, {}, {}, {}}; });
    return send(rt, prompts, *c, o);
}

Exit runMoveLabel(Runtime &rt)
{
    return labelChange(rt, false);
}

Exit runRollback(Runtime &rt)
{
    return labelChange(rt, true);
}

Exit runExperimentState(Runtime &rt)
{
    if (!usage(rt, 2))
        return Exit::Usage;
    const QString verb = rt.args().positional[0];
    const ExperimentState target = verb == QLatin1String("start")   ? ExperimentState::Running
                                   : verb == QLatin1String("pause") ? ExperimentState::Paused
                                   : verb == QLatin1String("stop")  ? ExperimentState::Stopped
                                                                    : ExperimentState::Unspecified;
    if (target == ExperimentState::Unspecified) {
        rt.err(QStringLiteral("usage: switchboard-ctl experiment start|pause|stop EXP --reason …"));
        return Exit::Usage;
    }
    const Experiment *exp = nullptr;
    if (Exit e = startExperimentsFor(rt, rt.args().positional[1], &exp); e != Exit::Ok)
        return e;
    ExperimentsController *experiments = rt.experiments();
    experiments->select(exp->id);
    QString why;
    auto c = experiments->stateChangeFor(target, &why);
    if (!c) {
        if (why.contains(QLatin1String("already")))
            return unchanged(rt, why);
        rt.err(QStringLiteral("switchboard-ctl: ") + why);
        return Exit::Failure;
    }
    Outcome o;
    QObject::connect(
        experiments, &ExperimentsController::changeSucceeded, &rt,
        [&](const Change &ch, const Experiment &) { o = {true, true, ch, {}, {}, {}}; });
    return send(rt, experiments, *c, o);
}

// Drills have no Change (the sim's DrillService takes no etag or reason);
// they still pass the production guard.
Exit runDrill(Runtime &rt)
{
    const QStringList &pos = rt.args().positional;
    const QString verb = pos.value(0);
    if (pos.size() != 2 || (verb != QLatin1String("start") && verb != QLatin1String("stop"))) {
        rt.err(
            QStringLiteral("usage: switchboard-ctl drill %1").arg(findCommand("drill")->synopsis));
        return Exit::Usage;
    }
    DrillKind kind = DrillKind::Outage;
    double magnitude = 1;
    qint64 seconds = 300;
    if (verb == QLatin1String("start")) {
        const QString k = rt.args().value(QStringLiteral("kind"), QStringLiteral("outage"));
        if (k == QLatin1String("latency")) {
            kind = DrillKind::LatencySpike;
            magnitude = 5;
        } else if (k == QLatin1String("errors")) {
            kind = DrillKind::ErrorBurst;
            magnitude = 0.5;
        } else if (k != QLatin1String("outage")) {
            rt.err(QStringLiteral("switchboard-ctl: --kind is outage, latency or errors"));
            return Exit::Usage;
        }
        if (rt.args().has(QStringLiteral("magnitude")))
            magnitude = rt.args().value(QStringLiteral("magnitude")).toDouble();
        if (rt.args().has(QStringLiteral("for")) &&
            !parseDuration(rt.args().value(QStringLiteral("for")), &seconds)) {
            rt.err(QStringLiteral("switchboard-ctl: --for takes a duration such as 90s, 5m"));
            return Exit::Usage;
        }
    }
    if (rt.offline()) {
        rt.err(QStringLiteral("switchboard-ctl: a drill needs the live service, not --offline"));
        return Exit::Usage;
    }
    if (Exit e = rt.start(Runtime::Routing); e != Exit::Ok)
        return e;
    RoutingController *routing = rt.routing();
    if (Exit e = rt.waitFor([&] { return routing->freshness().live && routing->drillsAvailable(); },
                            QStringLiteral("the drill service"));
        e != Exit::Ok)
        return e;
    QString failure;
    QObject::connect(rt.session(), &Session::message, &rt, [&](const QString &m) {
        if (m.contains(QLatin1String(" failed: ")))
            failure = m;
    });
    auto has = [&](const std::function<bool(const Drill &)> &pred) {
        for (const auto &d : routing->drills()) {
            if (pred(d))
                return true;
        }
        return false;
    };
    const QString arg = pos[1];
    Exit refused = Exit::Failure;
    if (verb == QLatin1String("start")) {
        const QString title = QStringLiteral("Start a %1 drill on %2 for %3 s (magnitude %4)")
                                  .arg(toString(kind), arg)
                                  .arg(seconds)
                                  .arg(magnitude);
        if (!rt.confirm(title, arg, &refused))
            return refused;
        routing->startDrill(arg, kind, magnitude, std::chrono::seconds(seconds));
        if (Exit e = rt.waitFor(
                [&] {
                    return !failure.isEmpty() ||
                           has([&](const Drill &d) { return d.model == arg && d.kind == kind; });
                },
                QStringLiteral("the drill"));
            e != Exit::Ok)
            return e;
    } else {
        if (!has([&](const Drill &d) { return d.id == arg; })) {
            rt.err(QStringLiteral("switchboard-ctl: no running drill with id %1").arg(arg));
            return Exit::Failure;
        }
        if (!rt.confirm(QStringLiteral("Stop drill %1").arg(arg), arg, &refused))
            return refused;
        routing->stopDrill(arg);
        if (Exit e = rt.waitFor(
                [&] {
                    return !failure.isEmpty() || !has([&](const Drill &d) { return d.id == arg; });
                },
                QStringLiteral("the drill"));
            e != Exit::Ok)
            return e;
    }
    if (!failure.isEmpty()) {
        rt.err(QStringLiteral("switchboard-ctl: ") + failure);
        return failure.contains(QLatin1String("permission denied")) ? Exit::PermissionDenied
                                                                    : Exit::Failure;
    }
    QJsonArray drills;
    for (const auto &d : routing->drills())
        drills.append(drillRecord(d));
    rt.printList(QStringLiteral("drills"), drills, drillColumns(), routing->freshness().fetchedMs);
    return Exit::Ok;
}

} // namespace sb::ctl
