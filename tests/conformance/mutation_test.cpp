// Each check of the kit can fail: for every deliberately broken sim mode
// (app/sim/mutations.h, one contract rule each), a real SimServer on
// 127.0.0.1:0 runs with that rule broken, the kit runs the checks that guard
// the rule, and every one of them must fail. The conforming sim passing the
// whole kit is the ctest `conformance.kit_vs_sim` (the executable against the
// switchboard-sim process).

#include "conformance/kit.h"
#include "sim/mutations.h"
#include "sim/sim_server.h"

#include <gtest/gtest.h>
#include <map>

namespace {

namespace kit = sb::conformance;
using sb::sim::Mutation;

struct Case
{
    Mutation mutation;
    std::vector<std::string> failing; // checks that must fail
};

const std::vector<Case> &cases()
{
    static const std::vector<Case> all = {
        {Mutation::IgnoreRoles,
         {"auth.viewer_writes_denied", "auth.compare_operator", "auth.production_admin"}},
        {Mutation::StrictBearer, {"auth.parsing"}},
        {Mutation::LastWriteWins,
         {"etag.stale_conflict", "etag.race_prompts", "etag.race_routing"}},
        {Mutation::NoConflictTrailer, {"etag.stale_conflict", "etag.race_prompts"}},
        {Mutation::ForgetRequestIds,
         {"idempotency.retry", "idempotency.reuse", "idempotency.feedback_once"}},
        {Mutation::BareMessages,
         {"errors.field_paths", "lists.malformed_token", "idempotency.empty_id"}},
        {Mutation::NotFoundAsInvalid, {"errors.not_found_vs_invalid"}},
        {Mutation::NoAutoRevert, {"routing.auto_revert_fallback", "routing.auto_revert_model"}},
        {Mutation::ResumeSkipsBatch, {"telemetry.resume"}},
        {Mutation::PagingOverlap, {"lists.audit_newest_first", "lists.prompts_by_name"}},
        {Mutation::ExperimentsById, {"lists.experiments_newest_first"}},
        {Mutation::SeedActorDrift, {"etag.updated_by"}},
        {Mutation::TtftCountsFailures, {"telemetry.sketch_counts"}},
        {Mutation::NoopKeepsEtag, {"routing.noop_write"}},
        {Mutation::AcceptNoToken, {"auth.no_token"}},
        {Mutation::ReadsNeedOperator, {"auth.viewer_reads"}},
        {Mutation::TrailerOnStateChange, {"etag.precondition_kinds"}},
        {Mutation::VersionsOldestFirst, {"lists.versions_newest_first"}},
        {Mutation::NoPageCap, {"lists.page_size"}},
        {Mutation::NoSnapshot, {"routing.watch_snapshot", "auth.viewer_reads"}},
        {Mutation::TableUnordered, {"routing.table_order"}},
        {Mutation::RevertSurvivesWrite, {"routing.later_write_replaces_revert"}},
        {Mutation::ResumeAheadAccepted, {"telemetry.resume_edges"}},
        {Mutation::RaggedColumns, {"telemetry.batches"}},
        {Mutation::FeedbackOnStopped, {"experiments.lifecycle"}},
        {Mutation::TieCountsWin, {"experiments.feedback_tie"}},
        {Mutation::DeltaIndexFromOne, {"experiments.compare_stream"}},
        {Mutation::TinyResultsInterval, {"experiments.watch_results"}},
        {Mutation::NoLabelEvents, {"prompts.watch"}},
        {Mutation::HealthNotServing, {"auth.health_open"}},
    };
    return all;
}

// For test names and failure output: the mutation's name, not the bytes.
void PrintTo(const Case &c, std::ostream *os)
{
    *os << sb::sim::mutationName(c.mutation);
}

class BrokenSim : public ::testing::TestWithParam<Case>
{
protected:
    void TearDown() override { sb::sim::setMutations({}); }
};

TEST_P(BrokenSim, ItsChecksFail)
{
    const Case &c = GetParam();
    sb::sim::setMutations({c.mutation});
    sb::sim::SimOptions so;
    so.timeScale = 0.05;
    so.tokens["adm"] = {sb::sim::Role::Admin, "adam"};
    so.tokens["op"] = {sb::sim::Role::Operator, "olga"};
    so.tokens["view"] = {sb::sim::Role::Viewer, "vera"};
    sb::sim::SimServer server(so);
    std::string error;
    ASSERT_TRUE(server.start(&error)) << error;

    kit::Options o;
    o.target = server.address();
    o.adminToken = "adm";
    o.operatorToken = "op";
    o.viewerToken = "view";
    o.destructive = true;
    o.only = c.failing;
    o.rounds = 10;
    o.timeLimitS = 60;
    kit::Kit k(o);
    const auto results = kit::runChecks(k, kit::allChecks());
    std::map<std::string, kit::Result> byId;
    for (const auto &r : results)
        byId[r.id] = r;
    for (const auto &id : c.failing) {
        ASSERT_TRUE(byId.count(id)) << id << " did not run";
        EXPECT_EQ(byId[id].outcome, kit::Outcome::Fail)
            << sb::sim::mutationName(c.mutation) << " should fail " << id << "; it "
            << (byId[id].outcome == kit::Outcome::Pass ? "passed" : "was skipped: ")
            << byId[id].message;
        if (byId[id].outcome == kit::Outcome::Fail)
            std::cout << "[" << sb::sim::mutationName(c.mutation) << "] " << id << ": "
                      << byId[id].message << "\n";
    }
}

// Every mutation has a case, so a new broken mode cannot go untested.
TEST(BrokenSimCases, CoverEveryMutation)
{
    EXPECT_EQ(cases().size(), sb::sim::allMutations().size());
}

// Every check a case names exists (a renamed check must not silently drop out).
TEST(BrokenSimCases, NameRealChecks)
{
    std::map<std::string, bool> ids;
    for (const auto &c : kit::allChecks())
        ids[c.id] = true;
    for (const auto &c : cases()) {
        for (const auto &id : c.failing)
            EXPECT_TRUE(ids.count(id)) << id;
    }
}

std::string caseName(const ::testing::TestParamInfo<Case> &info)
{
    std::string n = sb::sim::mutationName(info.param.mutation);
    for (char &ch : n) {
        if (ch == '-')
            ch = '_';
    }
    return n;
}

INSTANTIATE_TEST_SUITE_P(Mutations, BrokenSim, ::testing::ValuesIn(cases()), caseName);

} // namespace
