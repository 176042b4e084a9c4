#include "client/connection_profile.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <iterator>

namespace sb {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectionProfile", text);
}

bool parseSource(const QString &s, ConnectionProfile::TokenSource *out)
{
    if (s == QLatin1String("keychain"))
        *out = ConnectionProfile::TokenSource::Keychain;
    else if (s == QLatin1String("environment"))
        *out = ConnectionProfile::TokenSource::Environment;
    else if (s == QLatin1String("none") || s.isEmpty())
        *out = ConnectionProfile::TokenSource::None;
    else
        return false;
    return true;
}

bool parsePromAuth(const QString &s, ConnectionProfile::PromAuth *out)
{
    if (s == QLatin1String("bearer"))
        *out = ConnectionProfile::PromAuth::Bearer;
    else if (s == QLatin1String("basic"))
        *out = ConnectionProfile::PromAuth::Basic;
    else if (s == QLatin1String("none") || s.isEmpty())
        *out = ConnectionProfile::PromAuth::None;
    else
        return false;
    return true;
}

QStringList headerLines(const QList<QPair<QString, QString>> &metadata)
{
    QStringList lines;
    for (const auto &[key, value] : metadata)
        lines << key + QLatin1Char(':') + value;
    return lines;
}

bool parseHeaders(const QStringList &lines, QList<QPair<QString, QString>> *out)
{
    QList<QPair<QString, QString>> headers;
    for (const QString &h : lines) {
        const qsizetype colon = h.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return false;
        headers.append({h.left(colon), h.mid(colon + 1)});
    }
    *out = headers;
    return true;
}

using profile_fields::Field;
using profile_fields::Kind;

// One line per stored member. A text field accepts any string.
#define SB_TEXT_FIELD(member)                                                                      \
    Field                                                                                          \
    {                                                                                              \
#member, Kind::Text, [](const ConnectionProfile &p) { return QVariant(p.member); },        \
            [](ConnectionProfile &p, const QVariant &v) {                                          \
                p.member = v.toString();                                                           \
                return true;                                                                       \
            },                                                                                     \
            "text"       \
    }

// A list field: any list of strings.
#define SB_LIST_FIELD(member)                                                                      \
    Field                                                                                          \
    {                                                                                              \
#member, Kind::List, [](const ConnectionProfile &p) { return QVariant(p.member); },        \
            [](ConnectionProfile &p, const QVariant &v) {                                          \
                p.member = v.toStringList();                                                       \
                return true;                                                                       \
            },                                                                                     \
            "a list of strings"       \
    }

constexpr Field kFields[] = {
    SB_TEXT_FIELD(name),
    SB_TEXT_FIELD(endpoint),
    {"environment", Kind::Text,
     [](const ConnectionProfile &p) { return QVariant(toString(p.environment)); },
     [](ConnectionProfile &p, const QVariant &v) {
         return parseEnvironment(v.toString(), &p.environment);
     },
     "dev, staging or prod"},
    {"tls", Kind::Flag, [](const ConnectionProfile &p) { return QVariant(p.tls); },
     [](ConnectionProfile &p, const QVariant &v) {
         p.tls = v.toBool();
         return true;
     },
     "true or false"},
    SB_TEXT_FIELD(caFile),
    SB_TEXT_FIELD(clientCertFile),
    SB_TEXT_FIELD(clientKeyFile),
    {"tokenSource", Kind::Text,
     [](const ConnectionProfile &p) { return QVariant(toString(p.tokenSource)); },
     [](ConnectionProfile &p, const QVariant &v) {
         return parseSource(v.toString(), &p.tokenSource);
     },
     "none, keychain or environment"},
    SB_TEXT_FIELD(tokenVariable),
    {"headers", Kind::List,
     [](const ConnectionProfile &p) { return QVariant(headerLines(p.metadata)); },
     [](ConnectionProfile &p, const QVariant &v) {
         return parseHeaders(v.toStringList(), &p.metadata);
     },
     "a list of \"name:value\" strings"},
    SB_LIST_FIELD(otlpRouteAttributes),
    SB_LIST_FIELD(otlpModelAttributes),
    SB_LIST_FIELD(otlpVariantAttributes),
    SB_TEXT_FIELD(promRouteLabel),
    SB_TEXT_FIELD(promModelLabel),
    SB_TEXT_FIELD(promVariantLabel),
    SB_TEXT_FIELD(promUrl),
    SB_TEXT_FIELD(promSelector),
    SB_TEXT_FIELD(promUnit),
    {"promAuth", Kind::Text,
     [](const ConnectionProfile &p) { return QVariant(toString(p.promAuth)); },
     [](ConnectionProfile &p, const QVariant &v) {
         return parsePromAuth(v.toString(), &p.promAuth);
     },
     "none, bearer or basic"},
    SB_TEXT_FIELD(promBasicUser),
    SB_TEXT_FIELD(promCaFile),
};
#undef SB_TEXT_FIELD
#undef SB_LIST_FIELD

// Members of ConnectionProfile that are deliberately not stored: builtIn.
constexpr std::size_t kUnstoredMembers = 1;

// The number of members of an aggregate, counted by brace-initialising it
// with ever more arguments that convert to anything.
struct AnyMember
{
    template <class T> operator T() const;
};
template <class T, class... A> constexpr std::size_t memberCount()
{
    if constexpr (requires { T{A{}..., AnyMember{}}; })
        return memberCount<T, A..., AnyMember>();
    else
        return sizeof...(A);
}

static_assert(memberCount<ConnectionProfile>() == std::size(kFields) + kUnstoredMembers,
              "a member of ConnectionProfile is missing from kFields: add it there, so the "
              "settings and profile files keep it (or count it in kUnstoredMembers)");

} // namespace

QString toString(ConnectionProfile::TokenSource s)
{
    switch (s) {
    case ConnectionProfile::TokenSource::Keychain:
        return QStringLiteral("keychain");
    case ConnectionProfile::TokenSource::Environment:
        return QStringLiteral("environment");
    case ConnectionProfile::TokenSource::None:
        break;
    }
    return QStringLiteral("none");
}

QString toString(ConnectionProfile::PromAuth a)
{
    switch (a) {
    case ConnectionProfile::PromAuth::Bearer:
        return QStringLiteral("bearer");
    case ConnectionProfile::PromAuth::Basic:
        return QStringLiteral("basic");
    case ConnectionProfile::PromAuth::None:
        break;
    }
    return QStringLiteral("none");
}

QString prometheusKeychainEntry(const QString &profile)
{
    return profile + QStringLiteral("/prometheus");
}

const ConnectionProfile *findProfile(const std::vector<ConnectionProfile> &profiles,
                                     const QString &name)
{
    for (const auto &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

std::span<const Field> profile_fields::all()
{
    return kFields;
}

QString ConnectionProfile::validate() const
{
    if (name.trimmed().isEmpty())
        return tr("Name: give the profile a name");
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
        return tr("Name: must not contain / or \\");
    static const QRegularExpression hostPort(QStringLiteral("^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/]+):"
                                                            "([0-9]{1,5})$"));
    const auto m = hostPort.match(endpoint.trimmed());
    if (!m.hasMatch() || m.captured(2).toInt() < 1 || m.captured(2).toInt() > 65535)
        return tr("Endpoint: expected host:port, e.g. switchboard.example.com:443");
    if (!tls && (!caFile.isEmpty() || !clientCertFile.isEmpty()))
        return tr("TLS: a CA or client certificate needs TLS turned on");
    if (clientCertFile.isEmpty() != clientKeyFile.isEmpty())
        return tr("Client certificate: give both the certificate and its key, or neither");
    if (tokenSource == TokenSource::Environment) {
        static const QRegularExpression var(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
        if (!var.match(tokenVariable).hasMatch())
            return tr("Token: name an environment variable, e.g. SWITCHBOARD_TOKEN");
    }
    static const QRegularExpression header(QStringLiteral("^[a-z0-9][a-z0-9_.-]*$"));
    for (const auto &[key, value] : metadata) {
        const QString k = key.trimmed().toLower();
        if (!header.match(k).hasMatch() || k.endsWith(QLatin1String("-bin")))
            return tr("Headers: \"%1\" is not a valid header name (lower case letters, digits, "
                      "- _ .)")
                .arg(key);
        if (k == QLatin1String("authorization"))
            return tr("Headers: the token is set under Token, not as an authorization header "
                      "(headers are stored in plain text)");
        if (k.startsWith(QLatin1String("grpc-")) || k == QLatin1String("te") ||
            k == QLatin1String("content-type") || k == QLatin1String("user-agent"))
            return tr("Headers: \"%1\" is reserved by gRPC").arg(key);
        if (value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r')))
            return tr("Headers: the value of \"%1\" must be one line").arg(key);
    }
    return validatePrometheus();
}

QString ConnectionProfile::validatePrometheus() const
{
    if (promUrl.trimmed().isEmpty()) {
        if (!promCaFile.isEmpty() || promAuth != PromAuth::None)
            return tr("Prometheus: give the server's URL, e.g. http://prometheus:9090, or turn "
                      "authentication and the CA off");
        return {};
    }
    static const QRegularExpression url(QStringLiteral("^(https?)://[^\\s/?#]+(/[^\\s?#]*)?$"));
    const auto m = url.match(promUrl.trimmed());
    if (!m.hasMatch())
        return tr("Prometheus URL: expected http://host:port or https://host:port, e.g. "
                  "http://prometheus:9090");
    if (!promCaFile.isEmpty() && m.captured(1) != QLatin1String("https"))
        return tr("Prometheus CA: a custom CA needs an https:// URL");
    if (!promUnit.isEmpty() && promUnit != QLatin1String("s") && promUnit != QLatin1String("ms"))
        return tr("Prometheus unit: s or ms");
    if (promAuth == PromAuth::Basic && promBasicUser.trimmed().isEmpty())
        return tr("Prometheus: basic auth needs a user name");
    if (promSelector.contains(QLatin1Char('\n')))
        return tr("Prometheus metric: one line");
    return {};
}

QString ConnectionProfile::summary() const
{
    QStringList parts;
    if (!tls)
        parts << tr("plaintext");
    else
        parts << (caFile.isEmpty() ? tr("TLS (system roots)") : tr("TLS (custom CA)"));
    if (!clientCertFile.isEmpty())
        parts << tr("client certificate");
    if (tokenSource == TokenSource::Keychain)
        parts << tr("token from the keychain");
    else if (tokenSource == TokenSource::Environment)
        parts << tr("token from $%1").arg(tokenVariable);
    if (!metadata.isEmpty())
        parts << tr("%1 header(s)").arg(metadata.size());
    return parts.join(QStringLiteral(", "));
}

QString ConnectionProfile::tokenHint() const
{
    switch (tokenSource) {
    case TokenSource::Keychain:
        return tr("check the token kept in the keychain for profile \"%1\" (Profiles…)").arg(name);
    case TokenSource::Environment:
        return tr("check the environment variable %1").arg(tokenVariable);
    case TokenSource::None:
        break;
    }
    return builtIn ? tr("set SWITCHBOARD_TOKEN")
                   : tr("this profile sends no token: choose one under Profiles…");
}

} // namespace sb
