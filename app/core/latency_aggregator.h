#pragma once

// Turns raw latency samples into one LatencyPoint per route per second.
// Samples may arrive slightly out of order; a second is closed (and emitted
// once) when the newest sample seen is `graceMs` past its end, or when the
// caller flushes. Memory is bounded by the number of open seconds, whatever
// the sample rate: this is what lets the client coalesce a fast stream for a
// slow GUI.

#include "core/latency_sketch.h"
#include "core/types.h"

#include <QHash>
#include <QString>

#include <map>
#include <vector>

namespace sb {

struct RoutePoint
{
    QString route;
    LatencyPoint point;
};

class LatencyAggregator
{
public:
    explicit LatencyAggregator(qint64 graceMs = 250);

    void add(const QString &route, qint64 timeMs, double latencyMs, double ttftMs, bool error,
             bool fallback);

    // Points of every second that is closed, oldest first per route.
    std::vector<RoutePoint> takeClosed();
    // Points of every second, closed or not (used at stream end).
    std::vector<RoutePoint> takeAll();

    qint64 newestSampleMs() const { return m_newestMs; }
    std::size_t openSeconds() const;
    // Samples older than this are late: they are dropped and counted.
    quint64 lateSamples() const { return m_late; }

private:
    struct Second
    {
        LatencySketch latency;
        LatencySketch ttft;
        quint64 count = 0;
        quint64 errors = 0;
        quint64 fallbacks = 0;
    };
    static LatencyPoint toPoint(qint64 second, const Second &s);

    qint64 m_graceMs;
    qint64 m_newestMs = 0;
    qint64 m_closedBeforeMs = 0;
    quint64 m_late = 0;
    QHash<QString, std::map<qint64, Second>> m_open;
};

} // namespace sb
