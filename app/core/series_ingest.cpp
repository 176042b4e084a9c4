#include "core/series_ingest.h"

namespace sb {

SeriesIngest::SeriesIngest(std::shared_ptr<SeriesInterner> interner, SampleLimits limits,
                           qint64 graceMs)
    : m_dictionary(std::move(interner)), m_validator(limits), m_aggregator(graceMs)
{}

std::size_t SeriesIngest::ingest(const SampleColumns &c, qint64 nowMs)
{
    if (c.size == 0)
        return 0;
    if (!c.offsetMicros || !c.latencyMs || !c.routeIds || !c.statusCodes) {
        m_rejects.badLatency += c.size;
        return 0;
    }
    m_validator.setNow(nowMs);
    if (c.ttftMs && c.modelIds && c.variantIds && c.outputTokens && c.fallbackUsed)
        return run<true>(c); // what services send: no per-sample null checks
    return run<false>(c);
}

template <bool kAllColumns> std::size_t SeriesIngest::run(const SampleColumns &c)
{
    // Columns in locals: stores into the histograms could otherwise alias
    // them and force a reload of every pointer for every sample.
    const quint32 *__restrict offsets = c.offsetMicros;
    const float *__restrict latencies = c.latencyMs;
    const quint32 *__restrict routes = c.routeIds;
    const quint32 *__restrict status = c.statusCodes;
    const float *__restrict ttfts = c.ttftMs;
    const quint32 *__restrict models = c.modelIds;
    const quint32 *__restrict variants = c.variantIds;
    const quint32 *__restrict tokens = c.outputTokens;
    const bool *__restrict fallbacks = c.fallbackUsed;
    const qint64 baseUs = c.baseUs;
    const std::size_t n = c.size;
    const SampleValidator validator = m_validator;
    const SampleValidator::OffsetWindow window = validator.offsetWindow(baseUs);
    SampleRejects rejects;
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float latency = latencies[i];
        const float ttft = kAllColumns || ttfts ? ttfts[i] : 0.0f;
        if (!validator.latencyOk(latency, ttft)) [[unlikely]] {
            ++rejects.badLatency;
            continue;
        }
        const quint32 offset = offsets[i];
        if (!window.ok(offset)) [[unlikely]] {
            ++rejects.badTime;
            continue;
        }
        const SeriesId series =
            m_dictionary.resolve(routes[i], kAllColumns || models ? models[i] : 0,
                                 kAllColumns || variants ? variants[i] : 0);
        if (series == kNoSeries) [[unlikely]] {
            ++rejects.unknownId;
            continue;
        }
        const bool hasTokens = kAllColumns || tokens;
        const bool ok = m_aggregator.addUs(series, baseUs + qint64(offset), latency, ttft,
                                           hasTokens ? tokens[i] : 0, hasTokens, status[i] != 0,
                                           (kAllColumns || fallbacks) && fallbacks[i]);
        if (!ok) [[unlikely]] {
            ++rejects.late;
            continue;
        }
        ++accepted;
    }
    m_rejects.add(rejects);
    return accepted;
}

} // namespace sb
