// ExperimentService: experiments, side-by-side comparisons streamed token by
// token, human feedback and per-variant results.

#include "sim/compare_plan.h"
#include "sim/mutations.h"
#include "sim/state.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace sb::sim {

namespace {

bool validMetric(int m)
{
    return m > pb::METRIC_UNSPECIFIED && pb::Metric_IsValid(m);
}

std::string weights(const pb::Experiment &e)
{
    std::string s;
    for (const auto &v : e.variants())
        s += (s.empty() ? "" : "/") + std::to_string(v.weight());
    return s;
}

bool legalMove(pb::ExperimentState from, pb::ExperimentState to)
{
    using S = pb::ExperimentState;
    if (from == to)
        return true;
    switch (from) {
    case S::EXPERIMENT_STATE_DRAFT:
        return to == S::EXPERIMENT_STATE_RUNNING;
    case S::EXPERIMENT_STATE_RUNNING:
        return to == S::EXPERIMENT_STATE_PAUSED || to == S::EXPERIMENT_STATE_STOPPED;
    case S::EXPERIMENT_STATE_PAUSED:
        return to == S::EXPERIMENT_STATE_RUNNING || to == S::EXPERIMENT_STATE_STOPPED;
    default:
        return false;
    }
}

bool sameExceptWeight(const pb::Variant &a, const pb::Variant &b)
{
    pb::Variant x = a;
    pb::Variant y = b;
    x.set_weight(0);
    y.set_weight(0);
    x.set_name("");
    y.set_name("");
    return x.SerializeAsString() == y.SerializeAsString();
}

class ResultsWriter final : public StreamWriter<pb::WatchResultsResponse>
{
public:
    ResultsWriter(SimState &state, std::string id, int64_t intervalUs)
        : m_state(state), m_id(std::move(id)), m_intervalUs(intervalUs)
    {}

protected:
    bool produceLocked(pb::WatchResultsResponse *out, int64_t nowUs) override
    {
        if (nowUs < m_nextUs)
            return false;
        out->Clear();
        {
            std::lock_guard lock(m_state.mutex);
            auto it = m_state.experiments.find(m_id);
            if (it == m_state.experiments.end()) {
                finishLocked(notFound("experiment_id: experiment " + quoted(m_id) + " not found"));
                return false;
            }
            m_state.fillResults(it->second, out->mutable_results(), nowUs);
        }
        m_nextUs = nowUs + m_intervalUs;
        return true;
    }

private:
    SimState &m_state;
    std::string m_id;
    int64_t m_intervalUs;
    int64_t m_nextUs = 0;
};

// A position in ListExperiments' order: (create_time in micros, creation
// order). ExperimentsById (a mutation) drops the time, the old behaviour.
using Cursor = std::pair<int64_t, uint64_t>;

Cursor cursorOf(const ExperimentRec &rec)
{
    if (mutated(Mutation::ExperimentsById))
        return {0, rec.order};
    return {fromTimestamp(rec.experiment.create_time()), rec.order};
}

bool parseCursor(const std::string &token, Cursor *out)
{
    std::string pos;
    if (!parsePageToken(token, &pos))
        return false;
    const size_t dot = pos.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == pos.size() || pos.size() > 41)
        return false;
    for (size_t i = 0; i < pos.size(); ++i) {
        if (i != dot && (pos[i] < '0' || pos[i] > '9') && !(i == 0 && pos[i] == '-'))
            return false;
    }
    out->first = std::stoll(pos.substr(0, dot));
    out->second = std::stoull(pos.substr(dot + 1));
    return true;
}

class ExperimentServiceImpl final : public pb::ExperimentService::CallbackService
{
public:
    explicit ExperimentServiceImpl(SimState &state) : m_state(state) {}

    grpc::ServerUnaryReactor *ListExperiments(grpc::CallbackServerContext *ctx,
                                              const pb::ListExperimentsRequest *req,
                                              pb::ListExperimentsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        // Newest first by create_time, ties by creation order; the cursor is
        // the (create_time, order) of the last experiment sent.
        Cursor below;
        if (!req->page_token().empty() && !parseCursor(req->page_token(), &below))
            return reply(ctx, invalid("page_token: malformed"));
        std::set<int> states;
        for (int i = 0; i < req->states_size(); ++i) {
            if (req->states(i) == pb::EXPERIMENT_STATE_UNSPECIFIED)
                return reply(ctx, invalid("states[" + std::to_string(i) + "]: must be set"));
            states.insert(req->states(i));
        }
        const uint32_t size = pageSize(req->page_size());
        std::lock_guard lock(m_state.mutex);
        std::vector<const ExperimentRec *> list;
        for (const auto &[id, rec] : m_state.experiments) {
            if (!req->page_token().empty() && !(cursorOf(rec) < below))
                continue;
            if (!states.empty() && !states.count(rec.experiment.state()))
                continue;
            list.push_back(&rec);
        }
        std::sort(list.begin(), list.end(), [](const ExperimentRec *a, const ExperimentRec *b) {
            return cursorOf(*b) < cursorOf(*a);
        });
        for (size_t i = 0; i < list.size(); ++i) {
            if (i == size) {
                const Cursor c = cursorOf(*list[i - 1]);
                resp->set_next_page_token(
                    makePageToken(std::to_string(c.first) + "." + std::to_string(c.second)));
                break;
            }
            *resp->add_experiments() = list[i]->experiment;
        }
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *GetExperiment(grpc::CallbackServerContext *ctx,
                                            const pb::GetExperimentRequest *req,
                                            pb::GetExperimentResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        if (req->id().empty())
            return reply(ctx, invalid("id: must not be empty"));
        std::lock_guard lock(m_state.mutex);
        auto it = m_state.experiments.find(req->id());
        if (it == m_state.experiments.end())
            return reply(ctx, notFound("id: experiment " + quoted(req->id()) + " not found"));
        *resp->mutable_experiment() = it->second.experiment;
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *CreateExperiment(grpc::CallbackServerContext *ctx,
                                               const pb::CreateExperimentRequest *req,
                                               pb::CreateExperimentResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        const pb::Experiment &e = req->experiment();
        if (!req->has_experiment())
            return reply(ctx, invalid("experiment: must be set"));
        if (e.name().empty() || e.name().size() > 200)
            return reply(ctx, invalid("experiment.name: must be 1..200 characters"));
        if (e.description().size() > 4000)
            return reply(ctx, invalid("experiment.description: must be at most 4000 characters"));
        if (e.route().empty())
            return reply(ctx, invalid("experiment.route: must not be empty"));
        if (!validMetric(e.primary_metric()))
            return reply(ctx, invalid("experiment.primary_metric: must be set"));
        for (int i = 0; i < e.guardrail_metrics_size(); ++i) {
            if (!validMetric(e.guardrail_metrics(i)))
                return reply(ctx, invalid("experiment.guardrail_metrics[" + std::to_string(i) +
                                          "]: must be a metric"));
        }
        if (req->request_id().empty())
            return reply(ctx, invalid("request_id: must not be empty"));
        static const std::string kMethod = "CreateExperiment";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        if (!m_state.routes.count(e.route()))
            return reply(ctx,
                         notFound("experiment.route: route " + quoted(e.route()) + " not found"));
        if (auto st = validateVariants(m_state, e.variants(), "experiment.variants", true);
            !st.ok())
            return reply(ctx, st);
        ExperimentRec rec;
        rec.order = ++m_state.experimentCounter;
        rec.experiment = e;
        pb::Experiment &x = rec.experiment;
        x.set_id("exp-" + std::to_string(rec.order));
        x.set_state(pb::EXPERIMENT_STATE_DRAFT);
        x.set_etag(m_state.newEtag());
        toTimestamp(now, x.mutable_create_time());
        toTimestamp(now, x.mutable_update_time());
        x.clear_start_time();
        rec.updatedBy = caller.subject;
        const std::string id = x.id();
        auto &stored = m_state.experiments[id] = std::move(rec);
        prepareVariantStats(m_state, stored);
        m_state.addAudit(now, caller.subject, roleName(caller.role), "experiment.create",
                         "experiment/" + id, "", "DRAFT " + quoted(e.name()), "",
                         req->request_id());
        *resp->mutable_experiment() = stored.experiment;
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *UpdateExperiment(grpc::CallbackServerContext *ctx,
                                               const pb::UpdateExperimentRequest *req,
                                               pb::UpdateExperimentResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        const pb::Experiment &e = req->experiment();
        if (e.id().empty())
            return reply(ctx, invalid("experiment.id: must not be empty"));
        if (req->update_mask().paths_size() == 0)
            return reply(ctx, invalid("update_mask: must name at least one field"));
        static const std::set<std::string> kPaths = {
            "name",           "description",       "state", "variants",
            "primary_metric", "guardrail_metrics", "route"};
        std::set<std::string> paths;
        for (int i = 0; i < req->update_mask().paths_size(); ++i) {
            const std::string &p = req->update_mask().paths(i);
            if (!kPaths.count(p))
                return reply(ctx, invalid("update_mask.paths[" + std::to_string(i) +
                                          "]: unknown or immutable field " + quoted(p)));
            paths.insert(p);
        }
        if (paths.count("state") && req->reason().empty())
            return reply(ctx, invalid("reason: required for state changes"));
        if (req->request_id().empty())
            return reply(ctx, invalid("request_id: must not be empty"));
        static const std::string kMethod = "UpdateExperiment";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.experiments.find(e.id());
        if (it == m_state.experiments.end())
            return reply(ctx,
                         notFound("experiment.id: experiment " + quoted(e.id()) + " not found"));
        ExperimentRec &rec = it->second;
        if (req->expected_etag() != rec.experiment.etag() && !mutated(Mutation::LastWriteWins)) {
            pb::Conflict c;
            c.set_current_etag(rec.experiment.etag());
            *c.mutable_experiment() = rec.experiment;
            *c.mutable_update_time() = rec.experiment.update_time();
            c.set_updated_by(rec.updatedBy);
            return reply(ctx, conflictStatus(ctx, c, "experiment " + quoted(e.id())));
        }
        // Validate everything against a copy; apply only if all of it holds.
        pb::Experiment next = rec.experiment;
        const pb::ExperimentState from = rec.experiment.state();
        std::string oldValue;
        std::string newValue;
        auto note = [&](const std::string &field, const std::string &o, const std::string &n) {
            oldValue += (oldValue.empty() ? "" : "; ") + field + " " + o;
            newValue += (newValue.empty() ? "" : "; ") + field + " " + n;
        };
        if (from == pb::EXPERIMENT_STATE_STOPPED) {
            for (const auto &p : paths) {
                if (p != "name" && p != "description")
                    return reply(ctx, failedPrecondition(
                                          "experiment." + p + ": experiment " + quoted(e.id()) +
                                          " is STOPPED, which is final; only name and "
                                          "description may change"));
            }
        }
        if (paths.count("name")) {
            if (e.name().empty() || e.name().size() > 200)
                return reply(ctx, invalid("experiment.name: must be 1..200 characters"));
            note("name", quoted(next.name()), quoted(e.name()));
            next.set_name(e.name());
        }
        if (paths.count("description")) {
            if (e.description().size() > 4000)
                return reply(ctx,
                             invalid("experiment.description: must be at most 4000 characters"));
            next.set_description(e.description());
            note("description", "(old)", "(new)");
        }
        if (paths.count("primary_metric")) {
            if (!validMetric(e.primary_metric()))
                return reply(ctx, invalid("experiment.primary_metric: must be set"));
            note("primary_metric", pb::Metric_Name(next.primary_metric()),
                 pb::Metric_Name(e.primary_metric()));
            next.set_primary_metric(e.primary_metric());
        }
        if (paths.count("guardrail_metrics")) {
            for (int i = 0; i < e.guardrail_metrics_size(); ++i) {
                if (!validMetric(e.guardrail_metrics(i)))
                    return reply(ctx, invalid("experiment.guardrail_metrics[" + std::to_string(i) +
                                              "]: must be a metric"));
            }
            *next.mutable_guardrail_metrics() = e.guardrail_metrics();
            note("guardrail_metrics", "(old)", "(new)");
        }
        if (paths.count("route")) {
            if (from != pb::EXPERIMENT_STATE_DRAFT && e.route() != next.route())
                return reply(ctx,
                             failedPrecondition("experiment.route: may only change while DRAFT"));
            if (!m_state.routes.count(e.route()))
                return reply(
                    ctx, notFound("experiment.route: route " + quoted(e.route()) + " not found"));
            note("route", next.route(), e.route());
            next.set_route(e.route());
        }
        if (paths.count("variants")) {
            if (auto st = validateVariants(m_state, e.variants(), "experiment.variants", true);
                !st.ok())
                return reply(ctx, st);
            if (from != pb::EXPERIMENT_STATE_DRAFT) {
                bool onlyWeights = e.variants_size() == next.variants_size();
                for (int i = 0; onlyWeights && i < e.variants_size(); ++i)
                    onlyWeights = sameExceptWeight(e.variants(i), next.variants(i));
                if (!onlyWeights)
                    return reply(ctx, failedPrecondition(
                                          "experiment.variants: only weights may change once the "
                                          "experiment has started"));
            }
            note("weights", weights(next), weights(e));
            *next.mutable_variants() = e.variants();
        }
        if (paths.count("state")) {
            const pb::ExperimentState to = e.state();
            if (to == pb::EXPERIMENT_STATE_UNSPECIFIED || !pb::ExperimentState_IsValid(to))
                return reply(ctx, invalid("experiment.state: must be set"));
            if (!legalMove(from, to)) {
                if (mutated(Mutation::TrailerOnStateChange)) {
                    pb::Conflict c;
                    c.set_current_etag(rec.experiment.etag());
                    *c.mutable_experiment() = rec.experiment;
                    ctx->AddTrailingMetadata("switchboard-conflict-bin", c.SerializeAsString());
                }
                return reply(ctx,
                             failedPrecondition(std::string("experiment.state: cannot move from ") +
                                                stateName(from) + " to " + stateName(to)));
            }
            if (to == pb::EXPERIMENT_STATE_RUNNING && from != to) {
                for (const auto &[id, other] : m_state.experiments) {
                    if (id != e.id() && other.experiment.state() == pb::EXPERIMENT_STATE_RUNNING &&
                        other.experiment.route() == next.route())
                        return reply(ctx, failedPrecondition("experiment.state: experiment " +
                                                             quoted(id) +
                                                             " is already running on route " +
                                                             quoted(next.route())));
                }
                if (!next.has_start_time())
                    toTimestamp(now, next.mutable_start_time());
            }
            note("state", stateName(from), stateName(to));
            next.set_state(to);
        }
        next.set_etag(m_state.newEtag());
        toTimestamp(now, next.mutable_update_time());
        rec.experiment = std::move(next);
        rec.updatedBy = caller.subject;
        if (rec.experiment.state() == pb::EXPERIMENT_STATE_DRAFT) {
            // A draft's variants may be replaced wholesale: forget stale ones.
            for (auto s = rec.stats.begin(); s != rec.stats.end();) {
                bool kept = false;
                for (const auto &v : rec.experiment.variants())
                    kept = kept || v.id() == s->first;
                s = kept ? std::next(s) : rec.stats.erase(s);
            }
        }
        prepareVariantStats(m_state, rec);
        m_state.addAudit(now, caller.subject, roleName(caller.role), "experiment.update",
                         "experiment/" + e.id(), oldValue, newValue, req->reason(),
                         req->request_id());
        *resp->mutable_experiment() = rec.experiment;
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerWriteReactor<pb::CompareResponse> *Compare(grpc::CallbackServerContext *ctx,
                                                           const pb::CompareRequest *req) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return failStream<pb::CompareResponse>(st);
        std::vector<ScheduledEvent> events;
        if (auto st = planCompare(m_state, *req, nowMicros(), &events); !st.ok())
            return failStream<pb::CompareResponse>(st);
        auto *w = new CompareWriter(std::move(events));
        PokeList &clock = m_state.clockSubscribers;
        w->setDetach([&clock, w] { clock.remove(w); });
        clock.add(w);
        w->begin();
        return w;
    }

    grpc::ServerUnaryReactor *SubmitFeedback(grpc::CallbackServerContext *ctx,
                                             const pb::SubmitFeedbackRequest *req,
                                             pb::SubmitFeedbackResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Operator, &caller); !st.ok())
            return reply(ctx, st);
        if (req->experiment_id().empty())
            return reply(ctx, invalid("experiment_id: must not be empty"));
        if (req->subject_id().empty())
            return reply(ctx, invalid("subject_id: must not be empty"));
        if (req->request_id().empty())
            return reply(ctx, invalid("request_id: must not be empty"));
        if (req->comment().size() > 4000)
            return reply(ctx, invalid("comment: must be at most 4000 characters"));
        switch (req->feedback_case()) {
        case pb::SubmitFeedbackRequest::kPreference:
            if (req->preference().preferred_variant_id().empty())
                return reply(ctx, invalid("preference.preferred_variant_id: must not be empty"));
            if (req->preference().other_variant_id() == req->preference().preferred_variant_id())
                return reply(ctx, invalid("preference.other_variant_id: must differ from "
                                          "preferred_variant_id"));
            break;
        case pb::SubmitFeedbackRequest::kRating:
            if (req->rating().score() < 1 || req->rating().score() > 5)
                return reply(ctx, invalid("rating.score: must be between 1 and 5"));
            break;
        case pb::SubmitFeedbackRequest::kHallucination:
            break;
        default:
            return reply(
                ctx, invalid("feedback: one of preference, rating or hallucination must be set"));
        }
        static const std::string kMethod = "SubmitFeedback";
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (auto st = m_state.idempotency.replay(req->request_id(), kMethod, *req, resp))
            return reply(ctx, *st);
        auto it = m_state.experiments.find(req->experiment_id());
        if (it == m_state.experiments.end())
            return reply(ctx, notFound("experiment_id: experiment " + quoted(req->experiment_id()) +
                                       " not found"));
        ExperimentRec &rec = it->second;
        if (rec.experiment.state() == pb::EXPERIMENT_STATE_STOPPED &&
            !mutated(Mutation::FeedbackOnStopped))
            return reply(ctx, failedPrecondition("experiment_id: experiment " +
                                                 quoted(req->experiment_id()) +
                                                 " is STOPPED; its results are frozen"));
        auto variant = [&](const std::string &id, const std::string &path,
                           VariantStats **out) -> grpc::Status {
            for (const auto &v : rec.experiment.variants()) {
                if (v.id() == id) {
                    *out = &rec.stats[id];
                    return grpc::Status::OK;
                }
            }
            return invalid(path + ": experiment " + quoted(req->experiment_id()) +
                           " has no variant " + quoted(id));
        };
        VariantStats *a = nullptr;
        VariantStats *b = nullptr;
        switch (req->feedback_case()) {
        case pb::SubmitFeedbackRequest::kPreference: {
            const auto &p = req->preference();
            if (auto st = variant(p.preferred_variant_id(), "preference.preferred_variant_id", &a);
                !st.ok())
                return reply(ctx, st);
            if (auto st = variant(p.other_variant_id(), "preference.other_variant_id", &b);
                !st.ok())
                return reply(ctx, st);
            ++a->preferenceTotal;
            ++b->preferenceTotal;
            if (!p.tie() || mutated(Mutation::TieCountsWin))
                ++a->preferenceWins;
            break;
        }
        case pb::SubmitFeedbackRequest::kRating:
            if (auto st = variant(req->rating().variant_id(), "rating.variant_id", &a); !st.ok())
                return reply(ctx, st);
            ++a->ratingCount;
            a->ratingSum += req->rating().score();
            break;
        default:
            if (auto st =
                    variant(req->hallucination().variant_id(), "hallucination.variant_id", &a);
                !st.ok())
                return reply(ctx, st);
            ++a->hallucinations;
            break;
        }
        resp->set_feedback_id("fb-" + std::to_string(++m_state.feedbackCounter));
        m_state.idempotency.store(req->request_id(), kMethod, *req, *resp, now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *GetResults(grpc::CallbackServerContext *ctx,
                                         const pb::GetResultsRequest *req,
                                         pb::GetResultsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return reply(ctx, st);
        if (req->experiment_id().empty())
            return reply(ctx, invalid("experiment_id: must not be empty"));
        std::lock_guard lock(m_state.mutex);
        auto it = m_state.experiments.find(req->experiment_id());
        if (it == m_state.experiments.end())
            return reply(ctx, notFound("experiment_id: experiment " + quoted(req->experiment_id()) +
                                       " not found"));
        m_state.fillResults(it->second, resp->mutable_results(), nowMicros());
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerWriteReactor<pb::WatchResultsResponse> *
    WatchResults(grpc::CallbackServerContext *ctx, const pb::WatchResultsRequest *req) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Viewer, &caller); !st.ok())
            return failStream<pb::WatchResultsResponse>(st);
        if (req->experiment_id().empty())
            return failStream<pb::WatchResultsResponse>(
                invalid("experiment_id: must not be empty"));
        int64_t interval = req->has_interval() ? fromDuration(req->interval()) : 0;
        if (interval == 0)
            interval = 1000000;
        if ((interval < 100000 && !mutated(Mutation::TinyResultsInterval)) ||
            interval > 3600ll * 1000000)
            return failStream<pb::WatchResultsResponse>(
                invalid("interval: must be between 100ms and 1h"));
        {
            std::lock_guard lock(m_state.mutex);
            if (!m_state.experiments.count(req->experiment_id()))
                return failStream<pb::WatchResultsResponse>(notFound(
                    "experiment_id: experiment " + quoted(req->experiment_id()) + " not found"));
        }
        auto *w = new ResultsWriter(m_state, req->experiment_id(), interval);
        w->announce();
        PokeList &clock = m_state.clockSubscribers;
        w->setDetach([&clock, w] { clock.remove(w); });
        clock.add(w);
        w->begin();
        return w;
    }

private:
    SimState &m_state;
};

} // namespace

std::unique_ptr<grpc::Service> makeExperimentService(SimState &state)
{
    return std::make_unique<ExperimentServiceImpl>(state);
}

} // namespace sb::sim
