#pragma once

// The sim's in-memory world, guarded by one mutex: the fleet (models with
// their latency profiles and circuit breakers, routes with fallback chains),
// prompts, experiments with their accumulated results, drills, the audit log
// and the idempotency cache. Services lock `mutex`, read or change the state
// and publish events while still holding it, so a watcher that takes a
// snapshot under the same lock never misses or repeats an event.

#include "core/latency_sketch.h"
#include "sim/sim_server.h"
#include "sim/streams.h"
#include "sim/telemetry.h"
#include "sim/util.h"
#include "switchboard/sim/v1/drill_service.pb.h"
#include "switchboard/v1/experiment_service.pb.h"
#include "switchboard/v1/prompt_service.pb.h"
#include "switchboard/v1/routing_service.pb.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sb::sim {

namespace pb = switchboard::v1;

// Counts per one-second slot over the last minute.
struct Window60
{
    int64_t sec[60] = {};
    uint32_t count[60] = {};
    void add(int64_t nowSec, uint32_t n = 1);
    uint64_t sum(int64_t nowSec, int span = 60) const;
};

struct ModelProfile
{
    double medianMs = 800;
    double sigma = 0.45;    // lognormal body
    double tailProb = 0.02; // share of requests from the Pareto tail
    double tailAlpha = 1.8; // Pareto shape; lower is heavier
    double ttftMedianMs = 250;
    double tokenMs = 20; // per output token, for Compare streaming
    double errorRate = 0.005;
    double inTokensMean = 600;
    double outTokensMean = 220;
    bool producesTokens = true;
};

struct ModelRec
{
    pb::Model model; // static and operator-controlled fields; the rest is filled on read
    ModelProfile profile;
    uint32_t dictId = 0;
    std::string updatedBy = "seed"; // who changed `enabled` last
    int64_t updateUs = 0;           // when
    int64_t revertAtUs = 0;         // 0: no pending auto-revert
    bool revertTo = true;           // the value an auto-revert restores
    // Circuit breaker.
    pb::CircuitState circuit = pb::CIRCUIT_STATE_CLOSED;
    int64_t cooldownUntilUs = 0;
    uint32_t probeOk = 0;
    uint32_t probeFail = 0;
    Window60 requests;
    Window60 errors;
    // Drill effects, recomputed each tick.
    bool outage = false;
    double drillErrorRate = 0;
    double latencyFactor = 1;
};

// Requests of one route served by one model for one reason (one entry of
// Route.recently_served). Found per sample by comparing pointers and ids, so
// the traffic generator does no string work.
struct ServedSlot
{
    const ModelRec *model = nullptr;
    pb::ServedReason reason = pb::SERVED_REASON_UNSPECIFIED;
    uint32_t variantDictId = 0;      // VARIANT: the variant's telemetry id
    const ModelRec *after = nullptr; // FALLBACK: the model tried just before
    std::string experimentId;        // VARIANT, copied once when the slot is made
    std::string variantId;           // VARIANT
    Window60 count;
};

struct RouteRec
{
    pb::Route route; // without recently_served and updated_by, filled on read
    uint32_t dictId = 0;
    double trafficShare = 0.25;
    std::string updatedBy = "seed";
    std::vector<int64_t> stepRevertAtUs; // parallel to route.fallbacks(); 0: none
    std::vector<char> stepRevertTo;      // the value an auto-revert restores
    int64_t bypassRevertAtUs = 0;        // 0: no pending auto-revert of primary_bypassed
    bool bypassRevertTo = false;
    Window60 requests;              // every request of the route, failed ones included
    std::vector<ServedSlot> served; // idle slots are pruned once a second
};

struct PromptRec
{
    pb::Prompt prompt;
    std::vector<pb::PromptVersion> versions; // index = version - 1
    std::string updatedBy = "seed";
};

struct VariantStats
{
    uint64_t exposures = 0;
    uint64_t successes = 0;
    uint64_t errors = 0;
    LatencySketch latency;
    LatencySketch ttft;
    double cost = 0;
    uint64_t preferenceWins = 0;
    uint64_t preferenceTotal = 0;
    uint64_t ratingCount = 0;
    uint64_t ratingSum = 0;
    uint64_t hallucinations = 0;
    uint32_t dictId = 0;
    // Per-variant quality knobs so that experiments have a winner.
    double latencyFactor = 1;
    double errorFactor = 1;
    // Chance that a served answer still fails the service's own check (a
    // malformed extraction, a refused summary): the variant's true failure
    // rate on top of model errors, which fallbacks hide.
    double failRate = 0;
};

struct ExperimentRec
{
    pb::Experiment experiment;
    uint64_t order = 0; // creation order; lists are newest first
    std::map<std::string, VariantStats> stats;
    std::string updatedBy = "seed";
};

struct DrillRec
{
    switchboard::sim::v1::Drill drill;
    int64_t endUs = 0;
};

struct SimState
{
    explicit SimState(SimOptions options);

    std::mutex mutex;
    const SimOptions options;
    Telemetry telemetry;

    std::map<std::string, PromptRec> prompts;
    std::map<std::string, ExperimentRec> experiments;
    std::map<std::string, RouteRec> routes;
    std::map<std::string, ModelRec> models;
    std::vector<pb::AuditEvent> audit; // oldest first
    std::map<std::string, DrillRec> drills;
    IdempotencyCache idempotency;

    uint64_t etagCounter = 0;
    uint64_t experimentCounter = 0;
    uint64_t auditCounter = 0;
    uint64_t drillCounter = 0;
    uint64_t feedbackCounter = 0;
    int64_t servedPrunedSec = 0;
    Rng trafficRng;

    EventHub<pb::WatchPromptsResponse> promptEvents;
    EventHub<pb::WatchRoutingResponse> routingEvents;
    PokeList clockSubscribers; // Compare and WatchResults streams

    std::string newEtag();
    pb::AuditEvent *addAudit(int64_t nowUs, const std::string &actor, const std::string &role,
                             const std::string &action, const std::string &target,
                             const std::string &oldValue, const std::string &newValue,
                             const std::string &reason, const std::string &requestId);
    // Who changed a target last (latest audit event), for Conflict.updated_by.
    std::string lastActor(const std::string &target) const;

    void fillModel(const ModelRec &rec, pb::Model *out, int64_t nowUs) const;
    void fillRoute(const RouteRec &rec, pb::Route *out, int64_t nowUs) const;
    void fillRoutingSnapshot(pb::WatchRoutingResponse *out, int64_t nowUs) const;
    void fillResults(const ExperimentRec &rec, pb::ExperimentResults *out, int64_t nowUs) const;
    // The prompt version a variant resolves to, or null.
    const pb::PromptVersion *resolveVersion(const std::string &prompt, uint32_t version) const;
    // Recomputes drill effects on models and ends expired drills.
    void applyDrills(int64_t nowUs);
    // Performs due auto-reverts.
    void runReverts(int64_t nowUs);
    // Whether some enabled fallback step of the route, on an enabled model
    // other than the primary, could take its traffic (ignoring `skipStep`, an
    // index into the route's fallbacks, when >= 0).
    bool hasUsableFallback(const RouteRec &route, int skipStep = -1) const;
    // Moves circuit breakers along; emits events and audit on changes.
    void updateBreakers(int64_t nowUs);
    void publishCircuitChange(const ModelRec &rec, int64_t nowUs, const std::string &from);
    // Publishes a routing event of `kind` for one changed route or model,
    // carrying the audit event that records the change.
    void publishRoutingChange(pb::RoutingEventKind kind, const pb::Route &route,
                              const pb::AuditEvent &audit, int64_t nowUs);
    void publishRoutingChange(pb::RoutingEventKind kind, const pb::Model &model,
                              const pb::AuditEvent &audit, int64_t nowUs);
};

// FAILED_PRECONDITION for a stale expected_etag, with the current object in
// the `switchboard-conflict-bin` trailer.
grpc::Status conflictStatus(grpc::CallbackServerContext *ctx, const pb::Conflict &conflict,
                            const std::string &what);
// Checks a prompt version's or variant's model parameters; `path` prefixes the
// field names in the message (e.g. "variants[0].parameters").
grpc::Status validateParameters(const pb::ModelParameters &p, const std::string &path);
// Parses a decimal position from a page token.
bool parseNumberToken(const std::string &token, uint64_t *out);

void toProtoSketch(const LatencySketch &in, pb::LatencySketch *out);
const char *stateName(pb::ExperimentState s);

// Creates missing per-variant stats (quality knobs, dictionary ids).
void prepareVariantStats(SimState &state, ExperimentRec &rec);
// Seeds fleet, prompts, experiments and audit history from options.seed.
void seedState(SimState &state, int64_t nowUs);
// Serves `requests` simulated requests of experiment `rec` along `route`'s
// chain into its variants' stats (the seed's frozen results), drawing from rng.
// `splitSkew` moves that share of the users assigned to a variant other than
// the first onto the first, a broken assignment for the split check to find.
void simulateResults(SimState &state, ExperimentRec &rec, RouteRec &route, int requests, Rng &rng,
                     double splitSkew = 0);
// Generates n samples spread over [startUs, endUs), honouring routing,
// breakers, drills and running experiments. Call with state.mutex held.
std::shared_ptr<Batch> generateBatch(SimState &state, size_t n, int64_t startUs, int64_t endUs);

std::unique_ptr<grpc::Service> makePromptService(SimState &state);
std::unique_ptr<grpc::Service> makeExperimentService(SimState &state);
std::unique_ptr<grpc::Service> makeRoutingService(SimState &state);
std::unique_ptr<grpc::Service> makeDrillService(SimState &state);

} // namespace sb::sim
