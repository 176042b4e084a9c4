// The latency capability with other sources, headless (controller, real
// cache file): OTLP-fed series reach the store beside the endpoint's own,
// with their source and bound, a click on a second lists the exemplar above
// its p99 with a trace link, and their seconds land in the cache under
// "otlp"; Prometheus history (a real Prometheus 2.42 started on loopback) is
// imported, answered to a chart's history request and cached under
// "prometheus:<url>"; with Prometheus gone the same request is answered from
// the cache and the session says it is stale; a console started while it is
// down lists the cached route with its schema, stale.

#include "client/prometheus_source.h"
#include "core/latency_sketch.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "otlp/otlp_receiver.h"
#include "otlp_request.h"
#include "prometheus_server.h"
#include "store/cache.h"
#include "ui/latency/exemplar_list.h"
#include "ui/latency/latency_controller.h"
#include "ui/session.h"

#include <QApplication>
#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

using namespace sb;

namespace {

bool openCache(Cache &cache, const QString &path)
{
    QSignalSpy opened(&cache, &Cache::opened);
    cache.open(path);
    return opened.wait(30000) && opened.first().first().toBool();
}

std::optional<SeriesId> find(const SeriesStore &store, const QString &route)
{
    for (SeriesId id : store.seriesIds())
        if (store.key(id) && store.key(id)->route == route)
            return id;
    return std::nullopt;
}

TEST(LatencySources, OtlpSeriesJoinTheStoreWithTheirBoundAndExemplarsAndAreCached)
{
    QTemporaryDir dir;
    Cache cache;
    ASSERT_TRUE(openCache(cache, dir.filePath(QStringLiteral("c.sqlite"))));
    auto sink = std::make_shared<OtlpSink>();
    otlp::OtlpReceiver::Options o;
    o.address = "127.0.0.1:0";
    otlp::OtlpReceiver receiver(sink, o);
    std::string error;
    ASSERT_TRUE(receiver.start(&error)) << error;
    otlp::OtlpFeed feed(sink, 50);
    otlp::OtlpFeed::setGlobal(&feed);
    qint64 second = 0;
    {
        Session session(&cache);
        LatencyController controller(&session);

        using namespace otlp::test;
        cmv::ExportMetricsServiceRequest req;
        ExpPoint p;
        p.scale = 4;
        p.offset = -30; // seconds: (2^(-30/16), ...] about 0.27 s
        p.counts = {5, 10, 20, 10, 5};
        p.timeNs = uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
        p.startNs = p.timeNs - 1'000'000'000ULL;
        second = qint64(p.timeNs / 1'000'000'000ULL) * 1000;
        auto *dp = expHistogram(resource(req, "checkout", "pod-1"),
                                "gen_ai.client.operation.duration", "s", false, p);
        // The slow request behind the interval's p99, with its trace.
        auto *e = dp->add_exemplars();
        e->set_as_double(0.52);
        e->set_time_unix_nano(p.timeNs - 300'000'000ULL);
        e->set_trace_id(
            std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
        auto stub = cmv::MetricsService::NewStub(
            grpc::CreateChannel(receiver.address(), grpc::InsecureChannelCredentials()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        cmv::ExportMetricsServiceResponse resp;
        ASSERT_TRUE(stub->Export(&ctx, req, &resp).ok());

        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return find(controller.store(), QStringLiteral("checkout/chat")).has_value(); },
            30000));
        const SeriesId id = *find(controller.store(), QStringLiteral("checkout/chat"));
        EXPECT_EQ(controller.store().key(id)->model, QStringLiteral("atlas"));
        const auto points = controller.store().range(id, second, second + 1000, Resolution::Second);
        ASSERT_EQ(points.size(), 1u);
        EXPECT_EQ(points[0].count, 50u);
        const QString note = controller.sourceNote(id);
        EXPECT_TRUE(note.startsWith(QStringLiteral("OTLP"))) << note.toStdString();
        EXPECT_TRUE(note.contains(QStringLiteral("scale 4"))) << note.toStdString();
        // Scale 4's 2.2 % plus the rebinning into milliseconds.
        EXPECT_TRUE(note.contains(QStringLiteral("\u00b12.4"))) << note.toStdString();

        // A click on that second: the exemplar at or above its p99, with a trace link.
        QSignalSpy ready(&controller, &LatencyController::exemplarsReady);
        controller.requestExemplars(id, second + 400);
        ASSERT_EQ(ready.size(), 1); // the OTLP sink answers at once
        const auto list = ready.first().at(4).value<std::vector<Exemplar>>();
        ASSERT_EQ(list.size(), 1u);
        EXPECT_EQ(list[0].traceId, QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        EXPECT_NEAR(list[0].valueMs, 520.0, 1e-9);
        EXPECT_GT(ready.first().at(3).toDouble(), 300.0); // that second's p99, ms
        ExemplarList view;
        view.show(controller.store().key(id)->label(), second, second + 1000,
                  ready.first().at(3).toDouble(), list, {},
                  QStringLiteral("http://tracing.example/trace/{trace_id}"));
        ASSERT_EQ(view.list()->topLevelItemCount(), 1);
        EXPECT_EQ(view.list()->topLevelItem(0)->text(3),
                  QStringLiteral("http://tracing.example/trace/4bf92f3577b34da6a3ce929d0e0e4736"));
        EXPECT_TRUE(view.title().contains(QStringLiteral("checkout/chat")))
            << view.title().toStdString();
    } // the controller writes what is pending
    otlp::OtlpFeed::setGlobal(nullptr);
    receiver.shutdown();

    SeriesQuery q;
    q.endpoint = QStringLiteral("otlp");
    q.route = QStringLiteral("checkout/chat");
    q.fromMs = second - 1000;
    q.toMs = second + 2000;
    QSignalSpy loaded(&cache, &Cache::seriesLoaded);
    cache.loadSeries(q);
    ASSERT_TRUE(loaded.wait(30000));
    const auto rows = loaded.first().at(1).value<std::vector<SeriesPoint>>();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].count, 50u);
}

// The id of the series on `route` that seriesUpdated listed (waits for it).
SeriesId listed(QSignalSpy &updates, const QString &route)
{
    SeriesId found = kNoSeries;
    (void)QTest::qWaitFor(
        [&] {
            for (const auto &args : updates)
                for (const auto &[sid, key] : args.first().value<SeriesUpdate>().newSeries)
                    if (key.route == route)
                        found = sid;
            return found != kNoSeries;
        },
        30000);
    return found;
}

TEST(LatencySources, PrometheusHistoryIsImportedCachedAndStaleWhenDown)
{
    test::PrometheusServer prom;
    QString why;
    ASSERT_TRUE(prom.start(&why)) << why.toStdString();
    // 20 minutes of one route at schema 6, in ms, in time order.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 t0 = (now - 20 * 60'000) / 60'000 * 60'000;
    prometheus::WriteRequest req;
    uint64_t count = 0;
    std::map<int32_t, uint64_t> buckets;
    for (qint64 t = t0; t <= now - 15'000; t += 15'000) {
        auto *ts = req.add_timeseries();
        auto *l = ts->add_labels();
        l->set_name("__name__");
        l->set_value("latency_ms");
        l = ts->add_labels();
        l->set_name("route");
        l->set_value("chat");
        for (int k = 0; k < 30; ++k) {
            ++buckets[LatencySketch::bucketIndex(100.0 + k * 10, 6) + 1];
            ++count;
        }
        auto *h = ts->add_histograms();
        h->set_count_int(count);
        h->set_sum(double(count) * 245);
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
    }
    ASSERT_EQ(prom.write(req).status, 204);

    QTemporaryDir dir;
    Cache cache;
    ASSERT_TRUE(openCache(cache, dir.filePath(QStringLiteral("c.sqlite"))));
    PrometheusConfig c;
    c.url = prom.url();
    c.selector = QStringLiteral("latency_ms");
    c.millisPerUnit = 1.0;
    Session session(&cache);
    LatencyController controller(&session);
    controller.setPrometheusSource(c);
    ASSERT_NE(controller.prometheus(), nullptr);
    QSignalSpy updates(&controller, &LatencyController::seriesUpdated);
    const SeriesId id = listed(updates, QStringLiteral("prometheus/chat"));
    ASSERT_NE(id, kNoSeries);
    // Minute steps are not seconds: no lone per-second dots in a live chart.
    for (const auto &args : updates)
        EXPECT_TRUE(args.first().value<SeriesUpdate>().seconds.empty());
    EXPECT_TRUE(controller.sourceNote(id).contains(QStringLiteral("schema 6")))
        << controller.sourceNote(id).toStdString();

    // A chart scrolled back asks for the range: Prometheus answers.
    QSignalSpy history(&controller, &LatencyController::historyLoaded);
    const qint64 from = t0 + 120'000, to = t0 + 15 * 60'000;
    ASSERT_TRUE(controller.loadHistory(QStringLiteral("series:x"),
                                       QStringLiteral("prometheus/chat"), QString(), QString(),
                                       from, to, Resolution::Minute));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !history.isEmpty(); }, 30000));
    EXPECT_EQ(history.first().at(1).value<Resolution>(), Resolution::Minute);
    const auto live = history.takeFirst().at(4).value<std::vector<SeriesPoint>>();
    ASSERT_GE(live.size(), 10u);
    for (const auto &p : live)
        EXPECT_EQ(p.count, 120u); // four ticks of 30 in each minute

    // Written to the cache (every kCacheFlushMs): poll it, then Prometheus goes away.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            SeriesQuery q;
            q.endpoint = controller.prometheus()->sourceKey();
            q.route = QStringLiteral("prometheus/chat");
            q.fromMs = from;
            q.toMs = to;
            q.resolution = Resolution::Minute;
            QSignalSpy loaded(&cache, &Cache::seriesLoaded);
            cache.loadSeries(q);
            return loaded.wait(5000) &&
                   loaded.first().at(1).value<std::vector<SeriesPoint>>().size() == live.size();
        },
        30000));
    prom.stop();
    QSignalSpy messages(&session, &Session::message);
    ASSERT_TRUE(controller.loadHistory(QStringLiteral("series:x"),
                                       QStringLiteral("prometheus/chat"), QString(), QString(),
                                       from, to, Resolution::Minute));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !history.isEmpty(); }, 30000));
    const auto cached = history.takeFirst().at(4).value<std::vector<SeriesPoint>>();
    EXPECT_EQ(cached.size(), live.size());
    ASSERT_FALSE(messages.isEmpty());
    EXPECT_TRUE(messages.first().first().toString().contains(QStringLiteral("stale")));
    EXPECT_EQ(controller.prometheus()->state(), PrometheusSource::State::Stale);

    // A console started while Prometheus is down lists the route from what
    // the cache says was imported (source and schema), stale, and its
    // scrolled-back history comes from the cache.
    Session session2(&cache);
    LatencyController second(&session2);
    second.setPrometheusSource(c);
    QSignalSpy listedBySecond(&second, &LatencyController::seriesUpdated); // what the tree adds
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return second.prometheus()->state() == PrometheusSource::State::Failed; }, 30000));
    const SeriesId cachedId = listed(listedBySecond, QStringLiteral("prometheus/chat"));
    ASSERT_NE(cachedId, kNoSeries);
    const QString note = second.sourceNote(cachedId);
    EXPECT_TRUE(note.contains(QStringLiteral("schema 6"))) << note.toStdString();
    EXPECT_TRUE(note.contains(QStringLiteral("cached, imported"))) << note.toStdString();
    EXPECT_TRUE(note.contains(QStringLiteral("stale: Prometheus at"))) << note.toStdString();
    QSignalSpy history2(&second, &LatencyController::historyLoaded);
    ASSERT_TRUE(second.loadHistory(QStringLiteral("series:y"), QStringLiteral("prometheus/chat"),
                                   QString(), QString(), from, to, Resolution::Minute));
    ASSERT_TRUE(QTest::qWaitFor([&] { return !history2.isEmpty(); }, 30000));
    EXPECT_EQ(history2.first().at(4).value<std::vector<SeriesPoint>>().size(), live.size());
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv); // the exemplar list is a widget
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
