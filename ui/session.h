#pragma once

// Session: everything the console knows about one endpoint, and how it stays
// fresh. It owns the connection, the typed clients, the live latency stream
// and the models the pages show; it fills them from the cache first (stale,
// with its age) and from the service as soon as it answers, and writes what
// the service says back to the cache. Pages only render what it holds.

#include "client/connection.h"
#include "client/rpc_error.h"
#include "core/latency_aggregator.h"
#include "core/types.h"
#include "ui/models/experiment_list_model.h"
#include "ui/models/prompt_list_model.h"
#include "ui/models/routing_model.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <deque>

namespace sb {

class Cache;
struct CacheSnapshot;
class PromptsClient;
class ExperimentsClient;
class RoutingClient;
class RoutingWatch;
class LatencyStream;

// Per-route per-second latency points, newest last, trimmed to a window.
class LatencyHistory : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kKeepMs = 60 * 60 * 1000;

    using QObject::QObject;
    void add(const QString &route, const std::vector<LatencyPoint> &points);
    void clear();
    const std::deque<LatencyPoint> &series(const QString &route) const;
    QStringList routes() const;

signals:
    void changed(const QString &route);

private:
    QHash<QString, std::deque<LatencyPoint>> m_series;
};

class Session : public QObject
{
    Q_OBJECT
public:
    enum class Area
    {
        Prompts,
        Experiments,
        Routing,
        Latency
    };

    // cache may be null (no cache). endpointKey names the endpoint in the cache.
    Session(Cache *cache, QObject *parent = nullptr);
    ~Session() override;

    void connectTo(const QString &target, const QString &endpointKey, const QString &token = {});
    void refreshAll();
    void selectPrompt(const QString &name);

    Connection *connection() { return m_connection; }
    LatencyStream *latencyStream() { return m_latency; }
    PromptListModel *prompts() { return &m_promptModel; }
    VersionListModel *versions() { return &m_versionModel; }
    ExperimentListModel *experiments() { return &m_experimentModel; }
    RoutingModel *routing() { return &m_routingModel; }
    LatencyHistory *latency() { return &m_latencyHistory; }
    QString selectedPrompt() const { return m_selectedPrompt; }

    // When the area's data was last fetched from the service (or 0), and
    // whether what is shown came from the live service in this session.
    qint64 fetchedMs(Area a) const;
    bool isLive(Area a) const;
    QString endpointLabel() const { return m_target; }
    // Non-empty when the cached data shown belongs to another endpoint
    // (nothing was cached for this one yet).
    QString cachedFrom() const { return m_cachedFrom; }
    // Set when the service refused our token or role; shown next to the state.
    QString authProblem() const { return m_authProblem; }
    // Why what is shown is not live, in words for the stale banner.
    QString staleReason() const;

signals:
    void freshnessChanged();
    void message(const QString &text); // for the status bar
    void versionsShown(const QString &prompt);

private:
    void onSnapshot(const CacheSnapshot &s);
    void onConnectionState(Connection::State state, const QString &detail);
    void onFailed(const QString &op, const RpcError &err);
    void applyRoutingTable(const RoutingTable &t);
    void onLatencyPoints(const std::vector<RoutePoint> &points);
    void showVersions(const QString &prompt);

    Cache *m_cache;
    Connection *m_connection;
    PromptsClient *m_promptsClient;
    ExperimentsClient *m_experimentsClient;
    RoutingClient *m_routingClient;
    RoutingWatch *m_routingWatch;
    LatencyStream *m_latency;

    PromptListModel m_promptModel;
    VersionListModel m_versionModel;
    ExperimentListModel m_experimentModel;
    RoutingModel m_routingModel;
    LatencyHistory m_latencyHistory;

    QHash<QString, std::vector<PromptVersion>> m_versions;
    QString m_selectedPrompt;
    QString m_target;
    QString m_endpointKey;
    QString m_cachedFrom;
    QString m_authProblem;
    QHash<int, qint64> m_fetched;
    QHash<int, bool> m_live;
    bool m_wasReady = false;
    QTimer m_routingTimer;
    QTimer m_slowTimer;
    QHash<QString, std::vector<LatencyPoint>> m_pendingLatencyWrites;
    QTimer m_latencyFlushTimer;
};

} // namespace sb
