#include "store/cache_worker.h"

namespace sb {

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

} // namespace sb
