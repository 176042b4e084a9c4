// CacheBackend's palette_recent table (schema v6): the command palette's
// recent choices. Kept apart from cache_backend.cpp, which holds the
// per-endpoint snapshot tables.

#include "store/cache_backend.h"

namespace sb::store {

void CacheBackend::recordPaletteChoice(const QString &id, qint64 whenMs)
{
    m_db.prepare("INSERT INTO palette_recent (id, used_ms, uses) VALUES (?1, ?2, 1) "
                 "ON CONFLICT(id) DO UPDATE SET used_ms=MAX(used_ms, excluded.used_ms), "
                 "uses=uses+1")
        .bind(1, id)
        .bind(2, whenMs)
        .exec();
    m_db.prepare("DELETE FROM palette_recent WHERE id IN (SELECT id FROM palette_recent "
                 "ORDER BY used_ms DESC, id LIMIT -1 OFFSET ?1)")
        .bind(1, qint64(Cache::kPaletteRetention))
        .exec();
}

QHash<QString, qint64> CacheBackend::loadPaletteRecents(int limit)
{
    QHash<QString, qint64> out;
    Statement &q =
        m_db.prepare("SELECT id, used_ms FROM palette_recent ORDER BY used_ms DESC, id LIMIT ?1");
    q.bind(1, qint64(limit > 0 ? limit : -1));
    while (q.step())
        out.insert(q.text(0), q.int64(1));
    q.reset();
    return out;
}

} // namespace sb::store
