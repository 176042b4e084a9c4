// Internal to core: the words the experiment analysis speaks in (numbers,
// units, metric kinds) and the decision step that turns measured comparisons
// into a headline and a reason. Not part of the public API.
#pragma once

#include "core/experiment_analysis.h"

#include <QString>
#include <cstddef>
#include <vector>

namespace sb::analysis {

QString tr(const char *s);
bool isProportion(Metric m);
bool isRatio(Metric m);
bool isJudgement(Metric m);
QString signedNumber(double x, int digits);
QString count(quint64 n);
QString percent(double fraction, int digits = 1);
int proportionDigits(double p); // digits enough to tell values apart near 100 %
QString ms(double v);
QString usd(double v);
QString valueText(Metric m, const MetricValue &v);
QString unitNoun(Metric m); // "exposures", "votes", ...

// The comparison scale's effect: what the mSPRT's mixing spread and the
// sample size are computed for.
double effectScale(Metric m, double effect, const MetricValue &control);

// What the decision step reads besides the analysis measured so far.
struct DecisionInputs
{
    const Experiment &experiment;
    const std::vector<VariantResults> &raw; // per variant, in experiment order
    std::size_t control = 0;                // index of the control variant
    quint64 totalExposures = 0;
    quint64 totalJudged = 0;
    double alpha = 0.05; // per comparison, after Bonferroni
    quint64 minN = 0;    // the smallest arm comparisons start at
    const AnalysisSettings &settings;
};

// Sets a.decision, headline, reason, winnerId and alsoBetter.
void decide(Analysis &a, const DecisionInputs &in);

} // namespace sb::analysis
