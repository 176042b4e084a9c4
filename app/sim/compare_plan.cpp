#include "sim/compare_plan.h"

#include "core/prompt_template.h"
#include "sim/compare_text.h"
#include "sim/mutations.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace sb::sim {

grpc::Status validateVariants(const SimState &state,
                              const google::protobuf::RepeatedPtrField<pb::Variant> &variants,
                              const std::string &path, bool needWeight)
{
    if (variants.size() < 2 || variants.size() > 8)
        return invalid(path + ": needs 2..8 variants, got " + std::to_string(variants.size()));
    std::set<std::string> ids;
    uint64_t total = 0;
    for (int i = 0; i < variants.size(); ++i) {
        const pb::Variant &v = variants[i];
        const std::string p = path + "[" + std::to_string(i) + "]";
        if (!validShortId(v.id()))
            return invalid(p + ".id: must be 1..32 of lowercase letters, digits, '-', '_'");
        if (!ids.insert(v.id()).second)
            return invalid(p + ".id: duplicate variant id " + quoted(v.id()));
        if (v.name().size() > 200)
            return invalid(p + ".name: must be at most 200 characters");
        if (v.prompt_name().empty())
            return invalid(p + ".prompt_name: must not be empty");
        auto prompt = state.prompts.find(v.prompt_name());
        if (prompt == state.prompts.end())
            return notFound(p + ".prompt_name: prompt " + quoted(v.prompt_name()) + " not found");
        if (v.prompt_version() > prompt->second.prompt.latest_version())
            return notFound(p + ".prompt_version: prompt " + quoted(v.prompt_name()) +
                            " has no version " + std::to_string(v.prompt_version()));
        if (v.model().empty())
            return invalid(p + ".model: must not be empty");
        if (!state.models.count(v.model()))
            return notFound(p + ".model: model " + quoted(v.model()) + " not found");
        if (auto st = validateParameters(v.parameters(), p + ".parameters"); !st.ok())
            return st;
        if (v.weight() > 10000)
            return invalid(p + ".weight: must be at most 10000");
        total += v.weight();
    }
    if (needWeight && total == 0)
        return invalid(path + ": at least one weight must be above 0");
    return grpc::Status::OK;
}

grpc::Status planCompare(SimState &state, const pb::CompareRequest &req, int64_t startUs,
                         std::vector<ScheduledEvent> *events)
{
    if (req.request_id().empty())
        return invalid("request_id: must not be empty");
    if (req.input().size() > 100000)
        return invalid("input: must be at most 100000 bytes");
    if (!req.experiment_id().empty() && req.variants_size() > 0)
        return invalid("experiment_id: set either experiment_id or variants, not both");
    if (req.experiment_id().empty() && req.variants_size() == 0)
        return invalid("experiment_id: set experiment_id or variants");
    std::lock_guard lock(state.mutex);
    google::protobuf::RepeatedPtrField<pb::Variant> variants;
    std::string route;
    if (!req.experiment_id().empty()) {
        auto it = state.experiments.find(req.experiment_id());
        if (it == state.experiments.end())
            return notFound("experiment_id: experiment " + quoted(req.experiment_id()) +
                            " not found");
        route = it->second.experiment.route();
        std::set<std::string> seen;
        for (int i = 0; i < req.variant_ids_size(); ++i) {
            const std::string &id = req.variant_ids(i);
            const pb::Variant *found = nullptr;
            for (const auto &v : it->second.experiment.variants()) {
                if (v.id() == id)
                    found = &v;
            }
            if (!found)
                return invalid("variant_ids[" + std::to_string(i) + "]: experiment " +
                               quoted(req.experiment_id()) + " has no variant " + quoted(id));
            if (!seen.insert(id).second)
                return invalid("variant_ids[" + std::to_string(i) + "]: duplicate " + quoted(id));
            *variants.Add() = *found;
        }
        if (req.variant_ids_size() == 0)
            variants = it->second.experiment.variants();
        if (variants.size() < 2)
            return invalid("variant_ids: a comparison needs at least 2 variants");
    } else {
        if (auto st = validateVariants(state, req.variants(), "variants", false); !st.ok())
            return st;
        variants = req.variants();
    }

    QMap<QString, QString> values;
    for (const auto &[k, v] : req.variables())
        values.insert(QString::fromStdString(k), QString::fromStdString(v));
    const double scale = state.options.timeScale > 0 ? state.options.timeScale : 1.0;
    uint64_t order = 0;
    for (const pb::Variant &v : variants) {
        const pb::PromptVersion *pv = state.resolveVersion(v.prompt_name(), v.prompt_version());
        if (!pv)
            return notFound("variants: variant " + quoted(v.id()) + " resolves to no version of " +
                            quoted(v.prompt_name()));
        QList<TemplateVariable> declared;
        for (const auto &d : pv->variables())
            declared.append({QString::fromStdString(d.name()), d.required(),
                             QString::fromStdString(d.default_value())});
        const RenderResult r =
            renderTemplate(QString::fromStdString(pv->template_()), values, declared);
        if (!r.missing.isEmpty())
            return invalid("variables: missing required variable " +
                           quoted(r.missing.first().toStdString()) + " for variant " +
                           quoted(v.id()) + " (" + pv->prompt_name() + " v" +
                           std::to_string(pv->version()) + ")");
        const size_t promptChars = size_t(r.text.toUtf8().size()) + req.input().size();

        Rng rng(fnv1a(req.request_id() + "/" + v.id(), state.options.seed));
        // The variant's model first, then the route's enabled fallbacks.
        std::vector<ModelRec *> chain;
        chain.push_back(&state.models.at(v.model()));
        std::string chainRoute = route;
        if (chainRoute.empty()) {
            for (const auto &[name, rr] : state.routes) {
                if (rr.route.primary_model() == v.model() && chainRoute.empty())
                    chainRoute = name;
            }
        }
        if (auto rit = state.routes.find(chainRoute); rit != state.routes.end()) {
            for (const auto &step : rit->second.route.fallbacks()) {
                if (step.enabled() && step.model() != v.model())
                    chain.push_back(&state.models.at(step.model()));
            }
        }
        double spentMs = 0;
        ModelRec *served = nullptr;
        std::string why;
        for (ModelRec *m : chain) {
            if (!m->model.enabled()) {
                why += (why.empty() ? "" : "; ") + m->model.name() + " is disabled";
                continue;
            }
            if (m->circuit == pb::CIRCUIT_STATE_OPEN) {
                why += (why.empty() ? "" : "; ") + m->model.name() + " has an open circuit";
                continue;
            }
            const double errRate =
                m->outage ? 1.0 : 1 - (1 - m->profile.errorRate) * (1 - m->drillErrorRate);
            if (rng.chance(errRate)) {
                spentMs += m->outage ? 5 : m->profile.ttftMedianMs;
                why += (why.empty() ? "" : "; ") + m->model.name() +
                       (m->outage ? " is down (outage)" : " returned UNAVAILABLE");
                continue;
            }
            served = m;
            break;
        }

        pb::CompareResponse done;
        auto *sum = done.mutable_done();
        sum->set_variant_id(v.id());
        const uint32_t inTokens = uint32_t(promptChars / 4 + 1);
        if (!served) {
            sum->set_status_code(grpc::StatusCode::UNAVAILABLE);
            sum->set_error_message("no model could serve variant " + quoted(v.id()) + ": " + why);
            toDuration(int64_t(spentMs * 1000), sum->mutable_latency());
            events->push_back({startUs + int64_t(spentMs * 1000 * scale), order++, done});
            continue;
        }
        const ModelProfile &p = served->profile;
        TextKind kind = TextKind::Chat;
        const std::string &pn = v.prompt_name();
        if (!p.producesTokens)
            kind = TextKind::Embedding;
        else if (pn.find("extract") != std::string::npos || chainRoute == "extract")
            kind = TextKind::Extract;
        else if (pn.find("summar") != std::string::npos || pn.find("notes") != std::string::npos ||
                 chainRoute == "summarize")
            kind = TextKind::Summary;
        size_t target = size_t(std::clamp(30 * std::exp(0.3 * rng.normal()), 12.0, 80.0));
        if (v.parameters().has_max_output_tokens())
            target = std::min<size_t>(target, v.parameters().max_output_tokens());
        std::vector<std::string> tokens = generateTokens(rng, kind, req.input(), target);
        if (v.parameters().has_max_output_tokens() &&
            tokens.size() > v.parameters().max_output_tokens())
            tokens.resize(v.parameters().max_output_tokens());
        const double factor = served->latencyFactor;
        const double ttftMs = spentMs + (p.producesTokens ? p.ttftMedianMs : p.medianMs) * factor *
                                            std::exp(0.3 * rng.normal());
        const double tokenMs = std::max(1.0, p.tokenMs) * factor;
        double t = ttftMs;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i > 0)
                t += tokenMs * (0.5 + rng.uniform());
            pb::CompareResponse delta;
            delta.mutable_delta()->set_variant_id(v.id());
            delta.mutable_delta()->set_text(tokens[i]);
            delta.mutable_delta()->set_index(uint32_t(i) +
                                             (mutated(Mutation::DeltaIndexFromOne) ? 1 : 0));
            events->push_back({startUs + int64_t(t * 1000 * scale), order++, delta});
        }
        t += tokenMs;
        const uint32_t outTokens = p.producesTokens ? uint32_t(tokens.size()) : 0;
        sum->set_served_model(served->model.name());
        toDuration(int64_t(t * 1000), sum->mutable_latency());
        toDuration(int64_t(ttftMs * 1000), sum->mutable_time_to_first_token());
        sum->set_input_tokens(inTokens);
        sum->set_output_tokens(outTokens);
        sum->set_cost_usd(inTokens * served->model.input_cost_per_1k() / 1000 +
                          outTokens * served->model.output_cost_per_1k() / 1000);
        events->push_back({startUs + int64_t(t * 1000 * scale), order++, done});
    }
    std::stable_sort(events->begin(), events->end(),
                     [](const ScheduledEvent &a, const ScheduledEvent &b) {
                         return a.atUs != b.atUs ? a.atUs < b.atUs : a.order < b.order;
                     });
    return grpc::Status::OK;
}

} // namespace sb::sim
