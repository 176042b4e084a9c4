// common.proto, "Authentication and roles": tokens, the role each RPC needs,
// the codes for each failure, and how `authorization` is parsed.

#include "conformance/kit.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace sb::conformance {

namespace {

void noTokenUnauthenticated(Kit &kit)
{
    pb::GetRoutingTableResponse resp;
    auto c = kit.ctx(As::Nobody);
    expectCode(kit.routing().GetRoutingTable(c.get(), {}, &resp), grpc::StatusCode::UNAUTHENTICATED,
               "GetRoutingTable without a token");
    auto u = kit.rawAuthCtx({"Bearer not-a-token-of-this-service"});
    expectCode(kit.routing().GetRoutingTable(u.get(), {}, &resp), grpc::StatusCode::UNAUTHENTICATED,
               "GetRoutingTable with an unknown token");
}

void authorizationParsing(Kit &kit)
{
    const std::string &tok = kit.options().viewerToken;
    pb::GetRoutingTableResponse resp;
    auto lower = kit.rawAuthCtx({"bearer " + tok});
    expectOk(kit.routing().GetRoutingTable(lower.get(), {}, &resp),
             "the scheme is case-insensitive: `bearer <token>`");
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
        {{"Basic " + tok}, "another scheme (`Basic <token>`)"},
        {{"Bearer"}, "`Bearer` with no token"},
        {{"Bearer  " + tok}, "two spaces before the token (the token is the rest, byte for byte)"},
        {{tok}, "the token without a scheme"},
        {{"Bearer " + tok, "Bearer " + tok}, "two authorization values"},
    };
    for (const auto &[values, what] : bad) {
        auto c = kit.rawAuthCtx(values);
        expectCode(kit.routing().GetRoutingTable(c.get(), {}, &resp),
                   grpc::StatusCode::UNAUTHENTICATED, what);
    }
}

void healthWithoutToken(Kit &kit)
{
    auto stub = grpc::health::v1::Health::NewStub(kit.channel());
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    auto c = kit.ctx(As::Nobody);
    expectOk(stub->Check(c.get(), req, &resp), "grpc.health.v1.Health/Check without a token");
    require(resp.status() == grpc::health::v1::HealthCheckResponse::SERVING,
            "the overall health is SERVING");
}

void viewerReadsAndStreams(Kit &kit)
{
    {
        pb::ListPromptsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.prompts().ListPrompts(c.get(), {}, &r), "ListPrompts as viewer");
    }
    {
        pb::ListExperimentsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.experiments().ListExperiments(c.get(), {}, &r), "ListExperiments as viewer");
    }
    {
        pb::ListAuditEventsResponse r;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.routing().ListAuditEvents(c.get(), {}, &r), "ListAuditEvents as viewer");
    }
    {
        auto c = kit.ctx(As::Viewer, 5000);
        auto reader = kit.routing().WatchRouting(c.get(), {});
        pb::WatchRoutingResponse ev;
        require(reader->Read(&ev), "WatchRouting as viewer sends its snapshot");
        c->TryCancel();
        reader->Finish();
    }
    {
        auto c = kit.ctx(As::Viewer, 5000);
        auto reader = kit.telemetry().StreamLatency(c.get(), {});
        pb::StreamLatencyResponse b;
        require(reader->Read(&b), "StreamLatency as viewer sends a batch within 5 s");
        c->TryCancel();
        reader->Finish();
    }
}

void viewerWritesDenied(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    {
        pb::CreatePromptVersionResponse r;
        auto c = kit.ctx(As::Viewer);
        const auto st = kit.prompts().CreatePromptVersion(c.get(), kit.newVersion(p, "viewer"), &r);
        expectCode(st, grpc::StatusCode::PERMISSION_DENIED, "CreatePromptVersion as viewer");
        require(st.error_message().find("operator") != std::string::npos,
                "PERMISSION_DENIED names the role needed (operator): got \"" + st.error_message() +
                    "\"");
    }
    {
        // Auth comes before validation: an empty request is still PERMISSION_DENIED.
        pb::SetModelEnabledResponse r;
        auto c = kit.ctx(As::Viewer);
        expectCode(kit.routing().SetModelEnabled(c.get(), {}, &r),
                   grpc::StatusCode::PERMISSION_DENIED,
                   "SetModelEnabled as viewer (an empty request: roles are checked first)");
    }
    {
        pb::SubmitFeedbackResponse r;
        auto c = kit.ctx(As::Viewer);
        expectCode(kit.experiments().SubmitFeedback(c.get(), {}, &r),
                   grpc::StatusCode::PERMISSION_DENIED, "SubmitFeedback as viewer");
    }
    {
        pb::UpdateExperimentResponse r;
        auto c = kit.ctx(As::Viewer);
        expectCode(kit.experiments().UpdateExperiment(c.get(), {}, &r),
                   grpc::StatusCode::PERMISSION_DENIED, "UpdateExperiment as viewer");
    }
}

void compareNeedsOperator(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment();
    pb::CompareRequest req;
    req.set_experiment_id(e.id());
    req.set_request_id(kit.requestId());
    auto c = kit.ctx(As::Viewer);
    auto reader = kit.experiments().Compare(c.get(), req);
    pb::CompareResponse ev;
    require(!reader->Read(&ev), "Compare as viewer sends nothing");
    expectCode(reader->Finish(), grpc::StatusCode::PERMISSION_DENIED,
               "Compare (a stream that is not a read) as viewer");
}

void productionLabelNeedsAdmin(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    pb::MoveLabelRequest req;
    req.set_prompt_name(p.name());
    req.set_label("production");
    req.set_version(1);
    req.set_expected_etag(p.etag());
    req.set_reason("conformance: operator may not move production");
    req.set_request_id(kit.requestId());
    pb::MoveLabelResponse resp;
    auto c = kit.ctx(As::Operator);
    const auto st = kit.prompts().MoveLabel(c.get(), req, &resp);
    expectCode(st, grpc::StatusCode::PERMISSION_DENIED, "MoveLabel production as operator");
    require(st.error_message().find("admin") != std::string::npos,
            "PERMISSION_DENIED names the role needed (admin): got \"" + st.error_message() + "\"");
    req.set_request_id(kit.requestId());
    auto a = kit.ctx(As::Admin);
    expectOk(kit.prompts().MoveLabel(a.get(), req, &resp), "MoveLabel production as admin");
}

} // namespace

void addAuthChecks(std::vector<Check> &out)
{
    out.push_back({"auth.no_token", "a missing or unknown token fails with UNAUTHENTICATED", false,
                   noTokenUnauthenticated});
    out.push_back({"auth.parsing",
                   "`authorization: Bearer <token>`: scheme case-insensitive, one space, one value",
                   false, authorizationParsing});
    out.push_back(
        {"auth.health_open", "grpc.health.v1 answers without a token", false, healthWithoutToken});
    out.push_back({"auth.viewer_reads", "a viewer may call every read, list, watch and stream",
                   false, viewerReadsAndStreams});
    out.push_back({"auth.viewer_writes_denied",
                   "a viewer's write fails with PERMISSION_DENIED naming the role, before "
                   "validation",
                   false, viewerWritesDenied});
    out.push_back({"auth.compare_operator",
                   "Compare needs operator: a viewer gets PERMISSION_DENIED", false,
                   compareNeedsOperator});
    out.push_back({"auth.production_admin", "moving `production` needs admin", false,
                   productionLabelNeedsAdmin});
}

} // namespace sb::conformance
