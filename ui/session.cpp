#include "ui/session.h"

#include "client/experiments_client.h"
#include "client/latency_stream.h"
#include "client/prompts_client.h"
#include "client/routing_client.h"
#include "client/routing_watch.h"
#include "store/cache.h"

#include <QDateTime>

namespace sb {

static const std::deque<LatencyPoint> kEmptySeries;

void LatencyHistory::add(const QString &route, const std::vector<LatencyPoint> &points)
{
    if (points.empty())
        return;
    auto &s = m_series[route];
    for (const auto &p : points) {
        if (s.empty() || p.secondMs > s.back().secondMs) {
            s.push_back(p);
            continue;
        }
        // Out of order (history loaded after live points): insert in place.
        auto it = std::lower_bound(s.begin(), s.end(), p.secondMs,
                                   [](const LatencyPoint &a, qint64 t) { return a.secondMs < t; });
        if (it != s.end() && it->secondMs == p.secondMs)
            *it = p;
        else
            s.insert(it, p);
    }
    const qint64 cutoff = s.back().secondMs - kKeepMs;
    while (!s.empty() && s.front().secondMs < cutoff)
        s.pop_front();
    emit changed(route);
}

const std::deque<LatencyPoint> &LatencyHistory::series(const QString &route) const
{
    auto it = m_series.find(route);
    return it == m_series.end() ? kEmptySeries : it.value();
}

void LatencyHistory::clear()
{
    const QStringList routes = m_series.keys();
    m_series.clear();
    for (const auto &r : routes)
        emit changed(r);
}

QStringList LatencyHistory::routes() const
{
    QStringList r = m_series.keys();
    r.sort();
    return r;
}

Session::Session(Cache *cache, QObject *parent)
    : QObject(parent), m_cache(cache), m_connection(new Connection(this)),
      m_promptsClient(new PromptsClient(m_connection, this)),
      m_experimentsClient(new ExperimentsClient(m_connection, this)),
      m_routingClient(new RoutingClient(m_connection, this)),
      m_routingWatch(new RoutingWatch(m_connection, this)),
      m_latency(new LatencyStream(m_connection, this))
{
    connect(m_connection, &Connection::stateChanged, this, &Session::onConnectionState);

    connect(m_promptsClient, &PromptsClient::promptsListed, this,
            [this](const std::vector<Prompt> &prompts) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                m_promptModel.setPrompts(prompts);
                m_authProblem.clear();
                m_fetched[int(Area::Prompts)] = now;
                m_live[int(Area::Prompts)] = true;
                if (m_cache)
                    m_cache->savePrompts(prompts, now);
                if (m_selectedPrompt.isEmpty() && !prompts.empty())
                    selectPrompt(prompts.front().name);
                else if (!m_selectedPrompt.isEmpty())
                    m_promptsClient->listVersions(m_selectedPrompt);
                emit freshnessChanged();
            });
    connect(m_promptsClient, &PromptsClient::versionsListed, this,
            [this](const QString &prompt, const std::vector<PromptVersion> &versions) {
                m_versions[prompt] = versions;
                if (m_cache)
                    m_cache->savePromptVersions(prompt, versions,
                                                QDateTime::currentMSecsSinceEpoch());
                if (prompt == m_selectedPrompt)
                    showVersions(prompt);
            });
    connect(m_experimentsClient, &ExperimentsClient::experimentsListed, this,
            [this](const std::vector<Experiment> &experiments) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                m_experimentModel.setExperiments(experiments);
                m_fetched[int(Area::Experiments)] = now;
                m_live[int(Area::Experiments)] = true;
                if (m_cache)
                    m_cache->saveExperiments(experiments, now);
                emit freshnessChanged();
            });
    connect(m_routingClient, &RoutingClient::tableReceived, this, &Session::applyRoutingTable);
    connect(m_routingWatch, &RoutingWatch::snapshotReceived, this, &Session::applyRoutingTable);
    // Changes arrive the moment they happen; the 3 s poll still refreshes the
    // continuously moving figures (served shares, error rates).
    connect(m_routingWatch, &RoutingWatch::changed, this,
            [this](const std::vector<Route> &routes, const std::vector<Model> &models,
                   const AuditEvent &event) {
                RoutingTable t = m_routingModel.table();
                for (const auto &r : routes) {
                    for (auto &old : t.routes) {
                        if (old.name == r.name)
                            old = r;
                    }
                }
                for (const auto &m : models) {
                    for (auto &old : t.models) {
                        if (old.name == m.name)
                            old = m;
                    }
                }
                applyRoutingTable(t);
                if (!event.action.isEmpty()) {
                    emit message(tr("%1 %2: %3 → %4 by %5%6")
                                     .arg(event.target, event.action, event.oldValue,
                                          event.newValue, event.actor,
                                          event.reason.isEmpty()
                                              ? QString()
                                              : QStringLiteral(" (%1)").arg(event.reason)));
                }
            });
    connect(m_promptsClient, &PromptsClient::failed, this, &Session::onFailed);
    connect(m_experimentsClient, &ExperimentsClient::failed, this, &Session::onFailed);
    connect(m_routingClient, &RoutingClient::failed, this, &Session::onFailed);
    connect(m_latency, &LatencyStream::pointsReady, this, &Session::onLatencyPoints);
    connect(m_latency, &LatencyStream::gapDetected, this,
            [this](const QString &why) { emit message(tr("Latency stream gap: %1").arg(why)); });
    connect(m_latency, &LatencyStream::finished, this, [this](const RpcError &e) {
        if (e.code != RpcCode::Cancelled)
            onFailed(tr("Latency stream"), e);
    });

    m_routingTimer.setInterval(3000);
    connect(&m_routingTimer, &QTimer::timeout, this, [this] {
        if (m_connection->isReady())
            m_routingClient->fetchTable();
    });
    m_slowTimer.setInterval(30000);
    connect(&m_slowTimer, &QTimer::timeout, this, [this] {
        if (m_connection->isReady()) {
            m_promptsClient->listPrompts();
            m_experimentsClient->listExperiments();
        }
        emit freshnessChanged(); // ages on screen move on
    });
    m_latencyFlushTimer.setInterval(2000);
    connect(&m_latencyFlushTimer, &QTimer::timeout, this, [this] {
        if (!m_cache)
            return;
        for (auto it = m_pendingLatencyWrites.begin(); it != m_pendingLatencyWrites.end(); ++it)
            m_cache->appendLatencyPoints(it.key(), it.value());
        m_pendingLatencyWrites.clear();
    });

    if (m_cache) {
        connect(m_cache, &Cache::snapshotLoaded, this, &Session::onSnapshot);
        connect(m_cache, &Cache::latencyLoaded, this,
                [this](const QString &route, const std::vector<LatencyPoint> &points) {
                    m_latencyHistory.add(route, points);
                });
        connect(m_cache, &Cache::opened, this, [this](bool ok, const QString &error) {
            emit message(ok ? tr("Cache ready") : tr("Cache unavailable: %1").arg(error));
        });
        connect(m_cache, &Cache::writeFailed, this, [this](const QString &why) {
            emit message(tr("Cache write failed: %1 (live data is unaffected)").arg(why));
        });
    }
}

Session::~Session()
{
    if (m_cache) {
        for (auto it = m_pendingLatencyWrites.begin(); it != m_pendingLatencyWrites.end(); ++it)
            m_cache->appendLatencyPoints(it.key(), it.value());
    }
}

void Session::connectTo(const QString &target, const QString &endpointKey, const QString &token)
{
    m_target = target;
    m_endpointKey = endpointKey;
    if (m_cache) {
        m_cache->setEndpoint(endpointKey);
        m_cache->loadSnapshotOrMostRecent();
    }
    m_connection->connectTo(target, token);
    m_routingTimer.start();
    m_slowTimer.start();
    m_latencyFlushTimer.start();
    m_latency->start();
    m_routingWatch->start();
}

void Session::applyRoutingTable(const RoutingTable &t)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_routingModel.setTable(t);
    const bool first = !m_live.value(int(Area::Routing));
    m_fetched[int(Area::Routing)] = now;
    m_live[int(Area::Routing)] = true;
    if (m_cache)
        m_cache->saveRouting(t, now);
    if (first)
        emit freshnessChanged();
}

void Session::refreshAll()
{
    m_promptsClient->listPrompts();
    m_experimentsClient->listExperiments();
    m_routingClient->fetchTable();
}

void Session::selectPrompt(const QString &name)
{
    m_selectedPrompt = name;
    showVersions(name);
    if (m_connection->isReady())
        m_promptsClient->listVersions(name);
}

void Session::showVersions(const QString &prompt)
{
    const int row = m_promptModel.rowOf(prompt);
    const Prompt *p = m_promptModel.promptAt(row);
    auto it = m_versions.find(prompt);
    if (!p || it == m_versions.end()) {
        m_versionModel.clear();
    } else {
        m_versionModel.setVersions(*p, it.value());
    }
    emit versionsShown(prompt);
}

QString Session::staleReason() const
{
    if (!m_connection->isReady()) {
        const QString detail = m_connection->lastError();
        return detail.isEmpty() ? tr("the service is not reachable")
                                : tr("the service is not reachable (%1)").arg(detail);
    }
    if (!m_authProblem.isEmpty())
        return m_authProblem;
    return tr("waiting for the service's first answer");
}

qint64 Session::fetchedMs(Area a) const
{
    return m_fetched.value(int(a), 0);
}

bool Session::isLive(Area a) const
{
    return m_live.value(int(a), false) && m_connection->isReady();
}

void Session::onSnapshot(const CacheSnapshot &s)
{
    // Cached data only fills what the live service has not answered yet.
    if (!m_live.value(int(Area::Prompts)) && s.promptsFetchedMs > 0) {
        m_promptModel.setPrompts(s.prompts);
        m_fetched[int(Area::Prompts)] = s.promptsFetchedMs;
        for (auto it = s.versions.begin(); it != s.versions.end(); ++it)
            m_versions.insert(it.key(), it.value());
        if (m_selectedPrompt.isEmpty() && !s.prompts.empty())
            m_selectedPrompt = s.prompts.front().name;
        showVersions(m_selectedPrompt);
    }
    if (!m_live.value(int(Area::Experiments)) && s.experimentsFetchedMs > 0) {
        m_experimentModel.setExperiments(s.experiments);
        m_fetched[int(Area::Experiments)] = s.experimentsFetchedMs;
    }
    if (!m_live.value(int(Area::Routing)) && s.routingFetchedMs > 0) {
        m_routingModel.setTable(s.routing);
        m_fetched[int(Area::Routing)] = s.routingFetchedMs;
    }
    // Nothing cached for this endpoint: the cache offered the last one seen.
    m_cachedFrom = s.endpoint != m_endpointKey ? s.endpoint : QString();
    // Recent latency history per known route, so the chart is not empty
    // offline. Endpoints are captured per job, so switching briefly is safe.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_cachedFrom.isEmpty())
        m_cache->setEndpoint(m_cachedFrom);
    for (const auto &r : s.routing.routes)
        m_cache->loadLatency(r.name, now - LatencyHistory::kKeepMs, now);
    m_cache->setEndpoint(m_endpointKey);
    emit freshnessChanged();
}

void Session::onConnectionState(Connection::State state, const QString &detail)
{
    const bool ready = state == Connection::State::Ready;
    if (ready && !m_wasReady) {
        emit message(tr("Connected to %1").arg(m_target));
        refreshAll();
    } else if (!ready && m_wasReady) {
        emit message(tr("Lost %1: %2. Showing cached data.").arg(m_target, detail));
    }
    m_wasReady = ready;
    emit freshnessChanged();
}

void Session::onFailed(const QString &op, const RpcError &err)
{
    emit message(tr("%1 failed: %2").arg(op, err.describe()));
    // The health check needs no token, so "connected" alone would hide a
    // rejected one: say so where the connection state is shown.
    if (err.code == RpcCode::Unauthenticated || err.code == RpcCode::PermissionDenied) {
        const QString problem =
            err.code == RpcCode::Unauthenticated
                ? tr("token rejected (%1); set SWITCHBOARD_TOKEN").arg(err.message)
                : tr("permission denied for %1 (%2)").arg(op, err.message);
        if (problem != m_authProblem) {
            m_authProblem = problem;
            emit freshnessChanged();
        }
    }
}

void Session::onLatencyPoints(const std::vector<RoutePoint> &points)
{
    QHash<QString, std::vector<LatencyPoint>> byRoute;
    for (const auto &rp : points)
        byRoute[rp.route].push_back(rp.point);
    if (!m_live.value(int(Area::Latency)) && !m_cachedFrom.isEmpty()) {
        // History borrowed from another endpoint must not blend into this
        // endpoint's live series.
        m_latencyHistory.clear();
        m_cachedFrom.clear();
    }
    for (auto it = byRoute.begin(); it != byRoute.end(); ++it) {
        m_latencyHistory.add(it.key(), it.value());
        if (m_cache) {
            auto &pending = m_pendingLatencyWrites[it.key()];
            pending.insert(pending.end(), it.value().begin(), it.value().end());
        }
    }
    if (!m_live.value(int(Area::Latency))) {
        m_live[int(Area::Latency)] = true;
        emit freshnessChanged();
    }
    m_fetched[int(Area::Latency)] = QDateTime::currentMSecsSinceEpoch();
}

} // namespace sb
