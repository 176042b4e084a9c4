// Offline replay end to end, offscreen: a session against the real sim is
// recorded (--record's Recorder in the channel), the sim is shut down, and
// the recording is replayed twice at 10× by the replay server over real
// gRPC, each time into a fresh window and cache. At the recording's end both
// replays show the very same latency page, pixel for pixel (and not the page
// they showed on the way there), the window says REPLAY, and the routing
// table came through the replayed watch as it does live. Writes are refused.

#include "client/call_tracker.h"
#include "client/grpc_runtime.h"
#include "core/clock.h"
#include "replay/recorder.h"
#include "replay/recording_file.h"
#include "replay/replay_server.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/console.h"
#include "ui/latency/latency_chart.h"
#include "ui/latency/latency_page.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_model.h"
#include "ui/session.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDialog>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

namespace {

void shot(const QImage &image, const char *name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (!dir.isEmpty())
        image.save(dir + QLatin1Char('/') + QLatin1String(name));
}

QByteArray hashOf(const QImage &image)
{
    const QImage i = image.convertToFormat(QImage::Format_ARGB32);
    return QCryptographicHash::hash(
               QByteArray::fromRawData(reinterpret_cast<const char *>(i.constBits()),
                                       qsizetype(i.sizeInBytes())),
               QCryptographicHash::Sha256)
        .toHex();
}

// Records `seconds` of a window's session against a fresh sim into path.
void record(const QString &path, int seconds)
{
    sim::SimOptions o;
    o.rate = 400;
    sim::SimServer sim(o);
    std::string err;
    ASSERT_TRUE(sim.start(&err)) << err;
    replay::Recorder recorder;
    QString why;
    ASSERT_TRUE(recorder.start(path, &why)) << why.toStdString();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("live.sqlite")));
    {
        Console console(&cache);
        MainWindow window(&console);
        window.resize(1280, 800);
        window.show();
        console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"));
        ASSERT_TRUE(QTest::qWaitFor([&] { return window.latencyPage()->chart()->pointCount() > 0; },
                                    15000));
        QTest::qWait(seconds * 1000);
        recorder.stop();
        console.shutdown();
        CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    }
    sim.shutdown();
}

struct ReplayShot
{
    QByteArray finalHash;
    QByteArray earlyHash;
    int points = 0;
    std::size_t routes = 0;
    QString mark;
    QString title;
    QString writeRefusal;
};

ReplayShot replayOnce(const QString &path, const char *shotName)
{
    ReplayShot out;
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::ReadOnly));
    auto decoded = replay::decodeRecording(f.readAll().toStdString());
    EXPECT_TRUE(decoded.recording.has_value()) << decoded.error;
    if (!decoded.recording)
        return out;
    const qint64 start = decoded.recording->startedMs;
    clock::startReplay(start, start + decoded.recording->lengthUs() / 1000 + 1, 10);
    replay::ReplayServer server(std::move(*decoded.recording));
    std::string err;
    EXPECT_TRUE(server.start(&err)) << err;
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("replay.sqlite")));
    {
        Console console(&cache);
        MainWindow window(&console);
        window.resize(1280, 800);
        window.show();
        window.showPage(pageIndex(QStringLiteral("latency")));
        console.session()->connectTo(QString::fromStdString(server.address()),
                                     QStringLiteral("replay"));
        LatencyPage *page = window.latencyPage();
        EXPECT_TRUE(QTest::qWaitFor([&] { return page->chart()->pointCount() > 0; }, 15000));
        out.earlyHash = hashOf(page->grab().toImage());
        // The end of the recording, every message sent and drawn.
        EXPECT_TRUE(QTest::qWaitFor([] { return clock::replayAtEnd(); }, 30000));
        quint64 sent = 0;
        for (int quiet = 0; quiet < 4;) {
            QTest::qWait(250);
            quiet = server.sent() == sent ? quiet + 1 : 0;
            sent = server.sent();
        }
        QTest::qWait(1500); // the last drain and replot
        const QImage image = page->grab().toImage();
        out.finalHash = hashOf(image);
        shot(image, shotName);
        if (std::string(shotName) == "replay-latency-1.png") {
            shot(window.grab().toImage(), "replay-window.png");
            // The SLO editor over the replayed routes, for a look.
            for (const auto &e : window.commands()) {
                if (e.id == QLatin1String("window:slos"))
                    e.run();
            }
            if (auto *editor = window.findChild<QDialog *>(QStringLiteral("sloEditor"))) {
                QTest::qWait(100);
                shot(editor->grab().toImage(), "slo-editor-routes.png");
                editor->close();
            }
        }
        out.points = page->chart()->pointCount();
        out.routes = console.routing()->model()->table().routes.size();
        out.mark = window.replayMark()->isVisible() ? window.replayMark()->text() : QString();
        out.title = window.windowTitle();
        // A write goes nowhere.
        bool refused = false;
        QObject::connect(console.session(), &Session::message, [&](const QString &m) {
            if (m.contains(QStringLiteral("read-only"))) {
                refused = true;
                out.writeRefusal = m;
            }
        });
        if (auto change = console.routing()->modelChange(QStringLiteral("atlas-mini"), false)) {
            change->reason = QStringLiteral("replay test");
            console.routing()->submit(*change);
            (void)QTest::qWaitFor([&] { return refused; }, 5000);
        }
        console.shutdown();
        CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    }
    server.shutdown();
    clock::stopReplay();
    return out;
}

} // namespace

TEST(Replay, TwoReplaysOfOneRecordingShowTheSameLatencyPageWithNoSim)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.sbreplay"));
    record(path, 5);
    if (HasFatalFailure())
        return;

    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const auto decoded = replay::decodeRecording(f.readAll().toStdString());
    ASSERT_TRUE(decoded.recording.has_value()) << decoded.error;
    std::map<std::string, int> methods;
    for (const auto &m : decoded.recording->messages)
        ++methods[m.method];
    EXPECT_GT(methods["/switchboard.v1.TelemetryService/StreamLatency"], 10);
    EXPECT_GE(methods["/switchboard.v1.RoutingService/WatchRouting"], 1);
    EXPECT_GE(decoded.recording->lengthUs(), 5'000'000);

    // The sim is gone: only the recording answers.
    const ReplayShot a = replayOnce(path, "replay-latency-1.png");
    const ReplayShot b = replayOnce(path, "replay-latency-2.png");
    EXPECT_GT(a.points, 0);
    EXPECT_EQ(a.points, b.points);
    EXPECT_GE(a.routes, 3u) << "the routing table came through the replayed watch";
    EXPECT_FALSE(a.finalHash.isEmpty());
    EXPECT_EQ(a.finalHash, b.finalHash) << "two replays, one screen";
    EXPECT_NE(a.earlyHash, a.finalHash) << "the page moved with the replay";
    EXPECT_TRUE(a.mark.startsWith(QStringLiteral("REPLAY 10×"))) << a.mark.toStdString();
    EXPECT_TRUE(a.title.startsWith(QStringLiteral("REPLAY"))) << a.title.toStdString();
    EXPECT_FALSE(a.writeRefusal.isEmpty()) << "a write in a replay is refused";
}

TEST(ReplayFile, RoundTripsAndRefusesDamage)
{
    replay::Recording r;
    r.startedMs = 1'700'000'000'000;
    r.writer = "test";
    r.messages.push_back({10, 1, "/switchboard.v1.RoutingService/WatchRouting", "", "a"});
    r.messages.push_back({20, 2, "/switchboard.v1.TelemetryService/StreamLatency", "q", "b"});
    r.messages.push_back({30, 1, "/switchboard.v1.RoutingService/WatchRouting", "", "c"});
    const std::string bytes = replay::encodeRecording(r);
    auto d = replay::decodeRecording(bytes);
    ASSERT_TRUE(d.recording.has_value()) << d.error;
    EXPECT_EQ(d.recording->messages, r.messages);
    EXPECT_EQ(d.recording->startedMs, r.startedMs);
    EXPECT_FALSE(d.recording->truncated);

    // Cut mid-message: what came before stays.
    d = replay::decodeRecording(bytes.substr(0, bytes.size() - 2));
    ASSERT_TRUE(d.recording.has_value());
    EXPECT_TRUE(d.recording->truncated);
    EXPECT_EQ(d.recording->messages.size(), 2u);

    EXPECT_FALSE(replay::decodeRecording("not a recording").recording.has_value());
    std::string future = bytes;
    future[8 + 4 + 1] = 9; // the header's format_version field
    d = replay::decodeRecording(future);
    EXPECT_FALSE(d.recording.has_value());
    EXPECT_NE(d.error.find("version 9"), std::string::npos) << d.error;
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
