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
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < c.size; ++i) {
        const float latency = c.latencyMs[i];
        const float ttft = c.ttftMs ? c.ttftMs[i] : 0.0f;
        if (!m_validator.latencyOk(latency, ttft)) [[unlikely]] {
            ++m_rejects.badLatency;
            continue;
        }
        // Overflow-free: baseUs comes from a checked timestamp, offsets are 32-bit.
        const qint64 timeUs = c.baseUs + qint64(c.offsetMicros[i]);
        if (!m_validator.timeOk(timeUs)) [[unlikely]] {
            ++m_rejects.badTime;
            continue;
        }
        const SeriesId series = m_dictionary.resolve(c.routeIds[i], c.modelIds ? c.modelIds[i] : 0,
                                                     c.variantIds ? c.variantIds[i] : 0);
        if (series == kNoSeries) [[unlikely]] {
            ++m_rejects.unknownId;
            continue;
        }
        const bool ok = m_aggregator.add(
            series, timeUs / 1000, latency, ttft, c.outputTokens ? c.outputTokens[i] : 0,
            c.outputTokens != nullptr, c.statusCodes[i] != 0, c.fallbackUsed && c.fallbackUsed[i]);
        if (!ok) [[unlikely]] {
            ++m_rejects.late;
            continue;
        }
        ++accepted;
    }
    return accepted;
}

} // namespace sb
