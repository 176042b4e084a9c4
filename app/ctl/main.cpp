// switchboard-ctl: the console's twin for terminals and scripts. Thin
// wiring: the command line, then one command on a Runtime (ctl/runtime.h)
// that reuses the console's session, controllers, profiles and cache.
// QtCore's event loop only; no widgets, no display needed.
//
// Known gaps: no prompt editing (new versions), rendering with variables,
// experiment creation or weights, arena comparisons or feedback; `results`
// is live only (results are not cached); `experiments --watch` and `audit
// --watch` poll every 2 s (no watch stream for them in the contract); a
// drill's failure is told apart (permission or not) by the controller's
// message text, as drills have no Change; the binary links QtGui through
// the models' colour and font roles (never Widgets, checked by a test).

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "ctl/commands.h"
#include "ctl/runtime.h"

#include <QCoreApplication>
#include <cstdio>
#include <functional>
#include <map>

namespace sb::ctl {
QString manPage();
}

using namespace sb::ctl;

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // first: gRPC outlives every channel
    QCoreApplication app(argc, argv);
    // The console's names: the same settings file (profiles) and cache.
    QCoreApplication::setApplicationName(QStringLiteral("switchboard"));
    QCoreApplication::setOrganizationName(QStringLiteral("switchboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    const QStringList words = app.arguments().mid(1);

    if (!words.isEmpty() && words[0] == QLatin1String("__complete")) {
        Args a;
        a.command = words[0];
        a.positional = words.mid(1);
        Runtime rt(a);
        const Exit rc = runComplete(rt);
        rt.shutdown();
        sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
        return code(rc);
    }
    if (!words.isEmpty() && words[0] == QLatin1String("__man")) {
        const QByteArray b = manPage().toUtf8();
        std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
        return 0;
    }

    Args args;
    QString error;
    if (!parseArgs(words, &args, &error)) {
        std::fprintf(stderr, "switchboard-ctl: %s (see switchboard-ctl help)\n", qPrintable(error));
        return code(Exit::Usage);
    }
    if (args.command.isEmpty() || args.has(QStringLiteral("help"))) {
        if (!args.command.isEmpty() && args.command != QLatin1String("help"))
            args.positional = QStringList{args.command};
        args.command = QStringLiteral("help");
    }
    Runtime rt(args);
    if (!rt.checkFormat())
        return code(Exit::Usage);
    if (args.has(QStringLiteral("watch")) &&
        !(findCommand(args.command) && findCommand(args.command)->list)) {
        std::fprintf(stderr, "switchboard-ctl: --watch works on lists (routes, models, prompts, "
                             "versions, experiments, results, audit)\n");
        return code(Exit::Usage);
    }
    static const std::map<QString, std::function<Exit(Runtime &)>> run = {
        {"routes", runRoutes},
        {"models", runModels},
        {"prompts", runPrompts},
        {"versions", runVersions},
        {"diff", runDiff},
        {"experiments", runExperiments},
        {"results", runResults},
        {"latency", runLatency},
        {"audit", runAudit},
        {"disable-model", [](Runtime &rt) { return runModelSwitch(rt, false); }},
        {"enable-model", [](Runtime &rt) { return runModelSwitch(rt, true); }},
        {"set-fallback", runSetFallback},
        {"force-fallback", runForceFallback},
        {"move-label", runMoveLabel},
        {"rollback", runRollback},
        {"experiment", runExperimentState},
        {"drill", runDrill},
        {"context", runContext},
        {"completion", runCompletion},
        {"help", runHelp},
    };
    const auto it = run.find(args.command);
    if (it == run.end()) {
        std::fprintf(stderr, "switchboard-ctl: no command %s (see switchboard-ctl help)\n",
                     qPrintable(args.command));
        return code(Exit::Usage);
    }
    const Exit rc = it->second(rt);
    // As the console does at exit: stop talking, let gRPC finish every call,
    // then tear down (the cache finishes its queued writes last).
    rt.shutdown();
    if (!sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3)))
        std::fprintf(stderr, "switchboard-ctl: %d calls still running at exit\n",
                     sb::CallTracker::inFlight());
    return code(rc);
}
