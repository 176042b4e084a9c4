#include "core/slo_monitor.h"

#include <algorithm>
#include <cmath>

namespace sb {

QString toString(SloKind kind)
{
    switch (kind) {
    case SloKind::Errors:
        return QStringLiteral("error rate");
    case SloKind::P95:
        return QStringLiteral("p95 latency");
    case SloKind::P99:
        return QStringLiteral("p99 latency");
    }
    return {};
}

quint64 countAbove(const LatencySketch &sketch, double thresholdMs)
{
    if (sketch.count() == 0 || !(thresholdMs > 0))
        return 0;
    if (sketch.max() <= thresholdMs)
        return 0;
    // Bucket i holds (base^i, base^(i+1)]: above the threshold for certain
    // when its lower bound is at or above it.
    const double base = std::exp2(std::exp2(-double(sketch.scale())));
    const auto &buckets = sketch.buckets();
    quint64 n = 0;
    for (std::size_t j = 0; j < buckets.size(); ++j) {
        const double lower = std::pow(base, double(sketch.offset()) + double(j));
        if (lower >= thresholdMs)
            n += buckets[j];
    }
    return n;
}

SloMonitor::SloMonitor(RouteSlo defaults) : m_defaults(std::move(defaults)) {}

void SloMonitor::setSlo(const QString &route, const RouteSlo &slo)
{
    m_slos.insert(route, slo);
    m_routes.erase(route); // objectives rebuilt from the new SLO on the next second
}

RouteSlo SloMonitor::slo(const QString &route) const
{
    return m_slos.value(route, m_defaults);
}

SloMonitor::Route &SloMonitor::route(const QString &name)
{
    auto it = m_routes.find(name);
    if (it != m_routes.end())
        return it->second;
    Route r;
    const RouteSlo s = slo(name);
    auto watch = [&](SloKind kind, double objective, double thresholdMs) {
        BurnRatePolicy p = s.policy;
        p.objective = objective; // the budget is 1 - objective
        r.objectives.push_back({kind, objective, thresholdMs, BurnRateAlert(p)});
    };
    if (s.errorObjective > 0 && s.errorObjective < 1)
        watch(SloKind::Errors, s.errorObjective, 0);
    if (s.p95ThresholdMs > 0)
        watch(SloKind::P95, 0.95, s.p95ThresholdMs);
    if (s.p99ThresholdMs > 0)
        watch(SloKind::P99, 0.99, s.p99ThresholdMs);
    return m_routes.emplace(name, std::move(r)).first->second;
}

void SloMonitor::add(const SeriesSecond &second, const SeriesKey &key)
{
    if (key.route.isEmpty())
        return;
    Route &r = route(key.route);
    const qint64 sec = second.secondMs / 1000;
    if (sec <= r.lastSecond)
        return; // already handed to the alerts: a late second cannot be added
    const RouteSlo s = slo(key.route);
    const SeriesAggregate &a = second.aggregate;
    Sums &sums = r.pending[sec];
    sums.total += a.count;
    sums.errors += std::min(a.errors, a.count);
    if (s.p95ThresholdMs > 0)
        sums.slowP95 += countAbove(a.latency, s.p95ThresholdMs);
    if (s.p99ThresholdMs > 0)
        sums.slowP99 += countAbove(a.latency, s.p99ThresholdMs);
}

SloAlert SloMonitor::describe(const QString &route, const Objective &o) const
{
    SloAlert a;
    a.route = route;
    a.kind = o.kind;
    a.reading = o.alert.reading();
    const BurnRatePolicy &p = o.alert.policy();
    auto window = [](int sec) {
        return sec >= 3600 ? QStringLiteral("%1 h").arg(sec / 3600)
                           : QStringLiteral("%1 min").arg(sec / 60);
    };
    QString slo;
    if (o.kind == SloKind::Errors)
        slo = QStringLiteral("SLO %1 % succeed").arg(o.objective * 100, 0, 'g', 4);
    else
        slo = QStringLiteral("SLO %1 under %2 ms")
                  .arg(o.kind == SloKind::P95 ? QStringLiteral("95 %") : QStringLiteral("99 %"))
                  .arg(o.thresholdMs, 0, 'f', 0);
    // How fast it burns, while the condition holds.
    const int pair = a.reading.firingPair;
    QString burn;
    if (pair >= 0 && std::size_t(pair) < p.pairs.size() &&
        std::size_t(pair) < a.reading.longBurn.size())
        burn = QStringLiteral("burning %1× its budget over %2 and %3× over %4")
                   .arg(a.reading.longBurn[pair], 0, 'f', 1)
                   .arg(window(p.pairs[pair].longSec))
                   .arg(a.reading.shortBurn[pair], 0, 'f', 1)
                   .arg(window(p.pairs[pair].shortSec));
    a.text = QStringLiteral("%1: %2 %3 (%4)")
                 .arg(route, toString(o.kind), QString::fromLatin1(toString(a.reading.state)),
                      burn.isEmpty() ? slo : burn + QStringLiteral("; ") + slo);
    return a;
}

std::vector<SloAlert> SloMonitor::evaluate(qint64 nowSec)
{
    std::vector<SloAlert> changed;
    for (auto &[name, r] : m_routes) {
        for (const auto &[sec, sums] : r.pending) {
            for (Objective &o : r.objectives) {
                const quint64 bad = o.kind == SloKind::Errors ? sums.errors
                                    : o.kind == SloKind::P95  ? sums.errors + sums.slowP95
                                                              : sums.errors + sums.slowP99;
                o.alert.add(sec, sums.total, std::min(bad, sums.total));
            }
            r.lastSecond = std::max(r.lastSecond, sec);
        }
        r.pending.clear();
        const qint64 at = std::max(nowSec, r.lastSecond);
        for (Objective &o : r.objectives) {
            const AlertState before = o.alert.reading().state;
            const AlertState now = o.alert.evaluate(at).state;
            const bool first = !o.seen;
            o.seen = true;
            if (now == before && !first)
                continue;
            if (first && (now == AlertState::NoData || now == AlertState::Normal))
                continue;
            SloAlert a = describe(name, o);
            a.previous = before;
            changed.push_back(std::move(a));
        }
    }
    return changed;
}

std::vector<SloAlert> SloMonitor::current() const
{
    std::vector<SloAlert> out;
    for (const auto &[name, r] : m_routes) {
        for (const Objective &o : r.objectives) {
            if (o.seen)
                out.push_back(describe(name, o));
        }
    }
    auto rank = [](AlertState s) {
        switch (s) {
        case AlertState::Firing:
            return 0;
        case AlertState::Recovering:
            return 1;
        case AlertState::Pending:
            return 2;
        case AlertState::Normal:
            return 3;
        case AlertState::NoData:
            break;
        }
        return 4;
    };
    std::stable_sort(out.begin(), out.end(), [&](const SloAlert &a, const SloAlert &b) {
        return rank(a.reading.state) < rank(b.reading.state);
    });
    return out;
}

} // namespace sb
