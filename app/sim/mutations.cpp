#include "sim/mutations.h"

#include <atomic>
#include <cstdint>

namespace sb::sim {

namespace {

std::atomic<uint64_t> g_on{0};

struct Named
{
    Mutation m;
    const char *name;
};

constexpr Named kNames[] = {
    {Mutation::IgnoreRoles, "ignore-roles"},
    {Mutation::StrictBearer, "strict-bearer"},
    {Mutation::LastWriteWins, "last-write-wins"},
    {Mutation::NoConflictTrailer, "no-conflict-trailer"},
    {Mutation::ForgetRequestIds, "forget-request-ids"},
    {Mutation::BareMessages, "bare-messages"},
    {Mutation::NotFoundAsInvalid, "not-found-as-invalid"},
    {Mutation::NoAutoRevert, "no-auto-revert"},
    {Mutation::ResumeSkipsBatch, "resume-skips-batch"},
    {Mutation::PagingOverlap, "paging-overlap"},
    {Mutation::ExperimentsById, "experiments-by-id"},
    {Mutation::SeedActorDrift, "seed-actor-drift"},
    {Mutation::TtftCountsFailures, "ttft-counts-failures"},
    {Mutation::NoopKeepsEtag, "noop-keeps-etag"},
    {Mutation::AcceptNoToken, "accept-no-token"},
    {Mutation::ReadsNeedOperator, "reads-need-operator"},
    {Mutation::TrailerOnStateChange, "trailer-on-state-change"},
    {Mutation::VersionsOldestFirst, "versions-oldest-first"},
    {Mutation::NoPageCap, "no-page-cap"},
    {Mutation::NoSnapshot, "no-snapshot"},
    {Mutation::TableUnordered, "table-unordered"},
    {Mutation::RevertSurvivesWrite, "revert-survives-write"},
    {Mutation::ResumeAheadAccepted, "resume-ahead-accepted"},
    {Mutation::RaggedColumns, "ragged-columns"},
    {Mutation::FeedbackOnStopped, "feedback-on-stopped"},
    {Mutation::TieCountsWin, "tie-counts-win"},
    {Mutation::DeltaIndexFromOne, "delta-index-from-one"},
    {Mutation::TinyResultsInterval, "tiny-results-interval"},
    {Mutation::NoLabelEvents, "no-label-events"},
    {Mutation::HealthNotServing, "health-not-serving"},
};

uint64_t bit(Mutation m)
{
    return uint64_t(1) << unsigned(m);
}

} // namespace

bool mutated(Mutation m)
{
    return (g_on.load(std::memory_order_relaxed) & bit(m)) != 0;
}

void setMutations(const std::vector<Mutation> &on)
{
    uint64_t v = 0;
    for (Mutation m : on)
        v |= bit(m);
    g_on.store(v);
}

bool mutationFromName(const std::string &name, Mutation *out)
{
    for (const auto &n : kNames) {
        if (name == n.name) {
            *out = n.m;
            return true;
        }
    }
    return false;
}

const char *mutationName(Mutation m)
{
    for (const auto &n : kNames) {
        if (n.m == m)
            return n.name;
    }
    return "?";
}

std::vector<Mutation> allMutations()
{
    std::vector<Mutation> out;
    for (const auto &n : kNames)
        out.push_back(n.m);
    return out;
}

} // namespace sb::sim
