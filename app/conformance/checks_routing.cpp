// routing_service.proto: the table's order, WatchRouting (snapshot first, then
// each change), auto-revert (its timing, the REVERTED event, actor
// `auto-revert`), a later write replacing a pending revert, no-op writes.

#include "conformance/kit.h"

#include <thread>

namespace sb::conformance {

namespace {

using Clock = std::chrono::steady_clock;

int64_t micros(const google::protobuf::Timestamp &t)
{
    return t.seconds() * 1000000 + t.nanos() / 1000;
}

int64_t wallMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void tableOrdered(Kit &kit)
{
    const auto t = kit.table();
    require(t.routes_size() > 0 && t.models_size() > 0, "the table has routes and models");
    for (int i = 1; i < t.routes_size(); ++i)
        require(t.routes(i - 1).name() < t.routes(i).name(), "routes are ordered by name");
    for (int i = 1; i < t.models_size(); ++i)
        require(t.models(i - 1).name() < t.models(i).name(), "models are ordered by name");
    for (const auto &r : t.routes())
        require(!r.etag().empty(), "route " + r.name() + " has an etag");
    for (const auto &m : t.models())
        require(!m.etag().empty(), "model " + m.name() + " has an etag");
}

void watchSnapshotFirst(Kit &kit)
{
    auto c = kit.ctx(As::Viewer, 5000);
    auto reader = kit.routing().WatchRouting(c.get(), {});
    pb::WatchRoutingResponse ev;
    require(reader->Read(&ev), "WatchRouting sends a first message");
    require(ev.kind() == pb::ROUTING_EVENT_KIND_SNAPSHOT, "the first message is a SNAPSHOT");
    const auto t = kit.table();
    require(ev.routes_size() == t.routes_size() && ev.models_size() == t.models_size(),
            "the snapshot holds every route and model");
    c->TryCancel();
    reader->Finish();
}

// A route with an enabled fallback step on an enabled model that may be
// disabled without the bypass guard getting in the way.
bool pickStep(const pb::GetRoutingTableResponse &t, pb::Route *route, std::string *model)
{
    for (const auto &r : t.routes()) {
        if (r.primary_bypassed())
            continue;
        for (const auto &s : r.fallbacks()) {
            if (s.enabled()) {
                *route = r;
                *model = s.model();
                return true;
            }
        }
    }
    return false;
}

// Reads routing events until one of `kind` about `route` (or `model`), or the
// deadline; returns false on timeout.
bool waitFor(grpc::ClientReader<pb::WatchRoutingResponse> &reader, pb::RoutingEventKind kind,
             const std::string &route, const std::string &model, pb::WatchRoutingResponse *out)
{
    while (reader.Read(out)) {
        if (out->kind() != kind)
            continue;
        for (const auto &r : out->routes()) {
            if (!route.empty() && r.name() == route)
                return true;
        }
        for (const auto &m : out->models()) {
            if (!model.empty() && m.name() == model)
                return true;
        }
    }
    return false;
}

void autoRevertFallback(Kit &kit)
{
    pb::Route route;
    std::string model;
    if (!pickStep(kit.table(), &route, &model))
        throw NotApplicable("no route with an enabled fallback step");
    auto wc = kit.ctx(As::Viewer, 5000);
    auto watch = kit.routing().WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    require(watch->Read(&ev), "WatchRouting snapshot");

    pb::SetFallbackEnabledRequest req;
    req.set_route(route.name());
    req.set_model(model);
    req.set_enabled(false);
    req.set_reason("switchboard-conformance: auto-revert after 1 s");
    req.set_expected_etag(route.etag());
    req.mutable_revert_after()->set_seconds(1);
    req.set_request_id(kit.requestId());
    pb::SetFallbackEnabledResponse resp;
    const int64_t sentUs = wallMicros();
    const auto sent = Clock::now();
    auto c = kit.ctx(As::Operator);
    expectOk(kit.routing().SetFallbackEnabled(c.get(), req, &resp), "disabling with revert_after");
    const pb::FallbackStep *step = nullptr;
    for (const auto &s : resp.route().fallbacks()) {
        if (s.model() == model)
            step = &s;
    }
    require(step && !step->enabled(), "the response shows the step disabled");
    require(step->has_revert_time(), "the response's step carries revert_time");
    const int64_t revertUs = micros(step->revert_time());
    require(revertUs >= sentUs + 900000 && revertUs <= sentUs + 3000000,
            "revert_time is about 1 s after the write");

    require(waitFor(*watch, pb::ROUTING_EVENT_KIND_FALLBACK_CHANGED, route.name(), "", &ev),
            "the change is published as FALLBACK_CHANGED");
    require(waitFor(*watch, pb::ROUTING_EVENT_KIND_REVERTED, route.name(), "", &ev),
            "a REVERTED event arrives for the route within the watch's deadline");
    const double after = std::chrono::duration<double>(Clock::now() - sent).count();
    require(after >= 0.9,
            "the revert waited revert_after (came after " + std::to_string(after) + " s)");
    require(after <= 3.5, "the revert came within 2.5 s of revert_after (came after " +
                              std::to_string(after) + " s)");
    require(ev.audit_event().actor() == "auto-revert", "the revert's audit actor is `auto-revert`");
    const pb::Route &reverted = ev.routes(0);
    require(reverted.updated_by() == "auto-revert", "the route's updated_by is `auto-revert`");
    require(reverted.etag() != resp.route().etag(), "the revert changes the etag");
    for (const auto &s : reverted.fallbacks()) {
        if (s.model() == model)
            require(s.enabled() && !s.has_revert_time(),
                    "after the revert the step is enabled again with no revert_time");
    }
    wc->TryCancel();
    watch->Finish();
}

void autoRevertModel(Kit &kit)
{
    const auto t = kit.table();
    auto wc = kit.ctx(As::Viewer, 5000);
    auto watch = kit.routing().WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    require(watch->Read(&ev), "WatchRouting snapshot");
    // The first enabled model that the route-outage guard lets us disable.
    for (const auto &m : t.models()) {
        if (!m.enabled())
            continue;
        pb::SetModelEnabledRequest req;
        req.set_model(m.name());
        req.set_enabled(false);
        req.set_reason("switchboard-conformance: model auto-revert after 1 s");
        req.set_expected_etag(m.etag());
        req.mutable_revert_after()->set_seconds(1);
        req.set_request_id(kit.requestId());
        pb::SetModelEnabledResponse resp;
        auto c = kit.ctx(As::Operator);
        const auto st = kit.routing().SetModelEnabled(c.get(), req, &resp);
        if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION)
            continue; // the guard: it would leave a route with no model
        expectOk(st, "disabling model " + m.name() + " with revert_after");
        require(resp.model().has_revert_time(), "the response's model carries revert_time");
        require(waitFor(*watch, pb::ROUTING_EVENT_KIND_REVERTED, "", m.name(), &ev),
                "a REVERTED event arrives for model " + m.name());
        require(ev.audit_event().actor() == "auto-revert",
                "a model's revert is by actor `auto-revert` too");
        require(ev.models(0).enabled() && ev.models(0).updated_by() == "auto-revert" &&
                    !ev.models(0).has_revert_time(),
                "after the revert the model is enabled, updated_by `auto-revert`, no revert_time");
        wc->TryCancel();
        watch->Finish();
        return;
    }
    throw NotApplicable("no model may be disabled without leaving a route with no model");
}

void laterWriteReplacesRevert(Kit &kit)
{
    pb::Route route;
    std::string model;
    if (!pickStep(kit.table(), &route, &model))
        throw NotApplicable("no route with an enabled fallback step");
    pb::SetFallbackEnabledRequest req;
    req.set_route(route.name());
    req.set_model(model);
    req.set_enabled(false);
    req.set_reason("switchboard-conformance: a revert to be replaced");
    req.set_expected_etag(route.etag());
    req.mutable_revert_after()->set_seconds(1);
    req.set_request_id(kit.requestId());
    pb::SetFallbackEnabledResponse resp;
    auto c = kit.ctx(As::Operator);
    expectOk(kit.routing().SetFallbackEnabled(c.get(), req, &resp), "disabling with revert_after");
    // A later write without revert_after cancels the pending revert.
    req.set_enabled(true);
    req.clear_revert_after();
    req.set_expected_etag(resp.route().etag());
    req.set_request_id(kit.requestId());
    req.set_reason("switchboard-conformance: re-enable by hand");
    auto c2 = kit.ctx(As::Operator);
    expectOk(kit.routing().SetFallbackEnabled(c2.get(), req, &resp), "re-enabling by hand");
    for (const auto &s : resp.route().fallbacks()) {
        if (s.model() == model)
            require(!s.has_revert_time(), "a later write without revert_after clears revert_time");
    }
    const std::string etag = resp.route().etag();
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    const auto table = kit.table();
    for (const auto &r : table.routes()) {
        if (r.name() != route.name())
            continue;
        require(r.etag() == etag, "no revert ran after a later write replaced it (the etag moved)");
        for (const auto &s : r.fallbacks()) {
            if (s.model() == model)
                require(s.enabled(), "the step stays as the later write left it");
        }
    }
}

void noopWrite(Kit &kit)
{
    pb::Route route;
    std::string model;
    if (!pickStep(kit.table(), &route, &model))
        throw NotApplicable("no route with an enabled fallback step");
    pb::SetFallbackEnabledRequest req;
    req.set_route(route.name());
    req.set_model(model);
    req.set_enabled(true); // already enabled
    req.set_reason("switchboard-conformance: a write that changes nothing");
    req.set_expected_etag(route.etag());
    req.set_request_id(kit.requestId());
    pb::SetFallbackEnabledResponse resp;
    auto c = kit.ctx(As::Operator);
    expectOk(kit.routing().SetFallbackEnabled(c.get(), req, &resp),
             "enabling a step that is enabled");
    require(resp.route().etag() != route.etag(),
            "a no-op write is still a change: it gets a new etag");
    require(resp.audit_event().old_value() == resp.audit_event().new_value() &&
                !resp.audit_event().id().empty(),
            "a no-op write is audited with old_value equal to new_value");
}

} // namespace

void addRoutingChecks(std::vector<Check> &out)
{
    out.push_back({"routing.table_order",
                   "GetRoutingTable: routes and models ordered by name, each with an etag", false,
                   tableOrdered});
    out.push_back({"routing.watch_snapshot",
                   "WatchRouting's first message is a SNAPSHOT of every route and model", false,
                   watchSnapshotFirst});
    out.push_back(
        {"routing.auto_revert_fallback",
         "revert_after: revert_time set, FALLBACK_CHANGED then REVERTED 1..3.5 s later by "
         "`auto-revert`, new etag",
         true, autoRevertFallback});
    out.push_back({"routing.auto_revert_model",
                   "a model's revert_after reverts it the same way, actor `auto-revert`", true,
                   autoRevertModel});
    out.push_back({"routing.later_write_replaces_revert",
                   "a later write to the same field replaces a pending revert (none runs)", true,
                   laterWriteReplacesRevert});
    out.push_back({"routing.noop_write",
                   "a write that changes nothing is a change: new etag, audited old = new", true,
                   noopWrite});
}

} // namespace sb::conformance
