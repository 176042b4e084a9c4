// common.proto, "Etags and conflicts": a stale etag fails with
// FAILED_PRECONDITION and the Conflict trailer; racing writers have exactly one
// winner per etag and lose no update; the two kinds of FAILED_PRECONDITION; who
// `updated_by` names; no-op writes.

#include "conformance/kit.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace sb::conformance {

namespace {

void staleEtagConflict(Kit &kit)
{
    const pb::Prompt before = kit.ownPrompt();
    pb::CreatePromptVersionResponse won;
    auto c1 = kit.ctx(As::Operator);
    expectOk(
        kit.prompts().CreatePromptVersion(c1.get(), kit.newVersion(before, "moves the etag"), &won),
        "CreatePromptVersion at the current etag");
    require(won.prompt().etag() != before.etag(), "a write changes the etag");
    pb::CreatePromptVersionResponse lost;
    auto c2 = kit.ctx(As::Operator);
    const auto st =
        kit.prompts().CreatePromptVersion(c2.get(), kit.newVersion(before, "stale"), &lost);
    expectError(st, grpc::StatusCode::FAILED_PRECONDITION, "expected_etag",
                "CreatePromptVersion at a stale etag");
    pb::Conflict conflict;
    require(conflictOf(*c2, &conflict),
            "a stale-etag FAILED_PRECONDITION carries the `switchboard-conflict-bin` trailer");
    require(conflict.current_etag() == won.prompt().etag(),
            "Conflict.current_etag is the etag the server has now");
    require(conflict.has_prompt() && conflict.prompt().etag() == won.prompt().etag() &&
                conflict.prompt().latest_version() == won.prompt().latest_version(),
            "Conflict.prompt is the prompt as it is now");
    require(kit.currentPrompt(before.name()).latest_version() == won.prompt().latest_version(),
            "the stale write changed nothing");
}

// Rounds of `writers` concurrent CreatePromptVersion calls at one etag.
void racePrompts(Kit &kit)
{
    const int rounds = kit.options().rounds;
    const int writers = std::max(2, kit.options().writers);
    pb::Prompt p = kit.ownPrompt();
    const uint32_t startVersion = p.latest_version();
    uint32_t applied = 0;
    for (int round = 0; round < rounds; ++round) {
        struct Outcome
        {
            grpc::Status status;
            pb::CreatePromptVersionResponse resp;
            pb::Conflict conflict;
            bool hasConflict = false;
        };
        std::vector<Outcome> outcomes(static_cast<size_t>(writers));
        std::vector<pb::CreatePromptVersionRequest> reqs;
        for (int w = 0; w < writers; ++w)
            reqs.push_back(kit.newVersion(p, "race " + std::to_string(round) + " writer " +
                                                 std::to_string(w)));
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) {
            threads.emplace_back([&, w] {
                auto c = kit.ctx(As::Operator);
                ++ready;
                while (ready.load() < writers)
                    std::this_thread::yield();
                Outcome &o = outcomes[size_t(w)];
                o.status = kit.prompts().CreatePromptVersion(c.get(), reqs[size_t(w)], &o.resp);
                o.hasConflict = conflictOf(*c, &o.conflict);
            });
        }
        for (auto &t : threads)
            t.join();
        int winners = 0;
        const Outcome *winner = nullptr;
        const Outcome *loser = nullptr;
        int loserIndex = -1;
        for (int w = 0; w < writers; ++w) {
            const Outcome &o = outcomes[size_t(w)];
            if (o.status.ok()) {
                ++winners;
                winner = &o;
            } else {
                expectError(o.status, grpc::StatusCode::FAILED_PRECONDITION, "expected_etag",
                            "round " + std::to_string(round) + ": a losing writer");
                require(o.hasConflict,
                        "round " + std::to_string(round) + ": the loser gets the Conflict trailer");
                loser = &o;
                loserIndex = w;
            }
        }
        require(winners == 1, "round " + std::to_string(round) + ": exactly one of " +
                                  std::to_string(writers) + " writers at one etag wins, got " +
                                  std::to_string(winners));
        ++applied;
        require(loser->conflict.current_etag() == winner->resp.prompt().etag(),
                "round " + std::to_string(round) +
                    ": the loser's Conflict holds the winner's etag");
        // The loser re-reads (from the trailer) and retries: that must succeed.
        auto retry = reqs[size_t(loserIndex)];
        retry.set_expected_etag(loser->conflict.current_etag());
        retry.set_request_id(kit.requestId());
        pb::CreatePromptVersionResponse after;
        auto c = kit.ctx(As::Operator);
        expectOk(kit.prompts().CreatePromptVersion(c.get(), retry, &after),
                 "round " + std::to_string(round) + ": the loser's retry at the current etag");
        ++applied;
        p = after.prompt();
    }
    const pb::Prompt end = kit.currentPrompt(p.name());
    require(end.latest_version() == startVersion + applied,
            "zero lost updates: " + std::to_string(applied) + " successful writes, versions went " +
                std::to_string(startVersion) + " -> " + std::to_string(end.latest_version()));
}

// Rounds of two concurrent SetFallbackEnabled calls at one route etag.
void raceRouting(Kit &kit)
{
    const auto t = kit.table();
    const pb::Route *route = nullptr;
    for (const auto &r : t.routes()) {
        if (!route && r.fallbacks_size() > 0 && r.fallbacks(0).enabled())
            route = &r;
    }
    if (!route)
        throw NotApplicable("no route with an enabled fallback step");
    const std::string name = route->name();
    const std::string model = route->fallbacks(0).model();
    std::string etag = route->etag();
    bool enabled = true;
    const int rounds = std::min(kit.options().rounds, 20);
    for (int round = 0; round < rounds; ++round) {
        grpc::Status st[2];
        pb::SetFallbackEnabledResponse resp[2];
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        std::vector<pb::SetFallbackEnabledRequest> reqs(2);
        for (auto &q : reqs) {
            q.set_route(name);
            q.set_model(model);
            q.set_enabled(!enabled);
            q.set_reason("switchboard-conformance: racing writers");
            q.set_expected_etag(etag);
            q.set_request_id(kit.requestId());
        }
        for (int w = 0; w < 2; ++w) {
            threads.emplace_back([&, w] {
                auto c = kit.ctx(As::Operator);
                ++ready;
                while (ready.load() < 2)
                    std::this_thread::yield();
                st[w] = kit.routing().SetFallbackEnabled(c.get(), reqs[size_t(w)], &resp[w]);
            });
        }
        for (auto &th : threads)
            th.join();
        const int winners = int(st[0].ok()) + int(st[1].ok());
        require(winners == 1, "round " + std::to_string(round) +
                                  ": exactly one of two route writers wins, got " +
                                  std::to_string(winners));
        etag = (st[0].ok() ? resp[0] : resp[1]).route().etag();
        enabled = !enabled;
    }
    if (!enabled) {
        pb::SetFallbackEnabledRequest q;
        q.set_route(name);
        q.set_model(model);
        q.set_enabled(true);
        q.set_reason("switchboard-conformance: restore");
        q.set_expected_etag(etag);
        q.set_request_id(kit.requestId());
        pb::SetFallbackEnabledResponse r;
        auto c = kit.ctx(As::Operator);
        expectOk(kit.routing().SetFallbackEnabled(c.get(), q, &r), "restoring the fallback step");
    }
}

// A disallowed state change is FAILED_PRECONDITION *without* the trailer, its
// message naming the field; only stale etags carry a Conflict.
void twoKindsOfPrecondition(Kit &kit)
{
    const pb::Experiment e = kit.ownDraftExperiment();
    pb::UpdateExperimentRequest req;
    *req.mutable_experiment() = e;
    req.mutable_experiment()->set_state(pb::EXPERIMENT_STATE_PAUSED);
    req.mutable_update_mask()->add_paths("state");
    req.set_expected_etag(e.etag());
    req.set_reason("conformance: DRAFT -> PAUSED is not allowed");
    req.set_request_id(kit.requestId());
    pb::UpdateExperimentResponse resp;
    auto c = kit.ctx(As::Operator);
    const auto st = kit.experiments().UpdateExperiment(c.get(), req, &resp);
    expectError(st, grpc::StatusCode::FAILED_PRECONDITION, "experiment.state",
                "UpdateExperiment DRAFT -> PAUSED");
    pb::Conflict conflict;
    require(!conflictOf(*c, &conflict),
            "a disallowed state change must not carry the Conflict trailer (only stale etags do)");
}

// Conflict.updated_by and the objects' updated_by: the actor of the latest
// audit event that changed the object (circuit and drill events do not).
void updatedByMatchesAudit(Kit &kit)
{
    std::map<std::string, std::string> lastChange; // target -> actor
    std::string token;
    int pages = 0;
    std::vector<pb::AuditEvent> events;
    do {
        pb::ListAuditEventsRequest req;
        req.set_page_size(1000);
        req.set_page_token(token);
        pb::ListAuditEventsResponse resp;
        auto c = kit.ctx(As::Viewer);
        expectOk(kit.routing().ListAuditEvents(c.get(), req, &resp), "ListAuditEvents");
        for (const auto &ev : resp.events())
            events.push_back(ev);
        token = resp.next_page_token();
    } while (!token.empty() && ++pages < 50);
    // Newest first: the first change seen for a target is its latest.
    for (const auto &ev : events) {
        const std::string &a = ev.action();
        const bool change =
            a.rfind("model.", 0) == 0 || a.rfind("fallback.", 0) == 0 || a.rfind("route.", 0) == 0;
        if (change && !lastChange.count(ev.target()))
            lastChange[ev.target()] = ev.actor();
    }
    const auto t = kit.table();
    for (const auto &m : t.models()) {
        const std::string target = "model/" + m.name();
        const std::string want = lastChange.count(target) ? lastChange[target] : "seed";
        require(m.updated_by() == want,
                "model " + m.name() + ": updated_by is \"" + m.updated_by() +
                    "\" but its latest audited change is " +
                    (lastChange.count(target) ? "by \"" + want + "\"" : "none (so `seed`)"));
    }
    for (const auto &r : t.routes()) {
        const std::string target = "route/" + r.name();
        if (!lastChange.count(target))
            continue;
        require(r.updated_by() == lastChange[target],
                "route " + r.name() + ": updated_by is \"" + r.updated_by() +
                    "\" but its latest audited change is by \"" + lastChange[target] + "\"");
    }
}

} // namespace

void addEtagChecks(std::vector<Check> &out)
{
    out.push_back({"etag.stale_conflict",
                   "a stale expected_etag fails with FAILED_PRECONDITION, `expected_etag: ...` and "
                   "the Conflict trailer holding the current object; nothing changes",
                   false, staleEtagConflict});
    out.push_back({"etag.race_prompts",
                   "concurrent writers at one etag: exactly one winner per round, the losers get "
                   "the winner's etag, the retry at it succeeds, zero lost updates",
                   false, racePrompts});
    out.push_back({"etag.race_routing",
                   "two concurrent route writers at one etag: exactly one winner per round", true,
                   raceRouting});
    out.push_back({"etag.precondition_kinds",
                   "a disallowed state change is FAILED_PRECONDITION without a Conflict trailer, "
                   "its message starting with the field path",
                   false, twoKindsOfPrecondition});
    out.push_back({"etag.updated_by",
                   "a model's or route's updated_by is the actor of its latest audited change "
                   "(`seed` if none; circuit and drill events do not count)",
                   false, updatedByMatchesAudit});
}

} // namespace sb::conformance
