#pragma once

// Label history: who moved which label of a prompt from which version to
// which, when and why. The contract has no RPC of its own for it: every
// MoveLabel is audited as a `label.move` event on target `prompt/NAME`, with
// old and new values written "production -> 3", so the history is
// ListAuditEvents filtered by target. The values are meant for humans, so
// the parser is lenient ("production -> 3", "production → v3", "v3", "3");
// an event it cannot read is skipped rather than guessed at.
//
// Rolling back a label means moving it to the version it pointed at before
// it came to where it is now: the `from` of the newest move that brought it
// to its current version.

#include "core/types.h"

#include <QString>
#include <optional>
#include <vector>

namespace sb {

struct LabelMove
{
    QString prompt;
    QString label;
    quint32 from = 0; // 0: the label was created by this move
    quint32 to = 0;
    QString actor;
    qint64 timeMs = 0;
    QString reason;
    QString auditId;
    QString requestId;
    bool operator==(const LabelMove &) const = default;
};

// The move an audit event records, or nullopt if it is not a readable label move.
std::optional<LabelMove> labelMoveFrom(const AuditEvent &event);

// The label moves of `prompt` among `events`, newest first, without
// duplicates (by audit id).
std::vector<LabelMove> labelMovesOf(const QString &prompt, const std::vector<AuditEvent> &events);

// The version `label` pointed at before it came to `current`, if the
// history says so (and it is not `current` itself).
std::optional<quint32> previousVersionOf(const std::vector<LabelMove> &movesNewestFirst,
                                         const QString &label, quint32 current);

} // namespace sb
