#pragma once

// Turns raw latency samples into one LatencyPoint per route per second.
// Samples may arrive slightly out of order; a second is closed (and emitted
// once) when the newest sample seen is `graceMs` past its end, or when the
// caller flushes. Closing happens as samples arrive: a closed second is turned
// into its small LatencyPoint at once and its sketches are freed, so sketch
// memory is bounded by the number of open seconds (about routes x (1 + grace
// in seconds)) whatever the sample rate and however rarely takeClosed() is
// called. This is what lets the client coalesce a fast stream for a slow GUI.
//
// A sample is late when its second is already closed; it is dropped and
// counted. Note that one sample stamped far in the future makes everything
// after it late: the clock of the sample source is trusted.

#include "core/latency_sketch.h"
#include "core/types.h"

#include <QHash>
#include <QString>
#include <limits>
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

    // Points of every second that is closed and not taken yet, ordered by
    // second, then route.
    std::vector<RoutePoint> takeClosed();
    // Points of every second, closed or not (used at stream end), same order.
    // The seconds are then closed: later samples in them count as late.
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
    // Turns every open second starting before boundaryMs into a ready point.
    void closeBefore(qint64 boundaryMs);
    std::vector<RoutePoint> takeReady();

    qint64 m_graceMs;
    qint64 m_newestMs = 0;
    bool m_any = false;
    qint64 m_closedBeforeMs = std::numeric_limits<qint64>::min();
    quint64 m_late = 0;
    QHash<QString, std::map<qint64, Second>> m_open;
    std::vector<RoutePoint> m_ready;
    // The slot of the previous sample: a stream mostly repeats route and
    // second, and this skips hashing the route for each sample.
    QString m_lastRoute;
    qint64 m_lastSecond = 0;
    Second *m_lastSlot = nullptr;
};

} // namespace sb
