// The routing table through the cache, on real files: what an on-call engineer
// reads offline must be what the service last said, every field of it (a
// route forced to its fallbacks must not come back as a normal one). Served
// shares (why each model served: primary, fallback after which model,
// experiment variant) keep every field through their JSON column, with
// reasons stored as fixed codes. Field counts make a field added to these
// types later fail here until the store keeps it.

#include "store/codec.h"
#include "store_test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <algorithm>
#include <gtest/gtest.h>

namespace sb::test {

namespace {

const QString kEndpoint = QStringLiteral("routing.example:443");

// One share of each reason, every field set to something other than its default.
std::vector<ServedShare> everyKindOfShare()
{
    return {
        {QStringLiteral("atlas-xl"), 0.5, ServedReason::Primary, 0.375, QStringLiteral("exp-p"),
         QStringLiteral("var-p"), QStringLiteral("none-p")},
        {QStringLiteral("atlas-s"), 0.25 + 1e-12, ServedReason::Fallback, 0.5,
         QStringLiteral("exp-f"), QStringLiteral("var-f"), QStringLiteral("atlas-xl")},
        {QStringLiteral("nova-2"), 1.0 / 3.0, ServedReason::Variant, 0.125,
         QStringLiteral("exp-42 — ünïcode"), QStringLiteral("treatment \"b\""),
         QStringLiteral("none-v")},
        {QStringLiteral("legacy"), 0.0625, ServedReason::Unspecified, 0.03125,
         QStringLiteral("exp-u"), QStringLiteral("var-u"), QStringLiteral("none-u")},
    };
}

// Every field of every part set to something other than its default (the
// first route and model; checked by expectEveryFieldSet), plus a normal route
// and a healthy model next to them.
RoutingTable everyRoutingField()
{
    Route forced;
    forced.name = QStringLiteral("chat");
    forced.primaryModel = QStringLiteral("atlas-xl");
    forced.fallbacks = {{QStringLiteral("atlas-s"), false, 1700000060000},
                        {QStringLiteral("nova-2"), true, 1700000120000}};
    forced.recentlyServed = everyKindOfShare();
    forced.etag = QStringLiteral("etag-r7");
    forced.updatedMs = 1700000000001;
    forced.updatedBy = QStringLiteral("oncall@example.com — ünïcode 'quoted'");
    forced.primaryBypassed = true;
    forced.primaryBypassRevertMs = 1700000900000;

    Route normal;
    normal.name = QStringLiteral("summarize");
    normal.primaryModel = QStringLiteral("nova-2");
    normal.fallbacks = {{QStringLiteral("atlas-s"), true, 0}};
    normal.recentlyServed = {{QStringLiteral("nova-2"), 1.0, ServedReason::Primary, 1.0}};
    normal.etag = QStringLiteral("etag-r8");
    normal.updatedMs = 1600000000000;
    normal.updatedBy = QStringLiteral("alice");

    Model sick{QStringLiteral("atlas-xl"),
               false,
               CircuitState::Open,
               1700000030000,
               1700000600000,
               QStringLiteral("etag-m3"),
               0.0025,
               0.01,
               0.4,
               1700000000300,
               QStringLiteral("bob@example.com")};
    Model healthy{QStringLiteral("nova-2"),
                  true,
                  CircuitState::HalfOpen,
                  0,
                  0,
                  QStringLiteral("etag-m4"),
                  1.0 / 3.0,
                  0.0,
                  0.0,
                  1600000000000,
                  QStringLiteral("carol")};

    RoutingTable t;
    t.routes = {forced, normal};
    t.models = {sick, healthy};
    t.timeMs = 1700000000123;
    return t;
}

// The fixture's own check: a field left at its default would round-trip
// even if the store dropped it.
void expectEveryFieldSet(const RoutingTable &t)
{
    ASSERT_FALSE(t.routes.empty());
    ASSERT_FALSE(t.models.empty());
    EXPECT_NE(t.timeMs, 0);
    const Route &r = t.routes.front();
    const Route none;
    EXPECT_NE(r.name, none.name);
    EXPECT_NE(r.primaryModel, none.primaryModel);
    EXPECT_NE(r.fallbacks, none.fallbacks);
    EXPECT_NE(r.recentlyServed, none.recentlyServed);
    EXPECT_NE(r.etag, none.etag);
    EXPECT_NE(r.updatedMs, none.updatedMs);
    EXPECT_NE(r.updatedBy, none.updatedBy);
    EXPECT_NE(r.primaryBypassed, none.primaryBypassed);
    EXPECT_NE(r.primaryBypassRevertMs, none.primaryBypassRevertMs);
    for (const FallbackStep &step : r.fallbacks) {
        EXPECT_NE(step.model, FallbackStep{}.model);
        EXPECT_NE(step.revertMs, FallbackStep{}.revertMs);
    }
    EXPECT_TRUE(std::any_of(r.fallbacks.begin(), r.fallbacks.end(),
                            [](const FallbackStep &step) { return !step.enabled; }));
    const Model &m = t.models.front();
    const Model blank;
    EXPECT_NE(m.name, blank.name);
    EXPECT_NE(m.enabled, blank.enabled);
    EXPECT_NE(m.circuit, blank.circuit);
    EXPECT_NE(m.cooldownUntilMs, blank.cooldownUntilMs);
    EXPECT_NE(m.revertMs, blank.revertMs);
    EXPECT_NE(m.etag, blank.etag);
    EXPECT_NE(m.inputCostPer1k, blank.inputCostPer1k);
    EXPECT_NE(m.outputCostPer1k, blank.outputCostPer1k);
    EXPECT_NE(m.recentErrorRate, blank.recentErrorRate);
    EXPECT_NE(m.updatedMs, blank.updatedMs);
    EXPECT_NE(m.updatedBy, blank.updatedBy);
}

QJsonArray parsed(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).array();
}

class RoutingCacheTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }
    QString path() const { return m_dir.filePath(QStringLiteral("cache.sqlite")); }

    void openOk(Cache &cache)
    {
        const auto result = openAndWait(cache, path());
        ASSERT_TRUE(result.has_value()) << "opened() never came";
        ASSERT_TRUE(result->first) << qPrintable(result->second);
    }

    // Saves through one Cache, reads back through a fresh one on the same file.
    std::optional<CacheSnapshot> roundTrip(const RoutingTable &table, qint64 fetchedMs)
    {
        {
            Cache cache;
            openOk(cache);
            cache.saveRouting(kEndpoint, table, fetchedMs);
        }
        Cache cache;
        openOk(cache);
        return loadSnapshot(cache, kEndpoint);
    }

    QTemporaryDir m_dir;
};

} // namespace

TEST(ServedShareCodec, EveryFieldAndReasonRoundTrips)
{
    EXPECT_EQ(fieldCount<ServedShare>(), 7u)
        << "ServedShare changed: store the new field in codec.cpp and set it here";
    const std::vector<ServedShare> shares = everyKindOfShare();
    EXPECT_EQ(store::decodeServed(store::encodeServed(shares)), shares);
    EXPECT_TRUE(store::decodeServed(store::encodeServed({})).empty());
}

TEST(ServedShareCodec, ReasonsAreStoredAsFixedCodes)
{
    // The codes in files already written; an enum reordered in core must not move them.
    const std::vector<std::pair<ServedReason, int>> codes{{ServedReason::Unspecified, 0},
                                                          {ServedReason::Primary, 1},
                                                          {ServedReason::Fallback, 2},
                                                          {ServedReason::Variant, 3}};
    for (const auto &[reason, code] : codes) {
        ServedShare share;
        share.model = QStringLiteral("m");
        share.reason = reason;
        const QJsonArray a = parsed(store::encodeServed({share}));
        ASSERT_EQ(a.size(), 1);
        EXPECT_EQ(a.at(0).toObject().value(QLatin1String("reason")).toInteger(), code);
    }
    // Text as a file holds it decodes to the same values.
    const auto decoded = store::decodeServed(QStringLiteral(
        R"([{"model":"b","fraction":0.25,"reason":2,"fraction10s":0.5,"experimentId":"",)"
        R"("variantId":"","afterModel":"a"},{"model":"c","fraction":0.125,"reason":3,)"
        R"("fraction10s":0.0625,"experimentId":"exp-1","variantId":"v2","afterModel":""}])"));
    const std::vector<ServedShare> expected{{QStringLiteral("b"), 0.25, ServedReason::Fallback, 0.5,
                                             QString(), QString(), QStringLiteral("a")},
                                            {QStringLiteral("c"), 0.125, ServedReason::Variant,
                                             0.0625, QStringLiteral("exp-1"), QStringLiteral("v2"),
                                             QString()}};
    EXPECT_EQ(decoded, expected);
}

TEST(ServedShareCodec, OlderAndUnknownEntriesReadAsUnspecified)
{
    // As a build before served-share reasons wrote it: model and fraction only.
    const auto old = store::decodeServed(QStringLiteral(R"([{"model":"a","fraction":0.875}])"));
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old.front(), (ServedShare{QStringLiteral("a"), 0.875}));
    const auto unknown =
        store::decodeServed(QStringLiteral(R"([{"model":"a","fraction":0.5,"reason":9}])"));
    ASSERT_EQ(unknown.size(), 1u);
    EXPECT_EQ(unknown.front().reason, ServedReason::Unspecified);
    EXPECT_EQ(unknown.front().fraction, 0.5);
    EXPECT_TRUE(store::decodeServed(QStringLiteral("not json")).empty());
}

TEST_F(RoutingCacheTest, ServedSharesOfEveryReasonSurviveTheCache)
{
    EXPECT_EQ(fieldCount<FallbackStep>(), 3u)
        << "FallbackStep changed: store the new field in codec.cpp and set it here";
    RoutingTable table = sampleRouting(2);
    table.routes[0].recentlyServed = everyKindOfShare();
    table.routes[0].fallbacks = {{QStringLiteral("atlas-s"), false, 1700000060000},
                                 {QStringLiteral("nova-2"), true, 1700000120000}};
    table.routes[1].recentlyServed = {};
    const auto s = roundTrip(table, 10);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->routing.routes.size(), 2u);
    EXPECT_EQ(s->routing.routes[0].recentlyServed, table.routes[0].recentlyServed);
    EXPECT_EQ(s->routing.routes[0].fallbacks, table.routes[0].fallbacks);
    EXPECT_TRUE(s->routing.routes[1].recentlyServed.empty());
    EXPECT_EQ(s->routing, table);
}

TEST_F(RoutingCacheTest, EveryFieldOfTheRoutingTableSurvivesTheCache)
{
    // A type that gains a field fails here until saveRouting, the snapshot,
    // the schema and everyRoutingField() all carry it.
    EXPECT_EQ(fieldCount<Route>(), 9u) << "Route changed: persist the new field";
    EXPECT_EQ(fieldCount<Model>(), 11u) << "Model changed: persist the new field";
    EXPECT_EQ(fieldCount<RoutingTable>(), 3u) << "RoutingTable changed: persist the new field";
    const RoutingTable table = everyRoutingField();
    expectEveryFieldSet(table);

    const auto s = roundTrip(table, 4242);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->endpoint, kEndpoint);
    EXPECT_EQ(s->routingFetchedMs, 4242);
    ASSERT_EQ(s->routing.routes.size(), table.routes.size());
    for (std::size_t i = 0; i < table.routes.size(); ++i)
        EXPECT_EQ(s->routing.routes[i], table.routes[i]) << "route " << i;
    ASSERT_EQ(s->routing.models.size(), table.models.size());
    for (std::size_t i = 0; i < table.models.size(); ++i)
        EXPECT_EQ(s->routing.models[i], table.models[i]) << "model " << i;
    EXPECT_EQ(s->routing, table);
    // The one an on-call engineer acts on, spelled out.
    EXPECT_TRUE(s->routing.routes.front().primaryBypassed);
    EXPECT_EQ(s->routing.routes.front().primaryBypassRevertMs, 1700000900000);
}

TEST_F(RoutingCacheTest, ALaterSaveReplacesTheBypassAndWhoChangedIt)
{
    RoutingTable table = everyRoutingField();
    Cache cache;
    openOk(cache);
    cache.saveRouting(kEndpoint, table, 1);
    // The bypass reverted and the model was re-enabled, by someone else.
    table.routes[0].primaryBypassed = false;
    table.routes[0].primaryBypassRevertMs = 0;
    table.routes[0].updatedBy = QStringLiteral("auto-revert");
    table.routes[0].updatedMs += 1000;
    table.models[0].enabled = true;
    table.models[0].updatedBy = QStringLiteral("dave");
    table.models[0].updatedMs += 2000;
    cache.saveRouting(kEndpoint, table, 2);
    const auto s = loadSnapshot(cache, kEndpoint);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->routing, table);
    EXPECT_FALSE(s->routing.routes.front().primaryBypassed);
    EXPECT_EQ(s->routingFetchedMs, 2);
}

} // namespace sb::test
