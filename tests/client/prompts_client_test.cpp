// PromptsClient and PromptsWatch against the real sim over loopback gRPC:
// label history from the audit log, creating a version (field-named
// validation errors, a viewer refused, a stale etag with the prompt as it is
// now), and watch events from another client arriving with the actor.

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/prompts_client.h"
#include "client/prompts_watch.h"
#include "core/label_history.h"
#include "sim/sim_server.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <memory>

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens["viewer-token"] = {sim::Role::Viewer, "vera"};
    o.tokens["operator-token"] = {sim::Role::Operator, "otto"};
    o.tokens["admin-token"] = {sim::Role::Admin, "ada"};
    auto s = std::make_unique<sim::SimServer>(o);
    std::string err;
    if (!s->start(&err))
        ADD_FAILURE() << "sim did not start: " << err;
    return s;
}

struct Client
{
    Client(const sim::SimServer &sim, const char *token) : client(&connection)
    {
        connection.connectTo(QString::fromStdString(sim.address()), QString::fromLatin1(token));
        EXPECT_TRUE(QTest::qWaitFor([&] { return connection.isReady(); }, 10000));
    }
    Prompt prompt(const QString &name)
    {
        QSignalSpy listed(&client, &PromptsClient::promptsListed);
        client.listPrompts();
        EXPECT_TRUE(listed.wait(10000));
        for (const auto &p : listed.at(0).at(0).value<std::vector<Prompt>>()) {
            if (p.name == name)
                return p;
        }
        return {};
    }
    Connection connection;
    PromptsClient client;
};

NewVersion draftOf(const Prompt &p)
{
    NewVersion n;
    n.version.promptName = p.name;
    n.version.parentVersion = p.latestVersion;
    n.version.templateText = QStringLiteral("Summarize {{ticket}} in {{words}} words.");
    n.version.model = QStringLiteral("orion-70b");
    n.version.params.temperature = 0.2;
    n.version.variables = {{QStringLiteral("ticket"), {}, true, {}},
                           {QStringLiteral("words"), {}, false, QStringLiteral("60")}};
    n.version.message = QStringLiteral("Configurable length");
    n.expectedEtag = p.etag;
    n.requestId = Change::newRequestId();
    return n;
}

} // namespace

TEST(PromptsClientLabels, LabelHistoryComesFromTheAuditLogOfThePrompt)
{
    auto sim = startSim();
    Client c(*sim, "viewer-token");
    QSignalSpy listed(&c.client, &PromptsClient::labelHistoryListed);
    c.client.listLabelHistory(QStringLiteral("meeting-notes"));
    ASSERT_TRUE(listed.wait(10000));
    EXPECT_EQ(listed.at(0).at(0).toString(), QStringLiteral("meeting-notes"));
    const auto events = listed.at(0).at(1).value<std::vector<AuditEvent>>();
    const auto moves = labelMovesOf(QStringLiteral("meeting-notes"), events);
    ASSERT_FALSE(moves.empty());
    EXPECT_EQ(moves.size(), events.size()) << "every event of a prompt is a readable label move";
    EXPECT_EQ(previousVersionOf(moves, QStringLiteral("production"), 4), 3u);
}

TEST(PromptsClientVersions, CreateAnswersWithTheRequestIdAndValidationNamesTheField)
{
    auto sim = startSim();
    Client c(*sim, "operator-token");
    const Prompt p = c.prompt(QStringLiteral("ticket-summary"));
    ASSERT_FALSE(p.etag.isEmpty());

    NewVersion bad = draftOf(p);
    bad.version.templateText = QStringLiteral("Summarize {{ticket}} for {{team}}");
    QSignalSpy failed(&c.client, &PromptsClient::versionCreateFailed);
    c.client.createVersion(bad);
    ASSERT_TRUE(failed.wait(10000));
    EXPECT_EQ(failed.at(0).at(0).toString(), bad.requestId);
    const auto err = failed.at(0).at(1).value<RpcError>();
    EXPECT_EQ(err.code, RpcCode::InvalidArgument);
    EXPECT_TRUE(err.message.startsWith(QStringLiteral("variables:"))) << err.message.toStdString();
    EXPECT_TRUE(err.message.contains(QStringLiteral("team")));

    const NewVersion good = draftOf(p);
    QSignalSpy created(&c.client, &PromptsClient::versionCreated);
    c.client.createVersion(good);
    ASSERT_TRUE(created.wait(10000));
    EXPECT_EQ(created.at(0).at(0).toString(), good.requestId);
    const auto v = created.at(0).at(1).value<PromptVersion>();
    EXPECT_EQ(v.version, p.latestVersion + 1);
    EXPECT_EQ(v.parentVersion, p.latestVersion);
    EXPECT_EQ(v.author, QStringLiteral("otto"));
    EXPECT_EQ(v.variables.size(), 2u);
    EXPECT_NE(created.at(0).at(2).value<Prompt>().etag, p.etag);

    // The same request again (a retry) is the same version, not another one.
    c.client.createVersion(good);
    ASSERT_TRUE(created.wait(10000));
    EXPECT_EQ(created.at(1).at(1).value<PromptVersion>().version, v.version);

    // The etag read before the first create is stale now: the conflict
    // carries the prompt as it is, with who changed it.
    NewVersion stale = draftOf(p);
    c.client.createVersion(stale);
    ASSERT_TRUE(failed.wait(10000));
    const auto conflict = failed.at(1).at(1).value<RpcError>();
    EXPECT_EQ(conflict.code, RpcCode::FailedPrecondition);
    ASSERT_TRUE(conflict.conflict.has_value());
    const auto *now = std::get_if<Prompt>(&conflict.conflict->current);
    ASSERT_NE(now, nullptr);
    EXPECT_EQ(now->latestVersion, v.version);
    EXPECT_EQ(conflict.conflict->updatedBy, QStringLiteral("otto"));
}

TEST(PromptsClientVersions, AViewerIsRefusedWithPermissionDenied)
{
    auto sim = startSim();
    Client c(*sim, "viewer-token");
    const Prompt p = c.prompt(QStringLiteral("ticket-summary"));
    QSignalSpy failed(&c.client, &PromptsClient::versionCreateFailed);
    c.client.createVersion(draftOf(p));
    ASSERT_TRUE(failed.wait(10000));
    EXPECT_EQ(failed.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
}

TEST(PromptsWatch, AnotherClientsVersionAndLabelMoveArriveWithTheActor)
{
    auto sim = startSim();
    Connection viewer;
    viewer.connectTo(QString::fromStdString(sim->address()), QStringLiteral("viewer-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return viewer.isReady(); }, 10000));
    PromptsWatch watch(&viewer);
    QSignalSpy started(&watch, &PromptsWatch::started);
    QSignalSpy events(&watch, &PromptsWatch::eventReceived);
    QSignalSpy finished(&watch, &PromptsWatch::finished);
    watch.start();
    ASSERT_TRUE(started.wait(10000));
    EXPECT_TRUE(watch.isWatching());

    Client admin(*sim, "admin-token");
    Prompt p = admin.prompt(QStringLiteral("product-qa"));
    QSignalSpy created(&admin.client, &PromptsClient::versionCreated);
    admin.client.createVersion(draftOf(p));
    ASSERT_TRUE(created.wait(10000));
    p = created.at(0).at(2).value<Prompt>();
    ASSERT_TRUE(QTest::qWaitFor([&] { return events.count() >= 1; }, 5000));
    auto e = events.at(0).at(0).value<PromptEvent>();
    EXPECT_EQ(e.kind, PromptEvent::Kind::VersionCreated);
    EXPECT_EQ(e.actor, QStringLiteral("ada"));
    EXPECT_EQ(e.version.version, p.latestVersion);
    EXPECT_GT(e.timeMs, 0);

    QSignalSpy moved(&admin.client, &PromptsClient::changeApplied);
    admin.client.moveLabel(Change{.kind = ChangeKind::LabelMove,
                                  .object = p.name,
                                  .item = QStringLiteral("production"),
                                  .version = p.latestVersion,
                                  .reason = QStringLiteral("ship it"),
                                  .expectedEtag = p.etag,
                                  .requestId = Change::newRequestId()});
    ASSERT_TRUE(moved.wait(10000));
    ASSERT_TRUE(QTest::qWaitFor([&] { return events.count() >= 2; }, 5000));
    e = events.at(1).at(0).value<PromptEvent>();
    EXPECT_EQ(e.kind, PromptEvent::Kind::LabelMoved);
    EXPECT_EQ(e.label, QStringLiteral("production"));
    EXPECT_EQ(e.previousVersion, 2u);
    EXPECT_EQ(e.actor, QStringLiteral("ada"));

    watch.stop();
    ASSERT_EQ(finished.count(), 1);
    EXPECT_EQ(finished.at(0).at(0).value<RpcError>().code, RpcCode::Cancelled);
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime; // outlives every gRPC object, shuts down blocking
    QCoreApplication app(argc, argv);
    qRegisterMetaType<std::vector<sb::Prompt>>();
    qRegisterMetaType<std::vector<sb::PromptVersion>>();
    qRegisterMetaType<std::vector<sb::AuditEvent>>();
    qRegisterMetaType<sb::PromptVersion>();
    qRegisterMetaType<sb::Prompt>();
    qRegisterMetaType<sb::PromptEvent>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::Change>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
