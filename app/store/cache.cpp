#include "store/cache_worker.h"
#include "store/schema.h"

#include <QStandardPaths>

namespace sb {

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

void Cache::flush()
{
    Worker *w = m_worker.get();
    m_worker->enqueue({JobKind::Read, [w](CacheBackend &) {
                           w->post([cache = w->owner()] { emit cache->flushed(); });
                       }});
}

} // namespace sb
