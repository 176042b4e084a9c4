// Live ingest at fleet scale: how fast the console's LatencyStream turns a
// stream of latency batches into per-(route, model, variant) series, against a
// bare client that only parses the same stream (the baseline, same run, same
// channel), and the GUI thread's longest stall meanwhile against an idle
// baseline measured under the same load (the bare client streaming).
//
// The server is a replay server inside this process: a raw-callback
// TelemetryService that sends pre-encoded batches as fast as flow control
// lets it (only a ~40-byte header per batch is encoded on the fly: sequence,
// epoch, base time), so neither the sim's random generator nor protobuf
// encoding is what is measured. The console side runs exactly what the app
// runs: LatencyStream (decode, validate, aggregate on gRPC's thread; coalesced
// updates) and, on the GUI thread, a SeriesStore fed with every update.
//
//   ingest_bench [seconds per phase = 3] [rounds = 2] [--route-points]
//
// --route-points also connects the per-route pointsReady signal, which runs
// the older per-route aggregation next to the series one (what the console
// pays while ui/ still listens to it).

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "core/series_store.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <grpcpp/grpcpp.h>
#include <random>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace v1 = switchboard::v1;

namespace {

constexpr int kSamplesPerBatch = 50'000; // what the sim caps its batches at
constexpr int kDistinctBatches = 16;
constexpr double kNominalRate = 10e6; // sets how much time one batch spans

// ---------------------------------------------------------------- replay server

struct Fleet
{
    std::vector<std::string> routes{"chat", "summarize", "extract", "embed", "rerank"};
    std::vector<std::string> models{"gpt-large", "gpt-small", "claude-x", "llama-70b", "mistral-m"};
    std::vector<std::string> variants{"exp-chat/control", "exp-chat/shorter", "exp-sum/control",
                                      "exp-sum/terse"};
};

// The column bytes of one batch (fields 5..13), serialized once.
std::string encodeBody(std::mt19937_64 &rng, const Fleet &fleet)
{
    v1::StreamLatencyResponse r;
    std::uniform_int_distribution<int> route(0, int(fleet.routes.size()) - 1);
    std::discrete_distribution<int> model({40, 25, 20, 10, 5});
    std::uniform_real_distribution<double> u(0, 1);
    std::lognormal_distribution<double> latency(6.0, 0.8); // ~400 ms median, heavy tail
    const double spanUs = kSamplesPerBatch / kNominalRate * 1e6;
    for (int i = 0; i < kSamplesPerBatch; ++i) {
        const int rt = route(rng);
        const int md = model(rng);
        // chat and summarize run an experiment on a third of their traffic.
        quint32 variant = 0;
        if ((rt == 0 || rt == 1) && u(rng) < 0.33)
            variant = quint32(rt * 2 + (u(rng) < 0.5 ? 1 : 2));
        const double lat = latency(rng) * (1.0 + 0.3 * md);
        const bool error = u(rng) < 0.01;
        r.add_offset_micros(quint32(double(i) / kSamplesPerBatch * spanUs));
        r.add_latency_ms(float(lat));
        r.add_ttft_ms(error ? 0.f : float(lat * (0.1 + 0.2 * u(rng))));
        r.add_route_ids(quint32(rt + 1));
        r.add_model_ids(quint32(md + 1));
        r.add_variant_ids(variant);
        r.add_status_codes(error ? 14 : 0);
        r.add_output_tokens(error ? 0 : quint32(20 + u(rng) * 400));
        r.add_fallback_used(u(rng) < 0.03);
    }
    return r.SerializeAsString();
}

class ReplayServer
{
public:
    ReplayServer()
    {
        std::mt19937_64 rng(42);
        for (int i = 0; i < kDistinctBatches; ++i)
            m_bodies.push_back(encodeBody(rng, m_fleet));
        for (std::size_t i = 0; i < m_fleet.routes.size(); ++i)
            addEntry(v1::DICTIONARY_KIND_ROUTE, quint32(i + 1), m_fleet.routes[i]);
        for (std::size_t i = 0; i < m_fleet.models.size(); ++i)
            addEntry(v1::DICTIONARY_KIND_MODEL, quint32(i + 1), m_fleet.models[i]);
        for (std::size_t i = 0; i < m_fleet.variants.size(); ++i)
            addEntry(v1::DICTIONARY_KIND_VARIANT, quint32(i + 1), m_fleet.variants[i]);
        grpc::ServerBuilder b;
        b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &m_port);
        b.RegisterService(&m_service);
        m_server = b.BuildAndStart();
    }
    ~ReplayServer() { shutdown(); }

    void shutdown()
    {
        if (m_server) {
            m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
            m_server.reset();
        }
    }

    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
    std::size_t bodyBytes() const { return m_bodies[0].size(); }

private:
    void addEntry(v1::DictionaryKind kind, quint32 id, const std::string &name)
    {
        auto *e = m_dictionary.add_dictionary();
        e->set_kind(kind);
        e->set_id(id);
        e->set_name(name);
    }

    class Writer : public grpc::ServerWriteReactor<grpc::ByteBuffer>
    {
    public:
        Writer(ReplayServer &s, quint64 resumeAfter) : m_s(s), m_sequence(resumeAfter) { next(); }
        void OnWriteDone(bool ok) override
        {
            if (!ok) {
                Finish(grpc::Status::OK);
                return;
            }
            next();
        }
        void OnCancel() override {}
        void OnDone() override { delete this; }

    private:
        void next()
        {
            // Header fields, freshly encoded; protobuf merges the two parts.
            v1::StreamLatencyResponse h;
            if (m_first)
                h = m_s.m_dictionary;
            h.set_sequence(++m_sequence);
            h.set_stream_epoch("replay");
            const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
            h.mutable_base_time()->set_seconds(nowUs / 1000000);
            h.mutable_base_time()->set_nanos(int(nowUs % 1000000) * 1000);
            if (m_first)
                h.set_resumed(m_sequence > 1);
            m_first = false;
            m_header = h.SerializeAsString();
            const std::string &body = m_s.m_bodies[m_sequence % m_s.m_bodies.size()];
            grpc::Slice parts[2] = {
                grpc::Slice(m_header.data(), m_header.size()), // copied: it changes
                grpc::Slice(body.data(), body.size(), grpc::Slice::STATIC_SLICE)};
            m_buffer = grpc::ByteBuffer(parts, 2);
            StartWrite(&m_buffer);
        }

        ReplayServer &m_s;
        quint64 m_sequence;
        bool m_first = true;
        std::string m_header;
        grpc::ByteBuffer m_buffer;
    };

    class Service : public v1::TelemetryService::WithRawCallbackMethod_StreamLatency<
                        v1::TelemetryService::WithCallbackMethod_StreamSketches<
                            v1::TelemetryService::Service>>
    {
    public:
        explicit Service(ReplayServer &s) : m_s(s) {}
        grpc::ServerWriteReactor<grpc::ByteBuffer> *
        StreamLatency(grpc::CallbackServerContext *, const grpc::ByteBuffer *request) override
        {
            v1::StreamLatencyRequest req;
            std::vector<grpc::Slice> slices;
            if (request->Dump(&slices).ok()) {
                std::string bytes;
                for (const auto &sl : slices)
                    bytes.append(reinterpret_cast<const char *>(sl.begin()), sl.size());
                req.ParseFromString(bytes);
            }
            return new Writer(m_s, req.resume_after_sequence());
        }

    private:
        ReplayServer &m_s;
    };

    Fleet m_fleet;
    std::vector<std::string> m_bodies;
    v1::StreamLatencyResponse m_dictionary;
    Service m_service{*this};
    int m_port = 0;
    std::unique_ptr<grpc::Server> m_server;
};

// ---------------------------------------------------------------- bare client

// The same channel and the same callback read loop as the console, doing
// nothing with a batch but count its samples.
class BareReader : public grpc::ClientReadReactor<v1::StreamLatencyResponse>
{
public:
    explicit BareReader(std::shared_ptr<grpc::Channel> channel)
        : m_stub(v1::TelemetryService::NewStub(std::move(channel)))
    {
        m_stub->async()->StreamLatency(&m_ctx, &m_request, this);
        StartRead(&m_response);
        StartCall();
    }
    void OnReadDone(bool ok) override
    {
        if (!ok)
            return;
        samples.fetch_add(quint64(m_response.latency_ms_size()), std::memory_order_relaxed);
        StartRead(&m_response);
    }
    void OnDone(const grpc::Status &) override
    {
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_cv.notify_all();
    }
    void cancelAndWait()
    {
        m_ctx.TryCancel();
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_done; });
    }

    std::atomic<quint64> samples{0};

private:
    std::unique_ptr<v1::TelemetryService::Stub> m_stub;
    grpc::ClientContext m_ctx;
    v1::StreamLatencyRequest m_request;
    v1::StreamLatencyResponse m_response;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
};

// ---------------------------------------------------------------- GUI thread probe

// A 1 ms timer on the event loop: any lateness beyond its period is time the
// loop was busy (or the thread was not scheduled).
class StallProbe
{
public:
    StallProbe()
    {
        m_tick.setInterval(1);
        m_tick.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_tick, &QTimer::timeout, [this] {
            if (m_since.isValid())
                m_maxMs = std::max(m_maxMs, double(m_since.nsecsElapsed()) / 1e6 - 1.0);
            m_since.start();
        });
    }
    void start()
    {
        m_maxMs = 0;
        m_since.invalidate();
        m_tick.start();
    }
    double stop()
    {
        m_tick.stop();
        return m_maxMs;
    }

private:
    QTimer m_tick;
    QElapsedTimer m_since;
    double m_maxMs = 0;
};

void runLoopFor(int ms)
{
    QTimer::singleShot(ms, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
}

struct Phase
{
    double samplesPerSecond = 0;
    double maxStallMs = 0;
    double cores = 0; // CPU time of the whole process (server included) / wall time
};

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Phase bare(sb::Connection &connection, double seconds, StallProbe &probe)
{
    auto *reader = new BareReader(connection.channel());
    runLoopFor(500); // connection setup and warm-up are not throughput
    const quint64 start = reader->samples.load();
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = cpuSeconds();
    probe.start();
    runLoopFor(int(seconds * 1000));
    Phase p;
    p.maxStallMs = probe.stop();
    p.cores = (cpuSeconds() - cpu0) / (clock.nsecsElapsed() / 1e9);
    p.samplesPerSecond = double(reader->samples.load() - start) / (clock.nsecsElapsed() / 1e9);
    reader->cancelAndWait();
    delete reader;
    return p;
}

struct ConsoleTotals
{
    double maxHandlerMs = 0; // longest single GUI-thread update (SeriesStore apply + trim)
    quint64 updates = 0;
    quint64 seconds = 0;
    quint64 routePoints = 0;
    std::size_t series = 0;
    sb::SampleRejects rejects;
    quint64 dropped = 0;
    std::size_t storeBytes = 0;
};

Phase console(sb::Connection &connection, double seconds, StallProbe &probe, bool routePoints,
              ConsoleTotals &totals)
{
    sb::LatencyStream stream(&connection);
    sb::SeriesStore store;
    QObject::connect(
        &stream, &sb::LatencyStream::seriesPointsReady, [&](const sb::SeriesUpdate &u) {
            QElapsedTimer work;
            work.start();
            store.apply(u);
            store.trim(store.newestMs());
            totals.maxHandlerMs = std::max(totals.maxHandlerMs, double(work.nsecsElapsed()) / 1e6);
            ++totals.updates;
            totals.seconds += u.seconds.size();
        });
    if (routePoints)
        QObject::connect(
            &stream, &sb::LatencyStream::pointsReady,
            [&](const std::vector<sb::RoutePoint> &p) { totals.routePoints += p.size(); });
    stream.start();
    runLoopFor(500);
    const quint64 start = stream.stats().samples;
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = cpuSeconds();
    probe.start();
    runLoopFor(int(seconds * 1000));
    Phase p;
    p.maxStallMs = probe.stop();
    p.cores = (cpuSeconds() - cpu0) / (clock.nsecsElapsed() / 1e9);
    const auto st = stream.stats();
    p.samplesPerSecond = double(st.samples - start) / (clock.nsecsElapsed() / 1e9);
    totals.rejects = st.rejects;
    totals.dropped = st.droppedSeconds;
    totals.series = store.seriesIds().size();
    totals.storeBytes = store.memoryBytes();
    stream.stop();
    runLoopFor(200); // let the cancelled call end before the stream object goes
    return p;
}

} // namespace

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    double seconds = 3.0;
    int rounds = 2;
    bool routePoints = false;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--route-points") == 0)
            routePoints = true;
        else
            positional.emplace_back(argv[i]);
    }
    if (positional.size() > 0)
        seconds = std::atof(positional[0].c_str());
    if (positional.size() > 1)
        rounds = std::max(1, std::atoi(positional[1].c_str()));

    ReplayServer server;
    sb::Connection connection;
    connection.connectTo(QString::fromStdString(server.address()));
    runLoopFor(300);
    std::printf("replay server: %d distinct pre-encoded batches of %d samples (%zu bytes each)\n",
                kDistinctBatches, kSamplesPerBatch, server.bodyBytes());

    StallProbe probe;
    std::vector<Phase> bares, consoles;
    ConsoleTotals totals;
    for (int r = 0; r < rounds; ++r) {
        bares.push_back(bare(connection, seconds, probe));
        consoles.push_back(console(connection, seconds, probe, routePoints, totals));
        std::printf("round %d: bare %6.2f M samples/s (GUI loop stall %5.2f ms, %.2f cores) | "
                    "console %6.2f M samples/s (stall %5.2f ms, %.2f cores)\n",
                    r + 1, bares.back().samplesPerSecond / 1e6, bares.back().maxStallMs,
                    bares.back().cores, consoles.back().samplesPerSecond / 1e6,
                    consoles.back().maxStallMs, consoles.back().cores);
    }
    auto mean = [](const std::vector<Phase> &v, double Phase::*f) {
        double s = 0;
        for (const auto &p : v)
            s += p.*f;
        return s / double(v.size());
    };
    auto maxOf = [](const std::vector<Phase> &v, double Phase::*f) {
        double m = 0;
        for (const auto &p : v)
            m = std::max(m, p.*f);
        return m;
    };
    const double bareRate = mean(bares, &Phase::samplesPerSecond);
    const double ourRate = mean(consoles, &Phase::samplesPerSecond);
    const double ratio = bareRate > 0 ? ourRate / bareRate : 0;
    std::vector<double> ratios;
    for (std::size_t i = 0; i < bares.size(); ++i)
        ratios.push_back(bares[i].samplesPerSecond > 0
                             ? consoles[i].samplesPerSecond / bares[i].samplesPerSecond
                             : 0);
    std::sort(ratios.begin(), ratios.end());
    const double medianRatio =
        ratios.size() % 2 ? ratios[ratios.size() / 2]
                          : (ratios[ratios.size() / 2 - 1] + ratios[ratios.size() / 2]) / 2;
    const double idleStall = maxOf(bares, &Phase::maxStallMs);
    const double ourStall = maxOf(consoles, &Phase::maxStallMs);
    std::printf("bare client (baseline)        %8.2f M samples/s\n", bareRate / 1e6);
    std::printf("LatencyStream into series     %8.2f M samples/s%s\n", ourRate / 1e6,
                routePoints ? " (with per-route points too)" : "");
    std::printf("ratio to baseline             %8.2f   (of the means; median of rounds %.2f; "
                "target >= 0.80)\n",
                ratio, medianRatio);
    std::printf("series                        %8zu   (updates %llu, seconds %llu, route points "
                "%llu)\n",
                totals.series, (unsigned long long)totals.updates,
                (unsigned long long)totals.seconds, (unsigned long long)totals.routePoints);
    std::printf("rejected samples              %8llu   dropped seconds %llu\n",
                (unsigned long long)totals.rejects.total(), (unsigned long long)totals.dropped);
    std::printf("series store (GUI side)       %8.1f MB\n", double(totals.storeBytes) / 1e6);
    std::printf("GUI loop max stall, ingesting %8.2f ms (longest update handled on it: %.2f ms)\n",
                ourStall, totals.maxHandlerMs);
    std::printf("  same loop, bare client      %8.2f ms (idle baseline under the same load)\n",
                idleStall);
    const bool pass = ourRate >= 10e6 && ratio >= 0.80 && ourStall - idleStall <= 2.0;
    std::printf("SUMMARY ingest_bench: %.2fM samples/s into %zu series = %.2fx bare client "
                "(%.2fM/s; median round %.2fx); GUI stall %.2f ms vs idle %.2f ms (%+.2f ms); "
                "targets >=10M/s, >=0.80x, <=+2 ms: %s\n",
                ourRate / 1e6, totals.series, ratio, bareRate / 1e6, medianRatio, ourStall,
                idleStall, ourStall - idleStall, pass ? "met" : "NOT met");
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    server.shutdown();
    return 0;
}
