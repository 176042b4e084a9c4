#pragma once

// From an experiment's raw results to a decision in plain words. Every
// variant gets its figures with intervals; every treatment is compared with
// the control (the variant with id "control", else the first) on the primary
// metric with an always-valid test (mSPRT, see experiment_stats.h), so the
// verdict stays valid however often the results are looked at; the
// guardrails are checked the same way; a broken traffic split (sample ratio
// mismatch) blocks any verdict. A winner is named only when the data
// supports it, and otherwise the text says why not and how much more data
// the minimum effect needs.
//
// Scales: success rate, preference share and hallucination rate compare as
// absolute differences of proportions (pp); latency and time to first token
// as ratios of geometric means (their tails are too heavy for means); cost
// per request and rating as differences of means.
//
// Known limits, said in methods(): the contract reports cost as a total and
// ratings as a sum, so their variances are bounded rather than measured (cost:
// coefficient of variation at most 1; rating: the largest variance a 1..5
// score with that mean can have); preference shares of three or more
// variants are compared with a conservative variance (the per-pair counts are
// not in the contract); the p95 guardrail interval is per look, not
// sequential.

#include "core/experiment_results.h"
#include "core/experiment_stats.h"
#include "core/types.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace sb {

struct AnalysisSettings
{
    double alpha = 0.05;       // false-positive rate of the decision, over all treatments
    double confidence = 0.95;  // per-variant intervals
    double srmAlpha = 0.001;   // sample-ratio-mismatch alarm threshold
    quint64 srmMinTotal = 100; // exposures before the split is checked at all
    // Smallest effect worth detecting on the primary metric; 0 = its default.
    // Proportions: absolute (0.005 = 0.5 pp). Latency, TTFT, cost: relative
    // (0.05 = 5 %). Rating: points.
    double minimumEffect = 0;
    quint64 minExposures = 200; // per variant, before comparing traffic metrics
    quint64 minJudgements = 20; // per variant, before comparing human feedback
    // How much worse a guardrail may get before it counts as breached.
    double successTolerance = 0.005;      // -0.5 pp
    double latencyTolerance = 0.10;       // p95 +10 %
    double ttftTolerance = 0.10;          // +10 %
    double costTolerance = 0.10;          // +10 %
    double hallucinationTolerance = 0.02; // +2 pp
    double preferenceTolerance = 0.05;    // -5 pp
    double ratingTolerance = 0.25;        // -0.25 points
};

// The default minimum effect of a metric (see AnalysisSettings::minimumEffect).
double defaultMinimumEffect(Metric metric);
// "0.5 pp", "5 %", "0.25 points": an effect in its metric's terms.
QString formatEffect(Metric metric, double effect);
bool higherIsBetter(Metric metric);

struct MetricValue
{
    bool available = false;
    double value = 0;   // display units: fraction, ms, USD, points
    stats::Interval ci; // per-variant interval, display units
    quint64 n = 0;      // observations behind it
    quint64 hits = 0;   // proportions: the numerator
    // On the comparison scale (proportion, log ms, USD, points).
    double estimate = 0;
    double variance = 0;     // of `estimate`
    double unitVariance = 0; // of one observation
};

struct Comparison
{
    enum class Verdict
    {
        NotAvailable,  // the control itself, or no data of this kind
        NotEnoughData, // below the minimum sample
        Better,
        Worse,
        Inconclusive, // the always-valid interval still spans 0
        Equivalent    // the interval lies within +/- the minimum effect
    };
    Verdict verdict = Verdict::NotAvailable;
    double difference = 0;    // comparison scale
    stats::Interval ci;       // always-valid, comparison scale
    double relative = 0;      // ratios: exp(difference) - 1; else difference / control
    double pFixedHorizon = 1; // valid only for one planned look
    double pAlwaysValid = 1;
    double chanceToBeat = 0.5; // P(treatment is better than control)
    QString change;            // "+0.6 pp", "−12 %"
    QString interval;          // "+0.2 to +1.0 pp": the always-valid interval
    QString text;              // "+0.6 pp (+0.2 to +1.0 pp)", for tables
};

enum class GuardrailStatus
{
    NotEnoughData,
    Ok,      // shown to stay within the tolerance
    Unclear, // neither shown within nor beyond it yet
    Breached // shown to be worse than the tolerance allows
};
QString toString(GuardrailStatus s);

struct GuardrailCheck
{
    Metric metric = Metric::Unspecified;
    GuardrailStatus status = GuardrailStatus::NotEnoughData;
    double change = 0;  // relative (latency, TTFT, cost) or absolute (others)
    stats::Interval ci; // of the change
    QString text;       // "p95 latency +14 % (+8 to +20 %); at most +10 % allowed"
};

struct VariantAnalysis
{
    QString variantId;
    QString name;
    bool control = false;
    double weightShare = 0;   // configured share of traffic
    double exposureShare = 0; // observed share
    quint64 exposures = 0;
    MetricValue successRate;
    MetricValue latency; // geometric mean of successful requests, ms
    MetricValue ttft;    // geometric mean, ms
    MetricValue cost;    // USD per request
    MetricValue preference;
    MetricValue rating;
    MetricValue hallucination;
    stats::QuantileEstimate p50;
    stats::QuantileEstimate p95;
    stats::QuantileEstimate p99;
    stats::QuantileEstimate ttftP95;
    Comparison primary; // vs control, on the primary metric
    std::vector<GuardrailCheck> guardrails;
    bool breachesGuardrail() const;

    const MetricValue &metric(Metric m) const;
};

struct Analysis
{
    enum class Decision
    {
        NoData,        // nothing measured yet
        SplitBroken,   // sample ratio mismatch: nothing else can be trusted
        NotEnoughData, // below the minimum sample
        NoWinnerYet,   // differences within noise; more data needed
        NoDifference,  // every variant within +/- the minimum effect of control
        Winner,        // one variant beats control (and breaks no guardrail)
        WinnerBreaksGuardrail,
        ControlBest // every treatment is worse than control
    };
    Decision decision = Decision::NoData;
    Metric primary = Metric::Unspecified;
    double minimumEffect = 0;
    QString controlId;
    QString winnerId;       // Winner / WinnerBreaksGuardrail
    QStringList alsoBetter; // other variants that beat control, not separated from the winner
    QString headline;       // "concise wins on success rate"
    QString reason;         // the numbers behind it, in a sentence or two
    stats::SampleRatio srm;
    bool srmChecked = false;
    bool srmMismatch = false;
    quint64 neededPerVariant = 0; // for the minimum effect; 0 when not applicable
    quint64 smallestArm = 0;
    std::vector<VariantAnalysis> variants;
    const VariantAnalysis *variant(const QString &id) const;
};
QString toString(Analysis::Decision d);

Analysis analyzeExperiment(const Experiment &experiment, const ExperimentResults &results,
                           const AnalysisSettings &settings = {});

// "97.2 %", "> 99.9 %": a probability for the screen.
QString chanceText(double probability);

// Methods paragraph for the screen and the report.
QString methodsText(const Analysis &analysis, const AnalysisSettings &settings);

} // namespace sb
