// Prometheus 2.42's JSON for native histograms: rules 0/1/3, numbers as
// strings, fractional counts after increase(), the zero bucket, a schema
// derived from the bounds and the index mapped onto ours; errors with reasons.

#include "core/prom_parse.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace sb;

namespace {

QByteArray bucket(int rule, double lo, double hi, const char *count)
{
    return QByteArray("[") + QByteArray::number(rule) + ",\"" + QByteArray::number(lo, 'g', 17) +
           "\",\"" + QByteArray::number(hi, 'g', 17) + "\",\"" + count + "\"]";
}

TEST(PromParse, NativeHistogramMatrixWithStringsFractionsAndTheZeroBucket)
{
    // Schema 3: base 2^(1/8). Our bucket 0 is (1, 2^(1/8)], Prometheus' index 1.
    const double b = std::exp2(1.0 / 8);
    const QByteArray body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
        "[{\"metric\":{\"route\":\"chat\"},\"histograms\":[[1700000060.5,"
        "{\"count\":\"10.5\",\"sum\":\"12.25\",\"buckets\":[" +
        bucket(3, -1e-128, 1e-128, "0.5") + "," + bucket(0, 1, b, "4.25") + "," +
        bucket(0, b * b, b * b * b, "5.75") + "]}]]}]}}";
    const PromResponse r = parsePromResponse(body);
    ASSERT_TRUE(r.ok) << r.error.toStdString();
    ASSERT_EQ(r.series.size(), 1u);
    EXPECT_EQ(r.series[0].labels.value(QStringLiteral("route")), QStringLiteral("chat"));
    ASSERT_EQ(r.series[0].samples.size(), 1u);
    EXPECT_EQ(r.series[0].samples[0].timeMs, 1700000060500);
    const PromHistogram &h = r.series[0].samples[0].histogram;
    EXPECT_DOUBLE_EQ(h.count, 10.5);
    ASSERT_EQ(h.buckets.size(), 3u);
    EXPECT_EQ(h.buckets[0].rule, 3);

    QString why;
    const auto e = promToExponential(h, &why);
    ASSERT_TRUE(e) << why.toStdString();
    EXPECT_EQ(e->scale, 3);
    EXPECT_EQ(e->offset, 0);
    ASSERT_EQ(e->counts.size(), 3u); // indexes 0, 1 (empty), 2
    // Cumulative rounding: 0.5 -> 1 (round half away), 4.75 -> 5, 10.5 -> 11.
    EXPECT_EQ(e->zeroCount, 1u);
    EXPECT_EQ(e->counts[0], 4u);
    EXPECT_EQ(e->counts[1], 0u);
    EXPECT_EQ(e->counts[2], 6u);
    EXPECT_EQ(e->count, 11u);
}

TEST(PromParse, SchemaSixAndNegativeBuckets)
{
    const double b = std::exp2(1.0 / 64);
    const double lo = std::pow(b, 400);
    PromHistogram h;
    h.count = 3;
    h.buckets = {{0, lo, lo * b, 3}};
    QString why;
    auto e = promToExponential(h, &why);
    ASSERT_TRUE(e) << why.toStdString();
    EXPECT_EQ(e->scale, 6);
    EXPECT_EQ(e->offset, 400);
    // Rule 1, [l,u) below zero: negative values, which no latency is.
    h.buckets.push_back({1, -lo * b, -lo, 2});
    EXPECT_FALSE(promToExponential(h, &why));
    EXPECT_TRUE(why.contains(QStringLiteral("negative")));
    // Bounds on no schema.
    h.buckets = {{0, 1.0, 1.3, 3}};
    EXPECT_FALSE(promToExponential(h, &why));
}

TEST(PromParse, ErrorsAndOtherAnswers)
{
    auto r = parsePromResponse(
        R"({"status":"error","errorType":"bad_data","error":"1:11: parse error: unexpected"})");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.errorType, QStringLiteral("bad_data"));
    EXPECT_TRUE(r.error.contains(QStringLiteral("parse error")));
    r = parsePromResponse("<html>404 page not found</html>");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.errorType, QStringLiteral("parse"));
    r = parsePromResponse(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,"3"]]}]}})");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.series[0].floatSamples, 2u);
    EXPECT_TRUE(r.series[0].samples.empty());
    r = parsePromResponse(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"histograms":[[1,{"count":"x"}]]}]}})");
    EXPECT_FALSE(r.ok);
    r = parsePromResponse(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"histograms":[[1,{"count":"1","sum":"1","buckets":[[7,"1","2","1"]]}]]}]}})");
    EXPECT_FALSE(r.ok); // rule 7 does not exist
}

} // namespace

namespace {

TEST(PromParse, ClassicBucketsGroupedByRouteAndTime)
{
    const QByteArray body =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
        "{\"metric\":{\"route\":\"chat\",\"le\":\"+Inf\"},\"values\":[[60,\"7.5\"],[120,\"3\"]]},"
        "{\"metric\":{\"route\":\"chat\",\"le\":\"0.25\"},\"values\":[[60,\"2\"],[120,\"1\"]]},"
        "{\"metric\":{\"route\":\"chat\"},\"values\":[[60,\"9\"]]}]}}";
    const PromResponse r = parsePromResponse(body);
    ASSERT_TRUE(r.ok) << r.error.toStdString();
    std::size_t skipped = 0;
    const PromClassic c = promClassicHistograms(r, &skipped);
    EXPECT_EQ(skipped, 1u); // the series without le
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].labels.value(QStringLiteral("route")), QStringLiteral("chat"));
    EXPECT_FALSE(c[0].labels.contains(QStringLiteral("le")));
    const auto &byTime = c[0].byTime;
    ASSERT_EQ(byTime.size(), 2u);
    const auto &at60 = byTime.at(60'000);
    ASSERT_EQ(at60.size(), 2u);
    EXPECT_DOUBLE_EQ(at60[0].first, 0.25); // ascending le
    EXPECT_DOUBLE_EQ(at60[0].second, 2.0);
    EXPECT_TRUE(std::isinf(at60[1].first));
    EXPECT_DOUBLE_EQ(at60[1].second, 7.5);
    EXPECT_FALSE(parsePromResponse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                                   "\"result\":[{\"metric\":{},\"values\":[[60,\"x\"]]}]}}")
                     .ok);
}

} // namespace
