// A window whose service goes away and comes back, against a real sim on a
// fixed port: the connection bar counts down "retrying in N s" with waits
// that follow gRPC's backoff (1 s, x1.6, +-20 %), Retry now tries at once,
// and the window reconnects by itself when the sim returns.
// SWITCHBOARD_SHOTS=DIR saves what it sees.

#include "../support/test_profiles.h"
#include "client/connection.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/connections/console_windows.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/session.h"

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <cmath>
#include <gtest/gtest.h>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> simOn(const std::string &listen)
{
    sim::SimOptions o;
    o.listen = listen;
    o.rate = 100;
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(s->start(&err)) << err;
    return s;
}

QString bar(MainWindow *w)
{
    auto *l = w->findChild<QLabel *>(QStringLiteral("retryLabel"));
    return l && l->isVisibleTo(w) ? l->text() : QString();
}

} // namespace

TEST(Reconnect, TheBarCountsDownGrpcBackoffRetryNowTriesAndTheWindowComesBack)
{
    auto sim = simOn("127.0.0.1:0");
    const int port = sim->port();
    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    ConsoleWindows windows(&cache, {test::profile(QStringLiteral("flaky"), address)},
                           dir.filePath(QStringLiteral("s.ini")));
    MainWindow *w = windows.open(QStringLiteral("flaky"));
    Connection *c = w->console()->session()->connection();
    ASSERT_TRUE(QTest::qWaitFor([&] { return c->isReady(); }, 10000));
    EXPECT_EQ(bar(w), QString()) << "nothing to retry while connected";

    QSignalSpy scheduled(c, &Connection::retryScheduled);
    sim->shutdown();
    sim.reset();
    // Three waits in a row: 1 s, 1.6 s, 2.56 s, each +-20 %.
    ASSERT_TRUE(QTest::qWaitFor([&] { return scheduled.count() >= 1; }, 10000));
    const QString first = bar(w);
    const qint64 firstMs = scheduled.at(0).at(0).toLongLong();
    // A countdown: at most the scheduled wait, rounded up, and at least 1 s.
    const QStringList words = first.split(QLatin1Char(' '));
    ASSERT_EQ(words.size(), 4) << first.toStdString();
    EXPECT_EQ(words[0] + QLatin1Char(' ') + words[1], QStringLiteral("retrying in"));
    EXPECT_GE(words[2].toInt(), 1);
    EXPECT_LE(words[2].toInt(), (firstMs + 999) / 1000) << first.toStdString();
    auto *retry = w->findChild<QToolButton *>(QStringLiteral("retryNowButton"));
    EXPECT_TRUE(retry->isVisibleTo(w));
    if (const QString shots = qEnvironmentVariable("SWITCHBOARD_SHOTS"); !shots.isEmpty()) {
        QDir().mkpath(shots);
        w->grab().save(QDir(shots).filePath(QStringLiteral("connection-bar-retrying.png")));
    }
    ASSERT_TRUE(QTest::qWaitFor([&] { return scheduled.count() >= 3; }, 15000));
    for (int i = 0; i < 3; ++i) {
        const double expected = 1000 * std::pow(1.6, i);
        const qint64 ms = scheduled.at(i).at(0).toLongLong();
        EXPECT_GE(ms, qint64(expected * 0.8) - 1) << "wait " << i;
        EXPECT_LE(ms, qint64(expected * 1.2) + 1) << "wait " << i;
    }

    // Retry now: an attempt at once (it fails: the sim is still away).
    const int attempts = c->failedAttempts();
    QTest::mouseClick(retry, Qt::LeftButton);
    EXPECT_TRUE(QTest::qWaitFor([&] { return c->failedAttempts() > attempts; }, 5000));
    EXPECT_TRUE(
        QTest::qWaitFor([&] { return bar(w).startsWith(QStringLiteral("retrying in")); }, 5000));

    // The sim returns on the same port: the window reconnects by itself.
    sim = simOn(address.toStdString());
    EXPECT_TRUE(QTest::qWaitFor([&] { return c->isReady(); }, 20000))
        << c->lastError().toStdString();
    EXPECT_TRUE(QTest::qWaitFor([&] { return bar(w).isEmpty(); }, 5000)) << bar(w).toStdString();
    EXPECT_FALSE(retry->isVisibleTo(w));
    windows.shutdown();
}
