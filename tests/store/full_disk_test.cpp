// A full disk, as the file system reports it: through FullDiskVfs the cache's
// files may grow by only so many bytes, so writes fail with SQLITE_FULL part
// way through a transaction (in the WAL, wherever the budget runs out). Each
// write must then fail whole with an error that says the disk is full, leave
// no partial rows and an intact file, and the same writes must go through
// once space is back, in the same Cache and after reopening it.
// (cache_test's FailedWriteRollsBackWholeAndKeepsEarlierCommits covers the
// cache's own size limit, PRAGMA max_page_count, the same way.)

#include "full_disk_vfs.h"
#include "store_test_util.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>

namespace sb::test {

namespace {

const QString kEndpoint = QStringLiteral("full");
const QString kRoute = QStringLiteral("chat");

std::vector<Prompt> bigPrompts()
{
    std::vector<Prompt> prompts;
    for (int i = 0; i < 1000; ++i) {
        Prompt p = samplePrompt(100 + i);
        p.description = QString(2000, QLatin1Char('x'));
        prompts.push_back(p);
    }
    return prompts; // ~4 MB of text
}

std::vector<LatencyPoint> manyPoints(qint64 fromSecond, qint64 n)
{
    std::vector<LatencyPoint> points;
    for (qint64 s = fromSecond; s < fromSecond + n; ++s)
        points.push_back(samplePoint(s * 1000));
    return points;
}

std::size_t pointCount(Cache &cache)
{
    const auto loaded = loadLatency(cache, kEndpoint, kRoute, 0, 1LL << 50);
    return loaded ? loaded->points.size() : std::size_t(-1);
}

} // namespace

// The budget is how many bytes the files may still grow by once the disk is
// "full": none, a few pages, a good part of a transaction.
class FullDisk : public ::testing::TestWithParam<std::int64_t>
{
protected:
    static void SetUpTestSuite() { FullDiskVfs::install(); }
    void TearDown() override { FullDiskVfs::unlimit(); }
};

TEST_P(FullDisk, WritesFailWholeWithAClearErrorAndGoThroughOnceSpaceIsBack)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
    FullDiskVfs::limit(dir.path(), -1);

    const std::vector<Prompt> before = {samplePrompt(1), samplePrompt(2)};
    const LocalAction firstAction = sampleAction(1, 1000);
    {
        Cache cache;
        const auto opened = openAndWait(cache, path);
        ASSERT_TRUE(opened && opened->first);
        cache.savePrompts(kEndpoint, before, 1);
        cache.appendLatencyPoints(kEndpoint, kRoute, manyPoints(0, 100));
        const auto recorded = recordAction(cache, kEndpoint, firstAction);
        ASSERT_TRUE(recorded && recorded->ok);
        ASSERT_TRUE(flushAndWait(cache));
    }

    Cache cache;
    WriteFailures failures(cache);
    const auto opened = openAndWait(cache, path);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : QString());
    const std::int64_t refusedBefore = FullDiskVfs::refusals();
    FullDiskVfs::limit(dir.path(), GetParam());

    const std::vector<Prompt> prompts = bigPrompts();
    const std::vector<LatencyPoint> points = manyPoints(1000, 50000);
    cache.savePrompts(kEndpoint, prompts, 2);
    cache.appendLatencyPoints(kEndpoint, kRoute, points);
    const LocalAction action = sampleAction(2, 2000);
    const auto recorded = recordAction(cache, kEndpoint, action);
    ASSERT_TRUE(recorded);
    ASSERT_TRUE(flushAndWait(cache));

    // The file system said no, and the user is told so in words.
    EXPECT_GT(FullDiskVfs::refusals(), refusedBefore);
    ASSERT_GE(failures.messages().size(), 2) << qPrintable(failures.messages().join('\n'));
    EXPECT_TRUE(failures.messages()[0].contains(QStringLiteral("prompts")))
        << qPrintable(failures.messages()[0]);
    EXPECT_TRUE(failures.messages()[1].contains(QStringLiteral("latency")))
        << qPrintable(failures.messages()[1]);
    for (const QString &m : failures.messages())
        EXPECT_TRUE(m.contains(QStringLiteral("full"))) << qPrintable(m);
    // The small action may still fit in what the failed writes left; either
    // way it is all or nothing and says why.
    if (!recorded->ok) {
        EXPECT_TRUE(recorded->error.contains(QStringLiteral("full")))
            << qPrintable(recorded->error);
    }

    // Nothing partial: the earlier state exactly, nothing of the big writes.
    const auto snapshot = loadSnapshot(cache, kEndpoint);
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(snapshot->prompts, before);
    EXPECT_EQ(pointCount(cache), 100u);
    const auto actions = loadActions(cache, kEndpoint);
    ASSERT_TRUE(actions);
    EXPECT_EQ(actions->second.size(), recorded->ok ? 2u : 1u);
    EXPECT_EQ(queryFile(path, QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));

    // Space is back: the same writes go through, in this Cache (not wedged
    // by the failures) and still after reopening.
    FullDiskVfs::unlimit();
    const int failed = int(failures.messages().size());
    cache.savePrompts(kEndpoint, prompts, 3);
    cache.appendLatencyPoints(kEndpoint, kRoute, points);
    const auto again = recordAction(cache, kEndpoint, action);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ok) << qPrintable(again->error);
    ASSERT_TRUE(flushAndWait(cache));
    EXPECT_EQ(failures.messages().size(), failed) << qPrintable(failures.messages().join('\n'));
    const auto after = loadSnapshot(cache, kEndpoint);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->prompts.size(), prompts.size());
    EXPECT_EQ(pointCount(cache), 100u + points.size());

    Cache reopened;
    const auto reopenedOk = openAndWait(reopened, path);
    ASSERT_TRUE(reopenedOk && reopenedOk->first);
    EXPECT_EQ(pointCount(reopened), 100u + points.size());
    const auto actionsAfter = loadActions(reopened, kEndpoint);
    ASSERT_TRUE(actionsAfter);
    EXPECT_EQ(actionsAfter->second.size(), 2u);
    EXPECT_EQ(queryFile(path, QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
}

INSTANTIATE_TEST_SUITE_P(Budgets, FullDisk, ::testing::Values(0, 16 * 1024, 256 * 1024));

} // namespace sb::test
