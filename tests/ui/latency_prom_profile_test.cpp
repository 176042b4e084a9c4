// A window's Prometheus source is the one of the profile it shows: two
// profiles on the same sim, "fleet" with a real Prometheus 2.42 on loopback
// and "edge" with another Prometheus URL (down); switching the window
// between them (what Ctrl+P does) lists the imported route and draws its
// history under "fleet" only. What "fleet" imported is in the cache by then,
// under its own source's key, and must not show in "edge"'s window.

#include "../support/test_profiles.h"
#include "native_series.h"
#include "prometheus_server.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/connections/console_windows.h"
#include "ui/console.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/latency/series_picker.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/session.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <gtest/gtest.h>

using namespace sb;

namespace {

const QString kImported = QStringLiteral("prometheus/chat");

// The top-level routes the window's series picker lists.
QStringList listedRoutes(MainWindow *w)
{
    QStringList out;
    QTreeWidget *tree = w->latencyPage()->picker()->tree();
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        out << tree->topLevelItem(i)->text(0);
    return out;
}

// Switches `from` to `profile` as the quick switcher does; the new window.
MainWindow *switchTo(ConsoleWindows &windows, MainWindow *from, const QString &profile)
{
    MainWindow *w = windows.open(profile, from);
    EXPECT_TRUE(w && w != from);
    if (w) {
        EXPECT_TRUE(QTest::qWaitFor([&] { return w->console()->session()->isReady(); }, 15000));
    }
    return w;
}

class PromProfileSwitch : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString why;
        ASSERT_TRUE(prom.start(&why)) << why.toStdString();
        // Twenty minutes of route "chat", in time order.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        t0 = (now - 20 * 60'000) / 60'000 * 60'000;
        test::NativeSeries s(QStringLiteral("fleet_ms"), QStringLiteral("chat"));
        prometheus::WriteRequest req;
        for (qint64 t = t0; t <= now - 15'000; t += 15'000) {
            for (int k = 0; k < 20; ++k)
                s.observe(100.0 + k * 5);
            s.sampleInto(req, t);
        }
        ASSERT_EQ(prom.write(req).status, 204);

        sim::SimOptions o;
        o.rate = 100;
        o.seed = 7;
        sim = std::make_unique<sim::SimServer>(o);
        std::string error;
        ASSERT_TRUE(sim->start(&error)) << error;
        QSignalSpy opened(&cache, &Cache::opened);
        cache.open(dir.filePath(QStringLiteral("c.sqlite")));
        ASSERT_TRUE(opened.wait(30000));

        fleet = test::profile(QStringLiteral("fleet"), QString::fromStdString(sim->address()));
        fleet.promUrl = prom.url();
        fleet.promSelector = QStringLiteral("fleet_ms");
        fleet.promUnit = QStringLiteral("ms");
        edge = test::profile(QStringLiteral("edge"), QString::fromStdString(sim->address()));
        edge.promUrl =
            QStringLiteral("http://127.0.0.1:%1").arg(test::PrometheusServer::freePort());
        edge.promSelector = QStringLiteral("fleet_ms");
        edge.promUnit = QStringLiteral("ms");
    }

    test::PrometheusServer prom;
    std::unique_ptr<sim::SimServer> sim;
    QTemporaryDir dir;
    Cache cache;
    ConnectionProfile fleet, edge;
    qint64 t0 = 0;
};

TEST_F(PromProfileSwitch, SwitchingTheWindowSwitchesItsPrometheusHistory)
{
    ConsoleWindows windows(&cache, {fleet, edge}, dir.filePath(QStringLiteral("s.ini")));
    const int latency = pageIndex(QStringLiteral("latency"));

    // "edge" first: its Prometheus is down and nothing is cached for it.
    MainWindow *w = windows.open(edge.name);
    w->showPage(latency);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w->console()->session()->isReady(); }, 15000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            auto *p = w->console()->latency()->prometheus();
            return p && p->state() == PrometheusSource::State::Failed;
        },
        30000));
    EXPECT_FALSE(listedRoutes(w).contains(kImported));

    // Switched to "fleet": its route is listed and its history drawn.
    w = switchTo(windows, w, fleet.name);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->currentPageIndex(), latency) << "the switch kept the page";
    ASSERT_TRUE(QTest::qWaitFor([&] { return listedRoutes(w).contains(kImported); }, 30000))
        << listedRoutes(w).join(u' ').toStdString();
    LatencyPage *page = w->latencyPage();
    page->picker()->select({SeriesPicker::routeId(kImported)});
    page->chart()->setVisibleRangeMs(t0, QDateTime::currentMSecsSinceEpoch());
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return page->pendingHistory() == 0 && !page->chart()->isShowingEmpty(); }, 30000))
        << "fleet's window draws no imported history";
    // Flushed to the cache (every kCacheFlushMs), under fleet's source.
    QTest::qWait(LatencyController::kCacheFlushMs + 500);

    // Back to "edge": none of fleet's history, though the cache holds it.
    w = switchTo(windows, w, edge.name);
    ASSERT_TRUE(w);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            auto *p = w->console()->latency()->prometheus();
            return p && p->state() == PrometheusSource::State::Failed;
        },
        30000));
    QTest::qWait(500); // the cache's answer about edge's imports, had there been any
    EXPECT_FALSE(listedRoutes(w).contains(kImported))
        << "fleet's Prometheus history in edge's window";
    EXPECT_FALSE(w->console()->latency()->prometheus()->sourceKey().contains(prom.url()));

    // A profile without a Prometheus source has none at all.
    ConnectionProfile plain = test::profile(QStringLiteral("plain"), fleet.endpoint);
    windows.setProfiles({fleet, edge, plain});
    w = switchTo(windows, w, plain.name);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->console()->latency()->prometheus(), nullptr);
    EXPECT_FALSE(listedRoutes(w).contains(kImported));
    windows.shutdown();
}

} // namespace
