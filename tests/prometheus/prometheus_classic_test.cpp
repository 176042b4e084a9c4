// The fallback for a selector with no native histogram: classic `le`
// buckets from a real Prometheus 2.42 (Debian's), fed by remote write in time
// order, imported through query_range of
// sum by (route, le)(increase(m_bucket[60s])) and read as histogram_quantile
// reads them. Checks: the import says it is classic and carries the bucket
// width as its bound; counts per step are what was written; its p99 follows
// PromQL's own histogram_quantile at every step; against the exact p99 it
// stays within the bucket-width bound it reports. Also paging: Prometheus
// refuses more than 11,000 points, and a range fetched in pages equals the
// same range fetched at once.

#include "client/prometheus_source.h"
#include "core/latency_sketch.h"
#include "prometheus_server.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <random>

using namespace sb;
using namespace sb::test;

namespace {

constexpr qint64 kTick = 15'000;
constexpr qint64 kStep = 60'000;
// A typical hand-made layout, in ms.
const std::vector<double> kBounds{50,  100, 150, 200,  250,  300, 400,
                                  500, 650, 800, 1000, 1300, 1600};

double exactP99(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[std::size_t(std::floor(0.99 * double(v.size() - 1) + 0.5))];
}

class PromClassic : public ::testing::Test
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
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        t0 = (now - 30 * 60'000) / kStep * kStep;
        tEnd = (now - kTick) / kTick * kTick;
        std::mt19937_64 rng(11);
        std::lognormal_distribution<double> d(std::log(280.0), 0.45);
        std::vector<uint64_t> cumulative(kBounds.size() + 1, 0);
        prometheus::WriteRequest req;
        int ticks = 0;
        for (qint64 t = t0; t <= tEnd; t += kTick) {
            auto &values = byTick[t];
            for (int k = 0; k < (t == t0 ? 0 : 150); ++k) {
                const double v = d(rng);
                values.push_back(v);
                for (std::size_t b = 0; b <= kBounds.size(); ++b) {
                    if (b == kBounds.size() || v <= kBounds[b])
                        ++cumulative[b];
                }
            }
            for (std::size_t b = 0; b <= kBounds.size(); ++b) {
                auto *ts = req.add_timeseries();
                const auto label = [ts](const char *n, const std::string &v) {
                    auto *l = ts->add_labels();
                    l->set_name(n);
                    l->set_value(v);
                };
                label("__name__", "classic_ms_bucket");
                label("le",
                      b == kBounds.size() ? "+Inf" : QString::number(kBounds[b]).toStdString());
                label("route", "chat");
                auto *s = ts->add_samples();
                s->set_value(double(cumulative[b]));
                s->set_timestamp(t);
            }
            if (++ticks % 40 == 0) {
                if (server->write(req).status != 204)
                    startError = QStringLiteral("remote write refused");
                req.Clear();
            }
        }
        if (req.timeseries_size() && server->write(req).status != 204)
            startError = QStringLiteral("remote write refused");
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
    static PrometheusConfig config()
    {
        PrometheusConfig c;
        c.url = server->url();
        c.selector = QStringLiteral("classic_ms"); // no native histogram of that name
        c.millisPerUnit = 1.0;
        c.stepSeconds = 60;
        return c;
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
    std::vector<double> valuesOf(qint64 startMs) const
    {
        std::vector<double> v;
        for (qint64 t = startMs + kTick; t <= startMs + kStep; t += kTick) {
            auto it = byTick.find(t);
            if (it != byTick.end())
                v.insert(v.end(), it->second.begin(), it->second.end());
        }
        return v;
    }

    static inline PrometheusServer *server = nullptr;
    static inline QString startError;
    static inline qint64 t0 = 0, tEnd = 0;
    static inline std::map<qint64, std::vector<double>> byTick;
};

// PromQL's histogram_quantile(0.99) of increase over `rangeS`, evaluated
// every `stepS` from fromMs to toMs (ms -> value).
std::map<qint64, double> promQlP99(const QString &url, qint64 fromMs, qint64 toMs, qint64 rangeS,
                                   qint64 stepS)
{
    const QString q = QStringLiteral("histogram_quantile(0.99, sum by (route, le) "
                                     "(increase(classic_ms_bucket[%1s])))")
                          .arg(rangeS);
    const HttpAnswer a = httpGet(
        url + QStringLiteral("/api/v1/query_range?query=") +
        QString::fromUtf8(QUrl::toPercentEncoding(q)) +
        QStringLiteral("&start=%1&end=%2&step=%3").arg(fromMs / 1000).arg(toMs / 1000).arg(stepS));
    std::map<qint64, double> out;
    for (const auto &v : QJsonDocument::fromJson(a.body)["data"]["result"][0]["values"].toArray()) {
        const QJsonArray p = v.toArray();
        out[qint64(std::llround(p.at(0).toDouble() * 1000))] = p.at(1).toString().toDouble();
    }
    return out;
}

// The classic bucket (lo, hi] holding v.
std::pair<double, double> bucketOf(double v)
{
    double lo = 0;
    for (double b : kBounds) {
        if (v <= b)
            return {lo, b};
        lo = b;
    }
    return {lo, lo};
}

TEST_F(PromClassic, FallsBackToClassicBucketsReadLikeHistogramQuantile)
{
    PrometheusSource source(config());
    const PrometheusImport got = importAll(source, t0, tEnd);
    ASSERT_GT(got.samples, 20u);
    EXPECT_TRUE(got.classic);
    EXPECT_EQ(source.resolvedHistograms(), PrometheusConfig::Histograms::Classic);
    // The bound is the width of the buckets holding the shown quantiles:
    // p99 of this data sits in (650, 800] or (800, 1000], 23-25 %.
    EXPECT_GE(got.relativeError, 0.2);
    EXPECT_LE(got.relativeError, 0.5);
    const auto promql =
        promQlP99(server->url(), (t0 / kStep + 1) * kStep, tEnd / kStep * kStep, 60, 60);
    LatencySketch merged;
    std::vector<double> all;
    double worstVsExact = 0, sumVsPromQl = 0;
    int compared = 0;
    for (const auto &row : got.rollups) {
        const auto values = valuesOf(row.startMs);
        ASSERT_EQ(row.aggregate.count, values.size()) << "step at " << row.startMs;
        if (values.empty())
            continue;
        const double ours = row.aggregate.latency.quantile(0.99);
        const auto it = promql.find(row.startMs + kStep);
        ASSERT_NE(it, promql.end()) << "PromQL has no value at " << row.startMs + kStep;
        // Both read the same bucket; within it, PromQL's rank is q * n and
        // ours the nearest of q * (n - 1), so in a sparse tail bucket they
        // can be a sample apart.
        const auto [lo, hi] = bucketOf(it->second);
        EXPECT_GE(ours, lo * 0.994) << "step at " << row.startMs;
        EXPECT_LE(ours, hi * 1.006) << "step at " << row.startMs;
        sumVsPromQl += std::abs(ours - it->second) / it->second;
        const double e = exactP99(values);
        worstVsExact = std::max(worstVsExact, std::abs(ours - e) / e);
        merged.merge(row.aggregate.latency);
        all.insert(all.end(), values.begin(), values.end());
        ++compared;
    }
    ASSERT_GE(compared, 20);
    // The whole window in one histogram_quantile, against our merged steps.
    const qint64 lastEnd = tEnd / kStep * kStep;
    const qint64 firstEnd = (t0 / kStep + 1) * kStep;
    const auto whole =
        promQlP99(server->url(), lastEnd, lastEnd, (lastEnd - firstEnd) / 1000 + 60, 60);
    ASSERT_EQ(whole.size(), 1u);
    const double promWhole = whole.begin()->second;
    const double vsPromQl = std::abs(merged.quantile(0.99) - promWhole) / promWhole;
    const double e = exactP99(all);
    const double err = std::abs(merged.quantile(0.99) - e) / e;
    std::printf("[ measured ] classic buckets, %d steps: p99 vs PromQL histogram_quantile: mean "
                "per step %.2f %%, whole window %.3f %%; vs exact: worst step %.2f %%, whole "
                "window %.2f %% (bound %.0f %%)\n",
                compared, sumVsPromQl / compared * 100, vsPromQl * 100, worstVsExact * 100,
                err * 100, got.relativeError * 100);
    EXPECT_LE(vsPromQl, 0.008); // the sketch's 0.54 % plus rounding
    EXPECT_LE(worstVsExact, got.relativeError);
    EXPECT_LE(err, got.relativeError);
}

TEST_F(PromClassic, ALongRangeIsFetchedInPagesWithTheSameResult)
{
    // Prometheus' own limit, which paging keeps under.
    const HttpAnswer refused = httpGet(
        server->url() + QStringLiteral("/api/v1/query_range?query=up&start=%1&end=%2&step=1")
                            .arg(t0 / 1000)
                            .arg(t0 / 1000 + 11'001));
    EXPECT_EQ(refused.status, 400);
    EXPECT_TRUE(refused.body.contains("11,000")) << refused.body.toStdString();

    PrometheusSource once(config());
    const PrometheusImport whole = importAll(once, t0, tEnd);
    PrometheusConfig paged = config();
    paged.pageSteps = 7; // 30 steps: 5 pages
    PrometheusSource pages(paged);
    const PrometheusImport got = importAll(pages, t0, tEnd);
    ASSERT_GT(whole.samples, 20u);
    EXPECT_EQ(got.samples, whole.samples);
    ASSERT_EQ(got.rollups.size(), whole.rollups.size());
    for (std::size_t i = 0; i < got.rollups.size(); ++i) {
        EXPECT_EQ(got.rollups[i].startMs, whole.rollups[i].startMs);
        EXPECT_EQ(got.rollups[i].aggregate.latency, whole.rollups[i].aggregate.latency);
    }
    // No step twice, none missing.
    for (std::size_t i = 1; i < got.rollups.size(); ++i)
        EXPECT_EQ(got.rollups[i].startMs - got.rollups[i - 1].startMs, kStep);
}

} // namespace
