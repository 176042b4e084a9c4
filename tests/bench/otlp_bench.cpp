// OTLP data points per second into series, against a parse-only baseline
// measured in the same run (DESIGN.md's "ratios against a same-run baseline").
// One request is what an OTel SDK's exporter sends per interval for a busy
// service: 600 data points (200 series: latency and TTFT exponential histograms
// in seconds at the JS SDK's scale 4 with 40 buckets, and token usage),
// delta temporality, fresh timestamps per request.
//   parse      ExportMetricsServiceRequest::ParseFromString only
//   ingest     parse + decode + OtlpSink::acceptMetrics + take() (what the
//              receiver and the GUI's drain do per request)
//   grpc       ingest behind a real OTLP/gRPC receiver on 127.0.0.1, one
//              client sending requests back to back
//
//   build/tests/bench/otlp_bench [seconds per measure, default 2]

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "otlp/otlp_decode.h"
#include "otlp/otlp_receiver.h"
#include "otlp_request.h"

#include <QDateTime>
#include <chrono>
#include <cstdio>
#include <grpcpp/grpcpp.h>
#include <random>

using namespace sb::otlp::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSeries = 200;

cmv::ExportMetricsServiceRequest request(uint64_t timeNs)
{
    std::mt19937_64 rng(5);
    cmv::ExportMetricsServiceRequest req;
    for (int svc = 0; svc < 4; ++svc) {
        auto *sm = resource(req, "service-" + std::to_string(svc), "pod-1");
        for (int s = 0; s < kSeries / 4; ++s) {
            for (const char *name :
                 {"gen_ai.client.operation.duration", "gen_ai.server.time_to_first_token"}) {
                ExpPoint p;
                p.scale = 4;
                p.offset = std::uniform_int_distribution<int>(-40, -20)(rng);
                for (int b = 0; b < 40; ++b)
                    p.counts.push_back(std::uniform_int_distribution<uint64_t>(0, 50)(rng));
                p.startNs = timeNs - 1'000'000'000ULL;
                p.timeNs = timeNs;
                p.route = "route-" + std::to_string(s % 10);
                p.model = "model-" + std::to_string(s / 10);
                p.sum = 100.0;
                expHistogram(sm, name, "s", false, p);
            }
            // Token usage: counts and sum only.
            auto *m = sm->add_metrics();
            m->set_name("gen_ai.client.token.usage");
            auto *h = m->mutable_histogram();
            h->set_aggregation_temporality(mp::AGGREGATION_TEMPORALITY_DELTA);
            auto *dp = h->add_data_points();
            attr(dp->mutable_attributes(), "gen_ai.operation.name",
                 "route-" + std::to_string(s % 10));
            attr(dp->mutable_attributes(), "gen_ai.request.model",
                 "model-" + std::to_string(s / 10));
            attr(dp->mutable_attributes(), "gen_ai.token.type", "output");
            dp->set_time_unix_nano(timeNs);
            dp->set_count(100);
            dp->set_sum(8000);
            dp->add_explicit_bounds(100);
            dp->add_bucket_counts(40);
            dp->add_bucket_counts(60);
        }
    }
    return req;
}

int points(const cmv::ExportMetricsServiceRequest &req)
{
    int n = 0;
    for (const auto &rm : req.resource_metrics())
        for (const auto &sm : rm.scope_metrics())
            for (const auto &m : sm.metrics())
                n +=
                    m.exponential_histogram().data_points_size() + m.histogram().data_points_size();
    return n;
}

template <typename F> double perSecond(double seconds, int perCall, F &&call)
{
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    long calls = 0;
    while (Clock::now() < end) {
        call(calls);
        ++calls;
    }
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    return double(calls) * perCall / s;
}

} // namespace

int main(int argc, char **argv)
{
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const uint64_t now = uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
    // Ten requests a second apart, so seconds close as they do live.
    std::vector<std::string> bytes;
    for (int i = 0; i < 10; ++i)
        bytes.push_back(request(now - uint64_t(10 - i) * 1'000'000'000ULL).SerializeAsString());
    const int perRequest = points(request(now));
    std::printf("request: %d data points, %zu bytes\n", perRequest, bytes[0].size());

    const double parse = perSecond(seconds, perRequest, [&](long i) {
        cmv::ExportMetricsServiceRequest r;
        r.ParseFromString(bytes[std::size_t(i) % bytes.size()]);
    });
    sb::OtlpSink sink;
    std::size_t seconds_out = 0;
    const double ingest = perSecond(seconds, perRequest, [&](long i) {
        cmv::ExportMetricsServiceRequest r;
        r.ParseFromString(bytes[std::size_t(i) % bytes.size()]);
        auto d = sb::otlp::decodeMetrics(r);
        sink.acceptMetrics(std::move(d.points), QDateTime::currentMSecsSinceEpoch());
        seconds_out += sink.take().seconds.size();
    });
    if (sink.stats().rejected)
        std::printf("unexpected: %llu points rejected\n",
                    static_cast<unsigned long long>(sink.stats().rejected));

    // Over real gRPC on loopback.
    auto grpcSink = std::make_shared<sb::OtlpSink>();
    sb::otlp::OtlpReceiver::Options o;
    o.address = "127.0.0.1:0";
    sb::otlp::OtlpReceiver receiver(grpcSink, o);
    std::string error;
    if (!receiver.start(&error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    auto stub = cmv::MetricsService::NewStub(
        grpc::CreateChannel(receiver.address(), grpc::InsecureChannelCredentials()));
    std::vector<cmv::ExportMetricsServiceRequest> reqs;
    for (const auto &b : bytes) {
        reqs.emplace_back();
        reqs.back().ParseFromString(b);
    }
    const double overGrpc = perSecond(seconds, perRequest, [&](long i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        cmv::ExportMetricsServiceResponse resp;
        stub->Export(&ctx, reqs[std::size_t(i) % reqs.size()], &resp);
        grpcSink->take();
    });
    receiver.shutdown();

    std::printf("parse only (baseline): %10.0f points/s\n", parse);
    std::printf("into series:           %10.0f points/s  = %.2f x the parse-only rate\n", ingest,
                ingest / parse);
    std::printf("over gRPC (1 client):  %10.0f points/s  = %.2f x the parse-only rate\n", overGrpc,
                overGrpc / parse);
    std::printf("(series seconds produced: %zu)\n", seconds_out);
    return 0;
}
