// memory_bench: resident memory of the series store at fleet scale (DESIGN
// targets: <= 200 MB with 50 series x 1 h live, <= 300 MB with 50 x 24 h).
// Feeds a SeriesStore as the console does (closed seconds, trimmed to its
// windows: seconds for 1 h, with sketches for the newest 15 min, minutes for
// 24 h) with per-second aggregates of ~300 heavy-tailed requests each, and
// reports resident memory above the process's own baseline measured in the
// same run before the store exists, plus the store's own estimate.
//
//   memory_bench [SERIES=50]

#include "core/series_store.h"

#include <QtGlobal>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

using namespace sb;

namespace {

double residentMb()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char **argv)
{
    const int nSeries = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
    // A pool of distinct per-second aggregates, reused (building 4.3M sketches
    // sample by sample would measure the generator, not the store).
    std::mt19937 rng(9);
    std::vector<SeriesAggregate> pool;
    for (int i = 0; i < 600; ++i) {
        std::lognormal_distribution<double> d(std::log(80.0 + i % 300), 0.6);
        SeriesAggregate a;
        for (int k = 0; k < 300; ++k) {
            const double v = d(rng);
            ++a.count;
            a.latency.record(v);
            a.ttft.record(v / 5);
        }
        pool.push_back(std::move(a));
    }
    const double baseline = residentMb();

    SeriesStore store;
    const qint64 t0 = 1'790'000'040'000;
    auto feed = [&](qint64 fromS, qint64 toS) {
        for (qint64 s = fromS; s < toS; ++s) {
            std::vector<SeriesSecond> batch;
            for (int k = 0; k < nSeries; ++k)
                batch.push_back({SeriesId(k), t0 + s * 1000,
                                 pool[std::size_t((s * 7 + k) % qint64(pool.size()))]});
            store.append(batch);
            if (s % 60 == 0)
                store.trim(t0 + s * 1000);
        }
        store.trim(t0 + toS * 1000);
    };
    for (int k = 0; k < nSeries; ++k)
        store.setKey(
            SeriesId(k),
            {QStringLiteral("route-%1").arg(k % 5), QStringLiteral("model-%1").arg(k), {}});
    feed(0, 3600);
    const double hourMb = residentMb() - baseline;
    const double hourEst = double(store.memoryBytes()) / (1024.0 * 1024.0);
    std::printf("%d series x 1 h live: resident +%.1f MB (store's estimate %.1f MB) | target <= "
                "200 MB\n",
                nSeries, hourMb, hourEst);
    feed(3600, 24 * 3600);
    const double dayMb = residentMb() - baseline;
    const double dayEst = double(store.memoryBytes()) / (1024.0 * 1024.0);
    std::printf("%d series x 24 h (1 h of seconds, 24 h of minutes): resident +%.1f MB (store's "
                "estimate %.1f MB) | target <= 300 MB\n",
                nSeries, dayMb, dayEst);
    std::printf("SUMMARY memory_bench: %d series x 1 h live +%.0f MB resident, x 24 h +%.0f MB "
                "(above a same-run baseline of %.0f MB)\n",
                nSeries, hourMb, dayMb, baseline);
    return 0;
}
