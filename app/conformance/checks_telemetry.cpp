// telemetry_service.proto: batches with growing sequence numbers and one
// epoch, equal-length columns, the dictionary before use; resume without gap
// or duplicate; what happens to a resume point in another epoch, ahead of the
// stream or older than the buffer; TTFT of requests with no token; what each
// WindowSketch counts.
//
// Known gap: "older than the buffer" is only checked for consistency (resuming
// after sequence 1 says resumed = true exactly when it continues at 2): a run
// short enough for CI cannot outlive a service's buffer. The 10 s minimum
// depth is not measured.

#include "conformance/kit.h"

#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace sb::conformance {

namespace {

void batchesWellFormed(Kit &kit)
{
    auto c = kit.ctx(As::Viewer, 8000);
    auto reader = kit.telemetry().StreamLatency(c.get(), {});
    std::set<std::pair<int, uint32_t>> known;
    std::string epoch;
    uint64_t last = 0;
    pb::StreamLatencyResponse b;
    for (int i = 0; i < 20; ++i) {
        require(reader->Read(&b), "StreamLatency sends 20 batches within 8 s");
        require(!b.stream_epoch().empty(), "every batch names its stream_epoch");
        if (epoch.empty())
            epoch = b.stream_epoch();
        require(b.stream_epoch() == epoch, "the epoch does not change within a stream");
        require(b.sequence() > last, "sequence grows from batch to batch");
        if (i > 0)
            require(!b.resumed(), "`resumed` is set on the first message only");
        last = b.sequence();
        for (const auto &d : b.dictionary())
            known.insert({int(d.kind()), d.id()});
        const int n = b.latency_ms_size();
        require(b.offset_micros_size() == n && b.ttft_ms_size() == n && b.route_ids_size() == n &&
                    b.model_ids_size() == n && b.variant_ids_size() == n &&
                    b.status_codes_size() == n && b.output_tokens_size() == n &&
                    b.fallback_used_size() == n,
                "all columns of a batch have the same length");
        for (int s = 0; s < n; ++s) {
            require(known.count({pb::DICTIONARY_KIND_ROUTE, b.route_ids(s)}) &&
                        known.count({pb::DICTIONARY_KIND_MODEL, b.model_ids(s)}),
                    "route and model ids are in the dictionary before use");
            require(b.variant_ids(s) == 0 ||
                        known.count({pb::DICTIONARY_KIND_VARIANT, b.variant_ids(s)}),
                    "variant ids are in the dictionary before use");
            require((b.ttft_ms(s) == 0) == (b.output_tokens(s) == 0),
                    "ttft_ms is 0 exactly when no token was produced (output_tokens 0)");
        }
    }
    c->TryCancel();
    reader->Finish();
}

// Reads sequences from a live stream in a thread until stopped.
class Recorder
{
public:
    explicit Recorder(Kit &kit) : m_ctx(kit.ctx(As::Viewer, 15000))
    {
        m_reader = kit.telemetry().StreamLatency(m_ctx.get(), {});
        m_thread = std::thread([this] {
            pb::StreamLatencyResponse b;
            while (m_reader->Read(&b)) {
                std::lock_guard lock(m_mutex);
                m_seqs.push_back(b.sequence());
            }
        });
    }
    ~Recorder()
    {
        m_ctx->TryCancel();
        m_thread.join();
        m_reader->Finish();
    }
    std::vector<uint64_t> after(uint64_t s)
    {
        std::lock_guard lock(m_mutex);
        std::vector<uint64_t> out;
        for (uint64_t q : m_seqs) {
            if (q > s)
                out.push_back(q);
        }
        return out;
    }

private:
    std::unique_ptr<grpc::ClientContext> m_ctx;
    std::unique_ptr<grpc::ClientReader<pb::StreamLatencyResponse>> m_reader;
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<uint64_t> m_seqs;
};

void resumeWithoutGap(Kit &kit)
{
    Recorder whole(kit); // the uninterrupted stream to compare with
    std::string epoch;
    uint64_t lastSeen = 0;
    {
        auto c = kit.ctx(As::Viewer, 5000);
        auto reader = kit.telemetry().StreamLatency(c.get(), {});
        pb::StreamLatencyResponse b;
        for (int i = 0; i < 5; ++i) {
            require(reader->Read(&b), "the first stream sends 5 batches");
            epoch = b.stream_epoch();
            lastSeen = b.sequence();
        }
        c->TryCancel();
        reader->Finish();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // batches pass meanwhile
    std::vector<uint64_t> resumed;
    {
        pb::StreamLatencyRequest req;
        req.set_resume_after_sequence(lastSeen);
        req.set_stream_epoch(epoch);
        auto c = kit.ctx(As::Viewer, 5000);
        auto reader = kit.telemetry().StreamLatency(c.get(), req);
        pb::StreamLatencyResponse b;
        for (int i = 0; i < 10; ++i) {
            require(reader->Read(&b), "the resumed stream sends 10 batches");
            if (i == 0)
                require(b.resumed(), "the first resumed batch says resumed = true");
            resumed.push_back(b.sequence());
        }
        c->TryCancel();
        reader->Finish();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto reference = whole.after(lastSeen);
    require(reference.size() >= resumed.size(), "the reference stream kept up");
    for (size_t i = 0; i < resumed.size(); ++i)
        require(resumed[i] == reference[i],
                "after resuming at " + std::to_string(lastSeen) + " batch " + std::to_string(i) +
                    " is " + std::to_string(resumed[i]) + " where the uninterrupted stream had " +
                    std::to_string(reference[i]) + " (a gap or a duplicate)");
}

uint64_t firstSequence(Kit &kit, const pb::StreamLatencyRequest &req, bool *resumed,
                       std::string *epoch)
{
    auto c = kit.ctx(As::Viewer, 5000);
    auto reader = kit.telemetry().StreamLatency(c.get(), req);
    pb::StreamLatencyResponse b;
    require(reader->Read(&b), "StreamLatency sends a batch");
    *resumed = b.resumed();
    if (epoch)
        *epoch = b.stream_epoch();
    c->TryCancel();
    reader->Finish();
    return b.sequence();
}

void resumeEdgeCases(Kit &kit)
{
    bool resumed = true;
    std::string epoch;
    const uint64_t live = firstSequence(kit, {}, &resumed, &epoch);
    require(!resumed, "a fresh stream (resume 0) says resumed = false");

    pb::StreamLatencyRequest other;
    other.set_resume_after_sequence(live);
    other.set_stream_epoch(epoch + "-another-run");
    firstSequence(kit, other, &resumed, nullptr);
    require(!resumed, "a resume point of another epoch starts live with resumed = false");

    pb::StreamLatencyRequest empty;
    empty.set_resume_after_sequence(live);
    firstSequence(kit, empty, &resumed, nullptr);
    require(!resumed, "a resume point with an empty epoch starts live with resumed = false");

    // Older than anything buffered (sequence 1 may have been dropped): either
    // it is still buffered (resumed, from 2) or the stream says it has a gap.
    pb::StreamLatencyRequest old;
    old.set_resume_after_sequence(1);
    old.set_stream_epoch(epoch);
    const uint64_t first = firstSequence(kit, old, &resumed, nullptr);
    require(resumed == (first == 2),
            "resuming after 1: resumed = true exactly when the stream continues at 2 (got " +
                std::to_string(first) + ", resumed " + (resumed ? "true" : "false") + ")");

    pb::StreamLatencyRequest ahead;
    ahead.set_resume_after_sequence(live + 1000000000ull);
    ahead.set_stream_epoch(epoch);
    auto c = kit.ctx(As::Viewer, 5000);
    auto reader = kit.telemetry().StreamLatency(c.get(), ahead);
    pb::StreamLatencyResponse b;
    require(!reader->Read(&b), "a resume point ahead of the stream sends nothing");
    expectError(reader->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "resume_after_sequence",
                "a resume point ahead of the stream");
}

void sketchCounts(Kit &kit)
{
    pb::StreamSketchesRequest req;
    req.mutable_window()->set_nanos(250000000);
    auto c = kit.ctx(As::Viewer, 8000);
    auto reader = kit.telemetry().StreamSketches(c.get(), req);
    pb::StreamSketchesResponse w;
    uint64_t last = 0;
    int windows = 0;
    while (windows < 8 && reader->Read(&w)) {
        if (last)
            require(w.sequence() == last + 1, "window sequence grows by one");
        last = w.sequence();
        ++windows;
        for (const auto &s : w.sketches()) {
            const std::string what =
                "window " + std::to_string(w.sequence()) + " " + s.route() + "/" + s.model();
            require(s.latency().count() == s.request_count(),
                    what + ": WindowSketch.latency counts every request, failed ones too");
            require(s.time_to_first_token().count() <= s.request_count() - s.error_count(),
                    what +
                        ": the TTFT sketch counts only successful requests that produced a "
                        "token (" +
                        std::to_string(s.time_to_first_token().count()) + " > " +
                        std::to_string(s.request_count() - s.error_count()) + ")");
            require(s.time_to_first_token().zero_count() == 0,
                    what + ": a TTFT sketch holds no zeros (a request with no token is left out, "
                           "not recorded as 0)");
        }
    }
    require(windows == 8, "StreamSketches sends 8 windows of 250 ms within 8 s");
    c->TryCancel();
    reader->Finish();
}

} // namespace

void addTelemetryChecks(std::vector<Check> &out)
{
    out.push_back({"telemetry.batches",
                   "batches: growing sequence, one epoch, equal columns, dictionary before use, "
                   "ttft 0 exactly when no token, `resumed` only on the first",
                   false, batchesWellFormed});
    out.push_back({"telemetry.resume",
                   "a resumed stream continues exactly where the uninterrupted stream would: no "
                   "gap, no duplicate",
                   false, resumeWithoutGap});
    out.push_back({"telemetry.resume_edges",
                   "resume points: another or empty epoch -> live, resumed false; too old -> "
                   "oldest kept, resumed false; ahead -> INVALID_ARGUMENT",
                   false, resumeEdgeCases});
    out.push_back({"telemetry.sketch_counts",
                   "WindowSketch: latency counts all requests, TTFT only successes with a token",
                   false, sketchCounts});
}

} // namespace sb::conformance
