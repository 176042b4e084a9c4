// Crash safety: a child process writes batches as fast as it can and prints
// each batch number once flushed() confirms its commit, and each local action
// once actionRecorded() does; the parent SIGKILLs it mid-stream, then checks
// the file: integrity_check ok, every acknowledged batch and action complete
// and under its own endpoint, and no batch partially present. 200 rounds by
// default (SB_CRASH_ROUNDS), in 8 shards that ctest runs as separate tests.

#include "store_test_util.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
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
#include <utility>

namespace sb::test {

namespace {

constexpr qint64 kPointsPerBatch = 400;
constexpr int kInFlight = 4;
// Acks a round waits for before the kill lands (at a random moment after).
constexpr int kMinAcks = 3;
const QString kRoute = QStringLiteral("chat");
const QString kEndpoint = QStringLiteral("crash");

// Actions alternate between two endpoints, so an acknowledged action found
// under the other one would show too.
QString actionEndpoint(int batch)
{
    return batch % 2 ? QStringLiteral("crash-b") : kEndpoint;
}

void enqueueBatch(Cache &cache, int batch)
{
    std::vector<LatencyPoint> points;
    points.reserve(kPointsPerBatch);
    for (qint64 k = 0; k < kPointsPerBatch; ++k)
        points.push_back(samplePoint((batch * kPointsPerBatch + k) * 1000));
    cache.appendLatencyPoints(kEndpoint, kRoute, points);
    cache.saveAuditEvents(kEndpoint, {sampleAudit(batch, batch)});
    cache.recordAction(actionEndpoint(batch), sampleAction(batch, batch));
    cache.flush();
}

} // namespace

int runCrashChild(const QString &path)
{
    Cache cache;
    const auto opened = openAndWait(cache, path);
    if (!opened || !opened->first) {
        std::fprintf(stderr, "open failed: %s\n", opened ? qPrintable(opened->second) : "timeout");
        return 2;
    }
    // flushed() arrives in enqueue order, so the oldest unacknowledged batch
    // is the one each flushed() confirms.
    std::deque<int> pending;
    int next = 0;
    QObject::connect(
        &cache, &Cache::actionRecorded, &cache,
        [](const QString &endpoint, const QString &requestId, bool ok, const QString &error) {
            if (!ok) {
                std::fprintf(stderr, "action failed: %s\n", qPrintable(error));
                return;
            }
            std::printf("action %s %s\n", qPrintable(endpoint), qPrintable(requestId));
            std::fflush(stdout);
        });
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

// One round: a fresh writer on a fresh file, killed at a random moment, then
// the file checked. ASSERTs end only this round (the caller stops on them).
void killRound(const QTemporaryDir &dir, int round)
{
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
    // A slow start (a sanitizer build on a loaded machine takes seconds to
    // open the file) is not a failure: only no acks at all within 60 s is.
    while (out.count("ack") < kMinAcks && t.elapsed() < 60000) {
        child.waitForReadyRead(500);
        out += child.readAllStandardOutput();
    }
    QThread::msleep(QRandomGenerator::global()->bounded(0, 60));
    child.kill(); // SIGKILL
    ASSERT_TRUE(child.waitForFinished(5000));
    out += child.readAllStandardOutput();
    ASSERT_EQ(child.exitStatus(), QProcess::CrashExit) << child.readAllStandardError().constData();

    std::set<int> acked;
    std::set<std::pair<QString, QString>> ackedActions; // (endpoint, request id)
    for (const QByteArray &line : out.split('\n')) {
        if (line.startsWith("ack "))
            acked.insert(line.mid(4).toInt());
        const QList<QByteArray> words = line.split(' ');
        if (words.size() == 3 && words[0] == "action")
            ackedActions.emplace(QString::fromUtf8(words[1]), QString::fromUtf8(words[2]));
    }
    ASSERT_GE(acked.size(), std::size_t(kMinAcks));
    ASSERT_GE(ackedActions.size(), std::size_t(kMinAcks));

    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr),
              SQLITE_OK);
    {
        sqlite3_stmt *stmt = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
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
        // Every action is in its batch's flush, so acknowledged batches
        // imply their actions too, on top of the actions' own acks.
        const LocalAction action = sampleAction(batch, batch);
        const bool actionAcked =
            ackedActions.count({actionEndpoint(batch), action.requestId}) > 0 ||
            acked.count(batch) || batch < last;
        const qint64 actionRows =
            countRows(db, "SELECT count(*) FROM local_actions WHERE time_ms = ?1", {batch});
        EXPECT_LE(actionRows, 1) << "batch " << batch;
        if (actionAcked) {
            EXPECT_EQ(actionRows, 1) << "acknowledged action of batch " << batch;
        }
    }
    sqlite3_close(db);

    // And the console itself reopens it and reads it: every action back
    // whole, under its own endpoint.
    Cache cache;
    const auto opened = openAndWait(cache, path);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : QString());
    const auto points = loadLatency(cache, kEndpoint, kRoute, 0, kPointsPerBatch * 1000 - 1);
    ASSERT_TRUE(points);
    EXPECT_EQ(qint64(points->points.size()), kPointsPerBatch);
    std::set<std::pair<QString, QString>> found;
    for (const QString &endpoint : {actionEndpoint(0), actionEndpoint(1)}) {
        const auto actions = loadActions(cache, endpoint, 0, 0);
        ASSERT_TRUE(actions);
        for (const LocalAction &a : actions->second) {
            const int batch = int(a.timeMs);
            EXPECT_EQ(a, sampleAction(batch, batch)) << "batch " << batch;
            EXPECT_EQ(endpoint, actionEndpoint(batch)) << "batch " << batch;
            found.emplace(endpoint, a.requestId);
        }
    }
    for (const auto &acknowledged : ackedActions) {
        EXPECT_TRUE(found.count(acknowledged))
            << "acknowledged action " << qPrintable(acknowledged.second) << " on "
            << qPrintable(acknowledged.first);
    }
}

// Rounds in all (SB_CRASH_ROUNDS overrides, e.g. 2000 by hand), split over
// kShards tests so ctest runs them side by side.
int totalRounds()
{
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("SB_CRASH_ROUNDS", &ok);
    return ok && n > 0 ? n : 200;
}

constexpr int kShards = 8;

} // namespace

class StoreCrash : public ::testing::TestWithParam<int>
{};

TEST_P(StoreCrash, KilledWriterLosesNoAcknowledgedBatch)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const int shard = GetParam();
    const int rounds = totalRounds();
    int done = 0;
    for (int round = shard; round < rounds; round += kShards) {
        SCOPED_TRACE(round);
        killRound(dir, round);
        if (HasFailure())
            return;
        const QString path = dir.filePath(QStringLiteral("crash-%1.sqlite").arg(round));
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(path + QLatin1String(suffix));
        ++done;
    }
    std::printf("shard %d: %d SIGKILL rounds, every acknowledged row there\n", shard, done);
}

INSTANTIATE_TEST_SUITE_P(Shards, StoreCrash, ::testing::Range(0, kShards));

} // namespace sb::test
