// Imported history's source and schema in the cache (schema v9): a range
// recorded twice grows and keeps the worst bound; native and classic imports
// of a route are separate rows (a classic one has no schema); a v6 file
// migrates keeping its rows, and the rows survive reopening.

#include "store/schema.h"
#include "store_test_util.h"

#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>
#include <gtest/gtest.h>

namespace sb::test {

namespace {

std::optional<std::vector<ImportedRange>> loadImports(Cache &cache, const QString &source)
{
    std::optional<std::vector<ImportedRange>> result;
    QEventLoop loop;
    QObject::connect(&cache, &Cache::importsLoaded, &loop,
                     [&](const QString &s, const std::vector<ImportedRange> &r) {
                         if (s != source)
                             return;
                         result = r;
                         loop.quit();
                     });
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    cache.loadImports(source);
    if (!result)
        loop.exec();
    return result;
}

ImportedRange range(qint64 from, qint64 to, std::optional<int> schema, double bound)
{
    ImportedRange r;
    r.source = QStringLiteral("prometheus:http://127.0.0.1:9090");
    r.route = QStringLiteral("prometheus/chat");
    r.model = QStringLiteral("latency_ms");
    r.classic = !schema;
    r.schema = schema;
    r.fromMs = from;
    r.toMs = to;
    r.relativeError = bound;
    r.importedMs = to + 5;
    return r;
}

} // namespace

TEST(ImportedRanges, ARangeGrowsKeepsTheWorstBoundAndSurvivesReopening)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));
    const QString source = QStringLiteral("prometheus:http://127.0.0.1:9090");
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened && opened->first);
        cache.recordImport(range(10'000, 20'000, 6, 0.0054));
        cache.recordImport(range(5'000, 12'000, 6, 0.0054));
        cache.recordImport(range(18'000, 30'000, 3, 0.043));
        cache.recordImport(range(1'000, 2'000, std::nullopt, 0.25));
        ASSERT_TRUE(flushAndWait(cache));
    }
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first);
    const auto rows = loadImports(cache, source);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 3u); // schema 6, schema 3, classic
    std::map<int, ImportedRange> bySchema;
    for (const auto &r : *rows)
        bySchema[r.schema.value_or(-1)] = r;
    EXPECT_EQ(bySchema.at(6).fromMs, 5'000);
    EXPECT_EQ(bySchema.at(6).toMs, 20'000);
    EXPECT_FALSE(bySchema.at(6).classic);
    EXPECT_DOUBLE_EQ(bySchema.at(3).relativeError, 0.043);
    EXPECT_TRUE(bySchema.at(-1).classic);
    EXPECT_FALSE(bySchema.at(-1).schema.has_value());
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT group_concat(schema) FROM (SELECT schema "
                                             "FROM imported_ranges ORDER BY schema)")),
              QStringLiteral("-1000,3,6"));
    // Another source's rows are not this one's.
    const auto other = loadImports(cache, QStringLiteral("prometheus:http://elsewhere:9090"));
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->empty());
}

TEST(ImportedRanges, AVersion6FileGainsTheTableAndKeepsItsRows)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v6.sqlite"));
    {
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(6));
        db.exec("INSERT INTO palette_recent VALUES ('page:latency', 1000, 1);");
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("6"));
    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT used_ms FROM palette_recent")),
              QStringLiteral("1000"));
    cache.recordImport(range(1, 2, 6, 0.0054));
    const auto rows = loadImports(cache, QStringLiteral("prometheus:http://127.0.0.1:9090"));
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().schema, 6);
}

} // namespace sb::test
