// libFuzzer target: a short stream of arbitrary batches through the live
// stream's decoder (LatencyBatchDecoder: parse, epochs and sequences, the
// dictionary, column checks, validation, aggregation into series and, when
// the flags say so, per-route points), then into a SeriesStore with range
// and window queries. Nothing may crash, leak or hit undefined behaviour, and
// the counting invariants below must hold for any input.

#include "client/latency_stream.h"
#include "core/series_store.h"
#include "latency_batch_input.h"

#include <cstdio>
#include <cstdlib>
#include <google/protobuf/stubs/logging.h>
#include <memory>

namespace {

void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // protobuf logs every string field that is not UTF-8: quiet, or the
    // fuzzer spends much of its time writing to stderr.
    google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const bool routePoints = data[0] & 1;
    auto interner = std::make_shared<sb::SeriesInterner>();
    sb::LatencyBatchDecoder decoder(interner);
    decoder.setRoutePointsEnabled(routePoints);
    sb::SeriesStore store;
    quint64 admitted = 0;
    quint64 accepted = 0;
    for (const auto &[bytes, n] : sb::fuzz::splitBatches(data, size)) {
        const quint64 rejectedBefore = decoder.series().rejects().total();
        const auto res = decoder.decode(reinterpret_cast<const char *>(bytes), n, sb::fuzz::kNowMs);
        if (!res)
            continue; // not a message: the stream would never see it
        if (!res->duplicate) {
            admitted += res->samples;
            accepted += res->accepted;
            // Every sample is accepted or rejected for exactly one reason.
            require(res->accepted + (decoder.series().rejects().total() - rejectedBefore) ==
                        res->samples,
                    "accepted + rejected == samples");
        }
        for (const auto &s : decoder.series().takeClosed()) {
            require(s.series < interner->size(), "series ids come from the interner");
            require(s.aggregate.errors <= s.aggregate.count, "errors <= count");
            require(s.aggregate.latency.count() + s.aggregate.errors <= s.aggregate.count,
                    "latency samples are the successful ones");
            store.append(s);
        }
        if (routePoints)
            decoder.routeAggregator().takeClosed();
    }
    quint64 aggregated = 0;
    for (const auto &s : decoder.series().takeAll()) {
        aggregated += s.aggregate.count;
        store.append(s);
    }
    for (sb::SeriesId id : store.seriesIds()) {
        const qint64 to = store.newestMs() + 1000;
        for (const auto &p : store.range(id, to - 3'600'000, to, sb::Resolution::Second))
            require(p.errors <= p.count, "stored errors <= count");
        store.range(id, to - 3'600'000, to, sb::Resolution::Minute);
        if (auto w = store.window(id, to - 60'000, to))
            require(w->aggregate.errors <= w->aggregate.count, "window errors <= count");
    }
    store.trim(store.newestMs());
    require(accepted <= admitted, "accepted <= admitted");
    (void)aggregated;
    return 0;
}
