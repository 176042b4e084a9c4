// libFuzzer target: the OTLP/gRPC receiver's decoding (app/otlp/otlp_decode:
// an ExportMetricsServiceRequest or ExportTraceServiceRequest, by the first
// byte) and the sink it feeds (temporality, bucket import, aggregation). Any
// bytes either fail to parse or decode into points that the sink accepts or
// rejects one by one, never crashing; what comes out has finite, ordered
// quantiles and consistent counts.

#include "core/otlp_sink.h"
#include "fuzz_require.h"
#include "otlp/otlp_decode.h"

#include <cmath>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const std::string bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
    sb::OtlpSink::Options o;
    o.startNs = 1;
    o.maxAgeMs = 1LL << 60; // every time is acceptable: exercise what follows
    o.maxAheadMs = 1LL << 60;
    sb::OtlpSink sink(o);
    const qint64 now = 1'700'000'000'000;
    if (data[0] & 1) {
        sb::otlp::DecodedSpans d;
        if (!sb::otlp::decodeSpansBytes(bytes, &d))
            return 0;
        const std::size_t n = d.spans.size();
        const auto r = sink.acceptSpans(std::move(d.spans), now);
        require(r.accepted + r.rejected == n, "every span accepted or rejected");
    } else {
        sb::otlp::DecodedMetrics d;
        if (!sb::otlp::decodeMetricsBytes(bytes, &d))
            return 0;
        // Twice: the second time cumulative points are retries or differences.
        for (int round = 0; round < 2; ++round) {
            auto points = d.points;
            const std::size_t n = points.size();
            const auto r = sink.acceptMetrics(std::move(points), now);
            require(r.accepted + r.rejected == n, "every point accepted or rejected");
            require(r.rejected == 0 || !r.message.isEmpty(), "a rejection says why");
        }
    }
    const sb::SeriesUpdate u = sink.take();
    for (const auto &s : u.seconds) {
        require(s.aggregate.errors <= s.aggregate.count, "errors are requests");
        double previous = 0;
        for (double q : {0.0, 0.5, 0.99, 1.0}) {
            const double v = s.aggregate.latency.quantile(q);
            require(std::isfinite(v) && v >= previous, "quantiles finite and ordered");
            previous = v;
        }
    }
    return 0;
}
