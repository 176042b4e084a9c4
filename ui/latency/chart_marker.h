#pragma once

// A routing change or label move, drawn as a marker on the charts' time axis
// with who and why on hover.

#include <QString>
#include <QtGlobal>

namespace sb {

struct ChartMarker
{
    qint64 timeMs = 0;
    QString title;  // "model.disable atlas-xl"
    QString detail; // by whom, old → new, why
    bool operator==(const ChartMarker &) const = default;
};

} // namespace sb
