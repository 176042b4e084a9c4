#pragma once

// What a user sees in a latency heatmap (ui/latency/heatmap_view.h): whether
// the cell at a time and latency is painted, read from the rendered plot's
// pixels, and how many cells hold a share at all.

#include "ui/latency/heatmap_view.h"

#include <QImage>
#include <cmath>
#include <qcustomplot.h>

namespace sb::test {

// The heatmap rendered now, as the screen would show it.
inline QImage renderHeatmap(HeatmapView *heat)
{
    heat->plot()->replot(QCustomPlot::rpImmediateRefresh);
    return heat->plot()->toPixmap(heat->plot()->width(), heat->plot()->height()).toImage();
}

// True when the pixel at (time, latency ms) differs clearly from the background.
inline bool heatmapPainted(HeatmapView *heat, const QImage &img, qint64 ms, double latencyMs)
{
    QCPAxis *x = heat->plot()->xAxis;
    QCPAxis *y = heat->plot()->yAxis;
    const QColor base = heat->palette().color(QPalette::Base);
    const QColor c =
        img.pixelColor(int(x->coordToPixel(double(ms) / 1000)), int(y->coordToPixel(latencyMs)));
    return std::abs(c.red() - base.red()) + std::abs(c.green() - base.green()) +
               std::abs(c.blue() - base.blue()) >
           30;
}

// Cells holding a share of some interval's requests (empty ones are NaN).
inline int filledCells(HeatmapView *heat)
{
    QCPColorMapData *d = heat->colorMap()->data();
    int n = 0;
    for (int k = 0; k < d->keySize(); ++k) {
        for (int v = 0; v < d->valueSize(); ++v)
            n += std::isnan(d->cell(k, v)) ? 0 : 1;
    }
    return n;
}

} // namespace sb::test
