#pragma once

// PrometheusTester: the "Test" button of a profile's Prometheus history.
// Builds the source the console would (the CA file read off the GUI thread,
// the secret typed in the form or else the one kept in the keychain), imports
// the last hour once through the real PrometheusSource (network and JSON off
// the GUI thread) and ends with one sentence: how many series were found and
// at what accuracy, or what is wrong (unreachable, HTTP 404/500, refused
// credentials, the TLS check, native histograms disabled, no such metric).
// Nothing is kept: the source goes away after the answer.

#include "client/connection_profile.h"

#include <QObject>
#include <QPointer>

namespace sb {

class PrometheusSource;
struct PrometheusConfig;
struct PrometheusImport;

class PrometheusTester : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kSpanMs = 3600 * 1000;

    explicit PrometheusTester(QObject *parent = nullptr);

    // typedSecret: a token or password typed and not saved yet; it wins.
    void test(const ConnectionProfile &profile, const QString &typedSecret);
    bool busy() const { return m_busy; }

signals:
    void finished(bool ok, const QString &sentence);

private:
    void haveCa(PrometheusConfig config, const QString &typedSecret);
    void run(const PrometheusConfig &config, const QString &secret);
    void imported(const PrometheusImport &r);
    void empty(const QString &nativeError);
    void finish(bool ok, const QString &sentence);

    bool m_busy = false;
    QPointer<PrometheusSource> m_source;
};

} // namespace sb
