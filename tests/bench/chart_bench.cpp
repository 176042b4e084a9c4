// Chart replot cost: the latency chart's DecimatedGraph against a bare
// QCustomPlot QCPGraph with default settings, on the same data, in the same
// run, in the same 1200 x 600 plot (offscreen). Two scenes from DESIGN.md:
//   live:    10 series x 3,600 noisy points (1 h at 1 s of jagged p99s)
//   history: 50 series x 86,400 points (24 h at 1 s), zoomed fully out
// Each replot is timed around QCustomPlot::replot(rpImmediateRefresh) with
// the widget shown; the median of several is reported, and the ratio to the
// baseline is the figure. The baseline with antialiasing off is printed too.
//
//   QT_QPA_PLATFORM=offscreen chart_bench [repeats = 15] [--ours-only] [--save DIR]
//
// --save DIR writes each scene as DIR/<scene>-<bare|ours>.png to compare by eye.
//
// --ours-only skips the baselines (for profiling DecimatedGraph alone, e.g.
// valgrind --tool=callgrind --toggle-collect='sb::DecimatedGraph::draw*').

#include "ui/latency/decimated_graph.h"

#include <QApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <qcustomplot.h>
#include <random>
#include <string>
#include <vector>

using sb::DecimatedGraph;

namespace {

struct Series
{
    std::vector<double> keys;
    std::vector<double> values;
};

// Jagged like a real per-second p99: a per-series level, slow drift, and
// every second's value drawn afresh (a p99 over one second's few hundred
// requests of a heavy-tailed latency swings by tens of percent from one
// second to the next: log-sd 0.6 here), plus the odd tail spike.
std::vector<Series> makeData(int count, int points, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> noise(0.0, 0.6);
    std::uniform_real_distribution<double> u(0, 1);
    const double t0 = 1'700'000'000.0;
    std::vector<Series> out(static_cast<std::size_t>(count));
    for (int s = 0; s < count; ++s) {
        Series &ser = out[std::size_t(s)];
        ser.keys.resize(std::size_t(points));
        ser.values.resize(std::size_t(points));
        const double level = 200.0 + 60.0 * s;
        for (int i = 0; i < points; ++i) {
            const double drift = 1.0 + 0.3 * std::sin(i / 900.0 + s);
            double v = level * drift * noise(rng);
            if (u(rng) < 0.002)
                v *= 6; // a tail spike
            ser.keys[std::size_t(i)] = t0 + i;
            ser.values[std::size_t(i)] = v;
        }
    }
    return out;
}

QColor colour(int i)
{
    return QColor::fromHsv((i * 47) % 360, 200, 200);
}

enum class Kind
{
    Bare,     // QCPGraph, default settings (antialiased)
    BareNoAA, // QCPGraph, antialiasing off
    Ours      // DecimatedGraph
};

double medianReplotMs(QCustomPlot &plot, int repeats)
{
    plot.replot(QCustomPlot::rpImmediateRefresh); // first paint: buffers, layout
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer t;
        t.start();
        plot.replot(QCustomPlot::rpImmediateRefresh);
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

QString g_saveDir;

double scene(const std::vector<Series> &data, Kind kind, int repeats, const char *tag = nullptr)
{
    QCustomPlot plot;
    plot.resize(1200, 600);
    plot.xAxis->setTicker(QSharedPointer<QCPAxisTickerDateTime>(new QCPAxisTickerDateTime));
    plot.xAxis->setLabel(QStringLiteral("time"));
    plot.yAxis->setLabel(QStringLiteral("p99 latency (ms)"));
    for (std::size_t i = 0; i < data.size(); ++i) {
        const QPen pen(colour(int(i)), 1);
        if (kind == Kind::Ours) {
            auto *g = new DecimatedGraph(plot.xAxis, plot.yAxis);
            g->setPen(pen);
            g->addData(DecimatedGraph::Resolution::Fine, data[i].keys, data[i].values);
        } else {
            QCPGraph *g = plot.addGraph();
            g->setPen(pen);
            if (kind == Kind::BareNoAA)
                g->setAntialiased(false);
            g->setData(QVector<double>(data[i].keys.begin(), data[i].keys.end()),
                       QVector<double>(data[i].values.begin(), data[i].values.end()), true);
        }
    }
    plot.rescaleAxes(); // zoomed fully out
    plot.show();
    QApplication::processEvents();
    const double ms = medianReplotMs(plot, repeats);
    if (!g_saveDir.isEmpty() && tag && kind != Kind::BareNoAA)
        plot.savePng(
            QStringLiteral("%1/%2-%3.png")
                .arg(g_saveDir, QString::fromLatin1(tag),
                     kind == Kind::Ours ? QStringLiteral("ours") : QStringLiteral("bare")));
    return ms;
}

struct Result
{
    double bare = 0;
    double bareNoAA = 0;
    double ours = 0;
};

bool g_oursOnly = false;

Result run(const char *name, const char *tag, const std::vector<Series> &data, int repeats,
           int bareRepeats)
{
    Result r;
    if (!g_oursOnly) {
        r.bare = scene(data, Kind::Bare, bareRepeats, tag);
        r.bareNoAA = scene(data, Kind::BareNoAA, bareRepeats, tag);
    }
    r.ours = scene(data, Kind::Ours, repeats, tag);
    std::printf("%-34s bare QCPGraph %8.2f ms | no AA %8.2f ms | DecimatedGraph %6.2f ms | %6.1fx "
                "(%5.1fx vs no AA)\n",
                name, r.bare, r.bareNoAA, r.ours, r.bare / r.ours, r.bareNoAA / r.ours);
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int repeats = 15;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--ours-only")
            g_oursOnly = true;
        else if (std::string(argv[i]) == "--save" && i + 1 < argc)
            g_saveDir = QString::fromLocal8Bit(argv[++i]);
        else
            repeats = std::max(3, std::atoi(argv[i]));
    }

    // The floor nothing below can go under: the same plot, axes and all, no data.
    const double empty = scene({}, Kind::Ours, repeats);
    std::printf("%-34s %8.2f ms (axes, ticks, labels, buffer and repaint)\n", "empty plot", empty);
    const auto live = makeData(10, 3600, 1);
    const auto history = makeData(50, 86400, 2);
    const Result a =
        run("10 series x 3,600 noisy points", "live", live, repeats, std::max(3, repeats / 3));
    const Result b = run("50 series x 86,400, zoomed out", "history", history, repeats, 3);
    const bool pass =
        a.ours <= 4.0 && b.ours <= 16.0 && a.bare / a.ours >= 20.0 && b.bare / b.ours >= 20.0;
    std::printf("SUMMARY chart_bench: 10x3600 noisy %.2f ms vs bare %.1f ms (%.0fx); 50x86400 "
                "zoomed out %.2f ms vs bare %.1f ms (%.0fx); empty plot %.2f ms; targets <=4 ms, "
                "<=16 ms, >=20x: %s\n",
                a.ours, a.bare, a.bare / a.ours, b.ours, b.bare, b.bare / b.ours, empty,
                pass ? "met" : "NOT met");
    return 0;
}
