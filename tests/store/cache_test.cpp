// Cache behaviour against real files: round trips of every type, reopening,
// endpoint isolation, latency history, failed writes, queueing and shutdown.

#include "store_test_util.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <memory>
#include <sys/ioctl.h>
#include <unistd.h>

namespace sb::test {

namespace {

const QString kSim = QStringLiteral("sim");
const QString kChat = QStringLiteral("chat");

class CacheTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }
    QString path(const QString &name = QStringLiteral("cache.sqlite")) const
    {
        return m_dir.filePath(name);
    }

    void openOk(Cache &cache, const QString &file)
    {
        const auto result = openAndWait(cache, file);
        ASSERT_TRUE(result.has_value()) << "opened() never came";
        ASSERT_TRUE(result->first) << qPrintable(result->second);
    }

    QTemporaryDir m_dir;
};

struct Everything
{
    std::vector<Prompt> prompts{samplePrompt(1), samplePrompt(2), samplePrompt(0)};
    std::vector<PromptVersion> versions1{sampleVersion(QStringLiteral("prompt-1"), 3),
                                         sampleVersion(QStringLiteral("prompt-1"), 2),
                                         sampleVersion(QStringLiteral("prompt-1"), 1)};
    std::vector<PromptVersion> versions2{sampleVersion(QStringLiteral("prompt-2"), 4)};
    std::vector<Experiment> experiments{sampleExperiment(1), sampleExperiment(2)};
    RoutingTable routing = sampleRouting(3);
    std::vector<AuditEvent> audit{sampleAudit(1, 1000), sampleAudit(2, 3000), sampleAudit(3, 2000)};

    void save(Cache &cache, const QString &endpoint) const
    {
        cache.savePrompts(endpoint, prompts, 111);
        // Saved oldest first on purpose: loads come back newest first.
        cache.savePromptVersions(endpoint, QStringLiteral("prompt-1"),
                                 {versions1.rbegin(), versions1.rend()}, 222);
        cache.savePromptVersions(endpoint, QStringLiteral("prompt-2"), versions2, 223);
        cache.saveExperiments(endpoint, experiments, 333);
        cache.saveRouting(endpoint, routing, 444);
        cache.saveAuditEvents(endpoint, audit);
    }

    void expectIn(const CacheSnapshot &s) const
    {
        EXPECT_EQ(s.prompts, prompts);
        EXPECT_EQ(s.promptsFetchedMs, 111);
        ASSERT_EQ(s.versions.size(), 2);
        EXPECT_EQ(s.versions.value(QStringLiteral("prompt-1")), versions1);
        EXPECT_EQ(s.versions.value(QStringLiteral("prompt-2")), versions2);
        EXPECT_EQ(s.versionsFetchedMs.value(QStringLiteral("prompt-1")), 222);
        EXPECT_EQ(s.versionsFetchedMs.value(QStringLiteral("prompt-2")), 223);
        EXPECT_EQ(s.experiments, experiments);
        EXPECT_EQ(s.experimentsFetchedMs, 333);
        EXPECT_EQ(s.routing, routing);
        EXPECT_EQ(s.routingFetchedMs, 444);
        const std::vector<AuditEvent> newestFirst{audit[1], audit[2], audit[0]};
        EXPECT_EQ(s.audit, newestFirst);
    }
};

} // namespace

TEST_F(CacheTest, EveryTypeRoundTripsAndResultsArriveOnTheCachesThread)
{
    Cache cache;
    openOk(cache, path());
    const Everything data;
    data.save(cache, kSim);

    QThread *deliveredOn = nullptr;
    QObject::connect(&cache, &Cache::snapshotLoaded, &cache,
                     [&] { deliveredOn = QThread::currentThread(); });
    const auto snapshot = loadSnapshot(cache, kSim);
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(snapshot->endpoint, kSim);
    data.expectIn(*snapshot);
    EXPECT_EQ(deliveredOn, QThread::currentThread());
}

TEST_F(CacheTest, EmptyCacheReportsNeverFetched)
{
    Cache cache;
    openOk(cache, path());
    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->endpoint, kSim);
    EXPECT_EQ(s->promptsFetchedMs, 0);
    EXPECT_EQ(s->experimentsFetchedMs, 0);
    EXPECT_EQ(s->routingFetchedMs, 0);
    EXPECT_TRUE(s->prompts.empty());
    EXPECT_TRUE(s->audit.empty());
    EXPECT_EQ(s->routing, RoutingTable{});
}

TEST_F(CacheTest, DataSurvivesReopen)
{
    const QString endpoint = QStringLiteral("host:443");
    const Everything data;
    {
        Cache cache;
        openOk(cache, path());
        data.save(cache, endpoint);
        cache.appendLatencyPoints(endpoint, kChat, {samplePoint(1000), samplePoint(2000)});
        // No flush: the destructor must finish queued writes.
    }
    Cache cache;
    openOk(cache, path());
    const auto s = loadSnapshot(cache, endpoint);
    ASSERT_TRUE(s);
    data.expectIn(*s);
    const auto points = loadLatency(cache, endpoint, kChat, 0, 10000);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->endpoint, endpoint);
    EXPECT_EQ(points->route, kChat);
    ASSERT_EQ(points->points.size(), 2u);
    EXPECT_TRUE(samePoint(points->points[1], samplePoint(2000)));
}

TEST_F(CacheTest, SavesReplaceListsAndUpsertVersionsAndAudit)
{
    Cache cache;
    openOk(cache, path());
    cache.savePrompts(kSim, {samplePrompt(1), samplePrompt(2)}, 1);
    cache.savePromptVersions(kSim, QStringLiteral("prompt-1"),
                             {sampleVersion(QStringLiteral("prompt-1"), 1)}, 1);
    cache.savePromptVersions(kSim, QStringLiteral("prompt-2"),
                             {sampleVersion(QStringLiteral("prompt-2"), 1)}, 1);
    PromptVersion edited = sampleVersion(QStringLiteral("prompt-1"), 1);
    edited.message = QStringLiteral("edited");
    cache.savePromptVersions(kSim, QStringLiteral("prompt-1"),
                             {edited, sampleVersion(QStringLiteral("prompt-1"), 2)}, 2);
    // prompt-2 disappears from the server's list: it and its versions go.
    Prompt changed = samplePrompt(1);
    changed.description = QStringLiteral("changed");
    cache.savePrompts(kSim, {samplePrompt(3), changed}, 5);
    cache.saveExperiments(kSim, {sampleExperiment(1), sampleExperiment(2)}, 1);
    cache.saveExperiments(kSim, {sampleExperiment(2)}, 2);
    cache.saveRouting(kSim, sampleRouting(3), 1);
    cache.saveRouting(kSim, sampleRouting(1), 2);
    AuditEvent a = sampleAudit(1, 10);
    cache.saveAuditEvents(kSim, {a, sampleAudit(2, 20)});
    a.reason = QStringLiteral("corrected");
    cache.saveAuditEvents(kSim, {a});

    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->prompts, (std::vector<Prompt>{samplePrompt(3), changed}));
    EXPECT_EQ(s->promptsFetchedMs, 5);
    ASSERT_EQ(s->versions.size(), 1);
    EXPECT_EQ(s->versions.value(QStringLiteral("prompt-1")),
              (std::vector<PromptVersion>{sampleVersion(QStringLiteral("prompt-1"), 2), edited}));
    EXPECT_FALSE(s->versionsFetchedMs.contains(QStringLiteral("prompt-2")));
    EXPECT_EQ(s->experiments, std::vector<Experiment>{sampleExperiment(2)});
    EXPECT_EQ(s->routing, sampleRouting(1));
    EXPECT_EQ(s->audit, (std::vector<AuditEvent>{sampleAudit(2, 20), a}));
}

TEST_F(CacheTest, AuditSnapshotIsNewestFiveHundred)
{
    Cache cache;
    openOk(cache, path());
    std::vector<AuditEvent> events;
    for (int i = 0; i < 700; ++i)
        events.push_back(sampleAudit(i, 1000 + i));
    cache.saveAuditEvents(kSim, events);
    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->audit.size(), 500u);
    EXPECT_EQ(s->audit.front(), events[699]);
    EXPECT_EQ(s->audit.back(), events[200]);
}

TEST_F(CacheTest, EndpointsAreIsolated)
{
    const QString a1 = QStringLiteral("a:1");
    const QString b2 = QStringLiteral("b:2");
    Cache cache;
    openOk(cache, path());
    Everything a;
    a.save(cache, a1);
    cache.appendLatencyPoints(a1, kChat, {samplePoint(1000)});
    cache.savePrompts(b2, {samplePrompt(9)}, 7);
    cache.appendLatencyPoints(b2, kChat, {samplePoint(2000)});

    const auto b = loadSnapshot(cache, b2);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->endpoint, b2);
    EXPECT_EQ(b->prompts, std::vector<Prompt>{samplePrompt(9)});
    EXPECT_TRUE(b->versions.isEmpty());
    EXPECT_TRUE(b->experiments.empty());
    EXPECT_EQ(b->routingFetchedMs, 0);
    EXPECT_TRUE(b->audit.empty());
    const auto bPoints = loadLatency(cache, b2, kChat, 0, 1000000);
    ASSERT_TRUE(bPoints);
    ASSERT_EQ(bPoints->points.size(), 1u);
    EXPECT_EQ(bPoints->points.front().secondMs, 2000);

    const auto again = loadSnapshot(cache, a1);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->endpoint, a1);
    a.expectIn(*again);
    const auto aPoints = loadLatency(cache, a1, kChat, 0, 1000000);
    ASSERT_TRUE(aPoints);
    ASSERT_EQ(aPoints->points.size(), 1u);
    EXPECT_EQ(aPoints->points.front().secondMs, 1000);
}

TEST_F(CacheTest, LatencyAppendsAndLoadsRangesInOrder)
{
    Cache cache;
    openOk(cache, path());
    // Out of order within and across appends; many small appends get batched.
    for (qint64 s = 99; s >= 0; --s)
        cache.appendLatencyPoints(kSim, kChat, {samplePoint(s * 1000)});
    std::vector<LatencyPoint> bulk;
    for (qint64 s = 100; s < 5000; ++s)
        bulk.push_back(samplePoint(s * 1000));
    std::reverse(bulk.begin(), bulk.end());
    cache.appendLatencyPoints(kSim, kChat, bulk);
    cache.appendLatencyPoints(kSim, QStringLiteral("embed"), {samplePoint(50 * 1000)});
    // A second sent again replaces the stored one.
    LatencyPoint redo = samplePoint(10 * 1000);
    redo.p99 = 1.5;
    redo.count = 7;
    cache.appendLatencyPoints(kSim, kChat, {redo});

    const auto all = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->points.size(), 5000u);
    for (std::size_t i = 0; i < all->points.size(); ++i) {
        const LatencyPoint expected = i == 10 ? redo : samplePoint(qint64(i) * 1000);
        ASSERT_TRUE(samePoint(all->points[i], expected)) << "at " << i;
    }
    const auto range = loadLatency(cache, kSim, kChat, 20 * 1000, 29 * 1000);
    ASSERT_TRUE(range);
    ASSERT_EQ(range->points.size(), 10u); // both ends inclusive
    EXPECT_EQ(range->points.front().secondMs, 20000);
    EXPECT_EQ(range->points.back().secondMs, 29000);
    const auto none = loadLatency(cache, kSim, QStringLiteral("missing"), 0, 1LL << 50);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->points.empty());

    cache.pruneLatency(kSim, 4000 * 1000);
    const auto pruned = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(pruned);
    ASSERT_EQ(pruned->points.size(), 1000u);
    EXPECT_EQ(pruned->points.front().secondMs, 4000 * 1000);
}

TEST_F(CacheTest, CallsBeforeOpenQueueUpAndApplyOnceOpen)
{
    Cache cache;
    // Nothing runs yet: no file is open and no worker is needed to accept these.
    const QString early = QStringLiteral("early");
    cache.savePrompts(early, {samplePrompt(1)}, 42);
    cache.appendLatencyPoints(early, kChat, {samplePoint(1000)});
    bool flushed = false;
    QObject::connect(&cache, &Cache::flushed, &cache, [&] { flushed = true; });
    cache.flush();
    QCoreApplication::processEvents();
    EXPECT_FALSE(QFile::exists(path()));
    EXPECT_FALSE(flushed);

    openOk(cache, path());
    const auto s = loadSnapshot(cache, early);
    ASSERT_TRUE(s);
    EXPECT_TRUE(flushed);
    EXPECT_EQ(s->prompts, std::vector<Prompt>{samplePrompt(1)});
    EXPECT_EQ(s->promptsFetchedMs, 42);
    const auto points = loadLatency(cache, early, kChat, 0, 1LL << 50);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->points.size(), 1u);
}

TEST_F(CacheTest, DestroyingWithPendingWorkFinishesWritesAndDropsResults)
{
    {
        auto cache = std::make_unique<Cache>();
        int results = 0;
        QObject::connect(cache.get(), &Cache::snapshotLoaded, cache.get(), [&] { ++results; });
        cache->open(path());
        for (int i = 0; i < 200; ++i) {
            cache->appendLatencyPoints(kSim, kChat, {samplePoint(i * 1000)});
            cache->loadSnapshot(kSim);
        }
        cache->saveAuditEvents(kSim, {sampleAudit(1, 1)});
        cache.reset();
        QCoreApplication::processEvents(); // nothing may reach the dead Cache
        EXPECT_LE(results, 200);
    }
    Cache cache;
    openOk(cache, path());
    const auto points = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->points.size(), 200u);
    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->audit.size(), 1u);
}

TEST_F(CacheTest, FailedWriteRollsBackWholeAndKeepsEarlierCommits)
{
    Cache cache;
    WriteFailures failures(cache);
    openOk(cache, path());
    const Everything before;
    before.save(cache, kSim);
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_TRUE(failures.messages().isEmpty());

    // Freeze the file at its current size: a real full disk, as SQLite sees it.
    cache.setSizeLimit(1);
    std::vector<Prompt> big;
    for (int i = 0; i < 2000; ++i) {
        Prompt p = samplePrompt(100 + i);
        p.description = QString(2000, QLatin1Char('x'));
        big.push_back(p);
    }
    cache.savePrompts(kSim, big, 999);
    std::vector<LatencyPoint> points;
    for (qint64 s = 0; s < 50000; ++s)
        points.push_back(samplePoint(s * 1000));
    cache.appendLatencyPoints(kSim, kChat, points);
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_EQ(failures.messages().size(), 2) << qPrintable(failures.messages().join('\n'));
    EXPECT_TRUE(failures.messages()[0].contains(QStringLiteral("prompts")));
    EXPECT_TRUE(failures.messages()[0].contains(QStringLiteral("full")))
        << qPrintable(failures.messages()[0]);
    EXPECT_TRUE(failures.messages()[1].contains(QStringLiteral("latency")));

    // Nothing partial: the old list is intact, no latency rows at all.
    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    before.expectIn(*s);
    const auto loaded = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->points.empty());
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));

    // Space is back: the same saves now go through.
    cache.setSizeLimit(0);
    cache.savePrompts(kSim, big, 999);
    cache.appendLatencyPoints(kSim, kChat, points);
    const auto after = loadSnapshot(cache, kSim);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->prompts.size(), big.size());
    EXPECT_EQ(failures.messages().size(), 2);
    const auto all = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->points.size(), points.size());
}

namespace {

// Makes a file unwritable even for root (which ignores permission bits) by
// setting the immutable attribute; undone on destruction so the temporary
// folder can be removed.
class WriteProtect
{
public:
    explicit WriteProtect(const QString &file) : m_file(file)
    {
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::ReadGroup);
        if (::geteuid() == 0)
            m_immutable = setImmutable(true);
    }
    ~WriteProtect()
    {
        if (m_immutable)
            setImmutable(false);
    }
    bool effective() const { return ::geteuid() != 0 || m_immutable; }

private:
    bool setImmutable(bool on)
    {
        const int fd = ::open(m_file.toLocal8Bit().constData(), O_RDONLY);
        if (fd < 0)
            return false;
        int flags = 0;
        bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
        if (ok) {
            flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
            ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
        }
        ::close(fd);
        return ok;
    }

    QString m_file;
    bool m_immutable = false;
};

} // namespace

TEST_F(CacheTest, ReadOnlyFileIsRefusedClearly)
{
    {
        Cache cache;
        openOk(cache, path());
        cache.savePrompts(kSim, {samplePrompt(1)}, 1);
    }
    WriteProtect protect(path());
    if (!protect.effective())
        GTEST_SKIP() << "cannot write-protect a file from root here";
    Cache cache;
    const auto result = openAndWait(cache, path());
    ASSERT_TRUE(result);
    EXPECT_FALSE(result->first);
    EXPECT_TRUE(result->second.contains(QStringLiteral("read-only"))) << qPrintable(result->second);
}

TEST(CacheDefaults, DefaultPathHonoursEnvironment)
{
    qputenv("SWITCHBOARD_CACHE", "/tmp/somewhere/else.sqlite");
    EXPECT_EQ(Cache::defaultPath(), QStringLiteral("/tmp/somewhere/else.sqlite"));
    qunsetenv("SWITCHBOARD_CACHE");
    EXPECT_TRUE(Cache::defaultPath().endsWith(QStringLiteral("/cache.sqlite")));
}

} // namespace sb::test
