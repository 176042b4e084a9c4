// Crash safety: a child process writes batches as fast as it can and prints
// each batch number once flushed() confirms its commit; the parent SIGKILLs
// it mid-stream, then checks the file: integrity_check ok, every acknowledged
// batch complete, and no batch partially present.

#include "store_test_util.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <cstdio>
#include <deque>
#include <gtest/gtest.h>
#include <initializer_list>
#include <set>
#include <sqlite3.h>

namespace sb::test {

namespace {

constexpr qint64 kPointsPerBatch = 400;
constexpr int kInFlight = 4;
const QString kRoute = QStringLiteral("chat");

void enqueueBatch(Cache &cache, int batch)
{
    std::vector<LatencyPoint> points;
    points.reserve(kPointsPerBatch);
    for (qint64 k = 0; k < kPointsPerBatch; ++k)
        points.push_back(samplePoint((batch * kPointsPerBatch + k) * 1000));
    cache.appendLatencyPoints(kRoute, points);
    cache.saveAuditEvents({sampleAudit(batch, batch)});
    cache.flush();
}

} // namespace

int runCrashChild(const QString &path)
{
    Cache cache;
    cache.setEndpoint(QStringLiteral("crash"));
    const auto opened = openAndWait(cache, path);
    if (!opened || !opened->first) {
        std::fprintf(stderr, "open failed: %s\n", opened ? qPrintable(opened->second) : "timeout");
        return 2;
    }
    // flushed() arrives in enqueue order, so the oldest unacknowledged batch
    // is the one each flushed() confirms.
    std::deque<int> pending;
    int next = 0;
    QObject::connect(&cache, &Cache::flushed, &cache, [&] {
        std::printf("ack %d\n", pending.front());
        std::fflush(stdout);
        pending.pop_front();
        pending.push_back(next);
        enqueueBatch(cache, next++);
    });
    for (; next < kInFlight; ++next) {
        pending.push_back(next);
        enqueueBatch(cache, next);
    }
    return QCoreApplication::exec(); // until killed
}

namespace {

qint64 countRows(sqlite3 *db, const char *sql, std::initializer_list<qint64> args)
{
    sqlite3_stmt *stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    int index = 1;
    for (qint64 arg : args)
        sqlite3_bind_int64(stmt, index++, arg);
    const qint64 n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return n;
}

} // namespace

TEST(StoreCrash, KilledWriterLosesNoAcknowledgedBatch)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    QElapsedTimer total;
    total.start();

    for (int round = 0; round < 5; ++round) {
        SCOPED_TRACE(round);
        // A fresh file per round, so a batch found can only be this round's.
        const QString path = dir.filePath(QStringLiteral("crash-%1.sqlite").arg(round));
        QProcess child;
        child.setProgram(QCoreApplication::applicationFilePath());
        child.setArguments({QStringLiteral("--crash-child"), path});
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start();
        ASSERT_TRUE(child.waitForStarted(5000));

        // Let it commit for a while (at least a few batches), then kill it at
        // a random moment so the kill lands in varying phases of a commit.
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (out.count("ack") < 5 && t.elapsed() < 5000 && child.waitForReadyRead(1000))
            out += child.readAllStandardOutput();
        QThread::msleep(QRandomGenerator::global()->bounded(20, 120));
        child.kill(); // SIGKILL
        ASSERT_TRUE(child.waitForFinished(5000));
        out += child.readAllStandardOutput();
        ASSERT_EQ(child.exitStatus(), QProcess::CrashExit)
            << child.readAllStandardError().constData();

        std::set<int> acked;
        for (const QByteArray &line : out.split('\n')) {
            if (line.startsWith("ack "))
                acked.insert(line.mid(4).toInt());
        }
        ASSERT_GE(acked.size(), 5u);

        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr),
                  SQLITE_OK);
        {
            sqlite3_stmt *stmt = nullptr;
            ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr),
                      SQLITE_OK);
            ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
            EXPECT_STREQ(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)), "ok");
            sqlite3_finalize(stmt);
        }
        const int last = *acked.rbegin();
        // Batches beyond the last ack may or may not have landed, but each is
        // all or nothing; acknowledged ones are all there.
        for (int batch = 0; batch <= last + kInFlight; ++batch) {
            const qint64 from = batch * kPointsPerBatch * 1000;
            const qint64 points = countRows(
                db,
                "SELECT count(*) FROM latency_rollups WHERE endpoint='crash' AND second_ms >= ?1 "
                "AND second_ms < ?2",
                {from, from + kPointsPerBatch * 1000});
            EXPECT_TRUE(points == 0 || points == kPointsPerBatch) << "batch " << batch;
            if (acked.count(batch) || batch < last) {
                EXPECT_EQ(points, kPointsPerBatch) << "acknowledged batch " << batch;
                EXPECT_EQ(countRows(db,
                                    "SELECT count(*) FROM audit_events WHERE endpoint='crash' "
                                    "AND time_ms = ?1",
                                    {batch}),
                          1)
                    << "acknowledged batch " << batch;
            }
        }
        sqlite3_close(db);

        // And the console itself reopens it and reads it.
        Cache cache;
        cache.setEndpoint(QStringLiteral("crash"));
        const auto opened = openAndWait(cache, path);
        ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : QString());
        const auto points = loadLatency(cache, kRoute, 0, kPointsPerBatch * 1000 - 1);
        ASSERT_TRUE(points);
        EXPECT_EQ(qint64(points->size()), kPointsPerBatch);
    }
    EXPECT_LT(total.elapsed(), 30000);
}

} // namespace sb::test
