#include "native_series.h"

#include "core/latency_sketch.h"

namespace sb::test {

NativeSeries::NativeSeries(QString metric, QString route, int schema)
    : m_metric(std::move(metric)), m_route(std::move(route)), m_schema(schema)
{}

void NativeSeries::observe(double value, uint64_t times)
{
    m_buckets[LatencySketch::bucketIndex(value, m_schema) + 1] += times;
    m_count += times;
    m_sum += value * double(times);
}

prometheus::TimeSeries *NativeSeries::sampleInto(prometheus::WriteRequest &req, qint64 timeMs) const
{
    auto *ts = req.add_timeseries();
    auto *l = ts->add_labels();
    l->set_name("__name__");
    l->set_value(m_metric.toStdString());
    l = ts->add_labels();
    l->set_name("route");
    l->set_value(m_route.toStdString());
    auto *h = ts->add_histograms();
    h->set_count_int(m_count);
    h->set_sum(m_sum);
    h->set_schema(m_schema);
    h->set_zero_threshold(1e-128);
    h->set_zero_count_int(0);
    h->set_timestamp(timeMs);
    // Spans of consecutive indexes, counts delta-encoded (remote write 1.0).
    int32_t prev = 0;
    int64_t prevCount = 0;
    bool first = true;
    prometheus::BucketSpan *span = nullptr;
    for (const auto &[idx, c] : m_buckets) {
        if (first || idx != prev + 1) {
            span = h->add_positive_spans();
            span->set_offset(first ? idx : idx - prev - 1);
            span->set_length(0);
        }
        span->set_length(span->length() + 1);
        h->add_positive_deltas(int64_t(c) - prevCount);
        prevCount = int64_t(c);
        prev = idx;
        first = false;
    }
    return ts;
}

} // namespace sb::test
