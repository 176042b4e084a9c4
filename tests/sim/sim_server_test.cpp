// The server as a whole: health, reflection, open mode, determinism, tokens
// files, shutdown with open streams, and the executable as a process.

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "sim_test_support.h"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace sbtest;

namespace {

class SimServer : public SimTest
{};

TEST_F(SimServer, HealthIsServing)
{
    auto stub = grpc::health::v1::Health::NewStub(m_channel);
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    auto c = ctx("");
    ASSERT_TRUE(stub->Check(c.get(), req, &resp).ok());
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(SimServer, ReflectionListsTheServices)
{
    auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(m_channel);
    auto c = ctx("");
    auto stream = stub->ServerReflectionInfo(c.get());
    grpc::reflection::v1alpha::ServerReflectionRequest req;
    req.set_list_services("");
    ASSERT_TRUE(stream->Write(req));
    stream->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    std::set<std::string> names;
    for (const auto &s : resp.list_services_response().service())
        names.insert(s.name());
    for (const char *want : {"switchboard.v1.PromptService", "switchboard.v1.ExperimentService",
                             "switchboard.v1.TelemetryService", "switchboard.v1.RoutingService",
                             "switchboard.sim.v1.DrillService", "grpc.health.v1.Health"})
        EXPECT_TRUE(names.count(want)) << want;
    while (stream->Read(&resp)) {
    }
    EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(SimServer, ShutdownEndsOpenStreams)
{
    auto c = ctx(kViewer);
    auto reader = m_telemetry->StreamLatency(c.get(), {});
    pb::StreamLatencyResponse r;
    ASSERT_TRUE(reader->Read(&r));
    auto wc = ctx(kViewer);
    auto watch = m_routing->WatchRouting(wc.get(), {});
    pb::WatchRoutingResponse ev;
    ASSERT_TRUE(watch->Read(&ev));
    const auto start = std::chrono::steady_clock::now();
    m_server->shutdown();
    m_server->shutdown(); // idempotent
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    while (reader->Read(&r)) {
    }
    EXPECT_FALSE(reader->Finish().ok());
    while (watch->Read(&ev)) {
    }
    EXPECT_FALSE(watch->Finish().ok());
}

class SimOpenMode : public SimTest
{
protected:
    sb::sim::SimOptions options() override
    {
        auto o = SimTest::options();
        o.tokens.clear();
        return o;
    }
};

TEST_F(SimOpenMode, EveryCallerIsAnonymousAdmin)
{
    dpb::ListDrillsResponse drills;
    auto c = ctx("");
    EXPECT_TRUE(m_drills->ListDrills(c.get(), {}, &drills).ok());
    pb::SetModelEnabledRequest req;
    req.set_model("orion-8b");
    req.set_enabled(false);
    req.set_reason("open mode");
    req.set_expected_etag(model("orion-8b").etag());
    req.set_request_id(requestId());
    pb::SetModelEnabledResponse resp;
    auto c2 = ctx("");
    ASSERT_TRUE(m_routing->SetModelEnabled(c2.get(), req, &resp).ok());
    EXPECT_EQ(resp.audit_event().actor(), "anonymous");
}

TEST(SimDeterminism, SameSeedSameSeededData)
{
    auto snapshot = [](uint64_t seed) {
        sb::sim::SimOptions o;
        o.seed = seed;
        o.rate = 0;
        sb::sim::SimServer server(o);
        std::string error;
        EXPECT_TRUE(server.start(&error)) << error;
        auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
        auto prompts = pb::PromptService::NewStub(channel);
        auto experiments = pb::ExperimentService::NewStub(channel);
        std::string out;
        for (const char *name : {"support-reply", "meeting-notes"}) {
            pb::ListPromptVersionsRequest req;
            req.set_prompt_name(name);
            pb::ListPromptVersionsResponse resp;
            grpc::ClientContext c;
            c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
            EXPECT_TRUE(prompts->ListPromptVersions(&c, req, &resp).ok());
            for (auto &v : *resp.mutable_versions())
                v.clear_create_time(); // relative to start-up time
            out += resp.SerializeAsString();
        }
        pb::GetResultsRequest rr;
        rr.set_experiment_id("exp-3");
        pb::GetResultsResponse results;
        grpc::ClientContext c;
        c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        EXPECT_TRUE(experiments->GetResults(&c, rr, &results).ok());
        results.mutable_results()->clear_time();
        out += results.SerializeAsString();
        return out;
    };
    const std::string a = snapshot(42);
    EXPECT_EQ(a, snapshot(42));
    EXPECT_NE(a, snapshot(43)); // the stopped experiment's results differ by seed
}

TEST(SimTokens, LoadsTokensFileAndRejectsBadLines)
{
    const std::string path = ::testing::TempDir() + "/sim_tokens.txt";
    {
        std::ofstream f(path);
        f << "# tokens\n\nabc viewer vera\nxyz admin   # trailing comment\n";
    }
    std::map<std::string, std::pair<sb::sim::Role, std::string>> tokens;
    std::string error;
    ASSERT_TRUE(sb::sim::loadTokensFile(path, &tokens, &error)) << error;
    ASSERT_EQ(tokens.size(), 2u);
    EXPECT_EQ(tokens["abc"].first, sb::sim::Role::Viewer);
    EXPECT_EQ(tokens["abc"].second, "vera");
    EXPECT_EQ(tokens["xyz"].first, sb::sim::Role::Admin);
    {
        std::ofstream f(path);
        f << "abc superuser\n";
    }
    EXPECT_FALSE(sb::sim::loadTokensFile(path, &tokens, &error));
    EXPECT_NE(error.find(":1:"), std::string::npos) << error;
    EXPECT_FALSE(sb::sim::loadTokensFile(path + ".missing", &tokens, &error));
}

// Runs switchboard-sim with args; returns its pid and a FILE* on its stdout.
pid_t spawnSim(const std::vector<std::string> &args, FILE **out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char *> argv;
    std::string exe = SB_SIM_EXE;
    argv.push_back(exe.data());
    std::vector<std::string> copy = args;
    for (auto &a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    *out = fdopen(fds[0], "r");
    return pid;
}

int waitExit(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < 500; ++i) { // up to 10 s
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

TEST(SimExecutable, ServesOnAFreePortAndExitsOnSigterm)
{
    FILE *out = nullptr;
    const pid_t pid = spawnSim({"--listen", "127.0.0.1:0", "--rate", "500", "--seed", "3"}, &out);
    ASSERT_GT(pid, 0);
    ASSERT_NE(out, nullptr);
    char line[256] = {};
    ASSERT_NE(fgets(line, sizeof line, out), nullptr);
    const std::string text = line;
    const std::string prefix = "switchboard-sim listening on 127.0.0.1:";
    ASSERT_EQ(text.rfind(prefix, 0), 0u) << text;
    const int port = std::stoi(text.substr(prefix.size()));
    ASSERT_GT(port, 0);

    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    auto routing = pb::RoutingService::NewStub(channel);
    pb::GetRoutingTableResponse table;
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(routing->GetRoutingTable(&c, {}, &table).ok());
    EXPECT_EQ(table.routes_size(), 4);

    kill(pid, SIGTERM);
    EXPECT_EQ(waitExit(pid), 0);
    fclose(out);
}

TEST(SimExecutable, RejectsBadFlagsWithExitCode2)
{
    for (const std::vector<std::string> &args :
         {std::vector<std::string>{"--rate", "fast"}, std::vector<std::string>{"--listen", "nope"},
          std::vector<std::string>{"--seed", "-1"}, std::vector<std::string>{"--bogus"},
          std::vector<std::string>{"--tokens", "/nonexistent/tokens"}}) {
        FILE *out = nullptr;
        const pid_t pid = spawnSim(args, &out);
        ASSERT_GT(pid, 0);
        EXPECT_EQ(waitExit(pid), 2) << args[0];
        fclose(out);
    }
}

} // namespace
