// libFuzzer target: the Prometheus JSON the console reads (core/prom_parse:
// query_range answers with native histograms or classic le buckets,
// query_exemplars answers) and
// the import of each histogram into a sketch (schema derived from the
// bounds, cumulative rounding, bucket import in seconds). Malformed input
// is an error with a reason; what is imported has the counts it says.

#include "core/bucket_import.h"
#include "core/prom_parse.h"
#include "fuzz_require.h"

#include <cmath>

using sb::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const sb::PromResponse r = sb::parsePromResponse(body);
    require(r.ok || !r.error.isEmpty() || !r.errorType.isEmpty(), "a failure says why");
    for (const auto &s : r.series) {
        for (const auto &sample : s.samples) {
            QString why;
            const auto b = sb::promToExponential(sample.histogram, &why);
            if (!b) {
                require(!why.isEmpty(), "a refused histogram says why");
                continue;
            }
            uint64_t total = b->zeroCount;
            for (auto c : b->counts)
                total += c;
            require(total == b->count, "rounded counts add up");
            const auto sk = sb::importExponential(*b, 1000.0, &why);
            if (sk) {
                require(sk->sketch.count() == b->count, "the sketch holds every count");
                require(std::isfinite(sk->sketch.quantile(0.99)), "p99 is finite");
            }
        }
    }
    // The classic fallback: le buckets grouped by route, read like histogram_quantile.
    std::size_t skipped = 0;
    const sb::PromClassic classic = sb::promClassicHistograms(r, &skipped);
    for (const auto &series : classic) {
        for (const auto &[t, le] : series.byTime) {
            QString why;
            const auto sk = sb::importClassic(le, 1000.0, &why);
            if (!sk) {
                require(!why.isEmpty(), "refused classic buckets say why");
                continue;
            }
            require(std::isfinite(sk->sketch.quantile(0.99)), "classic p99 is finite");
            require(sk->relativeError >= 0 && sk->relativeError <= 1, "a bound in 0..1");
        }
    }
    const sb::PromExemplars e = sb::parsePromExemplars(body, 1000.0);
    for (const auto &[labels, list] : e.series)
        for (const auto &x : list)
            require(std::isfinite(x.valueMs) && x.valueMs >= 0, "exemplar values are latencies");
    return 0;
}
