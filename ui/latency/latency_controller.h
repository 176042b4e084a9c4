#pragma once

// LatencyController: the live latency capability without widgets. Owns the
// latency stream and two views of it: a SeriesStore per (route, model,
// variant), fed by seriesPointsReady, that the charts draw; and the older
// per-route LatencyHistory (pointsReady), which the route summary reads and
// which is what the cache holds today (so route-level charts are not empty
// offline). Writes live per-route seconds back to the cache in batches.
//
// Known gaps: the cache stores per-route points only, so model/variant
// series have no history before this session; a second that arrives after
// the chart already drew a newer one is kept in the store but not drawn.

#include "core/latency_history.h"
#include "core/series_store.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <memory>

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
    // Every (route, model, variant) series of this endpoint, this session.
    const SeriesStore &store() const { return *m_store; }
    // Wall-clock start of the current uninterrupted stretch of streaming (0
    // while not streaming): seconds before it are history, never "live".
    qint64 liveSinceMs() const { return m_liveSinceMs; }
    // Live: the stream is delivering points for this endpoint now.
    bool isLive() const;
    // Start of the newest second shown (0 = none).
    qint64 newestMs(const QString &route) const;

signals:
    void message(const QString &text);
    // The store took new seconds (update.seconds) and maybe new series.
    void seriesUpdated(const sb::SeriesUpdate &update);
    // The store was emptied (endpoint switched): redraw from scratch.
    void seriesReset();

private:
    void onPoints(const std::vector<RoutePoint> &points);
    void onSeries(const SeriesUpdate &update);
    void onSnapshot(const CacheSnapshot &s);
    void flush();

    Session *m_session;
    LatencyStream *m_stream;
    LatencyHistory m_history;
    std::unique_ptr<SeriesStore> m_store;
    qint64 m_liveSinceMs = 0;
    QHash<QString, std::vector<LatencyPoint>> m_pendingWrites;
    QString m_pendingEndpoint; // the endpoint m_pendingWrites belong to
    QTimer m_flushTimer;
    bool m_live = false;
};

} // namespace sb
