#pragma once

// Something that happened, drawn on the charts' time axis with who and why on
// hover: a point (a routing change, a label move, a circuit opening) as a
// marker line, or a range (a drill, a disconnect, a note band) as a band.

#include <QString>
#include <QtGlobal>

namespace sb {

struct ChartMarker
{
    qint64 timeMs = 0;
    QString title;    // "Model disabled: atlas-xl"
    QString detail;   // by whom, old → new, why
    qint64 endMs = 0; // > timeMs: a band from timeMs to endMs
    int kind = -1;    // a core EventKind (its colour), -1 = a change from the audit trail
    QString target;   // an audit change's object ("route/chat"), to match it with the timeline's
    bool isBand() const { return endMs > timeMs; }
    bool operator==(const ChartMarker &) const = default;
};

} // namespace sb
