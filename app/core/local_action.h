#pragma once

// LocalAction: one entry of the console's own action log, i.e. what this
// console did to a service (a model disabled, a label moved), as opposed to
// the service's audit events, which say what anyone did. The Audit page shows
// both side by side, and the write path commits an entry locally before the
// UI reports success, so the record survives a crash of the console. Stored
// per endpoint by the cache (Cache::recordAction) and keyed by request id, so
// recording the outcome of a retried or conflicting write replaces the first
// entry instead of adding a second.
//
// No credentials belong here: the log is a plain SQLite table, and tokens
// live only in the keychain or an environment variable. Keep it that way when
// adding fields (no headers, no metadata, no connection strings).

#include "core/change.h"

#include <QMetaType>
#include <QString>

namespace sb {

struct LocalAction
{
    QString requestId; // the Change's request id; the key within an endpoint
    qint64 timeMs = 0; // when the console sent it
    QString target;    // "model/atlas-xl", as Change::target()
    QString title;     // "Disable model atlas-xl", as Change::title()
    QString oldValue;
    QString newValue;
    QString reason;
    qint64 revertAfterSec = 0; // 0 = permanent
    QString outcome;           // "applied", "conflict", "denied", "failed"
    QString detail;            // error text or conflict summary
    QString auditId;           // the service's audit event id, if any
    QString actor;
    bool operator==(const LocalAction &) const = default;
};

// The log entry for a change the console is about to send or has sent: every
// field a Change carries, with timeMs and actor as given; outcome, detail and
// auditId are left for the caller to fill in once the service has answered.
LocalAction localActionFor(const Change &change, qint64 timeMs, const QString &actor);

} // namespace sb

Q_DECLARE_METATYPE(sb::LocalAction)
