// CacheBackend's imported_ranges table (schema v9): where imported history
// came from and its schema. Kept apart from the rollups (series_rollups.cpp),
// whose layout it leaves alone.

#include "store/cache_backend.h"

namespace sb::store {

void CacheBackend::recordImport(const ImportedRange &r)
{
    // One row per source, route, model, kind and schema: the span grows, the
    // bound is the worst seen.
    m_db.prepare("INSERT INTO imported_ranges (source, route, model, kind, schema, from_ms, "
                 "to_ms, relative_error, imported_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                 "ON CONFLICT(source, route, model, kind, schema) DO UPDATE SET "
                 "from_ms=MIN(from_ms, excluded.from_ms), to_ms=MAX(to_ms, excluded.to_ms), "
                 "relative_error=MAX(relative_error, excluded.relative_error), "
                 "imported_ms=MAX(imported_ms, excluded.imported_ms)")
        .bind(1, r.source)
        .bind(2, r.route)
        .bind(3, r.model)
        .bind(4, r.classic ? QStringLiteral("classic") : QStringLiteral("native"))
        .bind(5, qint64(r.schema.value_or(kNoSchema)))
        .bind(6, r.fromMs)
        .bind(7, r.toMs)
        .bind(8, r.relativeError)
        .bind(9, r.importedMs)
        .exec();
}

std::vector<ImportedRange> CacheBackend::loadImports(const QString &source)
{
    std::vector<ImportedRange> out;
    Statement &q = m_db.prepare(
        "SELECT route, model, kind, schema, from_ms, to_ms, relative_error, imported_ms "
        "FROM imported_ranges WHERE source = ?1 ORDER BY route, model, imported_ms");
    q.bind(1, source);
    while (q.step()) {
        ImportedRange r;
        r.source = source;
        r.route = q.text(0);
        r.model = q.text(1);
        r.classic = q.text(2) == QLatin1String("classic");
        if (q.int64(3) != kNoSchema)
            r.schema = int(q.int64(3));
        r.fromMs = q.int64(4);
        r.toMs = q.int64(5);
        r.relativeError = q.real(6);
        r.importedMs = q.int64(7);
        out.push_back(std::move(r));
    }
    q.reset();
    return out;
}

} // namespace sb::store
