#include "source_options.h"

#include "client/prometheus_profile.h"
#include "core/bucket_import.h"
#include "ui/connections/profile.h"

namespace sb {

namespace {
QCommandLineOption option(const char *name, const char *help, const char *value = nullptr,
                          const char *fallback = nullptr)
{
    return QCommandLineOption(QString::fromLatin1(name), QString::fromUtf8(help),
                              value ? QString::fromLatin1(value) : QString(),
                              fallback ? QString::fromLatin1(fallback) : QString());
}

QStringList list(const QString &flag)
{
    QStringList out;
    for (const QString &s : flag.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out << s.trimmed();
    return out;
}
} // namespace

SourceOptions::SourceOptions()
    : m_otlp(option("otlp-listen",
                    "Receive OTLP/gRPC metrics and traces (an OpenTelemetry SDK's or Collector's "
                    "otlp exporter) at host:port, e.g. 127.0.0.1:4317. Off by default; a "
                    "non-loopback address is reachable from other machines.",
                    "host:port")),
      m_otlpRoute(option("otlp-route-attributes",
                         "Attributes that name an OTLP series' route, first present wins "
                         "(default route,http.route,gen_ai.operation.name).",
                         "a,b")),
      m_otlpModel(option("otlp-model-attributes",
                         "Attributes that name an OTLP series' model "
                         "(default gen_ai.response.model,gen_ai.request.model).",
                         "a,b")),
      m_otlpVariant(option("otlp-variant-attributes",
                           "Attributes that name an OTLP series' variant (default none).", "a,b")),
      m_prom(option("prometheus",
                    "Import latency history from the Prometheus server at URL (native "
                    "histograms, else classic buckets), e.g. http://127.0.0.1:9090. Without it, "
                    "--profile's \"Prometheus history\" is used; these flags win over it.",
                    "URL")),
      m_promSel(option("prometheus-selector",
                       "The histogram to import (default "
                       "gen_ai_client_operation_duration_seconds).",
                       "selector", "gen_ai_client_operation_duration_seconds")),
      m_promRoute(option("prometheus-route-label", "The label that names a route (default route).",
                         "label")),
      m_promModel(option("prometheus-model-label",
                         "The label that names a model (default: the histogram's name).", "label")),
      m_promVariant(option("prometheus-variant-label",
                           "The label that names a variant (default none).", "label")),
      m_promUnit(
          option("prometheus-unit", "The histogram's unit: s (default) or ms.", "unit", "s")),
      m_promKind(option("prometheus-histograms",
                        "auto (default: native, else classic le buckets), native or classic.",
                        "kind", "auto")),
      m_promTokenEnv(option("prometheus-secret-env",
                            "The environment variable holding Prometheus' bearer token (or, "
                            "with --prometheus-basic-user, the password).",
                            "VAR")),
      m_promKeychain(option("prometheus-keychain",
                            "Read that secret from the keychain entry NAME (service "
                            "\"switchboard\", like a profile's token).",
                            "NAME")),
      m_promUser(option("prometheus-basic-user",
                        "Basic auth as USER (password from --prometheus-secret-env or "
                        "--prometheus-keychain).",
                        "USER")),
      m_promCa(option("prometheus-ca",
                      "PEM file of the CA that signed Prometheus' certificate (default: the "
                      "system's roots).",
                      "FILE")),
      m_trace(option("trace-url",
                     "Link for an exemplar's trace in your tracing UI; {trace_id} is replaced, "
                     "e.g. http://tracing:16686/trace/{trace_id}.",
                     "template"))
{}

void SourceOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_otlp, m_otlpRoute, m_otlpModel, m_otlpVariant, m_prom, m_promSel,
                       m_promRoute, m_promModel, m_promVariant, m_promUnit, m_promKind,
                       m_promTokenEnv, m_promKeychain, m_promUser, m_promCa, m_trace});
}

otlp::Mapping SourceOptions::otlpMapping(const QCommandLineParser &p,
                                         const ConnectionProfile *profile) const
{
    otlp::Mapping m;
    const auto pick = [&](const QCommandLineOption &flag, const QStringList &fromProfile,
                          QStringList *into) {
        if (p.isSet(flag))
            *into = list(p.value(flag));
        else if (!fromProfile.isEmpty())
            *into = fromProfile;
    };
    pick(m_otlpRoute, profile ? profile->otlpRouteAttributes : QStringList(), &m.routeAttributes);
    pick(m_otlpModel, profile ? profile->otlpModelAttributes : QStringList(), &m.modelAttributes);
    pick(m_otlpVariant, profile ? profile->otlpVariantAttributes : QStringList(),
         &m.variantAttributes);
    return m;
}

bool SourceOptions::prometheus(const QCommandLineParser &p, const ConnectionProfile *profile,
                               std::optional<PrometheusConfig> *out, QString *error) const
{
    if (!prometheusUnread(p, profile, out, error))
        return false;
    if (!*out || (*out)->caFile.isEmpty())
        return true;
    const QString what = p.isSet(m_promCa) ? QStringLiteral("--prometheus-ca")
                                           : QStringLiteral("profile \"%1\": Prometheus CA")
                                                 .arg(profile ? profile->name : QString());
    if (!readPrometheusCa((*out)->caFile, what, &(*out)->caPem, error)) {
        out->reset();
        return false;
    }
    return true;
}

bool SourceOptions::prometheusUnread(const QCommandLineParser &p, const ConnectionProfile *profile,
                                     std::optional<PrometheusConfig> *out, QString *error) const
{
    out->reset();
    const bool fromProfile = profile && !profile->promUrl.trimmed().isEmpty();
    if (!p.isSet(m_prom) && !fromProfile)
        return true;
    // The profile's source (if it has one, or just its labels), then the flags over it.
    ConnectionProfile base = profile ? *profile : ConnectionProfile();
    if (!fromProfile) { // --prometheus alone: the profile lends its labels only
        base.promAuth = ConnectionProfile::PromAuth::None;
        base.promCaFile.clear();
        base.promSelector.clear();
        base.promUnit.clear();
    }
    PrometheusConfig c = prometheusConfigOf(base);
    if (p.isSet(m_prom))
        c.url = p.value(m_prom);
    if (p.isSet(m_promSel) || !fromProfile)
        c.selector = p.value(m_promSel);
    for (const auto &[flag, into] :
         {std::pair{&m_promRoute, &c.routeLabel}, std::pair{&m_promModel, &c.modelLabel},
          std::pair{&m_promVariant, &c.variantLabel}}) {
        if (p.isSet(*flag))
            *into = p.value(*flag).trimmed();
    }
    if (p.isSet(m_promUnit) || !fromProfile || base.promUnit.isEmpty()) {
        const auto unit = millisPerUnit(p.value(m_promUnit));
        if (!unit) {
            *error = QStringLiteral("--prometheus-unit must be s or ms");
            return false;
        }
        c.millisPerUnit = *unit;
    }
    const QString kind = p.value(m_promKind);
    if (kind == QLatin1String("native"))
        c.histograms = PrometheusConfig::Histograms::Native;
    else if (kind == QLatin1String("classic"))
        c.histograms = PrometheusConfig::Histograms::Classic;
    else if (kind != QLatin1String("auto")) {
        *error = QStringLiteral("--prometheus-histograms must be auto, native or classic");
        return false;
    }
    // A secret named by a flag replaces the profile's keychain entry.
    const bool secretFlag = p.isSet(m_promTokenEnv) || p.isSet(m_promKeychain);
    if (secretFlag || p.isSet(m_promUser)) {
        c.secretEnv = p.value(m_promTokenEnv);
        c.keychainEntry = p.value(m_promKeychain);
        if (p.isSet(m_promUser))
            c.basicUser = p.value(m_promUser);
        else if (c.auth != PrometheusConfig::Auth::Basic)
            c.basicUser.clear();
        const bool secret = !c.secretEnv.isEmpty() || !c.keychainEntry.isEmpty();
        c.auth = !c.basicUser.isEmpty() ? PrometheusConfig::Auth::Basic
                 : secret               ? PrometheusConfig::Auth::Bearer
                                        : PrometheusConfig::Auth::None;
        if (c.auth == PrometheusConfig::Auth::Basic && !secret) {
            *error = QStringLiteral("--prometheus-basic-user needs --prometheus-secret-env or "
                                    "--prometheus-keychain for the password");
            return false;
        }
    }
    c.caFile = p.isSet(m_promCa) ? p.value(m_promCa) : base.promCaFile;
    *out = c;
    return true;
}

} // namespace sb
