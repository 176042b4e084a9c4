// End to end, as a user runs it: switchboard-sim as its own process on a
// free port, the switchboard console as another process connecting to it
// (offscreen), and the screenshot it saves must show a latency chart with
// its p99 line drawn.

#include "ui/latency/latency_chart.h"

#include <QCoreApplication>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <gtest/gtest.h>

namespace {

int countColor(const QImage &img, QColor want)
{
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (std::abs(c.red() - want.red()) < 30 && std::abs(c.green() - want.green()) < 30 &&
                std::abs(c.blue() - want.blue()) < 30)
                ++n;
        }
    }
    return n;
}

} // namespace

TEST(EndToEnd, ConsoleProcessDrawsLiveLatencyFromSimProcess)
{
    QTemporaryDir dir;
    QProcess sim;
    sim.setProgram(QStringLiteral(SB_SIM_EXE));
    sim.setArguments({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--rate"), QStringLiteral("3000")});
    sim.start();
    ASSERT_TRUE(sim.waitForStarted(10000));
    QString address;
    QByteArray out;
    const QRegularExpression re(QStringLiteral("listening on (\\S+)"));
    for (int i = 0; i < 100 && address.isEmpty(); ++i) {
        sim.waitForReadyRead(200);
        out += sim.readAllStandardOutput();
        const auto m = re.match(QString::fromUtf8(out));
        if (m.hasMatch())
            address = m.captured(1);
    }
    ASSERT_FALSE(address.isEmpty()) << out.constData();

    const QString png = dir.filePath(QStringLiteral("console.png"));
    QProcess console;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // The consoles' settings (profiles, the window's remembered page) stay in
    // the test's folder, not the user's.
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    console.setProcessEnvironment(env);
    console.setProgram(QStringLiteral(SB_CONSOLE_EXE));
    console.setArguments({QStringLiteral("--connect"), address, QStringLiteral("--cache"),
                          dir.filePath(QStringLiteral("cache.sqlite")),
                          QStringLiteral("--screenshot"), png, QStringLiteral("--screenshot-delay"),
                          QStringLiteral("5"), QStringLiteral("--quit-after-screenshot")});
    console.start();
    ASSERT_TRUE(console.waitForFinished(60000)) << "console did not quit";
    const QString consoleOut = QString::fromUtf8(console.readAllStandardOutput());
    EXPECT_EQ(console.exitCode(), 0)
        << consoleOut.toStdString() << console.readAllStandardError().constData();
    sim.terminate();
    sim.waitForFinished(10000);

    // The service is gone: start again against a dead address with the same
    // cache. The Prompts page must still list what was cached, under the
    // yellow "stale" banner.
    const QString offlinePng = dir.filePath(QStringLiteral("offline.png"));
    QProcess offline;
    offline.setProcessEnvironment(env);
    offline.setProgram(QStringLiteral(SB_CONSOLE_EXE));
    offline.setArguments({QStringLiteral("--connect"), QStringLiteral("127.0.0.1:1"),
                          QStringLiteral("--cache"), dir.filePath(QStringLiteral("cache.sqlite")),
                          QStringLiteral("--page"), QStringLiteral("prompts"),
                          QStringLiteral("--screenshot"), offlinePng,
                          QStringLiteral("--screenshot-delay"), QStringLiteral("3"),
                          QStringLiteral("--quit-after-screenshot")});
    offline.start();
    ASSERT_TRUE(offline.waitForFinished(60000));
    EXPECT_EQ(offline.exitCode(), 0) << offline.readAllStandardError().constData();
    const QImage offlineImg(offlinePng);
    ASSERT_FALSE(offlineImg.isNull());
    EXPECT_GT(countColor(offlineImg, QColor(0xff, 0xf4, 0xce)), 5000) << "no stale banner";

    const QImage img(png);
    ASSERT_FALSE(img.isNull()) << "no screenshot at " << png.toStdString();
    EXPECT_GE(img.width(), 800);
    // chat's p99 line, in chat's stable series colour, must be on screen.
    EXPECT_GT(countColor(img, sb::LatencyChart::colorFor(QStringLiteral("chat"))), 40);
    const QRegularExpression pts(QStringLiteral("latency points on chart: (\\d+)"));
    const auto m = pts.match(consoleOut);
    ASSERT_TRUE(m.hasMatch()) << consoleOut.toStdString();
    EXPECT_GE(m.captured(1).toInt(), 2);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
