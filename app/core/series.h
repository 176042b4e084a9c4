#pragma once

// Series: what the latency charts draw. A series is one (route, model,
// variant) combination; in hot paths it is a dense integer SeriesId handed out
// by a SeriesInterner, so no sample ever carries or hashes a string. Names are
// hashed once per new combination, when a stream's dictionary first maps onto
// it. Ids are stable for the interner's lifetime (across reconnects and service
// restarts, which renumber the stream's own dictionary ids).
//
// SeriesAggregate is what one series did over an interval (a second or a
// minute): counts plus mergeable latency and time-to-first-token sketches, so
// longer intervals are built by merging, never by averaging quantiles.
//
// Latency sketches hold successful requests only (an error's latency, often a
// fast rejection or a timeout, is not the latency users got); this matches the
// per-route points charted so far. Note that TelemetryService's pre-aggregated
// WindowSketch documents "all requests": merging those in needs that settled.

#include "core/latency_sketch.h"

#include <QHash>
#include <QString>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace sb {

using SeriesId = quint32;
inline constexpr SeriesId kNoSeries = 0xffffffffu;

struct SeriesKey
{
    QString route;
    QString model;   // empty when the service did not say
    QString variant; // `experiment_id/variant_id`; empty outside experiments

    // "chat · gpt-x · exp1/b", leaving out empty parts.
    QString label() const;
    bool operator==(const SeriesKey &) const = default;
};
size_t qHash(const SeriesKey &key, size_t seed = 0) noexcept;

// Thread-safe: intern() may be called from a stream's thread while the GUI
// reads names. Both lock; neither is on a per-sample path.
class SeriesInterner
{
public:
    SeriesId intern(const SeriesKey &key);
    // kNoSeries when the key was never interned.
    SeriesId find(const SeriesKey &key) const;
    std::optional<SeriesKey> key(SeriesId id) const;
    std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    QHash<SeriesKey, SeriesId> m_ids;
    std::vector<SeriesKey> m_keys;
};

struct SeriesAggregate
{
    quint64 count = 0;        // requests completed
    quint64 errors = 0;       // of which failed (non-zero status)
    quint64 fallbacks = 0;    // of which a fallback served
    quint64 tokens = 0;       // output tokens, summed over the samples that reported them
    quint64 tokenSamples = 0; // samples that carried a token count (0: not available)
    LatencySketch latency;    // successful requests, ms
    LatencySketch ttft;       // successful requests that produced a token, ms

    void merge(const SeriesAggregate &other);
    bool operator==(const SeriesAggregate &) const = default;
};

// One series over one second.
struct SeriesSecond
{
    SeriesId series = kNoSeries;
    qint64 secondMs = 0; // start of the second, ms since the epoch
    SeriesAggregate aggregate;
};

// Why samples were turned away before aggregation. Counted, never fatal: the
// UI shows a non-zero total as a warning.
struct SampleRejects
{
    quint64 badLatency = 0; // NaN, infinite, negative or absurd latency or TTFT
    quint64 unknownId = 0;  // route/model/variant id the dictionary never defined
    quint64 badTime = 0;    // timestamp too far from now (either way)
    quint64 late = 0;       // its second was already closed and emitted

    quint64 total() const { return badLatency + unknownId + badTime + late; }
    void add(const SampleRejects &o)
    {
        badLatency += o.badLatency;
        unknownId += o.unknownId;
        badTime += o.badTime;
        late += o.late;
    }
    bool operator==(const SampleRejects &) const = default;
};

// What a live stream hands the GUI in one coalesced go: the series first seen
// since the previous update (so the receiver can name them) and the closed
// seconds, ordered by second then series.
struct SeriesUpdate
{
    std::vector<std::pair<SeriesId, SeriesKey>> newSeries;
    std::vector<SeriesSecond> seconds;
    SampleRejects rejects;      // cumulative over the run, for the warning
    quint64 droppedSeconds = 0; // cumulative: closed seconds lost because the GUI fell behind
};

} // namespace sb
