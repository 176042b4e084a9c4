#include "store/cache_backend.h"

#include "store/codec.h"
#include "store/schema.h"

#include <QDir>
#include <QFileInfo>
#include <limits>
#include <sqlite3.h>

namespace sb::store {

namespace {

const QString kPromptsKind = QStringLiteral("prompts");
const QString kExperimentsKind = QStringLiteral("experiments");
const QString kRoutingKind = QStringLiteral("routing");
const QString kVersionsPrefix = QStringLiteral("versions:");

qint64 fetchedFor(Database &db, const QString &endpoint, const QString &kind)
{
    Statement &q = db.prepare("SELECT fetched_ms FROM fetch_times WHERE endpoint=?1 AND kind=?2");
    q.bind(1, endpoint).bind(2, kind);
    const qint64 ms = q.step() ? q.int64(0) : 0;
    q.reset();
    return ms;
}

} // namespace

QString CacheBackend::mostRecentEndpoint(const QString &except)
{
    Statement &q = m_db.prepare("SELECT endpoint FROM fetch_times WHERE endpoint<>?1 "
                                "ORDER BY fetched_ms DESC LIMIT 1");
    q.bind(1, except);
    const QString ep = q.step() ? q.text(0) : QString();
    q.reset();
    return ep;
}

void CacheBackend::open(const QString &path)
{
    m_db.close();
    m_series.forget();
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        throw SchemaError(QStringLiteral("Cannot create the folder %1.").arg(info.absolutePath()));
    }
    try {
        m_db.open(path);
        prepareDatabase(m_db);
        applySizeLimit();
    } catch (...) {
        m_db.close();
        throw;
    }
}

void CacheBackend::setSizeLimit(qint64 bytes)
{
    m_sizeLimit = bytes;
    if (m_db.isOpen())
        applySizeLimit();
}

void CacheBackend::applySizeLimit()
{
    // max_page_count is per connection and never below the current size, so
    // a limit under the file's size simply freezes it at that size.
    const qint64 pageSize = m_db.queryInt("PRAGMA page_size");
    const qint64 pages = m_sizeLimit > 0
                             ? std::max<qint64>(1, m_sizeLimit / std::max<qint64>(1, pageSize))
                             : qint64(0xfffffffe);
    m_db.queryInt("PRAGMA max_page_count=" + std::to_string(pages));
}

void CacheBackend::setFetched(const QString &endpoint, const QString &kind, qint64 fetchedMs)
{
    m_db.prepare(
            "INSERT OR REPLACE INTO fetch_times (endpoint, kind, fetched_ms) VALUES (?1,?2,?3)")
        .bind(1, endpoint)
        .bind(2, kind)
        .bind(3, fetchedMs)
        .exec();
}

void CacheBackend::savePrompts(const QString &endpoint, const std::vector<Prompt> &prompts,
                               qint64 fetchedMs)
{
    m_db.prepare("DELETE FROM prompts WHERE endpoint=?1").bind(1, endpoint).exec();
    qint64 position = 0;
    for (const Prompt &p : prompts) {
        m_db.prepare("INSERT OR REPLACE INTO prompts (endpoint, name, position, description, "
                     "latest_version, labels_json, etag, created_ms, updated_ms) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)")
            .bind(1, endpoint)
            .bind(2, p.name)
            .bind(3, position++)
            .bind(4, p.description)
            .bind(5, qint64(p.latestVersion))
            .bind(6, encodeLabels(p.labels))
            .bind(7, p.etag)
            .bind(8, p.createdMs)
            .bind(9, p.updatedMs)
            .exec();
    }
    // Versions of prompts the server no longer lists would never be shown again.
    m_db.prepare("DELETE FROM prompt_versions WHERE endpoint=?1 AND prompt_name NOT IN "
                 "(SELECT name FROM prompts WHERE endpoint=?1)")
        .bind(1, endpoint)
        .exec();
    m_db.prepare("DELETE FROM fetch_times WHERE endpoint=?1 AND kind LIKE 'versions:%' AND "
                 "substr(kind, 10) NOT IN (SELECT name FROM prompts WHERE endpoint=?1)")
        .bind(1, endpoint)
        .exec();
    setFetched(endpoint, kPromptsKind, fetchedMs);
}

void CacheBackend::savePromptVersions(const QString &endpoint, const QString &prompt,
                                      const std::vector<PromptVersion> &versions, qint64 fetchedMs)
{
    for (const PromptVersion &v : versions) {
        m_db.prepare("INSERT OR REPLACE INTO prompt_versions (endpoint, prompt_name, version, "
                     "template_text, model, params_json, variables_json, author, message, "
                     "parent_version, created_ms) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)")
            .bind(1, endpoint)
            .bind(2, prompt)
            .bind(3, qint64(v.version))
            .bind(4, v.templateText)
            .bind(5, v.model)
            .bind(6, encodeParams(v.params))
            .bind(7, encodeVariables(v.variables))
            .bind(8, v.author)
            .bind(9, v.message)
            .bind(10, qint64(v.parentVersion))
            .bind(11, v.createdMs)
            .exec();
    }
    setFetched(endpoint, kVersionsPrefix + prompt, fetchedMs);
}

void CacheBackend::saveExperiments(const QString &endpoint,
                                   const std::vector<Experiment> &experiments, qint64 fetchedMs)
{
    m_db.prepare("DELETE FROM experiments WHERE endpoint=?1").bind(1, endpoint).exec();
    qint64 position = 0;
    for (const Experiment &e : experiments) {
        m_db.prepare("INSERT OR REPLACE INTO experiments (endpoint, id, position, name, "
                     "description, state, variants_json, primary_metric, guardrails_json, etag, "
                     "route, created_ms, updated_ms, started_ms) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)")
            .bind(1, endpoint)
            .bind(2, e.id)
            .bind(3, position++)
            .bind(4, e.name)
            .bind(5, e.description)
            .bind(6, qint64(experimentStateCode(e.state)))
            .bind(7, encodeVariants(e.variants))
            .bind(8, qint64(metricCode(e.primaryMetric)))
            .bind(9, encodeMetrics(e.guardrails))
            .bind(10, e.etag)
            .bind(11, e.route)
            .bind(12, e.createdMs)
            .bind(13, e.updatedMs)
            .bind(14, e.startedMs)
            .exec();
    }
    setFetched(endpoint, kExperimentsKind, fetchedMs);
}

void CacheBackend::saveRouting(const QString &endpoint, const RoutingTable &table, qint64 fetchedMs)
{
    m_db.prepare("DELETE FROM routes WHERE endpoint=?1").bind(1, endpoint).exec();
    m_db.prepare("DELETE FROM models WHERE endpoint=?1").bind(1, endpoint).exec();
    m_db.prepare("INSERT OR REPLACE INTO routing_tables (endpoint, time_ms) VALUES (?1,?2)")
        .bind(1, endpoint)
        .bind(2, table.timeMs)
        .exec();
    qint64 position = 0;
    for (const Route &r : table.routes) {
        m_db.prepare("INSERT OR REPLACE INTO routes (endpoint, name, position, primary_model, "
                     "fallbacks_json, recently_served_json, etag, updated_ms, updated_by, "
                     "primary_bypassed, primary_bypass_revert_ms) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)")
            .bind(1, endpoint)
            .bind(2, r.name)
            .bind(3, position++)
            .bind(4, r.primaryModel)
            .bind(5, encodeFallbacks(r.fallbacks))
            .bind(6, encodeServed(r.recentlyServed))
            .bind(7, r.etag)
            .bind(8, r.updatedMs)
            .bind(9, r.updatedBy)
            .bind(10, qint64(r.primaryBypassed ? 1 : 0))
            .bind(11, r.primaryBypassRevertMs)
            .exec();
    }
    position = 0;
    for (const Model &m : table.models) {
        m_db.prepare("INSERT OR REPLACE INTO models (endpoint, name, position, enabled, circuit, "
                     "cooldown_until_ms, revert_ms, etag, input_cost_per_1k, output_cost_per_1k, "
                     "recent_error_rate, updated_ms, updated_by) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)")
            .bind(1, endpoint)
            .bind(2, m.name)
            .bind(3, position++)
            .bind(4, qint64(m.enabled ? 1 : 0))
            .bind(5, qint64(circuitCode(m.circuit)))
            .bind(6, m.cooldownUntilMs)
            .bind(7, m.revertMs)
            .bind(8, m.etag)
            .bind(9, m.inputCostPer1k)
            .bind(10, m.outputCostPer1k)
            .bind(11, m.recentErrorRate)
            .bind(12, m.updatedMs)
            .bind(13, m.updatedBy)
            .exec();
    }
    setFetched(endpoint, kRoutingKind, fetchedMs);
}

void CacheBackend::saveAuditEvents(const QString &endpoint, const std::vector<AuditEvent> &events)
{
    for (const AuditEvent &e : events) {
        m_db.prepare("INSERT OR REPLACE INTO audit_events (endpoint, id, time_ms, actor, role, "
                     "action, target, old_value, new_value, reason, request_id) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)")
            .bind(1, endpoint)
            .bind(2, e.id)
            .bind(3, e.timeMs)
            .bind(4, e.actor)
            .bind(5, e.role)
            .bind(6, e.action)
            .bind(7, e.target)
            .bind(8, e.oldValue)
            .bind(9, e.newValue)
            .bind(10, e.reason)
            .bind(11, e.requestId)
            .exec();
    }
    // The audit trail is the server's; locally we only need a bounded recent tail.
    m_db.prepare("DELETE FROM audit_events WHERE rowid IN (SELECT rowid FROM audit_events "
                 "WHERE endpoint=?1 ORDER BY time_ms DESC, id DESC LIMIT -1 OFFSET ?2)")
        .bind(1, endpoint)
        .bind(2, qint64(Cache::kAuditRetention))
        .exec();
}

void CacheBackend::recordAction(const QString &endpoint, const LocalAction &a)
{
    m_db.prepare("INSERT OR REPLACE INTO local_actions (endpoint, request_id, time_ms, target, "
                 "title, old_value, new_value, reason, revert_after_sec, outcome, detail, "
                 "audit_id, actor) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)")
        .bind(1, endpoint)
        .bind(2, a.requestId)
        .bind(3, a.timeMs)
        .bind(4, a.target)
        .bind(5, a.title)
        .bind(6, a.oldValue)
        .bind(7, a.newValue)
        .bind(8, a.reason)
        .bind(9, a.revertAfterSec)
        .bind(10, a.outcome)
        .bind(11, a.detail)
        .bind(12, a.auditId)
        .bind(13, a.actor)
        .exec();
    // Bounded like the audit tail. Runs once per action (a person's pace), and
    // walks local_actions_by_time, so its cost stays a few thousand index steps.
    m_db.prepare("DELETE FROM local_actions WHERE rowid IN (SELECT rowid FROM local_actions "
                 "WHERE endpoint=?1 ORDER BY time_ms DESC, request_id DESC LIMIT -1 OFFSET ?2)")
        .bind(1, endpoint)
        .bind(2, qint64(Cache::kActionRetention))
        .exec();
}

void CacheBackend::saveArenaRun(const QString &endpoint, const ArenaRun &r)
{
    m_db.prepare("INSERT OR REPLACE INTO arena_runs (endpoint, request_id, time_ms, experiment_id, "
                 "experiment_name, input, variables_json, blind, cancelled, outputs_json, vote, "
                 "preferred_variant, hallucinated_json, voted_ms, feedback_status) VALUES "
                 "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)")
        .bind(1, endpoint)
        .bind(2, r.requestId)
        .bind(3, r.timeMs)
        .bind(4, r.experimentId)
        .bind(5, r.experimentName)
        .bind(6, r.input)
        .bind(7, encodeStringMap(r.variables))
        .bind(8, qint64(r.blind))
        .bind(9, qint64(r.cancelled))
        .bind(10, encodeArenaOutputs(r.outputs))
        .bind(11, qint64(arenaVoteCode(r.vote)))
        .bind(12, r.preferredVariantId)
        .bind(13, encodeStringList(r.hallucinated))
        .bind(14, r.votedMs)
        .bind(15, r.feedbackStatus)
        .exec();
    m_db.prepare("DELETE FROM arena_runs WHERE rowid IN (SELECT rowid FROM arena_runs "
                 "WHERE endpoint=?1 ORDER BY time_ms DESC LIMIT -1 OFFSET ?2)")
        .bind(1, endpoint)
        .bind(2, qint64(Cache::kArenaRetention))
        .exec();
}

std::vector<ArenaRun> CacheBackend::loadArenaRuns(const QString &endpoint,
                                                  const QString &experimentId, int limit)
{
    std::vector<ArenaRun> out;
    Statement &q = m_db.prepare(
        "SELECT request_id, time_ms, experiment_id, experiment_name, input, variables_json, blind, "
        "cancelled, outputs_json, vote, preferred_variant, hallucinated_json, voted_ms, "
        "feedback_status FROM arena_runs WHERE endpoint=?1 AND (?2 = '' OR experiment_id=?2) "
        "ORDER BY time_ms DESC LIMIT ?3");
    q.bind(1, endpoint).bind(2, experimentId).bind(3, qint64(limit > 0 ? limit : -1));
    while (q.step()) {
        ArenaRun r;
        r.requestId = q.text(0);
        r.timeMs = q.int64(1);
        r.experimentId = q.text(2);
        r.experimentName = q.text(3);
        r.input = q.text(4);
        r.variables = decodeStringMap(q.text(5));
        r.blind = q.int64(6) != 0;
        r.cancelled = q.int64(7) != 0;
        r.outputs = decodeArenaOutputs(q.text(8));
        r.vote = arenaVoteFromCode(q.int64(9));
        r.preferredVariantId = q.text(10);
        r.hallucinated = decodeStringList(q.text(11));
        r.votedMs = q.int64(12);
        r.feedbackStatus = q.text(13);
        out.push_back(std::move(r));
    }
    q.reset();
    return out;
}

void CacheBackend::appendLatency(const QString &endpoint, const QString &route,
                                 const std::vector<LatencyPoint> &points)
{
    Statement &insert =
        m_db.prepare("INSERT OR REPLACE INTO latency_rollups (endpoint, route, resolution, "
                     "second_ms, count, errors, fallbacks, p50, p95, p99, ttft_p50) "
                     "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    // Endpoint, route and resolution stay bound across the batch (exec() keeps bindings).
    insert.bind(1, endpoint).bind(2, route).bind(3, Cache::kSecondResolutionMs);
    for (const LatencyPoint &p : points) {
        insert.bind(4, p.secondMs)
            .bind(5, qint64(p.count))
            .bind(6, qint64(p.errors))
            .bind(7, qint64(p.fallbacks))
            .bind(8, p.p50)
            .bind(9, p.p95)
            .bind(10, p.p99)
            .bind(11, p.ttftP50);
        insert.exec();
    }
    insert.reset();
}

void CacheBackend::pruneLatency(const QString &endpoint, qint64 beforeMs)
{
    m_db.prepare("DELETE FROM latency_rollups WHERE endpoint=?1 AND second_ms < ?2")
        .bind(1, endpoint)
        .bind(2, beforeMs)
        .exec();
}

CacheSnapshot CacheBackend::loadSnapshot(const QString &endpoint)
{
    CacheSnapshot s;
    s.endpoint = endpoint;

    // One read transaction so the snapshot is consistent even if another
    // console writes the same file meanwhile.
    m_db.exec("BEGIN");
    struct EndRead
    {
        Database &db;
        ~EndRead() { sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    } endRead{m_db};

    s.promptsFetchedMs = fetchedFor(m_db, endpoint, kPromptsKind);
    s.experimentsFetchedMs = fetchedFor(m_db, endpoint, kExperimentsKind);
    s.routingFetchedMs = fetchedFor(m_db, endpoint, kRoutingKind);

    Statement &prompts = m_db.prepare(
        "SELECT name, description, latest_version, labels_json, etag, created_ms, updated_ms "
        "FROM prompts WHERE endpoint=?1 ORDER BY position");
    prompts.bind(1, endpoint);
    while (prompts.step()) {
        Prompt p;
        p.name = prompts.text(0);
        p.description = prompts.text(1);
        p.latestVersion = quint32(prompts.int64(2));
        p.labels = decodeLabels(prompts.text(3));
        p.etag = prompts.text(4);
        p.createdMs = prompts.int64(5);
        p.updatedMs = prompts.int64(6);
        s.prompts.push_back(std::move(p));
    }
    prompts.reset();

    Statement &versions = m_db.prepare(
        "SELECT prompt_name, version, template_text, model, params_json, variables_json, author, "
        "message, parent_version, created_ms FROM prompt_versions WHERE endpoint=?1 "
        "ORDER BY prompt_name, version DESC");
    versions.bind(1, endpoint);
    while (versions.step()) {
        PromptVersion v;
        v.promptName = versions.text(0);
        v.version = quint32(versions.int64(1));
        v.templateText = versions.text(2);
        v.model = versions.text(3);
        v.params = decodeParams(versions.text(4));
        v.variables = decodeVariables(versions.text(5));
        v.author = versions.text(6);
        v.message = versions.text(7);
        v.parentVersion = quint32(versions.int64(8));
        v.createdMs = versions.int64(9);
        s.versions[v.promptName].push_back(std::move(v));
    }
    versions.reset();

    Statement &fetched = m_db.prepare("SELECT substr(kind, 10), fetched_ms FROM fetch_times "
                                      "WHERE endpoint=?1 AND kind LIKE 'versions:%'");
    fetched.bind(1, endpoint);
    while (fetched.step())
        s.versionsFetchedMs.insert(fetched.text(0), fetched.int64(1));
    fetched.reset();

    Statement &experiments =
        m_db.prepare("SELECT id, name, description, state, variants_json, primary_metric, "
                     "guardrails_json, etag, route, created_ms, updated_ms, started_ms "
                     "FROM experiments WHERE endpoint=?1 ORDER BY position");
    experiments.bind(1, endpoint);
    while (experiments.step()) {
        Experiment e;
        e.id = experiments.text(0);
        e.name = experiments.text(1);
        e.description = experiments.text(2);
        e.state = experimentStateFromCode(experiments.int64(3));
        e.variants = decodeVariants(experiments.text(4));
        e.primaryMetric = metricFromCode(experiments.int64(5));
        e.guardrails = decodeMetrics(experiments.text(6));
        e.etag = experiments.text(7);
        e.route = experiments.text(8);
        e.createdMs = experiments.int64(9);
        e.updatedMs = experiments.int64(10);
        e.startedMs = experiments.int64(11);
        s.experiments.push_back(std::move(e));
    }
    experiments.reset();

    Statement &table = m_db.prepare("SELECT time_ms FROM routing_tables WHERE endpoint=?1");
    table.bind(1, endpoint);
    if (table.step())
        s.routing.timeMs = table.int64(0);
    table.reset();

    Statement &routes = m_db.prepare(
        "SELECT name, primary_model, fallbacks_json, recently_served_json, etag, updated_ms, "
        "updated_by, primary_bypassed, primary_bypass_revert_ms FROM routes "
        "WHERE endpoint=?1 ORDER BY position");
    routes.bind(1, endpoint);
    while (routes.step()) {
        Route r;
        r.name = routes.text(0);
        r.primaryModel = routes.text(1);
        r.fallbacks = decodeFallbacks(routes.text(2));
        r.recentlyServed = decodeServed(routes.text(3));
        r.etag = routes.text(4);
        r.updatedMs = routes.int64(5);
        r.updatedBy = routes.text(6);
        r.primaryBypassed = routes.int64(7) != 0;
        r.primaryBypassRevertMs = routes.int64(8);
        s.routing.routes.push_back(std::move(r));
    }
    routes.reset();

    Statement &models = m_db.prepare(
        "SELECT name, enabled, circuit, cooldown_until_ms, revert_ms, etag, input_cost_per_1k, "
        "output_cost_per_1k, recent_error_rate, updated_ms, updated_by FROM models "
        "WHERE endpoint=?1 ORDER BY position");
    models.bind(1, endpoint);
    while (models.step()) {
        Model m;
        m.name = models.text(0);
        m.enabled = models.int64(1) != 0;
        m.circuit = circuitFromCode(models.int64(2));
        m.cooldownUntilMs = models.int64(3);
        m.revertMs = models.int64(4);
        m.etag = models.text(5);
        m.inputCostPer1k = models.real(6);
        m.outputCostPer1k = models.real(7);
        m.recentErrorRate = models.real(8);
        m.updatedMs = models.int64(9);
        m.updatedBy = models.text(10);
        s.routing.models.push_back(std::move(m));
    }
    models.reset();

    s.audit = loadAudit(endpoint, std::numeric_limits<qint64>::min(), Cache::kSnapshotAuditLimit);
    return s;
}

std::vector<AuditEvent> CacheBackend::loadAudit(const QString &endpoint, qint64 sinceMs, int limit)
{
    std::vector<AuditEvent> out;
    // Served by audit_events_by_time: newest first without a sort.
    Statement &q = m_db.prepare(
        "SELECT id, time_ms, actor, role, action, target, old_value, new_value, reason, "
        "request_id FROM audit_events WHERE endpoint=?1 AND time_ms >= ?2 "
        "ORDER BY time_ms DESC, id DESC LIMIT ?3");
    q.bind(1, endpoint).bind(2, sinceMs).bind(3, qint64(limit > 0 ? limit : -1));
    while (q.step()) {
        AuditEvent e;
        e.id = q.text(0);
        e.timeMs = q.int64(1);
        e.actor = q.text(2);
        e.role = q.text(3);
        e.action = q.text(4);
        e.target = q.text(5);
        e.oldValue = q.text(6);
        e.newValue = q.text(7);
        e.reason = q.text(8);
        e.requestId = q.text(9);
        out.push_back(std::move(e));
    }
    q.reset();
    return out;
}

std::vector<LocalAction> CacheBackend::loadActions(const QString &endpoint, qint64 sinceMs,
                                                   int limit)
{
    std::vector<LocalAction> out;
    Statement &q = m_db.prepare(
        "SELECT request_id, time_ms, target, title, old_value, new_value, reason, "
        "revert_after_sec, outcome, detail, audit_id, actor FROM local_actions "
        "WHERE endpoint=?1 AND time_ms >= ?2 ORDER BY time_ms DESC, request_id DESC LIMIT ?3");
    q.bind(1, endpoint).bind(2, sinceMs).bind(3, qint64(limit > 0 ? limit : -1));
    while (q.step()) {
        LocalAction a;
        a.requestId = q.text(0);
        a.timeMs = q.int64(1);
        a.target = q.text(2);
        a.title = q.text(3);
        a.oldValue = q.text(4);
        a.newValue = q.text(5);
        a.reason = q.text(6);
        a.revertAfterSec = q.int64(7);
        a.outcome = q.text(8);
        a.detail = q.text(9);
        a.auditId = q.text(10);
        a.actor = q.text(11);
        out.push_back(std::move(a));
    }
    q.reset();
    return out;
}

std::vector<LatencyPoint> CacheBackend::loadLatency(const QString &endpoint, const QString &route,
                                                    qint64 fromMs, qint64 toMs)
{
    std::vector<LatencyPoint> out;
    Statement &q = m_db.prepare(
        "SELECT second_ms, count, errors, fallbacks, p50, p95, p99, ttft_p50 FROM latency_rollups "
        "WHERE endpoint=?1 AND route=?2 AND resolution=?3 AND second_ms BETWEEN ?4 AND ?5 "
        "ORDER BY second_ms");
    q.bind(1, endpoint)
        .bind(2, route)
        .bind(3, Cache::kSecondResolutionMs)
        .bind(4, fromMs)
        .bind(5, toMs);
    while (q.step()) {
        LatencyPoint p;
        p.secondMs = q.int64(0);
        p.count = quint64(q.int64(1));
        p.errors = quint64(q.int64(2));
        p.fallbacks = quint64(q.int64(3));
        p.p50 = q.real(4);
        p.p95 = q.real(5);
        p.p99 = q.real(6);
        p.ttftP50 = q.real(7);
        out.push_back(p);
    }
    q.reset();
    return out;
}

} // namespace sb::store
