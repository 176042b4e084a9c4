// The endpoint-taking Cache API: every job names its endpoint, every result
// says which endpoint it is for, and two endpoints sharing one file never mix
// (snapshots, latency, audit, the action log), however their jobs interleave
// in the queue. Also pins that no "current endpoint" API comes back.

#include "store_test_util.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <vector>

namespace sb::test {

namespace {

const QString kA = QStringLiteral("a.example:443");
const QString kB = QStringLiteral("b.example:443");
const QString kChat = QStringLiteral("chat");

class EndpointTest : public ::testing::Test
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

// Same second, different values per endpoint, so a row written under the
// wrong endpoint (or one overwriting the other) shows.
LatencyPoint pointFor(const QString &endpoint, qint64 secondMs)
{
    LatencyPoint p = samplePoint(secondMs);
    p.p99 = endpoint == kA ? 111.0 : 222.0;
    p.count = endpoint == kA ? 1 : 2;
    return p;
}

std::vector<LatencyPoint> pointsFor(const QString &endpoint, qint64 fromSecond, qint64 n)
{
    std::vector<LatencyPoint> points;
    for (qint64 s = fromSecond; s < fromSecond + n; ++s)
        points.push_back(pointFor(endpoint, s * 1000));
    return points;
}

} // namespace

TEST_F(EndpointTest, InterleavedJobsForTwoEndpointsNeverMix)
{
    Cache cache;
    RoutingTable routingB = sampleRouting(1);
    routingB.timeMs = 5;
    // Queued before open(), so they all wait in one queue and consecutive
    // latency appends get the chance to be grouped.
    cache.savePrompts(kA, {samplePrompt(1)}, 10);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 0, 10));
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 0, 10));
    cache.savePrompts(kB, {samplePrompt(2), samplePrompt(3)}, 20);
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 10, 5));
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 10, 5));
    cache.appendLatencyPoints(kA, QStringLiteral("embed"), pointsFor(kA, 0, 3));
    cache.savePromptVersions(kA, QStringLiteral("prompt-1"),
                             {sampleVersion(QStringLiteral("prompt-1"), 1)}, 11);
    cache.savePromptVersions(kB, QStringLiteral("prompt-2"),
                             {sampleVersion(QStringLiteral("prompt-2"), 7)}, 21);
    cache.saveExperiments(kB, {sampleExperiment(2)}, 22);
    cache.saveExperiments(kA, {sampleExperiment(1)}, 12);
    cache.saveRouting(kA, sampleRouting(3), 13);
    cache.saveRouting(kB, routingB, 23);
    cache.saveAuditEvents(kA, {sampleAudit(1, 100)});
    cache.recordAction(kB, sampleAction(1, 10));
    cache.saveAuditEvents(kB, {sampleAudit(2, 200), sampleAudit(3, 300)});
    cache.recordAction(kA, sampleAction(1, 11));                // same request id, other endpoint
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 15, 0)); // empty: ignored
    cache.recordAction(kB, sampleAction(2, 12));
    std::vector<ActionRecorded> answers;
    QObject::connect(&cache, &Cache::actionRecorded, &cache,
                     [&](const QString &ep, const QString &id, bool ok, const QString &error) {
                         answers.push_back({ep, id, ok, error});
                     });
    openOk(cache);

    const auto a = loadSnapshot(cache, kA);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->endpoint, kA);
    EXPECT_EQ(a->prompts, std::vector<Prompt>{samplePrompt(1)});
    EXPECT_EQ(a->promptsFetchedMs, 10);
    ASSERT_EQ(a->versions.size(), 1);
    EXPECT_EQ(a->versions.value(QStringLiteral("prompt-1")),
              std::vector<PromptVersion>{sampleVersion(QStringLiteral("prompt-1"), 1)});
    EXPECT_EQ(a->versionsFetchedMs.value(QStringLiteral("prompt-1")), 11);
    EXPECT_EQ(a->experiments, std::vector<Experiment>{sampleExperiment(1)});
    EXPECT_EQ(a->experimentsFetchedMs, 12);
    EXPECT_EQ(a->routing, sampleRouting(3));
    EXPECT_EQ(a->routingFetchedMs, 13);
    EXPECT_EQ(a->audit, std::vector<AuditEvent>{sampleAudit(1, 100)});

    const auto b = loadSnapshot(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->endpoint, kB);
    EXPECT_EQ(b->prompts, (std::vector<Prompt>{samplePrompt(2), samplePrompt(3)}));
    EXPECT_EQ(b->promptsFetchedMs, 20);
    ASSERT_EQ(b->versions.size(), 1);
    EXPECT_EQ(b->versions.value(QStringLiteral("prompt-2")),
              std::vector<PromptVersion>{sampleVersion(QStringLiteral("prompt-2"), 7)});
    EXPECT_EQ(b->experiments, std::vector<Experiment>{sampleExperiment(2)});
    EXPECT_EQ(b->routing, routingB);
    EXPECT_EQ(b->routingFetchedMs, 23);
    EXPECT_EQ(b->audit, (std::vector<AuditEvent>{sampleAudit(3, 300), sampleAudit(2, 200)}));

    for (const QString &ep : {kA, kB}) {
        SCOPED_TRACE(qPrintable(ep));
        const auto points = loadLatency(cache, ep, kChat, 0, 1LL << 50);
        ASSERT_TRUE(points);
        EXPECT_EQ(points->endpoint, ep);
        EXPECT_EQ(points->route, kChat);
        ASSERT_EQ(points->points.size(), 15u);
        for (std::size_t i = 0; i < points->points.size(); ++i)
            EXPECT_TRUE(samePoint(points->points[i], pointFor(ep, qint64(i) * 1000))) << i;
    }
    const auto embedA = loadLatency(cache, kA, QStringLiteral("embed"), 0, 1LL << 50);
    ASSERT_TRUE(embedA);
    EXPECT_EQ(embedA->points.size(), 3u);
    const auto embedB = loadLatency(cache, kB, QStringLiteral("embed"), 0, 1LL << 50);
    ASSERT_TRUE(embedB);
    EXPECT_TRUE(embedB->points.empty());

    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0].endpoint, kB);
    EXPECT_EQ(answers[1].endpoint, kA);
    EXPECT_EQ(answers[2].endpoint, kB);
    for (const ActionRecorded &r : answers)
        EXPECT_TRUE(r.ok) << qPrintable(r.error);
    const auto actionsA = loadActions(cache, kA);
    ASSERT_TRUE(actionsA);
    EXPECT_EQ(actionsA->first, kA);
    EXPECT_EQ(actionsA->second, std::vector<LocalAction>{sampleAction(1, 11)});
    const auto actionsB = loadActions(cache, kB);
    ASSERT_TRUE(actionsB);
    EXPECT_EQ(actionsB->first, kB);
    EXPECT_EQ(actionsB->second,
              (std::vector<LocalAction>{sampleAction(2, 12), sampleAction(1, 10)}));
    const auto auditA = loadAudit(cache, kA);
    ASSERT_TRUE(auditA);
    EXPECT_EQ(auditA->second, std::vector<AuditEvent>{sampleAudit(1, 100)});

    // Nothing landed under any other endpoint (the empty one included), in
    // any table keyed by endpoint.
    const auto unrelated = loadSnapshot(cache, QStringLiteral("unrelated"));
    ASSERT_TRUE(unrelated);
    EXPECT_TRUE(unrelated->prompts.empty());
    EXPECT_EQ(unrelated->routingFetchedMs, 0);
    const QStringList tables =
        queryFile(path(), QStringLiteral("SELECT group_concat(m.name) FROM sqlite_master m WHERE "
                                         "m.type='table' AND EXISTS (SELECT 1 FROM "
                                         "pragma_table_info(m.name) WHERE name='endpoint')"))
            .split(QLatin1Char(','));
    ASSERT_GE(tables.size(), 10) << qPrintable(tables.join(','));
    for (const QString &table : tables) {
        EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM %1 WHERE endpoint NOT IN "
                                                   "('%2', '%3')")
                                        .arg(table, kA, kB)),
                  QStringLiteral("0"))
            << qPrintable(table);
    }
}

TEST_F(EndpointTest, LatencyAppendsAreGroupedOnlyWithinOneEndpoint)
{
    Cache cache;
    WriteFailures failures(cache);
    // Before open(): the limit applies right after the migration, so every
    // append below needs pages the file may not grow into, and each group
    // fails once. This also pins that setSizeLimit() before open() does not
    // start the worker early (which would drop these queued jobs silently).
    cache.setSizeLimit(1);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 0, 2000));
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 2000, 2000)); // joins the first group
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 0, 2000));    // another endpoint: new group
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 4000, 2000)); // and again
    openOk(cache);
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_EQ(failures.messages().size(), 3) << qPrintable(failures.messages().join('\n'));
    for (const QString &m : failures.messages())
        EXPECT_TRUE(m.contains(QStringLiteral("full"))) << qPrintable(m);
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM latency_rollups")),
              QStringLiteral("0"));

    // Space is back: a b group between two a groups lands under b only.
    cache.setSizeLimit(0);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 0, 100));
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 0, 100));
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 100, 100));
    const auto a = loadLatency(cache, kA, kChat, 0, 1LL << 50);
    const auto b = loadLatency(cache, kB, kChat, 0, 1LL << 50);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->points.size(), 200u);
    ASSERT_EQ(b->points.size(), 100u);
    for (const auto &p : a->points)
        ASSERT_EQ(p.count, 1u);
    for (const auto &p : b->points)
        ASSERT_EQ(p.count, 2u);
    EXPECT_EQ(failures.messages().size(), 3);
}

TEST_F(EndpointTest, LatencyResultNamesItsEndpointAndRoute)
{
    Cache cache;
    openOk(cache);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 1, 2));
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 1, 1));

    const auto b = loadLatency(cache, kB, kChat, 0, 1LL << 50);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->endpoint, kB);
    EXPECT_EQ(b->route, kChat);
    ASSERT_EQ(b->points.size(), 1u);
    EXPECT_TRUE(samePoint(b->points.front(), pointFor(kB, 1000)));
    const auto a = loadLatency(cache, kA, kChat, 0, 1LL << 50);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->endpoint, kA);
    ASSERT_EQ(a->points.size(), 2u);
    EXPECT_TRUE(samePoint(a->points.back(), pointFor(kA, 2000)));

    // Two loads in flight at once: each answer says whose points it carries
    // (and they come in call order).
    std::vector<std::pair<QString, std::size_t>> answers;
    QObject::connect(
        &cache, &Cache::latencyLoadedFor, &cache,
        [&](const QString &ep, const QString &route, const std::vector<LatencyPoint> &points) {
            EXPECT_EQ(route, kChat);
            answers.emplace_back(ep, points.size());
        });
    cache.loadLatency(kA, kChat, 0, 1LL << 50);
    cache.loadLatency(kB, kChat, 0, 1LL << 50);
    ASSERT_TRUE(flushAndWait(cache));
    EXPECT_EQ(answers, (std::vector<std::pair<QString, std::size_t>>{{kA, 2}, {kB, 1}}));
}

TEST_F(EndpointTest, JobsQueuedBeforeOpenKeepTheirOwnEndpoint)
{
    Cache cache;
    cache.savePrompts(kA, {samplePrompt(1)}, 1);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 0, 3));
    cache.saveAuditEvents(kA, {sampleAudit(1, 1)});
    // Jobs for another endpoint queued in between must not move a's.
    cache.saveRouting(kB, sampleRouting(1), 2);
    cache.pruneLatency(kB, 1LL << 50); // b's (no) latency, not a's
    openOk(cache);

    const auto a = loadSnapshot(cache, kA);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->prompts, std::vector<Prompt>{samplePrompt(1)});
    EXPECT_EQ(a->audit.size(), 1u);
    EXPECT_EQ(a->routingFetchedMs, 0);
    const auto aPoints = loadLatency(cache, kA, kChat, 0, 1LL << 50);
    ASSERT_TRUE(aPoints);
    EXPECT_EQ(aPoints->points.size(), 3u);

    const auto b = loadSnapshot(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->endpoint, kB);
    EXPECT_TRUE(b->prompts.empty());
    EXPECT_EQ(b->routing, sampleRouting(1));
}

namespace {

// The "current endpoint" API that was removed, one check per member: each
// is true if that member compiles again. OldApi declares them all, so none of
// the checks can be vacuously false.
// clang-format off
template <typename C> concept HasSetEndpoint = requires(C &c) { c.setEndpoint(QString()); };
template <typename C> concept HasEndpointGetter = requires(const C &c) { c.endpoint(); };
template <typename C> concept HasSavePrompts = requires(C &c) { c.savePrompts(std::vector<Prompt>{}, qint64()); };
template <typename C> concept HasSavePromptVersions = requires(C &c) { c.savePromptVersions(QString(), std::vector<PromptVersion>{}, qint64()); };
template <typename C> concept HasSaveExperiments = requires(C &c) { c.saveExperiments(std::vector<Experiment>{}, qint64()); };
template <typename C> concept HasSaveRouting = requires(C &c) { c.saveRouting(RoutingTable{}, qint64()); };
template <typename C> concept HasSaveAuditEvents = requires(C &c) { c.saveAuditEvents(std::vector<AuditEvent>{}); };
template <typename C> concept HasAppendLatency = requires(C &c) { c.appendLatencyPoints(QString(), std::vector<LatencyPoint>{}); };
template <typename C> concept HasPruneLatency = requires(C &c) { c.pruneLatency(qint64()); };
template <typename C> concept HasLoadSnapshot = requires(C &c) { c.loadSnapshot(); };
template <typename C> concept HasLoadSnapshotOrMostRecent = requires(C &c) { c.loadSnapshotOrMostRecent(); };
template <typename C> concept HasLoadLatency = requires(C &c) { c.loadLatency(QString(), qint64(), qint64()); };
template <typename C> concept HasLatencyLoaded = requires { &C::latencyLoaded; };

template <typename C> constexpr bool hasAny =
    HasSetEndpoint<C> || HasEndpointGetter<C> || HasSavePrompts<C> || HasSavePromptVersions<C> ||
    HasSaveExperiments<C> || HasSaveRouting<C> || HasSaveAuditEvents<C> || HasAppendLatency<C> ||
    HasPruneLatency<C> || HasLoadSnapshot<C> || HasLoadSnapshotOrMostRecent<C> ||
    HasLoadLatency<C> || HasLatencyLoaded<C>;
template <typename C> constexpr bool hasAll =
    HasSetEndpoint<C> && HasEndpointGetter<C> && HasSavePrompts<C> && HasSavePromptVersions<C> &&
    HasSaveExperiments<C> && HasSaveRouting<C> && HasSaveAuditEvents<C> && HasAppendLatency<C> &&
    HasPruneLatency<C> && HasLoadSnapshot<C> && HasLoadSnapshotOrMostRecent<C> &&
    HasLoadLatency<C> && HasLatencyLoaded<C>;
// clang-format on

// What the old Cache declared (never defined: only looked at by the checks).
struct OldApi
{
    void setEndpoint(const QString &endpointKey);
    QString endpoint() const;
    void savePrompts(const std::vector<Prompt> &prompts, qint64 fetchedMs);
    void savePromptVersions(const QString &prompt, const std::vector<PromptVersion> &versions,
                            qint64 fetchedMs);
    void saveExperiments(const std::vector<Experiment> &experiments, qint64 fetchedMs);
    void saveRouting(const RoutingTable &table, qint64 fetchedMs);
    void saveAuditEvents(const std::vector<AuditEvent> &events);
    void appendLatencyPoints(const QString &route, const std::vector<LatencyPoint> &points);
    void pruneLatency(qint64 beforeMs);
    void loadSnapshot();
    void loadSnapshotOrMostRecent();
    void loadLatency(const QString &route, qint64 fromMs, qint64 toMs);
    void latencyLoaded(const QString &route, const std::vector<LatencyPoint> &points);
};
static_assert(hasAll<OldApi>);

} // namespace

TEST(CacheApi, HasNoCurrentEndpoint)
{
    static_assert(!hasAny<Cache>, "the removed current-endpoint API is back");
    SUCCEED() << "checked at compile time";
}

TEST_F(EndpointTest, PruneLatencyTouchesOnlyItsEndpoint)
{
    Cache cache;
    openOk(cache);
    cache.appendLatencyPoints(kA, kChat, pointsFor(kA, 0, 10));
    cache.appendLatencyPoints(kB, kChat, pointsFor(kB, 0, 10));
    cache.pruneLatency(kA, 5 * 1000);
    const auto a = loadLatency(cache, kA, kChat, 0, 1LL << 50);
    const auto b = loadLatency(cache, kB, kChat, 0, 1LL << 50);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->points.size(), 5u);
    EXPECT_EQ(a->points.front().secondMs, 5000);
    EXPECT_EQ(b->points.size(), 10u);
}

TEST_F(EndpointTest, SnapshotOrMostRecentFallsBackOnlyWhenTheEndpointHasNothing)
{
    Cache cache;
    openOk(cache);
    cache.savePrompts(kA, {samplePrompt(1)}, 100);
    cache.savePrompts(kB, {samplePrompt(2)}, 50);

    std::optional<CacheSnapshot> got;
    QObject::connect(&cache, &Cache::snapshotLoaded, &cache,
                     [&](const CacheSnapshot &s) { got = s; });
    cache.loadSnapshotOrMostRecent(kB);
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->endpoint, kB);
    EXPECT_EQ(got->prompts, std::vector<Prompt>{samplePrompt(2)});

    got.reset();
    cache.loadSnapshotOrMostRecent(QStringLiteral("never-seen:1"));
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->endpoint, kA); // the most recently fetched one, and it says so
    EXPECT_EQ(got->prompts, std::vector<Prompt>{samplePrompt(1)});
}

} // namespace sb::test
