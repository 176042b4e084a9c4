#pragma once

// The console's flags for other sources: the OTLP receiver (--otlp-*) and a
// Prometheus server (--prometheus*), and how a connection profile's mapping
// (which attributes / labels name route, model and variant) fills in what
// the flags leave unset. A profile's own Prometheus source (URL, metric,
// auth, CA: its "Prometheus history" section) is used when no --prometheus
// names one; each flag still wins over its field. prometheus() reads the
// custom CA file (before any window opens); prometheusUnread() leaves that to
// whoever starts the source.

#include "client/prometheus_source.h"
#include "otlp/otlp_decode.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <optional>

namespace sb {

struct ConnectionProfile;

class SourceOptions
{
public:
    SourceOptions();
    void addTo(QCommandLineParser &parser) const;

    bool otlpWanted(const QCommandLineParser &p) const { return p.isSet(m_otlp); }
    QString otlpAddress(const QCommandLineParser &p) const { return p.value(m_otlp); }
    // Flags first, then the profile's mapping (may be null), then defaults.
    otlp::Mapping otlpMapping(const QCommandLineParser &p, const ConnectionProfile *profile) const;
    // nullopt without --prometheus and without a profile's Prometheus URL;
    // false with the reason on a bad value.
    bool prometheus(const QCommandLineParser &p, const ConnectionProfile *profile,
                    std::optional<PrometheusConfig> *out, QString *error) const;
    // The same without reading the CA: caFile names it (for a window's
    // profile, read by its controller off the GUI thread).
    bool prometheusUnread(const QCommandLineParser &p, const ConnectionProfile *profile,
                          std::optional<PrometheusConfig> *out, QString *error) const;
    QString traceUrl(const QCommandLineParser &p) const { return p.value(m_trace); }

private:
    QCommandLineOption m_otlp, m_otlpRoute, m_otlpModel, m_otlpVariant;
    QCommandLineOption m_prom, m_promSel, m_promRoute, m_promModel, m_promVariant, m_promUnit,
        m_promKind, m_promTokenEnv, m_promKeychain, m_promUser, m_promCa;
    QCommandLineOption m_trace;
};

} // namespace sb
