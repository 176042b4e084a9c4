// Moving labels, offscreen against the real sim: promote and roll back
// production on a production connection through the guarded-change dialog,
// the stale-etag conflict from a second client, roles (viewer, operator),
// another person's change arriving on the watch, and the cache serving a
// restart without a service.
#include "prompts_flow_fixture.h"

using namespace sb;
using namespace sb::prompts_flow;

TEST(PromptsFlow, PromoteOnAProductionConnectionShowsTheDiffAndNeedsTheNameThenRollBack)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    w.connect(*sim, "ada-token", Environment::Prod);
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    ASSERT_EQ(w.label("support-reply", "production"), 3u);
    w.page()->selectVersions({4});
    auto *promote = child<QAction>(w.page(), "promoteAction");
    ASSERT_TRUE(QTest::qWaitFor([&] { return promote->isEnabled(); }, 5000))
        << promote->toolTip().toStdString();
    EXPECT_EQ(promote->text(), QStringLiteral("Promote v4"));
    promote->trigger();
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    EXPECT_NE(child<QLabel>(d, "productionWarning"), nullptr);
    auto *diff = child<DiffView>(d, "labelMoveDiff");
    ASSERT_NE(diff, nullptr) << "the dialog shows what changes from production's version";
    EXPECT_GT(diff->wordHighlights(), 0);
    EXPECT_TRUE(child<QLabel>(d, "impact")->text().contains(QStringLiteral("v4 instead of v3")));
    auto *apply = child<QPushButton>(d, "applyButton");
    QTest::keyClicks(child<QLineEdit>(d, "reasonEdit"), QStringLiteral("v4 won the experiment"));
    EXPECT_FALSE(apply->isEnabled()) << "production needs the prompt's name typed";
    QTest::keyClicks(child<QLineEdit>(d, "confirmEdit"), QStringLiteral("support-reply"));
    EXPECT_TRUE(apply->isEnabled());
    shot(d, "prompts-promote-prod.png");
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    QTest::keyClick(child<QLineEdit>(d, "confirmEdit"), Qt::Key_Return);
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 4u);
    EXPECT_EQ(w.console.actions()->actions().front().outcome, QStringLiteral("applied"));
    EXPECT_EQ(w.console.actions()->actions().front().reason,
              QStringLiteral("v4 won the experiment"));
    // The label history shows the move (by ada, from v3) once the audit log has it.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto &m = w.prompts()->labelHistory()->moves();
            return !m.empty() && m.front().actor == QLatin1String("ada") && m.front().to == 4 &&
                   m.front().reason == QLatin1String("v4 won the experiment");
        },
        5000));

    // Roll back: production goes where it was before, v3, in one action.
    auto *rollback = child<QAction>(w.page(), "rollbackAction");
    ASSERT_TRUE(QTest::qWaitFor([&] { return rollback->isEnabled(); }, 5000));
    EXPECT_EQ(rollback->text(), QStringLiteral("Roll back to v3"));
    rollback->trigger();
    d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(
        child<QLabel>(d, "impact")->text().contains(QStringLiteral("rolls production back")))
        << child<QLabel>(d, "impact")->text().toStdString();
    confirm(d, QStringLiteral("v4 confuses refund questions"), QStringLiteral("support-reply"));
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 3u);
}

TEST(PromptsFlow, AStaleEtagShowsWhoMovedTheLabelAndTheSecondDecisionLands)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    w.page()->selectVersions({4});
    w.page()->moveLabel(QStringLiteral("production"));
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(child<QLineEdit>(d, "reasonEdit"), QStringLiteral("ship v4"));

    // Meanwhile bob, on another console, moves production back to v2.
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
    PromptsClient bob(&c);
    QSignalSpy bobDone(&bob, &PromptsClient::changeApplied);
    const Prompt seen = *w.prompts()->prompt(QStringLiteral("support-reply"));
    bob.moveLabel(Change{.kind = ChangeKind::LabelMove,
                         .object = seen.name,
                         .item = QStringLiteral("production"),
                         .version = 2,
                         .reason = QStringLiteral("v3 regressed on refunds"),
                         .expectedEtag = seen.etag,
                         .requestId = Change::newRequestId()});
    ASSERT_TRUE(bobDone.wait(10000));

    // Ada confirms with the etag she saw: refused, and the dialog comes back
    // with bob's move. (The watch may already have updated her prompt; the
    // dialog's change still carries the etag she decided on.)
    QSignalSpy conflicted(w.prompts(), &PromptsController::changeConflicted);
    QTest::keyClick(child<QLineEdit>(d, "reasonEdit"), Qt::Key_Return);
    ASSERT_TRUE(conflicted.wait(10000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            auto *again = w.page()->openDialog();
            auto *view = child<QLabel>(again, "conflictView");
            return view && !view->isHidden() && view->text().contains(QStringLiteral("bob")) &&
                   view->text().contains(QStringLiteral("v2"));
        },
        10000));
    GuardedChangeDialog *again = w.page()->openDialog();
    shot(again, "prompts-conflict.png");
    EXPECT_EQ(child<QLineEdit>(again, "reasonEdit")->text(), QStringLiteral("ship v4"));
    EXPECT_EQ(w.label("support-reply", "production"), 2u) << "bob's move shows behind the dialog";
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    QTest::keyClick(child<QLineEdit>(again, "reasonEdit"), Qt::Key_Return);
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 4u);
    EXPECT_EQ(w.console.actions()->actions().size(), 2u) << "the conflict and the move are logged";
}

TEST(PromptsFlow, AViewerCannotWriteAndAnOperatorCannotMoveProductionButCanMoveStaging)
{
    clearSettings();
    auto sim = startSim();
    {
        Window w(nullptr);
        w.connect(*sim, "vera-token");
        ASSERT_TRUE(w.open(QStringLiteral("ticket-summary")));
        w.page()->newVersion();
        VersionEditor *e = w.page()->openEditor();
        ASSERT_NE(e, nullptr);
        QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("try"));
        QSignalSpy failed(w.prompts(), &PromptsController::versionSaveFailed);
        child<QPushButton>(e, "saveButton")->click();
        ASSERT_TRUE(failed.wait(10000));
        EXPECT_TRUE(child<QLabel>(e, "saveError")->text().contains(QStringLiteral("role")));
        e->reject();
        auto *newVersion = child<QAction>(w.page(), "newVersionAction");
        EXPECT_TRUE(QTest::qWaitFor([&] { return !newVersion->isEnabled(); }, 5000));
        EXPECT_EQ(newVersion->toolTip(), QStringLiteral("viewer role: operator needed"));
        EXPECT_FALSE(child<QAction>(w.page(), "promoteAction")->isEnabled());
        w.prompts()->discardDraft(QStringLiteral("ticket-summary"));
    }
    Window w(nullptr);
    w.connect(*sim, "otto-token");
    ASSERT_TRUE(w.open(QStringLiteral("ticket-summary")));
    w.page()->selectVersions({3});
    w.page()->moveLabel(QStringLiteral("production"));
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QSignalSpy rejected(w.prompts(), &PromptsController::changeRejected);
    confirm(d, QStringLiteral("ship the word cap"));
    ASSERT_TRUE(rejected.wait(10000));
    EXPECT_EQ(rejected.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
    auto *promote = child<QAction>(w.page(), "promoteAction");
    EXPECT_TRUE(QTest::qWaitFor([&] { return !promote->isEnabled(); }, 5000));
    EXPECT_TRUE(promote->toolTip().contains(QStringLiteral("admin")))
        << promote->toolTip().toStdString();
    EXPECT_FALSE(child<QAction>(w.page(), "rollbackAction")->isEnabled());
    // Staging is still the operator's to move, and new versions still work.
    EXPECT_TRUE(child<QAction>(w.page(), "newVersionAction")->isEnabled());
    w.page()->selectVersions({2});
    w.page()->moveLabel(QStringLiteral("staging"));
    d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    confirm(d, QStringLiteral("stage v2 again for the comparison"));
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("ticket-summary", "staging"), 2u);
    EXPECT_EQ(w.label("ticket-summary", "production"), 2u) << "unchanged";
}

TEST(PromptsFlow, AnotherPersonsNewVersionArrivesOnTheWatchWithANotification)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("invoice-extract")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.prompts()->isWatching(); }, 10000));
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
    PromptsClient bob(&c);
    const Prompt p = *w.prompts()->prompt(QStringLiteral("invoice-extract"));
    NewVersion n;
    n.version = *w.prompts()->version(p.name, 3);
    n.version.templateText += QStringLiteral("\nNever invent a vendor.");
    n.version.message = QStringLiteral("No invented vendors");
    n.version.parentVersion = 3;
    n.expectedEtag = p.etag;
    n.requestId = Change::newRequestId();
    QElapsedTimer t;
    t.start();
    bob.createVersion(n);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.prompts()->versions()->rowCount() == 4; }, 5000));
    EXPECT_LT(t.elapsed(), 2000) << "within a second or so, not at a poll";
    bool notified = false;
    for (const auto &e : w.console.notifications()->entries())
        notified = notified || (e.title.contains(QStringLiteral("bob")) &&
                                e.title.contains(QStringLiteral("v4")) &&
                                e.detail.contains(QStringLiteral("No invented vendors")));
    EXPECT_TRUE(notified);
}

TEST(PromptsFlow, OfflineTheCacheShowsPromptsVersionsHistoryAndDiffsStaleWithWritesDisabled)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
    {
        auto sim = startSim();
        Cache cache;
        cache.open(path);
        Window w(&cache);
        w.connect(*sim, "ada-token");
        ASSERT_TRUE(w.open(QStringLiteral("meeting-notes")));
        QSignalSpy flushed(&cache, &Cache::flushed);
        cache.flush();
        ASSERT_TRUE(flushed.wait(30000));
        w.console.shutdown();
    }
    Cache cache;
    cache.open(path);
    Window w(&cache);
    w.console.session()->connectTo(QStringLiteral("127.0.0.1:1"), QStringLiteral("sim"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.promptRows()->rowCount() == 6; }, 30000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return w.prompts()->selectedPrompt() == QLatin1String("meeting-notes") &&
                   w.prompts()->versions()->rowCount() == 5 &&
                   w.prompts()->labelHistory()->rowCount() >= 4;
        },
        10000))
        << w.prompts()->selectedPrompt().toStdString() << " " << w.prompts()->versions()->rowCount()
        << " " << w.prompts()->labelHistory()->rowCount();
    auto *banner = child<QLabel>(w.page(), "staleBanner");
    ASSERT_TRUE(QTest::qWaitFor([&] { return banner->isVisible(); }, 5000));
    EXPECT_TRUE(banner->text().contains(QStringLiteral("ago")));
    // Diffs are computed from the cached versions.
    w.page()->selectVersions({5});
    EXPECT_GT(w.page()->diffView()->wordHighlights(), 0);
    EXPECT_GT(w.page()->diffView()->fieldChanges().size(), 0u) << "v5 switched models";
    // Writing is disabled, saying why.
    auto *newVersion = child<QAction>(w.page(), "newVersionAction");
    EXPECT_FALSE(newVersion->isEnabled());
    EXPECT_TRUE(newVersion->toolTip().startsWith(QStringLiteral("not connected")))
        << newVersion->toolTip().toStdString();
    EXPECT_FALSE(child<QAction>(w.page(), "promoteAction")->isEnabled());
    EXPECT_FALSE(child<QAction>(w.page(), "rollbackAction")->isEnabled());
    EXPECT_TRUE(
        child<QLabel>(w.page(), "promptsHint")->text().contains(QStringLiteral("disabled")));
    shot(&w.window, "prompts-offline.png");
}
