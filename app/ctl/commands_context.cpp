// Contexts are the console's connection profiles (QSettings, no secrets):
// `context list` shows them and which one is current and why, `context use`
// saves the current one for later runs, `context add` writes a profile the
// console then shows too. Tokens never go to the settings: the keychain entry
// is made in the console's profile manager (or below), or the profile names an
// environment variable (--token-env), or `context add … --token-stdin`
// puts the token read from standard input in the keychain.

#include "ctl/commands.h"
#include "ctl/runtime.h"
#include "ui/connections/token_store.h"

#include <QJsonArray>
#include <QSettings>
#include <QTextStream>

namespace sb::ctl {

static QString tokenText(const ConnectionProfile &p)
{
    switch (p.tokenSource) {
    case ConnectionProfile::TokenSource::Keychain:
        return QStringLiteral("keychain");
    case ConnectionProfile::TokenSource::Environment:
        return QStringLiteral("$") + p.tokenVariable;
    case ConnectionProfile::TokenSource::None:
        break;
    }
    return QStringLiteral("none");
}

Exit runContext(Runtime &rt)
{
    const QStringList &pos = rt.args().positional;
    const QString verb = pos.value(0, QStringLiteral("list"));
    QSettings settings;
    auto profiles = profile_store::load(settings);
    if (verb == QLatin1String("list") && pos.size() <= 1) {
        QString current = rt.args().value(QStringLiteral("context"));
        QString from = QStringLiteral("flag");
        if (current.isEmpty()) {
            current = qEnvironmentVariable("SWITCHBOARD_CONTEXT");
            from = QStringLiteral("environment");
        }
        if (current.isEmpty()) {
            current = Runtime::savedContext(settings);
            from = QStringLiteral("file");
        }
        if (current.isEmpty() && profiles.size() == 1) {
            current = profiles.front().name;
            from = QStringLiteral("only");
        }
        QJsonArray a;
        for (const auto &p : profiles)
            a.append(QJsonObject{{"name", p.name},
                                 {"endpoint", p.endpoint},
                                 {"environment", toString(p.environment)},
                                 {"tls", p.tls},
                                 {"token", tokenText(p)},
                                 {"current", p.name == current}});
        if (rt.format() == Format::Table) {
            rt.out(renderTable(a, {{"current", "CURRENT",
                                    [](const QJsonObject &o) {
                                        return o["current"].toBool() ? QStringLiteral("*")
                                                                     : QString();
                                    }},
                                   {"name", "NAME"},
                                   {"endpoint", "ENDPOINT"},
                                   {"environment", "ENV"},
                                   {"tls", "TLS"},
                                   {"token", "TOKEN"}}));
            if (!current.isEmpty())
                rt.err(QStringLiteral("current: %1 (from the %2)").arg(current, from));
            return Exit::Ok;
        }
        const QJsonObject o{
            {"contexts", a},
            {"current", current.isEmpty() ? QJsonValue::Null : QJsonValue(current)},
            {"current_from", current.isEmpty() ? QJsonValue::Null : QJsonValue(from)}};
        rt.out(rt.format() == Format::Json ? renderJson(o) : renderYaml(o));
        return Exit::Ok;
    }
    if (verb == QLatin1String("use") && pos.size() == 2) {
        if (!profile_store::find(profiles, pos[1])) {
            rt.err(QStringLiteral("switchboard-ctl: no context called %1").arg(pos[1]));
            return Exit::Failure;
        }
        Runtime::saveContext(settings, pos[1]);
        settings.sync();
        rt.out(QStringLiteral("current context: %1\n").arg(pos[1]));
        return Exit::Ok;
    }
    if (verb == QLatin1String("add") && pos.size() == 2) {
        ConnectionProfile p;
        p.name = pos[1];
        p.endpoint = rt.args().value(QStringLiteral("endpoint"));
        p.tls = rt.args().has(QStringLiteral("tls"));
        if (rt.args().has(QStringLiteral("env")) &&
            !parseEnvironment(rt.args().value(QStringLiteral("env")), &p.environment)) {
            rt.err(QStringLiteral("switchboard-ctl: --env is dev, staging or prod"));
            return Exit::Usage;
        }
        if (rt.args().has(QStringLiteral("token-env"))) {
            p.tokenSource = ConnectionProfile::TokenSource::Environment;
            p.tokenVariable = rt.args().value(QStringLiteral("token-env"));
        }
        const bool keychain = rt.args().has(QStringLiteral("token-stdin"));
        if (keychain) {
            p.tokenSource = ConnectionProfile::TokenSource::Keychain;
            if (rt.args().has(QStringLiteral("token-env"))) {
                rt.err(QStringLiteral("switchboard-ctl: --token-stdin (keychain) or --token-env, "
                                      "not both"));
                return Exit::Usage;
            }
        }
        if (const QString bad = p.validate(); !bad.isEmpty()) {
            rt.err(QStringLiteral("switchboard-ctl: context add: %1").arg(bad));
            return Exit::Usage;
        }
        if (profile_store::find(profiles, p.name)) {
            rt.err(
                QStringLiteral("switchboard-ctl: a context called %1 exists already").arg(p.name));
            return Exit::Failure;
        }
        if (keychain) {
            // The token goes to the OS keychain under the profile's name, as
            // the console's profile manager keeps it; never to the settings.
            QTextStream in(stdin);
            const QString token = in.readAll().trimmed();
            if (token.isEmpty()) {
                rt.err(QStringLiteral("switchboard-ctl: --token-stdin: nothing on standard input"));
                return Exit::Usage;
            }
            TokenStore store;
            bool done = false;
            QString error = QStringLiteral("the keychain did not answer");
            QObject::connect(&store, &TokenStore::tokenWritten, &rt,
                             [&](const QString &, const QString &e) {
                                 error = e;
                                 done = true;
                             });
            store.write(p.name, token);
            for (int i = 0; i < 1000 && !done; ++i)
                rt.pump(10);
            if (!done || !error.isEmpty()) {
                rt.err(QStringLiteral("switchboard-ctl: could not keep the token in the keychain "
                                      "(%1); name an environment variable with --token-env "
                                      "instead. Nothing was added.")
                           .arg(error));
                return Exit::Failure;
            }
        }
        profiles.push_back(p);
        profile_store::save(settings, profiles);
        settings.sync();
        rt.out(QStringLiteral("added context %1 (%2)\n").arg(p.name, p.summary()));
        return Exit::Ok;
    }
    rt.err(
        QStringLiteral("usage: switchboard-ctl context %1").arg(findCommand("context")->synopsis));
    return Exit::Usage;
}

} // namespace sb::ctl
