#include "ui/experiments/results_charts.h"

#include "ui/experiments/results_controller.h"

#include <QHBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

QColor variantColor(int index)
{
    static const QColor colors[] = {{0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}, {0x2c, 0xa0, 0x2c},
                                    {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b}, {0xe3, 0x77, 0xc2},
                                    {0x7f, 0x7f, 0x7f}, {0xbc, 0xbd, 0x22}};
    return colors[std::size_t(std::max(0, index)) % std::size(colors)];
}

namespace {

QCustomPlot *makePlot(QWidget *parent, const QString &name, const QString &title)
{
    auto *p = new QCustomPlot(parent);
    p->setObjectName(name);
    p->setMinimumSize(200, 300);
    p->plotLayout()->insertRow(0);
    auto *t = new QCPTextElement(p, title,
                                 QFont(p->font().family(), p->font().pointSize() + 1, QFont::Bold));
    p->plotLayout()->addElement(0, 0, t);
    p->legend->setVisible(false);
    p->setBackground(p->palette().base());
    for (QCPAxis *a : {p->xAxis, p->yAxis}) {
        a->setBasePen(QPen(p->palette().text().color()));
        a->setTickPen(QPen(p->palette().text().color()));
        a->setSubTickPen(QPen(p->palette().mid().color()));
        a->setTickLabelColor(p->palette().text().color());
        a->setLabelColor(p->palette().text().color());
        a->grid()->setPen(QPen(p->palette().mid().color(), 0, Qt::DotLine));
    }
    t->setTextColor(p->palette().text().color());
    return p;
}

// "waiting for data" in the middle of an empty chart, with no fake axes.
void showWaiting(QCustomPlot *p, bool waiting, const QString &why = {})
{
    QCPItemText *label = nullptr;
    for (int i = 0; i < p->itemCount(); ++i) {
        if (auto *t = qobject_cast<QCPItemText *>(p->item(i)); t && t->objectName() == "waiting")
            label = t;
    }
    if (!label) {
        label = new QCPItemText(p);
        label->setObjectName(QStringLiteral("waiting"));
        label->position->setType(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(0.5, 0.5);
        label->setColor(p->palette().placeholderText().color());
    }
    label->setText(why.isEmpty() ? QObject::tr("waiting for data") : why);
    label->setVisible(waiting);
    p->xAxis->setTickLabels(!waiting);
    p->yAxis->setTickLabels(!waiting);
}

} // namespace

ResultsCharts::ResultsCharts(QWidget *parent)
    : QWidget(parent),
      m_success(makePlot(this, QStringLiteral("successPlot"), tr("Success rate over time"))),
      m_latency(
          makePlot(this, QStringLiteral("latencyDistributionPlot"), tr("Latency distribution"))),
      m_split(makePlot(this, QStringLiteral("splitPlot"), tr("Traffic: weight vs observed")))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_success, 1);
    layout->addWidget(m_latency, 1);
    layout->addWidget(m_split, 1);

    m_success->xAxis->setLabel(tr("seconds watched"));
    m_success->yAxis->setLabel(tr("success rate (%), 95 % band"));
    auto logTicker = QSharedPointer<QCPAxisTickerLog>::create();
    m_latency->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_latency->xAxis->setTicker(logTicker);
    m_latency->xAxis->setLabel(tr("latency (ms, log scale)"));
    m_latency->yAxis->setLabel(tr("share of requests (%)"));
    m_split->yAxis->setLabel(tr("share of traffic (%)"));
    for (QCustomPlot *p : {m_success, m_latency, m_split}) {
        // The legend under the plot, where it never hides the data.
        auto *legendRect = new QCPLayoutGrid;
        p->plotLayout()->addElement(2, 0, legendRect);
        legendRect->setMargins(QMargins(4, 0, 4, 4));
        p->axisRect()->insetLayout()->take(p->legend);
        legendRect->addElement(0, 0, p->legend);
        p->legend->setFillOrder(QCPLegend::foRowsFirst);
        p->plotLayout()->setRowStretchFactor(2, 0.001);
        p->legend->setVisible(true);
        p->legend->setFont(QFont(p->font().family(), p->font().pointSize() - 1));
        p->legend->setBrush(p->palette().base());
        p->legend->setBorderPen(QPen(p->palette().mid().color()));
        p->legend->setTextColor(p->palette().text().color());
        showWaiting(p, true);
        p->replot();
    }
}

void ResultsCharts::update(const Experiment &experiment, const ExperimentResults &results,
                           const Analysis &analysis, const std::deque<ResultsPoint> &history)
{
    updateSuccess(experiment, history);
    updateLatency(experiment, results);
    updateSplit(analysis);
}

void ResultsCharts::updateSuccess(const Experiment &e, const std::deque<ResultsPoint> &history)
{
    QCustomPlot *p = m_success;
    p->clearGraphs();
    if (history.empty() || e.variants.empty()) {
        showWaiting(p, true);
        p->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    showWaiting(p, false);
    const double t0 = double(history.front().timeMs) / 1000.0;
    double lo = 100, hi = 0;
    for (std::size_t v = 0; v < e.variants.size(); ++v) {
        QVector<double> keys, rate, upper, lower;
        for (const auto &pt : history) {
            if (v >= pt.exposures.size() || pt.exposures[v] == 0)
                continue;
            const double n = double(pt.exposures[v]);
            const auto ci = stats::wilson(pt.successes[v], pt.exposures[v]);
            keys << double(pt.timeMs) / 1000.0 - t0;
            rate << 100.0 * double(pt.successes[v]) / n;
            lower << 100 * ci.lo;
            upper << 100 * ci.hi;
            lo = std::min(lo, 100 * ci.lo);
            hi = std::max(hi, 100 * ci.hi);
        }
        const QColor c = variantColor(int(v));
        QColor band = c;
        band.setAlpha(40);
        QCPGraph *up = p->addGraph();
        up->setData(keys, upper, true);
        up->setPen(Qt::NoPen);
        up->removeFromLegend();
        QCPGraph *down = p->addGraph();
        down->setData(keys, lower, true);
        down->setPen(Qt::NoPen);
        down->setBrush(band);
        down->setChannelFillGraph(up);
        down->removeFromLegend();
        QCPGraph *g = p->addGraph();
        g->setData(keys, rate, true);
        g->setPen(QPen(c, 1.5));
        const QString name = e.variants[v].name.isEmpty() ? e.variants[v].id : e.variants[v].name;
        g->setName(rate.isEmpty()
                       ? name
                       : QStringLiteral("%1  %2 %").arg(name).arg(rate.back(), 0, 'f', 2));
    }
    const double span = std::max(0.2, hi - lo);
    p->yAxis->setRange(std::max(0.0, lo - span * 0.15), std::min(100.0, hi + span * 0.15));
    p->xAxis->setRange(0, std::max(10.0, double(history.back().timeMs) / 1000.0 - t0));
    p->replot(QCustomPlot::rpQueuedReplot);
}

void ResultsCharts::updateLatency(const Experiment &e, const ExperimentResults &results)
{
    QCustomPlot *p = m_latency;
    p->clearGraphs();
    // Log-spaced bins between the smallest and largest latency of any variant.
    double lo = 0, hi = 0;
    for (const auto &v : results.variants) {
        if (!v.latency.count())
            continue;
        lo = lo > 0 ? std::min(lo, v.latency.quantile(0.001)) : v.latency.quantile(0.001);
        hi = std::max(hi, v.latency.quantile(0.999));
    }
    if (!(lo > 0) || !(hi > lo)) {
        showWaiting(p, true);
        p->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    showWaiting(p, false);
    constexpr int kBins = 48;
    const double logLo = std::log(lo), logHi = std::log(hi);
    const double width = (logHi - logLo) / kBins;
    double top = 0;
    for (std::size_t i = 0; i < e.variants.size(); ++i) {
        const VariantResults *r = results.variant(e.variants[i].id);
        if (!r || !r->latency.count())
            continue;
        std::vector<double> bins(kBins, 0);
        const auto &buckets = r->latency.buckets();
        const double base = std::exp2(std::ldexp(1.0, -r->latency.scale()));
        for (std::size_t b = 0; b < buckets.size(); ++b) {
            if (!buckets[b])
                continue;
            const double x =
                LatencySketch::bucketLower(r->latency.offset() + int32_t(b), r->latency.scale()) *
                (2 * base / (1 + base));
            const int bin = int((std::log(x) - logLo) / width);
            if (bin >= 0 && bin < kBins)
                bins[std::size_t(bin)] += buckets[b];
        }
        QVector<double> keys, share;
        for (int b = 0; b < kBins; ++b) {
            keys << std::exp(logLo + (b + 0.5) * width);
            share << 100.0 * bins[std::size_t(b)] / double(r->latency.count());
            top = std::max(top, share.back());
        }
        QCPGraph *g = p->addGraph();
        g->setData(keys, share, true);
        g->setPen(QPen(variantColor(int(i)), 1.5));
        g->setLineStyle(QCPGraph::lsStepCenter);
        const QString name = e.variants[i].name.isEmpty() ? e.variants[i].id : e.variants[i].name;
        g->setName(
            QStringLiteral("%1  p95 %2 ms").arg(name).arg(r->latency.quantile(0.95), 0, 'f', 0));
    }
    p->xAxis->setRange(lo, hi);
    p->yAxis->setRange(0, top * 1.15 + 0.01);
    p->replot(QCustomPlot::rpQueuedReplot);
}

void ResultsCharts::updateSplit(const Analysis &a)
{
    QCustomPlot *p = m_split;
    p->clearPlottables();
    qDeleteAll(p->findChildren<QCPBarsGroup *>(Qt::FindDirectChildrenOnly));
    if (a.variants.empty()) {
        showWaiting(p, true);
        p->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    quint64 total = 0;
    for (const auto &v : a.variants)
        total += v.exposures;
    showWaiting(p, false);
    auto *group = new QCPBarsGroup(p);
    auto *weight = new QCPBars(p->xAxis, p->yAxis);
    auto *observed = new QCPBars(p->xAxis, p->yAxis);
    weight->setName(tr("configured weight"));
    observed->setName(a.srmMismatch ? tr("observed — MISMATCH") : tr("observed"));
    weight->setPen(QPen(p->palette().text().color()));
    weight->setBrush(p->palette().mid());
    QVector<double> keys, w, o;
    QVector<QString> labels;
    double top = 0;
    for (std::size_t i = 0; i < a.variants.size(); ++i) {
        keys << double(i + 1);
        w << 100 * a.variants[i].weightShare;
        o << 100 * a.variants[i].exposureShare;
        // The name when it fits under its pair of bars, else the short id.
        const QString &name = a.variants[i].name;
        const QFontMetrics fm(p->xAxis->tickLabelFont());
        const int room = p->axisRect()->width() / int(std::max<std::size_t>(1, a.variants.size()));
        labels << (fm.horizontalAdvance(name) + 8 <= room ? name : a.variants[i].variantId);
        top = std::max({top, w.back(), o.back()});
    }
    weight->setData(keys, w);
    observed->setData(keys, o);
    const QColor oc = a.srmMismatch ? QColor(0xd3, 0x2f, 0x2f) : variantColor(0);
    observed->setPen(QPen(oc));
    observed->setBrush(oc);
    for (QCPBars *b : {weight, observed}) {
        b->setWidth(0.35);
        b->setBarsGroup(group);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(keys, labels);
    p->xAxis->setTicker(ticker);
    p->xAxis->setRange(0.4, double(a.variants.size()) + 0.6);
    p->yAxis->setRange(0, std::max(10.0, top * 1.25));
    if (total == 0)
        observed->setName(tr("observed (no exposures yet)"));
    p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace sb
