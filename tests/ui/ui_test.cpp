// The console's window, offscreen, against the real sim and a real cache
// file: every page shows live rows or points, the chart really draws, and a
// restart without a service shows the cache marked stale with its age.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/routing_client.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/console.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>
#include <qcustomplot.h>

using namespace sb;

namespace {

int rowsOf(MainWindow &w, const char *name)
{
    auto *view = w.findChild<QAbstractItemView *>(QString::fromLatin1(name));
    return view && view->model() ? view->model()->rowCount() : -1;
}

// Pixels of the p99 pen's colour inside the plot: proof the line is drawn,
// not just that data sits in a container.
int p99Pixels(QCustomPlot *plot)
{
    const QImage img = plot->toPixmap(800, 400).toImage();
    const QColor p99 = plot->plottable(0)->pen().color(); // the first series' p99
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (std::abs(c.red() - p99.red()) < 40 && std::abs(c.green() - p99.green()) < 40 &&
                std::abs(c.blue() - p99.blue()) < 40)
                ++n;
        }
    }
    return n;
}

} // namespace

TEST(MainWindow, EveryPageShowsLiveDataThenCacheShowsItStaleOffline)
{
    QTemporaryDir dir;
    const QString cachePath = dir.filePath(QStringLiteral("cache.sqlite"));
    sim::SimOptions o;
    o.rate = 3000;
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    ASSERT_TRUE(sim->start(&err)) << err;
    {
        Cache cache;
        cache.open(cachePath);
        Console console(&cache);
        MainWindow w(&console);
        w.show();
        console.session()->connectTo(QString::fromStdString(sim->address()), QStringLiteral("sim"));
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return rowsOf(w, "promptsTable") > 0 && rowsOf(w, "experimentsTable") > 0 &&
                       rowsOf(w, "routingTree") > 0 && rowsOf(w, "versionsTable") > 0;
            },
            15000));
        auto *chart = w.latencyPage()->chart();
        ASSERT_TRUE(QTest::qWaitFor([&] { return chart->pointCount() >= 2; }, 15000));
        // Every route of the sim's fleet is summarised, with a throughput.
        ASSERT_TRUE(QTest::qWaitFor([&] { return rowsOf(w, "routeSummary") >= 4; }, 10000));
        auto *summary = w.findChild<QAbstractItemView *>(QStringLiteral("routeSummary"));
        const QString reqPerSec = summary->model()->index(0, 1).data().toString();
        EXPECT_GT(reqPerSec.toDouble(), 0.0) << reqPerSec.toStdString();
        // The chart always shows its whole window (5 min by default), so a
        // few seconds of data are a few pixels: look at the last 30 s.
        chart->setWindowSeconds(30);
        EXPECT_TRUE(QTest::qWaitFor(
            [&] {
                chart->replotNow();
                return p99Pixels(chart->plot()) > 30;
            },
            10000))
            << p99Pixels(chart->plot());
        // Another operator disables a fallback: the routing tree and the
        // status bar show it as it happens (the change arrives on WatchRouting).
        {
            Connection op;
            op.connectTo(QString::fromStdString(sim->address()));
            RoutingClient routing(&op);
            const RoutingTable table = console.routing()->model()->table();
            const Route *route = nullptr;
            for (const auto &r : table.routes) {
                if (!r.fallbacks.empty())
                    route = &r;
            }
            ASSERT_NE(route, nullptr);
            routing.apply(Change{.kind = ChangeKind::FallbackEnabled,
                                 .object = route->name,
                                 .item = route->fallbacks.front().model,
                                 .enabled = false,
                                 .reason = QStringLiteral("ui watch test"),
                                 .expectedEtag = route->etag,
                                 .requestId = QStringLiteral("ui-watch-1")});
            ASSERT_TRUE(QTest::qWaitFor(
                [&] {
                    return w.statusBar()->currentMessage().contains(
                        QStringLiteral("ui watch test"));
                },
                10000))
                << w.statusBar()->currentMessage().toStdString();
            bool shownDisabled = false;
            for (const auto &r : console.routing()->model()->table().routes) {
                if (r.name == route->name)
                    shownDisabled = !r.fallbacks.front().enabled;
            }
            EXPECT_TRUE(shownDisabled);
        }
        auto *banner = w.findChild<QLabel *>(QStringLiteral("staleBanner"));
        ASSERT_NE(banner, nullptr);
        EXPECT_FALSE(banner->isVisible()); // live data is not flagged stale
        // Let the cache write what it was sent before we close.
        QSignalSpy flushed(&cache, &Cache::flushed);
        cache.flush();
        ASSERT_TRUE(flushed.wait(10000));
    }
    sim->shutdown();
    sim.reset();

    // Restart with --connect to a dead address and the same cache: nothing is
    // cached for that address, so the last endpoint's data shows, saying so.
    Cache cache;
    cache.open(cachePath);
    Console console(&cache);
    MainWindow w(&console);
    w.show();
    console.session()->connectTo(QStringLiteral("127.0.0.1:1"), QStringLiteral("127.0.0.1:1"));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return rowsOf(w, "promptsTable") > 0 && rowsOf(w, "routingTree") > 0; }, 10000));
    w.showPage(1);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (auto *b : w.findChildren<QLabel *>(QStringLiteral("staleBanner"))) {
                if (b->isVisible() && b->text().contains(QStringLiteral("Stale")) &&
                    b->text().contains(QStringLiteral("ago")) &&
                    b->text().contains(QStringLiteral("<b>sim</b>")))
                    return true;
            }
            return false;
        },
        10000));
    EXPECT_GT(rowsOf(w, "experimentsTable"), 0);
    EXPECT_EQ(console.session()->cachedFrom(), QStringLiteral("sim"));
    // Latency history recorded in the first run is on the chart, offline.
    EXPECT_TRUE(
        QTest::qWaitFor([&] { return w.latencyPage()->chart()->pointCount() >= 2; }, 10000));
    EXPECT_FALSE(console.session()->connection()->isReady());
}

TEST(MainWindow, RejectedTokenIsShownNextToTheConnectionState)
{
    sim::SimOptions o;
    o.tokens["good"] = {sim::Role::Viewer, "vera"};
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    ASSERT_TRUE(sim->start(&err)) << err;
    Console console(nullptr);
    MainWindow w(&console);
    w.show();
    console.session()->connectTo(QString::fromStdString(sim->address()), QStringLiteral("sim"),
                                 QStringLiteral("stolen-or-stale"));
    auto *state = w.findChild<QLabel *>(QStringLiteral("connectionState"));
    ASSERT_NE(state, nullptr);
    // The service answers health checks without a token, so the console is
    // "connected", but the user must see that every call is being refused.
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return state->text().contains(QStringLiteral("token rejected")); }, 10000))
        << state->text().toStdString();
    EXPECT_TRUE(state->text().contains(QStringLiteral("connected")));
    EXPECT_FALSE(state->text().contains(QStringLiteral("stolen-or-stale"))) << "token on screen";
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    // Calls of destroyed objects may still be finishing; let gRPC let go first.
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
