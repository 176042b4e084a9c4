// The decision step of the experiment analysis: in a fixed order (any data?
// does the split hold? enough data? then winner, guardrail breach, control
// best, no difference, or not yet), the verdict and the sentences that say it.
#include "core/experiment_analysis_words.h"

#include <algorithm>
#include <cmath>

namespace sb {
namespace analysis {

void decide(Analysis &a, const DecisionInputs &in)
{
    const Experiment &experiment = in.experiment;
    const std::vector<VariantResults> &raw = in.raw;
    const AnalysisSettings &s = in.settings;
    const std::size_t k = experiment.variants.size();
    const std::size_t ci = in.control;
    const quint64 totalExposures = in.totalExposures;
    const quint64 totalJudged = in.totalJudged;
    const double alpha = in.alpha;
    const quint64 minN = in.minN;
    const Metric m = a.primary;
    const VariantAnalysis &control = a.variants[ci];
    const MetricValue &cm = control.metric(m);

    const QString metricName = toString(m);
    const QString mde = formatEffect(m, a.minimumEffect);
    const QString noun = unitNoun(m);
    auto neededText = [&] {
        if (a.neededPerVariant == 0)
            return QString();
        if (a.neededPerVariant > 1000000000ull)
            return tr("Detecting %1 would take more than a billion %2 per variant; consider a "
                      "larger minimum effect.")
                .arg(mde, noun);
        const quint64 more =
            a.neededPerVariant > a.smallestArm ? a.neededPerVariant - a.smallestArm : 0;
        if (a.smallestArm == 0)
            return tr("Needs about %1 %2 per variant to detect a %3 change (80 % power, "
                      "always-valid test).")
                .arg(count(a.neededPerVariant), noun, mde);
        if (more == 0)
            return tr("With %1 %2 per variant a %3 change would have shown by now (80 % "
                      "power); any real difference is likely smaller.")
                .arg(count(a.smallestArm), noun, mde);
        return tr("Needs about %1 more %2 per variant to detect a %3 change (about %4 each in "
                  "all; 80 % power, always-valid test).")
            .arg(count(more), noun, mde, count(a.neededPerVariant));
    };

    // 1. Anything at all?
    if (totalExposures == 0 && totalJudged == 0) {
        a.decision = Analysis::Decision::NoData;
        a.headline = tr("No results yet");
        switch (experiment.state) {
        case ExperimentState::Draft:
            a.reason = tr("This experiment is a draft and takes no traffic. Start it to split "
                          "route %1's requests between its variants.")
                           .arg(experiment.route);
            break;
        case ExperimentState::Running:
            a.reason = tr("Waiting for the first requests on route %1.").arg(experiment.route);
            break;
        default:
            a.reason = tr("The experiment recorded no requests.");
        }
        return;
    }

    // 2. The split must hold before anything else can be read.
    if (totalExposures >= s.srmMinTotal) {
        std::vector<uint64_t> exp;
        std::vector<double> w;
        for (std::size_t i = 0; i < k; ++i) {
            exp.push_back(raw[i].exposures);
            w.push_back(experiment.variants[i].weight);
        }
        a.srm = stats::sampleRatioMismatch(exp, w);
        a.srmChecked = true;
        a.srmMismatch = a.srm.pValue < s.srmAlpha;
    }
    if (a.srmMismatch) {
        a.decision = Analysis::Decision::SplitBroken;
        a.headline = tr("Traffic split is broken: do not trust these results");
        QStringList observed;
        QStringList expected;
        for (std::size_t i = 0; i < k; ++i) {
            observed << QString::number(a.srm.observedShare[i] * 100, 'f', 1);
            expected << QString::number(a.srm.expectedShare[i] * 100, 'f', 1);
        }
        const QString p = a.srm.pValue < 0.0001
                              ? QStringLiteral("p < 0.0001")
                              : QStringLiteral("p = %1").arg(a.srm.pValue, 0, 'g', 2);
        a.reason =
            tr("Exposures split %1 % against weights of %2 % (sample ratio mismatch: "
               "χ² = %3, %4). Something assigns or drops requests unevenly (a crash or "
               "redirect in one variant, bots, weights changed mid-experiment); find it "
               "before reading any comparison.")
                .arg(observed.join(QStringLiteral(" / ")), expected.join(QStringLiteral(" / ")))
                .arg(a.srm.chiSquare, 0, 'f', 1)
                .arg(p);
        return;
    }

    // 3. Enough data for the primary metric?
    std::vector<std::size_t> better;
    std::vector<std::size_t> breachers;
    int worse = 0;
    int equivalent = 0;
    int notEnough = 0;
    for (std::size_t i = 0; i < k; ++i) {
        if (i == ci)
            continue;
        switch (a.variants[i].primary.verdict) {
        case Comparison::Verdict::Better:
            (a.variants[i].breachesGuardrail() ? breachers : better).push_back(i);
            break;
        case Comparison::Verdict::Worse:
            ++worse;
            break;
        case Comparison::Verdict::Equivalent:
            ++equivalent;
            break;
        case Comparison::Verdict::NotEnoughData:
        case Comparison::Verdict::NotAvailable:
            ++notEnough;
            break;
        case Comparison::Verdict::Inconclusive:
            break;
        }
    }
    if (notEnough > 0) {
        a.decision = Analysis::Decision::NotEnoughData;
        a.headline = tr("Too early to say");
        if (isJudgement(m) && a.smallestArm == 0)
            a.reason = tr("%1 is judged by people: every variant needs at least %2 %3 before "
                          "it can be compared, and at least one has none yet. Vote in the "
                          "Arena to add some. %4")
                           .arg(metricName.left(1).toUpper() + metricName.mid(1), count(minN), noun,
                                neededText());
        else
            a.reason = tr("The smallest variant has %1 %2 of %3; comparisons start at %4 per "
                          "variant. %5")
                           .arg(count(a.smallestArm), noun, metricName, count(minN), neededText());
        return;
    }

    auto bestOf = [&](const std::vector<std::size_t> &idx) {
        std::size_t best = idx.front();
        for (std::size_t i : idx) {
            const double e = a.variants[i].metric(m).estimate;
            const double b = a.variants[best].metric(m).estimate;
            if (higherIsBetter(m) ? e > b : e < b)
                best = i;
        }
        return best;
    };
    auto winnerSentence = [&](const VariantAnalysis &w) {
        return tr("%1: %2 against %3 for %4, a change of %5 (always-valid %6 % interval %7); "
                  "chance to beat control %8.")
            .arg(w.name, valueText(m, w.metric(m)), valueText(m, cm), control.name,
                 w.primary.change)
            .arg(100 * (1 - s.alpha), 0, 'g', 3)
            .arg(w.primary.interval, chanceText(w.primary.chanceToBeat));
    };

    if (!better.empty()) {
        const std::size_t w = bestOf(better);
        const VariantAnalysis &win = a.variants[w];
        a.decision = Analysis::Decision::Winner;
        a.winnerId = win.variantId;
        a.headline = tr("%1 wins on %2").arg(win.name, metricName);
        a.reason = winnerSentence(win);
        // Others that also beat control but are not separated from the winner.
        for (std::size_t i : better) {
            if (i == w)
                continue;
            const MetricValue &x = a.variants[i].metric(m);
            const MetricValue &y = win.metric(m);
            const double scale = effectScale(m, a.minimumEffect, cm);
            const stats::Sequential seq = stats::mixtureSequentialTest(
                y.estimate - x.estimate, x.variance + y.variance, scale * scale, alpha);
            if (!seq.significant)
                a.alsoBetter << a.variants[i].name;
        }
        if (!a.alsoBetter.isEmpty()) {
            a.headline = tr("%1 and %2 beat control on %3")
                             .arg(win.name, a.alsoBetter.join(QStringLiteral(", ")), metricName);
            a.reason += tr(" Between them it is too early to say; %1 leads.").arg(win.name);
        }
        QStringList unclear;
        for (const auto &g : win.guardrails) {
            if (g.status == GuardrailStatus::Unclear || g.status == GuardrailStatus::NotEnoughData)
                unclear << toString(g.metric);
        }
        if (!unclear.isEmpty())
            a.reason +=
                tr(" Guardrails not yet cleared: %1.").arg(unclear.join(QStringLiteral(", ")));
        return;
    }
    if (!breachers.empty()) {
        const std::size_t w = bestOf(breachers);
        const VariantAnalysis &win = a.variants[w];
        a.decision = Analysis::Decision::WinnerBreaksGuardrail;
        a.winnerId = win.variantId;
        a.headline = tr("%1 is better on %2 but breaks a guardrail").arg(win.name, metricName);
        QStringList broken;
        for (const auto &g : win.guardrails) {
            if (g.status == GuardrailStatus::Breached)
                broken << g.text;
        }
        a.reason = winnerSentence(win) + QLatin1Char(' ') +
                   tr("Breached: %1. Do not ship it as is.").arg(broken.join(QStringLiteral("; ")));
        return;
    }
    if (worse == int(k) - 1) {
        a.decision = Analysis::Decision::ControlBest;
        a.headline = tr("Control stays best");
        a.reason = tr("Every variant is worse than %1 on %2 (always-valid test).")
                       .arg(control.name, metricName);
        return;
    }
    if (equivalent == int(k) - 1) {
        a.decision = Analysis::Decision::NoDifference;
        a.headline = tr("No meaningful difference");
        a.reason = tr("Every variant is within ±%1 of %2 on %3 (always-valid %4 % interval): "
                      "decide on cost, latency or other grounds.")
                       .arg(mde, control.name, metricName)
                       .arg(100 * (1 - s.alpha), 0, 'g', 3);
        return;
    }
    a.decision = Analysis::Decision::NoWinnerYet;
    a.headline = tr("No winner yet");
    QStringList worseNames;
    for (std::size_t i = 0; i < k; ++i) {
        if (i != ci && a.variants[i].primary.verdict == Comparison::Verdict::Worse)
            worseNames << a.variants[i].name;
    }
    a.reason = tr("Differences on %1 are still within noise.").arg(metricName);
    if (!worseNames.isEmpty())
        a.reason += tr(" %1 is worse than control.").arg(worseNames.join(QStringLiteral(", ")));
    a.reason += QLatin1Char(' ') + neededText();
}

} // namespace analysis

using analysis::tr;

QString methodsText(const Analysis &a, const AnalysisSettings &s)
{
    QStringList p;
    p << tr("Control is %1; every other variant is compared with it on the primary metric, %2, "
            "for a minimum effect of %3.")
             .arg(a.controlId, toString(a.primary), formatEffect(a.primary, a.minimumEffect));
    p << tr("The decision uses a mixture sequential probability ratio test (mSPRT, normal "
            "mixture with spread equal to the minimum effect) whose always-valid %1 % "
            "confidence sequences hold at every look, so refreshing the results does not raise "
            "the false-positive rate; α = %2 is split evenly (Bonferroni) over the %3 "
            "comparison(s). The fixed-horizon p-value (two-sided z-test) is shown for "
            "reference only: it is valid for one planned look.")
             .arg(100 * (1 - s.alpha), 0, 'g', 3)
             .arg(s.alpha)
             .arg(std::max<std::size_t>(1, a.variants.size() - 1));
    p << tr("Success rates have Wilson %1 % intervals; chance to beat control is P(B > A) under "
            "Beta(1 + successes, 1 + failures) posteriors. Latency and time to first token "
            "compare as ratios of geometric means (log scale; their tails are too heavy for "
            "means), read from the merged exponential-histogram sketches; p95/p99 intervals come "
            "from order-statistic ranks widened by the sketch's %2 % relative error.")
             .arg(100 * s.confidence, 0, 'g', 3)
             .arg(stats::sketchRelativeError(LatencySketch::kDefaultScale) * 100, 0, 'f', 2);
    p << tr("The split is checked first: a chi-square test of exposures against weights at "
            "p < %1 (sample ratio mismatch) blocks every verdict. Guardrails must not be shown "
            "worse than their tolerance; a variant that breaks one is never called the "
            "winner.")
             .arg(s.srmAlpha);
    p << tr("Limits: the service reports cost as a total and ratings as a sum, so their "
            "variances are bounded, not measured (cost: coefficient of variation at most 1; "
            "rating: the largest variance a 1–5 score can have). Preference shares of three or "
            "more variants use a conservative variance. p95 guardrail intervals hold per look, "
            "not across looks.");
    return p.join(QLatin1Char(' '));
}

} // namespace sb
