#include "ctl/records.h"

#include "ui/common/format.h"
#include "ui/prompts/prompt_models.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

namespace sb::ctl {

QJsonValue isoTime(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

static QString snake(QString s)
{
    return s.replace(QLatin1Char(' '), QLatin1Char('_'))
        .replace(QLatin1Char('-'), QLatin1Char('_'));
}

QJsonObject routeRecord(const Route &r)
{
    QJsonArray fallbacks;
    for (const auto &f : r.fallbacks)
        fallbacks.append(QJsonObject{
            {"model", f.model}, {"enabled", f.enabled}, {"reverts_at", isoTime(f.revertMs)}});
    QJsonArray served;
    for (const auto &s : r.recentlyServed) {
        QJsonObject o{{"model", s.model},
                      {"reason", toString(s.reason)},
                      {"share_10s", s.fraction10s},
                      {"share_60s", s.fraction}};
        if (s.reason == ServedReason::Fallback)
            o.insert("after", s.afterModel);
        if (s.reason == ServedReason::Variant) {
            o.insert("experiment", s.experimentId);
            o.insert("variant", s.variantId);
        }
        served.append(o);
    }
    return {{"name", r.name},
            {"primary", r.primaryModel},
            {"fallbacks", fallbacks},
            {"primary_bypassed", r.primaryBypassed},
            {"bypass_reverts_at", isoTime(r.primaryBypassRevertMs)},
            {"served", served},
            {"etag", r.etag},
            {"updated_by", r.updatedBy},
            {"updated_at", isoTime(r.updatedMs)}};
}

QJsonObject modelRecord(const Model &m)
{
    return {{"name", m.name},
            {"enabled", m.enabled},
            {"reverts_at", isoTime(m.revertMs)},
            {"circuit", toString(m.circuit)},
            {"cooldown_until", isoTime(m.cooldownUntilMs)},
            {"error_rate", m.recentErrorRate},
            {"input_cost_per_1k", m.inputCostPer1k},
            {"output_cost_per_1k", m.outputCostPer1k},
            {"etag", m.etag},
            {"updated_by", m.updatedBy},
            {"updated_at", isoTime(m.updatedMs)}};
}

QJsonObject promptRecord(const Prompt &p)
{
    QJsonArray labels;
    for (const auto &l : p.labels)
        labels.append(QJsonObject{{"name", l.name},
                                  {"version", qint64(l.version)},
                                  {"updated_by", l.updatedBy},
                                  {"updated_at", isoTime(l.updatedMs)}});
    return {{"name", p.name},
            {"description", p.description},
            {"latest_version", qint64(p.latestVersion)},
            {"labels", labels},
            {"etag", p.etag},
            {"updated_at", isoTime(p.updatedMs)}};
}

QJsonObject versionRecord(const Prompt &p, const PromptVersion &v)
{
    QJsonArray variables;
    for (const auto &x : v.variables)
        variables.append(x.name);
    return {{"prompt", v.promptName},
            {"version", qint64(v.version)},
            {"parent", qint64(v.parentVersion)},
            {"labels", QJsonArray::fromStringList(labelsAt(p, v.version))},
            {"model", v.model},
            {"author", v.author},
            {"message", v.message},
            {"variables", variables},
            {"created_at", isoTime(v.createdMs)},
            {"template", v.templateText}};
}

QJsonObject experimentRecord(const Experiment &e)
{
    QJsonArray variants;
    for (const auto &v : e.variants)
        variants.append(QJsonObject{{"id", v.id},
                                    {"name", v.name},
                                    {"prompt", v.promptName},
                                    {"prompt_version", qint64(v.promptVersion)},
                                    {"model", v.model},
                                    {"weight", qint64(v.weight)}});
    QJsonArray guardrails;
    for (Metric m : e.guardrails)
        guardrails.append(snake(toString(m)));
    return {{"id", e.id},
            {"name", e.name},
            {"state", toString(e.state)},
            {"route", e.route},
            {"primary_metric", snake(toString(e.primaryMetric))},
            {"guardrails", guardrails},
            {"variants", variants},
            {"etag", e.etag},
            {"started_at", isoTime(e.startedMs)},
            {"updated_at", isoTime(e.updatedMs)}};
}

QJsonObject variantResultRecord(const Experiment &e, const Variant &v,
                                const ExperimentResults &results, const Analysis &analysis)
{
    const VariantResults *r = results.variant(v.id);
    const VariantAnalysis *a = analysis.variant(v.id);
    QJsonObject o{{"experiment", e.id},
                  {"variant", v.id},
                  {"name", v.name},
                  {"control", a && a->control},
                  {"exposures", qint64(r ? r->exposures : 0)},
                  {"successes", qint64(r ? r->successes : 0)},
                  {"errors", qint64(r ? r->errors : 0)},
                  {"cost_usd", r ? r->costUsd : 0.0}};
    if (a) {
        o.insert("success_rate",
                 a->successRate.available ? QJsonValue(a->successRate.value) : QJsonValue::Null);
        o.insert("latency_p50_ms", a->p50.n ? QJsonValue(a->p50.value) : QJsonValue::Null);
        o.insert("latency_p95_ms", a->p95.n ? QJsonValue(a->p95.value) : QJsonValue::Null);
        o.insert("vs_control", a->control ? QJsonValue::Null : QJsonValue(a->primary.text));
    }
    o.insert("decision", toString(analysis.decision));
    o.insert("winner", analysis.winnerId == v.id);
    return o;
}

QJsonObject auditRecord(const AuditModel::Row &row)
{
    return {{"time", isoTime(row.timeMs)},
            {"source", row.local ? "local" : "service"},
            {"actor", row.actor},
            {"action", row.action},
            {"target", row.target},
            {"old", row.oldValue},
            {"new", row.newValue},
            {"reason", row.reason},
            {"outcome", row.outcome},
            {"request_id", row.requestId},
            {"id", row.id}};
}

QJsonObject drillRecord(const Drill &d)
{
    return {{"id", d.id},
            {"model", d.model},
            {"kind", snake(toString(d.kind))},
            {"magnitude", d.magnitude},
            {"started_at", isoTime(d.startMs)},
            {"ends_at", isoTime(d.endMs)}};
}

QJsonObject latencyRecord(const QString &route, const SeriesPoint &p)
{
    return {{"route", route},
            {"time", isoTime(p.timeMs)},
            {"count", qint64(p.count)},
            {"errors", qint64(p.errors)},
            {"fallbacks", qint64(p.fallbacks)},
            {"p50_ms", p.latencyCount ? QJsonValue(double(p.p50)) : QJsonValue::Null},
            {"p95_ms", p.latencyCount ? QJsonValue(double(p.p95)) : QJsonValue::Null},
            {"p99_ms", p.latencyCount ? QJsonValue(double(p.p99)) : QJsonValue::Null},
            {"ttft_p50_ms", p.ttftCount ? QJsonValue(double(p.ttftP50)) : QJsonValue::Null}};
}

static QString percent(const QJsonValue &v)
{
    return v.isDouble() ? formatPercent(v.toDouble(), 1) : QStringLiteral("-");
}

std::vector<Column> routeColumns()
{
    return {{"name", "ROUTE"},
            {"primary", "PRIMARY"},
            {"fallbacks", "FALLBACKS",
             [](const QJsonObject &o) {
                 QStringList parts;
                 for (const QJsonValue &f : o.value("fallbacks").toArray())
                     parts << QStringLiteral("%1(%2)").arg(
                         f["model"].toString(),
                         f["enabled"].toBool() ? QStringLiteral("on") : QStringLiteral("off"));
                 return parts.isEmpty() ? QStringLiteral("-") : parts.join(QLatin1Char(' '));
             }},
            {"primary_bypassed", "FORCED"},
            {"updated_by", "UPDATED BY"},
            // Last (it is the widest): who served the last 10 s, per model.
            {"served", "SERVING (10s)", [](const QJsonObject &o) {
                 QStringList models;
                 QHash<QString, double> share;
                 QHash<QString, QStringList> why;
                 for (const QJsonValue &s : o.value("served").toArray()) {
                     const QString m = s["model"].toString();
                     if (!models.contains(m))
                         models << m;
                     share[m] += s["share_10s"].toDouble();
                     if (!why[m].contains(s["reason"].toString()))
                         why[m] << s["reason"].toString();
                 }
                 QStringList parts;
                 for (const QString &m : models) {
                     if (share[m] >= 0.005)
                         parts << QStringLiteral("%1 %2 (%3)")
                                      .arg(m, formatPercent(share[m], 0),
                                           why[m].join(QLatin1Char('+')));
                 }
                 return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
             }}};
}

std::vector<Column> modelColumns()
{
    return {{"name", "MODEL"},
            {"enabled", "ENABLED"},
            {"circuit", "CIRCUIT"},
            {"error_rate", "ERRORS", [](const QJsonObject &o) { return percent(o["error_rate"]); }},
            {"reverts_at", "REVERTS AT"},
            {"updated_by", "UPDATED BY"}};
}

std::vector<Column> promptColumns()
{
    return {{"name", "PROMPT"},
            {"latest_version", "LATEST"},
            {"labels", "LABELS",
             [](const QJsonObject &o) {
                 QStringList parts;
                 for (const QJsonValue &l : o.value("labels").toArray())
                     parts << QStringLiteral("%1=v%2")
                                  .arg(l["name"].toString())
                                  .arg(l["version"].toInteger());
                 return parts.isEmpty() ? QStringLiteral("-") : parts.join(QLatin1Char(' '));
             }},
            {"description", "DESCRIPTION"}};
}

std::vector<Column> versionColumns()
{
    return {{"version", "VERSION"}, {"parent", "PARENT"}, {"labels", "LABELS"},
            {"model", "MODEL"},     {"author", "AUTHOR"}, {"created_at", "CREATED"},
            {"message", "MESSAGE"}};
}

std::vector<Column> experimentColumns()
{
    return {{"id", "ID"},
            {"name", "NAME"},
            {"state", "STATE"},
            {"route", "ROUTE"},
            {"primary_metric", "METRIC"},
            {"variants", "VARIANTS (weight)", [](const QJsonObject &o) {
                 QStringList parts;
                 for (const QJsonValue &v : o.value("variants").toArray())
                     parts << QStringLiteral("%1(%2)")
                                  .arg(v["name"].toString())
                                  .arg(v["weight"].toInteger());
                 return parts.join(QLatin1Char(' '));
             }}};
}

std::vector<Column> resultColumns()
{
    return {{"name", "VARIANT"},
            {"control", "CONTROL"},
            {"exposures", "EXPOSURES"},
            {"success_rate", "SUCCESS",
             [](const QJsonObject &o) { return percent(o["success_rate"]); }},
            {"latency_p95_ms", "P95 MS"},
            {"vs_control", "VS CONTROL"},
            {"winner", "WINNER"}};
}

std::vector<Column> auditColumns()
{
    return {{"time", "TIME"},
            {"source", "SOURCE"},
            {"actor", "ACTOR"},
            {"action", "ACTION"},
            {"target", "TARGET"},
            {"new", "CHANGE",
             [](const QJsonObject &o) {
                 return QStringLiteral("%1 → %2").arg(o["old"].toString(), o["new"].toString());
             }},
            {"reason", "REASON"},
            {"outcome", "OUTCOME"}};
}

std::vector<Column> drillColumns()
{
    return {{"id", "ID"},
            {"model", "MODEL"},
            {"kind", "KIND"},
            {"magnitude", "MAGNITUDE"},
            {"ends_at", "ENDS AT"}};
}

std::vector<Column> latencyColumns()
{
    return {{"time", "TIME"},           {"count", "REQUESTS"}, {"errors", "ERRORS"},
            {"fallbacks", "FALLBACKS"}, {"p50_ms", "P50 MS"},  {"p95_ms", "P95 MS"},
            {"p99_ms", "P99 MS"}};
}

QString fieldsHelp()
{
    return QStringLiteral(R"(Fields of -o json / -o yaml (stable; times ISO 8601 UTC or null,
shares and rates fractions 0..1, latencies in ms). A list prints as
{"<kind>": [...], "stale": bool, "fetched_at": time}.

routes:      name primary fallbacks[{model enabled reverts_at}] primary_bypassed
             bypass_reverts_at served[{model reason share_10s share_60s after
             experiment variant}] etag updated_by updated_at
models:      name enabled reverts_at circuit cooldown_until error_rate
             input_cost_per_1k output_cost_per_1k etag updated_by updated_at
prompts:     name description latest_version labels[{name version updated_by
             updated_at}] etag updated_at
versions:    prompt version parent labels[] model author message variables[]
             created_at template
diff:        prompt from to identical added removed changed
             lines[{op: same|added|removed|changed, old, new}]
experiments: id name state route primary_metric guardrails[] variants[{id name
             prompt prompt_version model weight}] etag started_at updated_at
results:     experiment variant name control exposures successes errors cost_usd
             success_rate latency_p50_ms latency_p95_ms vs_control decision winner
latency:     route time count errors fallbacks p50_ms p95_ms p99_ms ttft_p50_ms
             (one row per minute, merged from per-second points)
audit:       time source(service|local) actor action target old new reason
             outcome request_id id key (id, or request_id for a local row)
drills:      id model kind magnitude started_at ends_at
writes:      {"result": "applied"|"unchanged", "change": {kind target title old new
             reason request_id reverts_after_s}, "audit_id", "actor"}
conflict:    {"result": "conflict", "change": {...}, "conflict": {updated_by
             updated_at description}}  (exit code 5)
--watch:     one JSON object a line: {"event": "initial"|"added"|"changed"|"removed",
             "time", "<kind>": {...}} with <kind> route, model, prompt, version,
             experiment, result or entry (audit); latency: {"event": "second",
             "latency": {...}}
)");
}

} // namespace sb::ctl
