#include "client/latency_stream.h"
#include "core/latency_aggregator.h"
#include "core/prompt_diff.h"
#include "ctl/commands.h"
#include "ctl/list_view.h"
#include "ctl/records.h"
#include "ctl/runtime.h"
#include "store/cache.h"
#include "ui/audit/audit_controller.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/experiments/results_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QDateTime>

namespace sb::ctl {

static bool needArgs(Runtime &rt, int n)
{
    if (rt.args().positional.size() == n)
        return true;
    const CommandSpec *spec = findCommand(rt.args().command);
    rt.err(QStringLiteral("usage: switchboard-ctl %1 %2").arg(rt.args().command, spec->synopsis));
    return false;
}

// Live: until the controller's data came from the service; offline: until
// the cached snapshot was loaded (fetchedMs > 0).
static Exit waitData(Runtime &rt, const std::function<Freshness()> &fresh, const QString &what)
{
    return rt.waitFor(
        [&] {
            const Freshness f = fresh();
            return rt.offline() ? f.fetchedMs > 0 : f.live;
        },
        what);
}

static Exit startRouting(Runtime &rt)
{
    Exit e = rt.start(Runtime::Routing);
    if (e != Exit::Ok)
        return e;
    return waitData(
        rt, [&] { return rt.routing()->freshness(); }, QStringLiteral("routing"));
}

Exit runRoutes(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    if (Exit e = startRouting(rt); e != Exit::Ok)
        return e;
    ListView v{"routes", "route", "name", {"served"}, routeColumns(), {}, {}};
    v.collect = [&] {
        QJsonArray a;
        for (const auto &r : rt.routing()->model()->table().routes)
            a.append(routeRecord(r));
        return a;
    };
    v.fetchedMs = [&] { return rt.routing()->freshness().fetchedMs; };
    return showList(rt, v);
}

Exit runModels(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    if (Exit e = startRouting(rt); e != Exit::Ok)
        return e;
    ListView v{"models", "model", "name", {"error_rate", "cooldown_until"}, modelColumns(), {}, {}};
    v.collect = [&] {
        QJsonArray a;
        for (const auto &m : rt.routing()->model()->table().models)
            a.append(modelRecord(m));
        return a;
    };
    v.fetchedMs = [&] { return rt.routing()->freshness().fetchedMs; };
    return showList(rt, v);
}

static Exit startPrompts(Runtime &rt)
{
    Exit e = rt.start(Runtime::Prompts);
    if (e != Exit::Ok)
        return e;
    return waitData(
        rt, [&] { return rt.prompts()->freshness(); }, QStringLiteral("prompts"));
}

Exit runPrompts(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    if (Exit e = startPrompts(rt); e != Exit::Ok)
        return e;
    ListView v{"prompts", "prompt", "name", {}, promptColumns(), {}, {}};
    v.collect = [&] {
        QJsonArray a;
        for (const auto &p : rt.prompts()->prompts()->prompts())
            a.append(promptRecord(p));
        return a;
    };
    v.fetchedMs = [&] { return rt.prompts()->freshness().fetchedMs; };
    return showList(rt, v);
}

// Selects the prompt and waits for its versions (and, live, its label
// history); Exit::Ok or why not.
static Exit loadPrompt(Runtime &rt, const QString &name, bool history)
{
    if (Exit e = startPrompts(rt); e != Exit::Ok)
        return e;
    const Prompt *p = rt.prompts()->prompt(name);
    if (!p) {
        rt.err(QStringLiteral("switchboard-ctl: no prompt called %1").arg(name));
        return Exit::Failure;
    }
    int histories = 0;
    QObject::connect(rt.prompts(), &PromptsController::labelHistoryChanged, &rt,
                     [&](const QString &prompt) { histories += prompt == name; });
    rt.prompts()->selectPrompt(name, false);
    const quint32 latest = p->latestVersion;
    Exit e = rt.waitFor(
        [&] {
            const bool versions = rt.prompts()->version(name, latest) != nullptr;
            return versions && (!history || rt.offline() || histories >= 2);
        },
        QStringLiteral("the versions of %1").arg(name));
    return e;
}

Exit runVersions(Runtime &rt)
{
    if (!needArgs(rt, 1))
        return Exit::Usage;
    const QString name = rt.args().positional[0];
    if (Exit e = loadPrompt(rt, name, false); e != Exit::Ok)
        return e;
    ListView v{"versions", "version", "version", {}, versionColumns(), {}, {}};
    v.collect = [&, name] {
        QJsonArray a;
        const Prompt *p = rt.prompts()->prompt(name);
        const VersionListModel *m = rt.prompts()->versions();
        if (p && m->prompt().name == name) {
            for (const auto &x : m->versions())
                a.append(versionRecord(*p, x));
        }
        return a;
    };
    v.fetchedMs = [&] { return rt.prompts()->freshness().fetchedMs; };
    return showList(rt, v);
}

static bool parseVersion(const QString &text, quint32 *out)
{
    QString t = text;
    if (t.startsWith(QLatin1Char('v')))
        t = t.mid(1);
    bool ok = false;
    *out = t.toUInt(&ok);
    return ok && *out > 0;
}

Exit runDiff(Runtime &rt)
{
    if (!needArgs(rt, 3))
        return Exit::Usage;
    const QString name = rt.args().positional[0];
    quint32 a = 0, b = 0;
    if (!parseVersion(rt.args().positional[1], &a) || !parseVersion(rt.args().positional[2], &b)) {
        rt.err(QStringLiteral("switchboard-ctl: versions are numbers (3 or v3)"));
        return Exit::Usage;
    }
    if (Exit e = loadPrompt(rt, name, false); e != Exit::Ok)
        return e;
    const PromptVersion *from = rt.prompts()->version(name, a);
    const PromptVersion *to = rt.prompts()->version(name, b);
    if (!from || !to) {
        rt.err(QStringLiteral("switchboard-ctl: %1 has no version %2").arg(name).arg(from ? b : a));
        return Exit::Failure;
    }
    const TextDiff d = diffText(from->templateText, to->templateText);
    const QString note = rt.staleNote(rt.prompts()->freshness().fetchedMs);
    if (!note.isEmpty())
        rt.err(note);
    if (rt.format() == Format::Table) {
        QString out = QStringLiteral("--- %1 v%2\n+++ %1 v%3\n").arg(name).arg(a).arg(b);
        for (const auto &r : d.rows) {
            switch (r.kind) {
            case DiffRow::Kind::Same:
                out += QStringLiteral("  %1\n").arg(r.left);
                break;
            case DiffRow::Kind::Removed:
                out += QStringLiteral("- %1\n").arg(r.left);
                break;
            case DiffRow::Kind::Added:
                out += QStringLiteral("+ %1\n").arg(r.right);
                break;
            case DiffRow::Kind::Changed:
                out += QStringLiteral("- %1\n+ %2\n").arg(r.left, r.right);
                break;
            }
        }
        rt.out(out);
        return Exit::Ok;
    }
    QJsonArray lines;
    for (const auto &r : d.rows) {
        static const char *ops[] = {"same", "changed", "removed", "added"};
        QJsonObject o{{"op", ops[int(r.kind)]}};
        if (r.kind != DiffRow::Kind::Added)
            o.insert("old", r.left);
        if (r.kind != DiffRow::Kind::Removed)
            o.insert("new", r.right);
        lines.append(o);
    }
    const QJsonObject o{{"prompt", name},       {"from", qint64(a)},
                        {"to", qint64(b)},      {"identical", d.identical()},
                        {"added", d.added},     {"removed", d.removed},
                        {"changed", d.changed}, {"lines", lines}};
    rt.out(rt.format() == Format::Json ? renderJson(o) : renderYaml(o));
    return Exit::Ok;
}

static Exit startExperiments(Runtime &rt)
{
    Exit e = rt.start(Runtime::Experiments);
    if (e != Exit::Ok)
        return e;
    return waitData(
        rt, [&] { return rt.experiments()->freshness(); }, QStringLiteral("experiments"));
}

static std::vector<Experiment> allExperiments(Runtime &rt)
{
    std::vector<Experiment> out;
    const ExperimentListModel *m = rt.experiments()->experiments();
    for (int i = 0; i < m->rowCount(); ++i) {
        if (const Experiment *e = m->experimentAt(i))
            out.push_back(*e);
    }
    return out;
}

// An experiment by id or by name.
const Experiment *findExperiment(Runtime &rt, const QString &idOrName)
{
    const ExperimentListModel *m = rt.experiments()->experiments();
    for (int i = 0; i < m->rowCount(); ++i) {
        const Experiment *e = m->experimentAt(i);
        if (e && (e->id == idOrName || e->name == idOrName))
            return e;
    }
    return nullptr;
}

Exit startExperimentsFor(Runtime &rt, const QString &idOrName, const Experiment **out)
{
    if (Exit e = startExperiments(rt); e != Exit::Ok)
        return e;
    *out = findExperiment(rt, idOrName);
    if (!*out) {
        rt.err(QStringLiteral("switchboard-ctl: no experiment with id or name %1").arg(idOrName));
        return Exit::Failure;
    }
    return Exit::Ok;
}

Exit runExperiments(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    if (Exit e = startExperiments(rt); e != Exit::Ok)
        return e;
    ListView v{"experiments", "experiment", "id", {}, experimentColumns(), {}, {}};
    v.collect = [&] {
        QJsonArray a;
        for (const auto &e : allExperiments(rt))
            a.append(experimentRecord(e));
        return a;
    };
    v.fetchedMs = [&] { return rt.experiments()->freshness().fetchedMs; };
    v.refresh = [&] { rt.experiments()->refresh(); };
    return showList(rt, v);
}

Exit runResults(Runtime &rt)
{
    if (!needArgs(rt, 1))
        return Exit::Usage;
    if (rt.offline()) {
        rt.err(QStringLiteral("switchboard-ctl: results are not cached; they need the live "
                              "service"));
        return Exit::Failure;
    }
    const Experiment *exp = nullptr;
    if (Exit e = startExperimentsFor(rt, rt.args().positional[0], &exp); e != Exit::Ok)
        return e;
    const QString id = exp->id;
    rt.experiments()->select(id);
    ResultsController *results = rt.experiments()->results();
    if (Exit e = rt.waitFor([&] { return results->hasResults(); }, QStringLiteral("results"));
        e != Exit::Ok)
        return e;
    ListView v{"results", "result", "variant", {}, resultColumns(), {}, {}};
    v.collect = [&, id] {
        QJsonArray a;
        if (const Experiment *e = rt.experiments()->experiment(id)) {
            for (const auto &var : e->variants)
                a.append(variantResultRecord(*e, var, results->results(), results->analysis()));
        }
        return a;
    };
    v.fetchedMs = [&] { return results->freshness().fetchedMs; };
    const Analysis &an = results->analysis();
    if (!rt.args().has(QStringLiteral("watch")) && rt.format() == Format::Table)
        rt.err(QStringLiteral("%1: %2").arg(toString(an.decision), an.headline));
    return showList(rt, v);
}

// --watch: the route's closed seconds as the live stream delivers them
// (the client's LatencyStream, as the console's charts get them).
static Exit watchLatency(Runtime &rt, const QString &route)
{
    if (rt.offline()) {
        rt.err(QStringLiteral("switchboard-ctl: --watch needs the live service, not --offline"));
        return Exit::Usage;
    }
    LatencyStream stream(rt.session()->connection());
    // Rows rendered next to a wide sample row, so the streamed lines line up.
    const QJsonObject sample{{"time", "2026-01-01T00:00:00Z"},
                             {"count", 100000},
                             {"errors", 100000},
                             {"fallbacks", 100000},
                             {"p50_ms", 100000},
                             {"p95_ms", 100000},
                             {"p99_ms", 100000}};
    auto lastLine = [](const QString &t) {
        return t.section(QLatin1Char('\n'), -2, -2) + QLatin1Char('\n');
    };
    const bool table = rt.format() == Format::Table;
    if (table)
        rt.out(renderTable({sample}, latencyColumns()).section(QLatin1Char('\n'), 0, 0) +
               QLatin1Char('\n'));
    QObject::connect(
        &stream, &LatencyStream::pointsReady, &rt, [&](const std::vector<RoutePoint> &points) {
            for (const auto &p : points) {
                if (p.route != route)
                    continue;
                SeriesPoint s;
                s.timeMs = p.point.secondMs;
                s.durationMs = 1000;
                s.count = p.point.count;
                s.errors = p.point.errors;
                s.fallbacks = p.point.fallbacks;
                s.latencyCount = p.point.count - p.point.errors;
                s.ttftCount = s.latencyCount;
                s.p50 = float(p.point.p50);
                s.p95 = float(p.point.p95);
                s.p99 = float(p.point.p99);
                s.ttftP50 = float(p.point.ttftP50);
                const QJsonObject o = latencyRecord(route, s);
                if (table) {
                    rt.out(lastLine(renderTable({sample, o}, latencyColumns())));
                } else {
                    rt.out(renderJson(QJsonObject{{"event", "second"}, {"latency", o}}, true));
                }
            }
        });
    stream.start({route});
    installInterruptHandler();
    while (!interrupted())
        rt.pump(100);
    stream.stop();
    return Exit::Interrupted;
}

Exit runLatency(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    const QString route = rt.args().value(QStringLiteral("route"));
    if (route.isEmpty()) {
        rt.err(QStringLiteral("usage: switchboard-ctl latency --route ROUTE [--since 1h]"));
        return Exit::Usage;
    }
    qint64 since = 3600;
    if (rt.args().has(QStringLiteral("since")) &&
        !parseDuration(rt.args().value(QStringLiteral("since")), &since)) {
        rt.err(
            QStringLiteral("switchboard-ctl: --since takes a duration such as 90s, 30m, 1h, 2d"));
        return Exit::Usage;
    }
    if (Exit e = startRouting(rt); e != Exit::Ok)
        return e;
    bool known = false;
    for (const auto &r : rt.routing()->model()->table().routes)
        known = known || r.name == route;
    if (!known) {
        rt.err(QStringLiteral("switchboard-ctl: no route called %1").arg(route));
        return Exit::Failure;
    }
    if (rt.args().has(QStringLiteral("watch")))
        return watchLatency(rt, route);
    // The per-minute rollups (merged sketches) the console keeps in the cache.
    SeriesQuery q;
    q.endpoint = rt.session()->endpointKey();
    q.route = route;
    q.toMs = QDateTime::currentMSecsSinceEpoch();
    q.fromMs = q.toMs - since * 1000;
    q.resolution = Resolution::Minute;
    q.tag = 1;
    bool loaded = false;
    std::vector<SeriesPoint> points;
    QObject::connect(rt.cache(), &Cache::seriesLoaded, &rt,
                     [&](const SeriesQuery &answer, const std::vector<SeriesPoint> &p) {
                         if (answer.tag == q.tag && answer.route == route) {
                             points = p;
                             loaded = true;
                         }
                     });
    rt.cache()->loadSeries(q);
    if (Exit e = rt.waitFor([&] { return loaded; }, QStringLiteral("the latency history"));
        e != Exit::Ok)
        return e;
    QJsonArray a;
    for (const auto &p : points)
        a.append(latencyRecord(route, p));
    if (points.empty())
        rt.err(QStringLiteral("no latency history for %1 in the last %2 in the cache (the console "
                              "records it while it runs)")
                   .arg(route, rt.args().value(QStringLiteral("since"), QStringLiteral("1h"))));
    rt.printList(QStringLiteral("latency"), a, latencyColumns(), points.empty() ? 0 : q.toMs);
    return Exit::Ok;
}

Exit runAudit(Runtime &rt)
{
    if (!needArgs(rt, 0))
        return Exit::Usage;
    qint64 since = 0;
    if (rt.args().has(QStringLiteral("since")) &&
        !parseDuration(rt.args().value(QStringLiteral("since")), &since)) {
        rt.err(
            QStringLiteral("switchboard-ctl: --since takes a duration such as 90s, 30m, 1h, 2d"));
        return Exit::Usage;
    }
    Exit e = rt.start(Runtime::Audit | Runtime::Routing);
    if (e != Exit::Ok)
        return e;
    if ((e = waitData(
             rt, [&] { return rt.audit()->freshness(); }, QStringLiteral("audit"))) != Exit::Ok)
        return e;
    AuditFilter filter;
    filter.setSourceModel(rt.audit()->model());
    filter.setTarget(rt.args().value(QStringLiteral("target")));
    if (since > 0)
        filter.setSinceMs(QDateTime::currentMSecsSinceEpoch() - since * 1000);
    const int limit = rt.args().value(QStringLiteral("limit"), QStringLiteral("0")).toInt();
    ListView v{"events", "entry", "key", {}, auditColumns(), {}, {}};
    v.collect = [&] {
        QJsonArray a;
        for (const auto &row : filter.visibleRows()) {
            QJsonObject o = auditRecord(row);
            // A local row and the service's event share the request id.
            o.insert("key", row.id.isEmpty() ? row.requestId : row.id);
            a.append(o);
            if (limit > 0 && a.size() >= limit)
                break;
        }
        return a;
    };
    v.fetchedMs = [&] { return rt.audit()->freshness().fetchedMs; };
    v.refresh = [&] { rt.audit()->refresh(); };
    return showList(rt, v);
}

} // namespace sb::ctl
