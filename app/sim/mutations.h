#pragma once

// Deliberately broken behaviours of the sim, one contract rule each, so the
// conformance kit can be shown to catch every rule it checks (tests/conformance
// turns one on, runs the kit and expects the matching checks to fail). Off
// unless a test sets them before starting a SimServer; the switchboard-sim
// executable never turns any on. Process-wide, read lock-free on hot paths.

#include <string>
#include <vector>

namespace sb::sim {

enum class Mutation
{
    IgnoreRoles,          // an operator-only write succeeds for a viewer
    StrictBearer,         // `bearer <token>` (lower-case scheme) is refused
    LastWriteWins,        // expected_etag is not compared: stale writes succeed
    NoConflictTrailer,    // a stale etag fails without `switchboard-conflict-bin`
    ForgetRequestIds,     // a retried request id is applied again
    BareMessages,         // INVALID_ARGUMENT messages lose their field path
    NotFoundAsInvalid,    // NOT_FOUND is sent as INVALID_ARGUMENT
    NoAutoRevert,         // revert_after is accepted but never carried out
    ResumeSkipsBatch,     // a resumed latency stream skips the first batch due
    PagingOverlap,        // next_page_token repeats the last item of the page
    ExperimentsById,      // ListExperiments orders by creation counter, not create_time
    SeedActorDrift,       // seeded objects say `seed` though their audit says otherwise
    TtftCountsFailures,   // failed requests are counted in WindowSketch TTFT sketches
    NoopKeepsEtag,        // a write that changes nothing keeps the etag (contract: new etag)
    AcceptNoToken,        // a call without a token is served as admin
    ReadsNeedOperator,    // reads and watches need operator (viewer is refused)
    TrailerOnStateChange, // a refused state move carries a Conflict trailer
    VersionsOldestFirst,  // ListPromptVersions lists oldest first
    NoPageCap,            // page_size 0 means everything instead of 100
    NoSnapshot,           // WatchRouting starts without its SNAPSHOT
    TableUnordered,       // GetRoutingTable lists routes in reverse name order
    RevertSurvivesWrite,  // a later write leaves the pending auto-revert in place
    ResumeAheadAccepted,  // a resume point ahead of the stream starts live instead of failing
    RaggedColumns,        // a batch's ttft_ms column is one short
    FeedbackOnStopped,    // feedback on a STOPPED experiment is accepted
    TieCountsWin,         // a tie counts as a win for the preferred variant
    DeltaIndexFromOne,    // Compare deltas are indexed from 1
    TinyResultsInterval,  // WatchResults accepts an interval under 100 ms
    NoLabelEvents,        // MoveLabel publishes no LABEL_MOVED event
    HealthNotServing,     // grpc.health.v1 reports NOT_SERVING
};

bool mutated(Mutation m);
void setMutations(const std::vector<Mutation> &on); // replaces the set; empty = conforming
// Names as used by tests: kebab-case of the enum (e.g. "last-write-wins").
bool mutationFromName(const std::string &name, Mutation *out);
const char *mutationName(Mutation m);
std::vector<Mutation> allMutations();

} // namespace sb::sim
