// The command palette (Ctrl+K) end to end, offscreen, against the real sim
// over real gRPC with a real cache file: it lists pages, every page's
// actions and the service's objects with their shortcuts; typing filters
// fuzzily; Enter goes to a page or runs the action, and a risky one (disable
// a model) opens the same guarded-change dialog as the Space key does; a row
// that cannot run says why; the choice is remembered in the cache and comes
// first next time, in a new window on the same file.

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/privacy.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/palette/command_palette.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_page.h"
#include "ui/session.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <gtest/gtest.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens["alice-token"] = {sim::Role::Operator, "alice"};
    o.tokens["vera-token"] = {sim::Role::Viewer, "vera"};
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(sim->start(&err)) << err;
    return sim;
}

void shot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (!dir.isEmpty())
        w->grab().save(dir + QLatin1Char('/') + QLatin1String(name));
}

struct Window
{
    explicit Window(Cache *cache) : console(cache), window(&console) {}
    Console console;
    MainWindow window;

    bool open(const sim::SimServer &sim, const char *token)
    {
        window.show();
        console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                     QString::fromLatin1(token), Environment::Dev);
        return QTest::qWaitFor(
            [&] { return console.routing()->model()->table().models.size() >= 4; }, 15000);
    }
    CommandPalette *palette()
    {
        QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
        return window.commandPalette();
    }
    int currentPage() const { return window.findChild<QStackedWidget *>()->currentIndex(); }
};

QStringList rows(CommandPalette *p, int n = 5)
{
    QStringList out;
    for (int r = 0; r < std::min(n, p->model()->rowCount()); ++r)
        out << p->model()->index(r).data().toString();
    return out;
}

const CommandEntry *findEntry(CommandPalette *p, const QString &title)
{
    for (int i = 0; i < p->index().size(); ++i) {
        if (p->index().entry(i).title == title)
            return &p->index().entry(i);
    }
    return nullptr;
}

} // namespace

TEST(CommandPalette, ListsPagesActionsAndObjectsWithTheirShortcuts)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    // Prompts and experiments arrive on their own calls.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto all = w.window.commands();
            bool prompt = false, experiment = false;
            for (const auto &e : all) {
                prompt = prompt || e.id == QStringLiteral("prompt:support-reply");
                experiment = experiment || e.kind == QStringLiteral("Experiment");
            }
            return prompt && experiment;
        },
        15000));
    CommandPalette *p = w.palette();
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->isVisible());
    EXPECT_TRUE(p->queryEdit()->hasFocus());

    // Pages with their shortcuts; a page's actions with theirs.
    const CommandEntry *latency = findEntry(p, QStringLiteral("Latency"));
    ASSERT_NE(latency, nullptr);
    EXPECT_EQ(latency->kind, QStringLiteral("Page"));
    EXPECT_FALSE(latency->shortcut.isEmpty());
    const CommandEntry *newVersion = findEntry(p, QStringLiteral("New version"));
    ASSERT_NE(newVersion, nullptr) << "the Prompts page's action";
    EXPECT_EQ(newVersion->shortcut,
              QKeySequence(Qt::CTRL | Qt::Key_N).toString(QKeySequence::NativeText));
    // The service's objects.
    for (const char *title : {"Disable atlas-xl", "Route chat", "Force chat to its fallbacks",
                              "support-reply", "Support reply: v3 vs shorter v4"}) {
        EXPECT_NE(findEntry(p, QString::fromUtf8(title)), nullptr) << title;
    }

    // Typing filters fuzzily, and the matched letters are marked.
    QTest::keyClicks(p->queryEdit(), QStringLiteral("dis atl xl"));
    ASSERT_GE(p->model()->rowCount(), 1);
    EXPECT_EQ(rows(p, 1), QStringList{QStringLiteral("Disable atlas-xl")});
    EXPECT_FALSE(
        p->model()->index(0).data(CommandListModel::HitsRole).value<QList<int>>().isEmpty());
    shot(w.window.window(), "palette-filtering.png");
    shot(p, "palette-popup.png");
    QTest::keyClick(p->queryEdit(), Qt::Key_Escape);
    EXPECT_FALSE(p->isVisible());
}

TEST(CommandPalette, EnterGoesToAPageOrOpensTheGuardedDialogForARiskyAction)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    ASSERT_TRUE(w.open(*sim, "alice-token"));

    CommandPalette *p = w.palette();
    QTest::keyClicks(p->queryEdit(), QStringLiteral("audit"));
    ASSERT_EQ(rows(p, 1), QStringList{QStringLiteral("Audit")}) << rows(p).join(", ").toStdString();
    QTest::keyClick(p->queryEdit(), Qt::Key_Return);
    EXPECT_FALSE(p->isVisible());
    EXPECT_EQ(w.currentPage(), pageIndex(QStringLiteral("audit")));

    // "Disable atlas-xl" runs what Space on the model does: the guarded dialog.
    p = w.palette();
    QTest::keyClicks(p->queryEdit(), QStringLiteral("disable atlas-xl"));
    ASSERT_EQ(rows(p, 1), QStringList{QStringLiteral("Disable atlas-xl")});
    QTest::keyClick(p->queryEdit(), Qt::Key_Return);
    EXPECT_EQ(w.currentPage(), pageIndex(QStringLiteral("routing")));
    GuardedChangeDialog *d = w.window.routingPage()->openDialog();
    ASSERT_NE(d, nullptr) << "the same dialog as Space";
    EXPECT_TRUE(d->isVisible());
    EXPECT_EQ(d->change().object, QStringLiteral("atlas-xl"));
    EXPECT_FALSE(d->change().enabled) << "disables it";
    d->reject();
    // Nothing was changed by opening it.
    const Model *m = w.console.routing()->model()->model(QStringLiteral("atlas-xl"));
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(m->enabled);
}

TEST(CommandPalette, WithTheServiceGoneRiskyRowsSayWhyAndDoNotRun)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    sim->shutdown(); // 3 a.m.: the service went away; the table stays, marked stale
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return !w.console.routing()->writeBlockedReason().isEmpty(); }, 15000));
    CommandPalette *p = w.palette();
    QTest::keyClicks(p->queryEdit(), QStringLiteral("disable atlas-mini"));
    ASSERT_EQ(rows(p, 1), QStringList{QStringLiteral("Disable atlas-mini")});
    EXPECT_FALSE(p->model()->index(0).data(CommandListModel::EnabledRole).toBool());
    const QString why = p->model()->index(0).data(CommandListModel::DetailRole).toString();
    EXPECT_FALSE(why.isEmpty());
    QTest::keyClick(p->queryEdit(), Qt::Key_Return);
    EXPECT_TRUE(p->isVisible()) << "a row that cannot run stays, saying why";
    EXPECT_TRUE(p->findChild<QLabel *>(QStringLiteral("paletteHint"))->text().contains(why));
    EXPECT_EQ(w.window.routingPage()->openDialog(), nullptr);
}

TEST(CommandPalette, AChoiceIsRememberedInTheCacheAndComesFirstNextTime)
{
    auto sim = startSim();
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));
    {
        Cache cache;
        cache.open(file);
        Window w(&cache);
        ASSERT_TRUE(w.open(*sim, "alice-token"));
        CommandPalette *p = w.palette();
        QTest::keyClicks(p->queryEdit(), QStringLiteral("route extract"));
        ASSERT_EQ(rows(p, 1), QStringList{QStringLiteral("Route extract")});
        QTest::keyClick(p->queryEdit(), Qt::Key_Return);
        EXPECT_EQ(w.currentPage(), pageIndex(QStringLiteral("routing")));
        EXPECT_EQ(w.window.routingPage()->tree()->currentIndex().data().toString(),
                  QStringLiteral("extract"));
        QSignalSpy flushed(&cache, &Cache::flushed);
        cache.flush();
        ASSERT_TRUE(flushed.wait(10000));
    }
    Cache cache;
    cache.open(file);
    Window w(&cache);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    CommandPalette *p = nullptr;
    // The recent choices load from the cache without blocking the window.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            p = w.palette();
            const bool first = rows(p, 1) == QStringList{QStringLiteral("Route extract")};
            if (!first)
                p->hide();
            return first;
        },
        10000))
        << rows(p).join(", ").toStdString();
    // And among the matches of a query too.
    QTest::keyClicks(p->queryEdit(), QStringLiteral("route"));
    EXPECT_EQ(rows(p, 1), QStringList{QStringLiteral("Route extract")});
}

TEST(CommandPalette, WhilePresentingNoRowNamesAHost)
{
    auto sim = startSim();
    Window w(nullptr);
    ASSERT_TRUE(w.open(*sim, "alice-token"));
    const QString host = QStringLiteral("payments-gw.internal.example:443");
    // What ConsoleWindows adds for another profile: its endpoint in the detail.
    w.window.addCommandSource([host](std::vector<CommandEntry> &out) {
        out.push_back({.id = QStringLiteral("profile:payments"),
                       .title = QStringLiteral("Switch to payments"),
                       .kind = QStringLiteral("Profile"),
                       .detail = QStringLiteral("prod · ") + host});
    });
    privacy::addEndpoint(host);
    privacy::setEnabled(true);
    CommandPalette *p = w.palette();
    QTest::keyClicks(p->queryEdit(), QStringLiteral("switch pay"));
    ASSERT_EQ(rows(p, 1), QStringList{QStringLiteral("Switch to payments")});
    const QString detail = p->model()->index(0).data(CommandListModel::DetailRole).toString();
    EXPECT_FALSE(detail.contains(QStringLiteral("payments-gw"))) << detail.toStdString();
    EXPECT_TRUE(detail.startsWith(QStringLiteral("prod · "))) << detail.toStdString();
    for (int r = 0; r < p->index().size(); ++r) {
        const auto &e = p->index().entry(r);
        EXPECT_FALSE(e.detail.contains(QStringLiteral("127.0.0.1")) ||
                     e.title.contains(QStringLiteral("127.0.0.1")))
            << e.title.toStdString() << " / " << e.detail.toStdString();
    }
    p->hide();
    privacy::setEnabled(false);
    p = w.palette();
    QTest::keyClicks(p->queryEdit(), QStringLiteral("switch pay"));
    EXPECT_TRUE(p->model()
                    ->index(0)
                    .data(CommandListModel::DetailRole)
                    .toString()
                    .contains(QStringLiteral("payments-gw")))
        << "shown again once presenting ends";
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    qRegisterMetaType<sb::Change>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
