// Yesterday's history from the cache, as a user scrolling back sees it: the
// real sim streams into the real controller and page (offscreen, a real
// cache file); the file also holds a day-old stretch of a live route's
// series (bimodal: fast requests and a slow mode). Scrolled back a day, the
// route chart draws those seconds (read from series_chunks, the route's
// series merged) and the heatmap draws both modes from the stored sketches,
// in cells of a real QCustomPlot, instead of "no distribution".

#include "heatmap_probe.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/latency/heatmap_view.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/latency/series_picker.h"
#include "ui/session.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>
#include <qcustomplot.h>
#include <random>

using namespace sb;

namespace {

const char *kToken = "cached-history-token-7d1e";

// 20 minutes of seconds: 40 requests around 80 ms and 10 around 2.4 s each.
std::vector<SeriesRollup> bimodal(const SeriesKey &key, qint64 fromMs)
{
    std::mt19937 rng(17);
    std::lognormal_distribution<double> fast(std::log(80.0), 0.2), slow(std::log(2400.0), 0.1);
    std::vector<SeriesRollup> out;
    for (qint64 t = fromMs; t < fromMs + 20 * 60'000; t += 1000) {
        SeriesRollup r;
        r.key = key;
        r.startMs = t;
        for (int i = 0; i < 50; ++i) {
            ++r.aggregate.count;
            r.aggregate.latency.record(i < 40 ? fast(rng) : slow(rng));
        }
        out.push_back(std::move(r));
    }
    return out;
}

class LatencyCachedHistory : public ::testing::Test
{
protected:
    void SetUp() override
    {
        sim::SimOptions o;
        o.rate = 200;
        o.tokens[kToken] = {sim::Role::Operator, "alice"};
        server = std::make_unique<sim::SimServer>(o);
        std::string err;
        ASSERT_TRUE(server->start(&err)) << err;
        QSignalSpy opened(&cache, &Cache::opened);
        cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
        ASSERT_TRUE(opened.wait(30000) && opened.first().first().toBool());
        page.resize(1280, 800);
        page.show();
        session.connectTo(QString::fromStdString(server->address()), QStringLiteral("sim"),
                          QString::fromLatin1(kToken));
        ASSERT_TRUE(
            QTest::qWaitFor([&] { return !controller.store().seriesIds().empty(); }, 30000));
        key = *controller.store().key(controller.store().seriesIds().front());
    }
    // Scrolls the route's chart to [fromMs, toMs) and waits for the cache's answers.
    std::vector<SeriesPoint> scrollTo(qint64 fromMs, qint64 toMs, std::size_t atLeast)
    {
        page.picker()->select({SeriesPicker::routeId(key.route)});
        page.chart()->setVisibleRangeMs(fromMs, toMs);
        const bool drawn = QTest::qWaitFor(
            [&] {
                const auto shown = page.chart()->visiblePoints();
                return page.pendingHistory() == 0 && !shown.empty() &&
                       shown.front().second.size() >= atLeast;
            },
            30000);
        EXPECT_TRUE(drawn) << "the route's stored history never reached the chart";
        const auto shown = page.chart()->visiblePoints();
        return shown.empty() ? std::vector<SeriesPoint>() : shown.front().second;
    }

    std::unique_ptr<sim::SimServer> server;
    QTemporaryDir dir;
    Cache cache;
    Session session{&cache};
    LatencyController controller{&session};
    LatencyPage page{&session, &controller};
    SeriesKey key;
};

} // namespace

TEST_F(LatencyCachedHistory, ScrolledBackADayTheRouteChartAndHeatmapDrawTheStoredSketches)
{
    // This day-old stretch keeps its per-second sketches (the default keeps them a day).
    SeriesRetention retention = controller.retention();
    retention.sketchSecondsMs = 2 * SeriesRetention::kDayMs;
    controller.setRetention(retention);
    // Yesterday, a stretch this console recorded then (only in series_chunks).
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 dayAgo = (now - 24 * 3600 * 1000) / 60'000 * 60'000;
    cache.appendSeriesSeconds(QStringLiteral("sim"), bimodal(key, dayAgo));

    const auto shown = scrollTo(dayAgo - 10 * 60'000, dayAgo + 30 * 60'000, 600);
    ASSERT_FALSE(shown.empty());
    LatencyChart *chart = page.chart();
    EXPECT_EQ(shown.front().timeMs, dayAgo);
    EXPECT_GT(shown.front().p99, 1500.0f); // the slow mode, merged with the route's other series
    // The time axis says which day this is.
    const QString day =
        QDateTime::fromMSecsSinceEpoch(dayAgo).toString(QStringLiteral("ddd d MMM"));
    chart->replotNow();
    const auto axisLabels =
        chart->panel(LatencyChart::RatesPanel)->axis(QCPAxis::atBottom)->tickVectorLabels();
    ASSERT_FALSE(axisLabels.isEmpty());
    EXPECT_TRUE(axisLabels.front().startsWith(day)) << axisLabels.toList().join('|').toStdString();

    HeatmapView *heat = page.heatmap();
    page.refreshHeatmap(); // asks the cache; the answer draws
    ASSERT_TRUE(QTest::qWaitFor([&] { return !heat->isShowingEmpty(); }, 30000))
        << heat->title().toStdString();
    EXPECT_GT(test::filledCells(heat), 20 * 2) << "20 minutes, two bands";
    const QImage img = test::renderHeatmap(heat);
    const qint64 mid = dayAgo + 10 * 60'000 + 30'000;
    EXPECT_TRUE(test::heatmapPainted(heat, img, mid, 80));
    EXPECT_TRUE(test::heatmapPainted(heat, img, mid, 2400));
    EXPECT_FALSE(test::heatmapPainted(heat, img, mid, 500)); // between the modes: nothing
    EXPECT_FALSE(test::heatmapPainted(heat, img, dayAgo - 5 * 60'000, 80)); // before: no data
    EXPECT_TRUE(heat->title().contains(QStringLiteral("no distribution stored before")))
        << heat->title().toStdString();
    const auto heatLabels = heat->plot()->xAxis->tickVectorLabels();
    ASSERT_FALSE(heatLabels.isEmpty());
    EXPECT_TRUE(heatLabels.front().startsWith(day)) << heatLabels.toList().join('|').toStdString();
    if (const QString shots = qEnvironmentVariable("SB_SHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(500);
        page.grab().save(shots + QStringLiteral("/cached-history-heatmap.png"));
    }
}

TEST_F(LatencyCachedHistory,
       ThreeDaysBackARouteDrawsItsMinutesOnceRetentionDroppedTheSecondsSketches)
{
    // Three days ago (seconds with sketches as written then), then the
    // console's retention pass: per-second sketches older than a day go.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 threeDays = (now - 3 * SeriesRetention::kDayMs) / 60'000 * 60'000;
    cache.appendSeriesSeconds(QStringLiteral("sim"), bimodal(key, threeDays));
    QSignalSpy pruned(&cache, &Cache::seriesPruned);
    controller.prune();
    ASSERT_TRUE(pruned.wait(30000));
    EXPECT_GE(pruned.last().first().value<SeriesPruneResult>().compactedRows, 20);

    // Recent history still comes per second.
    QTest::qWait(3000); // the live seconds reach the cache (flushed every 2 s)
    const qint64 later = QDateTime::currentMSecsSinceEpoch();
    const auto recent = scrollTo(later - 30'000, later, 5);
    ASSERT_FALSE(recent.empty());
    EXPECT_EQ(recent.back().durationMs, 1000);

    // The route merges sketches: there it reads the minutes, which keep theirs.
    const auto shown = scrollTo(threeDays - 10 * 60'000, threeDays + 30 * 60'000, 20);
    ASSERT_GE(shown.size(), 20u);
    EXPECT_EQ(shown.front().timeMs, threeDays);
    for (const SeriesPoint &p : shown) {
        EXPECT_EQ(p.durationMs, 60'000) << "a route's compacted seconds drawn as seconds";
        EXPECT_GT(p.p99, 1500.0f); // the slow mode
        EXPECT_LT(p.p50, 200.0f);  // the fast one
    }
    // The heatmap of that day draws both modes from the minutes' sketches.
    page.chart()->setVisibleRangeMs(threeDays - 10 * 60'000, threeDays + 30 * 60'000);
    HeatmapView *heat = page.heatmap();
    page.refreshHeatmap();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            page.refreshHeatmap();
            return !heat->isShowingEmpty() && test::filledCells(heat) > 20;
        },
        30000))
        << heat->title().toStdString();
    const QImage img = test::renderHeatmap(heat);
    const qint64 mid = threeDays + 10 * 60'000 + 30'000;
    EXPECT_TRUE(test::heatmapPainted(heat, img, mid, 80));
    EXPECT_TRUE(test::heatmapPainted(heat, img, mid, 2400));
    EXPECT_FALSE(test::heatmapPainted(heat, img, mid, 500));
    if (const QString shots = qEnvironmentVariable("SB_SHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(500);
        page.grab().save(shots + QStringLiteral("/three-days-back-minutes.png"));
    }
}

TEST_F(LatencyCachedHistory, JumpingBackTwoDaysThenForwardADayFindsNoHole)
{
    SeriesRetention retention = controller.retention();
    retention.sketchSecondsMs = 3 * SeriesRetention::kDayMs; // seconds keep their sketches
    controller.setRetention(retention);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 twoDays = (now - 2 * SeriesRetention::kDayMs) / 60'000 * 60'000;
    const qint64 oneDay = (now - SeriesRetention::kDayMs) / 60'000 * 60'000;
    cache.appendSeriesSeconds(QStringLiteral("sim"), bimodal(key, twoDays));
    cache.appendSeriesSeconds(QStringLiteral("sim"), bimodal(key, oneDay));

    // Straight to two days ago (a range typed in, or a long drag)...
    const auto first = scrollTo(twoDays - 10 * 60'000, twoDays + 30 * 60'000, 600);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first.front().timeMs, twoDays);
    // ...then forward to yesterday: its stretch is drawn too, not a blank chart.
    const auto second = scrollTo(oneDay - 10 * 60'000, oneDay + 30 * 60'000, 600);
    ASSERT_FALSE(second.empty());
    EXPECT_EQ(second.front().timeMs, oneDay);
    EXPECT_EQ(second.size(), 20u * 60u);
    EXPECT_GT(second.front().p99, 1500.0f);
}
