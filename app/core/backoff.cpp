#include "core/backoff.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

Backoff::Backoff(ms initial, ms maximum, double multiplier, double jitter, uint64_t seed)
    : m_initial(std::max(initial, ms(1))), m_max(std::max(maximum, ms(1))),
      // A multiplier below 1 (or NaN) would shrink delays; hold them steady instead.
      m_multiplier(multiplier >= 1.0 ? multiplier : 1.0),
      m_jitter(std::isfinite(jitter) ? std::clamp(jitter, 0.0, 1.0) : 0.0), m_rng(seed)
{}

Backoff::ms Backoff::next()
{
    const double cap = double(m_max.count());
    // The exponent is bounded so a very long outage neither overflows the
    // attempt counter's use in pow nor needs it: the cap is reached long before.
    const double grown =
        double(m_initial.count()) * std::pow(m_multiplier, std::min(m_attempt, 1024));
    const double base = std::min(cap, grown);
    if (m_attempt < std::numeric_limits<int>::max())
        ++m_attempt;
    const double hi = std::min(cap, base * (1.0 + m_jitter));
    const double lo = std::min(base * (1.0 - m_jitter), hi);
    std::uniform_real_distribution<double> dist(lo, hi);
    const double d = lo < hi ? dist(m_rng) : lo;
    return ms(std::max<int64_t>(1, int64_t(d)));
}

} // namespace sb
