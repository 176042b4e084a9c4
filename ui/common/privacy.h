#pragma once

// Privacy while presenting: one switch for the whole application and one
// function that takes host names, endpoints, addresses, tokens and request
// ids out of a text before a widget shows it. The sessions register the
// endpoints and tokens they use, so those go even when they do not look like
// an address ("payments-gw:443", a bare host). Off, masked() returns its
// text unchanged. Widget-free: models and controllers use it too.

#include <QObject>
#include <QString>

namespace sb::privacy {

inline constexpr QStringView kPlaceholder = u"•••";

bool enabled();
void setEnabled(bool on);

// An endpoint a session uses ("host:port", "dns:///host:port"): it and its
// host are masked from now on.
void addEndpoint(const QString &endpoint);
// A secret (a token) masked wherever it shows.
void addSecret(const QString &secret);

// text with every known endpoint, host and secret, IPv4 and IPv6 addresses,
// host:port patterns, UUID-like request ids and bearer tokens replaced by
// kPlaceholder, when enabled(); text unchanged otherwise.
QString masked(const QString &text);
// The same regardless of enabled() (tests, exports while presenting).
QString maskAlways(const QString &text);

// Emits changed() when setEnabled() flips the switch (on the GUI thread).
class Notifier : public QObject
{
    Q_OBJECT
signals:
    void changed(bool on);
};
Notifier *notifier();

} // namespace sb::privacy
