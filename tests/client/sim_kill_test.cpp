// The sim as a separate process, SIGKILLed again and again while the console's
// client layer streams from it (LatencyStream, RoutingWatch, PromptsWatch) and
// has unary calls in flight, then started again on the same port. The client
// must stay up, answer every call exactly once (an error for those the kill
// cut off), bring every stream back by itself without a `finished`, and the
// latency series must never deliver a second of a series twice or out of
// order, across all the restarts.

#include "client/connection.h"
#include "client/latency_stream.h"
#include "client/prompts_client.h"
#include "client/prompts_watch.h"
#include "client/routing_client.h"
#include "client/routing_watch.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <set>

using namespace sb;

namespace {

// switchboard-sim as a child process on 127.0.0.1.
class SimProcess
{
public:
    // Port 0 picks a free one; address() says which.
    bool start(int port)
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProgram(QStringLiteral(SB_SIM_EXE));
        m_process->setArguments({QStringLiteral("--listen"),
                                 QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--rate"),
                                 QStringLiteral("3000"), QStringLiteral("--seed"),
                                 QStringLiteral("7")});
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        m_process->start();
        if (!m_process->waitForStarted(5000))
            return false;
        // Generous: a sanitizer build on a loaded machine starts slowly.
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (!out.contains('\n') && t.elapsed() < 30000 &&
               m_process->state() == QProcess::Running) {
            m_process->waitForReadyRead(500);
            out += m_process->readAllStandardOutput();
        }
        const QByteArray marker = "listening on ";
        const qsizetype at = out.indexOf(marker);
        if (at < 0)
            return false;
        m_address = QString::fromUtf8(out.mid(at + marker.size()).trimmed());
        return true;
    }
    void kill()
    {
        m_process->kill(); // SIGKILL: no shutdown, sockets just vanish
        m_process->waitForFinished(5000);
    }
    QString address() const { return m_address; }
    int port() const { return m_address.section(QLatin1Char(':'), -1).toInt(); }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_address;
};

// Every second of every series the stream delivers, checked as it arrives.
struct SeriesLog
{
    std::map<SeriesId, qint64> lastSecond;
    std::set<std::pair<SeriesId, qint64>> seen;
    int duplicates = 0;
    int outOfOrder = 0;
    quint64 seconds = 0;

    void add(const SeriesUpdate &update)
    {
        for (const SeriesSecond &s : update.seconds) {
            ++seconds;
            if (!seen.emplace(s.series, s.secondMs).second)
                ++duplicates;
            auto last = lastSecond.find(s.series);
            if (last != lastSecond.end() && s.secondMs <= last->second)
                ++outOfOrder;
            lastSecond[s.series] = std::max(s.secondMs, lastSecond[s.series]);
        }
    }
};

constexpr int kRounds = 8;
constexpr int kCallsPerRound = 12;

} // namespace

TEST(SimKilled, ConsoleStaysUpRecoversEveryStreamAndNeverRepeatsASecond)
{
    SimProcess sim;
    ASSERT_TRUE(sim.start(0));
    const int port = sim.port();
    ASSERT_GT(port, 0);

    Connection c;
    c.connectTo(sim.address());
    LatencyStream stream(&c);
    RoutingWatch routing(&c);
    PromptsWatch prompts(&c);
    PromptsClient promptsClient(&c);
    RoutingClient routingClient(&c);
    SeriesLog log;
    QObject::connect(&stream, &LatencyStream::seriesPointsReady, &stream,
                     [&](const SeriesUpdate &u) { log.add(u); });
    QSignalSpy streamFinished(&stream, &LatencyStream::finished);
    QSignalSpy routingFinished(&routing, &RoutingWatch::finished);
    QSignalSpy promptsFinished(&prompts, &PromptsWatch::finished);
    QSignalSpy snapshots(&routing, &RoutingWatch::snapshotReceived);
    QSignalSpy promptsStarted(&prompts, &PromptsWatch::started);
    int answered = 0;
    int failedCalls = 0;
    const auto answer = [&] { ++answered; };
    QObject::connect(&promptsClient, &PromptsClient::promptsListed, &c, answer);
    QObject::connect(&routingClient, &RoutingClient::tableReceived, &c, answer);
    QObject::connect(&promptsClient, &PromptsClient::failed, &c, [&] {
        ++answered;
        ++failedCalls;
    });
    QObject::connect(&routingClient, &RoutingClient::failed, &c, [&] {
        ++answered;
        ++failedCalls;
    });
    stream.start();
    routing.start();
    prompts.start();

    int issued = 0;
    for (int round = 0; round < kRounds; ++round) {
        SCOPED_TRACE(round);
        // Everything is up and flowing again: fresh seconds, a snapshot, a watch.
        const quint64 secondsBefore = log.seconds;
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return stream.state() == LatencyStream::State::Streaming &&
                       log.seconds > secondsBefore && snapshots.count() > round &&
                       promptsStarted.count() > round;
            },
            30000))
            << "stream " << int(stream.state()) << ", seconds " << log.seconds << ", snapshots "
            << snapshots.count() << ", prompt watch starts " << promptsStarted.count();

        // Calls in flight, then the kill lands among them, at a random moment
        // of the current second (some of its samples already aggregated).
        QTest::qWait(QRandomGenerator::global()->bounded(0, 900));
        for (int i = 0; i < kCallsPerRound; ++i) {
            if (i % 2)
                promptsClient.listPrompts();
            else
                routingClient.fetchTable();
            ++issued;
        }
        QCoreApplication::processEvents();
        sim.kill();
        ASSERT_TRUE(QTest::qWaitFor(
            [&] { return stream.state() == LatencyStream::State::Reconnecting; }, 10000));
        // Every call answers once, whichever side of the kill it fell on.
        ASSERT_TRUE(QTest::qWaitFor([&] { return answered >= issued; }, 15000))
            << answered << " of " << issued << " calls answered";

        ASSERT_TRUE(sim.start(port)) << "the sim did not come back on port " << port;
    }
    const quint64 secondsBefore = log.seconds;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return stream.state() == LatencyStream::State::Streaming &&
                   log.seconds > secondsBefore && snapshots.count() > kRounds &&
                   promptsStarted.count() > kRounds;
        },
        30000));
    QTest::qWait(200);
    EXPECT_EQ(answered, issued); // exactly once: no call answered twice
    EXPECT_EQ(log.duplicates, 0);
    EXPECT_EQ(log.outOfOrder, 0);
    EXPECT_EQ(stream.stats().duplicates, 0u);
    EXPECT_GE(stream.stats().reconnects, quint64(kRounds));
    EXPECT_EQ(streamFinished.count(), 0);
    EXPECT_EQ(routingFinished.count(), 0);
    EXPECT_EQ(promptsFinished.count(), 0);
    std::printf("%d kills: %llu series seconds, %d of %d calls cut off, %llu reconnects\n", kRounds,
                (unsigned long long)log.seconds, failedCalls, issued,
                (unsigned long long)stream.stats().reconnects);
    stream.stop();
    routing.stop();
    prompts.stop();
    sim.kill();
}

// After an outage long enough for the connection's backoff to grow, the
// latency stream may come back first (its own retry, or a restart): the
// connection must then check at once instead of saying "retrying in N s"
// for seconds over live data.
TEST(SimKilled, AStreamThatIsBackBringsTheConnectionBackWithoutWaitingOutItsBackoff)
{
    SimProcess sim;
    ASSERT_TRUE(sim.start(0));
    const int port = sim.port();
    Connection c;
    c.connectTo(sim.address());
    LatencyStream stream(&c);
    stream.start();
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return c.isReady() && stream.state() == LatencyStream::State::Streaming; }, 30000));

    sim.kill();
    // Failed attempts until the next one is more than 5 s away (~9 s down).
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.retryInMs() > 5000; }, 30000))
        << "the connection's next attempt is " << c.retryInMs() << " ms away";
    ASSERT_TRUE(sim.start(port));
    const qint64 backoffLeft = c.retryInMs();
    ASSERT_GT(backoffLeft, 2000) << "the sim took too long to restart for this test to tell";
    QElapsedTimer sinceBack;
    sinceBack.start();
    stream.start(); // the stream is back first, as when its retry falls earlier
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 15000));
    EXPECT_EQ(stream.state(), LatencyStream::State::Streaming);
    EXPECT_LT(sinceBack.elapsed(), backoffLeft - 500)
        << "the connection waited out its backoff (" << backoffLeft << " ms) over live data";
    stream.stop();
    sim.kill();
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
