// Connections offscreen against real sims over real gRPC: profiles kept in a
// settings file without secrets, the profile manager and the quick switcher
// driven by the keyboard, two services open side by side with nothing
// leaking between them (cache, freshness, notifications), the retry bar,
// and a prod profile unmistakable. SWITCHBOARD_SHOTS=DIR saves what it sees.

#include "../support/test_certs.h"
#include "../support/test_profiles.h"
#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "client/routing_client.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/common/notification_log.h"
#include "ui/common/palette.h"
#include "ui/connections/console_windows.h"
#include "ui/connections/profile.h"
#include "ui/connections/profile_manager_dialog.h"
#include "ui/connections/quick_switcher.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <gtest/gtest.h>

using namespace sb;
using sb::test::profile;

namespace {

void shoot(QWidget *w, const QString &name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    w->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

std::unique_ptr<sim::SimServer> startSim(uint64_t seed, const std::string &token = {})
{
    sim::SimOptions o;
    o.rate = 300;
    o.seed = seed;
    if (!token.empty())
        o.tokens[token] = {sim::Role::Operator, "otto"};
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(s->start(&err)) << err;
    return s;
}

QString text(QWidget *root, const char *name)
{
    if (auto *l = root->findChild<QLabel *>(QLatin1String(name)))
        return l->isVisibleTo(root) ? l->text() : QString();
    if (auto *b = root->findChild<QToolButton *>(QLatin1String(name)))
        return b->text();
    return {};
}

} // namespace

TEST(Profiles, RoundTripThroughTheSettingsFileWithoutSecrets)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.ini"));
    ConnectionProfile a = profile(QStringLiteral("payments prod"),
                                  QStringLiteral("payments.example.com:443"), Environment::Prod);
    a.tls = true;
    a.caFile = QStringLiteral("/etc/ssl/payments-ca.pem");
    a.clientCertFile = QStringLiteral("/home/me/me.pem");
    a.clientKeyFile = QStringLiteral("/home/me/me.key");
    a.tokenSource = ConnectionProfile::TokenSource::Keychain;
    a.metadata = {{QStringLiteral("x-team"), QStringLiteral("payments")}};
    ConnectionProfile b = profile(QStringLiteral("local"), QStringLiteral("localhost:50051"));
    b.tokenSource = ConnectionProfile::TokenSource::Environment;
    b.tokenVariable = QStringLiteral("LOCAL_TOKEN");
    {
        QSettings s(path, QSettings::IniFormat);
        profile_store::save(s, {a, b});
    }
    QSettings s(path, QSettings::IniFormat);
    const auto loaded = profile_store::load(s);
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0], a);
    EXPECT_EQ(loaded[1], b);
    // The async save writes the same file off the GUI thread.
    profile_store::saveAsync({b}, path);
    profile_store::waitForSaves();
    QSettings again(path, QSettings::IniFormat);
    EXPECT_EQ(profile_store::load(again).size(), 1u);
}

TEST(Profiles, ValidationNamesTheField)
{
    ConnectionProfile p = profile(QStringLiteral("x"), QStringLiteral("no-port"));
    EXPECT_TRUE(p.validate().startsWith(QStringLiteral("Endpoint:"))) << p.validate().toStdString();
    p.endpoint = QStringLiteral("host:443");
    EXPECT_EQ(p.validate(), QString());
    p.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer x")}};
    EXPECT_TRUE(p.validate().startsWith(QStringLiteral("Headers:"))) << p.validate().toStdString();
    p.metadata.clear();
    p.clientCertFile = QStringLiteral("/c.pem");
    EXPECT_TRUE(p.validate().startsWith(QStringLiteral("TLS:"))) << p.validate().toStdString();
    p.tls = true;
    EXPECT_TRUE(p.validate().startsWith(QStringLiteral("Client certificate:")));
    p.clientKeyFile = QStringLiteral("/c.key");
    p.tokenSource = ConnectionProfile::TokenSource::Environment;
    EXPECT_TRUE(p.validate().startsWith(QStringLiteral("Token:")));
    p.tokenVariable = QStringLiteral("MY_TOKEN");
    EXPECT_EQ(p.validate(), QString());
}

TEST(ProfileManager, AddsAProfileFromTheKeyboardAndSaysWhatIsWrong)
{
    ProfileManagerDialog d({profile(QStringLiteral("local"), QStringLiteral("localhost:50051"))},
                           QStringLiteral("local"), nullptr);
    QSignalSpy saved(&d, &ProfileManagerDialog::profilesSaved);
    d.show();
    QTest::mouseClick(d.findChild<QPushButton *>(QStringLiteral("newProfile")), Qt::LeftButton);
    auto *name = d.findChild<QLineEdit *>(QStringLiteral("profileName"));
    auto *endpoint = d.findChild<QLineEdit *>(QStringLiteral("profileEndpoint"));
    auto *status = d.findChild<QLabel *>(QStringLiteral("profileStatus"));
    ASSERT_TRUE(name && endpoint && status);
    EXPECT_EQ(d.focusWidget(), name) << "the new profile's name is ready to type";
    QTest::keyClicks(name, QStringLiteral("payments prod"));
    endpoint->selectAll();
    QTest::keyClicks(endpoint, QStringLiteral("payments.example.com"));
    EXPECT_TRUE(status->text().startsWith(QStringLiteral("Endpoint:")))
        << status->text().toStdString();
    shoot(&d, QStringLiteral("profile-manager-error"));
    QTest::keyClicks(endpoint, QStringLiteral(":443"));
    EXPECT_EQ(status->text(), QString());
    auto *env = d.findChild<QComboBox *>(QStringLiteral("profileEnvironment"));
    env->setCurrentIndex(env->findData(int(Environment::Prod)));
    auto *tls = d.findChild<QCheckBox *>(QStringLiteral("profileTls"));
    auto *cert = d.findChild<QLineEdit *>(QStringLiteral("profileCertFile"));
    EXPECT_FALSE(cert->isEnabled()) << "certificates need TLS";
    tls->setChecked(true);
    EXPECT_TRUE(cert->isEnabled());
    auto *source = d.findChild<QComboBox *>(QStringLiteral("profileTokenSource"));
    source->setCurrentIndex(2);
    auto *var = d.findChild<QLineEdit *>(QStringLiteral("profileTokenVariable"));
    EXPECT_TRUE(var->isVisibleTo(&d));
    QTest::keyClicks(var, QStringLiteral("PAYMENTS_TOKEN"));
    shoot(&d, QStringLiteral("profile-manager"));
    QTest::mouseClick(d.findChild<QPushButton *>(QStringLiteral("saveProfile")), Qt::LeftButton);
    ASSERT_EQ(saved.count(), 1);
    const auto list = saved.at(0).at(0).value<std::vector<ConnectionProfile>>();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].name, QStringLiteral("payments prod"));
    EXPECT_EQ(list[1].endpoint, QStringLiteral("payments.example.com:443"));
    EXPECT_EQ(list[1].environment, Environment::Prod);
    EXPECT_TRUE(list[1].tls);
    EXPECT_EQ(list[1].tokenVariable, QStringLiteral("PAYMENTS_TOKEN"));
    // A second profile of the same name is refused with the reason.
    d.findChild<QListWidget *>(QStringLiteral("profileList"))->setCurrentRow(0);
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("payments prod"));
    EXPECT_TRUE(status->text().contains(QStringLiteral("another profile")))
        << status->text().toStdString();
}

TEST(Profiles, WhatAnotherConsoleSavesIsSeenWithoutARestart)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.ini"));
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    // Two consoles (two processes in life) sharing only the settings file.
    ConsoleWindows here(&cache, {}, path);
    ConsoleWindows there(&cache, {}, path);
    QSignalSpy changed(&there, &ConsoleWindows::profilesChanged);
    here.setProfiles({profile(QStringLiteral("new one"), QStringLiteral("new.example.com:443"))});
    ASSERT_TRUE(QTest::qWaitFor([&] { return there.profiles().size() == 1; }, 5000));
    EXPECT_EQ(there.profiles()[0].endpoint, QStringLiteral("new.example.com:443"));
    EXPECT_GE(changed.count(), 1);
    here.setProfiles({});
    EXPECT_TRUE(QTest::qWaitFor([&] { return there.profiles().empty(); }, 5000))
        << "a deletion is seen too (the file is replaced on every save)";
    profile_store::waitForSaves();
}

TEST(QuickSwitcher, FiltersAndSwitchesOrOpensBeside)
{
    const std::vector<ConnectionProfile> all = {
        profile(QStringLiteral("sim"), QStringLiteral("127.0.0.1:1")),
        profile(QStringLiteral("payments staging"), QStringLiteral("pay-stg:443"),
                Environment::Staging),
        profile(QStringLiteral("payments prod"), QStringLiteral("pay:443"), Environment::Prod)};
    QWidget host;
    host.resize(800, 600);
    host.show();
    auto *s = new QuickSwitcher(all, QStringLiteral("sim"), {QStringLiteral("sim")}, &host);
    QSignalSpy switched(s, &QuickSwitcher::switchRequested);
    s->show();
    shoot(s, QStringLiteral("quick-switcher"));
    EXPECT_EQ(s->list()->count(), 4); // three profiles and "Manage profiles…"
    QTest::keyClicks(s->filter(), QStringLiteral("prod"));
    EXPECT_EQ(s->list()->count(), 2);
    QTest::keyClick(s->filter(), Qt::Key_Return);
    ASSERT_EQ(switched.count(), 1);
    EXPECT_EQ(switched.at(0).at(0).toString(), QStringLiteral("payments prod"));

    auto *again = new QuickSwitcher(all, QStringLiteral("sim"), {}, &host);
    QSignalSpy beside(again, &QuickSwitcher::openBesideRequested);
    again->show();
    QTest::keyClicks(again->filter(), QStringLiteral("staging"));
    QTest::keyClick(again->filter(), Qt::Key_Return, Qt::ControlModifier);
    ASSERT_EQ(beside.count(), 1);
    EXPECT_EQ(beside.at(0).at(0).toString(), QStringLiteral("payments staging"));
}

TEST(SideBySide, TwoServicesOpenAtOnceShareNothingButTheFile)
{
    auto simA = startSim(1);
    auto simB = startSim(2, "b-token");
    QTemporaryDir dir;
    qputenv("SB_TEST_B_TOKEN", "b-token");
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    ConnectionProfile a = profile(QStringLiteral("alpha staging"),
                                  QString::fromStdString(simA->address()), Environment::Staging);
    ConnectionProfile b = profile(QStringLiteral("bravo prod"),
                                  QString::fromStdString(simB->address()), Environment::Prod);
    b.tokenSource = ConnectionProfile::TokenSource::Environment;
    b.tokenVariable = QStringLiteral("SB_TEST_B_TOKEN");
    ConsoleWindows windows(&cache, {a, b}, dir.filePath(QStringLiteral("s.ini")));
    MainWindow *wa = windows.open(a.name);
    MainWindow *wb = windows.open(b.name);
    ASSERT_TRUE(wa && wb && wa != wb);
    EXPECT_EQ(windows.open(a.name), wa) << "an open profile is raised, not opened twice";
    const int routing = pageIndex(QStringLiteral("routing"));
    wa->showPage(routing);
    wb->showPage(routing);
    auto ready = [](MainWindow *w) {
        return w->console()->session()->isReady() && w->console()->routing()->freshness().live;
    };
    ASSERT_TRUE(QTest::qWaitFor([&] { return ready(wa) && ready(wb); }, 15000));
    // Each window names its own service, on every page (the bar is above them all).
    EXPECT_TRUE(text(wa, "profileButton").contains(QStringLiteral("alpha staging")));
    EXPECT_TRUE(text(wb, "profileButton").contains(QStringLiteral("bravo prod")));
    EXPECT_TRUE(text(wb, "endpointLabel").contains(QString::fromStdString(simB->address())));
    EXPECT_TRUE(wb->windowTitle().contains(QStringLiteral("PRODUCTION")));
    EXPECT_TRUE(text(wb, "productionStrip").contains(QStringLiteral("PRODUCTION")));
    EXPECT_EQ(text(wa, "productionStrip"), QString());
    // Each framed window's colour runs along all four sides of its pages.
    for (auto [w, colour] : {std::pair{wa, palette::staging()}, std::pair{wb, palette::prod()}}) {
        auto *frame = w->findChild<QWidget *>(QStringLiteral("environmentFrame"));
        ASSERT_NE(frame, nullptr);
        const QImage img = frame->grab().toImage();
        const int mx = img.width() / 2, my = img.height() / 2;
        for (const QPoint p : {QPoint(1, my), QPoint(img.width() - 2, my), QPoint(mx, 1),
                               QPoint(mx, img.height() - 2)})
            EXPECT_EQ(img.pixelColor(p).name(), colour.name())
                << "no frame at (" << p.x() << "," << p.y() << ")";
    }
    EXPECT_NE(wa->console()->session()->endpointKey(), wb->console()->session()->endpointKey());
    shoot(wa, QStringLiteral("side-by-side-a"));
    shoot(wb, QStringLiteral("side-by-side-b-prod"));

    // Another operator changes alpha: only alpha's window hears of it.
    Connection other;
    other.connectTo(QString::fromStdString(simA->address()));
    RoutingClient client(&other);
    QSignalSpy table(&client, &RoutingClient::tableReceived);
    client.fetchTable();
    ASSERT_TRUE(table.wait(8000));
    const Route route = table.at(0).at(0).value<RoutingTable>().routes.at(0);
    ASSERT_FALSE(route.fallbacks.empty());
    Change c;
    c.kind = ChangeKind::FallbackEnabled;
    c.object = route.name;
    c.item = route.fallbacks.front().model;
    c.enabled = false;
    c.reason = QStringLiteral("side by side test");
    c.expectedEtag = route.etag;
    c.requestId = Change::newRequestId();
    QSignalSpy applied(&client, &RoutingClient::changeApplied);
    client.apply(c);
    ASSERT_TRUE(applied.wait(8000));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return wa->console()->notifications()->rowCount() > 0; }, 8000));
    QTest::qWait(500);
    EXPECT_EQ(wb->console()->notifications()->rowCount(), 0) << "alpha's news in bravo's window";

    // Alpha goes away: its window turns stale, bravo's stays live.
    simA->shutdown();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !wa->console()->session()->isReady(); }, 10000));
    EXPECT_TRUE(QTest::qWaitFor([&] { return !text(wa, "retryLabel").isEmpty(); }, 5000));
    EXPECT_TRUE(text(wa, "retryLabel").contains(QStringLiteral("retrying in")));
    EXPECT_TRUE(wb->console()->session()->isReady());
    EXPECT_TRUE(wb->console()->routing()->freshness().live);
    EXPECT_EQ(text(wb, "retryLabel"), QString());
    shoot(wa, QStringLiteral("offline-retrying"));
    windows.shutdown();
}

TEST(SideBySide, ANewWindowNeverShowsAnotherServicesCache)
{
    auto sim = startSim(3);
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    ConnectionProfile live =
        profile(QStringLiteral("live"), QString::fromStdString(sim->address()));
    ConnectionProfile dead = profile(QStringLiteral("dead"), QStringLiteral("127.0.0.1:1"));
    ConsoleWindows windows(&cache, {live, dead}, dir.filePath(QStringLiteral("s.ini")));
    MainWindow *wl = windows.open(live.name);
    ASSERT_TRUE(QTest::qWaitFor([&] { return wl->console()->routing()->freshness().live; }, 15000));
    // Let the live rows reach the cache, then open a profile with nothing cached.
    QTest::qWait(1500);
    MainWindow *wd = windows.open(dead.name);
    wd->showPage(pageIndex(QStringLiteral("routing")));
    QTest::qWait(2500);
    EXPECT_TRUE(wd->console()->session()->cachedFrom().isEmpty());
    EXPECT_EQ(wd->console()->routing()->freshness().fetchedMs, 0) << "borrowed live's rows";
    EXPECT_TRUE(QTest::qWaitFor(
        [&] {
            return text(wd, "connectionProblem").contains(QStringLiteral("Nothing is listening"));
        },
        8000))
        << text(wd, "connectionProblem").toStdString();
    shoot(wd, QStringLiteral("unreachable"));
    // Retry now tries at once.
    auto *retry = wd->findChild<QToolButton *>(QStringLiteral("retryNowButton"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return retry->isVisibleTo(wd); }, 5000));
    const int attempts = wd->console()->session()->connection()->failedAttempts();
    QTest::mouseClick(retry, Qt::LeftButton);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return wd->console()->session()->connection()->failedAttempts() > attempts; }, 5000));
    windows.shutdown();
}

TEST(SideBySide, SwitchingAWindowReplacesItsService)
{
    auto simA = startSim(4);
    auto simB = startSim(5);
    Cache cache;
    QTemporaryDir dir;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    ConsoleWindows windows(&cache,
                           {profile(QStringLiteral("a"), QString::fromStdString(simA->address())),
                            profile(QStringLiteral("b"), QString::fromStdString(simB->address()))},
                           dir.filePath(QStringLiteral("s.ini")));
    QPointer<MainWindow> first = windows.open(QStringLiteral("a"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return first->console()->session()->isReady(); }, 10000));
    const int page = first->pageCount() - 1;
    first->showPage(page);
    MainWindow *second = windows.open(QStringLiteral("b"), first);
    EXPECT_EQ(second->currentPageIndex(), page) << "switching the service keeps the page";
    ASSERT_TRUE(QTest::qWaitFor([&] { return first.isNull(); }, 5000)) << "old window stays";
    EXPECT_EQ(windows.windows().size(), 1u);
    ASSERT_TRUE(QTest::qWaitFor([&] { return second->console()->session()->isReady(); }, 10000));
    EXPECT_TRUE(text(second, "profileButton").startsWith(QStringLiteral("b")));
    windows.shutdown();
}

TEST(ConnectionBar, ATlsProblemReadsAsASentenceOnEveryPage)
{
    test::TestCerts certs;
    ASSERT_TRUE(certs.ok()) << certs.error().toStdString();
    sim::SimOptions o;
    o.rate = 100;
    o.tlsCertPem = certs.pem(QStringLiteral("expired.pem"));
    o.tlsKeyPem = certs.pem(QStringLiteral("expired.key"));
    sim::SimServer sim(o);
    std::string err;
    ASSERT_TRUE(sim.start(&err)) << err;
    ConnectionProfile p =
        profile(QStringLiteral("orders prod"), QStringLiteral("127.0.0.1:%1").arg(sim.port()),
                Environment::Prod);
    p.tls = true;
    p.caFile = certs.path(QStringLiteral("ca.pem"));
    QTemporaryDir dir;
    ConsoleWindows windows(nullptr, {p}, dir.filePath(QStringLiteral("s.ini")));
    MainWindow *w = windows.open(p.name);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return text(w, "connectionProblem").contains(QStringLiteral("expired on")); }, 12000))
        << text(w, "connectionProblem").toStdString();
    EXPECT_TRUE(text(w, "endpointLabel").contains(QStringLiteral("TLS (custom CA)")));
    shoot(w, QStringLiteral("tls-expired-prod"));
    // A missing CA file is named before any connection is tried.
    ConnectionProfile missing = p;
    missing.name = QStringLiteral("missing ca");
    missing.caFile = dir.filePath(QStringLiteral("nope.pem"));
    windows.setProfiles({p, missing});
    MainWindow *m = windows.open(missing.name);
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return text(m, "connectionProblem").contains(QStringLiteral("nope.pem")); }, 5000))
        << text(m, "connectionProblem").toStdString();
    windows.shutdown();
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qRegisterMetaType<std::vector<sb::ConnectionProfile>>();
    qRegisterMetaType<sb::RoutingTable>();
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::AuditEvent>();
    qRegisterMetaType<sb::RpcError>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
