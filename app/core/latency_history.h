#pragma once

// LatencyHistory: per-route per-second latency points, newest last, trimmed to
// a window, and the figures the console derives from the recent seconds.
// Points may arrive out of order (cached history after live points) and are
// put in place. recentStats() is what "last 10 s" columns show: it counts only
// seconds inside the window ending now, so after an outage old seconds do not
// pass for live ones.

#include "core/types.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <deque>
#include <vector>

namespace sb {

struct RecentStats
{
    quint64 count = 0;
    quint64 errors = 0;
    quint64 fallbacks = 0;
    int seconds = 0;      // seconds with data inside the window
    qint64 newestMs = 0;  // start of the newest second in the series (0 = none)
    bool current = false; // the newest second is recent enough to call the figures live
    double perSecond() const { return seconds ? double(count) / seconds : 0.0; }
    double errorRate() const { return count ? double(errors) / double(count) : 0.0; }
    double fallbackRate() const { return count ? double(fallbacks) / double(count) : 0.0; }
};

// Sums the seconds in (nowMs - windowSeconds s, nowMs]. `current` is false
// when the newest point is older than staleAfterMs (a stream that stopped).
RecentStats recentStats(const std::deque<LatencyPoint> &series, qint64 nowMs, int windowSeconds,
                        qint64 staleAfterMs = 5000);

class LatencyHistory : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kKeepMs = 60 * 60 * 1000;

    using QObject::QObject;
    void add(const QString &route, const std::vector<LatencyPoint> &points);
    void clear();
    const std::deque<LatencyPoint> &series(const QString &route) const;
    QStringList routes() const; // sorted

signals:
    void changed(const QString &route);

private:
    QHash<QString, std::deque<LatencyPoint>> m_series;
};

} // namespace sb
