#pragma once

// Builders of OTLP export requests for tests, benchmarks and fuzz seeds: what
// an OpenTelemetry SDK's OTLP/gRPC exporter sends.

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sb::otlp::test {

namespace cmv = opentelemetry::proto::collector::metrics::v1;
namespace ctv = opentelemetry::proto::collector::trace::v1;
namespace mp = opentelemetry::proto::metrics::v1;

inline void attr(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue> *a,
                 const std::string &k, const std::string &v)
{
    auto *kv = a->Add();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
}

// A resource (service.name, service.instance.id) with one scope.
inline mp::ScopeMetrics *resource(cmv::ExportMetricsServiceRequest &req, const std::string &service,
                                  const std::string &instance)
{
    auto *rm = req.add_resource_metrics();
    attr(rm->mutable_resource()->mutable_attributes(), "service.name", service);
    attr(rm->mutable_resource()->mutable_attributes(), "service.instance.id", instance);
    auto *sm = rm->add_scope_metrics();
    sm->mutable_scope()->set_name("test");
    return sm;
}

struct ExpPoint
{
    int scale = 6;
    int32_t offset = 0;
    std::vector<uint64_t> counts;
    uint64_t zero = 0;
    uint64_t startNs = 0;
    uint64_t timeNs = 0;
    std::string route = "chat";
    std::string model = "atlas";
    std::string errorType;
    double sum = -1; // < 0: computed from nothing, left out
};

inline mp::ExponentialHistogramDataPoint *expHistogram(mp::ScopeMetrics *sm,
                                                       const std::string &name,
                                                       const std::string &unit, bool cumulative,
                                                       const ExpPoint &p)
{
    auto *m = sm->add_metrics();
    m->set_name(name);
    m->set_unit(unit);
    auto *h = m->mutable_exponential_histogram();
    h->set_aggregation_temporality(cumulative ? mp::AGGREGATION_TEMPORALITY_CUMULATIVE
                                              : mp::AGGREGATION_TEMPORALITY_DELTA);
    auto *dp = h->add_data_points();
    attr(dp->mutable_attributes(), "gen_ai.operation.name", p.route);
    attr(dp->mutable_attributes(), "gen_ai.request.model", p.model);
    if (!p.errorType.empty())
        attr(dp->mutable_attributes(), "error.type", p.errorType);
    dp->set_start_time_unix_nano(p.startNs);
    dp->set_time_unix_nano(p.timeNs);
    dp->set_scale(p.scale);
    dp->set_zero_count(p.zero);
    dp->mutable_positive()->set_offset(p.offset);
    uint64_t n = p.zero;
    for (auto c : p.counts) {
        dp->mutable_positive()->add_bucket_counts(c);
        n += c;
    }
    dp->set_count(n);
    if (p.sum >= 0)
        dp->set_sum(p.sum);
    return dp;
}

} // namespace sb::otlp::test
