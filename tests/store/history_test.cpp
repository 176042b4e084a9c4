// What the Audit page reads from the cache: the service's audit events over a
// time range (loadAudit), per endpoint, on real files.

#include "store_test_util.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>

namespace sb::test {

namespace {

const QString kA = QStringLiteral("a.example:443");
const QString kB = QStringLiteral("b.example:443");

class HistoryTest : public ::testing::Test
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

    QTemporaryDir m_dir;
};

} // namespace

TEST_F(HistoryTest, LoadAuditIsNewestFirstPerEndpointWithRangeAndLimit)
{
    std::vector<AuditEvent> a;
    for (int i = 0; i < 700; ++i)
        a.push_back(sampleAudit(i, 1000 + i));
    std::vector<AuditEvent> b{sampleAudit(9001, 5000), sampleAudit(9002, 500)};
    {
        Cache cache;
        openOk(cache);
        // Oldest first and interleaved with b's on purpose.
        cache.saveAuditEvents(kA, {a.begin(), a.begin() + 350});
        cache.saveAuditEvents(kB, b);
        cache.saveAuditEvents(kA, {a.begin() + 350, a.end()});
    }
    Cache cache; // from the file, not from anything in memory
    openOk(cache);

    const auto all = loadAudit(cache, kA);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->first, kA);
    // More than the snapshot carries (kSnapshotAuditLimit).
    ASSERT_EQ(all->second.size(), 700u);
    EXPECT_EQ(all->second.front(), a[699]);
    EXPECT_EQ(all->second.back(), a[0]);
    for (std::size_t i = 1; i < all->second.size(); ++i)
        ASSERT_GT(all->second[i - 1].timeMs, all->second[i].timeMs);

    const auto recent = loadAudit(cache, kA, 1600);
    ASSERT_TRUE(recent);
    ASSERT_EQ(recent->second.size(), 100u); // sinceMs is inclusive
    EXPECT_EQ(recent->second.front(), a[699]);
    EXPECT_EQ(recent->second.back(), a[600]);

    const auto newestTen = loadAudit(cache, kA, 0, 10);
    ASSERT_TRUE(newestTen);
    ASSERT_EQ(newestTen->second.size(), 10u);
    EXPECT_EQ(newestTen->second.back(), a[690]);

    const auto unlimited = loadAudit(cache, kA, 0, 0);
    ASSERT_TRUE(unlimited);
    EXPECT_EQ(unlimited->second.size(), 700u);

    const auto fromB = loadAudit(cache, kB);
    ASSERT_TRUE(fromB);
    EXPECT_EQ(fromB->first, kB);
    EXPECT_EQ(fromB->second, (std::vector<AuditEvent>{b[0], b[1]}));

    const auto none = loadAudit(cache, QStringLiteral("never-seen:1"));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->first, QStringLiteral("never-seen:1"));
    EXPECT_TRUE(none->second.empty());
}

TEST_F(HistoryTest, AuditEventsAtTheSameMillisecondComeNewestIdFirst)
{
    Cache cache;
    openOk(cache);
    cache.saveAuditEvents(kA, {sampleAudit(1, 7), sampleAudit(3, 7), sampleAudit(2, 7)});
    const auto got = loadAudit(cache, kA);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->second,
              (std::vector<AuditEvent>{sampleAudit(3, 7), sampleAudit(2, 7), sampleAudit(1, 7)}));
}

TEST_F(HistoryTest, AuditRetentionKeepsTheNewestPerEndpoint)
{
    Cache cache;
    openOk(cache);
    std::vector<AuditEvent> many;
    for (int i = 0; i < Cache::kAuditRetention + 50; ++i)
        many.push_back(sampleAudit(i, 1000 + i));
    cache.saveAuditEvents(kA, many);
    cache.saveAuditEvents(kB, {sampleAudit(1, 1)}); // older than all of a's, but b's own
    const auto a = loadAudit(cache, kA, 0, 0);
    ASSERT_TRUE(a);
    ASSERT_EQ(a->second.size(), std::size_t(Cache::kAuditRetention));
    EXPECT_EQ(a->second.back(), many[50]);
    const auto b = loadAudit(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->second.size(), 1u);
}

} // namespace sb::test
