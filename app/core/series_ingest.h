#pragma once

// SeriesIngest: one stream's columnar sample batches into per-series seconds.
// Validation (SampleValidator), id resolution (SeriesDictionary) and
// aggregation (SeriesAggregator) in one pass over the columns, with nothing
// allocated or hashed per sample. Not thread-safe: one stream's thread owns it.
//
// SampleColumns is a view of a decoded batch (the client layer points it at
// protobuf's packed arrays, so nothing is copied). Required columns are
// offsets, latency, route ids and status codes; the others may be null when
// the service did not send them (model and variant then read as "none",
// tokens as "not available", TTFT and fallback as 0/false).

#include "core/sample_validator.h"
#include "core/series.h"
#include "core/series_aggregator.h"
#include "core/series_dictionary.h"

#include <memory>

namespace sb {

struct SampleColumns
{
    qint64 baseUs = 0; // batch start, µs since the epoch; sample i is at baseUs + offsetMicros[i]
    std::size_t size = 0;
    const quint32 *offsetMicros = nullptr;
    const float *latencyMs = nullptr;
    const quint32 *routeIds = nullptr;
    const quint32 *statusCodes = nullptr;
    const float *ttftMs = nullptr;
    const quint32 *modelIds = nullptr;
    const quint32 *variantIds = nullptr;
    const quint32 *outputTokens = nullptr;
    const bool *fallbackUsed = nullptr;

    // A wire timestamp as baseUs. Seconds are clamped to about +-30,000 years
    // first, so a hostile value cannot overflow (it is then simply far from
    // now and rejected as such).
    static qint64 toMicros(qint64 seconds, qint64 nanos)
    {
        constexpr qint64 kMaxSeconds = 1'000'000'000'000;
        seconds = seconds > kMaxSeconds    ? kMaxSeconds
                  : seconds < -kMaxSeconds ? -kMaxSeconds
                                           : seconds;
        nanos = nanos > 999'999'999 ? 999'999'999 : nanos < -999'999'999 ? -999'999'999 : nanos;
        return seconds * 1'000'000 + nanos / 1000;
    }
};

class SeriesIngest
{
public:
    explicit SeriesIngest(std::shared_ptr<SeriesInterner> interner, SampleLimits limits = {},
                          qint64 graceMs = 250);

    SeriesDictionary &dictionary() { return m_dictionary; }

    // Validates and aggregates every sample; nowMs is the clock they are
    // judged against. Returns how many were accepted (the rest are counted in
    // rejects()). A view missing a required column is all rejected as bad.
    std::size_t ingest(const SampleColumns &columns, qint64 nowMs);

    std::vector<SeriesSecond> takeClosed() { return m_aggregator.takeClosed(); }
    std::vector<SeriesSecond> takeAll() { return m_aggregator.takeAll(); }

    const SampleRejects &rejects() const { return m_rejects; }
    const SeriesAggregator &aggregator() const { return m_aggregator; }

private:
    template <bool kAllColumns> std::size_t run(const SampleColumns &columns);

    SeriesDictionary m_dictionary;
    SampleValidator m_validator;
    SeriesAggregator m_aggregator;
    SampleRejects m_rejects;
};

} // namespace sb
