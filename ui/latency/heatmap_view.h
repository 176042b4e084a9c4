#pragma once

// HeatmapView: a latency heatmap under the charts: time across (sharing the
// charts' range), latency up on a log axis with ms/s ticks, each cell
// coloured by the share of that interval's requests in that latency band (log
// colour scale, empty cells transparent), so a bimodal tail shows as two
// bands. It draws a LatencyHeatmap (core) that the page builds from the
// series store's sketches; it never reads data itself.

#include <QString>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QLabel;

namespace sb {

class LatencyHeatmap;

class HeatmapView : public QWidget
{
    Q_OBJECT
public:
    explicit HeatmapView(QWidget *parent = nullptr);

    // Shows `grid` over [fromMs, toMs), titled by what it is of.
    void setHeatmap(const QString &title, const LatencyHeatmap &grid, qint64 fromMs, qint64 toMs);
    // Nothing to show, and why.
    void showEmpty(const QString &why);
    bool isShowingEmpty() const;
    // Fixed left/right plot margins (px), to line the time axis up with another plot's.
    void setHorizontalMargins(int left, int right);
    QString title() const;
    QCustomPlot *plot() const { return m_plot; }
    QCPColorMap *colorMap() const { return m_map; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QCustomPlot *m_plot;
    QCPColorMap *m_map;
    QLabel *m_title;
    QLabel *m_empty;
};

} // namespace sb
