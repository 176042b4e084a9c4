#include "core/prom_parse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <map>

namespace sb {

namespace {

// Prometheus writes numbers as strings ("1.5", "NaN", "+Inf"); accept plain
// JSON numbers too.
std::optional<double> number(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (!v.isString())
        return std::nullopt;
    const QString s = v.toString();
    if (s == QLatin1String("+Inf") || s == QLatin1String("Inf"))
        return std::numeric_limits<double>::infinity();
    if (s == QLatin1String("-Inf"))
        return -std::numeric_limits<double>::infinity();
    if (s == QLatin1String("NaN"))
        return std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    const double d = s.toDouble(&ok);
    return ok ? std::optional<double>(d) : std::nullopt;
}

bool parseHistogram(const QJsonObject &o, PromHistogram &h)
{
    const auto count = number(o.value(QLatin1String("count")));
    const auto sum = number(o.value(QLatin1String("sum")));
    if (!count || !sum)
        return false;
    h.count = *count;
    h.sum = *sum;
    for (const auto &bv : o.value(QLatin1String("buckets")).toArray()) {
        const QJsonArray b = bv.toArray();
        if (b.size() != 4 || !b.at(0).isDouble())
            return false;
        PromBucket pb;
        pb.rule = b.at(0).toInt(-1);
        const auto lo = number(b.at(1));
        const auto hi = number(b.at(2));
        const auto c = number(b.at(3));
        if (pb.rule < 0 || pb.rule > 3 || !lo || !hi || !c)
            return false;
        pb.lower = *lo;
        pb.upper = *hi;
        pb.count = *c;
        h.buckets.push_back(pb);
    }
    return true;
}

bool parsePair(const QJsonValue &v, qint64 *timeMs, QJsonValue *value)
{
    const QJsonArray a = v.toArray();
    if (a.size() != 2 || !a.at(0).isDouble())
        return false;
    const double t = a.at(0).toDouble();
    if (!std::isfinite(t) || std::abs(t) > 1e11)
        return false;
    *timeMs = qint64(std::llround(t * 1000.0));
    *value = a.at(1);
    return true;
}

PromResponse failure(const QString &type, const QString &why)
{
    PromResponse r;
    r.errorType = type;
    r.error = why;
    return r;
}

} // namespace

PromResponse parsePromResponse(const QByteArray &body)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return failure(QStringLiteral("parse"),
                       QStringLiteral("not a Prometheus API answer (%1)").arg(pe.errorString()));
    const QJsonObject top = doc.object();
    const QString status = top.value(QLatin1String("status")).toString();
    if (status == QLatin1String("error")) {
        const QString why = top.value(QLatin1String("error")).toString();
        return failure(
            top.value(QLatin1String("errorType")).toString(),
            why.isEmpty() ? QStringLiteral("Prometheus reported an error without a message") : why);
    }
    if (status != QLatin1String("success"))
        return failure(QStringLiteral("parse"), QStringLiteral("no \"status\" in the answer"));
    PromResponse r;
    for (const auto &w : top.value(QLatin1String("warnings")).toArray())
        r.warnings << w.toString();
    const QJsonObject data = top.value(QLatin1String("data")).toObject();
    const QString type = data.value(QLatin1String("resultType")).toString();
    if (type != QLatin1String("matrix") && type != QLatin1String("vector"))
        return failure(QStringLiteral("parse"),
                       QStringLiteral("result type \"%1\" is not a matrix or vector").arg(type));
    for (const auto &sv : data.value(QLatin1String("result")).toArray()) {
        const QJsonObject so = sv.toObject();
        PromSeries s;
        const QJsonObject metric = so.value(QLatin1String("metric")).toObject();
        for (auto it = metric.begin(); it != metric.end(); ++it)
            s.labels.insert(it.key(), it.value().toString());
        QJsonArray hs = so.value(QLatin1String("histograms")).toArray();
        if (so.contains(QLatin1String("histogram")))
            hs.append(so.value(QLatin1String("histogram")));
        for (const auto &hv : hs) {
            PromSample sample;
            QJsonValue value;
            if (!parsePair(hv, &sample.timeMs, &value) ||
                !parseHistogram(value.toObject(), sample.histogram))
                return failure(QStringLiteral("parse"),
                               QStringLiteral("a malformed native histogram sample"));
            s.samples.push_back(std::move(sample));
        }
        QJsonArray vs = so.value(QLatin1String("values")).toArray();
        if (so.contains(QLatin1String("value")))
            vs.append(so.value(QLatin1String("value")));
        for (const auto &vv : vs) {
            qint64 t = 0;
            QJsonValue value;
            const auto v = parsePair(vv, &t, &value) ? number(value) : std::nullopt;
            if (!v)
                return failure(QStringLiteral("parse"), QStringLiteral("a malformed float sample"));
            s.values.emplace_back(t, *v);
        }
        s.floatSamples = s.values.size();
        r.series.push_back(std::move(s));
    }
    r.ok = true;
    return r;
}

PromClassic promClassicHistograms(const PromResponse &r, std::size_t *skipped)
{
    PromClassic out;
    std::map<QStringList, std::size_t> index; // labels without le -> out's entry
    for (const auto &s : r.series) {
        const auto le = number(QJsonValue(s.labels.value(QStringLiteral("le"))));
        if (!le || std::isnan(*le)) {
            *skipped += s.values.size();
            continue;
        }
        QMap<QString, QString> labels = s.labels;
        labels.remove(QStringLiteral("le"));
        QStringList id;
        for (auto it = labels.cbegin(); it != labels.cend(); ++it)
            id << it.key() << it.value();
        auto [at, fresh] = index.try_emplace(id, out.size());
        if (fresh)
            out.push_back({labels, {}});
        auto &byTime = out[at->second].byTime;
        for (const auto &[t, v] : s.values)
            byTime[t].emplace_back(*le, v);
    }
    for (auto &series : out) {
        for (auto &[t, pairs] : series.byTime)
            std::sort(pairs.begin(), pairs.end());
    }
    return out;
}

std::optional<ExponentialBuckets> promToExponential(const PromHistogram &h, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<ExponentialBuckets> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    double zero = 0;
    std::vector<const PromBucket *> positive;
    std::map<int, int> votes; // schema -> buckets agreeing
    for (const auto &b : h.buckets) {
        if (!std::isfinite(b.count) || b.count < 0 || !(b.lower <= b.upper) ||
            std::isnan(b.lower) || std::isnan(b.upper))
            return fail(QStringLiteral("a bucket with a negative or non-finite count or bounds"));
        if (b.count == 0)
            continue;
        if (b.lower <= 0 && b.upper >= 0) {
            zero += b.count; // the zero bucket, [-threshold, threshold]
            continue;
        }
        if (b.upper < 0)
            return fail(QStringLiteral("negative latencies (buckets below zero have counts)"));
        if (!std::isfinite(b.upper))
            return fail(QStringLiteral("a bucket without an upper bound"));
        positive.push_back(&b);
        if (b.lower > 0) {
            const double s = -std::log2(std::log2(b.upper / b.lower));
            const double r = std::round(s);
            if (std::isfinite(s) && std::abs(s - r) < 1e-3 && r >= -4 && r <= 8)
                ++votes[int(r)];
        }
    }
    ExponentialBuckets out;
    if (!positive.empty() && votes.empty())
        return fail(QStringLiteral("bucket bounds match no native-histogram schema (-4..8)"));
    int schema = 0;
    int best = -1;
    for (const auto &[s, n] : votes) {
        if (n > best) {
            best = n;
            schema = s;
        }
    }
    out.scale = schema;
    // Our index from the upper bound: a bucket ends at base^(index + 1).
    std::map<int64_t, double> byIndex;
    const double perOctave = std::ldexp(1.0, schema);
    for (const PromBucket *b : positive) {
        const double x = std::log2(b->upper) * perOctave;
        const double r = std::round(x);
        if (std::abs(x - r) > 1e-3 || std::abs(r) > 1e7)
            return fail(QStringLiteral("bucket (%1, %2] is not on schema %3's boundaries")
                            .arg(b->lower)
                            .arg(b->upper)
                            .arg(schema));
        byIndex[int64_t(r) - 1] += b->count;
    }
    if (!byIndex.empty() && byIndex.rbegin()->first - byIndex.begin()->first > (1 << 16))
        return fail(QStringLiteral("buckets span too wide a range"));
    std::vector<double> fractional{zero};
    const int64_t first = byIndex.empty() ? 0 : byIndex.begin()->first;
    const int64_t last = byIndex.empty() ? -1 : byIndex.rbegin()->first;
    for (int64_t i = first; i <= last; ++i) {
        auto it = byIndex.find(i);
        fractional.push_back(it == byIndex.end() ? 0.0 : it->second);
    }
    const auto rounded = roundCounts(fractional);
    if (!rounded)
        return fail(QStringLiteral("counts too large"));
    out.zeroCount = (*rounded)[0];
    out.offset = int32_t(first);
    out.counts.assign(rounded->begin() + 1, rounded->end());
    out.count = 0;
    for (auto c : *rounded)
        out.count += c;
    if (std::isfinite(h.sum) && h.sum >= 0)
        out.sum = h.sum;
    return out;
}

} // namespace sb

namespace sb {

PromExemplars parsePromExemplars(const QByteArray &body, double millisPerUnit)
{
    PromExemplars out;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        out.error = QStringLiteral("not a Prometheus API answer (%1)").arg(pe.errorString());
        return out;
    }
    const QJsonObject top = doc.object();
    if (top.value(QLatin1String("status")).toString() != QLatin1String("success")) {
        out.error = top.value(QLatin1String("error")).toString();
        if (out.error.isEmpty())
            out.error = QStringLiteral("no \"status\" in the answer");
        return out;
    }
    for (const auto &sv : top.value(QLatin1String("data")).toArray()) {
        const QJsonObject so = sv.toObject();
        QMap<QString, QString> labels;
        const QJsonObject l = so.value(QLatin1String("seriesLabels")).toObject();
        for (auto it = l.begin(); it != l.end(); ++it)
            labels.insert(it.key(), it.value().toString());
        std::vector<Exemplar> list;
        for (const auto &ev : so.value(QLatin1String("exemplars")).toArray()) {
            const QJsonObject eo = ev.toObject();
            const auto v = number(eo.value(QLatin1String("value")));
            const QJsonValue ts = eo.value(QLatin1String("timestamp"));
            if (!v || !std::isfinite(*v) || *v < 0 || !ts.isDouble() ||
                !std::isfinite(ts.toDouble()) || std::abs(ts.toDouble()) > 1e11)
                continue;
            const QJsonObject el = eo.value(QLatin1String("labels")).toObject();
            QString trace = el.value(QLatin1String("trace_id")).toString();
            if (trace.isEmpty())
                trace = el.value(QLatin1String("traceID")).toString();
            list.push_back({qint64(std::llround(ts.toDouble() * 1000.0)), *v * millisPerUnit, trace,
                            el.value(QLatin1String("span_id")).toString()});
        }
        out.series.emplace_back(std::move(labels), std::move(list));
    }
    out.ok = true;
    return out;
}

} // namespace sb
