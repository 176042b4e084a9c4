#include "store/cache.h"

#include "store/cache_backend.h"
#include "store/schema.h"

#include <QMetaObject>
#include <QStandardPaths>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace sb {

using store::CacheBackend;

namespace {

// What a job is decides what happens to it at shutdown: writes are finished,
// reads and barriers are dropped (nobody is left to receive their result).
enum class JobKind
{
    Open,
    Configure, // connection settings (size limit): kept at shutdown like a write
    Write,
    Latency,
    Read
};

struct Job
{
    Job(JobKind k, std::function<void(CacheBackend &)> f) : kind(k), run(std::move(f)) {}
    Job(QString ep, QString r, std::vector<LatencyPoint> p)
        : kind(JobKind::Latency), endpoint(std::move(ep)), route(std::move(r)), points(std::move(p))
    {}

    JobKind kind;
    std::function<void(CacheBackend &)> run; // all kinds but Latency
    // Latency appends carry their data so consecutive ones can share a commit.
    QString endpoint;
    QString route;
    std::vector<LatencyPoint> points;
};

// PRAGMA synchronous=FULL for one commit, back to the file's NORMAL after it.
// Outside any transaction (SQLite ignores the pragma inside one).
class FullSync
{
public:
    explicit FullSync(store::Database &db) : m_db(db) { m_db.exec("PRAGMA synchronous=FULL"); }
    ~FullSync()
    {
        try {
            m_db.exec("PRAGMA synchronous=NORMAL");
        } catch (const store::SqliteError &) {
            // Only costs speed (later commits stay FULL); nothing to undo.
        }
    }
    FullSync(const FullSync &) = delete;
    FullSync &operator=(const FullSync &) = delete;

private:
    store::Database &m_db;
};

// Enough to amortise a commit, small enough to keep one transaction short.
constexpr std::size_t kMaxLatencyBatchPoints = 100000;

} // namespace

// Owns the worker thread, the queue and (on that thread) the connection. The
// Cache outlives it: ~Cache joins the thread before its QObject part goes, so
// a result posted to the Cache is either delivered or discarded by
// ~QObject, never run against a dead object.
class Cache::Worker
{
public:
    explicit Worker(Cache *owner) : m_owner(owner) {}

    ~Worker()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        if (m_thread.joinable())
            m_thread.join();
    }

    void enqueue(Job job)
    {
        {
            std::lock_guard lock(m_mutex);
            if (job.kind == JobKind::Open && !m_thread.joinable()) {
                // The first open() goes ahead of the calls made before it, which
                // were waiting for a file, and starts the worker.
                m_queue.push_front(std::move(job));
                m_thread = std::thread([this] { run(); });
            } else {
                m_queue.push_back(std::move(job));
            }
        }
        m_wake.notify_one();
    }

    // Posts a call to the Cache's thread. Skipped during shutdown: ~QObject
    // would discard it anyway.
    template <typename F> void post(F &&f)
    {
        if (stopping())
            return;
        QMetaObject::invokeMethod(m_owner, std::forward<F>(f), Qt::QueuedConnection);
    }

    Cache *owner() const { return m_owner; }

    bool stopping()
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    // Runs one save as one transaction; on any failure the transaction rolls
    // back whole and the user gets a message naming what was not saved.
    template <typename F>
    static void runWrite(CacheBackend &backend, Worker *worker, const QString &what, F &&write)
    {
        if (!backend.isOpen())
            return; // opened(false, ...) already told why; nothing to save into
        const std::optional<std::pair<int, QString>> failure = tryWrite(backend, write);
        if (!failure)
            return;
        const QString error =
            failure->first != 0
                ? QStringLiteral("Could not save %1 to the cache: %2 (%3). That change was not "
                                 "kept; everything saved before is intact.")
                      .arg(what, store::describeSqliteCode(failure->first), failure->second)
                : QStringLiteral("Could not save %1 to the cache: %2.").arg(what, failure->second);
        worker->post([cache = worker->owner(), error] { emit cache->writeFailed(error); });
    }

    // One transaction around write; nullopt once committed, else the SQLite
    // result code (0 if not from SQLite) and the error's text, rolled back.
    template <typename F>
    static std::optional<std::pair<int, QString>> tryWrite(CacheBackend &backend, F &&write)
    {
        try {
            store::Transaction txn(backend.db());
            write(backend);
            txn.commit();
            return std::nullopt;
        } catch (const store::SqliteError &e) {
            return std::make_pair(e.code(), QString::fromUtf8(e.what()));
        } catch (const std::exception &e) {
            return std::make_pair(0, QString::fromUtf8(e.what()));
        }
    }

    void runRecordAction(CacheBackend &backend, const QString &endpoint, const LocalAction &action)
    {
        const QString what = action.title.isEmpty() ? action.target : action.title;
        QString error;
        if (action.requestId.isEmpty()) {
            error = QStringLiteral("Could not record \"%1\" in the local action log: it has no "
                                   "request id.")
                        .arg(what);
        } else if (!backend.isOpen()) {
            error = QStringLiteral("Could not record \"%1\" in the local action log: %2")
                        .arg(what, m_openError.isEmpty() ? QStringLiteral("no cache file is open.")
                                                         : m_openError);
        } else {
            // A commit the user is told about must survive an OS crash or a
            // power cut too, not only the console's own crash: sync this one
            // (NORMAL, the default here, leaves the last commits in the OS).
            const std::optional<std::pair<int, QString>> failure =
                [&]() -> std::optional<std::pair<int, QString>> {
                try {
                    FullSync sync(backend.db());
                    return tryWrite(backend,
                                    [&](CacheBackend &b) { b.recordAction(endpoint, action); });
                } catch (const store::SqliteError &e) { // from the pragma itself
                    return std::make_pair(e.code(), QString::fromUtf8(e.what()));
                }
            }();
            if (failure) {
                error =
                    failure->first != 0
                        ? QStringLiteral("Could not record \"%1\" in the local action log: "
                                         "%2 (%3). Nothing of it was written; earlier entries "
                                         "are intact.")
                              .arg(what, store::describeSqliteCode(failure->first), failure->second)
                        : QStringLiteral("Could not record \"%1\" in the local action log: "
                                         "%2.")
                              .arg(what, failure->second);
            }
        }
        post([cache = m_owner, endpoint, id = action.requestId, error] {
            emit cache->actionRecorded(endpoint, id, error.isEmpty(), error);
        });
    }

    // Worker thread only: why the last open() failed, for recordAction's answer.
    void setOpenError(const QString &error) { m_openError = error; }

    void postReadFailed(const std::exception &e)
    {
        const auto *sqlite = dynamic_cast<const store::SqliteError *>(&e);
        const QString error =
            sqlite
                ? QStringLiteral("Could not read the cache: %1 (%2).")
                      .arg(store::describeSqliteCode(sqlite->code()), QString::fromUtf8(e.what()))
                : QStringLiteral("Could not read the cache: %1.").arg(QString::fromUtf8(e.what()));
        post([cache = m_owner, error] { emit cache->readFailed(error); });
    }

private:
    void run()
    {
        for (;;) {
            std::vector<Job> batch;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_queue.empty())
                    return; // stopping and drained
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
                if (batch.front().kind == JobKind::Latency) {
                    std::size_t points = batch.front().points.size();
                    // Only the same endpoint's appends share a commit, so a
                    // failed group is one endpoint's and never takes another's
                    // points down with it.
                    while (!m_queue.empty() && m_queue.front().kind == JobKind::Latency &&
                           m_queue.front().endpoint == batch.front().endpoint &&
                           points < kMaxLatencyBatchPoints) {
                        points += m_queue.front().points.size();
                        batch.push_back(std::move(m_queue.front()));
                        m_queue.pop_front();
                    }
                }
                if (m_stopping && batch.front().kind == JobKind::Read)
                    continue;
            }
            if (batch.front().kind == JobKind::Latency)
                runLatency(batch);
            else
                batch.front().run(m_backend);
        }
    }

    void runLatency(const std::vector<Job> &batch)
    {
        runWrite(m_backend, this, QStringLiteral("latency history"), [&](CacheBackend &b) {
            for (const Job &job : batch)
                b.appendLatency(job.endpoint, job.route, job.points);
        });
    }

    Cache *const m_owner;
    QString m_openError; // worker thread only
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    std::thread m_thread;
    CacheBackend m_backend; // touched only by m_thread
};

Cache::Cache(QObject *parent) : QObject(parent), m_worker(std::make_unique<Worker>(this))
{
    // For queued connections and QSignalSpy across threads.
    qRegisterMetaType<sb::CacheSnapshot>();
    qRegisterMetaType<std::vector<sb::ImportedRange>>();
    qRegisterMetaType<std::vector<sb::LatencyPoint>>();
    qRegisterMetaType<std::vector<sb::AuditEvent>>();
    qRegisterMetaType<sb::LocalAction>();
    qRegisterMetaType<std::vector<sb::LocalAction>>();
    qRegisterMetaType<std::vector<sb::ArenaRun>>();
    qRegisterMetaType<sb::SeriesQuery>();
    qRegisterMetaType<std::vector<sb::SeriesPoint>>();
    qRegisterMetaType<sb::SeriesPruneResult>();
    qRegisterMetaType<sb::TimedSketches>();
    qRegisterMetaType<std::vector<sb::TimelineEvent>>();
}

Cache::~Cache()
{
    m_worker.reset(); // drains queued writes, joins
}

QString Cache::defaultPath()
{
    const QString fromEnv = qEnvironmentVariable("SWITCHBOARD_CACHE");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/cache.sqlite");
}

void Cache::open(const QString &path)
{
    Worker *worker = m_worker.get();
    m_worker->enqueue(
        {JobKind::Open, [worker, path](CacheBackend &b) {
             QString error;
             try {
                 b.open(path);
             } catch (const store::SchemaError &e) {
                 error = e.message();
             } catch (const store::SqliteError &e) {
                 error = QStringLiteral("%1 (%2)").arg(store::describeSqliteCode(e.code()),
                                                       QString::fromUtf8(e.what()));
             } catch (const std::exception &e) {
                 error = QString::fromUtf8(e.what());
             }
             if (!error.isEmpty())
                 error = QStringLiteral("Cannot use the cache file %1: %2").arg(path, error);
             worker->setOpenError(error);
             worker->post(
                 [cache = worker->owner(), error] { emit cache->opened(error.isEmpty(), error); });
         }});
}

namespace {

template <typename F> Job writeJob(F &&f)
{
    return Job(JobKind::Write, std::forward<F>(f));
}

} // namespace

void Cache::savePrompts(const QString &endpoint, const std::vector<Prompt> &prompts,
                        qint64 fetchedMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, prompts, fetchedMs](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("prompts"),
                         [&](CacheBackend &db) { db.savePrompts(ep, prompts, fetchedMs); });
    }));
}

void Cache::savePromptVersions(const QString &endpoint, const QString &prompt,
                               const std::vector<PromptVersion> &versions, qint64 fetchedMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, prompt, versions, fetchedMs](CacheBackend &b) {
        Worker::runWrite(
            b, w, QStringLiteral("versions of prompt \"%1\"").arg(prompt),
            [&](CacheBackend &db) { db.savePromptVersions(ep, prompt, versions, fetchedMs); });
    }));
}

void Cache::saveExperiments(const QString &endpoint, const std::vector<Experiment> &experiments,
                            qint64 fetchedMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, experiments, fetchedMs](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("experiments"),
                         [&](CacheBackend &db) { db.saveExperiments(ep, experiments, fetchedMs); });
    }));
}

void Cache::saveRouting(const QString &endpoint, const RoutingTable &table, qint64 fetchedMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, table, fetchedMs](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("the routing table"),
                         [&](CacheBackend &db) { db.saveRouting(ep, table, fetchedMs); });
    }));
}

void Cache::saveAuditEvents(const QString &endpoint, const std::vector<AuditEvent> &events)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, events](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("audit events"),
                         [&](CacheBackend &db) { db.saveAuditEvents(ep, events); });
    }));
}

void Cache::appendLatencyPoints(const QString &endpoint, const QString &route,
                                const std::vector<LatencyPoint> &points)
{
    if (points.empty())
        return;
    m_worker->enqueue(Job(endpoint, route, points));
}

void Cache::pruneLatency(const QString &endpoint, qint64 beforeMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, beforeMs](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("latency retention"),
                         [&](CacheBackend &db) { db.pruneLatency(ep, beforeMs); });
    }));
}

void Cache::appendSeriesSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds)
{
    if (seconds.empty())
        return;
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, seconds](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("latency series"),
                         [&](CacheBackend &db) { db.series().appendSeconds(ep, seconds); });
        // Ids live one job: one of a rolled-back insert must not linger, and
        // looking a few dozen series up again per batch costs nothing.
        b.series().forget();
    }));
}

void Cache::loadSeries(const SeriesQuery &query)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, query](CacheBackend &b) {
                           std::vector<SeriesPoint> points;
                           if (b.isOpen()) {
                               try {
                                   points = b.series().load(query);
                               } catch (const std::exception &e) {
                                   points.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), query, p = std::move(points)] {
                               emit cache->seriesLoaded(query, p);
                           });
                       }});
}

void Cache::loadSeriesSketches(const SeriesQuery &query)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, query](CacheBackend &b) {
                           TimedSketches sketches;
                           if (b.isOpen()) {
                               try {
                                   sketches = b.series().loadSketches(query);
                               } catch (const std::exception &e) {
                                   sketches.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), query, s = std::move(sketches)] {
                               emit cache->seriesSketchesLoaded(query, s);
                           });
                       }});
}

// One batch of sketch compaction; queues the next one behind whatever else
// is waiting, and once none are left, the deletes by age and size.
void Cache::compactThenPrune(Worker *w, const SeriesRetention &retention, qint64 nowMs,
                             qint64 compacted)
{
    w->enqueue(writeJob([w, retention, nowMs, compacted](CacheBackend &b) {
        qint64 n = 0;
        if (retention.sketchSecondsMs > 0) {
            Worker::runWrite(b, w, QStringLiteral("latency retention"), [&](CacheBackend &db) {
                n = db.series().compactSketches(nowMs - retention.sketchSecondsMs,
                                                kCompactBatchRows);
            });
        }
        if (n >= kCompactBatchRows && b.isOpen()) {
            // Closing: the rest waits for the next start (the size cap too,
            // which would otherwise delete what compaction was about to shrink).
            if (!w->stopping())
                compactThenPrune(w, retention, nowMs, compacted + n);
            return;
        }
        SeriesPruneResult result;
        Worker::runWrite(b, w, QStringLiteral("latency retention"),
                         [&](CacheBackend &db) { result = db.series().prune(retention, nowMs); });
        result.compactedRows = compacted + n;
        w->post([cache = w->owner(), result] { emit cache->seriesPruned(result); });
    }));
}

void Cache::pruneSeries(const SeriesRetention &retention, qint64 nowMs)
{
    compactThenPrune(m_worker.get(), retention, nowMs, 0);
}

void Cache::setSizeLimit(qint64 bytes)
{
    Worker *w = m_worker.get();
    // Not Open-kind: only open() may start the worker, or the jobs queued
    // before it would run against no file and be dropped.
    m_worker->enqueue(
        {JobKind::Configure, [w, bytes](CacheBackend &b) {
             try {
                 b.setSizeLimit(bytes);
             } catch (const store::SqliteError &e) {
                 const QString error = QStringLiteral("Could not set the cache size limit: %1")
                                           .arg(QString::fromUtf8(e.what()));
                 w->post([cache = w->owner(), error] { emit cache->writeFailed(error); });
             }
         }});
}

void Cache::loadSnapshotImpl(const QString &endpoint, bool fallback)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, fallback](CacheBackend &b) {
                           CacheSnapshot snapshot;
                           snapshot.endpoint = ep;
                           if (b.isOpen()) {
                               try {
                                   snapshot = b.loadSnapshot(ep);
                                   const bool empty = snapshot.promptsFetchedMs == 0 &&
                                                      snapshot.experimentsFetchedMs == 0 &&
                                                      snapshot.routingFetchedMs == 0;
                                   if (fallback && empty) {
                                       const QString other = b.mostRecentEndpoint(ep);
                                       if (!other.isEmpty())
                                           snapshot = b.loadSnapshot(other);
                                   }
                               } catch (const std::exception &e) {
                                   // Reads as empty: the console then fills it
                                   // again from the service.
                                   snapshot = CacheSnapshot{};
                                   snapshot.endpoint = ep;
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), s = std::move(snapshot)] {
                               emit cache->snapshotLoaded(s);
                           });
                       }});
}

void Cache::loadSnapshot(const QString &endpoint)
{
    loadSnapshotImpl(endpoint, false);
}

void Cache::loadSnapshotOrMostRecent(const QString &endpoint)
{
    loadSnapshotImpl(endpoint, true);
}

void Cache::loadLatency(const QString &endpoint, const QString &route, qint64 fromMs, qint64 toMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, route, fromMs, toMs](CacheBackend &b) {
                           std::vector<LatencyPoint> points;
                           if (b.isOpen()) {
                               try {
                                   points = b.loadLatency(ep, route, fromMs, toMs);
                               } catch (const std::exception &e) {
                                   points.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), ep, route, p = std::move(points)] {
                               emit cache->latencyLoadedFor(ep, route, p);
                           });
                       }});
}

void Cache::recordAction(const QString &endpoint, const LocalAction &action)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob(
        [w, endpoint, action](CacheBackend &b) { w->runRecordAction(b, endpoint, action); }));
}

void Cache::loadActions(const QString &endpoint, qint64 sinceMs, int limit)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, sinceMs, limit](CacheBackend &b) {
                           std::vector<LocalAction> actions;
                           if (b.isOpen()) {
                               try {
                                   actions = b.loadActions(ep, sinceMs, limit);
                               } catch (const std::exception &e) {
                                   actions.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), ep, a = std::move(actions)] {
                               emit cache->actionsLoaded(ep, a);
                           });
                       }});
}

void Cache::saveArenaRun(const QString &endpoint, const ArenaRun &run)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, run](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("the arena run"),
                         [&](CacheBackend &db) { db.saveArenaRun(ep, run); });
    }));
}

void Cache::loadArenaRuns(const QString &endpoint, const QString &experimentId, int limit)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, experimentId, limit](CacheBackend &b) {
                           std::vector<ArenaRun> runs;
                           if (b.isOpen()) {
                               try {
                                   runs = b.loadArenaRuns(ep, experimentId, limit);
                               } catch (const std::exception &e) {
                                   runs.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), ep, experimentId, r = std::move(runs)] {
                               emit cache->arenaRunsLoaded(ep, experimentId, r);
                           });
                       }});
}

void Cache::loadAudit(const QString &endpoint, qint64 sinceMs, int limit)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, sinceMs, limit](CacheBackend &b) {
                           std::vector<AuditEvent> events;
                           if (b.isOpen()) {
                               try {
                                   events = b.loadAudit(ep, sinceMs, limit);
                               } catch (const std::exception &e) {
                                   events.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), ep, ev = std::move(events)] {
                               emit cache->auditLoaded(ep, ev);
                           });
                       }});
}

void Cache::recordPaletteChoice(const QString &id, qint64 whenMs)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, id, whenMs](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("the palette's recent choice"),
                         [&](CacheBackend &db) { db.recordPaletteChoice(id, whenMs); });
    }));
}

void Cache::loadPaletteRecents(int limit)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, limit](CacheBackend &b) {
                           QHash<QString, qint64> recents;
                           if (b.isOpen()) {
                               try {
                                   recents = b.loadPaletteRecents(limit);
                               } catch (const std::exception &e) {
                                   recents.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), r = std::move(recents)] {
                               emit cache->paletteRecentsLoaded(r);
                           });
                       }});
}

void Cache::recordEvents(const QString &endpoint, const std::vector<TimelineEvent> &events)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, ep = endpoint, events](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("the incident timeline"),
                         [&](CacheBackend &db) { db.recordEvents(ep, events); });
    }));
}

void Cache::loadEvents(const QString &endpoint, qint64 fromMs, qint64 toMs, int limit)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, ep = endpoint, fromMs, toMs, limit](CacheBackend &b) {
                           std::vector<TimelineEvent> events;
                           if (b.isOpen()) {
                               try {
                                   events = b.loadEvents(ep, fromMs, toMs, limit);
                               } catch (const std::exception &e) {
                                   events.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), ep, fromMs, toMs, ev = std::move(events)] {
                               emit cache->eventsLoaded(ep, fromMs, toMs, ev);
                           });
                       }});
}

void Cache::recordImport(const ImportedRange &range)
{
    Worker *w = m_worker.get();
    m_worker->enqueue(writeJob([w, range](CacheBackend &b) {
        Worker::runWrite(b, w, QStringLiteral("the imported history's source"),
                         [&](CacheBackend &db) { db.recordImport(range); });
    }));
}

void Cache::loadImports(const QString &source)
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w, source](CacheBackend &b) {
                           std::vector<ImportedRange> ranges;
                           if (b.isOpen()) {
                               try {
                                   ranges = b.loadImports(source);
                               } catch (const std::exception &e) {
                                   ranges.clear();
                                   w->postReadFailed(e);
                               }
                           }
                           w->post([cache = w->owner(), source, r = std::move(ranges)] {
                               emit cache->importsLoaded(source, r);
                           });
                       }});
}

void Cache::flush()
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w](CacheBackend &) {
                           w->post([cache = w->owner()] { emit cache->flushed(); });
                       }});
}

} // namespace sb
