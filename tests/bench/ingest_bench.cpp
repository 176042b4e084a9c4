// Live ingest: how fast the console's LatencyStream turns the sim's stream
// into per-second points, against a bare client that only drains the same
// stream (the baseline, measured in the same run), and how long the event
// loop (the GUI thread's stand-in) ever waited meanwhile.
//
//   ingest_bench [rate samples/s = 2000000] [seconds = 4]

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "sim/sim_server.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <grpcpp/grpcpp.h>

namespace {

double bareDrain(const std::string &address, double seconds)
{
    // Same message size limit as the console's Connection, so both can take
    // the large batches a fast sim sends.
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    auto stub = switchboard::v1::TelemetryService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(int(seconds * 1000) + 5000));
    auto reader = stub->StreamLatency(&ctx, {});
    switchboard::v1::StreamLatencyResponse r;
    // Skip the first half second: connection setup is not throughput.
    const auto warm = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < warm && reader->Read(&r)) {
    }
    quint64 samples = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::milliseconds(int(seconds * 1000));
    while (std::chrono::steady_clock::now() < end && reader->Read(&r))
        samples += quint64(r.latency_ms_size());
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ctx.TryCancel();
    while (reader->Read(&r)) {
    }
    reader->Finish();
    return double(samples) / elapsed;
}

struct ConsoleResult
{
    double samplesPerSecond = 0;
    double maxStallMs = 0;
    quint64 points = 0;
};

ConsoleResult consoleIngest(const std::string &address, double seconds)
{
    ConsoleResult res;
    sb::Connection connection;
    connection.connectTo(QString::fromStdString(address));
    sb::LatencyStream stream(&connection);
    QObject::connect(&stream, &sb::LatencyStream::pointsReady,
                     [&](const std::vector<sb::RoutePoint> &p) { res.points += p.size(); });
    QObject::connect(&stream, &sb::LatencyStream::stateChanged,
                     [](sb::LatencyStream::State s, const QString &d) {
                         std::fprintf(stderr, "stream state %d: %s\n", int(s), qPrintable(d));
                     });
    stream.start();

    quint64 startSamples = 0;
    QElapsedTimer clock;
    QElapsedTimer sinceTick;
    // A 1 ms timer: any lateness beyond its period is time the loop was busy.
    QTimer tick;
    tick.setInterval(1);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (clock.isValid() && clock.elapsed() > 0)
            res.maxStallMs = std::max(res.maxStallMs, sinceTick.nsecsElapsed() / 1e6 - 1.0);
        sinceTick.start();
    });
    QTimer::singleShot(500, [&] {
        startSamples = stream.stats().samples;
        clock.start();
        sinceTick.start();
        tick.start();
    });
    QTimer::singleShot(500 + int(seconds * 1000), [&] {
        const double elapsed = clock.nsecsElapsed() / 1e9;
        res.samplesPerSecond = double(stream.stats().samples - startSamples) / elapsed;
        const auto st = stream.stats();
        std::fprintf(stderr, "stream: state %d, batches %llu, reconnects %llu, gaps %llu\n",
                     int(stream.state()), (unsigned long long)st.batches,
                     (unsigned long long)st.reconnects, (unsigned long long)st.gaps);
        tick.stop();
        stream.stop();
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return res;
}

// The same 1 ms timer with no stream: the stall an idle event loop sees on
// this machine while the sim generates (scheduling noise, the baseline).
double idleStallMs(double seconds)
{
    double maxStall = 0;
    QElapsedTimer sinceTick;
    QTimer tick;
    tick.setInterval(1);
    bool started = false;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (started)
            maxStall = std::max(maxStall, sinceTick.nsecsElapsed() / 1e6 - 1.0);
        started = true;
        sinceTick.start();
    });
    tick.start();
    QTimer::singleShot(int(seconds * 1000), [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    return maxStall;
}

} // namespace

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    const double rate = argc > 1 ? std::atof(argv[1]) : 2e6;
    const double seconds = argc > 2 ? std::atof(argv[2]) : 4.0;

    sb::sim::SimOptions options;
    options.rate = rate;
    sb::sim::SimServer sim(options);
    std::string error;
    if (!sim.start(&error)) {
        std::fprintf(stderr, "sim did not start: %s\n", error.c_str());
        return 1;
    }
    const double idle = idleStallMs(seconds);
    const double bare = bareDrain(sim.address(), seconds);
    const ConsoleResult ours = consoleIngest(sim.address(), seconds);
    std::printf("sim rate requested        %12.0f samples/s\n", rate);
    std::printf("bare drain (baseline)     %12.0f samples/s\n", bare);
    std::printf("LatencyStream aggregated  %12.0f samples/s\n", ours.samplesPerSecond);
    std::printf("ratio to baseline         %12.2f   (target >= 0.80)\n",
                bare > 0 ? ours.samplesPerSecond / bare : 0.0);
    std::printf("per-second points emitted %12llu\n", (unsigned long long)ours.points);
    std::printf("max event-loop stall      %12.2f ms (target <= 4 ms)\n", ours.maxStallMs);
    std::printf("  same loop, no stream    %12.2f ms (scheduling noise baseline)\n", idle);
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    sim.shutdown();
    return 0;
}
