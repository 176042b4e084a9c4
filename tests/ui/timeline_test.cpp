// The incident timeline end to end, offscreen, against the real sim over
// real gRPC with a real cache file: a drill started from the Routing page's
// drill panel and a routing change made through the guarded-change dialog
// each land in the timeline exactly once (in memory and in the cache's events
// table, though each is reported twice: by this console and back by the
// service); a note added with Ctrl+M shows on the Timeline page and as a
// marker on the rendered latency chart, a shift-drag on the chart adds a note
// band (checked on the chart's pixels); Export incident writes a post-mortem
// draft, chart PNGs and a JSON bundle whose import into a fresh cache gives
// the same timeline; bad bundles get a sentence, not a crash; and while
// presenting, no host shows on the page or in the exported files.

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "core/event_bundle.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/common/event_log.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/privacy.h"
#include "ui/console.h"
#include "ui/latency/chart_markers.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/routing/drill_panel.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_page.h"
#include "ui/session.h"
#include "ui/timeline/note_dialog.h"
#include "ui/timeline/timeline_model.h"
#include "ui/timeline/timeline_overlay.h"
#include "ui/timeline/timeline_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <cmath>
#include <gtest/gtest.h>
#include <qcustomplot.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens["alice-token"] = {sim::Role::Admin, "alice"}; // admins may list drills
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
    EventLog *events() { return console.events(); }
    TimelinePage *timeline() { return window.page<TimelinePage>(); }

    bool open(const sim::SimServer &sim)
    {
        window.resize(1280, 800);
        window.show();
        console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                     QStringLiteral("alice-token"), Environment::Dev);
        return QTest::qWaitFor(
            [&] {
                return console.routing()->writeBlockedReason().isEmpty() &&
                       console.routing()->model()->table().models.size() >= 4 &&
                       console.routing()->drillsAvailable();
            },
            15000);
    }
    int count(EventKind kind) const
    {
        int n = 0;
        for (const auto &e : console.events()->events())
            n += e.kind == kind;
        return n;
    }
};

// A running sim and a cache file for one test.
struct Live
{
    Live() : sim(startSim()) { cache.open(path()); }
    QString path() const { return dir.filePath(QStringLiteral("cache.sqlite")); }
    std::unique_ptr<sim::SimServer> sim;
    QTemporaryDir dir;
    Cache cache;
};

// The events the cache file holds for an endpoint, read with a new Cache.
std::vector<TimelineEvent> cachedEvents(const QString &path, const QString &endpoint)
{
    Cache cache;
    cache.open(path);
    QSignalSpy loaded(&cache, &Cache::eventsLoaded);
    cache.loadEvents(endpoint, 0, std::numeric_limits<qint64>::max());
    EXPECT_TRUE(loaded.wait(10000));
    return loaded.isEmpty() ? std::vector<TimelineEvent>{}
                            : loaded.first().at(3).value<std::vector<TimelineEvent>>();
}

void flush(Cache &cache)
{
    QSignalSpy flushed(&cache, &Cache::flushed);
    cache.flush();
    ASSERT_TRUE(flushed.wait(10000));
}

NoteDialog *openNoteDialog()
{
    NoteDialog *d = nullptr;
    (void)QTest::qWaitFor(
        [&] {
            for (QWidget *w : QApplication::topLevelWidgets()) {
                if (auto *n = qobject_cast<NoteDialog *>(w); n && n->isVisible())
                    d = n;
            }
            return d != nullptr;
        },
        3000);
    return d;
}

// How many pixels of column x (±1) over the top panel are close to `c`.
int pixelsNear(const QImage &img, int x, const QRect &panel, QColor c)
{
    int n = 0;
    for (int y = panel.top() + 2; y < panel.bottom() - 2; ++y) {
        for (int dx = -1; dx <= 1; ++dx) {
            const QColor p = img.pixelColor(x + dx, y);
            if (std::abs(p.red() - c.red()) < 40 && std::abs(p.green() - c.green()) < 40 &&
                std::abs(p.blue() - c.blue()) < 40) {
                ++n;
                break;
            }
        }
    }
    return n;
}

// A console on a fresh cache file with no service (another machine, offline).
struct Offline
{
    explicit Offline(const QString &path, const QString &endpoint = QStringLiteral("laptop"))
        : window(&console)
    {
        cache.open(path);
        console.session()->connectTo(QStringLiteral("127.0.0.1:1"), endpoint, {}, Environment::Dev);
        window.show();
        window.showPage(pageIndex(QStringLiteral("timeline")));
    }
    Cache cache;
    Console console{&cache};
    MainWindow window;
    TimelinePage *page() { return window.page<TimelinePage>(); }
};

} // namespace

TEST(Timeline, DrillFromThePanelAndARoutingChangeLandOnceEach)
{
    Live live;
    Cache &cache = live.cache;
    const QString path = live.path();
    Window w(&cache);
    ASSERT_TRUE(w.open(*live.sim));

    // A drill, from the Routing page's drill panel.
    w.window.showPage(pageIndex(QStringLiteral("routing")));
    auto *start = w.window.findChild<QPushButton *>(QStringLiteral("drillStart"));
    ASSERT_NE(start, nullptr);
    QSignalSpy drills(w.console.routing(), &RoutingController::drillsChanged);
    start->click();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.count(EventKind::Drill) > 0; }, 10000));
    // The service lists it back (drillsChanged): still one event.
    ASSERT_TRUE(QTest::qWaitFor([&] { return !w.console.routing()->drills().empty(); }, 10000));
    QTest::qWait(300);
    EXPECT_EQ(w.count(EventKind::Drill), 1);
    const TimelineEvent drill =
        *std::find_if(w.events()->events().begin(), w.events()->events().end(),
                      [](const TimelineEvent &e) { return e.kind == EventKind::Drill; });
    EXPECT_TRUE(drill.isRange()) << "a drill is a band from its start to its end";
    EXPECT_TRUE(drill.summary.contains(QStringLiteral("drill"))) << drill.summary.toStdString();

    // A routing change through the guarded-change dialog (Space on chat's first fallback).
    QSignalSpy seen(w.console.routing(), &RoutingController::auditEventSeen);
    RoutingPage *routing = w.window.routingPage();
    auto *tree = routing->tree();
    tree->setFocus();
    QModelIndex step;
    for (int r = 0; r < tree->model()->rowCount(); ++r) {
        const QModelIndex ri = tree->model()->index(r, 0);
        if (ri.data().toString() == QLatin1String("chat"))
            step = tree->model()->index(1, 0, ri);
    }
    ASSERT_TRUE(step.isValid());
    tree->setCurrentIndex(step);
    QTest::keyClick(tree, Qt::Key_Space);
    GuardedChangeDialog *d = routing->openDialog();
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(d->findChild<QLineEdit *>(QStringLiteral("reasonEdit")),
                     QStringLiteral("orion slow in eu"));
    d->findChild<QPushButton *>(QStringLiteral("applyButton"))->click();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.count(EventKind::LocalChange) > 0; }, 10000));
    // Reported twice: by the write's answer and back on the watch stream.
    ASSERT_TRUE(QTest::qWaitFor([&] { return seen.count() >= 2; }, 10000)) << seen.count();
    QTest::qWait(300);
    EXPECT_EQ(w.count(EventKind::LocalChange), 1);
    EXPECT_EQ(w.count(EventKind::OthersChange), 0) << "our own change is not someone else's";
    const TimelineEvent *change = nullptr;
    for (const auto &e : w.events()->events())
        change = e.kind == EventKind::LocalChange ? &e : change;
    ASSERT_NE(change, nullptr);
    EXPECT_EQ(change->payload.value(QStringLiteral("reason")).toString(),
              QStringLiteral("orion slow in eu"));

    // The Timeline page lists both, newest first; selecting shows the payload.
    w.window.showPage(pageIndex(QStringLiteral("timeline")));
    TimelinePage *page = w.timeline();
    ASSERT_NE(page, nullptr);
    ASSERT_GE(page->model()->rowCount(), 2);
    int changeRow = -1;
    for (int r = 0; r < page->model()->rowCount(); ++r) {
        if (r > 0) {
            EXPECT_GE(page->model()->eventAt(r - 1)->timeMs, page->model()->eventAt(r)->timeMs);
        }
        if (page->model()->eventAt(r)->kind == EventKind::LocalChange)
            changeRow = r;
    }
    ASSERT_GE(changeRow, 0);
    page->table()->setCurrentIndex(page->model()->index(changeRow, 0));
    EXPECT_TRUE(page->details()->toPlainText().contains(QStringLiteral("orion slow in eu")));
    // Filters: drills off leaves the change; a target filter leaves what is about it.
    page->kindButton(int(EventKind::Drill))->click();
    for (int r = 0; r < page->model()->rowCount(); ++r)
        EXPECT_NE(page->model()->eventAt(r)->kind, EventKind::Drill);
    page->kindButton(int(EventKind::Drill))->click();
    page->targetFilter()->setText(QStringLiteral("atlas"));
    ASSERT_GE(page->model()->rowCount(), 1);
    for (int r = 0; r < page->model()->rowCount(); ++r)
        EXPECT_NE(page->model()->eventAt(r)->kind, EventKind::LocalChange);
    page->targetFilter()->clear();
    shot(&w.window, "timeline-after-drill.png");

    // The cache holds each once, and a console started later shows them offline.
    flush(cache);
    const auto stored = cachedEvents(path, QStringLiteral("sim"));
    int drillRows = 0, changeRows = 0;
    for (const auto &e : stored) {
        drillRows += e.kind == EventKind::Drill;
        changeRows += e.kind == EventKind::LocalChange;
        EXPECT_NE(e.kind, EventKind::OthersChange);
    }
    EXPECT_EQ(drillRows, 1);
    EXPECT_EQ(changeRows, 1);

    // Offline (no service), a console on the same file shows the same timeline.
    Offline later(path, QStringLiteral("sim"));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return later.page()->model()->rowCount() == int(stored.size()); }, 10000))
        << later.page()->model()->rowCount() << " rows, log "
        << later.console.events()->events().size();
    for (int r = 0; r < later.page()->model()->rowCount(); ++r)
        EXPECT_EQ(*later.page()->model()->eventAt(r), stored[std::size_t(r)]);
}

TEST(Timeline, CtrlMNoteShowsOnThePageAndTheChartAndShiftDragAddsABand)
{
    Live live;
    Cache &cache = live.cache;
    Window w(&cache);
    ASSERT_TRUE(w.open(*live.sim));
    w.window.showPage(pageIndex(QStringLiteral("latency")));
    LatencyChart *chart = w.window.latencyPage()->chart();
    ASSERT_TRUE(QTest::qWaitFor([&] { return chart->pointCount() > 0; }, 15000))
        << chart->pointCount();

    // Ctrl+M on the Latency page: a note at now.
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    QTest::keyClick(&w.window, Qt::Key_M, Qt::ControlModifier);
    NoteDialog *d = openNoteDialog();
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(d->textEdit(), QStringLiteral("p99 climbing on chat"));
    d->accept();
    ASSERT_EQ(w.count(EventKind::Note), 1);
    const TimelineEvent note = w.events()->events().front();
    EXPECT_EQ(note.summary, QStringLiteral("p99 climbing on chat"));
    EXPECT_GE(note.timeMs, before);

    // On the chart: a green marker line at the note's time, explained on hover.
    chart->setVisibleRangeMs(note.timeMs - 40000, note.timeMs + 20000);
    chart->replotNow();
    QCPAxisRect *top = chart->panel(LatencyChart::LatencyPanel);
    const int x = int(top->axis(QCPAxis::atBottom)->coordToPixel(note.timeMs / 1000.0));
    QImage img = chart->plot()->toPixmap().toImage();
    const QColor green(0x2f, 0x9e, 0x44);
    EXPECT_GT(pixelsNear(img, x, top->rect(), green), top->rect().height() / 4)
        << "a dashed line in the note's colour down the panel";
    EXPECT_LT(pixelsNear(img, x - 80, top->rect(), green), 3) << "and not elsewhere";
    chart->hoverAt(QPoint(x, top->rect().center().y()));
    bool explained = false;
    for (auto *l : chart->findChildren<QLabel *>())
        explained = explained || (l->isVisible() && l->text().contains("p99 climbing on chat"));
    EXPECT_TRUE(explained) << "hover says what the note is";

    // Shift-drag over 20 s of the past: a note band for that range.
    const int x1 = int(top->axis(QCPAxis::atBottom)->coordToPixel((note.timeMs - 30000) / 1000.0));
    const int x2 = int(top->axis(QCPAxis::atBottom)->coordToPixel((note.timeMs - 10000) / 1000.0));
    const int y = top->rect().center().y();
    QTest::mousePress(chart->plot(), Qt::LeftButton, Qt::ShiftModifier, QPoint(x1, y));
    QTest::mouseMove(chart->plot(), QPoint((x1 + x2) / 2, y));
    QTest::mouseRelease(chart->plot(), Qt::LeftButton, Qt::ShiftModifier, QPoint(x2, y));
    NoteDialog *band = openNoteDialog();
    ASSERT_NE(band, nullptr);
    EXPECT_TRUE(band->endBox()->isChecked()) << "a range has its end ticked";
    QTest::keyClicks(band->textEdit(), QStringLiteral("failover window"));
    band->accept();
    ASSERT_EQ(w.count(EventKind::Note), 2);
    const TimelineEvent *range = w.events()->find(w.events()->events().back().id);
    for (const auto &e : w.events()->events())
        range = e.summary == QLatin1String("failover window") ? &e : range;
    ASSERT_TRUE(range && range->isRange());
    EXPECT_NEAR(double(range->timeMs), double(note.timeMs - 30000), 1500);
    EXPECT_NEAR(double(range->endMs), double(note.timeMs - 10000), 1500);

    chart->setVisibleRangeMs(note.timeMs - 40000, note.timeMs + 20000);
    chart->replotNow();
    img = chart->plot()->toPixmap().toImage();
    const QColor inside = img.pixelColor((x1 + x2) / 2, top->rect().top() + 6);
    const QColor outside = img.pixelColor(x1 - 30, top->rect().top() + 6);
    EXPECT_GT(inside.green() - inside.red(), outside.green() - outside.red() + 8)
        << "the band tints the panel green: inside " << inside.name().toStdString() << ", outside "
        << outside.name().toStdString();
    shot(chart, "timeline-chart-note-band.png");

    // Both on the Timeline page.
    w.window.showPage(pageIndex(QStringLiteral("timeline")));
    QStringList whats;
    for (int r = 0; r < w.timeline()->model()->rowCount(); ++r)
        whats << w.timeline()->model()->index(r, TimelineModel::What).data().toString();
    EXPECT_TRUE(whats.contains(QStringLiteral("p99 climbing on chat")))
        << whats.join("|").toStdString();
    EXPECT_TRUE(whats.contains(QStringLiteral("failover window")));

    // Notes toggled off the chart: the line and the band go.
    auto *notesOnChart =
        w.window.latencyPage()->findChild<QAction *>(QStringLiteral("chart-kind-note"));
    ASSERT_NE(notesOnChart, nullptr);
    notesOnChart->trigger();
    EXPECT_FALSE(notesOnChart->isChecked());
    w.window.showPage(pageIndex(QStringLiteral("latency")));
    chart->setVisibleRangeMs(note.timeMs - 40000, note.timeMs + 20000);
    chart->replotNow();
    img = chart->plot()->toPixmap().toImage();
    EXPECT_LT(pixelsNear(img, x, top->rect(), green), 3);
    const QColor untinted = img.pixelColor((x1 + x2) / 2, top->rect().top() + 6);
    EXPECT_LE(untinted.green() - untinted.red(), outside.green() - outside.red() + 2);
}

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

TEST(Timeline, ExportThenImportIntoAFreshCacheReproducesTheTimeline)
{
    Live live;
    Cache &cache = live.cache;
    QTemporaryDir &dir = live.dir;
    Window w(&cache);
    ASSERT_TRUE(w.open(*live.sim));
    w.console.routing()->startDrill(QStringLiteral("atlas-mini"), DrillKind::LatencySpike, 3,
                                    std::chrono::seconds(60));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.count(EventKind::Drill) == 1; }, 10000));
    auto change = w.console.routing()->modelChange(QStringLiteral("atlas-mini"), false);
    ASSERT_TRUE(change.has_value());
    change->reason = QStringLiteral("spike drill");
    w.console.routing()->submit(*change);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.count(EventKind::LocalChange) == 1; }, 10000));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    w.events()->addNote(QStringLiteral("watching the fallback take over"), now - 5000, now);
    // Latency history in the cache for the charts (the controller writes it in batches).
    const auto cachedSeconds = [&] {
        SeriesQuery q;
        q.endpoint = QStringLiteral("sim");
        q.route = QStringLiteral("chat");
        q.fromMs = now - 15 * 60 * 1000;
        q.toMs = now + 60 * 1000;
        QSignalSpy loaded(&cache, &Cache::seriesLoaded);
        cache.loadSeries(q);
        return loaded.wait(5000) ? loaded.first().at(1).value<std::vector<SeriesPoint>>().size()
                                 : std::size_t(0);
    };
    ASSERT_TRUE(QTest::qWaitFor([&] { return cachedSeconds() >= 2; }, 20000));

    w.window.showPage(pageIndex(QStringLiteral("timeline")));
    TimelinePage *page = w.timeline();
    page->rangeBox()->setCurrentIndex(1); // last 15 minutes
    QSignalSpy exported(page, &TimelinePage::exported);
    const QString out = dir.filePath(QStringLiteral("out"));
    QDir().mkpath(out);
    page->exportTo(out, QStringLiteral("incident"));
    ASSERT_TRUE(exported.wait(15000));
    ASSERT_TRUE(exported.first().at(0).toBool()) << exported.first().at(2).toString().toStdString();

    const QString md = QString::fromUtf8(readAll(out + QStringLiteral("/incident.md")));
    for (const char *section :
         {"## Summary", "## Timeline", "## Impact", "## Actions", "## Follow-ups"})
        EXPECT_TRUE(md.contains(QLatin1String(section))) << section;
    EXPECT_TRUE(md.contains(QStringLiteral("spike drill"))) << "the change's reason";
    EXPECT_TRUE(md.contains(QStringLiteral("watching the fallback take over")));
    const QStringList pngs = QDir(out).entryList({QStringLiteral("incident-*.png")});
    ASSERT_FALSE(pngs.isEmpty()) << md.toStdString();
    for (const QString &png : pngs) {
        EXPECT_TRUE(md.contains(QStringLiteral("](%1)").arg(png))) << png.toStdString();
        const QImage img(out + QLatin1Char('/') + png);
        EXPECT_GE(img.width(), 800);
    }

    // With SWITCHBOARD_SHOTS=DIR, the export is kept there for reading.
    if (const QString keep = qEnvironmentVariable("SWITCHBOARD_SHOTS"); !keep.isEmpty()) {
        for (const QString &f : QDir(out).entryList(QDir::Files))
            QFile::copy(out + QLatin1Char('/') + f, keep + QLatin1Char('/') + f);
    }
    const auto bundle = decodeBundle(readAll(out + QStringLiteral("/incident.json")));
    ASSERT_TRUE(bundle.bundle) << bundle.error.toStdString();
    ASSERT_GE(bundle.bundle->events.size(), 3u);

    // Another machine: a fresh cache, no service.
    QTemporaryDir other;
    const QString otherPath = other.filePath(QStringLiteral("cache.sqlite"));
    std::vector<TimelineEvent> shown;
    {
        Offline o(otherPath);
        QSignalSpy imported(o.page(), &TimelinePage::imported);
        o.page()->importFrom(out + QStringLiteral("/incident.json"));
        ASSERT_TRUE(imported.wait(10000));
        ASSERT_TRUE(imported.first().at(0).toBool())
            << imported.first().at(2).toString().toStdString();
        EXPECT_EQ(imported.first().at(1).toInt(), int(bundle.bundle->events.size()));
        EXPECT_EQ(o.page()->model()->rowCount(), int(bundle.bundle->events.size()));
        shown = o.console.events()->events();
        // Importing again adds nothing.
        o.page()->importFrom(out + QStringLiteral("/incident.json"));
        ASSERT_TRUE(imported.wait(10000));
        EXPECT_EQ(o.console.events()->events().size(), shown.size());
        flush(o.cache);
    }
    // Same times, kinds, people, targets, words and payloads; marked as imported.
    const auto stored = cachedEvents(otherPath, QStringLiteral("laptop"));
    ASSERT_EQ(stored.size(), bundle.bundle->events.size());
    std::vector<TimelineEvent> original = bundle.bundle->events; // oldest first
    for (std::size_t i = 0; i < original.size(); ++i) {
        const TimelineEvent &a = original[i];
        const TimelineEvent &b = stored[stored.size() - 1 - i]; // newest first
        EXPECT_EQ(b.timeMs, a.timeMs);
        EXPECT_EQ(b.endMs, a.endMs);
        EXPECT_EQ(b.kind, a.kind);
        EXPECT_EQ(b.actor, a.actor);
        EXPECT_EQ(b.target, a.target);
        EXPECT_EQ(b.summary, a.summary);
        EXPECT_EQ(b.payload, a.payload);
        EXPECT_TRUE(b.source.startsWith(QStringLiteral("import (incident.json)")))
            << b.source.toStdString();
    }
}

TEST(Timeline, ABadBundleGetsASentenceAndImportsNothing)
{
    QTemporaryDir dir;
    Offline o(dir.filePath(QStringLiteral("cache.sqlite")));
    const std::pair<const char *, QByteArray> bad[] = {
        {"empty", QByteArray()},
        {"binary", QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11)},
        {"truncated",
         QByteArray(R"({"format":"switchboard-incident","version":1,"events":[{"id")")},
        {"other json", QByteArray(R"({"hello":"world"})")},
        {"newer", QByteArray(R"({"format":"switchboard-incident","version":7,"events":[]})")},
        {"bad kind", QByteArray(R"({"format":"switchboard-incident","version":1,"events":[)"
                                R"({"id":"a","time":1700000000000,"kind":"meteor"}]})")},
        {"ends before", QByteArray(R"({"format":"switchboard-incident","version":1,"events":[)"
                                   R"({"id":"a","time":1700000000000,"end":5,"kind":"note"}]})")},
    };
    QSignalSpy imported(o.page(), &TimelinePage::imported);
    for (const auto &[name, bytes] : bad) {
        const QString path = dir.filePath(QString::fromLatin1(name) + QStringLiteral(".json"));
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        imported.clear();
        o.page()->importFrom(path);
        ASSERT_TRUE(imported.wait(10000)) << name;
        EXPECT_FALSE(imported.first().at(0).toBool()) << name;
        const QString why = imported.first().at(2).toString();
        EXPECT_TRUE(why.startsWith(QStringLiteral("Could not import"))) << why.toStdString();
        EXPECT_TRUE(why.endsWith(QLatin1Char('.'))) << name << ": " << why.toStdString();
        EXPECT_EQ(o.page()->status()->text(), why) << "the page says it";
    }
    imported.clear();
    o.page()->importFrom(dir.filePath(QStringLiteral("missing.json")));
    ASSERT_TRUE(imported.wait(10000));
    EXPECT_FALSE(imported.first().at(0).toBool());
    EXPECT_TRUE(o.console.events()->events().empty());
}

TEST(Timeline, WhilePresentingNoHostShowsOnThePageOrInTheExport)
{
    Live live;
    Cache &cache = live.cache;
    QTemporaryDir &dir = live.dir;
    Window w(&cache);
    ASSERT_TRUE(w.open(*live.sim));
    const QString address = QString::fromStdString(live.sim->address());
    // Someone wrote the host into a note and into a change's reason.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    w.events()->addNote(QStringLiteral("%1 refuses connections").arg(address), now - 2000);
    auto change = w.console.routing()->modelChange(QStringLiteral("atlas-mini"), false);
    ASSERT_TRUE(change.has_value());
    change->reason = QStringLiteral("failing over from %1").arg(address);
    w.console.routing()->submit(*change);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.count(EventKind::LocalChange) == 1; }, 10000));

    w.window.showPage(pageIndex(QStringLiteral("timeline")));
    TimelinePage *page = w.timeline();
    const QStringList hosts{address, QStringLiteral("127.0.0.1"), change->requestId};
    auto pageTexts = [&] {
        QStringList texts;
        for (int r = 0; r < page->model()->rowCount(); ++r) {
            for (int c = 0; c < TimelineModel::NB_COLUMNS; ++c) {
                texts << page->model()->index(r, c).data().toString()
                      << page->model()->index(r, c).data(Qt::ToolTipRole).toString();
            }
            page->table()->setCurrentIndex(page->model()->index(r, 0));
            texts << page->details()->toPlainText();
        }
        return texts.join(QLatin1Char('\n'));
    };
    const QString plain = pageTexts();
    EXPECT_TRUE(plain.contains(address)) << "not presenting, the note says what it says";

    w.window.presentAction()->trigger();
    ASSERT_TRUE(privacy::enabled());
    const QString masked = pageTexts();
    for (const QString &h : hosts)
        EXPECT_FALSE(masked.contains(h)) << h.toStdString() << " in " << masked.toStdString();
    EXPECT_TRUE(masked.contains(QStringLiteral("refuses connections")));

    QSignalSpy exported(page, &TimelinePage::exported);
    page->exportTo(dir.path(), QStringLiteral("shown"));
    ASSERT_TRUE(exported.wait(15000));
    ASSERT_TRUE(exported.first().at(0).toBool());
    const QString status = page->status()->text();
    for (const char *file : {"/shown.md", "/shown.json"}) {
        const QString text = QString::fromUtf8(readAll(dir.path() + QLatin1String(file)));
        ASSERT_FALSE(text.isEmpty()) << file;
        for (const QString &h : hosts)
            EXPECT_FALSE(text.contains(h)) << h.toStdString() << " in " << file;
        EXPECT_TRUE(text.contains(QStringLiteral("refuses connections"))) << file;
    }
    w.window.presentAction()->trigger();
    EXPECT_FALSE(privacy::enabled());
}

// Another user's change, seen both in the timeline (its watch stream) and in
// the audit trail: one marker on the chart, titled in words.
TEST(Timeline, AnotherUsersChangeIsOneMarkerTitledInWords)
{
    Session session(nullptr);
    EventLog events(&session);
    LatencyChart chart;
    chart.resize(1000, 700);
    chart.show();
    const qint64 t = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000 - 30'000;
    std::vector<SeriesPoint> points;
    for (qint64 ms = t - 60'000; ms < t + 30'000; ms += 1000) {
        SeriesPoint p;
        p.timeMs = ms;
        p.durationMs = 1000;
        p.count = p.latencyCount = 100;
        p.p50 = 50;
        p.p95 = p.p99 = 100;
        points.push_back(p);
    }
    chart.setSeries(QStringLiteral("1"), QStringLiteral("chat · a"), points);
    TimelineEvent e;
    e.id = QStringLiteral("change:r-1");
    e.timeMs = t;
    e.kind = EventKind::OthersChange;
    e.actor = QStringLiteral("olga");
    e.target = QStringLiteral("route/chat");
    e.summary = QStringLiteral("route.bypass_primary route/chat: primary in use → bypassed");
    e.payload.insert(QStringLiteral("action"), QStringLiteral("route.bypass_primary"));
    events.record(e);
    ChartMarker audit;
    audit.timeMs = t + 400;
    audit.title =
        auditMarkerTitle(QStringLiteral("route.bypass_primary"), QStringLiteral("route/chat"));
    audit.detail = QStringLiteral("by olga");
    audit.target = QStringLiteral("route/chat");
    TimelineOverlay overlay(
        &chart, &events, [&] { return std::vector<ChartMarker>{audit}; }, nullptr);
    chart.setVisibleRangeMs(t - 60'000, t + 30'000);
    chart.replotNow();
    EXPECT_EQ(chart.shownMarkerCount(), 1) << "the same change drawn twice";
    QCPAxis *x = chart.panel(LatencyChart::LatencyPanel)->axis(QCPAxis::atBottom);
    chart.hoverAt(QPoint(int(std::lround(x->coordToPixel(double(t) / 1000))), 100));
    auto *hover = chart.plot()->findChild<QLabel *>(QStringLiteral("chartHover"));
    ASSERT_NE(hover, nullptr);
    EXPECT_TRUE(hover->text().contains(QStringLiteral("Fallbacks forced on chat")))
        << hover->text().toStdString();
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
