#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace sb {

Backoff::Backoff(ms initial, ms maximum, double multiplier, double jitter, uint64_t seed)
    : m_initial(initial), m_max(maximum), m_multiplier(multiplier),
      m_jitter(std::clamp(jitter, 0.0, 1.0)), m_rng(seed)
{
}

Backoff::ms Backoff::next()
{
    const double base = std::min(double(m_max.count()),
                                 double(m_initial.count()) * std::pow(m_multiplier, m_attempt));
    ++m_attempt;
    std::uniform_real_distribution<double> dist(1.0 - m_jitter, 1.0 + m_jitter);
    const double d = std::min(double(m_max.count()), base * dist(m_rng));
    return ms(std::max<int64_t>(1, int64_t(d)));
}

} // namespace sb
