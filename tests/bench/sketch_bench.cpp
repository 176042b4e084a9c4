// LatencySketch costs against baselines measured in the same run, so the
// figures survive a different machine: record() vs appending the raw value to
// a vector and vs one std::log2; merge vs adding two plain count arrays;
// quantile vs nth_element over the raw second; serialize vs a memcpy of the
// counts. A summary table of ratios is printed after the usual output.
//
// Run: build-core/tests/bench/sketch_bench [--benchmark_min_time=0.2]

#include "core/latency_sketch.h"

#include <QByteArray>
#include <algorithm>
#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using sb::LatencySketch;

namespace {

constexpr std::size_t kBatch = 4096;        // values per benchmark iteration
constexpr std::size_t kPerSecond = 100'000; // samples in one second of one route

const std::vector<double> &lognormalMs(std::size_t n = 1 << 16)
{
    static std::map<std::size_t, std::vector<double>> cache;
    auto &v = cache[n];
    if (v.empty()) {
        std::mt19937_64 rng(42);
        std::lognormal_distribution<double> d(std::log(80.0), 1.0); // median 80 ms
        v.resize(n);
        for (auto &x : v)
            x = d(rng);
    }
    return v;
}

const LatencySketch &oneSecondSketch()
{
    static const LatencySketch s = [] {
        LatencySketch out;
        for (double x : lognormalMs(kPerSecond))
            out.record(x);
        return out;
    }();
    return s;
}

void perItem(benchmark::State &state)
{
    state.counters["ns/value"] =
        benchmark::Counter(double(kBatch), benchmark::Counter::kIsIterationInvariantRate |
                                               benchmark::Counter::kInvert);
}

// --- record ---------------------------------------------------------------

void BM_Baseline_VectorPush(benchmark::State &state)
{
    const auto &values = lognormalMs();
    std::vector<double> out;
    out.reserve(kBatch);
    std::size_t at = 0;
    for (auto _ : state) {
        out.clear();
        for (std::size_t i = 0; i < kBatch; ++i)
            out.push_back(values[(at + i) & (values.size() - 1)]);
        at += kBatch;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    perItem(state);
}
BENCHMARK(BM_Baseline_VectorPush);

void BM_Baseline_Log2(benchmark::State &state)
{
    const auto &values = lognormalMs();
    std::size_t at = 0;
    for (auto _ : state) {
        double acc = 0;
        for (std::size_t i = 0; i < kBatch; ++i)
            acc += std::log2(values[(at + i) & (values.size() - 1)]);
        at += kBatch;
        benchmark::DoNotOptimize(acc);
    }
    perItem(state);
}
BENCHMARK(BM_Baseline_Log2);

// The index the first implementation computed: ceil(log2(v) * 2^6) - 1 with a
// frexp check for powers of two, counted into a plain array. Kept to show what
// the table-driven index buys.
void BM_Reference_LogIndexRecord(benchmark::State &state)
{
    const auto &values = lognormalMs();
    std::vector<uint32_t> counts(4096, 0);
    std::size_t at = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < kBatch; ++i) {
            const double v = values[(at + i) & (values.size() - 1)];
            int exp = 0;
            int32_t idx;
            if (std::frexp(v, &exp) == 0.5)
                idx = (exp - 1) * 64 - 1;
            else
                idx = int32_t(std::ceil(std::ldexp(std::log2(v), 6))) - 1;
            ++counts[std::size_t(idx + 2048) & 4095];
        }
        at += kBatch;
        benchmark::DoNotOptimize(counts.data());
    }
    perItem(state);
}
BENCHMARK(BM_Reference_LogIndexRecord);

void BM_Sketch_Record(benchmark::State &state)
{
    const auto &values = lognormalMs();
    LatencySketch s;
    std::size_t at = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < kBatch; ++i)
            s.record(values[(at + i) & (values.size() - 1)]);
        at += kBatch;
        benchmark::DoNotOptimize(s);
        if (s.count() > (uint64_t(1) << 30))
            s.clear(); // keep bucket counts far from 32-bit overflow
    }
    perItem(state);
}
BENCHMARK(BM_Sketch_Record);

// --- merge ----------------------------------------------------------------

void BM_Baseline_AddCountArrays(benchmark::State &state)
{
    const auto &src = oneSecondSketch().buckets();
    std::vector<uint32_t> dst(src.size(), 0);
    for (auto _ : state) {
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i] += src[i];
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_Baseline_AddCountArrays);

void BM_Sketch_Merge(benchmark::State &state)
{
    const LatencySketch &second = oneSecondSketch();
    LatencySketch minute;
    for (auto _ : state) {
        minute.merge(second);
        benchmark::DoNotOptimize(minute);
        if (minute.count() > (uint64_t(1) << 30))
            minute.clear();
    }
    state.SetLabel(std::to_string(second.buckets().size()) + " buckets");
}
BENCHMARK(BM_Sketch_Merge);

// --- quantile -------------------------------------------------------------

void BM_Baseline_ExactP99NthElement(benchmark::State &state)
{
    const auto &raw = lognormalMs(kPerSecond);
    std::vector<double> scratch(raw.size());
    for (auto _ : state) {
        std::copy(raw.begin(), raw.end(), scratch.begin());
        const auto k = std::ptrdiff_t(0.99 * double(scratch.size() - 1));
        std::nth_element(scratch.begin(), scratch.begin() + k, scratch.end());
        benchmark::DoNotOptimize(scratch[std::size_t(k)]);
    }
}
BENCHMARK(BM_Baseline_ExactP99NthElement)->Unit(benchmark::kMicrosecond);

void BM_Sketch_QuantileP99(benchmark::State &state)
{
    const LatencySketch &s = oneSecondSketch();
    for (auto _ : state)
        benchmark::DoNotOptimize(s.quantile(0.99));
}
BENCHMARK(BM_Sketch_QuantileP99);

// --- serialize ------------------------------------------------------------

void BM_Baseline_MemcpyCounts(benchmark::State &state)
{
    const auto &b = oneSecondSketch().buckets();
    for (auto _ : state) {
        QByteArray out(qsizetype(b.size() * sizeof(uint32_t)), Qt::Uninitialized);
        std::memcpy(out.data(), b.data(), b.size() * sizeof(uint32_t));
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_Baseline_MemcpyCounts);

void BM_Sketch_Serialize(benchmark::State &state)
{
    const LatencySketch &s = oneSecondSketch();
    for (auto _ : state) {
        QByteArray out = s.serialize();
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_Sketch_Serialize);

void BM_Sketch_Deserialize(benchmark::State &state)
{
    const QByteArray blob = oneSecondSketch().serialize();
    for (auto _ : state) {
        auto s = LatencySketch::deserialize(blob);
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(BM_Sketch_Deserialize);

// --- size of one second ---------------------------------------------------

void BM_Sketch_OneSecondOf100kSize(benchmark::State &state)
{
    // Not a timing: the cost of keeping one route-second, as counters.
    const auto &raw = lognormalMs(kPerSecond);
    for (auto _ : state) {
        LatencySketch s;
        for (double x : raw)
            s.record(x);
        benchmark::DoNotOptimize(s);
    }
    const LatencySketch &s = oneSecondSketch();
    const double rawBytes = double(raw.size() * sizeof(double));
    state.counters["sketch_bytes"] = double(s.memoryBytes());
    state.counters["serialized_bytes"] = double(s.serialize().size());
    state.counters["raw_bytes"] = rawBytes;
    state.counters["raw_per_sketch"] = rawBytes / double(s.memoryBytes());
    state.counters["buckets"] = double(s.buckets().size());
}
BENCHMARK(BM_Sketch_OneSecondOf100kSize)->Unit(benchmark::kMillisecond);

// Collects per-run times and prints ratios once everything has run.
class RatioReporter : public benchmark::ConsoleReporter
{
public:
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const auto &r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred)
                continue;
            // CPU time: the machine may be shared, and ns/value is CPU-based too.
            double t = r.GetAdjustedCPUTime() * unitToNs(r.time_unit);
            auto it = r.counters.find("ns/value");
            if (it != r.counters.end())
                t = it->second.value * 1e9;
            m_ns[r.benchmark_name()] = t;
            for (const auto &[k, c] : r.counters)
                m_counters[r.benchmark_name() + "." + k] = c.value;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    void Finalize() override
    {
        ConsoleReporter::Finalize();
        std::printf("\nRatios of CPU time (same run; < 1 means the sketch is cheaper):\n");
        ratio("record / vector push_back", "BM_Sketch_Record", "BM_Baseline_VectorPush");
        ratio("record / std::log2", "BM_Sketch_Record", "BM_Baseline_Log2");
        ratio("record / log-index record (original)", "BM_Sketch_Record",
              "BM_Reference_LogIndexRecord");
        ratio("merge / add two count arrays", "BM_Sketch_Merge", "BM_Baseline_AddCountArrays");
        ratio("p99 from sketch / exact nth_element of 100k", "BM_Sketch_QuantileP99",
              "BM_Baseline_ExactP99NthElement");
        ratio("serialize / memcpy of counts", "BM_Sketch_Serialize", "BM_Baseline_MemcpyCounts");
        ratio("deserialize / memcpy of counts", "BM_Sketch_Deserialize",
              "BM_Baseline_MemcpyCounts");
        std::printf("  record: %.2f ns/value (target <= 20 ns)\n", ns("BM_Sketch_Record"));
        const std::string size = "BM_Sketch_OneSecondOf100kSize.";
        std::printf("  1 s of 100k lognormal samples: sketch %.0f B in memory (target <= 8192), "
                    "%.0f B serialized, %.0fx smaller than the raw %.0f B\n",
                    m_counters[size + "sketch_bytes"], m_counters[size + "serialized_bytes"],
                    m_counters[size + "raw_per_sketch"], m_counters[size + "raw_bytes"]);
    }

private:
    static double unitToNs(benchmark::TimeUnit u)
    {
        switch (u) {
        case benchmark::kSecond:
            return 1e9;
        case benchmark::kMillisecond:
            return 1e6;
        case benchmark::kMicrosecond:
            return 1e3;
        case benchmark::kNanosecond:
            break;
        }
        return 1.0;
    }
    double ns(const std::string &name) const
    {
        auto it = m_ns.find(name);
        return it == m_ns.end() ? std::nan("") : it->second;
    }
    void ratio(const char *what, const std::string &a, const std::string &b) const
    {
        std::printf("  %-45s %10.4g  (%.2f ns vs %.2f ns)\n", what, ns(a) / ns(b), ns(a), ns(b));
    }

    std::map<std::string, double> m_ns;
    std::map<std::string, double> m_counters;
};

} // namespace

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
