#include "ui/latency/latency_controller.h"

#include "client/latency_stream.h"
#include "core/clock.h"
#include "otlp/otlp_receiver.h"
#include "store/cache.h"
#include "ui/audit/audit_model.h"
#include "ui/latency/chart_markers.h"

#include <QDateTime>
#include <QSet>
#include <algorithm>

namespace sb {

namespace {
const QString kOtlpEndpoint = QStringLiteral("otlp");
QString &traceTemplate()
{
    static QString t;
    return t;
}
SeriesRetention &defaultRetention()
{
    static SeriesRetention r;
    return r;
}
} // namespace

void LatencyController::setDefaultRetention(const SeriesRetention &retention)
{
    defaultRetention() = retention;
}

void LatencyController::setTraceUrlTemplate(const QString &urlTemplate)
{
    traceTemplate() = urlTemplate;
}

QString LatencyController::traceUrlTemplate()
{
    return traceTemplate();
}

void LatencyController::requestExemplars(SeriesId id, qint64 timeMs)
{
    m_exemplarRequest.reset(); // superseded: its answer, if still coming, is dropped
    const auto key = m_store->key(id);
    if (!key)
        return;
    const QString source = m_routeSource.value(key->route);
    const bool prom = m_prom && source == m_prom->sourceKey();
    const qint64 stepMs = prom ? qint64(m_prom->config().stepSeconds) * 1000 : 1000;
    const qint64 from = timeMs - ((timeMs % stepMs) + stepMs) % stepMs;
    const qint64 to = from + stepMs;
    double p99 = 0;
    for (const auto &p : m_store->range(id, from, to, Resolution::Second))
        p99 = std::max(p99, double(p.p99));
    if (p99 == 0) { // older than the store's seconds: its minute
        for (const auto &p : m_store->range(id, from - from % 60'000, to, Resolution::Minute))
            p99 = std::max(p99, double(p.p99));
    }
    if (auto kept = m_promPoints.constFind(id); p99 == 0 && kept != m_promPoints.cend()) {
        if (auto at = kept->find(from); at != kept->end())
            p99 = at->second.point.p99; // a Prometheus step
    }
    if (prom) {
        m_exemplarRequest = ExemplarRequest{id, key->route, from, to, p99, m_nextExemplarTag++};
        m_prom->loadExemplars(from, to, m_exemplarRequest->tag);
        return;
    }
    auto sink = m_otlpSinkIds.constFind(id);
    if (sink == m_otlpSinkIds.cend() || !otlp::OtlpFeed::global()) {
        emit exemplarsReady(
            id, from, to, p99, {},
            tr("%1 sends no exemplars (OTLP and Prometheus sources do)").arg(key->label()));
        return;
    }
    // A delta point's exemplars come from its whole export interval, before
    // the second it is filed under.
    auto list = otlp::OtlpFeed::global()->sink().exemplars(sink.value(), from - 10'000, to, p99);
    emit exemplarsReady(id, from, to, p99, list,
                        list.empty() ? tr("no exemplar at or above this p99 (the OpenTelemetry "
                                          "JS SDK sends none)")
                                     : QString());
}

LatencyController::LatencyController(Session *session, QObject *parent)
    : QObject(parent), m_session(session), m_stream(new LatencyStream(session->connection(), this)),
      m_store(std::make_unique<SeriesStore>()), m_retention(defaultRetention()),
      m_now([] { return clock::nowMs(); })
{
    connect(m_stream, &LatencyStream::pointsReady, this, &LatencyController::onPoints);
    connect(m_stream, &LatencyStream::seriesPointsReady, this, &LatencyController::onSeries);
    connect(m_stream, &LatencyStream::gapDetected, m_session, [this](const QString &why) {
        m_liveSinceMs = 0; // seconds before the gap are not part of the live stretch
        emit m_session->message(tr("Latency stream gap: %1").arg(why));
    });
    connect(m_stream, &LatencyStream::finished, this, [this](const RpcError &e) {
        if (e.code != RpcCode::Cancelled)
            m_session->reportFailure(tr("Latency stream"), e);
    });
    connect(m_stream, &LatencyStream::stateChanged, this, [this](LatencyStream::State s) {
        if (s != LatencyStream::State::Streaming)
            m_liveSinceMs = 0; // what comes after a reconnect starts a new stretch
        if (s != LatencyStream::State::Streaming && m_live) {
            m_live = false;
            emit m_session->freshnessChanged();
        }
    });
    connect(m_session, &Session::snapshotLoaded, this, &LatencyController::onSnapshot);
    connect(m_session, &Session::endpointChanged, this, [this] {
        flush(); // what was pending belongs to the previous endpoint
        m_pendingEndpoint = m_session->endpointKey();
        m_history.clear();
        resetStore();
    });
    if (auto *cache = m_session->cache()) {
        connect(cache, &Cache::latencyLoadedFor, this,
                [this](const QString &endpoint, const QString &route,
                       const std::vector<LatencyPoint> &points) {
                    // Only this endpoint's history, or the one the snapshot borrowed.
                    if (endpoint != m_session->endpointKey() && endpoint != m_session->cachedFrom())
                        return;
                    m_history.add(route, points);
                });
        connect(cache, &Cache::seriesLoaded, this,
                [this](const SeriesQuery &q, const std::vector<SeriesPoint> &points) {
                    const QString chartId = m_historyRequests.take(q.tag);
                    if (chartId.isEmpty())
                        return; // someone else's, or asked before an endpoint switch
                    emit historyLoaded(chartId, q.resolution, q.fromMs, q.toMs, points);
                });
        connect(cache, &Cache::seriesSketchesLoaded, this,
                [this](const SeriesQuery &q, const TimedSketches &sketches) {
                    const QString chartId = m_sketchRequests.take(q.tag);
                    if (!chartId.isEmpty())
                        emit sketchesLoaded(chartId, q.resolution, q.fromMs, q.toMs, sketches);
                });
    }
    m_pruneTimer.setInterval(kPruneMs);
    connect(&m_pruneTimer, &QTimer::timeout, this, &LatencyController::prune);
    m_pruneTimer.start();
    m_flushTimer.setInterval(kCacheFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LatencyController::flush);
    m_flushTimer.start();

    if (auto *feed = otlp::OtlpFeed::global())
        connect(feed, &otlp::OtlpFeed::updated, this, &LatencyController::onOtlp);
}

void LatencyController::resetStore()
{
    m_historyRequests.clear();
    m_sketchRequests.clear();
    // The imported series stay listed: their steps are kept outside the store.
    SeriesUpdate imported;
    announcePrometheusSeries(imported);
    m_store = std::make_unique<SeriesStore>();
    m_otlpIds.clear(); // the new store learns the OTLP series' names again
    m_liveSinceMs = 0;
    emit seriesReset();
    m_store->apply(imported);
    if (!imported.newSeries.empty())
        emit seriesUpdated(imported);
    m_live = false;
    m_stream->stop();
    m_stream->start();
}

SeriesId LatencyController::localId(const SeriesKey &key, SeriesUpdate &update)
{
    const SeriesId id = m_stream->interner()->intern(key);
    if (!m_store->key(id)) {
        m_store->setKey(id, key);
        update.newSeries.emplace_back(id, key);
    }
    return id;
}

void LatencyController::onOtlp(const SeriesUpdate &in)
{
    for (const auto &[id, key] : in.newSeries)
        m_otlpKeys.insert(id, key);
    SeriesUpdate out;
    out.seconds.reserve(in.seconds.size());
    for (const auto &sec : in.seconds) {
        auto it = m_otlpIds.constFind(sec.series);
        SeriesId local = it == m_otlpIds.cend() ? kNoSeries : it.value();
        if (local == kNoSeries || !m_store->key(local)) {
            const auto key = m_otlpKeys.constFind(sec.series);
            if (key == m_otlpKeys.cend())
                continue;
            local = localId(key.value(), out);
            m_otlpIds.insert(sec.series, local);
            m_otlpSinkIds.insert(local, sec.series);
            m_routeSource.insert(key.value().route, kOtlpEndpoint);
        }
        SeriesSecond s = sec;
        s.series = local;
        if (m_session->cache()) {
            if (const auto key = m_store->key(local))
                m_pendingExternal[kOtlpEndpoint].push_back({*key, s.secondMs, s.aggregate});
        }
        out.seconds.push_back(std::move(s));
    }
    m_store->append(out.seconds);
    m_store->trim(clock::nowMs());
    emit seriesUpdated(out);
}

QString LatencyController::sourceNote(SeriesId id) const
{
    if (auto it = m_promNotes.constFind(id); it != m_promNotes.cend())
        return prometheusSourceNote(it.value());
    auto sink = m_otlpSinkIds.constFind(id);
    if (sink == m_otlpSinkIds.cend() || !otlp::OtlpFeed::global())
        return {};
    const auto info = otlp::OtlpFeed::global()->sink().info(sink.value());
    if (!info)
        return tr("OTLP");
    QString note = tr("OTLP · quantiles within ±%1 %").arg(info->relativeError * 100, 0, 'f', 2);
    if (info->minScale <= LatencySketch::kMaxScale)
        note += tr(" · scale %1").arg(info->minScale);
    if (!info->instances.isEmpty())
        note += tr(" · %n instance(s)", nullptr, int(info->instances.size()));
    return note;
}

LatencyController::~LatencyController()
{
    flush();
}

bool LatencyController::isLive() const
{
    return m_live && m_stream->state() == LatencyStream::State::Streaming && m_session->isReady();
}

qint64 LatencyController::newestMs(const QString &route) const
{
    const auto &s = m_history.series(route);
    return s.empty() ? 0 : s.back().secondMs;
}

void LatencyController::flush()
{
    auto *cache = m_session->cache();
    if (cache) {
        for (auto it = m_pendingWrites.begin(); it != m_pendingWrites.end(); ++it)
            cache->appendLatencyPoints(m_pendingEndpoint, it.key(), it.value());
        cache->appendSeriesSeconds(m_pendingEndpoint, m_pendingSeries);
        for (auto it = m_pendingExternal.begin(); it != m_pendingExternal.end(); ++it)
            cache->appendSeriesSeconds(it.key(), it.value());
    }
    m_pendingWrites.clear();
    m_pendingSeries.clear();
    m_pendingExternal.clear();
}

qint64 LatencyController::sketchesFromMs() const
{
    const SeriesRetention &r = m_retention;
    if (r.sketchSecondsMs <= 0 || r.sketchSecondsMs >= r.secondsMs)
        return 0;
    // A minute of margin: the compaction works in whole minutes.
    return m_now() - r.sketchSecondsMs + 60'000;
}

void LatencyController::prune()
{
    if (auto *cache = m_session->cache())
        cache->pruneSeries(m_retention, m_now());
}

SeriesQuery LatencyController::queryFor(const QString &route, const std::optional<QString> &model,
                                        const std::optional<QString> &variant, qint64 fromMs,
                                        qint64 toMs, Resolution resolution) const
{
    SeriesQuery q;
    // The endpoint the shown data belongs to (offline: the one the snapshot borrowed).
    q.endpoint =
        m_session->cachedFrom().isEmpty() ? m_session->endpointKey() : m_session->cachedFrom();
    if (const QString source = m_routeSource.value(route); !source.isEmpty())
        q.endpoint = source; // OTLP or Prometheus rows
    q.route = route;
    q.model = model;
    q.variant = variant;
    q.fromMs = fromMs;
    q.toMs = toMs;
    q.resolution = resolution;
    return q;
}

bool LatencyController::loadHistory(const QString &chartId, const QString &route,
                                    const std::optional<QString> &model,
                                    const std::optional<QString> &variant, qint64 fromMs,
                                    qint64 toMs, Resolution resolution)
{
    auto *cache = m_session->cache();
    if (fromMs >= toMs)
        return false;
    const QString source = m_routeSource.value(route);
    if (m_prom && source == m_prom->sourceKey()) {
        m_promRequests.push_back({chartId, route, resolution, fromMs, toMs});
        m_prom->importRange(fromMs, toMs);
        return true;
    }
    if (!cache)
        return false;
    // What is shown live but not yet written goes first (jobs run in order),
    // so the answer reaches up to the live seconds, without a gap.
    flush();
    SeriesQuery q = queryFor(route, model, variant, fromMs, toMs, resolution);
    q.tag = m_nextTag++;
    m_historyRequests.insert(q.tag, chartId);
    cache->loadSeries(q);
    return true;
}

bool LatencyController::loadSketches(const QString &chartId, const QString &route,
                                     const std::optional<QString> &model,
                                     const std::optional<QString> &variant, qint64 fromMs,
                                     qint64 toMs, Resolution resolution)
{
    auto *cache = m_session->cache();
    if (!cache || fromMs >= toMs || (m_prom && m_routeSource.value(route) == m_prom->sourceKey()))
        return false;
    flush();
    SeriesQuery q = queryFor(route, model, variant, fromMs, toMs, resolution);
    q.tag = m_nextTag++;
    m_sketchRequests.insert(q.tag, chartId);
    cache->loadSeriesSketches(q);
    return true;
}

void LatencyController::setAuditModel(AuditModel *model)
{
    m_audit = model;
    connect(model, &QAbstractItemModel::modelReset, this, &LatencyController::rebuildMarkers);
    connect(model, &QAbstractItemModel::layoutChanged, this, &LatencyController::rebuildMarkers);
    connect(model, &QAbstractItemModel::rowsInserted, this, &LatencyController::rebuildMarkers);
    connect(model, &QAbstractItemModel::dataChanged, this, &LatencyController::rebuildMarkers);
    rebuildMarkers();
}

void LatencyController::rebuildMarkers()
{
    std::vector<ChartMarker> markers;
    if (m_audit) {
        QSet<QString> serviceRequests;
        for (const auto &r : m_audit->rows()) {
            if (!r.local && !r.requestId.isEmpty())
                serviceRequests.insert(r.requestId);
        }
        for (const auto &r : m_audit->rows()) {
            // A local action the service's log already holds would be drawn twice.
            if (r.local && serviceRequests.contains(r.requestId))
                continue;
            if (r.local && r.outcome != QStringLiteral("applied"))
                continue; // refused or conflicting: nothing changed
            ChartMarker m;
            m.timeMs = r.timeMs;
            m.title = auditMarkerTitle(r.action, r.target);
            m.target = r.target;
            QString change;
            if (!r.oldValue.isEmpty() || !r.newValue.isEmpty())
                change = QStringLiteral("%1 → %2").arg(r.oldValue, r.newValue);
            QStringList parts{tr("by %1").arg(r.actor.isEmpty() ? tr("unknown") : r.actor)};
            if (!change.isEmpty())
                parts << change;
            if (!r.reason.isEmpty())
                parts << tr("why: %1").arg(r.reason);
            m.detail = parts.join(QStringLiteral(" · "));
            markers.push_back(std::move(m));
        }
    }
    std::sort(markers.begin(), markers.end(),
              [](const ChartMarker &a, const ChartMarker &b) { return a.timeMs < b.timeMs; });
    if (markers == m_markers)
        return;
    m_markers = std::move(markers);
    emit markersChanged();
}

void LatencyController::onSnapshot(const CacheSnapshot &s)
{
    auto *cache = m_session->cache();
    if (!cache)
        return;
    // Recent history per known route, so the chart is not empty offline.
    // Endpoints are captured per job, so switching briefly is safe.
    const qint64 now = clock::nowMs();
    for (const auto &r : s.routing.routes)
        cache->loadLatency(s.endpoint, r.name, now - LatencyHistory::kKeepMs, now);
    prune(); // once per start or endpoint, then every kPruneMs
}

void LatencyController::onSeries(const SeriesUpdate &update)
{
    if (m_liveSinceMs == 0 && !update.seconds.empty())
        m_liveSinceMs = update.seconds.front().secondMs;
    m_store->apply(update);
    if (m_session->cache()) {
        for (const auto &sec : update.seconds) {
            if (const auto key = m_store->key(sec.series))
                m_pendingSeries.push_back({*key, sec.secondMs, sec.aggregate});
        }
    }
    m_store->trim(clock::nowMs());
    emit seriesUpdated(update);
}

void LatencyController::onPoints(const std::vector<RoutePoint> &points)
{
    QHash<QString, std::vector<LatencyPoint>> byRoute;
    for (const auto &rp : points)
        byRoute[rp.route].push_back(rp.point);
    if (!m_live && !m_session->cachedFrom().isEmpty()) {
        // History borrowed from another endpoint must not blend into this
        // endpoint's live series.
        m_history.clear();
        m_session->clearCachedFrom();
    }
    const bool hasCache = m_session->cache() != nullptr;
    for (auto it = byRoute.begin(); it != byRoute.end(); ++it) {
        m_history.add(it.key(), it.value());
        if (hasCache) {
            auto &pending = m_pendingWrites[it.key()];
            pending.insert(pending.end(), it.value().begin(), it.value().end());
        }
    }
    if (!m_live) {
        m_live = true;
        emit m_session->freshnessChanged();
    }
}

} // namespace sb
