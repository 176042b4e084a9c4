#include "sim/telemetry.h"

#include "core/latency_sketch.h"
#include "sim/mutations.h"
#include "sim/state.h"

#include <algorithm>

namespace sb::sim {

void Batch::reserve(size_t n)
{
    offsetMicros.reserve(n);
    latencyMs.reserve(n);
    ttftMs.reserve(n);
    routeIds.reserve(n);
    modelIds.reserve(n);
    variantIds.reserve(n);
    statusCodes.reserve(n);
    outputTokens.reserve(n);
    fallbackUsed.reserve(n);
}

Telemetry::Telemetry(std::string epoch) : m_epoch(std::move(epoch)) {}

uint32_t Telemetry::dictionaryId(pb::DictionaryKind kind, const std::string &name)
{
    std::lock_guard lock(m_mutex);
    auto key = std::make_pair(int(kind), name);
    auto it = m_ids.find(key);
    if (it != m_ids.end())
        return it->second;
    const uint32_t id = ++m_nextId[int(kind)];
    m_ids.emplace(key, id);
    pb::DictionaryEntry e;
    e.set_kind(kind);
    e.set_id(id);
    e.set_name(name);
    m_dictionary.push_back(std::move(e));
    return id;
}

uint32_t Telemetry::lookupId(pb::DictionaryKind kind, const std::string &name)
{
    std::lock_guard lock(m_mutex);
    auto it = m_ids.find(std::make_pair(int(kind), name));
    return it == m_ids.end() ? 0 : it->second;
}

std::string Telemetry::lookupName(pb::DictionaryKind kind, uint32_t id)
{
    std::lock_guard lock(m_mutex);
    for (const auto &e : m_dictionary) {
        if (e.kind() == kind && e.id() == id)
            return e.name();
    }
    return {};
}

size_t Telemetry::dictionarySince(size_t from,
                                  google::protobuf::RepeatedPtrField<pb::DictionaryEntry> *out)
{
    std::lock_guard lock(m_mutex);
    for (size_t i = from; i < m_dictionary.size(); ++i)
        *out->Add() = m_dictionary[i];
    return m_dictionary.size();
}

void Telemetry::append(std::shared_ptr<Batch> batch)
{
    std::lock_guard lock(m_mutex);
    batch->sequence = m_nextSequence++;
    const int64_t cutoff = batch->baseUs - kKeepMicros;
    m_ring.push_back(std::move(batch));
    while (m_ring.size() > kMaxBatches || (m_ring.size() > 1 && m_ring.front()->baseUs < cutoff))
        m_ring.pop_front();
}

std::shared_ptr<const Batch> Telemetry::nextAfter(uint64_t cursor)
{
    std::lock_guard lock(m_mutex);
    if (m_ring.empty())
        return nullptr;
    const uint64_t oldest = m_ring.front()->sequence;
    if (cursor + 1 < oldest)
        return m_ring.front();
    const uint64_t index = cursor + 1 - oldest;
    return index < m_ring.size() ? m_ring[size_t(index)] : nullptr;
}

uint64_t Telemetry::cursorSince(int64_t sinceUs)
{
    std::lock_guard lock(m_mutex);
    // Base times grow with the sequence (one tick after another), so the ring
    // is sorted by them.
    auto it = std::partition_point(m_ring.begin(), m_ring.end(),
                                   [&](const auto &b) { return b->baseUs < sinceUs; });
    return it == m_ring.end() ? m_nextSequence - 1 : (*it)->sequence - 1;
}

uint64_t Telemetry::latestSequence()
{
    std::lock_guard lock(m_mutex);
    return m_nextSequence - 1;
}

uint64_t Telemetry::oldestSequence()
{
    std::lock_guard lock(m_mutex);
    return m_ring.empty() ? 0 : m_ring.front()->sequence;
}

namespace {

// Resolves a request's route filter to dictionary ids (empty: all routes).
grpc::Status routeFilter(SimState &state, const google::protobuf::RepeatedPtrField<std::string> &in,
                         std::vector<char> *out)
{
    for (int i = 0; i < in.size(); ++i) {
        const uint32_t id = state.telemetry.lookupId(pb::DICTIONARY_KIND_ROUTE, in[i]);
        if (!id)
            return notFound("routes[" + std::to_string(i) + "]: unknown route " + quoted(in[i]));
        if (out->size() <= id)
            out->resize(id + 1, 0);
        (*out)[id] = 1;
    }
    return grpc::Status::OK;
}

// StreamLatency. The cursor is the last sequence sent; each write takes the
// next batch after it from the ring, so the server keeps nothing per
// subscriber beyond the one message in flight. A subscriber slower than the
// traffic falls behind in the ring; once its cursor drops out of the ring's
// ~30 s it skips ahead to the oldest batch still kept and carries on. The gap
// shows as a jump in `sequence` (only the first response carries `resumed`).
class LatencyWriter final : public StreamWriter<pb::StreamLatencyResponse>
{
public:
    LatencyWriter(Telemetry &telemetry, std::vector<char> routes, uint64_t cursor, bool resumed)
        : m_telemetry(telemetry), m_routes(std::move(routes)), m_cursor(cursor), m_resumed(resumed)
    {}

protected:
    bool produceLocked(pb::StreamLatencyResponse *out, int64_t) override
    {
        for (;;) {
            auto batch = m_telemetry.nextAfter(m_cursor);
            if (!batch)
                return false;
            m_cursor = batch->sequence;
            if (fill(*batch, out))
                return true;
        }
    }

private:
    bool wanted(uint32_t routeId) const
    {
        return m_routes.empty() || (routeId < m_routes.size() && m_routes[routeId]);
    }

    bool fill(const Batch &b, pb::StreamLatencyResponse *out)
    {
        out->Clear();
        const size_t n = b.size();
        std::vector<uint32_t> keep;
        if (!m_routes.empty()) {
            keep.reserve(n);
            for (size_t i = 0; i < n; ++i) {
                if (wanted(b.routeIds[i]))
                    keep.push_back(uint32_t(i));
            }
            if (keep.empty())
                return false;
        } else if (n == 0) {
            return false;
        }
        out->set_sequence(b.sequence);
        out->set_stream_epoch(m_telemetry.epoch());
        m_dictionarySent = m_telemetry.dictionarySince(m_dictionarySent, out->mutable_dictionary());
        toTimestamp(b.baseUs, out->mutable_base_time());
        if (m_first) {
            out->set_resumed(m_resumed);
            m_first = false;
        }
        if (m_routes.empty()) {
            out->mutable_offset_micros()->Add(b.offsetMicros.begin(), b.offsetMicros.end());
            out->mutable_latency_ms()->Add(b.latencyMs.begin(), b.latencyMs.end());
            out->mutable_ttft_ms()->Add(b.ttftMs.begin(), b.ttftMs.end());
            if (mutated(Mutation::RaggedColumns) && out->ttft_ms_size() > 0)
                out->mutable_ttft_ms()->RemoveLast();
            out->mutable_route_ids()->Add(b.routeIds.begin(), b.routeIds.end());
            out->mutable_model_ids()->Add(b.modelIds.begin(), b.modelIds.end());
            out->mutable_variant_ids()->Add(b.variantIds.begin(), b.variantIds.end());
            out->mutable_status_codes()->Add(b.statusCodes.begin(), b.statusCodes.end());
            out->mutable_output_tokens()->Add(b.outputTokens.begin(), b.outputTokens.end());
            auto *fb = out->mutable_fallback_used();
            fb->Reserve(int(n));
            for (uint8_t f : b.fallbackUsed)
                fb->AddAlreadyReserved(f != 0);
            return true;
        }
        for (uint32_t i : keep) {
            out->add_offset_micros(b.offsetMicros[i]);
            out->add_latency_ms(b.latencyMs[i]);
            out->add_ttft_ms(b.ttftMs[i]);
            out->add_route_ids(b.routeIds[i]);
            out->add_model_ids(b.modelIds[i]);
            out->add_variant_ids(b.variantIds[i]);
            out->add_status_codes(b.statusCodes[i]);
            out->add_output_tokens(b.outputTokens[i]);
            out->add_fallback_used(b.fallbackUsed[i] != 0);
        }
        return true;
    }

    Telemetry &m_telemetry;
    std::vector<char> m_routes;
    uint64_t m_cursor;
    bool m_resumed;
    bool m_first = true;
    size_t m_dictionarySent = 0;
};

// StreamSketches. Consumes every new batch on each poke (cheap: one sketch
// record per sample) and closes windows once the clock has passed their end.
// Closed windows wait in a short queue; a subscriber that falls more than
// kMaxPending windows behind loses the oldest ones (the jump shows in
// `sequence`, which is the absolute window number).
class SketchWriter final : public StreamWriter<pb::StreamSketchesResponse>
{
public:
    static constexpr size_t kMaxPending = 64;

    SketchWriter(Telemetry &telemetry, std::vector<char> routes, int64_t windowUs, int64_t nowUs)
        : m_telemetry(telemetry), m_routes(std::move(routes)), m_windowUs(windowUs),
          m_cursor(telemetry.latestSequence())
    {
        // The first window starts at the next boundary, so it is complete.
        m_windowStart = (nowUs / windowUs + 1) * windowUs;
    }

protected:
    void onPokeLocked(int64_t nowUs) override
    {
        while (auto batch = m_telemetry.nextAfter(m_cursor)) {
            m_cursor = batch->sequence;
            consume(*batch);
        }
        while (m_windowStart + m_windowUs <= nowUs)
            closeWindow();
    }

    bool produceLocked(pb::StreamSketchesResponse *out, int64_t) override
    {
        if (m_pending.empty())
            return false;
        *out = std::move(m_pending.front());
        m_pending.pop_front();
        return true;
    }

private:
    struct Agg
    {
        uint64_t requests = 0;
        uint64_t errors = 0;
        uint64_t fallbacks = 0;
        LatencySketch latency;
        LatencySketch ttft;
    };

    void consume(const Batch &b)
    {
        for (size_t i = 0; i < b.size(); ++i) {
            const uint32_t route = b.routeIds[i];
            if (!m_routes.empty() && (route >= m_routes.size() || !m_routes[route]))
                continue;
            const int64_t t = b.baseUs + b.offsetMicros[i];
            if (t < m_windowStart)
                continue;
            while (t >= m_windowStart + m_windowUs)
                closeWindow();
            Agg &a = m_current[{route, b.modelIds[i]}];
            ++a.requests;
            if (b.statusCodes[i] != 0)
                ++a.errors;
            if ((b.statusCodes[i] == 0 && b.ttftMs[i] > 0) || mutated(Mutation::TtftCountsFailures))
                a.ttft.record(b.ttftMs[i]);
            if (b.fallbackUsed[i])
                ++a.fallbacks;
            a.latency.record(b.latencyMs[i]);
        }
    }

    void closeWindow()
    {
        pb::StreamSketchesResponse r;
        r.set_sequence(uint64_t(m_windowStart / m_windowUs));
        toTimestamp(m_windowStart, r.mutable_window_start());
        toDuration(m_windowUs, r.mutable_window());
        for (const auto &[key, a] : m_current) {
            auto *s = r.add_sketches();
            s->set_route(m_telemetry.lookupName(pb::DICTIONARY_KIND_ROUTE, key.first));
            s->set_model(m_telemetry.lookupName(pb::DICTIONARY_KIND_MODEL, key.second));
            s->set_request_count(a.requests);
            s->set_error_count(a.errors);
            s->set_fallback_count(a.fallbacks);
            toProtoSketch(a.latency, s->mutable_latency());
            toProtoSketch(a.ttft, s->mutable_time_to_first_token());
        }
        m_current.clear();
        m_windowStart += m_windowUs;
        if (m_pending.size() >= kMaxPending)
            m_pending.pop_front();
        m_pending.push_back(std::move(r));
    }

    Telemetry &m_telemetry;
    std::vector<char> m_routes;
    int64_t m_windowUs;
    uint64_t m_cursor;
    int64_t m_windowStart = 0;
    std::map<std::pair<uint32_t, uint32_t>, Agg> m_current;
    std::deque<pb::StreamSketchesResponse> m_pending;
};

class TelemetryServiceImpl final : public pb::TelemetryService::CallbackService
{
public:
    explicit TelemetryServiceImpl(SimState &state) : m_state(state) {}

    grpc::ServerWriteReactor<pb::StreamLatencyResponse> *
    StreamLatency(grpc::CallbackServerContext *ctx, const pb::StreamLatencyRequest *req) override
    {
        Caller caller;
        grpc::Status st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller);
        std::vector<char> routes;
        if (st.ok())
            st = routeFilter(m_state, req->routes(), &routes);
        if (!st.ok())
            return failStream<pb::StreamLatencyResponse>(st);
        Telemetry &t = m_state.telemetry;
        const uint64_t latest = t.latestSequence();
        uint64_t cursor = latest; // live: from the next batch on
        bool resumed = false;
        const uint64_t after = req->resume_after_sequence();
        const bool honourResume = after != 0 && req->stream_epoch() == t.epoch();
        if (!honourResume && req->backfill_seconds() > 0) {
            // A fresh start first replays what the ring keeps of the last N
            // seconds (capped at what it keeps), then goes on live.
            const int64_t backUs = std::min<int64_t>(int64_t(req->backfill_seconds()) * 1000000,
                                                     Telemetry::kKeepMicros);
            cursor = t.cursorSince(nowMicros() - backUs);
        }
        if (honourResume) {
            if (after > latest && !mutated(Mutation::ResumeAheadAccepted))
                return failStream<pb::StreamLatencyResponse>(
                    invalid("resume_after_sequence: " + std::to_string(after) +
                            " is ahead of the stream (latest is " + std::to_string(latest) + ")"));
            const uint64_t oldest = t.oldestSequence();
            if (oldest != 0 && after + 1 < oldest) {
                cursor = oldest - 1; // too old: start at the oldest kept, with a gap
            } else {
                cursor = after + (mutated(Mutation::ResumeSkipsBatch) ? 1 : 0);
                resumed = true;
            }
        }
        auto *w = new LatencyWriter(t, std::move(routes), cursor, resumed);
        w->announce();
        w->setDetach([&t, w] { t.subscribers().remove(w); });
        t.subscribers().add(w);
        w->begin();
        return w;
    }

    grpc::ServerWriteReactor<pb::StreamSketchesResponse> *
    StreamSketches(grpc::CallbackServerContext *ctx, const pb::StreamSketchesRequest *req) override
    {
        Caller caller;
        grpc::Status st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller);
        std::vector<char> routes;
        if (st.ok())
            st = routeFilter(m_state, req->routes(), &routes);
        int64_t window = req->has_window() ? fromDuration(req->window()) : 0;
        if (st.ok() && window == 0)
            window = 1000000;
        if (st.ok() && (window < 100000 || window > 3600ll * 1000000))
            st = invalid("window: must be between 100ms and 1h");
        if (!st.ok())
            return failStream<pb::StreamSketchesResponse>(st);
        Telemetry &t = m_state.telemetry;
        auto *w = new SketchWriter(t, std::move(routes), window, nowMicros());
        w->announce();
        w->setDetach([&t, w] { t.subscribers().remove(w); });
        t.subscribers().add(w);
        return w;
    }

private:
    SimState &m_state;
};

} // namespace

std::unique_ptr<grpc::Service> makeTelemetryService(SimState &state)
{
    return std::make_unique<TelemetryServiceImpl>(state);
}

} // namespace sb::sim
