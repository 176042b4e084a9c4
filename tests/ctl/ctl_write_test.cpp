// switchboard-ctl's writes against the real sim over real gRPC: each lands
// in the service and in the audit with its reason and actor, the production
// guard refuses without a terminal unless --yes, a stale etag is a conflict
// that names who changed what (exit 5), every exit code is what `help
// exit-codes` says, and --watch sees another client's change and ends with
// 130 on Ctrl-C.

#include "ctl_test_support.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <csignal>
#include <gtest/gtest.h>

using namespace sb;
using namespace sb::test;

namespace {
QJsonObject model(const CtlFixture &f, const QString &name)
{
    return findByName(f.run({"models", "--context", "dev"}).json(), "models", name);
}
QJsonObject route(const CtlFixture &f, const QString &name)
{
    return findByName(f.run({"routes", "--context", "dev"}).json(), "routes", name);
}
int labelVersion(const CtlFixture &f, const QString &prompt, const QString &label)
{
    const QJsonObject p =
        findByName(f.run({"prompts", "--context", "dev"}).json(), "prompts", prompt);
    return findByName(p, "labels", label)["version"].toInt();
}
QString experimentState(const CtlFixture &f, const QString &id)
{
    return findByName(f.run({"experiments", "--context", "dev"}).json(), "experiments", id,
                      "id")["state"]
        .toString();
}
} // namespace

TEST(CtlWrite, AModelChangeLandsInTheServiceAndTheAuditWithItsReason)
{
    CtlFixture f;
    CtlRun r = f.run({"disable-model", "orion-8b", "--reason", "flaky upstream", "--for", "30m",
                      "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QJsonObject o = r.json();
    EXPECT_EQ(o["result"].toString(), "applied");
    EXPECT_EQ(o["actor"].toString(), "alice");
    EXPECT_FALSE(o["audit_id"].toString().isEmpty());
    EXPECT_EQ(o["change"].toObject()["target"].toString(), "model/orion-8b");
    EXPECT_EQ(o["change"].toObject()["reverts_after_s"].toInt(), 1800);
    const QString requestId = o["change"].toObject()["request_id"].toString();
    EXPECT_FALSE(requestId.isEmpty());

    const QJsonObject m = model(f, "orion-8b");
    EXPECT_FALSE(m["enabled"].toBool());
    EXPECT_TRUE(m["reverts_at"].isString()); // the service reverts it, console or not

    // The audit: this machine's action log row and the service's event, both
    // with the reason and the request id.
    r = f.run({"audit", "--target", "model/orion-8b", "--since", "1h", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    bool found = false;
    for (const QJsonValue &v : r.json()["events"].toArray()) {
        const QJsonObject e = v.toObject();
        if (e["request_id"].toString() != requestId)
            continue;
        found = true;
        EXPECT_EQ(e["reason"].toString(), "flaky upstream");
        EXPECT_EQ(e["actor"].toString(), "alice");
    }
    EXPECT_TRUE(found) << r.out.toStdString();

    // Already so: nothing to do, exit 0.
    r = f.run({"disable-model", "orion-8b", "--reason", "again", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(r.json()["result"].toString(), "unchanged");
    ASSERT_EQ(f.run({"enable-model", "orion-8b", "--reason", "recovered", "--context", "dev"}).code,
              0);
    EXPECT_TRUE(model(f, "orion-8b")["enabled"].toBool());
    // A reason is required, as in the console's dialog.
    EXPECT_EQ(f.run({"disable-model", "orion-8b", "--context", "dev"}).code, 2);
    // Leaving a route with nothing to serve needs saying so.
    ASSERT_EQ(
        f.run({"disable-model", "vega-embed-small", "--reason", "r", "--context", "dev"}).code, 0);
    r = f.run({"disable-model", "vega-embed-large", "--reason", "r", "--context", "dev"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.err.contains("--allow-outage")) << r.err.toStdString();
    EXPECT_TRUE(model(f, "vega-embed-large")["enabled"].toBool());
}

TEST(CtlWrite, FallbacksLabelsExperimentsAndDrillsChangeThroughTheSameFlow)
{
    CtlFixture f;
    ASSERT_EQ(
        f.run({"set-fallback", "chat", "orion-70b", "off", "--reason", "slow", "--context", "dev"})
            .code,
        0);
    EXPECT_FALSE(route(f, "chat")["fallbacks"].toArray()[0].toObject()["enabled"].toBool());
    EXPECT_EQ(
        f.run({"set-fallback", "chat", "orion-70b", "maybe", "--reason", "x", "--context", "dev"})
            .code,
        2);
    EXPECT_EQ(
        f.run({"set-fallback", "chat", "nope", "on", "--reason", "x", "--context", "dev"}).code, 1);
    CtlRun forced = f.run({"force-fallback", "summarize", "on", "--reason", "primary sick", "--for",
                           "15m", "--context", "dev"});
    ASSERT_EQ(forced.code, 0) << forced.err.toStdString();
    EXPECT_TRUE(route(f, "summarize")["primary_bypassed"].toBool());
    EXPECT_TRUE(route(f, "summarize")["bypass_reverts_at"].isString());
    ASSERT_EQ(
        f.run({"force-fallback", "summarize", "off", "--reason", "ok", "--context", "dev"}).code,
        0);
    EXPECT_FALSE(route(f, "summarize")["primary_bypassed"].toBool());

    // Production labels need admin: an operator gets 6, root gets through.
    CtlRun r = f.run({"move-label", "support-reply", "production", "4", "--reason", "ship v4",
                      "--context", "dev"});
    EXPECT_EQ(r.code, 6) << r.err.toStdString();
    EXPECT_EQ(labelVersion(f, "support-reply", "production"), 3);
    r = f.run({"move-label", "support-reply", "production", "v4", "--reason", "ship v4",
               "--context", "dev"},
              "root-token");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(labelVersion(f, "support-reply", "production"), 4);
    r = f.run({"rollback", "support-reply", "--reason", "v4 rambles", "--context", "dev"},
              "root-token");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(labelVersion(f, "support-reply", "production"), 3);

    ASSERT_EQ(
        f.run({"experiment", "pause", "exp-1", "--reason", "incident", "--context", "dev"}).code,
        0);
    EXPECT_EQ(experimentState(f, "exp-1"), "paused");
    ASSERT_EQ(f.run({"experiment", "start", "Support reply: v3 vs shorter v4", "--reason", "over",
                     "--context", "dev"})
                  .code,
              0);
    EXPECT_EQ(experimentState(f, "exp-1"), "running");
    r = f.run({"experiment", "pause", "exp-3", "--reason", "x", "--context", "dev"});
    EXPECT_EQ(r.code, 1); // stopped is final
    EXPECT_TRUE(r.err.contains("stopped")) << r.err.toStdString();

    r = f.run(
        {"drill", "start", "orion-8b", "--kind", "outage", "--for", "60s", "--context", "dev"},
        "root-token");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonObject drill = findByName(r.json(), "drills", "orion-8b", "model");
    EXPECT_EQ(drill["kind"].toString(), "outage");
    r = f.run({"drill", "stop", drill["id"].toString(), "--context", "dev"}, "root-token");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.json()["drills"].toArray().isEmpty());
}

TEST(CtlWrite, ProductionRefusesWithoutATerminalUnlessYes)
{
    CtlFixture f;
    CtlRun r = f.run({"disable-model", "orion-8b", "--reason", "test", "--context", "prod"});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains("refusing to change production context prod without --yes"))
        << r.err.toStdString();
    EXPECT_TRUE(model(f, "orion-8b")["enabled"].toBool());
    r = f.run({"disable-model", "orion-8b", "--reason", "test", "--context", "prod", "--yes"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_FALSE(model(f, "orion-8b")["enabled"].toBool());
    // Reads need no confirmation.
    EXPECT_EQ(f.run({"routes", "--context", "prod"}).code, 0);
}

TEST(CtlWrite, EveryExitCodeIsTheDocumentedOne)
{
    CtlFixture f;
    CtlRun r = f.run({"help", "exit-codes"});
    ASSERT_EQ(r.code, 0);
    for (const char *line : {"  0    ok", "  1    failure", "  2    usage", "  3    unreachable",
                             "  4    auth rejected", "  5    conflict", "  6    permission denied",
                             "  130  interrupted"})
        EXPECT_TRUE(r.out.contains(line)) << line;
    EXPECT_EQ(f.run({"routes", "--context", "dev"}).code, 0);
    EXPECT_EQ(f.run({"disable-model", "no-such-model", "--reason", "x", "--context", "dev"}).code,
              1);
    EXPECT_EQ(f.run({"routes", "--bogus"}).code, 2);
    EXPECT_EQ(f.run({"frobnicate"}).code, 2);
    EXPECT_EQ(f.run({"routes", "--context", "dev"}, "wrong-token").code, 4);
    r = f.run({"disable-model", "orion-8b", "--reason", "x", "--context", "dev"}, "vera-token");
    EXPECT_EQ(r.code, 6);
    EXPECT_TRUE(r.err.contains("viewer")) << r.err.toStdString();

    // 5: the script read chat's etag, then bob changed chat; nothing is overwritten.
    const QString etag = route(f, "chat")["etag"].toString();
    ASSERT_EQ(f.run({"set-fallback", "chat", "orion-70b", "off", "--reason", "bob's call",
                     "--context", "dev"},
                    "bob-token")
                  .code,
              0);
    r = f.run({"set-fallback", "chat", "atlas-mini", "off", "--reason", "alice's call", "--if-etag",
               etag, "--context", "dev"});
    EXPECT_EQ(r.code, 5) << r.err.toStdString();
    EXPECT_TRUE(r.err.contains("bob changed route/chat first")) << r.err.toStdString();
    const QJsonObject o = r.json();
    EXPECT_EQ(o["result"].toString(), "conflict");
    EXPECT_EQ(o["conflict"].toObject()["updated_by"].toString(), "bob");
    const QJsonObject chat = route(f, "chat");
    EXPECT_FALSE(chat["fallbacks"].toArray()[0].toObject()["enabled"].toBool()); // bob's stays
    EXPECT_TRUE(
        chat["fallbacks"].toArray()[1].toObject()["enabled"].toBool()); // alice's did not land

    // 3: nothing listens there.
    ASSERT_EQ(f.run({"context", "add", "dead", "--endpoint", "127.0.0.1:1"}).code, 0);
    EXPECT_EQ(f.run({"routes", "--context", "dead"}).code, 3);

    // The man page documents the same.
    QFile man(QStringLiteral(SB_CTL_MAN_PAGE));
    ASSERT_TRUE(man.open(QIODevice::ReadOnly));
    const QByteArray page = man.readAll();
    EXPECT_TRUE(page.contains(".SH EXIT STATUS"));
    EXPECT_TRUE(page.contains("set\\-fallback"));
}

TEST(CtlWrite, WatchSeesAnotherClientsChangeAndEndsWith130OnCtrlC)
{
    CtlFixture f;
    auto watch = f.start({"routes", "--watch", "--context", "dev"});
    QByteArray seen;
    auto waitFor = [&](const std::function<bool()> &done) {
        QDeadlineTimer deadline(30000);
        while (!done() && !deadline.hasExpired()) {
            watch->waitForReadyRead(200);
            seen += watch->readAllStandardOutput();
        }
        return done();
    };
    ASSERT_TRUE(waitFor([&] { return seen.count("\"event\":\"initial\"") == 4; }))
        << seen.toStdString() << watch->readAllStandardError().toStdString();

    // Another client (bob, another process) changes chat.
    ASSERT_EQ(f.run({"set-fallback", "chat", "atlas-mini", "off", "--reason", "watch me",
                     "--context", "dev"},
                    "bob-token")
                  .code,
              0);
    QJsonObject changed;
    ASSERT_TRUE(waitFor([&] {
        for (const QByteArray &line : seen.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o["event"].toString() == "changed" &&
                o["route"].toObject()["name"].toString() == "chat")
                changed = o["route"].toObject();
        }
        return !changed.isEmpty();
    })) << seen.toStdString();
    EXPECT_FALSE(changed["fallbacks"].toArray()[1].toObject()["enabled"].toBool());
    EXPECT_EQ(changed["updated_by"].toString(), "bob");

    ::kill(pid_t(watch->processId()), SIGINT);
    ASSERT_TRUE(watch->waitForFinished(15000));
    EXPECT_EQ(watch->exitStatus(), QProcess::NormalExit);
    EXPECT_EQ(watch->exitCode(), 130);
}

// On a terminal (a pseudo-terminal from util-linux's `script`), a production
// change shows old → new and asks for the target's name: a wrong answer
// changes nothing (exit 1), the right one applies it.
TEST(CtlWrite, ProductionAsksToTypeTheNameOnATerminal)
{
    if (QStandardPaths::findExecutable(QStringLiteral("script")).isEmpty())
        GTEST_SKIP() << "no `script` (util-linux) to make a terminal";
    CtlFixture f;
    auto onTty = [&](const QByteArray &answer) {
        QProcess p;
        p.setProcessEnvironment(f.env(QStringLiteral("alice-token")));
        const QString command = QStringLiteral("%1 disable-model orion-8b --reason 'on a tty' "
                                               "--context prod")
                                    .arg(CtlFixture::binary());
        p.start(QStringLiteral("script"), {"-qec", command, "/dev/null"});
        EXPECT_TRUE(p.waitForStarted(10000));
        p.write(answer);
        p.closeWriteChannel();
        EXPECT_TRUE(p.waitForFinished(60000));
        return std::make_pair(p.exitCode(), p.readAllStandardOutput());
    };
    auto [code, screen] = onTty("atlas-xl\n");
    EXPECT_EQ(code, 1);
    EXPECT_TRUE(screen.contains("PRODUCTION context prod")) << screen.toStdString();
    EXPECT_TRUE(screen.contains("Disable model orion-8b: enabled → disabled"))
        << screen.toStdString();
    EXPECT_TRUE(screen.contains("Type orion-8b to confirm")) << screen.toStdString();
    EXPECT_TRUE(screen.contains("Not confirmed. Nothing was changed.")) << screen.toStdString();
    EXPECT_TRUE(model(f, "orion-8b")["enabled"].toBool());

    std::tie(code, screen) = onTty("orion-8b\n");
    EXPECT_EQ(code, 0) << screen.toStdString();
    EXPECT_FALSE(model(f, "orion-8b")["enabled"].toBool());

    // On a terminal a list is a table (piped, it is JSON: every other test).
    QProcess p;
    p.setProcessEnvironment(f.env(QStringLiteral("alice-token")));
    p.start(QStringLiteral("script"),
            {"-qec", CtlFixture::binary() + QStringLiteral(" models --context dev"), "/dev/null"});
    ASSERT_TRUE(p.waitForFinished(60000));
    const QByteArray table = p.readAllStandardOutput();
    EXPECT_TRUE(table.startsWith("MODEL")) << table.toStdString();
    EXPECT_TRUE(table.contains("orion-8b")) << table.toStdString();
}

// latency --watch: the route's closed seconds from the live stream, one JSON
// object a line, until Ctrl-C.
TEST(CtlWrite, LatencyWatchStreamsTheRoutesSecondsLive)
{
    CtlFixture f;
    auto watch = f.start({"latency", "--route", "chat", "--watch", "--context", "dev"});
    QByteArray seen;
    QDeadlineTimer deadline(30000);
    while (seen.count("\"event\":\"second\"") < 2 && !deadline.hasExpired()) {
        watch->waitForReadyRead(200);
        seen += watch->readAllStandardOutput();
    }
    ASSERT_GE(seen.count("\"event\":\"second\""), 2) << seen.toStdString();
    const QJsonObject first = QJsonDocument::fromJson(seen.split('\n').front()).object();
    EXPECT_EQ(first["latency"].toObject()["route"].toString(), "chat");
    EXPECT_GT(first["latency"].toObject()["count"].toInt(), 0);
    EXPECT_TRUE(first["latency"].toObject()["time"].isString());
    ::kill(pid_t(watch->processId()), SIGINT);
    ASSERT_TRUE(watch->waitForFinished(15000));
    EXPECT_EQ(watch->exitCode(), 130);
}

// experiments --watch: no watch stream in the contract, so the CLI asks
// every 2 s; bob's pause shows up as a changed line.
TEST(CtlWrite, ExperimentsWatchSeesAnotherClientsPause)
{
    CtlFixture f;
    auto watch = f.start({"experiments", "--watch", "--context", "dev"});
    QByteArray seen;
    auto waitFor = [&](const std::function<bool()> &done) {
        QDeadlineTimer deadline(30000);
        while (!done() && !deadline.hasExpired()) {
            watch->waitForReadyRead(200);
            seen += watch->readAllStandardOutput();
        }
        return done();
    };
    ASSERT_TRUE(waitFor([&] { return seen.count("\"event\":\"initial\"") == 5; }))
        << seen.toStdString();
    ASSERT_EQ(f.run({"experiment", "pause", "exp-1", "--reason", "bob pauses", "--context", "dev"},
                    "bob-token")
                  .code,
              0);
    ASSERT_TRUE(waitFor([&] {
        for (const QByteArray &line : seen.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o["event"].toString() == "changed" &&
                o["experiment"].toObject()["id"].toString() == "exp-1")
                return o["experiment"].toObject()["state"].toString() == "paused";
        }
        return false;
    })) << seen.toStdString();
    ::kill(pid_t(watch->processId()), SIGINT);
    ASSERT_TRUE(watch->waitForFinished(15000));
    EXPECT_EQ(watch->exitCode(), 130);
}
