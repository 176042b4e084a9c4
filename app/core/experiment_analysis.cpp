#include "core/experiment_analysis.h"

#include "core/experiment_analysis_words.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace sb {

using namespace analysis;

namespace analysis {

double effectScale(Metric m, double effect, const MetricValue &control)
{
    if (isRatio(m))
        return std::log1p(effect);
    if (m == Metric::Cost)
        return effect * control.value;
    return effect;
}

} // namespace analysis

namespace {

MetricValue proportion(quint64 hits, quint64 n, double confidence)
{
    MetricValue v;
    v.n = n;
    v.hits = std::min(hits, n);
    if (n == 0)
        return v;
    v.available = true;
    v.value = double(v.hits) / double(n);
    v.estimate = v.value;
    v.ci = stats::wilson(v.hits, n, confidence);
    // A small-sample floor (as if half a success and half a failure more),
    // so 0 % or 100 % does not claim zero variance.
    const double pt = (double(v.hits) + 0.5) / (double(n) + 1);
    v.unitVariance = pt * (1 - pt);
    v.variance = v.unitVariance / double(n);
    return v;
}

MetricValue logLatency(const LatencySketch &sketch, double confidence)
{
    MetricValue v;
    const stats::Moments m = stats::logMoments(sketch);
    v.n = m.n;
    if (m.n == 0)
        return v;
    v.available = true;
    v.estimate = m.mean;
    v.value = std::exp(m.mean);
    v.unitVariance = std::max(m.variance, 1e-6);
    v.variance = v.unitVariance / double(m.n);
    const double half = stats::zFor(confidence) * std::sqrt(v.variance);
    v.ci = {std::exp(m.mean - half), std::exp(m.mean + half)};
    return v;
}

MetricValue costPerRequest(double total, quint64 exposures, double confidence)
{
    MetricValue v;
    v.n = exposures;
    if (exposures == 0)
        return v;
    v.available = true;
    v.value = total / double(exposures);
    v.estimate = v.value;
    // Totals only: assume a coefficient of variation of at most 1.
    v.unitVariance = std::max(v.value * v.value, 1e-18);
    v.variance = v.unitVariance / double(exposures);
    const double half = stats::zFor(confidence) * std::sqrt(v.variance);
    v.ci = {std::max(0.0, v.value - half), v.value + half};
    return v;
}

MetricValue meanRating(quint64 sum, quint64 n, double confidence)
{
    MetricValue v;
    v.n = n;
    if (n == 0)
        return v;
    v.available = true;
    v.value = std::clamp(double(sum) / double(n), 1.0, 5.0);
    v.estimate = v.value;
    // The largest variance a score in [1, 5] with this mean can have.
    v.unitVariance = std::max((v.value - 1) * (5 - v.value), 0.25);
    v.variance = v.unitVariance / double(n);
    const double half = stats::zFor(confidence) * std::sqrt(v.variance);
    v.ci = {std::max(1.0, v.value - half), std::min(5.0, v.value + half)};
    return v;
}

struct DifferenceText
{
    QString change;   // "+0.6 pp"
    QString interval; // "+0.2 to +1.0 pp"
    QString both() const { return change + QStringLiteral(" (") + interval + QLatin1Char(')'); }
};

DifferenceText differenceText(Metric m, double d, const stats::Interval &ci,
                              const MetricValue &control)
{
    auto make = [](double x, double lo, double hi, int digits, const QString &unit) {
        return DifferenceText{signedNumber(x, digits) + unit, signedNumber(lo, digits) +
                                                                  QStringLiteral(" to ") +
                                                                  signedNumber(hi, digits) + unit};
    };
    if (isProportion(m))
        return make(d * 100, ci.lo * 100, ci.hi * 100, 2, QStringLiteral(" pp"));
    if (isRatio(m))
        return make(std::expm1(d) * 100, std::expm1(ci.lo) * 100, std::expm1(ci.hi) * 100, 1,
                    QStringLiteral(" %"));
    if (m == Metric::Cost && control.value > 0)
        return make(d / control.value * 100, ci.lo / control.value * 100,
                    ci.hi / control.value * 100, 1, QStringLiteral(" %"));
    return make(d, ci.lo, ci.hi, 2, QString());
}

Comparison compare(Metric m, const MetricValue &t, const MetricValue &c, double effect,
                   double alpha, quint64 minN, std::optional<double> varianceOverride = {})
{
    Comparison out;
    if (!t.available || !c.available) {
        out.verdict = Comparison::Verdict::NotEnoughData;
        out.text = tr("no data yet");
        return out;
    }
    const double d = t.estimate - c.estimate;
    const double v = varianceOverride ? *varianceOverride : t.variance + c.variance;
    const double scale = effectScale(m, effect, c);
    const stats::Sequential seq = stats::mixtureSequentialTest(d, v, scale * scale, alpha);
    out.difference = d;
    out.ci = seq.ci;
    out.pAlwaysValid = seq.pValue;
    out.pFixedHorizon = stats::differenceZTest(d, v).pValue;
    out.relative = isRatio(m) ? std::expm1(d) : (c.estimate != 0 ? d / c.estimate : 0);
    const bool higher = higherIsBetter(m);
    if (isProportion(m) && !varianceOverride) {
        const double pHigher = stats::probabilityBBeatsA(c.hits, c.n, t.hits, t.n);
        out.chanceToBeat = higher ? pHigher : 1 - pHigher;
    } else {
        out.chanceToBeat = stats::probabilityPositive(higher ? d : -d, v);
    }
    const DifferenceText dt = differenceText(m, d, seq.ci, c);
    out.change = dt.change;
    out.interval = dt.interval;
    out.text = dt.both();
    if (t.n < minN || c.n < minN) {
        out.verdict = Comparison::Verdict::NotEnoughData;
        return out;
    }
    if (seq.significant)
        out.verdict = (d > 0) == higher ? Comparison::Verdict::Better : Comparison::Verdict::Worse;
    else if (seq.ci.lo > -scale && seq.ci.hi < scale)
        out.verdict = Comparison::Verdict::Equivalent;
    else
        out.verdict = Comparison::Verdict::Inconclusive;
    return out;
}

// Preference of exactly two variants: each vote is +1 (treatment won), -1
// (control won) or 0 (tie), and the shares are not independent, so the
// variance comes from the votes themselves.
std::optional<double> twoWayPreferenceVariance(const VariantResults &t, const VariantResults &c,
                                               double *unitVariance)
{
    const quint64 n = std::max(t.preferenceTotal, c.preferenceTotal);
    if (n == 0)
        return std::nullopt;
    const double wt = double(t.preferenceWins) / double(n);
    const double wc = double(c.preferenceWins) / double(n);
    const double d = wt - wc;
    // With the same small-sample floor as proportions.
    const double var = std::max(wt + wc - d * d, 1.0 / (double(n) + 1));
    if (unitVariance)
        *unitVariance = var / 2; // per arm, as sequentialSampleSize counts
    return var / double(n);
}

GuardrailCheck checkGuardrail(Metric g, const VariantAnalysis &t, const VariantAnalysis &c,
                              const AnalysisSettings &s, double alpha)
{
    GuardrailCheck out;
    out.metric = g;
    auto judge = [&](double change, const stats::Interval &ci, double tolerance, bool higherWorse) {
        out.change = change;
        out.ci = ci;
        if (higherWorse) {
            out.status = ci.lo > tolerance    ? GuardrailStatus::Breached
                         : ci.hi <= tolerance ? GuardrailStatus::Ok
                                              : GuardrailStatus::Unclear;
        } else {
            out.status = ci.hi < -tolerance    ? GuardrailStatus::Breached
                         : ci.lo >= -tolerance ? GuardrailStatus::Ok
                                               : GuardrailStatus::Unclear;
        }
    };
    switch (g) {
    case Metric::Latency:
    case Metric::TimeToFirstToken: {
        // p95 against p95, each with its order-statistic interval widened by
        // the sketch error; the ratio's interval joins both ends.
        const stats::QuantileEstimate &a = g == Metric::Latency ? t.p95 : t.ttftP95;
        const stats::QuantileEstimate &b = g == Metric::Latency ? c.p95 : c.ttftP95;
        const double tol = g == Metric::Latency ? s.latencyTolerance : s.ttftTolerance;
        const QString what =
            g == Metric::Latency ? tr("p95 latency") : tr("p95 time to first token");
        if (a.n < s.minExposures || b.n < s.minExposures || b.value <= 0 || b.ci.lo <= 0) {
            out.text = tr("%1: not enough data").arg(what);
            return out;
        }
        judge(a.value / b.value - 1, {a.ci.lo / b.ci.hi - 1, a.ci.hi / b.ci.lo - 1}, tol, true);
        out.text =
            tr("%1 %2 (%3 → %4); at most %5 allowed")
                .arg(what,
                     QStringLiteral("%1 % (%2 to %3 %)")
                         .arg(signedNumber(out.change * 100, 1), signedNumber(out.ci.lo * 100, 1),
                              signedNumber(out.ci.hi * 100, 1)),
                     ms(b.value), ms(a.value), QStringLiteral("+%1 %").arg(tol * 100));
        return out;
    }
    case Metric::SuccessRate:
    case Metric::HallucinationRate:
    case Metric::Preference:
    case Metric::Rating:
    case Metric::Cost: {
        const MetricValue &a = t.metric(g);
        const MetricValue &b = c.metric(g);
        const quint64 min = isJudgement(g) ? s.minJudgements : s.minExposures;
        if (!a.available || !b.available || a.n < min || b.n < min) {
            out.text = tr("%1: not enough data").arg(toString(g));
            return out;
        }
        const double d = a.estimate - b.estimate;
        const double v = a.variance + b.variance;
        const double tol = g == Metric::SuccessRate         ? s.successTolerance
                           : g == Metric::HallucinationRate ? s.hallucinationTolerance
                           : g == Metric::Preference        ? s.preferenceTolerance
                           : g == Metric::Rating            ? s.ratingTolerance
                                                            : s.costTolerance;
        const double scale = effectScale(g, tol, b);
        const stats::Sequential seq = stats::mixtureSequentialTest(d, v, scale * scale, alpha);
        if (g == Metric::Cost) {
            judge(d / b.value, {seq.ci.lo / b.value, seq.ci.hi / b.value}, tol, true);
            out.text = tr("cost per request %1 (%2 → %3); at most +%4 % allowed")
                           .arg(differenceText(g, d, seq.ci, b).both(), usd(b.value), usd(a.value))
                           .arg(tol * 100);
            return out;
        }
        judge(d, seq.ci, tol, g == Metric::HallucinationRate);
        const QString allowed = isProportion(g)
                                    ? QStringLiteral("%1%2 pp")
                                          .arg(g == Metric::HallucinationRate ? QStringLiteral("+")
                                                                              : QStringLiteral("−"))
                                          .arg(tol * 100)
                                    : QStringLiteral("−%1").arg(tol);
        out.text = tr("%1 %2; at most %3 allowed")
                       .arg(toString(g), differenceText(g, d, seq.ci, b).both(), allowed);
        return out;
    }
    case Metric::Unspecified:
        break;
    }
    return out;
}

} // namespace

QString chanceText(double p)
{
    if (p > 0.999)
        return QStringLiteral("> 99.9 %");
    if (p < 0.001)
        return QStringLiteral("< 0.1 %");
    return percent(p, 1);
}

double defaultMinimumEffect(Metric metric)
{
    switch (metric) {
    case Metric::SuccessRate:
        return 0.005;
    case Metric::Latency:
    case Metric::TimeToFirstToken:
    case Metric::Cost:
        return 0.05;
    case Metric::Preference:
        return 0.10; // votes are expensive: 5 pp would need thousands per variant
    case Metric::Rating:
        return 0.25;
    case Metric::HallucinationRate:
        return 0.02;
    case Metric::Unspecified:
        break;
    }
    return 0.01;
}

QString formatEffect(Metric metric, double effect)
{
    if (isProportion(metric))
        return QStringLiteral("%1 pp").arg(effect * 100, 0, 'g', 3);
    if (metric == Metric::Rating)
        return tr("%1 points").arg(effect, 0, 'g', 3);
    return QStringLiteral("%1 %").arg(effect * 100, 0, 'g', 3);
}

bool higherIsBetter(Metric metric)
{
    return metric == Metric::SuccessRate || metric == Metric::Preference ||
           metric == Metric::Rating;
}

QString toString(GuardrailStatus s)
{
    switch (s) {
    case GuardrailStatus::Ok:
        return tr("ok");
    case GuardrailStatus::Unclear:
        return tr("unclear");
    case GuardrailStatus::Breached:
        return tr("breached");
    case GuardrailStatus::NotEnoughData:
        break;
    }
    return tr("not enough data");
}

QString toString(Analysis::Decision d)
{
    using D = Analysis::Decision;
    switch (d) {
    case D::NoData:
        return QStringLiteral("no data");
    case D::SplitBroken:
        return QStringLiteral("split broken");
    case D::NotEnoughData:
        return QStringLiteral("not enough data");
    case D::NoWinnerYet:
        return QStringLiteral("no winner yet");
    case D::NoDifference:
        return QStringLiteral("no difference");
    case D::Winner:
        return QStringLiteral("winner");
    case D::WinnerBreaksGuardrail:
        return QStringLiteral("winner breaks guardrail");
    case D::ControlBest:
        return QStringLiteral("control best");
    }
    return {};
}

bool VariantAnalysis::breachesGuardrail() const
{
    return std::any_of(guardrails.begin(), guardrails.end(), [](const GuardrailCheck &g) {
        return g.status == GuardrailStatus::Breached;
    });
}

const MetricValue &VariantAnalysis::metric(Metric m) const
{
    switch (m) {
    case Metric::Latency:
        return latency;
    case Metric::TimeToFirstToken:
        return ttft;
    case Metric::Cost:
        return cost;
    case Metric::Preference:
        return preference;
    case Metric::Rating:
        return rating;
    case Metric::HallucinationRate:
        return hallucination;
    case Metric::SuccessRate:
    case Metric::Unspecified:
        break;
    }
    return successRate;
}

const VariantAnalysis *Analysis::variant(const QString &id) const
{
    for (const auto &v : variants) {
        if (v.variantId == id)
            return &v;
    }
    return nullptr;
}

Analysis analyzeExperiment(const Experiment &experiment, const ExperimentResults &results,
                           const AnalysisSettings &s)
{
    Analysis a;
    a.primary = experiment.primaryMetric == Metric::Unspecified ? Metric::SuccessRate
                                                                : experiment.primaryMetric;
    a.minimumEffect = s.minimumEffect > 0 ? s.minimumEffect : defaultMinimumEffect(a.primary);
    const std::size_t k = experiment.variants.size();
    if (k == 0)
        return a;

    // The control: id "control" if there is one, else the first variant.
    std::size_t ci = 0;
    for (std::size_t i = 0; i < k; ++i) {
        if (experiment.variants[i].id == QLatin1String("control"))
            ci = i;
    }
    a.controlId = experiment.variants[ci].id;

    double weightSum = 0;
    for (const auto &v : experiment.variants)
        weightSum += v.weight;
    std::vector<VariantResults> raw(k);
    quint64 totalExposures = 0;
    quint64 totalJudged = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const Variant &v = experiment.variants[i];
        if (const VariantResults *r = results.variant(v.id))
            raw[i] = *r;
        raw[i].variantId = v.id;
        totalExposures += raw[i].exposures;
        totalJudged += raw[i].preferenceTotal + raw[i].ratingCount + raw[i].hallucinationFlags;
    }

    const double conf = s.confidence;
    for (std::size_t i = 0; i < k; ++i) {
        const Variant &v = experiment.variants[i];
        const VariantResults &r = raw[i];
        VariantAnalysis va;
        va.variantId = v.id;
        va.name = v.name.isEmpty() ? v.id : v.name;
        va.control = i == ci;
        va.weightShare = weightSum > 0 ? v.weight / weightSum : 0;
        va.exposures = r.exposures;
        va.exposureShare = totalExposures ? double(r.exposures) / double(totalExposures) : 0;
        va.successRate = proportion(r.successes, r.exposures, conf);
        va.latency = logLatency(r.latency, conf);
        va.ttft = logLatency(r.ttft, conf);
        va.cost = costPerRequest(r.costUsd, r.exposures, conf);
        va.preference = proportion(r.preferenceWins, r.preferenceTotal, conf);
        va.rating = meanRating(r.ratingSum, r.ratingCount, conf);
        const quint64 judged = std::max(r.hallucinationFlags, r.preferenceTotal + r.ratingCount);
        va.hallucination = proportion(r.hallucinationFlags, judged, conf);
        va.p50 = stats::quantileInterval(r.latency, 0.50, conf);
        va.p95 = stats::quantileInterval(r.latency, 0.95, conf);
        va.p99 = stats::quantileInterval(r.latency, 0.99, conf);
        va.ttftP95 = stats::quantileInterval(r.ttft, 0.95, conf);
        a.variants.push_back(std::move(va));
    }

    const Metric m = a.primary;
    const int treatments = std::max<int>(1, int(k) - 1);
    const double alpha = s.alpha / treatments; // Bonferroni over the treatments
    const quint64 minN = isJudgement(m) ? s.minJudgements : s.minExposures;
    const VariantAnalysis &control = a.variants[ci];
    const MetricValue &cm = control.metric(m);

    // Per-arm sample the always-valid test needs for the minimum effect.
    double unitVariance = cm.unitVariance;
    quint64 smallest = std::numeric_limits<quint64>::max();
    for (std::size_t i = 0; i < k; ++i) {
        if (i == ci)
            continue;
        VariantAnalysis &t = a.variants[i];
        std::optional<double> override;
        if (m == Metric::Preference && k == 2) {
            override = twoWayPreferenceVariance(raw[i], raw[ci], &unitVariance);
        } else if (m == Metric::Preference) {
            // Shares of 3+ variants share votes in ways the contract does not
            // report: bound the variance (Cauchy-Schwarz), which is conservative.
            const double sd = std::sqrt(t.preference.variance) + std::sqrt(cm.variance);
            override = sd * sd;
        }
        t.primary = compare(m, t.metric(m), cm, a.minimumEffect, alpha, minN, override);
        for (Metric g : experiment.guardrails) {
            if (g != m && g != Metric::Unspecified)
                t.guardrails.push_back(checkGuardrail(g, t, control, s, alpha));
        }
        smallest = std::min(smallest, t.metric(m).n);
    }
    a.smallestArm = std::min(smallest, cm.n);
    if (unitVariance <= 0 && isProportion(m)) {
        // Nothing measured yet: plan for the worst case of a proportion
        // (p = 0.5; for a two-way preference, no ties).
        unitVariance = m == Metric::Preference && k == 2 ? 0.5 : 0.25;
    } else if (unitVariance <= 0 && m == Metric::Rating) {
        unitVariance = 4; // the largest variance a 1..5 score can have
    }
    if (cm.available || unitVariance > 0) {
        const double scale = effectScale(m, a.minimumEffect, cm);
        if (unitVariance > 0 && scale > 0)
            a.neededPerVariant = std::max<quint64>(
                minN, stats::sequentialSampleSize(unitVariance, scale, scale * scale, alpha));
    }

    decide(a, DecisionInputs{experiment, raw, ci, totalExposures, totalJudged, alpha, minN, s});
    return a;
}

} // namespace sb
