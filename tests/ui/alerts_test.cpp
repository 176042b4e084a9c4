// SLO alerts in the window, against the real sim over real gRPC, with a
// notification service on a private D-Bus session bus (the suite runs this
// binary under dbus-run-session): an outage drill that fails a whole route
// lights the red badge in the connection bar, on every page, writes one
// "trouble" entry in the notifications and sends one desktop notification
// that later updates replace in place; while presenting nothing goes to the
// desktop; with no notification service the window says it itself.

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "sim/sim_server.h"
#include "switchboard/sim/v1/drill_service.grpc.pb.h"
#include "ui/alerts/alerts_controller.h"
#include "ui/alerts/desktop_notifier.h"
#include "ui/common/notification_log.h"
#include "ui/common/presenter.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/session.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QTest>
#include <QToolButton>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

using namespace sb;
namespace dpb = switchboard::sim::v1;

namespace {

// What a desktop's notification daemon does, on the test's own session bus.
class NotificationServer : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        uint replacesId;
        QString summary;
        QString body;
        uchar urgency;
    };
    std::vector<Call> calls;
    std::vector<uint> closed;

    bool registerOnBus()
    {
        auto bus = QDBusConnection::sessionBus();
        return bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), this,
                                  QDBusConnection::ExportAllSlots) &&
               bus.registerService(QStringLiteral("org.freedesktop.Notifications"));
    }
    void unregister()
    {
        auto bus = QDBusConnection::sessionBus();
        bus.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
        bus.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
    }

public slots:
    uint Notify(const QString &, uint replacesId, const QString &, const QString &summary,
                const QString &body, const QStringList &, const QVariantMap &hints, int)
    {
        calls.push_back(
            {replacesId, summary, body, hints.value(QStringLiteral("urgency")).value<uchar>()});
        return replacesId ? replacesId : uint(40 + calls.size());
    }
    void CloseNotification(uint id) { closed.push_back(id); }
};

bool haveBus()
{
    return QDBusConnection::sessionBus().isConnected();
}

} // namespace

TEST(DesktopNotifier, OneNotificationPerAlertUpdatedInPlaceThenWithdrawn)
{
    ASSERT_TRUE(haveBus()) << "run under dbus-run-session (ctest does)";
    NotificationServer server;
    ASSERT_TRUE(server.registerOnBus());
    DesktopNotifier n;
    n.notify(QStringLiteral("chat/error rate"), QStringLiteral("SLO alert: chat"),
             QStringLiteral("firing"), true);
    ASSERT_TRUE(QTest::qWaitFor([&] { return server.calls.size() == 1; }, 5000));
    EXPECT_EQ(server.calls[0].replacesId, 0u);
    EXPECT_EQ(server.calls[0].urgency, 2); // critical
    QTest::qWait(100);                     // the id comes back asynchronously
    n.notify(QStringLiteral("chat/error rate"), QStringLiteral("Recovering: chat"),
             QStringLiteral("recovering"), false);
    n.notify(QStringLiteral("embed/error rate"), QStringLiteral("SLO alert: embed"),
             QStringLiteral("firing"), true);
    ASSERT_TRUE(QTest::qWaitFor([&] { return server.calls.size() == 3; }, 5000));
    EXPECT_EQ(server.calls[1].replacesId, 41u) << "the same alert replaces its notification";
    EXPECT_EQ(server.calls[1].summary, QStringLiteral("Recovering: chat"));
    EXPECT_EQ(server.calls[2].replacesId, 0u) << "another alert gets its own";
    n.withdraw(QStringLiteral("chat/error rate"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return server.closed.size() == 1; }, 5000));
    EXPECT_EQ(server.closed[0], 41u);

    n.setQuiet(true);
    n.notify(QStringLiteral("chat/error rate"), QStringLiteral("SLO alert: chat"),
             QStringLiteral("firing"), true);
    QTest::qWait(300);
    EXPECT_EQ(server.calls.size(), 3u) << "quiet while presenting";
    EXPECT_EQ(n.channel(), DesktopNotifier::Channel::Desktop);
    server.unregister();
}

TEST(DesktopNotifier, WithNoNotificationServiceTheWindowSaysIt)
{
    ASSERT_TRUE(haveBus());
    ASSERT_FALSE(QDBusConnection::sessionBus().interface()->isServiceRegistered(
        QStringLiteral("org.freedesktop.Notifications")));
    DesktopNotifier n;
    QString shown;
    QObject::connect(&n, &DesktopNotifier::inApp, [&](const QString &s, const QString &b, bool) {
        shown = s + QLatin1Char('|') + b;
    });
    n.notify(QStringLiteral("chat/error rate"), QStringLiteral("SLO alert: chat"),
             QStringLiteral("firing"), true);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !shown.isEmpty(); }, 8000));
    EXPECT_EQ(shown, QStringLiteral("SLO alert: chat|firing"));
    EXPECT_EQ(n.channel(), DesktopNotifier::Channel::InApp); // offscreen: no tray either
}

TEST(Alerts, AnOutageOfAWholeRouteLightsTheBadgeOnEveryPageAndNotifiesOnce)
{
    ASSERT_TRUE(haveBus());
    NotificationServer server;
    ASSERT_TRUE(server.registerOnBus());
    sim::SimOptions o;
    o.rate = 300;
    o.tokens["ada-token"] = {sim::Role::Admin, "ada"};
    sim::SimServer sim(o);
    std::string err;
    ASSERT_TRUE(sim.start(&err)) << err;

    Console console(nullptr);
    RouteSlo slo = AlertsController::defaultSlo();
    slo.policy.pendingForSec = 2;
    console.alerts()->setSlos(slo);
    MainWindow window(&console);
    window.resize(1280, 800);
    window.show();
    console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                 QStringLiteral("ada-token"), Environment::Dev);
    // Healthy traffic first: no badge.
    QTest::qWait(4000);
    EXPECT_FALSE(window.alertBadge()->isVisible());
    EXPECT_EQ(console.alerts()->firingCount(), 0);

    // Both models of route `embed` go down: every request fails.
    auto channel = grpc::CreateChannel(sim.address(), grpc::InsecureChannelCredentials());
    auto drills = dpb::DrillService::NewStub(channel);
    for (const char *model : {"vega-embed-large", "vega-embed-small"}) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer ada-token");
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        dpb::StartDrillRequest req;
        req.set_model(model);
        req.set_kind(dpb::DRILL_KIND_OUTAGE);
        req.mutable_duration()->set_seconds(120);
        dpb::StartDrillResponse resp;
        ASSERT_TRUE(drills->StartDrill(&ctx, req, &resp).ok());
    }
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.alertBadge()->isVisible(); }, 20000));
    EXPECT_TRUE(window.alertBadge()->text().contains(QStringLiteral("firing")))
        << window.alertBadge()->text().toStdString();
    EXPECT_TRUE(
        window.alertBadge()->toolTip().startsWith(QStringLiteral("embed: error rate firing")))
        << window.alertBadge()->toolTip().toStdString();
    // On every page: the badge is in the connection bar, not on a page.
    for (const char *page : {"prompts", "routing", "audit"}) {
        window.showPage(pageIndex(QString::fromLatin1(page)));
        EXPECT_TRUE(window.alertBadge()->isVisible()) << page;
    }
    // One trouble entry, one desktop notification (critical), naming the route.
    ASSERT_TRUE(QTest::qWaitFor([&] { return !server.calls.empty(); }, 5000));
    QTest::qWait(2000);
    int trouble = 0;
    for (const auto &e : console.notifications()->entries())
        trouble += e.severity == NotificationLog::Severity::Trouble &&
                   e.title.contains(QStringLiteral("embed error rate"));
    EXPECT_EQ(trouble, 1);
    ASSERT_EQ(server.calls.size(), 1u);
    EXPECT_EQ(server.calls[0].summary, QStringLiteral("SLO alert: sim · embed error rate"));
    EXPECT_EQ(server.calls[0].urgency, 2);
    // Clicking the badge opens the notifications.
    window.alertBadge()->click();
    EXPECT_TRUE(window.findChild<QWidget *>(QStringLiteral("notificationDock"))->isVisible());
    if (const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS"); !dir.isEmpty()) {
        window.showPage(pageIndex(QStringLiteral("latency")));
        QTest::qWait(1500);
        window.grab().save(dir + QStringLiteral("/alert-firing.png"));
    }

    console.shutdown();
    server.unregister();
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("switchboard-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("alerts-tests"));
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}

#include "alerts_test.moc"
