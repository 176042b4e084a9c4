#pragma once

// Domain types shared by every layer. Plain values with Qt strings; no gRPC or
// protobuf here: the client layer converts wire messages into these, the store
// persists them, the ui shows them. Times are milliseconds since the Unix epoch
// (UTC), 0 meaning "not set".

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb {

struct ModelParams
{
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<quint32> maxOutputTokens;
    bool operator==(const ModelParams &) const = default;
};

struct PromptLabel
{
    QString name;
    quint32 version = 0;
    qint64 updatedMs = 0;
    QString updatedBy;
    bool operator==(const PromptLabel &) const = default;
};

struct Prompt
{
    QString name;
    QString description;
    quint32 latestVersion = 0;
    std::vector<PromptLabel> labels;
    QString etag;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    bool operator==(const Prompt &) const = default;
};

struct PromptVariable
{
    QString name;
    QString description;
    bool required = false;
    QString defaultValue;
    bool operator==(const PromptVariable &) const = default;
};

struct PromptVersion
{
    QString promptName;
    quint32 version = 0;
    QString templateText;
    QString model;
    ModelParams params;
    std::vector<PromptVariable> variables;
    QString author;
    QString message;
    quint32 parentVersion = 0;
    qint64 createdMs = 0;
    bool operator==(const PromptVersion &) const = default;
};

enum class ExperimentState
{
    Unspecified,
    Draft,
    Running,
    Paused,
    Stopped
};
QString toString(ExperimentState s);

enum class Metric
{
    Unspecified,
    SuccessRate,
    Latency,
    TimeToFirstToken,
    Cost,
    Preference,
    Rating,
    HallucinationRate // share of judged outputs flagged as made up (lower is better)
};
QString toString(Metric m);

struct Variant
{
    QString id;
    QString name;
    QString promptName;
    quint32 promptVersion = 0;
    QString model;
    ModelParams params;
    quint32 weight = 0;
    bool operator==(const Variant &) const = default;
};

struct Experiment
{
    QString id;
    QString name;
    QString description;
    ExperimentState state = ExperimentState::Unspecified;
    std::vector<Variant> variants;
    Metric primaryMetric = Metric::Unspecified;
    std::vector<Metric> guardrails;
    QString etag;
    QString route;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    qint64 startedMs = 0;
    bool operator==(const Experiment &) const = default;
};

enum class CircuitState
{
    Unknown,
    Closed,
    Open,
    HalfOpen
};
QString toString(CircuitState s);

struct FallbackStep
{
    QString model;
    bool enabled = true;
    qint64 revertMs = 0;
    bool operator==(const FallbackStep &) const = default;
};

// Why a model served a share of a route's requests. Experiment traffic is
// Variant unless the variant's own model failed over (then Fallback).
enum class ServedReason
{
    Unspecified,
    Primary,  // as the route's primary, at the first attempt
    Fallback, // after the model before it (afterModel) failed or was skipped
    Variant   // as an experiment variant's model (experimentId, variantId)
};
QString toString(ServedReason r);

// One entry per model and reason (and variant, or model before it). Fractions
// are of all the route's requests in the window, failed ones included, so the
// entries of a route sum to at most 1 per window.
struct ServedShare
{
    QString model;
    double fraction = 0; // last 60 s
    ServedReason reason = ServedReason::Unspecified;
    double fraction10s = 0; // last 10 s
    QString experimentId;   // Variant
    QString variantId;      // Variant
    QString afterModel;     // Fallback
    bool operator==(const ServedShare &) const = default;
};

struct Route
{
    QString name;
    QString primaryModel;
    std::vector<FallbackStep> fallbacks;
    std::vector<ServedShare> recentlyServed;
    QString etag;
    qint64 updatedMs = 0;
    QString updatedBy;
    // "Force fallback": the primary gets none of the route's traffic.
    bool primaryBypassed = false;
    qint64 primaryBypassRevertMs = 0; // when the bypass reverts itself; 0: never
    bool operator==(const Route &) const = default;
};

struct Model
{
    QString name;
    bool enabled = true;
    CircuitState circuit = CircuitState::Unknown;
    qint64 cooldownUntilMs = 0;
    qint64 revertMs = 0;
    QString etag;
    double inputCostPer1k = 0;
    double outputCostPer1k = 0;
    double recentErrorRate = 0;
    qint64 updatedMs = 0; // when `enabled` last changed
    QString updatedBy;
    bool operator==(const Model &) const = default;
};

struct RoutingTable
{
    std::vector<Route> routes;
    std::vector<Model> models;
    qint64 timeMs = 0;
    bool operator==(const RoutingTable &) const = default;
};

struct AuditEvent
{
    QString id;
    qint64 timeMs = 0;
    QString actor;
    QString role;
    QString action;
    QString target;
    QString oldValue;
    QString newValue;
    QString reason;
    QString requestId;
    bool operator==(const AuditEvent &) const = default;
};

// Fault injection of the sim's DrillService (not part of the contract).
enum class DrillKind
{
    Unspecified,
    Outage,       // every request to the model fails
    LatencySpike, // latency and time to first token x magnitude
    ErrorBurst    // requests fail at rate magnitude
};
QString toString(DrillKind k);

struct Drill
{
    QString id;
    QString model;
    DrillKind kind = DrillKind::Unspecified;
    double magnitude = 0;
    qint64 startMs = 0;
    qint64 endMs = 0;
    bool operator==(const Drill &) const = default;
};

// One point of a latency series: the aggregate of one route over one second.
struct LatencyPoint
{
    qint64 secondMs = 0; // start of the second
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double ttftP50 = 0;
    quint64 count = 0;
    quint64 errors = 0;
    quint64 fallbacks = 0;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::Prompt)
Q_DECLARE_METATYPE(sb::RoutingTable)
Q_DECLARE_METATYPE(sb::Drill)
