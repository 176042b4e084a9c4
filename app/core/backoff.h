#pragma once

// Exponential backoff with full jitter, for reconnecting streams.

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

    // Delay before the next attempt; grows with each call until reset().
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
