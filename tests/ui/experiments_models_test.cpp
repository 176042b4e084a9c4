// The experiments room's models under QAbstractItemModelTester, from small
// fixtures (no sim, no cache): the results table's rows, in-place updates
// that keep selections, what a user reads in its cells (intervals, the
// verdict, colours only where the always-valid test says so), and the arena
// history's list.

#include "core/experiment_analysis.h"
#include "ui/common/palette.h"
#include "ui/experiments/arena_history_model.h"
#include "ui/experiments/results_model.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QCoreApplication>
#include <QSignalSpy>
#include <gtest/gtest.h>

using namespace sb;

namespace {

constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

Experiment experiment()
{
    Experiment e;
    e.id = QStringLiteral("exp-1");
    e.state = ExperimentState::Running;
    e.primaryMetric = Metric::SuccessRate;
    e.guardrails = {Metric::Latency};
    e.variants = {
        Variant{.id = QStringLiteral("control"), .name = QStringLiteral("v3"), .weight = 50},
        Variant{.id = QStringLiteral("b"), .name = QStringLiteral("v4"), .weight = 50}};
    return e;
}

ExperimentResults results(quint64 n, quint64 sControl, quint64 sB)
{
    ExperimentResults r;
    r.experimentId = QStringLiteral("exp-1");
    for (auto [id, s] : {std::pair{"control", sControl}, std::pair{"b", sB}}) {
        VariantResults v;
        v.variantId = QString::fromLatin1(id);
        v.exposures = n;
        v.successes = s;
        v.errors = n - s;
        v.costUsd = 0.003 * double(n);
        for (quint64 i = 0; i < std::min<quint64>(s, 2000); ++i)
            v.latency.record(500 + double(i % 100) * 10);
        r.variants.push_back(v);
    }
    return r;
}

} // namespace

TEST(ResultsModel, ShowsIntervalsAndTheVerdictAndUpdatesInPlace)
{
    ResultsModel model;
    QAbstractItemModelTester tester(&model, kFatal);
    EXPECT_EQ(model.rowCount(), 0);
    model.setAnalysis(analyzeExperiment(experiment(), results(10000, 9000, 9300)));
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.columnCount(), int(ResultsModel::NB_COLUMNS));
    auto text = [&](int row, int col) { return model.index(row, col).data().toString(); };
    EXPECT_EQ(text(0, ResultsModel::Variant), QStringLiteral("v3 (control)"));
    EXPECT_EQ(text(1, ResultsModel::Variant), QStringLiteral("★ v4"));
    EXPECT_EQ(text(1, ResultsModel::Exposures), QStringLiteral("10,000"));
    EXPECT_EQ(text(1, ResultsModel::Traffic), QStringLiteral("50 % → 50.0 %"));
    EXPECT_TRUE(text(1, ResultsModel::SuccessRate).startsWith(QStringLiteral("93.0 % (92.")))
        << text(1, ResultsModel::SuccessRate).toStdString();
    EXPECT_TRUE(text(1, ResultsModel::VsControl).startsWith(QStringLiteral("+3.00 pp (")))
        << text(1, ResultsModel::VsControl).toStdString();
    EXPECT_TRUE(text(1, ResultsModel::VsControl).endsWith(QStringLiteral("better")));
    EXPECT_EQ(text(1, ResultsModel::ChanceToBeat), QStringLiteral("> 99.9 %"));
    EXPECT_EQ(text(0, ResultsModel::VsControl), QStringLiteral("baseline"));
    EXPECT_EQ(model.index(1, ResultsModel::VsControl).data(Qt::ForegroundRole).value<QColor>(),
              palette::good());
    EXPECT_EQ(model.headerData(ResultsModel::VsControl, Qt::Horizontal, Qt::DisplayRole).toString(),
              QStringLiteral("success rate vs control"));
    // Sort keys are numbers, not the formatted text.
    EXPECT_EQ(model.index(1, ResultsModel::Exposures).data(Qt::UserRole).toULongLong(), 10000u);
    EXPECT_FALSE(model.index(1, ResultsModel::PValue).data(Qt::ToolTipRole).toString().isEmpty());

    // The same variants again: values change in place, no reset.
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setAnalysis(analyzeExperiment(experiment(), results(12000, 10800, 10820)));
    EXPECT_EQ(resets.count(), 0);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_FALSE(text(1, ResultsModel::Variant).startsWith(QStringLiteral("★")));
    EXPECT_FALSE(model.index(1, ResultsModel::VsControl).data(Qt::ForegroundRole).isValid());

    // Another experiment: a reset.
    Experiment three = experiment();
    three.variants.push_back(
        Variant{.id = QStringLiteral("c"), .name = QStringLiteral("v5"), .weight = 50});
    model.setAnalysis(analyzeExperiment(three, results(100, 90, 91)));
    EXPECT_EQ(resets.count(), 1);
    EXPECT_EQ(model.rowCount(), 3);
    EXPECT_EQ(text(2, ResultsModel::Exposures), QStringLiteral("0"));
    EXPECT_EQ(text(2, ResultsModel::ChanceToBeat), QStringLiteral("—"));
    model.setAnalysis({});
    EXPECT_EQ(model.rowCount(), 0);
}

TEST(ResultsModel, GuardrailBreachIsRed)
{
    ExperimentResults r = results(10000, 9000, 9300);
    r.variants[1].latency = LatencySketch();
    for (int i = 0; i < 9300; ++i)
        r.variants[1].latency.record(800 + double(i % 100) * 20);
    ResultsModel model;
    QAbstractItemModelTester tester(&model, kFatal);
    model.setAnalysis(analyzeExperiment(experiment(), r));
    const QModelIndex g = model.index(1, ResultsModel::Guardrails);
    EXPECT_TRUE(g.data().toString().contains(QStringLiteral("latency breached")))
        << g.data().toString().toStdString();
    EXPECT_EQ(g.data(Qt::ForegroundRole).value<QColor>(), palette::bad());
    EXPECT_TRUE(g.data(Qt::ToolTipRole).toString().contains(QStringLiteral("p95 latency")));
}

TEST(ArenaHistoryModel, ListsRunsNewestFirstAndUpdatesAVoteInPlace)
{
    ArenaHistoryModel model;
    QAbstractItemModelTester tester(&model, kFatal);
    ArenaRun a;
    a.requestId = QStringLiteral("r1");
    a.timeMs = 1000;
    a.input = QStringLiteral("first   input\nwith lines");
    a.blind = true;
    ArenaOutput o;
    o.variantId = QStringLiteral("b");
    o.variantName = QStringLiteral("v4");
    o.label = QStringLiteral("A");
    a.outputs = {o};
    model.setRuns({a});
    ASSERT_EQ(model.rowCount(), 1);
    EXPECT_EQ(model.index(0, ArenaHistoryModel::Input).data().toString(),
              QStringLiteral("first input with lines"));
    EXPECT_EQ(model.index(0, ArenaHistoryModel::Vote).data().toString(),
              QStringLiteral("not voted"));
    ArenaRun b = a;
    b.requestId = QStringLiteral("r2");
    b.timeMs = 2000;
    model.upsert(b);
    ASSERT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.index(0, 0).data(ArenaHistoryModel::RequestIdRole).toString(),
              QStringLiteral("r2"));
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    b.vote = ArenaVote::Prefer;
    b.preferredVariantId = QStringLiteral("b");
    b.hallucinated = {QStringLiteral("b")};
    b.feedbackStatus = QStringLiteral("not sent: not connected");
    model.upsert(b);
    EXPECT_EQ(resets.count(), 0);
    EXPECT_EQ(model.rowCount(), 2);
    EXPECT_EQ(model.index(0, ArenaHistoryModel::Vote).data().toString(),
              QStringLiteral("A best (v4) · 1 flagged"));
    EXPECT_EQ(model.index(0, ArenaHistoryModel::Feedback).data(Qt::ForegroundRole).value<QColor>(),
              palette::bad());
    EXPECT_EQ(model.run(QStringLiteral("r1"))->input, a.input);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
