// Fan-in: several Node processes running the OpenTelemetry JS SDK (pinned in
// tools/package.json) with distinct service.instance.id export cumulative
// exponential histograms over OTLP/gRPC to one receiver; route totals equal
// what they recorded, and an instance restarted (a new start time) adds its
// new requests without counting the old ones twice.

#include "otlp/otlp_receiver.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <gtest/gtest.h>
#include <map>

using namespace sb;
using namespace sb::otlp;

namespace {

struct NodeRun
{
    std::unique_ptr<QProcess> process;
    quint64 sent = 0, errors = 0, tokens = 0;
};

std::unique_ptr<QProcess> startService(const std::string &endpoint, const QString &service,
                                       const QString &instance, const QString &route, int count,
                                       int seed)
{
    auto p = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), QStringLiteral(SB_NODE_MODULES));
    p->setProcessEnvironment(env);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    p->setWorkingDirectory(QStringLiteral(SB_TOOLS_DIR));
    p->start(QStringLiteral("node"),
             {QStringLiteral(SB_FANIN_SCRIPT), QStringLiteral("--endpoint"),
              QString::fromStdString(endpoint), QStringLiteral("--service"), service,
              QStringLiteral("--instance"), instance, QStringLiteral("--route"), route,
              QStringLiteral("--model"), QStringLiteral("atlas"), QStringLiteral("--count"),
              QString::number(count), QStringLiteral("--seed"), QString::number(seed),
              QStringLiteral("--errors"), QStringLiteral("0.05")});
    return p;
}

bool finish(NodeRun &r)
{
    if (!r.process->waitForFinished(60000) || r.process->exitCode() != 0) {
        ADD_FAILURE() << "node: " << r.process->readAllStandardError().toStdString();
        return false;
    }
    const QByteArray out = r.process->readAllStandardOutput().trimmed();
    const QJsonObject o = QJsonDocument::fromJson(out.split('\n').last()).object();
    r.sent = quint64(o.value(QStringLiteral("sent")).toDouble());
    r.errors = quint64(o.value(QStringLiteral("errors")).toDouble());
    r.tokens = quint64(o.value(QStringLiteral("tokens")).toDouble());
    return r.sent > 0;
}

TEST(OtlpFanIn, ThreeNodeSdkProcessesAndARestartAddUpExactly)
{
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        GTEST_FAIL() << "node not installed (scripts/deps installs it)";
    auto sink = std::make_shared<OtlpSink>();
    OtlpReceiver::Options o;
    o.address = "127.0.0.1:0";
    OtlpReceiver receiver(sink, o);
    std::string error;
    ASSERT_TRUE(receiver.start(&error)) << error;

    std::map<std::string, SeriesAggregate> got;
    std::map<SeriesId, std::string> names;
    const auto drain = [&] {
        SeriesUpdate u = sink->take();
        for (const auto &[id, key] : u.newSeries)
            names[id] = key.route.toStdString();
        for (const auto &s : u.seconds)
            got[names[s.series]].merge(s.aggregate);
    };

    // Three instances of one service on one route, one of another service.
    std::vector<NodeRun> runs(4);
    runs[0].process = startService(receiver.address(), QStringLiteral("checkout"),
                                   QStringLiteral("pod-1"), QStringLiteral("chat"), 3000, 1);
    runs[1].process = startService(receiver.address(), QStringLiteral("checkout"),
                                   QStringLiteral("pod-2"), QStringLiteral("chat"), 2000, 2);
    runs[2].process = startService(receiver.address(), QStringLiteral("search"),
                                   QStringLiteral("pod-1"), QStringLiteral("embed"), 1500, 3);
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(finish(runs[std::size_t(i)]));
    // pod-1 restarts: same instance id, a new process and start time.
    runs[3].process = startService(receiver.address(), QStringLiteral("checkout"),
                                   QStringLiteral("pod-1"), QStringLiteral("chat"), 700, 4);
    ASSERT_TRUE(finish(runs[3]));

    const quint64 chat = runs[0].sent + runs[1].sent + runs[3].sent;
    const quint64 chatErrors = runs[0].errors + runs[1].errors + runs[3].errors;
    const quint64 embed = runs[2].sent;
    // The exporters finished, so everything was answered; drain until it adds up.
    (void)QTest::qWaitFor(
        [&] {
            drain();
            return got["checkout/chat"].count >= chat && got["search/embed"].count >= embed;
        },
        30000);
    EXPECT_EQ(got["checkout/chat"].count, chat);
    EXPECT_EQ(got["checkout/chat"].errors, chatErrors);
    EXPECT_EQ(got["checkout/chat"].latency.count(), chat - chatErrors);
    EXPECT_EQ(got["checkout/chat"].tokens, runs[0].tokens + runs[1].tokens + runs[3].tokens);
    EXPECT_EQ(got["search/embed"].count, embed);
    // The JS SDK picks its own scale; seconds are rebinned with the bound said.
    SeriesId chatId = kNoSeries;
    for (const auto &[id, name] : names)
        if (name == "checkout/chat")
            chatId = id;
    const auto info = sink->info(chatId);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->instances.size(), 2);
    EXPECT_GT(info->relativeError, 0.0);
    EXPECT_LT(info->relativeError, 0.1);
    std::printf("[ measured ] JS SDK scale %d, quantile bound %.2f %%; p99 %.1f ms\n",
                info->minScale, info->relativeError * 100,
                got["checkout/chat"].latency.quantile(0.99));
    EXPECT_EQ(sink->stats().rejected, 0u);
    receiver.shutdown();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
