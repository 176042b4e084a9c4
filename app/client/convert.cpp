#include "client/convert.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb::convert {

namespace v1 = switchboard::v1;

qint64 toMs(const google::protobuf::Timestamp &t)
{
    // The service may send any seconds (a Conflict trailer's update_time with
    // seconds near 2^63 overflowed here, found with tests/fuzz/conflict_fuzz):
    // saturate to what milliseconds can hold.
    constexpr qint64 kMaxSeconds = std::numeric_limits<qint64>::max() / 1000 - 1;
    const qint64 seconds = std::clamp<qint64>(t.seconds(), -kMaxSeconds, kMaxSeconds);
    return seconds * 1000 + t.nanos() / 1000000;
}

void fromMs(qint64 ms, google::protobuf::Timestamp *t)
{
    t->set_seconds(ms / 1000);
    t->set_nanos(int((ms % 1000) * 1000000));
}

QString str(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

ModelParams toCore(const v1::ModelParameters &p)
{
    ModelParams m;
    if (p.has_temperature())
        m.temperature = p.temperature();
    if (p.has_top_p())
        m.topP = p.top_p();
    if (p.has_max_output_tokens())
        m.maxOutputTokens = p.max_output_tokens();
    return m;
}

Prompt toCore(const v1::Prompt &p)
{
    Prompt out;
    out.name = str(p.name());
    out.description = str(p.description());
    out.latestVersion = p.latest_version();
    for (const auto &l : p.labels())
        out.labels.push_back(
            {str(l.name()), l.version(), toMs(l.update_time()), str(l.updated_by())});
    out.etag = str(p.etag());
    out.createdMs = toMs(p.create_time());
    out.updatedMs = toMs(p.update_time());
    return out;
}

PromptVersion toCore(const v1::PromptVersion &v)
{
    PromptVersion out;
    out.promptName = str(v.prompt_name());
    out.version = v.version();
    out.templateText = str(v.template_());
    out.model = str(v.model());
    out.params = toCore(v.parameters());
    for (const auto &var : v.variables())
        out.variables.push_back(
            {str(var.name()), str(var.description()), var.required(), str(var.default_value())});
    out.author = str(v.author());
    out.message = str(v.message());
    out.parentVersion = v.parent_version();
    out.createdMs = toMs(v.create_time());
    return out;
}

static ExperimentState toCore(v1::ExperimentState s)
{
    switch (s) {
    case v1::EXPERIMENT_STATE_DRAFT:
        return ExperimentState::Draft;
    case v1::EXPERIMENT_STATE_RUNNING:
        return ExperimentState::Running;
    case v1::EXPERIMENT_STATE_PAUSED:
        return ExperimentState::Paused;
    case v1::EXPERIMENT_STATE_STOPPED:
        return ExperimentState::Stopped;
    default:
        return ExperimentState::Unspecified;
    }
}

static Metric toCoreMetric(int m)
{
    switch (m) {
    case v1::METRIC_SUCCESS_RATE:
        return Metric::SuccessRate;
    case v1::METRIC_LATENCY:
        return Metric::Latency;
    case v1::METRIC_TIME_TO_FIRST_TOKEN:
        return Metric::TimeToFirstToken;
    case v1::METRIC_COST:
        return Metric::Cost;
    case v1::METRIC_PREFERENCE:
        return Metric::Preference;
    case v1::METRIC_RATING:
        return Metric::Rating;
    case v1::METRIC_HALLUCINATION_RATE:
        return Metric::HallucinationRate;
    default:
        return Metric::Unspecified;
    }
}

Experiment toCore(const v1::Experiment &e)
{
    Experiment out;
    out.id = str(e.id());
    out.name = str(e.name());
    out.description = str(e.description());
    out.state = toCore(e.state());
    for (const auto &v : e.variants()) {
        out.variants.push_back({str(v.id()), str(v.name()), str(v.prompt_name()),
                                v.prompt_version(), str(v.model()), toCore(v.parameters()),
                                v.weight()});
    }
    out.primaryMetric = toCoreMetric(e.primary_metric());
    for (int m : e.guardrail_metrics())
        out.guardrails.push_back(toCoreMetric(m));
    out.etag = str(e.etag());
    out.route = str(e.route());
    out.createdMs = toMs(e.create_time());
    out.updatedMs = toMs(e.update_time());
    out.startedMs = toMs(e.start_time());
    return out;
}

v1::ExperimentState toWire(ExperimentState s)
{
    switch (s) {
    case ExperimentState::Draft:
        return v1::EXPERIMENT_STATE_DRAFT;
    case ExperimentState::Running:
        return v1::EXPERIMENT_STATE_RUNNING;
    case ExperimentState::Paused:
        return v1::EXPERIMENT_STATE_PAUSED;
    case ExperimentState::Stopped:
        return v1::EXPERIMENT_STATE_STOPPED;
    case ExperimentState::Unspecified:
        break;
    }
    return v1::EXPERIMENT_STATE_UNSPECIFIED;
}

v1::Metric toWire(Metric m)
{
    switch (m) {
    case Metric::SuccessRate:
        return v1::METRIC_SUCCESS_RATE;
    case Metric::Latency:
        return v1::METRIC_LATENCY;
    case Metric::TimeToFirstToken:
        return v1::METRIC_TIME_TO_FIRST_TOKEN;
    case Metric::Cost:
        return v1::METRIC_COST;
    case Metric::Preference:
        return v1::METRIC_PREFERENCE;
    case Metric::Rating:
        return v1::METRIC_RATING;
    case Metric::HallucinationRate:
        return v1::METRIC_HALLUCINATION_RATE;
    case Metric::Unspecified:
        break;
    }
    return v1::METRIC_UNSPECIFIED;
}

void toWire(const Experiment &e, v1::Experiment *out)
{
    out->set_id(e.id.toStdString());
    out->set_name(e.name.toStdString());
    out->set_description(e.description.toStdString());
    out->set_state(toWire(e.state));
    out->set_route(e.route.toStdString());
    for (const Variant &v : e.variants) {
        auto *w = out->add_variants();
        w->set_id(v.id.toStdString());
        w->set_name(v.name.toStdString());
        w->set_prompt_name(v.promptName.toStdString());
        w->set_prompt_version(v.promptVersion);
        w->set_model(v.model.toStdString());
        w->set_weight(v.weight);
        if (v.params.temperature)
            w->mutable_parameters()->set_temperature(*v.params.temperature);
        if (v.params.topP)
            w->mutable_parameters()->set_top_p(*v.params.topP);
        if (v.params.maxOutputTokens)
            w->mutable_parameters()->set_max_output_tokens(*v.params.maxOutputTokens);
    }
    out->set_primary_metric(toWire(e.primaryMetric));
    for (Metric m : e.guardrails)
        out->add_guardrail_metrics(toWire(m));
}

LatencySketch toCore(const v1::LatencySketch &s)
{
    if (s.count() == 0)
        return LatencySketch(s.scale() >= LatencySketch::kMinScale &&
                                     s.scale() <= LatencySketch::kMaxScale
                                 ? s.scale()
                                 : LatencySketch::kDefaultScale);
    const std::vector<uint64_t> counts(s.bucket_counts().begin(), s.bucket_counts().end());
    auto sketch = LatencySketch::fromParts(s.scale(), s.zero_count(), s.offset(), counts, s.count(),
                                           s.sum(), s.min(), s.max());
    return sketch ? std::move(*sketch) : LatencySketch();
}

ExperimentResults toCore(const v1::ExperimentResults &r)
{
    ExperimentResults out;
    out.experimentId = str(r.experiment_id());
    out.timeMs = toMs(r.time());
    out.variants.reserve(std::size_t(r.variants_size()));
    for (const auto &v : r.variants()) {
        VariantResults x;
        x.variantId = str(v.variant_id());
        x.exposures = v.exposures();
        x.successes = v.successes();
        x.errors = v.errors();
        x.latency = toCore(v.latency());
        x.ttft = toCore(v.time_to_first_token());
        x.costUsd = std::isfinite(v.cost_usd()) ? v.cost_usd() : 0.0;
        x.preferenceWins = v.preference_wins();
        x.preferenceTotal = v.preference_total();
        x.ratingCount = v.rating_count();
        x.ratingSum = v.rating_sum();
        x.hallucinationFlags = v.hallucination_flags();
        out.variants.push_back(std::move(x));
    }
    return out;
}

static double durationMs(const google::protobuf::Duration &d)
{
    return double(d.seconds()) * 1000.0 + double(d.nanos()) / 1e6;
}

VariantSummary toCore(const v1::VariantSummary &s)
{
    VariantSummary out;
    out.variantId = str(s.variant_id());
    out.servedModel = str(s.served_model());
    out.latencyMs = durationMs(s.latency());
    out.ttftMs = durationMs(s.time_to_first_token());
    out.inputTokens = s.input_tokens();
    out.outputTokens = s.output_tokens();
    out.costUsd = std::isfinite(s.cost_usd()) ? s.cost_usd() : 0.0;
    out.status = rpcCodeFromInt(s.status_code());
    out.error = str(s.error_message());
    return out;
}

ServedShare toCore(const v1::ServedShare &s)
{
    ServedShare out;
    out.model = str(s.model());
    out.fraction = s.fraction();
    switch (s.reason()) {
    case v1::SERVED_REASON_PRIMARY:
        out.reason = ServedReason::Primary;
        break;
    case v1::SERVED_REASON_FALLBACK:
        out.reason = ServedReason::Fallback;
        break;
    case v1::SERVED_REASON_VARIANT:
        out.reason = ServedReason::Variant;
        break;
    default:
        out.reason = ServedReason::Unspecified;
    }
    out.fraction10s = s.fraction_10s();
    out.experimentId = str(s.experiment_id());
    out.variantId = str(s.variant_id());
    out.afterModel = str(s.after_model());
    return out;
}

Route toCore(const v1::Route &r)
{
    Route out;
    out.name = str(r.name());
    out.primaryModel = str(r.primary_model());
    for (const auto &f : r.fallbacks())
        out.fallbacks.push_back({str(f.model()), f.enabled(), toMs(f.revert_time())});
    for (const auto &s : r.recently_served())
        out.recentlyServed.push_back(toCore(s));
    out.etag = str(r.etag());
    out.updatedMs = toMs(r.update_time());
    out.updatedBy = str(r.updated_by());
    out.primaryBypassed = r.primary_bypassed();
    out.primaryBypassRevertMs = toMs(r.primary_bypass_revert_time());
    return out;
}

Model toCore(const v1::Model &m)
{
    Model out;
    out.name = str(m.name());
    out.enabled = m.enabled();
    switch (m.circuit()) {
    case v1::CIRCUIT_STATE_CLOSED:
        out.circuit = CircuitState::Closed;
        break;
    case v1::CIRCUIT_STATE_OPEN:
        out.circuit = CircuitState::Open;
        break;
    case v1::CIRCUIT_STATE_HALF_OPEN:
        out.circuit = CircuitState::HalfOpen;
        break;
    default:
        out.circuit = CircuitState::Unknown;
    }
    out.cooldownUntilMs = toMs(m.cooldown_until());
    out.revertMs = toMs(m.revert_time());
    out.etag = str(m.etag());
    out.inputCostPer1k = m.input_cost_per_1k();
    out.outputCostPer1k = m.output_cost_per_1k();
    out.recentErrorRate = m.recent_error_rate();
    out.updatedMs = toMs(m.update_time());
    out.updatedBy = str(m.updated_by());
    return out;
}

AuditEvent toCore(const v1::AuditEvent &a)
{
    AuditEvent out;
    out.id = str(a.id());
    out.timeMs = toMs(a.time());
    out.actor = str(a.actor());
    out.role = str(a.role());
    out.action = str(a.action());
    out.target = str(a.target());
    out.oldValue = str(a.old_value());
    out.newValue = str(a.new_value());
    out.reason = str(a.reason());
    out.requestId = str(a.request_id());
    return out;
}

DrillKind toCore(switchboard::sim::v1::DrillKind k)
{
    switch (k) {
    case switchboard::sim::v1::DRILL_KIND_OUTAGE:
        return DrillKind::Outage;
    case switchboard::sim::v1::DRILL_KIND_LATENCY_SPIKE:
        return DrillKind::LatencySpike;
    case switchboard::sim::v1::DRILL_KIND_ERROR_BURST:
        return DrillKind::ErrorBurst;
    default:
        return DrillKind::Unspecified;
    }
}

switchboard::sim::v1::DrillKind toWire(DrillKind k)
{
    switch (k) {
    case DrillKind::Outage:
        return switchboard::sim::v1::DRILL_KIND_OUTAGE;
    case DrillKind::LatencySpike:
        return switchboard::sim::v1::DRILL_KIND_LATENCY_SPIKE;
    case DrillKind::ErrorBurst:
        return switchboard::sim::v1::DRILL_KIND_ERROR_BURST;
    case DrillKind::Unspecified:
        break;
    }
    return switchboard::sim::v1::DRILL_KIND_UNSPECIFIED;
}

Drill toCore(const switchboard::sim::v1::Drill &d)
{
    Drill out;
    out.id = str(d.id());
    out.model = str(d.model());
    out.kind = toCore(d.kind());
    out.magnitude = d.magnitude();
    out.startMs = toMs(d.start_time());
    out.endMs = toMs(d.end_time());
    return out;
}

std::optional<ConflictInfo> decodeConflict(const char *data, std::size_t size)
{
    v1::Conflict c;
    if (size > std::size_t(std::numeric_limits<int>::max()) || !c.ParseFromArray(data, int(size)))
        return std::nullopt;
    ConflictInfo info;
    info.currentEtag = str(c.current_etag());
    info.updatedBy = str(c.updated_by());
    info.updatedMs = toMs(c.update_time());
    switch (c.current_case()) {
    case v1::Conflict::kPrompt:
        info.current = toCore(c.prompt());
        break;
    case v1::Conflict::kExperiment:
        info.current = toCore(c.experiment());
        break;
    case v1::Conflict::kRoute:
        info.current = toCore(c.route());
        break;
    case v1::Conflict::kModel:
        info.current = toCore(c.model());
        break;
    default:
        break;
    }
    return info;
}

RpcError toError(const grpc::Status &status, const grpc::ClientContext &ctx)
{
    RpcError err;
    err.code = rpcCodeFromInt(int(status.error_code()));
    err.message = str(status.error_message());
    if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION)
        return err;
    const auto &trailers = ctx.GetServerTrailingMetadata();
    auto it = trailers.find("switchboard-conflict-bin");
    if (it == trailers.end())
        return err;
    // A malformed trailer is ignored: the error itself still stands.
    err.conflict = decodeConflict(it->second.data(), it->second.size());
    return err;
}

} // namespace sb::convert
