// common.proto, "Errors": INVALID_ARGUMENT messages start with the field path
// from the request root (`experiment.variants[1].weight: ...`); NOT_FOUND for a
// stand-alone object that does not exist, INVALID_ARGUMENT for a member the
// named object does not have; NOT_FOUND messages carry the path too.

#include "conformance/kit.h"

namespace sb::conformance {

namespace {

void fieldPaths(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    {
        auto req = kit.newVersion(p, "empty template");
        req.clear_template_();
        pb::CreatePromptVersionResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.prompts().CreatePromptVersion(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "template", "an empty template");
    }
    {
        auto req = kit.newVersion(p, "bad variable");
        req.add_variables()->set_name("not a name!");
        pb::CreatePromptVersionResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.prompts().CreatePromptVersion(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "variables[1].name",
                    "a malformed variable name (repeated field: `[index]`, 0-based)");
    }
    const auto table = kit.table();
    if (table.routes().empty())
        throw NotApplicable("no routes");
    const std::string route = table.routes(0).name();
    {
        auto req = kit.newExperiment(route, p.name());
        req.mutable_experiment()->mutable_variants(1)->set_weight(20000);
        pb::CreateExperimentResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.experiments().CreateExperiment(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "experiment.variants[1].weight",
                    "a weight above 10000 (nested and repeated, from the request root)");
    }
    {
        auto req = kit.newExperiment(route, p.name());
        req.mutable_experiment()->mutable_variants(0)->mutable_parameters()->set_temperature(7);
        pb::CreateExperimentResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.experiments().CreateExperiment(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT,
                    "experiment.variants[0].parameters.temperature", "a temperature of 7");
    }
    {
        pb::SetModelEnabledRequest req;
        req.set_model(table.models_size() ? table.models(0).name() : "m");
        req.set_enabled(true);
        req.set_request_id(kit.requestId());
        pb::SetModelEnabledResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.routing().SetModelEnabled(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "reason", "a toggle without a reason");
        req.set_reason("conformance: too short a revert");
        req.mutable_revert_after()->set_nanos(500000000);
        auto c2 = kit.ctx(As::Operator);
        expectError(kit.routing().SetModelEnabled(c2.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "revert_after", "revert_after of 0.5 s");
    }
    {
        const pb::Experiment e = kit.ownDraftExperiment();
        pb::UpdateExperimentRequest req;
        *req.mutable_experiment() = e;
        req.mutable_update_mask()->add_paths("name");
        req.mutable_update_mask()->add_paths("etag");
        req.set_expected_etag(e.etag());
        req.set_request_id(kit.requestId());
        pb::UpdateExperimentResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.experiments().UpdateExperiment(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[1]",
                    "an update_mask path that is not updatable (`etag`)");
    }
}

void notFoundVersusInvalid(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    const std::string missing = kit.name("does-not-exist");
    {
        pb::GetPromptRequest req;
        req.set_name(missing);
        pb::GetPromptResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.prompts().GetPrompt(c.get(), req, &r), grpc::StatusCode::NOT_FOUND, "name",
                    "GetPrompt of an unknown prompt");
    }
    {
        pb::GetExperimentRequest req;
        req.set_id(missing);
        pb::GetExperimentResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.experiments().GetExperiment(c.get(), req, &r), grpc::StatusCode::NOT_FOUND,
                    "id", "GetExperiment of an unknown experiment");
    }
    {
        pb::SetModelEnabledRequest req;
        req.set_model(missing);
        req.set_enabled(true);
        req.set_reason("conformance: unknown model");
        req.set_request_id(kit.requestId());
        pb::SetModelEnabledResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.routing().SetModelEnabled(c.get(), req, &r), grpc::StatusCode::NOT_FOUND,
                    "model", "SetModelEnabled of an unknown model");
    }
    {
        // A prompt version is a stand-alone object: NOT_FOUND.
        pb::MoveLabelRequest req;
        req.set_prompt_name(p.name());
        req.set_label("conformance");
        req.set_version(p.latest_version() + 100);
        req.set_expected_etag(p.etag());
        req.set_reason("conformance: unknown version");
        req.set_request_id(kit.requestId());
        pb::MoveLabelResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.prompts().MoveLabel(c.get(), req, &r), grpc::StatusCode::NOT_FOUND,
                    "version", "MoveLabel to a version the prompt does not have");
    }
    {
        pb::RenderPromptRequest req;
        req.set_prompt_name(p.name());
        req.set_label("no-such-label");
        pb::RenderPromptResponse r;
        auto c = kit.ctx(As::Viewer);
        expectError(kit.prompts().RenderPrompt(c.get(), req, &r), grpc::StatusCode::NOT_FOUND,
                    "label", "RenderPrompt through a label the prompt does not have");
    }
    const auto table = kit.table();
    {
        // A member of an object the request names: INVALID_ARGUMENT.
        const pb::Route *route = table.routes_size() ? &table.routes(0) : nullptr;
        if (!route)
            throw NotApplicable("no routes");
        pb::SetFallbackEnabledRequest req;
        req.set_route(route->name());
        req.set_model(missing);
        req.set_enabled(true);
        req.set_reason("conformance: not in the chain");
        req.set_expected_etag(route->etag());
        req.set_request_id(kit.requestId());
        pb::SetFallbackEnabledResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.routing().SetFallbackEnabled(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "model",
                    "SetFallbackEnabled of a model not in the route's chain");
    }
    const pb::Experiment e = kit.ownDraftExperiment();
    {
        pb::SubmitFeedbackRequest req;
        req.set_experiment_id(e.id());
        req.set_subject_id("conformance");
        req.set_request_id(kit.requestId());
        req.mutable_rating()->set_variant_id("no-such-variant");
        req.mutable_rating()->set_score(3);
        pb::SubmitFeedbackResponse r;
        auto c = kit.ctx(As::Operator);
        expectError(kit.experiments().SubmitFeedback(c.get(), req, &r),
                    grpc::StatusCode::INVALID_ARGUMENT, "rating.variant_id",
                    "feedback on a variant the experiment does not have");
    }
    {
        pb::CompareRequest req;
        req.set_experiment_id(e.id());
        req.add_variant_ids("no-such-variant");
        req.add_variant_ids(e.variants(0).id());
        req.set_request_id(kit.requestId());
        auto c = kit.ctx(As::Operator);
        auto reader = kit.experiments().Compare(c.get(), req);
        pb::CompareResponse ev;
        while (reader->Read(&ev)) {
        }
        expectError(reader->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "variant_ids[0]",
                    "Compare of a variant the experiment does not have");
    }
    {
        pb::StreamLatencyRequest req;
        req.add_routes(missing);
        auto c = kit.ctx(As::Viewer);
        auto reader = kit.telemetry().StreamLatency(c.get(), req);
        pb::StreamLatencyResponse b;
        while (reader->Read(&b)) {
        }
        expectError(reader->Finish(), grpc::StatusCode::NOT_FOUND, "routes[0]",
                    "StreamLatency of an unknown route");
    }
}

} // namespace

void addErrorChecks(std::vector<Check> &out)
{
    out.push_back({"errors.field_paths",
                   "INVALID_ARGUMENT messages start with the field path from the request root: "
                   "`a.b[i].c: ...`",
                   false, fieldPaths});
    out.push_back({"errors.not_found_vs_invalid",
                   "NOT_FOUND for an unknown prompt, version, label, experiment, route or model; "
                   "INVALID_ARGUMENT for a member the named object lacks; both name the field",
                   false, notFoundVersusInvalid});
}

} // namespace sb::conformance
