// prom_demo: a real Prometheus with hours of native-histogram latency
// history, for screenshots and trying the console's --prometheus by hand.
// Starts Debian's Prometheus on 127.0.0.1 (temporary folder), remote-writes
// HOURS of two routes (ms, schema 6, a p99 spike 30 minutes ago), prints the
// URL and keeps serving until killed.
//
//   build/tests/prometheus/prom_demo 6 &
//   build/app/exe/switchboard --prometheus <url> --prometheus-selector latency_ms
//       --prometheus-unit ms

#include "core/latency_sketch.h"
#include "prometheus_server.h"

#include <QCoreApplication>
#include <QDateTime>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double hours = argc > 1 ? std::atof(argv[1]) : 6.0;
    sb::test::PrometheusServer server;
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "prom_demo: %s\n", qPrintable(error));
        return 1;
    }
    struct Route
    {
        const char *name;
        double median;
        std::map<int32_t, uint64_t> buckets;
        uint64_t count = 0;
        double sum = 0;
    };
    std::vector<Route> routes{{"chat", 420.0, {}, 0, 0}, {"summarize", 900.0, {}, 0, 0}};
    std::mt19937_64 rng(11);
    const qint64 tick = 15'000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 start = (now - qint64(hours * 3600'000)) / 60'000 * 60'000;
    prometheus::WriteRequest req;
    int n = 0;
    for (qint64 t = start; t <= now; t += tick) {
        const bool spike = std::abs(double(now - 1800'000 - t)) < 120'000;
        for (auto &r : routes) {
            std::lognormal_distribution<double> d(std::log(r.median), 0.5);
            double slowest = 0;
            for (int k = 0; k < 50; ++k) {
                double v = d(rng);
                if (spike && k % 10 == 0)
                    v *= 6;
                slowest = std::max(slowest, v);
                ++r.buckets[sb::LatencySketch::bucketIndex(v, 6) + 1];
                ++r.count;
                r.sum += v;
            }
            auto *ts = req.add_timeseries();
            auto *l = ts->add_labels();
            l->set_name("__name__");
            l->set_value("latency_ms");
            l = ts->add_labels();
            l->set_name("route");
            l->set_value(r.name);
            if (t > start) {
                // The slowest request of the tick as an exemplar (not with the
                // series' first sample: Prometheus would drop it).
                auto *e = ts->add_exemplars();
                e->set_value(slowest);
                e->set_timestamp(t);
                auto *el = e->add_labels();
                el->set_name("trace_id");
                char id[33];
                std::snprintf(id, sizeof id, "%016llx%016llx",
                              static_cast<unsigned long long>(rng()),
                              static_cast<unsigned long long>(rng()));
                el->set_value(id);
            }
            auto *h = ts->add_histograms();
            h->set_count_int(r.count);
            h->set_sum(r.sum);
            h->set_schema(6);
            h->set_zero_threshold(1e-128);
            h->set_zero_count_int(0);
            h->set_timestamp(t);
            int32_t prev = 0;
            int64_t prevCount = 0;
            bool first = true;
            prometheus::BucketSpan *span = nullptr;
            for (const auto &[idx, c] : r.buckets) {
                if (first || idx != prev + 1) {
                    span = h->add_positive_spans();
                    span->set_offset(first ? idx : idx - prev - 1);
                }
                span->set_length(span->length() + 1);
                h->add_positive_deltas(int64_t(c) - prevCount);
                prevCount = int64_t(c);
                prev = idx;
                first = false;
            }
        }
        if (++n % 20 == 0) {
            const auto a = server.write(req);
            if (a.status != 204)
                std::fprintf(stderr, "prom_demo: write: %d %s\n", a.status, a.body.constData());
            req.Clear();
        }
    }
    server.write(req);
    std::printf("prom_demo: %s\n", qPrintable(server.url()));
    std::fflush(stdout);
    return app.exec();
}
