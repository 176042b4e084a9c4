#include "client/prometheus_source.h"

#include "core/prom_parse.h"

#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonValue>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace sb {

struct PrometheusSource::Job
{
    qint64 fromMs = 0, toMs = 0;
    qint64 stepMs = 0;
    qint64 firstEnd = 0, lastEnd = 0;
    qint64 pageEnd = 0; // the end of the page asked for next
    PrometheusConfig::Histograms kind = PrometheusConfig::Histograms::Native;
    bool mayFallBack = false; // Auto: an empty native answer tries classic
    QString nativeError;      // why native gave nothing, for the final sentence
    PrometheusImport result;
};

PrometheusSource::PrometheusSource(PrometheusConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_network(new QNetworkAccessManager(this)),
      m_kind(m_config.histograms)
{
    qRegisterMetaType<sb::PrometheusImport>();
    while (m_config.url.endsWith(QLatin1Char('/')))
        m_config.url.chop(1);
}

namespace {
// The labels a query sums by: the route's, and the model's and variant's if named.
QString byLabels(const PrometheusConfig &c)
{
    QStringList l{c.routeLabel};
    for (const QString &x : {c.modelLabel, c.variantLabel})
        if (!x.isEmpty() && !l.contains(x))
            l << x;
    return l.join(QStringLiteral(", "));
}
} // namespace

QString PrometheusSource::query(int stepSeconds) const
{
    return QStringLiteral("sum by (%1) (increase(%2[%3s]))")
        .arg(byLabels(m_config), m_config.selector)
        .arg(stepSeconds);
}

namespace {
// latency_seconds{job="api"} -> latency_seconds_bucket{job="api"}
QString bucketSelector(const QString &selector)
{
    const qsizetype brace = selector.indexOf(QLatin1Char('{'));
    QString name = brace < 0 ? selector : selector.left(brace);
    const QString rest = brace < 0 ? QString() : selector.mid(brace);
    name = name.trimmed();
    if (!name.endsWith(QLatin1String("_bucket")))
        name += QLatin1String("_bucket");
    return name + rest;
}
} // namespace

QString PrometheusSource::classicQuery(int stepSeconds) const
{
    return QStringLiteral("sum by (%1, le) (increase(%2[%3s]))")
        .arg(byLabels(m_config), bucketSelector(m_config.selector))
        .arg(stepSeconds);
}

void PrometheusSource::setState(State s)
{
    if (s == m_state)
        return;
    m_state = s;
    emit stateChanged(s);
}

void PrometheusSource::fail(const QString &why)
{
    m_lastError = why;
    setState(m_lastSuccessMs ? State::Stale : State::Failed);
    emit failed(why);
}

QNetworkRequest PrometheusSource::request(const QString &path,
                                          const QList<std::pair<QString, QString>> &items) const
{
    QUrl url(m_config.url + path);
    QUrlQuery q;
    for (const auto &[k, v] : items)
        q.addQueryItem(k,
                       QString(v).replace(QLatin1Char('+'), QLatin1String("%2B"))); // not a space
    url.setQuery(q);
    QNetworkRequest r(url);
    r.setTransferTimeout(kTimeoutMs);
    r.setRawHeader("Accept", "application/json");
    if (m_config.auth == PrometheusConfig::Auth::Bearer && !m_secret.isEmpty())
        r.setRawHeader("Authorization", "Bearer " + m_secret.toUtf8());
    if (m_config.auth == PrometheusConfig::Auth::Basic)
        r.setRawHeader("Authorization",
                       "Basic " +
                           (m_config.basicUser + QLatin1Char(':') + m_secret).toUtf8().toBase64());
    if (!m_config.caPem.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromData(m_config.caPem, QSsl::Pem));
        r.setSslConfiguration(tls);
    }
    return r;
}

namespace {
// The HTTP-level failures, as sentences; empty when the body should be read.
QString httpFailure(int http, const PrometheusConfig &c, const QNetworkReply &reply,
                    const QByteArray &body)
{
    const QString &url = c.url;
    if (http == 400 && body.contains("HTTP request to an HTTPS server"))
        return PrometheusSource::tr("Prometheus at %1 serves https: write https:// in the URL")
            .arg(url);
    if (http == 0 && reply.error() == QNetworkReply::SslHandshakeFailedError)
        return PrometheusSource::tr("Prometheus at %1 failed the TLS check: %2: %3")
            .arg(url, reply.errorString(),
                 c.caPem.isEmpty() ? PrometheusSource::tr("give the CA that signed its "
                                                          "certificate (custom CA)")
                                   : PrometheusSource::tr("the custom CA did not sign its "
                                                          "certificate, or the host name differs"));
    if (http == 0)
        return PrometheusSource::tr("Prometheus at %1 is unreachable: %2")
            .arg(url, reply.errorString());
    if (http == 401 || http == 403) {
        QString what;
        switch (c.auth) {
        case PrometheusConfig::Auth::Basic:
            what = PrometheusSource::tr("check the password of user \"%1\"").arg(c.basicUser);
            break;
        case PrometheusConfig::Auth::Bearer:
            what = PrometheusSource::tr("check the bearer token");
            break;
        case PrometheusConfig::Auth::None:
            what = PrometheusSource::tr("it wants credentials: choose bearer token or basic auth");
            break;
        }
        return PrometheusSource::tr("Prometheus at %1 refused the credentials (HTTP %2): %3")
            .arg(url)
            .arg(http)
            .arg(what);
    }
    if (http == 404)
        return PrometheusSource::tr("%1 does not serve the Prometheus API (HTTP 404): give the "
                                    "server's root, e.g. http://host:9090")
            .arg(url);
    return {};
}
} // namespace

void PrometheusSource::importRange(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return;
    auto job = std::make_shared<Job>();
    job->fromMs = fromMs;
    job->toMs = toMs;
    // Pages of pageSteps at the configured step; a range longer than
    // kMaxPages pages widens the step instead.
    qint64 step = std::max(1, m_config.stepSeconds);
    const qint64 pageSteps = std::clamp(m_config.pageSteps, 1, 11000);
    const qint64 most = pageSteps * kMaxPages;
    step = std::max<qint64>(step, ((toMs - fromMs) / 1000 + most - 1) / most);
    // Steps end on multiples of the step, so imports of overlapping ranges
    // produce the same intervals (the cache then ignores what it holds).
    job->stepMs = step * 1000;
    job->firstEnd = (fromMs / job->stepMs + 1) * job->stepMs;
    job->lastEnd = std::max(job->firstEnd, (toMs / job->stepMs) * job->stepMs);
    job->pageEnd = job->firstEnd;
    job->mayFallBack = m_kind == PrometheusConfig::Histograms::Auto;
    job->kind = m_kind == PrometheusConfig::Histograms::Classic
                    ? PrometheusConfig::Histograms::Classic
                    : PrometheusConfig::Histograms::Native;
    job->result.source = sourceKey();
    job->result.fromMs = fromMs;
    job->result.toMs = toMs;
    setState(State::Loading);
    fetchPage(job);
}

void PrometheusSource::fetchPage(std::shared_ptr<Job> job)
{
    const qint64 start = job->pageEnd;
    const qint64 pageSteps = std::clamp(m_config.pageSteps, 1, 11000);
    const qint64 end = std::min(job->lastEnd, start + (pageSteps - 1) * job->stepMs);
    const int step = int(job->stepMs / 1000);
    const bool classic = job->kind == PrometheusConfig::Histograms::Classic;
    QNetworkReply *reply = m_network->get(
        request(QStringLiteral("/api/v1/query_range"),
                {{QStringLiteral("query"), classic ? classicQuery(step) : query(step)},
                 {QStringLiteral("start"), QString::number(start / 1000)},
                 {QStringLiteral("end"), QString::number(end / 1000)},
                 {QStringLiteral("step"), QString::number(step)}}));
    const PrometheusConfig config = m_config;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, config, job, start, end, step, classic] {
                reply->deleteLater();
                const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray body = reply->readAll();
                if (const QString why = httpFailure(http, config, *reply, body); !why.isEmpty()) {
                    fail(why);
                    return;
                }
                job->pageEnd = end + job->stepMs;
                auto *watcher = new QFutureWatcher<std::pair<PrometheusImport, QString>>(this);
                connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, job, http] {
                    watcher->deleteLater();
                    auto [page, error] = watcher->result();
                    pageDone(job, std::move(page), error, http);
                });
                const qint64 from = start - job->stepMs, to = end;
                watcher->setFuture(QtConcurrent::run([body, config, from, to, step, classic] {
                    QString error;
                    PrometheusImport r = classic
                                             ? convertClassic(body, config, from, to, step, &error)
                                             : convert(body, config, from, to, step, &error);
                    return std::make_pair(std::move(r), error);
                }));
            });
}

void PrometheusSource::pageDone(std::shared_ptr<Job> job, PrometheusImport page,
                                const QString &error, int http)
{
    PrometheusImport &acc = job->result;
    const bool nothing = page.samples == 0 && page.rejected == 0;
    if (job->mayFallBack && nothing && acc.samples == 0 &&
        job->kind == PrometheusConfig::Histograms::Native) {
        // No native histogram (yet): the same range from classic buckets.
        job->nativeError = error;
        job->kind = PrometheusConfig::Histograms::Classic;
        job->pageEnd = job->firstEnd;
        acc.rollups.clear();
        fetchPage(job);
        return;
    }
    if (!error.isEmpty()) {
        fail(http >= 400 ? tr("Prometheus answered HTTP %1: %2").arg(http).arg(error) : error);
        return;
    }
    if (page.samples > 0)
        m_kind = job->kind; // later imports ask for this kind directly
    acc.classic = job->kind == PrometheusConfig::Histograms::Classic;
    acc.samples += page.samples;
    acc.rejected += page.rejected;
    if (acc.firstRejection.isEmpty())
        acc.firstRejection = page.firstRejection;
    acc.minSchema = std::min(acc.minSchema, page.minSchema);
    for (auto it = page.routeSchema.cbegin(); it != page.routeSchema.cend(); ++it)
        acc.routeSchema[it.key()] = std::min(acc.routeSchema.value(it.key(), 99), it.value());
    acc.relativeError = std::max(acc.relativeError, page.relativeError);
    acc.warnings += page.warnings;
    acc.rollups.insert(acc.rollups.end(), std::make_move_iterator(page.rollups.begin()),
                       std::make_move_iterator(page.rollups.end()));
    if (job->pageEnd <= job->lastEnd) {
        fetchPage(job);
        return;
    }
    if (acc.samples == 0 && !job->nativeError.isEmpty()) {
        fail(tr("%1; nor are there classic buckets (%2)")
                 .arg(job->nativeError, bucketSelector(m_config.selector)));
        return;
    }
    m_lastError.clear();
    m_lastSuccessMs = QDateTime::currentMSecsSinceEpoch();
    setState(State::Fresh);
    emit imported(acc);
}

void PrometheusSource::checkFeatures()
{
    QNetworkReply *reply = m_network->get(request(QStringLiteral("/api/v1/status/flags"), {}));
    const PrometheusConfig config = m_config;
    connect(reply, &QNetworkReply::finished, this, [this, reply, config] {
        reply->deleteLater();
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (const QString why = httpFailure(http, config, *reply, body); !why.isEmpty()) {
            emit featuresChecked(false, why);
            return;
        }
        // A few kilobytes of flags: read here.
        const QJsonValue features =
            QJsonDocument::fromJson(body)[QLatin1String("data")][QLatin1String("enable-feature")];
        if (!features.isString()) {
            emit featuresChecked(false, tr("no flags in the answer (HTTP %1)").arg(http));
            return;
        }
        emit featuresChecked(features.toString()
                                 .split(QLatin1Char(','))
                                 .contains(QLatin1String("native-histograms")),
                             QString());
    });
}

void PrometheusSource::loadExemplars(qint64 fromMs, qint64 toMs, quint64 tag)
{
    const bool classic = m_kind == PrometheusConfig::Histograms::Classic;
    QNetworkReply *reply = m_network->get(request(
        QStringLiteral("/api/v1/query_exemplars"),
        {{QStringLiteral("query"), classic ? bucketSelector(m_config.selector) : m_config.selector},
         {QStringLiteral("start"), QString::number(double(fromMs) / 1000.0, 'f', 3)},
         {QStringLiteral("end"), QString::number(double(toMs) / 1000.0, 'f', 3)}}));
    const PrometheusConfig config = m_config;
    connect(reply, &QNetworkReply::finished, this, [this, reply, config, tag] {
        reply->deleteLater();
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QByteArray body = reply->readAll();
        if (const QString why = httpFailure(http, config, *reply, body); !why.isEmpty()) {
            emit failed(why);
            return;
        }
        using ByRoute = QHash<QString, std::vector<Exemplar>>;
        auto *watcher = new QFutureWatcher<std::pair<ByRoute, QString>>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, http, tag] {
            watcher->deleteLater();
            const auto [byRoute, error] = watcher->result();
            if (!error.isEmpty())
                emit failed(tr("Prometheus exemplars (HTTP %1): %2").arg(http).arg(error));
            else
                emit exemplarsLoaded(byRoute, tag);
        });
        // Parsed on a worker thread, like the imports.
        watcher->setFuture(QtConcurrent::run([body = std::move(body), config] {
            const PromExemplars e = parsePromExemplars(body, config.millisPerUnit);
            ByRoute byRoute;
            if (!e.ok)
                return std::make_pair(byRoute, e.error.isEmpty() ? QStringLiteral("no reason given")
                                                                 : e.error);
            for (const auto &[labels, list] : e.series) {
                const QString route = labels.value(config.routeLabel);
                auto &out = byRoute[config.routePrefix +
                                    (route.isEmpty() ? QStringLiteral("(none)") : route)];
                out.insert(out.end(), list.begin(), list.end());
            }
            return std::make_pair(byRoute, QString());
        }));
    });
}

} // namespace sb
