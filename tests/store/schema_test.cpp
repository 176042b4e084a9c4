// Opening files of every vintage: empty, plain SQLite with unrelated tables,
// newer schema, someone else's, garbage; and migrations being all-or-nothing.

#include "store/schema.h"
#include "store_test_util.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <vector>

namespace sb::test {

namespace {

const QString kSim = QStringLiteral("sim");
const QString kChat = QStringLiteral("chat");

class SchemaTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }
    QString path(const QString &name = QStringLiteral("cache.sqlite")) const
    {
        return m_dir.filePath(name);
    }

    static void runSql(const QString &file, const char *sql)
    {
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open(file.toUtf8().constData(), &db), SQLITE_OK);
        char *error = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
        EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
        sqlite3_free(error);
        sqlite3_close(db);
    }

    static QByteArray fileHash(const QString &file)
    {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
    }

    // Saves a little of everything, reopens, and checks it is all there
    // (next to `actionsBefore` older entries already in the action log).
    void expectUsableAfterMigration(const QString &file, std::size_t actionsBefore = 0)
    {
        {
            Cache cache;
            const auto opened = openAndWait(cache, file);
            ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
            cache.savePrompts(kSim, {samplePrompt(1)}, 5);
            cache.saveRouting(kSim, sampleRouting(2), 6);
            cache.appendLatencyPoints(kSim, kChat, {samplePoint(1000)});
            const auto recorded = recordAction(cache, kSim, sampleAction(1, 7));
            ASSERT_TRUE(recorded);
            EXPECT_TRUE(recorded->ok) << qPrintable(recorded->error);
        }
        EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
                  QString::number(store::currentSchemaVersion()));
        EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA journal_mode")), QStringLiteral("wal"));
        EXPECT_EQ(queryFile(file, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                                 "name IN ('local_actions', "
                                                 "'local_actions_by_time')")),
                  QStringLiteral("2"));
        EXPECT_EQ(newRoutingColumns(file), QStringLiteral("5"));
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened && opened->first);
        const auto s = loadSnapshot(cache, kSim);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->prompts, std::vector<Prompt>{samplePrompt(1)});
        EXPECT_EQ(s->routing, sampleRouting(2));
        const auto points = loadLatency(cache, kSim, kChat, 0, 5000);
        ASSERT_TRUE(points);
        EXPECT_EQ(points->points.size(), 1u);
        const auto actions = loadActions(cache, kSim);
        ASSERT_TRUE(actions);
        ASSERT_EQ(actions->second.size(), actionsBefore + 1);
        EXPECT_EQ(actions->second.back(), sampleAction(1, 7)); // the oldest (time 7)
    }

    // A file as a build that knew only schema version 1 left it, with one row
    // in each kind of table that version had (written as that build's SQL would).
    static void makeVersion1File(const QString &file)
    {
        {
            store::Database db;
            db.open(file);
            store::prepareDatabase(db, store::migrations().first(1));
        }
        runSql(file,
               "INSERT INTO fetch_times VALUES ('sim', 'prompts', 77);"
               "INSERT INTO prompts VALUES ('sim', 'greet', 0, 'says hi', 2, '[]', 'e1', 1, 2);"
               "INSERT INTO audit_events VALUES ('sim', 'audit-1', 1000, 'alice', 'operator', "
               "'model.disable', 'model/atlas', 'enabled', 'disabled', 'sick', 'req-1');"
               "INSERT INTO latency_rollups VALUES ('sim', 'chat', 1000, 60000, 10, 1, 2, "
               "100.0, 200.0, 300.0, 40.0);");
        ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("1"));
    }

    // The version-1 rows above, read back through the Cache.
    static void expectVersion1Data(Cache &cache)
    {
        const auto s = loadSnapshot(cache, QStringLiteral("sim"));
        ASSERT_TRUE(s);
        ASSERT_EQ(s->prompts.size(), 1u);
        EXPECT_EQ(s->prompts.front().name, QStringLiteral("greet"));
        EXPECT_EQ(s->promptsFetchedMs, 77);
        ASSERT_EQ(s->audit.size(), 1u);
        EXPECT_EQ(s->audit.front().reason, QStringLiteral("sick"));
        const auto points =
            loadLatency(cache, QStringLiteral("sim"), QStringLiteral("chat"), 0, 1LL << 50);
        ASSERT_TRUE(points);
        ASSERT_EQ(points->points.size(), 1u);
        EXPECT_EQ(points->points.front().p99, 300.0);
    }

    // How many of version 3's columns the routes and models tables have.
    static QString newRoutingColumns(const QString &file)
    {
        return queryFile(
            file, QStringLiteral("SELECT (SELECT count(*) FROM pragma_table_info('routes') WHERE "
                                 "name IN ('updated_by', 'primary_bypassed', "
                                 "'primary_bypass_revert_ms')) + (SELECT count(*) FROM "
                                 "pragma_table_info('models') WHERE name IN ('updated_ms', "
                                 "'updated_by'))"));
    }

    // A file as a build that knew schema version 2 left it: a row in every
    // table that version had, routing for two endpoints (the routes and
    // models without version 3's columns), written as that build's SQL would.
    static void makeVersion2File(const QString &file)
    {
        {
            store::Database db;
            db.open(file);
            store::prepareDatabase(db, store::migrations().first(2));
        }
        runSql(file,
               "INSERT INTO fetch_times VALUES ('sim', 'prompts', 77), ('sim', 'versions:greet', "
               "55), ('sim', 'experiments', 66), ('sim', 'routing', 88), ('other', 'routing', 99);"
               "INSERT INTO prompts VALUES ('sim', 'greet', 0, 'says hi', 2, '[]', 'e1', 1, 2);"
               "INSERT INTO prompt_versions VALUES ('sim', 'greet', 2, 'Hi {{name}}', 'atlas', "
               "'{\"temperature\":0.5}', '[]', 'bob', 'v2', 1, 3);"
               "INSERT INTO experiments VALUES ('sim', 'exp-1', 0, 'Shorter', 'd', 2, '[]', 1, "
               "'[]', 'ee', 'chat', 1, 2, 3);"
               "INSERT INTO routing_tables VALUES ('sim', 1000), ('other', 2000);"
               "INSERT INTO routes VALUES ('sim', 'chat', 0, 'atlas', "
               "'[{\"model\":\"atlas-s\",\"enabled\":true,\"revertMs\":0}]', "
               "'[{\"model\":\"atlas-s\",\"fraction\":1,\"reason\":2,\"fraction10s\":1,"
               "\"afterModel\":\"atlas\"}]', 'r1', 5),"
               "('other', 'embed', 0, 'vec', '[]', '[]', 'r2', 6);"
               "INSERT INTO models VALUES ('sim', 'atlas', 0, 1, 1, 0, 0, 'm1', 0.1, 0.2, 0.0),"
               "('other', 'vec', 0, 0, 2, 9, 9, 'm2', 0.1, 0.2, 0.5);"
               "INSERT INTO audit_events VALUES ('sim', 'audit-1', 1000, 'alice', 'operator', "
               "'model.disable', 'model/atlas', 'enabled', 'disabled', 'sick', 'req-1');"
               "INSERT INTO latency_rollups VALUES ('sim', 'chat', 1000, 60000, 10, 1, 2, "
               "100.0, 200.0, 300.0, 40.0);"
               "INSERT INTO local_actions VALUES ('sim', 'req-9', 2000, 'model/atlas', "
               "'Disable model atlas', 'enabled', 'disabled', 'sick', 900, 'applied', '', "
               "'audit-1', 'alice');");
        ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("2"));
    }

    // The version-2 rows above, read back through the Cache: everything but
    // the routing table, which version 3 drops (its rows could not say
    // whether a route was forced to its fallbacks).
    static void expectVersion2DataWithoutRouting(Cache &cache)
    {
        const auto s = loadSnapshot(cache, kSim);
        ASSERT_TRUE(s);
        ASSERT_EQ(s->prompts.size(), 1u);
        EXPECT_EQ(s->prompts.front().name, QStringLiteral("greet"));
        EXPECT_EQ(s->promptsFetchedMs, 77);
        ASSERT_EQ(s->versions.value(QStringLiteral("greet")).size(), 1u);
        EXPECT_EQ(s->versions.value(QStringLiteral("greet")).front().params.temperature, 0.5);
        EXPECT_EQ(s->versionsFetchedMs.value(QStringLiteral("greet")), 55);
        ASSERT_EQ(s->experiments.size(), 1u);
        EXPECT_EQ(s->experiments.front().name, QStringLiteral("Shorter"));
        EXPECT_EQ(s->experimentsFetchedMs, 66);
        ASSERT_EQ(s->audit.size(), 1u);
        EXPECT_EQ(s->audit.front().reason, QStringLiteral("sick"));
        EXPECT_EQ(s->routingFetchedMs, 0); // "never cached", not a routing table that may lie
        EXPECT_EQ(s->routing, RoutingTable{});
        const auto other = loadSnapshot(cache, QStringLiteral("other"));
        ASSERT_TRUE(other);
        EXPECT_EQ(other->routingFetchedMs, 0);
        EXPECT_EQ(other->routing, RoutingTable{});
        const auto points = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
        ASSERT_TRUE(points);
        ASSERT_EQ(points->points.size(), 1u);
        EXPECT_EQ(points->points.front().p99, 300.0);
        const auto actions = loadActions(cache, kSim);
        ASSERT_TRUE(actions);
        ASSERT_EQ(actions->second.size(), 1u);
        EXPECT_EQ(actions->second.front().requestId, QStringLiteral("req-9"));
        EXPECT_EQ(actions->second.front().revertAfterSec, 900);
    }

    std::pair<bool, QString> openResult(const QString &file)
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        EXPECT_TRUE(opened.has_value());
        return opened.value_or(std::make_pair(true, QString()));
    }

    QTemporaryDir m_dir;
};

} // namespace

TEST_F(SchemaTest, MigratesMissingFileAndCreatesFolders)
{
    const QString file = m_dir.filePath(QStringLiteral("a/b/c/cache.sqlite"));
    expectUsableAfterMigration(file);
}

TEST_F(SchemaTest, MigratesEmptyFile)
{
    QFile f(path());
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.close();
    expectUsableAfterMigration(path());
}

TEST_F(SchemaTest, MigratesPlainSqliteFileAndKeepsItsTables)
{
    runSql(path(), "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                   "INSERT INTO notes (body) VALUES ('keep me');");
    expectUsableAfterMigration(path());
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT body FROM notes")),
              QStringLiteral("keep me"));
}

TEST_F(SchemaTest, RefusesNewerSchemaAndLeavesFileUntouched)
{
    runSql(path(), "CREATE TABLE future (x); PRAGMA user_version = 99;");
    const QByteArray before = fileHash(path());
    const auto [ok, error] = openResult(path());
    EXPECT_FALSE(ok);
    EXPECT_TRUE(error.contains(QStringLiteral("newer"))) << qPrintable(error);
    EXPECT_TRUE(error.contains(QStringLiteral("99"))) << qPrintable(error);
    EXPECT_EQ(fileHash(path()), before);
    EXPECT_FALSE(QFile::exists(path() + QStringLiteral("-wal")));
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")), QStringLiteral("99"));
}

TEST_F(SchemaTest, RefusesAnotherApplicationsDatabase)
{
    runSql(path(), "PRAGMA application_id = 12345; CREATE TABLE theirs (x);");
    const QByteArray before = fileHash(path());
    const auto [ok, error] = openResult(path());
    EXPECT_FALSE(ok);
    EXPECT_TRUE(error.contains(QStringLiteral("another application"))) << qPrintable(error);
    EXPECT_EQ(fileHash(path()), before);
}

TEST_F(SchemaTest, RefusesGarbageWithoutCrashingOrTouchingIt)
{
    for (const int size : {7, 100, 4096, 65536}) {
        SCOPED_TRACE(size);
        QByteArray garbage;
        for (int i = 0; i < size; ++i)
            garbage.append(char((i * 131 + 17) % 251));
        {
            QFile f(path());
            ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(garbage);
        }
        const auto [ok, error] = openResult(path());
        EXPECT_FALSE(ok);
        EXPECT_TRUE(error.contains(QStringLiteral("not a SQLite database"))) << qPrintable(error);
        EXPECT_TRUE(error.contains(path())) << qPrintable(error);
        QFile f(path());
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        EXPECT_EQ(f.readAll(), garbage);
    }
}

TEST_F(SchemaTest, RefusedFileStillAcceptsCallsAndAnswersEmpty)
{
    runSql(path(), "PRAGMA user_version = 99;");
    Cache cache;
    WriteFailures failures(cache);
    const auto opened = openAndWait(cache, path());
    ASSERT_TRUE(opened && !opened->first);
    cache.savePrompts(kSim, {samplePrompt(1)}, 1);
    const auto s = loadSnapshot(cache, kSim);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->endpoint, kSim);
    EXPECT_TRUE(s->prompts.empty());
    const auto points = loadLatency(cache, kSim, kChat, 0, 1);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->endpoint, kSim);
    EXPECT_TRUE(points->points.empty());
    EXPECT_TRUE(failures.messages().isEmpty()); // opened(false) already said it all
}

TEST_F(SchemaTest, DamagedTablesGiveClearErrorsNotCrashes)
{
    qint64 schemaPages = 0;
    {
        Cache cache;
        const auto opened = openAndWait(cache, path());
        ASSERT_TRUE(opened && opened->first);
        // What the migration wrote: the schema (more than page 1 by now) and
        // every table's root page. Data written later lands after these.
        ASSERT_TRUE(flushAndWait(cache));
        schemaPages = queryFile(path(), QStringLiteral("PRAGMA page_count")).toLongLong();
        ASSERT_GT(schemaPages, 0);
        std::vector<LatencyPoint> points;
        for (qint64 s = 0; s < 20000; ++s)
            points.push_back(samplePoint(s * 1000));
        cache.appendLatencyPoints(kSim, kChat, points);
        cache.savePrompts(kSim, {samplePrompt(1)}, 1);
    } // the last connection's close checkpoints the WAL into the file
    ASSERT_FALSE(QFile::exists(path() + QStringLiteral("-wal")));
    {
        // Keep the header, the schema and the tables' roots; scribble over
        // every page the data went into.
        const qint64 pageSize = queryFile(path(), QStringLiteral("PRAGMA page_size")).toLongLong();
        const qint64 keep = schemaPages * pageSize;
        QFile f(path());
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        ASSERT_GT(size, keep + 3 * pageSize);
        f.seek(keep);
        QByteArray junk;
        for (qint64 i = keep; i < size; ++i)
            junk.append(char((i * 37 + 11) % 256));
        f.write(junk);
    }
    Cache cache;
    WriteFailures writeFailures(cache);
    QStringList readFailures;
    QObject::connect(&cache, &Cache::readFailed, &cache,
                     [&](const QString &error) { readFailures << error; });
    const auto opened = openAndWait(cache, path());
    ASSERT_TRUE(opened);
    // The schema is intact, so the file opens; the damage shows on first use.
    ASSERT_TRUE(opened->first) << qPrintable(opened->second);
    const auto points = loadLatency(cache, kSim, kChat, 0, 1LL << 50);
    ASSERT_TRUE(points);
    EXPECT_TRUE(points->points.empty());
    const auto snapshot = loadSnapshot(cache, kSim);
    ASSERT_TRUE(snapshot);
    cache.appendLatencyPoints(kSim, kChat, {samplePoint(1)});
    ASSERT_TRUE(flushAndWait(cache));
    ASSERT_FALSE(readFailures.isEmpty());
    EXPECT_TRUE(readFailures.front().contains(QStringLiteral("damaged")))
        << qPrintable(readFailures.front());
    ASSERT_FALSE(writeFailures.messages().isEmpty());
    EXPECT_TRUE(writeFailures.messages().front().contains(QStringLiteral("damaged")))
        << qPrintable(writeFailures.messages().front());
}

TEST_F(SchemaTest, FailedMigrationLeavesPreviousVersionIntact)
{
    // Whatever the current schema is, a broken next step must leave it as it was.
    const int current = store::currentSchemaVersion();
    std::vector<store::Migration> broken(store::migrations().begin(), store::migrations().end());
    broken.push_back(
        {current + 1, "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);"});
    {
        store::Database db;
        db.open(path());
        EXPECT_THROW(store::prepareDatabase(db, broken), store::SqliteError);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")), QString::number(current));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                               "name='half_done'")),
              QStringLiteral("0"));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                               "name IN ('prompts', 'local_actions')")),
              QStringLiteral("2"));

    // A later, fixed migration list picks up from there.
    std::vector<store::Migration> fixed(store::migrations().begin(), store::migrations().end());
    fixed.push_back({current + 1, "CREATE TABLE added_later (x);"});
    {
        store::Database db;
        db.open(path());
        store::prepareDatabase(db, fixed);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")),
              QString::number(current + 1));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                               "name='added_later'")),
              QStringLiteral("1"));
}

TEST_F(SchemaTest, MigratesVersion1FileKeepingItsData)
{
    makeVersion1File(path());
    {
        Cache cache;
        const auto opened = openAndWait(cache, path());
        ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
        expectVersion1Data(cache);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
    // The rest of the usual round trip works on the migrated file too.
    expectUsableAfterMigration(path());
}

TEST_F(SchemaTest, FailedVersion2MigrationRollsBackToVersion1Whole)
{
    makeVersion1File(path());
    // Someone's index already holds the name version 2 wants for its own:
    // CREATE TABLE local_actions succeeds, then CREATE INDEX fails, and the
    // table must go with the rollback.
    runSql(path(), "CREATE INDEX local_actions_by_time ON prompts (description);");
    {
        Cache cache;
        const auto opened = openAndWait(cache, path());
        ASSERT_TRUE(opened);
        EXPECT_FALSE(opened->first);
        EXPECT_TRUE(opened->second.contains(QStringLiteral("local_actions_by_time")))
            << qPrintable(opened->second);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")), QStringLiteral("1"));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                               "name='local_actions'")),
              QStringLiteral("0"));

    runSql(path(), "DROP INDEX local_actions_by_time;");
    Cache cache;
    const auto opened = openAndWait(cache, path());
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    expectVersion1Data(cache);
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
}

TEST_F(SchemaTest, MigratesVersion2FileKeepingAllButItsRoutingTable)
{
    makeVersion2File(path());
    {
        Cache cache;
        const auto opened = openAndWait(cache, path());
        ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
        expectVersion2DataWithoutRouting(cache);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
    EXPECT_EQ(newRoutingColumns(path()), QStringLiteral("5"));
    // Version 7's series rollups are there, empty.
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM series_chunks")),
              QStringLiteral("0"));
    for (const char *table : {"routes", "models", "routing_tables"}) {
        EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM %1").arg(table)),
                  QStringLiteral("0"))
            << table;
    }
    EXPECT_EQ(
        queryFile(path(), QStringLiteral("SELECT count(*) FROM fetch_times WHERE kind='routing'")),
        QStringLiteral("0"));
    // The next fetch fills it again, new fields and all.
    expectUsableAfterMigration(path(), 1);
}

TEST_F(SchemaTest, FailedVersion3MigrationRollsBackToVersion2Whole)
{
    makeVersion2File(path());
    // Someone's column already holds a name version 3 adds, on the last
    // table it alters: the deletes and the routes columns before it succeed,
    // then ALTER TABLE models fails, and all of it must go with the rollback.
    runSql(path(), "ALTER TABLE models ADD COLUMN updated_by TEXT;");
    {
        Cache cache;
        const auto opened = openAndWait(cache, path());
        ASSERT_TRUE(opened);
        EXPECT_FALSE(opened->first);
        EXPECT_TRUE(opened->second.contains(QStringLiteral("updated_by")))
            << qPrintable(opened->second);
    }
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")), QStringLiteral("2"));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM pragma_table_info('routes') "
                                               "WHERE name='primary_bypassed'")),
              QStringLiteral("0"));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM routes")),
              QStringLiteral("2"));
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM models")),
              QStringLiteral("2"));
    EXPECT_EQ(
        queryFile(path(), QStringLiteral("SELECT count(*) FROM fetch_times WHERE kind='routing'")),
        QStringLiteral("2"));

    runSql(path(), "ALTER TABLE models DROP COLUMN updated_by;");
    Cache cache;
    const auto opened = openAndWait(cache, path());
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    expectVersion2DataWithoutRouting(cache);
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
}

TEST_F(SchemaTest, ReopeningAtTheCurrentVersionMigratesNothing)
{
    expectUsableAfterMigration(path());
    const QString before = queryFile(path(), QStringLiteral("SELECT group_concat(name) FROM "
                                                            "(SELECT name FROM sqlite_master "
                                                            "ORDER BY name)"));
    expectUsableAfterMigration(path());
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT group_concat(name) FROM "
                                               "(SELECT name FROM sqlite_master ORDER BY name)")),
              before);
}

} // namespace sb::test
