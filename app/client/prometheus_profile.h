#pragma once

// A connection profile's Prometheus source as a PrometheusConfig: the URL,
// metric, labels, unit and how to authenticate the profile holds (the secret
// itself stays in the keychain entry prometheusKeychainEntry(name)); and the
// custom CA's PEM read from its file, for whoever builds the config (off the
// GUI thread, or before any window opens).

#include "client/connection_profile.h"
#include "client/prometheus_source.h"

namespace sb {

// Without the CA's PEM (see readPrometheusCa); p.promUrl empty: url empty.
PrometheusConfig prometheusConfigOf(const ConnectionProfile &p);

// The PEM certificates in `path`; false with a sentence naming `what` (the
// flag or the field) when the file cannot be read or holds no certificate.
bool readPrometheusCa(const QString &path, const QString &what, QByteArray *pem, QString *error);

} // namespace sb
