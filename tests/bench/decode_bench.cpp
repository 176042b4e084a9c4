// The per-batch CPU cost behind ingest_bench, without the network: parsing a
// pre-encoded 50k-sample batch (what a bare client does) against parsing it
// and running the stream's LatencyBatchDecoder on it (what the console does).
// Same-run ratio; also the decoder alone on an already parsed batch.
//
//   decode_bench [--benchmark_filter=...]
// Under callgrind, for instruction counts per sample:
//   valgrind --tool=callgrind --toggle-collect='sb::LatencyBatchDecoder::decode*'
//       build/tests/bench/decode_bench --benchmark_filter=DecodeOnly --benchmark_min_time=0.05

#include "client/latency_stream.h"
#include "switchboard/v1/telemetry_service.pb.h"

#include <QDateTime>
#include <benchmark/benchmark.h>
#include <random>

namespace v1 = switchboard::v1;

namespace {

constexpr int kSamples = 50'000;

// Like ingest_bench's replay batches: 5 routes x 5 models, experiments on two.
const std::string &batchBytes()
{
    static const std::string bytes = [] {
        std::mt19937_64 rng(42);
        v1::StreamLatencyResponse r;
        r.set_sequence(1);
        r.set_stream_epoch("bench");
        const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
        r.mutable_base_time()->set_seconds(nowUs / 1000000);
        const char *routes[] = {"chat", "summarize", "extract", "embed", "rerank"};
        const char *models[] = {"gpt-large", "gpt-small", "claude-x", "llama-70b", "mistral-m"};
        const char *variants[] = {"exp-chat/control", "exp-chat/shorter", "exp-sum/control",
                                  "exp-sum/terse"};
        auto add = [&](v1::DictionaryKind k, int id, const char *name) {
            auto *e = r.add_dictionary();
            e->set_kind(k);
            e->set_id(quint32(id));
            e->set_name(name);
        };
        for (int i = 0; i < 5; ++i) {
            add(v1::DICTIONARY_KIND_ROUTE, i + 1, routes[i]);
            add(v1::DICTIONARY_KIND_MODEL, i + 1, models[i]);
        }
        for (int i = 0; i < 4; ++i)
            add(v1::DICTIONARY_KIND_VARIANT, i + 1, variants[i]);
        std::uniform_int_distribution<int> route(0, 4);
        std::discrete_distribution<int> model({40, 25, 20, 10, 5});
        std::uniform_real_distribution<double> u(0, 1);
        std::lognormal_distribution<double> latency(6.0, 0.8);
        for (int i = 0; i < kSamples; ++i) {
            const int rt = route(rng);
            const int md = model(rng);
            quint32 variant = 0;
            if ((rt == 0 || rt == 1) && u(rng) < 0.33)
                variant = quint32(rt * 2 + (u(rng) < 0.5 ? 1 : 2));
            const double lat = latency(rng) * (1.0 + 0.3 * md);
            const bool error = u(rng) < 0.01;
            r.add_offset_micros(quint32(i / 10)); // 5 ms of traffic
            r.add_latency_ms(float(lat));
            r.add_ttft_ms(error ? 0.f : float(lat * (0.1 + 0.2 * u(rng))));
            r.add_route_ids(quint32(rt + 1));
            r.add_model_ids(quint32(md + 1));
            r.add_variant_ids(variant);
            r.add_status_codes(error ? 14 : 0);
            r.add_output_tokens(error ? 0 : quint32(20 + u(rng) * 400));
            r.add_fallback_used(u(rng) < 0.03);
        }
        return r.SerializeAsString();
    }();
    return bytes;
}

void BM_ParseOnly(benchmark::State &state)
{
    const std::string &bytes = batchBytes();
    v1::StreamLatencyResponse r;
    for (auto _ : state) {
        r.ParseFromString(bytes);
        benchmark::DoNotOptimize(r.latency_ms_size());
    }
    state.SetItemsProcessed(state.iterations() * kSamples);
}
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMicrosecond);

void BM_ParseAndDecode(benchmark::State &state)
{
    const std::string &bytes = batchBytes();
    sb::LatencyBatchDecoder decoder(std::make_shared<sb::SeriesInterner>());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    v1::StreamLatencyResponse r;
    quint64 seq = 0;
    for (auto _ : state) {
        r.ParseFromString(bytes);
        r.set_sequence(++seq); // a fresh batch each time, not a duplicate
        benchmark::DoNotOptimize(decoder.decode(r, now));
        benchmark::DoNotOptimize(decoder.series().takeClosed());
    }
    state.SetItemsProcessed(state.iterations() * kSamples);
}
BENCHMARK(BM_ParseAndDecode)->Unit(benchmark::kMicrosecond);

void BM_DecodeOnly(benchmark::State &state)
{
    v1::StreamLatencyResponse r;
    r.ParseFromString(batchBytes());
    sb::LatencyBatchDecoder decoder(std::make_shared<sb::SeriesInterner>());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    quint64 seq = 0;
    for (auto _ : state) {
        r.set_sequence(++seq);
        benchmark::DoNotOptimize(decoder.decode(r, now));
        benchmark::DoNotOptimize(decoder.series().takeClosed());
    }
    state.SetItemsProcessed(state.iterations() * kSamples);
}
BENCHMARK(BM_DecodeOnly)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    // The sketch's bucket tables are built on first use: not part of any batch.
    sb::LatencySketch warm;
    warm.record(1.5); // not a power of two: those skip the table
    batchBytes();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
