// The on-call write path end to end, offscreen, against the real sim over
// real gRPC with a real cache file: select a fallback step, press Space, type
// a reason (and, on a production connection, the model's name), confirm; the
// table, the audit page and the local action log show it. Then the conflict
// flow: another operator changes the route first, the dialog comes back with
// their change, and the user's second decision lands without overwriting
// theirs. A viewer sees the actions disabled with the reason.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/routing_client.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/audit/audit_controller.h"
#include "ui/common/action_log.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/notification_log.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_page.h"
#include "ui/session.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <gtest/gtest.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 500;
    o.tokens["alice-token"] = {sim::Role::Operator, "alice"};
    o.tokens["bob-token"] = {sim::Role::Operator, "bob"};
    o.tokens["vera-token"] = {sim::Role::Viewer, "vera"};
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(sim->start(&err)) << err;
    return sim;
}

// The view index of `route`'s chain step `step` (0 = primary).
QModelIndex stepIndex(QTreeView *tree, const QString &route, int step)
{
    auto *m = tree->model();
    for (int r = 0; r < m->rowCount(); ++r) {
        const QModelIndex ri = m->index(r, 0);
        if (ri.data().toString() == route)
            return m->index(step, 0, ri);
    }
    return {};
}

// With SWITCHBOARD_SHOTS=DIR set, saves what the test sees, for review.
void shot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (!dir.isEmpty())
        w->grab().save(dir + QLatin1Char('/') + QLatin1String(name));
}

const Route *findRoute(const RoutingTable &t, const QString &name)
{
    for (const auto &r : t.routes) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

struct Window
{
    explicit Window(Cache *cache) : console(cache), window(&console) {}
    Console console;
    MainWindow window;
    RoutingPage *page() { return window.routingPage(); }
    QTreeView *tree() { return page()->tree(); }
    // Shows the Routing page connected to `sim` with `token`; true once live.
    bool open(const sim::SimServer &sim, const char *token, Environment env = Environment::Dev);
    // Selects `route`'s chain step `step` and presses `key`; the dialog it opened, if any.
    GuardedChangeDialog *press(const QString &route, int step, Qt::Key key = Qt::Key_Space)
    {
        tree()->setFocus();
        tree()->setCurrentIndex(stepIndex(tree(), route, step));
        QTest::keyClick(tree(), key);
        return page()->openDialog();
    }
};

bool Window::open(const sim::SimServer &sim, const char *token, Environment env)
{
    window.show();
    window.showPage(pageIndex(QStringLiteral("routing")));
    console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                 QString::fromLatin1(token), env);
    return QTest::qWaitFor(
        [&] {
            return console.routing()->writeBlockedReason().isEmpty() &&
                   tree()->model()->rowCount() >= 4;
        },
        15000);
}

} // namespace

TEST(RoutingFlow, KeyboardToggleOnProductionNeedsReasonAndNameThenShowsEverywhere)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    ASSERT_TRUE(w.open(*sim, "alice-token", Environment::Prod))
        << w.console.routing()->writeBlockedReason().toStdString();
    // Production is unmistakable: the frame and the label say so.
    auto *env = w.window.findChild<QLabel *>(QStringLiteral("environmentLabel"));
    ASSERT_NE(env, nullptr);
    EXPECT_EQ(env->text(), QStringLiteral("PROD"));

    // Select chat's first fallback (orion-70b) and press Space.
    w.tree()->setFocus();
    const QModelIndex step = stepIndex(w.tree(), QStringLiteral("chat"), 1);
    ASSERT_TRUE(step.isValid());
    EXPECT_EQ(step.data().toString(), QStringLiteral("orion-70b"));
    w.tree()->setCurrentIndex(step);
    QTest::keyClick(w.tree(), Qt::Key_Space);
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    EXPECT_NE(d->findChild<QLabel *>(QStringLiteral("productionWarning")), nullptr);
    auto *apply = d->findChild<QPushButton *>(QStringLiteral("applyButton"));
    auto *reason = d->findChild<QLineEdit *>(QStringLiteral("reasonEdit"));
    auto *confirm = d->findChild<QLineEdit *>(QStringLiteral("confirmEdit"));
    ASSERT_TRUE(apply && reason && confirm);
    EXPECT_FALSE(apply->isEnabled()) << "a reason is required";
    QTest::keyClicks(reason, QStringLiteral("orion-70b slow in eu"));
    EXPECT_FALSE(apply->isEnabled()) << "production needs the model's name typed";
    QTest::keyClicks(confirm, QStringLiteral("orion-70"));
    EXPECT_FALSE(apply->isEnabled());
    QTest::keyClicks(confirm, QStringLiteral("b"));
    EXPECT_TRUE(apply->isEnabled());
    QTest::keyClick(confirm, Qt::Key_Return);

    // The table shows it disabled, the Audit page lists it with the reason,
    // and the local action log has it as applied (committed to the cache).
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Route *r =
                findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
            return r && !r->fallbacks[0].enabled;
        },
        10000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &row : w.console.audit()->model()->rows()) {
                if (row.reason == QLatin1String("orion-70b slow in eu") && row.local &&
                    row.actor == QLatin1String("alice"))
                    return true;
            }
            return false;
        },
        10000));
    ASSERT_FALSE(w.console.actions()->actions().empty());
    EXPECT_EQ(w.console.actions()->actions().front().outcome, QStringLiteral("applied"));
    w.window.showPage(pageIndex(QStringLiteral("audit")));
    QTest::qWait(200);
    shot(&w.window, "audit.png");
    // On disk, not only in memory: a second cache on the same file finds it.
    Cache reader;
    reader.open(dir.filePath(QStringLiteral("cache.sqlite")));
    QSignalSpy loaded(&reader, &Cache::actionsLoaded);
    reader.loadActions(QStringLiteral("sim"));
    ASSERT_TRUE(loaded.wait(10000));
    const auto actions = loaded.at(0).at(1).value<std::vector<LocalAction>>();
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.front().reason, QStringLiteral("orion-70b slow in eu"));
    EXPECT_EQ(actions.front().target, QStringLiteral("route/chat"));
}

TEST(RoutingFlow, ConflictShowsTheOtherChangeAndTheSecondDecisionKeepsIt)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "alice-token"));

    // Alice opens the dialog to disable chat's second fallback (atlas-mini)...
    GuardedChangeDialog *d = w.press(QStringLiteral("chat"), 2);
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")),
                     QStringLiteral("atlas-mini drill"));

    // ...while Bob, on another console, disables the first one (orion-70b).
    Connection bobConn;
    bobConn.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    RoutingClient bob(&bobConn);
    const Route *chat = findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
    ASSERT_NE(chat, nullptr);
    QSignalSpy bobDone(&bob, &RoutingClient::changeApplied);
    bob.apply(Change{.kind = ChangeKind::FallbackEnabled,
                     .object = QStringLiteral("chat"),
                     .item = QStringLiteral("orion-70b"),
                     .enabled = false,
                     .reason = QStringLiteral("bob saw 5xx on orion"),
                     .expectedEtag = chat->etag,
                     .requestId = Change::newRequestId()});
    ASSERT_TRUE(bobDone.wait(10000));

    // Alice confirms with the etag she saw: the service refuses, and the
    // dialog comes back showing Bob's change.
    QSignalSpy conflicted(w.console.routing(), &RoutingController::changeConflicted);
    QTest::keyClick(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")), Qt::Key_Return);
    ASSERT_TRUE(conflicted.wait(10000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            auto *again = w.page()->openDialog();
            auto *view =
                again ? again->findChild<QLabel *>(QStringLiteral("conflictView")) : nullptr;
            return view && !view->isHidden() && view->text().contains(QStringLiteral("bob")) &&
                   view->text().contains(QStringLiteral("orion-70b disabled"));
        },
        10000));
    GuardedChangeDialog *again = w.page()->openDialog();
    shot(again, "conflict.png");
    auto *reason = again->findChild<QLineEdit *>(QStringLiteral("reasonEdit"));
    EXPECT_EQ(reason->text(), QStringLiteral("atlas-mini drill")); // kept for the second try
    // Bob's change already shows in the table behind the dialog.
    chat = findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
    EXPECT_FALSE(chat->fallbacks[0].enabled);

    // She decides again and confirms: both changes stand (no lost update).
    QTest::keyClick(reason, Qt::Key_Return);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Route *r =
                findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
            return r && !r->fallbacks[1].enabled;
        },
        10000));
    chat = findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
    EXPECT_FALSE(chat->fallbacks[0].enabled) << "Bob's change was overwritten";
    // Bob's change reached Alice as a notification she can read later.
    bool notified = false;
    for (const auto &n : w.console.notifications()->entries())
        notified = notified || (n.title.contains(QStringLiteral("bob")) &&
                                n.detail.contains(QStringLiteral("bob saw 5xx")));
    EXPECT_TRUE(notified);
}

TEST(RoutingFlow, ForceFallbackWithAutoRevertCountsDownInTheTable)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    // On the route row, F forces its traffic to the fallbacks.
    auto *m = w.tree()->model();
    QModelIndex chat;
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data().toString() == QLatin1String("chat"))
            chat = m->index(r, 0);
    }
    ASSERT_TRUE(chat.isValid());
    w.tree()->setFocus();
    w.tree()->setCurrentIndex(chat);
    QTest::keyClick(w.tree(), Qt::Key_F);
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    auto *revert = d->findChild<QComboBox *>(QStringLiteral("revertCombo"));
    ASSERT_NE(revert, nullptr);
    revert->setCurrentIndex(1); // 15 min, carried out by the service
    auto *reason = d->findChild<QLineEdit *>(QStringLiteral("reasonEdit"));
    QTest::keyClicks(reason, QStringLiteral("atlas-xl degraded"));
    QTest::keyClick(reason, Qt::Key_Return);
    const QModelIndex serving = chat.siblingAtColumn(RoutingModel::Enabled);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return serving.data().toString().startsWith(
                QStringLiteral("forced to fallbacks · reverts in 1"));
        },
        10000))
        << serving.data().toString().toStdString();
    const Route *r = findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->primaryBypassed);
    EXPECT_GT(r->primaryBypassRevertMs, QDateTime::currentMSecsSinceEpoch() + 14 * 60 * 1000);
    // F again on the same row offers the way back.
    QTest::keyClick(w.tree(), Qt::Key_F);
    ASSERT_NE(w.page()->openDialog(), nullptr);
    EXPECT_EQ(w.page()->openDialog()->windowTitle(),
              QStringLiteral("Let route chat use its primary again"));
}

TEST(RoutingFlow, DisablingTheLastModelOfARouteNeedsAnExplicitYes)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    // embed = vega-embed-large, then vega-embed-small: turn the fallback step off first.
    auto *d = w.press(QStringLiteral("embed"), 1);
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")), QStringLiteral("x"));
    QTest::keyClick(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")), Qt::Key_Return);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Route *r =
                findRoute(w.console.routing()->model()->table(), QStringLiteral("embed"));
            return r && !r->fallbacks[0].enabled;
        },
        10000));
    // Now the primary: the dialog says embed is left with nothing and
    // refuses to apply until the user says they mean it.
    w.tree()->setCurrentIndex(stepIndex(w.tree(), QStringLiteral("embed"), 0));
    QTest::keyClick(w.tree(), Qt::Key_Space);
    d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    auto *impact = d->findChild<QLabel *>(QStringLiteral("impact"));
    ASSERT_NE(impact, nullptr);
    EXPECT_TRUE(impact->text().contains(QStringLiteral("embed: NO model left")))
        << impact->text().toStdString();
    auto *outage = d->findChild<QCheckBox *>(QStringLiteral("outageCheck"));
    ASSERT_NE(outage, nullptr);
    EXPECT_FALSE(outage->isHidden());
    auto *reason = d->findChild<QLineEdit *>(QStringLiteral("reasonEdit"));
    QTest::keyClicks(reason, QStringLiteral("decommission"));
    auto *apply = d->findChild<QPushButton *>(QStringLiteral("applyButton"));
    EXPECT_FALSE(apply->isEnabled());
    outage->setChecked(true);
    EXPECT_TRUE(apply->isEnabled());
    QTest::keyClick(reason, Qt::Key_Return);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const Model *m =
                w.console.routing()->model()->model(QStringLiteral("vega-embed-large"));
            return m && !m->enabled;
        },
        10000));
}

TEST(RoutingFlow, ViewerSeesActionsDisabledWithTheReason)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "vera-token"));
    auto *d = w.press(QStringLiteral("chat"), 1);
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")),
                     QStringLiteral("try"));
    QSignalSpy rejected(w.console.routing(), &RoutingController::changeRejected);
    QTest::keyClick(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")), Qt::Key_Return);
    ASSERT_TRUE(rejected.wait(10000));
    EXPECT_EQ(rejected.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
    // From now on the action is disabled and says why.
    auto *toggle = w.page()->findChild<QAction *>(QStringLiteral("toggleAction"));
    ASSERT_NE(toggle, nullptr);
    EXPECT_TRUE(QTest::qWaitFor([&] { return !toggle->isEnabled(); }, 5000));
    EXPECT_EQ(toggle->toolTip(), QStringLiteral("viewer role: operator needed"));
    const Route *chat = findRoute(w.console.routing()->model()->table(), QStringLiteral("chat"));
    EXPECT_TRUE(chat->fallbacks[0].enabled) << "a viewer changed routing";
}

TEST(RoutingFlow, OfflineActionsAreDisabledWithTheAgeOfTheCache)
{
    Window w(nullptr);
    w.window.show();
    w.console.session()->connectTo(QStringLiteral("127.0.0.1:1"), QStringLiteral("nowhere"));
    auto *toggle = w.page()->findChild<QAction *>(QStringLiteral("toggleAction"));
    ASSERT_NE(toggle, nullptr);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return toggle->toolTip().startsWith(QStringLiteral("not connected")); }, 5000))
        << toggle->toolTip().toStdString();
    EXPECT_FALSE(toggle->isEnabled());
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
