#include "sim/state.h"

#include <cstdio>

namespace sb::sim {

namespace {

std::string percent(double f)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", f * 100);
    return buf;
}

const char *circuitName(pb::CircuitState s)
{
    switch (s) {
    case pb::CIRCUIT_STATE_OPEN:
        return "open";
    case pb::CIRCUIT_STATE_HALF_OPEN:
        return "half_open";
    default:
        return "closed";
    }
}

// A routing event without its route or model.
pb::WatchRoutingResponse routingChange(pb::RoutingEventKind kind, const pb::AuditEvent &audit,
                                       int64_t nowUs)
{
    pb::WatchRoutingResponse out;
    out.set_kind(kind);
    *out.mutable_audit_event() = audit;
    toTimestamp(nowUs, out.mutable_time());
    return out;
}

} // namespace

void Window60::add(int64_t nowSec, uint32_t n)
{
    const int slot = int(((nowSec % 60) + 60) % 60);
    if (sec[slot] != nowSec) {
        sec[slot] = nowSec;
        count[slot] = 0;
    }
    count[slot] += n;
}

uint64_t Window60::sum(int64_t nowSec, int span) const
{
    uint64_t total = 0;
    for (int i = 0; i < 60; ++i) {
        if (sec[i] > nowSec - span && sec[i] <= nowSec)
            total += count[i];
    }
    return total;
}

SimState::SimState(SimOptions opts)
    : options(std::move(opts)), telemetry([&] {
          // The epoch must differ between runs even with the same seed, so a
          // client never resumes into a different process's sequence numbers.
          Rng r(uint64_t(nowMicros()) ^ (uint64_t(reinterpret_cast<uintptr_t>(this)) << 16));
          char buf[40];
          std::snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)r.next(),
                        (unsigned long long)r.next());
          return std::string(buf);
      }()),
      trafficRng(options.seed * 0x9e3779b97f4a7c15ull + 17)
{}

std::string SimState::newEtag()
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "W%llu", (unsigned long long)++etagCounter);
    return buf;
}

pb::AuditEvent *SimState::addAudit(int64_t nowUs, const std::string &actor, const std::string &role,
                                   const std::string &action, const std::string &target,
                                   const std::string &oldValue, const std::string &newValue,
                                   const std::string &reason, const std::string &requestId)
{
    // Bounded: the oldest events go first on a sim that runs for weeks.
    constexpr size_t kMaxAudit = 100000;
    if (audit.size() >= kMaxAudit)
        audit.erase(audit.begin(), audit.begin() + kMaxAudit / 10);
    pb::AuditEvent ev;
    ev.set_id("audit-" + std::to_string(++auditCounter));
    toTimestamp(nowUs, ev.mutable_time());
    ev.set_actor(actor);
    ev.set_role(role);
    ev.set_action(action);
    ev.set_target(target);
    ev.set_old_value(oldValue);
    ev.set_new_value(newValue);
    ev.set_reason(reason);
    ev.set_request_id(requestId);
    audit.push_back(std::move(ev));
    return &audit.back();
}

std::string SimState::lastActor(const std::string &target) const
{
    for (auto it = audit.rbegin(); it != audit.rend(); ++it) {
        if (it->target() == target)
            return it->actor();
    }
    return "seed";
}

void SimState::fillModel(const ModelRec &rec, pb::Model *out, int64_t nowUs) const
{
    *out = rec.model;
    out->set_circuit(rec.circuit);
    if (rec.circuit == pb::CIRCUIT_STATE_OPEN)
        toTimestamp(rec.cooldownUntilUs, out->mutable_cooldown_until());
    if (rec.revertAtUs)
        toTimestamp(rec.revertAtUs, out->mutable_revert_time());
    const int64_t sec = nowUs / 1000000;
    const uint64_t req = rec.requests.sum(sec);
    out->set_recent_error_rate(req ? double(rec.errors.sum(sec)) / double(req) : 0.0);
}

void SimState::fillRoute(const RouteRec &rec, pb::Route *out, int64_t nowUs) const
{
    *out = rec.route;
    const int64_t sec = nowUs / 1000000;
    uint64_t total = 0;
    std::vector<std::pair<std::string, uint64_t>> counts;
    for (const auto &[model, w] : rec.served) {
        const uint64_t c = w.sum(sec);
        if (c) {
            counts.emplace_back(model, c);
            total += c;
        }
    }
    for (const auto &[model, c] : counts) {
        auto *share = out->add_recently_served();
        share->set_model(model);
        share->set_fraction(double(c) / double(total));
    }
}

void SimState::fillRoutingSnapshot(pb::WatchRoutingResponse *out, int64_t nowUs) const
{
    out->set_kind(pb::ROUTING_EVENT_KIND_SNAPSHOT);
    for (const auto &[name, rec] : routes)
        fillRoute(rec, out->add_routes(), nowUs);
    for (const auto &[name, rec] : models)
        fillModel(rec, out->add_models(), nowUs);
    toTimestamp(nowUs, out->mutable_time());
}

grpc::Status conflictStatus(grpc::CallbackServerContext *ctx, const pb::Conflict &conflict,
                            const std::string &what)
{
    ctx->AddTrailingMetadata("switchboard-conflict-bin", conflict.SerializeAsString());
    std::string msg =
        "expected_etag: stale; " + what + " is now at etag " + quoted(conflict.current_etag());
    if (!conflict.updated_by().empty())
        msg += ", last changed by " + conflict.updated_by();
    return failedPrecondition(msg + "; re-read and retry");
}

grpc::Status validateParameters(const pb::ModelParameters &p, const std::string &path)
{
    if (p.has_temperature() && !(p.temperature() >= 0 && p.temperature() <= 2))
        return invalid(path + ".temperature: must be between 0 and 2");
    if (p.has_top_p() && !(p.top_p() >= 0 && p.top_p() <= 1))
        return invalid(path + ".top_p: must be between 0 and 1");
    if (p.has_max_output_tokens() && p.max_output_tokens() == 0)
        return invalid(path + ".max_output_tokens: must be at least 1 when set");
    return grpc::Status::OK;
}

bool parseNumberToken(const std::string &token, uint64_t *out)
{
    std::string pos;
    if (!parsePageToken(token, &pos) || pos.empty() || pos.size() > 19)
        return false;
    uint64_t v = 0;
    for (char c : pos) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + uint64_t(c - '0');
    }
    *out = v;
    return true;
}

void toProtoSketch(const LatencySketch &in, pb::LatencySketch *out)
{
    out->set_scale(in.scale());
    out->set_zero_count(in.zeroCount());
    out->set_zero_threshold(LatencySketch::kZeroThreshold);
    out->set_offset(in.offset());
    out->mutable_bucket_counts()->Reserve(int(in.buckets().size()));
    for (uint32_t c : in.buckets())
        out->add_bucket_counts(c);
    out->set_count(in.count());
    out->set_sum(in.sum());
    out->set_min(in.min());
    out->set_max(in.max());
}

const char *stateName(pb::ExperimentState s)
{
    switch (s) {
    case pb::EXPERIMENT_STATE_DRAFT:
        return "DRAFT";
    case pb::EXPERIMENT_STATE_RUNNING:
        return "RUNNING";
    case pb::EXPERIMENT_STATE_PAUSED:
        return "PAUSED";
    case pb::EXPERIMENT_STATE_STOPPED:
        return "STOPPED";
    default:
        return "UNSPECIFIED";
    }
}

void SimState::fillResults(const ExperimentRec &rec, pb::ExperimentResults *out,
                           int64_t nowUs) const
{
    out->set_experiment_id(rec.experiment.id());
    toTimestamp(nowUs, out->mutable_time());
    for (const auto &v : rec.experiment.variants()) {
        auto *r = out->add_variants();
        r->set_variant_id(v.id());
        auto it = rec.stats.find(v.id());
        if (it == rec.stats.end())
            continue;
        const VariantStats &s = it->second;
        r->set_exposures(s.exposures);
        r->set_successes(s.successes);
        r->set_errors(s.errors);
        toProtoSketch(s.latency, r->mutable_latency());
        toProtoSketch(s.ttft, r->mutable_time_to_first_token());
        r->set_cost_usd(s.cost);
        r->set_preference_wins(s.preferenceWins);
        r->set_preference_total(s.preferenceTotal);
        r->set_rating_count(s.ratingCount);
        r->set_rating_sum(s.ratingSum);
        r->set_hallucination_flags(s.hallucinations);
    }
}

const pb::PromptVersion *SimState::resolveVersion(const std::string &prompt, uint32_t version) const
{
    auto it = prompts.find(prompt);
    if (it == prompts.end())
        return nullptr;
    const PromptRec &rec = it->second;
    if (version == 0) {
        version = rec.prompt.latest_version();
        for (const auto &l : rec.prompt.labels()) {
            if (l.name() == "production")
                version = l.version();
        }
    }
    if (version == 0 || version > rec.versions.size())
        return nullptr;
    return &rec.versions[version - 1];
}

void SimState::applyDrills(int64_t nowUs)
{
    for (auto &[name, m] : models) {
        m.outage = false;
        m.drillErrorRate = 0;
        m.latencyFactor = 1;
    }
    for (auto it = drills.begin(); it != drills.end();) {
        if (it->second.endUs <= nowUs) {
            it = drills.erase(it);
            continue;
        }
        const auto &d = it->second.drill;
        auto m = models.find(d.model());
        if (m != models.end()) {
            switch (d.kind()) {
            case switchboard::sim::v1::DRILL_KIND_OUTAGE:
                m->second.outage = true;
                break;
            case switchboard::sim::v1::DRILL_KIND_LATENCY_SPIKE:
                m->second.latencyFactor *= d.magnitude();
                break;
            case switchboard::sim::v1::DRILL_KIND_ERROR_BURST:
                m->second.drillErrorRate = 1 - (1 - m->second.drillErrorRate) * (1 - d.magnitude());
                break;
            default:
                break;
            }
        }
        ++it;
    }
}

void SimState::runReverts(int64_t nowUs)
{
    for (auto &[name, m] : models) {
        if (!m.revertAtUs || m.revertAtUs > nowUs)
            continue;
        const bool from = m.model.enabled();
        m.revertAtUs = 0;
        m.model.clear_revert_time();
        m.model.set_enabled(m.revertTo);
        m.model.set_etag(newEtag());
        m.updatedBy = "auto-revert";
        m.updateUs = nowUs;
        auto *ev =
            addAudit(nowUs, "auto-revert", "system", m.revertTo ? "model.enable" : "model.disable",
                     "model/" + name, from ? "enabled" : "disabled",
                     m.revertTo ? "enabled" : "disabled", "revert_after elapsed", "");
        pb::Model changed;
        fillModel(m, &changed, nowUs);
        publishRoutingChange(pb::ROUTING_EVENT_KIND_REVERTED, changed, *ev, nowUs);
    }
    for (auto &[name, r] : routes) {
        for (int i = 0; i < r.route.fallbacks_size(); ++i) {
            if (!r.stepRevertAtUs[size_t(i)] || r.stepRevertAtUs[size_t(i)] > nowUs)
                continue;
            auto *step = r.route.mutable_fallbacks(i);
            const bool from = step->enabled();
            const bool to = r.stepRevertTo[size_t(i)] != 0;
            r.stepRevertAtUs[size_t(i)] = 0;
            step->clear_revert_time();
            step->set_enabled(to);
            r.route.set_etag(newEtag());
            toTimestamp(nowUs, r.route.mutable_update_time());
            r.updatedBy = "auto-revert";
            auto *ev = addAudit(
                nowUs, "auto-revert", "system", to ? "fallback.enable" : "fallback.disable",
                "route/" + name, step->model() + (from ? " enabled" : " disabled"),
                step->model() + (to ? " enabled" : " disabled"), "revert_after elapsed", "");
            pb::Route changed;
            fillRoute(r, &changed, nowUs);
            publishRoutingChange(pb::ROUTING_EVENT_KIND_REVERTED, changed, *ev, nowUs);
        }
    }
}

void SimState::publishCircuitChange(const ModelRec &rec, int64_t nowUs, const std::string &from)
{
    const int64_t sec = nowUs / 1000000;
    const uint64_t req = rec.requests.sum(sec, 5);
    const double rate = req ? double(rec.errors.sum(sec, 5)) / double(req) : 0.0;
    auto *ev = addAudit(nowUs, "circuit-breaker", "system",
                        std::string("circuit.") + circuitName(rec.circuit),
                        "model/" + rec.model.name(), from, circuitName(rec.circuit),
                        "error rate " + percent(rate) + " over the last 5 s", "");
    pb::Model changed;
    fillModel(rec, &changed, nowUs);
    publishRoutingChange(pb::ROUTING_EVENT_KIND_CIRCUIT_CHANGED, changed, *ev, nowUs);
}

void SimState::publishRoutingChange(pb::RoutingEventKind kind, const pb::Route &route,
                                    const pb::AuditEvent &audit, int64_t nowUs)
{
    pb::WatchRoutingResponse out = routingChange(kind, audit, nowUs);
    *out.add_routes() = route;
    routingEvents.publish(out);
}

void SimState::publishRoutingChange(pb::RoutingEventKind kind, const pb::Model &model,
                                    const pb::AuditEvent &audit, int64_t nowUs)
{
    pb::WatchRoutingResponse out = routingChange(kind, audit, nowUs);
    *out.add_models() = model;
    routingEvents.publish(out);
}

void SimState::updateBreakers(int64_t nowUs)
{
    // Opens at >= 50 % errors over >= 20 requests in 5 s; after a 5 s
    // cooldown lets a share of requests probe (see generateBatch); 10 good
    // probes close it, 3 bad ones open it again.
    constexpr int64_t kCooldownUs = 5 * 1000000;
    const int64_t sec = nowUs / 1000000;
    for (auto &[name, m] : models) {
        const std::string from = circuitName(m.circuit);
        switch (m.circuit) {
        case pb::CIRCUIT_STATE_CLOSED: {
            const uint64_t req = m.requests.sum(sec, 5);
            if (req >= 20 && m.errors.sum(sec, 5) * 2 >= req) {
                m.circuit = pb::CIRCUIT_STATE_OPEN;
                m.cooldownUntilUs = nowUs + kCooldownUs;
                publishCircuitChange(m, nowUs, from);
            }
            break;
        }
        case pb::CIRCUIT_STATE_OPEN:
            if (nowUs >= m.cooldownUntilUs) {
                m.circuit = pb::CIRCUIT_STATE_HALF_OPEN;
                m.probeOk = m.probeFail = 0;
                publishCircuitChange(m, nowUs, from);
            }
            break;
        case pb::CIRCUIT_STATE_HALF_OPEN:
            if (m.probeFail >= 3) {
                m.circuit = pb::CIRCUIT_STATE_OPEN;
                m.cooldownUntilUs = nowUs + kCooldownUs;
                publishCircuitChange(m, nowUs, from);
            } else if (m.probeOk >= 10) {
                m.circuit = pb::CIRCUIT_STATE_CLOSED;
                publishCircuitChange(m, nowUs, from);
            }
            break;
        default:
            m.circuit = pb::CIRCUIT_STATE_CLOSED;
            break;
        }
    }
}

} // namespace sb::sim
