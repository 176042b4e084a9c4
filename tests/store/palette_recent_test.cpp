// The command palette's recent choices in the cache (schema version 6): a
// choice survives reopening the file, choosing again moves it to the front,
// the table keeps only the newest Cache::kPaletteRetention, and a version-5
// file migrates keeping what it had.

#include "store/schema.h"
#include "store_test_util.h"

#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>

namespace sb::test {

namespace {

std::optional<QHash<QString, qint64>> loadRecents(Cache &cache)
{
    std::optional<QHash<QString, qint64>> result;
    QEventLoop loop;
    QObject::connect(&cache, &Cache::paletteRecentsLoaded, &loop,
                     [&](const QHash<QString, qint64> &r) {
                         result = r;
                         loop.quit();
                     });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    cache.loadPaletteRecents();
    if (!result)
        loop.exec();
    return result;
}

} // namespace

TEST(PaletteRecents, AChoiceSurvivesReopeningAndChoosingAgainMovesItUp)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened && opened->first);
        cache.recordPaletteChoice(QStringLiteral("page:latency"), 1000);
        cache.recordPaletteChoice(QStringLiteral("model:atlas-xl:disable"), 2000);
        cache.recordPaletteChoice(QStringLiteral("page:latency"), 3000);
        ASSERT_TRUE(flushAndWait(cache));
    }
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first);
    const auto recents = loadRecents(cache);
    ASSERT_TRUE(recents);
    ASSERT_EQ(recents->size(), 2);
    EXPECT_EQ(recents->value(QStringLiteral("page:latency")), 3000);
    EXPECT_EQ(recents->value(QStringLiteral("model:atlas-xl:disable")), 2000);
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT uses FROM palette_recent WHERE "
                                             "id='page:latency'")),
              QStringLiteral("2"));
    // A late-arriving older choice does not move it back.
    cache.recordPaletteChoice(QStringLiteral("page:latency"), 500);
    EXPECT_EQ(loadRecents(cache)->value(QStringLiteral("page:latency")), 3000);
}

TEST(PaletteRecents, OnlyTheNewestAreKept)
{
    QTemporaryDir dir;
    Cache cache;
    const auto opened = openAndWait(cache, dir.filePath(QStringLiteral("cache.sqlite")));
    ASSERT_TRUE(opened && opened->first);
    const int n = Cache::kPaletteRetention + 25;
    for (int i = 0; i < n; ++i)
        cache.recordPaletteChoice(QStringLiteral("route:r%1").arg(i), 1000 + i);
    const auto recents = loadRecents(cache);
    ASSERT_TRUE(recents);
    EXPECT_EQ(recents->size(), Cache::kPaletteRetention);
    EXPECT_TRUE(recents->contains(QStringLiteral("route:r%1").arg(n - 1)));
    EXPECT_FALSE(recents->contains(QStringLiteral("route:r0")));
}

TEST(PaletteRecents, AVersion5FileGainsTheTableAndKeepsItsActions)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v5.sqlite"));
    {
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(5));
        db.exec("INSERT INTO local_actions VALUES ('sim', 'req-1', 1000, 'model/atlas', "
                "'Disable model atlas', 'enabled', 'disabled', 'sick', 0, 'applied', '', "
                "'audit-1', 'alice');");
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("5"));
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    EXPECT_GE(store::currentSchemaVersion(), 6);
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    const auto actions = loadActions(cache, QStringLiteral("sim"));
    ASSERT_TRUE(actions);
    ASSERT_EQ(actions->second.size(), 1u);
    cache.recordPaletteChoice(QStringLiteral("page:audit"), 42);
    EXPECT_EQ(loadRecents(cache)->value(QStringLiteral("page:audit")), 42);
}

} // namespace sb::test
