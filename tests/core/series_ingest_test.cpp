// Series in core: interning, a stream's dictionary onto stable series, sample
// validation and per-series per-second aggregation, from small fixtures.

#include "core/series_ingest.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace sb;
using Kind = SeriesDictionary::Kind;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // ms, a second boundary
constexpr qint64 kNow = kT0 + 10'000;

// A batch built column by column, viewed as SampleColumns.
struct Batch
{
    qint64 baseUs = kT0 * 1000;
    std::vector<quint32> offsets, routes, models, variants, status, tokens;
    std::vector<float> latency, ttft;
    std::vector<char> fallback; // vector<bool> has no data()

    void add(qint64 atMs, float lat, quint32 route, quint32 model = 0, quint32 variant = 0,
             quint32 code = 0, float tt = 0, quint32 tok = 0, bool fb = false)
    {
        offsets.push_back(quint32((atMs - kT0) * 1000));
        latency.push_back(lat);
        routes.push_back(route);
        models.push_back(model);
        variants.push_back(variant);
        status.push_back(code);
        ttft.push_back(tt);
        tokens.push_back(tok);
        fallback.push_back(fb);
    }

    SampleColumns view() const
    {
        SampleColumns c;
        c.baseUs = baseUs;
        c.size = latency.size();
        c.offsetMicros = offsets.data();
        c.latencyMs = latency.data();
        c.routeIds = routes.data();
        c.statusCodes = status.data();
        c.ttftMs = ttft.data();
        c.modelIds = models.data();
        c.variantIds = variants.data();
        c.outputTokens = tokens.data();
        c.fallbackUsed = reinterpret_cast<const bool *>(fallback.data());
        return c;
    }
};

void defineFleet(SeriesDictionary &d)
{
    d.define(Kind::Route, 1, "chat");
    d.define(Kind::Route, 2, "embed");
    d.define(Kind::Model, 1, "gpt-a");
    d.define(Kind::Model, 2, "gpt-b");
    d.define(Kind::Variant, 1, "exp1/control");
}

const SeriesSecond *find(const std::vector<SeriesSecond> &v, SeriesId id, qint64 second)
{
    for (const auto &s : v) {
        if (s.series == id && s.secondMs == second)
            return &s;
    }
    return nullptr;
}

} // namespace

TEST(SeriesInterner, SameKeySameIdDifferentKeysDenseIds)
{
    SeriesInterner in;
    const SeriesId a = in.intern({"chat", "gpt-a", ""});
    const SeriesId b = in.intern({"chat", "gpt-b", ""});
    const SeriesId c = in.intern({"chat", "gpt-a", "exp1/control"});
    EXPECT_EQ(a, 0u);
    EXPECT_EQ(b, 1u);
    EXPECT_EQ(c, 2u);
    EXPECT_EQ(in.intern({"chat", "gpt-a", ""}), a);
    EXPECT_EQ(in.find({"chat", "gpt-b", ""}), b);
    EXPECT_EQ(in.find({"nope", "", ""}), kNoSeries);
    EXPECT_EQ(in.key(c)->variant, "exp1/control");
    EXPECT_FALSE(in.key(99).has_value());
    EXPECT_EQ((SeriesKey{"chat", "gpt-a", "exp1/control"}.label()),
              QStringLiteral("chat \u00b7 gpt-a \u00b7 exp1/control"));
    EXPECT_EQ((SeriesKey{"chat", "", ""}.label()), QStringLiteral("chat"));
}

TEST(SeriesDictionary, ResolvesTriplesAndKeepsSeriesIdsAcrossARenumberedEpoch)
{
    auto interner = std::make_shared<SeriesInterner>();
    SeriesDictionary d(interner);
    defineFleet(d);
    const SeriesId chatA = d.resolve(1, 1, 0);
    const SeriesId chatB = d.resolve(1, 2, 0);
    const SeriesId chatAExp = d.resolve(1, 1, 1);
    EXPECT_NE(chatA, chatB);
    EXPECT_NE(chatA, chatAExp);
    EXPECT_EQ(d.resolve(1, 1, 0), chatA);
    EXPECT_EQ(interner->key(chatB)->model, "gpt-b");
    EXPECT_EQ(interner->key(chatA)->variant, "");

    // The service restarts and numbers its names the other way round.
    d.clear();
    EXPECT_EQ(d.resolve(1, 1, 0), kNoSeries) << "old ids mean nothing after an epoch change";
    d.define(Kind::Route, 7, "chat");
    d.define(Kind::Model, 9, "gpt-b");
    d.define(Kind::Model, 3, "gpt-a");
    EXPECT_EQ(d.resolve(7, 9, 0), chatB);
    EXPECT_EQ(d.resolve(7, 3, 0), chatA);
    EXPECT_EQ(interner->size(), 3u);
}

TEST(SeriesDictionary, UnknownIdsAreNoSeriesUntilDefined)
{
    SeriesDictionary d(std::make_shared<SeriesInterner>());
    defineFleet(d);
    EXPECT_EQ(d.resolve(0, 1, 0), kNoSeries) << "every sample needs a route";
    EXPECT_EQ(d.resolve(77, 1, 0), kNoSeries);
    EXPECT_EQ(d.resolve(1, 55, 0), kNoSeries);
    EXPECT_EQ(d.resolve(1, 1, 42), kNoSeries);
    // The cached "unknown" answer is forgotten once the name arrives.
    d.define(Kind::Route, 77, "rerank");
    EXPECT_NE(d.resolve(77, 1, 0), kNoSeries);
}

TEST(SeriesDictionary, AFloodOfDistinctUnknownTriplesStaysBounded)
{
    SeriesDictionary d(std::make_shared<SeriesInterner>());
    defineFleet(d);
    for (quint32 i = 0; i < 300'000; ++i)
        EXPECT_EQ(d.resolve(1000 + i, i, i), kNoSeries);
    EXPECT_NE(d.resolve(1, 1, 0), kNoSeries);
    EXPECT_EQ(d.interner().size(), 1u);
}

TEST(SampleValidator, RejectsNaNNegativeAbsurdAndFarTimes)
{
    SampleValidator v;
    v.setNow(kNow);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    EXPECT_TRUE(v.latencyOk(120.f, 30.f));
    EXPECT_TRUE(v.latencyOk(0.f, 0.f));
    EXPECT_FALSE(v.latencyOk(nan, 0.f));
    EXPECT_FALSE(v.latencyOk(-1.f, 0.f));
    EXPECT_FALSE(v.latencyOk(inf, 0.f));
    EXPECT_FALSE(v.latencyOk(5e6f, 0.f)) << "over an hour is a unit bug";
    EXPECT_FALSE(v.latencyOk(100.f, nan));
    EXPECT_FALSE(v.latencyOk(100.f, -3.f));
    EXPECT_TRUE(v.timeOk(kNow * 1000));
    EXPECT_TRUE(v.timeOk((kNow - 600'000) * 1000));
    EXPECT_FALSE(v.timeOk((kNow - 2 * 3'600'000) * 1000));
    EXPECT_FALSE(v.timeOk((kNow + 120'000) * 1000));
    EXPECT_TRUE(v.timeOk((kNow + 5'000) * 1000)) << "a little clock skew is fine";
}

TEST(SeriesAggregator, OneSecondPerSeriesPerSecondClosedAfterGrace)
{
    SeriesAggregator agg(250);
    for (int i = 0; i < 100; ++i) {
        agg.add(0, kT0 + i * 10, 100.f + float(i), 20.f, 5, true, i % 10 == 0, i % 25 == 0);
        agg.add(1, kT0 + i * 10, 5.f, 0.f, 0, false, false, false);
    }
    agg.add(0, kT0 + 1100, 50.f, 0.f, 0, false, false, false);
    EXPECT_TRUE(agg.takeClosed().empty()) << "second 0 is still within its grace";
    agg.add(1, kT0 + 1300, 50.f, 0.f, 0, false, false, false);
    const auto closed = agg.takeClosed();
    ASSERT_EQ(closed.size(), 2u);
    EXPECT_EQ(closed[0].series, 0u) << "ordered by second, then series";
    EXPECT_EQ(closed[1].series, 1u);
    const auto &a = closed[0].aggregate;
    EXPECT_EQ(a.count, 100u);
    EXPECT_EQ(a.errors, 10u);
    EXPECT_EQ(a.fallbacks, 4u);
    EXPECT_EQ(a.tokens, 500u);
    EXPECT_EQ(a.tokenSamples, 100u);
    EXPECT_EQ(a.latency.count(), 90u) << "errors are not in the latency sketch";
    EXPECT_EQ(a.ttft.count(), 90u);
    EXPECT_EQ(closed[1].aggregate.tokenSamples, 0u) << "no token column: not available";
    EXPECT_EQ(closed[1].aggregate.ttft.count(), 0u);

    EXPECT_FALSE(agg.add(0, kT0 + 500, 1.f, 0.f, 0, false, false, false)) << "late";
    const auto rest = agg.takeAll();
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].secondMs, kT0 + 1000);
    EXPECT_EQ(agg.openSeconds(), 0u);
}

TEST(SeriesAggregator, OutOfOrderWithinGraceLandsInItsSecond)
{
    SeriesAggregator agg(1500);
    agg.add(3, kT0 + 1200, 10.f, 0.f, 0, false, false, false);
    agg.add(3, kT0 + 800, 20.f, 0.f, 0, false, false, false);
    agg.add(3, kT0 + 1900, 30.f, 0.f, 0, false, false, false);
    agg.add(3, kT0 + 10, 40.f, 0.f, 0, false, false, false);
    const auto all = agg.takeAll();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].secondMs, kT0);
    EXPECT_EQ(all[0].aggregate.count, 2u);
    EXPECT_EQ(all[1].aggregate.count, 2u);
}

TEST(SeriesIngest, ValidSamplesReachTheirSeriesAndBadOnesAreCountedByReason)
{
    auto interner = std::make_shared<SeriesInterner>();
    SeriesIngest ingest(interner, {}, 0);
    defineFleet(ingest.dictionary());
    Batch b;
    for (int i = 0; i < 10; ++i) {
        b.add(kT0 + i, 100.f, 1, 1);                                   // chat/gpt-a
        b.add(kT0 + i, 200.f, 1, 2, 0, i < 3 ? 14 : 0, 40.f, 7, true); // chat/gpt-b
        b.add(kT0 + i, 300.f, 1, 1, 1);                                // chat/gpt-a/exp1
    }
    b.add(kT0 + 1, std::numeric_limits<float>::quiet_NaN(), 1, 1);
    b.add(kT0 + 1, -4.f, 1, 1);
    b.add(kT0 + 1, 1e9f, 1, 1);
    b.add(kT0 + 1, 100.f, 77, 1); // unknown route
    b.add(kT0 + 1, 100.f, 1, 55); // unknown model
    b.add(kT0 + 2, 100.f, 1, 1);
    b.baseUs = kT0 * 1000;
    EXPECT_EQ(ingest.ingest(b.view(), kNow), 31u);
    // One sample two hours before now, one a minute ahead of it.
    for (const qint64 atMs : {kNow - 2 * 3'600'000, kNow + 60'000}) {
        const quint32 offset = 0, route = 1, status = 0;
        const float latency = 10.f;
        SampleColumns fc;
        fc.baseUs = atMs * 1000;
        fc.size = 1;
        fc.offsetMicros = &offset;
        fc.latencyMs = &latency;
        fc.routeIds = &route;
        fc.statusCodes = &status;
        EXPECT_EQ(ingest.ingest(fc, kNow), 0u);
    }

    const SampleRejects &r = ingest.rejects();
    EXPECT_EQ(r.badLatency, 3u);
    EXPECT_EQ(r.unknownId, 2u);
    EXPECT_EQ(r.badTime, 2u);
    EXPECT_EQ(r.late, 0u);
    EXPECT_EQ(r.total(), 7u);

    const auto secs = ingest.takeAll();
    const SeriesId chatA = interner->find({"chat", "gpt-a", ""});
    const SeriesId chatB = interner->find({"chat", "gpt-b", ""});
    const SeriesId chatAExp = interner->find({"chat", "gpt-a", "exp1/control"});
    ASSERT_NE(chatA, kNoSeries);
    ASSERT_NE(chatB, kNoSeries);
    ASSERT_NE(chatAExp, kNoSeries);
    EXPECT_EQ(interner->size(), 3u) << "rejected samples create no series";
    ASSERT_EQ(secs.size(), 3u) << "all fixture samples are in one second";
    const auto *a = find(secs, chatA, kT0);
    const auto *bb = find(secs, chatB, kT0);
    const auto *e = find(secs, chatAExp, kT0);
    ASSERT_TRUE(a && bb && e);
    EXPECT_EQ(a->aggregate.count, 11u);
    EXPECT_NEAR(a->aggregate.latency.quantile(0.5), 100.0, 0.6);
    EXPECT_EQ(bb->aggregate.count, 10u);
    EXPECT_EQ(bb->aggregate.errors, 3u);
    EXPECT_EQ(bb->aggregate.fallbacks, 10u);
    EXPECT_EQ(bb->aggregate.tokens, 70u);
    EXPECT_NEAR(bb->aggregate.ttft.quantile(0.5), 40.0, 0.3);
    EXPECT_NEAR(e->aggregate.latency.quantile(0.99), 300.0, 1.7);
}

TEST(SeriesIngest, MissingRequiredColumnRejectsTheBatchAndOptionalOnesDefault)
{
    auto interner = std::make_shared<SeriesInterner>();
    SeriesIngest ingest(interner, {}, 0);
    defineFleet(ingest.dictionary());
    Batch b;
    b.add(kT0, 10.f, 1, 2);
    b.add(kT0, 10.f, 2, 1);
    SampleColumns c = b.view();
    c.statusCodes = nullptr;
    EXPECT_EQ(ingest.ingest(c, kNow), 0u);
    EXPECT_EQ(ingest.rejects().badLatency, 2u);

    c = b.view();
    c.modelIds = nullptr; // the service sends no model column
    c.variantIds = nullptr;
    c.ttftMs = nullptr;
    c.outputTokens = nullptr;
    c.fallbackUsed = nullptr;
    EXPECT_EQ(ingest.ingest(c, kNow), 2u);
    const auto secs = ingest.takeAll();
    ASSERT_EQ(secs.size(), 2u);
    EXPECT_EQ(interner->key(secs[0].series)->model, "");
    EXPECT_EQ(secs[0].aggregate.tokenSamples, 0u);
}
