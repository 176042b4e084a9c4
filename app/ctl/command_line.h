#pragma once

// The command line of switchboard-ctl: the table of commands (name, synopsis,
// the flags each takes and what kind of name each argument is), parsed into
// a Args. The same table feeds `help`, the man page's synopsis lines and
// shell completion, so a new command or flag appears in all three.

#include <QHash>
#include <QString>
#include <QStringList>
#include <vector>

namespace sb::ctl {

// What a positional argument names, for completion.
enum class Arg
{
    None,
    Route,
    Model,
    Prompt,
    Label,
    Version,
    Experiment,
    OnOff,
    ExperimentVerb, // start|pause|stop
    DrillVerb,      // start|stop
    ContextVerb,    // list|use|add
    Context,
    Shell,
    HelpTopic
};

struct CommandSpec
{
    QString name;
    QString synopsis; // arguments after the name
    QString summary;
    QStringList flags; // long flags beyond the global ones, without "--"
    std::vector<Arg> args;
    bool write = false;
    bool list = false; // --watch works
};

const std::vector<CommandSpec> &commands();
const CommandSpec *findCommand(const QString &name);
// Flags every command takes, without "--".
const QStringList &globalFlags();
// Flags that take a value ("--reason TEXT" or "--reason=TEXT").
bool flagTakesValue(const QString &flag);

struct Args
{
    QString command;
    QStringList positional;
    QHash<QString, QString> values; // flag -> value ("" for a switch)
    bool has(const QString &flag) const { return values.contains(flag); }
    QString value(const QString &flag, const QString &fallback = {}) const
    {
        return values.value(flag, fallback);
    }
};

// false with a sentence in *error for an unknown flag, a missing value or
// a flag the command does not take.
bool parseArgs(const QStringList &argv, Args *out, QString *error);

// "30m", "1h", "90s", "2d" -> seconds; false when unreadable.
bool parseDuration(const QString &text, qint64 *seconds);

} // namespace sb::ctl
