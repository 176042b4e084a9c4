// The OTLP/gRPC receiver over real gRPC on 127.0.0.1 (port 0), driven by a
// C++ OTLP client (the generated stubs of our OTLP subset, as an SDK's
// exporter would call them): what reaches the series, partial success,
// gzip, oversize and backpressure answers, temporality and restarts.

#include "core/latency_sketch.h"
#include "google/rpc/retry_status.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "otlp/otlp_receiver.h"
#include "otlp_request.h"

#include <QDateTime>
#include <algorithm>
#include <cmath>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <limits>
#include <random>

using namespace sb;
using namespace sb::otlp;
using namespace sb::otlp::test;

namespace {

uint64_t nowNs()
{
    return uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
}

// Latencies (in the unit asked) of a heavy-tailed service, and their buckets.
std::vector<double> lognormal(std::size_t n, double medianMs, double sigma, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> d(std::log(medianMs), sigma);
    std::vector<double> v(n);
    for (auto &x : v)
        x = d(rng);
    return v;
}

ExpPoint bucketsOf(const std::vector<double> &values, int scale)
{
    ExpPoint p;
    p.scale = scale;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    std::vector<int32_t> idx;
    for (double v : values) {
        idx.push_back(LatencySketch::bucketIndex(v, scale));
        lo = std::min(lo, idx.back());
        hi = std::max(hi, idx.back());
    }
    p.offset = lo;
    p.counts.assign(std::size_t(hi - lo + 1), 0);
    for (auto i : idx)
        ++p.counts[std::size_t(i - lo)];
    double sum = 0;
    for (double v : values)
        sum += v;
    p.sum = sum;
    return p;
}

double exactQuantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v[std::size_t(std::floor(q * double(v.size() - 1) + 0.5))];
}

struct OtlpReceive : ::testing::Test
{
    void startReceiver(OtlpSink::Options sinkOptions = {}, int maxBytes = 16 << 20)
    {
        sink = std::make_shared<OtlpSink>(sinkOptions);
        OtlpReceiver::Options o;
        o.address = "127.0.0.1:0";
        o.maxMessageBytes = maxBytes;
        receiver = std::make_unique<OtlpReceiver>(sink, o);
        std::string error;
        ASSERT_TRUE(receiver->start(&error)) << error;
        auto channel = grpc::CreateChannel(receiver->address(), grpc::InsecureChannelCredentials());
        metrics = cmv::MetricsService::NewStub(channel);
        traces = ctv::TraceService::NewStub(channel);
    }
    grpc::Status send(const cmv::ExportMetricsServiceRequest &req,
                      cmv::ExportMetricsServiceResponse *resp, bool gzip = false)
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        if (gzip)
            ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
        return metrics->Export(&ctx, req, resp);
    }
    // Everything the sink has, merged per series key label.
    std::map<std::string, SeriesAggregate> drain()
    {
        SeriesUpdate u = sink->take();
        for (const auto &[id, key] : u.newSeries)
            names[id] = key.label().toStdString();
        std::map<std::string, SeriesAggregate> out;
        for (const auto &s : u.seconds) {
            auto &a = out[names[s.series]];
            // Assigned when new: merging into a default (scale 6) sketch would
            // lower a finer import's resolution.
            if (a.count == 0 && a.latency.count() == 0)
                a = s.aggregate;
            else
                a.merge(s.aggregate);
        }
        return out;
    }
    SeriesId idOf(const std::string &label) const
    {
        for (const auto &[i, n] : names)
            if (n == label)
                return i;
        return kNoSeries;
    }
    void TearDown() override
    {
        if (receiver)
            receiver->shutdown();
    }

    std::shared_ptr<OtlpSink> sink;
    std::unique_ptr<OtlpReceiver> receiver;
    std::unique_ptr<cmv::MetricsService::Stub> metrics;
    std::unique_ptr<ctv::TraceService::Stub> traces;
    std::map<SeriesId, std::string> names;
};

TEST_F(OtlpReceive, ExponentialHistogramAtScale6InMsMergesExactly)
{
    startReceiver();
    const auto values = lognormal(20000, 120.0, 0.6, 1);
    ExpPoint p = bucketsOf(values, 6);
    p.timeNs = nowNs();
    p.startNs = p.timeNs - 10'000'000'000ULL;
    cmv::ExportMetricsServiceRequest req;
    expHistogram(resource(req, "checkout", "pod-1"), "gen_ai.client.operation.duration", "ms",
                 false, p);
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    EXPECT_FALSE(resp.has_partial_success());
    auto got = drain();
    ASSERT_EQ(got.count("checkout/chat \u00b7 atlas"), 1u);
    const SeriesAggregate &a = got["checkout/chat \u00b7 atlas"];
    EXPECT_EQ(a.count, values.size());
    EXPECT_EQ(a.latency.scale(), 6);
    // The same as our own sketch of the same requests: bucket for bucket.
    LatencySketch own;
    for (double v : values)
        own.record(v);
    EXPECT_EQ(a.latency.buckets(), own.buckets());
    const double exact = exactQuantile(values, 0.99);
    EXPECT_LE(std::abs(a.latency.quantile(0.99) - exact) / exact, scaleRelativeError(6) + 1e-9);
    const auto info = sink->info(idOf("checkout/chat \u00b7 atlas"));
    ASSERT_TRUE(info.has_value());
    EXPECT_TRUE(info->exact);
    EXPECT_TRUE(info->instances.contains(QStringLiteral("pod-1")));
}

TEST_F(OtlpReceive, SecondsAndCoarseScalesKeepTheirResolutionWithAWiderBound)
{
    startReceiver();
    const auto ms = lognormal(20000, 300.0, 0.8, 2);
    std::vector<double> seconds;
    for (double v : ms)
        seconds.push_back(v / 1000.0);
    const double exact = exactQuantile(ms, 0.99);
    for (int scale : {-10, -6, 0, 3, 4, 6, 9, 12}) {
        ExpPoint p = scale >= LatencySketch::kMinScale ? bucketsOf(seconds, scale) : ExpPoint{};
        if (scale < LatencySketch::kMinScale) {
            // At -10 one bucket holds (1, 2^1024] and (2^-1024, 1]: everything here.
            p.scale = scale;
            p.offset = -1;
            p.counts = {uint64_t(seconds.size())};
        }
        p.route = "scale" + std::to_string(scale);
        p.timeNs = nowNs();
        p.startNs = p.timeNs - 1'000'000'000ULL;
        cmv::ExportMetricsServiceRequest req;
        expHistogram(resource(req, "search", "a"), "gen_ai.client.operation.duration", "s", false,
                     p);
        cmv::ExportMetricsServiceResponse resp;
        ASSERT_TRUE(send(req, &resp).ok());
        ASSERT_FALSE(resp.has_partial_success()) << resp.partial_success().error_message();
        auto got = drain();
        const auto &a = got["search/scale" + std::to_string(scale) + " \u00b7 atlas"];
        ASSERT_EQ(a.count, ms.size()) << scale;
        const auto info =
            sink->info(idOf("search/scale" + std::to_string(scale) + " \u00b7 atlas"));
        ASSERT_TRUE(info.has_value());
        EXPECT_FALSE(info->exact); // seconds are rebinned into milliseconds
        EXPECT_EQ(info->minScale, scale);
        // The bound the UI shows holds, and it is wider for coarser scales.
        const double err = std::abs(a.latency.quantile(0.99) - exact) / exact;
        EXPECT_LE(err, info->relativeError) << "scale " << scale;
        if (scale >= 6) {
            EXPECT_LE(info->relativeError, 0.01) << scale;
        }
        if (scale <= 3) {
            EXPECT_GT(info->relativeError, 0.04) << scale;
        }
        // Resolution kept: the sketch is at least as fine as what was sent.
        EXPECT_GE(a.latency.scale(), std::min(std::max(scale, -4), 6)) << scale;
    }
}

TEST_F(OtlpReceive, ExemplarsAboveTheP99OfTheirSecondLeadToTheirTraces)
{
    startReceiver();
    auto values = lognormal(2000, 200.0, 0.5, 9);
    values.push_back(4000.0); // the slow request behind the spike
    ExpPoint p = bucketsOf(values, 6);
    p.timeNs = nowNs();
    p.startNs = p.timeNs - 1'000'000'000ULL;
    cmv::ExportMetricsServiceRequest req;
    auto *dp = expHistogram(resource(req, "checkout", "pod-1"), "gen_ai.client.operation.duration",
                            "ms", false, p);
    const auto exemplar = [&](double v, const std::string &trace) {
        auto *e = dp->add_exemplars();
        e->set_as_double(v);
        e->set_time_unix_nano(p.timeNs - 500'000'000ULL);
        e->set_trace_id(trace);
        e->set_span_id(std::string(8, '\x01'));
    };
    exemplar(4000.0,
             std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
    exemplar(150.0, std::string(16, '\x02')); // a fast one, below p99
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    auto got = drain();
    const auto &a = got["checkout/chat \u00b7 atlas"];
    const qint64 second = qint64(p.timeNs / 1'000'000'000ULL) * 1000;
    const auto slow = sink->exemplars(idOf("checkout/chat \u00b7 atlas"), second - 1000,
                                      second + 1000, a.latency.quantile(0.99));
    ASSERT_EQ(slow.size(), 1u);
    EXPECT_EQ(slow[0].traceId, QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
    EXPECT_DOUBLE_EQ(slow[0].valueMs, 4000.0);
}

TEST_F(OtlpReceive, PartialSuccessKeepsTheGoodPointsAndSaysWhy)
{
    startReceiver();
    cmv::ExportMetricsServiceRequest req;
    auto *sm = resource(req, "checkout", "pod-1");
    ExpPoint good = bucketsOf({10, 20, 30}, 6);
    good.timeNs = nowNs();
    good.startNs = good.timeNs - 1'000'000'000ULL;
    expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, good);
    ExpPoint bad = good;
    bad.route = "broken";
    auto *dp = expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, bad);
    dp->set_count(99); // not the sum of its buckets
    ExpPoint noTime = good;
    noTime.route = "late";
    noTime.timeNs = 0;
    expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, noTime);
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    ASSERT_TRUE(resp.has_partial_success());
    EXPECT_EQ(resp.partial_success().rejected_data_points(), 2);
    EXPECT_FALSE(resp.partial_success().error_message().empty());
    auto got = drain();
    EXPECT_EQ(got["checkout/chat \u00b7 atlas"].count, 3u);
    EXPECT_EQ(got.count("checkout/broken \u00b7 atlas"), 0u);
}

// Found by the otlp_decode fuzzer: a failed-request point carries no buckets
// worth checking, so a hostile count (2^64 - 1) used to be added as is and
// wrapped the second's request count below its errors (error rate > 100 %).
TEST_F(OtlpReceive, AnImplausibleCountIsRefusedAndErrorsNeverExceedRequests)
{
    startReceiver();
    cmv::ExportMetricsServiceRequest req;
    auto *sm = resource(req, "svc", "1");
    ExpPoint ok = bucketsOf({10, 20, 30}, 6);
    ok.timeNs = nowNs();
    ok.startNs = ok.timeNs - 1;
    expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, ok);
    ExpPoint err = ok;
    err.errorType = "timeout";
    expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, err)
        ->set_count(std::numeric_limits<uint64_t>::max());
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    ASSERT_TRUE(resp.has_partial_success());
    EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
    EXPECT_NE(resp.partial_success().error_message().find("not plausible"), std::string::npos)
        << resp.partial_success().error_message();
    auto got = drain();
    const auto &a = got["svc/chat \u00b7 atlas"];
    EXPECT_EQ(a.count, 3u);
    EXPECT_EQ(a.errors, 0u);
}

TEST_F(OtlpReceive, GzipRequestsAreAccepted)
{
    startReceiver();
    cmv::ExportMetricsServiceRequest req;
    ExpPoint p = bucketsOf(lognormal(500, 50, 0.3, 3), 6);
    p.timeNs = nowNs();
    p.startNs = p.timeNs - 1;
    expHistogram(resource(req, "gz", "1"), "gen_ai.client.operation.duration", "ms", false, p);
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp, /*gzip=*/true).ok());
    EXPECT_EQ(drain()["gz/chat \u00b7 atlas"].count, 500u);
}

TEST_F(OtlpReceive, OversizeIsResourceExhaustedAndNothingCounts)
{
    startReceiver({}, 64 * 1024);
    cmv::ExportMetricsServiceRequest req;
    auto *sm = resource(req, "big", "1");
    for (int i = 0; i < 400; ++i) {
        ExpPoint p = bucketsOf(lognormal(200, 50, 0.5, unsigned(i)), 6);
        p.timeNs = nowNs();
        p.startNs = p.timeNs - 1;
        p.route = "r" + std::to_string(i);
        expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, p);
    }
    ASSERT_GT(req.ByteSizeLong(), 64u * 1024);
    cmv::ExportMetricsServiceResponse resp;
    const grpc::Status st = send(req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
    EXPECT_TRUE(drain().empty());
}

TEST_F(OtlpReceive, BackpressureAnswersUnavailableWithRetryInfo)
{
    OtlpSink::Options o;
    o.maxPendingSeconds = 1;
    startReceiver(o);
    const auto request = [](const std::string &route) {
        cmv::ExportMetricsServiceRequest req;
        ExpPoint p = bucketsOf({5, 6, 7}, 6);
        p.timeNs = nowNs();
        p.startNs = p.timeNs - 1;
        p.route = route;
        expHistogram(resource(req, "busy", "1"), "gen_ai.client.operation.duration", "ms", false,
                     p);
        return req;
    };
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(request("a"), &resp).ok());
    // Nobody drained: the sink is full.
    const grpc::Status st = send(request("b"), &resp);
    ASSERT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE);
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(st.error_details()));
    ASSERT_EQ(details.details_size(), 1);
    google::rpc::RetryInfo retry;
    ASSERT_TRUE(details.details(0).UnpackTo(&retry));
    EXPECT_GE(retry.retry_delay().seconds() * 1000 + retry.retry_delay().nanos() / 1'000'000, 100);
    // Drained, the retry goes through; the refused request counted nothing.
    auto got = drain();
    EXPECT_EQ(got.count("busy/b \u00b7 atlas"), 0u);
    ASSERT_TRUE(send(request("b"), &resp).ok());
    EXPECT_EQ(drain()["busy/b \u00b7 atlas"].count, 3u);
    EXPECT_EQ(receiver->stats().throttled, 1u);
}

TEST_F(OtlpReceive, CumulativeCountsDifferencesResetsAndNoRetryTwice)
{
    startReceiver();
    const uint64_t start = nowNs();
    const auto export_ = [&](uint64_t startNs, uint64_t timeNs, std::vector<uint64_t> counts) {
        cmv::ExportMetricsServiceRequest req;
        ExpPoint p;
        p.offset = 400;
        p.counts = std::move(counts);
        p.startNs = startNs;
        p.timeNs = timeNs;
        expHistogram(resource(req, "cum", "pod"), "gen_ai.client.operation.duration", "ms", true,
                     p);
        cmv::ExportMetricsServiceResponse resp;
        EXPECT_TRUE(send(req, &resp).ok());
        return drain()["cum/chat \u00b7 atlas"].count;
    };
    const uint64_t s = 1'000'000'000ULL;
    EXPECT_EQ(export_(start, start + 1 * s, {2, 3}), 5u);  // a new process: counts whole
    EXPECT_EQ(export_(start, start + 2 * s, {4, 3}), 2u);  // +2
    EXPECT_EQ(export_(start, start + 2 * s, {4, 3}), 0u);  // the exporter's retry
    EXPECT_EQ(export_(start, start + 3 * s, {4, 10}), 7u); // +7
    // Restarted: a new start time, counting from zero again.
    EXPECT_EQ(export_(start + 4 * s, start + 5 * s, {1, 0}), 1u);
    EXPECT_EQ(export_(start + 4 * s, start + 6 * s, {1, 2}), 2u);
    // A process that began before the console: its first point is a baseline.
    cmv::ExportMetricsServiceRequest req;
    ExpPoint old = bucketsOf({1, 2, 3}, 6);
    old.startNs = start - 3600 * s;
    old.timeNs = start + s;
    old.route = "old";
    expHistogram(resource(req, "cum", "pod2"), "gen_ai.client.operation.duration", "ms", true, old);
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    EXPECT_EQ(drain()["cum/old \u00b7 atlas"].count, 0u);
    EXPECT_EQ(sink->stats().baselines, 1u);
}

TEST_F(OtlpReceive, ErrorsTokensAndSpansCount)
{
    startReceiver();
    cmv::ExportMetricsServiceRequest req;
    auto *sm = resource(req, "svc", "1");
    ExpPoint err = bucketsOf({3000, 3000}, 6);
    err.timeNs = nowNs();
    err.startNs = err.timeNs - 1;
    err.errorType = "timeout";
    expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, err);
    // Output tokens: an explicit-bucket histogram, only its sum and count matter.
    auto *m = sm->add_metrics();
    m->set_name("gen_ai.client.token.usage");
    m->set_unit("{token}");
    auto *h = m->mutable_histogram();
    h->set_aggregation_temporality(mp::AGGREGATION_TEMPORALITY_DELTA);
    auto *dp = h->add_data_points();
    attr(dp->mutable_attributes(), "gen_ai.operation.name", "chat");
    attr(dp->mutable_attributes(), "gen_ai.request.model", "atlas");
    attr(dp->mutable_attributes(), "gen_ai.token.type", "output");
    dp->set_time_unix_nano(nowNs());
    dp->set_count(2);
    dp->set_sum(300);
    dp->add_explicit_bounds(100);
    dp->add_bucket_counts(0);
    dp->add_bucket_counts(2);
    cmv::ExportMetricsServiceResponse resp;
    ASSERT_TRUE(send(req, &resp).ok());
    EXPECT_FALSE(resp.has_partial_success()) << resp.partial_success().error_message();
    auto got = drain();
    EXPECT_EQ(got["svc/chat \u00b7 atlas"].count, 2u);
    EXPECT_EQ(got["svc/chat \u00b7 atlas"].errors, 2u);
    EXPECT_EQ(got["svc/chat \u00b7 atlas"].tokens, 300u);

    // Spans of a service that sends no latency metrics.
    ctv::ExportTraceServiceRequest treq;
    auto *rs = treq.add_resource_spans();
    attr(rs->mutable_resource()->mutable_attributes(), "service.name", "tracer");
    auto *ss = rs->add_scope_spans();
    const uint64_t t = nowNs();
    for (int i = 0; i < 3; ++i) {
        auto *sp = ss->add_spans();
        sp->set_name("chat atlas");
        attr(sp->mutable_attributes(), "gen_ai.operation.name", "chat");
        attr(sp->mutable_attributes(), "gen_ai.request.model", "atlas");
        sp->set_start_time_unix_nano(t - uint64_t(100 + i * 100) * 1'000'000ULL);
        sp->set_end_time_unix_nano(t);
        if (i == 2)
            sp->mutable_status()->set_code(
                opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
    }
    auto *bad = ss->add_spans();
    attr(bad->mutable_attributes(), "gen_ai.operation.name", "chat");
    bad->set_start_time_unix_nano(t);
    bad->set_end_time_unix_nano(t - 5);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ctv::ExportTraceServiceResponse tresp;
    ASSERT_TRUE(traces->Export(&ctx, treq, &tresp).ok());
    EXPECT_EQ(tresp.partial_success().rejected_spans(), 1);
    got = drain();
    const auto &a = got["tracer/chat \u00b7 atlas"];
    EXPECT_EQ(a.count, 3u);
    EXPECT_EQ(a.errors, 1u);
    EXPECT_NEAR(a.latency.quantile(0.0), 100.0, 1.0);
}

} // namespace
