// --record and --replay as a user runs them: the console records a session
// against its in-process sim and quits; then, with no sim anywhere, the
// console replays the file at 10× and its screenshot shows the latency chart
// (chat's line in chat's colour) under the orange REPLAY mark. A file that is
// not a recording is refused with why, before any window opens.

#include "ui/latency/latency_chart.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <gtest/gtest.h>

namespace {

int countNear(const QImage &img, QColor want)
{
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            const QColor c = img.pixelColor(x, y);
            n += std::abs(c.red() - want.red()) < 20 && std::abs(c.green() - want.green()) < 20 &&
                 std::abs(c.blue() - want.blue()) < 20;
        }
    }
    return n;
}

struct ConsoleRun
{
    int exitCode = -1;
    QString out, err;
};

ConsoleRun console(const QTemporaryDir &dir, const QStringList &args)
{
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    p.setProcessEnvironment(env);
    p.setProgram(QStringLiteral(SB_CONSOLE_EXE));
    p.setArguments(args);
    p.start();
    ConsoleRun r;
    if (!p.waitForFinished(90000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

TEST(EndToEnd, RecordedSessionReplaysWithNoServiceMarkedReplay)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("demo.sbreplay"));
    const ConsoleRun rec = console(
        dir, {QStringLiteral("--record"), file, QStringLiteral("--cache"),
              dir.filePath(QStringLiteral("live.sqlite")), QStringLiteral("--screenshot"),
              dir.filePath(QStringLiteral("live.png")), QStringLiteral("--screenshot-delay"),
              QStringLiteral("6"), QStringLiteral("--quit-after-screenshot")});
    ASSERT_EQ(rec.exitCode, 0) << rec.out.toStdString() << rec.err.toStdString();
    EXPECT_TRUE(rec.out.contains(QStringLiteral("recording to"))) << rec.out.toStdString();
    EXPECT_GT(QFile(file).size(), 10000);

    const QString png = dir.filePath(QStringLiteral("replay.png"));
    const ConsoleRun play =
        console(dir, {QStringLiteral("--replay"), file, QStringLiteral("--replay-speed"),
                      QStringLiteral("10"), QStringLiteral("--screenshot"), png,
                      QStringLiteral("--screenshot-delay"), QStringLiteral("3"),
                      QStringLiteral("--quit-after-screenshot")});
    ASSERT_EQ(play.exitCode, 0) << play.out.toStdString() << play.err.toStdString();
    EXPECT_FALSE(play.out.contains(QStringLiteral("in-process sim"))) << "no sim in a replay";
    const QRegularExpression pts(QStringLiteral("latency points on chart: (\\d+)"));
    const auto m = pts.match(play.out);
    ASSERT_TRUE(m.hasMatch()) << play.out.toStdString();
    EXPECT_GE(m.captured(1).toInt(), 2);
    const QImage img(png);
    ASSERT_FALSE(img.isNull());
    EXPECT_GT(countNear(img, QColor(0xe6, 0x51, 0x00)), 300) << "the orange REPLAY mark";
    EXPECT_GT(countNear(img, sb::LatencyChart::colorFor(QStringLiteral("chat"))), 40);

    QFile junk(dir.filePath(QStringLiteral("junk.sbreplay")));
    ASSERT_TRUE(junk.open(QIODevice::WriteOnly));
    junk.write("definitely not a recording");
    junk.close();
    const ConsoleRun bad = console(dir, {QStringLiteral("--replay"), junk.fileName()});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_TRUE(bad.err.contains(QStringLiteral("not a Switchboard recording")))
        << bad.err.toStdString();
}
