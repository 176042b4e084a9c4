#pragma once

// SampleValidator: the per-sample checks a live stream applies before a
// sample may reach a series. A bad sample is turned away and counted (see
// SampleRejects), never fatal and never plotted: one NaN would otherwise
// poison nothing (the sketch drops it) but still count as traffic, and one
// sample stamped far in the future would close every open second early and
// make all later samples late.
//
// Inline on purpose: it runs once per sample at millions of samples a second.
// Times are compared in microseconds so the check needs no division.

#include <QtGlobal>
#include <limits>

namespace sb {

struct SampleLimits
{
    // Longer than this is a unit or clock bug, not a slow request.
    double maxLatencyMs = 3'600'000.0;
    // Older than this is not live (a resumed stream replays at most ~30 s).
    qint64 maxAgeMs = 3'600'000;
    // Ahead of our clock by more than this is skew we do not trust.
    qint64 maxAheadMs = 30'000;
};

class SampleValidator
{
public:
    explicit SampleValidator(SampleLimits limits = {}) : m_limits(limits) {}

    const SampleLimits &limits() const { return m_limits; }

    // Once per batch: samples are judged against this clock.
    void setNow(qint64 nowMs)
    {
        m_loUs = saturatingUs(nowMs - m_limits.maxAgeMs);
        m_hiUs = saturatingUs(nowMs + m_limits.maxAheadMs);
    }

    // Latency must be finite, >= 0 and not absurd; TTFT likewise, 0 meaning
    // "no token". The negated comparisons also reject NaN.
    bool latencyOk(float latencyMs, float ttftMs) const
    {
        const double max = m_limits.maxLatencyMs;
        return latencyMs >= 0.0f && double(latencyMs) <= max && ttftMs >= 0.0f &&
               double(ttftMs) <= max;
    }

    bool timeOk(qint64 timeUs) const { return timeUs >= m_loUs && timeUs <= m_hiUs; }

private:
    static qint64 saturatingUs(qint64 ms)
    {
        constexpr qint64 kLimit = std::numeric_limits<qint64>::max() / 1000;
        return ms > kLimit ? kLimit * 1000 : ms < -kLimit ? -kLimit * 1000 : ms * 1000;
    }

    SampleLimits m_limits;
    qint64 m_loUs = 0;
    qint64 m_hiUs = 0;
};

} // namespace sb
