// History from a real Prometheus 2.42 (Debian's), started by the test on
// loopback with a temporary folder and fed by remote write in time order:
// native histograms at schema 6 (and 3) imported through query_range of
// sum by (route)(increase(m[60s])) into sketches, their p99 against the exact
// p99 of the requests written; counts per step; the errors a user sees; stale
// after Prometheus goes away.

#include "client/prometheus_source.h"
#include "core/bucket_import.h"
#include "core/exemplar.h"
#include "core/latency_sketch.h"
#include "prometheus_server.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <random>

using namespace sb;
using namespace sb::test;

namespace {

constexpr qint64 kTickMs = 15'000;
constexpr qint64 kStepMs = 60'000;

struct Route
{
    std::string name;
    double medianMs;
    double sigma;
    int schema;
    std::map<int32_t, uint64_t> cumulative; // Prometheus bucket index -> count
    uint64_t count = 0;
    double sum = 0;
    std::map<qint64, std::vector<double>> byTick; // tick time -> its values
};

void addHistogram(prometheus::TimeSeries *ts, const Route &r, qint64 timeMs)
{
    auto *h = ts->add_histograms();
    h->set_count_int(r.count);
    h->set_sum(r.sum);
    h->set_schema(r.schema);
    h->set_zero_threshold(1e-128);
    h->set_zero_count_int(0);
    h->set_timestamp(timeMs);
    // Spans of consecutive indexes, counts delta-encoded (remote write 1.0).
    int32_t prevIndex = 0;
    int64_t prevCount = 0;
    bool first = true;
    prometheus::BucketSpan *span = nullptr;
    for (const auto &[idx, c] : r.cumulative) {
        if (first || idx != prevIndex + 1) {
            span = h->add_positive_spans();
            span->set_offset(first ? idx : idx - prevIndex - 1);
            span->set_length(0);
        }
        span->set_length(span->length() + 1);
        h->add_positive_deltas(int64_t(c) - prevCount);
        prevCount = int64_t(c);
        prevIndex = idx;
        first = false;
    }
}

double exactQuantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v[std::size_t(std::floor(q * double(v.size() - 1) + 0.5))];
}

class PromImport : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        server = new PrometheusServer();
        QString error;
        if (!server->start(&error)) {
            startError = error;
            return;
        }
        // 40 minutes of two routes, written in time order, 200 requests a tick.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        t0 = (now - 40 * 60'000) / kStepMs * kStepMs;
        tEnd = (now - kTickMs) / kTickMs * kTickMs;
        routes = {{"chat", 300.0, 0.7, 6}, {"embed", 40.0, 0.4, 3}};
        std::mt19937_64 rng(7);
        prometheus::WriteRequest req;
        std::vector<prometheus::TimeSeries *> series;
        const auto flush = [&] {
            if (req.timeseries_size() == 0)
                return;
            const HttpAnswer a = server->write(req);
            if (a.status != 204 && a.status != 200)
                startError = QStringLiteral("remote write: HTTP %1 %2")
                                 .arg(a.status)
                                 .arg(QString::fromUtf8(a.body));
            req.Clear();
            series.clear();
        };
        int ticks = 0;
        for (qint64 t = t0; t <= tEnd; t += kTickMs) {
            if (series.empty()) {
                for (const auto &r : routes) {
                    auto *ts = req.add_timeseries();
                    auto *l = ts->add_labels();
                    l->set_name("__name__");
                    l->set_value("latency_ms");
                    l = ts->add_labels();
                    l->set_name("route");
                    l->set_value(r.name);
                    series.push_back(ts);
                }
            }
            for (std::size_t i = 0; i < routes.size(); ++i) {
                Route &r = routes[i];
                std::lognormal_distribution<double> d(std::log(r.medianMs), r.sigma);
                auto &values = r.byTick[t];
                for (int k = 0; k < (t == t0 ? 0 : 200); ++k) {
                    const double v = d(rng);
                    values.push_back(v);
                    ++r.cumulative[LatencySketch::bucketIndex(v, r.schema) + 1];
                    ++r.count;
                    r.sum += v;
                }
                addHistogram(series[i], r, t);
            }
            if (++ticks % 40 == 0)
                flush();
        }
        flush();
    }
    static void TearDownTestSuite()
    {
        delete server;
        server = nullptr;
    }
    void SetUp() override
    {
        if (!startError.isEmpty())
            GTEST_FAIL() << startError.toStdString();
    }

    static PrometheusImport importAll(PrometheusSource &source, qint64 from, qint64 to)
    {
        QSignalSpy ok(&source, &PrometheusSource::imported);
        QSignalSpy failed(&source, &PrometheusSource::failed);
        source.importRange(from, to);
        EXPECT_TRUE(QTest::qWaitFor([&] { return ok.size() + failed.size() > 0; }, 30000));
        if (!failed.isEmpty())
            ADD_FAILURE() << failed.first().first().toString().toStdString();
        return ok.isEmpty() ? PrometheusImport{} : ok.first().first().value<PrometheusImport>();
    }
    static QString failureOf(PrometheusSource &source, qint64 from, qint64 to)
    {
        QSignalSpy ok(&source, &PrometheusSource::imported);
        QSignalSpy failed(&source, &PrometheusSource::failed);
        source.importRange(from, to);
        EXPECT_TRUE(QTest::qWaitFor([&] { return ok.size() + failed.size() > 0; }, 30000));
        return failed.isEmpty() ? QString() : failed.first().first().toString();
    }

    static inline PrometheusServer *server = nullptr;
    static inline QString startError;
    static inline qint64 t0 = 0, tEnd = 0;
    static inline std::vector<Route> routes;
};

PrometheusConfig configFor(const QString &url)
{
    PrometheusConfig c;
    c.url = url;
    c.selector = QStringLiteral("latency_ms");
    c.millisPerUnit = 1.0; // written in ms, so buckets line up with ours exactly
    c.stepSeconds = 60;
    return c;
}

TEST_F(PromImport, ImportedP99IsWithinTheSketchBoundOfExact)
{
    PrometheusSource source(configFor(server->url()));
    const PrometheusImport got = importAll(source, t0, tEnd);
    ASSERT_GT(got.samples, 0u);
    EXPECT_EQ(got.rejected, 0u) << got.firstRejection.toStdString();
    EXPECT_EQ(got.minSchema, 3); // derived from the bounds: embed was written at schema 3
    for (const auto &r : routes) {
        const QString route = QStringLiteral("prometheus/") + QString::fromStdString(r.name);
        LatencySketch merged(r.schema);
        std::vector<double> exact;
        double worstStep = 0;
        int steps = 0;
        for (const auto &row : got.rollups) {
            if (row.key.route != route)
                continue;
            // The increase over [end - 60 s, end]: the ticks after its start, up to its end.
            std::vector<double> values;
            for (qint64 t = row.startMs + kTickMs; t <= row.startMs + kStepMs; t += kTickMs) {
                auto it = r.byTick.find(t);
                if (it != r.byTick.end())
                    values.insert(values.end(), it->second.begin(), it->second.end());
            }
            ASSERT_EQ(row.aggregate.count, values.size()) << r.name << " at " << row.startMs;
            if (values.empty())
                continue;
            ++steps;
            const double e = exactQuantile(values, 0.99);
            worstStep = std::max(worstStep, std::abs(row.aggregate.latency.quantile(0.99) - e) / e);
            merged.merge(row.aggregate.latency);
            exact.insert(exact.end(), values.begin(), values.end());
        }
        ASSERT_GE(steps, 30) << r.name;
        const double e = exactQuantile(exact, 0.99);
        const double err = std::abs(merged.quantile(0.99) - e) / e;
        const double bound = scaleRelativeError(r.schema);
        std::printf("[ measured ] %s schema %d: p99 over %d steps %.6g ms vs exact %.6g ms: "
                    "%.3f %% (bound %.3f %%); worst single step %.3f %%\n",
                    r.name.c_str(), r.schema, steps, merged.quantile(0.99), e, err * 100,
                    bound * 100, worstStep * 100);
        EXPECT_LE(err, bound + 1e-9) << r.name;
        EXPECT_LE(worstStep, bound + 1e-9) << r.name;
    }
}

TEST_F(PromImport, PromQlsOwnHistogramQuantileForComparison)
{
    // Not what the console shows: printed so the closing note can quote it.
    const qint64 endS = (tEnd / kStepMs) * kStepMs / 1000;
    const qint64 spanS = endS - (t0 / 1000);
    for (const auto &r : routes) {
        const QString q = QStringLiteral("histogram_quantile(0.99, sum by (route) "
                                         "(increase(latency_ms{route=\"%1\"}[%2s])))")
                              .arg(QString::fromStdString(r.name))
                              .arg(spanS);
        const HttpAnswer a = httpGet(server->url() + QStringLiteral("/api/v1/query?query=") +
                                     QString::fromUtf8(QUrl::toPercentEncoding(q)) +
                                     QStringLiteral("&time=%1").arg(endS));
        ASSERT_EQ(a.status, 200) << a.body.toStdString();
        const auto v = QJsonDocument::fromJson(a.body)["data"]["result"][0]["value"][1];
        std::vector<double> all;
        for (const auto &[t, vals] : r.byTick)
            if (t > t0 && t <= endS * 1000)
                all.insert(all.end(), vals.begin(), vals.end());
        const double e = exactQuantile(all, 0.99);
        std::printf("[ measured ] %s schema %d: histogram_quantile p99 %s vs exact %.6g ms: "
                    "%.3f %%\n",
                    r.name.c_str(), r.schema, qPrintable(v.toString()), e,
                    std::abs(v.toString().toDouble() - e) / e * 100);
    }
}

TEST_F(PromImport, ErrorsSayWhatIsWrong)
{
    {
        PrometheusSource s(configFor(server->url() + QStringLiteral("/not-the-root")));
        const QString e = failureOf(s, t0, tEnd);
        EXPECT_TRUE(e.contains(QStringLiteral("HTTP 404"))) << e.toStdString();
        EXPECT_EQ(s.state(), PrometheusSource::State::Failed);
    }
    {
        PrometheusConfig c = configFor(server->url());
        c.selector = QStringLiteral("latency_ms{"); // PromQL syntax error
        PrometheusSource s(c);
        const QString e = failureOf(s, t0, tEnd);
        EXPECT_TRUE(e.contains(QStringLiteral("HTTP 400"))) << e.toStdString();
        EXPECT_TRUE(e.contains(QStringLiteral("parse error"))) << e.toStdString();
    }
    {
        PrometheusSource s(
            configFor(QStringLiteral("http://127.0.0.1:%1").arg(PrometheusServer::freePort())));
        const QString e = failureOf(s, t0, tEnd);
        EXPECT_TRUE(e.contains(QStringLiteral("unreachable"))) << e.toStdString();
    }
    {
        // A float series: not a native histogram.
        prometheus::WriteRequest req;
        auto *ts = req.add_timeseries();
        auto *l = ts->add_labels();
        l->set_name("__name__");
        l->set_value("plain_total");
        l = ts->add_labels();
        l->set_name("route");
        l->set_value("chat");
        for (qint64 t = tEnd - 5 * kStepMs; t <= tEnd; t += kTickMs) {
            auto *s = ts->add_samples();
            s->set_value(double(t - tEnd + 10 * kStepMs));
            s->set_timestamp(t);
        }
        ASSERT_EQ(server->write(req).status, 204);
        PrometheusConfig c = configFor(server->url());
        c.selector = QStringLiteral("plain_total");
        PrometheusSource s(c);
        const QString e = failureOf(s, tEnd - 5 * kStepMs, tEnd);
        EXPECT_TRUE(e.contains(QStringLiteral("no native histograms"))) << e.toStdString();
    }
}

TEST_F(PromImport, AnExemplarAfterItsSeriesExistsIsShownOneWithTheFirstSampleIsNot)
{
    const auto request = [](qint64 t, const char *trace, double value) {
        prometheus::WriteRequest req;
        auto *ts = req.add_timeseries();
        auto *l = ts->add_labels();
        l->set_name("__name__");
        l->set_value("exemplar_ms");
        l = ts->add_labels();
        l->set_name("route");
        l->set_value("chat");
        Route r{"chat", 0, 0, 6, {{LatencySketch::bucketIndex(value, 6) + 1, 1}}, 1, value, {}};
        addHistogram(ts, r, t);
        auto *e = ts->add_exemplars();
        e->set_value(value);
        e->set_timestamp(t);
        auto *el = e->add_labels();
        el->set_name("trace_id");
        el->set_value(trace);
        return req;
    };
    const qint64 t = tEnd - 2 * kStepMs;
    // Sent with the series' first (native histogram) sample: Prometheus 2.42
    // drops it silently (with a float sample it keeps it).
    ASSERT_EQ(server->write(request(t, "4bf92f3577b34da6a3ce929d0e0e4736", 1800.0)).status, 204);
    // Sent once the series exists: kept.
    ASSERT_EQ(
        server->write(request(t + kTickMs, "00f067aa0ba902b7a3ce929d0e0e4736", 2500.0)).status,
        204);
    PrometheusConfig c = configFor(server->url());
    c.selector = QStringLiteral("exemplar_ms");
    PrometheusSource source(c);
    QSignalSpy loaded(&source, &PrometheusSource::exemplarsLoaded);
    QSignalSpy failed(&source, &PrometheusSource::failed);
    source.loadExemplars(t - kStepMs, tEnd + 1000);
    ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.size() + failed.size() > 0; }, 30000));
    ASSERT_TRUE(failed.isEmpty()) << failed.first().first().toString().toStdString();
    const auto byRoute = loaded.first().first().value<QHash<QString, std::vector<Exemplar>>>();
    const auto &list = byRoute.value(QStringLiteral("prometheus/chat"));
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].traceId, QStringLiteral("00f067aa0ba902b7a3ce929d0e0e4736"));
    EXPECT_DOUBLE_EQ(list[0].valueMs, 2500.0);
    EXPECT_EQ(list[0].timeMs, t + kTickMs);
    EXPECT_EQ(traceLink(QStringLiteral("http://tracing.example/trace/{trace_id}"), list[0].traceId),
              QStringLiteral("http://tracing.example/trace/00f067aa0ba902b7a3ce929d0e0e4736"));
}

// Last: stops the server.
TEST_F(PromImport, StaleWhenPrometheusGoesAway)
{
    PrometheusSource source(configFor(server->url()));
    ASSERT_GT(importAll(source, tEnd - 10 * kStepMs, tEnd).samples, 0u);
    EXPECT_EQ(source.state(), PrometheusSource::State::Fresh);
    server->stop();
    const QString e = failureOf(source, tEnd - 10 * kStepMs, tEnd);
    EXPECT_TRUE(e.contains(QStringLiteral("unreachable"))) << e.toStdString();
    EXPECT_EQ(source.state(), PrometheusSource::State::Stale);
    EXPECT_GT(source.lastSuccessMs(), 0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
