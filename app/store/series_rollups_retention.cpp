// SeriesRollups' retention (store/series_rollups.h): sketches dropped past
// their age as one key range, rows deleted by age, then by size.

#include "store/series_rollups.h"

#include <limits>
#include <sqlite3.h>

namespace sb::store {

namespace {

qint64 floorTo(qint64 ms, qint64 unit)
{
    return ms - ((ms % unit) + unit) % unit;
}

} // namespace

std::vector<qint64> SeriesRollups::allIds()
{
    std::vector<qint64> ids;
    Statement &s = m_db.prepare("SELECT id FROM series");
    while (s.step())
        ids.push_back(s.int64(0));
    s.reset();
    return ids;
}

qint64 SeriesRollups::deleteBefore(qint64 resolution, qint64 beforeMs)
{
    qint64 n = 0;
    // Per series, so each delete is a range of the primary key, not a scan.
    for (qint64 id : allIds()) {
        m_db.prepare("DELETE FROM series_chunks WHERE series=?1 AND resolution=?2 "
                     "AND start_ms<?3")
            .bind(1, id)
            .bind(2, resolution)
            .bind(3, beforeMs)
            .exec();
        n += sqlite3_changes(m_db.handle());
    }
    if (resolution == kSecondMs) {
        // Their sketches, if retention kept them this long (one key range).
        m_db.prepare("DELETE FROM series_second_sketches WHERE id<?1")
            .bind(1, secondSketchesKey(0, floorTo(beforeMs, kChunkMs)))
            .exec();
    }
    return n;
}

qint64 SeriesRollups::oldest(qint64 resolution)
{
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (qint64 id : allIds()) {
        Statement &q = m_db.prepare("SELECT start_ms FROM series_chunks WHERE series=?1 AND "
                                    "resolution=?2 ORDER BY start_ms LIMIT 1");
        q.bind(1, id).bind(2, resolution);
        if (q.step())
            oldest = std::min(oldest, q.int64(0));
        q.reset();
    }
    return oldest;
}

qint64 SeriesRollups::bytesInUse()
{
    const qint64 pages = m_db.queryInt("PRAGMA page_count");
    const qint64 free = m_db.queryInt("PRAGMA freelist_count");
    return (pages - free) * m_db.queryInt("PRAGMA page_size");
}

qint64 SeriesRollups::compactSketches(qint64 beforeMs, qint64 maxRows)
{
    // Minutes wholly older than the cut, every series: keys below this one.
    const qint64 cut = secondSketchesKey(0, floorTo(beforeMs, kChunkMs));
    if (maxRows <= 0)
        return 0;
    // The oldest maxRows rows end below the key of the next one (or the cut).
    Statement &q = m_db.prepare("SELECT id FROM series_second_sketches WHERE id<?1 "
                                "ORDER BY id LIMIT 1 OFFSET ?2");
    q.bind(1, cut).bind(2, maxRows);
    const qint64 upTo = q.step() ? q.int64(0) : cut;
    q.reset();
    m_db.prepare("DELETE FROM series_second_sketches WHERE id<?1").bind(1, upTo).exec();
    return sqlite3_changes(m_db.handle());
}

SeriesPruneResult SeriesRollups::prune(const SeriesRetention &retention, qint64 nowMs)
{
    SeriesPruneResult result;
    // Whole chunks only: one goes once all of it is older than the cut.
    result.deletedRows += deleteBefore(kSecondMs, floorTo(nowMs - retention.secondsMs, kChunkMs));
    result.deletedRows += deleteBefore(kMinuteMs, floorTo(nowMs - retention.minutesMs, kChunkMs));

    // The per-route quantile rows (what the route summary reads offline) age
    // like the seconds; per (endpoint, route) so each delete is a key range.
    std::vector<std::pair<QString, QString>> routes;
    Statement &r = m_db.prepare("SELECT DISTINCT endpoint, route FROM latency_rollups");
    while (r.step())
        routes.emplace_back(r.text(0), r.text(1));
    r.reset();
    for (const auto &[endpoint, route] : routes) {
        m_db.prepare("DELETE FROM latency_rollups WHERE endpoint=?1 AND route=?2 AND "
                     "resolution=1000 AND second_ms<?3")
            .bind(1, endpoint)
            .bind(2, route)
            .bind(3, nowMs - retention.secondsMs)
            .exec();
        result.deletedRows += sqlite3_changes(m_db.handle());
    }

    // Over budget: the oldest detail goes first. Freed pages are reused by
    // later writes, so the file stops growing at about the budget.
    for (int round = 0; retention.maxBytes > 0 && round < 1000; ++round) {
        if (bytesInUse() <= retention.maxBytes)
            break;
        const qint64 sec = oldest(kSecondMs);
        qint64 n = 0;
        if (sec != std::numeric_limits<qint64>::max()) {
            n = deleteBefore(kSecondMs, sec + 3600 * 1000);
        } else {
            const qint64 min = oldest(kMinuteMs);
            if (min == std::numeric_limits<qint64>::max())
                break;
            n = deleteBefore(kMinuteMs, min + SeriesRetention::kDayMs);
        }
        result.deletedRows += n;
        if (n == 0)
            break;
    }
    result.bytesAfter = bytesInUse();
    return result;
}

} // namespace sb::store
