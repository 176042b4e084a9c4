// common.proto, "Request ids and idempotency": a retried write gets the
// original response; an id reused for another request (or another RPC) is
// ALREADY_EXISTS; the id is looked up before the etag; failed writes are not
// remembered; an empty id is INVALID_ARGUMENT; feedback counts once.

#include "conformance/kit.h"

namespace sb::conformance {

namespace {

void retryReplays(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    const auto req = kit.newVersion(p, "idempotent");
    pb::CreatePromptVersionResponse first, second;
    auto c1 = kit.ctx(As::Operator);
    expectOk(kit.prompts().CreatePromptVersion(c1.get(), req, &first), "the first write");
    // Retried after the etag moved on (its own write moved it): the id is
    // looked up before the etag, so the retry gets the original response.
    auto c2 = kit.ctx(As::Operator);
    expectOk(kit.prompts().CreatePromptVersion(c2.get(), req, &second),
             "the same request retried with the same request id");
    require(second.version().version() == first.version().version() &&
                second.prompt().etag() == first.prompt().etag(),
            "the retry is answered with the original response (version " +
                std::to_string(first.version().version()) + "), got version " +
                std::to_string(second.version().version()));
    require(kit.currentPrompt(p.name()).latest_version() == first.prompt().latest_version(),
            "the retry was not applied a second time");
}

void reuseForAnotherRequest(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    auto req = kit.newVersion(p, "first use of the id");
    pb::CreatePromptVersionResponse resp;
    auto c1 = kit.ctx(As::Operator);
    expectOk(kit.prompts().CreatePromptVersion(c1.get(), req, &resp), "the first write");
    auto other = req;
    other.set_message("another request under the same id");
    other.set_expected_etag(resp.prompt().etag());
    auto c2 = kit.ctx(As::Operator);
    expectError(kit.prompts().CreatePromptVersion(c2.get(), other, &resp),
                grpc::StatusCode::ALREADY_EXISTS, "request_id",
                "the same request id with a different request");
    // Ids are global across RPCs: the id of a CreatePromptVersion cannot
    // name a MoveLabel.
    pb::MoveLabelRequest move;
    move.set_prompt_name(p.name());
    move.set_label("conformance");
    move.set_version(1);
    move.set_expected_etag(resp.prompt().etag());
    move.set_reason("conformance: request id reused across RPCs");
    move.set_request_id(req.request_id());
    pb::MoveLabelResponse mr;
    auto c3 = kit.ctx(As::Operator);
    expectError(kit.prompts().MoveLabel(c3.get(), move, &mr), grpc::StatusCode::ALREADY_EXISTS,
                "request_id", "a request id reused by another RPC");
}

void failedNotRemembered(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    auto req = kit.newVersion(p, "fails first");
    req.set_expected_etag("stale-etag-for-conformance");
    pb::CreatePromptVersionResponse resp;
    auto c1 = kit.ctx(As::Operator);
    expectCode(kit.prompts().CreatePromptVersion(c1.get(), req, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "a write at a wrong etag");
    req.set_expected_etag(p.etag());
    auto c2 = kit.ctx(As::Operator);
    expectOk(kit.prompts().CreatePromptVersion(c2.get(), req, &resp),
             "the same request id, corrected, after a failed write (failures are not "
             "remembered)");
}

void emptyIdRejected(Kit &kit)
{
    const pb::Prompt p = kit.ownPrompt();
    auto req = kit.newVersion(p, "no id");
    req.clear_request_id();
    pb::CreatePromptVersionResponse resp;
    auto c = kit.ctx(As::Operator);
    expectError(kit.prompts().CreatePromptVersion(c.get(), req, &resp),
                grpc::StatusCode::INVALID_ARGUMENT, "request_id", "a write with no request id");
}

uint64_t ratingCount(Kit &kit, const std::string &experiment, const std::string &variant)
{
    pb::GetResultsRequest req;
    req.set_experiment_id(experiment);
    pb::GetResultsResponse resp;
    auto c = kit.ctx(As::Viewer);
    expectOk(kit.experiments().GetResults(c.get(), req, &resp), "GetResults");
    for (const auto &v : resp.results().variants()) {
        if (v.variant_id() == variant)
            return v.rating_count();
    }
    throw Failure("GetResults has no entry for variant " + variant);
}

void feedbackOnce(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment();
    const std::string variant = e.variants(0).id();
    const uint64_t before = ratingCount(kit, e.id(), variant);
    pb::SubmitFeedbackRequest req;
    req.set_experiment_id(e.id());
    req.set_subject_id(kit.requestId());
    req.set_request_id(kit.requestId());
    req.mutable_rating()->set_variant_id(variant);
    req.mutable_rating()->set_score(4);
    pb::SubmitFeedbackResponse first, second;
    auto c1 = kit.ctx(As::Operator);
    expectOk(kit.experiments().SubmitFeedback(c1.get(), req, &first), "SubmitFeedback");
    auto c2 = kit.ctx(As::Operator);
    expectOk(kit.experiments().SubmitFeedback(c2.get(), req, &second),
             "SubmitFeedback retried with the same request id");
    require(first.feedback_id() == second.feedback_id(), "the retry returns the same feedback_id");
    const uint64_t after = ratingCount(kit, e.id(), variant);
    require(after == before + 1, "feedback counts once per request id: rating_count went " +
                                     std::to_string(before) + " -> " + std::to_string(after));
}

} // namespace

void addIdempotencyChecks(std::vector<Check> &out)
{
    out.push_back({"idempotency.retry",
                   "a retried write (same id, same request) gets the original response, even "
                   "after the etag moved, and is not applied twice",
                   false, retryReplays});
    out.push_back({"idempotency.reuse",
                   "an id reused with another request, or by another RPC, fails with "
                   "ALREADY_EXISTS `request_id: ...`",
                   false, reuseForAnotherRequest});
    out.push_back({"idempotency.failures_forgotten",
                   "a failed write is not remembered: its id may be retried", false,
                   failedNotRemembered});
    out.push_back({"idempotency.empty_id", "a write without request_id is INVALID_ARGUMENT", false,
                   emptyIdRejected});
    out.push_back(
        {"idempotency.feedback_once", "feedback counts once per request id", false, feedbackOnce});
}

} // namespace sb::conformance
