#pragma once

// Cache: the console's local SQLite cache, so it opens instantly with the last
// known prompts, experiments, routing and audit trail, stays useful offline,
// and keeps latency history as per-second rollups. One worker thread owns the
// only connection and runs a FIFO job queue; every public method just enqueues
// and returns (it is called from the GUI thread, which must never wait on
// disk). Results come back as signals on the Cache's own thread. Every save is
// one transaction: on failure (disk full, read-only, ...) it is rolled back
// whole and writeFailed() says why, while earlier commits stay. Calls made
// before open() are kept and applied once the file is open. Destroying the
// Cache finishes queued writes (pending loads are dropped), then stops the
// worker.
//
// Endpoints: there is no "current endpoint". Every save and load takes the
// endpoint it is for (e.g. "sim" or "host:port") as its first argument, and
// every load's result signal carries it back, so several services share one
// file without mixing and one caller can serve several at once without
// swapping state between calls. (setEndpoint()/endpoint(), the save/load
// overloads without an endpoint that read it, and latencyLoaded(route,
// points), which could not say whose points they were, have been removed;
// latencyLoadedFor is the latency answer.)
//
// Known gaps: writeFailed() and readFailed() carry a sentence but not the
// endpoint or job they are about; two loads of the same kind, endpoint and
// route (e.g. two latency ranges) answer with signals a caller cannot tell
// apart except by order (answers do come in call order).

#include "core/arena_run.h"
#include "core/local_action.h"
#include "core/series_rollup.h"
#include "core/timeline_event.h"
#include "core/types.h"
#include "store/imported_range.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

namespace sb {

struct CacheSnapshot
{
    QString endpoint;
    std::vector<Prompt> prompts;
    qint64 promptsFetchedMs = 0;                         // 0 = never cached
    QHash<QString, std::vector<PromptVersion>> versions; // by prompt name, newest first
    QHash<QString, qint64> versionsFetchedMs;            // by prompt name
    std::vector<Experiment> experiments;
    qint64 experimentsFetchedMs = 0;
    RoutingTable routing;
    qint64 routingFetchedMs = 0;
    std::vector<AuditEvent> audit; // newest first, up to kSnapshotAuditLimit
};

// Every save and load is one queued job naming its endpoint, and every answer
// is a signal naming it back; open(), setSizeLimit() and flush() are about the
// file and the queue, not an endpoint.
class Cache : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSnapshotAuditLimit = 500;
    static constexpr int kAuditRetention = 10000;  // per endpoint; older events are pruned
    static constexpr int kActionRetention = 10000; // per endpoint; older entries are pruned
    static constexpr int kArenaRetention = 2000;   // arena runs per endpoint
    static constexpr int kPaletteRetention = 500;  // palette choices remembered
    static constexpr int kEventRetention = 50000;  // timeline events per endpoint
    static constexpr qint64 kSecondResolutionMs = 1000;

    explicit Cache(QObject *parent = nullptr);
    ~Cache() override; // finishes queued writes, then stops the worker

    // $SWITCHBOARD_CACHE if set, else QStandardPaths::AppDataLocation + "/cache.sqlite".
    static QString defaultPath();

    // Async; emits opened(). Creates missing folders, sets WAL, migrates. A
    // file that is not a SQLite database, belongs to another application or
    // has a newer schema is refused (opened(false, why)) and left untouched;
    // saves are then dropped and loads return empty results.
    void open(const QString &path);
    // Caps the file's size (0 = no cap); a save that would grow it further
    // fails with writeFailed, like a full disk. Applies to this connection.
    void setSizeLimit(qint64 bytes);
    void flush(); // emits flushed() once every earlier job is done (for tests)

    // --- Saves. Each names its endpoint; each is one transaction. ---
    void savePrompts(const QString &endpoint, const std::vector<Prompt> &prompts,
                     qint64 fetchedMs); // replaces the list
    // Upserts; versions.promptName is taken to be `prompt`.
    void savePromptVersions(const QString &endpoint, const QString &prompt,
                            const std::vector<PromptVersion> &versions, qint64 fetchedMs);
    void saveExperiments(const QString &endpoint, const std::vector<Experiment> &experiments,
                         qint64 fetchedMs); // replaces
    void saveRouting(const QString &endpoint, const RoutingTable &table,
                     qint64 fetchedMs); // replaces
    void saveAuditEvents(const QString &endpoint, const std::vector<AuditEvent> &events); // upsert
    // Per-second rollups; a second already stored is replaced. Consecutive
    // appends for the same endpoint are written together in one transaction
    // (so a failure drops that whole group, reported once by writeFailed); an
    // append for another endpoint starts a new group.
    void appendLatencyPoints(const QString &endpoint, const QString &route,
                             const std::vector<LatencyPoint> &points);
    // Drops the endpoint's latency rows older than beforeMs (retention).
    void pruneLatency(const QString &endpoint, qint64 beforeMs);

    // --- Series rollups (core/series_rollup.h): per second and per minute,
    // counts and sketches, for every (route, model, variant). ---
    // One transaction per call; a second already stored is left as it is
    // (and not merged into its minute again).
    void appendSeriesSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds);
    // Emits seriesLoaded with the query and its points (summarised on the
    // worker thread), ascending.
    void loadSeries(const SeriesQuery &query);
    // Emits seriesSketchesLoaded with the query's latency sketches (a route's
    // series merged per interval), ascending: what a heatmap of history draws.
    void loadSeriesSketches(const SeriesQuery &query);
    // Enforces retention (every endpoint); emits seriesPruned. First drops the
    // per-second sketches older than retention.sketchSecondsMs, in jobs of
    // kCompactBatchRows rows (each its own transaction, so other jobs run in
    // between), then deletes by age and by size.
    void pruneSeries(const SeriesRetention &retention, qint64 nowMs);
    static constexpr qint64 kCompactBatchRows = 2000; // series-minutes per job

    // --- The console's own action log (see core/local_action.h). ---
    // Upserts by (endpoint, action.requestId) in its own transaction, synced
    // to disk (synchronous=FULL for this one commit, so it survives a power
    // cut too, not only a crash), and only then emits actionRecorded. Like
    // every job, it waits for open() if called before it.
    // ok=false (with a sentence for the user) when nothing was written: full
    // disk, a refused or unreadable file, an empty request id. A failure is
    // reported there only, not also through writeFailed. The write path calls
    // this before telling the user a change succeeded; if the Cache is
    // destroyed first the row is still committed, but no signal comes.
    void recordAction(const QString &endpoint, const LocalAction &action);
    // Emits actionsLoaded with the endpoint's entries at or after sinceMs,
    // newest first, at most `limit` (<= 0: all kept, up to kActionRetention).
    void loadActions(const QString &endpoint, qint64 sinceMs = 0, int limit = 1000);

    // --- The experiments arena's runs (see core/arena_run.h). ---
    // Upserts by (endpoint, run.requestId) in one transaction: a run is saved
    // when it ends and again when it is voted on. A failure goes to writeFailed.
    void saveArenaRun(const QString &endpoint, const ArenaRun &run);
    // Emits arenaRunsLoaded with the endpoint's runs of one experiment (every
    // experiment's when experimentId is empty), newest first, at most `limit`
    // (<= 0: all kept, up to kArenaRetention).
    void loadArenaRuns(const QString &endpoint, const QString &experimentId, int limit = 200);

    // --- Loads. Each result signal says which endpoint it is for. ---
    // The command palette's choices: id -> when last chosen. Not per endpoint.
    void recordPaletteChoice(const QString &id, qint64 whenMs);
    void loadPaletteRecents(int limit = kPaletteRetention); // emits paletteRecentsLoaded

    // --- The incident timeline (core/timeline_event.h). ---
    // Upserts by (endpoint, event.id) in one transaction; a watch stream's
    // report of a change never replaces this console's own (supersedes()).
    // A failure goes to writeFailed.
    void recordEvents(const QString &endpoint, const std::vector<TimelineEvent> &events);
    // Emits eventsLoaded with the endpoint's events overlapping [fromMs,
    // toMs], newest first, at most `limit` (<= 0: all kept).
    void loadEvents(const QString &endpoint, qint64 fromMs, qint64 toMs, int limit = 10000);
    // Where imported history came from (source, route, kind, schema, span,
    // bound); loadImports emits importsLoaded with a source's rows.
    void recordImport(const ImportedRange &range);
    void loadImports(const QString &source);

    void loadSnapshot(const QString &endpoint); // emits snapshotLoaded
    // Like loadSnapshot(endpoint), but when nothing is cached for it, loads
    // the most recently fetched other endpoint instead (snapshot.endpoint says
    // which), so a console started offline against an unknown address still
    // shows the last state it saw.
    void loadSnapshotOrMostRecent(const QString &endpoint);
    // Emits latencyLoadedFor with the points in
    // [fromMs, toMs] (both inclusive), oldest first.
    void loadLatency(const QString &endpoint, const QString &route, qint64 fromMs, qint64 toMs);

    // Emits auditLoaded with the endpoint's cached audit events at or after
    // sinceMs, newest first, at most `limit` of them (<= 0: all that are kept,
    // i.e. up to kAuditRetention). For the Audit page, which wants more than
    // the snapshot's kSnapshotAuditLimit and a time range.
    void loadAudit(const QString &endpoint, qint64 sinceMs = 0, int limit = 1000);

signals:
    void opened(bool ok, const QString &error);
    void snapshotLoaded(const sb::CacheSnapshot &snapshot);
    void latencyLoadedFor(const QString &endpoint, const QString &route,
                          const std::vector<sb::LatencyPoint> &points);
    void auditLoaded(const QString &endpoint, const std::vector<sb::AuditEvent> &events);
    void seriesLoaded(const sb::SeriesQuery &query, const std::vector<sb::SeriesPoint> &points);
    void seriesSketchesLoaded(const sb::SeriesQuery &query, const sb::TimedSketches &sketches);
    void seriesPruned(const sb::SeriesPruneResult &result);
    // The answer to recordAction, once its row is committed (ok) or known not to be.
    void actionRecorded(const QString &endpoint, const QString &requestId, bool ok,
                        const QString &error);
    void actionsLoaded(const QString &endpoint, const std::vector<sb::LocalAction> &actions);
    void arenaRunsLoaded(const QString &endpoint, const QString &experimentId,
                         const std::vector<sb::ArenaRun> &runs);
    void writeFailed(const QString &error); // clear message; that save was rolled back whole
    // A load hit an error (e.g. a damaged file); its result signal still
    // follows, empty, so callers waiting for it are never left hanging.
    void readFailed(const QString &error);
    void paletteRecentsLoaded(const QHash<QString, qint64> &lastUsedMs);
    void eventsLoaded(const QString &endpoint, qint64 fromMs, qint64 toMs,
                      const std::vector<sb::TimelineEvent> &events);
    void importsLoaded(const QString &source, const std::vector<sb::ImportedRange> &ranges);
    void flushed();

private:
    void loadSnapshotImpl(const QString &endpoint, bool fallback);
    class Worker;
    static void compactThenPrune(Worker *w, const SeriesRetention &retention, qint64 nowMs,
                                 qint64 compacted);
    std::unique_ptr<Worker> m_worker;
};

} // namespace sb
