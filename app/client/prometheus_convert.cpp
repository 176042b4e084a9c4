// PrometheusSource's conversions of a query_range answer into rollups (native
// histograms, and the classic le-bucket fallback); pure functions, run on a
// worker thread.

#include "client/prometheus_source.h"
#include "core/bucket_import.h"
#include "core/prom_parse.h"

#include <algorithm>

namespace sb {

namespace {
// Route, model and variant from the labels the config names; without a
// model label the model column names the histogram imported.
SeriesKey keyFor(const PrometheusConfig &config, const QMap<QString, QString> &labels)
{
    const QString route = labels.value(config.routeLabel);
    const QString model = config.modelLabel.isEmpty() ? QString() : labels.value(config.modelLabel);
    return {config.routePrefix + (route.isEmpty() ? QStringLiteral("(none)") : route),
            model.isEmpty() ? config.selector.section(QLatin1Char('{'), 0, 0).trimmed() : model,
            config.variantLabel.isEmpty() ? QString() : labels.value(config.variantLabel)};
}

// One step's sketch into a rollup, or counted as rejected with the reason.
bool addStep(PrometheusImport &out, const SeriesKey &key, qint64 startMs,
             std::optional<ImportedSketch> sketch, const QString &why)
{
    if (!sketch) {
        ++out.rejected;
        if (out.firstRejection.isEmpty())
            out.firstRejection = why;
        return false;
    }
    ++out.samples;
    out.relativeError = std::max(out.relativeError, sketch->relativeError);
    SeriesRollup row;
    row.key = key;
    row.startMs = startMs;
    row.aggregate.count = sketch->sketch.count();
    row.aggregate.latency = std::move(sketch->sketch);
    out.rollups.push_back(std::move(row));
    return true;
}

void sortByTime(PrometheusImport &out)
{
    std::sort(out.rollups.begin(), out.rollups.end(),
              [](const SeriesRollup &a, const SeriesRollup &b) { return a.startMs < b.startMs; });
}
} // namespace

PrometheusImport PrometheusSource::convert(const QByteArray &body, const PrometheusConfig &config,
                                           qint64 fromMs, qint64 toMs, int stepSeconds,
                                           QString *error)
{
    PrometheusImport out;
    out.source = QStringLiteral("prometheus:") + config.url;
    out.fromMs = fromMs;
    out.toMs = toMs;
    const PromResponse r = parsePromResponse(body);
    if (!r.ok) {
        QString why = r.error;
        if (why.contains(QLatin1String("native histograms are disabled")))
            why += QStringLiteral(" (start Prometheus with --enable-feature=native-histograms)");
        *error = why.isEmpty() ? QStringLiteral("Prometheus reported an error") : why;
        return out;
    }
    out.warnings = r.warnings;
    const qint64 stepMs = qint64(stepSeconds) * 1000;
    std::size_t floats = 0;
    for (const auto &s : r.series) {
        floats += s.floatSamples;
        const SeriesKey key = keyFor(config, s.labels);
        for (const auto &sample : s.samples) {
            QString why;
            auto buckets = promToExponential(sample.histogram, &why);
            std::optional<ImportedSketch> sketch;
            if (buckets)
                sketch = importExponential(*buckets, config.millisPerUnit, &why);
            if (!addStep(out, key, sample.timeMs - stepMs, std::move(sketch), why))
                continue;
            out.minSchema = std::min(out.minSchema, buckets->scale);
            out.routeSchema[key.route] =
                std::min(out.routeSchema.value(key.route, 99), buckets->scale);
        }
    }
    sortByTime(out);
    if (out.samples == 0 && floats > 0) {
        *error = QStringLiteral("the answer holds only float samples, no native histograms: is "
                                "%1 a native histogram, and is Prometheus started with "
                                "--enable-feature=native-histograms?")
                     .arg(config.selector);
    } else if (out.samples == 0 && out.rejected > 0) {
        *error = QStringLiteral("no usable histogram: %1").arg(out.firstRejection);
    }
    return out;
}

PrometheusImport PrometheusSource::convertClassic(const QByteArray &body,
                                                  const PrometheusConfig &config, qint64 fromMs,
                                                  qint64 toMs, int stepSeconds, QString *error)
{
    PrometheusImport out;
    out.source = QStringLiteral("prometheus:") + config.url;
    out.fromMs = fromMs;
    out.toMs = toMs;
    out.classic = true;
    const PromResponse r = parsePromResponse(body);
    if (!r.ok) {
        *error = r.error.isEmpty() ? QStringLiteral("Prometheus reported an error") : r.error;
        return out;
    }
    out.warnings = r.warnings;
    std::size_t skipped = 0;
    const PromClassic classic = promClassicHistograms(r, &skipped);
    const qint64 stepMs = qint64(stepSeconds) * 1000;
    for (const auto &series : classic) {
        const SeriesKey key = keyFor(config, series.labels);
        for (const auto &[timeMs, le] : series.byTime) {
            QString why;
            addStep(out, key, timeMs - stepMs, importClassic(le, config.millisPerUnit, &why), why);
        }
    }
    sortByTime(out);
    if (out.samples == 0 && skipped > 0)
        *error = QStringLiteral("the answer has no le label: is %1 a classic histogram?")
                     .arg(config.selector);
    else if (out.samples == 0 && out.rejected > 0)
        *error = QStringLiteral("no usable classic histogram: %1").arg(out.firstRejection);
    return out;
}

} // namespace sb
