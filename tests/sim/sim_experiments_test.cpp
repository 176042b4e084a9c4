// ExperimentService over real gRPC: lifecycle, conflicts, Compare streaming,
// feedback and results.

#include "sim_test_support.h"

#include <map>
#include <thread>
#include <tuple>

using namespace sbtest;

namespace {

class SimExperiments : public SimTest
{
protected:
    pb::Experiment get(const std::string &id)
    {
        pb::GetExperimentRequest req;
        req.set_id(id);
        pb::GetExperimentResponse resp;
        auto c = ctx(kViewer);
        EXPECT_TRUE(m_experiments->GetExperiment(c.get(), req, &resp).ok());
        return resp.experiment();
    }

    grpc::Status setState(const pb::Experiment &e, pb::ExperimentState s, pb::Experiment *out,
                          grpc::ClientContext *c)
    {
        pb::UpdateExperimentRequest req;
        req.mutable_experiment()->set_id(e.id());
        req.mutable_experiment()->set_state(s);
        req.mutable_update_mask()->add_paths("state");
        req.set_expected_etag(e.etag());
        req.set_request_id(requestId());
        req.set_reason("test");
        pb::UpdateExperimentResponse resp;
        auto st = m_experiments->UpdateExperiment(c, req, &resp);
        *out = resp.experiment();
        return st;
    }

    pb::GetResultsResponse results(const std::string &id)
    {
        pb::GetResultsRequest req;
        req.set_experiment_id(id);
        pb::GetResultsResponse resp;
        auto c = ctx(kViewer);
        EXPECT_TRUE(m_experiments->GetResults(c.get(), req, &resp).ok());
        return resp;
    }
};

TEST_F(SimExperiments, SeededExperimentsListNewestFirstAndFilter)
{
    pb::ListExperimentsResponse resp;
    auto c = ctx(kViewer);
    ASSERT_TRUE(m_experiments->ListExperiments(c.get(), {}, &resp).ok());
    ASSERT_EQ(resp.experiments_size(), 5);
    // Newest first by create_time (the seeded ids are not in that order).
    EXPECT_EQ(resp.experiments(0).id(), "exp-4");
    EXPECT_EQ(resp.experiments(1).id(), "exp-2");
    EXPECT_EQ(resp.experiments(2).id(), "exp-1");
    EXPECT_EQ(resp.experiments(3).id(), "exp-3");
    EXPECT_EQ(resp.experiments(4).id(), "exp-5");
    std::map<pb::ExperimentState, int> states;
    for (const auto &e : resp.experiments()) {
        ++states[e.state()];
        EXPECT_GE(e.variants_size(), 2);
        EXPECT_FALSE(e.etag().empty());
    }
    EXPECT_EQ(states[pb::EXPERIMENT_STATE_RUNNING], 2);
    EXPECT_EQ(states[pb::EXPERIMENT_STATE_DRAFT], 1);
    EXPECT_EQ(states[pb::EXPERIMENT_STATE_STOPPED], 2);

    pb::ListExperimentsRequest req;
    req.add_states(pb::EXPERIMENT_STATE_RUNNING);
    auto c2 = ctx(kViewer);
    ASSERT_TRUE(m_experiments->ListExperiments(c2.get(), req, &resp).ok());
    ASSERT_EQ(resp.experiments_size(), 2);
    EXPECT_EQ(resp.experiments(0).id(), "exp-4");
    EXPECT_EQ(resp.experiments(1).id(), "exp-1");

    pb::GetExperimentRequest g;
    g.set_id("exp-404");
    pb::GetExperimentResponse gr;
    auto c3 = ctx(kViewer);
    EXPECT_EQ(m_experiments->GetExperiment(c3.get(), g, &gr).error_code(),
              grpc::StatusCode::NOT_FOUND);
}

TEST_F(SimExperiments, CreateAndWalkTheLifecycle)
{
    pb::CreateExperimentRequest req;
    req.set_request_id(requestId());
    auto *e = req.mutable_experiment();
    e->set_name("Embedding prefix");
    e->set_route("embed");
    e->set_primary_metric(pb::METRIC_LATENCY);
    for (auto [id, version, model] : {std::tuple{"plain", 1u, "vega-embed-large"},
                                      std::tuple{"prefixed", 2u, "vega-embed-small"}}) {
        auto *v = e->add_variants();
        v->set_id(id);
        v->set_prompt_name("search-query-embed");
        v->set_prompt_version(version);
        v->set_model(model);
        v->set_weight(50);
    }
    pb::CreateExperimentResponse created;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_experiments->CreateExperiment(c.get(), req, &created).ok());
    const pb::Experiment draft = created.experiment();
    EXPECT_EQ(draft.state(), pb::EXPERIMENT_STATE_DRAFT);
    EXPECT_EQ(draft.id(), "exp-6");

    // Retry answers the same; a viewer may not create.
    pb::CreateExperimentResponse again;
    auto c2 = ctx(kOperator);
    ASSERT_TRUE(m_experiments->CreateExperiment(c2.get(), req, &again).ok());
    EXPECT_EQ(again.experiment().id(), "exp-6");
    auto cv = ctx(kViewer);
    req.set_request_id(requestId());
    EXPECT_EQ(m_experiments->CreateExperiment(cv.get(), req, &again).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);

    pb::Experiment out;
    auto c3 = ctx(kOperator);
    EXPECT_EQ(setState(draft, pb::EXPERIMENT_STATE_PAUSED, &out, c3.get()).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION); // DRAFT -> PAUSED is illegal
    auto c4 = ctx(kOperator);
    ASSERT_TRUE(setState(draft, pb::EXPERIMENT_STATE_RUNNING, &out, c4.get()).ok());
    EXPECT_EQ(out.state(), pb::EXPERIMENT_STATE_RUNNING);
    EXPECT_TRUE(out.has_start_time());
    EXPECT_NE(out.etag(), draft.etag());

    // Stale etag: conflict with the current experiment in the trailer.
    auto c5 = ctx(kOperator);
    pb::Experiment ignored;
    EXPECT_EQ(setState(draft, pb::EXPERIMENT_STATE_PAUSED, &ignored, c5.get()).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    pb::Conflict conflict;
    ASSERT_TRUE(conflictOf(*c5, &conflict));
    EXPECT_EQ(conflict.experiment().state(), pb::EXPERIMENT_STATE_RUNNING);
    EXPECT_EQ(conflict.current_etag(), out.etag());

    // Only weights may change once running.
    pb::UpdateExperimentRequest up;
    *up.mutable_experiment() = out;
    up.mutable_experiment()->mutable_variants(0)->set_weight(80);
    up.mutable_update_mask()->add_paths("variants");
    up.set_expected_etag(out.etag());
    up.set_request_id(requestId());
    pb::UpdateExperimentResponse upResp;
    auto c6 = ctx(kOperator);
    ASSERT_TRUE(m_experiments->UpdateExperiment(c6.get(), up, &upResp).ok());
    EXPECT_EQ(upResp.experiment().variants(0).weight(), 80u);
    up.mutable_experiment()->mutable_variants(0)->set_model("atlas-xl");
    up.set_expected_etag(upResp.experiment().etag());
    up.set_request_id(requestId());
    auto c7 = ctx(kOperator);
    EXPECT_EQ(m_experiments->UpdateExperiment(c7.get(), up, &upResp).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);

    // State changes need a reason.
    pb::UpdateExperimentRequest noReason;
    noReason.mutable_experiment()->set_id("exp-6");
    noReason.mutable_experiment()->set_state(pb::EXPERIMENT_STATE_STOPPED);
    noReason.mutable_update_mask()->add_paths("state");
    noReason.set_request_id(requestId());
    auto c8 = ctx(kOperator);
    const auto st = m_experiments->UpdateExperiment(c8.get(), noReason, &upResp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("reason:", 0), 0u);

    const pb::Experiment running = get("exp-6");
    auto c9 = ctx(kOperator);
    ASSERT_TRUE(setState(running, pb::EXPERIMENT_STATE_STOPPED, &out, c9.get()).ok());
    auto c10 = ctx(kOperator);
    const auto final = setState(out, pb::EXPERIMENT_STATE_RUNNING, &ignored, c10.get());
    EXPECT_EQ(final.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

    // Every write is audited.
    pb::ListAuditEventsRequest ar;
    ar.set_target("experiment/exp-6");
    pb::ListAuditEventsResponse audit;
    auto c11 = ctx(kViewer);
    ASSERT_TRUE(m_routing->ListAuditEvents(c11.get(), ar, &audit).ok());
    EXPECT_EQ(audit.events_size(), 4); // create, run, weights, stop
}

// METRIC_HALLUCINATION_RATE (added in v1) is a metric like the others: a
// guardrail or even the primary metric.
TEST_F(SimExperiments, HallucinationRateIsAcceptedAsGuardrailAndPrimary)
{
    pb::CreateExperimentRequest req;
    req.set_request_id(requestId());
    auto *e = req.mutable_experiment();
    e->set_name("Fewer made-up answers");
    e->set_route("chat");
    e->set_primary_metric(pb::METRIC_HALLUCINATION_RATE);
    e->add_guardrail_metrics(pb::METRIC_HALLUCINATION_RATE);
    e->add_guardrail_metrics(pb::METRIC_LATENCY);
    for (const char *id : {"control", "careful"}) {
        auto *v = e->add_variants();
        v->set_id(id);
        v->set_prompt_name("support-reply");
        v->set_prompt_version(3);
        v->set_model("atlas-xl");
        v->set_weight(50);
    }
    pb::CreateExperimentResponse resp;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_experiments->CreateExperiment(c.get(), req, &resp).ok());
    EXPECT_EQ(resp.experiment().primary_metric(), pb::METRIC_HALLUCINATION_RATE);
    ASSERT_EQ(resp.experiment().guardrail_metrics_size(), 2);
    EXPECT_EQ(resp.experiment().guardrail_metrics(0), pb::METRIC_HALLUCINATION_RATE);
}

TEST_F(SimExperiments, CreateValidatesVariants)
{
    pb::CreateExperimentRequest req;
    req.set_request_id(requestId());
    auto *e = req.mutable_experiment();
    e->set_name("Too few");
    e->set_route("chat");
    e->set_primary_metric(pb::METRIC_COST);
    auto *v = e->add_variants();
    v->set_id("only");
    v->set_prompt_name("support-reply");
    v->set_model("atlas-xl");
    pb::CreateExperimentResponse resp;
    auto c = ctx(kOperator);
    auto st = m_experiments->CreateExperiment(c.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("experiment.variants:", 0), 0u) << st.error_message();

    *e->add_variants() = *v;
    e->mutable_variants(1)->set_id("other");
    e->mutable_variants(1)->set_model("no-such-model");
    auto c2 = ctx(kOperator);
    st = m_experiments->CreateExperiment(c2.get(), req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(st.error_message().rfind("experiment.variants[1].model:", 0), 0u)
        << st.error_message();
}

TEST_F(SimExperiments, CompareStreamsEveryVariantThenSummaries)
{
    pb::CompareRequest req;
    req.set_experiment_id("exp-1");
    req.set_request_id(requestId());
    req.set_input("My invoice shows a double charge");
    (*req.mutable_variables())["customer_name"] = "Ada";
    auto c = ctx(kOperator, 20000);
    auto reader = m_experiments->Compare(c.get(), req);
    pb::CompareResponse r;
    std::map<std::string, std::string> text;
    std::map<std::string, uint32_t> nextIndex;
    std::map<std::string, pb::VariantSummary> done;
    while (reader->Read(&r)) {
        if (r.has_delta()) {
            const auto &d = r.delta();
            EXPECT_FALSE(done.count(d.variant_id())) << "delta after summary";
            EXPECT_EQ(d.index(), nextIndex[d.variant_id()]++);
            text[d.variant_id()] += d.text();
        } else {
            ASSERT_TRUE(r.has_done());
            done[r.done().variant_id()] = r.done();
        }
    }
    ASSERT_TRUE(reader->Finish().ok());
    ASSERT_EQ(done.size(), 3u);
    for (const auto &[id, s] : done) {
        ASSERT_EQ(s.status_code(), 0) << s.error_message();
        EXPECT_FALSE(text[id].empty()) << id;
        EXPECT_FALSE(s.served_model().empty());
        EXPECT_GT(s.output_tokens(), 0u);
        EXPECT_EQ(s.output_tokens(), nextIndex[id]);
        EXPECT_GT(s.cost_usd(), 0);
        EXPECT_GT(s.latency().seconds() * 1000 + s.latency().nanos() / 1000000,
                  s.time_to_first_token().seconds() * 1000 +
                      s.time_to_first_token().nanos() / 1000000);
    }
    EXPECT_EQ(done["concise-orion"].served_model(), "orion-70b");

    // A required variable missing: INVALID_ARGUMENT naming `variables`.
    req.clear_variables();
    auto c2 = ctx(kOperator);
    auto bad = m_experiments->Compare(c2.get(), req);
    while (bad->Read(&r)) {
    }
    const auto st = bad->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("variables:", 0), 0u) << st.error_message();
}

TEST_F(SimExperiments, CompareHonoursCancellation)
{
    pb::CompareRequest req;
    req.set_request_id(requestId());
    for (auto [id, model] : {std::pair{"a", "atlas-xl"}, std::pair{"b", "orion-70b"}}) {
        auto *v = req.add_variants();
        v->set_id(id);
        v->set_prompt_name("ticket-summary");
        v->set_model(model);
    }
    (*req.mutable_variables())["ticket"] = "Printer on fire";
    auto c = ctx(kOperator, 20000);
    auto reader = m_experiments->Compare(c.get(), req);
    pb::CompareResponse r;
    ASSERT_TRUE(reader->Read(&r));
    c->TryCancel();
    while (reader->Read(&r)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(SimExperiments, FeedbackChangesResults)
{
    const auto before = results("exp-1");
    pb::SubmitFeedbackRequest req;
    req.set_experiment_id("exp-1");
    req.set_subject_id("cmp-1");
    req.set_request_id(requestId());
    req.mutable_preference()->set_preferred_variant_id("concise");
    req.mutable_preference()->set_other_variant_id("control");
    pb::SubmitFeedbackResponse resp;
    auto c = ctx(kOperator);
    ASSERT_TRUE(m_experiments->SubmitFeedback(c.get(), req, &resp).ok());
    EXPECT_FALSE(resp.feedback_id().empty());
    pb::SubmitFeedbackResponse again;
    auto c1 = ctx(kOperator);
    ASSERT_TRUE(
        m_experiments->SubmitFeedback(c1.get(), req, &again).ok()); // retry: no double count
    EXPECT_EQ(again.feedback_id(), resp.feedback_id());

    pb::SubmitFeedbackRequest rating;
    rating.set_experiment_id("exp-1");
    rating.set_subject_id("cmp-1");
    rating.set_request_id(requestId());
    rating.mutable_rating()->set_variant_id("concise");
    rating.mutable_rating()->set_score(5);
    auto c2 = ctx(kOperator);
    ASSERT_TRUE(m_experiments->SubmitFeedback(c2.get(), rating, &resp).ok());

    const auto after = results("exp-1");
    auto find = [](const pb::GetResultsResponse &r, const std::string &id) {
        for (const auto &v : r.results().variants()) {
            if (v.variant_id() == id)
                return v;
        }
        return pb::VariantResults();
    };
    EXPECT_EQ(find(after, "concise").preference_wins(),
              find(before, "concise").preference_wins() + 1);
    EXPECT_EQ(find(after, "control").preference_total(),
              find(before, "control").preference_total() + 1);
    EXPECT_EQ(find(after, "concise").rating_sum(), find(before, "concise").rating_sum() + 5);

    rating.set_request_id(requestId());
    rating.mutable_rating()->set_score(9);
    auto c3 = ctx(kOperator);
    const auto st = m_experiments->SubmitFeedback(c3.get(), rating, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("rating.score:", 0), 0u);
}

TEST_F(SimExperiments, RunningExperimentAccumulatesAndWatchStreamsResults)
{
    pb::WatchResultsRequest req;
    req.set_experiment_id("exp-1");
    req.mutable_interval()->set_nanos(100000000);
    auto c = ctx(kViewer, 15000);
    auto reader = m_experiments->WatchResults(c.get(), req);
    pb::WatchResultsResponse first, later;
    ASSERT_TRUE(reader->Read(&first));
    ASSERT_EQ(first.results().variants_size(), 3);
    auto exposures = [](const pb::WatchResultsResponse &r) {
        uint64_t n = 0;
        for (const auto &v : r.results().variants())
            n += v.exposures();
        return n;
    };
    bool grew = false;
    for (int i = 0; i < 50 && !grew; ++i) {
        ASSERT_TRUE(reader->Read(&later));
        grew = exposures(later) > exposures(first);
    }
    EXPECT_TRUE(grew);
    const auto &v = later.results().variants(0);
    EXPECT_EQ(v.exposures(), v.successes() + v.errors());
    EXPECT_EQ(v.latency().count(), v.successes());
    EXPECT_EQ(v.latency().scale(), 6);
    c->TryCancel();
    while (reader->Read(&later)) {
    }
    reader->Finish();

    // The stopped experiment's results are frozen.
    const auto a = results("exp-3");
    EXPECT_GT(a.results().variants(0).exposures(), 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto b = results("exp-3");
    EXPECT_EQ(a.results().variants(0).exposures(), b.results().variants(0).exposures());
}

} // namespace
