// experiment_service.proto: the lifecycle and what may change in each state,
// one RUNNING experiment per route, feedback (ties, STOPPED), Compare streams
// (deltas, one summary per variant, any state) and WatchResults.
//
// Not checked: that a service stops generating when a Compare is cancelled.
// From outside, a cancelled call always ends CANCELLED at once (gRPC does
// that whatever the service does), so a check could not fail; the kit had
// one and it was removed for that reason.

#include "conformance/kit.h"

#include <map>

namespace sb::conformance {

namespace {

pb::UpdateExperimentResponse update(Kit &kit, const pb::Experiment &e,
                                    const std::vector<std::string> &paths,
                                    const std::string &reason, grpc::Status *status,
                                    bool *hasConflict = nullptr)
{
    pb::UpdateExperimentRequest req;
    *req.mutable_experiment() = e;
    for (const auto &p : paths)
        req.mutable_update_mask()->add_paths(p);
    req.set_expected_etag(e.etag());
    req.set_reason(reason);
    req.set_request_id(kit.requestId());
    pb::UpdateExperimentResponse resp;
    auto c = kit.ctx(As::Operator);
    *status = kit.experiments().UpdateExperiment(c.get(), req, &resp);
    if (hasConflict) {
        pb::Conflict conflict;
        *hasConflict = conflictOf(*c, &conflict);
    }
    return resp;
}

// A route with no RUNNING experiment, or empty.
std::string freeRoute(Kit &kit)
{
    pb::ListExperimentsRequest req;
    req.add_states(pb::EXPERIMENT_STATE_RUNNING);
    req.set_page_size(1000);
    pb::ListExperimentsResponse resp;
    auto c = kit.ctx(As::Viewer);
    expectOk(kit.experiments().ListExperiments(c.get(), req, &resp), "ListExperiments RUNNING");
    const auto table = kit.table();
    for (const auto &r : table.routes()) {
        bool busy = false;
        for (const auto &e : resp.experiments())
            busy = busy || e.route() == r.name();
        if (!busy)
            return r.name();
    }
    return {};
}

void lifecycle(Kit &kit)
{
    const std::string route = freeRoute(kit);
    if (route.empty())
        throw NotApplicable("every route already has a RUNNING experiment");
    const pb::Prompt p = kit.ownPrompt();
    pb::CreateExperimentResponse created;
    auto c = kit.ctx(As::Operator);
    expectOk(
        kit.experiments().CreateExperiment(c.get(), kit.newExperiment(route, p.name()), &created),
        "CreateExperiment");
    pb::Experiment e = created.experiment();
    grpc::Status st;

    e.set_state(pb::EXPERIMENT_STATE_RUNNING);
    e = update(kit, e, {"state"}, "conformance: start", &st).experiment();
    expectOk(st, "DRAFT -> RUNNING");
    require(e.has_start_time(), "a started experiment has start_time");

    // A second RUNNING experiment on the same route is refused.
    pb::CreateExperimentResponse second;
    auto c2 = kit.ctx(As::Operator);
    expectOk(
        kit.experiments().CreateExperiment(c2.get(), kit.newExperiment(route, p.name()), &second),
        "CreateExperiment (a second one on the route)");
    pb::Experiment s = second.experiment();
    s.set_state(pb::EXPERIMENT_STATE_RUNNING);
    bool trailer = true;
    update(kit, s, {"state"}, "conformance: a second running", &st, &trailer);
    expectError(st, grpc::StatusCode::FAILED_PRECONDITION, "experiment.state",
                "starting a second experiment on a route that has a RUNNING one");
    require(!trailer, "that FAILED_PRECONDITION carries no Conflict trailer");

    // While RUNNING only weights may change.
    pb::Experiment changed = e;
    changed.mutable_variants(1)->mutable_parameters()->set_temperature(0.5);
    update(kit, changed, {"variants"}, "", &st, &trailer);
    expectError(st, grpc::StatusCode::FAILED_PRECONDITION, "experiment.variants",
                "changing a variant's parameters while RUNNING");
    require(!trailer, "that FAILED_PRECONDITION carries no Conflict trailer");
    pb::Experiment weights = e;
    weights.mutable_variants(1)->set_weight(3);
    weights.mutable_variants(1)->set_name("renamed while running");
    e = update(kit, weights, {"variants"}, "", &st).experiment();
    expectOk(st, "changing weights and display names while RUNNING");

    e.set_state(pb::EXPERIMENT_STATE_PAUSED);
    e = update(kit, e, {"state"}, "conformance: pause", &st).experiment();
    expectOk(st, "RUNNING -> PAUSED");
    e.set_state(pb::EXPERIMENT_STATE_STOPPED);
    e = update(kit, e, {"state"}, "conformance: stop", &st).experiment();
    expectOk(st, "PAUSED -> STOPPED");
    pb::Experiment restart = e;
    restart.set_state(pb::EXPERIMENT_STATE_RUNNING);
    update(kit, restart, {"state"}, "conformance: restart", &st, &trailer);
    expectError(st, grpc::StatusCode::FAILED_PRECONDITION, "experiment.state",
                "STOPPED -> RUNNING (STOPPED is final)");
    require(!trailer, "that FAILED_PRECONDITION carries no Conflict trailer");

    pb::SubmitFeedbackRequest fb;
    fb.set_experiment_id(e.id());
    fb.set_subject_id("conformance");
    fb.set_request_id(kit.requestId());
    fb.mutable_hallucination()->set_variant_id(e.variants(0).id());
    pb::SubmitFeedbackResponse fr;
    auto c3 = kit.ctx(As::Operator);
    expectError(kit.experiments().SubmitFeedback(c3.get(), fb, &fr),
                grpc::StatusCode::FAILED_PRECONDITION, "experiment_id",
                "feedback on a STOPPED experiment");

    // Clean up the second draft's route claim: nothing to do, drafts take no traffic.
}

void feedbackTie(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment();
    auto totals = [&] {
        pb::GetResultsRequest req;
        req.set_experiment_id(e.id());
        pb::GetResultsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.experiments().GetResults(c.get(), req, &resp), "GetResults");
        std::map<std::string, std::pair<uint64_t, uint64_t>> out; // wins, total
        for (const auto &v : resp.results().variants())
            out[v.variant_id()] = {v.preference_wins(), v.preference_total()};
        return out;
    };
    const auto before = totals();
    pb::SubmitFeedbackRequest req;
    req.set_experiment_id(e.id());
    req.set_subject_id(kit.requestId());
    req.set_request_id(kit.requestId());
    req.mutable_preference()->set_preferred_variant_id(e.variants(0).id());
    req.mutable_preference()->set_other_variant_id(e.variants(1).id());
    req.mutable_preference()->set_tie(true);
    pb::SubmitFeedbackResponse resp;
    auto c = kit.ctx(As::Operator);
    expectOk(kit.experiments().SubmitFeedback(c.get(), req, &resp),
             "a tie on a DRAFT experiment (feedback is accepted in every state but STOPPED)");
    const auto after = totals();
    for (int i = 0; i < 2; ++i) {
        const std::string &id = e.variants(i).id();
        require(after.at(id).second == before.at(id).second + 1,
                "a tie counts in preference_total of both variants");
        require(after.at(id).first == before.at(id).first,
                "a tie counts in preference_wins of neither");
    }
}

void compareStream(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment(); // Compare works in any state
    pb::CompareRequest req;
    req.set_experiment_id(e.id());
    req.set_input("conformance");
    req.set_request_id(kit.requestId());
    auto c = kit.ctx(As::Operator, 20000);
    auto reader = kit.experiments().Compare(c.get(), req);
    std::map<std::string, uint32_t> nextIndex;
    std::map<std::string, int> done;
    pb::CompareResponse ev;
    while (reader->Read(&ev)) {
        if (ev.has_delta()) {
            const auto &d = ev.delta();
            require(!done.count(d.variant_id()),
                    "no delta of variant " + d.variant_id() + " after its summary");
            require(d.index() == nextIndex[d.variant_id()],
                    "deltas of variant " + d.variant_id() + " count up from 0 by one");
            ++nextIndex[d.variant_id()];
        } else if (ev.has_done()) {
            ++done[ev.done().variant_id()];
        }
    }
    expectOk(reader->Finish(), "Compare on a DRAFT experiment ends OK");
    require(done.size() == size_t(e.variants_size()), "one summary per variant");
    for (const auto &[id, n] : done)
        require(n == 1, "exactly one summary for variant " + id);
}

void watchResults(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment();
    pb::WatchResultsRequest req;
    req.set_experiment_id(e.id());
    req.mutable_interval()->set_nanos(200000000);
    auto c = kit.ctx(As::Viewer, 5000);
    auto reader = kit.experiments().WatchResults(c.get(), req);
    pb::WatchResultsResponse r;
    int64_t last = 0;
    for (int i = 0; i < 3; ++i) {
        require(reader->Read(&r), "WatchResults sends 3 results at 200 ms within 5 s");
        require(r.results().experiment_id() == e.id(), "results name their experiment");
        const int64_t t =
            r.results().time().seconds() * 1000000 + r.results().time().nanos() / 1000;
        require(t > last, "results times grow");
        last = t;
        require(r.results().variants_size() == e.variants_size(), "one entry per variant");
    }
    c->TryCancel();
    reader->Finish();
    pb::WatchResultsRequest bad;
    bad.set_experiment_id(e.id());
    bad.mutable_interval()->set_nanos(1000000);
    auto c2 = kit.ctx(As::Viewer, 5000);
    auto r2 = kit.experiments().WatchResults(c2.get(), bad);
    while (r2->Read(&r)) {
    }
    expectError(r2->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "interval",
                "an interval under 100 ms");
}

} // namespace

void addExperimentChecks(std::vector<Check> &out)
{
    out.push_back(
        {"experiments.lifecycle",
         "DRAFT->RUNNING->PAUSED->STOPPED; one RUNNING per route; only weights and names "
         "change while RUNNING; STOPPED final and refuses feedback (FAILED_PRECONDITION, no "
         "trailer)",
         true, lifecycle});
    out.push_back({"experiments.feedback_tie",
                   "a tie counts in both variants' preference_total and neither's wins", false,
                   feedbackTie});
    out.push_back({"experiments.compare_stream",
                   "Compare (any state): deltas indexed from 0 per variant, one summary each, "
                   "then OK",
                   false, compareStream});
    out.push_back({"experiments.watch_results",
                   "WatchResults sends results every interval; an interval under 100 ms is "
                   "INVALID_ARGUMENT",
                   false, watchResults});
}

} // namespace sb::conformance
