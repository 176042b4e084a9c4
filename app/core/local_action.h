#pragma once

// LocalAction: one change this console made (or tried to), as the local
// action log keeps it next to the service's audit events. No secrets: a
// token never goes in here.

#include <QMetaType>
#include <QString>

namespace sb {

struct LocalAction
{
    QString requestId;
    qint64 timeMs = 0;
    QString target; // "model/atlas-xl"
    QString title;  // "Disable model atlas-xl"
    QString oldValue;
    QString newValue;
    QString reason;
    qint64 revertAfterSec = 0;
    QString outcome; // "applied", "conflict", "denied", "failed"
    QString detail;  // error text or conflict summary
    QString auditId; // the service's audit event id, if any
    QString actor;
    bool operator==(const LocalAction &) const = default;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::LocalAction)
