#include "core/types.h"

namespace sb {

QString toString(ExperimentState s)
{
    switch (s) {
    case ExperimentState::Draft:
        return QStringLiteral("draft");
    case ExperimentState::Running:
        return QStringLiteral("running");
    case ExperimentState::Paused:
        return QStringLiteral("paused");
    case ExperimentState::Stopped:
        return QStringLiteral("stopped");
    case ExperimentState::Unspecified:
        break;
    }
    return QStringLiteral("unknown");
}

QString toString(Metric m)
{
    switch (m) {
    case Metric::SuccessRate:
        return QStringLiteral("success rate");
    case Metric::Latency:
        return QStringLiteral("latency");
    case Metric::TimeToFirstToken:
        return QStringLiteral("time to first token");
    case Metric::Cost:
        return QStringLiteral("cost");
    case Metric::Preference:
        return QStringLiteral("preference");
    case Metric::Rating:
        return QStringLiteral("rating");
    case Metric::HallucinationRate:
        return QStringLiteral("hallucination rate");
    case Metric::Unspecified:
        break;
    }
    return QStringLiteral("unspecified");
}

QString toString(CircuitState s)
{
    switch (s) {
    case CircuitState::Closed:
        return QStringLiteral("closed");
    case CircuitState::Open:
        return QStringLiteral("open");
    case CircuitState::HalfOpen:
        return QStringLiteral("half-open");
    case CircuitState::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QString toString(ServedReason r)
{
    switch (r) {
    case ServedReason::Primary:
        return QStringLiteral("primary");
    case ServedReason::Fallback:
        return QStringLiteral("fallback");
    case ServedReason::Variant:
        return QStringLiteral("variant");
    case ServedReason::Unspecified:
        break;
    }
    return QStringLiteral("unknown");
}

QString toString(DrillKind k)
{
    switch (k) {
    case DrillKind::Outage:
        return QStringLiteral("outage");
    case DrillKind::LatencySpike:
        return QStringLiteral("latency spike");
    case DrillKind::ErrorBurst:
        return QStringLiteral("error burst");
    case DrillKind::Unspecified:
        break;
    }
    return QStringLiteral("unspecified");
}

} // namespace sb
