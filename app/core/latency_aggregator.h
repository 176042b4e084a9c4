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
//
// The per-sample path does not hash the route name: a small cache keyed by
// the QString's shared data (callers pass the same QString for a route, as
// the stream's dictionary does) finds the route, and each route remembers
// its current second. Only a name never cached costs a hash lookup.

#include "core/latency_sketch.h"
#include "core/types.h"

#include <QHash>
#include <QString>
#include <limits>
#include <map>
#include <memory>
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
    struct Route
    {
        QString name;
        std::map<qint64, Second> open;
        qint64 lastSecond = 0;
        Second *lastSlot = nullptr; // into `open`, for lastSecond
    };
    // Keyed by the identity of a name's data; holding the QString keeps that
    // data (and so the key) alive.
    struct CacheEntry
    {
        QString key;
        Route *route = nullptr;
    };
    static constexpr std::size_t kCacheSize = 64;

    static LatencyPoint toPoint(qint64 second, const Second &s);
    Route *routeFor(const QString &name);
    // Turns every open second starting before boundaryMs into a ready point.
    void closeBefore(qint64 boundaryMs);
    std::vector<RoutePoint> takeReady();

    qint64 m_graceMs;
    qint64 m_newestMs = 0;
    bool m_any = false;
    qint64 m_closedBeforeMs = std::numeric_limits<qint64>::min();
    quint64 m_late = 0;
    // Routes with open seconds; a route that goes quiet is dropped.
    QHash<QString, Route *> m_index;
    std::vector<std::unique_ptr<Route>> m_routes;
    CacheEntry m_cache[kCacheSize];
    std::vector<RoutePoint> m_ready;
};

} // namespace sb
