#pragma once

// ResultsCharts: the three charts of the results view, side by side:
// success rate over time with its 95 % band per variant, the variants'
// latency distributions overlaid (from their merged sketches), and exposures
// against configured weights. Updated once per results snapshot (1 s); an
// empty chart says "waiting for data" instead of drawing fake axes.

#include "core/experiment_analysis.h"

#include <QWidget>
#include <deque>

class QCustomPlot;

namespace sb {

struct ResultsPoint;

// A stable colour per variant position (control first), shared with the table.
QColor variantColor(int index);

class ResultsCharts : public QWidget
{
    Q_OBJECT
public:
    explicit ResultsCharts(QWidget *parent = nullptr);

    void update(const Experiment &experiment, const ExperimentResults &results,
                const Analysis &analysis, const std::deque<ResultsPoint> &history);
    QCustomPlot *successPlot() const { return m_success; }
    QCustomPlot *latencyPlot() const { return m_latency; }
    QCustomPlot *splitPlot() const { return m_split; }

private:
    void updateSuccess(const Experiment &experiment, const std::deque<ResultsPoint> &history);
    void updateLatency(const Experiment &experiment, const ExperimentResults &results);
    void updateSplit(const Analysis &analysis);

    QCustomPlot *m_success;
    QCustomPlot *m_latency;
    QCustomPlot *m_split;
};

} // namespace sb
