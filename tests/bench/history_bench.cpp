// history_bench: the cache's series rollups (store/series_rollups.h) on a
// real SQLite file, each figure beside a same-run baseline:
// - write: S series x H hours of per-second rollups (with their minutes)
//   through SeriesRollups, in one transaction per minute of all series (as
//   the controller's flushes batch them); rows/s, a row being one
//   series-second. Only appendSeconds and the commit are timed (building the
//   aggregates is the caller's). Baseline: a bare writer inserting the very
//   chunk bytes the rollups stored (same table shape, same transactions, one
//   prepared statement): what SQLite alone costs for those bytes, so the
//   ratio is the encoding's and the bookkeeping's share.
// - storage: pages in use per series-second (minutes included), and what
//   the 2 GiB default cap then holds for 50 such series (target: 7 days).
// - read: the file is filled to >= FILL series-seconds (the written rows
//   copied under other series ids, so the B-tree and the file are that big),
//   then one series' 24 h at 1 s is read into plot points, beside a bare
//   SELECT of the same rows' summary bytes from the same file; also one
//   route (4 series merged from their sketches) over 1 h at 1 s.
// - retention: then every row is compacted as a week-old cache's would be
//   (per-second sketches dropped past a day, SeriesRollups::compactSketches,
//   in the cache's batches): rows/s, bytes per series-second of that layout,
//   and the days 2 GiB holds for 50 series with the newest day at the full
//   layout (target 7).
// Ends with one SUMMARY line.
//
//   history_bench [SERIES=20] [HOURS=24] [FILL=10000000]   # e.g. 5 1 0 under callgrind
//   history_bench --seed-cache PATH [HOURS=26]    # leaves a cache with sim-like
//                                                 # history ending now (screenshots)

#include "store/schema.h"
#include "store/series_rollups.h"
#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <time.h>

using namespace sb;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// This process's CPU time (user + system), ms: on a shared machine the wall
// clock also counts other processes' turns.
double cpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Wall and CPU time of what runs between start() and stop(), summed.
struct Timer
{
    double wallMs = 0, cpu = 0;
    Clock::time_point w0;
    double c0 = 0;
    void start()
    {
        w0 = Clock::now();
        c0 = cpuMs();
    }
    void stop()
    {
        wallMs += msSince(w0);
        cpu += cpuMs() - c0;
    }
};

// A failed statement ends the run through main's catch, so the temporary
// folder (GBs at the larger sizes) is removed on the way out.
void sql(sqlite3 *db, const char *text)
{
    char *err = nullptr;
    if (sqlite3_exec(db, text, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string what = std::string(text) + ": " + (err ? err : "?");
        sqlite3_free(err);
        throw std::runtime_error(what);
    }
}

qint64 bytesInUse(sqlite3 *db)
{
    auto one = [&](const char *q) {
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(db, q, -1, &s, nullptr);
        const qint64 v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_finalize(s);
        return v;
    };
    return (one("PRAGMA page_count") - one("PRAGMA freelist_count")) * one("PRAGMA page_size");
}

// A per-second aggregate like a busy series' (~300 requests, heavy tail;
// `slow` adds a second mode, as a struggling fallback would).
SeriesAggregate second(std::mt19937 &rng, double scaleMs, bool slow, int requests = 300)
{
    std::lognormal_distribution<double> d(std::log(scaleMs), 0.5);
    std::lognormal_distribution<double> tail(std::log(scaleMs * 12), 0.3);
    SeriesAggregate a;
    for (int i = 0; i < requests; ++i) {
        const double v = slow && i % 5 == 0 ? tail(rng) : d(rng);
        ++a.count;
        a.latency.record(v);
        a.ttft.record(v / 5);
    }
    a.errors = slow ? 6 : 0;
    a.fallbacks = slow ? 30 : 1;
    return a;
}

std::vector<SeriesKey> keys(int n)
{
    std::vector<SeriesKey> out;
    for (int i = 0; i < n; ++i)
        out.push_back(
            {QStringLiteral("route-%1").arg(i % 5), QStringLiteral("model-%1").arg(i), {}});
    return out;
}

int seedCache(const QString &path, int hours)
{
    store::Database db;
    db.open(path);
    store::prepareDatabase(db);
    store::SeriesRollups rollups(db);
    const std::vector<std::pair<SeriesKey, double>> series = {
        {{QStringLiteral("chat"), QStringLiteral("atlas-xl"), {}}, 1400},
        {{QStringLiteral("chat"), QStringLiteral("atlas-mini"), {}}, 600},
        {{QStringLiteral("embed"), QStringLiteral("vega-embed-small"), {}}, 90},
    };
    std::mt19937 rng(11);
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
    const qint64 from = now - qint64(hours) * 3600 * 1000;
    for (qint64 hourStart = from; hourStart < now; hourStart += 3600 * 1000) {
        std::vector<SeriesRollup> batch;
        for (qint64 t = hourStart; t < std::min(now, hourStart + 3600 * 1000); t += 1000) {
            // Skip a stretch (a console that was closed) and slow down in the afternoon.
            if ((t - from) / 60000 % 240 < 10)
                continue;
            const bool slow = (t / 3600000) % 24 == 14;
            for (const auto &[key, scale] : series)
                batch.push_back({key, t, second(rng, scale, slow && key.route == "chat")});
        }
        store::Transaction txn(db);
        rollups.appendSeconds(QStringLiteral("sim"), batch);
        txn.commit();
    }
    std::printf("seeded %s: %d h of %zu series ending now (endpoint \"sim\")\n", qPrintable(path),
                hours, series.size());
    return 0;
}

} // namespace

int run(int argc, char **argv);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    try {
        if (argc >= 3 && QByteArray(argv[1]) == "--seed-cache")
            return seedCache(QString::fromLocal8Bit(argv[2]), argc > 3 ? std::atoi(argv[3]) : 26);
        return run(argc, argv);
    } catch (const std::exception &e) {
        // run()'s QTemporaryDir is gone by now, with everything in it.
        std::fprintf(stderr, "history_bench: %s\n", e.what());
        return 1;
    }
}

int run(int argc, char **argv)
{
    const int nSeries = argc > 1 ? std::max(5, std::atoi(argv[1])) : 20;
    const int hours = argc > 2 ? std::max(1, std::atoi(argv[2])) : 24; // < 24: a profile run
    const qint64 fill = argc > 3 ? std::atoll(argv[3]) : 10'000'000;
    QTemporaryDir dir;
    const std::vector<SeriesKey> ks = keys(nSeries);
    const qint64 t0 = 1'790'000'040'000;

    // The same aggregates for every series and hour, built up front (not timed).
    std::mt19937 rng(5);
    std::vector<SeriesAggregate> oneHour;
    for (int s = 0; s < 3600; ++s)
        oneHour.push_back(second(rng, 80 + s % 40, s % 600 < 60));

    // --- rollup writer ---
    const QString rollupPath = dir.filePath(QStringLiteral("rollups.sqlite"));
    store::Database db;
    db.open(rollupPath);
    store::prepareDatabase(db);
    store::SeriesRollups rollups(db);
    qint64 rows = 0;
    Timer write;
    std::vector<SeriesRollup> part;
    for (int h = 0; h < hours; ++h) {
        for (int m = 0; m < 60; ++m) {
            part.clear();
            part.reserve(std::size_t(nSeries) * 60);
            for (int s = m * 60; s < m * 60 + 60; ++s) {
                for (const auto &k : ks)
                    part.push_back(
                        {k, t0 + (qint64(h) * 3600 + s) * 1000, oneHour[std::size_t(s)]});
            }
            write.start();
            store::Transaction txn(db);
            rollups.appendSeconds(QStringLiteral("sim"), part);
            txn.commit();
            write.stop();
            rollups.forget(); // as the cache does after each job
            rows += qint64(part.size());
        }
    }
    const qint64 chunkRows = rollups.rowCount();
    const qint64 rollupBytes = bytesInUse(db.handle());

    // --- bare writer: the same chunk bytes, same table, same transactions ---
    // The aggregates repeat every hour for every series, so the first hour of
    // the first series' stored rows are the bytes of every hour of every series.
    std::vector<std::pair<QByteArray, QByteArray>> secondRows(60), minuteRows(60);
    {
        sqlite3_stmt *q = nullptr;
        sqlite3_prepare_v2(
            db.handle(),
            "SELECT c.resolution, c.start_ms, c.summary, CASE WHEN c.resolution=1000 "
            "THEN s.sketches ELSE c.sketches END FROM series_chunks c LEFT JOIN "
            "series_second_sketches s ON c.resolution=1000 AND "
            "s.id=c.start_ms/60000*16777216+c.series "
            "WHERE c.series=(SELECT id FROM series WHERE model='model-0') "
            "AND c.start_ms>=?1 AND c.start_ms<?2",
            -1, &q, nullptr);
        sqlite3_bind_int64(q, 1, t0);
        sqlite3_bind_int64(q, 2, t0 + 3600 * 1000);
        while (sqlite3_step(q) == SQLITE_ROW) {
            const auto slot = std::size_t((sqlite3_column_int64(q, 1) - t0) / 60'000);
            auto blob = [&](int c) {
                return QByteArray(static_cast<const char *>(sqlite3_column_blob(q, c)),
                                  sqlite3_column_bytes(q, c));
            };
            auto &into = sqlite3_column_int64(q, 0) == 1000 ? secondRows : minuteRows;
            into[slot] = {blob(2), blob(3)};
        }
        sqlite3_finalize(q);
    }
    sqlite3 *bare = nullptr;
    sqlite3_open(qPrintable(dir.filePath(QStringLiteral("bare.sqlite"))), &bare);
    // The same tables, page size and journal as the cache's.
    const QByteArray bareSchema =
        QStringLiteral("PRAGMA page_size=%1; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "CREATE TABLE series_chunks (series INTEGER NOT NULL, resolution INTEGER "
                       "NOT NULL, start_ms INTEGER NOT NULL, summary BLOB NOT NULL, sketches BLOB "
                       "NOT NULL, PRIMARY KEY (series, resolution, start_ms));"
                       "CREATE TABLE series_second_sketches (id INTEGER PRIMARY KEY, sketches BLOB "
                       "NOT NULL);")
            .arg(db.queryInt("PRAGMA page_size"))
            .toUtf8();
    sql(bare, bareSchema.constData());
    sqlite3_stmt *ins = nullptr, *insSketches = nullptr;
    sqlite3_prepare_v2(bare, "INSERT INTO series_chunks VALUES (?1,?2,?3,?4,?5)", -1, &ins,
                       nullptr);
    sqlite3_prepare_v2(bare, "INSERT INTO series_second_sketches VALUES (?1,?2)", -1, &insSketches,
                       nullptr);
    auto bindBlob = [](sqlite3_stmt *st, int i, const QByteArray &b) {
        sqlite3_bind_blob(st, i, b.constData(), int(b.size()), SQLITE_STATIC);
    };
    Timer bareWrite;
    for (int h = 0; h < hours; ++h) {
        for (int m = 0; m < 60; ++m) {
            bareWrite.start();
            sql(bare, "BEGIN IMMEDIATE");
            const qint64 at = t0 + (qint64(h) * 60 + m) * 60'000;
            for (int k = 0; k < nSeries; ++k) {
                for (const auto &[res, blobs] : {std::pair{1000, &secondRows[std::size_t(m)]},
                                                 std::pair{60'000, &minuteRows[std::size_t(m)]}}) {
                    sqlite3_bind_int64(ins, 1, k + 1);
                    sqlite3_bind_int64(ins, 2, res);
                    sqlite3_bind_int64(ins, 3, at);
                    bindBlob(ins, 4, blobs->first);
                    bindBlob(ins, 5, res == 1000 ? QByteArray("") : blobs->second);
                    sqlite3_step(ins);
                    sqlite3_reset(ins);
                    if (res != 1000)
                        continue;
                    sqlite3_bind_int64(insSketches, 1,
                                       store::SeriesRollups::secondSketchesKey(k + 1, at));
                    bindBlob(insSketches, 2, blobs->second);
                    sqlite3_step(insSketches);
                    sqlite3_reset(insSketches);
                }
            }
            sql(bare, "COMMIT");
            bareWrite.stop();
        }
    }
    sqlite3_finalize(insSketches);
    sqlite3_finalize(ins);
    const qint64 bareBytes = bytesInUse(bare);
    sqlite3_close(bare);

    // --- fill to >= `fill` series-seconds: the rows again under other ids ---
    qint64 stored = rows;
    const qint64 firstId = [&] {
        sqlite3_stmt *q = nullptr;
        sqlite3_prepare_v2(db.handle(), "SELECT min(series), max(series) FROM series_chunks", -1,
                           &q, nullptr);
        sqlite3_step(q);
        const qint64 v = sqlite3_column_int64(q, 1) + 1;
        sqlite3_finalize(q);
        return v;
    }();
    for (int copy = 0; stored < fill; ++copy) {
        const QByteArray copySql =
            QStringLiteral("INSERT INTO series_chunks SELECT series + %1, resolution, "
                           "start_ms, summary, sketches FROM series_chunks WHERE series < %2")
                .arg(firstId * (copy + 1) - 1)
                .arg(firstId)
                .toUtf8();
        // The copies are series of their own (another endpoint, so the route
        // read below still merges the original four), so retention sees them.
        const QByteArray seriesSql =
            QStringLiteral("INSERT INTO series (id, endpoint, route, model, variant) SELECT id + "
                           "%1, 'fill-%2', route, model, variant FROM series WHERE id < %3")
                .arg(firstId * (copy + 1) - 1)
                .arg(copy)
                .arg(firstId)
                .toUtf8();
        const QByteArray copySketchesSql =
            QStringLiteral("INSERT INTO series_second_sketches SELECT id + %1, sketches FROM "
                           "series_second_sketches WHERE id % %2 < %3")
                .arg(firstId * (copy + 1) - 1)
                .arg(store::SeriesRollups::kSeriesSpan)
                .arg(firstId)
                .toUtf8();
        sql(db.handle(), "BEGIN");
        sql(db.handle(), copySql.constData());
        sql(db.handle(), copySketchesSql.constData());
        sql(db.handle(), seriesSql.constData());
        sql(db.handle(), "COMMIT");
        stored += rows;
    }
    sql(db.handle(), "PRAGMA wal_checkpoint(TRUNCATE)");

    // --- one series' last 24 h at 1 s ---
    SeriesQuery q;
    q.endpoint = QStringLiteral("sim");
    q.route = ks[0].route;
    q.model = ks[0].model;
    q.variant = ks[0].variant;
    q.toMs = t0 + qint64(hours) * 3600 * 1000;
    q.fromMs = std::max(t0, q.toMs - 24LL * 3600 * 1000);
    double readMs = 1e9;
    std::size_t points = 0;
    for (int rep = 0; rep < 5; ++rep) {
        auto r0 = Clock::now();
        points = rollups.load(q).size();
        readMs = std::min(readMs, msSince(r0));
    }
    sqlite3_stmt *sel = nullptr;
    sqlite3_prepare_v2(db.handle(),
                       "SELECT start_ms, summary FROM series_chunks WHERE series=(SELECT id FROM "
                       "series WHERE model='model-0') AND resolution=1000 AND start_ms>=?1 AND "
                       "start_ms<?2 ORDER BY start_ms",
                       -1, &sel, nullptr);
    double bareReadMs = 1e9;
    qint64 bareRows = 0, bareRead = 0;
    for (int rep = 0; rep < 5; ++rep) {
        auto r0 = Clock::now();
        sqlite3_bind_int64(sel, 1, q.fromMs);
        sqlite3_bind_int64(sel, 2, q.toMs);
        bareRows = 0;
        bareRead = 0;
        while (sqlite3_step(sel) == SQLITE_ROW) {
            const auto *p = static_cast<const char *>(sqlite3_column_blob(sel, 1));
            const int n = sqlite3_column_bytes(sel, 1);
            for (int i = 0; i < n; i += 64)
                bareRead += p[i]; // touch the bytes
            ++bareRows;
        }
        sqlite3_reset(sel);
        bareReadMs = std::min(bareReadMs, msSince(r0));
    }
    sqlite3_finalize(sel);
    // One route (its 4 series merged from their sketches), the last hour at 1 s.
    SeriesQuery route = q;
    route.model.reset();
    route.variant.reset();
    route.fromMs = q.toMs - 3600 * 1000;
    double routeMs = 1e9;
    std::size_t routePoints = 0;
    for (int rep = 0; rep < 3; ++rep) {
        auto r0 = Clock::now();
        routePoints = rollups.load(route).size();
        routeMs = std::min(routeMs, msSince(r0));
    }

    // --- retention's compaction: every row past the sketch age, as a week-old cache ---
    const qint64 beforeCompact = bytesInUse(db.handle());
    Timer compact;
    qint64 compacted = 0;
    for (qint64 n = 1; n > 0; compacted += n) {
        compact.start();
        store::Transaction txn(db);
        n = rollups.compactSketches(q.toMs + 60'000, 2000); // Cache::kCompactBatchRows
        txn.commit();
        compact.stop();
    }
    const double compactPerSecond = double(bytesInUse(db.handle())) / double(stored);
    // 50 series: the newest day at the full layout, the rest compacted.
    const double dayBytes = 50.0 * 86400;
    const double retainedDays =
        1 + (double(SeriesRetention{}.maxBytes) - dayBytes * (double(rollupBytes) / double(rows))) /
                (dayBytes * compactPerSecond);
    const double weekGiB =
        dayBytes * (double(rollupBytes) / double(rows) + 6 * compactPerSecond) / double(1LL << 30);

    const double rate = double(rows) / (write.wallMs / 1000.0);
    const double bareRate = double(rows) / (bareWrite.wallMs / 1000.0);
    const double perSecond = double(rollupBytes) / double(rows);
    const double barePerSecond = double(bareBytes) / double(rows);
    // The default cap over 50 series like these: days of seconds (with their minutes).
    const double capDays = double(SeriesRetention{}.maxBytes) / (perSecond * 50 * 86400);
    std::printf("write %d series x %d h: %lld series-seconds (%lld chunk rows with the minutes) "
                "in %.0f ms: %.0f rows/s | bare insert of the same chunk bytes %.0f ms: %.0f "
                "rows/s | ratio %.2f\n",
                nSeries, hours, static_cast<long long>(rows), static_cast<long long>(chunkRows),
                write.wallMs, rate, bareWrite.wallMs, bareRate, rate / bareRate);
    std::printf("write by CPU time: %.0f rows/s | bare %.0f rows/s | ratio %.2f\n",
                double(rows) / (write.cpu / 1000.0), double(rows) / (bareWrite.cpu / 1000.0),
                bareWrite.cpu / write.cpu);
    std::printf("storage: %.0f MB in use, %.0f B per series-second (bare table of the same bytes "
                "%.0f B); the 2 GiB cap holds %.2f days of seconds for 50 such series (target 7, "
                "i.e. <= %.0f B)\n",
                double(rollupBytes) / 1e6, perSecond, barePerSecond, capDays,
                double(SeriesRetention{}.maxBytes) / (7.0 * 50 * 86400));
    // Would zlib pay on top? One chunk (a minute of seconds) of each blob.
    {
        const auto &[summary, sketches] = secondRows[5];
        Clock::time_point c0 = Clock::now();
        const QByteArray z1 = qCompress(sketches, 1);
        const double z1Ms = msSince(c0);
        const QByteArray entries = store::rollup_codec::unpackSummaries(summary);
        c0 = Clock::now();
        qsizetype inflated = 0;
        for (int i = 0; i < 1000; ++i)
            inflated += store::rollup_codec::unpackSummaries(summary).size();
        std::printf("a 1 s row's summaries: %lld B stored, %lld B unpacked; unpacking takes %.1f "
                    "us\n",
                    static_cast<long long>(summary.size()), static_cast<long long>(entries.size()),
                    msSince(c0) * 1000 / 1000 + 0 * double(inflated));
        std::printf("zlib of one chunk: sketches %lld B -> %lld B (level 1, %.2f ms) / %lld B "
                    "(level 9); summaries %lld B -> %lld B (level 9)\n",
                    static_cast<long long>(sketches.size()), static_cast<long long>(z1.size()),
                    z1Ms, static_cast<long long>(qCompress(sketches, 9).size()),
                    static_cast<long long>(summary.size()),
                    static_cast<long long>(qCompress(summary, 9).size()));
    }
    // Encoded payload of one second at two rates, by part.
    for (int requests : {300, 20}) {
        std::mt19937 r2(9);
        double summaryB = 0, latencyB = 0, ttftB = 0;
        for (int i = 0; i < 600; ++i) {
            const SeriesAggregate a = second(r2, 120, i % 10 == 0, requests);
            QByteArray summary;
            store::rollup_codec::appendSummary(summary, SeriesStore::summarize(0, 1000, a));
            summaryB += double(summary.size());
            latencyB += double(store::rollup_codec::encodeSketch(a.latency).size());
            ttftB += double(store::rollup_codec::encodeSketch(a.ttft).size());
        }
        std::printf("encoded second at %d req/s: summary %.0f B, latency sketch %.0f B, TTFT "
                    "sketch %.0f B (plus ~6 B of entry headers)\n",
                    requests, summaryB / 600, latencyB / 600, ttftB / 600);
    }
    std::printf("read one series 24 h at 1 s from a cache of %lld series-seconds (%.1f GB): %zu "
                "points in %.1f ms | bare select of the same %lld rows' summary bytes %.1f ms | "
                "ratio %.2fx\n",
                static_cast<long long>(stored), double(bytesInUse(db.handle())) / 1e9, points,
                readMs, static_cast<long long>(bareRows), bareReadMs, readMs / bareReadMs);
    std::printf("read one route (4 series merged from sketches) 1 h at 1 s: %zu points in %.1f "
                "ms\n",
                routePoints, routeMs);
    std::printf("retention: %lld chunk rows compacted (sketches dropped past a day) in %.0f ms "
                "(%.0f rows/s, in batches of 2000); %.1f GB -> %.1f GB in use: %.1f B per "
                "series-second compacted; 50 series in 2 GiB: %.2f days (newest day full); 7 days "
                "x 50 series need %.2f GiB\n",
                static_cast<long long>(compacted), compact.wallMs,
                double(compacted) / (compact.wallMs / 1000.0), double(beforeCompact) / 1e9,
                double(bytesInUse(db.handle())) / 1e9, compactPerSecond, retainedDays, weekGiB);
    std::printf("SUMMARY history_bench: %.0f series-seconds/s written (%.2fx a bare insert of the "
                "same bytes; target 500000); %.0f B per series-second stored (2 GiB = %.2f days x "
                "50 series; target 7); one series 24 h at 1 s read in %.1f ms from %.1fM "
                "series-seconds (%.2fx a bare select; target 20 ms); retained layout (sketches "
                "dropped past a day) %.1f B per series-second: 2 GiB = %.2f days x 50 series\n",
                rate, rate / bareRate, perSecond, capDays, readMs, double(stored) / 1e6,
                readMs / bareReadMs, compactPerSecond, retainedDays);
    (void)bareRead;
    return 0;
}
