// Presenter mode end to end, offscreen, against the real sim over real gRPC:
// with a change made (so a request id exists, and a reason that names the
// host and the request id), every page visited and every widget walked —
// labels, buttons, line edits, tool tips, window titles, every item view's
// rows and the status bar — none shows the endpoint, the host, the token or
// anything like a request id; the type is at least 1.5× as large, the
// PRESENTING banner shows, and leaving the mode brings the endpoint back.
// While presenting, the same secrets are not in what leaves the screen
// either: the clipboard (whatever is copied), the logs (qWarning, qInfo) and
// the exports (the audit CSV, the latency CSV, the incident's Markdown).

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/audit/audit_controller.h"
#include "ui/audit/audit_model.h"
#include "ui/audit/audit_page.h"
#include "ui/common/presenter.h"
#include "ui/common/privacy.h"
#include "ui/console.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"
#include "ui/timeline/incident_export.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

namespace {

const char *kToken = "alice-presenter-token-7f3a";

std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens[kToken] = {sim::Role::Operator, "alice"};
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

// Every text a user could see in the application's shown widgets now, each
// with where it was found.
QStringList visibleTexts(MainWindow &window)
{
    QStringList out;
    auto add = [&](const QString &where, const QString &text) {
        if (!text.isEmpty())
            out << where + QStringLiteral(": ") + text;
    };
    for (QWidget *w : QApplication::allWidgets()) {
        // What is on screen: hidden widgets are set again before they show.
        if (!w->isVisible())
            continue;
        const QString name =
            QString::fromLatin1(w->metaObject()->className()) + QLatin1Char('#') + w->objectName();
        add(name + QStringLiteral(" tooltip"), w->toolTip());
        add(name + QStringLiteral(" title"), w->windowTitle());
        if (auto *l = qobject_cast<QLabel *>(w))
            add(name, l->text());
        if (auto *b = qobject_cast<QAbstractButton *>(w))
            add(name, b->text());
        if (auto *e = qobject_cast<QLineEdit *>(w))
            add(name, e->text());
        if (auto *v = qobject_cast<QAbstractItemView *>(w)) {
            QAbstractItemModel *m = v->model();
            if (!m)
                continue;
            std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
                for (int r = 0; r < m->rowCount(parent); ++r) {
                    for (int c = 0; c < m->columnCount(parent); ++c) {
                        const QModelIndex i = m->index(r, c, parent);
                        add(name + QStringLiteral(" row"), i.data(Qt::DisplayRole).toString());
                        add(name + QStringLiteral(" row tooltip"),
                            i.data(Qt::ToolTipRole).toString());
                        if (c == 0)
                            walk(i);
                    }
                }
            };
            walk({});
        }
    }
    for (QAction *a : window.findChildren<QAction *>()) {
        add(QStringLiteral("action tooltip"), a->toolTip());
        add(QStringLiteral("action"), a->text());
    }
    add(QStringLiteral("status bar"), window.statusBar()->currentMessage());
    return out;
}

// What the application logs, as its message handler chain hands it on.
QMutex g_logMutex;
QStringList g_logged;
void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_logged << message;
}

QString fileText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QStringList hitsOf(const QStringList &texts, const QStringList &secrets)
{
    static const QRegularExpression uuid(
        QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList hits;
    for (const QString &t : texts) {
        bool hit = t.contains(uuid);
        for (const QString &s : secrets)
            hit = hit || t.contains(s, Qt::CaseInsensitive);
        if (hit)
            hits << t;
    }
    return hits;
}

} // namespace

TEST(Presenter, NoHostTokenOrRequestIdOnAnyPageAndTheTypeIsLarge)
{
    // Before presenter mode puts its own handler in front of this one.
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Console console(&cache);
    MainWindow window(&console);
    window.resize(1600, 1000);
    window.show();
    const QString address = QString::fromStdString(sim->address());
    console.session()->connectTo(address, QStringLiteral("sim"), QString::fromLatin1(kToken),
                                 Environment::Dev);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return console.routing()->writeBlockedReason().isEmpty() &&
                   console.routing()->model()->table().models.size() >= 4;
        },
        15000));
    auto *endpoint = window.findChild<QLabel *>(QStringLiteral("endpointLabel"));
    ASSERT_NE(endpoint, nullptr);
    EXPECT_TRUE(endpoint->text().contains(address)) << "not presenting: the endpoint shows";
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return window.statusBar()->currentMessage().contains(address); }, 15000))
        << window.statusBar()->currentMessage().toStdString();

    // A change, so a request id exists; its reason names the host and the id.
    auto change = console.routing()->modelChange(QStringLiteral("atlas-mini"), false);
    ASSERT_TRUE(change.has_value());
    const QString requestId = change->requestId;
    ASSERT_FALSE(requestId.isEmpty());
    change->reason = QStringLiteral("incident %1 on %2, see Bearer %3")
                         .arg(requestId, address, QString::fromLatin1(kToken));
    console.routing()->submit(*change);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            for (const auto &row : console.audit()->model()->rows()) {
                if (row.local && row.reason == change->reason)
                    return true;
            }
            return false;
        },
        15000));

    const QStringList secrets{address, QStringLiteral("127.0.0.1"), QString::fromLatin1(kToken),
                              requestId};
    window.showPage(pageIndex(QStringLiteral("audit")));
    // Not presenting, the walk finds them (the bar, the status bar, the reason).
    EXPECT_GE(hitsOf(visibleTexts(window), secrets).size(), 3);

    const double before = QApplication::font().pointSizeF();
    const int navBefore = window.findChild<QWidget *>(QStringLiteral("pageList"))->width();
    window.presentAction()->trigger();
    EXPECT_TRUE(presenter::isOn());
    EXPECT_GE(QApplication::font().pointSizeF(), before * 1.5);
    EXPECT_GT(window.findChild<QWidget *>(QStringLiteral("pageList"))->width(), navBefore)
        << "the sidebar grows with the type";
    EXPECT_TRUE(window.presentingBanner()->isVisible());
    EXPECT_EQ(window.presentingBanner()->text(), QStringLiteral("PRESENTING"));
    EXPECT_EQ(endpoint->text().left(3), QStringLiteral("sim"));
    emit console.session()->message(QStringLiteral("Connected to ") + address);
    EXPECT_EQ(window.statusBar()->currentMessage(), QStringLiteral("Connected to sim"))
        << window.statusBar()->currentMessage().toStdString();

    const auto &registry = pageRegistry();
    for (std::size_t i = 0; i < registry.size(); ++i) {
        window.showPage(int(i));
        QTest::qWait(50); // let the page lay out and paint
        const QStringList hits = hitsOf(visibleTexts(window), secrets);
        EXPECT_TRUE(hits.isEmpty()) << registry[i].name.toStdString() << ": "
                                    << hits.join(QStringLiteral("\n  ")).toStdString();
        if (registry[i].name == QLatin1String("audit"))
            shot(&window, "presenter-audit.png");
    }
    // What leaves the screen: the clipboard, the logs, the exports.
    const QString secretText =
        change->reason + QStringLiteral(" token=") + QString::fromLatin1(kToken);
    QApplication::clipboard()->setText(secretText);
    QTest::qWait(20);
    EXPECT_TRUE(hitsOf({QApplication::clipboard()->text()}, secrets).isEmpty())
        << QApplication::clipboard()->text().toStdString();
    EXPECT_FALSE(QApplication::clipboard()->text().isEmpty());
    qWarning("lost %s, retrying", qPrintable(secretText));
    qInfo() << "connected to" << address << "as" << kToken;
    {
        QMutexLocker lock(&g_logMutex);
        ASSERT_GE(g_logged.size(), 2);
        EXPECT_TRUE(hitsOf(g_logged, secrets).isEmpty())
            << hitsOf(g_logged, secrets).join(QStringLiteral("\n  ")).toStdString();
    }
    QTemporaryDir out;
    auto *audit = window.page<AuditPage>();
    ASSERT_NE(audit, nullptr);
    const QString csv = out.filePath(QStringLiteral("audit.csv"));
    ASSERT_TRUE(audit->exportCsv(csv));
    const QString csvText = fileText(csv);
    EXPECT_TRUE(csvText.contains(QStringLiteral("incident"))) << "the change's row is there";
    EXPECT_TRUE(hitsOf(csvText.split(QLatin1Char('\n')), secrets).isEmpty())
        << hitsOf(csvText.split(QLatin1Char('\n')), secrets)
               .join(QStringLiteral("\n"))
               .toStdString();
    IncidentExport incident(console.session(), console.events(), {QStringLiteral("chat")}, nullptr);
    bool exported = false;
    QObject::connect(&incident, &IncidentExport::finished, [&](bool ok, const QString &error) {
        EXPECT_TRUE(ok) << error.toStdString();
        exported = true;
    });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    incident.start(out.path(), QStringLiteral("incident"), now - 600000, now + 1000);
    ASSERT_TRUE(QTest::qWaitFor([&] { return exported; }, 15000));
    const QString md = fileText(incident.markdownPath());
    EXPECT_FALSE(md.isEmpty());
    EXPECT_TRUE(hitsOf(md.split(QLatin1Char('\n')), secrets).isEmpty())
        << hitsOf(md.split(QLatin1Char('\n')), secrets).join(QStringLiteral("\n")).toStdString();

    window.showPage(pageIndex(QStringLiteral("latency")));
    // The chart, in large type, once it has points (for the screenshot).
    EXPECT_TRUE(
        QTest::qWaitFor([&] { return window.latencyPage()->chart()->pointCount() > 0; }, 15000));
    shot(&window, "presenter-latency.png");
    const QString latencyCsv = out.filePath(QStringLiteral("latency.csv"));
    window.latencyPage()->exportTo(latencyCsv);
    ASSERT_TRUE(QTest::qWaitFor([&] { return QFile::exists(latencyCsv); }, 10000));
    EXPECT_TRUE(hitsOf(fileText(latencyCsv).split(QLatin1Char('\n')), secrets).isEmpty());
    window.showPage(pageIndex(QStringLiteral("routing")));
    QTest::qWait(300);
    shot(&window, "presenter-routing.png");

    // The palette offers the toggle, under its shortcut.
    bool listed = false;
    for (const auto &e : window.commands())
        listed = listed || (e.id == QLatin1String("window:presenter") &&
                            e.title == QLatin1String("Stop presenting") && !e.shortcut.isEmpty());
    EXPECT_TRUE(listed);

    // Leaving it: the type, the endpoint and the banner are as before.
    QTest::keyClick(&window, Qt::Key_F5, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_FALSE(presenter::isOn());
    EXPECT_DOUBLE_EQ(QApplication::font().pointSizeF(), before);
    EXPECT_FALSE(window.presentingBanner()->isVisible());
    EXPECT_TRUE(endpoint->text().contains(address)) << endpoint->text().toStdString();
    EXPECT_TRUE(window.windowTitle().contains(QStringLiteral("sim")));
    // Not presenting, logs are whole again.
    qWarning("plain %s", qPrintable(address));
    {
        QMutexLocker lock(&g_logMutex);
        EXPECT_TRUE(g_logged.last().contains(address)) << g_logged.last().toStdString();
    }
    qInstallMessageHandler(previous);
}

TEST(Privacy, MasksAddressesEndpointsTokensAndRequestIdsButNotClockTimes)
{
    privacy::addEndpoint(QStringLiteral("dns:///payments-gw.internal:8443"));
    const auto m = [](const char *s) { return privacy::maskAlways(QString::fromUtf8(s)); };
    EXPECT_EQ(m("Connected to 10.1.2.3:50051"), QStringLiteral("Connected to •••"));
    EXPECT_EQ(m("Lost [::1]:50051: gone"), QStringLiteral("Lost •••: gone"));
    EXPECT_EQ(m("peer fe80::1ff:fe23:4567:890a"), QStringLiteral("peer •••"));
    EXPECT_EQ(m("at api.example.com:443 now"), QStringLiteral("at ••• now"));
    EXPECT_EQ(m("payments-gw.internal is down"), QStringLiteral("••• is down"));
    EXPECT_EQ(m("authorization: Bearer abc.def-123"), QStringLiteral("authorization: Bearer •••"));
    EXPECT_EQ(m("request 0f8fad5b-d9cb-469f-a165-70867728950e"), QStringLiteral("request •••"));
    EXPECT_EQ(m("at 16:20:33, round trip 3.2 ms, sb::x"),
              QStringLiteral("at 16:20:33, round trip 3.2 ms, sb::x"));
    privacy::setEnabled(false);
    EXPECT_EQ(privacy::masked(QStringLiteral("10.1.2.3:50051")), QStringLiteral("10.1.2.3:50051"));
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
