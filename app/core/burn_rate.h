#pragma once

// Multiwindow, multi-burn-rate SLO alerts, as in Google's SRE workbook
// ("Alerting on SLOs", the recommended configuration): an SLO allows a share
// of bad requests (its error budget, 1 - objective); the burn rate over a
// window is the bad share in that window divided by the budget. The alert
// pages when both the long and the short window of a pair burn faster than
// the pair's factor:
//
//   1 h and 5 min at 14.4 (2 % of a 30-day budget in an hour), or
//   6 h and 30 min at 6   (5 % of it in six hours).
//
// The long window says the burn is significant; the short one that it is
// still going on, so an alert stops soon after the trouble does. States:
// NoData (no requests in the short window), Normal, Pending (the condition
// holds, not yet for `pendingFor`), Firing, Recovering (the condition ended
// while firing; Normal once it has stayed off for `recoverFor`, Firing again
// if it returns, which is the same alert, not a new one). QtCore only; the
// caller feeds per-second counts and asks at any second.

#include <QtGlobal>
#include <vector>

namespace sb {

enum class AlertState
{
    NoData,
    Normal,
    Pending,
    Firing,
    Recovering
};
const char *toString(AlertState s);

struct BurnRatePolicy
{
    double objective = 0.999; // share of good requests promised
    struct Pair
    {
        int longSec;
        int shortSec;
        double factor;
    };
    std::vector<Pair> pairs{{3600, 300, 14.4}, {6 * 3600, 1800, 6.0}};
    int pendingForSec = 60;
    int recoverForSec = 300;
};

struct BurnRateReading
{
    AlertState state = AlertState::NoData;
    // Burn rate of each pair's long and short window, in policy order.
    std::vector<double> longBurn;
    std::vector<double> shortBurn;
    int firingPair = -1;       // the pair whose condition holds, if any
    qint64 firingSinceSec = 0; // when the current alert started firing; 0 if not
    int timesFired = 0;        // Normal/Pending -> Firing transitions so far
};

class BurnRateAlert
{
public:
    explicit BurnRateAlert(BurnRatePolicy policy = {});

    // One second's requests and how many were bad (an error, or slower than
    // the latency SLO's threshold). Seconds must not go backwards; a second
    // seen again adds to it; skipped seconds count as no requests.
    void add(qint64 second, quint64 total, quint64 bad);
    // The state at `nowSec` (>= the last second added), updating the state
    // machine; call it once a second (or after each add).
    const BurnRateReading &evaluate(qint64 nowSec);
    const BurnRateReading &reading() const { return m_reading; }
    const BurnRatePolicy &policy() const { return m_policy; }

private:
    struct Sums
    {
        quint64 total = 0, bad = 0;
    };
    // Totals of the seconds (nowSec - windowSec, nowSec].
    Sums window(qint64 nowSec, int windowSec) const;
    void advanceTo(qint64 second);

    BurnRatePolicy m_policy;
    int m_capacity;          // seconds kept: the longest window, plus one
    std::vector<Sums> m_cum; // ring: totals of every second through that slot's second
    qint64 m_first = -1;     // oldest second ever added
    qint64 m_last = -1;      // newest second stored
    BurnRateReading m_reading;
    qint64 m_conditionSince = -1; // condition true since (for Pending)
    qint64 m_offSince = -1;       // condition false since (for Recovering)
};

} // namespace sb
