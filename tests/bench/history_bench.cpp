// history_bench: the cache's series rollups (store/series_rollups.h) on a
// real SQLite file. Writes S series × H hours of per-second rollups (with
// their minutes) and reports rows/s, a row being one series-second, beside a
// bare writer that inserts one row per series-second (a pre-encoded blob of
// similar size) with one prepared statement: no summary, no sketch encoding,
// no minute merge. Then reads one series' 24 h at 1 s into plot points beside
// a bare SELECT of the bare table's 86,400 rows. Reports the file's bytes per
// stored second (minutes included) and what the 2 GiB default cap then holds
// for 50 such series; and the encoded size of a second at a quieter rate.
// Ends with one SUMMARY line.
//
//   history_bench [SERIES=20] [HOURS=24]          # the benchmark
//   history_bench --seed-cache PATH [HOURS=26]    # leaves a cache with sim-like
//                                                 # history ending now (screenshots)

#include "store/schema.h"
#include "store/series_rollups.h"
#include "store/series_rollups_codec.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sqlite3.h>
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

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc >= 3 && QByteArray(argv[1]) == "--seed-cache")
        return seedCache(QString::fromLocal8Bit(argv[2]), argc > 3 ? std::atoi(argv[3]) : 26);
    const int nSeries = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    const int hours = argc > 2 ? std::max(24, std::atoi(argv[2])) : 24;
    QTemporaryDir dir;
    const std::vector<SeriesKey> ks = keys(nSeries);
    const qint64 t0 = 1'790'000'040'000;

    // The same aggregates for both writers, built up front (not timed).
    std::mt19937 rng(5);
    std::vector<SeriesAggregate> oneHour;
    for (int s = 0; s < 3600; ++s)
        oneHour.push_back(second(rng, 80 + s % 40, s % 600 < 60));

    // --- rollup writer ---
    store::Database db;
    db.open(dir.filePath(QStringLiteral("rollups.sqlite")));
    store::prepareDatabase(db);
    store::SeriesRollups rollups(db);
    qint64 rows = 0;
    auto w0 = Clock::now();
    const double c0 = cpuMs();
    for (int h = 0; h < hours; ++h) {
        // Batches of a minute of all series, built as the controller builds
        // its pending rows (one copy of each aggregate), as the console's
        // flushes are (a few seconds each; larger here to amortise the commit).
        for (int m = 0; m < 60; ++m) {
            std::vector<SeriesRollup> part;
            part.reserve(std::size_t(nSeries) * 60);
            for (int s = m * 60; s < m * 60 + 60; ++s) {
                for (const auto &k : ks)
                    part.push_back(
                        {k, t0 + (qint64(h) * 3600 + s) * 1000, oneHour[std::size_t(s)]});
            }
            store::Transaction txn(db);
            rollups.appendSeconds(QStringLiteral("sim"), part);
            txn.commit();
            rollups.forget();
            rows += qint64(part.size());
        }
    }
    const double writeMs = msSince(w0);
    const double writeCpuMs = cpuMs() - c0;
    const qint64 stored = rollups.rowCount();

    // --- bare writer: same table shape, same encoded rows, one statement ---
    sqlite3 *bare = nullptr;
    sqlite3_open(qPrintable(dir.filePath(QStringLiteral("bare.sqlite"))), &bare);
    sqlite3_exec(bare,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;"
                 "CREATE TABLE r (series INTEGER NOT NULL, resolution INTEGER NOT NULL, "
                 "start_ms INTEGER NOT NULL, count INTEGER, errors INTEGER, fallbacks INTEGER, "
                 "tokens INTEGER, token_samples INTEGER, latency BLOB, ttft BLOB, "
                 "PRIMARY KEY (series, resolution, start_ms));",
                 nullptr, nullptr, nullptr);
    std::vector<QByteArray> blobs;
    for (const auto &a : oneHour)
        blobs.push_back(a.latency.serialize()); // a stand-in of similar size, encoded up front
    sqlite3_stmt *ins = nullptr;
    sqlite3_prepare_v2(bare, "INSERT INTO r VALUES (?1,1000,?2,?3,?4,?5,0,0,?6,?6)", -1, &ins,
                       nullptr);
    auto b0 = Clock::now();
    const double bc0 = cpuMs();
    for (int h = 0; h < hours; ++h) {
        for (int m = 0; m < 60; ++m) {
            sqlite3_exec(bare, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
            for (int s = m * 60; s < m * 60 + 60; ++s) {
                const auto &a = oneHour[std::size_t(s)];
                const QByteArray &blob = blobs[std::size_t(s)];
                for (int k = 0; k < nSeries; ++k) {
                    sqlite3_bind_int64(ins, 1, k);
                    sqlite3_bind_int64(ins, 2, t0 + (qint64(h) * 3600 + s) * 1000);
                    sqlite3_bind_int64(ins, 3, qint64(a.count));
                    sqlite3_bind_int64(ins, 4, qint64(a.errors));
                    sqlite3_bind_int64(ins, 5, qint64(a.fallbacks));
                    sqlite3_bind_blob(ins, 6, blob.constData(), int(blob.size() / 4),
                                      SQLITE_STATIC);
                    sqlite3_step(ins);
                    sqlite3_reset(ins);
                }
            }
            sqlite3_exec(bare, "COMMIT", nullptr, nullptr, nullptr);
        }
    }
    const double bareWriteMs = msSince(b0);
    const double bareCpuMs = cpuMs() - bc0;
    sqlite3_finalize(ins);

    // --- one series' last 24 h at 1 s ---
    SeriesQuery q;
    q.endpoint = QStringLiteral("sim");
    q.route = ks[0].route;
    q.model = ks[0].model;
    q.variant = ks[0].variant;
    q.toMs = t0 + qint64(hours) * 3600 * 1000;
    q.fromMs = q.toMs - 24LL * 3600 * 1000;
    double readMs = 1e9;
    std::size_t points = 0;
    for (int rep = 0; rep < 3; ++rep) {
        auto r0 = Clock::now();
        points = rollups.load(q).size();
        readMs = std::min(readMs, msSince(r0));
    }
    sqlite3_stmt *sel = nullptr;
    sqlite3_prepare_v2(bare,
                       "SELECT start_ms, count, errors, fallbacks, latency, ttft FROM r WHERE "
                       "series=0 AND resolution=1000 AND start_ms>=?1 AND start_ms<?2 "
                       "ORDER BY start_ms",
                       -1, &sel, nullptr);
    double bareReadMs = 1e9;
    qint64 bareRows = 0;
    for (int rep = 0; rep < 3; ++rep) {
        auto r0 = Clock::now();
        sqlite3_bind_int64(sel, 1, q.fromMs);
        sqlite3_bind_int64(sel, 2, q.toMs);
        bareRows = 0;
        qint64 bytes = 0;
        while (sqlite3_step(sel) == SQLITE_ROW) {
            bytes += sqlite3_column_bytes(sel, 4);
            ++bareRows;
        }
        sqlite3_reset(sel);
        bareReadMs = std::min(bareReadMs, msSince(r0));
        (void)bytes;
    }
    sqlite3_finalize(sel);
    sqlite3_close(bare);
    const qint64 fileBytes = QFile(dir.filePath(QStringLiteral("rollups.sqlite"))).size();

    const double rate = double(rows) / (writeMs / 1000.0);
    const double bareRate = double(bareRows > 0 ? rows : 0) / (bareWriteMs / 1000.0);
    const double perSecond = double(fileBytes) / double(rows);
    // The default cap over 50 series like these: days of seconds (with their minutes).
    const double capDays = double(SeriesRetention{}.maxBytes) / (perSecond * 50 * 86400);
    std::printf("write %d series x %d h: %lld series-seconds (%lld chunk rows with the minutes), "
                "%.0f ms, %.0f rows/s | bare insert of one row per series-second %.0f ms, %.0f "
                "rows/s | ratio %.2f\n",
                nSeries, hours, static_cast<long long>(rows), static_cast<long long>(stored),
                writeMs, rate, bareWriteMs, bareRate, rate / bareRate);
    std::printf("write by CPU time: %.0f rows/s | bare %.0f rows/s | ratio %.2f\n",
                double(rows) / (writeCpuMs / 1000.0), double(rows) / (bareCpuMs / 1000.0),
                bareCpuMs / writeCpuMs);
    std::printf("storage: file %.0f MB, %.0f B per stored second (300 req/s/series); the 2 GiB cap "
                "holds %.1f days of seconds for 50 such series (target 7)\n",
                double(fileBytes) / 1e6, perSecond, capDays);
    // Encoded payload (summary + both sketches) of one second at two rates.
    for (int requests : {300, 20}) {
        std::mt19937 r2(9);
        double bytes = 0;
        for (int i = 0; i < 600; ++i) {
            const SeriesAggregate a = second(r2, 120, i % 10 == 0, requests);
            QByteArray summary;
            store::rollup_codec::appendSummary(summary, SeriesStore::summarize(0, 1000, a));
            bytes += double(summary.size() + store::rollup_codec::encodeSketches(a).size() + 4);
        }
        std::printf("encoded second at %d req/s: %.0f B (summary, sketches, entry headers)\n",
                    requests, bytes / 600);
    }
    std::printf("read one series 24 h at 1 s: %zu points in %.1f ms (stored summaries, no sketch "
                "decoded) | bare select of %lld rows %.1f ms | ratio %.2fx\n",
                points, readMs, static_cast<long long>(bareRows), bareReadMs, readMs / bareReadMs);
    std::printf("SUMMARY history_bench: %.0f series-seconds/s written (%.2fx a bare one-row-per-"
                "second insert; target 500000); one series 24 h at 1 s read in %.1f ms (%.2fx a "
                "bare select; target 20 ms); %.0f B/s stored, 2 GiB = %.1f days x 50 series\n",
                rate, rate / bareRate, readMs, readMs / bareReadMs, perSecond, capDays);
    return 0;
}
