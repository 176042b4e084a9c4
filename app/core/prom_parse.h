#pragma once

// Prometheus HTTP API answers (query_range over native histograms) into
// plain data, and a native histogram's buckets into our exponential layout.
//
// Prometheus 2.42's JSON carries no schema: each bucket is
// [rule, "lower", "upper", "count"] (rule 0 = (l,u], 1 = [l,u), 2 = (l,u),
// 3 = [l,u], the last for the zero bucket), numbers as strings, counts
// fractional after rate()/increase(). The schema is derived from the bounds
// (upper/lower = 2^(2^-schema)) and the index from the upper bound (a
// Prometheus bucket k ends at base^k; ours, OTel's, is k - 1). Counts are
// rounded cumulatively (roundCounts) so the total is kept. Malformed input
// is an error with a reason, never a crash (fuzzed by
// tests/fuzz/prom_parse_fuzz.cpp).

#include "core/bucket_import.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <map>
#include <optional>
#include <vector>

namespace sb {

struct PromBucket
{
    int rule = 0;
    double lower = 0;
    double upper = 0;
    double count = 0;
};

struct PromHistogram
{
    double count = 0;
    double sum = 0;
    std::vector<PromBucket> buckets;
};

struct PromSample
{
    qint64 timeMs = 0;
    PromHistogram histogram;
};

struct PromSeries
{
    QMap<QString, QString> labels;
    std::vector<PromSample> samples;
    std::size_t floatSamples = 0;                  // plain numbers (not native histograms)
    std::vector<std::pair<qint64, double>> values; // those numbers: (time, value)
};

struct PromResponse
{
    bool ok = false;
    QString errorType; // Prometheus' own ("bad_data", "execution", ...), or "parse"
    QString error;
    QStringList warnings;
    std::vector<PromSeries> series;
};

// A /api/v1/query_range (or /api/v1/query) body.
PromResponse parsePromResponse(const QByteArray &body);

// Classic histograms in a query_range answer of
// sum by (<labels>, le) (increase(m_bucket[...])): per label set (without le)
// and time, the (le, cumulative count) pairs in ascending le. Series without
// an le label or with an unreadable one are skipped (counted in *skipped).
struct PromClassicSeries
{
    QMap<QString, QString> labels; // without le
    std::map<qint64, std::vector<std::pair<double, double>>> byTime;
};
using PromClassic = std::vector<PromClassicSeries>;
PromClassic promClassicHistograms(const PromResponse &r, std::size_t *skipped);

// One native histogram sample in our layout (scale = the derived schema);
// nullopt with the reason when the bounds fit no schema, a count is
// negative, or negative values (latencies cannot be) have counts.
std::optional<ExponentialBuckets> promToExponential(const PromHistogram &h, QString *error);

} // namespace sb

#include "core/exemplar.h"

namespace sb {

// A /api/v1/query_exemplars body: exemplars per series, values times
// millisPerUnit. The trace id is the label trace_id (or traceID).
struct PromExemplars
{
    bool ok = false;
    QString error;
    std::vector<std::pair<QMap<QString, QString>, std::vector<Exemplar>>> series;
};
PromExemplars parsePromExemplars(const QByteArray &body, double millisPerUnit);

} // namespace sb
