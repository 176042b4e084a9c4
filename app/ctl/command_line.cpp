#include "ctl/command_line.h"

#include <QRegularExpression>

namespace sb::ctl {

const std::vector<CommandSpec> &commands()
{
    using A = Arg;
    static const std::vector<CommandSpec> table = {
        {"routes", "", "List routes: primary, fallback chain, who serves now", {}, {}, false, true},
        {"models", "", "List models: enabled, circuit, error rate", {}, {}, false, true},
        {"prompts", "", "List prompts and their labels", {}, {}, false, true},
        {"versions", "PROMPT", "List a prompt's versions", {}, {A::Prompt}, false, true},
        {"diff",
         "PROMPT V1 V2",
         "Diff two versions of a prompt",
         {},
         {A::Prompt, A::Version, A::Version}},
        {"experiments", "", "List experiments", {}, {}, false, true},
        {"results", "EXP", "An experiment's results per variant", {}, {A::Experiment}, false, true},
        {"latency",
         "--route ROUTE [--since 1h]",
         "A route's latency per minute (p50/p95/p99); --watch: live, per second",
         {"route", "since"},
         {},
         false,
         true},
        {"audit",
         "[--target T] [--since 1d]",
         "The audit log and this machine's changes",
         {"target", "since", "limit"},
         {},
         false,
         true},
        {"disable-model",
         "MODEL --reason TEXT [--for 30m] [--allow-outage]",
         "Disable a model everywhere",
         {"reason", "for", "allow-outage", "if-etag"},
         {A::Model},
         true},
        {"enable-model",
         "MODEL --reason TEXT",
         "Enable a model",
         {"reason", "if-etag"},
         {A::Model},
         true},
        {"set-fallback",
         "ROUTE MODEL on|off --reason TEXT [--for 30m]",
         "Enable or disable one fallback step of a route",
         {"reason", "for", "if-etag"},
         {A::Route, A::Model, A::OnOff},
         true},
        {"force-fallback",
         "ROUTE on|off --reason TEXT [--for 30m]",
         "Send all of a route's traffic past its primary to the fallbacks (or back)",
         {"reason", "for", "if-etag"},
         {A::Route, A::OnOff},
         true},
        {"move-label",
         "PROMPT LABEL VERSION --reason TEXT",
         "Point a prompt's label at a version",
         {"reason", "if-etag"},
         {A::Prompt, A::Label, A::Version},
         true},
        {"rollback",
         "PROMPT --reason TEXT",
         "Move production back to where it pointed before",
         {"reason"},
         {A::Prompt},
         true},
        {"experiment",
         "start|pause|stop EXP --reason TEXT",
         "Change an experiment's state",
         {"reason", "if-etag"},
         {A::ExperimentVerb, A::Experiment},
         true},
        {"drill",
         "start MODEL --kind outage|latency|errors [--magnitude X] [--for 5m] | stop ID",
         "Start or stop a rehearsal on the sim",
         {"kind", "magnitude", "for", "reason"},
         {A::DrillVerb, A::Model},
         true},
        {"context",
         "list | use NAME | add NAME --endpoint HOST:PORT [--env prod] [--tls] "
         "[--token-env VAR | --token-stdin]",
         "The console's connection profiles",
         {"endpoint", "env", "token-env", "tls"},
         {A::ContextVerb, A::Context}},
        {"completion", "bash|zsh|fish", "Print a shell completion script", {}, {A::Shell}},
        {"help",
         "[COMMAND|exit-codes|fields]",
         "Help on a command, the exit codes or the fields",
         {},
         {A::HelpTopic}},
    };
    return table;
}

const CommandSpec *findCommand(const QString &name)
{
    for (const auto &c : commands()) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

const QStringList &globalFlags()
{
    static const QStringList flags = {"context", "output",  "offline", "yes", "token-stdin",
                                      "cache",   "timeout", "watch",   "help"};
    return flags;
}

bool flagTakesValue(const QString &flag)
{
    static const QStringList valued = {
        "context", "output", "cache", "timeout",   "reason",   "for", "route",     "since",
        "target",  "limit",  "kind",  "magnitude", "endpoint", "env", "token-env", "if-etag"};
    return valued.contains(flag);
}

bool parseArgs(const QStringList &argv, Args *out, QString *error)
{
    Args a;
    bool onlyPositional = false;
    for (qsizetype i = 0; i < argv.size(); ++i) {
        QString arg = argv[i];
        if (onlyPositional || arg == QLatin1String("-") || !arg.startsWith(QLatin1Char('-'))) {
            if (a.command.isEmpty())
                a.command = arg;
            else
                a.positional << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            onlyPositional = true;
            continue;
        }
        QString flag, value;
        bool hasValue = false;
        if (arg == QLatin1String("-o")) {
            flag = QStringLiteral("output");
        } else if (arg == QLatin1String("-y")) {
            flag = QStringLiteral("yes");
        } else if (arg == QLatin1String("-h")) {
            flag = QStringLiteral("help");
        } else if (arg.startsWith(QLatin1String("--"))) {
            flag = arg.mid(2);
            const qsizetype eq = flag.indexOf(QLatin1Char('='));
            if (eq >= 0) {
                value = flag.mid(eq + 1);
                flag = flag.left(eq);
                hasValue = true;
            }
        } else {
            *error = QStringLiteral("unknown flag %1").arg(arg);
            return false;
        }
        if (flag == QLatin1String("token")) {
            *error = QStringLiteral("a token is never taken from a flag (it would land in shell "
                                    "history): use --token-stdin, the keychain or the profile's "
                                    "environment variable");
            return false;
        }
        if (flagTakesValue(flag)) {
            if (!hasValue) {
                if (i + 1 >= argv.size()) {
                    *error = QStringLiteral("--%1 needs a value").arg(flag);
                    return false;
                }
                value = argv[++i];
            }
        } else if (hasValue) {
            *error = QStringLiteral("--%1 takes no value").arg(flag);
            return false;
        }
        a.values.insert(flag, value);
    }
    // Every flag must be global or the command's own.
    const CommandSpec *spec = findCommand(a.command);
    for (auto it = a.values.cbegin(); it != a.values.cend(); ++it) {
        if (globalFlags().contains(it.key()))
            continue;
        if (spec && spec->flags.contains(it.key()))
            continue;
        *error = spec ? QStringLiteral("%1 takes no --%2").arg(a.command, it.key())
                      : QStringLiteral("unknown flag --%1").arg(it.key());
        return false;
    }
    *out = a;
    return true;
}

bool parseDuration(const QString &text, qint64 *seconds)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+)\\s*([smhd]?)$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return false;
    const qint64 n = m.captured(1).toLongLong();
    const QString unit = m.captured(2);
    const qint64 scale = unit == QLatin1String("m")   ? 60
                         : unit == QLatin1String("h") ? 3600
                         : unit == QLatin1String("d") ? 86400
                                                      : 1;
    *seconds = n * scale;
    return *seconds > 0;
}

} // namespace sb::ctl
