#pragma once

// The post-mortem draft "Export incident" writes: Markdown with a Summary,
// the Timeline (one row per event, oldest first), the Impact on each route
// (from the cached latency history), the Actions taken (this console's
// changes and drills) and Follow-ups to fill in, with the charts of the range
// linked as PNGs beside it. Widget-free: the caller hands in the events
// (already masked while presenting), the impact figures and the chart files.

#include "core/series_store.h"
#include "core/timeline_event.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace sb {

struct RouteImpact
{
    QString route;
    double peakP99Ms = 0;
    double medianP99Ms = 0; // the median of the range's per-second p99s
    quint64 requests = 0;
    quint64 errors = 0;
};

struct IncidentReport
{
    QString origin; // the service, as it may be shown
    qint64 fromMs = 0;
    qint64 toMs = 0;
    qint64 writtenMs = 0;
    std::vector<TimelineEvent> events; // any order; the report sorts them
    std::vector<RouteImpact> impact;
    QStringList chartFiles;  // relative to the Markdown file
    QStringList chartTitles; // the route each shows, in the same order
    QString bundleFile;      // the JSON bundle, relative
};

QString incidentMarkdown(const IncidentReport &report);

// Per route, the impact over [fromMs, toMs] of per-second points.
RouteImpact impactOf(const QString &route, const std::vector<SeriesPoint> &points);

} // namespace sb
