#pragma once

// LatencyController: the live latency capability without widgets. Owns the
// latency stream and two views of it: a SeriesStore per (route, model,
// variant), fed by seriesPointsReady, that the charts draw; and the older
// per-route LatencyHistory (pointsReady), which the route summary reads and
// which is what the cache holds today (so route-level charts are not empty
// offline). Writes live per-route seconds back to the cache in batches.
//
// Every closed second of every series also goes to the cache's series
// rollups (counts and sketches, per second and per minute) in batches, and
// retention is enforced there periodically (a job on the cache's worker
// thread, never on the GUI's). loadHistory() asks the cache for a range of a
// charted series, or of a whole route, and answers with historyLoaded.
//
// Markers: routing changes and label moves, from the audit model (the
// service's audit log and this console's action log), as markersChanged.
//
// Other sources: with --otlp-listen, the OTLP receiver's series (OtlpFeed)
// join the same store under the stream's id space, and their seconds go to
// the cache under the endpoint "otlp"; with a Prometheus source (the window's
// profile's, or --prometheus: setPrometheusSource), a PrometheusSource
// imports the last hours at start (and the last minutes every minute), and
// loading history of a Prometheus series asks Prometheus for that range
// (cached under "prometheus:<url>"); while Prometheus is down such history
// comes from the cache, marked stale. sourceNote() says where a series comes
// from and its quantile error bound (wider for coarse OTel scales).
//
// Retention starts from the console's choice (setDefaultRetention, from
// QSettings or --history-retention, core/series_retention.h).
//
// Known gaps: a second that arrives after the chart already drew a newer
// one is kept in the store but not drawn; an OTLP route named like one of
// the endpoint's own routes shares its tree node (the OTLP one carries the
// service name, "svc/route", so this needs a service named like a route).

#include "client/prometheus_source.h"
#include "core/latency_history.h"
#include "core/series_rollup.h"
#include "core/series_store.h"
#include "store/imported_range.h"
#include "ui/latency/chart_marker.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace sb {

class LatencyStream;
class AuditModel;
struct RoutePoint;
struct CacheSnapshot;

class LatencyController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCacheFlushMs = 2000;
    static constexpr int kPruneMs = 10 * 60 * 1000;

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

    void setRetention(const SeriesRetention &retention) { m_retention = retention; }
    const SeriesRetention &retention() const { return m_retention; }
    // What every new controller starts with (set by the console before any window opens).
    static void setDefaultRetention(const SeriesRetention &retention);
    // Enforces retention now (a job on the cache's thread); also runs every kPruneMs.
    void prune();
    // The wall clock retention ages rows by (tests move it forward).
    void setClock(std::function<qint64()> nowMs) { m_now = std::move(nowMs); }
    // Before this time the cache's seconds hold no sketches (compacted by
    // retention), so whatever merges sketches (a route, a heatmap) reads
    // minutes there; 0 when sketches are kept as long as the seconds.
    qint64 sketchesFromMs() const;
    // Asks the cache for [fromMs, toMs) of `chartId`'s series (model and
    // variant nullopt: the whole route merged); answered by historyLoaded.
    // False (and no answer) without a cache.
    bool loadHistory(const QString &chartId, const QString &route,
                     const std::optional<QString> &model, const std::optional<QString> &variant,
                     qint64 fromMs, qint64 toMs, Resolution resolution);
    // The cache's latency sketches of the same kind of range (for a heatmap of
    // history the store no longer or never held), answered by sketchesLoaded.
    // False (and no answer) without a cache or for a Prometheus series.
    bool loadSketches(const QString &chartId, const QString &route,
                      const std::optional<QString> &model, const std::optional<QString> &variant,
                      qint64 fromMs, qint64 toMs, Resolution resolution);
    // Where markers come from (the Audit page's model).
    void setAuditModel(AuditModel *model);
    const std::vector<ChartMarker> &markers() const { return m_markers; }

    // Where a series' data comes from and how exact its quantiles are
    // (empty for this endpoint's own series).
    QString sourceNote(SeriesId id) const;
    PrometheusSource *prometheus() const { return m_prom; }
    // The Prometheus source of the profile this window shows (nullopt: none),
    // replacing any before it: the old source's series leave the picker (the
    // store is rebuilt as on an endpoint switch) and what it imported stays
    // in the cache under its own key. A caFile is read off the GUI thread
    // first; the secret comes from the keychain entry or variable it names.
    void setPrometheusSource(const std::optional<PrometheusConfig> &config);
    static constexpr qint64 kPrometheusStartMs = 6LL * 3600 * 1000;
    static constexpr std::size_t kMaxPromPoints = 20'000; // per series (two weeks of minutes)

    // The requests behind one interval's p99: exemplars at or above the p99
    // of the interval of `id` holding timeMs (OTLP: from the sink; Prometheus:
    // query_exemplars), answered by exemplarsReady (empty, with the reason in
    // `note`, where the source has none).
    void requestExemplars(SeriesId id, qint64 timeMs);
    // The latency sketches of `id` for a heatmap: the store's, or for an
    // imported Prometheus series its steps (of stepMsOf(id)) in [fromMs, toMs).
    std::vector<std::pair<qint64, LatencySketch>>
    latencySketches(SeriesId id, qint64 fromMs, qint64 toMs, Resolution resolution) const;
    // The step of an imported Prometheus series kept outside the store (0: none).
    qint64 stepMsOf(SeriesId id) const;
    // A link per trace: "{trace_id}" replaced (from --trace-url).
    static void setTraceUrlTemplate(const QString &urlTemplate);
    static QString traceUrlTemplate();

signals:
    void message(const QString &text);
    // The store took new seconds (update.seconds) and maybe new series.
    void seriesUpdated(const sb::SeriesUpdate &update);
    // The store was emptied (endpoint switched): redraw from scratch.
    void seriesReset();
    void historyLoaded(const QString &chartId, sb::Resolution resolution, qint64 fromMs,
                       qint64 toMs, const std::vector<sb::SeriesPoint> &points);
    void sketchesLoaded(const QString &chartId, sb::Resolution resolution, qint64 fromMs,
                        qint64 toMs, const sb::TimedSketches &sketches);
    void markersChanged();
    void exemplarsReady(sb::SeriesId id, qint64 fromMs, qint64 toMs, double p99Ms,
                        const std::vector<sb::Exemplar> &exemplars, const QString &note);

private:
    void onPoints(const std::vector<RoutePoint> &points);
    // The cache query for a range of a series or route (the endpoint its rows are under).
    SeriesQuery queryFor(const QString &route, const std::optional<QString> &model,
                         const std::optional<QString> &variant, qint64 fromMs, qint64 toMs,
                         Resolution resolution) const;
    void onSeries(const SeriesUpdate &update);
    void onSnapshot(const CacheSnapshot &s);
    void flush();
    void rebuildMarkers();
    void onOtlp(const SeriesUpdate &update);
    void onPrometheus(const PrometheusImport &r);
    void onPrometheusFailed(const QString &error);
    static QString prometheusNote(const QString &url, const PrometheusImport &r);
    // A fresh store (the endpoint's series announced again by the stream,
    // the imported ones by Prometheus' next answer); the page redraws.
    void resetStore();
    // latency_controller_prometheus.cpp
    void startPrometheus(const PrometheusConfig &config);
    void stopPrometheus();
    void announcePrometheusSeries(SeriesUpdate &out);
    QString prometheusSourceNote(const QString &note) const;
    void onCachedImports(const QString &source, const std::vector<ImportedRange> &ranges);
    SeriesId localId(const SeriesKey &key, SeriesUpdate &update);

    Session *m_session;
    LatencyStream *m_stream;
    LatencyHistory m_history;
    std::unique_ptr<SeriesStore> m_store;
    qint64 m_liveSinceMs = 0;
    QHash<QString, std::vector<LatencyPoint>> m_pendingWrites;
    QString m_pendingEndpoint; // the endpoint m_pendingWrites belong to
    std::vector<SeriesRollup> m_pendingSeries;
    SeriesRetention m_retention;
    std::function<qint64()> m_now;
    QHash<quint64, QString> m_historyRequests; // tag → chart id
    QHash<quint64, QString> m_sketchRequests;  // tag → chart id
    quint64 m_nextTag = 1;
    AuditModel *m_audit = nullptr;
    std::vector<ChartMarker> m_markers;
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
    bool m_live = false;

    QHash<SeriesId, SeriesKey> m_otlpKeys;   // the sink's ids, kept across resets
    QHash<SeriesId, SeriesId> m_otlpIds;     // sink id -> ours (this store)
    QHash<SeriesId, SeriesId> m_otlpSinkIds; // ours -> sink id
    QHash<QString, QString> m_routeSource;   // route -> the cache endpoint of its rows
    QHash<SeriesId, QString> m_promNotes;
    // Prometheus steps of a minute or more are not seconds: they reach charts
    // as minute history (drawn as lines, not as lone second dots) and are
    // kept here, not in the store's seconds, for the exemplars' p99 and
    // the heatmap; with the import's quantile bound.
    struct PromStep
    {
        SeriesPoint point;
        LatencySketch latency;
    };
    QHash<SeriesId, std::map<qint64, PromStep>> m_promPoints;
    QHash<SeriesId, double> m_promBounds;
    bool promCoarse() const;
    QHash<QString, std::vector<SeriesRollup>> m_pendingExternal; // endpoint -> rows
    PrometheusSource *m_prom = nullptr;
    quint64 m_promGeneration = 0; // a CA read or keychain answer for an older source is dropped
    struct PromRequest
    {
        QString chartId;
        QString route;
        Resolution resolution;
        qint64 fromMs, toMs;
    };
    std::vector<PromRequest> m_promRequests;
    // The last click's exemplar request still waiting for Prometheus (one:
    // a newer click supersedes it, and an answer tagged for an older one is
    // dropped, so the list never shows one minute's exemplars under another).
    struct ExemplarRequest
    {
        SeriesId id;
        QString route;
        qint64 fromMs, toMs;
        double p99;
        quint64 tag;
    };
    std::optional<ExemplarRequest> m_exemplarRequest;
    quint64 m_nextExemplarTag = 1;
    void onPromExemplars(const QHash<QString, std::vector<Exemplar>> &byRoute, quint64 tag);
    QTimer m_promTimer;
};

} // namespace sb
