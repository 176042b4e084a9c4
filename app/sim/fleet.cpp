// The simulated fleet's traffic: the generator that turns the routing table,
// breakers, drills and running experiments into latency samples.

#include "sim/state.h"

#include <algorithm>
#include <cmath>

namespace sb::sim {

namespace {

double drawLatency(Rng &rng, const ModelProfile &p)
{
    if (rng.chance(p.tailProb)) {
        const double xm = p.medianMs * 2.5;
        return std::min(120000.0, xm * std::pow(rng.uniformPositive(), -1.0 / p.tailAlpha));
    }
    return p.medianMs * std::exp(p.sigma * rng.normal());
}

// A route's chain as it stands for one batch: pointers only, so serving a
// request does no string work.
struct Chain
{
    RouteRec *route = nullptr;
    ModelRec *primary = nullptr;
    bool bypassed = false;
    std::vector<ModelRec *> fallbacks; // the enabled steps, in order
};

Chain chainOf(SimState &state, RouteRec &route)
{
    Chain c;
    c.route = &route;
    auto p = state.models.find(route.route.primary_model());
    c.primary = p == state.models.end() ? nullptr : &p->second;
    c.bypassed = route.route.primary_bypassed();
    for (const auto &step : route.route.fallbacks()) {
        if (!step.enabled())
            continue;
        auto it = state.models.find(step.model());
        if (it != state.models.end())
            c.fallbacks.push_back(&it->second);
    }
    return c;
}

// A running experiment's variants for one batch.
struct VariantView
{
    uint32_t weight = 0;
    ModelRec *model = nullptr; // null: unknown model, the request takes the route's chain
    VariantStats *stats = nullptr;
    const pb::Variant *variant = nullptr;
};

struct ExperimentView
{
    const ExperimentRec *rec = nullptr;
    uint64_t prefixHash = 0; // fnv1a of "<experiment id>/"
    uint64_t totalWeight = 0;
    std::vector<VariantView> variants;
};

ExperimentView experimentView(SimState &state, ExperimentRec &e)
{
    ExperimentView v;
    v.rec = &e;
    v.prefixHash = fnv1a(e.experiment.id() + "/");
    for (const auto &var : e.experiment.variants()) {
        VariantView vv;
        vv.weight = var.weight();
        auto m = state.models.find(var.model());
        vv.model = m == state.models.end() ? nullptr : &m->second;
        vv.stats = &e.stats[var.id()];
        vv.variant = &var;
        v.totalWeight += var.weight();
        v.variants.push_back(vv);
    }
    return v;
}

// Sticky: the same user lands in the same variant while weights hold. The
// hash is fnv1a("<experiment id>/<user id>"), continued from the prefix.
const VariantView *pickVariant(const ExperimentView &e, uint64_t userId)
{
    if (!e.totalWeight)
        return nullptr;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + userId % 10);
        userId /= 10;
    } while (userId);
    std::reverse(digits, digits + n);
    uint64_t h = fnv1a(std::string_view(digits, size_t(n)), e.prefixHash) % e.totalWeight;
    for (const auto &v : e.variants) {
        if (h < v.weight)
            return &v;
        h -= v.weight;
    }
    return nullptr;
}

struct Outcome
{
    ModelRec *served = nullptr;
    ModelRec *last = nullptr;   // the last model tried (shown for a failed request)
    ModelRec *before = nullptr; // the model tried or skipped just before `served`
    bool fallback = false;      // went past its first model
    uint32_t status = 14;
    double latency = 0;
    double ttft = 0;
    uint32_t inTokens = 0;
    uint32_t outTokens = 0;
    double cost = 0;
};

// One request along a chain: the first model (the primary or a variant's),
// then the route's enabled fallbacks in order, skipping disabled models, open
// circuits, half-open ones it does not probe, and a bypassed primary.
Outcome serve(Rng &rng, const Chain &chain, ModelRec *first, double latencyFactor,
              double errorFactor, int64_t sec)
{
    Outcome o;
    ModelRec *prev = nullptr;
    const size_t steps = chain.fallbacks.size();
    for (size_t k = 0; k <= steps; ++k) {
        ModelRec *m = k == 0 ? first : chain.fallbacks[k - 1];
        if (k > 0 && m == first)
            continue;
        if ((chain.bypassed && m == chain.primary) || !m->model.enabled() ||
            m->circuit == pb::CIRCUIT_STATE_OPEN ||
            (m->circuit == pb::CIRCUIT_STATE_HALF_OPEN && !rng.chance(0.2))) {
            o.fallback = true;
            prev = m;
            continue;
        }
        if (o.last)
            o.fallback = true;
        o.last = m;
        m->requests.add(sec);
        const ModelProfile &p = m->profile;
        const double base = std::min(1.0, p.errorRate * (m == first ? errorFactor : 1.0));
        const double errRate = m->outage ? 1.0 : 1 - (1 - base) * (1 - m->drillErrorRate);
        const double lat =
            drawLatency(rng, p) * m->latencyFactor * (m == first ? latencyFactor : 1);
        if (rng.chance(errRate)) {
            m->errors.add(sec);
            if (m->circuit == pb::CIRCUIT_STATE_HALF_OPEN)
                ++m->probeFail;
            if (m->outage) {
                o.status = 14;
                o.latency += 3 + 20 * rng.uniform(); // refused fast
            } else {
                const double r = rng.uniform();
                o.status = r < 0.6 ? 14 : (r < 0.8 ? 4 : 8);
                o.latency += lat * (o.status == 4 ? 2.0 : 0.3);
            }
            prev = m;
            continue;
        }
        if (m->circuit == pb::CIRCUIT_STATE_HALF_OPEN)
            ++m->probeOk;
        o.served = m;
        o.before = prev;
        o.status = 0;
        o.latency += lat;
        o.inTokens = uint32_t(std::max(1.0, p.inTokensMean * std::exp(0.4 * rng.normal())));
        if (p.producesTokens) {
            o.ttft = std::min(lat * 0.95,
                              p.ttftMedianMs * m->latencyFactor * std::exp(0.35 * rng.normal()));
            o.ttft += o.latency - lat; // failed attempts before it delay the first token too
            o.outTokens = uint32_t(std::max(1.0, p.outTokensMean * std::exp(0.5 * rng.normal())));
        }
        o.cost = o.inTokens * m->model.input_cost_per_1k() / 1000 +
                 o.outTokens * m->model.output_cost_per_1k() / 1000;
        break;
    }
    return o;
}

// Counts a served request in its route's share slot (found by pointer and id
// comparisons; a new slot copies the variant's ids once).
void countServed(RouteRec &route, const Outcome &o, const VariantView *variant,
                 const ExperimentView *experiment, int64_t sec)
{
    pb::ServedReason reason = pb::SERVED_REASON_PRIMARY;
    const ModelRec *after = nullptr;
    uint32_t variantId = 0;
    if (o.before) {
        reason = pb::SERVED_REASON_FALLBACK;
        after = o.before;
    } else if (variant) {
        reason = pb::SERVED_REASON_VARIANT;
        variantId = variant->stats->dictId;
    }
    for (auto &slot : route.served) {
        if (slot.model == o.served && slot.reason == reason && slot.after == after &&
            slot.variantDictId == variantId) {
            slot.count.add(sec);
            return;
        }
    }
    ServedSlot slot;
    slot.model = o.served;
    slot.reason = reason;
    slot.after = after;
    slot.variantDictId = variantId;
    if (reason == pb::SERVED_REASON_VARIANT) {
        slot.experimentId = experiment->rec->experiment.id();
        slot.variantId = variant->variant->id();
    }
    slot.count.add(sec);
    route.served.push_back(std::move(slot));
}

void record(VariantStats &s, const Outcome &o, Rng &rng)
{
    ++s.exposures;
    if (o.status == 0 && !(s.failRate > 0 && rng.chance(s.failRate))) {
        ++s.successes;
        s.latency.record(o.latency);
        if (o.ttft > 0)
            s.ttft.record(o.ttft);
    } else {
        ++s.errors;
    }
    s.cost += o.cost;
}

} // namespace

void prepareVariantStats(SimState &state, ExperimentRec &rec)
{
    for (const auto &v : rec.experiment.variants()) {
        VariantStats &s = rec.stats[v.id()];
        if (s.dictId)
            continue;
        s.dictId = state.telemetry.dictionaryId(pb::DICTIONARY_KIND_VARIANT,
                                                rec.experiment.id() + "/" + v.id());
        Rng r(fnv1a(rec.experiment.id() + "/" + v.id(), state.options.seed * 31 + 7));
        s.latencyFactor = 0.85 + 0.3 * r.uniform();
        s.errorFactor = 0.6 + r.uniform();
    }
}

void simulateResults(SimState &state, ExperimentRec &rec, RouteRec &route, int requests, Rng &rng,
                     double splitSkew)
{
    const Chain chain = chainOf(state, route);
    const ExperimentView view = experimentView(state, rec);
    for (int i = 0; i < requests; ++i) {
        const VariantView *v = pickVariant(view, rng.below(50000));
        if (!v || !v->model)
            break;
        if (splitSkew > 0 && v != &view.variants.front() && rng.chance(splitSkew))
            v = &view.variants.front();
        VariantStats &s = *v->stats;
        Outcome o = serve(rng, chain, v->model, s.latencyFactor, s.errorFactor, 0);
        record(s, o, rng);
        s.preferenceTotal += rng.chance(0.05);
        if (rng.chance(0.03)) {
            ++s.ratingCount;
            s.ratingSum += 3 + rng.below(3);
        }
    }
}

std::shared_ptr<Batch> generateBatch(SimState &state, size_t n, int64_t startUs, int64_t endUs)
{
    auto batch = std::make_shared<Batch>();
    batch->baseUs = startUs;
    // Once a second, forget share slots that served nothing for a minute.
    if (const int64_t nowSec = startUs / 1000000; nowSec != state.servedPrunedSec) {
        state.servedPrunedSec = nowSec;
        for (auto &[name, r] : state.routes)
            std::erase_if(r.served,
                          [&](const ServedSlot &slot) { return slot.count.sum(nowSec, 60) == 0; });
    }
    if (n == 0)
        return batch;
    batch->reserve(n);

    // Everything a sample needs, resolved once per batch: no name lookups or
    // string work below.
    struct RouteChoice
    {
        Chain chain;
        int experiment = -1; // index into `experiments`
        double cumulative;
    };
    std::vector<RouteChoice> choices;
    std::vector<ExperimentView> experiments;
    double cumulative = 0;
    for (auto &[name, r] : state.routes) {
        Chain chain = chainOf(state, r);
        if (!chain.primary)
            continue;
        cumulative += r.trafficShare;
        choices.push_back({std::move(chain), -1, cumulative});
    }
    for (auto &[id, e] : state.experiments) {
        if (e.experiment.state() != pb::EXPERIMENT_STATE_RUNNING)
            continue;
        for (auto &c : choices) {
            if (c.chain.route->route.name() == e.experiment.route() && c.experiment < 0) {
                c.experiment = int(experiments.size());
                experiments.push_back(experimentView(state, e));
            }
        }
    }
    if (choices.empty())
        return batch;

    Rng &rng = state.trafficRng;
    const int64_t span = std::max<int64_t>(1, endUs - startUs);
    for (size_t i = 0; i < n; ++i) {
        const int64_t offset = int64_t(i) * span / int64_t(n);
        const int64_t sec = (startUs + offset) / 1000000;
        const double pick = rng.uniform() * cumulative;
        RouteChoice *c = &choices.back();
        for (auto &ch : choices) {
            if (pick < ch.cumulative) {
                c = &ch;
                break;
            }
        }
        const uint64_t user = rng.below(50000);
        ModelRec *first = c->chain.primary;
        const ExperimentView *experiment =
            c->experiment < 0 ? nullptr : &experiments[size_t(c->experiment)];
        const VariantView *variant = nullptr;
        if (experiment) {
            variant = pickVariant(*experiment, user);
            if (variant && variant->model)
                first = variant->model;
            else
                variant = nullptr;
        }
        VariantStats *stats = variant ? variant->stats : nullptr;
        const Outcome o = serve(rng, c->chain, first, stats ? stats->latencyFactor : 1.0,
                                stats ? stats->errorFactor : 1.0, sec);
        if (stats)
            record(*stats, o, rng);
        RouteRec &route = *c->chain.route;
        route.requests.add(sec);
        if (o.served)
            countServed(route, o, variant, experiment, sec);
        batch->offsetMicros.push_back(uint32_t(offset));
        batch->latencyMs.push_back(float(o.latency));
        batch->ttftMs.push_back(float(o.ttft));
        batch->routeIds.push_back(route.dictId);
        const ModelRec *shown = o.served ? o.served : o.last;
        batch->modelIds.push_back(shown ? shown->dictId : 0);
        batch->variantIds.push_back(stats ? stats->dictId : 0);
        batch->statusCodes.push_back(o.status);
        batch->outputTokens.push_back(o.outTokens);
        batch->fallbackUsed.push_back(o.fallback ? 1 : 0);
    }
    return batch;
}

} // namespace sb::sim
