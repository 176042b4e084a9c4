#pragma once

// OTLP request messages into the sink's plain points (protobuf types stop
// here and in the receiver). Validation happens here, point by point: a bad
// point is counted as rejected with the first reason (the OTLP "partial
// success" answer), its neighbours are kept. Never throws, never crashes on
// hostile input (fuzzed by tests/fuzz/otlp_decode_fuzz.cpp).
//
// Mapping: the series key is (route, model, variant), route being
// service.name, then "/" and the first route-like attribute present, model
// the first model attribute present, variant the first variant attribute
// present (none by default). A connection profile or flags can name others.

#include "core/otlp_sink.h"

#include <QStringList>
#include <string>

namespace opentelemetry::proto::collector::metrics::v1 {
class ExportMetricsServiceRequest;
}
namespace opentelemetry::proto::collector::trace::v1 {
class ExportTraceServiceRequest;
}

namespace sb::otlp {

struct Mapping
{
    QStringList routeAttributes{QStringLiteral("route"), QStringLiteral("http.route"),
                                QStringLiteral("gen_ai.operation.name")};
    QStringList modelAttributes{QStringLiteral("gen_ai.response.model"),
                                QStringLiteral("gen_ai.request.model")};
    QStringList variantAttributes; // e.g. "deployment.variant"; none: ""
};

struct DecodedMetrics
{
    std::vector<OtlpPoint> points;
    OtlpAccepted rejects; // points refused while decoding
    quint64 ignored = 0;  // well-formed points of metrics we do not chart
};

struct DecodedSpans
{
    std::vector<OtlpSpan> spans;
    OtlpAccepted rejects;
    quint64 ignored = 0; // spans that are not GenAI requests
};

DecodedMetrics
decodeMetrics(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest &req,
              const Mapping &mapping = {});
DecodedSpans
decodeSpans(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest &req,
            const Mapping &mapping = {});

// Parses and decodes serialized requests; false when the bytes are not a
// request at all.
bool decodeMetricsBytes(const std::string &bytes, DecodedMetrics *out, const Mapping &mapping = {});
bool decodeSpansBytes(const std::string &bytes, DecodedSpans *out, const Mapping &mapping = {});

} // namespace sb::otlp
