#include "ui/latency/heatmap_view.h"

#include "core/latency_heatmap.h"
#include "ui/latency/chart_style.h"

#include <QEvent>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace sb {

namespace {

// Log-scale latency ticks at 1-2-5 steps, labelled in ms or s.
class LogLatencyTicker : public QCPAxisTickerLog
{
protected:
    QString getTickLabel(double tick, const QLocale &, QChar, int) override
    {
        // Decades read best bare: "100 ms", "1 s", "10 s".
        // (Fixed notation: QCustomPlot would turn "1e+03" into a power of ten.)
        auto bare = [](double v) { return QString::number(v, 'f', v >= 1 ? 0 : 1); };
        return tick >= 1000 ? QStringLiteral("%1 s").arg(bare(tick / 1000.0))
                            : QStringLiteral("%1 ms").arg(bare(tick));
    }
};

constexpr double kMinShare = 1e-3; // shares below this get the faintest colour

} // namespace

HeatmapView::HeatmapView(QWidget *parent)
    : QWidget(parent), m_plot(new QCustomPlot), m_map(nullptr), m_title(new QLabel(this)),
      m_empty(new QLabel(this))
{
    setObjectName(QStringLiteral("latencyHeatmap"));
    m_plot->setObjectName(QStringLiteral("heatmapPlot"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_title->setToolTip(tr("Each column is one interval; its colour is the share of that "
                           "interval's requests in each latency band (log scale)."));

    auto *stack = new QStackedLayout;
    stack->addWidget(m_plot);
    stack->addWidget(m_empty);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addLayout(stack, 1);

    QCPAxis *x = m_plot->xAxis;
    QCPAxis *y = m_plot->yAxis;
    auto timeTicker = QSharedPointer<chart::TimeTicker>::create();
    timeTicker->setDateTimeSpec(Qt::LocalTime);
    timeTicker->setTickCount(6);
    x->setTicker(timeTicker);
    y->setScaleType(QCPAxis::stLogarithmic);
    auto logTicker = QSharedPointer<LogLatencyTicker>::create();
    logTicker->setSubTickCount(0);
    y->setTicker(logTicker);
    y->setLabel(tr("latency"));
    m_map = new QCPColorMap(x, y);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(0x44, 0x6a, 0xb8));
    gradient.setColorStopAt(0.45, QColor(0x7b, 0x4f, 0xb0));
    gradient.setColorStopAt(0.75, QColor(0xe0, 0x5a, 0x2f));
    gradient.setColorStopAt(1.0, QColor(0xff, 0xd2, 0x3f));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    m_map->setGradient(gradient);
    m_map->setDataScaleType(QCPAxis::stLogarithmic);
    m_map->setDataRange(QCPRange(kMinShare, 1.0));
    m_map->setInterpolate(false);
    m_plot->setInteractions({});
    applyPalette();
    showEmpty(tr("Pick a route, model or variant to see its latency distribution"));
}

void HeatmapView::applyPalette()
{
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    m_plot->setBackground(base);
    for (auto *axis : m_plot->axisRect()->axes()) {
        axis->setBasePen(QPen(chart::mix(text, base, 0.5)));
        axis->setTickPen(QPen(chart::mix(text, base, 0.5)));
        axis->setSubTickPen(QPen(chart::mix(text, base, 0.5)));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(chart::mix(text, base, 0.85), 1, Qt::DotLine));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void HeatmapView::setHeatmap(const QString &title, const LatencyHeatmap &grid, qint64 fromMs,
                             qint64 toMs)
{
    const int cols = grid.columns();
    const int rows = grid.rows();
    m_title->setText(tr("Latency distribution · %1 · per %2")
                         .arg(title, grid.stepMs() >= 60'000 ? tr("minute") : tr("second")));
    bool any = false;
    QCPColorMapData *data = m_map->data();
    data->setSize(cols, rows);
    // Cell centres: columns at their interval's middle, rows at their band's
    // geometric middle (the y axis is logarithmic).
    const double step = double(grid.stepMs()) / 1000.0;
    const double x0 = double(grid.fromMs()) / 1000.0 + step / 2;
    data->setRange(QCPRange(x0, x0 + step * std::max(0, cols - 1)),
                   QCPRange(std::sqrt(grid.rowLowerMs(0) * grid.rowLowerMs(1)),
                            std::sqrt(grid.rowLowerMs(rows - 1) * grid.rowLowerMs(rows))));
    for (int c = 0; c < cols; ++c) {
        const double total = grid.columnTotal(c);
        for (int r = 0; r < rows; ++r) {
            const double n = grid.count(c, r);
            if (total > 0 && n > 0) {
                data->setCell(c, r, std::max(kMinShare, n / total));
                any = true;
            } else {
                data->setCell(c, r, std::numeric_limits<double>::quiet_NaN());
            }
        }
    }
    m_plot->xAxis->setRange(double(fromMs) / 1000.0, double(toMs) / 1000.0);
    m_plot->yAxis->setRange(grid.minMs(), grid.maxMs());
    if (!any) {
        showEmpty(tr("No latency samples for %1 in this range yet").arg(title));
        return;
    }
    static_cast<QStackedLayout *>(layout()->itemAt(1)->layout())->setCurrentIndex(0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::showEmpty(const QString &why)
{
    m_empty->setText(why);
    static_cast<QStackedLayout *>(layout()->itemAt(1)->layout())->setCurrentIndex(1);
}

void HeatmapView::setHorizontalMargins(int left, int right)
{
    QCPAxisRect *rect = m_plot->axisRect();
    rect->setAutoMargins(QCP::msTop | QCP::msBottom);
    const QMargins now = rect->margins();
    rect->setMargins(QMargins(left, now.top(), right, now.bottom()));
}

bool HeatmapView::isShowingEmpty() const
{
    return static_cast<QStackedLayout *>(layout()->itemAt(1)->layout())->currentIndex() == 1;
}

QString HeatmapView::title() const
{
    return m_title->text();
}

} // namespace sb
