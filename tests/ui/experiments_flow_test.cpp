// The experiments room end to end, offscreen, against the real sim over real
// gRPC with a real cache file: live results that say "too early" and then
// name a winner once the data supports it; an experiment created in the
// setup dialog (weights that must add up) and started through the
// guarded-change dialog on a production connection; a reweighed split that
// the sample-ratio check flags; a reweigh that loses an etag race and is
// decided again; the arena streaming blind, voted on (feedback reaches the
// service and the cache), cancelled midway, and replayed offline from the
// cache; a viewer's actions disabled with the reason.
//
// With SWITCHBOARD_SHOTS=DIR set, saves what the test sees, for review.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/experiments_client.h"
#include "client/grpc_runtime.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/console.h"
#include "ui/experiments/arena_controller.h"
#include "ui/experiments/arena_view.h"
#include "ui/experiments/experiment_setup_dialog.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/experiments/experiments_page.h"
#include "ui/experiments/results_controller.h"
#include "ui/experiments/results_view.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/session.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim(double timeScale = 0.05)
{
    sim::SimOptions o;
    o.rate = 3000;
    o.timeScale = timeScale;
    o.tokens["alice-token"] = {sim::Role::Operator, "alice"};
    o.tokens["bob-token"] = {sim::Role::Operator, "bob"};
    o.tokens["vera-token"] = {sim::Role::Viewer, "vera"};
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(sim->start(&err)) << err;
    return sim;
}

void shot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (dir.isEmpty())
        return;
    QTest::qWait(300); // let layouts settle and queued replots run, as a user would see it
    w->grab().save(dir + QLatin1Char('/') + QLatin1String(name));
}

struct Window
{
    explicit Window(Cache *cache) : console(cache), window(&console)
    {
        window.resize(1280, 800);
        window.show();
        window.showPage(pageIndex(QStringLiteral("experiments")));
    }
    Console console;
    MainWindow window;
    ExperimentsPage *page() { return window.page<ExperimentsPage>(); }
    ExperimentsController *controller() { return console.experiments(); }
    ResultsController *results() { return controller()->results(); }
    ArenaController *arena() { return controller()->arena(); }
    void connect(const sim::SimServer &sim, const char *token, Environment env = Environment::Dev)
    {
        console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                     QString::fromLatin1(token), env);
    }
};

// Waits for the list, then opens "Support reply: v3 vs shorter v4" (exp-1,
// running on chat, judged by preference), which these flows are about; the
// page itself opens on the newest running experiment, the A/A check.
bool waitLive(Window &w)
{
    const bool live = QTest::qWaitFor(
        [&] {
            return w.controller()->writeBlockedReason().isEmpty() &&
                   w.controller()->experiments()->rowCount() >= 5;
        },
        15000);
    if (live)
        w.controller()->select(QStringLiteral("exp-1"));
    return live;
}

// Fills in the guarded-change dialog and applies it.
void confirm(Window &w, const QString &reason, bool production)
{
    GuardedChangeDialog *d = nullptr;
    ASSERT_TRUE(QTest::qWaitFor([&] { return (d = w.page()->openDialog()) != nullptr; }, 5000));
    auto *apply = d->findChild<QPushButton *>(QStringLiteral("applyButton"));
    ASSERT_NE(apply, nullptr);
    EXPECT_FALSE(apply->isEnabled()) << "a reason is required";
    d->findChild<QLineEdit *>(QStringLiteral("reasonEdit"))->setText(reason);
    if (production) {
        EXPECT_FALSE(apply->isEnabled()) << "production needs the typed name";
        d->findChild<QLineEdit *>(QStringLiteral("confirmEdit"))
            ->setText(d->change().confirmationText());
    }
    ASSERT_TRUE(apply->isEnabled()) << apply->toolTip().toStdString();
    apply->click();
}

const Experiment *byName(ExperimentsController *c, const QString &name)
{
    for (int i = 0; i < c->experiments()->rowCount(); ++i) {
        const Experiment *e = c->experiments()->experimentAt(i);
        if (e->name == name)
            return e;
    }
    return nullptr;
}

quint64 exposures(ResultsController *r)
{
    quint64 n = 0;
    for (const auto &v : r->analysis().variants)
        n += v.exposures;
    return n;
}

} // namespace

TEST(ExperimentsFlow, CreateOnProductionStartAndWatchAWinnerEmerge)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    w.connect(*sim, "alice-token", Environment::Prod);
    ASSERT_TRUE(waitLive(w)) << w.controller()->writeBlockedReason().toStdString();

    // The support-reply experiment's primary metric is human preference and nobody voted yet: too
    // early, and it says why.
    ASSERT_TRUE(QTest::qWaitFor([&] { return exposures(w.results()) > 300; }, 10000));
    ResultsView *view = w.page()->resultsView();
    EXPECT_EQ(w.results()->analysis().decision, Analysis::Decision::NotEnoughData);
    EXPECT_EQ(view->headline()->text(), QStringLiteral("Too early to say"));
    EXPECT_TRUE(view->reason()->text().contains(QStringLiteral("Vote in the Arena")))
        << view->reason()->text().toStdString();
    EXPECT_TRUE(view->reason()->text().contains(QStringLiteral("votes per variant")));
    EXPECT_EQ(view->table()->model()->rowCount(), 3);
    EXPECT_TRUE(view->splitCheck()->text().startsWith(QStringLiteral("Split check")))
        << view->splitCheck()->text().toStdString();
    shot(&w.window, "results-too-early.png");

    // Set up: latency decides, orion-70b against atlas-mini on summarize.
    w.page()->newExperiment();
    ExperimentSetupDialog *setup = w.page()->setupDialog();
    ASSERT_NE(setup, nullptr);
    EXPECT_FALSE(setup->createButton()->isEnabled()) << "a name is needed";
    setup->nameEdit()->setText(QStringLiteral("Faster summaries"));
    setup->routeCombo()->setCurrentText(QStringLiteral("summarize"));
    setup->metricCombo()->setCurrentIndex(setup->metricCombo()->findData(int(Metric::Latency)));
    EXPECT_FALSE(setup->guardrail(Metric::Latency)->isEnabled()) << "the primary is no guardrail";
    ASSERT_EQ(setup->variantCount(), 2);
    for (int i = 0; i < 2; ++i) {
        setup->prompt(i)->setCurrentText(QStringLiteral("ticket-summary"));
        setup->version(i)->setValue(3);
    }
    setup->model(0)->setCurrentText(QStringLiteral("orion-70b"));
    setup->model(1)->setCurrentText(QStringLiteral("atlas-mini"));
    setup->variantId(1)->setText(QStringLiteral("mini"));
    setup->weight(0)->setValue(60);
    EXPECT_FALSE(setup->createButton()->isEnabled());
    EXPECT_TRUE(setup->problem()->text().contains(QStringLiteral("add up to 110")))
        << setup->problem()->text().toStdString();
    setup->weight(1)->setValue(40);
    ASSERT_TRUE(setup->createButton()->isEnabled()) << setup->problem()->text().toStdString();
    shot(setup, "setup-dialog.png");
    setup->createButton()->click();
    confirm(w, QStringLiteral("is atlas-mini fast enough?"), true);
    const Experiment *created = nullptr;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            created = byName(w.controller(), QStringLiteral("Faster summaries"));
            return created && w.controller()->selected() == created;
        },
        8000));
    EXPECT_EQ(created->state, ExperimentState::Draft);
    EXPECT_EQ(created->variants[0].weight, 60u);
    EXPECT_EQ(created->primaryMetric, Metric::Latency);
    const QString id = created->id;
    // Recorded in the local action log before success was reported.
    bool logged = false;
    for (const auto &a : w.console.actions()->actions())
        logged = logged || (a.title == QStringLiteral("Create experiment Faster summaries") &&
                            a.outcome == QStringLiteral("applied") &&
                            a.target == QStringLiteral("experiment/") + id);
    EXPECT_TRUE(logged);
    EXPECT_EQ(w.results()->analysis().decision, Analysis::Decision::NoData);
    EXPECT_TRUE(w.page()->resultsView()->reason()->text().contains(QStringLiteral("draft")));

    // Start it: the dialog asks for a reason and, on production, the name.
    auto *start = w.page()->findChild<QAction *>(QStringLiteral("startAction"));
    ASSERT_TRUE(start->isEnabled()) << start->toolTip().toStdString();
    start->trigger();
    confirm(w, QStringLiteral("go"), true);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Experiment *e = w.controller()->experiment(id);
            return e && e->state == ExperimentState::Running;
        },
        8000));
    EXPECT_FALSE(start->isEnabled());
    EXPECT_TRUE(w.page()->findChild<QAction *>(QStringLiteral("pauseAction"))->isEnabled());

    // Latency differs a lot between the models: a winner, named with its interval.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return w.results()->analysis().decision == Analysis::Decision::Winner; }, 20000))
        << w.results()->analysis().headline.toStdString() << ": "
        << w.results()->analysis().reason.toStdString();
    EXPECT_EQ(w.results()->analysis().winnerId, QStringLiteral("mini"));
    EXPECT_TRUE(view->headline()->text().endsWith(QStringLiteral("wins on latency")))
        << view->headline()->text().toStdString();
    EXPECT_TRUE(view->reason()->text().contains(QStringLiteral("always-valid")));
    QTest::qWait(1500); // a few more snapshots for the over-time chart
    shot(&w.window, "results-winner.png");

    // Share: the PDF report and the CSV of the numbers beside it.
    const QString shots = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    const QString pdf = (shots.isEmpty() ? dir.path() : shots) + QStringLiteral("/report.pdf");
    ASSERT_EQ(w.page()->exportReport(pdf), QString());
    QFile pdfFile(pdf);
    ASSERT_TRUE(pdfFile.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdfFile.read(5).startsWith("%PDF"));
    EXPECT_GT(pdfFile.size(), 20000) << "with three chart images";
    QFile csv(QFileInfo(pdf).path() + QStringLiteral("/report.csv"));
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
    const QStringList rows =
        QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    ASSERT_EQ(rows.size(), 3);
    EXPECT_TRUE(rows[2].contains(QStringLiteral(",mini,"))) << rows[2].toStdString();
    EXPECT_TRUE(rows[2].contains(QStringLiteral(",better,")));
}

TEST(ExperimentsFlow, ReweighedSplitTriggersTheSampleRatioWarning)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "alice-token");
    ASSERT_TRUE(waitLive(w));
    ASSERT_TRUE(QTest::qWaitFor([&] { return exposures(w.results()) > 2000; }, 15000));
    EXPECT_FALSE(w.results()->analysis().srmMismatch);

    auto *weights = w.page()->findChild<QAction *>(QStringLiteral("weightsAction"));
    ASSERT_TRUE(weights->isEnabled()) << weights->toolTip().toStdString();
    weights->trigger();
    WeightsDialog *d = nullptr;
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return (d = w.page()->findChild<WeightsDialog *>()); }, 3000));
    d->weight(0)->setValue(10);
    EXPECT_FALSE(d->okButton()->isEnabled()) << "weights must add up to 100";
    d->weight(1)->setValue(10);
    d->weight(2)->setValue(80);
    ASSERT_TRUE(d->okButton()->isEnabled());
    d->okButton()->click();
    confirm(w, QStringLiteral("more traffic to orion"), false);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return w.results()->analysis().decision == Analysis::Decision::SplitBroken; }, 15000))
        << w.results()->analysis().headline.toStdString();
    ResultsView *view = w.page()->resultsView();
    EXPECT_TRUE(view->splitCheck()->text().contains(QStringLiteral("SAMPLE RATIO MISMATCH")));
    EXPECT_TRUE(view->headline()->text().contains(QStringLiteral("do not trust")));
    EXPECT_TRUE(w.results()->analysis().winnerId.isEmpty());
    shot(&w.window, "results-srm.png");
}

TEST(ExperimentsFlow, ReweighThatLosesTheRaceIsDecidedAgainWithoutOverwriting)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "alice-token");
    ASSERT_TRUE(waitLive(w));
    const Experiment before = *w.controller()->selected();

    // Alice prepares 50/30/20 while Bob changes the split to 34/33/33.
    auto change = w.controller()->weightsChangeFor({50, 30, 20});
    ASSERT_TRUE(change);
    Connection bobConn;
    bobConn.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return bobConn.isReady(); }, 8000));
    ExperimentsClient bob(&bobConn);
    Change theirs = *change;
    theirs.requestId = Change::newRequestId();
    theirs.experiment.variants[0].weight = 34;
    theirs.experiment.variants[1].weight = 33;
    theirs.experiment.variants[2].weight = 33;
    theirs.reason = QStringLiteral("even it out");
    QSignalSpy bobDone(&bob, &ExperimentsClient::changeApplied);
    bob.apply(theirs);
    ASSERT_TRUE(bobDone.wait(8000));

    QSignalSpy conflicted(w.controller(), &ExperimentsController::changeConflicted);
    Change mine = *change;
    mine.reason = QStringLiteral("favour concise");
    w.controller()->submit(mine);
    ASSERT_TRUE(conflicted.wait(8000));
    // The dialog comes back showing Bob's change, against the state as it is now.
    GuardedChangeDialog *d = nullptr;
    ASSERT_TRUE(QTest::qWaitFor([&] { return (d = w.page()->openDialog()) != nullptr; }, 5000));
    auto *conflictView = d->findChild<QLabel *>(QStringLiteral("conflictView"));
    ASSERT_NE(conflictView, nullptr);
    EXPECT_TRUE(conflictView->isVisible());
    EXPECT_TRUE(conflictView->text().contains(QStringLiteral("bob")))
        << conflictView->text().toStdString();
    EXPECT_TRUE(conflictView->text().contains(QStringLiteral("34/33/33")));
    EXPECT_EQ(d->change().oldValue, QStringLiteral("34/33/33"));
    EXPECT_EQ(w.controller()->selected()->variants[0].weight, 34u) << "not overwritten";
    shot(d, "weights-conflict.png");
    d->findChild<QPushButton *>(QStringLiteral("applyButton"))->click();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return w.controller()->selected()->variants[0].weight == 50u; }, 8000));
    EXPECT_NE(w.controller()->selected()->etag, before.etag);
}

TEST(ExperimentsFlow, ArenaBlindRunVoteCancelAndOfflineReplay)
{
    auto sim = startSim(0.5); // slow enough to catch it mid-stream
    QTemporaryDir dir;
    const QString cachePath = dir.filePath(QStringLiteral("cache.sqlite"));
    QString votedId;
    QString votedText;
    {
        Cache cache;
        cache.open(cachePath);
        Window w(&cache);
        w.connect(*sim, "alice-token");
        ASSERT_TRUE(waitLive(w));
        w.page()->tabs()->setCurrentWidget(w.page()->arenaView());
        ArenaView *arena = w.page()->arenaView();
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return arena->variable(QStringLiteral("customer_name")) != nullptr; }, 8000));
        // A required variable must be filled first.
        arena->input()->setPlainText(QStringLiteral("I was charged twice for my subscription"));
        EXPECT_FALSE(arena->runButton()->isEnabled());
        EXPECT_TRUE(arena->runButton()->toolTip().contains(QStringLiteral("customer_name")));
        arena->variable(QStringLiteral("customer_name"))->setText(QStringLiteral("Ada"));
        ASSERT_TRUE(arena->runButton()->isEnabled()) << arena->runButton()->toolTip().toStdString();
        ASSERT_TRUE(arena->blind()->isChecked()) << "blind is the default";

        QSignalSpy finished(w.arena(), &ArenaController::runFinished);
        QTest::keyClick(arena->input(), Qt::Key_Return, Qt::ControlModifier);
        ASSERT_TRUE(w.arena()->isRunning());
        ASSERT_EQ(arena->columnCount(), 3);
        // Mid-stream, blind: columns say A/B/C, never which variant is which.
        ASSERT_TRUE(
            QTest::qWaitFor([&] { return !arena->columnText(0)->toPlainText().isEmpty(); }, 8000));
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(arena->columnTitle(i)->text(), QString(QChar(char16_t(u'A' + i))));
            EXPECT_FALSE(arena->columnFigures(i)->text().contains(QStringLiteral("atlas")));
        }
        EXPECT_FALSE(arena->bestButton(0)->isEnabled()) << "no vote while streaming";
        shot(&w.window, "arena-blind-midstream.png");
        ASSERT_TRUE(finished.wait(30000));
        EXPECT_TRUE(finished.at(0).at(0).value<RpcError>().ok());
        for (int i = 0; i < 3; ++i) {
            const QString figures = arena->columnFigures(i)->text();
            EXPECT_TRUE(figures.startsWith(QStringLiteral("TTFT")) ||
                        figures.startsWith(QStringLiteral("failed")))
                << figures.toStdString();
            EXPECT_EQ(arena->columnText(i)->toPlainText(),
                      w.arena()->current().outputs[std::size_t(i)].text);
        }
        EXPECT_FALSE(arena->paintDelaysUs().empty());

        // Vote: B is best, A made something up. Names show after the vote.
        const ArenaRun run = w.arena()->current();
        votedId = run.requestId;
        votedText = run.outputs[1].text;
        arena->flag(0)->setChecked(true);
        ASSERT_TRUE(arena->bestButton(1)->isEnabled());
        const quint64 votesBefore =
            w.results()->analysis().variant(run.outputs[1].variantId)->preference.n;
        arena->bestButton(1)->click();
        EXPECT_EQ(w.arena()->current().vote, ArenaVote::Prefer);
        EXPECT_EQ(w.arena()->current().preferredVariantId, run.outputs[1].variantId);
        EXPECT_TRUE(arena->columnTitle(1)->text().contains(run.outputs[1].variantName))
            << arena->columnTitle(1)->text().toStdString();
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return w.arena()->current().feedbackStatus == QStringLiteral("sent"); }, 8000))
            << w.arena()->current().feedbackStatus.toStdString();
        EXPECT_FALSE(arena->bestButton(0)->isEnabled()) << "one vote per run";
        // The service counts it: the results move.
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return w.results()->analysis().variant(run.outputs[1].variantId)->preference.n >
                       votesBefore;
            },
            8000));
        EXPECT_GE(w.results()->ranking().votes, 1);
        shot(&w.window, "arena-voted.png");
        ASSERT_EQ(w.arena()->history()->rowCount(), 1);

        // Cancel midway: finished once, nothing after it, kept with what arrived.
        QSignalSpy second(w.arena(), &ArenaController::runFinished);
        arena->input()->setPlainText(QStringLiteral("Where is my parcel?"));
        arena->runNow();
        ASSERT_TRUE(
            QTest::qWaitFor([&] { return !arena->columnText(0)->toPlainText().isEmpty(); }, 8000));
        arena->cancelButton()->click();
        ASSERT_EQ(second.count(), 1);
        EXPECT_EQ(second.at(0).at(0).value<RpcError>().code, RpcCode::Cancelled);
        const QString kept = arena->columnText(0)->toPlainText();
        QTest::qWait(800);
        EXPECT_EQ(arena->columnText(0)->toPlainText(), kept) << "nothing after cancel";
        EXPECT_TRUE(arena->status()->text().startsWith(QStringLiteral("Cancelled")));
        EXPECT_EQ(second.count(), 1);
        ASSERT_TRUE(QTest::qWaitFor([&] { return w.arena()->history()->rowCount() == 2; }, 3000));
        EXPECT_TRUE(w.arena()->history()->runs().front().cancelled);
        cache.flush();
        QSignalSpy flushed(&cache, &Cache::flushed);
        ASSERT_TRUE(flushed.wait(5000));
    }

    // Offline: a new console on the same cache, no service. The earlier runs
    // are there to browse and show again; running needs the service.
    Cache cache;
    cache.open(cachePath);
    Console console(&cache);
    MainWindow window(&console);
    window.resize(1280, 800);
    window.show();
    window.showPage(pageIndex(QStringLiteral("experiments")));
    console.session()->connectTo(QStringLiteral("127.0.0.1:1"), QStringLiteral("sim"));
    auto *page = window.page<ExperimentsPage>();
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return console.experiments()->selected() != nullptr; }, 8000));
    console.experiments()->select(QStringLiteral("exp-1"));
    ArenaController *arena = console.experiments()->arena();
    ASSERT_TRUE(QTest::qWaitFor([&] { return arena->history()->rowCount() == 2; }, 8000));
    page->tabs()->setCurrentWidget(page->arenaView());
    ArenaView *view = page->arenaView();
    view->historyTable()->setCurrentIndex(view->historyTable()->model()->index(1, 0));
    ASSERT_EQ(view->historyTable()->currentIndex().data(ArenaHistoryModel::RequestIdRole), votedId);
    view->findChild<QPushButton *>(QStringLiteral("arenaShow"))->click();
    EXPECT_TRUE(arena->isReplay());
    ASSERT_EQ(view->columnCount(), 3);
    EXPECT_EQ(view->columnText(1)->toPlainText(), votedText);
    EXPECT_TRUE(view->columnTitle(1)->text().contains(QStringLiteral("·")))
        << "a voted blind run shows its names";
    EXPECT_EQ(view->input()->toPlainText(),
              QStringLiteral("I was charged twice for my subscription"));
    ASSERT_NE(view->variable(QStringLiteral("customer_name")), nullptr);
    EXPECT_EQ(view->variable(QStringLiteral("customer_name"))->text(), QStringLiteral("Ada"));
    EXPECT_FALSE(view->runButton()->isEnabled());
    EXPECT_TRUE(view->runButton()->toolTip().startsWith(QStringLiteral("not connected")))
        << view->runButton()->toolTip().toStdString();
    shot(&window, "arena-offline-replay.png");
}

TEST(ExperimentsFlow, ViewerSeesActionsDisabledWithTheReason)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "vera-token");
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return w.controller()->experiments()->rowCount() >= 3; }, 10000));
    // The first write a viewer tries is refused; from then on they show disabled.
    auto change = w.controller()->stateChangeFor(ExperimentState::Paused);
    ASSERT_TRUE(change);
    change->reason = QStringLiteral("try");
    QSignalSpy rejected(w.controller(), &ExperimentsController::changeRejected);
    w.controller()->submit(*change);
    ASSERT_TRUE(rejected.wait(8000));
    EXPECT_EQ(rejected.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
    auto *pause = w.page()->findChild<QAction *>(QStringLiteral("pauseAction"));
    EXPECT_TRUE(QTest::qWaitFor([&] { return !pause->isEnabled(); }, 5000));
    EXPECT_EQ(pause->toolTip(), QStringLiteral("viewer role: operator needed"));
    EXPECT_FALSE(w.page()->arenaView()->runButton()->isEnabled());
    EXPECT_EQ(w.arena()->runBlockedReason(), QStringLiteral("viewer role: operator needed"));
    EXPECT_EQ(w.controller()->selected()->state, ExperimentState::Running) << "nothing changed";
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::ConflictInfo>();
    qRegisterMetaType<std::vector<sb::LocalAction>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
