#include "core/latency_heatmap.h"

#include <algorithm>
#include <cmath>

namespace sb {

LatencyHeatmap::LatencyHeatmap(qint64 fromMs, qint64 stepMs, int columns, int rows, double minMs,
                               double maxMs)
    : m_fromMs(fromMs), m_stepMs(std::max<qint64>(1, stepMs)), m_columns(std::max(0, columns)),
      m_rows(std::max(1, rows)), m_minMs(std::max(1e-6, minMs)),
      m_maxMs(std::max(m_minMs * 1.0001, maxMs)), m_logMin(std::log(m_minMs)),
      m_logSpan(std::log(m_maxMs) - m_logMin),
      m_counts(std::size_t(m_columns) * std::size_t(m_rows), 0.0)
{}

int LatencyHeatmap::rowOf(double ms) const
{
    if (!(ms > m_minMs))
        return 0;
    const int r = int((std::log(ms) - m_logMin) / m_logSpan * m_rows);
    return std::clamp(r, 0, m_rows - 1);
}

double LatencyHeatmap::rowLowerMs(int row) const
{
    return std::exp(m_logMin + m_logSpan * double(row) / m_rows);
}

void LatencyHeatmap::add(qint64 timeMs, const LatencySketch &s)
{
    if (timeMs < m_fromMs)
        return;
    const qint64 c = (timeMs - m_fromMs) / m_stepMs;
    if (c >= m_columns || s.count() == 0)
        return;
    double *column = m_counts.data() + std::size_t(c) * std::size_t(m_rows);
    column[0] += double(s.zeroCount());
    const auto &buckets = s.buckets();
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (buckets[i] == 0)
            continue;
        const int32_t index = s.offset() + int32_t(i);
        const double lo = LatencySketch::bucketLower(index, s.scale());
        const double hi = LatencySketch::bucketLower(index + 1, s.scale());
        column[rowOf(std::sqrt(lo * hi))] += double(buckets[i]);
    }
}

double LatencyHeatmap::columnTotal(int column) const
{
    double t = 0;
    for (int r = 0; r < m_rows; ++r)
        t += count(column, r);
    return t;
}

double LatencyHeatmap::maxCount() const
{
    return m_counts.empty() ? 0.0 : *std::max_element(m_counts.begin(), m_counts.end());
}

} // namespace sb
