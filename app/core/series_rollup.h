#pragma once

// What the cache keeps of the series store: per series, every second and
// every minute with its counts and serialized latency and TTFT sketches
// (quantiles are kept only as display summaries: they cannot be merged into
// longer intervals; store/series_rollups.h has the row layout). A minute is
// the merge of its seconds' sketches. Retention says how long
// each resolution is kept and how large the rows may grow in all; a query
// names one series or, with model and variant left open, a whole route (the
// matching series merged second by second or minute by minute).

#include "core/series.h"
#include "core/series_store.h"

#include <QString>
#include <optional>
#include <utility>
#include <vector>

namespace sb {

// One series over one second, as the controller hands it to the cache.
struct SeriesRollup
{
    SeriesKey key;
    qint64 startMs = 0; // start of the second
    SeriesAggregate aggregate;
};

struct SeriesRetention
{
    static constexpr qint64 kDayMs = 24LL * 3600 * 1000;
    qint64 secondsMs = 7 * kDayMs;  // per-second rows kept this long
    qint64 minutesMs = 90 * kDayMs; // per-minute rows kept this long
    qint64 maxBytes = 2LL << 30;    // latency rows in all; oldest seconds go first
    // Per-second sketches kept this long. Older seconds keep their summaries
    // (counts and quantiles: what a series' chart draws, still per second);
    // merges over them (a route's chart, the heatmap) read the minutes, which
    // keep their sketches. A busy series-second's 279 B drops to ~32 B of
    // pages in use (schema v11, history_bench), so 2 GiB holds ~8.5 days of
    // 50 busy series.
    qint64 sketchSecondsMs = kDayMs;
};

// A range read. model/variant nullopt: every series of the route, merged.
struct SeriesQuery
{
    QString endpoint;
    QString route;
    std::optional<QString> model;
    std::optional<QString> variant;
    qint64 fromMs = 0; // [fromMs, toMs)
    qint64 toMs = 0;
    Resolution resolution = Resolution::Second;
    quint64 tag = 0; // echoed back, so a caller can match answers to requests
};

// Latency sketches by interval start, ascending (a heatmap's columns).
using TimedSketches = std::vector<std::pair<qint64, LatencySketch>>;

// What a retention pass did.
struct SeriesPruneResult
{
    qint64 deletedRows = 0;
    qint64 compactedRows = 0; // minutes of seconds whose sketches were dropped
    qint64 bytesAfter = 0;    // pages in use times page size, after the pass
};

} // namespace sb
