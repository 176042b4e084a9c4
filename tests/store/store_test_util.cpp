#include "store_test_util.h"

#include <QEventLoop>
#include <QTimer>
#include <sqlite3.h>

namespace sb::test {

namespace {

constexpr int kTimeoutMs = 10000;

// Runs trigger, then spins until `signal` fires once (or the timeout).
template <typename Signal, typename Handler>
bool waitFor(Cache &cache, Signal signal, Handler handler, const std::function<void()> &trigger)
{
    QEventLoop loop;
    bool fired = false;
    QObject::connect(&cache, signal, &loop, [&](auto &&...args) {
        if (fired)
            return;
        fired = true;
        handler(std::forward<decltype(args)>(args)...);
        loop.quit();
    });
    QTimer::singleShot(kTimeoutMs, &loop, &QEventLoop::quit);
    trigger();
    if (!fired)
        loop.exec();
    return fired;
}

} // namespace

Prompt samplePrompt(int i)
{
    Prompt p;
    p.name = QStringLiteral("prompt-%1").arg(i);
    p.description = QStringLiteral("Describes prompt %1 — with ünïcode and 'quotes'").arg(i);
    p.latestVersion = quint32(3 + i);
    p.labels = {
        {QStringLiteral("production"), quint32(2 + i), 1700000000000 + i, QStringLiteral("alice")},
        {QStringLiteral("staging"), quint32(3 + i), 1700000000500 + i, QString()}};
    p.etag = QStringLiteral("etag-p%1").arg(i);
    p.createdMs = 1690000000000 + i;
    p.updatedMs = 1700000000999 + i;
    return p;
}

PromptVersion sampleVersion(const QString &prompt, quint32 version)
{
    PromptVersion v;
    v.promptName = prompt;
    v.version = version;
    v.templateText =
        QStringLiteral("You are {{role}}.\nAnswer {{question}} in %1 words.").arg(version * 10);
    v.model = QStringLiteral("model-a");
    if (version % 2)
        v.params.temperature = 0.1 * version;
    v.params.topP = 0.95;
    if (version % 3 == 0)
        v.params.maxOutputTokens = 4096;
    v.variables = {{QStringLiteral("role"), QStringLiteral("who the model is"), true, QString()},
                   {QStringLiteral("question"), QString(), false, QStringLiteral("why?")}};
    v.author = QStringLiteral("bob");
    v.message = QStringLiteral("v%1").arg(version);
    v.parentVersion = version > 1 ? version - 1 : 0;
    v.createdMs = 1700000000000 + version;
    return v;
}

Experiment sampleExperiment(int i)
{
    Experiment e;
    e.id = QStringLiteral("exp-%1").arg(i);
    e.name = QStringLiteral("Experiment %1").arg(i);
    e.description = QStringLiteral("desc");
    e.state = i % 2 ? ExperimentState::Running : ExperimentState::Paused;
    Variant a{QStringLiteral("a"),
              QStringLiteral("control"),
              QStringLiteral("prompt-1"),
              2,
              QStringLiteral("model-a"),
              {},
              50};
    Variant b{QStringLiteral("b"),
              QStringLiteral("treatment"),
              QStringLiteral("prompt-1"),
              3,
              QStringLiteral("model-b"),
              {0.7, std::nullopt, 256u},
              50};
    e.variants = {a, b};
    e.primaryMetric = Metric::TimeToFirstToken;
    e.guardrails = {Metric::Cost, Metric::SuccessRate};
    e.etag = QStringLiteral("etag-e%1").arg(i);
    e.route = QStringLiteral("chat");
    e.createdMs = 1;
    e.updatedMs = 2;
    e.startedMs = i % 2 ? 3 : 0;
    return e;
}

RoutingTable sampleRouting(int routes)
{
    RoutingTable t;
    for (int i = 0; i < routes; ++i) {
        Route r;
        r.name = QStringLiteral("route-%1").arg(i);
        r.primaryModel = QStringLiteral("model-a");
        r.fallbacks = {{QStringLiteral("model-b"), true, 0},
                       {QStringLiteral("model-c"), false, 1700000060000}};
        r.recentlyServed = {{QStringLiteral("model-a"), 0.75, ServedReason::Primary, 0.5},
                            {QStringLiteral("model-b"), 0.125 + 1e-12, ServedReason::Fallback, 0.25,
                             QString(), QString(), QStringLiteral("model-a")},
                            {QStringLiteral("model-c"), 0.125, ServedReason::Variant, 0.25,
                             QStringLiteral("exp-%1").arg(i), QStringLiteral("treatment")}};
        r.etag = QStringLiteral("etag-r%1").arg(i);
        r.updatedMs = 1700000000000 + i;
        r.updatedBy = QStringLiteral("oncall-%1@example.com").arg(i);
        // Even routes are forced to their fallbacks, the first until a set time.
        r.primaryBypassed = i % 2 == 0;
        r.primaryBypassRevertMs = i == 0 ? 1700000900000 : 0;
        t.routes.push_back(r);
    }
    t.models = {{QStringLiteral("model-a"), true, CircuitState::Closed, 0, 0, QStringLiteral("m1"),
                 0.0025, 0.01, 0.001, 1699999990000, QStringLiteral("alice")},
                {QStringLiteral("model-b"), false, CircuitState::HalfOpen, 1700000030000,
                 1700000090000, QStringLiteral("m2"), 1.0 / 3.0, 0.0, 0.25, 1700000000500,
                 QStringLiteral("oncall@example.com")}};
    t.timeMs = 1700000000123;
    return t;
}

AuditEvent sampleAudit(int i, qint64 timeMs)
{
    AuditEvent e;
    e.id = QStringLiteral("audit-%1").arg(i, 6, 10, QLatin1Char('0'));
    e.timeMs = timeMs;
    e.actor = QStringLiteral("alice");
    e.role = QStringLiteral("editor");
    e.action = QStringLiteral("label.move");
    e.target = QStringLiteral("prompt-1");
    e.oldValue = QStringLiteral("{\"production\":2}");
    e.newValue = QStringLiteral("{\"production\":3}");
    e.reason = QStringLiteral("rollout #%1").arg(i);
    e.requestId = QStringLiteral("req-%1").arg(i);
    return e;
}

LatencyPoint samplePoint(qint64 secondMs)
{
    LatencyPoint p;
    const double s = double(secondMs % 100000);
    p.secondMs = secondMs;
    p.p50 = 100.5 + s * 1e-3;
    p.p95 = 250.25 + s * 1e-3;
    p.p99 = 999.125 + s / 3.0;
    p.ttftP50 = 42.0 + s / 7.0;
    p.count = quint64(1000 + secondMs % 17);
    p.errors = quint64(secondMs % 5);
    p.fallbacks = quint64(secondMs % 3);
    return p;
}

LocalAction sampleAction(int i, qint64 timeMs)
{
    LocalAction a;
    a.requestId = QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
    a.timeMs = timeMs;
    a.target = QStringLiteral("model/atlas-xl");
    a.title = QStringLiteral("Disable model atlas-xl");
    a.oldValue = QStringLiteral("enabled");
    a.newValue = QStringLiteral("disabled");
    a.reason = QStringLiteral("p99 at 9 s — incident #%1, 'quoted'").arg(i);
    a.revertAfterSec = i % 2 ? 900 : 0;
    a.outcome = QStringLiteral("applied");
    a.detail = i % 3 ? QString() : QStringLiteral("etag was e%1").arg(i);
    a.auditId = QStringLiteral("audit-%1").arg(i);
    a.actor = QStringLiteral("oncall@example.com");
    return a;
}

bool samePoint(const LatencyPoint &a, const LatencyPoint &b)
{
    return a.secondMs == b.secondMs && a.p50 == b.p50 && a.p95 == b.p95 && a.p99 == b.p99 &&
           a.ttftP50 == b.ttftP50 && a.count == b.count && a.errors == b.errors &&
           a.fallbacks == b.fallbacks;
}

std::optional<std::pair<bool, QString>> openAndWait(Cache &cache, const QString &path)
{
    std::optional<std::pair<bool, QString>> result;
    waitFor(
        cache, &Cache::opened,
        [&](bool ok, const QString &error) { result = std::make_pair(ok, error); },
        [&] { cache.open(path); });
    return result;
}

bool flushAndWait(Cache &cache)
{
    return waitFor(
        cache, &Cache::flushed, [] {}, [&] { cache.flush(); });
}

std::optional<CacheSnapshot> loadSnapshot(Cache &cache, const QString &endpoint)
{
    std::optional<CacheSnapshot> result;
    waitFor(
        cache, &Cache::snapshotLoaded, [&](const CacheSnapshot &s) { result = s; },
        [&] { cache.loadSnapshot(endpoint); });
    return result;
}

std::optional<LatencyResult> loadLatency(Cache &cache, const QString &endpoint,
                                         const QString &route, qint64 fromMs, qint64 toMs)
{
    std::optional<LatencyResult> result;
    waitFor(
        cache, &Cache::latencyLoadedFor,
        [&](const QString &ep, const QString &r, const std::vector<LatencyPoint> &points) {
            result = LatencyResult{ep, r, points};
        },
        [&] { cache.loadLatency(endpoint, route, fromMs, toMs); });
    return result;
}

std::optional<std::vector<SeriesPoint>> loadSeries(Cache &cache, const SeriesQuery &query)
{
    std::optional<std::vector<SeriesPoint>> result;
    waitFor(
        cache, &Cache::seriesLoaded,
        [&](const SeriesQuery &q, const std::vector<SeriesPoint> &points) {
            if (q.tag == query.tag)
                result = points;
        },
        [&] { cache.loadSeries(query); });
    return result;
}

std::optional<TimedSketches> loadSeriesSketches(Cache &cache, const SeriesQuery &query)
{
    std::optional<TimedSketches> result;
    waitFor(
        cache, &Cache::seriesSketchesLoaded,
        [&](const SeriesQuery &q, const TimedSketches &sketches) {
            if (q.tag == query.tag)
                result = sketches;
        },
        [&] { cache.loadSeriesSketches(query); });
    return result;
}

std::optional<SeriesPruneResult> pruneSeries(Cache &cache, const SeriesRetention &retention,
                                             qint64 nowMs)
{
    std::optional<SeriesPruneResult> result;
    waitFor(
        cache, &Cache::seriesPruned, [&](const SeriesPruneResult &r) { result = r; },
        [&] { cache.pruneSeries(retention, nowMs); });
    return result;
}

std::optional<std::pair<QString, std::vector<AuditEvent>>>
loadAudit(Cache &cache, const QString &endpoint, qint64 sinceMs, int limit)
{
    std::optional<std::pair<QString, std::vector<AuditEvent>>> result;
    waitFor(
        cache, &Cache::auditLoaded,
        [&](const QString &ep, const std::vector<AuditEvent> &events) {
            result = std::make_pair(ep, events);
        },
        [&] { cache.loadAudit(endpoint, sinceMs, limit); });
    return result;
}

std::optional<ActionRecorded> recordAction(Cache &cache, const QString &endpoint,
                                           const LocalAction &action)
{
    std::optional<ActionRecorded> result;
    waitFor(
        cache, &Cache::actionRecorded,
        [&](const QString &ep, const QString &id, bool ok, const QString &error) {
            result = ActionRecorded{ep, id, ok, error};
        },
        [&] { cache.recordAction(endpoint, action); });
    return result;
}

std::optional<std::pair<QString, std::vector<LocalAction>>>
loadActions(Cache &cache, const QString &endpoint, qint64 sinceMs, int limit)
{
    std::optional<std::pair<QString, std::vector<LocalAction>>> result;
    waitFor(
        cache, &Cache::actionsLoaded,
        [&](const QString &ep, const std::vector<LocalAction> &actions) {
            result = std::make_pair(ep, actions);
        },
        [&] { cache.loadActions(endpoint, sinceMs, limit); });
    return result;
}

WriteFailures::WriteFailures(Cache &cache)
{
    m_connection = QObject::connect(&cache, &Cache::writeFailed, &cache,
                                    [this](const QString &message) { m_messages << message; });
}

WriteFailures::~WriteFailures()
{
    QObject::disconnect(m_connection);
}

QString queryFile(const QString &path, const QString &sql)
{
    sqlite3 *db = nullptr;
    QString value;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW) {
            value = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
        } else {
            value = QStringLiteral("error: ") + QString::fromUtf8(sqlite3_errmsg(db));
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
}

} // namespace sb::test
