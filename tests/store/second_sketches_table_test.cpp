// Schema v11 on real SQLite files: the per-second sketches live in their own
// table, keyed minute first. A version-10 file (sketches inline, some rows
// already compacted) is migrated and every row still reads exactly; a file
// this build wrote is refused by a build that knows only version 10 and left
// untouched; and dropping a day's sketches frees whole pages while the
// summary rows stay exactly as written.

#include "../support/deflated_summaries.h"
#include "store/schema.h"
#include "store/series_rollups.h"
#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"
#include "store_test_util.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <random>

namespace sb::test {

namespace {

namespace codec = store::rollup_codec;

const QString kSim = QStringLiteral("sim");
const SeriesKey kChat{QStringLiteral("chat"), QStringLiteral("atlas"), {}};
constexpr qint64 kMinute = 1'700'000'040'000;

SeriesAggregate busySecond(std::mt19937 &rng)
{
    std::lognormal_distribution<double> d(std::log(120.0), 0.5);
    SeriesAggregate a;
    for (int i = 0; i < 200; ++i) {
        ++a.count;
        a.latency.record(d(rng));
        a.ttft.record(d(rng) / 5);
    }
    a.errors = 2;
    return a;
}

SeriesQuery chat(qint64 fromMs, qint64 toMs, Resolution r)
{
    SeriesQuery q;
    q.endpoint = kSim;
    q.route = kChat.route;
    q.model = kChat.model;
    q.variant = kChat.variant;
    q.fromMs = fromMs;
    q.toMs = toMs;
    q.resolution = r;
    return q;
}

QByteArray fileHash(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly)
               ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
               : QByteArray();
}

// One minute's row blobs as a version-10 build wrote them (start: its first second).
std::pair<QByteArray, QByteArray> v10Row(qint64 start, qint64 step,
                                         const std::vector<SeriesAggregate> &intervals)
{
    QByteArray summary, sketches;
    for (int slot = 0; slot < int(intervals.size()); ++slot) {
        QByteArray one;
        codec::appendSummary(
            one, SeriesStore::summarize(start + slot * step, step, intervals[std::size_t(slot)]));
        codec::appendEntry(summary, slot, one.constData(), one.size());
        one = codec::encodeSketches(intervals[std::size_t(slot)]);
        codec::appendEntry(sketches, slot, one.constData(), one.size());
    }
    return {summary, sketches};
}

} // namespace

TEST(SecondSketchesTable, AVersion10FileIsMigratedAndEveryRowStillReads)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v10.sqlite"));
    std::mt19937 rng(3);
    std::vector<SeriesAggregate> first(60), second(60);
    for (auto &a : first)
        a = busySecond(rng);
    for (auto &a : second)
        a = busySecond(rng);
    SeriesAggregate firstMinute;
    for (const auto &a : first)
        firstMinute.merge(a);
    {
        // A version-10 console's file: a minute of seconds with their sketches
        // inline, the next one compacted (packed summaries, no sketches), and
        // the first minute's own row.
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(10));
        db.exec("INSERT INTO series (endpoint, route, model, variant) "
                "VALUES ('sim', 'chat', 'atlas', '')");
        auto insert = [&](qint64 resolution, qint64 start, const QByteArray &summary,
                          const QByteArray &sketches) {
            db.prepare("INSERT INTO series_chunks VALUES (1, ?1, ?2, ?3, ?4)")
                .bind(1, resolution)
                .bind(2, start)
                .bind(3, summary)
                .bind(4, sketches)
                .exec();
        };
        const auto [s1, k1] = v10Row(kMinute, 1000, first);
        insert(1000, kMinute, s1, k1);
        const auto [s2, k2] = v10Row(kMinute + 60'000, 1000, second);
        // The compacted minute, its summaries packed as v10 did (deflate).
        insert(1000, kMinute + 60'000, deflatedSummaries(s2), QByteArray(""));
        const auto [m, mk] = v10Row(kMinute, 60'000, {firstMinute});
        insert(60'000, kMinute, m, mk);
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("10"));

    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("11"));
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT count(*) FROM series_second_sketches")),
              QStringLiteral("1"));
    // Both minutes' seconds read as they were written...
    const auto points = loadSeries(cache, chat(kMinute, kMinute + 120'000, Resolution::Second));
    ASSERT_TRUE(points);
    ASSERT_EQ(points->size(), 120u);
    EXPECT_EQ(points->at(7), SeriesStore::summarize(kMinute + 7000, 1000, first[7]));
    EXPECT_EQ(points->at(67), SeriesStore::summarize(kMinute + 67'000, 1000, second[7]));
    // ...the uncompacted minute's sketches too (the compacted one has none)...
    const auto sketches =
        loadSeriesSketches(cache, chat(kMinute, kMinute + 120'000, Resolution::Second));
    ASSERT_TRUE(sketches);
    ASSERT_EQ(sketches->size(), 60u) << "moved sketches read as gaps";
    EXPECT_EQ(sketches->at(7).second, first[7].latency);
    // ...and the minute's row, which kept its sketches beside its summary.
    const auto minute = loadSeries(cache, chat(kMinute, kMinute + 60'000, Resolution::Minute));
    ASSERT_TRUE(minute && minute->size() == 1u);
    EXPECT_EQ(minute->front(), SeriesStore::summarize(kMinute, 60'000, firstMinute));
    // A late second into the migrated minute merges with the moved sketches.
    SeriesRollup replay{kChat, kMinute + 7000, busySecond(rng)}; // stored already: ignored
    cache.appendSeriesSeconds(kSim, {replay});
    const auto again =
        loadSeriesSketches(cache, chat(kMinute, kMinute + 60'000, Resolution::Second));
    ASSERT_TRUE(again && again->size() == 60u);
    EXPECT_EQ(again->at(7).second, first[7].latency);
    // Retention drops the moved sketches like any others; the seconds stay.
    const auto pruned =
        pruneSeries(cache, SeriesRetention{}, kMinute + 2 * SeriesRetention::kDayMs);
    ASSERT_TRUE(pruned);
    EXPECT_EQ(pruned->compactedRows, 1);
    const auto after = loadSeries(cache, chat(kMinute, kMinute + 120'000, Resolution::Second));
    ASSERT_TRUE(after);
    EXPECT_EQ(*after, *points);
}

TEST(SecondSketchesTable, AVersion10BuildRefusesAFileThisBuildWroteAndLeavesItUntouched)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v11.sqlite"));
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened && opened->first);
        std::mt19937 rng(5);
        cache.appendSeriesSeconds(kSim, {{kChat, kMinute, busySecond(rng)}});
        ASSERT_TRUE(flushAndWait(cache));
    }
    // The second's sketches are only in the new table: a version-10 build
    // would read the second as having none.
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT length(sketches) FROM series_chunks "
                                             "WHERE resolution=1000")),
              QStringLiteral("0"));
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT count(*) FROM series_second_sketches")),
              QStringLiteral("1"));
    const QByteArray before = fileHash(file);
    store::Database db;
    db.open(file);
    try {
        store::prepareDatabase(db, store::migrations().first(10)); // what a v10 build runs
        FAIL() << "a version-10 build opened a version-11 file";
    } catch (const store::SchemaError &e) {
        EXPECT_TRUE(e.message().contains(QStringLiteral("newer Switchboard")))
            << qPrintable(e.message());
        EXPECT_TRUE(e.message().contains(QStringLiteral("schema version 11")))
            << qPrintable(e.message());
        EXPECT_TRUE(e.message().contains(QStringLiteral("knows up to 10")))
            << qPrintable(e.message());
    }
    db.close();
    EXPECT_EQ(fileHash(file), before) << "the refused file was modified";
}

TEST(SecondSketchesTable, DroppingADaysSketchesFreesWholePagesAndKeepsTheSummariesAsWritten)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));
    Cache cache;
    ASSERT_TRUE(openAndWait(cache, file));
    SeriesRetention keepAll;
    keepAll.secondsMs = keepAll.minutesMs = 1LL << 50;
    keepAll.maxBytes = keepAll.sketchSecondsMs = 0;
    const auto empty = pruneSeries(cache, keepAll, kMinute);
    ASSERT_TRUE(empty); // the schema's pages
    // Two series, three hours, two days ago, in hourly batches.
    std::mt19937 rng(8);
    const SeriesKey other{kChat.route, QStringLiteral("borealis"), {}};
    for (int h = 0; h < 3; ++h) {
        std::vector<SeriesRollup> batch;
        for (int s = 0; s < 3600; ++s) {
            const qint64 t = kMinute + (h * 3600 + s) * 1000LL;
            batch.push_back({kChat, t, busySecond(rng)});
            batch.push_back({other, t, busySecond(rng)});
        }
        cache.appendSeriesSeconds(kSim, batch);
    }
    ASSERT_TRUE(flushAndWait(cache));
    const QString written =
        queryFile(file, QStringLiteral("SELECT sum(rowid * length(summary)) FROM series_chunks"));
    const qint64 now = kMinute + 2 * SeriesRetention::kDayMs;
    const auto pruned = pruneSeries(cache, SeriesRetention{}, now);
    ASSERT_TRUE(pruned);
    EXPECT_EQ(pruned->compactedRows, 2 * 180);
    EXPECT_EQ(pruned->deletedRows, 0);
    // The summary rows were not rewritten (same rows, same bytes)...
    EXPECT_EQ(queryFile(file, QStringLiteral("SELECT sum(rowid * length(summary)) "
                                             "FROM series_chunks")),
              written);
    // ...and what stays in use is about what they hold: the sketches' pages
    // went whole, none left half empty.
    const qint64 payload =
        queryFile(file, QStringLiteral("SELECT sum(length(summary) + length(sketches)) "
                                       "FROM series_chunks"))
            .toLongLong();
    const qint64 page = queryFile(file, QStringLiteral("PRAGMA page_size")).toLongLong();
    EXPECT_LT(pruned->bytesAfter - empty->bytesAfter, payload * 11 / 10 + 3 * page)
        << "payload " << payload << " B, pages in use " << pruned->bytesAfter << " B, of them "
        << empty->bytesAfter << " B before any rollup";
    const auto secs = loadSeries(cache, chat(kMinute, kMinute + 3 * 3'600'000, Resolution::Second));
    ASSERT_TRUE(secs);
    EXPECT_EQ(secs->size(), 3u * 3600);
}

} // namespace sb::test
