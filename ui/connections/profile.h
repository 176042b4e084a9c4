#pragma once

// ConnectionProfile: how to reach one service, as the user keeps it. It holds
// no secret: a token lives in the OS keychain (under the profile's name) or in
// the environment variable the profile names, and certificate files are
// referred to by path. ProfileStore keeps the list in QSettings.

#include "ui/session.h"

#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>
#include <vector>

class QColor;
class QSettings;

namespace sb {

struct ConnectionProfile
{
    enum class TokenSource
    {
        None,
        Keychain,
        Environment
    };

    QString name;
    QString endpoint; // host:port
    Environment environment = Environment::Dev;
    bool tls = false;
    QString caFile; // empty with tls: the system's root certificates
    QString clientCertFile;
    QString clientKeyFile;
    TokenSource tokenSource = TokenSource::None;
    QString tokenVariable; // for TokenSource::Environment
    QList<QPair<QString, QString>> metadata;
    // Which OTLP attributes and Prometheus labels name a series' route,
    // model and variant (the first present wins). Empty: the defaults (OTLP
    // route, http.route, gen_ai.operation.name / gen_ai.response.model,
    // gen_ai.request.model / no variant; Prometheus route / the histogram's
    // name / no variant). Applied by the console to --otlp-listen and
    // --prometheus when started with --profile; flags win.
    QStringList otlpRouteAttributes;
    QStringList otlpModelAttributes;
    QStringList otlpVariantAttributes;
    QString promRouteLabel;
    QString promModelLabel;
    QString promVariantLabel;
    // The in-process sim the console started itself: not stored.
    bool builtIn = false;

    // "" when the profile can be used, else what to fix, naming the field.
    QString validate() const;
    // "TLS, custom CA, client certificate, token from the keychain"
    QString summary() const;
    // Where the token comes from, in words for "check …" advice.
    QString tokenHint() const;
    bool operator==(const ConnectionProfile &) const = default;
};

QColor environmentColor(Environment e);

// What a session connected through `p` is: its name, the key its cache rows
// are kept under (the endpoint; "sim" for the console's in-process sim),
// its environment and token advice. `alone`: the only window open, which
// may borrow the last endpoint's cache. switchboard-ctl uses the same keys,
// so it reads what the console cached.
SessionTarget sessionTargetFor(const ConnectionProfile &p, bool alone);

// Profiles in QSettings ("profiles/<n>/…"), without secrets. load/save touch
// the settings file: the console calls load before its window shows and
// saves through saveAsync, off the GUI thread.
namespace profile_store {
std::vector<ConnectionProfile> load(QSettings &settings);
void save(QSettings &settings, const std::vector<ConnectionProfile> &profiles);
// Writes with a QSettings of its own on a worker thread. settingsPath empty:
// the application's default settings file.
void saveAsync(const std::vector<ConnectionProfile> &profiles, const QString &settingsPath = {});
// Blocks until every saveAsync has written (at exit, after the window closed).
void waitForSaves();
const ConnectionProfile *find(const std::vector<ConnectionProfile> &profiles, const QString &name);
} // namespace profile_store

} // namespace sb

Q_DECLARE_METATYPE(std::vector<sb::ConnectionProfile>)
