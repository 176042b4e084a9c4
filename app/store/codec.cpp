#include "store/codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sb::store {

namespace {

QString toText(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString toText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonArray arrayFrom(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).array();
}

QJsonObject objectFrom(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

quint32 toU32(const QJsonValue &v)
{
    return quint32(v.toInteger());
}

QJsonObject paramsObject(const ModelParams &p)
{
    // Absent keys keep "not set" apart from 0.
    QJsonObject o;
    if (p.temperature)
        o.insert(QLatin1String("temperature"), *p.temperature);
    if (p.topP)
        o.insert(QLatin1String("topP"), *p.topP);
    if (p.maxOutputTokens)
        o.insert(QLatin1String("maxOutputTokens"), qint64(*p.maxOutputTokens));
    return o;
}

ModelParams paramsFrom(const QJsonObject &o)
{
    ModelParams p;
    if (o.contains(QLatin1String("temperature")))
        p.temperature = o.value(QLatin1String("temperature")).toDouble();
    if (o.contains(QLatin1String("topP")))
        p.topP = o.value(QLatin1String("topP")).toDouble();
    if (o.contains(QLatin1String("maxOutputTokens")))
        p.maxOutputTokens = toU32(o.value(QLatin1String("maxOutputTokens")));
    return p;
}

} // namespace

QString encodeLabels(const std::vector<PromptLabel> &labels)
{
    QJsonArray a;
    for (const PromptLabel &l : labels) {
        a.append(QJsonObject{{QLatin1String("name"), l.name},
                             {QLatin1String("version"), qint64(l.version)},
                             {QLatin1String("updatedMs"), l.updatedMs},
                             {QLatin1String("updatedBy"), l.updatedBy}});
    }
    return toText(a);
}

std::vector<PromptLabel> decodeLabels(const QString &json)
{
    std::vector<PromptLabel> out;
    for (const QJsonValue &v : arrayFrom(json)) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value(QLatin1String("name")).toString(),
                       toU32(o.value(QLatin1String("version"))),
                       o.value(QLatin1String("updatedMs")).toInteger(),
                       o.value(QLatin1String("updatedBy")).toString()});
    }
    return out;
}

QString encodeParams(const ModelParams &params)
{
    return toText(paramsObject(params));
}

ModelParams decodeParams(const QString &json)
{
    return paramsFrom(objectFrom(json));
}

QString encodeVariables(const std::vector<PromptVariable> &variables)
{
    QJsonArray a;
    for (const PromptVariable &v : variables) {
        a.append(QJsonObject{{QLatin1String("name"), v.name},
                             {QLatin1String("description"), v.description},
                             {QLatin1String("required"), v.required},
                             {QLatin1String("defaultValue"), v.defaultValue}});
    }
    return toText(a);
}

std::vector<PromptVariable> decodeVariables(const QString &json)
{
    std::vector<PromptVariable> out;
    for (const QJsonValue &v : arrayFrom(json)) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value(QLatin1String("name")).toString(),
                       o.value(QLatin1String("description")).toString(),
                       o.value(QLatin1String("required")).toBool(),
                       o.value(QLatin1String("defaultValue")).toString()});
    }
    return out;
}

QString encodeVariants(const std::vector<Variant> &variants)
{
    QJsonArray a;
    for (const Variant &v : variants) {
        a.append(QJsonObject{{QLatin1String("id"), v.id},
                             {QLatin1String("name"), v.name},
                             {QLatin1String("promptName"), v.promptName},
                             {QLatin1String("promptVersion"), qint64(v.promptVersion)},
                             {QLatin1String("model"), v.model},
                             {QLatin1String("params"), paramsObject(v.params)},
                             {QLatin1String("weight"), qint64(v.weight)}});
    }
    return toText(a);
}

std::vector<Variant> decodeVariants(const QString &json)
{
    std::vector<Variant> out;
    for (const QJsonValue &value : arrayFrom(json)) {
        const QJsonObject o = value.toObject();
        Variant v;
        v.id = o.value(QLatin1String("id")).toString();
        v.name = o.value(QLatin1String("name")).toString();
        v.promptName = o.value(QLatin1String("promptName")).toString();
        v.promptVersion = toU32(o.value(QLatin1String("promptVersion")));
        v.model = o.value(QLatin1String("model")).toString();
        v.params = paramsFrom(o.value(QLatin1String("params")).toObject());
        v.weight = toU32(o.value(QLatin1String("weight")));
        out.push_back(std::move(v));
    }
    return out;
}

QString encodeMetrics(const std::vector<Metric> &metrics)
{
    QJsonArray a;
    for (Metric m : metrics)
        a.append(metricCode(m));
    return toText(a);
}

std::vector<Metric> decodeMetrics(const QString &json)
{
    std::vector<Metric> out;
    for (const QJsonValue &v : arrayFrom(json))
        out.push_back(metricFromCode(v.toInteger()));
    return out;
}

QString encodeFallbacks(const std::vector<FallbackStep> &steps)
{
    QJsonArray a;
    for (const FallbackStep &s : steps) {
        a.append(QJsonObject{{QLatin1String("model"), s.model},
                             {QLatin1String("enabled"), s.enabled},
                             {QLatin1String("revertMs"), s.revertMs}});
    }
    return toText(a);
}

std::vector<FallbackStep> decodeFallbacks(const QString &json)
{
    std::vector<FallbackStep> out;
    for (const QJsonValue &v : arrayFrom(json)) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value(QLatin1String("model")).toString(),
                       o.value(QLatin1String("enabled")).toBool(true),
                       o.value(QLatin1String("revertMs")).toInteger()});
    }
    return out;
}

QString encodeServed(const std::vector<ServedShare> &shares)
{
    QJsonArray a;
    for (const ServedShare &s : shares) {
        a.append(QJsonObject{{QLatin1String("model"), s.model},
                             {QLatin1String("fraction"), s.fraction},
                             {QLatin1String("reason"), servedReasonCode(s.reason)},
                             {QLatin1String("fraction10s"), s.fraction10s},
                             {QLatin1String("experimentId"), s.experimentId},
                             {QLatin1String("variantId"), s.variantId},
                             {QLatin1String("afterModel"), s.afterModel}});
    }
    return toText(a);
}

std::vector<ServedShare> decodeServed(const QString &json)
{
    std::vector<ServedShare> out;
    for (const QJsonValue &v : arrayFrom(json)) {
        const QJsonObject o = v.toObject();
        ServedShare share;
        share.model = o.value(QLatin1String("model")).toString();
        share.fraction = o.value(QLatin1String("fraction")).toDouble();
        // Rows written before the reason existed read as Unspecified.
        share.reason = servedReasonFromCode(o.value(QLatin1String("reason")).toInteger());
        share.fraction10s = o.value(QLatin1String("fraction10s")).toDouble();
        share.experimentId = o.value(QLatin1String("experimentId")).toString();
        share.variantId = o.value(QLatin1String("variantId")).toString();
        share.afterModel = o.value(QLatin1String("afterModel")).toString();
        out.push_back(std::move(share));
    }
    return out;
}

// Stored codes. Never renumber; add new values at the end.

QString encodeStringMap(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.begin(); it != map.end(); ++it)
        o.insert(it.key(), it.value());
    return toText(o);
}

QMap<QString, QString> decodeStringMap(const QString &json)
{
    QMap<QString, QString> out;
    const QJsonObject o = objectFrom(json);
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

QString encodeStringList(const QStringList &list)
{
    return toText(QJsonArray::fromStringList(list));
}

QStringList decodeStringList(const QString &json)
{
    QStringList out;
    for (const QJsonValue &v : arrayFrom(json))
        out << v.toString();
    return out;
}

QString encodeArenaOutputs(const std::vector<ArenaOutput> &outputs)
{
    QJsonArray a;
    for (const ArenaOutput &o : outputs) {
        const VariantSummary &s = o.summary;
        a.append(QJsonObject{{QLatin1String("variant"), o.variantId},
                             {QLatin1String("name"), o.variantName},
                             {QLatin1String("label"), o.label},
                             {QLatin1String("text"), o.text},
                             {QLatin1String("finished"), o.finished},
                             {QLatin1String("client_ttft_ms"), o.clientTtftMs},
                             {QLatin1String("served_model"), s.servedModel},
                             {QLatin1String("latency_ms"), s.latencyMs},
                             {QLatin1String("ttft_ms"), s.ttftMs},
                             {QLatin1String("input_tokens"), qint64(s.inputTokens)},
                             {QLatin1String("output_tokens"), qint64(s.outputTokens)},
                             {QLatin1String("cost_usd"), s.costUsd},
                             {QLatin1String("status"), int(s.status)},
                             {QLatin1String("error"), s.error}});
    }
    return toText(a);
}

std::vector<ArenaOutput> decodeArenaOutputs(const QString &json)
{
    std::vector<ArenaOutput> out;
    for (const QJsonValue &v : arrayFrom(json)) {
        const QJsonObject o = v.toObject();
        ArenaOutput x;
        x.variantId = o.value(QLatin1String("variant")).toString();
        x.variantName = o.value(QLatin1String("name")).toString();
        x.label = o.value(QLatin1String("label")).toString();
        x.text = o.value(QLatin1String("text")).toString();
        x.finished = o.value(QLatin1String("finished")).toBool();
        x.clientTtftMs = o.value(QLatin1String("client_ttft_ms")).toDouble();
        VariantSummary &s = x.summary;
        s.variantId = x.variantId;
        s.servedModel = o.value(QLatin1String("served_model")).toString();
        s.latencyMs = o.value(QLatin1String("latency_ms")).toDouble();
        s.ttftMs = o.value(QLatin1String("ttft_ms")).toDouble();
        s.inputTokens = toU32(o.value(QLatin1String("input_tokens")));
        s.outputTokens = toU32(o.value(QLatin1String("output_tokens")));
        s.costUsd = o.value(QLatin1String("cost_usd")).toDouble();
        s.status = rpcCodeFromInt(o.value(QLatin1String("status")).toInt());
        s.error = o.value(QLatin1String("error")).toString();
        out.push_back(std::move(x));
    }
    return out;
}

int arenaVoteCode(ArenaVote vote)
{
    switch (vote) {
    case ArenaVote::None:
        return 0;
    case ArenaVote::Prefer:
        return 1;
    case ArenaVote::Tie:
        return 2;
    case ArenaVote::AllBad:
        return 3;
    }
    return 0;
}

ArenaVote arenaVoteFromCode(qint64 code)
{
    switch (code) {
    case 1:
        return ArenaVote::Prefer;
    case 2:
        return ArenaVote::Tie;
    case 3:
        return ArenaVote::AllBad;
    default:
        return ArenaVote::None;
    }
}

int experimentStateCode(ExperimentState state)
{
    switch (state) {
    case ExperimentState::Unspecified:
        return 0;
    case ExperimentState::Draft:
        return 1;
    case ExperimentState::Running:
        return 2;
    case ExperimentState::Paused:
        return 3;
    case ExperimentState::Stopped:
        return 4;
    }
    return 0;
}

ExperimentState experimentStateFromCode(qint64 code)
{
    switch (code) {
    case 1:
        return ExperimentState::Draft;
    case 2:
        return ExperimentState::Running;
    case 3:
        return ExperimentState::Paused;
    case 4:
        return ExperimentState::Stopped;
    default:
        return ExperimentState::Unspecified;
    }
}

int metricCode(Metric metric)
{
    switch (metric) {
    case Metric::Unspecified:
        return 0;
    case Metric::SuccessRate:
        return 1;
    case Metric::Latency:
        return 2;
    case Metric::TimeToFirstToken:
        return 3;
    case Metric::Cost:
        return 4;
    case Metric::Preference:
        return 5;
    case Metric::Rating:
        return 6;
    case Metric::HallucinationRate:
        return 7;
    }
    return 0;
}

Metric metricFromCode(qint64 code)
{
    switch (code) {
    case 1:
        return Metric::SuccessRate;
    case 2:
        return Metric::Latency;
    case 3:
        return Metric::TimeToFirstToken;
    case 4:
        return Metric::Cost;
    case 5:
        return Metric::Preference;
    case 6:
        return Metric::Rating;
    case 7:
        return Metric::HallucinationRate;
    default:
        return Metric::Unspecified;
    }
}

int circuitCode(CircuitState state)
{
    switch (state) {
    case CircuitState::Unknown:
        return 0;
    case CircuitState::Closed:
        return 1;
    case CircuitState::Open:
        return 2;
    case CircuitState::HalfOpen:
        return 3;
    }
    return 0;
}

CircuitState circuitFromCode(qint64 code)
{
    switch (code) {
    case 1:
        return CircuitState::Closed;
    case 2:
        return CircuitState::Open;
    case 3:
        return CircuitState::HalfOpen;
    default:
        return CircuitState::Unknown;
    }
}

// The values files already hold (they were the enum's order when first written).
int servedReasonCode(ServedReason reason)
{
    switch (reason) {
    case ServedReason::Unspecified:
        return 0;
    case ServedReason::Primary:
        return 1;
    case ServedReason::Fallback:
        return 2;
    case ServedReason::Variant:
        return 3;
    }
    return 0;
}

ServedReason servedReasonFromCode(qint64 code)
{
    switch (code) {
    case 1:
        return ServedReason::Primary;
    case 2:
        return ServedReason::Fallback;
    case 3:
        return ServedReason::Variant;
    default:
        return ServedReason::Unspecified;
    }
}

} // namespace sb::store
