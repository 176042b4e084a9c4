#include "core/local_action.h"

namespace sb {

LocalAction localActionFor(const Change &change, qint64 timeMs, const QString &actor)
{
    LocalAction a;
    a.requestId = change.requestId;
    a.timeMs = timeMs;
    a.target = change.target();
    a.title = change.title();
    a.oldValue = change.oldValue;
    a.newValue = change.newValue;
    a.reason = change.reason;
    a.revertAfterSec = change.revertAfter.count();
    a.actor = actor;
    return a;
}

} // namespace sb
