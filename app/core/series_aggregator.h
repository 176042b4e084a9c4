#pragma once

// SeriesAggregator: samples of many series into one SeriesSecond per series
// per second, with the closing rules of LatencyAggregator: a second closes
// (and is emitted exactly once) when the newest sample seen is `graceMs` past
// its end, or on takeAll(). A sample whose second already closed is late:
// add() returns false and it is not counted anywhere else.
//
// The per-sample path indexes a flat array by SeriesId within the current
// second (no hashing), so its cost is the two sketch records. Memory is
// bounded by the open seconds (about series x (1 + grace in seconds)); a
// closed second is moved out whole, sketches included, for the caller to keep
// or merge.

#include "core/series.h"

#include <limits>
#include <memory>
#include <vector>

namespace sb {

class SeriesAggregator
{
public:
    explicit SeriesAggregator(qint64 graceMs = 250);

    // `tokens` counts only when hasTokens. Returns false for a late sample.
    bool add(SeriesId series, qint64 timeMs, float latencyMs, float ttftMs, quint32 tokens,
             bool hasTokens, bool error, bool fallback)
    {
        const qint64 second = floorSecond(timeMs);
        if (second < m_closedBeforeMs)
            return false;
        if (timeMs > m_newestMs)
            advance(timeMs);
        if (second != m_curSecond)
            m_cur = openSecond(second);
        SeriesAggregate &a = m_cur->slot(series, second);
        ++a.count;
        if (hasTokens) {
            a.tokens += tokens;
            ++a.tokenSamples;
        }
        if (error) {
            ++a.errors;
        } else {
            a.latency.record(latencyMs);
            if (ttftMs > 0)
                a.ttft.record(ttftMs);
        }
        if (fallback)
            ++a.fallbacks;
        return true;
    }

    // Every closed second not taken yet, ordered by second, then series.
    std::vector<SeriesSecond> takeClosed();
    // Closes every open second first; later samples in them are late.
    std::vector<SeriesSecond> takeAll();

    std::size_t openSeconds() const { return m_open.size(); }
    qint64 closedBeforeMs() const { return m_closedBeforeMs; }
    qint64 newestSampleMs() const { return m_newestMs; }

    static qint64 floorSecond(qint64 ms) { return ms - ((ms % 1000) + 1000) % 1000; }

private:
    struct Open
    {
        qint64 secondMs = 0;
        std::vector<qint32> slotOf; // by SeriesId, -1 when the series has no slot yet
        std::vector<SeriesSecond> entries;

        SeriesAggregate &slot(SeriesId series, qint64 second)
        {
            if (series >= slotOf.size()) [[unlikely]]
                slotOf.resize(std::size_t(series) + 1, -1);
            qint32 &s = slotOf[series];
            if (s < 0) [[unlikely]] {
                s = qint32(entries.size());
                SeriesSecond &fresh = entries.emplace_back();
                fresh.series = series;
                fresh.secondMs = second;
            }
            return entries[std::size_t(s)].aggregate;
        }
    };

    void advance(qint64 timeMs);
    Open *openSecond(qint64 second);
    void closeBefore(qint64 boundaryMs);

    qint64 m_graceMs;
    qint64 m_newestMs = std::numeric_limits<qint64>::min();
    qint64 m_closedBeforeMs = std::numeric_limits<qint64>::min();
    // Open seconds, ascending; the current one cached for the next sample.
    std::vector<std::unique_ptr<Open>> m_open;
    std::vector<std::unique_ptr<Open>> m_spare; // recycled, their slotOf already sized
    Open *m_cur = nullptr;
    qint64 m_curSecond = std::numeric_limits<qint64>::min();
    std::vector<SeriesSecond> m_ready;
};

} // namespace sb
