// toggle_bench: from confirming a routing change in the console to its effect
// being visible, against the in-process sim over real gRPC. For 20 toggles
// of chat's primary model (atlas-xl: disable, enable, ...) it measures
//   - table:  confirm -> the Routing table shows the new state
//   - stream: confirm -> the latency stream's per-second points for chat show
//             traffic moving (fallback share > 50 % after a disable, < 30 %
//             after an enable), i.e. what the Latency page draws
// and prints the medians. The stream figure includes the wait for the
// second to close (points are per second), so about 1 s of it is the
// sampling itself; the same run prints the second-boundary baseline (the
// delay from a random instant to the end of the next full second) to compare.
//
//   build/tests/bench/toggle_bench [toggles=20] [rate=4000]

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "core/latency_history.h"
#include "sim/sim_server.h"
#include "ui/console.h"
#include "ui/latency/latency_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <cstdio>
#include <random>

using namespace sb;

// Like QTest::qWaitFor, but polling every 0.2 ms instead of 10 ms, so the
// figures are not quantised by the wait itself.
template <class F> static bool waitFor(F done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        if (done())
            return true;
        QThread::usleep(200);
    }
    return done();
}

static double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char **argv)
{
    GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int toggles = argc > 1 ? std::atoi(argv[1]) : 20;
    sim::SimOptions o;
    o.rate = argc > 2 ? std::atof(argv[2]) : 4000;
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    if (!sim->start(&err)) {
        std::fprintf(stderr, "sim: %s\n", err.c_str());
        return 1;
    }
    std::vector<double> tableMs, streamMs, baselineMs;
    {
        Console console(nullptr);
        console.session()->connectTo(QString::fromStdString(sim->address()), QStringLiteral("sim"));
        RoutingController *routing = console.routing();
        if (!QTest::qWaitFor([&] { return routing->writeBlockedReason().isEmpty(); }, 15000)) {
            std::fprintf(stderr, "never live: %s\n", qPrintable(routing->writeBlockedReason()));
            return 1;
        }
        QTest::qWait(3000); // let the stream settle
        LatencyHistory *history = console.latency()->history();
        std::mt19937 rng(7);
        for (int i = 0; i < toggles; ++i) {
            const Model *m = routing->model()->model(QStringLiteral("atlas-xl"));
            const bool disable = m->enabled;
            Change c{.kind = ChangeKind::ModelEnabled,
                     .object = QStringLiteral("atlas-xl"),
                     .enabled = !disable,
                     .reason = QStringLiteral("toggle_bench"),
                     .expectedEtag = m->etag,
                     .requestId = Change::newRequestId()};
            // Start at a random point inside a second, as a user would.
            QTest::qWait(int(std::uniform_int_distribution<int>(0, 999)(rng)));
            const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
            QElapsedTimer timer;
            timer.start();
            routing->submit(c);
            double table = -1, stream = -1;
            const bool ok = waitFor(
                [&] {
                    if (table < 0) {
                        const Model *now = routing->model()->model(QStringLiteral("atlas-xl"));
                        if (now && now->enabled == !disable)
                            table = double(timer.nsecsElapsed()) / 1e6;
                    }
                    if (stream < 0) {
                        const auto &s = history->series(QStringLiteral("chat"));
                        // A full second that started after the confirm.
                        for (auto it = s.rbegin(); it != s.rend() && it->secondMs >= t0; ++it) {
                            if (!it->count)
                                continue;
                            const double fb = double(it->fallbacks) / double(it->count);
                            if (disable ? fb > 0.5 : fb < 0.3) {
                                stream = double(timer.nsecsElapsed()) / 1e6;
                                break;
                            }
                        }
                    }
                    return table >= 0 && stream >= 0;
                },
                15000);
            if (!ok) {
                std::fprintf(stderr, "toggle %d: no effect seen (table %.1f, stream %.1f)\n", i,
                             table, stream);
                return 1;
            }
            baselineMs.push_back(double(1000 - t0 % 1000) + 1000);
            tableMs.push_back(table);
            streamMs.push_back(stream);
            std::printf("toggle %2d %-7s table %7.1f ms  stream %7.1f ms\n", i + 1,
                        disable ? "disable" : "enable", table, stream);
        }
        console.shutdown();
    }
    CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    sim->shutdown();
    std::printf("toggle_bench: %d toggles at %.0f samples/s: median confirm->table %.1f ms, "
                "confirm->stream %.1f ms (baseline: the next full second closes after a median "
                "%.1f ms; stream/baseline %.2f)\n",
                toggles, o.rate, median(tableMs), median(streamMs), median(baselineMs),
                median(streamMs) / std::max(1.0, median(baselineMs)));
    return 0;
}
