#pragma once

// The SQL behind the cache's series rollups (schema version 11), run only on
// the cache's worker thread. Series are named once in `series` (endpoint,
// route, model, variant → integer id, remembered per connection) so a rollup
// row carries an integer, not three strings.
//
// Layout (store/series_rollups_codec.h): one series_chunks row per series per
// minute and resolution: at 1 s it packs that minute's seconds, at 1 min the
// minute. Each row holds the intervals' display summaries (counts and
// quantiles) and their lossless sketches: a minute's beside its summary, a
// second's in series_second_sketches, keyed minute first (secondSketchesKey)
// so those rows lie in time order. A 1 s row's summaries are written packed
// (store/series_summary_pack.h). So a day of one series at 1 s is 1,440 row
// steps and no sketch decode; a route (several series) merges sketches.
// Retention drops the per-second sketches older than
// SeriesRetention::sketchSecondsMs as one key range of
// series_second_sketches (whole pages freed), leaving the summaries as they
// were written (a late second added to such a minute keeps its summary
// only). A route read at 1 s gets such a minute as one point of 60 s (the
// merge of its series' minute rows, whose sketches stay until the minutes'
// own retention), so it has no hole; a heatmap's seconds find nothing there:
// callers read the minutes.
//
// Seconds are immutable: a second already stored is ignored, and only
// seconds actually inserted are merged into their minute row, so writing the
// same batch twice (a replay after a crash) never counts twice and a minute
// is the exact merge of its seconds. A second missing is a gap, never a zero.
// Writes expect the caller's transaction. Throws SqliteError.

#include "core/series_rollup.h"
#include "store/sqlite_db.h"

#include <QHash>
#include <map>
#include <set>

namespace sb::store {

class SeriesRollups
{
public:
    static constexpr qint64 kSecondMs = 1000;
    static constexpr qint64 kMinuteMs = 60 * 1000;
    static constexpr qint64 kChunkMs = kMinuteMs; // what one row spans
    // series_second_sketches' key: the minute, then the series (ids below 2^24).
    static constexpr qint64 kSeriesSpan = qint64(1) << 24;
    static constexpr qint64 secondSketchesKey(qint64 series, qint64 minuteMs)
    {
        return minuteMs / kChunkMs * kSeriesSpan + series;
    }

    explicit SeriesRollups(Database &db) : m_db(db) {}
    // The connection changed: ids remembered from it are void.
    void forget() { m_ids.clear(); }

    void appendSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds);
    // Ascending by time; one point per interval (a route's series merged; at
    // 1 s, a minute whose seconds lost their sketches comes as one 60 s point).
    std::vector<SeriesPoint> load(const SeriesQuery &query);
    // The latency sketches of the query's intervals (a route's series merged), ascending.
    TimedSketches loadSketches(const SeriesQuery &query);
    // Seconds older than nowMs - secondsMs and minutes older than nowMs -
    // minutesMs go, for every endpoint; then, while the rows take more than
    // maxBytes, the oldest hour of seconds (once none are left, the oldest
    // day of minutes). A row goes once all of its minute is past the cut.
    // Also trims the per-route quantile table to the seconds' retention.
    SeriesPruneResult prune(const SeriesRetention &retention, qint64 nowMs);
    // Drops the per-second sketches of minutes older than beforeMs (their
    // summaries stay; the minutes keep their sketches): the oldest maxRows
    // series-minutes at most, one key range; returns how many. Fewer than
    // maxRows: none are left.
    qint64 compactSketches(qint64 beforeMs, qint64 maxRows);
    qint64 rowCount(); // every series rollup row, i.e. chunk (tests, benchmarks)

private:
    // Adds the seconds in `fresh` that the stored row lacks (merging them into *inserted).
    void writeChunk(qint64 id, qint64 resolution, qint64 startMs,
                    const std::map<int, const SeriesAggregate *> &fresh, SeriesAggregate *inserted);
    void mergeMinute(qint64 id, qint64 minuteMs, const SeriesAggregate &part);
    void readSummaries(qint64 id, qint64 resolution, const SeriesQuery &q,
                       std::vector<SeriesPoint> &out);
    // Merges the series' intervals in the range into `merged`; a row without
    // sketches (compacted) adds its minute's start to *compacted instead.
    void mergeRange(qint64 id, qint64 resolution, const SeriesQuery &q,
                    std::map<qint64, SeriesAggregate> &merged, std::set<qint64> *compacted);
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
