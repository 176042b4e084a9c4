#pragma once

// One cumulative native-histogram series for remote write in tests: requests
// are observed, then the running totals are sent as a sample at a time (a
// cumulative sample at t counts every request up to t, so a request counted
// first at t happened in the scrape interval before t).

#include "prompb/remote.pb.h"

#include <QString>
#include <QtGlobal>
#include <cstdint>
#include <map>

namespace sb::test {

class NativeSeries
{
public:
    NativeSeries(QString metric, QString route, int schema = 6);
    void observe(double value, uint64_t times = 1);
    // The totals so far as one sample at timeMs (a new time series entry).
    prometheus::TimeSeries *sampleInto(prometheus::WriteRequest &req, qint64 timeMs) const;

private:
    QString m_metric, m_route;
    int m_schema;
    std::map<int32_t, uint64_t> m_buckets; // Prometheus bucket index -> count
    uint64_t m_count = 0;
    double m_sum = 0;
};

} // namespace sb::test
