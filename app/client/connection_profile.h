#pragma once

// ConnectionProfile: how to reach one service, as the user keeps it. It holds
// no secret: a token lives in the OS keychain (under the profile's name) or in
// the environment variable the profile names, and certificate files are
// referred to by path. Widget-free, so the settings store (ui/connections),
// the profile file (client/profile_file.h) and the fuzzers share it.
//
// profile_fields lists every stored field once; the settings store and the
// profile file both read and write through it, and a compile-time check
// refuses a new member of ConnectionProfile that the list does not name.

#include "client/environment.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <span>
#include <vector>

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
    // A Prometheus server this profile's console imports latency history
    // from (empty: none), the histogram to import and its unit ("s" or
    // "ms"; empty: s), and how to authenticate: the bearer token or the
    // basic-auth password is kept in the keychain entry
    // prometheusKeychainEntry(name), never here. promCaFile: the PEM of a
    // custom CA for an https URL (empty: the system's roots).
    enum class PromAuth
    {
        None,
        Bearer,
        Basic
    };
    QString promUrl;
    QString promSelector;
    QString promUnit;
    PromAuth promAuth = PromAuth::None;
    QString promBasicUser;
    QString promCaFile;
    // The in-process sim the console started itself: not stored.
    bool builtIn = false;

    // "" when the profile can be used, else what to fix, naming the field.
    QString validate() const;
    // The Prometheus fields' part of validate().
    QString validatePrometheus() const;
    // "TLS, custom CA, client certificate, token from the keychain"
    QString summary() const;
    // Where the token comes from, in words for "check …" advice.
    QString tokenHint() const;
    bool operator==(const ConnectionProfile &) const = default;
};

QString toString(ConnectionProfile::TokenSource s);
QString toString(ConnectionProfile::PromAuth a);
// The keychain entry (service "switchboard") of a profile's Prometheus
// secret: "<profile>/prometheus" (a profile's name holds no '/').
QString prometheusKeychainEntry(const QString &profile);
const ConnectionProfile *findProfile(const std::vector<ConnectionProfile> &profiles,
                                     const QString &name);

namespace profile_fields {

// How a field is written: a string, true/false, or a list of strings.
enum class Kind
{
    Text,
    Flag,
    List
};

struct Field
{
    const char *key; // the settings key and the profile file's member name
    Kind kind;
    QVariant (*get)(const ConnectionProfile &);
    // False when the value is not one the field knows (an unknown
    // environment, a header without a colon); the profile is then unchanged.
    bool (*set)(ConnectionProfile &, const QVariant &);
    const char *expected; // for the error: "dev, staging or prod"
};

// Every stored field, in the order a profile file lists them.
std::span<const Field> all();

} // namespace profile_fields

} // namespace sb
