// The experiments client against the real sim over loopback gRPC: create an
// experiment and walk it (start, weights with the etag flow and a conflict
// that carries the current experiment), results by call and by watch
// (growing, one finished per start), a comparison streamed to completion
// and one cancelled midway (finished once, nothing after it, no call left in
// flight), feedback that moves the results.

#include "client/call_tracker.h"
#include "client/compare_stream.h"
#include "client/connection.h"
#include "client/experiments_client.h"
#include "client/grpc_runtime.h"
#include "client/results_watch.h"
#include "core/experiment_analysis.h"
#include "sim/sim_server.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <map>
#include <memory>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim(double timeScale = 0.05)
{
    sim::SimOptions o;
    o.rate = 3000;
    o.timeScale = timeScale;
    o.tokens["viewer-token"] = {sim::Role::Viewer, "vera"};
    o.tokens["operator-token"] = {sim::Role::Operator, "otto"};
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    if (!s->start(&err))
        ADD_FAILURE() << "sim did not start: " << err;
    return s;
}

struct Client
{
    Client(const sim::SimServer &sim, const char *token)
    {
        connection.connectTo(QString::fromStdString(sim.address()), QString::fromLatin1(token));
        EXPECT_TRUE(QTest::qWaitFor([&] { return connection.isReady(); }, 10000));
    }
    Connection connection;
    ExperimentsClient client{&connection};
};

std::vector<Experiment> list(ExperimentsClient &client)
{
    QSignalSpy listed(&client, &ExperimentsClient::experimentsListed);
    client.listExperiments();
    EXPECT_TRUE(listed.wait(8000));
    return listed.isEmpty() ? std::vector<Experiment>{}
                            : listed.at(0).at(0).value<std::vector<Experiment>>();
}

Experiment byName(const std::vector<Experiment> &all, const QString &name)
{
    for (const auto &e : all) {
        if (e.name == name)
            return e;
    }
    return {};
}

Experiment running(const std::vector<Experiment> &all)
{
    for (const auto &e : all) {
        if (e.state == ExperimentState::Running)
            return e;
    }
    return {};
}

// Applies a change and waits for its answer; returns the error (ok on success).
RpcError apply(ExperimentsClient &client, const Change &c, Experiment *updated = nullptr)
{
    QSignalSpy ok(&client, &ExperimentsClient::changeApplied);
    QSignalSpy failed(&client, &ExperimentsClient::changeFailed);
    QSignalSpy changed(&client, &ExperimentsClient::experimentUpdated);
    client.apply(c);
    EXPECT_TRUE(QTest::qWaitFor([&] { return ok.count() + failed.count() > 0; }, 8000));
    if (!failed.isEmpty())
        return failed.at(0).at(1).value<RpcError>();
    if (updated && !changed.isEmpty())
        *updated = changed.at(0).at(0).value<Experiment>();
    return {};
}

} // namespace

TEST(ExperimentsClient, CreatesStartsAndReweighsWithTheEtagFlow)
{
    auto sim = startSim();
    Client op(*sim, "operator-token");

    Change create;
    create.kind = ChangeKind::ExperimentCreate;
    create.object = QStringLiteral("Summaries on mini");
    create.requestId = Change::newRequestId();
    create.reason = QStringLiteral("cheaper summaries");
    Experiment &d = create.experiment;
    d.name = create.object;
    d.description = QStringLiteral("Does atlas-mini summarise as well?");
    d.route = QStringLiteral("summarize");
    d.primaryMetric = Metric::Cost;
    d.guardrails = {Metric::SuccessRate, Metric::HallucinationRate};
    d.variants = {Variant{.id = QStringLiteral("control"),
                          .name = QStringLiteral("v3 on orion-70b"),
                          .promptName = QStringLiteral("ticket-summary"),
                          .promptVersion = 3,
                          .model = QStringLiteral("orion-70b"),
                          .params = {.temperature = 0.2},
                          .weight = 50},
                  Variant{.id = QStringLiteral("mini"),
                          .name = QStringLiteral("v3 on atlas-mini"),
                          .promptName = QStringLiteral("ticket-summary"),
                          .promptVersion = 3,
                          .model = QStringLiteral("atlas-mini"),
                          .weight = 50}};
    Experiment created;
    ASSERT_TRUE(apply(op.client, create, &created).ok());
    EXPECT_EQ(created.state, ExperimentState::Draft);
    EXPECT_FALSE(created.id.isEmpty());
    EXPECT_EQ(created.guardrails, d.guardrails);
    ASSERT_EQ(created.variants.size(), 2u);
    EXPECT_EQ(created.variants[0].params.temperature, std::optional<double>(0.2));
    EXPECT_EQ(byName(list(op.client), d.name).id, created.id);

    // The seeded draft on the same route may run: summarize has nothing running.
    Change start;
    start.kind = ChangeKind::ExperimentState;
    start.object = created.id;
    start.experimentState = ExperimentState::Running;
    start.expectedEtag = created.etag;
    start.reason = QStringLiteral("go");
    start.requestId = Change::newRequestId();
    Experiment started;
    ASSERT_TRUE(apply(op.client, start, &started).ok());
    EXPECT_EQ(started.state, ExperimentState::Running);
    EXPECT_GT(started.startedMs, 0);

    Change weights;
    weights.kind = ChangeKind::ExperimentWeights;
    weights.object = created.id;
    weights.experiment = started;
    weights.experiment.variants[0].weight = 80;
    weights.experiment.variants[1].weight = 20;
    weights.expectedEtag = started.etag;
    weights.reason = QStringLiteral("less risk");
    weights.requestId = Change::newRequestId();
    Experiment reweighed;
    ASSERT_TRUE(apply(op.client, weights, &reweighed).ok());
    EXPECT_EQ(reweighed.variants[0].weight, 80u);
    EXPECT_EQ(reweighed.variants[1].weight, 20u);
    EXPECT_NE(reweighed.etag, started.etag);

    // The same intent with the old etag: a conflict carrying the experiment as it is.
    weights.requestId = Change::newRequestId();
    weights.experiment.variants[0].weight = 10;
    const RpcError conflict = apply(op.client, weights);
    ASSERT_EQ(conflict.code, RpcCode::FailedPrecondition);
    ASSERT_TRUE(conflict.conflict.has_value());
    const auto *current = std::get_if<Experiment>(&conflict.conflict->current);
    ASSERT_NE(current, nullptr);
    EXPECT_EQ(current->variants[0].weight, 80u);
    EXPECT_EQ(conflict.conflict->updatedBy, QStringLiteral("otto"));

    // A viewer may not change anything.
    Client viewer(*sim, "viewer-token");
    Change pause = start;
    pause.experimentState = ExperimentState::Paused;
    pause.expectedEtag = reweighed.etag;
    pause.requestId = Change::newRequestId();
    EXPECT_EQ(apply(viewer.client, pause).code, RpcCode::PermissionDenied);
}

// The sim's seeded experiments give the statistics something real to find:
// a bake-off with a true winner, an A/A check whose split holds, and a
// rollout stopped on a broken split.
TEST(ExperimentsClient, SeededExperimentsHaveAWinnerAnAACheckAndABrokenSplit)
{
    auto sim = startSim();
    Client viewer(*sim, "viewer-token");
    const auto all = list(viewer.client);
    auto analyse = [&](const QString &name) {
        const Experiment e = byName(all, name);
        EXPECT_FALSE(e.id.isEmpty()) << name.toStdString();
        QSignalSpy got(&viewer.client, &ExperimentsClient::resultsReceived);
        viewer.client.getResults(e.id);
        EXPECT_TRUE(got.wait(8000));
        return got.isEmpty() ? Analysis{}
                             : analyzeExperiment(e, got.at(0).at(0).value<ExperimentResults>());
    };

    const Analysis bakeOff = analyse(QStringLiteral("Invoice extraction bake-off"));
    EXPECT_FALSE(bakeOff.srmMismatch);
    EXPECT_EQ(bakeOff.decision, Analysis::Decision::Winner) << bakeOff.reason.toStdString();
    EXPECT_EQ(bakeOff.winnerId, QStringLiteral("line-items")) << bakeOff.headline.toStdString();

    const Analysis skewed = analyse(QStringLiteral("Ticket summary v2 rollout"));
    EXPECT_TRUE(skewed.srmChecked);
    EXPECT_TRUE(skewed.srmMismatch);
    EXPECT_EQ(skewed.decision, Analysis::Decision::SplitBroken) << skewed.reason.toStdString();

    // The A/A check runs live: once it has traffic its split holds.
    const Experiment aa = byName(all, QStringLiteral("Extraction A/A check"));
    EXPECT_EQ(aa.state, ExperimentState::Running);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Analysis a = analyse(aa.name);
            return a.srmChecked && a.smallestArm > 200;
        },
        15000));
    const Analysis aaNow = analyse(aa.name);
    EXPECT_FALSE(aaNow.srmMismatch) << aaNow.reason.toStdString();
    EXPECT_NE(aaNow.decision, Analysis::Decision::SplitBroken);
}

TEST(ExperimentsClient, ResultsGrowByCallAndByWatch)
{
    auto sim = startSim();
    Client viewer(*sim, "viewer-token");
    const Experiment e = running(list(viewer.client));
    ASSERT_FALSE(e.id.isEmpty());

    QSignalSpy got(&viewer.client, &ExperimentsClient::resultsReceived);
    viewer.client.getResults(e.id);
    ASSERT_TRUE(got.wait(8000));
    const auto first = got.at(0).at(0).value<ExperimentResults>();
    EXPECT_EQ(first.experimentId, e.id);
    ASSERT_EQ(first.variants.size(), e.variants.size());

    ResultsWatch watch(&viewer.connection);
    QSignalSpy snapshots(&watch, &ResultsWatch::resultsReceived);
    QSignalSpy finished(&watch, &ResultsWatch::finished);
    watch.start(e.id, std::chrono::milliseconds(200));
    ASSERT_TRUE(QTest::qWaitFor([&] { return snapshots.count() >= 3; }, 10000));
    EXPECT_TRUE(watch.isWatching());
    const auto a = snapshots.at(0).at(0).value<ExperimentResults>();
    const auto b = snapshots.last().at(0).value<ExperimentResults>();
    quint64 ea = 0, eb = 0;
    for (const auto &v : a.variants)
        ea += v.exposures;
    for (const auto &v : b.variants)
        eb += v.exposures;
    EXPECT_GT(eb, ea) << "a running experiment's exposures grow";
    // Sketches arrive whole: the successes' latencies are all in them.
    for (const auto &v : b.variants) {
        EXPECT_GT(v.exposures, 0u) << v.variantId.toStdString();
        EXPECT_LE(v.latency.count(), v.successes);
        EXPECT_GT(v.latency.count(), v.successes * 9 / 10);
        EXPECT_GT(v.latency.quantile(0.5), 10.0);
    }
    watch.stop();
    EXPECT_EQ(finished.count(), 1);
    const int seen = snapshots.count();
    QTest::qWait(600);
    EXPECT_EQ(snapshots.count(), seen) << "nothing after stop()";
    EXPECT_EQ(finished.count(), 1);

    // An unknown experiment is refused for good: finished once, no retries.
    QSignalSpy refused(&watch, &ResultsWatch::finished);
    watch.start(QStringLiteral("exp-404"));
    ASSERT_TRUE(refused.wait(8000));
    EXPECT_EQ(refused.at(0).at(0).value<RpcError>().code, RpcCode::NotFound);
    EXPECT_FALSE(watch.isRunning());
}

TEST(CompareStream, StreamsEveryVariantToCompletionThenFinishesOnce)
{
    auto sim = startSim();
    Client op(*sim, "operator-token");
    const Experiment e = byName(list(op.client), QStringLiteral("Support reply: v3 vs shorter v4"));
    ASSERT_GE(e.variants.size(), 2u);

    CompareStream compare(&op.connection);
    std::map<QString, QString> text;
    std::map<QString, quint32> nextIndex;
    int batches = 0;
    bool inOrder = true;
    QObject::connect(&compare, &CompareStream::deltasReceived,
                     [&](const std::vector<TokenDelta> &deltas) {
                         ++batches;
                         for (const auto &d : deltas) {
                             inOrder = inOrder && d.index == nextIndex[d.variantId];
                             nextIndex[d.variantId] = d.index + 1;
                             text[d.variantId] += d.text;
                             EXPECT_GT(d.arrivedUs, 0);
                         }
                     });
    QSignalSpy done(&compare, &CompareStream::variantFinished);
    QSignalSpy finished(&compare, &CompareStream::finished);
    CompareRequest req;
    req.experimentId = e.id;
    req.input = QStringLiteral("My invoice shows the wrong amount");
    req.variables = {{QStringLiteral("customer_name"), QStringLiteral("Ada")}};
    req.requestId = Change::newRequestId();
    compare.start(req);
    EXPECT_TRUE(compare.isRunning());
    ASSERT_TRUE(finished.wait(20000));
    EXPECT_TRUE(finished.at(0).at(0).value<RpcError>().ok())
        << finished.at(0).at(0).value<RpcError>().describe().toStdString();
    EXPECT_FALSE(compare.isRunning());
    EXPECT_TRUE(inOrder);
    ASSERT_EQ(done.count(), int(e.variants.size()));
    for (int i = 0; i < done.count(); ++i) {
        const auto s = done.at(i).at(0).value<VariantSummary>();
        if (s.status != RpcCode::Ok)
            continue; // a variant may fail like a real model; it says so
        EXPECT_FALSE(s.servedModel.isEmpty());
        EXPECT_GT(s.ttftMs, 0);
        EXPECT_GE(s.latencyMs, s.ttftMs);
        EXPECT_EQ(s.outputTokens, nextIndex[s.variantId]) << "one delta per token";
        EXPECT_GT(s.costUsd, 0);
        EXPECT_FALSE(text[s.variantId].isEmpty());
    }
    EXPECT_GE(batches, 1);
    QTest::qWait(200);
    EXPECT_EQ(finished.count(), 1);
}

TEST(CompareStream, CancelMidwayFinishesOnceAndLeavesNoCall)
{
    auto sim = startSim(1.0); // real time: several seconds of streaming
    Client op(*sim, "operator-token");
    const Experiment e = byName(list(op.client), QStringLiteral("Support reply: v3 vs shorter v4"));
    const int before = CallTracker::inFlight();

    CompareStream compare(&op.connection);
    QSignalSpy deltas(&compare, &CompareStream::deltasReceived);
    QSignalSpy done(&compare, &CompareStream::variantFinished);
    QSignalSpy finished(&compare, &CompareStream::finished);
    CompareRequest req;
    req.experimentId = e.id;
    req.input = QStringLiteral("Where is my parcel?");
    req.variables = {{QStringLiteral("customer_name"), QStringLiteral("Bo")}};
    req.requestId = Change::newRequestId();
    compare.start(req);
    ASSERT_TRUE(deltas.wait(10000));
    compare.cancel();
    ASSERT_EQ(finished.count(), 1);
    EXPECT_EQ(finished.at(0).at(0).value<RpcError>().code, RpcCode::Cancelled);
    const int seenDeltas = deltas.count();
    QTest::qWait(1500);
    EXPECT_EQ(deltas.count(), seenDeltas) << "nothing after cancel()";
    EXPECT_EQ(done.count(), 0);
    EXPECT_EQ(finished.count(), 1);
    EXPECT_TRUE(QTest::qWaitFor([&] { return CallTracker::inFlight() <= before; }, 5000))
        << CallTracker::inFlight() << " calls still in flight";

    // The same stream runs again, and destroying it mid-run is quiet and clean.
    {
        CompareStream again(&op.connection);
        QSignalSpy more(&again, &CompareStream::deltasReceived);
        req.requestId = Change::newRequestId();
        again.start(req);
        ASSERT_TRUE(more.wait(10000));
    }
    EXPECT_TRUE(QTest::qWaitFor([&] { return CallTracker::inFlight() <= before; }, 5000));
}

TEST(ExperimentsClient, FeedbackMovesTheResults)
{
    auto sim = startSim();
    Client op(*sim, "operator-token");
    const Experiment e = byName(list(op.client), QStringLiteral("Support reply: v3 vs shorter v4"));
    const QString a = e.variants[0].id;
    const QString b = e.variants[1].id;

    auto prefs = [&](const QString &id) {
        QSignalSpy got(&op.client, &ExperimentsClient::resultsReceived);
        op.client.getResults(e.id);
        EXPECT_TRUE(got.wait(8000));
        const auto r = got.at(0).at(0).value<ExperimentResults>();
        const VariantResults *v = r.variant(id);
        return v ? std::pair{v->preferenceWins, v->preferenceTotal} : std::pair<quint64, quint64>{};
    };
    const auto beforeB = prefs(b);

    QSignalSpy ok(&op.client, &ExperimentsClient::feedbackSubmitted);
    QSignalSpy failed(&op.client, &ExperimentsClient::feedbackFailed);
    Feedback f;
    f.experimentId = e.id;
    f.subjectId = Change::newRequestId();
    f.requestId = Change::newRequestId();
    f.kind = FeedbackKind::Preference;
    f.variantId = b;
    f.otherVariantId = a;
    op.client.submitFeedback(f);
    Feedback flag = f;
    flag.requestId = Change::newRequestId();
    flag.kind = FeedbackKind::Hallucination;
    flag.variantId = a;
    op.client.submitFeedback(flag);
    ASSERT_TRUE(QTest::qWaitFor([&] { return ok.count() == 2; }, 8000));
    EXPECT_EQ(failed.count(), 0);
    EXPECT_FALSE(ok.at(0).at(1).toString().isEmpty());
    // A retry with the same request id is answered, not counted twice.
    op.client.submitFeedback(f);
    ASSERT_TRUE(QTest::qWaitFor([&] { return ok.count() == 3; }, 8000));

    const auto afterB = prefs(b);
    EXPECT_EQ(afterB.first, beforeB.first + 1);
    EXPECT_EQ(afterB.second, beforeB.second + 1);

    // An unknown variant is refused with the field named.
    Feedback bad = f;
    bad.requestId = Change::newRequestId();
    bad.variantId = QStringLiteral("nope");
    op.client.submitFeedback(bad);
    ASSERT_TRUE(failed.wait(8000));
    const auto err = failed.at(0).at(1).value<RpcError>();
    EXPECT_EQ(err.code, RpcCode::InvalidArgument);
    EXPECT_TRUE(err.message.startsWith(QStringLiteral("preference.preferred_variant_id")))
        << err.message.toStdString();
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    QCoreApplication app(argc, argv);
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::Experiment>();
    qRegisterMetaType<std::vector<sb::Experiment>>();
    qRegisterMetaType<sb::ExperimentResults>();
    qRegisterMetaType<sb::VariantSummary>();
    qRegisterMetaType<sb::Feedback>();
    qRegisterMetaType<std::vector<sb::TokenDelta>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
