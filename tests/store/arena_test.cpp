// The arena's history in the cache (schema version 4): a run round-trips
// whole, a vote updates its run's row, runs list per experiment newest first
// and per endpoint without mixing, retention bounds the table, and a
// version-2 file migrates keeping its local action log.

#include "store/schema.h"
#include "store_test_util.h"

#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>
#include <sqlite3.h>

namespace sb::test {

namespace {

ArenaRun sampleRun(int i, const QString &experiment, qint64 timeMs)
{
    ArenaRun r;
    r.requestId = QStringLiteral("run-%1").arg(i);
    r.timeMs = timeMs;
    r.experimentId = experiment;
    r.experimentName = QStringLiteral("Support reply: v3 vs v4");
    r.input = QStringLiteral("My invoice is wrong — “quoted” and\nmultiline %1").arg(i);
    r.variables = {{QStringLiteral("customer_name"), QStringLiteral("Ada")},
                   {QStringLiteral("tone"), QStringLiteral("calm")}};
    r.blind = i % 2 == 0;
    ArenaOutput a;
    a.variantId = QStringLiteral("control");
    a.variantName = QStringLiteral("v3 on atlas-xl");
    a.label = QStringLiteral("B");
    a.text = QStringLiteral("Thanks for reaching out. ");
    a.finished = true;
    a.clientTtftMs = 412.5;
    a.summary = {QStringLiteral("control"),
                 QStringLiteral("atlas-xl"),
                 3100.25,
                 401.0,
                 120,
                 87,
                 0.00213,
                 RpcCode::Ok,
                 {}};
    ArenaOutput b = a;
    b.variantId = QStringLiteral("concise");
    b.summary.variantId = b.variantId;
    b.label = QStringLiteral("A");
    b.finished = false;
    b.summary.status = RpcCode::Unavailable;
    b.summary.error = QStringLiteral("no model could serve");
    r.outputs = {b, a};
    return r;
}

std::optional<std::vector<ArenaRun>> loadRuns(Cache &cache, const QString &endpoint,
                                              const QString &experiment, int limit = 200)
{
    std::optional<std::vector<ArenaRun>> result;
    QEventLoop loop;
    QObject::connect(&cache, &Cache::arenaRunsLoaded, &loop,
                     [&](const QString &ep, const QString &exp, const std::vector<ArenaRun> &r) {
                         if (result || ep != endpoint || exp != experiment)
                             return;
                         result = r;
                         loop.quit();
                     });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    cache.loadArenaRuns(endpoint, experiment, limit);
    if (!result)
        loop.exec();
    return result;
}

class ArenaStore : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        const auto opened = openAndWait(m_cache, path());
        ASSERT_TRUE(opened && opened->first);
    }
    QString path() const { return m_dir.filePath(QStringLiteral("cache.sqlite")); }

    QTemporaryDir m_dir;
    Cache m_cache;
};

} // namespace

TEST_F(ArenaStore, RunRoundTripsWholeAndAVoteUpdatesItsRow)
{
    const ArenaRun run = sampleRun(1, QStringLiteral("exp-1"), 1000);
    m_cache.saveArenaRun(QStringLiteral("sim"), run);
    auto loaded = loadRuns(m_cache, QStringLiteral("sim"), QStringLiteral("exp-1"));
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->size(), 1u);
    EXPECT_EQ(loaded->front(), run);

    ArenaRun voted = run;
    voted.vote = ArenaVote::Prefer;
    voted.preferredVariantId = QStringLiteral("concise");
    voted.hallucinated = {QStringLiteral("control")};
    voted.votedMs = 2000;
    voted.feedbackStatus = QStringLiteral("sent");
    m_cache.saveArenaRun(QStringLiteral("sim"), voted);
    loaded = loadRuns(m_cache, QStringLiteral("sim"), QStringLiteral("exp-1"));
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->size(), 1u) << "the vote replaces the run's row";
    EXPECT_EQ(loaded->front(), voted);
}

TEST_F(ArenaStore, ListsPerExperimentNewestFirstAndPerEndpoint)
{
    for (int i = 0; i < 5; ++i)
        m_cache.saveArenaRun(
            QStringLiteral("sim"),
            sampleRun(i, i % 2 ? QStringLiteral("exp-2") : QStringLiteral("exp-1"), 1000 + i));
    m_cache.saveArenaRun(QStringLiteral("prod:443"), sampleRun(9, QStringLiteral("exp-1"), 5000));
    const auto one = loadRuns(m_cache, QStringLiteral("sim"), QStringLiteral("exp-1"));
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 3u);
    EXPECT_EQ(one->at(0).requestId, QStringLiteral("run-4"));
    EXPECT_EQ(one->at(2).requestId, QStringLiteral("run-0"));
    const auto all = loadRuns(m_cache, QStringLiteral("sim"), QString());
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 5u);
    const auto limited = loadRuns(m_cache, QStringLiteral("sim"), QString(), 2);
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->size(), 2u);
    const auto other = loadRuns(m_cache, QStringLiteral("prod:443"), QStringLiteral("exp-1"));
    ASSERT_TRUE(other);
    ASSERT_EQ(other->size(), 1u);
    EXPECT_EQ(other->front().requestId, QStringLiteral("run-9"));
}

TEST_F(ArenaStore, RetentionKeepsTheNewestRuns)
{
    for (int i = 0; i < Cache::kArenaRetention + 25; ++i)
        m_cache.saveArenaRun(QStringLiteral("sim"), sampleRun(i, QStringLiteral("exp-1"), i));
    ASSERT_TRUE(flushAndWait(m_cache));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM arena_runs")),
              QString::number(Cache::kArenaRetention));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT min(time_ms) FROM arena_runs")),
              QStringLiteral("25"));
}

TEST(ArenaStoreMigration, Version3FileGainsTheArenaAndKeepsItsActions)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v3.sqlite"));
    {
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(3));
        db.exec("INSERT INTO local_actions VALUES ('sim', 'req-1', 1000, 'model/atlas', "
                "'Disable model atlas', 'enabled', 'disabled', 'sick', 0, 'applied', '', "
                "'audit-1', 'alice');");
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("3"));
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    // Up to the newest version (4 is the arena's, 5 the series rollups').
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    EXPECT_GE(store::currentSchemaVersion(), 4);
    const auto actions = loadActions(cache, QStringLiteral("sim"));
    ASSERT_TRUE(actions);
    ASSERT_EQ(actions->second.size(), 1u);
    EXPECT_EQ(actions->second.front().reason, QStringLiteral("sick"));
    cache.saveArenaRun(QStringLiteral("sim"), sampleRun(1, QStringLiteral("exp-1"), 1));
    const auto runs = loadRuns(cache, QStringLiteral("sim"), QStringLiteral("exp-1"));
    ASSERT_TRUE(runs);
    EXPECT_EQ(runs->size(), 1u);
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
}

TEST(ArenaStoreMigration, FailedVersion4StepRollsBackToVersion3Whole)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v3.sqlite"));
    {
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(3));
        // Someone's index holds the name version 4 wants for its own.
        db.exec("CREATE INDEX arena_runs_by_time ON prompts (description);");
    }
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened);
        EXPECT_FALSE(opened->first);
    }
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("3"));
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                             "name='arena_runs'")),
              QStringLiteral("0"));
}

} // namespace sb::test
