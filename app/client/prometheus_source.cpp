#include "client/prometheus_source.h"

#include "core/bucket_import.h"
#include "core/prom_parse.h"

#include <QFutureWatcher>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

namespace sb {

PrometheusSource::PrometheusSource(PrometheusConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<sb::PrometheusImport>();
    while (m_config.url.endsWith(QLatin1Char('/')))
        m_config.url.chop(1);
}

QString PrometheusSource::query(int stepSeconds) const
{
    return QStringLiteral("sum by (%1) (increase(%2[%3s]))")
        .arg(m_config.routeLabel, m_config.selector)
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

void PrometheusSource::importRange(qint64 fromMs, qint64 toMs)
{
    if (toMs <= fromMs)
        return;
    qint64 step = std::max(1, m_config.stepSeconds);
    step = std::max<qint64>(step, ((toMs - fromMs) / 1000 + kMaxSteps - 1) / kMaxSteps);
    // Steps end on multiples of the step, so imports of overlapping ranges
    // produce the same intervals (the cache then ignores what it holds).
    const qint64 stepMs = step * 1000;
    const qint64 firstEnd = (fromMs / stepMs + 1) * stepMs;
    const qint64 lastEnd = std::max(firstEnd, (toMs / stepMs) * stepMs);
    QUrl url(m_config.url + QStringLiteral("/api/v1/query_range"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), query(int(step)));
    q.addQueryItem(QStringLiteral("start"), QString::number(firstEnd / 1000));
    q.addQueryItem(QStringLiteral("end"), QString::number(lastEnd / 1000));
    q.addQueryItem(QStringLiteral("step"), QString::number(step));
    url.setQuery(q);
    QNetworkRequest request(url);
    request.setTransferTimeout(kTimeoutMs);
    request.setRawHeader("Accept", "application/json");
    setState(State::Loading);
    QNetworkReply *reply = m_network->get(request);
    const PrometheusConfig config = m_config;
    connect(reply, &QNetworkReply::finished, this, [this, reply, config, fromMs, toMs, step] {
        reply->deleteLater();
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (http == 0) {
            fail(tr("Prometheus at %1 is unreachable: %2").arg(config.url, reply->errorString()));
            return;
        }
        if (http == 404) {
            fail(tr("%1 does not serve the Prometheus API (HTTP 404): give the server's root, "
                    "e.g. http://host:9090")
                     .arg(config.url));
            return;
        }
        auto *watcher = new QFutureWatcher<std::pair<PrometheusImport, QString>>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, http] {
            watcher->deleteLater();
            auto [result, error] = watcher->result();
            if (!error.isEmpty()) {
                fail(http >= 400 ? tr("Prometheus answered HTTP %1: %2").arg(http).arg(error)
                                 : error);
                return;
            }
            m_lastError.clear();
            m_lastSuccessMs = QDateTime::currentMSecsSinceEpoch();
            setState(State::Fresh);
            emit imported(result);
        });
        watcher->setFuture(QtConcurrent::run([body, config, fromMs, toMs, step] {
            QString error;
            PrometheusImport r = convert(body, config, fromMs, toMs, int(step), &error);
            return std::make_pair(std::move(r), error);
        }));
    });
}

void PrometheusSource::loadExemplars(qint64 fromMs, qint64 toMs)
{
    QUrl url(m_config.url + QStringLiteral("/api/v1/query_exemplars"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), m_config.selector);
    q.addQueryItem(QStringLiteral("start"), QString::number(double(fromMs) / 1000.0, 'f', 3));
    q.addQueryItem(QStringLiteral("end"), QString::number(double(toMs) / 1000.0, 'f', 3));
    url.setQuery(q);
    QNetworkRequest request(url);
    request.setTransferTimeout(kTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    const PrometheusConfig config = m_config;
    connect(reply, &QNetworkReply::finished, this, [this, reply, config] {
        reply->deleteLater();
        const int http = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (http == 0) {
            emit failed(
                tr("Prometheus at %1 is unreachable: %2").arg(config.url, reply->errorString()));
            return;
        }
        // Small answers (exemplars are few): parsed here.
        const PromExemplars e = parsePromExemplars(reply->readAll(), config.millisPerUnit);
        if (!e.ok) {
            emit failed(tr("Prometheus exemplars (HTTP %1): %2").arg(http).arg(e.error));
            return;
        }
        QHash<QString, std::vector<Exemplar>> byRoute;
        for (const auto &[labels, list] : e.series) {
            const QString route = labels.value(config.routeLabel);
            auto &out =
                byRoute[config.routePrefix + (route.isEmpty() ? QStringLiteral("(none)") : route)];
            out.insert(out.end(), list.begin(), list.end());
        }
        emit exemplarsLoaded(byRoute);
    });
}

PrometheusImport PrometheusSource::convert(const QByteArray &body, const PrometheusConfig &config,
                                           qint64 fromMs, qint64 toMs, int stepSeconds,
                                           QString *error)
{
    PrometheusImport out;
    out.source = QStringLiteral("prometheus:") + config.url;
    out.fromMs = fromMs;
    out.toMs = toMs;
    const PromResponse r = parsePromResponse(body);
    if (!r.ok) {
        QString why = r.error;
        if (why.contains(QLatin1String("native histograms are disabled")))
            why += QStringLiteral(" (start Prometheus with --enable-feature=native-histograms)");
        *error = why.isEmpty() ? QStringLiteral("Prometheus reported an error") : why;
        return out;
    }
    out.warnings = r.warnings;
    const qint64 stepMs = qint64(stepSeconds) * 1000;
    std::size_t floats = 0;
    for (const auto &s : r.series) {
        floats += s.floatSamples;
        const QString route = s.labels.value(config.routeLabel);
        // The model column names the histogram imported.
        SeriesKey key{config.routePrefix + (route.isEmpty() ? QStringLiteral("(none)") : route),
                      config.selector.section(QLatin1Char('{'), 0, 0),
                      {}};
        for (const auto &sample : s.samples) {
            QString why;
            auto buckets = promToExponential(sample.histogram, &why);
            std::optional<ImportedSketch> sketch;
            if (buckets)
                sketch = importExponential(*buckets, config.millisPerUnit, &why);
            if (!sketch) {
                ++out.rejected;
                if (out.firstRejection.isEmpty())
                    out.firstRejection = why;
                continue;
            }
            ++out.samples;
            out.minSchema = std::min(out.minSchema, buckets->scale);
            out.relativeError = std::max(out.relativeError, sketch->relativeError);
            SeriesRollup row;
            row.key = key;
            row.startMs = sample.timeMs - stepMs;
            row.aggregate.count = sketch->sketch.count();
            row.aggregate.latency = std::move(sketch->sketch);
            out.rollups.push_back(std::move(row));
        }
    }
    std::sort(out.rollups.begin(), out.rollups.end(),
              [](const SeriesRollup &a, const SeriesRollup &b) { return a.startMs < b.startMs; });
    if (out.samples == 0 && floats > 0) {
        *error = QStringLiteral("the answer holds only float samples, no native histograms: is "
                                "%1 a native histogram, and is Prometheus started with "
                                "--enable-feature=native-histograms?")
                     .arg(config.selector);
    } else if (out.samples == 0 && out.rejected > 0) {
        *error = QStringLiteral("no usable histogram: %1").arg(out.firstRejection);
    }
    return out;
}

} // namespace sb
