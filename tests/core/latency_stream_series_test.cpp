// LatencyStream's per-series output over real gRPC on loopback: against the
// sim (series of one route add up to that route's point), against a scripted
// server (bad samples rejected and counted by reason, never charted; resume
// without duplicates, and duplicates dropped when a server replays anyway),
// and the GUI's updates coalesced to at most ~30 a second.
//
// Note: this drives the client layer, so it belongs in tests/client; it lives
// here (its own target, core_tests stays gRPC-free) until that folder's owner
// takes it.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/latency_stream.h"
#include "sim/sim_server.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <limits>
#include <map>

using namespace sb;
namespace v1 = switchboard::v1;

namespace {

class ScriptedWriter : public grpc::ServerWriteReactor<v1::StreamLatencyResponse>
{
public:
    ScriptedWriter(std::vector<v1::StreamLatencyResponse> script, int paceMs)
        : m_script(std::move(script)), m_paceMs(paceMs)
    {
        next();
    }
    void OnWriteDone(bool ok) override
    {
        if (!ok) {
            Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
            return;
        }
        if (m_paceMs <= 0) {
            next();
            return;
        }
        // Paced like a live service: the next batch a little later.
        m_alarm.Set(std::chrono::system_clock::now() + std::chrono::milliseconds(m_paceMs),
                    [this](bool) { next(); });
    }
    void OnDone() override { delete this; }

private:
    void next()
    {
        if (m_i < m_script.size())
            StartWrite(&m_script[m_i++]);
        else
            Finish(grpc::Status::OK); // the client reconnects and asks to resume
    }
    std::vector<v1::StreamLatencyResponse> m_script;
    std::size_t m_i = 0;
    int m_paceMs;
    grpc::Alarm m_alarm;
};

// Serves a fixed list of batches; honours resume_after_sequence unless told
// to replay everything on every call.
class ScriptedTelemetry final : public v1::TelemetryService::CallbackService
{
public:
    ScriptedTelemetry(std::vector<v1::StreamLatencyResponse> script, bool honourResume,
                      int paceMs = 0)
        : m_script(std::move(script)), m_honourResume(honourResume), m_paceMs(paceMs)
    {}

    grpc::ServerWriteReactor<v1::StreamLatencyResponse> *
    StreamLatency(grpc::CallbackServerContext *, const v1::StreamLatencyRequest *req) override
    {
        ++calls;
        if (req->resume_after_sequence() > 0)
            ++resumes;
        std::vector<v1::StreamLatencyResponse> out;
        for (auto b : m_script) {
            if (m_honourResume && b.sequence() <= req->resume_after_sequence())
                continue;
            b.set_resumed(req->resume_after_sequence() > 0);
            out.push_back(std::move(b));
        }
        return new ScriptedWriter(std::move(out), m_paceMs);
    }

    std::atomic<int> calls{0};
    std::atomic<int> resumes{0};

private:
    std::vector<v1::StreamLatencyResponse> m_script;
    bool m_honourResume;
    int m_paceMs;
};

struct Server
{
    std::unique_ptr<grpc::Server> server;
    int port = 0;

    explicit Server(grpc::Service *service)
    {
        grpc::ServerBuilder b;
        b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        b.RegisterService(service);
        server = b.BuildAndStart();
    }
    ~Server() { server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2)); }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(port); }
};

void entry(v1::StreamLatencyResponse &r, v1::DictionaryKind kind, quint32 id, const char *name)
{
    auto *d = r.add_dictionary();
    d->set_kind(kind);
    d->set_id(id);
    d->set_name(name);
}

void sample(v1::StreamLatencyResponse &r, quint32 offsetUs, float latency, quint32 route,
            quint32 model, quint32 variant = 0, quint32 status = 0)
{
    r.add_offset_micros(offsetUs);
    r.add_latency_ms(latency);
    r.add_ttft_ms(latency / 4);
    r.add_route_ids(route);
    r.add_model_ids(model);
    r.add_variant_ids(variant);
    r.add_status_codes(status);
    r.add_output_tokens(10);
    r.add_fallback_used(model == 2);
}

// Second 0: chat/a x50, chat/b x30 (10 errors), embed/a/exp x20, plus 5 NaN,
// 3 unknown routes, 2 unknown models. Second 1: chat/a x40 plus 4 stamped an
// hour ahead. Second 3: one sample, which closes seconds 0 and 1.
std::vector<v1::StreamLatencyResponse> fixtureScript(qint64 baseSec)
{
    std::vector<v1::StreamLatencyResponse> out(3);
    for (int i = 0; i < 3; ++i) {
        out[std::size_t(i)].set_sequence(quint64(i + 1));
        out[std::size_t(i)].set_stream_epoch("scripted");
        out[std::size_t(i)].mutable_base_time()->set_seconds(baseSec + (i == 2 ? 3 : i));
    }
    auto &b1 = out[0];
    entry(b1, v1::DICTIONARY_KIND_ROUTE, 1, "chat");
    entry(b1, v1::DICTIONARY_KIND_ROUTE, 2, "embed");
    entry(b1, v1::DICTIONARY_KIND_MODEL, 1, "model-a");
    entry(b1, v1::DICTIONARY_KIND_MODEL, 2, "model-b");
    entry(b1, v1::DICTIONARY_KIND_VARIANT, 1, "exp/x");
    for (int i = 0; i < 50; ++i)
        sample(b1, quint32(i * 1000), 100.f, 1, 1);
    for (int i = 0; i < 30; ++i)
        sample(b1, quint32(i * 1000), 200.f, 1, 2, 0, i < 10 ? 14 : 0);
    for (int i = 0; i < 20; ++i)
        sample(b1, quint32(i * 1000), 50.f, 2, 1, 1);
    for (int i = 0; i < 5; ++i)
        sample(b1, 0, std::numeric_limits<float>::quiet_NaN(), 1, 1);
    for (int i = 0; i < 3; ++i)
        sample(b1, 0, 100.f, 9, 1);
    for (int i = 0; i < 2; ++i)
        sample(b1, 0, 100.f, 1, 8);
    auto &b2 = out[1];
    for (int i = 0; i < 40; ++i)
        sample(b2, quint32(i * 1000), 120.f, 1, 1);
    for (int i = 0; i < 4; ++i)
        sample(b2, 3'600'000'000u, 120.f, 1, 1);
    sample(out[2], 0, 10.f, 1, 1);
    return out;
}

struct Collected
{
    std::map<std::pair<SeriesId, qint64>, SeriesSecond> seconds;
    std::map<SeriesId, SeriesKey> keys;
    int updates = 0;
    int duplicateSeconds = 0;
    SampleRejects rejects;

    void take(const SeriesUpdate &u)
    {
        ++updates;
        for (const auto &[id, key] : u.newSeries)
            keys[id] = key;
        for (const auto &s : u.seconds) {
            if (!keys.count(s.series))
                ADD_FAILURE() << "a second arrived before its series was named";
            if (!seconds.emplace(std::make_pair(s.series, s.secondMs), s).second)
                ++duplicateSeconds;
        }
        rejects = u.rejects;
    }

    const SeriesSecond *find(const SeriesKey &k, qint64 secondMs) const
    {
        for (const auto &[id, key] : keys) {
            if (key == k) {
                auto it = seconds.find({id, secondMs});
                return it == seconds.end() ? nullptr : &it->second;
            }
        }
        return nullptr;
    }
};

void checkFixtureSeries(const Collected &c, qint64 baseSec)
{
    const qint64 s0 = baseSec * 1000;
    const auto *chatA0 = c.find({"chat", "model-a", ""}, s0);
    const auto *chatB0 = c.find({"chat", "model-b", ""}, s0);
    const auto *embed0 = c.find({"embed", "model-a", "exp/x"}, s0);
    const auto *chatA1 = c.find({"chat", "model-a", ""}, s0 + 1000);
    ASSERT_TRUE(chatA0 && chatB0 && embed0 && chatA1);
    EXPECT_EQ(chatA0->aggregate.count, 50u);
    EXPECT_NEAR(chatA0->aggregate.latency.quantile(0.99), 100.0, 0.6);
    EXPECT_EQ(chatB0->aggregate.count, 30u);
    EXPECT_EQ(chatB0->aggregate.errors, 10u);
    EXPECT_EQ(chatB0->aggregate.fallbacks, 30u);
    EXPECT_EQ(chatB0->aggregate.tokens, 300u);
    EXPECT_EQ(embed0->aggregate.count, 20u);
    EXPECT_NEAR(embed0->aggregate.ttft.quantile(0.5), 12.5, 0.1);
    EXPECT_EQ(chatA1->aggregate.count, 40u);
    EXPECT_EQ(c.keys.size(), 3u) << "no series for rejected samples";
    EXPECT_EQ(c.duplicateSeconds, 0);
    EXPECT_EQ(c.rejects.badLatency, 5u);
    EXPECT_EQ(c.rejects.unknownId, 5u);
    EXPECT_EQ(c.rejects.badTime, 4u);
}

} // namespace

TEST(LatencyStreamSeries, BadSamplesAreRejectedByReasonAndAResumeBringsNoDuplicates)
{
    const qint64 baseSec = QDateTime::currentSecsSinceEpoch() - 10;
    ScriptedTelemetry service(fixtureScript(baseSec), /*honourResume=*/true);
    Server server(&service);
    ASSERT_GT(server.port, 0);
    Connection conn;
    conn.connectTo(server.address());
    LatencyStream stream(&conn);
    Collected c;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady,
                     [&](const SeriesUpdate &u) { c.take(u); });
    stream.start();
    // The script ends each call; the stream reconnects and resumes after batch 3.
    ASSERT_TRUE(QTest::qWaitFor([&] { return service.resumes.load() >= 2; }, 20000));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.seconds.size() >= 4; }, 5000));
    checkFixtureSeries(c, baseSec);
    const auto st = stream.stats();
    EXPECT_EQ(st.duplicates, 0u);
    EXPECT_EQ(st.gaps, 0u);
    EXPECT_EQ(st.lastSequence, 3u);
    EXPECT_EQ(st.rejects, c.rejects);
    EXPECT_EQ(stream.seriesKey(c.keys.begin()->first), c.keys.begin()->second);
    stream.stop();
}

TEST(LatencyStreamSeries, AServerThatReplaysEverythingCountsNothingTwice)
{
    const qint64 baseSec = QDateTime::currentSecsSinceEpoch() - 10;
    ScriptedTelemetry service(fixtureScript(baseSec), /*honourResume=*/false);
    Server server(&service);
    Connection conn;
    conn.connectTo(server.address());
    LatencyStream stream(&conn);
    Collected c;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady,
                     [&](const SeriesUpdate &u) { c.take(u); });
    stream.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return stream.stats().duplicates >= 6; }, 20000));
    checkFixtureSeries(c, baseSec);
    EXPECT_EQ(stream.stats().batches, 3u);
    stream.stop();
}

TEST(LatencyStreamSeries, SeriesOfARouteAddUpToThatRoutesPoint)
{
    sim::SimOptions o;
    o.rate = 3000;
    o.timeScale = 0.05;
    sim::SimServer sim(o);
    std::string err;
    ASSERT_TRUE(sim.start(&err)) << err;
    Connection conn;
    conn.connectTo(QString::fromStdString(sim.address()));
    LatencyStream stream(&conn);
    Collected c;
    std::map<std::pair<QString, qint64>, quint64> routeCounts;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady,
                     [&](const SeriesUpdate &u) { c.take(u); });
    QObject::connect(&stream, &LatencyStream::pointsReady, [&](const std::vector<RoutePoint> &p) {
        for (const auto &rp : p)
            routeCounts[{rp.route, rp.point.secondMs}] += rp.point.count;
    });
    stream.start();
    ASSERT_TRUE(QTest::qWaitFor([&] { return routeCounts.size() >= 8; }, 15000));
    stream.stop();
    std::map<std::pair<QString, qint64>, quint64> fromSeries;
    for (const auto &[k, s] : c.seconds)
        fromSeries[{c.keys[k.first].route, k.second}] += s.aggregate.count;
    int compared = 0;
    for (const auto &[k, n] : routeCounts) {
        auto it = fromSeries.find(k);
        ASSERT_NE(it, fromSeries.end()) << qPrintable(k.first) << " " << k.second;
        EXPECT_EQ(it->second, n) << qPrintable(k.first);
        ++compared;
    }
    EXPECT_GE(compared, 8);
    bool allModelsNamed = true;
    for (const auto &[id, key] : c.keys)
        allModelsNamed = allModelsNamed && !key.model.isEmpty();
    EXPECT_TRUE(allModelsNamed) << "the sim says which model served";
    EXPECT_EQ(stream.stats().rejects.total(), 0u);
}

TEST(LatencyStreamSeries, SecondsClosingFastReachTheGuiInAtMostThirtyUpdatesASecond)
{
    // 400 batches, one per second of data, one every 2 ms: each closes a
    // second. The GUI must get every second, in at most one update per 1/30 s.
    const qint64 baseSec = QDateTime::currentSecsSinceEpoch() - 600;
    std::vector<v1::StreamLatencyResponse> script;
    for (int i = 0; i < 400; ++i) {
        v1::StreamLatencyResponse r;
        r.set_sequence(quint64(i + 1));
        r.set_stream_epoch("backfill");
        r.mutable_base_time()->set_seconds(baseSec + i);
        if (i == 0) {
            entry(r, v1::DICTIONARY_KIND_ROUTE, 1, "chat");
            entry(r, v1::DICTIONARY_KIND_MODEL, 1, "model-a");
        }
        for (int k = 0; k < 20; ++k)
            sample(r, quint32(k * 1000), 100.f + float(k), 1, 1);
        script.push_back(std::move(r));
    }
    ScriptedTelemetry service(std::move(script), true, /*paceMs=*/2);
    Server server(&service);
    Connection conn;
    conn.connectTo(server.address());
    LatencyStream stream(&conn);
    Collected c;
    QElapsedTimer sinceFirst;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady, [&](const SeriesUpdate &u) {
        if (!sinceFirst.isValid())
            sinceFirst.start();
        c.take(u);
    });
    stream.start();
    // The first run's first second is partial by design (not charted), so 398.
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.seconds.size() >= 398; }, 20000));
    const qint64 elapsed = sinceFirst.elapsed();
    EXPECT_LE(c.updates, 1 + elapsed * LatencyStream::kMaxDrainsPerSecond / 1000 + 1)
        << c.updates << " updates in " << elapsed << " ms";
    EXPECT_EQ(stream.stats().droppedSeconds, 0u);
    EXPECT_EQ(c.duplicateSeconds, 0);
    std::printf("%d updates carried %zu seconds over %lld ms\n", c.updates, c.seconds.size(),
                (long long)elapsed);
    stream.stop();
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    qRegisterMetaType<sb::SeriesUpdate>();
    qRegisterMetaType<std::vector<sb::RoutePoint>>();
    qRegisterMetaType<sb::RpcError>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
