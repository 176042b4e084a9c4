#pragma once

// SeriesAggregator: samples of many series into one SeriesSecond per series
// per second, with the closing rules of LatencyAggregator: a second closes
// (and is emitted exactly once) when the newest sample seen is `graceMs` past
// its end, or on takeAll(). A sample whose second already closed is late:
// add() returns false and it is not counted anywhere else.
//
// The per-sample path is inline and indexes a flat array by SeriesId within
// the current second (no hashing); latencies go into SecondHistograms, which
// become LatencySketches when their second closes. Memory is bounded by the
// open seconds (about series x (1 + grace in seconds)); the cells of a closed
// second are reused, so a steady stream allocates nothing per sample or per
// second but its output.

#include "core/second_histogram.h"
#include "core/series.h"

#include <limits>
#include <memory>
#include <vector>

namespace sb {

class SeriesAggregator
{
public:
    explicit SeriesAggregator(qint64 graceMs = 250);

    // Values must be validated (SampleValidator): finite, >= 0, bounded.
    // `tokens` counts only when hasTokens. Returns false for a late sample.
    Q_ALWAYS_INLINE bool add(SeriesId series, qint64 timeMs, float latencyMs, float ttftMs,
                             quint32 tokens, bool hasTokens, bool error, bool fallback)
    {
        return addUs(series, timeMs * 1000, latencyMs, ttftMs, tokens, hasTokens, error, fallback);
    }

    // The same with the time in microseconds (what the wire has): no division
    // on the per-sample path.
    Q_ALWAYS_INLINE bool addUs(SeriesId series, qint64 timeUs, float latencyMs, float ttftMs,
                               quint32 tokens, bool hasTokens, bool error, bool fallback)
    {
        // Most samples fall in the current second: one unsigned comparison
        // (which also proves the second is still open) instead of a floor.
        if (quint64(timeUs) - quint64(m_curSecondUs) >= 1'000'000) [[unlikely]] {
            if (!enterSecond(floorDiv(timeUs, 1000)))
                return false;
        }
        if (timeUs >= m_closeAtUs) [[unlikely]]
            closeUpTo(floorDiv(timeUs, 1000));
        if (series >= m_curCells) [[unlikely]]
            growCells(series);
        Slot &a = m_cur->cells[series];
        ++a.count;
        a.tokens += hasTokens ? tokens : 0;
        a.tokenSamples += hasTokens ? 1 : 0;
        a.fallbacks += fallback ? 1 : 0;
        if (error) {
            ++a.errors;
        } else {
            a.latency.record(latencyMs);
            if (ttftMs > 0)
                a.ttft.record(ttftMs);
        }
        return true;
    }

    // Every closed second not taken yet, ordered by second, then series.
    std::vector<SeriesSecond> takeClosed();
    // Closes every open second first; later samples in them are late.
    std::vector<SeriesSecond> takeAll();

    std::size_t openSeconds() const { return m_open.size(); }
    qint64 closedBeforeMs() const { return m_closedBeforeMs; }

    static qint64 floorSecond(qint64 ms) { return ms - ((ms % 1000) + 1000) % 1000; }
    static qint64 floorDiv(qint64 a, qint64 b) { return a / b - ((a % b) < 0 ? 1 : 0); }

private:
    struct Slot
    {
        quint64 count = 0; // 0: the series had no sample in this second
        quint64 errors = 0;
        quint64 fallbacks = 0;
        quint64 tokens = 0;
        quint64 tokenSamples = 0;
        SecondHistogram latency;
        SecondHistogram ttft;
    };

    struct Open
    {
        qint64 secondMs = 0;
        // By SeriesId (interned ids are dense): no lookup, and closing walks
        // them in series order. Kept across seconds with their buckets.
        std::vector<Slot> cells;
    };

    // Makes timeMs's second current; false when that second is closed (late).
    bool enterSecond(qint64 timeMs);
    void closeUpTo(qint64 timeMs);
    void growCells(SeriesId series);
    Open *openSecond(qint64 second);
    void closeBefore(qint64 boundaryMs);

    qint64 m_graceMs;
    qint64 m_closedBeforeMs = std::numeric_limits<qint64>::min();
    // A sample at or after this closes at least one more second.
    qint64 m_closeAtUs = std::numeric_limits<qint64>::min();
    // Open seconds, ascending; the current one cached for the next sample.
    std::vector<std::unique_ptr<Open>> m_open;
    std::vector<std::unique_ptr<Open>> m_spare; // recycled, sized and with warm buckets
    Open *m_cur = nullptr;
    std::size_t m_curCells = 0; // m_cur->cells.size(), at hand for the hot path
    qint64 m_curSecond = std::numeric_limits<qint64>::min();
    qint64 m_curSecondUs = std::numeric_limits<qint64>::min(); // the same, in µs
    std::vector<SeriesSecond> m_ready;
};

} // namespace sb
