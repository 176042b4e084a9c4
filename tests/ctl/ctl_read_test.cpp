// switchboard-ctl's reads against the real sim over real gRPC, as a user's
// script sees them: exit codes, JSON parsed and checked field by field, the
// table and YAML, --offline from a cache the console itself wrote, contexts
// and their precedence, and bash completion sourced and run.

#include "ctl_test_support.h"
#include "store/cache.h"
#include "ui/console.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/session.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;
using namespace sb::test;

namespace {
QStringList names(const QJsonObject &o, const QString &list, const QString &field = "name")
{
    QStringList out;
    for (const QJsonValue &v : o.value(list).toArray())
        out << v.toObject().value(field).toString();
    return out;
}
} // namespace

TEST(CtlRead, EveryReadCommandAnswersJsonWithItsDocumentedFields)
{
    CtlFixture f;
    // Piped: JSON without -o.
    CtlRun r = f.run({"routes", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QJsonObject o = r.json();
    EXPECT_EQ(o["context"].toString(), "dev");
    EXPECT_FALSE(o["stale"].toBool());
    EXPECT_TRUE(o["fetched_at"].isString());
    EXPECT_EQ(names(o, "routes"), (QStringList{"chat", "embed", "extract", "summarize"}));
    const QJsonObject chat = findByName(o, "routes", "chat");
    EXPECT_EQ(chat["primary"].toString(), "atlas-xl");
    EXPECT_EQ(chat["fallbacks"].toArray()[0].toObject()["model"].toString(), "orion-70b");
    EXPECT_TRUE(chat["fallbacks"].toArray()[0].toObject()["enabled"].toBool());
    EXPECT_FALSE(chat["etag"].toString().isEmpty());
    EXPECT_TRUE(chat["served"].isArray());

    r = f.run({"models", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    o = r.json();
    EXPECT_EQ(o["models"].toArray().size(), 6);
    const QJsonObject orion = findByName(o, "models", "orion-8b");
    EXPECT_TRUE(orion["enabled"].toBool());
    EXPECT_EQ(orion["circuit"].toString(), "closed");
    EXPECT_TRUE(orion["error_rate"].isDouble());

    r = f.run({"prompts", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonObject support = findByName(r.json(), "prompts", "support-reply");
    EXPECT_EQ(support["latest_version"].toInt(), 4);
    EXPECT_EQ(findByName(support, "labels", "production")["version"].toInt(), 3);

    r = f.run({"versions", "support-reply", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    o = r.json();
    ASSERT_EQ(o["versions"].toArray().size(), 4);
    const QJsonObject v3 = o["versions"].toArray()[1].toObject();
    EXPECT_EQ(v3["version"].toInt(), 3);
    EXPECT_EQ(v3["parent"].toInt(), 2);
    EXPECT_TRUE(v3["labels"].toArray().contains(QJsonValue("production")));
    EXPECT_FALSE(v3["template"].toString().isEmpty());

    r = f.run({"diff", "support-reply", "3", "v4", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    o = r.json();
    EXPECT_FALSE(o["identical"].toBool());
    EXPECT_GT(o["changed"].toInt() + o["added"].toInt() + o["removed"].toInt(), 0);
    EXPECT_EQ(o["lines"].toArray()[0].toObject()["op"].toString(), "changed");

    r = f.run({"experiments", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    const QJsonObject exp1 = findByName(r.json(), "experiments", "exp-1", "id");
    EXPECT_EQ(exp1["state"].toString(), "running");
    EXPECT_EQ(exp1["route"].toString(), "chat");
    EXPECT_EQ(exp1["variants"].toArray().size(), 3);

    r = f.run({"results", "exp-1", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    o = r.json();
    ASSERT_EQ(o["results"].toArray().size(), 3);
    const QJsonObject control = o["results"].toArray()[0].toObject();
    EXPECT_TRUE(control["control"].toBool());
    EXPECT_TRUE(control["exposures"].isDouble());
    EXPECT_FALSE(control["decision"].toString().isEmpty());

    r = f.run({"audit", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    o = r.json();
    ASSERT_FALSE(o["events"].toArray().isEmpty());
    const QJsonObject ev = o["events"].toArray()[0].toObject();
    EXPECT_EQ(ev["source"].toString(), "service");
    EXPECT_FALSE(ev["action"].toString().isEmpty());
    EXPECT_FALSE(ev["target"].toString().isEmpty());

    r = f.run({"latency", "--route", "chat", "--since", "1h", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.json()["latency"].isArray());
    EXPECT_EQ(f.run({"latency", "--route", "nope", "--context", "dev"}).code, 1);

    // The other two formats.
    r = f.run({"routes", "--context", "dev", "-o", "table"});
    ASSERT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.startsWith("ROUTE")) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains("orion-70b(on)")) << r.out.toStdString();
    r = f.run({"routes", "--context", "dev", "-o", "yaml"});
    ASSERT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.contains("routes:\n  - ")) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains("name: chat")) << r.out.toStdString();
    EXPECT_EQ(f.run({"routes", "--context", "dev", "-o", "xml"}).code, 2);
}

TEST(CtlRead, OfflineReadsTheCacheTheConsoleWroteAndSaysHowOld)
{
    CtlFixture f;
    {
        // The console itself (its Console: session and controllers) fills the cache.
        Cache cache;
        cache.open(f.cachePath());
        Console console(&cache);
        console.session()->connectTo(f.address(), f.address(), QStringLiteral("alice-token"));
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                return console.routing()->freshness().live && console.prompts()->freshness().live &&
                       console.experiments()->freshness().live;
            },
            30000));
        console.shutdown();
        QSignalSpy flushed(&cache, &Cache::flushed);
        cache.flush();
        ASSERT_TRUE(flushed.wait(30000));
    }
    f.stopSim();

    CtlRun r = f.run({"routes", "--offline", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    QJsonObject o = r.json();
    EXPECT_TRUE(o["stale"].toBool());
    EXPECT_TRUE(o["fetched_at"].isString());
    EXPECT_EQ(findByName(o, "routes", "chat")["primary"].toString(), "atlas-xl");
    EXPECT_TRUE(r.err.contains("offline: from the cache, fetched")) << r.err.toStdString();

    r = f.run({"prompts", "--offline", "--context", "dev"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(names(r.json(), "prompts").contains("support-reply"));
    r = f.run({"experiments", "--offline", "--context", "dev", "-o", "table"});
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains("exp-1")) << r.out.toStdString();

    // Live, the sim is gone: unreachable, with the way out named.
    r = f.run({"routes", "--context", "dev"});
    EXPECT_EQ(r.code, 3);
    EXPECT_TRUE(r.err.contains("--offline")) << r.err.toStdString();
    // A write never goes to the cache.
    EXPECT_EQ(
        f.run({"disable-model", "orion-8b", "--reason", "x", "--offline", "--context", "dev"}).code,
        2);
}

TEST(CtlRead, ContextComesFromTheFlagThenTheEnvironmentThenTheFile)
{
    CtlFixture f;
    ASSERT_EQ(f.run({"context", "add", "dead", "--endpoint", "127.0.0.1:1"}).code, 0);
    ASSERT_EQ(f.run({"context", "use", "dead"}).code, 0);
    const QMap<QString, QString> envDev{{"SWITCHBOARD_CONTEXT", "dev"}};
    EXPECT_EQ(f.run({"routes", "--timeout", "5"}).code, 3);          // file
    EXPECT_EQ(f.run({"routes"}, "alice-token", {}, envDev).code, 0); // env over file
    EXPECT_EQ(f.run({"routes", "--context", "dead"}, "alice-token", {}, envDev).code, 3); // flag
    CtlRun r = f.run({"context", "list"}, "alice-token", {}, envDev);
    ASSERT_EQ(r.code, 0);
    QJsonObject o = r.json();
    EXPECT_EQ(o["current"].toString(), "dev");
    EXPECT_EQ(o["current_from"].toString(), "environment");
    EXPECT_EQ(names(o, "contexts"), (QStringList{"dev", "prod", "dead"}));
    EXPECT_EQ(findByName(o, "contexts", "prod")["environment"].toString(), "prod");
    EXPECT_EQ(findByName(o, "contexts", "dev")["token"].toString(), "$SB_TOKEN");
    r = f.run({"routes", "--context", "nope"});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains("dev, prod, dead")) << r.err.toStdString();

    // Tokens: never a flag; --token-stdin for scripts.
    r = f.run({"routes", "--context", "dev", "--token", "alice-token"});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.err.contains("--token-stdin")) << r.err.toStdString();
    ASSERT_EQ(f.run({"context", "add", "bare", "--endpoint", f.address()}).code, 0);
    EXPECT_EQ(f.run({"routes", "--context", "bare"}).code, 4); // the sim wants a token
    r = f.run({"disable-model", "orion-8b", "--reason", "from a script", "--context", "bare",
               "--token-stdin"},
              {}, "bob-token\n");
    ASSERT_EQ(r.code, 0) << r.err.toStdString();
    EXPECT_EQ(r.json()["actor"].toString(), "bob");
}

TEST(CtlRead, BashCompletionCompletesASubcommandAndARouteNameFromTheCache)
{
    CtlFixture f;
    ASSERT_EQ(f.run({"context", "use", "dev"}).code, 0);
    ASSERT_EQ(f.run({"routes"}).code, 0); // fills the cache, as any live read does
    const QString script = QStringLiteral(R"SH(
set -e
source <(switchboard-ctl completion bash)
complete -p switchboard-ctl
COMP_WORDS=(switchboard-ctl set-f); COMP_CWORD=1; _switchboard_ctl; echo "1:${COMPREPLY[*]}"
COMP_WORDS=(switchboard-ctl set-fallback c); COMP_CWORD=2; _switchboard_ctl; echo "2:${COMPREPLY[*]}"
COMP_WORDS=(switchboard-ctl set-fallback chat ""); COMP_CWORD=3; _switchboard_ctl; echo "3:${COMPREPLY[*]}"
COMP_WORDS=(switchboard-ctl routes --w); COMP_CWORD=2; _switchboard_ctl; echo "4:${COMPREPLY[*]}"
COMP_WORDS=(switchboard-ctl latency --route e); COMP_CWORD=3; _switchboard_ctl; echo "5:${COMPREPLY[*]}"
)SH");
    QProcess bash;
    QProcessEnvironment e = f.env(QStringLiteral("alice-token"));
    e.insert("PATH", QFileInfo(CtlFixture::binary()).absolutePath() + ":" + e.value("PATH"));
    bash.setProcessEnvironment(e);
    bash.start("bash", {"-c", script});
    ASSERT_TRUE(bash.waitForFinished(60000));
    const QString out = QString::fromUtf8(bash.readAllStandardOutput());
    EXPECT_EQ(bash.exitCode(), 0) << bash.readAllStandardError().toStdString();
    EXPECT_TRUE(out.contains("complete -F _switchboard_ctl switchboard-ctl")) << out.toStdString();
    EXPECT_TRUE(out.contains("1:set-fallback\n")) << out.toStdString();
    EXPECT_TRUE(out.contains("2:chat\n")) << out.toStdString();
    EXPECT_TRUE(out.contains("3:orion-70b atlas-mini\n")) << out.toStdString();
    EXPECT_TRUE(out.contains("4:--watch\n")) << out.toStdString();
    EXPECT_TRUE(out.contains("5:embed extract\n")) << out.toStdString();
    for (const char *shell : {"zsh", "fish"}) {
        const CtlRun r = f.run({"completion", shell});
        EXPECT_EQ(r.code, 0);
        EXPECT_TRUE(r.out.contains("switchboard-ctl __complete")) << shell;
    }
}
