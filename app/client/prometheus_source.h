#pragma once

// PrometheusSource: latency history from a Prometheus server's native
// histograms. One query_range of
//   sum by (<route label>) (increase(<selector>[<step>s]))
// per import; every sample (the increase over (t - step, t]) becomes one
// SeriesRollup whose latency sketch is rebuilt from the buckets
// (core/prom_parse, core/bucket_import), so quantiles are computed by the
// console from merged sketches rather than by histogram_quantile's linear
// interpolation inside a bucket.
//
// The request runs on Qt Network's own machinery (the GUI thread only sees
// finished replies) with a transfer timeout; the JSON is parsed on a worker
// thread (QtConcurrent). Errors come back as sentences a user can act on:
// unreachable, HTTP 404 (not the API root), HTTP 500 / Prometheus' own
// error text, "native histograms are disabled", or an answer holding only
// float samples. After a failure that follows a success the source is
// stale: what was imported stays (in the store and the cache), marked so.
//
// Known gaps: one request per import (a range is capped at 10,000 steps by
// widening the step); basic auth and TLS client certificates are not
// configurable yet.

#include "core/exemplar.h"
#include "core/series_rollup.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <vector>

class QNetworkAccessManager;

namespace sb {

struct PrometheusConfig
{
    QString url;      // server root, e.g. http://127.0.0.1:9090
    QString selector; // a native histogram, e.g. latency_ms{job="api"}
    QString routeLabel = QStringLiteral("route");
    double millisPerUnit = 1000.0; // Prometheus convention: seconds
    int stepSeconds = 60;
    QString routePrefix = QStringLiteral("prometheus/");
};

struct PrometheusImport
{
    QString source; // "prometheus:<url>": the cache's endpoint for these rows
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<SeriesRollup> rollups; // per route per step, ascending by time
    int minSchema = 99;                // coarsest schema seen
    double relativeError = 0;          // the import's quantile bound
    quint64 samples = 0;
    quint64 rejected = 0; // samples whose buckets fit no schema
    QString firstRejection;
    QStringList warnings;
};

class PrometheusSource : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Idle,
        Loading,
        Fresh,
        Stale,  // failed after a success: shown data is older than asked
        Failed, // never succeeded
    };
    Q_ENUM(State)
    static constexpr int kTimeoutMs = 15000;
    static constexpr int kMaxSteps = 10000;

    explicit PrometheusSource(PrometheusConfig config, QObject *parent = nullptr);

    const PrometheusConfig &config() const { return m_config; }
    QString sourceKey() const { return QStringLiteral("prometheus:") + m_config.url; }
    QString query(int stepSeconds) const;
    // Asks for [fromMs, toMs); answered by imported or failed.
    void importRange(qint64 fromMs, qint64 toMs);
    // Exemplars of the selector in [fromMs, toMs) (Prometheus needs
    // --enable-feature=exemplar-storage); answered by exemplarsLoaded (once,
    // every route's, keyed like the imported series) or failed.
    void loadExemplars(qint64 fromMs, qint64 toMs);
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    qint64 lastSuccessMs() const { return m_lastSuccessMs; }

    // The import of a parsed answer (public for tests, the fuzz target and
    // the benchmark; runs on any thread).
    static PrometheusImport convert(const QByteArray &body, const PrometheusConfig &config,
                                    qint64 fromMs, qint64 toMs, int stepSeconds, QString *error);

signals:
    void imported(const sb::PrometheusImport &result);
    void failed(const QString &error);
    void exemplarsLoaded(const QHash<QString, std::vector<sb::Exemplar>> &byRoute);
    void stateChanged(sb::PrometheusSource::State state);

private:
    void setState(State s);
    void fail(const QString &why);

    PrometheusConfig m_config;
    QNetworkAccessManager *m_network;
    State m_state = State::Idle;
    QString m_lastError;
    qint64 m_lastSuccessMs = 0;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::PrometheusImport)
