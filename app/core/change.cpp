#include "core/change.h"

#include <QCoreApplication>
#include <QUuid>

namespace sb {

QString Change::target() const
{
    switch (kind) {
    case ChangeKind::ModelEnabled:
        return QStringLiteral("model/") + object;
    case ChangeKind::FallbackEnabled:
    case ChangeKind::ForceFallback:
        return QStringLiteral("route/") + object;
    case ChangeKind::LabelMove:
        return QStringLiteral("prompt/") + object;
    case ChangeKind::ExperimentState:
    case ChangeKind::ExperimentWeights:
    case ChangeKind::ExperimentCreate:
        return QStringLiteral("experiment/") + object;
    }
    return object;
}

QString Change::confirmationText() const
{
    if (kind == ChangeKind::FallbackEnabled)
        return item;
    // Experiments are known by their name, not their id.
    if ((kind == ChangeKind::ExperimentState || kind == ChangeKind::ExperimentWeights) &&
        !experiment.name.isEmpty())
        return experiment.name;
    return object;
}

QString Change::title() const
{
    const auto tr = [](const char *s) { return QCoreApplication::translate("sb::Change", s); };
    switch (kind) {
    case ChangeKind::ModelEnabled:
        return (enabled ? tr("Enable model %1") : tr("Disable model %1")).arg(object);
    case ChangeKind::FallbackEnabled:
        return (enabled ? tr("Enable fallback %1 on route %2")
                        : tr("Disable fallback %1 on route %2"))
            .arg(item, object);
    case ChangeKind::ForceFallback:
        return (enabled ? tr("Force route %1 to its fallbacks")
                        : tr("Let route %1 use its primary again"))
            .arg(object);
    case ChangeKind::LabelMove:
        return tr("Move label %1 of %2 to v%3").arg(item, object).arg(version);
    case ChangeKind::ExperimentState: {
        const QString name = experiment.name.isEmpty() ? object : experiment.name;
        switch (experimentState) {
        case ExperimentState::Running:
            return tr("Start experiment %1").arg(name);
        case ExperimentState::Paused:
            return tr("Pause experiment %1").arg(name);
        case ExperimentState::Stopped:
            return tr("Stop experiment %1").arg(name);
        default:
            return tr("Set experiment %1 to %2").arg(name, toString(experimentState));
        }
    }
    case ChangeKind::ExperimentWeights:
        return tr("Change the traffic split of %1")
            .arg(experiment.name.isEmpty() ? object : experiment.name);
    case ChangeKind::ExperimentCreate:
        return tr("Create experiment %1").arg(object);
    }
    return object;
}

bool Change::canAutoRevert() const
{
    return kind == ChangeKind::ModelEnabled || kind == ChangeKind::FallbackEnabled ||
           kind == ChangeKind::ForceFallback;
}

QString Change::newRequestId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace sb
