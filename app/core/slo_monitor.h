#pragma once

// SloMonitor: per-route SLOs watched with multiwindow burn-rate alerts
// (core/burn_rate.h). Each route has up to three objectives:
//
//   errors   - at most 1 - objective of requests fail (say 99.9 % succeed);
//   p95, p99 - at most 5 % (1 %) of requests are slower than a threshold,
//              i.e. "p95 under 800 ms" read as "95 % of requests under 800 ms".
//
// A latency objective counts a request as bad when it failed or was slower
// than its threshold, read from the second's latency sketch: a sketch bucket
// that straddles the threshold counts as fast, so a latency burn can be
// under-read by at most one bucket's width (about 1 % at scale 6).
//
// The monitor sums every series of a route (all its models and variants) per
// second, and evaluate() reports only what changed, so the caller can notify
// once per alert and update it in place. QtCore only.

#include "core/burn_rate.h"
#include "core/series.h"

#include <QHash>
#include <QString>
#include <map>
#include <vector>

namespace sb {

enum class SloKind
{
    Errors,
    P95,
    P99
};
QString toString(SloKind kind); // "error rate", "p95 latency", "p99 latency"

struct RouteSlo
{
    double errorObjective = 0.999; // share of requests that must succeed; 0: not watched
    double p95ThresholdMs = 0;     // 0: no p95 objective
    double p99ThresholdMs = 0;     // 0: no p99 objective
    BurnRatePolicy policy;         // windows, factors, pending and recovering times
};

struct SloAlert
{
    QString route;
    SloKind kind = SloKind::Errors;
    BurnRateReading reading;
    AlertState previous = AlertState::NoData;
    // "chat: error rate burning 41× its budget (1 h) and 52× (5 min); SLO 99.9 %"
    QString text;
};

// How many of the sketch's samples are certainly above `thresholdMs`.
quint64 countAbove(const LatencySketch &sketch, double thresholdMs);

class SloMonitor
{
public:
    // Routes without their own SLO use the default.
    explicit SloMonitor(RouteSlo defaults = {});

    void setSlo(const QString &route, const RouteSlo &slo);
    RouteSlo slo(const QString &route) const;

    // The store's new seconds, with the keys of their series.
    void add(const SeriesSecond &second, const SeriesKey &key);
    // Every objective's state at `nowSec`; returns those whose state changed
    // since the last call (a route's first reading counts as a change only if
    // it is not NoData or Normal).
    std::vector<SloAlert> evaluate(qint64 nowSec);
    // The current state of every watched objective, worst first.
    std::vector<SloAlert> current() const;

private:
    struct Objective
    {
        SloKind kind;
        double objective; // share good
        double thresholdMs;
        BurnRateAlert alert;
        bool seen = false;
    };
    struct Sums
    {
        quint64 total = 0, errors = 0, slowP95 = 0, slowP99 = 0;
    };
    struct Route
    {
        std::vector<Objective> objectives;
        std::map<qint64, Sums> pending; // seconds added since the last evaluate
        qint64 lastSecond = -1;         // newest second handed to the alerts
    };
    Route &route(const QString &name);
    SloAlert describe(const QString &route, const Objective &o) const;

    RouteSlo m_defaults;
    QHash<QString, RouteSlo> m_slos;
    std::map<QString, Route> m_routes;
};

} // namespace sb
