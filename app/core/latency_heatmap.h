#pragma once

// LatencyHeatmap: time × latency, built from sketches, so the shape of a
// distribution over time stays visible (a bimodal tail shows as two bands,
// where p50/p95/p99 lines would average it into one jagged line). Columns
// are equal time steps; rows are latency bands equally spaced on a log scale
// between minMs and maxMs (values outside land in the first or last row).
// Each sketch bucket is counted in the row holding its geometric middle, so
// a band is exact to the sketch's ~0.5 % bucket width, far finer than a row.

#include "core/latency_sketch.h"

#include <QtGlobal>
#include <vector>

namespace sb {

class LatencyHeatmap
{
public:
    LatencyHeatmap(qint64 fromMs, qint64 stepMs, int columns, int rows, double minMs, double maxMs);

    // Adds the sketch of the interval starting at timeMs (ignored outside the grid).
    void add(qint64 timeMs, const LatencySketch &sketch);

    int columns() const { return m_columns; }
    int rows() const { return m_rows; }
    qint64 fromMs() const { return m_fromMs; }
    qint64 stepMs() const { return m_stepMs; }
    double minMs() const { return m_minMs; }
    double maxMs() const { return m_maxMs; }
    double count(int column, int row) const { return m_counts[std::size_t(column * m_rows + row)]; }
    double columnTotal(int column) const;
    double maxCount() const;
    int rowOf(double ms) const;
    // Lower edge of a row, ms (rowLowerMs(rows()) is maxMs).
    double rowLowerMs(int row) const;

private:
    qint64 m_fromMs;
    qint64 m_stepMs;
    int m_columns;
    int m_rows;
    double m_minMs;
    double m_maxMs;
    double m_logMin;
    double m_logSpan;
    std::vector<double> m_counts; // column-major
};

} // namespace sb
