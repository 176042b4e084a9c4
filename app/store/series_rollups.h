#pragma once

// The SQL behind the cache's series rollups (schema version 5), run only on
// the cache's worker thread. Series are named once in `series` (endpoint,
// route, model, variant → integer id, remembered per connection) so a rollup
// row carries an integer, not three strings. Seconds are immutable: a second
// already stored is ignored, and only seconds actually inserted are merged
// into their minute rows, so writing the same batch twice (a replay after a
// crash) never counts twice. Writes expect the caller's transaction.
// Throws SqliteError.

#include "core/series_rollup.h"
#include "store/sqlite_db.h"

#include <QHash>

namespace sb::store {

class SeriesRollups
{
public:
    static constexpr qint64 kSecondMs = 1000;
    static constexpr qint64 kMinuteMs = 60 * 1000;

    explicit SeriesRollups(Database &db) : m_db(db) {}
    // The connection changed: ids remembered from it are void.
    void forget() { m_ids.clear(); }

    void appendSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds);
    // Ascending by time; one point per interval (a route's series merged).
    std::vector<SeriesPoint> load(const SeriesQuery &query);
    // Seconds older than nowMs - secondsMs and minutes older than nowMs -
    // minutesMs go, for every endpoint; then, while the rows take more than
    // maxBytes, the oldest hour of seconds (once none are left, the oldest
    // day of minutes). Also trims the per-route quantile table to the seconds'
    // retention.
    SeriesPruneResult prune(const SeriesRetention &retention, qint64 nowMs);
    qint64 rowCount(); // every series rollup row (tests, benchmarks)

private:
    qint64 idFor(const QString &endpoint, const SeriesKey &key);
    std::vector<qint64> idsFor(const SeriesQuery &query);
    std::vector<qint64> allIds();
    qint64 bytesInUse();
    qint64 deleteBefore(qint64 resolution, qint64 beforeMs);
    qint64 oldest(qint64 resolution);

    Database &m_db;
    QHash<QString, qint64> m_ids; // endpoint \x1f route \x1f model \x1f variant → id
};

} // namespace sb::store
