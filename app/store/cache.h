#pragma once

// Cache: the console's local SQLite cache, so it opens instantly with the last
// known prompts, experiments, routing and audit trail, stays useful offline,
// and keeps latency history as per-second rollups. One worker thread owns the
// only connection and runs a FIFO job queue; every public method just enqueues
// and returns (it is called from the GUI thread, which must never wait on
// disk). Results come back as signals on the Cache's own thread. Every save is
// one transaction: on failure (disk full, read-only, ...) it is rolled back
// whole and writeFailed() says why, while earlier commits stay. Rows are keyed
// by the endpoint set with setEndpoint(), so several services share a file
// without mixing. Calls made before open() are kept and applied once the file
// is open. Destroying the Cache finishes queued writes (pending loads are
// dropped), then stops the worker.

#include "core/types.h"

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

class Cache : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSnapshotAuditLimit = 500;
    static constexpr int kAuditRetention = 10000; // per endpoint; older events are pruned
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
    // All following saves/loads are for this endpoint (e.g. "sim" or "host:port").
    void setEndpoint(const QString &endpointKey);
    QString endpoint() const { return m_endpoint; }

    void savePrompts(const std::vector<Prompt> &prompts, qint64 fetchedMs); // replaces the list
    // Upserts; versions.promptName is taken to be `prompt`.
    void savePromptVersions(const QString &prompt, const std::vector<PromptVersion> &versions,
                            qint64 fetchedMs);
    void saveExperiments(const std::vector<Experiment> &experiments, qint64 fetchedMs); // replaces
    void saveRouting(const RoutingTable &table, qint64 fetchedMs);                      // replaces
    void saveAuditEvents(const std::vector<AuditEvent> &events); // upsert by id
    // Per-second rollups; a second already stored is replaced. Consecutive
    // appends are written together in one transaction (so a failure drops
    // that whole group, reported once by writeFailed).
    void appendLatencyPoints(const QString &route, const std::vector<LatencyPoint> &points);
    // Drops the current endpoint's latency rows older than beforeMs (retention).
    void pruneLatency(qint64 beforeMs);
    // Caps the file's size (0 = no cap); a save that would grow it further
    // fails with writeFailed, like a full disk. Applies to this connection.
    void setSizeLimit(qint64 bytes);

    void loadSnapshot(); // emits snapshotLoaded for the current endpoint
    // Like loadSnapshot(), but when nothing is cached for the current
    // endpoint, loads the most recently fetched other endpoint instead
    // (snapshot.endpoint says which), so a console started offline against
    // an unknown address still shows the last state it saw.
    void loadSnapshotOrMostRecent();
    // Emits latencyLoaded with the points in [fromMs, toMs] (both inclusive), oldest first.
    void loadLatency(const QString &route, qint64 fromMs, qint64 toMs);
    void flush(); // emits flushed() once every earlier job is done (for tests)

signals:
    void opened(bool ok, const QString &error);
    void snapshotLoaded(const sb::CacheSnapshot &snapshot);
    void latencyLoaded(const QString &route, const std::vector<sb::LatencyPoint> &points);
    void writeFailed(const QString &error); // clear message; that save was rolled back whole
    // A load hit an error (e.g. a damaged file); its result signal still
    // follows, empty, so callers waiting for it are never left hanging.
    void readFailed(const QString &error);
    void flushed();

private:
    void loadSnapshotImpl(bool fallback);
    class Worker;
    std::unique_ptr<Worker> m_worker;
    QString m_endpoint;
};

} // namespace sb
