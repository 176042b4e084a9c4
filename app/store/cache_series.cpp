#include "store/cache_worker.h"

namespace sb {

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

} // namespace sb
