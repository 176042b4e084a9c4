#include "ui/latency/latency_chart.h"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace sb {

LatencyChart::LatencyChart(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    m_plot->setObjectName(QStringLiteral("latencyPlot"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    auto makeGraph = [this](const QString &name, const QColor &color, qreal width) {
        QCPGraph *g = m_plot->addGraph();
        g->setName(name);
        QPen pen(color);
        pen.setWidthF(width);
        g->setPen(pen);
        g->setAdaptiveSampling(true);
        return g;
    };
    m_p50 = makeGraph(tr("p50"), QColor(0x1f, 0x77, 0xb4), 1.0);
    m_p95 = makeGraph(tr("p95"), QColor(0xff, 0x7f, 0x0e), 1.0);
    m_p99 = makeGraph(tr("p99"), QColor(0xd6, 0x27, 0x28), 1.0);

    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    ticker->setTickCount(6);
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setLabel(tr("latency (ms)"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 220));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->yAxis->setRange(0, 100);

    m_replotTimer.setInterval(33);
    connect(&m_replotTimer, &QTimer::timeout, this, &LatencyChart::replotIfDirty);
    m_replotTimer.start();
}

void LatencyChart::setWindowSeconds(int seconds)
{
    m_windowSeconds = std::max(10, seconds);
    m_dirty = true;
}

int LatencyChart::pointCount() const
{
    int n = 0;
    for (auto it = m_p99->data()->constBegin(); it != m_p99->data()->constEnd(); ++it) {
        if (!std::isnan(it->value))
            ++n;
    }
    return n;
}

void LatencyChart::setSeries(const std::deque<LatencyPoint> &points)
{
    QVector<double> keys, p50, p95, p99;
    keys.reserve(qsizetype(points.size()));
    p50.reserve(keys.capacity());
    p95.reserve(keys.capacity());
    p99.reserve(keys.capacity());
    double maxValue = 0;
    const double windowStart =
        points.empty() ? 0 : double(points.back().secondMs) / 1000.0 - m_windowSeconds;
    for (const auto &p : points) {
        if (p.count == 0 || p.count == p.errors)
            continue; // a second with no successful request has no latency
        const double key = double(p.secondMs) / 1000.0;
        if (!keys.isEmpty() && key - keys.back() > 2.5) {
            // A hole in the data (console closed, stream down) is drawn as a
            // break, never as a line pretending to know what happened.
            const double nan = std::numeric_limits<double>::quiet_NaN();
            keys << keys.back() + 1.0;
            p50 << nan;
            p95 << nan;
            p99 << nan;
        }
        keys << key;
        p50 << p.p50;
        p95 << p.p95;
        p99 << p.p99;
        if (key >= windowStart)
            maxValue = std::max(maxValue, p.p99);
    }
    m_p50->setData(keys, p50, true);
    m_p95->setData(keys, p95, true);
    m_p99->setData(keys, p99, true);
    m_lastKey = keys.isEmpty() ? 0 : keys.back();
    m_firstKey = keys.isEmpty() ? 0 : keys.front();
    m_maxValue = maxValue;
    m_dirty = true;
}

void LatencyChart::replotIfDirty()
{
    if (!m_dirty || !isVisible())
        return;
    m_dirty = false;
    if (m_lastKey > 0) {
        // Show the chosen window, but no more than the data spans (at least a
        // minute), so a fresh session is not a sliver at the right edge.
        const double start =
            std::min(std::max(m_firstKey, m_lastKey - m_windowSeconds), m_lastKey - 60.0);
        m_plot->xAxis->setRange(start, m_lastKey + 1);
        // Headroom above the window's p99 so the line never clips the frame.
        m_plot->yAxis->setRange(0, std::max(10.0, m_maxValue * 1.15));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace sb
