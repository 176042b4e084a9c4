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
#include <algorithm>
#include <bit>
#include <cmath>
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
    explicit SampleValidator(SampleLimits limits = {}) : m_limits(limits)
    {
        // The largest float at or below the limit: floats compare by bits.
        float f = float(limits.maxLatencyMs);
        if (double(f) > limits.maxLatencyMs)
            f = std::nextafter(f, 0.0f);
        m_maxBits = f >= 0.0f ? std::bit_cast<quint32>(f) : 0;
    }

    const SampleLimits &limits() const { return m_limits; }

    // Once per batch: samples are judged against this clock.
    void setNow(qint64 nowMs)
    {
        m_loUs = saturatingUs(nowMs - m_limits.maxAgeMs);
        m_hiUs = saturatingUs(nowMs + m_limits.maxAheadMs);
    }

    // Latency must be finite, >= 0 and not absurd; TTFT likewise, 0 meaning
    // "no token". Non-negative floats order like their bits, and negative
    // ones (-0 included), infinities and NaN all have larger bit patterns, so
    // one unsigned comparison per value says it all.
    bool latencyOk(float latencyMs, float ttftMs) const
    {
        return unsigned(std::bit_cast<quint32>(latencyMs) <= m_maxBits) &
               unsigned(std::bit_cast<quint32>(ttftMs) <= m_maxBits);
    }

    bool timeOk(qint64 timeUs) const { return timeUs >= m_loUs && timeUs <= m_hiUs; }

    // The same time check for a batch's 32-bit offsets from baseUs, as one
    // comparison per sample.
    struct OffsetWindow
    {
        qint64 lo = -1;
        quint64 span = 0;
        bool ok(quint32 offsetUs) const { return quint64(qint64(offsetUs) - lo) <= span; }
    };
    OffsetWindow offsetWindow(qint64 baseUs) const
    {
        // |baseUs| is clamped to ~1e18 by its producer: no overflow here.
        const qint64 lo = std::max<qint64>(m_loUs - baseUs, 0);
        const qint64 hi = std::min<qint64>(m_hiUs - baseUs, qint64(0xffffffffu));
        if (hi < lo)
            return {}; // nothing in this batch can be in range
        return {lo, quint64(hi - lo)};
    }

private:
    static qint64 saturatingUs(qint64 ms)
    {
        constexpr qint64 kLimit = std::numeric_limits<qint64>::max() / 1000;
        return ms > kLimit ? kLimit * 1000 : ms < -kLimit ? -kLimit * 1000 : ms * 1000;
    }

    SampleLimits m_limits;
    quint32 m_maxBits = 0;
    qint64 m_loUs = 0;
    qint64 m_hiUs = 0;
};

} // namespace sb
