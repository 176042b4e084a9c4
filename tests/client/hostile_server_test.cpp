// The client against a hostile but real gRPC server: ragged columns, NaN and
// negative latencies, unknown dictionary ids, replayed sequence numbers and a
// clock jump. Nothing may crash; bad batches are trimmed, replays counted and
// dropped, and what is valid still reaches the chart.

#include "client/connection.h"
#include "client/latency_stream.h"
#include "switchboard/v1/telemetry_service.grpc.pb.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <limits>

using namespace sb;
namespace v1 = switchboard::v1;

namespace {

class ScriptedWriter : public grpc::ServerWriteReactor<v1::StreamLatencyResponse>
{
public:
    explicit ScriptedWriter(std::vector<v1::StreamLatencyResponse> script)
        : m_script(std::move(script))
    {
        next();
    }
    void OnWriteDone(bool ok) override
    {
        if (!ok) {
            Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
            return;
        }
        next();
    }
    void OnDone() override { delete this; }

private:
    void next()
    {
        if (m_i < m_script.size())
            StartWrite(&m_script[m_i++]);
        else
            Finish(grpc::Status::OK); // then the client reconnects and gets it all again
    }
    std::vector<v1::StreamLatencyResponse> m_script;
    std::size_t m_i = 0;
};

class HostileTelemetry final : public v1::TelemetryService::CallbackService
{
public:
    grpc::ServerWriteReactor<v1::StreamLatencyResponse> *
    StreamLatency(grpc::CallbackServerContext *, const v1::StreamLatencyRequest *) override
    {
        ++calls;
        return new ScriptedWriter(script());
    }
    std::atomic<int> calls{0};

private:
    static std::vector<v1::StreamLatencyResponse> script()
    {
        const qint64 baseSec = QDateTime::currentSecsSinceEpoch() - 10;
        std::vector<v1::StreamLatencyResponse> out;
        auto batch = [&](uint64_t seq) {
            v1::StreamLatencyResponse r;
            r.set_sequence(seq);
            r.set_stream_epoch("hostile");
            r.mutable_base_time()->set_seconds(baseSec);
            return r;
        };
        // 1: valid samples over 4 seconds, but one column is short (ragged).
        auto b1 = batch(1);
        auto *d = b1.add_dictionary();
        d->set_kind(v1::DICTIONARY_KIND_ROUTE);
        d->set_id(1);
        d->set_name("chat");
        for (int i = 0; i < 400; ++i) {
            b1.add_offset_micros(uint32_t(i) * 10000);
            b1.add_latency_ms(float(100 + i % 50));
            b1.add_ttft_ms(20);
            b1.add_route_ids(1);
            if (i != 399)
                b1.add_status_codes(0);
        }
        out.push_back(b1);
        // 2: garbage values and an id the dictionary never defined.
        auto b2 = batch(2);
        for (int i = 0; i < 100; ++i) {
            b2.add_offset_micros(4000000 + uint32_t(i) * 1000);
            b2.add_latency_ms(i % 2 ? std::numeric_limits<float>::quiet_NaN() : -5.0f);
            b2.add_route_ids(i % 3 ? 1 : 77);
            b2.add_status_codes(0);
        }
        out.push_back(b2);
        // 3: a replay of batch 1.
        out.push_back(b1);
        // 4: more valid data, later, so earlier seconds close.
        auto b4 = batch(3);
        for (int i = 0; i < 200; ++i) {
            b4.add_offset_micros(6000000 + uint32_t(i) * 10000);
            b4.add_latency_ms(200);
            b4.add_route_ids(1);
            b4.add_status_codes(i % 10 == 0 ? 14 : 0);
        }
        out.push_back(b4);
        // 5: empty batch with only a sequence; 6: a batch with no columns at all.
        out.push_back(batch(4));
        return out;
    }
};

} // namespace

TEST(LatencyStreamHostile, TrimsRaggedBatchesDropsReplaysAndNeverCrashes)
{
    HostileTelemetry service;
    grpc::EnableDefaultHealthCheckService(true);
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    auto server = builder.BuildAndStart();
    ASSERT_TRUE(server);
    ASSERT_GT(port, 0);

    Connection c;
    c.connectTo(QStringLiteral("127.0.0.1:%1").arg(port));
    LatencyStream stream(&c);
    QSignalSpy points(&stream, &LatencyStream::pointsReady);
    stream.start();
    // The server ends each stream after its script; the client reconnects and
    // resumes, so the replayed script is all duplicates.
    ASSERT_TRUE(QTest::qWaitFor([&] { return service.calls.load() >= 2; }, 15000));
    ASSERT_TRUE(QTest::qWaitFor([&] { return stream.stats().duplicates >= 4; }, 15000));
    const auto st = stream.stats();
    EXPECT_GE(st.malformed, 1u);
    EXPECT_EQ(st.batches, 4u) << "each distinct sequence counted once";
    EXPECT_EQ(st.samples, 399u + 100u + 200u);

    quint64 chatCount = 0;
    bool sawUnknown = false;
    for (const auto &args : points) {
        for (const auto &rp : args.at(0).value<std::vector<RoutePoint>>()) {
            if (rp.route == QStringLiteral("chat"))
                chatCount += rp.point.count;
            if (rp.route == QStringLiteral("route#77"))
                sawUnknown = true;
            EXPECT_TRUE(std::isfinite(rp.point.p99));
            EXPECT_GE(rp.point.p50, 0.0);
        }
    }
    EXPECT_GE(chatCount, 399u) << "valid samples reach the chart";
    EXPECT_TRUE(sawUnknown) << "an undefined id is shown, not dropped silently";
    stream.stop();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

// Found by the latency_batch fuzzer: a batch whose first route id is
// UINT32_MAX (the "no route yet" marker of the per-route view) crashed the
// decoder with a null dereference.
TEST(LatencyBatchDecoderHostile, ARouteIdOfUint32MaxIsARouteNotACrash)
{
    LatencyBatchDecoder decoder(std::make_shared<SeriesInterner>());
    decoder.setRoutePointsEnabled(true);
    v1::StreamLatencyResponse r;
    r.set_sequence(1);
    r.mutable_base_time()->set_seconds(QDateTime::currentSecsSinceEpoch());
    for (quint32 id : {std::numeric_limits<quint32>::max(), 7u}) {
        r.add_offset_micros(1000);
        r.add_latency_ms(42);
        r.add_route_ids(id);
        r.add_status_codes(0);
    }
    const auto res = decoder.decode(r, QDateTime::currentMSecsSinceEpoch());
    EXPECT_EQ(res.samples, 2u);
    QStringList routes;
    for (const RoutePoint &p : decoder.routeAggregator().takeAll())
        routes << p.route;
    EXPECT_EQ(routes, (QStringList{QStringLiteral("route#4294967295"), QStringLiteral("route#7")}));
}
