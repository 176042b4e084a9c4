#pragma once

// LatencyController: the live latency capability without widgets. Owns the
// latency stream, the per-route history the charts and the summary read,
// loading recent history from the cache (so the chart is not empty offline)
// and writing live seconds back in batches.

#include "core/latency_history.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace sb {

class LatencyStream;
struct RoutePoint;
struct CacheSnapshot;

class LatencyController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCacheFlushMs = 2000;

    explicit LatencyController(Session *session, QObject *parent = nullptr);
    ~LatencyController() override; // writes what is pending

    LatencyStream *stream() { return m_stream; }
    LatencyHistory *history() { return &m_history; }
    // Live: the stream is delivering points for this endpoint now.
    bool isLive() const;
    // Start of the newest second shown (0 = none).
    qint64 newestMs(const QString &route) const;

signals:
    void message(const QString &text);

private:
    void onPoints(const std::vector<RoutePoint> &points);
    void onSnapshot(const CacheSnapshot &s);
    void flush();

    Session *m_session;
    LatencyStream *m_stream;
    LatencyHistory m_history;
    QHash<QString, std::vector<LatencyPoint>> m_pendingWrites;
    QString m_pendingEndpoint; // the endpoint m_pendingWrites belong to
    QTimer m_flushTimer;
    bool m_live = false;
};

} // namespace sb
