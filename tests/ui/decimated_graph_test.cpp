// DecimatedGraph rendered for real (offscreen QCustomPlot to an image): the
// line's pixels are there, a gap leaves blank columns, single-second spikes
// up and down survive decimation, and history at 1 min is drawn before the
// per-second data.

#include "ui/latency/decimated_graph.h"

#include <QApplication>
#include <QImage>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <qcustomplot.h>

using sb::DecimatedGraph;
using Res = DecimatedGraph::Resolution;

namespace {

// A plot with nothing but the graph inside its axis rect: no grid, no
// ticks, so any dark pixel there is the line.
struct Plot
{
    QCustomPlot plot;
    DecimatedGraph *graph;
    QImage image;

    Plot()
    {
        plot.resize(420, 220);
        plot.setBackground(Qt::white);
        for (QCPAxis *a : {plot.xAxis, plot.yAxis}) {
            a->grid()->setVisible(false);
            a->setTicks(false);
            a->setTickLabels(false);
        }
        graph = new DecimatedGraph(plot.xAxis, plot.yAxis);
        graph->setPen(QPen(Qt::black, 1));
        plot.yAxis->setRange(0, 100);
    }

    void render()
    {
        plot.replot();
        image = plot.toPixmap(plot.width(), plot.height(), 1.0).toImage();
    }

    QRect inside() const { return plot.axisRect()->rect().adjusted(2, 2, -2, -2); }
    int x(double key) const { return int(std::floor(plot.xAxis->coordToPixel(key))); }
    int y(double value) const { return int(std::lround(plot.yAxis->coordToPixel(value))); }

    bool dark(int px, int py) const { return qGray(image.pixel(px, py)) < 128; }
    // Dark pixels in column px within the axis rect.
    int darkInColumn(int px) const
    {
        int n = 0;
        const QRect r = inside();
        for (int py = r.top(); py <= r.bottom(); ++py)
            n += dark(px, py) ? 1 : 0;
        return n;
    }
    // The topmost / bottommost dark pixel near column px (±1 column).
    int topDark(int px) const
    {
        const QRect r = inside();
        for (int py = r.top(); py <= r.bottom(); ++py)
            for (int dx = -1; dx <= 1; ++dx)
                if (dark(px + dx, py))
                    return py;
        return -1;
    }
    int bottomDark(int px) const
    {
        const QRect r = inside();
        for (int py = r.bottom(); py >= r.top(); --py)
            for (int dx = -1; dx <= 1; ++dx)
                if (dark(px + dx, py))
                    return py;
        return -1;
    }
};

// 1000 s of a steady 10 with a spike to 90 at 500 s, a dip to 1 at 800 s and
// nothing between 600 and 700 s.
void fixture(DecimatedGraph &g)
{
    std::vector<double> keys, values;
    for (int s = 0; s < 1000; ++s) {
        if (s >= 600 && s < 700)
            continue;
        keys.push_back(s);
        values.push_back(s == 500 ? 90.0 : s == 800 ? 1.0 : 10.0);
    }
    g.addData(Res::Fine, keys, values);
}

} // namespace

TEST(DecimatedGraph, DrawsTheLineWhereTheDataIs)
{
    Plot p;
    fixture(*p.graph);
    p.plot.xAxis->setRange(0, 1000);
    p.render();
    ASSERT_GT(p.inside().width(), 300);
    int hits = 0, checked = 0;
    for (double key = 50; key < 450; key += 10) {
        ++checked;
        const int px = p.x(key);
        const int py = p.y(10);
        hits += (p.dark(px, py) || p.dark(px, py - 1) || p.dark(px, py + 1)) ? 1 : 0;
    }
    EXPECT_EQ(hits, checked) << "the steady part of the line is drawn";
    // About 2.8 s per pixel: one column per pixel, far fewer than points.
    EXPECT_LE(p.graph->lastColumnCount(), std::size_t(p.inside().width()) + 8);
    EXPECT_GT(p.graph->lastColumnCount(), 100u);
    EXPECT_TRUE(p.graph->lastDrawRaster());
}

TEST(DecimatedGraph, AGapLeavesBlankColumns)
{
    Plot p;
    fixture(*p.graph);
    p.plot.xAxis->setRange(0, 1000);
    p.render();
    // Well inside 600..700 s: nothing at all in those columns.
    for (int px = p.x(605) + 1; px < p.x(695); ++px)
        EXPECT_EQ(p.darkInColumn(px), 0) << "column " << px << " inside the gap";
    EXPECT_GT(p.darkInColumn(p.x(550)), 0);
    EXPECT_GT(p.darkInColumn(p.x(750)), 0);
}

TEST(DecimatedGraph, SingleSecondSpikesSurviveDecimationAtEveryZoom)
{
    for (double span : {1000.0, 4000.0, 86400.0}) {
        Plot p;
        fixture(*p.graph);
        p.plot.xAxis->setRange(0, span);
        p.render();
        EXPECT_LE(p.topDark(p.x(500)), p.y(90) + 1) << "the spike up, span " << span;
        EXPECT_GE(p.bottomDark(p.x(800)), p.y(1) - 1) << "the dip down, span " << span;
    }
}

TEST(DecimatedGraph, NaNIsAGapAndIsolatedPointsStillShow)
{
    Plot p;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> keys, values;
    for (int s = 0; s < 100; ++s) {
        keys.push_back(s);
        values.push_back(s >= 40 && s < 60 ? nan : 50.0);
    }
    keys.push_back(130); // alone: its neighbours are far away
    values.push_back(70.0);
    p.graph->addData(Res::Fine, keys, values);
    p.plot.xAxis->setRange(0, 150);
    p.render();
    for (int px = p.x(42) + 1; px < p.x(58); ++px)
        EXPECT_EQ(p.darkInColumn(px), 0) << "NaN seconds are not bridged";
    EXPECT_GT(p.darkInColumn(p.x(20)), 0);
    EXPECT_GT(p.darkInColumn(p.x(130)), 0) << "an isolated second is a dot";
    for (int px = p.x(102); px < p.x(128); ++px)
        EXPECT_EQ(p.darkInColumn(px), 0) << "no line to the isolated point";
}

TEST(DecimatedGraph, MinuteHistoryIsDrawnBeforeTheSecondsAndRemoveBeforeTrims)
{
    Plot p;
    std::vector<double> mk, mv;
    for (int m = -60; m < 0; ++m) {
        mk.push_back(m * 60.0);
        mv.push_back(80.0);
    }
    p.graph->addData(Res::Coarse, mk, mv);
    fixture(*p.graph);
    p.plot.xAxis->setRange(-3600, 1000);
    p.render();
    const int px = p.x(-1800);
    EXPECT_TRUE(p.dark(px, p.y(80)) || p.dark(px, p.y(80) - 1) || p.dark(px, p.y(80) + 1))
        << "the minutes are drawn";
    EXPECT_GT(p.darkInColumn(p.x(300)), 0) << "and the seconds";

    bool found = false;
    const QCPRange vr = p.graph->getValueRange(found);
    EXPECT_TRUE(found);
    EXPECT_DOUBLE_EQ(vr.lower, 1.0);
    EXPECT_DOUBLE_EQ(vr.upper, 90.0);

    p.graph->removeBefore(550);
    EXPECT_EQ(p.graph->pointCount(Res::Coarse), 0u);
    EXPECT_EQ(p.graph->pointCount(Res::Fine), 350u); // 550..599 and 700..999
    const QCPRange kr = p.graph->getKeyRange(found);
    EXPECT_DOUBLE_EQ(kr.lower, 550.0);
    p.render();
    EXPECT_EQ(p.darkInColumn(p.x(300)), 0) << "removed data is not drawn";
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
