#pragma once

// OtlpSink: decoded OpenTelemetry data points into per-series seconds, the
// same SeriesSecond / SeriesUpdate the live stream produces, so OTel-fed
// services chart beside the sim's series. Thread-safe: the receiver's gRPC
// threads accept() while the GUI's timer take()s (one mutex; decoding and
// validation happen before it, in the receiver).
//
// Temporality (OTel "Metrics Data Model", "Temporality"): a delta point
// counts as it is. A cumulative point counts its difference from the
// previous point of the same timeseries (resource, scope, metric and point
// attributes). A new start time, a smaller count, a bucket that went down or
// a coarser-then-finer scale is a reset: the point counts whole (what the
// restarted process saw since its new start). The first point of a
// cumulative timeseries counts whole only when its start time is not before
// this sink started (the process began while we listened); an older one is a
// baseline, so a console restart never counts a process's history twice. A
// point not newer than the last one of its timeseries (an exporter's retry)
// is a duplicate and counts nothing.
//
// Signals: the latency histograms (gen_ai.client.operation.duration, ...)
// give count, errors (points carrying error.type) and the latency sketch;
// time-to-first-token histograms the TTFT sketch; gen_ai.client.token.usage
// with gen_ai.token.type=output the token totals.
//
// Spans and metrics of one service (the rule that keeps both without
// counting a request twice): per service and signal (requests and latency,
// TTFT, output tokens), metrics win. A span adds the signals its service's
// metrics do not carry: a service exporting only the duration histogram
// still gets TTFT and tokens from its spans; one exporting nothing but spans
// gets everything from them. A signal counted from spans until its first
// metric point is handed over at that point: a metric point whose interval
// reaches back to a span already counted for it (a delta point starting at
// or before that span's end, or a cumulative stream's first point starting
// before it) is a baseline and counts nothing (those requests were counted
// from their spans); from then on the metrics count it and its spans do not.
// Requests whose spans had not arrived by the handover are in that baseline
// and are not counted (at most one metric export interval's tail).
//
// Backpressure: at most maxPendingSeconds (series, second) cells wait for
// take(); beyond that overloaded() is true and the receiver answers
// UNAVAILABLE with a retry delay instead of queueing without bound.

#include "core/bucket_import.h"
#include "core/exemplar.h"
#include "core/series.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace sb {

enum class OtelSignal : quint8
{
    Latency,
    Ttft,
    OutputTokens
};

struct OtlpPoint
{
    QString stream; // the timeseries' identity (for cumulative differences)
    SeriesKey series;
    QString service;
    QString instance; // service.instance.id, for the tree's tooltip
    OtelSignal signal = OtelSignal::Latency;
    bool cumulative = false;
    bool error = false;
    quint64 startNs = 0;
    quint64 timeNs = 0;
    double unitFactor = 1.0; // to milliseconds (latency, TTFT)
    bool exponential = true;
    ExponentialBuckets exp;
    ExplicitBuckets hist;
    std::vector<Exemplar> exemplars; // values in ms
};

// One GenAI span's request.
struct OtlpSpan
{
    SeriesKey series;
    QString service;
    quint64 endNs = 0;
    double latencyMs = 0;
    std::optional<double> ttftMs;
    std::optional<quint64> outputTokens;
    bool error = false;
};

// What one export did: points kept, points refused (with the first reason).
struct OtlpAccepted
{
    quint64 accepted = 0;
    quint64 rejected = 0;
    QString message;
    void reject(const QString &why, quint64 n = 1)
    {
        rejected += n;
        if (message.isEmpty())
            message = why;
    }
};

// What is known about an OTLP-fed series' accuracy.
struct OtlpSeriesInfo
{
    double relativeError = 0; // worst quantile error bound seen (0..1)
    int minScale = LatencySketch::kMaxScale + 1;
    bool exact = true; // every histogram merged bucket for bucket
    QSet<QString> instances;
};

class OtlpSink
{
public:
    struct Options
    {
        quint64 startNs = 0; // 0: now
        std::size_t maxPendingSeconds = 200'000;
        qint64 maxAgeMs = 7LL * 24 * 3600 * 1000;
        qint64 maxAheadMs = 10 * 60 * 1000;
    };
    struct Stats
    {
        quint64 points = 0;    // data points and spans that counted
        quint64 rejected = 0;  // refused (malformed, out of range)
        quint64 baselines = 0; // first cumulative points of older processes
        quint64 duplicates = 0;
        quint64 resets = 0;
        quint64 ignored = 0;   // spans whose every signal comes from metrics
        quint64 handovers = 0; // metric points covering what spans already counted
    };

    OtlpSink();
    explicit OtlpSink(Options options);

    OtlpAccepted acceptMetrics(std::vector<OtlpPoint> &&points, qint64 nowMs);
    OtlpAccepted acceptSpans(std::vector<OtlpSpan> &&spans, qint64 nowMs);

    bool overloaded() const;
    // Closed seconds since the previous take, ordered by second then series,
    // and the series first seen since then (ids are this sink's).
    SeriesUpdate take();
    std::optional<SeriesKey> key(SeriesId id) const { return m_interner.key(id); }
    std::optional<OtlpSeriesInfo> info(SeriesId id) const;
    Stats stats() const;
    // Exemplars of a series in [fromMs, toMs) at or above minValueMs, slowest
    // first (the newest kMaxExemplars per series are kept).
    std::vector<Exemplar> exemplars(SeriesId id, qint64 fromMs, qint64 toMs,
                                    double minValueMs) const;
    static constexpr std::size_t kMaxExemplars = 4096;

private:
    struct Previous
    {
        quint64 startNs = 0;
        quint64 timeNs = 0;
        bool exponential = true;
        ExponentialBuckets exp;
        ExplicitBuckets hist;
    };
    // The point's own contribution (delta); false: nothing to count.
    bool toDelta(OtlpPoint &p);
    void add(const OtlpPoint &delta, SeriesId id, qint64 secondMs, OtlpAccepted &result);

    Options m_options;
    mutable std::mutex m_mutex;
    SeriesInterner m_interner;
    SeriesId m_reported = 0;
    QHash<QString, Previous> m_previous;
    std::map<std::pair<qint64, SeriesId>, SeriesAggregate> m_pending;
    QHash<SeriesId, OtlpSeriesInfo> m_info;
    // Per service: the signals its metrics carry (bit 1 << signal), and per
    // signal the newest span end counted from its spans (0: none).
    QHash<QString, quint8> m_metricSignals;
    QHash<QString, std::array<quint64, 3>> m_spanSignalNs;
    bool coveredBySpans(const OtlpPoint &p, quint64 fromNs) const;
    QHash<SeriesId, std::vector<Exemplar>> m_exemplars;
    Stats m_stats;
};

} // namespace sb
