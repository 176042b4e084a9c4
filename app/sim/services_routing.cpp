// RoutingService: the routing table, safe toggles (fallback steps, models, a
// route's primary bypass) with auto-revert, routing events and the audit log
// of every service.

#include "sim/mutations.h"
#include "sim/state.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

#include <algorithm>

namespace sb::sim {

namespace {

constexpr int64_t kMinRevertUs = 1000000;
constexpr int64_t kMaxRevertUs = 7 * 86400ll * 1000000;

// The fields every routing write shares: reason, request_id and the optional
// revert_after (1s..7 days), returned in *revertUs (0: no auto-revert).
template <typename WriteRequest>
grpc::Status validateWrite(const WriteRequest &req, int64_t *revertUs)
{
    *revertUs = 0;
    if (req.reason().empty())
        return invalid("reason: must not be empty");
    if (req.request_id().empty())
        return invalid("request_id: must not be empty");
    if (!req.has_revert_after())
        return grpc::Status::OK;
    const int64_t us = fromDuration(req.revert_after());
    if (us < kMinRevertUs || us > kMaxRevertUs)
        return invalid("revert_after: must be between 1s and 7 days");
    *revertUs = us;
    return grpc::Status::OK;
}

// SetFallbackEnabled and SetModelEnabled: a model, then the shared fields.
template <typename ToggleRequest>
grpc::Status validateToggle(const ToggleRequest &req, int64_t *revertUs)
{
    *revertUs = 0;
    if (req.model().empty())
        return invalid("model: must not be empty");
    return validateWrite(req, revertUs);
}

std::string bypassValue(const std::string &primary, bool bypassed)
{
    return "primary " + primary + (bypassed ? " bypassed" : " in use");
}

// The audit new_value of a toggle: `value`, plus the pending auto-revert.
std::string withRevertNote(std::string value, int64_t revertUs)
{
    if (revertUs)
        value += " (reverts after " + formatMicros(revertUs) + ")";
    return value;
}

class RoutingServiceImpl final : public pb::RoutingService::CallbackService
{
public:
    explicit RoutingServiceImpl(SimState &state) : m_state(state) {}

    grpc::ServerUnaryReactor *GetRoutingTable(grpc::CallbackServerContext *ctx,
                                              const pb::GetRoutingTableRequest *,
                                              pb::GetRoutingTableResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        for (const auto &[name, r] : m_state.routes)
            m_state.fillRoute(r, resp->add_routes(), now);
        if (mutated(Mutation::TableUnordered))
            std::reverse(resp->mutable_routes()->begin(), resp->mutable_routes()->end());
        for (const auto &[name, m] : m_state.models)
            m_state.fillModel(m, resp->add_models(), now);
        toTimestamp(now, resp->mutable_time());
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *SetFallbackEnabled(grpc::CallbackServerContext *ctx,
                                                 const pb::SetFallbackEnabledRequest *req,
                                                 pb::SetFallbackEnabledResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        if (req->route().empty())
            return reply(ctx, invalid("route: must not be empty"));
        int64_t revertUs = 0;
        if (auto st = validateToggle(*req, &revertUs); !st.ok())
            return reply(ctx, st);
        static const std::string kMethod = "SetFallbackEnabled";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.routes.find(req->route());
        if (it == m_state.routes.end())
            return reply(ctx, notFound("route: route " + quoted(req->route()) + " not found"));
        RouteRec &r = it->second;
        int index = -1;
        for (int i = 0; i < r.route.fallbacks_size(); ++i) {
            if (r.route.fallbacks(i).model() == req->model())
                index = i;
        }
        if (index < 0)
            return reply(ctx,
                         invalid("model: " + quoted(req->model()) +
                                 " is not in the fallback chain of route " + quoted(req->route())));
        const std::string target = "route/" + req->route();
        if (req->expected_etag() != r.route.etag() && !mutated(Mutation::LastWriteWins))
            return reply(ctx, routeConflict(ctx, r, now));
        if (!req->enabled() && r.route.primary_bypassed() && !m_state.hasUsableFallback(r, index))
            return reply(ctx, failedPrecondition(
                                  "enabled: route " + quoted(req->route()) +
                                  " bypasses its primary and " + quoted(req->model()) +
                                  " is its last enabled fallback; use the primary again first"));
        auto *step = r.route.mutable_fallbacks(index);
        const bool from = step->enabled();
        step->set_enabled(req->enabled());
        const size_t i = size_t(index);
        if (revertUs) {
            r.stepRevertAtUs[i] = now + revertUs;
            r.stepRevertTo[i] = from ? 1 : 0;
            toTimestamp(now + revertUs, step->mutable_revert_time());
        } else if (!mutated(Mutation::RevertSurvivesWrite)) {
            r.stepRevertAtUs[i] = 0;
            step->clear_revert_time();
        }
        // A write that changes nothing is still a change (common.proto, "No-op
        // writes"): new etag, audit event, routing event.
        if (!(mutated(Mutation::NoopKeepsEtag) && from == req->enabled()))
            r.route.set_etag(m_state.newEtag());
        toTimestamp(now, r.route.mutable_update_time());
        r.updatedBy = caller.subject;
        auto *ev = m_state.addAudit(
            now, caller.subject, roleName(caller.role),
            req->enabled() ? "fallback.enable" : "fallback.disable", target,
            req->model() + (from ? " enabled" : " disabled"),
            withRevertNote(req->model() + (req->enabled() ? " enabled" : " disabled"), revertUs),
            req->reason(), req->request_id());
        m_state.fillRoute(r, resp->mutable_route(), now);
        *resp->mutable_audit_event() = *ev;
        m_state.publishRoutingChange(pb::ROUTING_EVENT_KIND_FALLBACK_CHANGED, resp->route(), *ev,
                                     now);
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *SetModelEnabled(grpc::CallbackServerContext *ctx,
                                              const pb::SetModelEnabledRequest *req,
                                              pb::SetModelEnabledResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        int64_t revertUs = 0;
        if (auto st = validateToggle(*req, &revertUs); !st.ok())
            return reply(ctx, st);
        static const std::string kMethod = "SetModelEnabled";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.models.find(req->model());
        if (it == m_state.models.end())
            return reply(ctx, notFound("model: model " + quoted(req->model()) + " not found"));
        ModelRec &m = it->second;
        if (req->expected_etag() != m.model.etag() && !mutated(Mutation::LastWriteWins)) {
            pb::Conflict c;
            c.set_current_etag(m.model.etag());
            m_state.fillModel(m, c.mutable_model(), now);
            toTimestamp(m.updateUs, c.mutable_update_time());
            c.set_updated_by(m.updatedBy);
            return reply(ctx, conflictStatus(ctx, c, "model " + quoted(req->model())));
        }
        if (!req->enabled() && !req->allow_route_outage()) {
            for (const auto &[name, r] : m_state.routes) {
                bool served = false;
                auto usable = [&](const std::string &model) {
                    auto mi = m_state.models.find(model);
                    return model != req->model() && mi != m_state.models.end() &&
                           mi->second.model.enabled();
                };
                served = !r.route.primary_bypassed() && usable(r.route.primary_model());
                for (const auto &step : r.route.fallbacks())
                    served = served || (step.enabled() && usable(step.model()));
                if (!served)
                    return reply(
                        ctx, failedPrecondition("model: disabling " + quoted(req->model()) +
                                                " leaves route " + quoted(name) +
                                                " with no enabled model; set allow_route_outage to "
                                                "do it anyway"));
            }
        }
        const bool from = m.model.enabled();
        m.model.set_enabled(req->enabled());
        if (revertUs) {
            m.revertAtUs = now + revertUs;
            m.revertTo = from;
        } else {
            m.revertAtUs = 0;
        }
        m.model.clear_revert_time();
        if (!(mutated(Mutation::NoopKeepsEtag) && from == req->enabled()))
            m.model.set_etag(m_state.newEtag());
        m.updatedBy = caller.subject;
        m.updateUs = now;
        auto *ev =
            m_state.addAudit(now, caller.subject, roleName(caller.role),
                             req->enabled() ? "model.enable" : "model.disable",
                             "model/" + req->model(), from ? "enabled" : "disabled",
                             withRevertNote(req->enabled() ? "enabled" : "disabled", revertUs),
                             req->reason(), req->request_id());
        m_state.fillModel(m, resp->mutable_model(), now);
        *resp->mutable_audit_event() = *ev;
        m_state.publishRoutingChange(pb::ROUTING_EVENT_KIND_MODEL_CHANGED, resp->model(), *ev, now);
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *SetPrimaryBypassed(grpc::CallbackServerContext *ctx,
                                                 const pb::SetPrimaryBypassedRequest *req,
                                                 pb::SetPrimaryBypassedResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        if (req->route().empty())
            return reply(ctx, invalid("route: must not be empty"));
        int64_t revertUs = 0;
        if (auto st = validateWrite(*req, &revertUs); !st.ok())
            return reply(ctx, st);
        static const std::string kMethod = "SetPrimaryBypassed";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.routes.find(req->route());
        if (it == m_state.routes.end())
            return reply(ctx, notFound("route: route " + quoted(req->route()) + " not found"));
        RouteRec &r = it->second;
        if (req->expected_etag() != r.route.etag() && !mutated(Mutation::LastWriteWins))
            return reply(ctx, routeConflict(ctx, r, now));
        if (req->bypassed() && !m_state.hasUsableFallback(r))
            return reply(
                ctx, failedPrecondition("bypassed: route " + quoted(req->route()) +
                                        " has no enabled fallback on an enabled model to send its "
                                        "traffic to; enable one first"));
        const bool from = r.route.primary_bypassed();
        r.route.set_primary_bypassed(req->bypassed());
        if (revertUs) {
            r.bypassRevertAtUs = now + revertUs;
            r.bypassRevertTo = from;
            toTimestamp(now + revertUs, r.route.mutable_primary_bypass_revert_time());
        } else {
            r.bypassRevertAtUs = 0;
            r.route.clear_primary_bypass_revert_time();
        }
        r.route.set_etag(m_state.newEtag());
        toTimestamp(now, r.route.mutable_update_time());
        r.updatedBy = caller.subject;
        const std::string &primary = r.route.primary_model();
        auto *ev = m_state.addAudit(now, caller.subject, roleName(caller.role),
                                    req->bypassed() ? "route.bypass_primary" : "route.use_primary",
                                    "route/" + req->route(), bypassValue(primary, from),
                                    withRevertNote(bypassValue(primary, req->bypassed()), revertUs),
                                    req->reason(), req->request_id());
        m_state.fillRoute(r, resp->mutable_route(), now);
        *resp->mutable_audit_event() = *ev;
        m_state.publishRoutingChange(pb::ROUTING_EVENT_KIND_PRIMARY_BYPASS_CHANGED, resp->route(),
                                     *ev, now);
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerWriteReactor<pb::WatchRoutingResponse> *
    WatchRouting(grpc::CallbackServerContext *ctx, const pb::WatchRoutingRequest *) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return failStream<pb::WatchRoutingResponse>(st);
        auto *w = new EventWriter<pb::WatchRoutingResponse>();
        w->announce();
        // Snapshot and subscription under one lock: no event is missed or
        // repeated between them.
        std::lock_guard lock(m_state.mutex);
        pb::WatchRoutingResponse snapshot;
        m_state.fillRoutingSnapshot(&snapshot, nowMicros());
        if (!mutated(Mutation::NoSnapshot))
            w->push(snapshot);
        m_state.routingEvents.subscribe(w);
        return w;
    }

    grpc::ServerUnaryReactor *ListAuditEvents(grpc::CallbackServerContext *ctx,
                                              const pb::ListAuditEventsRequest *req,
                                              pb::ListAuditEventsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        uint64_t below = 0;
        if (!req->page_token().empty() && !parseNumberToken(req->page_token(), &below))
            return reply(ctx, invalid("page_token: malformed"));
        const uint32_t size = pageSize(req->page_size());
        const int64_t start = req->has_start_time() ? fromTimestamp(req->start_time()) : INT64_MIN;
        std::lock_guard lock(m_state.mutex);
        for (auto it = m_state.audit.rbegin(); it != m_state.audit.rend(); ++it) {
            const uint64_t n = std::stoull(it->id().substr(6));
            if (below && n >= below)
                continue;
            if (fromTimestamp(it->time()) < start)
                continue;
            if (!req->target().empty() && it->target() != req->target())
                continue;
            if (uint32_t(resp->events_size()) == size) {
                // The cursor is the id of the last event sent: the next page
                // starts below it, so events added meanwhile (newer, larger
                // ids) neither shift nor repeat it.
                const auto &last = mutated(Mutation::PagingOverlap) && size > 1
                                       ? *(resp->events().rbegin() + 1)
                                       : *resp->events().rbegin();
                resp->set_next_page_token(
                    makePageToken(std::to_string(std::stoull(last.id().substr(6)))));
                break;
            }
            *resp->add_events() = *it;
        }
        return reply(ctx, grpc::Status::OK);
    }

private:
    // FAILED_PRECONDITION for a stale route etag, with the route as it is now.
    grpc::Status routeConflict(grpc::CallbackServerContext *ctx, const RouteRec &r, int64_t now)
    {
        pb::Conflict c;
        c.set_current_etag(r.route.etag());
        m_state.fillRoute(r, c.mutable_route(), now);
        *c.mutable_update_time() = r.route.update_time();
        c.set_updated_by(r.updatedBy);
        return conflictStatus(ctx, c, "route " + quoted(r.route.name()));
    }

    SimState &m_state;
};

} // namespace

std::unique_ptr<grpc::Service> makeRoutingService(SimState &state)
{
    return std::make_unique<RoutingServiceImpl>(state);
}

} // namespace sb::sim
