#include "sim/state.h"

#include "sim/mutations.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

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
    toTimestamp(rec.updateUs, out->mutable_update_time());
    out->set_updated_by(rec.updatedBy);
    const int64_t sec = nowUs / 1000000;
    const uint64_t req = rec.requests.sum(sec);
    out->set_recent_error_rate(req ? double(rec.errors.sum(sec)) / double(req) : 0.0);
}

void SimState::fillRoute(const RouteRec &rec, pb::Route *out, int64_t nowUs) const
{
    *out = rec.route;
    out->set_updated_by(rec.updatedBy);
    const int64_t sec = nowUs / 1000000;
    // Denominators count every request, failed ones too, so the shares of a
    // window sum to at most 1.
    const uint64_t total60 = rec.requests.sum(sec, 60);
    const uint64_t total10 = rec.requests.sum(sec, 10);
    std::vector<const ServedSlot *> entries;
    for (const auto &slot : rec.served) {
        if (slot.count.sum(sec, 60))
            entries.push_back(&slot);
    }
    // A stable order: by reason, then model, variant and the model before.
    const auto key = [](const ServedSlot *s) {
        return std::tie(s->reason, s->model->model.name(), s->experimentId, s->variantId);
    };
    std::sort(entries.begin(), entries.end(), [&](const ServedSlot *a, const ServedSlot *b) {
        if (key(a) != key(b))
            return key(a) < key(b);
        const std::string &x = a->after ? a->after->model.name() : std::string();
        const std::string &y = b->after ? b->after->model.name() : std::string();
        return x < y;
    });
    for (const ServedSlot *slot : entries) {
        auto *share = out->add_recently_served();
        share->set_model(slot->model->model.name());
        share->set_reason(slot->reason);
        share->set_fraction(
            total60 ? std::min(1.0, double(slot->count.sum(sec, 60)) / double(total60)) : 0.0);
        share->set_fraction_10s(
            total10 ? std::min(1.0, double(slot->count.sum(sec, 10)) / double(total10)) : 0.0);
        share->set_experiment_id(slot->experimentId);
        share->set_variant_id(slot->variantId);
        if (slot->after)
            share->set_after_model(slot->after->model.name());
    }
}

bool SimState::hasUsableFallback(const RouteRec &rec, int skipStep) const
{
    for (int i = 0; i < rec.route.fallbacks_size(); ++i) {
        const auto &step = rec.route.fallbacks(i);
        if (i == skipStep || !step.enabled() || step.model() == rec.route.primary_model())
            continue;
        auto it = models.find(step.model());
        if (it != models.end() && it->second.model.enabled())
            return true;
    }
    return false;
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
    if (!mutated(Mutation::NoConflictTrailer))
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
    if (mutated(Mutation::NoAutoRevert))
        return;
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
        if (r.bypassRevertAtUs && r.bypassRevertAtUs <= nowUs) {
            const bool from = r.route.primary_bypassed();
            // Bypassing a route left with no usable fallback would be an
            // outage nobody asked for: that revert is skipped, and says so.
            const bool skipped = r.bypassRevertTo && !hasUsableFallback(r);
            const bool to = skipped ? from : r.bypassRevertTo;
            r.bypassRevertAtUs = 0;
            r.route.clear_primary_bypass_revert_time();
            r.route.set_primary_bypassed(to);
            r.route.set_etag(newEtag());
            toTimestamp(nowUs, r.route.mutable_update_time());
            r.updatedBy = "auto-revert";
            const std::string &primary = r.route.primary_model();
            const auto value = [&](bool bypassed) {
                return "primary " + primary + (bypassed ? " bypassed" : " in use");
            };
            auto *ev = addAudit(nowUs, "auto-revert", "system",
                                r.bypassRevertTo ? "route.bypass_primary" : "route.use_primary",
                                "route/" + name, value(from),
                                skipped ? value(to) + " (revert skipped: no enabled fallback left)"
                                        : value(to),
                                "revert_after elapsed", "");
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
