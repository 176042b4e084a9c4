// The latency page on a Prometheus series (a real Prometheus 2.42 on
// loopback, the real controller, page and widgets, rendered offscreen): a
// click on the p99 spike of imported minute history lists the exemplar
// behind it, and the heatmap draws the imported sketches of the visible
// range instead of "No latency distribution".

#include "core/latency_sketch.h"
#include "heatmap_probe.h"
#include "prometheus_server.h"
#include "store/cache.h"
#include "ui/latency/exemplar_list.h"
#include "ui/latency/heatmap_view.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_controller.h"
#include "ui/latency/latency_page.h"
#include "ui/latency/range_box.h"
#include "ui/latency/series_picker.h"
#include "ui/session.h"

#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <gtest/gtest.h>
#include <qcustomplot.h>
#include <set>

using namespace sb;

namespace {

constexpr qint64 kTickMs = 15'000;
const char *const kTrace = "00f067aa0ba902b7a3ce929d0e0e4736";
const char *const kTraceAtEnd = "4bf92f3577b34da6a3ce929d0e0e4736";

// One route, 20 minutes at schema 6: 30 requests of 100..390 ms per tick;
// the minute from `spikeMs` also gets 5 requests of 2.5 s per tick, the ones
// at spikeMs + 15 s and at the minute's very end (spikeMs + 60 s, the last
// instant the step (spikeMs, spikeMs + 60 s] covers) carrying an exemplar.
void addExemplar(prometheus::TimeSeries *ts, qint64 t, const char *trace)
{
    auto *e = ts->add_exemplars();
    e->set_value(2500.0);
    e->set_timestamp(t);
    auto *el = e->add_labels();
    el->set_name("trace_id");
    el->set_value(trace);
}

struct PromSpike
{
    qint64 t0 = 0, spikeMs = 0, endMs = 0;
    std::vector<prometheus::WriteRequest> requests;

    PromSpike()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        t0 = (now - 20 * 60'000) / 60'000 * 60'000;
        spikeMs = t0 + 10 * 60'000;
        endMs = now - kTickMs;
        uint64_t count = 0;
        double sum = 0;
        std::map<int32_t, uint64_t> buckets;
        requests.resize(2); // the exemplar after its series exists (2.42 drops it otherwise)
        for (qint64 t = t0; t <= endMs; t += kTickMs) {
            auto &req = requests[t < spikeMs + kTickMs ? 0 : 1];
            auto *ts = req.add_timeseries();
            auto *l = ts->add_labels();
            l->set_name("__name__");
            l->set_value("spike_ms");
            l = ts->add_labels();
            l->set_name("route");
            l->set_value("chat");
            for (int k = 0; k < 30; ++k) {
                ++buckets[LatencySketch::bucketIndex(100.0 + k * 10, 6) + 1];
                ++count;
                sum += 100.0 + k * 10;
            }
            // Requests of the minute after spikeMs: a cumulative sample at t
            // counts what finished up to t, so they are first counted by the
            // samples at spikeMs + 15 s .. spikeMs + 60 s.
            if (t > spikeMs && t <= spikeMs + 60'000) {
                buckets[LatencySketch::bucketIndex(2500.0, 6) + 1] += 5;
                count += 5;
                sum += 5 * 2500.0;
            }
            auto *h = ts->add_histograms();
            h->set_count_int(count);
            h->set_sum(sum);
            h->set_schema(6);
            h->set_zero_count_int(0);
            h->set_timestamp(t);
            int32_t prev = 0;
            int64_t prevCount = 0;
            bool first = true;
            for (const auto &[idx, c] : buckets) {
                auto *span = h->add_positive_spans();
                span->set_offset(first ? idx : idx - prev - 1);
                span->set_length(1);
                h->add_positive_deltas(int64_t(c) - prevCount);
                prevCount = int64_t(c);
                prev = idx;
                first = false;
            }
            if (t == spikeMs + kTickMs)
                addExemplar(ts, t, kTrace);
            if (t == spikeMs + 60'000)
                addExemplar(ts, t, kTraceAtEnd);
        }
    }
};

QString hms(qint64 t)
{
    return QDateTime::fromMSecsSinceEpoch(t).toString(QStringLiteral("HH:mm:ss"));
}

bool openCache(Cache &cache, const QString &path)
{
    QSignalSpy opened(&cache, &Cache::opened);
    cache.open(path);
    return opened.wait(30000) && opened.first().first().toBool();
}

class LatencyPromPage : public ::testing::Test
{
protected:
    void SetUp() override
    {
        QString why;
        ASSERT_TRUE(prom.start(&why)) << why.toStdString();
        for (const auto &req : data.requests)
            ASSERT_EQ(prom.write(req).status, 204);
        ASSERT_TRUE(openCache(cache, dir.filePath(QStringLiteral("c.sqlite"))));
        PrometheusConfig c;
        c.url = prom.url();
        c.selector = QStringLiteral("spike_ms");
        c.millisPerUnit = 1.0;
        session = std::make_unique<Session>(&cache);
        controller = std::make_unique<LatencyController>(session.get());
        QSignalSpy updates(controller.get(), &LatencyController::seriesUpdated);
        controller->setPrometheusSource(c);
        page = std::make_unique<LatencyPage>(session.get(), controller.get());
        page->resize(1280, 800);
        page->show();
        // The console connecting to its endpoint replaces the store.
        emit session->endpointChanged();
        // The series is listed by the import; the user picks it and scrolls
        // to the last 20 minutes.
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                for (const auto &args : updates)
                    for (const auto &[sid, key] : args.first().value<SeriesUpdate>().newSeries)
                        if (key.route == QStringLiteral("prometheus/chat"))
                            id = sid;
                return id != kNoSeries;
            },
            30000));
        page->picker()->select({SeriesPicker::seriesId(id)});
        page->chart()->setVisibleRangeMs(data.t0, data.endMs);
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return page->pendingHistory() == 0 && !page->chart()->isShowingEmpty(); },
            30000));
    }

    // A click on the chart at `ms` (mid-height), as the user makes it.
    void clickAt(qint64 ms)
    {
        QCustomPlot *plot = page->chart()->plot();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        QCPAxis *x = plot->axisRect(0)->axis(QCPAxis::atBottom);
        const QPoint at(int(x->coordToPixel(double(ms) / 1000)), plot->axisRect(0)->center().y());
        QTest::mouseClick(plot, Qt::LeftButton, {}, at);
    }
    // The trace ids the exemplar list shows.
    QStringList listedTraces() const
    {
        QStringList out;
        QTreeWidget *tree = page->exemplars()->list();
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            for (int c = 0; c < tree->columnCount(); ++c) {
                for (const char *t : {kTrace, kTraceAtEnd})
                    if (tree->topLevelItem(i)->text(c).contains(QLatin1String(t)))
                        out << QLatin1String(t);
            }
        }
        return out;
    }

    test::PrometheusServer prom;
    PromSpike data;
    QTemporaryDir dir;
    Cache cache;
    std::unique_ptr<Session> session;
    std::unique_ptr<LatencyController> controller;
    std::unique_ptr<LatencyPage> page;
    SeriesId id = kNoSeries;
};

TEST_F(LatencyPromPage, AClickOnAPrometheusSpikeListsItsExemplars)
{
    QSignalSpy ready(controller.get(), &LatencyController::exemplarsReady);
    clickAt(data.spikeMs + 30'000);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !ready.isEmpty(); }, 30000))
        << "the click on the spike asked for no exemplars";
    EXPECT_GT(ready.first().at(3).toDouble(), 1000.0); // the spike minute's p99, ms
    ExemplarList *list = page->exemplars();
    ASSERT_TRUE(list->isVisible());
    // Both of the minute's exemplars, the one stamped at its last instant too.
    const QStringList traces = listedTraces();
    EXPECT_EQ(traces.size(), 2) << list->title().toStdString();
    EXPECT_TRUE(traces.contains(QLatin1String(kTrace))) << traces.join(u' ').toStdString();
    EXPECT_TRUE(traces.contains(QLatin1String(kTraceAtEnd))) << traces.join(u' ').toStdString();
    EXPECT_TRUE(list->title().contains(QStringLiteral("prometheus/chat")))
        << list->title().toStdString();
    // The title spans the minute, so the exemplar at its end reads as inside.
    EXPECT_TRUE(list->title().contains(hms(data.spikeMs) + QStringLiteral("–") +
                                       hms(data.spikeMs + 60'000)))
        << list->title().toStdString();
    if (const QString shots = qEnvironmentVariable("SB_SHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(500); // laid out and replotted, to look at
        page->grab().save(shots + QStringLiteral("/prom-exemplars.png"));
    }
}

// The page first imports the window it shows, then, scrolled back, the
// range before it: the minute that straddles the seam of the two imports
// was in neither answer, a one-minute hole in the line.
TEST_F(LatencyPromPage, ScrolledBackNoMinuteIsMissingAtTheSeamOfTwoImports)
{
    std::set<qint64> minutes;
    // The scroll back's import is asked once the view settles (throttled).
    (void)QTest::qWaitFor(
        [&] {
            const auto shown = page->chart()->visiblePoints();
            minutes.clear();
            for (const auto &[id, points] : shown)
                for (const auto &p : points)
                    minutes.insert(p.timeMs);
            return page->pendingHistory() == 0 && minutes.size() > 15;
        },
        30000);
    ASSERT_GT(minutes.size(), 15u);
    for (qint64 m = data.t0 + 60'000; m + 120'000 <= data.endMs; m += 60'000)
        EXPECT_TRUE(minutes.count(m)) << "no point for the minute from " << hms(m).toStdString();
}

TEST_F(LatencyPromPage, AnExemplarAtAStepsEndIsNotListedUnderTheNextMinute)
{
    QSignalSpy ready(controller.get(), &LatencyController::exemplarsReady);
    clickAt(data.spikeMs + 90'000); // the quiet minute after the spike
    ASSERT_TRUE(QTest::qWaitFor([&] { return !ready.isEmpty(); }, 30000));
    EXPECT_LT(ready.first().at(3).toDouble(), 1000.0); // that minute's p99 is the bulk's
    EXPECT_EQ(ready.first().at(1).toLongLong(), data.spikeMs + 60'000);
    EXPECT_TRUE(listedTraces().isEmpty()) << "the spike's last exemplar shown a minute late: "
                                          << listedTraces().join(u' ').toStdString();
}

// Hovering the middle of a narrow chart, the values box cannot fit on
// either side of the cursor and is drawn under it: the click must still reach
// the chart (the box took it, and no exemplar was asked for).
TEST_F(LatencyPromPage, AClickUnderTheHoverBoxStillAsksForTheExemplars)
{
    page->resize(700, 800); // a narrow window: no room beside the cursor
    QTest::qWait(50);
    QCustomPlot *plot = page->chart()->plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const QPoint at(plot->width() / 2, plot->axisRect(0)->center().y());
    page->chart()->hoverAt(at);
    auto *hover = plot->findChild<QLabel *>(QStringLiteral("chartHover"));
    ASSERT_NE(hover, nullptr);
    ASSERT_TRUE(hover->isVisible());
    ASSERT_TRUE(hover->geometry().contains(at))
        << "the box is beside the cursor: no test " << hover->width() << " " << plot->width() << " "
        << at.x();
    // As the window system does: the click goes to the widget under the cursor.
    QWidget *under = plot->childAt(at);
    QWidget *target = under ? under : plot;
    QSignalSpy ready(controller.get(), &LatencyController::exemplarsReady);
    QTest::mouseClick(target, Qt::LeftButton, {}, target->mapFrom(plot, at));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !ready.isEmpty(); }, 30000))
        << "the click under the hover box asked for no exemplars";
    EXPECT_TRUE(page->exemplars()->isVisible());
}

// Two clicks in quick succession, on the quiet minute before the spike and
// then on the spike: each asks Prometheus, and the answers must not mix (the
// first answer once answered both, so the spike minute listed nothing).
TEST_F(LatencyPromPage, TwoQuickClicksListTheSecondMinutesExemplars)
{
    QSignalSpy ready(controller.get(), &LatencyController::exemplarsReady);
    clickAt(data.spikeMs - 30'000);
    clickAt(data.spikeMs + 30'000);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &args : ready)
                if (args.at(1).toLongLong() == data.spikeMs)
                    return true;
            return false;
        },
        30000))
        << "the second click got no answer";
    QTest::qWait(300); // a late answer to the first click would land now
    for (const auto &args : ready)
        EXPECT_EQ(args.at(1).toLongLong(), data.spikeMs) << "an answer for a superseded click";
    const QStringList traces = listedTraces();
    EXPECT_EQ(traces.size(), 2) << page->exemplars()->title().toStdString();
    EXPECT_TRUE(page->exemplars()->title().contains(hms(data.spikeMs) + QStringLiteral("–") +
                                                    hms(data.spikeMs + 60'000)))
        << page->exemplars()->title().toStdString();
}

// Scrolled back 20 minutes, the range box says so rather than "Last 5
// minutes"; the Live button brings the live window back.
TEST_F(LatencyPromPage, TheRangeBoxSaysWhatTheChartShowsUntilLive)
{
    RangeBox *box = page->rangeBox();
    const auto hm = [](qint64 t) {
        return QDateTime::fromMSecsSinceEpoch(t).toString(QStringLiteral("HH:mm"));
    };
    const QString scrolled =
        QStringLiteral("Custom: ") + hm(data.t0) + QStringLiteral("–") + hm(data.endMs);
    EXPECT_TRUE(QTest::qWaitFor([&] { return box->currentText() == scrolled; }, 5000))
        << box->currentText().toStdString() << " instead of " << scrolled.toStdString();
    // Zoomed in on the spike: the box follows.
    page->chart()->setVisibleRangeMs(data.spikeMs - 120'000, data.spikeMs + 120'000);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return box->currentText().contains(hms(data.spikeMs - 120'000)); }, 5000))
        << box->currentText().toStdString();
    EXPECT_TRUE(box->currentText().contains(hms(data.spikeMs + 120'000)));
    QPushButton *live = nullptr;
    for (auto *b : page->chart()->findChildren<QPushButton *>())
        if (b->text().contains(QStringLiteral("live"), Qt::CaseInsensitive))
            live = b;
    ASSERT_NE(live, nullptr);
    QTest::mouseClick(live, Qt::LeftButton);
    EXPECT_TRUE(page->chart()->isFollowing());
    EXPECT_EQ(box->currentText(), QStringLiteral("Last 5 minutes"));
    EXPECT_EQ(box->count(), 5) << "the custom entry stays after Live";
    // A live window picked while scrolled back goes live over it.
    page->chart()->setVisibleRangeMs(data.t0, data.endMs);
    ASSERT_TRUE(box->isCustom());
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Up); // from the custom entry to "Last 24 hours"
    EXPECT_TRUE(page->chart()->isFollowing()) << box->currentText().toStdString();
    EXPECT_EQ(box->count(), 5) << "the custom entry stays after a live window is picked";
    box->setCurrentIndex(box->findData(3600));
    EXPECT_TRUE(page->chart()->isFollowing());
    EXPECT_EQ(box->currentText(), QStringLiteral("Last hour"));
    EXPECT_EQ(page->chart()->windowSeconds(), 3600);
}

TEST_F(LatencyPromPage, TheHeatmapDrawsTheImportedMinutes)
{
    page->refreshHeatmap();
    HeatmapView *heat = page->heatmap();
    ASSERT_FALSE(heat->isShowingEmpty()) << heat->title().toStdString();
    heat->plot()->replot(QCustomPlot::rpImmediateRefresh);
    if (const QString shots = qEnvironmentVariable("SB_SHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(500); // laid out and replotted, to look at
        page->grab().save(shots + QStringLiteral("/prom-heatmap.png"));
    }
    const QImage img = test::renderHeatmap(heat);
    const auto painted = [&](qint64 ms, double latency) {
        return test::heatmapPainted(heat, img, ms, latency);
    };
    // Every minute has its 100..390 ms bulk; only the spike minute reaches 2.5 s.
    EXPECT_TRUE(painted(data.t0 + 3 * 60'000 + 30'000, 200));
    EXPECT_TRUE(painted(data.spikeMs + 30'000, 200));
    EXPECT_TRUE(painted(data.spikeMs + 30'000, 2500));
    EXPECT_FALSE(painted(data.t0 + 3 * 60'000 + 30'000, 2500));
    EXPECT_FALSE(painted(data.spikeMs - 30'000, 2500)) << "the spike a minute early";
    EXPECT_FALSE(painted(data.spikeMs + 90'000, 2500)) << "the spike a minute late";
}

} // namespace
