// From raw results to the sentence on screen: a winner only when the data
// supports it (and never one that breaks a guardrail), "too early" with how
// much more is needed, a broken split blocking every verdict, and the whole
// decision peeked at after every batch of 1,000 A/A experiments naming a
// winner no more often than alpha.

#include "core/experiment_analysis.h"
#include "core/experiment_report.h"

#include <cmath>
#include <cstdio>
#include <gtest/gtest.h>
#include <random>

using namespace sb;

namespace {

Experiment twoArms(Metric primary, std::vector<Metric> guardrails = {})
{
    Experiment e;
    e.id = QStringLiteral("exp-1");
    e.name = QStringLiteral("Test");
    e.state = ExperimentState::Running;
    e.route = QStringLiteral("chat");
    e.primaryMetric = primary;
    e.guardrails = std::move(guardrails);
    e.variants = {
        Variant{.id = QStringLiteral("control"), .name = QStringLiteral("v3"), .weight = 50},
        Variant{.id = QStringLiteral("b"), .name = QStringLiteral("v4"), .weight = 50}};
    return e;
}

VariantResults arm(const char *id, quint64 exposures, quint64 successes)
{
    VariantResults r;
    r.variantId = QString::fromLatin1(id);
    r.exposures = exposures;
    r.successes = successes;
    r.errors = exposures - successes;
    r.costUsd = 0.002 * double(exposures);
    return r;
}

void fillLatency(VariantResults &r, double median, quint64 n, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0, 1);
    for (quint64 i = 0; i < n; ++i)
        r.latency.record(median * std::exp(0.4 * normal(rng)));
}

} // namespace

TEST(ExperimentAnalysis, DraftWithoutTrafficSaysHowToStart)
{
    Experiment e = twoArms(Metric::SuccessRate);
    e.state = ExperimentState::Draft;
    const Analysis a = analyzeExperiment(e, {});
    EXPECT_EQ(a.decision, Analysis::Decision::NoData);
    EXPECT_TRUE(a.reason.contains(QStringLiteral("draft"))) << a.reason.toStdString();
    EXPECT_EQ(a.controlId, QStringLiteral("control"));
}

TEST(ExperimentAnalysis, ClearWinnerOnSuccessRateIsNamedWithItsInterval)
{
    ExperimentResults r;
    r.variants = {arm("control", 10000, 9000), arm("b", 10000, 9300)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    ASSERT_EQ(a.decision, Analysis::Decision::Winner) << a.reason.toStdString();
    EXPECT_EQ(a.winnerId, QStringLiteral("b"));
    EXPECT_EQ(a.headline, QStringLiteral("v4 wins on success rate"));
    const VariantAnalysis *b = a.variant(QStringLiteral("b"));
    ASSERT_NE(b, nullptr);
    EXPECT_NEAR(b->successRate.value, 0.93, 1e-12);
    EXPECT_NEAR(b->primary.difference, 0.03, 1e-12);
    EXPECT_TRUE(b->primary.ci.lo > 0 && b->primary.ci.hi > 0.03);
    EXPECT_GT(b->primary.chanceToBeat, 0.999);
    EXPECT_LT(b->primary.pFixedHorizon, 1e-6);
    EXPECT_TRUE(a.reason.contains(QStringLiteral("93.0 %"))) << a.reason.toStdString();
    EXPECT_TRUE(a.reason.contains(QStringLiteral("+3.00 pp"))) << a.reason.toStdString();
    EXPECT_TRUE(a.srmChecked);
    EXPECT_FALSE(a.srmMismatch);
}

TEST(ExperimentAnalysis, TooEarlySaysHowManyMoreAreNeeded)
{
    ExperimentResults r;
    r.variants = {arm("control", 120, 108), arm("b", 118, 110)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    EXPECT_EQ(a.decision, Analysis::Decision::NotEnoughData);
    EXPECT_EQ(a.headline, QStringLiteral("Too early to say"));
    EXPECT_GT(a.neededPerVariant, 200u);
    EXPECT_TRUE(a.reason.contains(QStringLiteral("more exposures per variant")))
        << a.reason.toStdString();
    EXPECT_TRUE(a.winnerId.isEmpty());
}

TEST(ExperimentAnalysis, SmallDifferenceIsNoWinnerYetWithTheSampleNeeded)
{
    ExperimentResults r;
    r.variants = {arm("control", 5000, 4500), arm("b", 5000, 4530)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    EXPECT_EQ(a.decision, Analysis::Decision::NoWinnerYet) << a.reason.toStdString();
    EXPECT_TRUE(a.winnerId.isEmpty());
    // 0.5 pp at 90 %: about 2 * 0.09 * (z's)^2 / 0.005^2, more for peeking.
    EXPECT_GT(a.neededPerVariant, 50000u);
    EXPECT_LT(a.neededPerVariant, 200000u);
    EXPECT_TRUE(a.reason.contains(QStringLiteral("Needs about"))) << a.reason.toStdString();
}

TEST(ExperimentAnalysis, IdenticalArmsWithLotsOfDataShowNoMeaningfulDifference)
{
    ExperimentResults r;
    r.variants = {arm("control", 2000000, 1800000), arm("b", 2000000, 1800100)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    EXPECT_EQ(a.decision, Analysis::Decision::NoDifference) << a.reason.toStdString();
}

TEST(ExperimentAnalysis, BrokenSplitBlocksEveryVerdict)
{
    ExperimentResults r;
    // 50/50 weights, 6,000 against 4,000 exposures, and a huge "effect".
    r.variants = {arm("control", 6000, 5000), arm("b", 4000, 3900)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    EXPECT_EQ(a.decision, Analysis::Decision::SplitBroken);
    EXPECT_TRUE(a.srmMismatch);
    EXPECT_LT(a.srm.pValue, 1e-10);
    EXPECT_TRUE(a.winnerId.isEmpty());
    EXPECT_TRUE(a.reason.contains(QStringLiteral("60.0 / 40.0 %"))) << a.reason.toStdString();
}

TEST(ExperimentAnalysis, WinnerThatBreaksTheLatencyGuardrailIsNotShipped)
{
    ExperimentResults r;
    r.variants = {arm("control", 10000, 9000), arm("b", 10000, 9300)};
    fillLatency(r.variants[0], 800, 9000, 1);
    fillLatency(r.variants[1], 1000, 9300, 2); // p95 +25 %
    const Analysis a =
        analyzeExperiment(twoArms(Metric::SuccessRate, {Metric::Latency, Metric::Cost}), r);
    ASSERT_EQ(a.decision, Analysis::Decision::WinnerBreaksGuardrail) << a.reason.toStdString();
    EXPECT_EQ(a.winnerId, QStringLiteral("b"));
    const VariantAnalysis *b = a.variant(QStringLiteral("b"));
    ASSERT_EQ(b->guardrails.size(), 2u);
    EXPECT_EQ(b->guardrails[0].metric, Metric::Latency);
    EXPECT_EQ(b->guardrails[0].status, GuardrailStatus::Breached);
    EXPECT_NEAR(b->guardrails[0].change, 0.25, 0.05);
    EXPECT_EQ(b->guardrails[1].metric, Metric::Cost);
    EXPECT_EQ(b->guardrails[1].status, GuardrailStatus::Ok) << b->guardrails[1].text.toStdString();
    EXPECT_TRUE(a.reason.contains(QStringLiteral("p95 latency"))) << a.reason.toStdString();
    // p95 carries its interval and the sketch's error.
    EXPECT_TRUE(b->p95.ci.contains(b->p95.value));
    EXPECT_GT(b->p95.sketchError, 0.005);
}

TEST(ExperimentAnalysis, LatencyAsPrimaryComparesGeometricMeans)
{
    Experiment e = twoArms(Metric::Latency);
    ExperimentResults r;
    r.variants = {arm("control", 5000, 5000), arm("b", 5000, 5000)};
    fillLatency(r.variants[0], 1000, 5000, 3);
    fillLatency(r.variants[1], 850, 5000, 4);
    const Analysis a = analyzeExperiment(e, r);
    ASSERT_EQ(a.decision, Analysis::Decision::Winner) << a.reason.toStdString();
    const VariantAnalysis *b = a.variant(QStringLiteral("b"));
    EXPECT_NEAR(b->primary.relative, -0.15, 0.03);
    EXPECT_NEAR(b->latency.value, 850, 850 * 0.03);
}

TEST(ExperimentAnalysis, ThreeArmsWithTwoWinnersNotSeparated)
{
    Experiment e = twoArms(Metric::SuccessRate);
    e.variants.push_back(
        Variant{.id = QStringLiteral("c"), .name = QStringLiteral("v5"), .weight = 50});
    ExperimentResults r;
    r.variants = {arm("control", 20000, 18000), arm("b", 20000, 18600), arm("c", 20000, 18620)};
    const Analysis a = analyzeExperiment(e, r);
    ASSERT_EQ(a.decision, Analysis::Decision::Winner) << a.reason.toStdString();
    EXPECT_EQ(a.winnerId, QStringLiteral("c"));
    EXPECT_EQ(a.alsoBetter, QStringList{QStringLiteral("v4")});
    EXPECT_TRUE(a.headline.contains(QStringLiteral("beat control"))) << a.headline.toStdString();
}

TEST(ExperimentAnalysis, PreferenceOfTwoUsesTheVotesThemselves)
{
    Experiment e = twoArms(Metric::Preference);
    ExperimentResults r;
    r.variants = {arm("control", 0, 0), arm("b", 0, 0)};
    // 200 votes: b won 120, control 60, 20 ties.
    r.variants[0].preferenceTotal = r.variants[1].preferenceTotal = 200;
    r.variants[0].preferenceWins = 60;
    r.variants[1].preferenceWins = 120;
    const Analysis a = analyzeExperiment(e, r);
    ASSERT_EQ(a.decision, Analysis::Decision::Winner) << a.reason.toStdString();
    const VariantAnalysis *b = a.variant(QStringLiteral("b"));
    EXPECT_NEAR(b->primary.difference, 0.3, 1e-12);
    // Variance from the votes: (0.9 - 0.09) / 200, not the sum of two shares'.
    const double v = (0.6 + 0.3 - 0.09) / 200;
    EXPECT_NEAR(b->primary.pFixedHorizon, 2 * stats::normalCdf(-0.3 / std::sqrt(v)), 1e-9);
    EXPECT_EQ(b->preference.n, 200u);
}

TEST(ExperimentAnalysis, MethodsTextNamesTheMethods)
{
    ExperimentResults r;
    r.variants = {arm("control", 1000, 900), arm("b", 1000, 910)};
    const Analysis a = analyzeExperiment(twoArms(Metric::SuccessRate), r);
    const QString m = methodsText(a, {});
    EXPECT_TRUE(m.contains(QStringLiteral("mSPRT")));
    EXPECT_TRUE(m.contains(QStringLiteral("Wilson")));
    EXPECT_TRUE(m.contains(QStringLiteral("Beta")));
    EXPECT_TRUE(m.contains(QStringLiteral("sample ratio mismatch")));
}

// The whole decision, as the screen shows it, looked at after every batch:
// 1,000 A/A experiments of three arms (so the Bonferroni split matters), 30
// looks each. A winner may be named in at most about alpha of them.
TEST(ExperimentAnalysis, PeekedAADecisionsNameAWinnerAtMostAlphaOfTheTime)
{
    Experiment e = twoArms(Metric::SuccessRate);
    e.variants.push_back(
        Variant{.id = QStringLiteral("c"), .name = QStringLiteral("v5"), .weight = 50});
    AnalysisSettings s;
    s.minimumEffect = 0.02;
    std::mt19937_64 rng(99);
    const double p = 0.3;
    std::binomial_distribution<int> draw(500, p);
    const int experiments = 1000;
    int falseWinners = 0;
    int srmAlarms = 0;
    for (int x = 0; x < experiments; ++x) {
        ExperimentResults r;
        r.variants = {arm("control", 0, 0), arm("b", 0, 0), arm("c", 0, 0)};
        bool named = false;
        for (int look = 0; look < 30; ++look) {
            for (auto &v : r.variants) {
                v.exposures += 500;
                v.successes += quint64(draw(rng));
            }
            const Analysis a = analyzeExperiment(e, r, s);
            named = named || !a.winnerId.isEmpty() || a.decision == Analysis::Decision::ControlBest;
            srmAlarms += a.srmMismatch;
        }
        falseWinners += named;
    }
    const double rate = double(falseWinners) / experiments;
    std::printf("A/A, 3 arms, 30 looks: a verdict was named in %.1f %% of %d experiments "
                "(alpha 5 %%)\n",
                rate * 100, experiments);
    EXPECT_LE(rate, 0.05 + 2 * std::sqrt(0.05 * 0.95 / experiments));
    EXPECT_EQ(srmAlarms, 0);
}

TEST(ExperimentReport, CsvHasOneQuotedRowPerVariantWithTheNumbers)
{
    Experiment e = twoArms(Metric::SuccessRate);
    e.variants[1].name = QStringLiteral("v4, \"short\"");
    ExperimentResults r;
    r.variants = {arm("control", 10000, 9000), arm("b", 10000, 9300)};
    const Analysis a = analyzeExperiment(e, r);
    const QString csv = resultsCsv(e, r, a);
    const QStringList lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 3);
    EXPECT_TRUE(lines[0].startsWith(QStringLiteral("experiment_id,variant_id,variant_name")));
    EXPECT_TRUE(lines[2].startsWith(QStringLiteral("exp-1,b,\"v4, \"\"short\"\"\",0,0.5,10000")))
        << lines[2].toStdString();
    EXPECT_TRUE(lines[2].contains(QStringLiteral(",0.93,"))) << lines[2].toStdString();
    EXPECT_TRUE(lines[2].contains(QStringLiteral(",better,")));
    EXPECT_TRUE(lines[2].endsWith(QStringLiteral(",winner")));
    EXPECT_TRUE(lines[1].contains(QStringLiteral(",control,"))) << lines[1].toStdString();
    EXPECT_EQ(lines[0].count(QLatin1Char(',')), 35);
}
