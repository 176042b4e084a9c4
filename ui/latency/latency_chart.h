#pragma once

// LatencyChart: a live p50/p95/p99 chart of one route on QCustomPlot. Data
// changes only mark it dirty; a timer replots at most ~30 times a second, so
// a fast stream never turns into one replot per batch.

#include "core/types.h"

#include <QTimer>
#include <QWidget>
#include <deque>

class QCustomPlot;
class QCPGraph;

namespace sb {

class LatencyChart : public QWidget
{
    Q_OBJECT
public:
    explicit LatencyChart(QWidget *parent = nullptr);

    void setSeries(const std::deque<LatencyPoint> &points);
    void setWindowSeconds(int seconds);
    QCustomPlot *plot() const { return m_plot; }
    // Data points drawn (breaks in the line not counted).
    int pointCount() const;

private:
    void replotIfDirty();

    QCustomPlot *m_plot;
    QCPGraph *m_p50;
    QCPGraph *m_p95;
    QCPGraph *m_p99;
    QTimer m_replotTimer;
    bool m_dirty = false;
    int m_windowSeconds = 600;
    double m_lastKey = 0;
    double m_firstKey = 0;
    double m_maxValue = 0;
};

} // namespace sb
