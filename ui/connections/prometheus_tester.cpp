#include "ui/connections/prometheus_tester.h"

#include "client/prometheus_profile.h"
#include "client/prometheus_source.h"
#include "ui/connections/token_store.h"

#include <QDateTime>
#include <QSet>

namespace sb {

PrometheusTester::PrometheusTester(QObject *parent) : QObject(parent) {}

void PrometheusTester::test(const ConnectionProfile &profile, const QString &typedSecret)
{
    if (m_busy)
        return;
    if (profile.promUrl.trimmed().isEmpty()) {
        emit finished(false, tr("Give the Prometheus server's URL first, e.g. "
                                "http://prometheus:9090"));
        return;
    }
    if (const QString e = profile.validatePrometheus(); !e.isEmpty()) {
        emit finished(false, e);
        return;
    }
    m_busy = true;
    PrometheusConfig config = prometheusConfigOf(profile);
    if (profile.promCaFile.isEmpty()) {
        haveCa(config, typedSecret);
        return;
    }
    // The CA file is read on a worker thread.
    readPrometheusCaLater(this, profile.promCaFile, tr("Prometheus CA"),
                          [this, config, typedSecret](const QByteArray &pem, const QString &error) {
                              if (!error.isEmpty()) {
                                  finish(false, error);
                                  return;
                              }
                              PrometheusConfig c = config;
                              c.caPem = pem;
                              haveCa(c, typedSecret);
                          });
}

void PrometheusTester::haveCa(PrometheusConfig config, const QString &typedSecret)
{
    if (config.auth == PrometheusConfig::Auth::None || !typedSecret.isEmpty()) {
        run(config, typedSecret);
        return;
    }
    auto *tokens = new TokenStore(this);
    connect(tokens, &TokenStore::tokenRead, this,
            [this, tokens, config](const QString &, const QString &secret, const QString &error) {
                tokens->deleteLater();
                if (!error.isEmpty())
                    finish(false,
                           tr("No Prometheus secret to send: %1; type it in the form").arg(error));
                else
                    run(config, secret);
            });
    tokens->read(config.keychainEntry);
}

void PrometheusTester::run(const PrometheusConfig &config, const QString &secret)
{
    PrometheusConfig c = config;
    c.stepSeconds = 60;
    m_source = new PrometheusSource(c, this);
    m_source->setSecret(secret);
    connect(m_source, &PrometheusSource::imported, this, &PrometheusTester::imported);
    connect(m_source, &PrometheusSource::failed, this, [this](const QString &error) {
        if (error.contains(QLatin1String("only float samples")) ||
            error.contains(QLatin1String("nor are there classic buckets")))
            empty(error);
        else
            finish(false, error);
    });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_source->importRange(now - kSpanMs, now);
}

void PrometheusTester::imported(const PrometheusImport &r)
{
    if (r.samples == 0) {
        empty(QString());
        return;
    }
    QSet<QString> series;
    for (const auto &row : r.rollups)
        series.insert(row.key.route + QLatin1Char('\n') + row.key.model + QLatin1Char('\n') +
                      row.key.variant);
    const QString how = r.classic ? tr("classic buckets (histogram_quantile's reading, ±%1 %)")
                                        .arg(r.relativeError * 100, 0, 'f', 0)
                                  : tr("native histograms, schema %1, quantiles within ±%2 %")
                                        .arg(r.minSchema)
                                        .arg(r.relativeError * 100, 0, 'f', 2);
    finish(true, tr("Prometheus at %1 answered: %n series of %2 in the last hour (%3).", nullptr,
                    int(series.size()))
                     .arg(m_source->config().url, m_source->config().selector, how));
}

void PrometheusTester::empty(const QString &nativeError)
{
    // Reachable, but nothing to import: native histograms off, or no such metric.
    const QString url = m_source->config().url;
    const QString selector = m_source->config().selector;
    connect(m_source, &PrometheusSource::featuresChecked, this,
            [this, url, selector, nativeError](bool native, const QString &error) {
                if (error.isEmpty() && !native)
                    finish(false, tr("Prometheus at %1 answers, but native histograms are "
                                     "disabled there (start it with "
                                     "--enable-feature=native-histograms), and %2 has no "
                                     "classic buckets in the last hour either")
                                      .arg(url, selector));
                else
                    finish(false,
                           nativeError.isEmpty()
                               ? tr("Prometheus at %1 answers, but holds no %2 in the "
                                    "last hour: check the metric's name and labels")
                                     .arg(url, selector)
                               : tr("Prometheus at %1 answers, but: %2").arg(url, nativeError));
            });
    m_source->checkFeatures();
}

void PrometheusTester::finish(bool ok, const QString &sentence)
{
    if (m_source)
        m_source->deleteLater();
    m_source = nullptr;
    m_busy = false;
    emit finished(ok, sentence);
}

} // namespace sb
