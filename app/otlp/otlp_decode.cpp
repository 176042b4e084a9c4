#include "otlp/otlp_decode.h"

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <algorithm>
#include <cmath>

namespace sb::otlp {

namespace cm = opentelemetry::proto::common::v1;
namespace mp = opentelemetry::proto::metrics::v1;
namespace tp = opentelemetry::proto::trace::v1;

namespace {

using Attributes = google::protobuf::RepeatedPtrField<cm::KeyValue>;

// A data point's exemplars, values in ms (defined below).
template <typename Point> void exemplarsOf(const Point &p, double factor, OtlpPoint &o);

QString valueText(const cm::AnyValue &v)
{
    switch (v.value_case()) {
    case cm::AnyValue::kStringValue:
        return QString::fromStdString(v.string_value());
    case cm::AnyValue::kIntValue:
        return QString::number(v.int_value());
    case cm::AnyValue::kDoubleValue:
        return QString::number(v.double_value());
    case cm::AnyValue::kBoolValue:
        return v.bool_value() ? QStringLiteral("true") : QStringLiteral("false");
    default:
        return {};
    }
}

const cm::AnyValue *find(const Attributes &attrs, const char *key)
{
    for (const auto &kv : attrs) {
        if (kv.key() == key)
            return &kv.value();
    }
    return nullptr;
}

QString text(const Attributes &attrs, const char *key)
{
    const cm::AnyValue *v = find(attrs, key);
    return v ? valueText(*v) : QString();
}

QString firstOf(const Attributes &a, const Attributes &b, const std::vector<std::string> &keys)
{
    for (const auto &k : keys) {
        for (const Attributes *attrs : {&a, &b}) {
            if (const cm::AnyValue *v = find(*attrs, k.c_str())) {
                QString text = valueText(*v);
                if (!text.isEmpty())
                    return text;
            }
        }
    }
    return {};
}

std::vector<std::string> utf8(const QStringList &keys)
{
    std::vector<std::string> out;
    for (const auto &k : keys)
        out.push_back(k.toStdString());
    return out;
}

// Sorted "key=value" pairs: the part of a timeseries' identity attributes give.
std::string identity(const Attributes &attrs)
{
    std::vector<std::string> parts;
    parts.reserve(std::size_t(attrs.size()));
    for (const auto &kv : attrs)
        parts.push_back(kv.key() + '=' + valueText(kv.value()).toStdString());
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto &p : parts) {
        out += p;
        out += '\x1f';
    }
    return out;
}

std::optional<OtelSignal> signalOf(const std::string &name)
{
    if (name == "gen_ai.client.operation.duration" || name == "gen_ai.server.request.duration")
        return OtelSignal::Latency;
    if (name == "gen_ai.server.time_to_first_token" ||
        name == "gen_ai.client.operation.time_to_first_chunk" ||
        name == "gen_ai.response.time_to_first_chunk")
        return OtelSignal::Ttft;
    if (name == "gen_ai.client.token.usage")
        return OtelSignal::OutputTokens;
    return std::nullopt;
}

struct Resource
{
    QString service;
    QString instance;
    std::string identity;
    const Attributes *attrs = nullptr;
};

struct Context
{
    const std::vector<std::string> &routeKeys;
    const std::vector<std::string> &modelKeys;
    const std::vector<std::string> &variantKeys;
    const Resource &resource;
    const mp::Metric &metric;
    OtelSignal signal;
    double factor;
    bool cumulative;
    DecodedMetrics &out;
};

// The common part of every data point; false (and rejected) when unusable.
template <typename Point> bool start(const Context &c, const Point &p, OtlpPoint &o)
{
    if (p.time_unix_nano() == 0) {
        c.out.rejects.reject(QStringLiteral("%1: a point without time_unix_nano")
                                 .arg(QString::fromStdString(c.metric.name())));
        return false;
    }
    if (c.signal == OtelSignal::OutputTokens &&
        text(p.attributes(), "gen_ai.token.type") != QLatin1String("output")) {
        ++c.out.ignored; // input tokens: not charted
        return false;
    }
    const QString route = firstOf(p.attributes(), *c.resource.attrs, c.routeKeys);
    o.series.route = route.isEmpty() ? c.resource.service : c.resource.service + '/' + route;
    o.series.model = firstOf(p.attributes(), *c.resource.attrs, c.modelKeys);
    o.series.variant = firstOf(p.attributes(), *c.resource.attrs, c.variantKeys);
    o.service = c.resource.service;
    o.instance = c.resource.instance;
    o.signal = c.signal;
    o.cumulative = c.cumulative;
    o.error = !text(p.attributes(), "error.type").isEmpty();
    o.startNs = p.start_time_unix_nano();
    o.timeNs = p.time_unix_nano();
    o.unitFactor = c.signal == OtelSignal::OutputTokens ? 1.0 : c.factor;
    // Only cumulative points are differenced against their timeseries.
    if (c.cumulative)
        o.stream = QString::fromStdString(c.resource.identity + '\x1e' + c.metric.name() + '\x1e' +
                                          identity(p.attributes()));
    return true;
}

void exponential(const Context &c, const mp::ExponentialHistogram &h)
{
    for (const auto &p : h.data_points()) {
        OtlpPoint o;
        if (!start(c, p, o))
            continue;
        bool negative = false;
        for (auto n : p.negative().bucket_counts())
            negative = negative || n != 0;
        if (negative) {
            c.out.rejects.reject(QStringLiteral("%1: negative latencies")
                                     .arg(QString::fromStdString(c.metric.name())));
            continue;
        }
        if (p.scale() < kOtlpMinScale || p.scale() > kOtlpMaxScale) {
            c.out.rejects.reject(QStringLiteral("%1: scale %2 is outside -10..20")
                                     .arg(QString::fromStdString(c.metric.name()))
                                     .arg(p.scale()));
            continue;
        }
        if (p.positive().bucket_counts_size() > 1 << 20) {
            c.out.rejects.reject(QStringLiteral("too many buckets"));
            continue;
        }
        o.exponential = true;
        o.exp.scale = p.scale();
        o.exp.zeroCount = p.zero_count();
        o.exp.offset = p.positive().offset();
        o.exp.counts.assign(p.positive().bucket_counts().begin(),
                            p.positive().bucket_counts().end());
        o.exp.count = p.count();
        if (p.has_sum())
            o.exp.sum = p.sum();
        if (p.has_min())
            o.exp.min = p.min();
        if (p.has_max())
            o.exp.max = p.max();
        exemplarsOf(p, o.unitFactor, o);
        c.out.points.push_back(std::move(o));
    }
}

void explicitBuckets(const Context &c, const mp::Histogram &h)
{
    for (const auto &p : h.data_points()) {
        OtlpPoint o;
        if (!start(c, p, o))
            continue;
        if (p.bucket_counts_size() != p.explicit_bounds_size() + 1 &&
            !(p.bucket_counts_size() == 0 && c.signal == OtelSignal::OutputTokens)) {
            c.out.rejects.reject(QStringLiteral("%1: %2 bucket counts for %3 bounds")
                                     .arg(QString::fromStdString(c.metric.name()))
                                     .arg(p.bucket_counts_size())
                                     .arg(p.explicit_bounds_size()));
            continue;
        }
        o.exponential = false;
        o.hist.bounds.assign(p.explicit_bounds().begin(), p.explicit_bounds().end());
        o.hist.counts.assign(p.bucket_counts().begin(), p.bucket_counts().end());
        o.hist.count = p.count();
        if (p.has_sum())
            o.hist.sum = p.sum();
        if (p.has_min())
            o.hist.min = p.min();
        if (p.has_max())
            o.hist.max = p.max();
        exemplarsOf(p, o.unitFactor, o);
        c.out.points.push_back(std::move(o));
    }
}

QString hex(const std::string &bytes)
{
    return QString::fromLatin1(QByteArray(bytes.data(), qsizetype(bytes.size())).toHex());
}

template <typename Point> void exemplarsOf(const Point &p, double factor, OtlpPoint &o)
{
    for (const auto &e : p.exemplars()) {
        const double v = e.has_as_double() ? e.as_double() : double(e.as_int());
        if (!std::isfinite(v) || v < 0 || e.time_unix_nano() == 0)
            continue;
        o.exemplars.push_back({qint64(e.time_unix_nano() / 1'000'000ULL), v * factor,
                               hex(e.trace_id()), hex(e.span_id())});
    }
}

} // namespace

DecodedMetrics
decodeMetrics(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest &req,
              const Mapping &mapping)
{
    DecodedMetrics out;
    const auto routeKeys = utf8(mapping.routeAttributes);
    const auto modelKeys = utf8(mapping.modelAttributes);
    const auto variantKeys = utf8(mapping.variantAttributes);
    for (const auto &rm : req.resource_metrics()) {
        Resource r;
        r.attrs = &rm.resource().attributes();
        r.service = text(*r.attrs, "service.name");
        if (r.service.isEmpty())
            r.service = QStringLiteral("unknown_service");
        r.instance = text(*r.attrs, "service.instance.id");
        r.identity = identity(*r.attrs);
        for (const auto &sm : rm.scope_metrics()) {
            const std::string scope = sm.scope().name() + '\x1d';
            Resource scoped = r;
            scoped.identity = r.identity + '\x1d' + scope;
            for (const auto &m : sm.metrics()) {
                const auto signal = signalOf(m.name());
                const bool histogram = m.has_histogram() || m.has_exponential_histogram();
                if (!signal || !histogram) {
                    out.ignored +=
                        quint64(m.gauge().data_points_size() + m.sum().data_points_size() +
                                m.histogram().data_points_size() +
                                m.exponential_histogram().data_points_size());
                    continue;
                }
                const int points = m.has_histogram() ? m.histogram().data_points_size()
                                                     : m.exponential_histogram().data_points_size();
                const auto temporality = m.has_histogram()
                                             ? m.histogram().aggregation_temporality()
                                             : m.exponential_histogram().aggregation_temporality();
                if (temporality != mp::AGGREGATION_TEMPORALITY_DELTA &&
                    temporality != mp::AGGREGATION_TEMPORALITY_CUMULATIVE) {
                    out.rejects.reject(QStringLiteral("%1: aggregation_temporality is unspecified")
                                           .arg(QString::fromStdString(m.name())),
                                       quint64(points));
                    continue;
                }
                // Semantic conventions measure durations in seconds; no unit means that.
                const QString unit = QString::fromStdString(m.unit());
                std::optional<double> factor = 1.0;
                if (*signal != OtelSignal::OutputTokens)
                    factor = unit.isEmpty() ? 1000.0 : millisPerUnit(unit);
                if (!factor) {
                    out.rejects.reject(QStringLiteral("%1: unit \"%2\" is not a time unit")
                                           .arg(QString::fromStdString(m.name()), unit),
                                       quint64(points));
                    continue;
                }
                const Context c{routeKeys,   modelKeys,
                                variantKeys, scoped,
                                m,           *signal,
                                *factor,     temporality == mp::AGGREGATION_TEMPORALITY_CUMULATIVE,
                                out};
                if (m.has_exponential_histogram())
                    exponential(c, m.exponential_histogram());
                else
                    explicitBuckets(c, m.histogram());
            }
        }
    }
    return out;
}

DecodedSpans
decodeSpans(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest &req,
            const Mapping &mapping)
{
    DecodedSpans out;
    const auto routeKeys = utf8(mapping.routeAttributes);
    const auto modelKeys = utf8(mapping.modelAttributes);
    const auto variantKeys = utf8(mapping.variantAttributes);
    for (const auto &rs : req.resource_spans()) {
        const Attributes &res = rs.resource().attributes();
        QString service = text(res, "service.name");
        if (service.isEmpty())
            service = QStringLiteral("unknown_service");
        for (const auto &ss : rs.scope_spans()) {
            for (const auto &s : ss.spans()) {
                const Attributes &a = s.attributes();
                const bool genAi = find(a, "gen_ai.operation.name") || find(a, "gen_ai.system") ||
                                   find(a, "gen_ai.provider.name") ||
                                   find(a, "gen_ai.request.model");
                if (!genAi) {
                    ++out.ignored;
                    continue;
                }
                if (s.end_time_unix_nano() < s.start_time_unix_nano() ||
                    s.start_time_unix_nano() == 0) {
                    out.rejects.reject(QStringLiteral("span \"%1\" ends before it starts")
                                           .arg(QString::fromStdString(s.name())));
                    continue;
                }
                OtlpSpan o;
                const QString route = firstOf(a, res, routeKeys);
                o.series.route = route.isEmpty() ? service : service + '/' + route;
                o.series.model = firstOf(a, res, modelKeys);
                o.series.variant = firstOf(a, res, variantKeys);
                o.service = service;
                o.endNs = s.end_time_unix_nano();
                o.latencyMs = double(s.end_time_unix_nano() - s.start_time_unix_nano()) / 1e6;
                o.error = s.status().code() == tp::Status::STATUS_CODE_ERROR ||
                          !text(a, "error.type").isEmpty();
                if (const auto *v = find(a, "gen_ai.response.time_to_first_chunk")) {
                    const double seconds =
                        v->has_double_value() ? v->double_value() : double(v->int_value());
                    if (std::isfinite(seconds) && seconds >= 0)
                        o.ttftMs = seconds * 1000.0;
                }
                if (const auto *v = find(a, "gen_ai.usage.output_tokens");
                    v && v->has_int_value() && v->int_value() >= 0)
                    o.outputTokens = quint64(v->int_value());
                out.spans.push_back(std::move(o));
            }
        }
    }
    return out;
}

bool decodeMetricsBytes(const std::string &bytes, DecodedMetrics *out, const Mapping &mapping)
{
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest req;
    if (!req.ParseFromString(bytes))
        return false;
    *out = decodeMetrics(req, mapping);
    return true;
}

bool decodeSpansBytes(const std::string &bytes, DecodedSpans *out, const Mapping &mapping)
{
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
    if (!req.ParseFromString(bytes))
        return false;
    *out = decodeSpans(req, mapping);
    return true;
}

} // namespace sb::otlp
