// Start-up of the console, as DESIGN.md's "start" target words it: the window
// visible (first painted) within 1.5x the time a bare Qt 6 window holding one
// QCustomPlot takes on the same machine, with a warm cache and cached data on
// screen; first live numbers on screen <= 500 ms after connecting.
//
// Each run is a fresh process (offscreen platform), timed from QProcess::start
// to the line it prints: the console with --startup-report (app/exe/
// startup_report.h), the baseline this same executable with --bare. Runs
// alternate, so both see the same machine load; medians are reported.
//   start_bench [runs=9] [console executable] [console options...]
// By default the console starts its in-process sim, which is only as old as
// the console itself; `--connect host:port` (after the executable) measures
// against a switchboard-sim that has been running for a while instead, as a
// real service would have.

#include <QApplication>
#include <QElapsedTimer>
#include <QMainWindow>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <qcustomplot.h>
#include <vector>

namespace {

// The baseline: a bare window with one QCustomPlot graph of an hour at 1 s.
int bareWindow(int argc, char **argv)
{
    QApplication app(argc, argv);
    QMainWindow window;
    auto *plot = new QCustomPlot(&window);
    QVector<double> x(3600), y(3600);
    for (int i = 0; i < 3600; ++i) {
        x[i] = i;
        y[i] = 100 + (i * 7919 % 97);
    }
    plot->addGraph()->setData(x, y, true);
    plot->rescaleAxes();
    window.setCentralWidget(plot);
    window.resize(1280, 800);
    struct Watch : QObject
    {
        bool eventFilter(QObject *o, QEvent *e) override
        {
            if (e->type() == QEvent::Paint && o->isWidgetType() && !done) {
                done = true;
                std::printf("bare painted\n");
                std::fflush(stdout);
                QTimer::singleShot(0, qApp, &QCoreApplication::quit);
            }
            return false;
        }
        bool done = false;
    } watch;
    app.installEventFilter(&watch);
    window.show();
    return app.exec();
}

struct Timing
{
    double paintedMs = -1;
    double liveMs = -1;
};

// Starts `program`, returns when `until` was printed (or 30 s passed) with
// the ms at which each marker line appeared; then stops the process.
Timing run(const QString &program, const QStringList &args, const QProcessEnvironment &env,
           const QByteArray &painted, const QByteArray &live, int lingerMs = 0)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    Timing t;
    QElapsedTimer clock;
    clock.start();
    p.start(program, args);
    QByteArray buffer;
    while (clock.elapsed() < 30000) {
        if (!p.waitForReadyRead(5) && p.state() == QProcess::NotRunning)
            break;
        buffer += p.readAllStandardOutput();
        if (t.paintedMs < 0 && buffer.contains(painted))
            t.paintedMs = double(clock.nsecsElapsed()) / 1e6;
        if (!live.isEmpty() && t.liveMs < 0 && buffer.contains(live))
            t.liveMs = double(clock.nsecsElapsed()) / 1e6;
        if (t.paintedMs >= 0 && (live.isEmpty() || t.liveMs >= 0))
            break;
    }
    if (lingerMs > 0)
        p.waitForFinished(lingerMs);
    p.terminate();
    if (!p.waitForFinished(5000)) {
        p.kill();
        p.waitForFinished(2000);
    }
    return t;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && QByteArray(argv[1]) == "--bare")
        return bareWindow(argc, argv);
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 9;
    const QString console =
        argc > 2 ? QString::fromLocal8Bit(argv[2]) : QStringLiteral(SB_CONSOLE_EXE);
    QTemporaryDir tmp;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    for (const char *var : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"})
        env.insert(QString::fromLatin1(var), tmp.filePath(QString::fromLatin1(var)));
    QStringList consoleArgs{QStringLiteral("--cache"), tmp.filePath(QStringLiteral("c.sqlite")),
                            QStringLiteral("--page"), QStringLiteral("latency"),
                            QStringLiteral("--startup-report")};
    QStringList extra;
    for (int i = 3; i < argc; ++i)
        extra << QString::fromLocal8Bit(argv[i]);
    consoleArgs << extra;
    // Warm the cache: a first session streams for 5 s (the cache takes the
    // history every 2 s), so later starts open on cached data.
    const Timing warm = run(console, consoleArgs, env, "startup painted", "startup live", 5000);
    if (warm.liveMs < 0) {
        std::fprintf(stderr, "start_bench: the console never showed live numbers (%s)\n",
                     qPrintable(console));
        return 1;
    }
    std::vector<double> bare, painted, live;
    for (int i = 0; i < runs; ++i) {
        const Timing b = run(QString::fromLocal8Bit(argv[0]), {QStringLiteral("--bare")}, env,
                             "bare painted", {});
        const Timing c = run(console, consoleArgs, env, "startup painted", "startup live");
        if (b.paintedMs < 0 || c.paintedMs < 0 || c.liveMs < 0) {
            std::fprintf(stderr, "start_bench: run %d did not finish\n", i);
            return 1;
        }
        bare.push_back(b.paintedMs);
        painted.push_back(c.paintedMs);
        live.push_back(c.liveMs);
        std::printf("run %d: bare window %.0f ms, console painted %.0f ms, live %.0f ms\n", i,
                    b.paintedMs, c.paintedMs, c.liveMs);
    }
    const double b = median(bare), p = median(painted), l = median(live);
    std::printf("start_bench: console painted %.0f ms vs bare QCustomPlot window %.0f ms: %.2fx "
                "(target <= 1.5x); live numbers %.0f ms after start, %.0f ms after the "
                "first paint (target <= 500 ms after connecting); medians of %d; %s\n",
                p, b, p / b, l, l - p, runs,
                extra.isEmpty() ? "in-process sim"
                                : qPrintable(QStringLiteral("console ") + extra.join(u' ')));
    return 0;
}
