// The latency chart's history half and its extras, offscreen with real
// QCustomPlot rendering: a fresh session fills the whole chosen window (its
// data at the right edge, nothing stretched), history from the cache merges
// in front of live data without duplicates (minutes before seconds), the
// time axis is local time, markers are drawn and explained on hover, the
// legend hides and shows a series, CSV holds what is shown, and the heatmap
// shows a bimodal series as two bands.

#include "core/latency_heatmap.h"
#include "ui/latency/chart_export.h"
#include "ui/latency/heatmap_view.h"
#include "ui/latency/latency_chart.h"

#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <cmath>
#include <gtest/gtest.h>
#include <qcustomplot.h>
#include <random>

using namespace sb;

namespace {

const qint64 kT0 = 1'790'000'040'000; // a whole minute, ms

SeriesPoint point(qint64 timeMs, float p99, qint64 durationMs = 1000)
{
    SeriesPoint p;
    p.timeMs = timeMs;
    p.durationMs = durationMs;
    p.count = 100;
    p.errors = 2;
    p.fallbacks = 10;
    p.latencyCount = 98;
    p.ttftCount = 98;
    p.p50 = p99 / 4;
    p.p95 = p99 / 1.5f;
    p.p99 = p99;
    p.ttftP50 = p99 / 8;
    return p;
}

std::vector<SeriesPoint> run(qint64 from, int n, float p99, qint64 step = 1000)
{
    std::vector<SeriesPoint> v;
    for (int i = 0; i < n; ++i)
        v.push_back(point(from + i * step, p99, step));
    return v;
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) < 12 && std::abs(a.green() - b.green()) < 12 &&
           std::abs(a.blue() - b.blue()) < 12;
}

int pixelsOf(const QImage &img, const QColor &color, const QRect &rect)
{
    int n = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right() && x < img.width(); ++x)
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
    QCPAxis *x() { return chart.panel(LatencyChart::LatencyPanel)->axis(QCPAxis::atBottom); }
    // Whether series `id`'s line passes within a pixel of `value` at `ms` in
    // the latency panel of `img` (a render()).
    bool lineAt(const QImage &img, const QString &id, qint64 ms, double value)
    {
        QCPAxis *y = chart.panel(LatencyChart::LatencyPanel)->axis(QCPAxis::atLeft);
        const int px = int(x()->coordToPixel(double(ms) / 1000));
        const int py = int(std::lround(y->coordToPixel(value)));
        return pixelsOf(img, chart.colorOf(id), QRect(px, py - 1, 1, 3)) > 0;
    }
};

} // namespace

TEST(LatencyChartHistory, AFreshSessionShowsTheWholeWindowNotLess)
{
    Shown s;
    s.chart.setWindowSeconds(900);
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), run(kT0, 20, 100));
    s.render();
    EXPECT_DOUBLE_EQ(s.x()->range().size(), 900.0); // "Last 15 minutes" is 15 minutes
    EXPECT_DOUBLE_EQ(s.x()->range().upper, double(kT0) / 1000 + 20);
}

TEST(LatencyChartHistory, OlderSecondsAndMinutesMergeInFrontWithoutDuplicates)
{
    Shown s;
    const QString id = QStringLiteral("1");
    s.chart.setSeries(id, QStringLiteral("chat · a"), run(kT0, 60, 100));
    // The cache answers with seconds overlapping what is live: only older ones count.
    s.chart.addHistory(id, Resolution::Second, run(kT0 - 30'000, 45, 200));
    EXPECT_EQ(s.chart.oldestMs(id), kT0 - 30'000);
    EXPECT_EQ(s.chart.pointCount(), 90);
    // Minutes before that; the one overlapping the seconds is dropped.
    s.chart.addHistory(id, Resolution::Minute, run(kT0 - 10 * 60'000, 10, 300, 60'000));
    EXPECT_EQ(s.chart.minuteCount(id), 9u);
    // The same answer twice changes nothing.
    s.chart.addHistory(id, Resolution::Minute, run(kT0 - 10 * 60'000, 10, 300, 60'000));
    s.chart.addHistory(id, Resolution::Second, run(kT0 - 30'000, 45, 200));
    EXPECT_EQ(s.chart.minuteCount(id), 9u);
    EXPECT_EQ(s.chart.pointCount(), 90);
    // Looking back shows the minutes drawn, and hover names them.
    s.chart.setVisibleRangeMs(kT0 - 11 * 60'000, kT0 + 60'000);
    const QImage img = s.render();
    const QColor c = s.chart.colorOf(id);
    QCPAxisRect *rect = s.chart.panel(LatencyChart::LatencyPanel);
    const int minutesTo = int(s.x()->coordToPixel(double(kT0 - 60'000) / 1000));
    EXPECT_GT(pixelsOf(img, c,
                       QRect(rect->left(), rect->top(), minutesTo - rect->left(), rect->height())),
              10);
    const QString text = s.chart.valuesAt(double(kT0 - 5 * 60'000 + 30'000) / 1000);
    EXPECT_TRUE(text.contains(QStringLiteral("minute from"))) << text.toStdString();
    // Visible points for export: minutes, then seconds, in range.
    const auto shown = s.chart.visiblePoints();
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0].second.size(), 9u + 90u);
    // Back to live: history beyond the kept hour goes.
    s.chart.goLive();
    s.chart.appendPoints(id, run(kT0 + 60'000, 1, 100));
    EXPECT_EQ(s.chart.minuteCount(id), 9u); // within the hour kept live
}

// A minute aggregate covers [t, t + 60 s): one slow minute of history is a
// step over that minute, not a triangle from the minute before to the one
// after, and the line runs to the end of the last minute.
TEST(LatencyChartHistory, MinuteHistoryIsDrawnAsStepsOverTheirWholeMinute)
{
    Shown s;
    const QString id = QStringLiteral("1");
    s.chart.setSeries(id, QStringLiteral("chat · a"), {});
    const qint64 slow = kT0 - 5 * 60'000;
    auto minutes = run(kT0 - 10 * 60'000, 10, 100, 60'000);
    minutes[5] = point(slow, 1000, 60'000);
    s.chart.addHistory(id, Resolution::Minute, minutes);
    s.chart.setVisibleRangeMs(kT0 - 11 * 60'000, kT0 + 60'000);
    const QImage img = s.render();
    const auto at = [&](qint64 ms, double value) { return s.lineAt(img, id, ms, value); };
    EXPECT_TRUE(at(slow + 10'000, 1000)) << "the slow minute's start is not at its p99";
    EXPECT_TRUE(at(slow + 50'000, 1000)) << "the slow minute's end is not at its p99";
    for (const qint64 middle : {slow - 30'000, slow + 90'000}) {
        EXPECT_FALSE(at(middle, 1000)) << "a neighbouring minute drawn slow";
        EXPECT_TRUE(at(middle, 100)) << "a neighbouring minute not at its own p99";
    }
    // The last minute (from kT0 - 60 s) is drawn to its end.
    EXPECT_TRUE(at(kT0 - 5'000, 100)) << "the line stops a minute early";
    // Live over a chosen window, the chart follows the minutes' end (it
    // stayed where it was: only seconds moved it).
    s.chart.setWindowSeconds(3600);
    s.chart.goLive();
    s.render();
    EXPECT_DOUBLE_EQ(s.x()->range().upper, double(kT0) / 1000);
    EXPECT_DOUBLE_EQ(s.x()->range().size(), 3600.0);
    // The legend names what it shows, not "waiting for data".
    auto *legend = s.chart.findChild<QLabel *>(QStringLiteral("chartLegend"));
    ASSERT_NE(legend, nullptr);
    EXPECT_TRUE(legend->text().contains(QStringLiteral("per-minute history up to ") +
                                        QDateTime::fromMSecsSinceEpoch(kT0).toString("HH:mm")))
        << legend->text().toStdString();
}

// What an incident export of an old range hands the chart: whole minutes
// (where the cache keeps no per-second merge of a route) then seconds. Each
// minute is drawn as a step over its minute, not as a lone dot.
TEST(LatencyChartHistory, MinutesGivenWithSecondsAreDrawnAsMinutes)
{
    Shown s;
    const QString id = QStringLiteral("1");
    std::vector<SeriesPoint> points = run(kT0 - 5 * 60'000, 5, 1000, 60'000);
    const auto secs = run(kT0, 60, 100);
    points.insert(points.end(), secs.begin(), secs.end());
    s.chart.setSeries(id, QStringLiteral("chat · a"), points);
    EXPECT_EQ(s.chart.minuteCount(id), 5u);
    s.chart.setVisibleRangeMs(kT0 - 6 * 60'000, kT0 + 60'000);
    const QImage img = s.render();
    const auto at = [&](qint64 ms, double value) { return s.lineAt(img, id, ms, value); };
    for (int m = 0; m < 5; ++m) {
        const qint64 start = kT0 - (5 - m) * 60'000;
        EXPECT_TRUE(at(start + 15'000, 1000)) << "minute " << m << " not drawn across";
        EXPECT_TRUE(at(start + 45'000, 1000)) << "minute " << m << " not drawn across";
    }
    EXPECT_TRUE(at(kT0 + 30'000, 100)) << "the seconds after the minutes are not drawn";
}

TEST(LatencyChartHistory, TheTimeAxisIsLocalTimeAndSaysSo)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), run(kT0, 60, 100));
    s.render();
    QCPAxis *bottom = s.chart.panel(LatencyChart::RatesPanel)->axis(QCPAxis::atBottom);
    EXPECT_TRUE(bottom->label().startsWith(QStringLiteral("local time")))
        << bottom->label().toStdString();
    const QStringList ticks = bottom->tickVectorLabels();
    ASSERT_FALSE(ticks.isEmpty());
    const double first = bottom->tickVector().front();
    // kT0 is not today, so the first tick also names its day.
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(qint64(first * 1000));
    EXPECT_EQ(ticks.front(), t.toString("ddd d MMM HH:mm:ss"));
    EXPECT_EQ(ticks.back(),
              QDateTime::fromMSecsSinceEpoch(qint64(bottom->tickVector().back() * 1000))
                  .toString("HH:mm:ss"));
    // A day's span shows the day and no seconds.
    s.chart.setVisibleRangeMs(kT0 - 26 * 3600 * 1000LL, kT0);
    s.render();
    EXPECT_FALSE(bottom->tickVectorLabels().front().contains(QRegularExpression("\\d:\\d\\d:")));
}

TEST(LatencyChartHistory, MarkersAreDrawnAndHoverSaysWhoAndWhy)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), run(kT0, 120, 100));
    s.chart.setMarkers(
        {{kT0 + 60'000, QStringLiteral("model.disable atlas-xl"),
          QStringLiteral("by oncall · enabled → disabled · why: p99 9 s")},
         {kT0 - 3600'000, QStringLiteral("label.move chat"), QStringLiteral("old")}});
    s.render();
    EXPECT_EQ(s.chart.shownMarkerCount(), 1); // the other is off screen
    const int px = int(std::lround(s.x()->coordToPixel(double(kT0 + 60'000) / 1000)));
    s.chart.hoverAt(QPoint(px + 2, 100));
    auto *hover = s.chart.plot()->findChild<QLabel *>(QStringLiteral("chartHover"));
    ASSERT_NE(hover, nullptr);
    EXPECT_TRUE(hover->text().contains(QStringLiteral("model.disable atlas-xl")));
    EXPECT_TRUE(hover->text().contains(QStringLiteral("why: p99 9 s")));
    s.chart.hoverAt(QPoint(px + 40, 100));
    EXPECT_FALSE(hover->text().contains(QStringLiteral("model.disable")));
    // A long reason, near the right edge: the box wraps and stays inside the chart.
    const qint64 late = kT0 + 110'000;
    s.chart.setMarkers(
        {{late, QStringLiteral("Fallbacks forced on chat"),
          QStringLiteral("by oncall · off → on · why: atlas-xl p99 over 10 s since "
                         "the deploy at 14:02, shedding to the fallbacks until the "
                         "model team has rolled back the quantized weights; page the "
                         "inference on-call if the error rate stays above two per "
                         "cent after the rollback is done")}});
    s.render();
    const int lx = int(std::lround(s.x()->coordToPixel(double(late) / 1000)));
    s.chart.hoverAt(QPoint(lx, 100));
    ASSERT_TRUE(hover->isVisible());
    EXPECT_TRUE(hover->text().contains(QStringLiteral("quantized weights")));
    EXPECT_GE(hover->geometry().left(), 0);
    EXPECT_LE(hover->geometry().right(), s.chart.plot()->width())
        << "the reason runs off the chart";
}

TEST(LatencyChartHistory, TheLegendHidesAndShowsASeries)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), run(kT0, 120, 100));
    s.chart.setSeries(QStringLiteral("2"), QStringLiteral("chat · b"), run(kT0, 120, 300));
    const QColor c2 = s.chart.colorOf(QStringLiteral("2"));
    QCPAxisRect *rect = s.chart.panel(LatencyChart::LatencyPanel);
    EXPECT_GT(pixelsOf(s.render(), c2, rect->rect()), 50);
    auto *legend = s.chart.findChild<QLabel *>(QStringLiteral("chartLegend"));
    ASSERT_NE(legend, nullptr);
    ASSERT_TRUE(legend->text().contains(QStringLiteral("toggle:2")));
    emit legend->linkActivated(QStringLiteral("toggle:2"));
    EXPECT_FALSE(s.chart.isSeriesVisible(QStringLiteral("2")));
    EXPECT_EQ(pixelsOf(s.render(), c2, rect->rect()), 0);
    EXPECT_TRUE(legend->text().contains(QStringLiteral("hidden")));
    EXPECT_EQ(s.chart.visiblePoints().size(), 1u);
    emit legend->linkActivated(QStringLiteral("toggle:2"));
    EXPECT_GT(pixelsOf(s.render(), c2, rect->rect()), 50);
}

// Four series with long names (OTLP services beside the sim): while they
// wait for data, and then in the legend, their names wrap in the width the
// chart has; they never widen the window past the screen (the chart's hidden
// "Waiting for data for …" line once pushed the Live and Export buttons off
// its right edge).
TEST(LatencyChartHistory, LongSeriesNamesWrapInsteadOfWideningTheChart)
{
    Shown s;
    const QStringList labels{QStringLiteral("chat"), QStringLiteral("checkout/chat · atlas-mini"),
                             QStringLiteral("search/embed · vega-embed-small"),
                             QStringLiteral("support/summarize · orion-70b")};
    for (int i = 0; i < labels.size(); ++i)
        s.chart.setSeries(QString::number(i), labels[i], {});
    ASSERT_TRUE(s.chart.isShowingEmpty());
    ASSERT_TRUE(s.chart.emptyText().contains(labels.back())) << s.chart.emptyText().toStdString();
    EXPECT_LE(s.chart.minimumSizeHint().width(), 500) << "waiting for four series";
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
    for (int i = 0; i < labels.size(); ++i)
        s.chart.appendPoints(QString::number(i), run(now - 30'000, 30, 2230));
    auto *legend = s.chart.findChild<QLabel *>(QStringLiteral("chartLegend"));
    ASSERT_NE(legend, nullptr);
    ASSERT_TRUE(legend->text().contains(QStringLiteral("fallbacks"))) << "no live values";
    EXPECT_LE(s.chart.minimumSizeHint().width(), 500) << "four series in the legend";
    s.chart.resize(600, 700);
    s.render();
    EXPECT_LE(legend->geometry().right(), s.chart.width()) << "the legend is cut off";
    EXPECT_GT(legend->height(), 4 * legend->fontMetrics().height()) << "its lines do not wrap";
}

TEST(LatencyChartExport, CsvHoldsEveryShownPointAndPngPdfRender)
{
    Shown s;
    s.chart.setSeries(QStringLiteral("1"), QStringLiteral("chat, \"quoted\""), run(kT0, 10, 100));
    s.render();
    std::vector<chart::ExportSeries> series;
    for (auto &[label, points] : s.chart.visiblePoints())
        series.push_back({label, points});
    const QString csv = chart::csvOf(series);
    const QStringList lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 11);
    EXPECT_TRUE(lines[0].startsWith(QStringLiteral("time_local,time_utc,series")));
    EXPECT_TRUE(lines[1].contains(QStringLiteral("\"chat, \"\"quoted\"\"\",1,100,2,10,")))
        << lines[1].toStdString();
    const QByteArray png = chart::renderPng(s.chart.plot());
    EXPECT_TRUE(png.startsWith("\x89PNG"));
    const QByteArray pdf = chart::renderPdf(s.chart.plot(), QStringLiteral("t"));
    EXPECT_TRUE(pdf.startsWith("%PDF"));
    EXPECT_GT(pdf.size(), 1000);
}

TEST(HeatmapView, ABimodalSeriesShowsTwoBands)
{
    std::mt19937 rng(3);
    std::lognormal_distribution<double> fast(std::log(40.0), 0.2), slow(std::log(2000.0), 0.2);
    LatencyHeatmap grid(kT0, 1000, 120, 48, 10, 10'000);
    for (int c = 0; c < 120; ++c) {
        LatencySketch sk;
        for (int i = 0; i < 400; ++i)
            sk.record(i % 4 == 0 ? slow(rng) : fast(rng));
        grid.add(kT0 + c * 1000, sk);
    }
    HeatmapView view;
    view.resize(800, 240);
    view.show();
    view.setHeatmap(QStringLiteral("chat · a"), grid, kT0, kT0 + 120'000);
    ASSERT_FALSE(view.isShowingEmpty());
    view.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const QImage img = view.plot()->toPixmap(view.plot()->width(), view.plot()->height()).toImage();
    // Down one column in the middle: painted near 40 ms and near 2 s, blank between.
    QCPAxis *x = view.plot()->xAxis;
    QCPAxis *y = view.plot()->yAxis;
    const int col = int(x->coordToPixel(double(kT0) / 1000 + 60));
    const QColor bg = img.pixelColor(col, int(y->coordToPixel(300))); // between the modes
    EXPECT_TRUE(near(bg, view.palette().color(QPalette::Base)));
    EXPECT_FALSE(near(img.pixelColor(col, int(y->coordToPixel(40))), bg));
    EXPECT_FALSE(near(img.pixelColor(col, int(y->coordToPixel(2000))), bg));
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
