#pragma once

// What imported history is: for each source (e.g. "prometheus:<url>"),
// route and histogram kind/schema, the time span imported and its quantile
// bound. Kept beside the imported rollups (schema v9, imported_ranges.cpp),
// so history read back from the cache while the source is down still says
// where it came from and how accurate it is.

#include <QMetaType>
#include <QString>
#include <optional>
#include <vector>

namespace sb {

struct ImportedRange
{
    QString source; // the rollups' endpoint
    QString route;
    QString model;
    bool classic = false;      // classic le buckets (histogram_quantile's reading)
    std::optional<int> schema; // native-histogram schema; none for classic
    qint64 fromMs = 0;         // [fromMs, toMs): the union of what was imported
    qint64 toMs = 0;
    double relativeError = 0; // worst quantile bound seen, 0..1
    qint64 importedMs = 0;    // the last import's wall time
    bool operator==(const ImportedRange &) const = default;
};

} // namespace sb

Q_DECLARE_METATYPE(std::vector<sb::ImportedRange>)
