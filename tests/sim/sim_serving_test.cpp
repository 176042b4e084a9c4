// Who serves, and why, over real gRPC: traffic follows the routing table
// (disabled models, failing primaries, bypassed primaries, circuits), served
// shares say PRIMARY / FALLBACK (after which model) / VARIANT over 10 s and
// 60 s, and SetPrimaryBypassed ("force fallback") with its etag, idempotency,
// auto-revert, refusal and role rules.

#include "sim_test_support.h"

#include <set>
#include <thread>

using namespace sbtest;

namespace {

int64_t micros(const google::protobuf::Timestamp &t)
{
    return int64_t(t.seconds()) * 1000000 + t.nanos() / 1000;
}

struct Sample
{
    std::string route;
    std::string model;
    std::string variant; // "experiment/variant", empty when none
    uint32_t status = 0;
    bool fallback = false;
};

class SimServing : public SimTest
{
protected:
    // Reads the latency stream of `routeName` (all routes if empty), looking
    // only at samples completed at or after `fromUs`, until `pred` holds for
    // one (true) or the time is up (false).
    bool streamUntil(const std::string &routeName, int64_t fromUs,
                     const std::function<bool(const Sample &)> &pred, int timeoutMs = 10000)
    {
        pb::StreamLatencyRequest req;
        if (!routeName.empty())
            req.add_routes(routeName);
        auto c = ctx(kViewer, timeoutMs);
        auto reader = m_telemetry->StreamLatency(c.get(), req);
        std::map<std::pair<int, uint32_t>, std::string> names;
        pb::StreamLatencyResponse r;
        bool found = false;
        Sample s;
        while (!found && reader->Read(&r)) {
            for (const auto &d : r.dictionary())
                names[{int(d.kind()), d.id()}] = d.name();
            const int64_t base = micros(r.base_time());
            for (int i = 0; i < r.latency_ms_size() && !found; ++i) {
                if (base + r.offset_micros(i) < fromUs)
                    continue;
                s.route = names[{pb::DICTIONARY_KIND_ROUTE, r.route_ids(i)}];
                s.model = names[{pb::DICTIONARY_KIND_MODEL, r.model_ids(i)}];
                s.variant = r.variant_ids(i)
                                ? names[{pb::DICTIONARY_KIND_VARIANT, r.variant_ids(i)}]
                                : std::string();
                s.status = r.status_codes(i);
                s.fallback = r.fallback_used(i);
                found = pred(s);
            }
        }
        c->TryCancel();
        while (reader->Read(&r)) {
        }
        reader->Finish();
        return found;
    }

    // Points into r: a temporary Route would be gone before the share is read
    // (ASan caught exactly that), hence the deleted overload below.
    const pb::ServedShare *share(const pb::Route &r, const std::string &modelName,
                                 pb::ServedReason reason, const std::string &after = {})
    {
        for (const auto &s : r.recently_served()) {
            if (s.model() == modelName && s.reason() == reason &&
                (after.empty() || s.after_model() == after))
                return &s;
        }
        return nullptr;
    }
    const pb::ServedShare *share(pb::Route &&, const std::string &, pb::ServedReason,
                                 const std::string & = {}) = delete;

    static double sum(const pb::Route &r, bool tenSeconds, pb::ServedReason reason = {})
    {
        double total = 0;
        for (const auto &s : r.recently_served()) {
            if (reason == pb::SERVED_REASON_UNSPECIFIED || s.reason() == reason)
                total += tenSeconds ? s.fraction_10s() : s.fraction();
        }
        return total;
    }

    grpc::Status bypass(const std::string &routeName, bool bypassed,
                        pb::SetPrimaryBypassedResponse *resp, const std::string &token = kOperator,
                        int revertSeconds = 0, const std::string &etag = {},
                        const std::string &id = {}, grpc::ClientContext *c = nullptr)
    {
        pb::SetPrimaryBypassedRequest req;
        req.set_route(routeName);
        req.set_bypassed(bypassed);
        req.set_reason("primary is slow, INC-7");
        req.set_expected_etag(etag.empty() ? route(routeName).etag() : etag);
        req.set_request_id(id.empty() ? requestId() : id);
        if (revertSeconds)
            req.mutable_revert_after()->set_seconds(revertSeconds);
        auto own = ctx(token);
        return m_routing->SetPrimaryBypassed(c ? c : own.get(), req, resp);
    }

    grpc::Status setFallback(const std::string &routeName, const std::string &modelName,
                             bool enabled)
    {
        pb::SetFallbackEnabledRequest req;
        req.set_route(routeName);
        req.set_model(modelName);
        req.set_enabled(enabled);
        req.set_reason("test");
        req.set_expected_etag(route(routeName).etag());
        req.set_request_id(requestId());
        pb::SetFallbackEnabledResponse resp;
        auto c = ctx(kOperator);
        return m_routing->SetFallbackEnabled(c.get(), req, &resp);
    }

    grpc::Status setModel(const std::string &name, bool enabled, pb::SetModelEnabledResponse *resp)
    {
        pb::SetModelEnabledRequest req;
        req.set_model(name);
        req.set_enabled(enabled);
        req.set_reason("sick model");
        req.set_expected_etag(model(name).etag());
        req.set_request_id(requestId());
        auto c = ctx(kOperator);
        return m_routing->SetModelEnabled(c.get(), req, resp);
    }

    int64_t startDrill(const std::string &modelName, dpb::DrillKind kind, double magnitude,
                       std::string *id = nullptr)
    {
        dpb::StartDrillRequest req;
        req.set_model(modelName);
        req.set_kind(kind);
        req.set_magnitude(magnitude);
        req.mutable_duration()->set_seconds(120);
        dpb::StartDrillResponse resp;
        auto c = ctx(kAdmin);
        EXPECT_TRUE(m_drills->StartDrill(c.get(), req, &resp).ok());
        if (id)
            *id = resp.drill().id();
        return micros(resp.drill().start_time());
    }

    std::vector<pb::AuditEvent> auditOf(const std::string &target)
    {
        pb::ListAuditEventsRequest req;
        req.set_target(target);
        req.set_page_size(1000);
        pb::ListAuditEventsResponse resp;
        auto c = ctx(kViewer);
        EXPECT_TRUE(m_routing->ListAuditEvents(c.get(), req, &resp).ok());
        return {resp.events().begin(), resp.events().end()};
    }
};

TEST_F(SimServing, OutagedPrimaryIsServedByItsFallbackAsFallbackAfterThePrimary)
{
    // summarize: orion-70b, then atlas-mini; no running experiment (a draft
    // and a stopped one).
    ASSERT_TRUE(eventually([&] {
        const pb::Route r = route("summarize");
        const auto *p = share(r, "orion-70b", pb::SERVED_REASON_PRIMARY);
        return p && p->fraction_10s() > 0.9;
    }));
    const int64_t from = startDrill("orion-70b", dpb::DRILL_KIND_OUTAGE, 0);

    // In the stream: the route's requests succeed on atlas-mini as a fallback,
    // never on the primary.
    EXPECT_TRUE(streamUntil("summarize", from, [](const Sample &s) {
        return s.model == "atlas-mini" && s.status == 0 && s.fallback;
    }));
    EXPECT_FALSE(streamUntil(
        "summarize", from, [](const Sample &s) { return s.model == "orion-70b" && s.status == 0; },
        1500));

    // In the table: atlas-mini serves most of the last 10 s as FALLBACK after
    // orion-70b.
    pb::Route r;
    ASSERT_TRUE(eventually([&] {
        r = route("summarize");
        const auto *f = share(r, "atlas-mini", pb::SERVED_REASON_FALLBACK, "orion-70b");
        return f && f->fraction_10s() > 0.6;
    }));
    EXPECT_LE(sum(r, true), 1.0 + 1e-9);
    EXPECT_LE(sum(r, false), 1.0 + 1e-9);
    for (const auto &s : r.recently_served()) {
        if (s.reason() == pb::SERVED_REASON_FALLBACK) {
            EXPECT_FALSE(s.after_model().empty()) << s.model();
        }
        EXPECT_TRUE(s.experiment_id().empty()) << s.model(); // no experiment runs here
    }

    // Ten seconds on, "right now" has forgotten the primary; the last minute
    // has not.
    ASSERT_TRUE(eventually(
        [&] {
            r = route("summarize");
            const auto *p = share(r, "orion-70b", pb::SERVED_REASON_PRIMARY);
            return p && p->fraction_10s() == 0;
        },
        20000));
    const auto *primary = share(r, "orion-70b", pb::SERVED_REASON_PRIMARY);
    EXPECT_GT(primary->fraction(), 0);
    const auto *f = share(r, "atlas-mini", pb::SERVED_REASON_FALLBACK, "orion-70b");
    ASSERT_NE(f, nullptr);
    EXPECT_GT(f->fraction_10s(), 0.9);
    EXPECT_GT(f->fraction_10s(), f->fraction());
}

TEST_F(SimServing, ExperimentTrafficIsVariantNotFallbackUnlessTheVariantsModelFails)
{
    // chat (atlas-xl, then orion-70b, atlas-mini) runs exp-1, whose variant
    // `concise-orion` (weight 20 of 100) is served by orion-70b. Let a few
    // thousand of chat's requests pass first, so the shares are not noise.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    pb::Route r;
    ASSERT_TRUE(eventually([&] {
        r = route("chat");
        const auto *v = share(r, "orion-70b", pb::SERVED_REASON_VARIANT);
        return v && v->fraction_10s() > 0.1;
    }));
    const auto *v = share(r, "orion-70b", pb::SERVED_REASON_VARIANT);
    EXPECT_EQ(v->experiment_id(), "exp-1");
    EXPECT_EQ(v->variant_id(), "concise-orion");
    EXPECT_TRUE(v->after_model().empty());
    EXPECT_GT(v->fraction(), 0.1);
    EXPECT_LT(v->fraction(), 0.3);
    // Only the odd failed request falls back; all of the experiment's traffic
    // is variant traffic.
    EXPECT_LT(sum(r, false, pb::SERVED_REASON_FALLBACK), 0.1);
    EXPECT_GT(sum(r, false, pb::SERVED_REASON_VARIANT), 0.85);
    for (const auto &s : r.recently_served()) {
        if (s.reason() == pb::SERVED_REASON_FALLBACK) {
            EXPECT_FALSE(s.after_model().empty());
            EXPECT_NE(s.after_model(), s.model());
        }
    }
    // A variant's request served by its own model is never a fallback.
    EXPECT_FALSE(streamUntil(
        "chat", 0,
        [](const Sample &s) {
            return s.variant == "exp-1/concise-orion" && s.model == "orion-70b" && s.status == 0 &&
                   s.fallback;
        },
        1500));

    // When the variant's own model goes down, its traffic does fall back.
    const int64_t from = startDrill("orion-70b", dpb::DRILL_KIND_OUTAGE, 0);
    EXPECT_TRUE(streamUntil("chat", from, [](const Sample &s) {
        return s.variant == "exp-1/concise-orion" && s.model == "atlas-mini" && s.status == 0 &&
               s.fallback;
    }));
    EXPECT_TRUE(eventually([&] {
        const pb::Route r = route("chat");
        const auto *f = share(r, "atlas-mini", pb::SERVED_REASON_FALLBACK, "orion-70b");
        return f && f->fraction_10s() > 0.05;
    }));
}

TEST_F(SimServing, DisabledModelGetsNoTrafficAnywhere)
{
    // orion-70b: summarize's primary, chat's variant model and first
    // fallback, extract's second fallback.
    pb::SetModelEnabledResponse resp;
    ASSERT_TRUE(setModel("orion-70b", false, &resp).ok());
    const int64_t from = micros(resp.audit_event().time());
    EXPECT_FALSE(streamUntil(
        "", from, [](const Sample &s) { return s.model == "orion-70b"; }, 2000));
    EXPECT_TRUE(streamUntil("summarize", from, [](const Sample &s) {
        return s.model == "atlas-mini" && s.status == 0 && s.fallback;
    }));
    EXPECT_TRUE(eventually([&] {
        const pb::Route r = route("summarize");
        const auto *f = share(r, "atlas-mini", pb::SERVED_REASON_FALLBACK, "orion-70b");
        return f && f->fraction_10s() > 0.5;
    }));
}

TEST_F(SimServing, CircuitOpensOnAnErrorBurstAndHalfOpensAfterItsCooldown)
{
    auto wc = ctx(kViewer, 40000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev)); // snapshot

    // Circuit events of orion-70b (summarize's primary) as "from->to".
    auto next = [&](pb::WatchRoutingResponse *out) {
        while (watch->Read(out)) {
            if (out->kind() == pb::ROUTING_EVENT_KIND_CIRCUIT_CHANGED && out->models_size() == 1 &&
                out->models(0).name() == "orion-70b")
                return out->audit_event().old_value() + "->" + out->audit_event().new_value();
        }
        return std::string("stream ended");
    };
    std::string drill;
    startDrill("orion-70b", dpb::DRILL_KIND_ERROR_BURST, 1.0, &drill);
    pb::WatchRoutingResponse open;
    ASSERT_EQ(next(&open), "closed->open");
    EXPECT_EQ(open.audit_event().actor(), "circuit-breaker");
    EXPECT_EQ(open.models(0).circuit(), pb::CIRCUIT_STATE_OPEN);
    ASSERT_TRUE(open.models(0).has_cooldown_until());
    const int64_t cooldown = micros(open.models(0).cooldown_until());
    EXPECT_GT(cooldown, micros(open.time()));

    // While open, the route is served by its fallback.
    EXPECT_TRUE(streamUntil("summarize", micros(open.time()), [](const Sample &s) {
        return s.model == "atlas-mini" && s.status == 0 && s.fallback;
    }));

    // Half-open only once the cooldown has passed; probes still fail, so it
    // opens again.
    pb::WatchRoutingResponse half;
    ASSERT_EQ(next(&half), "open->half_open");
    EXPECT_GE(micros(half.time()), cooldown);
    EXPECT_EQ(half.models(0).circuit(), pb::CIRCUIT_STATE_HALF_OPEN);
    pb::WatchRoutingResponse again;
    ASSERT_EQ(next(&again), "half_open->open");

    // The burst ends: after the next cooldown, good probes close it.
    dpb::StopDrillRequest stop;
    stop.set_id(drill);
    dpb::StopDrillResponse stopped;
    auto sc = ctx(kAdmin);
    ASSERT_TRUE(m_drills->StopDrill(sc.get(), stop, &stopped).ok());
    pb::WatchRoutingResponse reopened;
    ASSERT_EQ(next(&reopened), "open->half_open");
    EXPECT_GE(micros(reopened.time()), micros(again.models(0).cooldown_until()));
    pb::WatchRoutingResponse closed;
    ASSERT_EQ(next(&closed), "half_open->closed");
    EXPECT_EQ(model("orion-70b").circuit(), pb::CIRCUIT_STATE_CLOSED);
    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimServing, BypassSendsTheRouteToItsFallbacksAuditedAndWatched)
{
    auto wc = ctx(kViewer, 20000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev)); // snapshot

    const pb::Route before = route("summarize"); // orion-70b, then atlas-mini
    EXPECT_FALSE(before.primary_bypassed());
    EXPECT_EQ(before.updated_by(), "seed");
    pb::SetPrimaryBypassedResponse resp;
    ASSERT_TRUE(bypass("summarize", true, &resp).ok());
    EXPECT_TRUE(resp.route().primary_bypassed());
    EXPECT_FALSE(resp.route().has_primary_bypass_revert_time());
    EXPECT_NE(resp.route().etag(), before.etag());
    EXPECT_EQ(resp.route().updated_by(), "olga");
    EXPECT_EQ(resp.audit_event().actor(), "olga");
    EXPECT_EQ(resp.audit_event().action(), "route.bypass_primary");
    EXPECT_EQ(resp.audit_event().target(), "route/summarize");
    EXPECT_EQ(resp.audit_event().old_value(), "primary orion-70b in use");
    EXPECT_EQ(resp.audit_event().new_value(), "primary orion-70b bypassed");
    EXPECT_EQ(resp.audit_event().reason(), "primary is slow, INC-7");
    const pb::Route now = route("summarize");
    EXPECT_TRUE(now.primary_bypassed());
    EXPECT_EQ(now.etag(), resp.route().etag());

    do {
        ASSERT_TRUE(watch->Read(&ev));
    } while (ev.kind() == pb::ROUTING_EVENT_KIND_CIRCUIT_CHANGED);
    EXPECT_EQ(ev.kind(), pb::ROUTING_EVENT_KIND_PRIMARY_BYPASS_CHANGED);
    ASSERT_EQ(ev.routes_size(), 1);
    EXPECT_TRUE(ev.routes(0).primary_bypassed());
    EXPECT_EQ(ev.audit_event().id(), resp.audit_event().id());

    // The primary serves nothing on this route any more (it still serves
    // chat's experiment variant elsewhere); the fallback does.
    const int64_t from = micros(resp.audit_event().time());
    EXPECT_FALSE(streamUntil(
        "summarize", from, [](const Sample &s) { return s.model == "orion-70b"; }, 1500));
    EXPECT_TRUE(streamUntil("summarize", from, [](const Sample &s) {
        return s.model == "atlas-mini" && s.status == 0 && s.fallback;
    }));
    EXPECT_TRUE(eventually([&] {
        const pb::Route r = route("summarize");
        const auto *f = share(r, "atlas-mini", pb::SERVED_REASON_FALLBACK, "orion-70b");
        return f && f->fraction_10s() > 0.5;
    }));

    // And back.
    ASSERT_TRUE(bypass("summarize", false, &resp).ok());
    EXPECT_FALSE(resp.route().primary_bypassed());
    EXPECT_EQ(resp.audit_event().action(), "route.use_primary");
    EXPECT_TRUE(streamUntil("summarize", micros(resp.audit_event().time()), [](const Sample &s) {
        return s.model == "orion-70b" && s.status == 0 && !s.fallback;
    }));
    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimServing, BypassWithAStaleEtagConflictsWithTheCurrentRoute)
{
    const pb::Route before = route("extract");
    pb::SetPrimaryBypassedResponse resp;
    ASSERT_TRUE(bypass("extract", true, &resp, kOperator, 0, before.etag()).ok());
    auto c = ctx(kOperator);
    const auto st = bypass("extract", false, &resp, kOperator, 0, before.etag(), {}, c.get());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(st.error_message().rfind("expected_etag:", 0), 0u) << st.error_message();
    pb::Conflict conflict;
    ASSERT_TRUE(conflictOf(*c, &conflict));
    ASSERT_TRUE(conflict.has_route());
    EXPECT_TRUE(conflict.route().primary_bypassed());
    EXPECT_EQ(conflict.current_etag(), route("extract").etag());
    EXPECT_EQ(conflict.updated_by(), "olga");
    EXPECT_TRUE(route("extract").primary_bypassed()); // the loser changed nothing
}

TEST_F(SimServing, BypassIsIdempotentByRequestId)
{
    const pb::Route before = route("chat");
    pb::SetPrimaryBypassedResponse first, retry;
    ASSERT_TRUE(bypass("chat", true, &first, kOperator, 0, before.etag(), "bypass-1").ok());
    // The retry carries the etag the first attempt was sent with: it is the
    // same request, answered as before, not applied again.
    ASSERT_TRUE(bypass("chat", true, &retry, kOperator, 0, before.etag(), "bypass-1").ok());
    EXPECT_EQ(retry.audit_event().id(), first.audit_event().id());
    EXPECT_EQ(retry.route().etag(), first.route().etag());
    EXPECT_EQ(route("chat").etag(), first.route().etag());
    int events = 0;
    for (const auto &e : auditOf("route/chat"))
        events += e.request_id() == "bypass-1";
    EXPECT_EQ(events, 1);
    // The same id for another request is refused.
    EXPECT_EQ(
        bypass("chat", false, &retry, kOperator, 0, first.route().etag(), "bypass-1").error_code(),
        grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_TRUE(route("chat").primary_bypassed());
}

TEST_F(SimServing, BypassRevertsItselfAsAutoRevert)
{
    auto wc = ctx(kViewer, 20000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev)); // snapshot

    pb::SetPrimaryBypassedResponse resp;
    ASSERT_TRUE(bypass("embed", true, &resp, kOperator, 1).ok());
    EXPECT_TRUE(resp.route().primary_bypassed());
    ASSERT_TRUE(resp.route().has_primary_bypass_revert_time());
    EXPECT_NE(resp.audit_event().new_value().find("reverts after 1s"), std::string::npos)
        << resp.audit_event().new_value();

    bool reverted = false;
    while (!reverted && watch->Read(&ev))
        reverted = ev.kind() == pb::ROUTING_EVENT_KIND_REVERTED;
    ASSERT_TRUE(reverted);
    EXPECT_GE(micros(ev.time()), micros(resp.route().primary_bypass_revert_time()));
    EXPECT_EQ(ev.audit_event().actor(), "auto-revert");
    EXPECT_EQ(ev.audit_event().action(), "route.use_primary");
    EXPECT_EQ(ev.audit_event().target(), "route/embed");
    ASSERT_EQ(ev.routes_size(), 1);
    EXPECT_FALSE(ev.routes(0).primary_bypassed());
    EXPECT_FALSE(ev.routes(0).has_primary_bypass_revert_time());
    EXPECT_EQ(ev.routes(0).updated_by(), "auto-revert");
    const pb::Route after = route("embed");
    EXPECT_FALSE(after.primary_bypassed());
    EXPECT_NE(after.etag(), resp.route().etag());
    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimServing, BypassRevertIntoARouteWithNoFallbackIsSkippedAndSaysSo)
{
    auto wc = ctx(kViewer, 20000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev)); // snapshot

    // Bypassed; then back to the primary "for a second"; meanwhile the only
    // fallback is disabled. Re-bypassing then would be an outage.
    pb::SetPrimaryBypassedResponse resp;
    ASSERT_TRUE(bypass("embed", true, &resp).ok());
    ASSERT_TRUE(bypass("embed", false, &resp, kOperator, 1).ok());
    ASSERT_TRUE(setFallback("embed", "vega-embed-small", false).ok());

    bool reverted = false;
    while (!reverted && watch->Read(&ev))
        reverted = ev.kind() == pb::ROUTING_EVENT_KIND_REVERTED;
    ASSERT_TRUE(reverted);
    EXPECT_EQ(ev.audit_event().actor(), "auto-revert");
    EXPECT_NE(ev.audit_event().new_value().find("revert skipped"), std::string::npos)
        << ev.audit_event().new_value();
    ASSERT_EQ(ev.routes_size(), 1);
    EXPECT_FALSE(ev.routes(0).primary_bypassed());
    EXPECT_FALSE(ev.routes(0).has_primary_bypass_revert_time());
    EXPECT_FALSE(route("embed").primary_bypassed());
    EXPECT_TRUE(streamUntil("embed", micros(ev.time()), [](const Sample &s) {
        return s.model == "vega-embed-large" && s.status == 0 && !s.fallback;
    }));
    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimServing, BypassNeedsAnEnabledFallbackAndKeepsIt)
{
    // summarize has one fallback step, atlas-mini.
    ASSERT_TRUE(setFallback("summarize", "atlas-mini", false).ok());
    const pb::Route before = route("summarize");
    pb::SetPrimaryBypassedResponse resp;
    auto st = bypass("summarize", true, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(st.error_message().rfind("bypassed:", 0), 0u) << st.error_message();
    EXPECT_NE(st.error_message().find("no enabled fallback"), std::string::npos);
    EXPECT_EQ(route("summarize").etag(), before.etag());
    EXPECT_FALSE(route("summarize").primary_bypassed());

    // Once bypassed, the last fallback cannot be taken away from under it.
    ASSERT_TRUE(setFallback("summarize", "atlas-mini", true).ok());
    ASSERT_TRUE(bypass("summarize", true, &resp).ok());
    st = setFallback("summarize", "atlas-mini", false);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find("use the primary again first"), std::string::npos);
    pb::SetModelEnabledResponse mr;
    st = setModel("atlas-mini", false, &mr);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find("summarize"), std::string::npos);
    EXPECT_TRUE(route("summarize").fallbacks(0).enabled());
    EXPECT_TRUE(model("atlas-mini").enabled());
}

TEST_F(SimServing, BypassNeedsOperatorAndValidArguments)
{
    const pb::Route before = route("chat");
    pb::SetPrimaryBypassedResponse resp;
    EXPECT_EQ(bypass("chat", true, &resp, kViewer).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(bypass("chat", true, &resp, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(route("chat").etag(), before.etag());
    EXPECT_FALSE(route("chat").primary_bypassed());
    EXPECT_TRUE(auditOf("route/chat").empty());

    pb::SetPrimaryBypassedRequest req;
    req.set_route("chat");
    req.set_bypassed(true);
    req.set_expected_etag(before.etag());
    req.set_request_id(requestId());
    auto c = ctx(kOperator);
    auto st = m_routing->SetPrimaryBypassed(c.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "reason: must not be empty");
    req.set_reason("x");
    req.mutable_revert_after()->set_nanos(500000000);
    auto c2 = ctx(kOperator);
    st = m_routing->SetPrimaryBypassed(c2.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("revert_after:", 0), 0u);
    req.clear_revert_after();
    req.set_route("nope");
    auto c3 = ctx(kOperator);
    EXPECT_EQ(m_routing->SetPrimaryBypassed(c3.get(), req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
    req.set_route("");
    auto c4 = ctx(kOperator);
    st = m_routing->SetPrimaryBypassed(c4.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "route: must not be empty");
}

TEST_F(SimServing, ChangesSayWhoAndWhen)
{
    const pb::Model seeded = model("atlas-xl");
    EXPECT_EQ(seeded.updated_by(), "seed");
    EXPECT_GT(seeded.update_time().seconds(), 0);
    pb::SetModelEnabledResponse resp;
    ASSERT_TRUE(setModel("atlas-xl", false, &resp).ok());
    EXPECT_EQ(resp.model().updated_by(), "olga");
    EXPECT_EQ(micros(resp.model().update_time()), micros(resp.audit_event().time()));
    EXPECT_GT(micros(resp.model().update_time()), micros(seeded.update_time()));
    EXPECT_EQ(model("atlas-xl").updated_by(), "olga");

    ASSERT_TRUE(setFallback("chat", "atlas-mini", false).ok());
    const pb::Route r = route("chat");
    EXPECT_EQ(r.updated_by(), "olga");
    EXPECT_GT(micros(r.update_time()), micros(seeded.update_time()));
}

} // namespace
