#pragma once

// SeriesStore: the in-memory history of every series, fed incrementally with
// closed seconds (append) and trimmed to a window (trim). It answers range
// queries at 1 s and at 1 min; minutes are built by merging the seconds'
// sketches as they arrive, never by averaging quantiles, so a minute's p99 is
// the p99 of every request in that minute. A second that arrives late (out of
// order, e.g. replayed after a reconnect) is inserted in place and merged into
// its minute. Missing seconds stay missing: charts draw a gap, not a line.
//
// Memory: each second keeps its counts and precomputed quantiles; its full
// sketches are kept, compacted, only for the most recent `secondSketchMs`
// (enough to merge "the last N seconds" exactly), minutes keep theirs for
// their whole window. window(), for older ranges, merges minutes instead and
// says so (exact == false, with the range it really covers).
//
// Not thread-safe: one thread (the GUI's or a controller's) owns a store.

#include "core/series.h"

#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace sb {

enum class Resolution
{
    Second,
    Minute
};

// What a chart can plot from a point.
enum class SeriesMetric
{
    P50,
    P90,
    P95,
    P99,
    Max,
    TtftP50,
    TtftP95,
    TtftP99,
    Throughput,    // requests per second
    ErrorRate,     // errors / requests, 0..1
    FallbackShare, // fallbacks / requests, 0..1
    TokensPerSecond
};

// One series over one interval, ready to plot.
struct SeriesPoint
{
    qint64 timeMs = 0;     // interval start
    qint64 durationMs = 0; // 1000 or 60000
    quint64 count = 0;
    quint64 errors = 0;
    quint64 fallbacks = 0;
    quint64 tokens = 0;
    quint64 tokenSamples = 0;
    quint64 latencyCount = 0; // successful requests in the latency sketch
    quint64 ttftCount = 0;
    // Latency quantiles of successful requests, ms (the sketch's ~0.5 % error).
    float p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
    float ttftP50 = 0, ttftP95 = 0, ttftP99 = 0;

    // NaN when the interval has nothing to say about the metric (no
    // successful request for a latency, no request for a rate, no token count
    // for tokens/s): plotted as a gap, not as 0.
    double value(SeriesMetric metric) const;
    bool operator==(const SeriesPoint &) const = default;
};

// A merged window of one series.
struct SeriesWindow
{
    SeriesAggregate aggregate;
    qint64 fromMs = 0; // what the merge really covers
    qint64 toMs = 0;
    bool exact = true; // false: built from whole minutes around the asked range
};

class SeriesStore
{
public:
    struct Options
    {
        qint64 secondWindowMs = 3600 * 1000;      // seconds kept
        qint64 minuteWindowMs = 24 * 3600 * 1000; // minutes kept
        qint64 secondSketchMs = 15 * 60 * 1000;   // seconds that keep their sketches
    };

    SeriesStore();
    explicit SeriesStore(Options options);
    ~SeriesStore();
    SeriesStore(const SeriesStore &) = delete;
    SeriesStore &operator=(const SeriesStore &) = delete;

    // Names of series (a stream's SeriesUpdate carries them).
    void setKey(SeriesId id, const SeriesKey &key);
    std::optional<SeriesKey> key(SeriesId id) const;
    // Series that hold any data, ascending.
    std::vector<SeriesId> seriesIds() const;

    void append(const SeriesSecond &second);
    void append(const std::vector<SeriesSecond> &seconds);
    // Keys, then seconds.
    void apply(const SeriesUpdate &update);
    // Drops seconds and minutes that fell out of their windows before nowMs.
    void trim(qint64 nowMs);

    // Points with timeMs in [fromMs, toMs), ascending.
    std::vector<SeriesPoint> range(SeriesId id, qint64 fromMs, qint64 toMs,
                                   Resolution resolution) const;
    // The latency sketches of the intervals starting in [fromMs, toMs),
    // ascending: seconds only while they still hold theirs (the newest
    // secondSketchMs), minutes always. For heatmaps.
    std::vector<std::pair<qint64, LatencySketch>>
    latencySketches(SeriesId id, qint64 fromMs, qint64 toMs, Resolution resolution) const;
    // All of [fromMs, toMs) merged (nullopt when the series has no data there).
    std::optional<SeriesWindow> window(SeriesId id, qint64 fromMs, qint64 toMs) const;

    // Newest second of any series (0 when empty).
    qint64 newestMs() const { return m_newestMs; }
    std::size_t secondCount(SeriesId id) const;
    std::size_t minuteCount(SeriesId id) const;
    // Approximate heap bytes held.
    std::size_t memoryBytes() const;

    static SeriesPoint summarize(qint64 timeMs, qint64 durationMs, const SeriesAggregate &a);

private:
    struct Series;
    Series *series(SeriesId id);
    const Series *series(SeriesId id) const;
    Series &seriesFor(SeriesId id);

    Options m_options;
    std::vector<std::unique_ptr<Series>> m_series; // by SeriesId; null when never seen
    qint64 m_newestMs = 0;
};

} // namespace sb
