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

} // namespace

TEST(LatencyCachedHistory, ScrolledBackADayTheRouteChartAndHeatmapDrawTheStoredSketches)
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens[kToken] = {sim::Role::Operator, "alice"};
    sim::SimServer server(o);
    std::string err;
    ASSERT_TRUE(server.start(&err)) << err;
    QTemporaryDir dir;
    Cache cache;
    QSignalSpy opened(&cache, &Cache::opened);
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    ASSERT_TRUE(opened.wait(30000) && opened.first().first().toBool());
    Session session(&cache);
    LatencyController controller(&session);
    LatencyPage page(&session, &controller);
    page.resize(1280, 800);
    page.show();
    session.connectTo(QString::fromStdString(server.address()), QStringLiteral("sim"),
                      QString::fromLatin1(kToken));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !controller.store().seriesIds().empty(); }, 30000));
    const SeriesKey key = *controller.store().key(controller.store().seriesIds().front());

    // Yesterday, a stretch this console recorded then (only in series_chunks).
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 dayAgo = (now - 24 * 3600 * 1000) / 60'000 * 60'000;
    cache.appendSeriesSeconds(QStringLiteral("sim"), bimodal(key, dayAgo));

    page.picker()->select({SeriesPicker::routeId(key.route)});
    LatencyChart *chart = page.chart();
    chart->setVisibleRangeMs(dayAgo - 10 * 60'000, dayAgo + 30 * 60'000);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto shown = chart->visiblePoints();
            return page.pendingHistory() == 0 && !shown.empty() &&
                   shown.front().second.size() >= 600;
        },
        30000))
        << "the route's day-old seconds never reached the chart";
    const auto shown = chart->visiblePoints().front().second;
    EXPECT_EQ(shown.front().timeMs, dayAgo);
    EXPECT_GT(shown.front().p99, 1500.0f); // the slow mode, merged with the route's other series

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
    if (const QString shots = qEnvironmentVariable("SB_SHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(500);
        page.grab().save(shots + QStringLiteral("/cached-history-heatmap.png"));
    }
}
