// CacheBackend's events table (schema v8): the incident timeline. Kept apart
// from cache_backend.cpp, which holds the per-endpoint snapshot tables.

#include "store/cache_backend.h"

#include <QJsonDocument>

namespace sb::store {

void CacheBackend::recordEvents(const QString &endpoint, const std::vector<TimelineEvent> &events)
{
    // The WHERE clause is core's supersedes(): a watch stream's report of a
    // change never replaces this console's own record of it.
    Statement &q = m_db.prepare(
        "INSERT INTO events (endpoint, id, time_ms, end_ms, kind, actor, source, target, "
        "summary, payload_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT(endpoint, id) DO UPDATE SET time_ms=excluded.time_ms, "
        "end_ms=excluded.end_ms, kind=excluded.kind, actor=excluded.actor, "
        "source=excluded.source, target=excluded.target, summary=excluded.summary, "
        "payload_json=excluded.payload_json "
        "WHERE NOT (events.kind='local-change' AND excluded.kind='others-change')");
    for (const auto &e : events) {
        q.bind(1, endpoint)
            .bind(2, e.id)
            .bind(3, e.timeMs)
            .bind(4, e.endMs)
            .bind(5, kindName(e.kind))
            .bind(6, e.actor)
            .bind(7, e.source)
            .bind(8, e.target)
            .bind(9, e.summary)
            .bind(10, QJsonDocument(e.payload).toJson(QJsonDocument::Compact))
            .exec();
    }
    m_db.prepare("DELETE FROM events WHERE endpoint=?1 AND rowid IN (SELECT rowid FROM events "
                 "WHERE endpoint=?1 ORDER BY time_ms DESC LIMIT -1 OFFSET ?2)")
        .bind(1, endpoint)
        .bind(2, qint64(Cache::kEventRetention))
        .exec();
}

std::vector<TimelineEvent> CacheBackend::loadEvents(const QString &endpoint, qint64 fromMs,
                                                    qint64 toMs, int limit)
{
    std::vector<TimelineEvent> out;
    // A range that began before fromMs but reaches into it counts too.
    Statement &q = m_db.prepare(
        "SELECT id, time_ms, end_ms, kind, actor, source, target, summary, payload_json "
        "FROM events WHERE endpoint=?1 AND time_ms <= ?3 AND MAX(time_ms, end_ms) >= ?2 "
        "ORDER BY time_ms DESC, id DESC LIMIT ?4");
    q.bind(1, endpoint).bind(2, fromMs).bind(3, toMs).bind(4, qint64(limit > 0 ? limit : -1));
    while (q.step()) {
        TimelineEvent e;
        e.id = q.text(0);
        e.timeMs = q.int64(1);
        e.endMs = q.int64(2);
        const auto kind = kindFromName(q.text(3));
        if (!kind)
            continue; // a kind from a newer build: not ours to show
        e.kind = *kind;
        e.actor = q.text(4);
        e.source = q.text(5);
        e.target = q.text(6);
        e.summary = q.text(7);
        e.payload = QJsonDocument::fromJson(q.blob(8)).object();
        out.push_back(std::move(e));
    }
    q.reset();
    return out;
}

} // namespace sb::store
