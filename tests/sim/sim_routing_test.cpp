// RoutingService and DrillService over real gRPC: the table, toggles with
// audit and events, auto-revert, fallbacks serving in the latency stream.

#include "sim_test_support.h"

#include <map>
#include <set>

using namespace sbtest;

namespace {

class SimRouting : public SimTest
{
protected:
    grpc::Status setFallback(const std::string &routeName, const std::string &modelName,
                             bool enabled, int revertSeconds, pb::SetFallbackEnabledResponse *resp,
                             grpc::ClientContext *c, const std::string &etag = {})
    {
        pb::SetFallbackEnabledRequest req;
        req.set_route(routeName);
        req.set_model(modelName);
        req.set_enabled(enabled);
        req.set_reason("incident drill");
        req.set_expected_etag(etag.empty() ? route(routeName).etag() : etag);
        req.set_request_id(requestId());
        if (revertSeconds)
            req.mutable_revert_after()->set_seconds(revertSeconds);
        return m_routing->SetFallbackEnabled(c, req, resp);
    }

    grpc::Status setModel(const std::string &name, bool enabled, pb::SetModelEnabledResponse *resp,
                          bool allowOutage = false)
    {
        pb::SetModelEnabledRequest req;
        req.set_model(name);
        req.set_enabled(enabled);
        req.set_reason("sick model");
        req.set_expected_etag(model(name).etag());
        req.set_request_id(requestId());
        req.set_allow_route_outage(allowOutage);
        auto c = ctx(kOperator);
        return m_routing->SetModelEnabled(c.get(), req, resp);
    }

    // Reads latency batches of one route until `pred` holds for a sample
    // (given the model name); false after the timeout.
    bool sampleSeen(const std::string &routeName,
                    const std::function<bool(const std::string &, uint32_t, bool)> &pred,
                    int timeoutMs = 10000)
    {
        pb::StreamLatencyRequest req;
        req.add_routes(routeName);
        auto c = ctx(kViewer, timeoutMs);
        auto reader = m_telemetry->StreamLatency(c.get(), req);
        std::map<uint32_t, std::string> models;
        pb::StreamLatencyResponse r;
        bool found = false;
        while (!found && reader->Read(&r)) {
            for (const auto &d : r.dictionary()) {
                if (d.kind() == pb::DICTIONARY_KIND_MODEL)
                    models[d.id()] = d.name();
            }
            for (int i = 0; i < r.latency_ms_size() && !found; ++i)
                found = pred(models[r.model_ids(i)], r.status_codes(i), r.fallback_used(i));
        }
        c->TryCancel();
        while (reader->Read(&r)) {
        }
        reader->Finish();
        return found;
    }
};

TEST_F(SimRouting, TableHasRoutesModelsAndChains)
{
    pb::GetRoutingTableResponse t;
    auto c = ctx(kViewer);
    ASSERT_TRUE(m_routing->GetRoutingTable(c.get(), {}, &t).ok());
    ASSERT_EQ(t.routes_size(), 4);
    EXPECT_EQ(t.routes(0).name(), "chat");
    EXPECT_EQ(t.models_size(), 6);
    for (const auto &r : t.routes()) {
        EXPECT_GE(r.fallbacks_size(), 1);
        EXPECT_LE(r.fallbacks_size(), 3);
        EXPECT_FALSE(r.etag().empty());
    }
    for (const auto &m : t.models()) {
        EXPECT_TRUE(m.enabled());
        EXPECT_EQ(m.circuit(), pb::CIRCUIT_STATE_CLOSED);
        EXPECT_GT(m.input_cost_per_1k(), 0);
    }
    // Traffic shows up as recently served shares.
    EXPECT_TRUE(eventually([&] { return route("chat").recently_served_size() > 0; }));
}

TEST_F(SimRouting, FallbackToggleChangesRouteAuditsAndNotifiesWatchers)
{
    auto wc = ctx(kViewer, 15000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev));
    EXPECT_EQ(ev.kind(), pb::ROUTING_EVENT_KIND_SNAPSHOT);
    EXPECT_EQ(ev.routes_size(), 4);
    EXPECT_EQ(ev.models_size(), 6);

    const pb::Route before = route("chat");
    pb::SetFallbackEnabledResponse resp;
    auto viewer = ctx(kViewer);
    EXPECT_EQ(setFallback("chat", "orion-70b", false, 0, &resp, viewer.get()).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    auto c = ctx(kOperator);
    ASSERT_TRUE(setFallback("chat", "orion-70b", false, 0, &resp, c.get()).ok());
    EXPECT_NE(resp.route().etag(), before.etag());
    EXPECT_FALSE(resp.route().fallbacks(0).enabled());
    EXPECT_EQ(resp.audit_event().actor(), "olga");
    EXPECT_EQ(resp.audit_event().action(), "fallback.disable");
    EXPECT_EQ(resp.audit_event().target(), "route/chat");
    EXPECT_FALSE(route("chat").fallbacks(0).enabled());

    // A circuit change could come first on a loaded machine; skip those.
    do {
        ASSERT_TRUE(watch->Read(&ev));
    } while (ev.kind() == pb::ROUTING_EVENT_KIND_CIRCUIT_CHANGED);
    EXPECT_EQ(ev.kind(), pb::ROUTING_EVENT_KIND_FALLBACK_CHANGED);
    ASSERT_EQ(ev.routes_size(), 1);
    EXPECT_EQ(ev.routes(0).etag(), resp.route().etag());
    EXPECT_EQ(ev.audit_event().id(), resp.audit_event().id());

    pb::ListAuditEventsRequest ar;
    ar.set_target("route/chat");
    pb::ListAuditEventsResponse audit;
    auto c2 = ctx(kViewer);
    ASSERT_TRUE(m_routing->ListAuditEvents(c2.get(), ar, &audit).ok());
    ASSERT_GE(audit.events_size(), 1);
    EXPECT_EQ(audit.events(0).id(), resp.audit_event().id());
    EXPECT_EQ(audit.events(0).reason(), "incident drill");

    // The old etag now conflicts, with the current route in the trailer.
    auto c3 = ctx(kOperator);
    EXPECT_EQ(
        setFallback("chat", "orion-70b", true, 0, &resp, c3.get(), before.etag()).error_code(),
        grpc::StatusCode::FAILED_PRECONDITION);
    pb::Conflict conflict;
    ASSERT_TRUE(conflictOf(*c3, &conflict));
    ASSERT_TRUE(conflict.has_route());
    EXPECT_FALSE(conflict.route().fallbacks(0).enabled());
    EXPECT_EQ(conflict.updated_by(), "olga");

    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimRouting, InvalidArgumentsNameTheField)
{
    pb::SetFallbackEnabledRequest req;
    req.set_route("chat");
    req.set_model("orion-70b");
    req.set_request_id(requestId());
    pb::SetFallbackEnabledResponse resp;
    auto c = ctx(kOperator);
    auto st = m_routing->SetFallbackEnabled(c.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "reason: must not be empty");
    req.set_reason("x");
    req.mutable_revert_after()->set_nanos(1000);
    auto c2 = ctx(kOperator);
    st = m_routing->SetFallbackEnabled(c2.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("revert_after:", 0), 0u);
    req.clear_revert_after();
    req.set_route("nope");
    auto c3 = ctx(kOperator);
    EXPECT_EQ(m_routing->SetFallbackEnabled(c3.get(), req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
}

// 18,446,744,073,711 s is 2^64 µs plus 1.45 s: multiplied out in 64 bits it
// used to wrap into the accepted 1 s .. 7 days (and was undefined behaviour).
TEST_F(SimRouting, AHugeRevertAfterIsRefusedNotWrapped)
{
    pb::SetFallbackEnabledRequest req;
    req.set_route("chat");
    req.set_model("orion-70b");
    req.set_enabled(false);
    req.set_reason("x");
    req.set_expected_etag(route("chat").etag());
    req.set_request_id(requestId());
    req.mutable_revert_after()->set_seconds(18'446'744'073'711);
    pb::SetFallbackEnabledResponse resp;
    auto c = ctx(kOperator);
    const auto st = m_routing->SetFallbackEnabled(c.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("revert_after:", 0), 0u) << st.error_message();
}

TEST_F(SimRouting, RevertAfterFlipsBackAsAutoRevert)
{
    auto wc = ctx(kViewer, 20000);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev)); // snapshot

    pb::SetFallbackEnabledResponse resp;
    auto c = ctx(kOperator);
    ASSERT_TRUE(setFallback("summarize", "atlas-mini", false, 1, &resp, c.get()).ok());
    EXPECT_TRUE(resp.route().fallbacks(0).has_revert_time());
    EXPECT_TRUE(eventually([&] { return route("summarize").fallbacks(0).enabled(); }));
    EXPECT_FALSE(route("summarize").fallbacks(0).has_revert_time());

    bool reverted = false;
    while (!reverted && watch->Read(&ev))
        reverted = ev.kind() == pb::ROUTING_EVENT_KIND_REVERTED;
    ASSERT_TRUE(reverted);
    EXPECT_EQ(ev.audit_event().actor(), "auto-revert");
    EXPECT_EQ(ev.audit_event().target(), "route/summarize");
    ASSERT_EQ(ev.routes_size(), 1);
    EXPECT_TRUE(ev.routes(0).fallbacks(0).enabled());
    wc->TryCancel();
    while (watch->Read(&ev)) {
    }
    watch->Finish();
}

TEST_F(SimRouting, DisabledPrimaryMakesTheFallbackServe)
{
    pb::SetModelEnabledResponse resp;
    ASSERT_TRUE(setModel("atlas-mini", false, &resp).ok()); // primary of extract
    EXPECT_FALSE(resp.model().enabled());
    EXPECT_EQ(resp.audit_event().action(), "model.disable");
    EXPECT_TRUE(sampleSeen("extract", [](const std::string &m, uint32_t status, bool fallback) {
        return m == "orion-8b" && status == 0 && fallback;
    }));
    // Once the change is in, atlas-mini serves nothing on the route.
    EXPECT_FALSE(sampleSeen(
        "extract", [](const std::string &m, uint32_t, bool) { return m == "atlas-mini"; }, 1500));

    // Disabling the last model of a route needs allow_route_outage.
    ASSERT_TRUE(setModel("vega-embed-small", false, &resp).ok());
    const auto st = setModel("vega-embed-large", false, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find("embed"), std::string::npos);
    EXPECT_TRUE(setModel("vega-embed-large", false, &resp, true).ok());
}

TEST_F(SimRouting, DrillsCauseFallbacksErrorsAndOpenCircuits)
{
    dpb::StartDrillRequest req;
    req.set_model("vega-embed-large");
    req.set_kind(dpb::DRILL_KIND_OUTAGE);
    req.mutable_duration()->set_seconds(60);
    dpb::StartDrillResponse started;
    auto op = ctx(kOperator);
    EXPECT_EQ(m_drills->StartDrill(op.get(), req, &started).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    auto c = ctx(kAdmin);
    ASSERT_TRUE(m_drills->StartDrill(c.get(), req, &started).ok());
    EXPECT_FALSE(started.drill().id().empty());

    EXPECT_TRUE(sampleSeen("embed", [](const std::string &m, uint32_t status, bool fallback) {
        return m == "vega-embed-small" && status == 0 && fallback;
    }));
    EXPECT_TRUE(
        eventually([&] { return model("vega-embed-large").circuit() == pb::CIRCUIT_STATE_OPEN; }));

    // With the fallback failing as well, requests fail.
    dpb::StartDrillRequest burst;
    burst.set_model("vega-embed-small");
    burst.set_kind(dpb::DRILL_KIND_ERROR_BURST);
    burst.set_magnitude(1.0);
    burst.mutable_duration()->set_seconds(60);
    auto c2 = ctx(kAdmin);
    ASSERT_TRUE(m_drills->StartDrill(c2.get(), burst, &started).ok());
    EXPECT_TRUE(sampleSeen("embed",
                           [](const std::string &, uint32_t status, bool) { return status != 0; }));

    dpb::ListDrillsResponse list;
    auto c3 = ctx(kAdmin);
    ASSERT_TRUE(m_drills->ListDrills(c3.get(), {}, &list).ok());
    EXPECT_EQ(list.drills_size(), 2);
    dpb::StopDrillRequest stop;
    stop.set_id(started.drill().id());
    dpb::StopDrillResponse stopped;
    auto c4 = ctx(kAdmin);
    ASSERT_TRUE(m_drills->StopDrill(c4.get(), stop, &stopped).ok());
    auto c5 = ctx(kAdmin);
    EXPECT_EQ(m_drills->StopDrill(c5.get(), stop, &stopped).error_code(),
              grpc::StatusCode::NOT_FOUND);

    req.set_kind(dpb::DRILL_KIND_LATENCY_SPIKE);
    req.set_magnitude(0.5);
    auto c6 = ctx(kAdmin);
    const auto st = m_drills->StartDrill(c6.get(), req, &started);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("magnitude:", 0), 0u);
}

TEST_F(SimRouting, AuditEventsPage)
{
    std::set<std::string> ids;
    std::string token;
    int pages = 0;
    do {
        pb::ListAuditEventsRequest req;
        req.set_page_size(2);
        req.set_page_token(token);
        pb::ListAuditEventsResponse resp;
        auto c = ctx(kViewer);
        ASSERT_TRUE(m_routing->ListAuditEvents(c.get(), req, &resp).ok());
        for (const auto &e : resp.events())
            EXPECT_TRUE(ids.insert(e.id()).second) << "duplicate " << e.id();
        token = resp.next_page_token();
        ++pages;
    } while (!token.empty() && pages < 100);
    EXPECT_GE(ids.size(), 6u); // the seeded history at least
}

} // namespace
