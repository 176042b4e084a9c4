// help, the man page (generated from the same command table, so the two
// cannot drift apart) and shell completion: scripts for bash, zsh and fish
// that call `switchboard-ctl __complete WORDS…`, which answers with
// subcommands, flags and live names (routes, models, prompts, experiments,
// contexts) read from the local cache, never from the network.

#include "ctl/commands.h"
#include "ctl/records.h"
#include "ctl/runtime.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"

#include <QSettings>

namespace sb::ctl {

static QString exitCodesHelp()
{
    return QStringLiteral(R"(Exit codes of switchboard-ctl:
  0    ok (also a write that found the state already as asked: "unchanged")
  1    failure: not found, invalid argument, a change not confirmed, cache unreadable
  2    usage: bad flags or arguments; a write on a production context refused
       because --yes was not given and there is no terminal to confirm on
  3    unreachable: the service could not be reached (--offline reads the cache)
  4    auth rejected: the service refused the token (UNAUTHENTICATED)
  5    conflict: someone else changed it first (stale etag); nothing was
       overwritten, the message says who changed what and when
  6    permission denied: the token's role may not do this (PERMISSION_DENIED)
  130  interrupted (Ctrl-C), e.g. the normal end of --watch
)");
}

static QString globalHelp()
{
    return QStringLiteral(R"(Global flags:
  --context NAME   the connection profile to use (else $SWITCHBOARD_CONTEXT, else
                   the one `context use` saved, else the only one)
  -o, --output F   table | json | yaml (default: table on a terminal, json when piped)
  --offline        read the console's local cache instead of the service (says how old)
  --watch          on a list: print it, then stream changes until Ctrl-C (exit 130)
  -y, --yes        on a production context, do not ask for confirmation
  --token-stdin    read the bearer token from standard input (never a flag value)
  --cache FILE     the cache file (default: $SWITCHBOARD_CACHE or the console's)
  --timeout S      seconds to wait for the service (default 10)
  --if-etag E      on a change: only if the object still has etag E (from -o json),
                   else exit 5 with who changed it
)");
}

static QString overview()
{
    QString out = QStringLiteral("switchboard-ctl: the Switchboard console's twin for terminals "
                                 "and scripts.\n\nCommands:\n");
    for (const auto &c : commands())
        out += QStringLiteral("  %1%2\n").arg(c.name.leftJustified(15), c.summary);
    out += QLatin1Char('\n') + globalHelp();
    out += QStringLiteral("\nMore: switchboard-ctl help COMMAND | exit-codes | fields; "
                          "man switchboard-ctl\n");
    return out;
}

Exit runHelp(Runtime &rt)
{
    const QString topic = rt.args().positional.value(0);
    if (topic.isEmpty()) {
        rt.out(overview());
    } else if (topic == QLatin1String("exit-codes")) {
        rt.out(exitCodesHelp());
    } else if (topic == QLatin1String("fields")) {
        rt.out(fieldsHelp());
    } else if (const CommandSpec *c = findCommand(topic)) {
        QString out =
            QStringLiteral("switchboard-ctl %1 %2\n  %3\n").arg(c->name, c->synopsis, c->summary);
        if (c->write)
            out += QStringLiteral("  A change: needs --reason; on a production context asks to "
                                  "confirm (or --yes); exit 5 on a conflict.\n");
        if (c->list)
            out += QStringLiteral("  A list: --watch streams its changes.\n");
        rt.out(out + QLatin1Char('\n') + globalHelp());
    } else {
        rt.err(QStringLiteral("switchboard-ctl: no help on %1").arg(topic));
        return Exit::Usage;
    }
    return Exit::Ok;
}

static QString roff(QString s)
{
    return s.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('-'), QStringLiteral("\\-"));
}

// The man page, from the command table and the same help texts.
QString manPage()
{
    QString m = QStringLiteral(".TH SWITCHBOARD\\-CTL 1 \"\" \"Switchboard\" \"User Commands\"\n"
                               ".SH NAME\nswitchboard\\-ctl \\- the Switchboard console for "
                               "terminals and scripts\n.SH SYNOPSIS\n");
    for (const auto &c : commands())
        m += c.synopsis.isEmpty()
                 ? QStringLiteral(".B switchboard\\-ctl %1\n.br\n").arg(roff(c.name))
                 : QStringLiteral(".B switchboard\\-ctl %1\n%2\n.br\n")
                       .arg(roff(c.name), roff(c.synopsis));
    m += QStringLiteral(".SH DESCRIPTION\nReads and changes what the Switchboard console shows, "
                        "over the same gRPC contract, with the console's own controllers: the "
                        "same etag, request id and audit semantics, the same local action log "
                        "and cache, the same connection profiles (contexts) and keychain.\n"
                        ".SH COMMANDS\n");
    for (const auto &c : commands())
        m += QStringLiteral(".TP\n.B %1 %2\n%3\n")
                 .arg(roff(c.name), roff(c.synopsis), roff(c.summary));
    m += QStringLiteral(".SH OPTIONS\n.nf\n") + roff(globalHelp()) + QStringLiteral(".fi\n");
    m += QStringLiteral(".SH OUTPUT FIELDS\n.nf\n") + roff(fieldsHelp()) + QStringLiteral(".fi\n");
    m += QStringLiteral(".SH EXIT STATUS\n.nf\n") + roff(exitCodesHelp()) + QStringLiteral(".fi\n");
    m += QStringLiteral(".SH ENVIRONMENT\n.TP\n.B SWITCHBOARD_CONTEXT\nthe context when --context "
                        "is not given\n.TP\n.B SWITCHBOARD_CACHE\nthe cache file\n"
                        ".SH SEE ALSO\n.BR switchboard (1),\n.BR switchboard\\-sim (1)\n");
    return m;
}

Exit runCompletion(Runtime &rt)
{
    const QString shell = rt.args().positional.value(0);
    if (shell == QLatin1String("bash")) {
        rt.out(QStringLiteral(
            R"SH(# bash completion for switchboard-ctl: source <(switchboard-ctl completion bash)
_switchboard_ctl() {
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(switchboard-ctl __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -F _switchboard_ctl switchboard-ctl
)SH"));
    } else if (shell == QLatin1String("zsh")) {
        rt.out(QStringLiteral(R"SH(#compdef switchboard-ctl
# zsh completion for switchboard-ctl: source <(switchboard-ctl completion zsh)
_switchboard_ctl() {
    local -a candidates
    candidates=("${(@f)$(switchboard-ctl __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    compadd -a candidates
}
compdef _switchboard_ctl switchboard-ctl
)SH"));
    } else if (shell == QLatin1String("fish")) {
        rt.out(QStringLiteral(
            R"SH(# fish completion for switchboard-ctl: switchboard-ctl completion fish | source
complete -c switchboard-ctl -f -a '(switchboard-ctl __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
)SH"));
    } else {
        rt.err(QStringLiteral("usage: switchboard-ctl completion bash|zsh|fish"));
        return Exit::Usage;
    }
    return Exit::Ok;
}

// Names of `kind` from the cache (offline), for completion.
static QStringList cachedNames(const QStringList &words, Arg kind, const QString &route)
{
    Args a;
    a.command = QStringLiteral("__complete");
    a.values.insert(QStringLiteral("offline"), {});
    for (qsizetype i = 0; i + 1 < words.size(); ++i) {
        if (words[i] == QLatin1String("--context") || words[i] == QLatin1String("--cache"))
            a.values.insert(words[i].mid(2), words[i + 1]);
    }
    Runtime rt(a);
    if (rt.start(Runtime::Routing | Runtime::Prompts | Runtime::Experiments) != Exit::Ok)
        return {};
    QStringList out;
    const RoutingTable &t = rt.routing()->model()->table();
    switch (kind) {
    case Arg::Route:
        for (const auto &r : t.routes)
            out << r.name;
        break;
    case Arg::Model:
        for (const auto &r : t.routes) {
            if (r.name == route) {
                for (const auto &f : r.fallbacks)
                    out << f.model;
                return out;
            }
        }
        for (const auto &m : t.models)
            out << m.name;
        break;
    case Arg::Prompt:
        for (const auto &p : rt.prompts()->prompts()->prompts())
            out << p.name;
        break;
    case Arg::Experiment: {
        const ExperimentListModel *m = rt.experiments()->experiments();
        for (int i = 0; i < m->rowCount(); ++i)
            out << m->experimentAt(i)->name;
        break;
    }
    default:
        break;
    }
    return out;
}

Exit runComplete(Runtime &rt)
{
    // Every word after the program's name; the last is the one being typed.
    QStringList words = rt.args().positional;
    if (words.isEmpty())
        words << QString();
    const QString current = words.last();
    const QString prev = words.size() >= 2 ? words[words.size() - 2] : QString();
    QStringList out;
    // The command and the positional words before the current one.
    QString command;
    QStringList before;
    for (qsizetype i = 0; i + 1 < words.size(); ++i) {
        const QString &w = words[i];
        if (w.startsWith(QLatin1Char('-'))) {
            if (flagTakesValue(w.mid(2)) || w == QLatin1String("-o"))
                ++i;
            continue;
        }
        if (command.isEmpty())
            command = w;
        else
            before << w;
    }
    const CommandSpec *spec = findCommand(command);
    const QString prevFlag = prev.startsWith(QLatin1String("--")) ? prev.mid(2) : prev;
    if (prev == QLatin1String("-o") || prevFlag == QLatin1String("output")) {
        out << "table"
            << "json"
            << "yaml";
    } else if (prev.startsWith(QLatin1Char('-')) && flagTakesValue(prevFlag)) {
        if (prevFlag == QLatin1String("route"))
            out = cachedNames(words, Arg::Route, {});
        else if (prevFlag == QLatin1String("kind"))
            out << "outage"
                << "latency"
                << "errors";
        else if (prevFlag == QLatin1String("env"))
            out << "dev"
                << "staging"
                << "prod";
        else if (prevFlag == QLatin1String("context")) {
            QSettings settings;
            for (const auto &p : profile_store::load(settings))
                out << p.name;
        }
    } else if (current.startsWith(QLatin1Char('-'))) {
        for (const QString &f : globalFlags())
            out << QStringLiteral("--") + f;
        if (spec) {
            for (const QString &f : spec->flags)
                out << QStringLiteral("--") + f;
        }
    } else if (!spec) {
        for (const auto &c : commands())
            out << c.name;
    } else if (before.size() < qsizetype(spec->args.size())) {
        const Arg kind = spec->args[std::size_t(before.size())];
        switch (kind) {
        case Arg::OnOff:
            out << "on"
                << "off";
            break;
        case Arg::ExperimentVerb:
            out << "start"
                << "pause"
                << "stop";
            break;
        case Arg::DrillVerb:
            out << "start"
                << "stop";
            break;
        case Arg::ContextVerb:
            out << "list"
                << "use"
                << "add";
            break;
        case Arg::Shell:
            out << "bash"
                << "zsh"
                << "fish";
            break;
        case Arg::Label:
            out << "production"
                << "staging";
            break;
        case Arg::HelpTopic:
            out << "exit-codes"
                << "fields";
            for (const auto &c : commands())
                out << c.name;
            break;
        case Arg::Context: {
            QSettings settings;
            for (const auto &p : profile_store::load(settings))
                out << p.name;
            break;
        }
        default:
            out =
                cachedNames(words, kind,
                            command == QLatin1String("set-fallback") ? before.value(0) : QString());
        }
    }
    for (const QString &c : out) {
        if (c.startsWith(current))
            rt.out(c + QLatin1Char('\n'));
    }
    return Exit::Ok;
}

} // namespace sb::ctl
