#pragma once

// Exponential backoff with proportional jitter, for reconnecting streams.
// Attempt n waits base = min(maximum, initial * multiplier^n), spread uniformly
// over [base * (1 - jitter), min(maximum, base * (1 + jitter))]. At the cap the
// spread stays below the maximum instead of clamping onto it, so clients that
// lost the same server do not retry in lockstep during a long outage.

#include <chrono>
#include <cstdint>
#include <random>

namespace sb {

class Backoff
{
public:
    using ms = std::chrono::milliseconds;
    Backoff(ms initial = ms(250), ms maximum = ms(10000), double multiplier = 2.0,
            double jitter = 0.2, uint64_t seed = std::random_device{}());

    // Delay before the next attempt (at least 1 ms); grows with each call until
    // reset(). The same seed gives the same sequence.
    ms next();
    void reset() { m_attempt = 0; }
    int attempts() const { return m_attempt; }

private:
    ms m_initial;
    ms m_max;
    double m_multiplier;
    double m_jitter;
    int m_attempt = 0;
    std::mt19937_64 m_rng;
};

} // namespace sb
