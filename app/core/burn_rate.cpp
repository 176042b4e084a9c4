#include "core/burn_rate.h"

#include <algorithm>

namespace sb {

const char *toString(AlertState s)
{
    switch (s) {
    case AlertState::NoData:
        return "no data";
    case AlertState::Normal:
        return "normal";
    case AlertState::Pending:
        return "pending";
    case AlertState::Firing:
        return "firing";
    case AlertState::Recovering:
        return "recovering";
    }
    return "";
}

BurnRateAlert::BurnRateAlert(BurnRatePolicy policy) : m_policy(std::move(policy))
{
    int longest = 1;
    for (const auto &p : m_policy.pairs)
        longest = std::max({longest, p.longSec, p.shortSec});
    m_capacity = longest + 1;
    m_cum.resize(size_t(m_capacity));
    m_reading.longBurn.assign(m_policy.pairs.size(), 0.0);
    m_reading.shortBurn.assign(m_policy.pairs.size(), 0.0);
}

void BurnRateAlert::advanceTo(qint64 second)
{
    if (m_last < 0)
        return;
    // Seconds with nothing added carry the running totals forward (at most a
    // ring's worth matters: older ones are overwritten anyway).
    const Sums carry = m_cum[size_t(m_last % m_capacity)];
    for (qint64 s = std::max(m_last + 1, second - m_capacity); s <= second; ++s)
        m_cum[size_t(s % m_capacity)] = carry;
    m_last = std::max(m_last, second);
}

void BurnRateAlert::add(qint64 second, quint64 total, quint64 bad)
{
    if (second < 0 || (m_last >= 0 && second < m_last))
        return; // out of order: the caller's bug, never a crash
    bad = std::min(bad, total);
    if (m_last < 0) {
        m_first = m_last = second;
        m_cum[size_t(second % m_capacity)] = {};
    } else if (second > m_last) {
        advanceTo(second);
    }
    Sums &c = m_cum[size_t(second % m_capacity)];
    c.total += total;
    c.bad += bad;
}

BurnRateAlert::Sums BurnRateAlert::window(qint64 nowSec, int windowSec) const
{
    if (m_last < 0 || nowSec < m_first)
        return {};
    const qint64 end = std::min(nowSec, m_last);
    const Sums hi = m_cum[size_t(end % m_capacity)];
    const qint64 before = nowSec - windowSec; // the last second outside the window
    if (before < m_first)
        return hi;
    const Sums lo = m_cum[size_t(before % m_capacity)];
    return {hi.total - lo.total, hi.bad - lo.bad};
}

const BurnRateReading &BurnRateAlert::evaluate(qint64 nowSec)
{
    if (m_last >= 0 && nowSec > m_last)
        advanceTo(nowSec);
    const double budget = std::max(1e-9, 1.0 - m_policy.objective);
    auto burn = [&](const Sums &s) {
        return s.total == 0 ? 0.0 : (double(s.bad) / double(s.total)) / budget;
    };
    bool condition = false;
    int which = -1;
    bool anyShortData = false;
    for (size_t i = 0; i < m_policy.pairs.size(); ++i) {
        const auto &p = m_policy.pairs[i];
        const Sums l = window(nowSec, p.longSec);
        const Sums s = window(nowSec, p.shortSec);
        m_reading.longBurn[i] = burn(l);
        m_reading.shortBurn[i] = burn(s);
        anyShortData = anyShortData || s.total > 0;
        if (!condition && m_reading.longBurn[i] > p.factor && m_reading.shortBurn[i] > p.factor) {
            condition = true;
            which = int(i);
        }
    }
    m_reading.firingPair = which;

    AlertState &st = m_reading.state;
    if (!anyShortData && st != AlertState::Firing && st != AlertState::Recovering) {
        // Nothing to judge. (A firing alert whose traffic stops keeps firing
        // until its windows say otherwise: silence is not recovery.)
        st = AlertState::NoData;
        m_conditionSince = m_offSince = -1;
        return m_reading;
    }
    if (condition) {
        m_offSince = -1;
        if (m_conditionSince < 0)
            m_conditionSince = nowSec;
        switch (st) {
        case AlertState::NoData:
        case AlertState::Normal:
            st = AlertState::Pending;
            [[fallthrough]];
        case AlertState::Pending:
            if (nowSec - m_conditionSince >= m_policy.pendingForSec) {
                st = AlertState::Firing;
                m_reading.firingSinceSec = nowSec;
                ++m_reading.timesFired;
            }
            break;
        case AlertState::Recovering:
            st = AlertState::Firing; // the same alert, back: not a new one
            break;
        case AlertState::Firing:
            break;
        }
        return m_reading;
    }
    m_conditionSince = -1;
    switch (st) {
    case AlertState::Firing:
        st = AlertState::Recovering;
        m_offSince = nowSec;
        break;
    case AlertState::Recovering:
        if (m_offSince < 0)
            m_offSince = nowSec;
        if (nowSec - m_offSince >= m_policy.recoverForSec) {
            st = anyShortData ? AlertState::Normal : AlertState::NoData;
            m_reading.firingSinceSec = 0;
            m_offSince = -1;
        }
        break;
    default:
        st = AlertState::Normal;
        break;
    }
    return m_reading;
}

} // namespace sb
