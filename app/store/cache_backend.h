#pragma once

// The SQL behind Cache, run only on the cache's worker thread. Methods that
// write expect the caller to hold a Transaction, so one job is one commit and
// several queued latency appends can share one. Throws SqliteError.

#include "store/cache.h"
#include "store/imported_range.h"
#include "store/series_rollups.h"
#include "store/sqlite_db.h"

namespace sb::store {

class CacheBackend
{
public:
    // Opens and prepares the file; throws SchemaError/SqliteError (closed afterwards).
    void open(const QString &path);
    bool isOpen() const { return m_db.isOpen(); }
    Database &db() { return m_db; }
    SeriesRollups &series() { return m_series; }
    void setSizeLimit(qint64 bytes);

    void savePrompts(const QString &endpoint, const std::vector<Prompt> &prompts, qint64 fetchedMs);
    void savePromptVersions(const QString &endpoint, const QString &prompt,
                            const std::vector<PromptVersion> &versions, qint64 fetchedMs);
    void saveExperiments(const QString &endpoint, const std::vector<Experiment> &experiments,
                         qint64 fetchedMs);
    void saveRouting(const QString &endpoint, const RoutingTable &table, qint64 fetchedMs);
    void saveAuditEvents(const QString &endpoint, const std::vector<AuditEvent> &events);
    void appendLatency(const QString &endpoint, const QString &route,
                       const std::vector<LatencyPoint> &points);
    void pruneLatency(const QString &endpoint, qint64 beforeMs);
    // Upserts by (endpoint, requestId), then trims the endpoint's log to
    // Cache::kActionRetention newest entries.
    void recordAction(const QString &endpoint, const LocalAction &action);
    // Upserts by (endpoint, requestId), then trims the endpoint's arena
    // history to Cache::kArenaRetention newest runs.
    void saveArenaRun(const QString &endpoint, const ArenaRun &run);
    // The palette's choices (palette_recent.cpp): upsert, then keep the
    // Cache::kPaletteRetention most recent.
    void recordPaletteChoice(const QString &id, qint64 whenMs);
    QHash<QString, qint64> loadPaletteRecents(int limit);
    // The incident timeline (timeline_events.cpp): upserts by (endpoint, id)
    // as core's supersedes() says, then keeps Cache::kEventRetention newest.
    void recordEvents(const QString &endpoint, const std::vector<TimelineEvent> &events);
    // Newest first; events overlapping [fromMs, toMs]; limit <= 0: no limit.
    std::vector<TimelineEvent> loadEvents(const QString &endpoint, qint64 fromMs, qint64 toMs,
                                          int limit);
    // Imported history's source and schema (imported_ranges.cpp, schema v9).
    static constexpr qint64 kNoSchema = -1000; // the schema column of a classic import
    void recordImport(const ImportedRange &range);
    std::vector<ImportedRange> loadImports(const QString &source);

    CacheSnapshot loadSnapshot(const QString &endpoint);
    // The endpoint other than `except` with the most recent fetch, or empty.
    QString mostRecentEndpoint(const QString &except);
    // Newest first; time_ms >= sinceMs; limit <= 0 means no limit.
    std::vector<AuditEvent> loadAudit(const QString &endpoint, qint64 sinceMs, int limit);
    // Newest first; time_ms >= sinceMs; limit <= 0 means no limit.
    std::vector<LocalAction> loadActions(const QString &endpoint, qint64 sinceMs, int limit);
    // Newest first; one experiment's runs, or every experiment's when empty.
    std::vector<ArenaRun> loadArenaRuns(const QString &endpoint, const QString &experimentId,
                                        int limit);
    std::vector<LatencyPoint> loadLatency(const QString &endpoint, const QString &route,
                                          qint64 fromMs, qint64 toMs);

private:
    void applySizeLimit();
    void setFetched(const QString &endpoint, const QString &kind, qint64 fetchedMs);

    Database m_db;
    SeriesRollups m_series{m_db};
    qint64 m_sizeLimit = 0;
};

} // namespace sb::store
