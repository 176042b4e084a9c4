// switchboard: the console. Thin wiring: flags, the profiles, the cache and
// the windows (one per open service); with --sim (the default when no
// --connect or --profile is given) an in-process switchboard-sim on a
// loopback port, offered as the profile "sim".

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "core/bucket_import.h"
#include "core/series_retention.h"
#include "otlp/otlp_receiver.h"
#include "replay_options.h"
#include "sim/sim_server.h"
#include "source_options.h"
#include "startup_report.h"
#include "store/cache.h"
#include "ui/common/presenter.h"
#include "ui/common/privacy.h"
#include "ui/connections/console_windows.h"
#include "ui/connections/profile.h"
#include "ui/console.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QSettings>
#include <QTest>
#include <QTimer>
#include <cstdio>
#include <memory>

int main(int argc, char **argv)
{
    // First in, last out: outlives every channel, stub and the in-process sim.
    sb::GrpcRuntime grpcRuntime;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("switchboard"));
    QApplication::setOrganizationName(QStringLiteral("switchboard"));
    // The installed .desktop file and icon share this id (packaging/), so the
    // task bar shows our icon and groups our windows under it.
    QGuiApplication::setDesktopFileName(QStringLiteral("dev.switchboard.Console"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setStyle(QStringLiteral("Fusion"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Switchboard: the control plane console for AI services."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption simOpt(QStringLiteral("sim"),
                              QStringLiteral("Start an in-process switchboard-sim on a loopback "
                                             "port and connect to it (the default)."));
    QCommandLineOption connectOpt(QStringLiteral("connect"),
                                  QStringLiteral("Connect to a service at host:port (plaintext; "
                                                 "the token from $SWITCHBOARD_TOKEN)."),
                                  QStringLiteral("host:port"));
    QCommandLineOption profileOpt(QStringLiteral("profile"),
                                  QStringLiteral("Open the connection profile called NAME (see "
                                                 "Ctrl+P, Manage profiles…)."),
                                  QStringLiteral("NAME"));
    QCommandLineOption cacheOpt(QStringLiteral("cache"),
                                QStringLiteral("Cache file (default: $SWITCHBOARD_CACHE or the "
                                               "application data folder)."),
                                QStringLiteral("path"));
    QCommandLineOption seedOpt(QStringLiteral("seed"),
                               QStringLiteral("Seed of the in-process sim."), QStringLiteral("n"),
                               QStringLiteral("1"));
    QCommandLineOption rateOpt(QStringLiteral("rate"),
                               QStringLiteral("Samples per second of the in-process sim."),
                               QStringLiteral("n"), QStringLiteral("2000"));
    QCommandLineOption pageOpt(QStringLiteral("page"),
                               QStringLiteral("Page to open: %1.").arg(sb::pageNames()),
                               QStringLiteral("name"), QStringLiteral("latency"));
    QCommandLineOption envOpt(
        QStringLiteral("environment"),
        QStringLiteral("What the --sim or --connect connection is: dev, staging or prod "
                       "(default dev; a prod connection is framed in red and asks to type the "
                       "target's name to confirm every change). A profile has its own."),
        QStringLiteral("env"), QStringLiteral("dev"));
    QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                               QStringLiteral("Save a screenshot of the window to this PNG after "
                                              "--screenshot-delay seconds."),
                               QStringLiteral("png"));
    QCommandLineOption shotDelayOpt(QStringLiteral("screenshot-delay"),
                                    QStringLiteral("Seconds before the screenshot (default 6)."),
                                    QStringLiteral("s"), QStringLiteral("6"));
    QCommandLineOption quitOpt(QStringLiteral("quit-after-screenshot"),
                               QStringLiteral("Quit once the screenshot is saved."));
    QCommandLineOption startupOpt(QStringLiteral("startup-report"),
                                  QStringLiteral("Print a line when the window is first painted "
                                                 "and when it first shows live numbers "
                                                 "(for tests/bench/start_bench)."));
    QCommandLineOption retentionOpt(
        QStringLiteral("history-retention"),
        QStringLiteral("Keep latency history SECONDS,MINUTES,CAP[,SKETCHES], e.g. 7d,90d,2GiB "
                       "or 7d,90d,2GiB,1d (per-second sketches 1 day unless said; saved)."),
        QStringLiteral("spec"));
    QCommandLineOption presentOpt(
        QStringLiteral("presentation"),
        QStringLiteral("Start in presenter mode: large type; host names, endpoints, tokens and "
                       "request ids hidden (Ctrl+Shift+F5 toggles it)."));
    parser.addOptions({presentOpt, simOpt, connectOpt, profileOpt, cacheOpt, seedOpt, rateOpt,
                       pageOpt, envOpt, shotOpt, shotDelayOpt, quitOpt, retentionOpt, startupOpt});
    const sb::SourceOptions sources;
    sources.addTo(parser);
    const sb::ReplayOptions replayOptions;
    replayOptions.addTo(parser);
    parser.process(app);

    if (parser.isSet(simOpt) && parser.isSet(connectOpt)) {
        std::fprintf(stderr, "switchboard: --sim and --connect exclude each other\n");
        return 2;
    }
    if (parser.isSet(profileOpt) && (parser.isSet(connectOpt) || parser.isSet(envOpt))) {
        std::fprintf(stderr, "switchboard: --profile has its own endpoint and environment; "
                             "drop --connect / --environment\n");
        return 2;
    }
    if (replayOptions.replaying(parser) &&
        (parser.isSet(simOpt) || parser.isSet(connectOpt) || parser.isSet(profileOpt))) {
        std::fprintf(stderr, "switchboard: --replay is its own service; drop --sim, --connect "
                             "and --profile\n");
        return 2;
    }
    // Profiles and the history retention hold no secrets; read before the window shows.
    std::vector<sb::ConnectionProfile> profiles;
    {
        QSettings settings;
        profiles = sb::profile_store::load(settings);
        if (parser.isSet(retentionOpt)) {
            QString why;
            const auto r = sb::parseRetention(parser.value(retentionOpt), &why);
            if (!r) {
                std::fprintf(stderr, "switchboard: %s\n", qPrintable(why));
                return 2;
            }
            sb::saveRetention(settings, *r); // kept for the next runs too
        }
        sb::LatencyController::setDefaultRetention(sb::loadRetention(settings));
    }
    // Where the window was and which page it showed, last time.
    const sb::MainWindow::Layout layout = sb::MainWindow::rememberedLayout();
    const QString profileName = parser.value(profileOpt);
    if (parser.isSet(profileOpt) && !sb::profile_store::find(profiles, profileName)) {
        QStringList names;
        for (const auto &p : profiles)
            names << p.name;
        std::fprintf(stderr, "switchboard: no profile called \"%s\" (profiles: %s)\n",
                     qPrintable(profileName),
                     names.isEmpty() ? "none yet" : qPrintable(names.join(QStringLiteral(", "))));
        return 2;
    }

    sb::Environment environment = sb::Environment::Dev;
    if (!sb::parseEnvironment(parser.value(envOpt), &environment)) {
        std::fprintf(stderr, "switchboard: --environment must be dev, staging or prod\n");
        return 2;
    }
    int startPage = sb::pageIndex(parser.value(pageOpt));
    if (!parser.isSet(pageOpt) && sb::pageIndex(layout.page) >= 0)
        startPage = sb::pageIndex(layout.page);
    if (startPage < 0) {
        std::fprintf(stderr, "switchboard: --page must be one of: %s\n",
                     qPrintable(sb::pageNames()));
        return 2;
    }

    // --sim and --connect become built-in profiles (never saved); their
    // token comes from $SWITCHBOARD_TOKEN, in memory only.
    sb::ConnectionProfile adHoc;
    adHoc.builtIn = true;
    adHoc.environment = environment;
    if (!qEnvironmentVariableIsEmpty("SWITCHBOARD_TOKEN")) {
        adHoc.tokenSource = sb::ConnectionProfile::TokenSource::Environment;
        adHoc.tokenVariable = QStringLiteral("SWITCHBOARD_TOKEN");
    }
    // What this prints while presenting is masked like the window.
    const auto shown = [presenting = parser.isSet(presentOpt)](const std::string &address) {
        return presenting ? sb::privacy::maskAlways(QString::fromStdString(address)).toStdString()
                          : address;
    };
    std::unique_ptr<sb::sim::SimServer> sim;
    QString first = profileName;
    // Before any channel exists: --record taps every channel made after it.
    sb::ReplaySession replay;
    {
        QString error;
        if (!replayOptions.start(parser, &replay, &error)) {
            std::fprintf(stderr, "switchboard: %s\n", qPrintable(error));
            return 2;
        }
    }
    if (replay.server) {
        adHoc.name = first = QStringLiteral("replay");
        adHoc.endpoint = replay.address;
    } else if (parser.isSet(connectOpt)) {
        adHoc.name = adHoc.endpoint = parser.value(connectOpt);
        if (!adHoc.validate().isEmpty()) {
            std::fprintf(stderr, "switchboard: --connect: %s\n", qPrintable(adHoc.validate()));
            return 2;
        }
        first = adHoc.name;
    } else if (!parser.isSet(profileOpt) || parser.isSet(simOpt)) {
        sb::sim::SimOptions options;
        options.warmSeconds = 3; // live numbers on the first paint, as with a running service
        bool ok = false;
        options.seed = parser.value(seedOpt).toULongLong(&ok);
        if (!ok) {
            std::fprintf(stderr, "switchboard: --seed must be a number\n");
            return 2;
        }
        options.rate = parser.value(rateOpt).toDouble(&ok);
        if (!ok || options.rate < 0) {
            std::fprintf(stderr, "switchboard: --rate must be a non-negative number\n");
            return 2;
        }
        sim = std::make_unique<sb::sim::SimServer>(options);
        std::string error;
        if (!sim->start(&error)) {
            std::fprintf(stderr, "switchboard: could not start the in-process sim: %s\n",
                         error.c_str());
            return 1;
        }
        adHoc.name = QStringLiteral("sim");
        adHoc.endpoint = QString::fromStdString(sim->address());
        if (first.isEmpty())
            first = adHoc.name;
        std::printf("switchboard: in-process sim serving on %s\n", shown(sim->address()).c_str());
        std::fflush(stdout);
    }

    // The OTLP receiver runs on gRPC's threads; the GUI only drains its sink.
    std::unique_ptr<sb::otlp::OtlpReceiver> otlpReceiver;
    std::unique_ptr<sb::otlp::OtlpFeed> otlpFeed;
    // A profile's mapping (which attributes / labels name route, model and
    // variant) applies to the other sources; flags win.
    std::optional<sb::ConnectionProfile> mappingProfile;
    if (const auto *p = sb::profile_store::find(profiles, profileName);
        p && parser.isSet(profileOpt))
        mappingProfile = *p;
    if (sources.otlpWanted(parser)) {
        auto sink = std::make_shared<sb::OtlpSink>();
        sb::otlp::OtlpReceiver::Options o;
        o.address = sources.otlpAddress(parser).toStdString();
        o.mapping = sources.otlpMapping(parser, mappingProfile ? &*mappingProfile : nullptr);
        otlpReceiver = std::make_unique<sb::otlp::OtlpReceiver>(sink, o);
        std::string error;
        if (!otlpReceiver->start(&error)) {
            std::fprintf(stderr, "switchboard: --otlp-listen: %s\n", error.c_str());
            return 2;
        }
        otlpFeed = std::make_unique<sb::otlp::OtlpFeed>(sink);
        sb::otlp::OtlpFeed::setGlobal(otlpFeed.get());
        std::printf("switchboard: OTLP/gRPC receiver on %s\n",
                    shown(otlpReceiver->address()).c_str());
        std::fflush(stdout);
    }
    sb::LatencyController::setTraceUrlTemplate(sources.traceUrl(parser));
    {
        // Checked now (a bad flag or CA file stops the console); each window
        // then takes the source of the profile it shows (setPrometheusFor).
        std::optional<sb::PrometheusConfig> prom;
        QString error;
        if (!sources.prometheus(parser, mappingProfile ? &*mappingProfile : nullptr, &prom,
                                &error)) {
            std::fprintf(stderr, "switchboard: %s\n", qPrintable(error));
            return 2;
        }
    }

    sb::Cache cache;
    const QString cachePath = replay.server            ? replay.cachePath
                              : parser.isSet(cacheOpt) ? parser.value(cacheOpt)
                                                       : sb::Cache::defaultPath();
    QObject::connect(&cache, &sb::Cache::opened, [&](bool ok, const QString &error) {
        if (!ok)
            std::fprintf(stderr, "switchboard: cache disabled: %s\n", qPrintable(error));
    });
    cache.open(cachePath);

    if (!adHoc.name.isEmpty())
        profiles.insert(profiles.begin(), adHoc);
    // Before the first window, so every widget and chart is built in large type.
    if (parser.isSet(presentOpt))
        sb::presenter::setOn(true);
    sb::ConsoleWindows windows(&cache, profiles);
    windows.setPrometheusFor([&sources, &parser](const sb::ConnectionProfile &p) {
        std::optional<sb::PrometheusConfig> prom;
        QString error;
        if (!sources.prometheusUnread(parser, &p, &prom, &error))
            return std::optional<sb::PrometheusConfig>();
        return prom;
    });
    QPointer<sb::MainWindow> firstWindow = windows.open(first);
    if (!layout.geometry.isEmpty())
        firstWindow->restoreGeometry(layout.geometry);
    QStringList pages;
    for (const auto &spec : sb::pageRegistry())
        pages << spec.name;
    firstWindow->showPage(startPage);
    if (parser.isSet(startupOpt))
        sb::reportStartup(firstWindow);
    // A scripted screenshot run leaves the user's layout as it was.
    const bool remember = !parser.isSet(quitOpt);
    firstWindow->setRemembersLayout(remember);
    QObject::connect(&windows, &sb::ConsoleWindows::windowOpened, &windows,
                     [startPage, remember](sb::MainWindow *w) {
                         w->showPage(startPage);
                         w->setRemembersLayout(remember);
                     });

    if (parser.isSet(shotOpt)) {
        // "{page}" in the path saves one screenshot per page, in page order.
        const QString pattern = QFileInfo(parser.value(shotOpt)).absoluteFilePath();
        const int delayMs = int(parser.value(shotDelayOpt).toDouble() * 1000);
        const bool perPage = pattern.contains(QStringLiteral("{page}"));
        const bool quit = parser.isSet(quitOpt);
        QTimer::singleShot(delayMs, firstWindow, [firstWindow, pattern, perPage, pages, quit] {
            sb::MainWindow &window = *firstWindow;
            bool allSaved = true;
            const int first = perPage ? 0 : -1;
            const int last = perPage ? int(pages.size()) - 1 : -1;
            for (int i = first; i <= last; ++i) {
                QString png = pattern;
                if (i >= 0) {
                    window.showPage(i);
                    png.replace(QStringLiteral("{page}"), pages[i]);
                    // Let the page lay out and the chart replot before grabbing.
                    QTest::qWait(400);
                }
                QDir().mkpath(QFileInfo(png).absolutePath());
                const bool saved = window.grab().save(png);
                allSaved = allSaved && saved;
                std::printf("switchboard: screenshot %s %s (latency points on chart: %d)\n",
                            saved ? "saved to" : "FAILED:", qPrintable(png),
                            window.latencyPage()->chart()->pointCount());
                std::fflush(stdout);
            }
            if (quit)
                QApplication::exit(allSaved ? 0 : 1);
        });
    }

    const int rc = QApplication::exec();
    // Quit with windows still open (e.g. the screenshot run): they remember too.
    for (sb::MainWindow *w : windows.windows())
        w->saveLayout();
    // Let gRPC finish every call before anything is torn down: exiting with
    // calls in flight races gRPC's own teardown.
    windows.shutdown();
    // Windows closed at quit hand their sessions back through queued calls and
    // deferred deletes: run them now that the event loop is over.
    QCoreApplication::sendPostedEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    sb::profile_store::waitForSaves();
    sb::MainWindow::waitForLayoutSaves();
    if (!sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3)))
        std::fprintf(stderr, "switchboard: %d calls still running at exit\n",
                     sb::CallTracker::inFlight());
    if (otlpReceiver)
        otlpReceiver->shutdown();
    sb::otlp::OtlpFeed::setGlobal(nullptr);
    if (sim)
        sim->shutdown();
    if (replay.server)
        replay.server->shutdown();
    if (replay.recorder)
        replay.recorder->stop();
    return rc;
}
