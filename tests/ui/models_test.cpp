// Every ui model under QAbstractItemModelTester, fed from tiny fixtures (no
// sim, no cache), as Hotspot's tst_models does: shape changes, in-place
// updates and the values a user reads.

#include "core/latency_history.h"
#include "ui/audit/audit_model.h"
#include "ui/common/notification_log.h"
#include "ui/experiments/experiment_list_model.h"
#include "ui/latency/chart_markers.h"
#include "ui/latency/route_summary_model.h"
#include "ui/prompts/prompt_models.h"
#include "ui/routing/routing_model.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QDateTime>
#include <QSignalSpy>
#include <gtest/gtest.h>

using namespace sb;

namespace {

constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

RoutingTable fixtureTable()
{
    RoutingTable t;
    Route chat{.name = QStringLiteral("chat"), .primaryModel = QStringLiteral("atlas-xl")};
    chat.fallbacks = {{QStringLiteral("orion-70b"), true, 0},
                      {QStringLiteral("atlas-mini"), true, 0}};
    chat.recentlyServed = {{.model = QStringLiteral("atlas-xl"),
                            .fraction = 0.7,
                            .reason = ServedReason::Primary,
                            .fraction10s = 0.7},
                           {.model = QStringLiteral("orion-70b"),
                            .fraction = 0.2,
                            .reason = ServedReason::Variant,
                            .fraction10s = 0.2,
                            .experimentId = QStringLiteral("exp-1"),
                            .variantId = QStringLiteral("concise-orion")},
                           {.model = QStringLiteral("atlas-mini"),
                            .fraction = 0.1,
                            .reason = ServedReason::Fallback,
                            .fraction10s = 0.05,
                            .afterModel = QStringLiteral("atlas-xl")}};
    Route embed{.name = QStringLiteral("embed"), .primaryModel = QStringLiteral("vega")};
    t.routes = {chat, embed};
    t.models = {Model{.name = QStringLiteral("atlas-mini")},
                Model{.name = QStringLiteral("atlas-xl")},
                Model{.name = QStringLiteral("orion-70b")}, Model{.name = QStringLiteral("vega")}};
    return t;
}

QModelIndex child(const QAbstractItemModel &m, int route, int step, int column)
{
    return m.index(step, column, m.index(route, 0));
}

} // namespace

TEST(RoutingModel, ShowsWhyEachModelServedAndExperimentTrafficIsNotAFallback)
{
    RoutingModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    m.setTable(fixtureTable());
    ASSERT_EQ(m.rowCount(), 2);
    ASSERT_EQ(m.rowCount(m.index(0, 0)), 3);
    EXPECT_EQ(child(m, 0, 1, RoutingModel::Name).data().toString(), QStringLiteral("orion-70b"));
    EXPECT_EQ(child(m, 0, 1, RoutingModel::Why).data().toString(),
              QStringLiteral("as variant exp-1/concise-orion 20 %"));
    EXPECT_EQ(child(m, 0, 2, RoutingModel::Why).data().toString(),
              QStringLiteral("as fallback after atlas-xl 10 %"));
    // The route's fallback share counts only real fallbacks, not the variant.
    EXPECT_EQ(m.index(0, RoutingModel::Enabled).data().toString(),
              QStringLiteral("fallbacks serve 5 %"));
    EXPECT_EQ(m.trouble().rows, 0);
}

TEST(RoutingModel, OpenCircuitColoursTheRowAndCountsAsTroubleWithCountdown)
{
    RoutingModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    RoutingTable t = fixtureTable();
    const qint64 now = 1'700'000'000'000;
    t.models[1].circuit = CircuitState::Open; // atlas-xl
    t.models[1].cooldownUntilMs = now + 30'000;
    m.setTable(t);
    m.setNow(now);
    EXPECT_EQ(m.trouble().rows, 1);
    EXPECT_EQ(m.trouble().reasons, QStringList{QStringLiteral("chat: circuit open on atlas-xl")});
    EXPECT_EQ(m.trouble().keys, QStringList{QStringLiteral("chat/atlas-xl/circuit-open")});
    EXPECT_EQ(m.index(0, 0).data(RoutingModel::TroubleRole).toInt(), 2);
    EXPECT_TRUE(m.index(0, 0).data(Qt::BackgroundRole).isValid());
    EXPECT_EQ(child(m, 0, 0, RoutingModel::Circuit).data().toString(),
              QStringLiteral("open · 30 s"));
    m.setNow(now + 20'000);
    EXPECT_EQ(child(m, 0, 0, RoutingModel::Circuit).data().toString(),
              QStringLiteral("open · 10 s"));
}

TEST(RoutingModel, ValueChangesKeepTheShapeAndNewRoutesReset)
{
    RoutingModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    m.setTable(fixtureTable());
    int resets = 0;
    QObject::connect(&m, &QAbstractItemModel::modelReset, [&] { ++resets; });
    RoutingTable t = fixtureTable();
    t.routes[0].fallbacks[0].enabled = false;
    t.routes[0].fallbacks[0].revertMs = QDateTime::currentMSecsSinceEpoch() + 15 * 60 * 1000;
    m.setTable(t);
    EXPECT_EQ(resets, 0) << "a toggle must not collapse the tree or lose the selection";
    EXPECT_TRUE(child(m, 0, 1, RoutingModel::Enabled)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("disabled · reverts in 1")));
    t.routes.push_back(
        Route{.name = QStringLiteral("extract"), .primaryModel = QStringLiteral("x")});
    m.setTable(t);
    EXPECT_EQ(resets, 1);
    EXPECT_EQ(m.rowCount(), 3);
    m.setTable({});
    EXPECT_EQ(m.rowCount(), 0);
}

TEST(PromptModels, ListAndVersionsUnderTheTester)
{
    PromptListModel prompts;
    QAbstractItemModelTester t1(&prompts, kFatal);
    Prompt p{.name = QStringLiteral("greeting"),
             .description = QStringLiteral("Says hi"),
             .latestVersion = 2};
    p.labels = {{QStringLiteral("production"), 1, 0, {}}};
    prompts.setPrompts({p, Prompt{.name = QStringLiteral("summary")}});
    EXPECT_EQ(prompts.rowCount(), 2);
    EXPECT_EQ(prompts.rowOf(QStringLiteral("summary")), 1);
    VersionListModel versions;
    QAbstractItemModelTester t2(&versions, kFatal);
    PromptVersion v1{.promptName = p.name, .version = 1, .author = QStringLiteral("ana")};
    PromptVersion v2{.promptName = p.name, .version = 2, .parentVersion = 1};
    versions.setVersions(p, {v2, v1});
    EXPECT_EQ(versions.rowCount(), 2);
    EXPECT_EQ(versions.versionAt(1)->author, QStringLiteral("ana"));
    versions.clear();
    EXPECT_EQ(versions.rowCount(), 0);
}

TEST(ExperimentListModel, UnderTheTester)
{
    ExperimentListModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    Experiment e{.id = QStringLiteral("exp-1"),
                 .name = QStringLiteral("Concise replies"),
                 .state = ExperimentState::Running};
    e.variants = {Variant{.id = QStringLiteral("a"), .weight = 50},
                  Variant{.id = QStringLiteral("b"), .weight = 50}};
    m.setExperiments({e});
    EXPECT_EQ(m.rowCount(), 1);
    EXPECT_EQ(m.experimentAt(0)->id, QStringLiteral("exp-1"));
    m.setExperiments({});
    EXPECT_EQ(m.rowCount(), 0);
}

TEST(AuditModel, MergesServiceEventsWithOwnActionsAndFilters)
{
    AuditModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    AuditEvent e1{.id = QStringLiteral("1"),
                  .timeMs = 1000,
                  .actor = QStringLiteral("bob"),
                  .action = QStringLiteral("fallback.disable"),
                  .target = QStringLiteral("route/chat"),
                  .oldValue = QStringLiteral("enabled"),
                  .newValue = QStringLiteral("disabled"),
                  .reason = QStringLiteral("5xx, \"bad\""),
                  .requestId = QStringLiteral("r1")};
    AuditEvent e2{.id = QStringLiteral("2"),
                  .timeMs = 3000,
                  .actor = QStringLiteral("alice"),
                  .action = QStringLiteral("model.disable"),
                  .target = QStringLiteral("model/atlas-xl"),
                  .requestId = QStringLiteral("r2")};
    LocalAction applied{
        .requestId = QStringLiteral("r2"), .timeMs = 3000, .outcome = QStringLiteral("applied")};
    LocalAction denied{.requestId = QStringLiteral("r3"),
                       .timeMs = 2000,
                       .target = QStringLiteral("route/chat"),
                       .title = QStringLiteral("Disable x"),
                       .reason = QStringLiteral("try"),
                       .outcome = QStringLiteral("denied"),
                       .detail = QStringLiteral("permission denied")};
    m.setData({e1, e2}, {applied, denied});
    ASSERT_EQ(m.rowCount(), 3); // r2 shows once, marked as ours
    EXPECT_EQ(m.rows()[0].id, QStringLiteral("2"));
    EXPECT_TRUE(m.rows()[0].local);
    EXPECT_EQ(m.rows()[1].outcome, QStringLiteral("denied: permission denied"));

    AuditFilter f;
    QAbstractItemModelTester ft(&f, kFatal);
    f.setSourceModel(&m);
    f.setTarget(QStringLiteral("route/chat"));
    EXPECT_EQ(f.rowCount(), 2);
    f.setActor(QStringLiteral("bob"));
    EXPECT_EQ(f.rowCount(), 1);
    f.setActor({});
    f.setText(QStringLiteral("5XX"));
    EXPECT_EQ(f.rowCount(), 1);
    f.setText({});
    f.setTarget({});
    f.setSinceMs(2500);
    EXPECT_EQ(f.rowCount(), 1);

    const QString csv = AuditModel::toCsv({m.rows()[2]});
    EXPECT_TRUE(csv.startsWith(QStringLiteral("time_utc,source,actor")));
    EXPECT_TRUE(csv.contains(QStringLiteral("\"5xx, \"\"bad\"\"\""))) << csv.toStdString();
    EXPECT_TRUE(csv.contains(QStringLiteral("1970-01-01T00:00:01.000Z")));
}

TEST(NotificationLog, NewestFirstUnreadUntilRead)
{
    NotificationLog log;
    QAbstractItemModelTester tester(&log, kFatal);
    log.add({1, NotificationLog::Severity::Info, QStringLiteral("first"), {}, false});
    log.add({2, NotificationLog::Severity::Trouble, QStringLiteral("second"), {}, false});
    EXPECT_EQ(log.unreadCount(), 2);
    EXPECT_TRUE(log.index(0).data().toString().contains(QStringLiteral("second")));
    log.markAllRead();
    EXPECT_EQ(log.unreadCount(), 0);
    for (int i = 0; i < NotificationLog::kMaxEntries + 5; ++i)
        log.add({i, NotificationLog::Severity::Info, QStringLiteral("n"), {}, false});
    EXPECT_EQ(log.rowCount(), NotificationLog::kMaxEntries);
}

TEST(RouteSummaryModel, BlanksRatesOnceTheStreamStopped)
{
    LatencyHistory history;
    RouteSummaryModel m(&history);
    QAbstractItemModelTester tester(&m, kFatal);
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
    std::vector<LatencyPoint> live, old;
    for (int i = 0; i < 5; ++i) {
        LatencyPoint p;
        p.secondMs = now - i * 1000;
        p.count = 10;
        p.fallbacks = 1;
        p.p50 = 1500;
        live.push_back(p);
        p.secondMs = now - 60'000 - i * 1000;
        p.fallbacks = 10;
        old.push_back(p);
    }
    history.add(QStringLiteral("chat"), live);
    history.add(QStringLiteral("embed"), old);
    ASSERT_EQ(m.rowCount(), 2);
    EXPECT_EQ(m.index(0, RouteSummaryModel::Fallbacks).data().toString(), QStringLiteral("10.0 %"));
    EXPECT_EQ(m.index(0, RouteSummaryModel::P50).data().toString(), QStringLiteral("1.50 s"));
    // embed stopped a minute ago: its 100 % fallback must not read as live.
    EXPECT_EQ(m.index(1, RouteSummaryModel::Fallbacks).data().toString(), QStringLiteral("—"));
    // The stream drops (the service went away): chat's numbers of a second
    // ago stop reading as live at once, not once they are 5 s old.
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    m.setLive(false);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(m.index(0, RouteSummaryModel::Fallbacks).data().toString(), QStringLiteral("—"));
    EXPECT_EQ(m.index(0, RouteSummaryModel::Throughput).data().toString(), QStringLiteral("—"));
    EXPECT_TRUE(m.index(0, RouteSummaryModel::P50)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("before the stream stopped")));
    m.setLive(true);
    EXPECT_EQ(m.index(0, RouteSummaryModel::Fallbacks).data().toString(), QStringLiteral("10.0 %"));
}

// What the Latency chart's markers say of another user's change: words, not
// the service's action keys.
TEST(ChartMarkerTitles, SayWhatChangedInWords)
{
    EXPECT_EQ(
        auditMarkerTitle(QStringLiteral("route.bypass_primary"), QStringLiteral("route/chat")),
        QStringLiteral("Fallbacks forced on chat"));
    EXPECT_EQ(
        auditMarkerTitle(QStringLiteral("label.move"), QStringLiteral("prompt/support-reply")),
        QStringLiteral("Label moved on support-reply"));
    EXPECT_EQ(
        auditMarkerTitle(QStringLiteral("circuit.half_open"), QStringLiteral("model/atlas-xl")),
        QStringLiteral("Circuit half open: atlas-xl"));
    // An action this console does not know yet keeps the service's words.
    EXPECT_EQ(auditMarkerTitle(QStringLiteral("quota.raise"), QStringLiteral("team/ml")),
              QStringLiteral("quota.raise team/ml"));
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
