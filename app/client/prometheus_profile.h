#pragma once

// A connection profile's Prometheus source as a PrometheusConfig: the URL,
// metric, labels, unit and how to authenticate the profile holds (the secret
// itself stays in the keychain entry prometheusKeychainEntry(name)); and the
// custom CA's PEM read from its file, for whoever builds the config (off the
// GUI thread, or before any window opens).

#include "client/connection_profile.h"
#include "client/prometheus_source.h"

#include <functional>
#include <optional>

namespace sb {

// Without the CA's PEM (see readPrometheusCa); p.promUrl empty: url empty.
PrometheusConfig prometheusConfigOf(const ConnectionProfile &p);
// The profile's Prometheus source, its CA named by caFile (nullopt: the
// profile has none).
std::optional<PrometheusConfig> prometheusSourceOf(const ConnectionProfile &p);

// The PEM certificates in `path`; false with a sentence naming `what` (the
// flag or the field) when the file cannot be read or holds no certificate.
bool readPrometheusCa(const QString &path, const QString &what, QByteArray *pem, QString *error);
// The same on a worker thread; `done` runs on context's thread with the PEM
// or the sentence (not at all once context is gone).
void readPrometheusCaLater(QObject *context, const QString &path, const QString &what,
                           std::function<void(const QByteArray &pem, const QString &error)> done);

} // namespace sb
