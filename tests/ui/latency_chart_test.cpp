// The latency page's chart and series picker, offscreen: what is drawn is
// checked in the rendered image (each series' colour, blank columns over a
// gap), the axes carry units, an empty chart says it is waiting for data,
// pausing stops following and Live returns, and the picker's search and
// several-at-once selection work.

#include "core/latency_heatmap.h"
#include "ui/latency/heatmap_view.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/series_picker.h"

#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <cmath>
#include <gtest/gtest.h>
#include <qcustomplot.h>

using namespace sb;

namespace {

const qint64 kT0 = 1'790'000'000'000; // a fixed second, ms

SeriesPoint point(qint64 timeMs, float p99, quint64 count = 100)
{
    SeriesPoint p;
    p.timeMs = timeMs;
    p.durationMs = 1000;
    p.count = count;
    p.errors = count / 50;
    p.fallbacks = count / 10;
    p.latencyCount = count - p.errors;
    p.ttftCount = p.latencyCount;
    p.p50 = p99 / 4;
    p.p90 = p99 / 2;
    p.p95 = p99 / 1.5f;
    p.p99 = p99;
    p.ttftP50 = p99 / 8;
    return p;
}

std::vector<SeriesPoint> seconds(qint64 from, int n, float p99)
{
    std::vector<SeriesPoint> v;
    for (int i = 0; i < n; ++i)
        v.push_back(point(from + i * 1000, p99 + float(i % 7) * p99 / 20));
    return v;
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) < 12 && std::abs(a.green() - b.green()) < 12 &&
           std::abs(a.blue() - b.blue()) < 12;
}

// Pixels of `color` inside the panel's rect, in columns [x0, x1).
int pixelsOf(const QImage &img, const QColor &color, const QRect &rect, int x0 = -1, int x1 = -1)
{
    if (x0 < 0)
        x0 = rect.left();
    if (x1 < 0)
        x1 = rect.right();
    int n = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = std::max(x0, 0); x < std::min(x1, img.width()); ++x)
            n += near(img.pixelColor(x, y), color) ? 1 : 0;
    }
    return n;
}

struct Shown
{
    LatencyChart chart;
    Shown()
    {
        chart.resize(1000, 700);
        chart.show();
    }
    QImage render()
    {
        chart.replotNow();
        return chart.plot()->toPixmap(chart.plot()->width(), chart.plot()->height()).toImage();
    }
};

} // namespace

TEST(LatencyChart, EmptySaysWaitingForDataInsteadOfAFakeAxis)
{
    Shown s;
    EXPECT_TRUE(s.chart.isShowingEmpty());
    EXPECT_TRUE(s.chart.emptyText().contains(QStringLiteral("Waiting for data")));
    EXPECT_FALSE(s.chart.plot()->isVisible());
    // A series picked but without data yet: still waiting, and it says for what.
    s.chart.setSeries(QStringLiteral("a"), QStringLiteral("chat · gpt-x"), {});
    EXPECT_TRUE(s.chart.isShowingEmpty());
    EXPECT_TRUE(s.chart.emptyText().contains(QStringLiteral("chat · gpt-x")));
    s.chart.appendPoints(QStringLiteral("a"), seconds(kT0, 5, 100));
    EXPECT_FALSE(s.chart.isShowingEmpty());
    EXPECT_TRUE(s.chart.plot()->isVisible());
}

TEST(LatencyChart, DrawsEverySelectedSeriesInItsOwnStableColour)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · model-a"),
                      seconds(kT0, 120, 200));
    s.chart.setSeries(QStringLiteral("2"), QStringLiteral("chat · model-b"),
                      seconds(kT0, 120, 900));
    s.chart.setSeries(QStringLiteral("3"), QStringLiteral("embed · model-c"),
                      seconds(kT0, 120, 50));
    const QColor c1 = s.chart.colorOf(QStringLiteral("1"));
    const QColor c2 = s.chart.colorOf(QStringLiteral("2"));
    const QColor c3 = s.chart.colorOf(QStringLiteral("3"));
    EXPECT_NE(c1, c2);
    EXPECT_NE(c1, c3);
    EXPECT_NE(c2, c3);
    // The colour is a function of the label (so it holds across sessions).
    EXPECT_EQ(LatencyChart::colorFor(QStringLiteral("chat · model-a")), c1);
    EXPECT_EQ(s.chart.pointCount(), 360);
    const QImage img = s.render();
    const QRect latency = s.chart.panel(LatencyChart::LatencyPanel)->rect();
    EXPECT_GT(pixelsOf(img, c1, latency), 100);
    EXPECT_GT(pixelsOf(img, c2, latency), 100);
    EXPECT_GT(pixelsOf(img, c3, latency), 100);
    // Removing one takes its pixels away.
    s.chart.removeSeries(QStringLiteral("2"));
    const QImage after = s.render();
    EXPECT_EQ(pixelsOf(after, c2, latency), 0);
    EXPECT_GT(pixelsOf(after, c1, latency), 100);
}

TEST(LatencyChart, AGapInTheDataLeavesBlankColumns)
{
    Shown s;
    const QString id = QStringLiteral("1");
    s.chart.setSeries(id, QStringLiteral("chat · model-a"), seconds(kT0, 100, 300));
    // The stream was down for 100 s: nothing arrives for those seconds.
    s.chart.appendPoints(id, seconds(kT0 + 200'000, 100, 300));
    s.chart.setWindowSeconds(300);
    const QImage img = s.render();
    const QColor c = s.chart.colorOf(id);
    QCPAxisRect *rect = s.chart.panel(LatencyChart::LatencyPanel);
    QCPAxis *x = rect->axis(QCPAxis::atBottom);
    const int gapFrom = int(x->coordToPixel(double(kT0) / 1000 + 110));
    const int gapTo = int(x->coordToPixel(double(kT0) / 1000 + 190));
    ASSERT_GT(gapTo - gapFrom, 20);
    EXPECT_EQ(pixelsOf(img, c, rect->rect(), gapFrom, gapTo), 0);
    EXPECT_GT(pixelsOf(img, c, rect->rect(), rect->left(), gapFrom), 50);
    EXPECT_GT(pixelsOf(img, c, rect->rect(), gapTo, rect->right()), 50);
}

TEST(LatencyChart, AxesCarryUnitsAndLatencySwitchesToSeconds)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · slow"), seconds(kT0, 60, 4000));
    s.render();
    auto labels = [&](LatencyChart::Panel p) {
        return s.chart.panel(p)->axis(QCPAxis::atLeft)->tickVectorLabels();
    };
    bool inSeconds = false;
    for (const auto &l : labels(LatencyChart::LatencyPanel))
        inSeconds = inSeconds || l.endsWith(QStringLiteral(" s"));
    EXPECT_TRUE(inSeconds) << labels(LatencyChart::LatencyPanel).join(',').toStdString();
    for (const auto &l : labels(LatencyChart::ThroughputPanel))
        EXPECT_TRUE(l.endsWith(QStringLiteral("req/s"))) << l.toStdString();
    for (const auto &l : labels(LatencyChart::RatesPanel))
        EXPECT_TRUE(l.endsWith(QStringLiteral("%"))) << l.toStdString();
    // A fast series reads in milliseconds.
    s.chart.clearSeries();
    s.chart.setSeries(QStringLiteral("2"), QStringLiteral("embed · fast"), seconds(kT0, 60, 40));
    s.render();
    bool ms = false;
    for (const auto &l : labels(LatencyChart::LatencyPanel))
        ms = ms || l.endsWith(QStringLiteral(" ms"));
    EXPECT_TRUE(ms) << labels(LatencyChart::LatencyPanel).join(',').toStdString();
}

TEST(LatencyChart, HoverShowsExactValuesOfEverySeriesAtThatSecond)
{
    Shown s;
    std::vector<SeriesPoint> pts = seconds(kT0, 30, 100);
    pts[10].p99 = 1234;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), pts);
    s.chart.setSeries(QStringLiteral("2"), QStringLiteral("chat · b"),
                      seconds(kT0 + 20'000, 10, 100));
    const QString text = s.chart.valuesAt(double(kT0) / 1000 + 10.4);
    EXPECT_TRUE(text.contains(QStringLiteral("p99 1.23 s"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("chat · b: no data"))) << text.toStdString();
    s.render();
    QCPAxis *x = s.chart.panel(LatencyChart::LatencyPanel)->axis(QCPAxis::atBottom);
    s.chart.hoverAt(QPoint(int(x->coordToPixel(double(kT0) / 1000 + 25.5)), 100));
    auto *hover = s.chart.plot()->findChild<QLabel *>(QStringLiteral("chartHover"));
    ASSERT_NE(hover, nullptr);
    EXPECT_TRUE(hover->isVisible());
    EXPECT_TRUE(hover->text().contains(QStringLiteral("chat · b: p99")))
        << hover->text().toStdString();
}

TEST(LatencyChart, PauseKeepsTheViewAndLiveReturnsToTheNewestSecond)
{
    Shown s;
    const QString id = QStringLiteral("1");
    s.chart.setSeries(id, QStringLiteral("chat · a"), seconds(kT0, 60, 100));
    s.render();
    QCPAxis *x = s.chart.panel(LatencyChart::LatencyPanel)->axis(QCPAxis::atBottom);
    EXPECT_DOUBLE_EQ(x->range().upper, double(kT0) / 1000 + 60);
    s.chart.pause();
    EXPECT_FALSE(s.chart.isFollowing());
    const QCPRange before = x->range();
    s.chart.appendPoints(id, seconds(kT0 + 60'000, 30, 100));
    s.render();
    EXPECT_EQ(x->range(), before); // new data does not pull the view along
    s.chart.goLive();
    s.render();
    EXPECT_DOUBLE_EQ(x->range().upper, double(kT0) / 1000 + 90);
    // Space toggles.
    QKeyEvent space(QEvent::KeyPress, Qt::Key_Space, Qt::NoModifier, QStringLiteral(" "));
    QApplication::sendEvent(&s.chart, &space);
    EXPECT_FALSE(s.chart.isFollowing());
}

namespace {

// Local noon of the day `days` before today, ms.
qint64 noon(int days)
{
    return QDateTime(QDate::currentDate().addDays(-days), QTime(12, 0)).toMSecsSinceEpoch();
}

QString labelsOf(QCPAxis *x)
{
    return x->tickVectorLabels().toList().join(QStringLiteral(" | "));
}

} // namespace

TEST(LatencyChart, ScrolledBackADayTheTimeAxisNamesTheDay)
{
    Shown s;
    QCPAxis *x = s.chart.panel(LatencyChart::RatesPanel)->axis(QCPAxis::atBottom);
    // Today: times alone, as before.
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), seconds(noon(0), 600, 100));
    s.chart.setVisibleRangeMs(noon(0), noon(0) + 600'000);
    s.render();
    ASSERT_FALSE(x->tickVectorLabels().isEmpty());
    EXPECT_FALSE(labelsOf(x).contains(QDate::currentDate().toString(QStringLiteral("d MMM"))))
        << labelsOf(x).toStdString();
    // Yesterday: the first tick says which day ("Tue 1 Dec 12:00:00").
    const QDate yesterday = QDate::currentDate().addDays(-1);
    s.chart.clearSeries();
    s.chart.setSeries(QStringLiteral("2"), QStringLiteral("chat · b"), seconds(noon(1), 600, 100));
    s.chart.setVisibleRangeMs(noon(1), noon(1) + 600'000);
    s.render();
    const auto labels = x->tickVectorLabels();
    ASSERT_GE(labels.size(), 2);
    EXPECT_TRUE(labels.front().startsWith(yesterday.toString(QStringLiteral("ddd d MMM 12:0"))))
        << labelsOf(x).toStdString();
    EXPECT_FALSE(labels.back().contains(yesterday.toString(QStringLiteral("d MMM"))));
    EXPECT_LT(labels.back().size(), labels.front().size()) << labelsOf(x).toStdString();
    // Across midnight into today: the first tick of each day carries its date.
    const qint64 midnight = QDateTime(QDate::currentDate(), QTime(0, 0)).toMSecsSinceEpoch();
    s.chart.setVisibleRangeMs(midnight - 3 * 3600'000, midnight + 3 * 3600'000);
    s.render();
    const QString across = labelsOf(x);
    EXPECT_TRUE(across.contains(yesterday.toString(QStringLiteral("ddd d MMM"))))
        << across.toStdString();
    EXPECT_TRUE(across.contains(QDate::currentDate().toString(QStringLiteral("ddd d MMM 00:00"))))
        << across.toStdString();
}

// A label without seconds stands for a whole minute, so no tick may fall on
// the half minute (QCustomPlot's own 2.5 min step put "02:02" at 02:02:30).
TEST(LatencyChart, EveryTimeTickFallsOnTheInstantItsLabelNames)
{
    Shown s;
    QCPAxis *x = s.chart.panel(LatencyChart::RatesPanel)->axis(QCPAxis::atBottom);
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), seconds(noon(0), 3600, 100));
    for (qint64 spanS : {12, 25, 300, 600, 900, 1200, 1800, 3600}) {
        s.chart.setVisibleRangeMs(noon(0), noon(0) + spanS * 1000);
        s.render();
        const auto ticks = x->tickVector();
        const auto labels = x->tickVectorLabels();
        ASSERT_GE(ticks.size(), 2) << spanS;
        for (int i = 0; i < ticks.size(); ++i) {
            const QDateTime t =
                QDateTime::fromMSecsSinceEpoch(qint64(std::llround(ticks[i] * 1000)));
            const bool seconds = labels[i].count(QLatin1Char(':')) == 2;
            const QTime at = t.time();
            EXPECT_EQ(at.msec(), 0) << spanS << " s: " << labels[i].toStdString();
            if (!seconds) {
                EXPECT_EQ(at.second(), 0) << spanS << " s: " << labels[i].toStdString();
            }
            EXPECT_TRUE(labels[i].endsWith(
                t.toString(seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"))))
                << labels[i].toStdString();
        }
    }
}

TEST(HeatmapView, ScrolledBackADayTheTimeAxisNamesTheDay)
{
    HeatmapView view;
    view.resize(1000, 300);
    view.show();
    const qint64 from = noon(1);
    LatencyHeatmap grid(from, 60'000, 30, 20, 10, 10'000);
    LatencySketch sketch;
    for (int i = 0; i < 50; ++i)
        sketch.record(80 + i);
    for (int m = 0; m < 30; ++m)
        grid.add(from + m * 60'000, sketch);
    view.setHeatmap(QStringLiteral("chat"), grid, from, from + 30 * 60'000);
    view.plot()->replot();
    const auto labels = view.plot()->xAxis->tickVectorLabels();
    ASSERT_FALSE(labels.isEmpty());
    EXPECT_TRUE(labels.front().startsWith(
        QDate::currentDate().addDays(-1).toString(QStringLiteral("ddd d MMM 12:"))))
        << labelsOf(view.plot()->xAxis).toStdString();
}

TEST(SeriesPicker, SearchesAndSelectsSeveralSeries)
{
    SeriesPicker picker;
    picker.addSeries(1, {QStringLiteral("chat"), QStringLiteral("gpt-x"), {}});
    picker.addSeries(2,
                     {QStringLiteral("chat"), QStringLiteral("gpt-x"), QStringLiteral("exp1/b")});
    picker.addSeries(3, {QStringLiteral("embed"), QStringLiteral("e5"), {}});
    ASSERT_EQ(picker.tree()->topLevelItemCount(), 2);
    QStringList seen;
    QObject::connect(&picker, &SeriesPicker::selectionChanged,
                     [&](const QStringList &ids) { seen = ids; });
    picker.select(
        {SeriesPicker::seriesId(1), SeriesPicker::seriesId(3), SeriesPicker::routeId("chat")});
    EXPECT_EQ(seen.size(), 3);
    EXPECT_EQ(picker.labelOf(SeriesPicker::seriesId(2)), QStringLiteral("chat · gpt-x · exp1/b"));
    // Adding series later keeps the selection.
    picker.addSeries(4, {QStringLiteral("chat"), QStringLiteral("claude"), {}});
    EXPECT_EQ(picker.selectedIds().size(), 3);
    picker.search()->setText(QStringLiteral("e5"));
    int visible = 0;
    for (QTreeWidgetItemIterator it(picker.tree()); *it; ++it)
        visible += (*it)->isHidden() ? 0 : 1;
    EXPECT_EQ(visible, 2); // embed and its e5
}

TEST(LatencyChart, TheLegendSaysStoppedAtOnceWhenTheStreamDrops)
{
    Shown s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"),
                      seconds(now - 10'000, 10, 300));
    auto *legend = s.chart.findChild<QLabel *>(QStringLiteral("chartLegend"));
    ASSERT_NE(legend, nullptr);
    EXPECT_TRUE(legend->text().contains(QStringLiteral("req/s"))) << legend->text().toStdString();
    // The service went away a moment ago: last second's numbers are not current.
    s.chart.setStreamLive(false);
    EXPECT_TRUE(legend->text().contains(QStringLiteral("stopped · last data")))
        << legend->text().toStdString();
    EXPECT_FALSE(legend->text().contains(QStringLiteral("req/s")));
    s.chart.setStreamLive(true);
    EXPECT_TRUE(legend->text().contains(QStringLiteral("req/s")));
}

// A model reported only per variant has no series of its own: clicking it
// charts its variants instead of emptying the chart.
TEST(SeriesPicker, ClickingAModelWithOnlyVariantsChartsItsVariants)
{
    SeriesPicker picker;
    picker.addSeries(1, {QStringLiteral("chat"), QStringLiteral("atlas"), QStringLiteral("exp/a")});
    picker.addSeries(2, {QStringLiteral("chat"), QStringLiteral("atlas"), QStringLiteral("exp/b")});
    picker.addSeries(3, {QStringLiteral("chat"), QStringLiteral("orion"), {}});
    QTreeWidgetItem *atlas = picker.tree()->topLevelItem(0)->child(0);
    ASSERT_EQ(atlas->text(0), QStringLiteral("atlas"));
    QStringList seen;
    QObject::connect(&picker, &SeriesPicker::selectionChanged,
                     [&](const QStringList &ids) { seen = ids; });
    emit picker.tree()->itemClicked(atlas, 0);
    EXPECT_EQ(seen, (QStringList{SeriesPicker::seriesId(1), SeriesPicker::seriesId(2)}));
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
