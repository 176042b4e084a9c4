#pragma once

// TimelineOverlay: the incident timeline on a latency chart. Every event of
// the EventLog becomes a marker (a point) or a band (a range) in its kind's
// colour, with who, what and why on hover; the audit trail's older changes
// (from the latency controller) are kept where the timeline has no event for
// them. A menu button toggles each kind; a shift-drag on the chart adds a
// note band for that range.

#include "core/timeline_event.h"
#include "ui/latency/chart_marker.h"

#include <QObject>
#include <bitset>
#include <functional>
#include <vector>

class QToolButton;
class QWidget;

namespace sb {

class EventLog;
class LatencyChart;

class TimelineOverlay : public QObject
{
    Q_OBJECT
public:
    using AuditMarkers = std::function<std::vector<ChartMarker>()>;

    TimelineOverlay(LatencyChart *chart, EventLog *events, AuditMarkers audit, QObject *parent);

    // "Events ▾": one checkable entry per kind.
    QToolButton *makeKindsButton(QWidget *parent);
    void setKindShown(EventKind kind, bool shown);
    bool isKindShown(EventKind kind) const { return !m_hidden[std::size_t(kind)]; }
    // Recomputes the chart's markers (on every change of the log or the audit trail).
    void refresh();

    // The markers for these events, leaving out hidden kinds (exports use it too).
    static std::vector<ChartMarker> markersFor(const std::vector<TimelineEvent> &events,
                                               const std::bitset<16> &hidden = {});

private:
    LatencyChart *m_chart;
    EventLog *m_events;
    AuditMarkers m_audit;
    std::bitset<16> m_hidden;
};

} // namespace sb
