// Writes the fuzzer's seed corpus: a few valid little streams in its input
// format (latency_batch_input.h), so fuzzing starts from batches that get past
// parsing and validation.
//
//   latency_batch_seeds <corpus dir>

#include "latency_batch_input.h"
#include "switchboard/v1/telemetry_service.pb.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace v1 = switchboard::v1;

namespace {

v1::StreamLatencyResponse batch(uint64_t seq, const char *epoch, int64_t secondsBeforeNow)
{
    v1::StreamLatencyResponse r;
    r.set_sequence(seq);
    r.set_stream_epoch(epoch);
    r.mutable_base_time()->set_seconds(sb::fuzz::kNowMs / 1000 - secondsBeforeNow);
    return r;
}

void entry(v1::StreamLatencyResponse &r, v1::DictionaryKind k, uint32_t id, const char *name)
{
    auto *e = r.add_dictionary();
    e->set_kind(k);
    e->set_id(id);
    e->set_name(name);
}

void sample(v1::StreamLatencyResponse &r, uint32_t off, float lat, uint32_t route, uint32_t model,
            uint32_t variant = 0, uint32_t status = 0)
{
    r.add_offset_micros(off);
    r.add_latency_ms(lat);
    r.add_ttft_ms(lat / 5);
    r.add_route_ids(route);
    r.add_model_ids(model);
    r.add_variant_ids(variant);
    r.add_status_codes(status);
    r.add_output_tokens(42);
    r.add_fallback_used(model == 2);
}

v1::StreamLatencyResponse withDictionary(uint64_t seq, const char *epoch, int64_t before)
{
    auto r = batch(seq, epoch, before);
    entry(r, v1::DICTIONARY_KIND_ROUTE, 1, "chat");
    entry(r, v1::DICTIONARY_KIND_ROUTE, 2, "embed");
    entry(r, v1::DICTIONARY_KIND_MODEL, 1, "model-a");
    entry(r, v1::DICTIONARY_KIND_MODEL, 2, "model-b");
    entry(r, v1::DICTIONARY_KIND_VARIANT, 1, "exp/x");
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir(argv[1]);
    std::filesystem::create_directories(dir);
    auto write = [&](const char *name, uint8_t flags, const std::vector<std::string> &batches) {
        std::ofstream(dir / name, std::ios::binary) << sb::fuzz::joinBatches(flags, batches);
    };

    // One valid batch over two seconds.
    auto a = withDictionary(1, "e1", 5);
    for (int i = 0; i < 120; ++i)
        sample(a, uint32_t(i * 15000), 80.f + float(i % 37), 1 + i % 2, 1 + i % 3 % 2, i % 5 == 0,
               i % 11 == 0 ? 14 : 0);
    write("one-batch", 0, {a.SerializeAsString()});

    // A stream: seconds close, a replayed batch, then the service restarts.
    auto b2 = batch(2, "e1", 3);
    for (int i = 0; i < 50; ++i)
        sample(b2, uint32_t(i * 20000), 120.f, 1, 2);
    auto restart = withDictionary(1, "e2", 1);
    for (int i = 0; i < 30; ++i)
        sample(restart, uint32_t(i * 30000), 60.f, 2, 1, 1);
    write("stream", 1,
          {a.SerializeAsString(), b2.SerializeAsString(), b2.SerializeAsString(),
           restart.SerializeAsString()});

    // Everything a hostile service sends: NaN, negative, absurd, unknown ids,
    // far times, ragged columns.
    auto bad = withDictionary(1, "e3", 2);
    sample(bad, 0, std::numeric_limits<float>::quiet_NaN(), 1, 1);
    sample(bad, 0, -1.f, 1, 1);
    sample(bad, 0, 1e12f, 1, 1);
    sample(bad, 0, 10.f, 99, 1);
    sample(bad, 0, 10.f, 1, 77, 5);
    sample(bad, 4'000'000'000u, 10.f, 1, 1);
    sample(bad, 1000, 10.f, 1, 1);
    bad.add_latency_ms(3.f); // ragged
    write("hostile", 1, {bad.SerializeAsString()});
    return 0;
}
