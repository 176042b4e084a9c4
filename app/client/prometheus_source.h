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
// Classic histograms: when the selector has no native histogram (the
// answer is empty or holds only floats) the source asks for
//   sum by (<route label>, le) (increase(<name>_bucket{...}[<step>s]))
// instead and rebuilds each step from the le buckets the way PromQL's
// histogram_quantile reads them (linear inside a bucket, core/bucket_import
// importClassic); such an import is marked classic and its error bound is
// the bucket width. Once a kind answered, later imports ask for it directly.
//
// Paging: Prometheus refuses a query_range of more than 11,000 points per
// series, so a longer range is fetched in pages of pageSteps steps, one
// request at a time, and answered once with all of them. Beyond kMaxPages
// pages the step is widened instead.
//
// Auth and TLS: a bearer token or a basic-auth password, set by the owner
// (setSecret) from the keychain or the environment, never kept in the
// config, the cache or QSettings; https uses the system's roots unless the
// config carries a custom CA's PEM (read off the GUI thread by
// whoever builds the config).

#include "core/exemplar.h"
#include "core/series_rollup.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkRequest;

namespace sb {

struct PrometheusConfig
{
    QString url;      // server root, e.g. http://127.0.0.1:9090
    QString selector; // a native histogram, e.g. latency_ms{job="api"}
    QString routeLabel = QStringLiteral("route");
    QString modelLabel;            // empty: the model column names the histogram
    QString variantLabel;          // empty: no variant
    double millisPerUnit = 1000.0; // Prometheus convention: seconds
    int stepSeconds = 60;
    QString routePrefix = QStringLiteral("prometheus/");
    enum class Histograms
    {
        Auto, // native, else classic le buckets
        Native,
        Classic,
    };
    Histograms histograms = Histograms::Auto;
    int pageSteps = 10000; // steps per query_range (Prometheus allows 11,000 points)
    enum class Auth
    {
        None,
        Bearer, // Authorization: Bearer <secret>
        Basic,  // Authorization: Basic base64(basicUser:<secret>)
    };
    Auth auth = Auth::None;
    QString basicUser;
    // Where the secret comes from (names only; the owner reads it): an
    // environment variable, or a keychain entry under the service
    // "switchboard" like a connection profile's token.
    QString secretEnv;
    QString keychainEntry;
    QByteArray caPem; // a custom CA's PEM certificates; empty: the system's roots
    // The file caPem is read from, by whoever starts the source (off the GUI
    // thread: readPrometheusCaLater); empty: caPem as given.
    QString caFile;
};

struct PrometheusImport
{
    QString source; // "prometheus:<url>": the cache's endpoint for these rows
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<SeriesRollup> rollups; // per route per step, ascending by time
    bool classic = false;              // from le buckets (histogram_quantile's reading)
    int minSchema = 99;                // coarsest schema seen (classic: none, 99)
    double relativeError = 0;          // the import's quantile bound
    QHash<QString, int> routeSchema;   // route -> its coarsest schema (native)
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
    static constexpr int kMaxPages = 16;

    explicit PrometheusSource(PrometheusConfig config, QObject *parent = nullptr);

    const PrometheusConfig &config() const { return m_config; }
    QString sourceKey() const { return QStringLiteral("prometheus:") + m_config.url; }
    QString query(int stepSeconds) const;
    QString classicQuery(int stepSeconds) const;
    // The bearer token or basic-auth password (held in memory only).
    void setSecret(const QString &secret) { m_secret = secret; }
    // The kind the server answered with so far (Auto until one did).
    PrometheusConfig::Histograms resolvedHistograms() const { return m_kind; }
    // Asks for [fromMs, toMs); answered by imported or failed.
    void importRange(qint64 fromMs, qint64 toMs);
    // Exemplars of the selector in [fromMs, toMs) (Prometheus needs
    // --enable-feature=exemplar-storage); answered by exemplarsLoaded (once,
    // every route's, keyed like the imported series, with `tag` so a caller
    // asking again before the answer can tell the answers apart) or failed.
    void loadExemplars(qint64 fromMs, qint64 toMs, quint64 tag = 0);
    // Whether the server runs with --enable-feature=native-histograms (its
    // /api/v1/status/flags); answered by featuresChecked (error: why not known).
    void checkFeatures();
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    qint64 lastSuccessMs() const { return m_lastSuccessMs; }

    // The import of a parsed answer (public for tests, the fuzz target and
    // the benchmark; runs on any thread).
    static PrometheusImport convert(const QByteArray &body, const PrometheusConfig &config,
                                    qint64 fromMs, qint64 toMs, int stepSeconds, QString *error);
    static PrometheusImport convertClassic(const QByteArray &body, const PrometheusConfig &config,
                                           qint64 fromMs, qint64 toMs, int stepSeconds,
                                           QString *error);

signals:
    void imported(const sb::PrometheusImport &result);
    void failed(const QString &error);
    void exemplarsLoaded(const QHash<QString, std::vector<sb::Exemplar>> &byRoute, quint64 tag);
    void stateChanged(sb::PrometheusSource::State state);
    void featuresChecked(bool nativeHistograms, const QString &error);

private:
    struct Job; // one importRange: its pages, the kind asked, what came back
    void setState(State s);
    void fail(const QString &why);
    QNetworkRequest request(const QString &path,
                            const QList<std::pair<QString, QString>> &query) const;
    void fetchPage(std::shared_ptr<Job> job);
    void pageDone(std::shared_ptr<Job> job, PrometheusImport page, const QString &error, int http);

    PrometheusConfig m_config;
    QNetworkAccessManager *m_network;
    State m_state = State::Idle;
    QString m_lastError;
    qint64 m_lastSuccessMs = 0;
    QString m_secret;
    PrometheusConfig::Histograms m_kind;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::PrometheusImport)
