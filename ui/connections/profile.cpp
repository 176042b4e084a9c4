#include "ui/connections/profile.h"

#include "ui/common/palette.h"

#include <QColor>
#include <QCoreApplication>
#include <QRegularExpression>
#include <QSettings>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectionProfile", text);
}

QString sourceName(ConnectionProfile::TokenSource s)
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

ConnectionProfile::TokenSource parseSource(const QString &s)
{
    if (s == QLatin1String("keychain"))
        return ConnectionProfile::TokenSource::Keychain;
    if (s == QLatin1String("environment"))
        return ConnectionProfile::TokenSource::Environment;
    return ConnectionProfile::TokenSource::None;
}

} // namespace

QColor environmentColor(Environment e)
{
    switch (e) {
    case Environment::Prod:
        return palette::prod();
    case Environment::Staging:
        return palette::staging();
    case Environment::Dev:
        break;
    }
    return palette::dev();
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

namespace profile_store {

std::vector<ConnectionProfile> load(QSettings &settings)
{
    std::vector<ConnectionProfile> out;
    const int n = settings.beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile p;
        p.name = settings.value(QStringLiteral("name")).toString();
        p.endpoint = settings.value(QStringLiteral("endpoint")).toString();
        parseEnvironment(settings.value(QStringLiteral("environment")).toString(), &p.environment);
        p.tls = settings.value(QStringLiteral("tls")).toBool();
        p.caFile = settings.value(QStringLiteral("caFile")).toString();
        p.clientCertFile = settings.value(QStringLiteral("clientCertFile")).toString();
        p.clientKeyFile = settings.value(QStringLiteral("clientKeyFile")).toString();
        p.tokenSource = parseSource(settings.value(QStringLiteral("tokenSource")).toString());
        p.tokenVariable = settings.value(QStringLiteral("tokenVariable")).toString();
        const QStringList headers = settings.value(QStringLiteral("headers")).toStringList();
        for (const QString &h : headers) {
            const int colon = h.indexOf(QLatin1Char(':'));
            if (colon > 0)
                p.metadata.append({h.left(colon), h.mid(colon + 1)});
        }
        p.otlpRouteAttributes =
            settings.value(QStringLiteral("otlpRouteAttributes")).toStringList();
        p.otlpModelAttributes =
            settings.value(QStringLiteral("otlpModelAttributes")).toStringList();
        p.otlpVariantAttributes =
            settings.value(QStringLiteral("otlpVariantAttributes")).toStringList();
        p.promRouteLabel = settings.value(QStringLiteral("promRouteLabel")).toString();
        p.promModelLabel = settings.value(QStringLiteral("promModelLabel")).toString();
        p.promVariantLabel = settings.value(QStringLiteral("promVariantLabel")).toString();
        if (!p.name.isEmpty() && !find(out, p.name))
            out.push_back(p);
    }
    settings.endArray();
    return out;
}

void save(QSettings &settings, const std::vector<ConnectionProfile> &profiles)
{
    settings.remove(QStringLiteral("profiles"));
    settings.beginWriteArray(QStringLiteral("profiles"));
    int i = 0;
    for (const auto &p : profiles) {
        if (p.builtIn)
            continue;
        settings.setArrayIndex(i++);
        settings.setValue(QStringLiteral("name"), p.name);
        settings.setValue(QStringLiteral("endpoint"), p.endpoint);
        settings.setValue(QStringLiteral("environment"), toString(p.environment));
        settings.setValue(QStringLiteral("tls"), p.tls);
        settings.setValue(QStringLiteral("caFile"), p.caFile);
        settings.setValue(QStringLiteral("clientCertFile"), p.clientCertFile);
        settings.setValue(QStringLiteral("clientKeyFile"), p.clientKeyFile);
        settings.setValue(QStringLiteral("tokenSource"), sourceName(p.tokenSource));
        settings.setValue(QStringLiteral("tokenVariable"), p.tokenVariable);
        QStringList headers;
        for (const auto &[key, value] : p.metadata)
            headers << key + QLatin1Char(':') + value;
        settings.setValue(QStringLiteral("headers"), headers);
        settings.setValue(QStringLiteral("otlpRouteAttributes"), p.otlpRouteAttributes);
        settings.setValue(QStringLiteral("otlpModelAttributes"), p.otlpModelAttributes);
        settings.setValue(QStringLiteral("otlpVariantAttributes"), p.otlpVariantAttributes);
        settings.setValue(QStringLiteral("promRouteLabel"), p.promRouteLabel);
        settings.setValue(QStringLiteral("promModelLabel"), p.promModelLabel);
        settings.setValue(QStringLiteral("promVariantLabel"), p.promVariantLabel);
    }
    settings.endArray();
}

namespace {
QThreadPool &writer()
{
    // Writes run one after another on one thread, so the last save wins.
    static QThreadPool pool;
    pool.setMaxThreadCount(1);
    return pool;
}
} // namespace

void waitForSaves()
{
    writer().waitForDone();
}

void saveAsync(const std::vector<ConnectionProfile> &profiles, const QString &settingsPath)
{
    (void)QtConcurrent::run(&writer(), [profiles, settingsPath] {
        std::unique_ptr<QSettings> s =
            settingsPath.isEmpty()
                ? std::make_unique<QSettings>()
                : std::make_unique<QSettings>(settingsPath, QSettings::IniFormat);
        save(*s, profiles);
        s->sync();
    });
}

const ConnectionProfile *find(const std::vector<ConnectionProfile> &profiles, const QString &name)
{
    for (const auto &p : profiles) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

} // namespace profile_store

SessionTarget sessionTargetFor(const ConnectionProfile &p, bool alone)
{
    SessionTarget t;
    t.profileName = p.name;
    // The in-process sim keeps its rows under "sim" whatever port it gets.
    t.endpointKey =
        p.builtIn && p.name == QLatin1String("sim") ? QStringLiteral("sim") : p.endpoint.trimmed();
    t.environment = p.environment;
    t.tokenHint = p.tokenHint();
    // Borrowing the last endpoint's cache is for a lone ad-hoc window only:
    // with profiles side by side it would show one service's data as another's.
    t.borrowCache = alone && p.builtIn;
    return t;
}

} // namespace sb
