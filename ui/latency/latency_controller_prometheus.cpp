// LatencyController's Prometheus source (the window's profile's, replaced
// with it): imports at start and every minute,
// history requests answered by Prometheus or, when it is down, by the cache;
// what was imported is recorded with its source and schema (Cache
// recordImport), so a console started while Prometheus is down still lists
// the cached routes, marked stale, with their schema and bound.

#include "client/prometheus_profile.h"
#include "store/cache.h"
#include "ui/connections/token_store.h"
#include "ui/latency/latency_controller.h"

#include <QDateTime>
#include <QLocale>

namespace sb {

void LatencyController::setPrometheusSource(const std::optional<PrometheusConfig> &config)
{
    stopPrometheus();
    if (!config)
        return;
    if (config->caFile.isEmpty() || !config->caPem.isEmpty()) {
        startPrometheus(*config);
        return;
    }
    const quint64 generation = m_promGeneration;
    readPrometheusCaLater(
        this, config->caFile, tr("Prometheus CA"),
        [this, generation, c = *config](const QByteArray &pem, const QString &error) mutable {
            if (generation != m_promGeneration)
                return; // replaced meanwhile
            if (!error.isEmpty()) {
                emit m_session->message(tr("No Prometheus history: %1").arg(error));
                return;
            }
            c.caPem = pem;
            startPrometheus(c);
        });
}

void LatencyController::stopPrometheus()
{
    ++m_promGeneration;
    if (!m_prom)
        return;
    flush(); // what the old source imported is kept, under its own key
    m_promTimer.stop();
    disconnect(&m_promTimer, &QTimer::timeout, this, nullptr);
    if (auto *cache = m_session->cache())
        disconnect(cache, &Cache::importsLoaded, this, &LatencyController::onCachedImports);
    const QString key = m_prom->sourceKey();
    m_prom->disconnect(this);
    m_prom->deleteLater();
    m_prom = nullptr;
    for (auto it = m_routeSource.begin(); it != m_routeSource.end();)
        it = it.value() == key ? m_routeSource.erase(it) : std::next(it);
    const bool listed = !m_promNotes.isEmpty();
    m_promNotes.clear();
    m_promPoints.clear();
    m_promBounds.clear();
    for (const auto &r : std::exchange(m_promRequests, {}))
        emit historyLoaded(r.chartId, r.resolution, r.fromMs, r.toMs, {});
    if (const auto r = std::exchange(m_exemplarRequest, std::nullopt))
        emit exemplarsReady(r->id, r->fromMs, r->toMs, r->p99, {},
                            tr("this window's Prometheus source was replaced"));
    if (listed)
        resetStore(); // its series leave the picker
}

void LatencyController::announcePrometheusSeries(SeriesUpdate &out)
{
    for (auto it = m_promNotes.cbegin(); it != m_promNotes.cend(); ++it) {
        if (const auto key = m_store->key(it.key()))
            out.newSeries.emplace_back(it.key(), *key);
    }
}

void LatencyController::startPrometheus(const PrometheusConfig &config)
{
    m_prom = new PrometheusSource(config, this);
    connect(m_prom, &PrometheusSource::imported, this, &LatencyController::onPrometheus);
    connect(m_prom, &PrometheusSource::failed, this, &LatencyController::onPrometheusFailed);
    connect(m_prom, &PrometheusSource::exemplarsLoaded, this, &LatencyController::onPromExemplars);
    if (auto *cache = m_session->cache()) {
        connect(cache, &Cache::importsLoaded, this, &LatencyController::onCachedImports);
        cache->loadImports(m_prom->sourceKey());
    }
    const auto importRecent = [this, generation = m_promGeneration](qint64 spanMs) {
        if (generation != m_promGeneration)
            return; // a source replaced since
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_prom->importRange(now - spanMs, now);
    };
    m_promTimer.setInterval(60'000);
    connect(&m_promTimer, &QTimer::timeout, this, [importRecent] { importRecent(600'000); });
    const auto begin = [this, importRecent] {
        QTimer::singleShot(0, this, [importRecent] { importRecent(kPrometheusStartMs); });
        m_promTimer.start();
    };
    // The secret (bearer token or basic-auth password) from the environment
    // or the keychain; held by the source in memory only.
    if (!config.secretEnv.isEmpty())
        m_prom->setSecret(qEnvironmentVariable(config.secretEnv.toUtf8().constData()));
    if (config.keychainEntry.isEmpty()) {
        begin();
        return;
    }
    auto *tokens = new TokenStore(this);
    connect(tokens, &TokenStore::tokenRead, this,
            [this, tokens, begin, generation = m_promGeneration](
                const QString &, const QString &token, const QString &error) {
                tokens->deleteLater();
                if (generation != m_promGeneration)
                    return; // the source was replaced meanwhile
                if (!error.isEmpty())
                    emit m_session->message(
                        tr("Prometheus: no secret from the keychain: %1").arg(error));
                else
                    m_prom->setSecret(token);
                begin();
            });
    tokens->read(config.keychainEntry);
}

void LatencyController::onPromExemplars(const QHash<QString, std::vector<Exemplar>> &byRoute,
                                        quint64 tag)
{
    if (!m_exemplarRequest || m_exemplarRequest->tag != tag)
        return; // the answer to a click since superseded
    const ExemplarRequest r = *std::exchange(m_exemplarRequest, std::nullopt);
    // An exemplar in the p99's own bucket is behind it: the p99 is only
    // known within the import's bound (each way). A step covers (from, to]
    // (increase() at `to`), so an exemplar stamped at its end is its own,
    // not the next's.
    const double bound = 1 + m_promBounds.value(r.id);
    auto list = slowest(byRoute.value(r.route), r.fromMs + 1, r.toMs + 1, r.p99 / (bound * bound));
    emit exemplarsReady(r.id, r.fromMs, r.toMs, r.p99, list,
                        list.empty() ? tr("Prometheus holds no exemplar at or above this p99")
                                     : QString());
}

bool LatencyController::promCoarse() const
{
    return m_prom && m_prom->config().stepSeconds >= 60;
}

qint64 LatencyController::stepMsOf(SeriesId id) const
{
    return promCoarse() && m_promPoints.contains(id) ? qint64(m_prom->config().stepSeconds) * 1000
                                                     : 0;
}

std::vector<std::pair<qint64, LatencySketch>>
LatencyController::latencySketches(SeriesId id, qint64 fromMs, qint64 toMs,
                                   Resolution resolution) const
{
    const auto kept = m_promPoints.constFind(id);
    if (kept == m_promPoints.cend())
        return m_store->latencySketches(id, fromMs, toMs, resolution);
    std::vector<std::pair<qint64, LatencySketch>> out;
    for (auto it = kept->lower_bound(fromMs); it != kept->end() && it->first < toMs; ++it)
        out.emplace_back(it->first, it->second.latency);
    return out;
}

QString LatencyController::prometheusNote(const QString &url, const PrometheusImport &r)
{
    if (r.classic)
        return tr("Prometheus %1 · classic buckets, histogram_quantile fallback · quantiles only "
                  "within their bucket's width, ±%2 %")
            .arg(url)
            .arg(r.relativeError * 100, 0, 'f', 0);
    return tr("Prometheus %1 · schema %2 · quantiles within ±%3 %")
        .arg(url)
        .arg(r.minSchema)
        .arg(r.relativeError * 100, 0, 'f', 2);
}

QString LatencyController::prometheusSourceNote(const QString &note) const
{
    if (m_prom && (m_prom->state() == PrometheusSource::State::Stale ||
                   m_prom->state() == PrometheusSource::State::Failed))
        return note + tr(" · stale: %1").arg(m_prom->lastError());
    return note;
}

void LatencyController::onCachedImports(const QString &source,
                                        const std::vector<ImportedRange> &ranges)
{
    if (!m_prom || source != m_prom->sourceKey())
        return;
    // Routes imported by an earlier session: listed now, from the cache,
    // until (unless) Prometheus answers.
    SeriesUpdate out;
    for (const auto &r : ranges) {
        const SeriesKey key{r.route, r.model, {}};
        const bool known = m_routeSource.contains(r.route);
        const SeriesId id = localId(key, out);
        if (known && m_promNotes.contains(id))
            continue; // Prometheus answered first: its note is newer
        m_routeSource.insert(r.route, source);
        PrometheusImport like;
        like.classic = r.classic;
        like.minSchema = r.schema.value_or(99);
        like.relativeError = r.relativeError;
        m_promNotes.insert(
            id, prometheusNote(m_prom->config().url, like) +
                    tr(" · cached, imported %1")
                        .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.importedMs),
                                                QLocale::ShortFormat)));
    }
    if (!out.newSeries.empty())
        emit seriesUpdated(out);
}

void LatencyController::onPrometheus(const PrometheusImport &r)
{
    SeriesUpdate out;
    const qint64 stepMs = qint64(m_prom->config().stepSeconds) * 1000;
    QHash<QString, std::vector<SeriesPoint>> byRoute;
    QHash<QString, QString> models;
    for (const auto &row : r.rollups) {
        const SeriesId id = localId(row.key, out);
        m_routeSource.insert(row.key.route, r.source);
        m_promNotes.insert(id, prometheusNote(m_prom->config().url, r));
        models.insert(row.key.route, row.key.model);
        const SeriesPoint point = SeriesStore::summarize(row.startMs, stepMs, row.aggregate);
        if (promCoarse()) {
            auto &kept = m_promPoints[id];
            kept[row.startMs] = {point, row.aggregate.latency};
            m_promBounds.insert(id, r.relativeError);
            while (kept.size() > kMaxPromPoints)
                kept.erase(kept.begin());
        } else {
            out.seconds.push_back({id, row.startMs, row.aggregate});
        }
        byRoute[row.key.route].push_back(point);
    }
    if (auto *cache = m_session->cache(); cache && !r.rollups.empty()) {
        auto &pending = m_pendingExternal[r.source];
        pending.insert(pending.end(), r.rollups.begin(), r.rollups.end());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (auto it = models.cbegin(); it != models.cend(); ++it) {
            ImportedRange range;
            range.source = r.source;
            range.route = it.key();
            range.model = it.value();
            range.classic = r.classic;
            if (!r.classic)
                range.schema = r.routeSchema.value(it.key(), r.minSchema);
            range.fromMs = r.fromMs;
            range.toMs = r.toMs;
            range.relativeError = r.relativeError;
            range.importedMs = now;
            cache->recordImport(range);
        }
    }
    m_store->append(out.seconds);
    m_store->trim(QDateTime::currentMSecsSinceEpoch());
    // Answer the charts that asked for this range.
    for (auto it = m_promRequests.begin(); it != m_promRequests.end();) {
        if (it->fromMs >= r.fromMs && it->toMs <= r.toMs + stepMs) {
            std::vector<SeriesPoint> points;
            // Every step that overlaps the range asked: the import covers
            // the step straddling its start (that step ends inside it), and
            // the range before it stops at the last step ending before.
            for (const auto &p : byRoute.value(it->route)) {
                if (p.timeMs + stepMs > it->fromMs && p.timeMs < it->toMs)
                    points.push_back(p);
            }
            emit historyLoaded(it->chartId, promCoarse() ? Resolution::Minute : it->resolution,
                               it->fromMs, it->toMs, points);
            it = m_promRequests.erase(it);
        } else {
            ++it;
        }
    }
    // Live charts only take newer seconds; older ones arrived as history above.
    emit seriesUpdated(out);
}

void LatencyController::onPrometheusFailed(const QString &error)
{
    emit m_session->message(
        tr("Prometheus history is stale (showing what the cache holds): %1").arg(error));
    if (const auto r = std::exchange(m_exemplarRequest, std::nullopt))
        emit exemplarsReady(r->id, r->fromMs, r->toMs, r->p99, {}, error);
    // The charts that asked get what the cache holds.
    auto requests = std::move(m_promRequests);
    m_promRequests.clear();
    auto *cache = m_session->cache();
    for (const auto &r : requests) {
        if (!cache) {
            emit historyLoaded(r.chartId, r.resolution, r.fromMs, r.toMs, {});
            continue;
        }
        SeriesQuery q;
        q.endpoint = m_prom->sourceKey();
        q.route = r.route;
        q.fromMs = r.fromMs;
        q.toMs = r.toMs;
        q.resolution = promCoarse() ? Resolution::Minute : r.resolution;
        q.tag = m_nextTag++;
        m_historyRequests.insert(q.tag, r.chartId);
        cache->loadSeries(q);
    }
}

} // namespace sb
