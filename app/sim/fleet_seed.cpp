// The simulated fleet's seed: models with their latency profiles, routes
// with their fallback chains, prompts with their versions and label history,
// experiments and the audit history, all from options.seed.

#include "sim/mutations.h"
#include "sim/state.h"

#include <algorithm>
#include <cmath>

namespace sb::sim {

namespace {

struct ModelSeed
{
    const char *name;
    ModelProfile profile;
    double inCost;
    double outCost;
};

// Medians and costs are in the range of real hosted models; the tails are
// Pareto so p99 sits far from p50, as in production traffic.
const ModelSeed kModels[] = {
    {"atlas-xl", {1400, 0.45, 0.03, 1.6, 380, 28, 0.008, 700, 260, true}, 0.005, 0.015},
    {"atlas-mini", {520, 0.40, 0.02, 2.0, 160, 11, 0.006, 650, 220, true}, 0.00015, 0.0006},
    {"orion-70b", {1100, 0.50, 0.04, 1.5, 420, 24, 0.012, 700, 240, true}, 0.0009, 0.0009},
    {"orion-8b", {380, 0.38, 0.015, 2.2, 120, 9, 0.010, 600, 200, true}, 0.0002, 0.0002},
    {"vega-embed-large", {85, 0.30, 0.01, 2.5, 0, 0, 0.002, 300, 0, false}, 0.00013, 0},
    {"vega-embed-small", {32, 0.28, 0.01, 2.8, 0, 0, 0.003, 300, 0, false}, 0.00002, 0},
};

struct RouteSeed
{
    const char *name;
    const char *primary;
    std::vector<const char *> fallbacks;
    double share;
};

const RouteSeed kRoutes[] = {
    {"chat", "atlas-xl", {"orion-70b", "atlas-mini"}, 0.45},
    {"embed", "vega-embed-large", {"vega-embed-small"}, 0.20},
    {"extract", "atlas-mini", {"orion-8b", "orion-70b"}, 0.15},
    {"summarize", "orion-70b", {"atlas-mini"}, 0.20},
};

constexpr int64_t kDay = 86400ll * 1000000;
constexpr int64_t kHour = 3600ll * 1000000;

pb::PromptVariable var(const char *name, const char *description, bool required,
                       const char *def = "")
{
    pb::PromptVariable v;
    v.set_name(name);
    v.set_description(description);
    v.set_required(required);
    v.set_default_value(def);
    return v;
}

struct VersionSeed
{
    const char *tpl;
    const char *model;
    std::vector<pb::PromptVariable> vars;
    const char *author;
    const char *message;
    double temperature;
    uint32_t maxTokens;
};

struct PromptSeed
{
    const char *name;
    const char *description;
    std::vector<VersionSeed> versions;
    uint32_t production;
    uint32_t staging;
};

std::vector<PromptSeed> promptSeeds()
{
    const auto customer = var("customer_name", "Customer's first name", true);
    const auto product = var("product", "Product the ticket is about", false, "our product");
    const auto history = var("history", "Earlier messages of the conversation", false, "");
    const auto tone = var("tone", "Voice of the reply", false, "friendly");
    const auto ticket = var("ticket", "Full ticket text", true);
    const auto doc = var("document", "Document text", true);
    const auto question = var("question", "The user's question", true);
    const auto context = var("context", "Retrieved passages", false, "");
    const auto transcript = var("transcript", "Meeting transcript", true);
    const auto attendees = var("attendees", "Names of the attendees", false, "the team");
    const auto query = var("query", "Search query", true);
    return {
        {"support-reply",
         "Replies to customer support tickets in the chat widget",
         {{"You are a support agent for {{product}}. Answer {{customer_name}}'s message "
           "helpfully.\n\n{{history}}",
           "atlas-xl",
           {customer, product, history},
           "maria.lopez",
           "First version",
           0.7,
           400},
          {"You are a support agent for {{product}}. Greet {{customer_name}} by name, answer "
           "their question and offer one next step.\n\nConversation so far:\n{{history}}",
           "atlas-xl",
           {customer, product, history},
           "maria.lopez",
           "Greet by name and always offer a next step",
           0.7,
           400},
          {"You are a {{tone}} support agent for {{product}}. Greet {{customer_name}} by name, "
           "answer their question in at most three short paragraphs and offer one next "
           "step.\n\nConversation so far:\n{{history}}",
           "atlas-xl",
           {customer, product, history, tone},
           "dev.chen",
           "Configurable tone; cap the length at three paragraphs",
           0.6,
           350},
          {"You are a {{tone}} support agent for {{product}}. Greet {{customer_name}} by name. "
           "Answer in two short paragraphs, no more. If you are not sure, say so and offer to "
           "escalate.\n\nConversation so far:\n{{history}}",
           "atlas-xl",
           {customer, product, history, tone},
           "priya.n",
           "Shorter answers; admit uncertainty instead of guessing",
           0.5,
           250}},
         3,
         4},
        {"ticket-summary",
         "One-paragraph summaries of support tickets for the triage queue",
         {{"Summarize this support ticket in one paragraph:\n\n{{ticket}}",
           "orion-70b",
           {ticket},
           "sam.okafor",
           "First version",
           0.3,
           200},
          {"Summarize this support ticket in one paragraph. Start with the customer's goal, "
           "then what blocks them.\n\n{{ticket}}",
           "orion-70b",
           {ticket},
           "sam.okafor",
           "Lead with the customer's goal",
           0.3,
           200},
          {"Summarize this support ticket in at most 60 words. Start with the customer's goal, "
           "then what blocks them, then the urgency (low, medium, high).\n\n{{ticket}}",
           "orion-70b",
           {ticket},
           "dev.chen",
           "Word cap and an explicit urgency",
           0.2,
           120}},
         2,
         3},
        {"invoice-extract",
         "Extracts structured fields from supplier invoices",
         {{"Extract vendor, date, total and currency from this invoice as JSON.\n\n{{document}}",
           "atlas-mini",
           {doc},
           "priya.n",
           "First version",
           0.0,
           300},
          {"Extract these fields from the invoice as a JSON object: vendor, invoice_number, "
           "date (ISO 8601), total (number), currency (ISO 4217). Use null for missing "
           "fields.\n\n{{document}}",
           "atlas-mini",
           {doc},
           "priya.n",
           "Explicit schema, ISO formats, nulls",
           0.0,
           300},
          {"Extract these fields from the invoice as a JSON object: vendor, invoice_number, "
           "date (ISO 8601), total (number), currency (ISO 4217), line_items (array of "
           "{description, quantity, amount}). Use null for missing fields. Output JSON "
           "only.\n\n{{document}}",
           "atlas-mini",
           {doc},
           "sam.okafor",
           "Add line items; JSON only",
           0.0,
           600}},
         2,
         3},
        {"product-qa",
         "Answers product questions from the documentation",
         {{"Answer the question using the context.\n\nContext:\n{{context}}\n\nQuestion: "
           "{{question}}",
           "atlas-xl",
           {question, context},
           "dev.chen",
           "First version",
           0.4,
           300},
          {"Answer the question using only the context below. Quote the passage you relied on. "
           "If the context does not contain the answer, say \"I don't know\".\n\nContext:\n"
           "{{context}}\n\nQuestion: {{question}}",
           "atlas-xl",
           {question, context},
           "maria.lopez",
           "Ground answers; allow I don't know",
           0.2,
           300}},
         2,
         2},
        {"meeting-notes",
         "Turns meeting transcripts into notes with action items",
         {{"Write notes for this meeting.\n\n{{transcript}}",
           "orion-70b",
           {transcript},
           "sam.okafor",
           "First version",
           0.5,
           500},
          {"Write notes for this meeting with {{attendees}}: decisions, then action items with "
           "owners.\n\n{{transcript}}",
           "orion-70b",
           {transcript, attendees},
           "sam.okafor",
           "Decisions and owners",
           0.5,
           500},
          {"Write notes for this meeting with {{attendees}}: a two-sentence summary, decisions, "
           "then action items as '- [owner] task (due date)'.\n\n{{transcript}}",
           "orion-70b",
           {transcript, attendees},
           "maria.lopez",
           "Summary first; action item format",
           0.4,
           500},
          {"Write notes for this meeting with {{attendees}}: a two-sentence summary, decisions, "
           "open questions, then action items as '- [owner] task (due date)'. Keep names exactly "
           "as spoken.\n\n{{transcript}}",
           "orion-70b",
           {transcript, attendees},
           "priya.n",
           "Open questions; keep names verbatim",
           0.4,
           600},
          {"Write notes for this meeting with {{attendees}}: a two-sentence summary, decisions, "
           "open questions, then action items as '- [owner] task (due date)'. Keep names exactly "
           "as spoken. Write TBD for an unknown due date.\n\n{{transcript}}",
           "atlas-mini",
           {transcript, attendees},
           "dev.chen",
           "Try the smaller model; TBD for unknown dates",
           0.4,
           600}},
         4,
         5},
        {"search-query-embed",
         "Normalizes search queries before embedding",
         {{"{{query}}", "vega-embed-large", {query}, "dev.chen", "First version", 0.0, 0},
          {"search query: {{query}}",
           "vega-embed-large",
           {query},
           "dev.chen",
           "Instruction prefix the embedding model was trained with",
           0.0,
           0}},
         2,
         2},
    };
}

pb::Variant variant(const char *id, const char *name, const char *prompt, uint32_t version,
                    const char *model, uint32_t weight)
{
    pb::Variant v;
    v.set_id(id);
    v.set_name(name);
    v.set_prompt_name(prompt);
    v.set_prompt_version(version);
    v.set_model(model);
    v.set_weight(weight);
    return v;
}

} // namespace

namespace {

// Makes each seeded object's updated_by (and a model's update time) agree with
// its latest seeded audit event that changed it. Circuit events do not change
// an object's etag, so they do not count (there are none in the seed).
void adoptSeededActors(SimState &state)
{
    for (const auto &ev : state.audit) {
        const std::string &t = ev.target();
        const size_t slash = t.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string kind = t.substr(0, slash);
        const std::string name = t.substr(slash + 1);
        if (kind == "model" && state.models.count(name) && ev.action().rfind("model.", 0) == 0) {
            state.models[name].updatedBy = ev.actor();
            state.models[name].updateUs = fromTimestamp(ev.time());
        } else if (kind == "route" && state.routes.count(name) &&
                   (ev.action().rfind("fallback.", 0) == 0 ||
                    ev.action().rfind("route.", 0) == 0)) {
            state.routes[name].updatedBy = ev.actor();
        } else if (kind == "experiment" && state.experiments.count(name) &&
                   ev.action().rfind("experiment.", 0) == 0) {
            state.experiments[name].updatedBy = ev.actor();
        } else if (kind == "prompt" && state.prompts.count(name) &&
                   (ev.action().rfind("version.", 0) == 0 || ev.action().rfind("label.", 0) == 0)) {
            state.prompts[name].updatedBy = ev.actor();
        }
    }
}

} // namespace

void seedState(SimState &state, int64_t nowUs)
{
    Rng rng(state.options.seed);
    for (const auto &seed : kModels) {
        ModelRec rec;
        rec.profile = seed.profile;
        rec.profile.medianMs *= 0.85 + 0.3 * rng.uniform();
        rec.profile.ttftMedianMs *= 0.85 + 0.3 * rng.uniform();
        rec.profile.errorRate *= 0.7 + 0.6 * rng.uniform();
        rec.model.set_name(seed.name);
        rec.model.set_enabled(true);
        rec.model.set_etag(state.newEtag());
        rec.model.set_input_cost_per_1k(seed.inCost);
        rec.model.set_output_cost_per_1k(seed.outCost);
        rec.dictId = state.telemetry.dictionaryId(pb::DICTIONARY_KIND_MODEL, seed.name);
        rec.updateUs = nowUs - 3 * kDay;
        state.models[seed.name] = std::move(rec);
    }
    for (const auto &seed : kRoutes) {
        RouteRec rec;
        rec.route.set_name(seed.name);
        rec.route.set_primary_model(seed.primary);
        for (const char *f : seed.fallbacks) {
            auto *step = rec.route.add_fallbacks();
            step->set_model(f);
            step->set_enabled(true);
        }
        rec.stepRevertAtUs.assign(seed.fallbacks.size(), 0);
        rec.stepRevertTo.assign(seed.fallbacks.size(), 1);
        rec.route.set_etag(state.newEtag());
        toTimestamp(nowUs - 3 * kDay, rec.route.mutable_update_time());
        rec.dictId = state.telemetry.dictionaryId(pb::DICTIONARY_KIND_ROUTE, seed.name);
        rec.trafficShare = seed.share;
        state.routes[seed.name] = std::move(rec);
    }

    // A little history for the audit log, added in time order at the end.
    struct AuditSeed
    {
        int64_t at;
        std::string actor, role, action, target, from, to, reason;
    };
    std::vector<AuditSeed> history;

    // Prompts: versions a few days apart; each label walked up to its seeded
    // version one move at a time (staging a couple of hours after a version
    // lands, production a day later), so every prompt has a label history to
    // read and a production version to roll back to.
    const char *const kPromoteReasons[] = {"First release", "Passed the eval set",
                                           "Better on the review sample", "Cheaper, same quality"};
    int64_t t = nowUs - 30 * kDay;
    for (const auto &ps : promptSeeds()) {
        std::vector<int64_t> created;
        PromptRec rec;
        rec.prompt.set_name(ps.name);
        rec.prompt.set_description(ps.description);
        toTimestamp(t, rec.prompt.mutable_create_time());
        uint32_t n = 0;
        for (const auto &vs : ps.versions) {
            pb::PromptVersion v;
            v.set_prompt_name(ps.name);
            v.set_version(++n);
            v.set_template_(vs.tpl);
            v.set_model(vs.model);
            v.mutable_parameters()->set_temperature(vs.temperature);
            if (vs.maxTokens)
                v.mutable_parameters()->set_max_output_tokens(vs.maxTokens);
            for (const auto &pv : vs.vars)
                *v.add_variables() = pv;
            v.set_author(vs.author);
            v.set_message(vs.message);
            v.set_parent_version(n - 1);
            toTimestamp(t, v.mutable_create_time());
            created.push_back(t);
            rec.versions.push_back(std::move(v));
            rec.updatedBy = vs.author;
            t += kDay + int64_t(rng.below(uint64_t(8 * kHour)));
        }
        rec.prompt.set_latest_version(n);
        const std::string target = std::string("prompt/") + ps.name;
        int64_t lastMove = 0;
        std::string lastMover;
        for (auto [label, version] :
             {std::pair{"production", ps.production}, std::pair{"staging", ps.staging}}) {
            const bool prod = std::string(label) == "production";
            auto *l = rec.prompt.add_labels();
            l->set_name(label);
            l->set_version(version);
            for (uint32_t to = 1; to <= version; ++to) {
                int64_t at = created[to - 1] + (prod ? kDay + 3 * kHour : 2 * kHour);
                std::string actor =
                    prod ? (to % 2 ? "dev.chen" : "maria.lopez") : rec.versions[to - 1].author();
                std::string reason = prod ? kPromoteReasons[(to - 1) % std::size(kPromoteReasons)]
                                          : "Try v" + std::to_string(to) + " on staging";
                if (prod && ps.name == std::string("support-reply") && to == version) {
                    at = nowUs - kDay; // the move the experiment on v3 vs v4 started from
                    reason = "v3 won the tone review";
                }
                at = std::min(at, nowUs - kHour);
                history.push_back(
                    {at, actor, prod ? "admin" : "operator", "label.move", target,
                     to > 1 ? std::string(label) + " -> " + std::to_string(to - 1) : std::string(),
                     std::string(label) + " -> " + std::to_string(to), reason});
                toTimestamp(at, l->mutable_update_time());
                l->set_updated_by(actor);
                if (at >= lastMove) {
                    lastMove = at;
                    lastMover = actor;
                }
            }
        }
        if (lastMove > created.back())
            rec.updatedBy = lastMover;
        toTimestamp(std::max(lastMove, created.back()), rec.prompt.mutable_update_time());
        rec.prompt.set_etag(state.newEtag());
        state.prompts[ps.name] = std::move(rec);
        t -= 2 * kDay; // prompts overlap in time
    }

    auto addExperiment = [&](const char *name, const char *description, const char *route,
                             pb::ExperimentState st, std::vector<pb::Variant> variants,
                             pb::Metric metric, int64_t created) -> ExperimentRec & {
        ExperimentRec rec;
        rec.order = ++state.experimentCounter;
        auto &e = rec.experiment;
        e.set_id("exp-" + std::to_string(rec.order));
        e.set_name(name);
        e.set_description(description);
        e.set_route(route);
        e.set_state(st);
        for (auto &v : variants)
            *e.add_variants() = std::move(v);
        e.set_primary_metric(metric);
        e.add_guardrail_metrics(pb::METRIC_SUCCESS_RATE);
        e.add_guardrail_metrics(pb::METRIC_LATENCY);
        toTimestamp(created, e.mutable_create_time());
        toTimestamp(created + kHour, e.mutable_update_time());
        if (st != pb::EXPERIMENT_STATE_DRAFT)
            toTimestamp(created + kHour, e.mutable_start_time());
        e.set_etag(state.newEtag());
        rec.updatedBy = "maria.lopez";
        auto &stored = state.experiments[e.id()] = std::move(rec);
        prepareVariantStats(state, stored);
        return stored;
    };
    addExperiment(
        "Support reply: v3 vs shorter v4",
        "Does the shorter, more careful v4 keep quality while cutting latency and cost?", "chat",
        pb::EXPERIMENT_STATE_RUNNING,
        {variant("control", "v3 on atlas-xl", "support-reply", 3, "atlas-xl", 40),
         variant("concise", "v4 on atlas-xl", "support-reply", 4, "atlas-xl", 40),
         variant("concise-orion", "v4 on orion-70b", "support-reply", 4, "orion-70b", 20)},
        pb::METRIC_PREFERENCE, nowUs - 2 * kDay);
    addExperiment("Cheaper ticket summaries", "Can atlas-mini summarize tickets as well as orion?",
                  "summarize", pb::EXPERIMENT_STATE_DRAFT,
                  {variant("control", "v3 on orion-70b", "ticket-summary", 3, "orion-70b", 50),
                   variant("mini", "v3 on atlas-mini", "ticket-summary", 3, "atlas-mini", 50)},
                  pb::METRIC_COST, nowUs - kDay);
    auto &stopped = addExperiment(
        "Invoice extraction bake-off", "Line items (v3) and a smaller model for extraction",
        "extract", pb::EXPERIMENT_STATE_STOPPED,
        {variant("control", "v2 on atlas-mini", "invoice-extract", 2, "atlas-mini", 34),
         variant("line-items", "v3 on atlas-mini", "invoice-extract", 3, "atlas-mini", 33),
         variant("orion-8b", "v3 on orion-8b", "invoice-extract", 3, "orion-8b", 33)},
        pb::METRIC_SUCCESS_RATE, nowUs - 12 * kDay);

    // A real winner: line items fail the service's schema check far less
    // often than v2 (1.5 % against 4 %), orion-8b a little more (5 %).
    stopped.stats["control"].failRate = 0.04;
    stopped.stats["line-items"].failRate = 0.015;
    stopped.stats["orion-8b"].failRate = 0.05;

    // An A/A check: both arms are the same prompt on the same model with the
    // same knobs, so any "winner" would be a false positive.
    auto &aa = addExperiment(
        "Extraction A/A check",
        "Same variant twice: the split and the statistics should find nothing", "extract",
        pb::EXPERIMENT_STATE_RUNNING,
        {variant("a", "v3 on atlas-mini (A)", "invoice-extract", 3, "atlas-mini", 50),
         variant("b", "v3 on atlas-mini (B)", "invoice-extract", 3, "atlas-mini", 50)},
        pb::METRIC_SUCCESS_RATE, nowUs - 3 * kHour);
    for (auto &[id, st] : aa.stats) {
        st.latencyFactor = 1;
        st.errorFactor = 1;
        st.failRate = 0.02;
    }

    // A broken split: weights 50/50, but an assignment bug sent about one in
    // twelve of the v2 users to control. Stopped when the split alarm fired.
    auto &skewed = addExperiment(
        "Ticket summary v2 rollout", "Shorter summaries from v2, before the mini test", "summarize",
        pb::EXPERIMENT_STATE_STOPPED,
        {variant("control", "v1 on orion-70b", "ticket-summary", 1, "orion-70b", 50),
         variant("v2", "v2 on orion-70b", "ticket-summary", 2, "orion-70b", 50)},
        pb::METRIC_SUCCESS_RATE, nowUs - 20 * kDay);
    for (auto &[id, st] : skewed.stats)
        st.failRate = 0.03;

    // The stopped experiments' frozen results, as if they had run for a while.
    {
        simulateResults(state, stopped, state.routes["extract"], 6000, rng);
        simulateResults(state, skewed, state.routes["summarize"], 8000, rng, 0.08);
        // Those samples were not real traffic: forget them in the breakers.
        for (auto &[name, m] : state.models) {
            m.requests = Window60{};
            m.errors = Window60{};
        }
    }

    history.push_back({nowUs - 12 * kDay, "maria.lopez", "operator", "experiment.create",
                       "experiment/exp-3", "", "DRAFT", "Compare extraction variants"});
    history.push_back({nowUs - 9 * kDay, "priya.n", "operator", "experiment.update",
                       "experiment/exp-3", "state RUNNING", "state STOPPED",
                       "Enough data: line items win"});
    history.push_back({nowUs - 5 * kDay, "oncall-bot", "operator", "model.disable",
                       "model/orion-8b", "enabled", "disabled", "Provider incident INC-2231"});
    history.push_back({nowUs - 5 * kDay + 2 * kHour, "oncall-bot", "operator", "model.enable",
                       "model/orion-8b", "disabled", "enabled", "Provider recovered"});
    history.push_back({nowUs - 2 * kDay, "maria.lopez", "operator", "experiment.update",
                       "experiment/exp-1", "state DRAFT", "state RUNNING", "Start the v4 test"});
    history.push_back({nowUs - 20 * kDay, "priya.n", "operator", "experiment.create",
                       "experiment/exp-5", "", "DRAFT", "Roll out the shorter summaries"});
    history.push_back({nowUs - 17 * kDay, "priya.n", "operator", "experiment.update",
                       "experiment/exp-5", "state RUNNING", "state STOPPED",
                       "Split alarm: assignment bug INC-2190, results unusable"});
    history.push_back({nowUs - 3 * kHour, "maria.lopez", "operator", "experiment.update",
                       "experiment/exp-4", "state DRAFT", "state RUNNING",
                       "A/A before the next extraction test"});
    std::stable_sort(history.begin(), history.end(),
                     [](const AuditSeed &a, const AuditSeed &b) { return a.at < b.at; });
    for (const auto &h : history)
        state.addAudit(h.at, h.actor, h.role, h.action, h.target, h.from, h.to, h.reason,
                       "seed-" + std::to_string(state.auditCounter + 1));
    // Conflict.updated_by and the objects' own updated_by name the actor of
    // the latest audited change of the object (common.proto): the seeded
    // history counts like any other.
    if (!mutated(Mutation::SeedActorDrift))
        adoptSeededActors(state);
}

} // namespace sb::sim
