// The incident timeline's events table (schema version 8): events survive
// reopening the file with every field; one id is one row, and a change seen
// on a watch stream never replaces this console's own record of it (either
// order); loads are by overlapping time range, newest first, per endpoint;
// and a version-6 file migrates keeping what it had.

#include "store/schema.h"
#include "store_test_util.h"

#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>
#include <limits>

namespace sb::test {

namespace {

constexpr qint64 kAll = std::numeric_limits<qint64>::max();

std::optional<std::vector<TimelineEvent>> loadEvents(Cache &cache, const QString &endpoint,
                                                     qint64 fromMs = 0, qint64 toMs = kAll)
{
    std::optional<std::vector<TimelineEvent>> result;
    QEventLoop loop;
    QObject::connect(&cache, &Cache::eventsLoaded, &loop,
                     [&](const QString &, qint64, qint64, const std::vector<TimelineEvent> &e) {
                         result = e;
                         loop.quit();
                     });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    cache.loadEvents(endpoint, fromMs, toMs);
    if (!result)
        loop.exec();
    return result;
}

TimelineEvent change(EventKind kind, const QString &requestId, qint64 timeMs, const QString &actor)
{
    TimelineEvent e;
    e.id = QStringLiteral("change:") + requestId;
    e.kind = kind;
    e.timeMs = timeMs;
    e.actor = actor;
    e.source =
        kind == EventKind::LocalChange ? QStringLiteral("local") : QStringLiteral("watch:routing");
    e.target = QStringLiteral("model/atlas-xl");
    e.summary = QStringLiteral("Disable model atlas-xl");
    e.payload = QJsonObject{{QStringLiteral("reason"), QStringLiteral("p99 × 3")},
                            {QStringLiteral("nested"), QJsonObject{{QStringLiteral("n"), 2}}}};
    return e;
}

} // namespace

TEST(TimelineEvents, SurviveReopeningWithEveryField)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));
    const TimelineEvent local = change(EventKind::LocalChange, QStringLiteral("r1"), 5000, "alice");
    const TimelineEvent band =
        noteEvent(QStringLiteral("failover\nsecond line"), 1000, 9000, QStringLiteral("bob"));
    {
        Cache cache;
        ASSERT_TRUE(openAndWait(cache, file)->first);
        cache.recordEvents(QStringLiteral("sim"), {local, band});
        ASSERT_TRUE(flushAndWait(cache));
    }
    Cache cache;
    ASSERT_TRUE(openAndWait(cache, file)->first);
    const auto events = loadEvents(cache, QStringLiteral("sim"));
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ(events->at(0), local) << "newest first";
    EXPECT_EQ(events->at(1), band);
    EXPECT_EQ(band.summary, QStringLiteral("failover"));
    EXPECT_TRUE(loadEvents(cache, QStringLiteral("other"))->empty()) << "per endpoint";
}

TEST(TimelineEvents, AChangeSeenTwiceIsOneRowAndOursWins)
{
    QTemporaryDir dir;
    Cache cache;
    ASSERT_TRUE(openAndWait(cache, dir.filePath(QStringLiteral("cache.sqlite")))->first);
    const QString sim = QStringLiteral("sim");
    // Ours first, then the watch's echo.
    cache.recordEvents(sim, {change(EventKind::LocalChange, "a", 1000, "alice")});
    cache.recordEvents(sim, {change(EventKind::OthersChange, "a", 1010, "alice@svc")});
    // The watch first, then ours.
    cache.recordEvents(sim, {change(EventKind::OthersChange, "b", 2010, "alice@svc")});
    cache.recordEvents(sim, {change(EventKind::LocalChange, "b", 2000, "alice")});
    // Someone else's change stays theirs, and a repeat is still one row.
    cache.recordEvents(sim, {change(EventKind::OthersChange, "c", 3000, "bob")});
    cache.recordEvents(sim, {change(EventKind::OthersChange, "c", 3000, "bob")});
    const auto events = loadEvents(cache, sim);
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ(events->at(0).kind, EventKind::OthersChange);
    EXPECT_EQ(events->at(1).kind, EventKind::LocalChange);
    EXPECT_EQ(events->at(1).timeMs, 2000);
    EXPECT_EQ(events->at(2).kind, EventKind::LocalChange);
    EXPECT_EQ(events->at(2).actor, QStringLiteral("alice"));
    EXPECT_EQ(events->at(2).timeMs, 1000);
}

TEST(TimelineEvents, LoadsWhatOverlapsTheRange)
{
    QTemporaryDir dir;
    Cache cache;
    ASSERT_TRUE(openAndWait(cache, dir.filePath(QStringLiteral("cache.sqlite")))->first);
    const QString sim = QStringLiteral("sim");
    cache.recordEvents(sim, {noteEvent("before", 1000, 0, "u"), noteEvent("long", 2000, 9000, "u"),
                             noteEvent("inside", 6000, 0, "u"), noteEvent("after", 12000, 0, "u")});
    const auto events = loadEvents(cache, sim, 5000, 10000);
    ASSERT_TRUE(events);
    QStringList got;
    for (const auto &e : *events)
        got << e.summary;
    EXPECT_EQ(got, (QStringList{"inside", "long"}));
}

TEST(TimelineEvents, AVersion6FileGainsTheTableAndKeepsItsRows)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v6.sqlite"));
    {
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(6));
        db.exec("INSERT INTO palette_recent VALUES ('page:audit', 42, 1);");
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("6"));
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    EXPECT_GE(store::currentSchemaVersion(), 8);
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT used_ms FROM palette_recent")),
              QStringLiteral("42"));
    cache.recordEvents(QStringLiteral("sim"), {noteEvent("after the upgrade", 7, 0, "u")});
    EXPECT_EQ(loadEvents(cache, QStringLiteral("sim"))->size(), 1u);
}

} // namespace sb::test
