#pragma once

// Change: the one shape of every write the console makes. A controller builds
// it from what the user selected (target, old -> new), the guarded-change
// dialog fills in the reason and the auto-revert, and the client sends it with
// the etag the user saw and a request id that makes a retry harmless. Named
// fields instead of positional strings, so a reason can never be passed where
// an etag belongs.

#include "core/types.h"

#include <QMetaType>
#include <QString>
#include <chrono>

namespace sb {

enum class ChangeKind
{
    ModelEnabled,      // object = model; enabled = new value
    FallbackEnabled,   // object = route, item = the step's model; enabled = new value
    ForceFallback,     // object = route; enabled = true forces traffic past the primary
    LabelMove,         // object = prompt, item = label; version = new version
    ExperimentState,   // object = experiment id; experimentState = new state
    ExperimentWeights, // object = experiment id; experiment.variants = the new list
    ExperimentCreate   // object = experiment name; experiment = the draft to create
};

struct Change
{
    ChangeKind kind = ChangeKind::ModelEnabled;
    QString object;
    QString item;
    bool enabled = false;
    quint32 version = 0;
    ExperimentState experimentState = ExperimentState::Unspecified;
    // ExperimentWeights: the variants as they should be (only weights may
    // differ from the current ones); ExperimentCreate: the whole draft;
    // ExperimentState: only the name (what titles and confirmation show).
    Experiment experiment;

    // Human-readable before and after, as the dialog and the audit show them.
    QString oldValue;
    QString newValue;

    QString reason;
    QString expectedEtag;
    QString requestId;
    // 0 = permanent. Carried out by the service, so it happens with the console closed.
    std::chrono::seconds revertAfter{0};
    // ModelEnabled: disable even if a route is then left with no enabled model.
    bool allowRouteOutage = false;

    // The audit log's name for what changes: "model/atlas-xl", "route/chat", ...
    QString target() const;
    // What a user on a production connection types to confirm: the name of
    // the thing that changes (the model, the route, the prompt, the experiment).
    QString confirmationText() const;
    // "Disable model atlas-xl", "Disable fallback orion-70b on route chat", ...
    QString title() const;
    // Whether the contract lets this kind of change revert itself.
    bool canAutoRevert() const;

    // A fresh random request id (UUID without braces).
    static QString newRequestId();

    bool operator==(const Change &) const = default;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::Change)
