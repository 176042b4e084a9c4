// PromptsController's writes: who may write, label moves and rollbacks as
// guarded changes (impact, rebase after a conflict, the conflict in words),
// submitting them, and saving a new version. Reads, the watch and what is
// kept locally are in prompts_controller.cpp.
#include "client/prompts_client.h"
#include "core/clock.h"
#include "core/prompt_diff.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/format.h"
#include "ui/common/notification_log.h"
#include "ui/prompts/prompts_controller.h"

#include <QDateTime>
#include <algorithm>

namespace sb {

static qint64 nowMs()
{
    return clock::nowMs();
}

static const QString kProduction = QStringLiteral("production");

// --- Who may write ---

QString PromptsController::writeBlockedReason() const
{
    const QString why = m_session->writeBlockedReason(m_fresh.fetchedMs);
    if (!why.isEmpty())
        return why;
    if (!m_fresh.live)
        return tr("waiting for the service's prompt list");
    return {};
}

QString PromptsController::labelMoveBlockedReason(const QString &label) const
{
    const QString why = writeBlockedReason();
    if (!why.isEmpty())
        return why;
    if (label == kProduction && !m_productionDenied.isEmpty())
        return m_productionDenied;
    return {};
}

// --- Label moves ---

std::optional<Change> PromptsController::moveLabelChange(const QString &prompt,
                                                         const QString &label, quint32 version,
                                                         QString *why) const
{
    const Prompt *p = m_promptModel.prompt(prompt);
    auto fail = [&](const QString &text) {
        if (why)
            *why = text;
        return std::nullopt;
    };
    if (!p)
        return fail(tr("select a prompt"));
    if (version == 0 || version > p->latestVersion)
        return fail(tr("select a version of %1").arg(prompt));
    if (label.isEmpty())
        return fail(tr("name the label to move"));
    const quint32 current = labelVersion(*p, label);
    if (current == version)
        return fail(tr("%1 already points at v%2").arg(label).arg(version));
    Change c;
    c.kind = ChangeKind::LabelMove;
    c.object = prompt;
    c.item = label;
    c.version = version;
    c.expectedEtag = p->etag;
    c.requestId = Change::newRequestId();
    c.oldValue = current ? QStringLiteral("%1 → v%2").arg(label).arg(current)
                         : tr("%1 (new label)").arg(label);
    c.newValue = QStringLiteral("%1 → v%2").arg(label).arg(version);
    return c;
}

std::optional<Change> PromptsController::rollbackChange(const QString &prompt, QString *why) const
{
    const Prompt *p = m_promptModel.prompt(prompt);
    if (!p) {
        if (why)
            *why = tr("select a prompt");
        return std::nullopt;
    }
    const quint32 current = labelVersion(*p, kProduction);
    if (!current) {
        if (why)
            *why = tr("%1 has no production label").arg(prompt);
        return std::nullopt;
    }
    const auto previous = previousVersionOf(labelMoves(prompt), kProduction, current);
    if (!previous) {
        if (why)
            *why = tr("the label history does not say where production pointed before v%1")
                       .arg(current);
        return std::nullopt;
    }
    return moveLabelChange(prompt, kProduction, *previous, why);
}

QString PromptsController::impactOf(const Change &c) const
{
    QStringList lines;
    const Prompt *p = m_promptModel.prompt(c.object);
    const quint32 current = p ? labelVersion(*p, c.item) : 0;
    if (current)
        lines << tr("Everything that resolves %1 by its %2 label gets v%3 instead of v%4.")
                     .arg(c.object, c.item)
                     .arg(c.version)
                     .arg(current);
    else
        lines << tr("Creates the label %1 on v%2 of %3.").arg(c.item).arg(c.version).arg(c.object);
    // A move back to where the label was before reads as a rollback.
    const auto moves = labelMoves(c.object);
    for (const auto &m : moves) {
        if (m.label != c.item)
            continue;
        if (m.to == current && m.from == c.version)
            lines << tr("This rolls %1 back: it pointed at v%2 until %3 moved it to v%4 on %5%6.")
                         .arg(c.item)
                         .arg(c.version)
                         .arg(m.actor.isEmpty() ? tr("someone") : m.actor)
                         .arg(current)
                         .arg(formatTime(m.timeMs),
                              m.reason.isEmpty() ? QString() : tr(" (“%1”)").arg(m.reason));
        break;
    }
    const PromptVersion *from = current ? version(c.object, current) : nullptr;
    const PromptVersion *to = version(c.object, c.version);
    if (from && to) {
        const TextDiff d = diffText(from->templateText, to->templateText);
        QStringList parts;
        if (d.identical())
            parts << tr("same template text");
        if (d.changed)
            parts << tr("%n line(s) changed", nullptr, d.changed);
        if (d.added)
            parts << tr("%n added", nullptr, d.added);
        if (d.removed)
            parts << tr("%n removed", nullptr, d.removed);
        for (const auto &f : versionChanges(*from, *to)) {
            if (!f.field.startsWith(QLatin1String("variable")))
                parts << tr("%1 %2 → %3")
                             .arg(f.field, f.from.isEmpty() ? tr("unset") : f.from,
                                  f.to.isEmpty() ? tr("unset") : f.to);
        }
        lines << tr("v%1 → v%2: %3.")
                     .arg(current)
                     .arg(c.version)
                     .arg(parts.join(QStringLiteral("; ")));
    }
    return lines.join(QLatin1Char('\n'));
}

std::optional<Change> PromptsController::rebase(const Change &c) const
{
    const Prompt *p = m_promptModel.prompt(c.object);
    if (!p || labelVersion(*p, c.item) == c.version)
        return std::nullopt;
    auto n = moveLabelChange(c.object, c.item, c.version);
    if (n)
        n->reason = c.reason;
    return n;
}

QString PromptsController::describeConflict(const Change &c, const ConflictInfo &conflict) const
{
    const QString who = conflict.updatedBy.isEmpty() ? tr("someone") : conflict.updatedBy;
    const QString when = formatClock(conflict.updatedMs);
    const auto *now = std::get_if<Prompt>(&conflict.current);
    if (!now)
        return tr("%1 changed %2 first, at %3.").arg(who, c.object, when);
    const quint32 label = labelVersion(*now, c.item);
    if (QStringLiteral("%1 → v%2").arg(c.item).arg(label) != c.oldValue) {
        return label ? tr("%1 moved %2 of %3 to v%4 first, at %5 (you saw %6).")
                           .arg(who, c.item, c.object)
                           .arg(label)
                           .arg(when, c.oldValue)
                     : tr("%1 removed the %2 label of %3 first, at %4.")
                           .arg(who, c.item, c.object, when);
    }
    const Prompt *seen = m_promptModel.prompt(c.object);
    if (seen && now->latestVersion > seen->latestVersion)
        return tr("%1 added v%2 to %3 first, at %4; %5 still points at v%6.")
            .arg(who)
            .arg(now->latestVersion)
            .arg(c.object, when, c.item)
            .arg(label);
    return tr("%1 changed %2 first, at %3; %4 still points at v%5.")
        .arg(who, c.object, when, c.item)
        .arg(label);
}

void PromptsController::submit(const Change &change)
{
    const QString blocked = labelMoveBlockedReason(change.item);
    if (!blocked.isEmpty()) {
        RpcError err;
        err.code = RpcCode::FailedPrecondition;
        err.message = blocked;
        emit changeRejected(change, err);
        return;
    }
    m_inFlight.insert(change.requestId, change);
    m_ours.insert(QStringLiteral("%1|%2|%3").arg(change.object, change.item).arg(change.version));
    m_client->moveLabel(change);
}

static LocalAction actionOf(const Change &c, const QString &outcome, const QString &detail)
{
    LocalAction a = localActionFor(c, clock::nowMs(), {});
    a.outcome = outcome;
    a.detail = detail;
    return a;
}

void PromptsController::onApplied(const Change &change)
{
    // Success is reported once the local log has it (ActionLog::recorded).
    m_actions->record(actionOf(change, QStringLiteral("applied"), {}));
    if (change.object == m_selected)
        m_client->listLabelHistory(change.object);
}

void PromptsController::onFailed(const Change &change, const RpcError &error)
{
    m_inFlight.remove(change.requestId);
    if (error.code == RpcCode::FailedPrecondition && error.conflict) {
        // Show the prompt as it is now before the user decides again.
        if (const auto *p = std::get_if<Prompt>(&error.conflict->current))
            applyPrompt(*p);
        m_actions->record(actionOf(change, QStringLiteral("conflict"),
                                   describeConflict(change, *error.conflict)));
        if (change.object == m_selected) {
            m_client->listVersions(change.object);
            m_client->listLabelHistory(change.object);
        }
        emit changeConflicted(change, *error.conflict);
        return;
    }
    if (error.code == RpcCode::PermissionDenied) {
        if (change.item == kProduction &&
            error.message.contains(QLatin1String("admin"), Qt::CaseInsensitive)) {
            // An operator: other labels stay movable.
            m_productionDenied = tr("moving production needs the admin role (the service said: %1)")
                                     .arg(error.message);
            emit freshnessChanged();
        } else {
            m_session->noteRoleTooLow(error.message);
        }
    } else if (error.code == RpcCode::Unauthenticated) {
        m_session->reportFailure(change.title(), error);
    }
    m_actions->record(actionOf(change,
                               error.code == RpcCode::PermissionDenied ? QStringLiteral("denied")
                                                                       : QStringLiteral("failed"),
                               error.describe()));
    emit changeRejected(change, error);
}

// --- New versions ---

QString PromptsController::saveVersion(const VersionDraft &draft)
{
    NewVersion n;
    n.version = draft.toVersion();
    n.expectedEtag = draft.expectedEtag;
    n.description = draft.description;
    n.requestId = Change::newRequestId();
    m_creates.insert(n.requestId, n);
    const QString blocked = writeBlockedReason();
    if (!blocked.isEmpty()) {
        RpcError err;
        err.code = RpcCode::FailedPrecondition;
        err.message = blocked;
        const QString id = n.requestId;
        m_creates.remove(id);
        QMetaObject::invokeMethod(
            this, [this, id, err] { emit versionSaveFailed(id, err); }, Qt::QueuedConnection);
        return id;
    }
    m_client->createVersion(n);
    return n.requestId;
}

void PromptsController::onCreated(const QString &requestId, const PromptVersion &v, const Prompt &p)
{
    const NewVersion sent = m_creates.take(requestId);
    m_ours.insert(QStringLiteral("%1|v%2").arg(v.promptName).arg(v.version));
    applyPrompt(p);
    addVersion(v); // the version appears at once
    LocalAction a;
    a.requestId = requestId;
    a.timeMs = nowMs();
    a.target = QStringLiteral("prompt/") + v.promptName;
    a.title = tr("New version v%1 of %2").arg(v.version).arg(v.promptName);
    a.oldValue = v.parentVersion ? QStringLiteral("v%1").arg(v.parentVersion) : QString();
    a.newValue = QStringLiteral("v%1").arg(v.version);
    a.reason = v.message;
    a.outcome = QStringLiteral("applied");
    a.actor = v.author;
    m_created.insert(requestId, v);
    m_actions->record(a);
}

void PromptsController::onCreateFailed(const QString &requestId, const RpcError &error)
{
    const NewVersion sent = m_creates.take(requestId);
    if (error.code == RpcCode::PermissionDenied)
        m_session->noteRoleTooLow(error.message);
    if (error.conflict) {
        if (const auto *p = std::get_if<Prompt>(&error.conflict->current)) {
            applyPrompt(*p);
            m_client->listVersions(p->name);
        }
    }
    emit versionSaveFailed(requestId, error);
}

} // namespace sb
