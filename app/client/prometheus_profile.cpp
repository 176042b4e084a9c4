#include "client/prometheus_profile.h"

#include "core/bucket_import.h"

#include <QFile>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

PrometheusConfig prometheusConfigOf(const ConnectionProfile &p)
{
    PrometheusConfig c;
    c.url = p.promUrl.trimmed();
    c.selector = p.promSelector.trimmed().isEmpty()
                     ? QStringLiteral("gen_ai_client_operation_duration_seconds")
                     : p.promSelector.trimmed();
    if (!p.promRouteLabel.isEmpty())
        c.routeLabel = p.promRouteLabel;
    c.modelLabel = p.promModelLabel;
    c.variantLabel = p.promVariantLabel;
    c.millisPerUnit =
        millisPerUnit(p.promUnit.isEmpty() ? QStringLiteral("s") : p.promUnit).value_or(1000.0);
    switch (p.promAuth) {
    case ConnectionProfile::PromAuth::Bearer:
        c.auth = PrometheusConfig::Auth::Bearer;
        break;
    case ConnectionProfile::PromAuth::Basic:
        c.auth = PrometheusConfig::Auth::Basic;
        c.basicUser = p.promBasicUser.trimmed();
        break;
    case ConnectionProfile::PromAuth::None:
        break;
    }
    if (c.auth != PrometheusConfig::Auth::None)
        c.keychainEntry = prometheusKeychainEntry(p.name);
    return c;
}

std::optional<PrometheusConfig> prometheusSourceOf(const ConnectionProfile &p)
{
    if (p.promUrl.trimmed().isEmpty())
        return std::nullopt;
    PrometheusConfig c = prometheusConfigOf(p);
    c.caFile = p.promCaFile.trimmed();
    return c;
}

void readPrometheusCaLater(QObject *context, const QString &path, const QString &what,
                           std::function<void(const QByteArray &pem, const QString &error)> done)
{
    using Read = std::pair<QByteArray, QString>;
    auto *watcher = new QFutureWatcher<Read>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::move(done)] {
                         watcher->deleteLater();
                         const auto [pem, error] = watcher->result();
                         done(pem, error);
                     });
    watcher->setFuture(QtConcurrent::run([path, what] {
        Read r;
        readPrometheusCa(path, what, &r.first, &r.second);
        return r;
    }));
}

bool readPrometheusCa(const QString &path, const QString &what, QByteArray *pem, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read %2: %3").arg(what, path, f.errorString());
        return false;
    }
    *pem = f.readAll();
    if (!pem->contains("-----BEGIN CERTIFICATE-----")) {
        *error = QStringLiteral("%1: %2 holds no PEM certificate").arg(what, path);
        return false;
    }
    return true;
}

} // namespace sb
