#pragma once

// LatencyChart's per-series state, shared by its source files
// (latency_chart.cpp: live data and drawing; latency_chart_history.cpp:
// history, visibility and ranges; latency_chart_hover.cpp: the hover).

#include "ui/latency/latency_chart.h"

#include <deque>

namespace sb {

struct LatencyChart::Series
{
    QString id;
    QString label;
    QColor color;
    bool visible = true;
    DecimatedGraph *graphs[NB_LINES] = {};
    std::deque<SeriesPoint> points;  // seconds, ascending
    std::deque<SeriesPoint> minutes; // older history, ascending, all before points
};

} // namespace sb
