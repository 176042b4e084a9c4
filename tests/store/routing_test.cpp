// The routing table through the cache, on real files: what an on-call engineer
// reads offline must be what the service last said. Served shares (why each
// model served: primary, fallback after which model, experiment variant) keep
// every field through their JSON column, with reasons stored as fixed codes.

#include "store/codec.h"
#include "store_test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
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

} // namespace sb::test
