// A service sending both metrics and spans, over real gRPC on 127.0.0.1:
// per service and signal metrics win and spans add what metrics do not
// carry (TTFT, tokens); a signal counted from spans until its first metric
// point is handed over without counting those requests twice. And the
// mapping: attributes a profile names become route, model and variant; the
// default mapping is unchanged (no variant).

#include "core/latency_sketch.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "otlp/otlp_receiver.h"
#include "otlp_request.h"

#include <QDateTime>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

using namespace sb;
using namespace sb::otlp;
using namespace sb::otlp::test;

namespace {

constexpr uint64_t kMs = 1'000'000ULL;

uint64_t nowNs()
{
    return uint64_t(QDateTime::currentMSecsSinceEpoch()) * kMs;
}

class OtlpSignals : public ::testing::Test
{
protected:
    void start(Mapping mapping = {})
    {
        sink = std::make_shared<OtlpSink>();
        OtlpReceiver::Options o;
        o.address = "127.0.0.1:0";
        o.mapping = std::move(mapping);
        receiver = std::make_unique<OtlpReceiver>(sink, o);
        std::string error;
        ASSERT_TRUE(receiver->start(&error)) << error;
        auto channel = grpc::CreateChannel(receiver->address(), grpc::InsecureChannelCredentials());
        metrics = cmv::MetricsService::NewStub(channel);
        traces = ctv::TraceService::NewStub(channel);
    }
    void TearDown() override
    {
        if (receiver)
            receiver->shutdown();
    }
    void sendMetrics(const cmv::ExportMetricsServiceRequest &req)
    {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        cmv::ExportMetricsServiceResponse resp;
        ASSERT_TRUE(metrics->Export(&ctx, req, &resp).ok());
        EXPECT_FALSE(resp.has_partial_success()) << resp.partial_success().error_message();
    }
    // `n` GenAI spans of `service` ending at endNs, 200 ms each, with a TTFT
    // of 50 ms and 40 output tokens.
    void sendSpans(const std::string &service, int n, uint64_t endNs)
    {
        ctv::ExportTraceServiceRequest req;
        auto *rs = req.add_resource_spans();
        attr(rs->mutable_resource()->mutable_attributes(), "service.name", service);
        auto *ss = rs->add_scope_spans();
        for (int i = 0; i < n; ++i) {
            auto *sp = ss->add_spans();
            sp->set_name("chat atlas");
            attr(sp->mutable_attributes(), "gen_ai.operation.name", "chat");
            attr(sp->mutable_attributes(), "gen_ai.request.model", "atlas");
            auto *ttft = sp->add_attributes();
            ttft->set_key("gen_ai.response.time_to_first_chunk");
            ttft->mutable_value()->set_double_value(0.05); // seconds
            auto *tokens = sp->add_attributes();
            tokens->set_key("gen_ai.usage.output_tokens");
            tokens->mutable_value()->set_int_value(40);
            sp->set_start_time_unix_nano(endNs - 200 * kMs);
            sp->set_end_time_unix_nano(endNs);
        }
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        ctv::ExportTraceServiceResponse resp;
        ASSERT_TRUE(traces->Export(&ctx, req, &resp).ok());
        EXPECT_FALSE(resp.has_partial_success()) << resp.partial_success().error_message();
    }
    // A delta duration histogram of `n` requests of 300 ms over (startNs, timeNs].
    static cmv::ExportMetricsServiceRequest durations(const std::string &service, uint64_t n,
                                                      uint64_t startNs, uint64_t timeNs)
    {
        cmv::ExportMetricsServiceRequest req;
        auto *sm = resource(req, service, "1");
        ExpPoint p;
        p.offset = LatencySketch::bucketIndex(300, 6);
        p.counts = {n};
        p.startNs = startNs;
        p.timeNs = timeNs;
        expHistogram(sm, "gen_ai.client.operation.duration", "ms", false, p);
        return req;
    }
    static mp::ExponentialHistogramDataPoint *firstPoint(cmv::ExportMetricsServiceRequest &req)
    {
        return req.mutable_resource_metrics(0)
            ->mutable_scope_metrics(0)
            ->mutable_metrics(0)
            ->mutable_exponential_histogram()
            ->mutable_data_points(0);
    }
    // Everything the sink has so far, merged into one aggregate.
    SeriesAggregate drained()
    {
        for (const auto &s : sink->take().seconds) {
            if (total.count == 0 && total.latency.count() == 0 && total.ttft.count() == 0)
                total = s.aggregate;
            else
                total.merge(s.aggregate);
        }
        return total;
    }

    std::shared_ptr<OtlpSink> sink;
    std::unique_ptr<OtlpReceiver> receiver;
    std::unique_ptr<cmv::MetricsService::Stub> metrics;
    std::unique_ptr<ctv::TraceService::Stub> traces;
    SeriesAggregate total;
};

TEST_F(OtlpSignals, SpansAddWhatTheMetricsDoNotCarry)
{
    start();
    const uint64_t t = nowNs();
    // The service exports the duration histogram (4 requests) but no TTFT
    // or token metrics; its spans describe the same 4 requests.
    sendMetrics(durations("both", 4, t - 5000 * kMs, t - 3000 * kMs));
    sendSpans("both", 4, t - 2000 * kMs);
    const SeriesAggregate a = drained();
    EXPECT_EQ(a.count, 4u);           // requests from the metric, not 8
    EXPECT_EQ(a.latency.count(), 4u); // latency from the metric
    EXPECT_EQ(a.ttft.count(), 4u);    // TTFT from the spans
    EXPECT_EQ(a.tokens, 160u);        // tokens from the spans
    EXPECT_NEAR(a.ttft.quantile(0.5), 50.0, 0.5);
    EXPECT_NEAR(a.latency.quantile(0.5), 300.0, 300 * 0.006);
    EXPECT_EQ(sink->stats().ignored, 0u);
}

TEST_F(OtlpSignals, SpansFirstThenMetricsHandOverWithoutCountingTwice)
{
    start();
    const uint64_t t = nowNs();
    // Spans arrive first (a BatchSpanProcessor exports every 5 s, metrics
    // every 60 s): 3 requests counted from them.
    sendSpans("late-metrics", 3, t - 8000 * kMs);
    EXPECT_EQ(drained().count, 3u);
    // The first metric point covers those same 3 requests: a baseline.
    sendMetrics(durations("late-metrics", 3, t - 9000 * kMs, t - 7000 * kMs));
    EXPECT_EQ(drained().count, 3u);
    EXPECT_EQ(sink->stats().handovers, 1u);
    // From then on the metrics count requests; the spans of those 5 add
    // their TTFT and tokens only.
    sendMetrics(durations("late-metrics", 5, t - 7000 * kMs, t - 5000 * kMs));
    sendSpans("late-metrics", 5, t - 6000 * kMs);
    const SeriesAggregate a = drained();
    EXPECT_EQ(a.count, 8u);
    EXPECT_EQ(a.latency.count(), 8u);
    EXPECT_EQ(a.ttft.count(), 8u);
    EXPECT_EQ(a.tokens, 8u * 40u);
}

TEST_F(OtlpSignals, AServiceSendingOnlySpansCountsEverythingFromThem)
{
    start();
    sendSpans("spans-only", 6, nowNs() - 1000 * kMs);
    const SeriesAggregate a = drained();
    EXPECT_EQ(a.count, 6u);
    EXPECT_EQ(a.latency.count(), 6u);
    EXPECT_EQ(a.ttft.count(), 6u);
    EXPECT_EQ(a.tokens, 240u);
}

TEST_F(OtlpSignals, AProfilesAttributesNameRouteModelAndVariant)
{
    Mapping m;
    m.routeAttributes = {QStringLiteral("app.endpoint")};
    m.modelAttributes = {QStringLiteral("app.model")};
    m.variantAttributes = {QStringLiteral("app.variant")};
    start(m);
    cmv::ExportMetricsServiceRequest req = durations("svc", 2, nowNs() - 2000 * kMs, nowNs());
    auto *dp = firstPoint(req);
    attr(dp->mutable_attributes(), "app.endpoint", "summarize");
    attr(dp->mutable_attributes(), "app.model", "atlas-xl");
    attr(dp->mutable_attributes(), "app.variant", "canary");
    sendMetrics(req);
    const SeriesUpdate u = sink->take();
    ASSERT_EQ(u.newSeries.size(), 1u);
    EXPECT_EQ(u.newSeries[0].second.route, QStringLiteral("svc/summarize"));
    EXPECT_EQ(u.newSeries[0].second.model, QStringLiteral("atlas-xl"));
    EXPECT_EQ(u.newSeries[0].second.variant, QStringLiteral("canary"));
}

TEST_F(OtlpSignals, TheDefaultMappingIsUnchanged)
{
    start();
    cmv::ExportMetricsServiceRequest req = durations("svc", 2, nowNs() - 2000 * kMs, nowNs());
    auto *dp = firstPoint(req);
    attr(dp->mutable_attributes(), "app.variant", "canary");
    sendMetrics(req);
    const SeriesUpdate u = sink->take();
    ASSERT_EQ(u.newSeries.size(), 1u);
    EXPECT_EQ(u.newSeries[0].second.route, QStringLiteral("svc/chat"));
    EXPECT_EQ(u.newSeries[0].second.model, QStringLiteral("atlas"));
    EXPECT_TRUE(u.newSeries[0].second.variant.isEmpty());
}

} // namespace
